//! The `cnn-classroom` binary: parses the command line (every limit is a flag with an
//! environment variable), sets up logging and runs the server until Ctrl-C or SIGTERM; a second
//! Ctrl-C exits at once.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use server::Config;
use server::config::{Rate, TlsFiles};

/// Live CNN lecture server: serves the web client and the WebSocket that students follow.
#[derive(Debug, Parser)]
#[command(name = "cnn-classroom", version, args_override_self = true)]
struct Cli {
    /// Address to listen on (use 0.0.0.0:8080 to reach it from other laptops).
    #[arg(long, env = "CNN_CLASSROOM_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,

    /// Directory of the room database (created if missing); rooms survive restarts.
    #[arg(long, env = "CNN_CLASSROOM_DATA_DIR", default_value = "classroom-data")]
    data_dir: PathBuf,

    /// Serve the web client from this directory (e.g. client/dist while developing it) instead
    /// of the copy built into this binary.
    #[arg(long, env = "CNN_CLASSROOM_CLIENT_DIR")]
    client_dir: Option<PathBuf>,

    /// The network new rooms start on instead of the built-in Tiny VGG: a folder with a manifest
    /// and a safetensors file (scripts/export_pytorch.py --out), or one model file.
    #[arg(long, env = "CNN_CLASSROOM_MODEL")]
    model: Option<PathBuf>,

    /// Log filter, e.g. `info`, `debug` or `server=debug,warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log_level: String,

    /// Minutes a room with nobody connected is kept before it expires.
    #[arg(long, env = "CNN_CLASSROOM_ROOM_EXPIRY_MINUTES", default_value_t = 720)]
    room_expiry_minutes: u64,

    /// PEM certificate chain: serve HTTPS/WSS (with --tls-key).
    #[arg(long, env = "CNN_CLASSROOM_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// PEM private key for --tls-cert.
    #[arg(long, env = "CNN_CLASSROOM_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Only a browser that opened /instructor?key=KEY may create rooms (letters, digits, - and _).
    #[arg(long, env = "CNN_CLASSROOM_INSTRUCTOR_KEY")]
    instructor_key: Option<String>,

    /// Another origin whose pages may open the WebSocket, e.g. https://lecture.example.org
    /// (repeat, or comma-separated in the variable).
    #[arg(
        long = "allowed-origin",
        env = "CNN_CLASSROOM_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,

    /// A host name the server answers to besides IP addresses, localhost and *.local (repeat, or
    /// comma-separated in the variable).
    #[arg(
        long = "allowed-host",
        env = "CNN_CLASSROOM_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,

    /// Rooms one address may create per hour (without --instructor-key), in bursts of a sixth
    /// of that (at least 10).
    #[arg(long, env = "CNN_CLASSROOM_ROOMS_PER_HOUR", default_value_t = 60)]
    rooms_per_hour: u32,

    /// Open rooms at most.
    #[arg(long, env = "CNN_CLASSROOM_MAX_OPEN_ROOMS", default_value_t = 100)]
    max_open_rooms: usize,

    /// Failed joins (wrong code or link) one address may make per minute, in bursts of as many
    /// (at least 20).
    #[arg(long, env = "CNN_CLASSROOM_FAILED_JOINS_PER_MINUTE", default_value_t = 20)]
    failed_joins_per_minute: u32,

    /// Students per room at most.
    #[arg(long, env = "CNN_CLASSROOM_MAX_STUDENTS_PER_ROOM", default_value_t = 1000)]
    max_students_per_room: usize,

    /// Picture uploads per room per minute, in bursts of as many (at least 10).
    #[arg(long, env = "CNN_CLASSROOM_UPLOADS_PER_MINUTE", default_value_t = 10)]
    uploads_per_minute: u32,

    /// Quick-check questions asked per room per minute, in bursts of as many (at least 10).
    #[arg(long, env = "CNN_CLASSROOM_QUESTIONS_PER_MINUTE", default_value_t = 10)]
    questions_per_minute: u32,

