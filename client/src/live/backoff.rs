//! Reconnect delays: exponential backoff with jitter, so a classroom whose Wi-Fi drops at once
//! does not hammer the server in lockstep when it comes back.

/// First retry waits about this long.
pub const BASE_DELAY_MS: u32 = 300;
/// No retry waits longer than this, so a student is back soon after the server is.
pub const MAX_DELAY_MS: u32 = 8_000;

/// The delay schedule of one connection; [`Backoff::reset`] after a successful connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// How many attempts have failed since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The delay before the next attempt, given a uniform random number in `[0, 1)`.
    ///
    /// "Equal jitter": half the exponential ceiling is fixed, half is random, so retries spread
    /// out but never fire immediately after a failure.
    pub fn next_delay_ms(&mut self, random_unit: f64) -> u32 {
        let ceiling = BASE_DELAY_MS
            .saturating_mul(1u32 << self.failures.min(16))
            .min(MAX_DELAY_MS);
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        half + (f64::from(half) * random_unit.clamp(0.0, 1.0)) as u32
    }

    /// Forget past failures (the connection is up again).
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let mut backoff = Backoff::default();
        let delays: Vec<u32> = (0..10).map(|_| backoff.next_delay_ms(0.0)).collect();
        assert_eq!(delays[0], BASE_DELAY_MS / 2);
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), MAX_DELAY_MS / 2);
        assert_eq!(backoff.failures(), 10);
    }

    #[test]
    fn jitter_spreads_within_the_ceiling() {
        let low = Backoff::default().next_delay_ms(0.0);
        let high = Backoff::default().next_delay_ms(0.999);
        assert!(low < high, "{low} < {high}");
        assert!(high <= BASE_DELAY_MS);
        assert!(low > 0, "never retries immediately");
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::default();
        for _ in 0..5 {
            backoff.next_delay_ms(0.5);
        }
        backoff.reset();
        assert_eq!(backoff.next_delay_ms(0.0), BASE_DELAY_MS / 2);
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut backoff = Backoff {
            failures: u32::MAX - 1,
        };
        assert!(backoff.next_delay_ms(1.0) <= MAX_DELAY_MS);
        assert!(backoff.next_delay_ms(1.0) <= MAX_DELAY_MS);
    }
}
