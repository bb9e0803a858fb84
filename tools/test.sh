#!/usr/bin/env bash
# The whole test suite: notebooks (one pytest case each), exported modules, CLI, export/clean/README sync, docs build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/browser_setup.sh     # headless chromium for tests/test_browser.py (apt-get when missing)
. .venv/bin/activate
python -m pytest -q -p no:cacheprovider --timeout 900 tests "$@"
