#!/usr/bin/env bash
# Idempotent setup of a fresh Debian machine (run as root) for cnn-classroom, in two levels:
#
#   scripts/setup.sh --for run    what building the client and running the server needs: zopfli
#                                 (apt), the wasm32 Rust target, and wasm-opt (npm package
#                                 binaryen, pinned in package.json). scripts/run.sh calls this.
#   scripts/setup.sh --for test   all of the above, plus what the tests need: Chromium +
#                                 chromedriver, the Fashion-MNIST dataset and python3 (a generic
#                                 static file server for the static-hosting test). The default;
#                                 scripts/test.sh calls this.
#
# Every step is skipped when what it installs is already there at the right version, so CI can
# run this on every run. Only package registries are contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: scripts/setup.sh [--for run|test]   (default: test, which includes run)" >&2
    exit 2
}

purpose=test
while (($#)); do
    case $1 in
        --for)
            (($# >= 2)) || usage
            purpose=$2
            shift 2
            ;;
        --for=*)
            purpose=${1#--for=}
            shift
            ;;
        -h | --help) usage ;;
        *)
            echo "setup: unknown argument '$1'" >&2
            usage
            ;;
    esac
done

log() { printf '== setup (%s): %s\n' "$purpose" "$*"; }

# --- Debian packages -----------------------------------------------------------------------
run_apt_packages=(zopfli)
test_apt_packages=(chromium chromium-driver dataset-fashion-mnist python3)
case $purpose in
    run) apt_packages=("${run_apt_packages[@]}") ;;
    test) apt_packages=("${run_apt_packages[@]}" "${test_apt_packages[@]}") ;;
    *)
        echo "setup: --for takes 'run' or 'test', not '$purpose'" >&2
        usage
        ;;
esac
missing=()
for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    if [[ $EUID -ne 0 ]]; then
        echo "setup: missing Debian packages: ${missing[*]}." >&2
        echo "setup: install them with 'sudo apt-get update && sudo apt-get install -y ${missing[*]}'" \
            "(or run this script as root), then run it again." >&2
        exit 1
    fi
    log "installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
    log "Debian packages present (${apt_packages[*]})"
fi

# --- Rust wasm targets ---------------------------------------------------------------------
# wasm32-unknown-unknown: the client. wasm32-wasip1 (tests only): the models crate as
# WebAssembly under Node's WASI, checked against PyTorch (models/bench-wasm/pytorch-match.sh).
wasm_targets=(wasm32-unknown-unknown)
[[ $purpose == test ]] && wasm_targets+=(wasm32-wasip1)
for target in "${wasm_targets[@]}"; do
    if rustup target list --installed | grep -qx "$target"; then
        log "rust target $target present"
    else
        log "adding rust target $target"
        rustup target add "$target"
    fi
done

# (wasm-bindgen is not installed: scripts/build-client.sh runs the workspace's client-bindgen,
# built from source at the version Cargo.lock pins.)

# --- wasm-opt from npm (Debian's binaryen cannot read current rustc output) -----------------
wanted_binaryen=$(node -p 'require("./package.json").devDependencies.binaryen')
installed_binaryen=$(node -p 'require("./node_modules/binaryen/package.json").version' 2>/dev/null || true)
if [[ "$installed_binaryen" == "$wanted_binaryen" ]] && [[ -x node_modules/.bin/wasm-opt ]]; then
    log "binaryen $wanted_binaryen (wasm-opt) present"
else
    log "installing binaryen $wanted_binaryen with npm ci"
    npm ci --no-audit --no-fund
fi

log "done"
