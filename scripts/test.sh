#!/usr/bin/env bash
# Runs every test on a fresh or prepared machine: setup (idempotent), the client bundle,
# formatting, lints (host and wasm32), the host test suites (unit, server sockets, training,
# headless-Chromium end-to-end), and the client's native reducer tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --for test
bash scripts/build-client.sh

echo "== format"
cargo fmt --all -- --check

echo "== lints"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p client --target wasm32-unknown-unknown -- -D warnings

echo "== tests"
# Chromium leaves org.chromium.* folders in the temp dir: keep them inside target/.
mkdir -p target/tmp
export TMPDIR="$PWD/target/tmp"
cargo test --workspace --no-fail-fast
cargo test -p client
