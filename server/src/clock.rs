//! Wall-clock time for what is stored (room activity survives restarts, so not tokio's clock).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970, for `last_active`.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
