//! The `cnn-classroom` binary: parses the command line, sets up logging and runs the server
//! until Ctrl-C (or SIGTERM).
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use server::Config;

/// Live CNN lecture server: serves the web client and the WebSocket that students follow.
#[derive(Debug, Parser)]
#[command(name = "cnn-classroom", version)]
struct Cli {
    /// Address to listen on (use 0.0.0.0:8080 to reach it from other laptops).
    #[arg(long, env = "CNN_CLASSROOM_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,

    /// Directory of the room database (created if missing); rooms survive restarts.
    #[arg(long, env = "CNN_CLASSROOM_DATA_DIR", default_value = "classroom-data")]
    data_dir: PathBuf,

    /// Directory of the built web client (default: the workspace's client/dist).
    #[arg(long, env = "CNN_CLASSROOM_CLIENT_DIR")]
    client_dir: Option<PathBuf>,

    /// Log filter, e.g. `info`, `debug` or `server=debug,warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log_level: String,

    /// Minutes a room with nobody connected is kept before it expires.
    #[arg(long, env = "CNN_CLASSROOM_ROOM_EXPIRY_MINUTES", default_value_t = 720)]
    room_expiry_minutes: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log_level)
        .with_context(|| format!("--log-level {:?} is not a valid log filter", cli.log_level))?;
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let listener = tokio::net::TcpListener::bind(cli.bind)
        .await
        .with_context(|| format!("could not listen on {}; is another server using it?", cli.bind))?;
    let mut config = Config::new(
        Some(cli.data_dir.clone()),
        cli.client_dir.unwrap_or_else(Config::default_client_dir),
    );
    config.room_expiry = Duration::from_secs(cli.room_expiry_minutes.max(1) * 60);
    println!(
        "cnn-classroom: open http://{} (data in {})",
        cli.bind,
        cli.data_dir.display()
    );
    server::run(listener, config, shutdown_signal())
        .await
        .context("the classroom server stopped with an error")
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
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