    /// Quick-check answers per student per minute after a burst of 10 (changing one's answer
    /// counts too).
    #[arg(long, env = "CNN_CLASSROOM_ANSWERS_PER_MINUTE", default_value_t = 120)]
    answers_per_minute: u32,

    /// Lesson notes shown per room per minute after a burst of 30 (each step of a lesson shows one).
    #[arg(long, env = "CNN_CLASSROOM_NOTES_PER_MINUTE", default_value_t = 240)]
    notes_per_minute: u32,

    /// Model files instructors upload per room per minute, in bursts of 3.
    #[arg(long, env = "CNN_CLASSROOM_MODEL_UPLOADS_PER_MINUTE", default_value_t = 3)]
    model_uploads_per_minute: u32,

    /// Disk space in MiB the uploaded models may take together (a full store refuses uploads).
    #[arg(long, env = "CNN_CLASSROOM_MODEL_STORAGE_MIB", default_value_t = 512)]
    model_storage_mib: u64,

    /// Largest decoded upload in MiB (an 8000 × 8000 greyscale or 4600 × 4600 colour picture).
    #[arg(long, env = "CNN_CLASSROOM_DECODE_BUDGET_MIB", default_value_t = 64)]
    decode_budget_mib: u64,

    /// Uploads decoded at once at most [default: number of cores].
    #[arg(long, env = "CNN_CLASSROOM_MAX_CONCURRENT_DECODES")]
    max_concurrent_decodes: Option<usize>,

    /// Open connections at most [default: what the open-file limit allows].
    #[arg(long, env = "CNN_CLASSROOM_MAX_CONNECTIONS")]
    max_connections: Option<usize>,

    /// Open connections from one address at most (a NAT'd classroom shares one address).
    #[arg(
        long,
        env = "CNN_CLASSROOM_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 500
    )]
    max_connections_per_address: usize,

    /// Seconds a client has to send a request head; also the idle keep-alive limit.
    #[arg(long, env = "CNN_CLASSROOM_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    header_timeout_secs: u64,

    /// Seconds a WebSocket message that started arriving has to arrive whole.
    #[arg(long, env = "CNN_CLASSROOM_MESSAGE_TIMEOUT_SECS", default_value_t = 60)]
    message_timeout_secs: u64,

    /// Seconds shutdown waits for clients before exiting anyway.
    #[arg(long, env = "CNN_CLASSROOM_SHUTDOWN_DEADLINE_SECS", default_value_t = 3)]
    shutdown_deadline_secs: u64,
}

