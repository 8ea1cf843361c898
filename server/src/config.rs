//! Settings of one server instance, filled by the binary's command line or by tests.

use std::path::PathBuf;
use std::time::Duration;

/// Settings of one server instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory of the embedded database; `None` keeps everything in memory (tests).
    pub data_dir: Option<PathBuf>,
    /// Directory of the built client bundle (`scripts/build-client.sh` writes `client/dist`).
    pub client_dir: PathBuf,
    /// A room with nobody connected and no change for this long is deleted.
    pub room_expiry: Duration,
    /// WebSocket ping period; a connection silent for two periods is dropped.
    pub heartbeat: Duration,
    /// A send to one client that takes longer than this drops that client (it resyncs from the
    /// snapshot when it reconnects), so one stuck laptop never holds up anything else.
    pub send_timeout: Duration,
    /// Least time between two roster updates to the instructor (a join burst is coalesced).
    pub roster_interval: Duration,
    /// Time a new connection has to send its `Hello`.
    pub hello_timeout: Duration,
}

impl Config {
    /// Defaults for a lecture: rooms live 12 hours idle, 20 s heartbeats.
    pub fn new(data_dir: Option<PathBuf>, client_dir: PathBuf) -> Self {
        Self {
            data_dir,
            client_dir,
            room_expiry: Duration::from_secs(12 * 3600),
            heartbeat: Duration::from_secs(20),
            send_timeout: Duration::from_secs(10),
            roster_interval: Duration::from_millis(250),
            hello_timeout: Duration::from_secs(15),
        }
    }

    /// The workspace's `client/dist`, where `scripts/build-client.sh` puts the bundle.
    pub fn default_client_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../client/dist")
    }
}
