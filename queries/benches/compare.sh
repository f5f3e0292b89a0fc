#!/usr/bin/env bash
# Sunlight against DuckDB on the same data, in one run, and the rest of Sunlight's figures; prints
# one markdown table and writes it to a file. Not part of CI's default path (its smoke run is:
# scripts/test.d/50-bench-smoke.sh).
#
#   bash queries/benches/compare.sh --units 400            # ~1 M risk points (2012..2014)
#   bash queries/benches/compare.sh --units 4000 --runs 3  # ~10 M risk points, ~9 GB of NDJSON
#
# Options: --units N (per scheme; ~2,400 risk points each over three years) --years A..B
#   --seed S --data DIR (reuse what `sunlight demo-data --out DIR` wrote with these options
#   instead of generating it again) --store DIR (query a store a run kept with --keep instead of
#   ingesting again: no ingest figures) --runs R (query rounds) --ingest-runs R --report-runs R
#   --year Y (the year evaluated) --out DIR (scratch; default target/bench-compare-N, removed at the end unless --keep)
#   --results FILE (default queries/benches/results/DATE-SIZE.md) --debug (debug build, no
#   release build: the smoke run) --check (also compare every query's answers between the two
#   engines, fail when they differ) --no-build (use the binaries already built) --bin-dir DIR
#   (where `sunlight` and examples/query-suite are; default: the build's, in $CARGO_TARGET_DIR
#   or target/) --no-kernel --no-browser --keep; --runs 0 skips the query rounds (ingest and
#   report only)
#
# What runs, in this order, each timed with its peak memory (/usr/bin/time):
#  1. `sunlight demo-data`;
#  2. ingest of the NDJSON: `sunlight ingest` (parse, validate, grade, hash check, Arrow, Parquet)
#     and DuckDB (read_json, COPY … TO … (FORMAT parquet); no validation), alternating; then the
#     demo's supervision event batches into Sunlight's store (timed on their own);
#  3. the suite in compare/suite.sql (every view in full, then the report's queries) on the
#     store's Parquet files: queries/examples/query-suite.rs in one Sunlight session and
#     compare/duckdb_suite.py in one DuckDB connection, one process per engine and round,
#     alternating which goes first; the views for DuckDB are compare/duckdb-views.sql;
#  4. `sunlight report` against a process running only its queries, alternating;
#  5. the notebook kernel's start and a SELECT 1 round trip (tests/notebook/measure.py);
#  6. the form's validate + grade of a 200-row table in headless Chromium (tests/browser/bench.mjs,
#     if the wasm package is built or can be).
# Both engines use every core: DataFusion's target_partitions and DuckDB's threads are recorded.
# The load average is sampled around each step: on a shared machine the figures are noisy.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/queries/benches
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

units=400 years=2012..2014 seed=1 runs=5 ingest_runs=3 report_runs=3 year=2013
out="" data="" reuse_store="" results="" bin_dir="" debug=0 check=0 build=1 kernel=1 browser=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --units) units=$2; shift 2 ;;
    --years) years=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ingest-runs) ingest_runs=$2; shift 2 ;;
    --report-runs) report_runs=$2; shift 2 ;;
    --year) year=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --data) data=$(cd "$2" && pwd); shift 2 ;;
    --store) reuse_store=$(cd "$2" && pwd); shift 2 ;;
    --results) results=$2; shift 2 ;;
    --debug) debug=1; shift ;;
    --check) check=1; shift ;;
    --no-build) build=0; shift ;;
    --bin-dir) bin_dir=$(cd "$2" && pwd); shift 2 ;;
    --no-kernel) kernel=0; shift ;;
    --no-browser) browser=0; shift ;;
    --keep) keep=1; shift ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || out=$root/target/bench-compare-$units
