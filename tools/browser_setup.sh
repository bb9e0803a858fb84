#!/usr/bin/env bash
# Headless Chromium for tests/test_browser.py (the widgets in a real browser). Idempotent: does nothing when a
# chromium is on PATH; otherwise installs Debian's `chromium` with apt-get (as root, or through passwordless sudo).
# Never fails the caller: without a browser the browser test fails (CI) or skips (elsewhere) and says why.
set -uo pipefail
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null 2>&1 || { echo "browser_setup: no chromium and no apt-get: install chromium by hand" >&2; exit 0; }
SUDO=
if [ "$(id -u)" != 0 ]; then
  sudo -n true 2>/dev/null && SUDO='sudo -n' || { echo "browser_setup: chromium missing; as root: apt-get install chromium" >&2; exit 0; }
fi
echo "browser_setup: installing chromium with apt-get"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null ||
  echo "browser_setup: apt-get could not install chromium" >&2
exit 0
