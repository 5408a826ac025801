#!/usr/bin/env bash
# HTTP-level benchmarks (issues 7 and 5): publishes the bridge exactly as it is deployed (scripts/publish.sh:
# self-contained linux-x64, ReadyToRun) and builds the benchmark in Release, starts a throwaway Azurite, runs
# bench/MoneyKitBridge.Bench.Http (which starts the published app in standalone mode as its own process) and prints a table
# and one RATIO line per target. Extra arguments go to the benchmark:
#   --seconds N      measured seconds per warm-query round (default 10; 2 rounds per side)
#   --webhooks N     measured webhook deliveries (default 2000, split over 2 rounds)
#   --cold-repeats N restarts for the first-query-after-restart measurement (default 5)
#   --queries-only | --webhooks-only | --cold-only
#   --bridge PATH    another build of the bridge (an executable or a .dll run with dotnet)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

package="$root/artifacts/bench-package"
scripts/publish.sh "$package"
dotnet build bench/MoneyKitBridge.Bench.Http/MoneyKitBridge.Bench.Http.csproj -c Release -v quiet -nologo

# shellcheck source=../scripts/azurite.sh
source scripts/azurite.sh start
trap azurite_stop EXIT

dotnet artifacts/bin/MoneyKitBridge.Bench.Http/release/MoneyKitBridge.Bench.Http.dll \
  --bridge "$package/MoneyKitBridge.Functions" "$@"