if [ -e "$out" ]; then echo "compare: $out exists; remove it or give --out" >&2; exit 2; fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
cleanup() { [ "$keep" = 1 ] || rm -rf "$out"; }
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "installing Debian's time (peak memory)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get install -y -qq time >/dev/null
fi
if [ "$debug" = 1 ]; then
  # The Rust tests' own build (scripts/lib.sh): after scripts/test.sh has run them, nothing to do.
  if [ "$build" = 1 ]; then
    say "building (debug: the test command's build)"
    source scripts/lib.sh
    build_native
  fi
  [ -n "$bin_dir" ] || bin_dir=${CARGO_TARGET_DIR:-$root/target}/debug
else
  # The example brings the dev-dependencies' features: one build of DataFusion for both.
  if [ "$build" = 1 ]; then
    say "building (release)"
    cargo build --release -p sunlight-queries --bin sunlight --example query-suite --locked --quiet
  fi
  [ -n "$bin_dir" ] || bin_dir=${CARGO_TARGET_DIR:-$root/target}/release
fi
bin=$bin_dir/sunlight suite_bin=$bin_dir/examples/query-suite
venv=$root/target/venv-bench
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  'duckdb==2.0.0' 'pyarrow==26.0.1' 'jupyter_client==8.10.0'
py=$venv/bin/python

events=$out/events.ndjson
: >"$events"
load() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME KEY=VALUE... -- CMD...: runs CMD with its output in $out/NAME.out, and appends its
# wall time, peak memory, exit status and the load average before and after to the events.
timed() {
  local name=$1; shift
  local extra=""
  while [ "$1" != "--" ]; do extra="$extra,\"${1%%=*}\":\"${1#*=}\""; shift; done
  shift
  local l0 l1 status
  l0=$(load)
  set +e
  /usr/bin/time -f '%e %M %U %S' -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
  status=$?
  set -e
  l1=$(load)
  local secs kib user sys
  read -r secs kib user sys < <(tail -1 "$out/$name.time")
  # CPU time (user + system, every thread): how many cores each engine kept busy, and whether
  # an engine that took longer did more work or waited.
  printf '{"event":"process","name":"%s","seconds":%s,"peak_rss_kib":%s,"cpu_seconds":%s,"status":%s,"load_before":%s,"load_after":%s%s}\n' \
    "$name" "$secs" "$kib" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" \
    "$status" "$l0" "$l1" "$extra" >>"$events"
  # Processes that print JSON lines (the suites) add them to the events as they are.
  grep -h '^{"engine"' "$out/$name.out" >>"$events" 2>/dev/null || true
  return $status
}

# --- 1. data --------------------------------------------------------------------------------------
if [ -z "$data" ]; then
  say "demo data: $units units per scheme, $years"
  data=$out/data
  timed demo-data -- "$bin" demo-data --out "$data" --units "$units" --years "$years" --seed "$seed"
  cat "$out/demo-data.out" >&2
fi
mapfile -t files < <(find "$data/submissions" -name '*.ndjson' | sort)
ndjson_bytes=$(du -cb "${files[@]}" | tail -1 | cut -f1)
printf '{"event":"data","units":%s,"years":"%s","seed":%s,"ndjson_bytes":%s,"files":%s}\n' \
  "$units" "$years" "$seed" "$ndjson_bytes" "${#files[@]}" >>"$events"

