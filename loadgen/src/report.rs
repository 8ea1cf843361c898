//! The figures of one run, whether they meet the classroom target, and how they are printed.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Largest latency the histogram keeps exactly (60 s, in microseconds); larger ones are clamped.
const MAX_TRACKED_LATENCY_US: u64 = 60_000_000;

/// Published anchors for the same workload at 5,000 clients, printed beside our figures.
pub const ANCHORS: &str = "anchors at 5,000 clients: minimal Node `ws` broadcast server p99 113 ms, 107 MB; \
naive tokio-tungstenite server p99 144 ms, 677 MB";

/// What the server must achieve for a student count to count as supported.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Target {
    /// Highest acceptable p99 delivery latency.
    pub p99_ms: f64,
    /// Highest acceptable server memory per connection.
    pub kib_per_connection: f64,
}

/// Delivery-latency percentiles over every step every student received.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatencySummary {
    /// Number of (student, step) deliveries measured.
    pub samples: u64,
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Slowest delivery, in milliseconds.
    pub max_ms: f64,
}

impl LatencySummary {
    /// Summarises latencies given in microseconds; `None` when there are none.
    pub fn from_micros<'a>(all: impl IntoIterator<Item = &'a [u32]>) -> Option<Self> {
        // Bounds are constants that satisfy hdrhistogram's rules (low ≥ 1, high ≥ 2·low, 3 digits).
        let mut histogram = Histogram::<u64>::new_with_bounds(1, MAX_TRACKED_LATENCY_US, 3)
            .expect("constant histogram bounds are valid");
        for latencies in all {
            for &us in latencies {
                histogram.saturating_record(u64::from(us).clamp(1, MAX_TRACKED_LATENCY_US));
            }
        }
        let ms = |us: u64| us as f64 / 1000.0;
        (!histogram.is_empty()).then(|| Self {
            samples: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        })
    }
}

/// Everything measured in one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    /// Students the run tried to connect.
    pub students: u32,
    /// Students that joined and received the snapshot.
    pub joined: u32,
    /// Students that could not connect or join.
    pub failed_to_join: u32,
    /// Joined students whose connection ended before the run stopped.
    pub dropped: u32,
    /// Students still connected at the end that did not end on the instructor's last step.
    pub lost: u32,
    /// Updates seen that were older than one already seen (must be 0).
    pub went_backwards: u64,
    /// Time to connect and join every student.
    pub connect_seconds: f64,
    /// Focus changes the instructor sent.
    pub steps_sent: u32,
    /// Rate the instructor achieved, changes per second.
    pub achieved_rate: f64,
    /// Share of sent steps the average connected student received (the rest were coalesced by
    /// "latest state wins", which is allowed).
    pub delivered_share: f64,
    /// Delivery latency, if anything was delivered.
    pub latency: Option<LatencySummary>,
    /// Time until a student showed each sent step or a newer one (fair across servers that
    /// coalesce differently).
    pub view_latency: Option<LatencySummary>,
    /// Server CPU while the focus moved, percent of one core.
    pub server_cpu_percent: f64,
    /// The load generator's own CPU over the same time, percent of one core.
    pub loadgen_cpu_percent: f64,
    /// CPU every other process on the machine used over the same time, percent of one core
    /// (high values mean the run competed with other work and its latency says little).
    pub other_cpu_percent: f64,
    /// Server resident memory with the room created and no students, KiB.
    pub server_rss_before_kib: u64,
    /// Server resident memory with every student joined, KiB.
    pub server_rss_connected_kib: u64,
    /// Server resident memory at the end of the focus phase, KiB.
    pub server_rss_end_kib: u64,
    /// (connected − before) / joined, KiB.
    pub server_kib_per_connection: f64,
    /// Why the first student that failed to join failed.
    pub first_join_failure: Option<String>,
    /// Why the first dropped student was dropped.
    pub first_drop: Option<String>,
    /// What went wrong on the instructor's side, if anything.
    pub instructor_error: Option<String>,
    /// Set when the server process exited during the run.
    pub server_exit: Option<String>,
}

impl RunReport {
    /// The reasons this run misses `target`; empty when it meets it.
    pub fn misses(&self, target: Target) -> Vec<String> {
        let mut misses = Vec::new();
        if let Some(exit) = &self.server_exit {
            misses.push(format!("server exited: {exit}"));
        }
        if let Some(error) = &self.instructor_error {
            misses.push(format!("instructor: {error}"));
        }
        if self.failed_to_join > 0 {
            misses.push(format!("{} students failed to join", self.failed_to_join));
        }
        if self.dropped > 0 {
            misses.push(format!("{} students dropped", self.dropped));
        }
        if self.lost > 0 {
            misses.push(format!("{} students lost the last state", self.lost));
        }
        if self.went_backwards > 0 {
            misses.push(format!("{} updates arrived out of order", self.went_backwards));
        }
        match self.latency {
            None => misses.push("no update was delivered".into()),
            Some(latency) if latency.p99_ms > target.p99_ms => {
                misses.push(format!("p99 {:.1} ms > {} ms", latency.p99_ms, target.p99_ms));
            }
            Some(_) => {}
        }
        if self.server_kib_per_connection > target.kib_per_connection {
            misses.push(format!(
                "{:.1} KiB per connection > {} KiB",
                self.server_kib_per_connection, target.kib_per_connection
            ));
        }
        misses
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "students          {} joined of {} (in {:.1} s), {} failed to join, {} dropped, {} lost",
            self.joined, self.students, self.connect_seconds, self.failed_to_join, self.dropped, self.lost
        )?;
        writeln!(
            f,
            "instructor        {} focus changes at {:.1}/s; average student received {:.1}% of them",
            self.steps_sent,
            self.achieved_rate,
            100.0 * self.delivered_share
        )?;
        match self.latency {
            Some(l) => writeln!(
                f,
                "latency           p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries)",
                l.p50_ms, l.p99_ms, l.max_ms, l.samples
            )?,
            None => writeln!(f, "latency           no update was delivered")?,
        }
        if let Some(l) = self.view_latency {
            writeln!(
                f,
                "step shown after  p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (sent step → student has it or newer)",
                l.p50_ms, l.p99_ms, l.max_ms
            )?;
        }
        writeln!(
            f,
            "server CPU        {:.0}% of one core (load generator itself: {:.0}%, other processes: {:.0}%)",
            self.server_cpu_percent, self.loadgen_cpu_percent, self.other_cpu_percent
        )?;
        writeln!(
            f,
            "server memory     {:.1} KiB per connection (RSS {:.1} MB idle, {:.1} MB connected, {:.1} MB at end)",
            self.server_kib_per_connection,
            mb(self.server_rss_before_kib),
            mb(self.server_rss_connected_kib),
            mb(self.server_rss_end_kib)
        )?;
        for (label, value) in [
            ("first join error", &self.first_join_failure),
            ("first drop", &self.first_drop),
            ("instructor error", &self.instructor_error),
            ("server exited", &self.server_exit),
        ] {
            if let Some(value) = value {
                writeln!(f, "{label:<17} {value}")?;
            }
        }
        Ok(())
    }
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Seconds as `f64`, for the report.
pub fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

