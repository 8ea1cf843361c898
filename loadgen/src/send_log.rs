//! When the instructor sent each focus step, on one monotonic clock shared by every task of this
//! process, so a student can turn "step k arrived now" into a delivery latency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Send time of each step (1-based; step 0 is the room's initial focus), in nanoseconds after
/// `origin`. Zero means "not sent yet".
pub struct SendLog {
    origin: Instant,
    sent_at_nanos: Vec<AtomicU64>,
}

impl SendLog {
    /// A log for steps `1..=total_steps`.
    pub fn new(total_steps: u32) -> Self {
        let sent_at_nanos = (0..=total_steps).map(|_| AtomicU64::new(0)).collect();
        Self {
            origin: Instant::now(),
            sent_at_nanos,
        }
    }

    /// Records that `step` is being sent now.
    pub fn record_send(&self, step: u32) {
        if let Some(slot) = self.sent_at_nanos.get(step as usize) {
            // At least 1 ns, so "sent at the origin" is not mistaken for "not sent".
            slot.store(self.nanos_since_origin(Instant::now()).max(1), Ordering::Release);
        }
    }

    /// Time from the send of `step` to `received`, or `None` for a step never sent by this run
    /// (e.g. the initial focus in the snapshot).
    pub fn latency(&self, step: u32, received: Instant) -> Option<Duration> {
        let sent = self.sent_at_nanos.get(step as usize)?.load(Ordering::Acquire);
        (sent != 0).then(|| Duration::from_nanos(self.nanos_since_origin(received).saturating_sub(sent)))
    }

    fn nanos_since_origin(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_is_measured_from_the_recorded_send() {
        let log = SendLog::new(3);
        log.record_send(2);
        let received = Instant::now() + Duration::from_millis(5);
        let latency = log.latency(2, received).unwrap();
        assert!(
            latency >= Duration::from_millis(5) && latency < Duration::from_secs(5),
            "{latency:?}"
        );
    }

    #[test]
    fn unsent_and_out_of_range_steps_have_no_latency() {
        let log = SendLog::new(3);
        assert_eq!(log.latency(1, Instant::now()), None);
        assert_eq!(log.latency(0, Instant::now()), None);
        log.record_send(9);
        assert_eq!(log.latency(9, Instant::now()), None);
    }
}
