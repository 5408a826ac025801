#!/usr/bin/env bash
# Runs the whole MoneyKit Bridge system locally with one command, on a fresh clone:
#   - installs Azurite from the lockfile (npm ci) if needed and builds the sandbox and the bridge (Release);
#   - starts Azurite (tables, in memory: the data lives for this session only), the MoneyKit sandbox, the
#     bridge standalone (its own timer schedule) and the demo app, each on a free 127.0.0.1 port, wired together
#     (bridge -> sandbox as MoneyKit, sandbox webhooks -> bridge, demo -> bridge, demo page -> sandbox Connect UI);
#   - creates a demo bridge client (random secret) and a demo user linked to Instant Bank through the bridge's API;
#   - prints the demo app's URL first (open it and link a bank by clicking), then copy-paste curl commands, and
#     runs until Ctrl-C, which stops everything it started.
#
# Usage: scripts/run-local.sh [--no-build]
# Optional environment: BRIDGE_PORT, SANDBOX_PORT, DEMO_PORT (fixed ports instead of free ones).
# Needs: .NET 10 SDK, Node.js 20 + npm, curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build=true
for arg in "$@"; do
  case "$arg" in
    --no-build) build=false ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-local.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

for tool in dotnet node npm curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-local.sh: '$tool' is required (.NET 10 SDK, Node.js 20 with npm, curl)" >&2
    exit 1
  fi
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
cd "$root"

say() { printf '%s\n' "$*" >&2; }

# --- everything started here is stopped on exit (Ctrl-C, kill, error) -------------------------------------------
session="$(mktemp -d "${TMPDIR:-/tmp}/moneykit-bridge-local.XXXXXX")"
sandbox_pid=""
bridge_pid=""
demo_pid=""
cleaned=false
cleanup() {
  local status=$?
  if [ "$cleaned" = true ]; then return; fi
  cleaned=true
  trap - INT TERM
  say ""
  say "Stopping ..."
  local pid
  for pid in $demo_pid $bridge_pid $sandbox_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $demo_pid $bridge_pid $sandbox_pid; do
    wait "$pid" 2>/dev/null || true
  done
  if declare -F azurite_stop >/dev/null; then azurite_stop; fi
  if [ "$status" -ne 0 ] && [ "$status" -lt 128 ]; then
    say "Logs kept in $session"
  else
    rm -rf "$session"
  fi
  say "Stopped."
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  say "run-local.sh: $*"
  local log
  for log in "$session"/sandbox.log "$session"/bridge.log "$session"/demo.log; do
    if [ -s "$log" ]; then
      say "--- last lines of $(basename "$log") ---"
      tail -n 20 "$log" >&2
    fi
  done
  exit 1
}

# JSON value at a dotted path, read from stdin (Node is here anyway for Azurite; no jq needed).
json_get() {
  node -e '
    let text = "";
    process.stdin.on("data", (d) => (text += d)).on("end", () => {
      let value;
      try { value = process.argv[1].split(".").reduce((o, k) => (o == null ? undefined : o[k]), JSON.parse(text)); } catch { value = undefined; }
      if (value === undefined || value === null) process.exit(1);
      console.log(typeof value === "object" ? JSON.stringify(value) : value);
    });' "$1"
}

random_base64() { node -e 'console.log(require("crypto").randomBytes(+process.argv[1]).toString("base64"))' "$1"; }
random_hex() { node -e 'console.log(require("crypto").randomBytes(+process.argv[1]).toString("hex"))' "$1"; }

