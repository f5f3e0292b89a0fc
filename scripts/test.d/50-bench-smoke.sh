#!/usr/bin/env bash
# The benchmark against DuckDB (queries/benches/compare.sh) at about 10 k risk points, with the
# debug build the test command already made, so that it keeps working: every step runs, and both
# engines give the same answer to every query of the suite (--check). No figure is checked.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash queries/benches/compare.sh --debug --check --units 4 --years 2012..2014 \
  --runs 1 --ingest-runs 1 --report-runs 1 --out "$work/run" --results "$work/results.md" >/dev/null
for row in 'ingest NDJSON' 'ingest CPU time' '`view_yoy_changes`' '`report_catalog`' '`sunlight report' 'notebook kernel start' 'form: validate'; do
  grep -qF "| $row" "$work/results.md" || { echo "bench smoke: no '$row' row in the table" >&2; exit 1; }
done
echo "bench smoke: the comparison with DuckDB ran and both engines agree"
