#!/usr/bin/env bash
# Runs the whole test suite N times back to back while a CPU hog keeps one of the machine's cores busy, to flush
# out tests that pass only when the machine is idle.
#   ./scripts/stress-tests.sh N [dotnet test arguments...]     e.g. ./scripts/stress-tests.sh 10
# Builds once (as scripts/test.sh does), then per run: a fresh Azurite, every .NET test project (dotnet test
# --no-build, TRX results kept under artifacts/stress/) and the infrastructure checks (tools/bicep-check), i.e.
# the tests of ./scripts/test.sh. Prints each run's counts and wall time, then every test that failed at least
# once with its failures/N, and a summary line. Exits non-zero if anything failed in any run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${1:-}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N [dotnet test arguments...]   (N >= 1 runs of the whole suite under a CPU hog)" >&2
  exit 2
fi
shift

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

hog_pid=""
cleanup() {
  if [ -n "$hog_pid" ]; then
    kill "$hog_pid" 2>/dev/null || true
    wait "$hog_pid" 2>/dev/null || true
    hog_pid=""
  fi
  azurite_stop 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x node_modules/.bin/azurite-table ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; exit 1; }
fi
npm --prefix tools/bicep-check ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci for tools/bicep-check failed"; exit 1; }
dotnet restore Functions.sln --verbosity quiet || { echo "dotnet restore failed"; exit 1; }
dotnet build Functions.sln --no-restore --configuration Release --verbosity quiet -nologo || { echo "build failed"; exit 1; }

# shellcheck source=scripts/azurite.sh
source scripts/azurite.sh stop # defines azurite_start/azurite_stop; nothing is running yet

