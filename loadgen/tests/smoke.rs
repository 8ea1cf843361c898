//! The CI smoke run: 50 students for 2 seconds against the real server binary over loopback;
//! every student must join, stay connected, see steps in order and end on the last step.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Upper bound for the whole smoke run (server start, joins, 2 s of focus changes, drain).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// The `cnn-classroom` binary to test: `LOADGEN_SERVER_BIN`, else the one in this test's own
/// profile directory (`<target>/<profile>/deps/<test>` → `<target>/<profile>/cnn-classroom`).
/// `cargo test --workspace` builds it before any test runs (the server's crash-recovery test
/// needs it). This test cannot build it itself: cargo holds the build directory's lock while
/// tests run, so a nested `cargo build` into it would wait forever.
fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LOADGEN_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = exe
        .ancestors()
        .nth(2)
        .expect("the test runs from <target>/<profile>/deps");
    let path = profile_dir.join("cnn-classroom");
    assert!(
        path.is_file(),
        "{} does not exist: run `cargo build -p server` first (with the same target directory), \
         run the whole workspace's tests, or set LOADGEN_SERVER_BIN",
        path.display()
    );
    path
}

#[test]
fn fifty_students_for_two_seconds_lose_nothing() {
    let server = server_binary();
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["--students", "50", "--seconds", "2", "--json", "--server-bin"])
        .arg(&server)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the loadgen binary starts");
    let started = Instant::now();
    while child.try_wait().expect("waiting on loadgen works").is_none() {
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            panic!("the smoke run took longer than {RUN_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("loadgen's output can be read");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "loadgen failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    let json = stdout
        .lines()
        .find_map(|line| line.strip_prefix("json "))
        .unwrap_or_else(|| panic!("no json line in loadgen's output:\n{stdout}"));
    let report: serde_json::Value = serde_json::from_str(json).expect("the json line parses");
    let count = |field: &str| {
        report[field]
            .as_u64()
            .unwrap_or_else(|| panic!("no {field} in {report}"))
    };
    assert_eq!(count("joined"), 50, "{stdout}");
    assert_eq!(count("failed_to_join"), 0, "{stdout}");
    assert_eq!(count("dropped"), 0, "{stdout}");
    assert_eq!(count("lost"), 0, "{stdout}");
    assert_eq!(count("went_backwards"), 0, "{stdout}");
    assert_eq!(count("steps_sent"), 40, "20 changes per second for 2 s: {stdout}");
    assert!(
        report["instructor_error"].is_null() && report["server_exit"].is_null(),
        "{stdout}"
    );
    let deliveries = report["latency"]["samples"].as_u64().unwrap_or(0);
    assert!(
        deliveries >= 50,
        "every student received at least the last step: {stdout}"
    );
}

#[test]
fn fifty_students_answer_a_quick_check_and_no_answer_is_lost() {
    let server = server_binary();
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args([
            "--answers",
            "--students",
            "50",
            "--answer-window-seconds",
            "0.5",
            "--server-bin",
        ])
        .arg(&server)
        .output()
        .expect("the loadgen binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "loadgen failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("reveal: 50 answers, 25 right") && stdout.contains("no answer lost"),
        "{stdout}"
    );
}
