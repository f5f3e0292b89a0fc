#!/usr/bin/env bash
# Builds the browser package in wasm/pkg/: the core compiled to WebAssembly behind the
# wasm-bindgen facade, optimised with wasm-opt, its JS glue and TypeScript declarations, the
# <sunlight-self-check> element and a package.json. A portal serves the folder and embeds the
# element with one <script type="module">; wasm/demo/index.html shows how.
#
# Installs what it needs: the wasm32 target, wasm-bindgen-cli at exactly the wasm-bindgen version
# in Cargo.lock (the CLI and the library must match), and wasm-opt (Debian's binaryen).
# With --tools it only installs them (scripts/setup.d/20-wasm.sh uses that).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

target_dir="${CARGO_TARGET_DIR:-target}"
pkg=wasm/pkg

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen version the lock file pins.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || { echo "build-wasm: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none})"
  # --locked builds the CLI with the dependency versions its authors tested. When the registry
  # this machine reaches lacks one of those exact versions, fall back to a fresh resolution of
  # the same CLI version: the CLI's own version, which is what must match, is pinned either way.
  if ! cargo install --locked wasm-bindgen-cli --version "$want"; then
    say "locked install failed; installing wasm-bindgen-cli $want with freshly resolved dependencies"
    cargo install wasm-bindgen-cli --version "$want"
  fi
fi

if ! command -v wasm-opt >/dev/null 2>&1; then
  say "installing binaryen (wasm-opt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends binaryen >/dev/null
fi

[ "${1:-}" = "--tools" ] && exit 0

# Debian's wasm-opt (binaryen 108) mis-writes a module with two tables: the export of
# wasm-bindgen's externref table ends up pointing at the function table, and the page fails with
# "WebAssembly.Table.set(): Argument 1 is invalid for table". So the package is built without the
# reference-types proposal (wasm-bindgen then keeps JS objects in a JS-side heap, as it always
# did), and the target_features section, which lists the feature because the prebuilt std was
# compiled with it, is stripped before wasm-bindgen reads it.
features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
          --enable-nontrapping-float-to-int --enable-multivalue)
say "compiling sunlight-wasm (profile wasm-release)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-reference-types" \
  cargo build -p sunlight-wasm --target wasm32-unknown-unknown --profile wasm-release --locked
raw="$target_dir/wasm32-unknown-unknown/wasm-release/sunlight_wasm.wasm"
stripped="$target_dir/wasm32-unknown-unknown/wasm-release/sunlight_wasm.no-features.wasm"
wasm-opt --strip-target-features "${features[@]}" --enable-reference-types "$raw" -o "$stripped"

say "generating the JS bindings"
rm -rf "$pkg"
mkdir -p "$pkg"
wasm-bindgen --target web --out-dir "$pkg" --out-name sunlight_wasm "$stripped"

say "optimising with wasm-opt"
wasm-opt -Oz --strip-debug --strip-producers "${features[@]}" \
  -o "$pkg/sunlight_wasm_bg.opt.wasm" "$pkg/sunlight_wasm_bg.wasm"
mv "$pkg/sunlight_wasm_bg.opt.wasm" "$pkg/sunlight_wasm_bg.wasm"

say "adding the element and package.json"
cp wasm/js/sunlight-self-check.js wasm/js/sunlight-self-check.d.ts "$pkg/"
version=$(awk -F'"' '/^\[workspace.package\]/ { p = 1 } p && /^version/ { print $2; exit }' Cargo.toml)
cat > "$pkg/package.json" <<JSON
{
  "name": "@sunlight/self-check",
  "version": "$version",
  "description": "Sunlight's integrity-risk self-check form: the domain core in WebAssembly and the <sunlight-self-check> web component.",
  "license": "Apache-2.0",
  "type": "module",
  "main": "sunlight-self-check.js",
  "types": "sunlight-self-check.d.ts",
  "exports": {
    ".": { "types": "./sunlight-self-check.d.ts", "default": "./sunlight-self-check.js" },
    "./core": { "types": "./sunlight_wasm.d.ts", "default": "./sunlight_wasm.js" },
    "./sunlight_wasm_bg.wasm": "./sunlight_wasm_bg.wasm"
  },
  "files": [
    "sunlight-self-check.js", "sunlight-self-check.d.ts",
    "sunlight_wasm.js", "sunlight_wasm.d.ts", "sunlight_wasm_bg.wasm", "sunlight_wasm_bg.wasm.d.ts"
  ],
  "sideEffects": ["./sunlight-self-check.js"]
}
JSON

size() { wc -c < "$1" | tr -d ' '; }
gz() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
wasm_raw=$(size "$pkg/sunlight_wasm_bg.wasm"); wasm_gz=$(gz "$pkg/sunlight_wasm_bg.wasm")
js_raw=$(( $(size "$pkg/sunlight_wasm.js") + $(size "$pkg/sunlight-self-check.js") ))
js_gz=$(( $(gz "$pkg/sunlight_wasm.js") + $(gz "$pkg/sunlight-self-check.js") ))
say "wasm/pkg ready: wasm ${wasm_raw} B (${wasm_gz} B gzipped), js ${js_raw} B (${js_gz} B gzipped), total gzipped $(( (wasm_gz + js_gz + 1023) / 1024 )) KiB"