# TRX and TAP reading (node is there: Azurite needs it). "counts DIR" prints "passed failed total" of the TRX files
# in DIR; "report OUT N" prints the per-test failure table of all runs under OUT and the summary line.
trx_tool='
const fs = require("fs"), path = require("path");
const decode = s => s.replace(/&(#x[0-9a-f]+|#[0-9]+|quot|amp|lt|gt|apos);/gi, (_, e) =>
  e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  : ({ quot: "\"", amp: "&", lt: "<", gt: ">", apos: "\u0027" })[e.toLowerCase()]);
function results(dir) {
  const list = [];
  if (!fs.existsSync(dir)) return list;
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".trx"))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    for (const m of text.matchAll(/<UnitTestResult\b((?:\s+[\w:.-]+="[^"]*")*)\s*\/?>/g)) {
      const attrs = {};
      for (const a of m[1].matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      list.push({ name: attrs.testName, outcome: attrs.outcome });
    }
  }
  return list;
}
const failedOutcome = o => o !== "Passed" && o !== "NotExecuted";
const [mode, target, n] = process.argv.slice(1);
if (mode === "counts") {
  const r = results(target);
  console.log(`${r.filter(x => x.outcome === "Passed").length} ${r.filter(x => failedOutcome(x.outcome)).length} ${r.length}`);
  process.exit(0);
}
const runs = Number(n), failures = new Map(), walls = [], totals = [];
let executions = 0, failedCount = 0;
const fail = name => { failures.set(name, (failures.get(name) || 0) + 1); failedCount++; };
for (let run = 1; run <= runs; run++) {
  const dir = path.join(target, `run-${run}`);
  if (fs.existsSync(path.join(dir, "run-error.txt"))) { fail("[run] could not start Azurite"); continue; }
  const [dotnet, infra, wall] = fs.readFileSync(path.join(dir, "status"), "utf8").trim().split(" ").map(Number);
  walls.push(wall);
  const r = results(path.join(dir, "trx"));
  totals.push(r.length);
  executions += r.length;
  const failedHere = r.filter(x => failedOutcome(x.outcome));
  failedHere.forEach(x => fail(x.name));
  if (dotnet !== 0 && failedHere.length === 0) fail("[run] dotnet test failed without a failed test (host crash or missing results)");
  const tap = fs.readFileSync(path.join(dir, "infra.tap"), "utf8");
  executions += (tap.match(/^(not )?ok \d+ /gm) || []).length;
  for (const m of tap.matchAll(/^not ok \d+ - (.*)$/gm)) fail(`infrastructure: ${m[1]}`);
  if (infra !== 0 && !/^not ok /m.test(tap)) fail("[run] infrastructure checks failed without a failing test");
}
const most = Math.max(0, ...totals);
totals.forEach((t, i) => { if (t < most) fail(`[run] run ${i + 1} reported ${t} of ${most} .NET test results`); });
const rows = [...failures.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
console.log(rows.length === 0 ? "Per-test failures: none" : "Per-test failures (failures/runs, test):");
for (const [name, count] of rows) console.log(`  ${count}/${runs}  ${name}`);
const fmt = s => `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
const wallText = walls.length ? `wall per run min ${fmt(Math.min(...walls))}, avg ${fmt(Math.round(walls.reduce((a, b) => a + b, 0) / walls.length))}, max ${fmt(Math.max(...walls))}` : "no run finished";
console.log(`stress: ${runs} run(s) under a CPU hog, ${executions} test results, ${failedCount} failure(s), ${rows.length} test(s) failed at least once; ${wallText}`);
process.exit(failedCount === 0 ? 0 : 1);
'

# The hog: one busy process, pinned to the first core when taskset is there (else the scheduler places it).
hog_cpu="$(($(nproc) - 1))"
if command -v taskset >/dev/null; then
  taskset -c "$hog_cpu" bash -c 'while :; do :; done' &
else
  bash -c 'while :; do :; done' &
fi
hog_pid=$!
echo "CPU hog running (pid $hog_pid) on 1 of $(nproc) cores; $runs run(s) of the whole suite"

out="$root/artifacts/stress/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
failed_runs=0
for run in $(seq 1 "$runs"); do
  dir="$out/run-$run"
  mkdir -p "$dir/trx"
  started=$SECONDS
  if ! azurite_start 2>"$dir/azurite.log"; then
    echo "run $run/$runs: could not start Azurite" | tee "$dir/run-error.txt"
    failed_runs=$((failed_runs + 1))
    continue
  fi
  dotnet test Functions.sln --no-build --configuration Release \
    --logger "trx" --results-directory "$dir/trx" "$@" >"$dir/dotnet-test.log" 2>&1
  dotnet_status=$?
  azurite_stop
  npm --prefix tools/bicep-check test >"$dir/infra.tap" 2>&1
  infra_status=$?
  wall=$((SECONDS - started))
  echo "$dotnet_status $infra_status $wall" >"$dir/status"
  # Per-run counts from the TRX files (the run line below) and from the infrastructure checks' TAP output.
  read -r passed failed total < <(node -e "$trx_tool" counts "$dir/trx")
  infra_failed="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$dir/infra.tap" | tail -1)"
  infra_passed="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$dir/infra.tap" | tail -1)"
  infra_failed="${infra_failed:-0}" infra_passed="${infra_passed:-0}"
  if [ "$infra_status" -ne 0 ] && [ "$infra_failed" -eq 0 ]; then infra_failed=1; fi
  note=""
  if [ "$dotnet_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    note=" (dotnet test exited $dotnet_status without a failed test: a test host crashed or a project produced no result; see $dir/dotnet-test.log)"
    failed=1
  fi
  if [ "$total" -eq 0 ]; then
    note=" (no .NET test ran)"
    failed=1
  fi
  if [ $((failed + infra_failed)) -gt 0 ]; then failed_runs=$((failed_runs + 1)); fi
  printf 'run %d/%d: %d passed, %d failed (.NET %d/%d, infrastructure %d/%d) in %dm%02ds%s\n' \
    "$run" "$runs" $((passed + infra_passed)) $((failed + infra_failed)) "$passed" "$total" \
    "$infra_passed" $((infra_passed + infra_failed)) $((wall / 60)) $((wall % 60)) "$note"
done

echo
node -e "$trx_tool" report "$out" "$runs"
report_status=$?
echo "results: $out"
[ "$failed_runs" -eq 0 ] && [ "$report_status" -eq 0 ]
