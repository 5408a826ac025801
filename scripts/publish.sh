#!/usr/bin/env bash
# Builds the deployable Azure Functions package of MoneyKit Bridge (.NET isolated worker):
#   <out>/host.json                      the Functions host configuration (route prefix api, no customHandler)
#   <out>/functions.metadata             the functions, written by the Worker SDK from the [Function] attributes
#   <out>/worker.config.json             how the host starts the worker (the self-contained executable)
#   <out>/MoneyKitBridge.Functions       the self-contained linux-x64 worker (+ its files, extensions.json)
# and, with --zip, <out>.zip next to the folder (what `azd deploy` / `az functionapp deployment` upload).
#
# Usage: scripts/publish.sh [--zip] [output-dir]     (output-dir defaults to publish/ at the repo root)
# `func start` can then be run from inside <out> (with a local.settings.json copied there).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
zip_it=false
out=""
for arg in "$@"; do
  case "$arg" in
    --zip) zip_it=true ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "publish.sh: unknown option $arg" >&2; exit 2 ;;
    *) if [ -n "$out" ]; then echo "publish.sh: only one output directory" >&2; exit 2; fi; out="$arg" ;;
  esac
done
out="${out:-$root/publish}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ "$out" = "/" ] || [ "$out" = "$root" ] || [ "$out" = "$HOME" ]; then
  echo "publish.sh: refusing to publish into $out" >&2
  exit 2
fi
# Only ever wipe a folder that is empty or holds an earlier package (recognised by its host.json).
if [ -n "$(ls -A "$out")" ] && [ ! -f "$out/host.json" ]; then
  echo "publish.sh: $out is not empty and is not an earlier package; choose another output directory" >&2
  exit 2
fi
# A local.settings.json copied in for `func start` survives republishing (it is never zipped).
saved_settings=""
if [ -f "$out/local.settings.json" ]; then
  saved_settings="$(mktemp)"
  cp "$out/local.settings.json" "$saved_settings"
fi
find "$out" -mindepth 1 -delete
if [ -n "$saved_settings" ]; then
  mv "$saved_settings" "$out/local.settings.json"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "Publishing the worker (Release, linux-x64, self-contained) ..." >&2
dotnet publish "$root/src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj" \
  --configuration Release --runtime linux-x64 --self-contained true \
  --output "$out" -p:UseAppHost=true -nologo --verbosity quiet

worker="$out/MoneyKitBridge.Functions"
if [ ! -f "$worker" ]; then
  echo "publish.sh: the worker executable was not produced at $worker" >&2
  exit 1
fi
chmod 755 "$worker"

for generated in host.json functions.metadata worker.config.json; do
  if [ ! -f "$out/$generated" ]; then
    echo "publish.sh: $generated was not produced (is Microsoft.Azure.Functions.Worker.Sdk referenced?)" >&2
    exit 1
  fi
done
count="$(grep -o '"scriptFile"' "$out/functions.metadata" | wc -l)"

echo "Package ready: $out ($count functions, $(du -sh "$out" | cut -f1))" >&2

if [ "$zip_it" = true ]; then
  archive="$out.zip"
  rm -f "$archive"
  # Info-ZIP keeps the Unix mode bits, so the handler stays executable after deployment.
  (cd "$out" && zip -q -r -X "$archive" . -x local.settings.json)
  echo "Zip ready: $archive ($(du -h "$archive" | cut -f1))" >&2
fi
