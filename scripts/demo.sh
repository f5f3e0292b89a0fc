#!/usr/bin/env bash
# The main job on the built-in demo data: the README's first command. Set-up included.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

bash scripts/setup.sh
out=${SUNLIGHT_DEMO_DIR:-target/demo}
mkdir -p "$out"

say "finalising the demo tables of three presets into canonical submissions ($out)"
cargo build -q -p sunlight-core --example finalize
for t in tests/fixtures/good-tables/*.json; do
  at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["submitted_at"])' "$t")
  name=$(basename "$t" .json)
  cargo run -q -p sunlight-core --example finalize -- "$t" "$at" > "$out/$name.submission.json"
  echo "$name: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$out/$name.submission.json")"
done
