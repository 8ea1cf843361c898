//! Command-line options of the load generator.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Starts the real `cnn-classroom` server, connects one instructor and N students over loopback
/// WebSockets, moves the focus at a fixed rate and reports delivery latency, server CPU and
/// server memory per connection.
///
/// The load generator runs on the same machine as the server and takes CPU from it; read the
/// figures with that in mind.
#[derive(Debug, Clone, Parser)]
#[command(name = "loadgen", version)]
pub struct Cli {
    /// Number of students to connect.
    #[arg(long, default_value_t = 1000)]
    pub students: u32,

    /// Run once for each of these student counts (comma separated), a fresh server each time,
    /// and report the largest count that meets the target. Overrides `--students`.
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub sweep: Vec<u32>,

    /// Focus changes the instructor sends per second.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,

    /// How long the instructor keeps moving the focus, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,

    /// The `cnn-classroom` binary to start. Default: next to this executable, then
    /// `target/release/cnn-classroom` under the current directory.
    #[arg(long, env = "LOADGEN_SERVER_BIN")]
    pub server_bin: Option<PathBuf>,

    /// Extra argument passed to the server (repeatable), e.g. `--server-arg=--log-level=debug`.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    pub server_args: Vec<String>,

    /// Open-file limit (soft) for this process and the server it starts; needs to exceed the
    /// student count. Raised up to the hard limit; a larger value is an error.
    #[arg(long, default_value_t = 65_536)]
    pub nofile: u64,

    /// Student handshakes in flight at once while connecting.
    #[arg(long, default_value_t = 256)]
    pub connect_parallelism: usize,

    /// Give up connecting students after this many seconds (students still connecting count as
    /// failed to connect).
    #[arg(long, default_value_t = 120.0)]
    pub connect_timeout: f64,

    /// After the instructor's last change, wait at most this many seconds for every student to
    /// receive it; a connected student that has not by then counts as lost.
    #[arg(long, default_value_t = 5.0)]
    pub drain_seconds: f64,

    /// Threads the students run on, each a single-threaded runtime with its share of the
    /// students (default: one per core). Fewer threads leave more CPU to the server but may add
    /// client-side delay to the latency.
    #[arg(long)]
    pub client_threads: Option<usize>,

    /// Target: highest acceptable 99th-percentile delivery latency, in milliseconds.
    #[arg(long, default_value_t = 100.0)]
    pub target_p99_ms: f64,

    /// Target: highest acceptable server memory per connection, in KiB.
    #[arg(long, default_value_t = 20.0)]
    pub target_kib_per_connection: f64,

    /// Exit with status 1 when a run misses the target (useful in CI).
    #[arg(long)]
    pub fail_on_miss: bool,

    /// Also print each run's figures as one `json {...}` line, for scripts and tests.
    #[arg(long)]
    pub json: bool,

    /// Instead of the focus run: the restart storm. `--students` connect, the server is killed
    /// and restarted on the same data directory, and the time until every student is back on
    /// the newest state is reported (with the restarted server's peak memory and CPU).
    #[arg(long)]
    pub restart_storm: bool,

    /// Instead of the focus run: a quick check. `--students` join, the instructor asks a
    /// question, every student answers once within `--answer-window-seconds`; reports the time
    /// until the instructor's tally counts every answer, tallies per second, answer
    /// confirmation times, server CPU and memory per student, and lost answers.
    #[arg(long)]
    pub answers: bool,

    /// The quick check's answer window: students answer at moments spread over this many seconds.
    #[arg(long, default_value_t = 2.0)]
    pub answer_window_seconds: f64,
}

impl Cli {
    /// The student counts to run, in order.
    pub fn student_counts(&self) -> Vec<u32> {
        if self.sweep.is_empty() {
            vec![self.students]
        } else {
            self.sweep.clone()
        }
    }

    /// Number of student threads.
    pub fn student_threads(&self) -> usize {
        self.client_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }

    /// Number of focus changes the instructor sends in one run.
    pub fn total_steps(&self) -> u32 {
        (self.rate * self.seconds).round().max(1.0) as u32
    }

    /// Time between two focus changes.
    pub fn send_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate)
    }

    /// Checks values clap cannot check alone; the error says what to change.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.rate.is_finite() && self.rate > 0.0 && self.rate <= 1000.0,
            "--rate must be between 0 and 1000 changes per second"
        );
        anyhow::ensure!(
            self.seconds.is_finite() && self.seconds > 0.0 && self.seconds <= 3600.0,
            "--seconds must be between 0 and 3600"
        );
        anyhow::ensure!(
            self.student_counts().iter().all(|&n| n > 0),
            "student counts must be at least 1"
        );
        anyhow::ensure!(
            self.connect_parallelism > 0 && self.client_threads != Some(0),
            "--connect-parallelism and --client-threads must be at least 1"
        );
        anyhow::ensure!(
            self.connect_timeout > 0.0 && self.drain_seconds >= 0.0,
            "--connect-timeout must be positive and --drain-seconds not negative"
        );
        Ok(())
    }
}
