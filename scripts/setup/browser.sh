#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser tests (test/dashboard/, driven by playwright-core with
# executablePath /usr/bin/chromium: `npx playwright install` downloads browser builds, which CI cannot reach).
# Idempotent: quiet and instant when /usr/bin/chromium already runs. CI runs as root with apt reachable.
set -euo pipefail
BIN=/usr/bin/chromium
if [ -x "$BIN" ] && "$BIN" --headless --no-sandbox --version >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "scripts/setup/browser.sh: need root (or sudo) to apt-get install chromium" >&2
    exit 0
  fi
fi
echo "scripts/setup/browser.sh: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# Try the cached package lists first; refresh them only when the package cannot be found or fetched.
# A failed install must not stop the rest of the test run: test/dashboard/ then fails saying what to install.
if ! $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
  if ! { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "scripts/setup/browser.sh: apt-get failed; the dashboard's browser tests will fail until chromium is installed" >&2
    exit 0
  fi
fi
"$BIN" --headless --no-sandbox --version >/dev/null 2>&1 || echo "scripts/setup/browser.sh: installed, but $BIN does not run" >&2
