#!/usr/bin/env bash
# Make sure the system Chromium the browser tests drive (tests/e2e/browser) is installed.
# Idempotent: exits 0 at once when /usr/bin/chromium exists. Otherwise installs Debian's
# chromium with apt-get when run as root, or prints the command to run and exits 1.
# (Playwright's own browser download is never used: it cannot be fetched here.)
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PACKAGES=(chromium chromium-driver)

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found at $CHROMIUM and apt-get is not available." >&2
  echo "Install Chromium with your package manager, then set CHROMIUM=/path/to/chromium." >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium not found at $CHROMIUM. Install it with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi

echo "Installing ${PACKAGES[*]} (Debian packages) for the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${PACKAGES[@]}" >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "Chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")" >&2
