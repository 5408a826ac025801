#!/usr/bin/env bash
# Runs the benchmarks in Release against a throwaway Azurite and prints their tables and RATIO lines.
#   bench/run.sh [sync|read|feed|verify|all] [--explain]    (default: all; --explain adds where-the-time-goes rows to sync)
#   bench/run.sh simulate [--links N] [--hours H] [--scenario 1|2|3]   (the million-link refresh simulation; no Azurite)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The million-link simulation needs no storage: it runs the real refresh job against in-process fakes in simulated time.
if [[ "${1:-}" == "simulate" ]]; then
  shift
  dotnet build bench/MoneyKitBridge.Simulation/MoneyKitBridge.Simulation.csproj -c Release --nologo -v quiet
  exec dotnet run --project bench/MoneyKitBridge.Simulation/MoneyKitBridge.Simulation.csproj -c Release --no-build -- simulate "$@"
fi

# shellcheck source=/dev/null
source scripts/azurite.sh start
trap azurite_stop EXIT

dotnet build bench/MoneyKitBridge.Bench/MoneyKitBridge.Bench.csproj -c Release --nologo -v quiet
dotnet run --project bench/MoneyKitBridge.Bench/MoneyKitBridge.Bench.csproj -c Release --no-build -- "${@:-all}"
