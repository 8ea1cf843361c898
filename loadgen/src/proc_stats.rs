//! Reading a process's CPU time and resident memory from `/proc`.

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Clock ticks per second used by `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on every
/// mainstream Linux, which is also the fallback).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|&ticks| ticks > 0)
        .unwrap_or(100)
}

/// User plus system CPU time of `pid` so far, in clock ticks.
pub fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/stat");
    let stat = fs::read_to_string(&path).with_context(|| format!("could not read {path}"))?;
    parse_cpu_ticks(&stat).with_context(|| format!("unexpected format of {path}"))
}

/// Parses utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line. The command name
/// (field 2) may contain spaces and parentheses, so counting starts after its last `)`.
fn parse_cpu_ticks(stat: &str) -> anyhow::Result<u64> {
    let after_name = stat
        .rfind(')')
        .map(|i| &stat[i + 1..])
        .context("no command name")?;
    // Fields after the name start at field 3 (state), so utime (14) is index 11 here.
    let mut fields = after_name.split_whitespace().skip(11);
    let mut next = |name: &str| -> anyhow::Result<u64> {
        fields
            .next()
            .with_context(|| format!("no {name} field"))?
            .parse()
            .with_context(|| format!("bad {name}"))
    };
    Ok(next("utime")? + next("stime")?)
}

/// Resident memory of `pid` (`VmRSS` in `/proc/<pid>/status`), in KiB.
pub fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = fs::read_to_string(&path).with_context(|| format!("could not read {path}"))?;
    parse_vm_rss_kib(&status).with_context(|| format!("no VmRSS line in {path}"))
}

fn parse_vm_rss_kib(status: &str) -> anyhow::Result<u64> {
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix("VmRSS:") {
            let kib = rest.trim().trim_end_matches("kB").trim();
            return kib.parse().with_context(|| format!("bad VmRSS value {kib:?}"));
        }
    }
    bail!("VmRSS missing")
}

/// CPU time the whole machine spent busy (every process, kernel included), in clock ticks: the
/// first `cpu` line of `/proc/stat`, user + nice + system + irq + softirq + steal.
pub fn machine_busy_ticks() -> anyhow::Result<u64> {
    let stat = fs::read_to_string("/proc/stat").context("could not read /proc/stat")?;
    parse_machine_busy_ticks(&stat).context("unexpected format of /proc/stat")
}

fn parse_machine_busy_ticks(stat: &str) -> anyhow::Result<u64> {
    let line = stat
        .lines()
        .find(|line| line.starts_with("cpu "))
        .context("no cpu line")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    // Fields: user nice system idle iowait irq softirq steal ...; idle and iowait are not busy.
    anyhow::ensure!(ticks.len() >= 8, "too few cpu fields");
    Ok(ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7])
}

/// CPU use of one process, or of the whole machine, over an interval.
pub struct CpuMeter {
    /// The process measured; `None` for the whole machine.
    pid: Option<u32>,
    ticks_at_start: u64,
    started: Instant,
}

impl CpuMeter {
    /// Starts measuring `pid` now.
    pub fn start(pid: u32) -> anyhow::Result<Self> {
        Ok(Self {
            pid: Some(pid),
            ticks_at_start: cpu_ticks(pid)?,
            started: Instant::now(),
        })
    }

    /// Starts measuring the whole machine now.
    pub fn machine() -> anyhow::Result<Self> {
        Ok(Self {
            pid: None,
            ticks_at_start: machine_busy_ticks()?,
            started: Instant::now(),
        })
    }

    /// CPU time used since the start, as a percentage of one core over the elapsed wall time.
    pub fn percent_of_one_core(&self, ticks_per_second: u64) -> anyhow::Result<f64> {
        let now = match self.pid {
            Some(pid) => cpu_ticks(pid)?,
            None => machine_busy_ticks()?,
        };
        let used = now.saturating_sub(self.ticks_at_start);
        let wall = self.started.elapsed().max(Duration::from_millis(1));
        Ok(100.0 * used as f64 / ticks_per_second as f64 / wall.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_read_after_a_name_with_spaces_and_parentheses() {
        let stat = "1234 (a (b) c) S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 4 0 100";
        assert_eq!(parse_cpu_ticks(stat).unwrap(), 325);
    }

    #[test]
    fn a_truncated_stat_line_is_an_error() {
        assert!(parse_cpu_ticks("1234 (x) S 1 2 3").is_err());
    }

    #[test]
    fn vm_rss_is_read_in_kib() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t   4242 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss_kib(status).unwrap(), 4242);
        assert!(parse_vm_rss_kib("Name:\tx\n").is_err());
    }

    #[test]
    fn machine_busy_time_leaves_out_idle_and_iowait() {
        let stat = "cpu  10 1 5 1000 50 2 3 4 0 0\ncpu0 5 0 2 500 25 1 1 2 0 0\n";
        assert_eq!(parse_machine_busy_ticks(stat).unwrap(), 10 + 1 + 5 + 2 + 3 + 4);
        assert!(parse_machine_busy_ticks("intr 1 2 3\n").is_err());
    }

    #[test]
    fn own_process_can_be_measured() {
        let pid = std::process::id();
        assert!(resident_kib(pid).unwrap() > 0);
        cpu_ticks(pid).unwrap();
    }
}
