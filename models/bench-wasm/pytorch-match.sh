#!/usr/bin/env bash
# The PyTorch fixtures, computed by the models crate built as WebAssembly (SIMD128, as the
# browser runs it) under Node's WASI: every layer's every value must match PyTorch's to 1e-4.
# Run from the workspace root; part of scripts/test.sh.
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/models}"
rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
RUSTFLAGS="-C target-feature=+simd128" \
  cargo build -q --release -p models --example pytorch_match --target wasm32-wasip1
fixtures=models/tests/fixtures/pytorch
node --experimental-wasi-unstable-preview1 --no-warnings models/bench-wasm/runner.mjs \
  --dir="$fixtures" "$CARGO_TARGET_DIR/wasm32-wasip1/release/examples/pytorch_match.wasm" \
  "$fixtures/grey" "$fixtures/colour"
