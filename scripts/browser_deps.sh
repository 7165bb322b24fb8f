#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (tests/e2e/test_browser.py) when it is missing.
# Playwright drives this system browser: `playwright install` would download its own, which
# a machine without general internet access cannot do. Safe to run again: it does nothing then.
set -euo pipefail

BROWSER=/usr/bin/chromium

if [[ -x "$BROWSER" ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "browser_deps.sh: $BROWSER is missing; install it as root: apt-get install chromium" >&2
    exit 1
fi

echo "Installing chromium (for the browser test) with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium
test -x "$BROWSER"
"$BROWSER" --version 2>/dev/null  # the launcher script warns about its own memory check