/// One line per run and the largest student count that met the target.
pub fn sweep_summary(reports: &[RunReport], target: Target) -> String {
    let mut out = format!(
        "{:>8} {:>9} {:>9} {:>9} {:>10} {:>10} {:>11} {:>6}  verdict\n",
        "students", "p50 ms", "p99 ms", "max ms", "server CPU", "other CPU", "KiB/conn", "lost"
    );
    for report in reports {
        let (p50, p99, max) = report
            .latency
            .map_or((f64::NAN, f64::NAN, f64::NAN), |l| (l.p50_ms, l.p99_ms, l.max_ms));
        let misses = report.misses(target);
        let verdict = if misses.is_empty() {
            "meets target".to_string()
        } else {
            format!("misses: {}", misses.join("; "))
        };
        out += &format!(
            "{:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.0}% {:>9.0}% {:>11.1} {:>6}  {verdict}\n",
            report.students,
            p50,
            p99,
            max,
            report.server_cpu_percent,
            report.other_cpu_percent,
            report.server_kib_per_connection,
            report.lost + report.dropped + report.failed_to_join
        );
    }
    let best = reports
        .iter()
        .filter(|r| r.misses(target).is_empty())
        .map(|r| r.students)
        .max();
    out += &match best {
        Some(n) => format!(
            "largest student count meeting the target (p99 ≤ {} ms, ≤ {} KiB/conn, 0 lost): {n}\n",
            target.p99_ms, target.kib_per_connection
        ),
        None => "no student count met the target\n".to_string(),
    };
    out += ANCHORS;
    out += "\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> RunReport {
        RunReport {
            students: 10,
            joined: 10,
            failed_to_join: 0,
            dropped: 0,
            lost: 0,
            went_backwards: 0,
            connect_seconds: 0.1,
            steps_sent: 40,
            achieved_rate: 20.0,
            delivered_share: 1.0,
            latency: LatencySummary::from_micros([[1_000u32, 2_000, 50_000].as_slice()]),
            view_latency: None,
            server_cpu_percent: 5.0,
            loadgen_cpu_percent: 5.0,
            other_cpu_percent: 0.0,
            server_rss_before_kib: 10_000,
            server_rss_connected_kib: 10_100,
            server_rss_end_kib: 10_200,
            server_kib_per_connection: 10.0,
            first_join_failure: None,
            first_drop: None,
            instructor_error: None,
            server_exit: None,
        }
    }

    const TARGET: Target = Target {
        p99_ms: 100.0,
        kib_per_connection: 20.0,
    };

    #[test]
    fn percentiles_come_from_the_recorded_values() {
        let latency = report().latency.unwrap();
        assert_eq!(latency.samples, 3);
        assert!((latency.p50_ms - 2.0).abs() < 0.01, "{latency:?}");
        assert!((latency.max_ms - 50.0).abs() < 0.1, "{latency:?}");
        assert!(LatencySummary::from_micros(std::iter::empty::<&[u32]>()).is_none());
    }

    #[test]
    fn a_clean_run_meets_the_target_and_each_failure_misses_it() {
        assert!(report().misses(TARGET).is_empty());
        let mut lost = report();
        lost.lost = 1;
        assert_eq!(lost.misses(TARGET).len(), 1);
        let mut heavy = report();
        heavy.server_kib_per_connection = 25.0;
        assert!(heavy.misses(TARGET)[0].contains("KiB per connection"));
        let mut slow = report();
        slow.latency = LatencySummary::from_micros([[150_000u32; 10].as_slice()]);
        assert!(slow.misses(TARGET)[0].contains("p99"));
    }

    #[test]
    fn the_sweep_names_the_largest_count_that_met_the_target() {
        let mut big = report();
        big.students = 20;
        big.dropped = 2;
        let summary = sweep_summary(&[report(), big], TARGET);
        assert!(
            summary.contains("meeting the target (p99 ≤ 100 ms, ≤ 20 KiB/conn, 0 lost): 10"),
            "{summary}"
        );
        assert!(summary.contains("2 students dropped"), "{summary}");
    }
}