# --- 2. ingest ------------------------------------------------------------------------------------
store=$out/store
if [ -n "$reuse_store" ]; then ingest_runs=0; store=$reuse_store; fi
for i in $(seq 1 "$ingest_runs"); do
  s_store=$out/store-$i d_out=$out/duckdb-$i
  sunlight() { timed "ingest-sunlight-$i" engine=sunlight step=ingest -- \
    "$bin" ingest "$data/submissions" --store "$s_store" --quiet; }
  duck() { timed "ingest-duckdb-$i" engine=duckdb step=ingest -- \
    "$py" "$here/compare/duckdb_suite.py" ingest --out "$d_out" "${files[@]}"; }
  # Each engine starts with the input in the page cache (read once, untimed), so that the one
  # that goes first does not pay the disk for the other; and with the files the other wrote on
  # disk (`sync`, untimed): Sunlight syncs its store before it commits, DuckDB leaves its Parquet
  # to the kernel, whose writing it back slowed the Sunlight ingest that followed (10 M risk
  # points, session 18: 131, 123 and 111 s after DuckDB against 112, 119 and 90 s before it).
  warm() { sync; cat "${files[@]}" >/dev/null; }
  say "ingest round $i of $ingest_runs"
  if [ $((i % 2)) = 1 ]; then warm; sunlight; warm; duck; else warm; duck; warm; sunlight; fi
  cat "$out/ingest-sunlight-$i.out" >&2
  if [ "$i" = 1 ]; then
    mv "$s_store" "$store"
    du -sb "$store" | awk '{printf "{\"event\":\"store\",\"bytes\":%s}\n", $1}' >>"$events"
    du -sb "$d_out" | awk '{printf "{\"event\":\"duckdb_parquet\",\"bytes\":%s}\n", $1}' >>"$events"
    # The supervision event batches go into the kept store too (Sunlight only: DuckDB's suite has
    # no supervision views), so that the report and its bare queries read what the demo has.
    if [ -d "$data/events" ]; then
      timed ingest-events-1 engine=sunlight step=ingest_events -- \
        "$bin" ingest "$data/events" --store "$store" --quiet
    fi
  else
    rm -rf "$s_store"
  fi
  rm -rf "$d_out"
done
# Both stored every line: Sunlight's risk_points_all counts every version, as DuckDB's file does.
stored=$("$bin" sql --store "$store" --format csv "SELECT COUNT(*) AS n FROM risk_points_all" | tail -1)
printf '{"event":"stored","risk_points":%s}\n' "$stored" >>"$events"
stored_events=$("$bin" sql --store "$store" --format csv "SELECT (SELECT COUNT(*) FROM archive_events_all)
  + (SELECT COUNT(*) FROM review_events_all) + (SELECT COUNT(*) FROM office_records_all) AS n" | tail -1)
printf '{"event":"stored_events","events":%s}\n' "$stored_events" >>"$events"

# table_deadline(scheme, year) for DuckDB, from the core (see compare/duckdb-views.sql).
"$bin" sql --store "$store" --format csv --output "$out/deadlines.csv" \
  "SELECT scheme, year, table_deadline(scheme, year) AS deadline FROM (
     SELECT DISTINCT scheme, year FROM submissions_all UNION SELECT DISTINCT scheme, year + 1 FROM submissions_all)"

# --- 3. the query suite ---------------------------------------------------------------------------
suite=$here/compare/suite.sql
s_suite() { timed "queries-sunlight-$1" engine=sunlight step=queries -- \
  "$suite_bin" --store "$store" --suite "$suite" --year "$year" "${@:2}"; }
d_suite() { timed "queries-duckdb-$1" engine=duckdb step=queries -- \
  "$py" "$here/compare/duckdb_suite.py" queries --store "$store" --suite "$suite" \
  --views "$here/compare/duckdb-views.sql" --deadlines "$out/deadlines.csv" --year "$year" "${@:2}"; }