# --- install and build --------------------------------------------------------------------------------------------
if [ ! -x node_modules/.bin/azurite-table ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "Installing Azurite (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error >&2 || fail "npm ci failed"
fi

sandbox_project="src/MoneyKit.Sandbox/MoneyKit.Sandbox.csproj"
bridge_project="src/MoneyKitBridge.Functions/MoneyKitBridge.Functions.csproj"
demo_project="samples/MoneyKitBridge.Demo/MoneyKitBridge.Demo.csproj"
if [ "$build" = true ]; then
  say "Building the MoneyKit sandbox, the bridge and the demo app (Release) ..."
  for project in "$sandbox_project" "$bridge_project" "$demo_project"; do
    if ! dotnet build "$project" --configuration Release --verbosity quiet -nologo >"$session/build.log" 2>&1; then
      cat "$session/build.log" >&2
      fail "building $project failed"
    fi
  done
fi
sandbox_dll="$(dotnet msbuild "$sandbox_project" -getProperty:TargetPath -p:Configuration=Release)"
bridge_dll="$(dotnet msbuild "$bridge_project" -getProperty:TargetPath -p:Configuration=Release)"
demo_dll="$(dotnet msbuild "$demo_project" -getProperty:TargetPath -p:Configuration=Release)"
for dll in "$sandbox_dll" "$bridge_dll" "$demo_dll"; do
  [ -f "$dll" ] || fail "$dll is missing (run without --no-build)"
done

# --- Azurite (tables, in memory) ------------------------------------------------------------------------------------
# shellcheck source=scripts/azurite.sh
source "$root/scripts/azurite.sh" start || fail "could not start Azurite"
storage="$BRIDGE_TEST_STORAGE"
unset BRIDGE_TEST_STORAGE

sandbox_port="${SANDBOX_PORT:-$(azurite_free_port)}"
bridge_port="${BRIDGE_PORT:-$(azurite_free_port)}"
while [ "$bridge_port" = "$sandbox_port" ]; do bridge_port="$(azurite_free_port)"; done
demo_port="${DEMO_PORT:-$(azurite_free_port)}"
while [ "$demo_port" = "$sandbox_port" ] || [ "$demo_port" = "$bridge_port" ]; do demo_port="$(azurite_free_port)"; done
sandbox_url="http://127.0.0.1:$sandbox_port"
bridge_url="http://127.0.0.1:$bridge_port"
demo_url="http://127.0.0.1:$demo_port"

# --- credentials for this session only -------------------------------------------------------------------------------
moneykit_client_id="local-bridge"
moneykit_client_secret="$(random_hex 24)"
demo_client_id="local-demo-client"
demo_client_secret="$(random_hex 24)"
ops_client_id="local-operator"
ops_client_secret="$(random_hex 24)"
signing_key="$(random_base64 48)"
demo_user="demo-user"

# --- MoneyKit sandbox ----------------------------------------------------------------------------------------------
say "Starting the MoneyKit sandbox on $sandbox_url ..."
(
  cd "$session"
  export Sandbox__Apps__0__ClientId="$moneykit_client_id" Sandbox__Apps__0__ClientSecret="$moneykit_client_secret"
  exec dotnet "$sandbox_dll" --urls "$sandbox_url"
) >"$session/sandbox.log" 2>&1 &
sandbox_pid=$!

# --- the bridge, standalone ----------------------------------------------------------------------------------------
say "Starting the bridge on $bridge_url ..."
(
  cd "$session"
  # Standalone: no Functions host endpoint, no vault; secrets come from configuration (environment, not arguments).
  unset Functions__Worker__HostEndpoint ASPNETCORE_URLS KeyVault__Uri KeyVault__ManagedIdentityClientId
  export Storage__ConnectionString="$storage" \
    MoneyKit__BaseUrl="$sandbox_url/" \
    MoneyKit__ClientId="$moneykit_client_id" MoneyKit__ClientSecret="$moneykit_client_secret" \
    Auth__SigningKey="$signing_key" \
    Auth__Clients="[{\"client_id\":\"$demo_client_id\",\"client_secret\":\"$demo_client_secret\",\"scopes\":[\"links:read\",\"links:write\",\"links:sensitive\"]},{\"client_id\":\"$ops_client_id\",\"client_secret\":\"$ops_client_secret\",\"scopes\":[\"ops:read\"]}]" \
    Webhooks__PublicUrl="$bridge_url/api/webhooks/moneykit" \
    Standalone__RunTimer=true
  exec dotnet "$bridge_dll" --urls "$bridge_url"
) >"$session/bridge.log" 2>&1 &
bridge_pid=$!

# --- the demo app (its backend holds the demo client's secret; the page never sees it) ----------------------------------
say "Starting the demo app on $demo_url ..."
(
  cd "$session"
  unset ASPNETCORE_URLS
  export Demo__BridgeUrl="$bridge_url/" Demo__ClientId="$demo_client_id" Demo__ClientSecret="$demo_client_secret" \
    Demo__ConnectUrl="$sandbox_url/connect/{token}"
  exec dotnet "$demo_dll" --urls "$demo_url"
) >"$session/demo.log" 2>&1 &
demo_pid=$!

wait_ready() { # name pid url (answers 200 once the app serves requests)
  local i
  for i in $(seq 1 600); do
    if curl -fsS -o /dev/null --max-time 2 "$3" 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || fail "the $1 exited during start"
    sleep 0.1
  done
  fail "the $1 did not answer GET $3 within 60 s"
}
wait_ready sandbox "$sandbox_pid" "$sandbox_url/"
wait_ready bridge "$bridge_pid" "$bridge_url/api/openapi/v1.json"
wait_ready "demo app" "$demo_pid" "$demo_url/app.css"

# --- demo user, linked through the bridge's own API --------------------------------------------------------------------
call() { # method url [json-body] [bearer]  -> body on stdout, fails on non-2xx
  local args=(-sS --max-time 30 -X "$1" -w '\n%{http_code}')
  if [ -n "${4:-}" ]; then args+=(-H "Authorization: Bearer $4"); fi
  if [ -n "${3:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$3"); fi
  local out code
  out="$(curl "${args[@]}" "$2")" || fail "$1 $2: no answer"
  code="${out##*$'\n'}"
  out="${out%$'\n'*}"
  case "$code" in
    2??) printf '%s' "$out" ;;
    *) fail "$1 $2 answered $code: $out" ;;
  esac
}

