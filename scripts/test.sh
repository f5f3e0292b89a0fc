#!/usr/bin/env bash
# The whole test suite, set-up included: the README's second command and what CI runs.
# Build once (one cargo profile for everything), then test every part. Parts add their own
# stages as scripts/test.d/NN-name.sh, run in order after the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

bash scripts/setup.sh

say "formatting"
cargo fmt --all -- --check

say "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "API docs (our crates; broken links and other warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

say "the core builds for wasm32-unknown-unknown on its own"
cargo build -p sunlight-core --target wasm32-unknown-unknown --locked

say "Rust tests (unit, integration, doc)"
cargo test --workspace --exclude sunlight-wasm --locked

for stage in scripts/test.d/*.sh; do
  [ -e "$stage" ] || continue
  say "test: $(basename "$stage")"
  bash "$stage"
done
say "all tests passed"
