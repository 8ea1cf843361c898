//! Settings of one server instance, filled by the binary's command line or by tests; every limit
//! has a default that suits a lecture (see `docs/security.md`).

use std::path::PathBuf;
use std::time::Duration;

use crate::room_model::ModelFile;

/// At most `burst` events at once, then one more every `every` (a token bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Events allowed back to back.
    pub burst: u32,
    /// Time to earn one more event.
    pub every: Duration,
}

impl Rate {
    /// `burst` at once, then one per `every`.
    pub const fn new(burst: u32, every: Duration) -> Self {
        Self { burst, every }
    }
}

/// The certificate and key files for HTTPS/WSS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// PEM certificate chain (leaf first).
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Settings of one server instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory of the embedded database; `None` keeps everything in memory (tests).
    pub data_dir: Option<PathBuf>,
    /// Directory of a built client bundle to serve from disk (development: a rebuilt bundle shows
    /// without restarting); `None` serves the bundle embedded in the binary.
    pub client_dir: Option<PathBuf>,
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

    /// Serve HTTPS/WSS with these files instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// When set, `CreateRoom` needs this key (presented as the cookie `/instructor?key=..` sets).
    pub instructor_key: Option<String>,
    /// Origins (e.g. `https://lecture.example.org`) whose pages may open the WebSocket besides
    /// the page's own origin.
    pub allowed_origins: Vec<String>,
    /// Host names the server answers to besides IP addresses, `localhost` and `*.local`
    /// (anything else is refused, against DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Rooms created per client address.
    pub room_creation_rate: Rate,
    /// Open rooms at most (without an instructor key this caps what anyone can create).
    pub max_open_rooms: usize,
    /// Failed joins (wrong code or token) per client address.
    pub failed_join_rate: Rate,
    /// Students per room at most.
    pub max_students_per_room: usize,
    /// Image uploads per room.
    pub upload_rate: Rate,
    /// Quick-check questions asked per room.
    pub question_rate: Rate,
    /// Quick-check answers (first or changed) per student.
    pub answer_rate: Rate,
    /// Lesson notes shown per room (an instructor stepping through a lesson).
    pub note_rate: Rate,
    /// The network of new rooms (`--model`); `None`: the built-in Tiny VGG.
    pub default_model: Option<ModelFile>,
    /// Model uploads (`POST /api/models`) per room.
    pub model_upload_rate: Rate,
    /// Bytes the uploaded model files may take on disk together (and in memory at most).
    pub model_storage_bytes: u64,
    /// Largest decoded picture, in bytes, an upload may become.
    pub decode_budget_bytes: u64,
    /// Uploads decoded at once at most (default: the number of cores).
    pub max_concurrent_decodes: usize,
    /// Open connections at most; `None`: what the file limit allows.
    pub max_connections: Option<usize>,
    /// Open connections per client address at most (a NAT'd classroom shares one address).
    pub max_connections_per_address: usize,
    /// Connections kept free for an instructor reconnecting while the server is full.
    pub instructor_reserve: usize,
    /// Time a client has to send a request's head; also how long an idle keep-alive HTTP
    /// connection stays open.
    pub header_timeout: Duration,
    /// Time a WebSocket message that has started arriving has to arrive whole.
    pub message_timeout: Duration,
    /// After telling clients it is stopping, the server exits within this time whatever
    /// connections remain.
    pub shutdown_deadline: Duration,
}

impl Config {
    /// Defaults for a lecture: rooms live 12 hours idle, 20 s heartbeats, limits as documented.
    pub fn new(data_dir: Option<PathBuf>, client_dir: Option<PathBuf>) -> Self {
        Self {
            data_dir,
            client_dir,
            room_expiry: Duration::from_secs(12 * 3600),
            heartbeat: Duration::from_secs(20),
            send_timeout: Duration::from_secs(10),
            roster_interval: Duration::from_millis(250),
            hello_timeout: Duration::from_secs(15),
            tls: None,
            instructor_key: None,
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            room_creation_rate: Rate::new(10, Duration::from_secs(60)),
            max_open_rooms: 100,
            failed_join_rate: Rate::new(20, Duration::from_secs(3)),
            max_students_per_room: 1000,
            upload_rate: Rate::new(10, Duration::from_secs(6)),
            question_rate: Rate::new(10, Duration::from_secs(6)),
            answer_rate: Rate::new(10, Duration::from_millis(500)),
            note_rate: Rate::new(30, Duration::from_millis(250)),
            default_model: None,
            model_upload_rate: Rate::new(3, Duration::from_secs(20)),
            model_storage_bytes: 512 * 1024 * 1024,
            decode_budget_bytes: 64 * 1024 * 1024,
            max_concurrent_decodes: std::thread::available_parallelism().map_or(2, usize::from),
            max_connections: None,
            max_connections_per_address: 500,
            instructor_reserve: 16,
            header_timeout: Duration::from_secs(10),
            message_timeout: Duration::from_secs(60),
            shutdown_deadline: Duration::from_secs(3),
        }
    }
}
