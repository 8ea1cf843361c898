//! The classroom server: one port serves the client bundle and the WebSocket through which an
//! instructor drives a lecture that every student follows live.
//!
//! Map of the crate:
//! - [`config`]: settings and limits of one instance.
//! - [`accept`]: the accept loop: admission ([`admission`], [`capacity`]), header timeout, TLS
//!   ([`tls`]), shutdown deadline; [`metered_io`] counts what each socket reads.
//! - [`http`]: the router (`/ws` behind [`origin`], `/healthz`, `/instructor`, the client bundle
//!   via [`static_files`], from the binary itself ([`embedded`]) or a directory), every response
//!   with [`security_headers`].
//! - [`connection`]: one WebSocket: handshake and authorisation, then a single task per member.
//! - [`reach`]: the addresses students can reach, for the instructor's join link.
//! - [`hub`]: every open room, the database, the inference engine and the [`rate_limit`]s.
//! - [`room`]: one lecture's authoritative state; [`published`]: its broadcast slot;
//!   [`quick_check`]: its question, right answer and answers; [`room_model`]: its network.
//! - [`model_store`]: the uploaded models on disk by hash; [`model_routes`]: their upload
//!   (`POST /api/models`) and download (`GET /models/<hash>`); [`restore`]: rooms back on their
//!   networks after a restart.
//! - [`focus_check`]: whether an instructor's focus (the playground's sizes and sources
//!   included) fits the network, before the class is moved to it.
//! - [`inference`]: decode (uploads within a budget, [`upload`]), resize and run the network once
//!   per picture, cached by hash.
//! - [`store`]: SQLite persistence with group commit and schema migrations; [`save_mark`]: what
//!   the instructor hears about saving; [`clock`]: wall-clock time.
//! - [`error`]: why the server could not start or run.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accept;
pub mod admission;
pub mod capacity;
pub mod clock;
pub mod config;
pub mod connection;
pub mod embedded;
pub mod error;
pub mod focus_check;
pub mod http;
pub mod hub;
pub mod inference;
pub mod metered_io;
pub mod model_routes;
pub mod model_store;
pub mod origin;
pub mod published;
pub mod quick_check;
pub mod rate_limit;
pub mod reach;
pub mod restore;
pub mod room;
pub mod room_model;
pub mod save_mark;
pub mod security_headers;
pub mod static_files;
pub mod store;
pub mod tls;
pub mod upload;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

pub use config::Config;
pub use error::ServerError;

use crate::accept::AcceptSettings;
use crate::admission::Admission;
use crate::hub::Hub;
use crate::inference::Inference;
use crate::model_store::ModelStore;
use crate::room_model::RoomModel;
use crate::store::Store;
use models::Network;

/// Serves on `listener` until `shutdown` completes, then tells every client why it is being
/// disconnected, writes pending state and returns within the configured shutdown deadline,
/// whatever connections remain. The store is closed on every path once it was opened.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let listening = listener.local_addr().map_err(ServerError::Serve)?;
    if let Some(dir) = &config.data_dir {
        std::fs::create_dir_all(dir).map_err(|source| ServerError::DataDir {
            path: dir.clone(),
            source,
        })?;
    }
    let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let data_dir = config.data_dir.clone();
    let (store, stored) = tokio::task::spawn_blocking(move || Store::open(data_dir.as_deref()))
        .await
        .map_err(|e| ServerError::Serve(std::io::Error::other(e)))??;
    let store = Arc::new(store);
    let restored = stored.len();
    let inference = Arc::new(Inference::new(
        config.decode_budget_bytes,
        config.max_concurrent_decodes,
    ));
    let (models, default_model, restore) = open_models(&config, stored, Arc::clone(&inference)).await?;
    for repair in restore.repairs {
        if let Err(error) = store.write(repair).await {
            tracing::warn!(%error, "could not save a restored room's repair");
        }
    }

    let limit = capacity::raise_file_limit();
    let connections = config.max_connections.unwrap_or_else(|| limit.connections());
    let admission = Admission::new(
        connections,
        config.instructor_reserve,
        config.max_connections_per_address,
    );
    let students = connections.saturating_sub(config.instructor_reserve);
    tracing::info!(
        soft = limit.soft,
        hard = limit.hard,
        connections,
        "open-file limit {} (hard {}): room for about {students} students at once",
        limit.soft,
        limit.hard
    );

    let settings = AcceptSettings {
        header_timeout: config.header_timeout,
        shutdown_deadline: config.shutdown_deadline,
        tls,
    };
    let deadline = config.shutdown_deadline;
    let hub = Hub::new(
        config,
        Arc::clone(&store),
        restore.rooms,
        inference,
        models,
        default_model,
    );
    tracing::info!(addr = %listening, restored_rooms = restored, "classroom server listening");

    let reaper = tokio::spawn(expire_rooms(hub.clone()));
    let heartbeat = tokio::spawn(heartbeat(hub.clone()));
    let stopping = hub.clone();
    let began = Arc::new(std::sync::OnceLock::new());
    let began_at = Arc::clone(&began);
    let shutdown = async move {
        shutdown.await;
        let _ = began_at.set(tokio::time::Instant::now());
        tracing::info!("shutting down: telling clients and saving state");
        stopping.begin_shutdown();
    };
    accept::serve(
        listener,
        http::router(hub.clone(), listening),
        admission,
        settings,
        shutdown,
    )
    .await;
    // WebSocket tasks outlive their HTTP connection; give them what is left of the deadline to
    // say goodbye. Those still open then are dropped with the runtime.
    hub.begin_shutdown();
    let since = began.get().map_or(Duration::ZERO, |at| at.elapsed());
    let left = deadline.saturating_sub(since);
    let _ = tokio::time::timeout(left.max(Duration::from_millis(100)), hub.connections_closed()).await;
    reaper.abort();
    heartbeat.abort();
    drop(hub);
    let closing = tokio::task::spawn_blocking(move || store.close());
    let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
    Ok(())
}

/// The uploaded models (off the runtime: files are listed, read and checked), the network of new
/// rooms (`--model`, stored and kept in memory) and the stored rooms each on its network.
async fn open_models(
    config: &Config,
    stored: Vec<store::StoredRoom>,
    inference: Arc<Inference>,
) -> Result<(Arc<ModelStore>, RoomModel, restore::Restored), ServerError> {
    let (data_dir, storage, file) = (
        config.data_dir.clone(),
        config.model_storage_bytes,
        config.default_model.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let models = ModelStore::open(data_dir.as_deref(), storage).map_err(|source| ServerError::DataDir {
            path: data_dir.unwrap_or_default().join("models"),
            source,
        })?;
        let default_model = match file {
            None => RoomModel::tiny_vgg(),
            Some(file) => {
                let (info, loaded) = models.add(Network::clone(&file.network), &file.name, true)?;
                tracing::info!(model = %info.hash, name = %info.name, "new rooms start on the model given with --model");
                RoomModel::stored(info, loaded)
            }
        };
        let restored = restore::restore(stored, &models, &inference);
        Ok((Arc::new(models), default_model, restored))
    })
    .await
    .map_err(|e| ServerError::Serve(std::io::Error::other(e)))?
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
