#!/usr/bin/env bash
# The `sunlight` command line end to end, as an analyst uses it: demo data, ingest (good and bad
# folders, with the exit status each must give), and a query in every output format.
# The Rust tests (cargo test) already cover the store, views and functions in depth.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
build_native
bin=target/debug/sunlight
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for cmd in "" demo-data ingest sql report kernel; do
  $bin $cmd --help >/dev/null
done

$bin demo-data --out "$work/demo" --units 1 --years 2012..2013 --seed 5 >/dev/null
$bin ingest "$work/demo/submissions" --store "$work/store" --quiet
# The bad folder: every file rejected (exit status 1) except the good lines of mixed.ndjson.
set +e
$bin ingest "$work/demo/bad" --store "$work/store" --quiet --rejections "$work/rejections.ndjson"
status=$?
set -e
[ "$status" -eq 1 ] || { echo "ingest of the bad folder exited $status, expected 1" >&2; exit 1; }
expected=$(grep -v '^#' "$work/demo/bad/expected.tsv" | cut -f2 | tr ',' '\n' | wc -l)
got=$(wc -l < "$work/rejections.ndjson")
[ "$expected" -eq "$got" ] || { echo "expected $expected rejections, got $got" >&2; exit 1; }

q="SELECT scheme, SUM(risk_points) AS n FROM level_counts GROUP BY scheme ORDER BY scheme"
# Each output is read whole before it is searched: `grep -q` and `head` stop reading at the first
# match, and the command then fails writing the rest (broken pipe) under pipefail, depending on
# timing.
out=$($bin sql --store "$work/store" "$q")
grep -q university-2010 <<<"$out"
out=$($bin sql --store "$work/store" --format csv "$q")
[ "$(head -1 <<<"$out")" = 'scheme,n' ]
out=$($bin sql --store "$work/store" --format json "$q")
grep -q '"scheme":"town-2012"' <<<"$out"
$bin sql --store "$work/store" --format parquet --output "$work/out.parquet" "$q"
[ -s "$work/out.parquet" ]
# The prompt reads queries from standard input when none is given.
out=$(printf 'SELECT COUNT(*) AS n FROM late_tables;\n' | $bin sql --store "$work/store" --format csv)
grep -qx 'n' <<<"$out"
echo "queries: command line end to end passed"
