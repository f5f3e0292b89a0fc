# Sourced by the test stages. Cargo unifies features per command: `cargo build -p sunlight-queries`
# after `cargo test --workspace` compiles DataFusion a second time with other features (dev
# dependencies turn on serde_json's float_roundtrip, ahash's std, ...). So every stage builds its
# native programs with the very command the Rust tests used: after scripts/test.sh has run the
# tests this is a no-op, and the programs are the ones the tests ran.
build_native() {
  cargo test --workspace --exclude sunlight-wasm --locked --no-run --quiet
}