impl Cli {
    fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::new(Some(self.data_dir.clone()), self.client_dir.clone());
        config.room_expiry = Duration::from_secs(self.room_expiry_minutes.max(1) * 60);
        config.tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        };
        if let Some(key) = &self.instructor_key
            && (key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            anyhow::bail!("--instructor-key may contain only letters, digits, - and _ (it goes into a link)");
        }
        config.instructor_key = self.instructor_key.clone();
        config.allowed_origins = self.allowed_origins.clone();
        config.allowed_hosts = self.allowed_hosts.clone();
        config.room_creation_rate = Rate::new(
            (self.rooms_per_hour / 6).max(10),
            Duration::from_secs(3600) / self.rooms_per_hour.max(1),
        );
        config.max_open_rooms = self.max_open_rooms;
        config.failed_join_rate =
            Rate::new(20, Duration::from_secs(60) / self.failed_joins_per_minute.max(1));
        config.max_students_per_room = self.max_students_per_room;
        config.upload_rate = Rate::new(
            self.uploads_per_minute.max(10),
            Duration::from_secs(60) / self.uploads_per_minute.max(1),
        );
        config.question_rate = Rate::new(
            self.questions_per_minute.max(10),
            Duration::from_secs(60) / self.questions_per_minute.max(1),
        );
        config.answer_rate = Rate::new(10, Duration::from_secs(60) / self.answers_per_minute.max(1));
        config.note_rate = Rate::new(30, Duration::from_secs(60) / self.notes_per_minute.max(1));
        config.model_upload_rate =
            Rate::new(3, Duration::from_secs(60) / self.model_uploads_per_minute.max(1));
        config.model_storage_bytes = self.model_storage_mib << 20;
        if let Some(path) = &self.model {
            let file = server::room_model::ModelFile::load(path).map_err(anyhow::Error::msg)?;
            config.default_model = Some(file);
        }
        config.decode_budget_bytes = self.decode_budget_mib.max(1) << 20;
        if let Some(n) = self.max_concurrent_decodes {
            config.max_concurrent_decodes = n.max(1);
        }
        config.max_connections = self.max_connections;
        config.max_connections_per_address = self.max_connections_per_address.max(1);
        config.header_timeout = Duration::from_secs(self.header_timeout_secs.max(1));
        config.message_timeout = Duration::from_secs(self.message_timeout_secs.max(1));
        config.shutdown_deadline = Duration::from_secs(self.shutdown_deadline_secs);
        Ok(config)
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log_level)
        .with_context(|| format!("--log-level {:?} is not a valid log filter", cli.log_level))?;
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let config = cli.config()?;
    let runtime = tokio::runtime::Runtime::new().context("could not start the async runtime")?;
    let result = runtime.block_on(serve(&cli, config));
    // Tasks still running (a connection past the shutdown deadline, a decode) do not hold the
    // process up.
    runtime.shutdown_timeout(Duration::from_millis(500));
    result
}

async fn serve(cli: &Cli, config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(cli.bind)
        .await
        .with_context(|| format!("could not listen on {}; is another server using it?", cli.bind))?;
    let local = listener
        .local_addr()
        .context("could not read the address the server listens on")?;
    let tls = config.tls.is_some();
    let scheme = if tls { "https" } else { "http" };
    // What to open on this computer: a wildcard address is not one a browser can open.
    let here = match local.ip() {
        ip if ip.is_unspecified() => format!("localhost:{}", local.port()),
        _ => local.to_string(),
    };
    println!(
        "cnn-classroom: open {scheme}://{here} (data in {})",
        cli.data_dir.display()
    );
    let reach = server::reach::reach(local, tls, &server::reach::interface_addresses());
    if reach.loopback_only {
        println!(
            "cnn-classroom: only this computer can open it; for students' laptops start it with \
             --bind 0.0.0.0:{} (or CNN_CLASSROOM_BIND=0.0.0.0:{})",
            local.port(),
            local.port()
        );
    }
    for origin in &reach.origins {
        println!("cnn-classroom: students open {origin}");
    }
    if config.client_dir.is_none() && !server::embedded::is_built() {
        eprintln!(
            "cnn-classroom: this binary was built before the web client, so pages say \"not built\": \
             run `bash scripts/build-client.sh`, then build the server again (or pass --client-dir)"
        );
    }
    if let Some(model) = &config.default_model {
        println!(
            "cnn-classroom: new rooms start on the model {} ({} parameters)",
            model.name,
            model.network.parameter_count()
        );
    }
    if let Some(key) = &config.instructor_key {
        println!("instructor: open {scheme}://{here}/instructor?key={key} to create rooms");
    }
    server::run(listener, config, shutdown_signal())
        .await
        .context("the classroom server stopped with an error")
}

/// Completes on Ctrl-C or SIGTERM; from then on, another Ctrl-C (or SIGTERM) exits at once.
async fn shutdown_signal() {
    first_signal().await;
    tokio::spawn(async {
        first_signal().await;
        eprintln!("cnn-classroom: second interrupt, exiting now (saved changes are safe on disk)");
        std::process::exit(130);
    });
}

async fn first_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
