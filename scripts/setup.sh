#!/usr/bin/env bash
# Installs everything Sunlight's build, demo and tests need on a fresh Debian machine with Rust
# stable. Idempotent: each step checks before it installs. Parts add their own steps as
# scripts/setup.d/NN-name.sh, run in order.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# Debian packages, installed once, together (apt is slow to start).
need_pkgs=()
while read -r pkg probe; do
  [ -z "$pkg" ] && continue
  if ! eval "$probe" >/dev/null 2>&1; then need_pkgs+=("$pkg"); fi
done <<'PKGS'
binaryen command -v wasm-opt
chromium command -v chromium
chromium-driver command -v chromedriver
fonts-noto-cjk test -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
python3-venv python3 -c 'import ensurepip'
PKGS
if [ ${#need_pkgs[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  say "setup: $(basename "$step")"
  bash "$step"
done
