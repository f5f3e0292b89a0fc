#!/usr/bin/env bash
# Measures demo generation, ingest and every domain view with a release build.
# usage: queries/benches/measure.sh UNITS DIR   (about 2,500 risk points per unit over 2012-2014;
#        400 units ~ 1 M risk points, 4000 ~ 10 M). Build first:
#        cargo build --release -p sunlight-queries --bin sunlight
set -u
B=${SUNLIGHT:-$(dirname "$0")/../../target/release/sunlight}
U=$1; D=$2
if [ -e "$D" ]; then echo "$D exists; give a new folder" >&2; exit 2; fi
mkdir -p "$D"
t() { /usr/bin/time -f "%e s wall, %M KiB peak RSS" "$@"; }
echo "== demo-data --units $U"
t $B demo-data --out "$D/data" --units "$U" --years 2012..2014 --seed 1
du -sh "$D/data/submissions"
echo "== ingest"
t $B ingest "$D/data/submissions" --store "$D/store" --quiet
du -sh "$D/store"
echo "== re-ingest (all duplicates)"
t $B ingest "$D/data/submissions" --store "$D/store" --quiet
echo "== session open (SELECT 1)"
t $B sql --store "$D/store" --format csv "SELECT 1" >/dev/null
for v in risk_catalog level_counts type_counts defence_coverage yoy_changes late_tables; do
  echo "== $v"
  t $B sql --store "$D/store" --format csv "SELECT COUNT(*) AS n FROM (SELECT * FROM $v)" | tail -1
  t $B sql --store "$D/store" --format csv --output "$D/$v.csv" "SELECT * FROM $v"
done