say "Creating the demo user's Instant Bank link through the bridge ..."
token_json="$(printf 'grant_type=client_credentials&client_id=%s&client_secret=%s' "$demo_client_id" "$demo_client_secret" \
  | curl -sS --max-time 30 -f --data-binary @- -H 'Content-Type: application/x-www-form-urlencoded' "$bridge_url/api/auth/token")" \
  || fail "POST /api/auth/token failed"
token="$(json_get access_token <<<"$token_json")" || fail "no access_token in the token answer"

session_json="$(call POST "$bridge_url/api/link-session" "{\"customer_user\":{\"id\":\"$demo_user\"},\"institution_id\":\"instant_bank\"}" "$token")"
link_session_token="$(json_get link_session_token <<<"$session_json")" || fail "no link_session_token in: $session_json"

# Headless Connect on the sandbox (what the Connect UI does): Instant Bank asks nothing.
step_json="$(call GET "$sandbox_url/sandbox/connect/$link_session_token")"
if [ "$(json_get step <<<"$step_json")" != "complete" ]; then
  step_json="$(call POST "$sandbox_url/sandbox/connect/$link_session_token/institution" '{"institution_id":"instant_bank"}')"
fi
exchangeable_token="$(json_get exchangeable_token <<<"$step_json")" || fail "Connect did not complete: $step_json"

exchange_json="$(call POST "$bridge_url/api/link-session/exchange-token" "{\"exchangeable_token\":\"$exchangeable_token\"}" "$token")"
link_id="$(json_get link_id <<<"$exchange_json")" || fail "no link_id in the exchange answer"

transactions_json="$(call GET "$bridge_url/api/links/$link_id/transactions" "" "$token")"
transaction_count="$(json_get transactions.length <<<"$transactions_json" || echo 0)"

# --- what to do now ------------------------------------------------------------------------------------------------
cat <<EOF

Open the demo app: $demo_url/?user=$demo_user
  (link a bank by clicking; every sandbox scenario of MoneyKit's seed works there. Without ?user= each browser gets
  a fresh user.)

MoneyKit Bridge is running locally. Ctrl-C stops everything started here (data is in memory only).

  demo     $demo_url/          the demo app (its backend holds the bridge client secret)
  bridge   $bridge_url/api/...   OpenAPI: $bridge_url/api/openapi/v1.json
  ops      $bridge_url/api/ops      operator view (sign in with the operator client below)
  sandbox  $sandbox_url          MoneyKit emulator (Connect UI: $sandbox_url/connect/{link_session_token}, headless: /sandbox/connect/...)
  azurite  tables on $(sed -n 's|.*TableEndpoint=\(http://[^/]*\)/.*|\1|p' <<<"$storage") (in memory)
  logs     $session/bridge.log, $session/sandbox.log, $session/demo.log

Demo bridge client (this session only): client_id=$demo_client_id client_secret=$demo_client_secret
Operator client (ops:read only, this session only): client_id=$ops_client_id client_secret=$ops_client_secret
Demo user '$demo_user' is linked to Instant Bank: link $link_id ($transaction_count transactions after the first sync)

Get a token (valid for the expires_in seconds of its answer):

  token=\$(curl -s $bridge_url/api/auth/token -d grant_type=client_credentials -d client_id=$demo_client_id -d client_secret=$demo_client_secret | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

List the link's transactions, the user's links and transactions:

  curl -s -H "Authorization: Bearer \$token" $bridge_url/api/links/$link_id/transactions
  curl -s -H "Authorization: Bearer \$token" $bridge_url/api/users/$demo_user/links
  curl -s -H "Authorization: Bearer \$token" $bridge_url/api/users/$demo_user/transactions

Webhooks the sandbox delivered to the bridge (status 200 = verified and recorded):

  curl -s $sandbox_url/sandbox/webhooks/deliveries

More (headless Connect by hand, other test banks, Core Tools): docs/local-run.md

EOF

# Runs until Ctrl-C (or until the bridge or the sandbox stops on its own). A polling loop rather than
# `wait -n`, which macOS's bash 3.2 lacks.
while kill -0 "$bridge_pid" 2>/dev/null && kill -0 "$sandbox_pid" 2>/dev/null && kill -0 "$demo_pid" 2>/dev/null; do
  sleep 1
done
if ! kill -0 "$demo_pid" 2>/dev/null; then fail "the demo app stopped on its own"; fi
if kill -0 "$bridge_pid" 2>/dev/null; then fail "the sandbox stopped on its own"; fi
fail "the bridge stopped on its own"
