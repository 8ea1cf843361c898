//! One measured run: start a fresh server, create the room, join every student, move the focus,
//! drain, and collect the figures into a [`RunReport`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::{Semaphore, watch};

use crate::cli::Cli;
use crate::instructor::Instructor;
use crate::proc_stats::{self, CpuMeter};
use crate::report::{LatencySummary, RunReport, seconds};
use crate::send_log::SendLog;
use crate::server_process::ServerProcess;
use crate::student::{Crowd, Progress, StudentContext, StudentEnd, StudentOutcome};

/// Pause before reading the server's memory, so work triggered by the last join has settled.
const SETTLE: Duration = Duration::from_millis(1000);

/// How often the run checks its counters while waiting.
const POLL: Duration = Duration::from_millis(20);

/// Runs the whole scenario for `students` students against a fresh server from `server_bin`.
pub async fn run_once(cli: &Cli, server_bin: &Path, students: u32) -> anyhow::Result<RunReport> {
    let ticks_per_second = proc_stats::clock_ticks_per_second();
    let mut server = ServerProcess::start(server_bin, &cli.server_args)?;
    let pid = server.pid();
    let total_steps = cli.total_steps();
    let send_log = Arc::new(SendLog::new(total_steps));
    let (stop_tx, stop_rx) = watch::channel(false);

    let mut instructor = Instructor::create_room(
        server.addr(),
        send_log.clone(),
        total_steps,
        cli.send_interval(),
        stop_rx.clone(),
    )
    .await
    .with_context(|| {
        format!(
            "could not create a room; server output:\n{}",
            server.log_tail(2000)
        )
    })?;
    tokio::time::sleep(SETTLE).await;
    let server_rss_before_kib = proc_stats::resident_kib(pid)?;

    // Join phase: every student is one task; a semaphore bounds the handshakes in flight.
    let progress = Arc::new(Progress::default());
    let connect_started = Instant::now();
    let join_deadline = tokio::time::Instant::now() + Duration::from_secs_f64(cli.connect_timeout);
    let context = Arc::new(StudentContext {
        addr: server.addr(),
        room_code: instructor.room_code.clone(),
        send_log: send_log.clone(),
        final_step: total_steps,
        join_permits: Arc::new(Semaphore::new(cli.connect_parallelism)),
        join_deadline,
        progress: progress.clone(),
    });
    let crowd = Crowd::start(students, cli.student_threads(), &context)?;
    wait_until(join_deadline + Duration::from_secs(1), || {
        progress.joined.load(Ordering::Relaxed) + progress.failed_to_join.load(Ordering::Relaxed) >= students
    })
    .await;
    let connect_seconds = seconds(connect_started.elapsed());
    tokio::time::sleep(SETTLE).await;
    let server_rss_connected_kib = proc_stats::resident_kib(pid)?;

    // Focus phase: CPU is measured from the first to the last send.
    let server_cpu = CpuMeter::start(pid)?;
    let loadgen_cpu = CpuMeter::start(std::process::id())?;
    let machine_cpu = CpuMeter::machine()?;
    let sent = instructor.start_sending().await;
    let server_cpu_percent = server_cpu
        .percent_of_one_core(ticks_per_second)
        .unwrap_or(f64::NAN);
    let loadgen_cpu_percent = loadgen_cpu.percent_of_one_core(ticks_per_second)?;
    let machine_cpu_percent = machine_cpu.percent_of_one_core(ticks_per_second)?;
    let server_rss_end_kib = proc_stats::resident_kib(pid).unwrap_or(0);

    // Drain: wait for every connected student to reach the last step, then stop everyone.
    let drain_deadline = tokio::time::Instant::now() + Duration::from_secs_f64(cli.drain_seconds);
    let joined = progress.joined.load(Ordering::Relaxed);
    wait_until(drain_deadline, || {
        progress.reached_final.load(Ordering::Relaxed) + progress.dropped.load(Ordering::Relaxed) >= joined
    })
    .await;
    let _ = stop_tx.send(true);
    let outcomes = crowd.stop().await?;
    let finished = instructor.finish();
    let instructor_error = sent
        .as_ref()
        .err()
        .or(finished.as_ref().err())
        .map(|error| format!("{error:#}"));
    let server_exit = server
        .exit_status()
        .map(|status| format!("{status}; last output:\n{}", server.log_tail(2000)));

    let (steps_sent, achieved_rate) = match &sent {
        Ok(summary) if summary.sent > 1 => (
            summary.sent,
            f64::from(summary.sent - 1) / summary.elapsed.as_secs_f64().max(1e-9),
        ),
        Ok(summary) => (summary.sent, f64::NAN),
        Err(_) => (0, f64::NAN),
    };
    Ok(summarise(
        &outcomes,
        total_steps,
        RunReport {
            students,
            connect_seconds,
            steps_sent,
            achieved_rate,
            server_cpu_percent,
            loadgen_cpu_percent,
            other_cpu_percent: (machine_cpu_percent - server_cpu_percent - loadgen_cpu_percent).max(0.0),
            server_rss_before_kib,
            server_rss_connected_kib,
            server_rss_end_kib,
            server_kib_per_connection: server_rss_connected_kib.saturating_sub(server_rss_before_kib) as f64
                / f64::from(joined.max(1)),
            instructor_error,
            server_exit,
            ..RunReport::default()
        },
    ))
}

/// Fills in the per-student figures of `report` from what the students observed.
fn summarise(outcomes: &[StudentOutcome], final_step: u32, mut report: RunReport) -> RunReport {
    let mut delivered = 0u64;
    for outcome in outcomes {
        report.went_backwards += u64::from(outcome.went_backwards);
        match &outcome.end {
            StudentEnd::NeverJoined(why) => {
                report.failed_to_join += 1;
                report.first_join_failure.get_or_insert_with(|| why.clone());
                continue;
            }
            StudentEnd::Dropped(why) => {
                report.dropped += 1;
                report.first_drop.get_or_insert_with(|| why.clone());
            }
            StudentEnd::Stopped if outcome.last_step != final_step => report.lost += 1,
            StudentEnd::Stopped => {}
        }
        report.joined += 1;
        delivered += outcome.latencies_us.len() as u64;
    }
    report.latency = LatencySummary::from_micros(outcomes.iter().map(|o| o.latencies_us.as_slice()));
    report.view_latency =
        LatencySummary::from_micros(outcomes.iter().map(|o| o.view_latencies_us.as_slice()));
    report.delivered_share =
        delivered as f64 / (f64::from(report.joined.max(1)) * f64::from(final_step.max(1)));
    report
}

/// Polls `done` until it holds or `deadline` passes.
async fn wait_until(deadline: tokio::time::Instant, mut done: impl FnMut() -> bool) {
    while !done() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
    }
}
