#!/usr/bin/env bash
# Installs what the end-to-end tests need from Debian when it is missing: chromium for the
# browser test (tests/e2e/test_browser.py) and curl for the README's curl examples.
# Playwright drives this system browser: `playwright install` would download its own, which
# a machine without general internet access cannot do. Safe to run again: it does nothing then.
set -euo pipefail

BROWSER=/usr/bin/chromium

missing=()
[[ -x "$BROWSER" ]] || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "browser_deps.sh: ${missing[*]} missing; install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "Installing ${missing[*]} (for the end-to-end tests) with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
test -x "$BROWSER"
"$BROWSER" --version 2>/dev/null # the launcher script warns about its own memory check
