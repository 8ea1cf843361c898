//! The classroom server: one port serves the client bundle and the WebSocket through which an
//! instructor drives a lecture that every student follows live.
//!
//! Map of the crate:
//! - [`config`]: settings of one instance.
//! - [`http`]: the router (`/ws`, `/healthz`, the client bundle via [`static_files`]).
//! - [`connection`]: one WebSocket: handshake, then a single task per member.
//! - [`hub`]: every open room, the database and the inference engine.
//! - [`room`]: one lecture's authoritative state; [`published`]: its broadcast slot.
//! - [`inference`]: decode, resize and run the network once per picture, cached by hash.
//! - [`store`]: SQLite persistence with group commit.
//! - [`error`]: why the server could not start or run.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod connection;
pub mod error;
pub mod http;
pub mod hub;
pub mod inference;
pub mod published;
pub mod room;
pub mod static_files;
pub mod store;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use config::Config;
pub use error::ServerError;

use crate::hub::Hub;
use crate::inference::Inference;
use crate::store::Store;

/// How long shutdown waits for connections to deliver their goodbye.
const GOODBYE_GRACE: Duration = Duration::from_secs(3);

/// Serves on `listener` until `shutdown` completes, then tells every client why it is being
/// disconnected, writes pending state and returns.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    if let Some(dir) = &config.data_dir {
        std::fs::create_dir_all(dir).map_err(|source| ServerError::DataDir {
            path: dir.clone(),
            source,
        })?;
    }
    let data_dir = config.data_dir.clone();
    let (store, rooms) = tokio::task::spawn_blocking(move || Store::open(data_dir.as_deref()))
        .await
        .map_err(|e| ServerError::Serve(std::io::Error::other(e)))??;
    let restored = rooms.len();
    let hub = Hub::new(config, Arc::new(store), rooms, Arc::new(Inference::builtin()));
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, restored_rooms = restored, "classroom server listening");
    }

    let reaper = tokio::spawn(expire_rooms(hub.clone()));
    let heartbeat = tokio::spawn(heartbeat(hub.clone()));
    let stopping = hub.clone();
    // Interactive frames of a few dozen bytes: send each at once instead of waiting for the
    // previous one's acknowledgement (Nagle), which could hold a focus change back for up to a
    // delayed-ACK period.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    let serve = axum::serve(listener, http::router(hub.clone())).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: telling clients and saving state");
        stopping.begin_shutdown();
    });
    let result = serve.await.map_err(ServerError::Serve);
    // WebSocket tasks outlive their HTTP connection; give them time to say goodbye.
    hub.begin_shutdown();
    let _ = tokio::time::timeout(GOODBYE_GRACE, hub.connections_closed()).await;
    reaper.abort();
    heartbeat.abort();
    let store = Arc::clone(hub.store());
    let _ = tokio::task::spawn_blocking(move || store.close()).await;
    result
}

/// The one heartbeat ticker: every period, every member pings its client (see
/// [`published::Published::pulse`]).
async fn heartbeat(hub: Hub) {
    let period = hub.config().heartbeat;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        hub.pulse();
    }
}

/// Closes idle rooms periodically.
async fn expire_rooms(hub: Hub) {
    let period = (hub.config().room_expiry / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        hub.expire_idle_rooms().await;
    }
}
