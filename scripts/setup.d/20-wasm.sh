#!/usr/bin/env bash
# The browser form's tools: wasm-bindgen-cli at the version Cargo.lock pins (and the wasm32 target,
# wasm-opt), and the browser test's npm packages: playwright-core, which drives Debian's Chromium
# (scripts/setup.sh installs it) and downloads no browser of its own, and typescript for the
# check of the package's declarations.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/build-wasm.sh --tools

printf '\033[1m== %s\033[0m\n' "npm ci in tests/browser" >&2
npm ci --prefix tests/browser --no-audit --no-fund
