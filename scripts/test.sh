#!/usr/bin/env bash
# The whole test suite on a fresh clone: installs Azurite from the lockfile, restores NuGet packages,
# starts Azurite on a free loopback port, runs every test project, stops Azurite and prints
# "N passed, N failed, N skipped" computed from the TRX results. Extra arguments go to dotnet test
# (for example: ./scripts/test.sh --filter "FullyQualifiedName~TableStorage").
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ ! -x node_modules/.bin/azurite-table ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; exit 1; }
fi

# The browser tests (tests/MoneyKitBridge.Browser.Tests) drive Debian's chromium through Playwright, which never
# downloads a browser. BRIDGE_TEST_CHROMIUM names another Chromium executable instead.
if [ -z "${BRIDGE_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium for the browser tests (apt-get) ..."
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null; } \
      || echo "apt-get could not install chromium: the browser tests will fail (install it, or set BRIDGE_TEST_CHROMIUM)"
  else
    echo "chromium is not installed and apt-get is unavailable: the browser tests will fail." \
      "Install Chromium with your package manager and put it on PATH, or set BRIDGE_TEST_CHROMIUM to its executable."
  fi
fi
dotnet restore Functions.sln --verbosity quiet || { echo "dotnet restore failed"; exit 1; }
dotnet build Functions.sln --no-restore --configuration Release --verbosity quiet -nologo || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

# shellcheck source=scripts/azurite.sh
source scripts/azurite.sh start || { echo "could not start Azurite"; exit 1; }
trap 'azurite_stop' EXIT

results="$(mktemp -d)"
dotnet test Functions.sln --no-build --configuration Release \
  --logger "trx" --results-directory "$results" "$@"
status=$?

# The infrastructure checks (Bicep syntax + official Bicep CLI build/lint, settings, roles, host.json) run as
# node tests; their counts join the .NET ones.
infra_passed=0 infra_failed=0
if npm --prefix tools/bicep-check ci --no-audit --no-fund --loglevel=error >/dev/null; then
  infra_out="$(npm --prefix tools/bicep-check test 2>&1)"
  infra_status=$?
  infra_passed="$(printf '%s\n' "$infra_out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)"
  infra_failed="$(printf '%s\n' "$infra_out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)"
  infra_passed="${infra_passed:-0}" infra_failed="${infra_failed:-0}"
  if [ "$infra_status" -ne 0 ] && [ "$infra_failed" -eq 0 ]; then infra_failed=1; fi
  echo "infrastructure checks: $infra_passed passed, $infra_failed failed"
  [ "$infra_failed" -eq 0 ] || printf '%s\n' "$infra_out" | grep -E "^not ok|Error|error" | head -20
else
  echo "npm ci for tools/bicep-check failed"
  infra_failed=1
fi

read -r passed failed skipped total < <(
  cat "$results"/*.trx 2>/dev/null | tr '\n' ' ' | grep -o '<Counters [^>]*>' | awk '
    function attr(s, name,   m) { if (match(s, name "=\"[0-9]+\"")) { m = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0 } return 0 }
    { t += attr($0, "total"); e += attr($0, "executed"); p += attr($0, "passed");
      f += attr($0, "failed") + attr($0, "error") + attr($0, "timeout") + attr($0, "aborted") }
    END { printf "%d %d %d %d\n", p, f, t - e, t }')
rm -rf "$results"

passed=$((passed + infra_passed)) failed_infra=$infra_failed
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the test host crashed or a project produced no result: never report a clean run
fi
if [ "$total" -eq 0 ]; then
  echo "no test ran"
  failed=1
fi
failed=$((failed + failed_infra))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
