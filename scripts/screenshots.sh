#!/usr/bin/env bash
# Regenerates the page screenshots in docs/screenshots/ (PNG): runs the browser tests
# (tests/MoneyKitBridge.Browser.Tests: Azurite, the sandbox, the bridge and the demo app on loopback, driven in
# Debian's chromium) with BRIDGE_SCREENSHOTS set, so each test writes the pages it walks through.
# Usage: scripts/screenshots.sh        Needs what scripts/test.sh needs (chromium included).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ ! -x node_modules/.bin/azurite-table ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ -z "${BRIDGE_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  echo "screenshots.sh: chromium is missing (apt-get install -y chromium, or set BRIDGE_TEST_CHROMIUM)" >&2
  exit 1
fi

out="$root/docs/screenshots"
rm -rf "$out"
mkdir -p "$out"
dotnet build tests/MoneyKitBridge.Browser.Tests --configuration Release --verbosity quiet -nologo
# shellcheck source=scripts/azurite.sh
source scripts/azurite.sh start
trap 'azurite_stop' EXIT
BRIDGE_SCREENSHOTS="$out" dotnet test tests/MoneyKitBridge.Browser.Tests --configuration Release --no-build
ls -l "$out"
