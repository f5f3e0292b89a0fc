#!/usr/bin/env bash
# `sunlight serve` under load from a real load tool: wrk (Debian's), driven by
# tests/serve/load.lua, many connections POSTing valid submissions (a quarter of them
# resubmissions). Two runs, each bounded by SUNLIGHT_LOAD_REQUESTS answers (default 2,000) and
# SUNLIGHT_LOAD_SECONDS (default 10):
#   1. plain load, then SIGTERM: every acknowledged submission is in the store exactly once;
#   2. the server is killed with SIGKILL in the middle of the load and restarted; every
#      submission acknowledged before the kill is in the store exactly once, and the same load
#      again on the restarted server is answered 200 for those and 201 for the rest.
# wrk prints throughput and the latency distribution (p50/p90/p99). SUNLIGHT_BIN runs another
# build of the server (e.g. target/release/sunlight) for measurements. Then the browser test
# (tests/browser/serve.test.mjs): the served portal page, filled and submitted in Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

# The server and the load generator (tests/examples/load-submissions.rs), built by the Rust
# tests' own command (scripts/lib.sh).
if [ -z "${SUNLIGHT_BIN:-}" ]; then
  source scripts/lib.sh
  build_native
else
  cargo build -p sunlight-tests --example load-submissions --locked --quiet
fi
bin=${SUNLIGHT_BIN:-${CARGO_TARGET_DIR:-target}/debug/sunlight}
gen=${CARGO_TARGET_DIR:-target}/debug/examples/load-submissions

requests=${SUNLIGHT_LOAD_REQUESTS:-2000}
seconds=${SUNLIGHT_LOAD_SECONDS:-10}
threads=${SUNLIGHT_LOAD_THREADS:-2}
connections=${SUNLIGHT_LOAD_CONNECTIONS:-32}
per_thread=$(( (requests + threads - 1) / threads ))

work=$(mktemp -d)
server_pid=""
wrk_pid=""
cleanup() {
  [ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Three quarters of the answers can be new submissions; each thread then starts again from its
# first line, and those are resubmissions.
"$gen" $(( requests * 3 / 4 )) > "$work/bodies.ndjson"

# start_server STORE NAME: starts the server on a free port; sets server_pid and url.
start_server() {
  "$bin" serve --store "$1" --addr 127.0.0.1:0 --fold-ms 200 --package "$work/no-package" \
    > "$work/$2.out" 2> "$work/$2.err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 1200); do
    url=$(sed -n 's/^sunlight serve: listening on //p' "$work/$2.out")
    [ -n "$url" ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$work/$2.err" >&2
      echo "serve: the server did not start" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "serve: the server did not print its address" >&2
  return 1
}

# stop_server NAME: SIGTERM, and the server must exit 0 after folding everything.
stop_server() {
  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  if [ "$status" -ne 0 ]; then
    cat "$work/$1.err" >&2
    echo "serve: the server exited $status after SIGTERM" >&2
    return 1
  fi
  if [ -n "$(ls -A "$store/journal" 2>/dev/null)" ]; then
    echo "serve: journal files left after a clean stop: $(ls "$store/journal")" >&2
    return 1
  fi
}

# run_wrk ACKED_PREFIX
run_wrk() {
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency \
    -s tests/serve/load.lua "$url" -- "$work/bodies.ndjson" "$1" "$per_thread" "$threads"
}

# only_2xx WRK_OUTPUT: every answer was 200 or 201.
only_2xx() {
  local line
  line=$(grep '^load: statuses' "$1")
  echo "$line" | grep -q '201' || { echo "serve: no submission was stored: $line" >&2; return 1; }
  if echo "$line" | sed 's/^load: statuses //' | tr ',' '\n' | grep -qv '^ *20[01]: '; then
    echo "serve: answers other than 200/201 under load: $line" >&2
    return 1
  fi
}

# check_store LABEL ACKED_PREFIX...: every acknowledged hash is in the store exactly once.
check_store() {
  local label=$1; shift
  "$bin" sql --store "$store" --format csv \
    "SELECT hash, COUNT(*) AS n FROM submissions_all GROUP BY hash" | tail -n +2 > "$work/in-store.csv"
  local files=()
  for p in "$@"; do files+=("$p".*); done
  if grep -qv '^20[01] sha256:[0-9a-f]\{64\}$' "${files[@]}"; then
    echo "serve: an acknowledgement without a hash" >&2
    return 1
  fi
  cat "${files[@]}" | cut -d' ' -f2 | sort -u > "$work/acked.txt"
  cut -d, -f1 "$work/in-store.csv" | sort -u > "$work/stored.txt"
  local acked stored missing twice
  acked=$(wc -l < "$work/acked.txt")
  stored=$(wc -l < "$work/stored.txt")
  missing=$(comm -23 "$work/acked.txt" "$work/stored.txt" | wc -l)
  twice=$(awk -F, '$2 != 1' "$work/in-store.csv" | wc -l)
  say "$label: $acked distinct submissions acknowledged, $stored in the store, $missing of them missing, $twice stored more than once"
  [ "$acked" -gt 0 ] && [ "$missing" -eq 0 ] && [ "$twice" -eq 0 ]
}

say "load 1: $connections connections, at most $requests answers or ${seconds}s, then SIGTERM"
store=$work/store-1
start_server "$store" one
run_wrk "$work/acked-1" | tee "$work/wrk-1.txt"
only_2xx "$work/wrk-1.txt"
stop_server one
check_store "load 1" "$work/acked-1"

say "load 2: SIGKILL in the middle of the load, then restart"
store=$work/store-2
start_server "$store" two
run_wrk "$work/acked-2" > "$work/wrk-2.txt" &
wrk_pid=$!
# Kill once a quarter of the answers are in (or the load is over, on a very fast machine).
target=$(( requests / 4 ))
for _ in $(seq 1 2400); do
  n=$( (cat "$work"/acked-2.* 2>/dev/null || true) | wc -l)
  [ "$n" -ge "$target" ] && break
  kill -0 "$wrk_pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" || true
wrk_pid=""
cat "$work/wrk-2.txt"
say "killed after $(cat "$work"/acked-2.* | wc -l) acknowledgements; $(ls "$store/journal" | wc -l) journal file(s) left"
start_server "$store" two-again
# The restarted server folded the journal before listening; readers need no lock.
check_store "after SIGKILL and restart" "$work/acked-2"
run_wrk "$work/acked-3" | tee "$work/wrk-3.txt"
only_2xx "$work/wrk-3.txt"
# Everything acknowledged before the kill is answered 200 now, never 201.
cut -d' ' -f2 "$work"/acked-2.* | sort -u > "$work/before.txt"
grep '^201 ' "$work"/acked-3.* | cut -d' ' -f2 | sort -u > "$work/new-after.txt" || true
again=$(comm -12 "$work/before.txt" "$work/new-after.txt" | wc -l)
[ "$again" -eq 0 ] || { echo "serve: $again submissions stored before the kill were stored again" >&2; exit 1; }
stop_server two-again
check_store "load 2, all of it" "$work/acked-2" "$work/acked-3"
echo "serve: load, SIGKILL and restart passed"

say "browser: the portal page in headless Chromium submits into the server; SQL finds the row"
[ -f wasm/pkg/sunlight_wasm_bg.wasm ] || bash scripts/build-wasm.sh
[ -d tests/browser/node_modules/playwright-core ] || bash scripts/setup.d/20-wasm.sh
SUNLIGHT_BIN="$(realpath "$bin")" node --test tests/browser/serve.test.mjs
