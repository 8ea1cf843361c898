//! Token buckets keyed by client address or room: how often one source may do something costly
//! (create rooms, fail to join, upload pictures). On tokio's clock, so tests can pause time.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::config::Rate;

/// Above this many tracked keys, buckets that are full again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One token bucket per key.
#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: Rate,
    /// std mutex: held only for a lookup and a few arithmetic operations.
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// Buckets of `rate` (each key starts full).
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> Bucket {
        let per_second = 1.0 / self.rate.every.as_secs_f64().max(1e-9);
        let earned = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        Bucket {
            tokens: (bucket.tokens + earned).min(f64::from(self.rate.burst)),
            at: now,
        }
    }

    fn with_bucket<T>(&self, key: &K, act: impl FnOnce(&mut Bucket) -> T) -> T {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let full = f64::from(self.rate.burst);
            buckets.retain(|_, b| self.refilled(*b, now).tokens < full);
        }
        let full = Bucket {
            tokens: f64::from(self.rate.burst),
            at: now,
        };
        let bucket = buckets.entry(key.clone()).or_insert(full);
        *bucket = self.refilled(*bucket, now);
        act(bucket)
    }

    /// Takes one token for `key`; `Err(wait)` says how long until one is available.
    pub fn try_take(&self, key: &K) -> Result<(), Duration> {
        let every = self.rate.every;
        self.with_bucket(key, |bucket| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                Err(every.mul_f64(1.0 - bucket.tokens))
            }
        })
    }

    /// Whether `key` has a token left (without taking it); `Err(wait)` as in [`Self::try_take`].
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let every = self.rate.every;
        self.with_bucket(key, |bucket| {
            if bucket.tokens >= 1.0 {
                Ok(())
            } else {
                Err(every.mul_f64(1.0 - bucket.tokens))
            }
        })
    }
}

/// "12 seconds" / "2 minutes", for messages.
pub fn wait_text(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs < 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_one_per_period_per_key() {
        let limiter = RateLimiter::new(Rate::new(3, Duration::from_secs(10)));
        for _ in 0..3 {
            assert!(limiter.try_take(&"a").is_ok());
        }
        let wait = limiter.try_take(&"a").unwrap_err();
        assert!(
            wait <= Duration::from_secs(10) && wait > Duration::from_secs(9),
            "{wait:?}"
        );
        assert!(limiter.try_take(&"b").is_ok(), "keys are independent");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(limiter.check(&"a").is_err(), "half a token is not a token");
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(limiter.check(&"a").is_ok());
        assert!(limiter.try_take(&"a").is_ok());
        assert!(limiter.try_take(&"a").is_err());
        tokio::time::advance(Duration::from_secs(3600)).await;
        for _ in 0..3 {
            assert!(limiter.try_take(&"a").is_ok(), "refills up to the burst only");
        }
        assert!(limiter.try_take(&"a").is_err());
    }
}
