#!/usr/bin/env bash
# Installs what running needs (idempotent: `setup.sh --for run`, no browser, no dataset), builds
# the web client, and runs the classroom server with the built-in model on http://127.0.0.1:8080
# (extra arguments go to `cnn-classroom`, e.g. --bind).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --for run
bash scripts/build-client.sh
exec cargo run --release -p server --bin cnn-classroom -- "$@"
