#!/usr/bin/env bash
# Runs the benchmarks in Release against a throwaway Azurite and prints their tables and RATIO lines.
#   bench/run.sh [sync|read|feed|verify|all] [--explain]    (default: all; --explain adds where-the-time-goes rows to sync)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=/dev/null
source scripts/azurite.sh start
trap azurite_stop EXIT

dotnet build bench/MoneyKitBridge.Bench/MoneyKitBridge.Bench.csproj -c Release --nologo -v quiet
dotnet run --project bench/MoneyKitBridge.Bench/MoneyKitBridge.Bench.csproj -c Release --no-build -- "${@:-all}"
