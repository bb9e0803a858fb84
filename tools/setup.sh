#!/usr/bin/env bash
# Create .venv and install avsnb with everything it needs for development, tests and docs. Idempotent: re-runs only
# when settings.ini, setup.py or the constraints change. torch 2.14.1 + torchvision 0.29.1 come from the local package
# mirror; the constraints keep pip from fetching a newer torch and keep nbdev 2.4.14's working pins.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
stamp=.venv/.avsnb-installed
want=$(cat settings.ini setup.py tools/constraints.txt tools/setup.sh | sha1sum | cut -c1-40)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  quiet() { "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }
  echo "setup: installing torch 2.14.1 + torchvision 0.29.1, then avsnb[dev] (a few minutes on a fresh machine)"
  quiet python -m pip install -q -c tools/constraints.txt torch==2.14.1 torchvision==0.29.1
  quiet python -m pip install -q -c tools/constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi
