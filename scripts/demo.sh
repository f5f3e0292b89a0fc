#!/usr/bin/env bash
# The main job on the built-in demo data: the README's first command. Set-up included.
# Generates demo submissions for all four preset schemes, ingests them (the bad examples are
# rejected and reported), runs a query, writes the annual evaluation report, and then serves the
# demo portal (the form for each preset, posting into the same store) until ctrl-C.
# SUNLIGHT_DEMO_NO_SERVE=1 stops before serving; SUNLIGHT_DEMO_ADDR changes the address.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

bash scripts/setup.sh
out=${SUNLIGHT_DEMO_DIR:-target/demo}
year=${SUNLIGHT_DEMO_YEAR:-2013}
rm -rf "$out/data" "$out/store" "$out/report" "$out/report-public"
mkdir -p "$out"

say "building the sunlight command"
cargo build -q -p sunlight-queries --bin sunlight
sunlight=target/debug/sunlight

say "generating demo submissions (4 preset schemes, 2012-2014)"
"$sunlight" demo-data --out "$out/data" --units 2 --years 2012..2014

say "ingesting them into $out/store (the files in $out/data/bad are meant to be rejected)"
"$sunlight" ingest "$out/data/submissions" "$out/data/events" "$out/data/bad" --store "$out/store" || [ $? -eq 1 ]

say "risk points by level and unit, $year"
"$sunlight" sql --store "$out/store" "SELECT unit_name, level_name, SUM(risk_points) AS risk_points FROM level_counts WHERE year = $year GROUP BY unit_name, level_name, rank ORDER BY unit_name, rank"

say "writing the $year annual evaluation report"
"$sunlight" report --store "$out/store" --year "$year" --out "$out/report"
"$sunlight" report --store "$out/store" --year "$year" --out "$out/report-public" --public

say "open $out/report/index.html (and $out/report-public/index.html, the edition for 公示)"

# Last, the portal: the form on a page per preset, submitting into the same store. Scripts that
# only want the files set SUNLIGHT_DEMO_NO_SERVE=1.
if [ "${SUNLIGHT_DEMO_NO_SERVE:-0}" = 1 ]; then
  exit 0
fi
say "building the form's package (WebAssembly and the web component)"
bash scripts/build-wasm.sh
addr=${SUNLIGHT_DEMO_ADDR:-127.0.0.1:8080}
say "serving the demo portal on http://$addr/ (ctrl-C stops it; every acknowledged submission is kept)"
exec "$sunlight" serve --store "$out/store" --addr "$addr" --report "$out/report" --package wasm/pkg
