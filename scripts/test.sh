#!/usr/bin/env bash
# Runs every test on a fresh or prepared machine: setup (idempotent), the client bundle,
# formatting, lints (host and wasm32, run by clippy as the compiler of the real builds), and every test of every workspace crate (unit, server
# sockets, training, headless-Chromium end-to-end, the client's native reducer tests, doctests).
#
# Every check runs even when an earlier one failed, so one run shows everything that is wrong;
# the last line is the summary (and the exit status is non-zero if anything failed):
#
#   test.sh: PASSED: 612 tests passed, 0 failed, 2 skipped (ignored); fmt, clippy host, clippy wasm32 clean; 4 min 51 s
#
# The whole cargo test output is kept in target/test-output.log.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

elapsed() { printf '%d min %02d s' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)); }
# Prints the summary line and exits; $1 is what came before the tests.
finish() {
    local verdict=PASSED status=0
    if ((${#failed_steps[@]} || test_failed || test_status)); then
        verdict=FAILED
        status=1
    fi
    echo "test.sh: $verdict: $1; $(elapsed)"
    exit "$status"
}

failed_steps=()
clean_steps=()
test_failed=0
test_status=0
# Runs one check, remembering its name under failed or clean.
check() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then clean_steps+=("$name"); else failed_steps+=("$name"); fi
}

# Without the tools or the bundle no test can run: stop at once, still with one summary line.
if ! bash scripts/setup.sh --for test; then
    failed_steps+=(setup)
    finish "setup failed, no test ran"
fi

# Clippy lints our crates while they are really built: it runs as their compiler through cargo's
# RUSTC_WORKSPACE_WRAPPER (the mechanism `cargo clippy` itself uses with `cargo check`), so every
# dependency is compiled once per target instead of once to be checked and once more to be built
# (on a fresh machine that second pass cost 6 min on the host and 3 min for wasm32). The lints
# are reported as warnings during the builds; any warning or error there fails the lint check,
# as `cargo clippy -- -D warnings` would. Cargo replays a crate's warnings when it is not rebuilt.
mkdir -p target
clippy_driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver) || {
    failed_steps+=(setup)
    finish "clippy-driver is missing (rustup component add clippy), no test ran"
}
export RUSTC_WORKSPACE_WRAPPER=$clippy_driver
# Prints the rustc/clippy diagnostics of a cargo log (none: the code is lint-clean).
diagnostics() { grep -E '^(warning|error)(\[[A-Za-z0-9_]+\])?: ' "$1" | grep -v '^warning: .* generated [0-9]* warnings\?' ; }
# Fails when the cargo log $1 holds a diagnostic, showing them.
lint_clean() {
    if diagnostics "$1" >/dev/null; then
        echo "lints in $1:"
        diagnostics "$1" | sort | uniq -c
        return 1
    fi
}

client_log=target/build-client.log
if ! bash scripts/build-client.sh 2>&1 | tee "$client_log"; then
    failed_steps+=(build-client)
    finish "the client bundle did not build, no test ran"
fi

check fmt cargo fmt --all -- --check
check "clippy wasm32" lint_clean "$client_log"
echo "== build (host, every target, clippy as the compiler of our crates)"
build_log=target/test-build.log
# client-bindgen (build-client.sh's wasm-bindgen) is built on its own, with its own features, as
# build-client.sh builds it (a no-op after a fresh bundle build, and linted here even when the
# bundle came from its cache); the test build leaves it out, or every crate it shares with the
# workspace (syn, serde, …) and its large wasm parsers would be compiled a second time.
{
    cargo build -p client-bindgen
    # `--test all` adds the browser tests, which plain `cargo test` leaves out (see below).
    cargo test --timings --workspace --exclude client-bindgen --all-targets --test all --no-run
} 2>&1 | tee "$build_log"
check "clippy host" lint_clean "$build_log"

echo "== tests"
# Chromium leaves org.chromium.* folders in the temp dir: keep them inside target/.
mkdir -p target/tmp
export TMPDIR="$PWD/target/tmp"
log=target/test-output.log
browser_log=target/test-output-browser.log
# The browser tests (one binary, e2e's `all`: four minutes, much of it Chromium waiting for
# frames, timers and sockets) run beside every other test binary (a minute and a half, most of
# it the training and accuracy tests) rather than after them: cargo runs test binaries one after
# another, so the binary is started directly, from the e2e crate's directory as cargo would.
browser_tests=$(cargo test --workspace --exclude client-bindgen --test all --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") \
            and m["target"]["src_path"].endswith("/tests/tests/all/main.rs"):
        print(m["executable"])')
if [[ -x $browser_tests ]]; then
    # The line cargo would print, which the summary below counts.
    echo "     Running tests/all/main.rs (${browser_tests#"$PWD/"})" >"$browser_log"
    (cd tests && "$browser_tests") >>"$browser_log" 2>&1 &
    browser_pid=$!
else
    echo "     Running tests/all/main.rs (target/debug/deps/all: the browser tests were not built)" >"$browser_log"
    browser_pid=
fi
# --workspace includes the client (its reducer tests run natively) although it is not a default
# member; one run covers every crate.
cargo test --workspace --exclude client-bindgen --no-fail-fast 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}
if [[ -n $browser_pid ]]; then
    wait "$browser_pid" || test_status=1
else
    test_status=1
fi
echo "== browser tests (e2e, run beside the others; also in $browser_log)"
cat "$browser_log"
cat "$browser_log" >>"$log"
# The models crate as WebAssembly (as the browser runs it) against PyTorch's own outputs.
check "pytorch match in wasm" bash models/bench-wasm/pytorch-match.sh

# libtest ends each binary with "test result: ok. 12 passed; 0 failed; 1 ignored; ...". A binary
# that crashed or did not build has no such line: count it as failed too.
read -r passed failed ignored results started_binaries < <(awk '
    /^test result: / {
        results++
        for (i = 1; i <= NF; i++) {
            if ($(i + 1) ~ /^passed;?$/) passed += $i
            if ($(i + 1) ~ /^failed;?$/) failed += $i
            if ($(i + 1) ~ /^ignored;?$/) ignored += $i
        }
    }
    /^ +Running .*\(.*target.*\)$/ || /^ +Doc-tests [A-Za-z0-9_-]+$/ { started++ }
    END { print passed + 0, failed + 0, ignored + 0, results + 0, started + 0 }' "$log")
missing=$((started_binaries - results))
((failed || missing)) && test_failed=1

summary="$passed tests passed, $failed failed, $ignored skipped (ignored)"
((missing > 0)) && summary+=", $missing test binaries crashed or did not build"
((test_status && !failed && !missing)) && summary+=", cargo test exited with status $test_status"
((${#clean_steps[@]})) && summary+="; $(IFS=,; echo "${clean_steps[*]}" | sed 's/,/, /g') clean"
((${#failed_steps[@]})) && summary+="; $(IFS=,; echo "${failed_steps[*]}" | sed 's/,/, /g') FAILED"
finish "$summary"
