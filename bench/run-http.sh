#!/usr/bin/env bash
# HTTP-level benchmarks (issues 7 and 5): builds the bridge and the benchmark in Release, starts a throwaway
# Azurite, runs bench/MoneyKitBridge.Bench.Http (which starts the bridge as its own process) and prints a table
# and one RATIO line per target. Extra arguments go to the benchmark:
#   --seconds N      measured seconds per warm-query round (default 10; 2 rounds per side)
#   --webhooks N     measured webhook deliveries (default 2000, split over 2 rounds)
#   --queries-only | --webhooks-only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dotnet build src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj -c Release -v quiet -nologo
dotnet build bench/MoneyKitBridge.Bench.Http/MoneyKitBridge.Bench.Http.csproj -c Release -v quiet -nologo

# shellcheck source=../scripts/azurite.sh
source scripts/azurite.sh start
trap azurite_stop EXIT

dotnet artifacts/bin/MoneyKitBridge.Bench.Http/release/MoneyKitBridge.Bench.Http.dll \
  --bridge artifacts/bin/MoneyKitBridge.Functions/release/MoneyKitBridge.Functions.dll "$@"
