#!/usr/bin/env bash
# Starts or stops the Azurite Table service used by the tests and local runs.
#   source scripts/azurite.sh start   -> exports BRIDGE_TEST_STORAGE, AZURITE_PID, AZURITE_DIR
#   source scripts/azurite.sh stop
# Azurite comes from the repo's own npm lockfile (npm ci), listens on a free loopback port only,
# sends no telemetry and keeps its data in a throwaway folder that is removed on stop.

azurite_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

azurite_start() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ ! -x "$root/node_modules/.bin/azurite-table" ]; then
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  fi
  AZURITE_DIR="$(mktemp -d)"
  local port
  port="$(azurite_free_port)"
  # Data lives in memory (faster, nothing survives a stop); the process runs inside the throwaway
  # folder so that anything it writes (logs, extent files) is removed with it.
  (cd "$AZURITE_DIR" && exec "$root/node_modules/.bin/azurite-table" \
    --tableHost 127.0.0.1 --tablePort "$port" --inMemoryPersistence \
    --disableTelemetry --skipApiVersionCheck --silent \
    >"$AZURITE_DIR/azurite.log" 2>&1) &
  AZURITE_PID=$!
  local i
  for i in $(seq 1 150); do
    if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1",()=>process.exit(0));s.on("error",()=>process.exit(1));' "$port" 2>/dev/null; then
      export AZURITE_PID AZURITE_DIR
      export BRIDGE_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
      echo "Azurite tables listening on 127.0.0.1:$port (pid $AZURITE_PID)" >&2
      return 0
    fi
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      echo "Azurite exited during start:" >&2
      cat "$AZURITE_DIR/azurite.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "Azurite did not answer on 127.0.0.1:$port within 30 s" >&2
  return 1
}

azurite_stop() {
  if [ -n "${AZURITE_PID:-}" ]; then
    kill "$AZURITE_PID" 2>/dev/null || true
    wait "$AZURITE_PID" 2>/dev/null || true
    unset AZURITE_PID
  fi
  if [ -n "${AZURITE_DIR:-}" ]; then
    rm -rf "$AZURITE_DIR"
    unset AZURITE_DIR
  fi
}

case "${1:-}" in
  start) azurite_start ;;
  stop) azurite_stop ;;
  *) echo "usage: source scripts/azurite.sh start|stop" >&2; return 2 2>/dev/null || exit 2 ;;
esac