if [ "$check" = 1 ]; then
  say "checking that both engines give the same answers"
  s_suite check --results "$out/answers-sunlight"
  d_suite check --results "$out/answers-duckdb"
  bad=0
  for f in "$out"/answers-sunlight/*.tsv; do
    n=$(basename "$f")
    if ! cmp -s <(LC_ALL=C sort "$f") <(LC_ALL=C sort "$out/answers-duckdb/$n"); then
      echo "compare: ${n%.tsv}: Sunlight and DuckDB answers differ:" >&2
      diff <(LC_ALL=C sort "$f") <(LC_ALL=C sort "$out/answers-duckdb/$n") | head -5 >&2 || true
      bad=1
    fi
  done
  [ "$bad" = 0 ] || exit 1
  echo "compare: $(ls "$out"/answers-sunlight | wc -l) queries give the same answers in both engines" >&2
fi
for r in $(seq 1 "$runs"); do
  say "query round $r of $runs"
  if [ $((r % 2)) = 1 ]; then s_suite "$r"; d_suite "$r"; else d_suite "$r"; s_suite "$r"; fi
done

# --- 4. the report against its bare queries --------------------------------------------------------
for r in $(seq 1 "$report_runs"); do
  say "report round $r of $report_runs"
  # Each process starts with no dirty pages: a report writes 2.4 GB at 10 M risk points, and
  # the kernel flushing it to disk in the next process's time slowed that process (the bare
  # queries after a report took 23–28 s against 21 s on their own). Synced untimed, as the
  # ingest's input is.
  rep() { local s=0; timed "report-$r" engine=sunlight step=report -- \
    "$bin" report --store "$store" --year "$year" --out "$out/report-$r" || s=$?; sync; return $s; }
  bare() { local s=0; timed "bare-$r" engine=sunlight step=bare -- \
    "$suite_bin" --store "$store" --report --year "$year" || s=$?; sync; return $s; }
  if [ $((r % 2)) = 1 ]; then rep; bare; else bare; rep; fi
done
# Removed after all rounds, not between them: ext4 creates files more slowly just after many were
# deleted (`recently_deleted` in its inode allocator, seen with perf), which slowed the next
# round's report by a second or more at 1 M risk points.
for r in $(seq 1 "$report_runs"); do rm -rf "$out/report-$r"; done

# --- 5. the notebook kernel ------------------------------------------------------------------------
if [ "$kernel" = 1 ]; then
  say "notebook kernel: start and SELECT 1"
  export JUPYTER_DATA_DIR="$out/jupyter-data" JUPYTER_CONFIG_DIR="$out/jupyter-config"
  export JUPYTER_RUNTIME_DIR="$out/jupyter-runtime" JUPYTER_PLATFORM_DIRS=1
  PATH="$venv/bin:$PATH" "$bin" kernel install --sys-prefix >/dev/null
  kruns=7; [ "$debug" = 1 ] && kruns=2
  export SUNLIGHT_STORE=$store
  timed kernel step=kernel -- "$py" tests/notebook/measure.py "$kruns" || true
  cat "$out/kernel.out" >&2
fi

# --- 6. the form in headless Chromium --------------------------------------------------------------
if [ "$browser" = 1 ]; then
  if [ ! -f wasm/pkg/sunlight_wasm_bg.wasm ]; then
    say "building the wasm package for the form bench"
    bash scripts/build-wasm.sh >&2 || true
  fi
  if [ -f wasm/pkg/sunlight_wasm_bg.wasm ] && [ -d tests/browser/node_modules ]; then
    say "form: validate + grade of 200 rows in headless Chromium"
    bruns=50; [ "$debug" = 1 ] && bruns=5
    timed browser step=browser -- node tests/browser/bench.mjs --runs "$bruns" --rows 200 || true
    cat "$out/browser.out" >&2
  else
    echo "compare: no wasm package or browser test dependencies; form bench skipped" >&2
  fi
fi

# --- the table -----------------------------------------------------------------------------------
if [ -z "$results" ]; then
  label=$(awk -v n="$stored" 'BEGIN { if (n >= 9e5) printf "%.0fM", n / 1e6; else printf "%.0fk", n / 1e3 }')
  if [ "$debug" = 1 ]; then results=$out/results.md
  else results=$here/results/$(date -u +%Y-%m-%d)-$label.md; fi
fi
mkdir -p "$(dirname "$results")"
command="bash queries/benches/compare.sh --units $units --years $years --seed $seed --runs $runs --ingest-runs $ingest_runs --report-runs $report_runs --year $year"
build_kind=release
if [ "$debug" = 1 ]; then command="$command --debug"; build_kind=debug; fi
"$py" "$here/compare/summarize.py" --events "$events" --out "$out" --command "$command" \
  --build "$build_kind" >"$results"
cat "$results"
echo "compare: written to $results" >&2
