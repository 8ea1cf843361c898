//! Load generator for the classroom server: starts the real `cnn-classroom` binary, connects one
//! instructor and N students over loopback WebSockets, moves the focus at a fixed rate and
//! reports delivery latency, server CPU, server memory per connection and lost updates.
//!
//! Map of the crate:
//! - [`cli`]: command-line options.
//! - [`run`]: one measured run, phase by phase.
//! - [`server_process`]: the server child process on a free port with a temporary data dir.
//! - [`instructor`] / [`student`]: the simulated members; [`connection`] opens their sockets,
//!   [`frames`] is the students' lean WebSocket framing.
//! - [`wire`]: the few protocol messages the load generator sends and reads.
//! - [`send_log`]: send time of every step, for latency.
//! - [`proc_stats`]: CPU time and resident memory from `/proc`.
//! - [`limits`]: raising the open-file limit.
//! - [`report`]: figures, the target check and the printed summary.
//! - [`storm`]: the restart-storm scenario (`--restart-storm`).
//! - [`answers`]: the quick-check scenario (`--answers`).
#![forbid(unsafe_code)]

mod answers;
mod cli;
mod connection;
mod frames;
mod instructor;
mod limits;
mod proc_stats;
mod report;
mod run;
mod send_log;
mod server_process;
mod storm;
mod student;
mod wire;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use crate::cli::Cli;
use crate::report::{RunReport, Target};

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    cli.validate()?;
    let open_file_limit = limits::raise_open_file_limit(cli.nofile)?;
    for &students in &cli.student_counts() {
        limits::ensure_fits(students, open_file_limit)?;
    }
    let server_bin = server_process::locate_server_binary(cli.server_bin.as_deref())?;
    if cli.answers {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.student_threads())
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        runtime.block_on(answers::run(
            &server_bin,
            &cli.server_args,
            cli.students,
            cli.connect_parallelism,
            std::time::Duration::from_secs_f64(cli.answer_window_seconds.clamp(0.0, 600.0)),
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    if cli.restart_storm {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.student_threads())
            .enable_all()
            .build()
            .context("could not start the async runtime")?;
        runtime.block_on(storm::run(
            &server_bin,
            &cli.server_args,
            cli.students,
            cli.connect_parallelism,
        ))?;
        return Ok(ExitCode::SUCCESS);
    }

    // Only runs the phases and polls counters; the students and the instructor have threads
    // of their own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;

    let target = Target {
        p99_ms: cli.target_p99_ms,
        kib_per_connection: cli.target_kib_per_connection,
    };
    println!(
        "loadgen: server {}, {} focus changes at {}/s, open-file limit {open_file_limit}",
        server_bin.display(),
        cli.total_steps(),
        cli.rate
    );
    println!(
        "note: the load generator runs on the same {} cores as the server and takes CPU from it",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut reports: Vec<RunReport> = Vec::new();
    for students in cli.student_counts() {
        println!("\n== {students} students");
        let report = runtime
            .block_on(run::run_once(&cli, &server_bin, students))
            .with_context(|| format!("the run with {students} students failed"))?;
        print!("{report}");
        let misses = report.misses(target);
        println!(
            "verdict           {}",
            if misses.is_empty() {
                "meets the target".to_string()
            } else {
                format!("misses: {}", misses.join("; "))
            }
        );
        if cli.json {
            println!(
                "json {}",
                serde_json::to_string(&report).context("could not encode the report")?
            );
        }
        std::io::stdout().flush().ok();
        reports.push(report);
    }
    if reports.len() > 1 {
        println!("\n== sweep\n{}", report::sweep_summary(&reports, target));
    } else {
        println!("{}", report::ANCHORS);
    }
    let all_met = reports.iter().all(|r| r.misses(target).is_empty());
    Ok(if cli.fail_on_miss && !all_met {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
