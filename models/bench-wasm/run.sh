#!/usr/bin/env bash
# Measures Tiny VGG's forward pass natively and as WebAssembly (SIMD128, Node 20 WASI), in one
# run so the two figures share the same machine load. Run from the workspace root.
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/models}"
runs="${1:-300}"
# `per-mac`: Tiny VGG vs the general network of builtin::strided_example, per multiply-add.
mode="${2:-}"
rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
cargo build -q --release -p models --example forward_timing
RUSTFLAGS="-C target-feature=+simd128" \
  cargo build -q --release -p models --example forward_timing --target wasm32-wasip1
echo "native: $("$CARGO_TARGET_DIR/release/examples/forward_timing" "$runs" $mode)"
echo "wasm:   $(node --experimental-wasi-unstable-preview1 --no-warnings models/bench-wasm/runner.mjs \
  "$CARGO_TARGET_DIR/wasm32-wasip1/release/examples/forward_timing.wasm" "$runs" $mode)"
