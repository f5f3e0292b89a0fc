#!/usr/bin/env bash
# The browser form: build the wasm package, lint the facade for wasm32, run the facade's
# wasm-bindgen tests under Node, then the end-to-end test in headless Chromium, whose submissions
# are checked by the native core (the verify-submission example).
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

bash scripts/setup.d/20-wasm.sh

bash scripts/build-wasm.sh

say "type check: the package's .d.ts against a portal's use of it"
node tests/browser/node_modules/typescript/bin/tsc -p tests/browser/tsconfig.json

say "clippy: the facade and its tests for wasm32 (warnings are errors)"
cargo clippy -p sunlight-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

say "facade tests (wasm-bindgen-test under Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p sunlight-wasm --target wasm32-unknown-unknown --locked

say "browser end-to-end test (headless Chromium)"
cargo build -p sunlight-tests --example verify-submission --locked
node --test tests/browser/e2e.test.mjs
echo "screenshots: ${CARGO_TARGET_DIR:-target}/e2e/" >&2
