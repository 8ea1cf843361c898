//! Every open room, the database and the inference engine, behind one cheap `Clone` handle.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use rand::Rng;
use shared::ids::{CODE_ALPHABET, CODE_LEN};
use shared::{CloseReason, Focus, InstructorToken, MemberId, RoomCode, StateVersion};
use tokio::sync::watch;

use crate::clock::unix_now;
use crate::config::Config;
use crate::inference::Inference;
use crate::model_store::ModelStore;
use crate::rate_limit::RateLimiter;
use crate::room::Room;
use crate::room_model::RoomModel;
use crate::store::{Store, StoreError, StoredRoom, Write};

/// Why a room could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The server has its maximum number of open rooms.
    #[error(
        "The server already has {max} open lectures, its limit; close one you no longer need, or \
         ask whoever runs the server to raise --max-open-rooms."
    )]
    TooManyRooms {
        /// The cap.
        max: usize,
    },
    /// Saving the room failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Shared server state; clone freely.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    /// std mutex: only held to look up, insert or remove, never across an await.
    rooms: Mutex<HashMap<RoomCode, Arc<Room>>>,
    store: Arc<Store>,
    inference: Arc<Inference>,
    /// The uploaded models.
    models: Arc<ModelStore>,
    /// The network of new rooms.
    default_model: RoomModel,
    config: Config,
    /// `true` once the server is shutting down.
    shutdown: watch::Sender<bool>,
    /// Number of open WebSocket connections, so shutdown can wait for their goodbyes.
    connections: watch::Sender<usize>,
    /// Room creations per client address (when no instructor key is configured).
    pub(crate) creations: RateLimiter<IpAddr>,
    /// Failed joins per client address.
    pub(crate) failed_joins: RateLimiter<IpAddr>,
    /// Uploads per room.
    pub(crate) uploads: RateLimiter<RoomCode>,
    /// Quick-check questions per room.
    pub(crate) questions: RateLimiter<RoomCode>,
    /// Quick-check answers per student.
    pub(crate) answers: RateLimiter<(RoomCode, MemberId)>,
    /// Lesson notes per room.
    pub(crate) notes: RateLimiter<RoomCode>,
    /// Model uploads per room.
    pub(crate) model_uploads: RateLimiter<RoomCode>,
    /// Model files read and checked at once: one (a model may take up to
    /// `models::bundle::MAX_BYTES`, and a few times that while it is parsed).
    model_checks: tokio::sync::Semaphore,
    /// Model uploads being received at once: two.
    model_reads: tokio::sync::Semaphore,
}

impl Hub {
    /// A hub over `store` with its stored rooms restored, each on its network (see
    /// [`crate::restore`]); new rooms start on `default_model`.
    pub fn new(
        config: Config,
        store: Arc<Store>,
        stored: Vec<(StoredRoom, RoomModel)>,
        inference: Arc<Inference>,
        models: Arc<ModelStore>,
        default_model: RoomModel,
    ) -> Self {
        let rooms = stored
            .into_iter()
            .map(|(room, model)| (room.code.clone(), Room::new(room, Arc::clone(&store), model)))
            .collect();
        Self {
            inner: Arc::new(HubInner {
                rooms: Mutex::new(rooms),
                store,
                inference,
                models,
                default_model,
                model_uploads: RateLimiter::new(config.model_upload_rate),
                model_checks: tokio::sync::Semaphore::new(1),
                model_reads: tokio::sync::Semaphore::new(2),
                creations: RateLimiter::new(config.room_creation_rate),
                failed_joins: RateLimiter::new(config.failed_join_rate),
                uploads: RateLimiter::new(config.upload_rate),
                questions: RateLimiter::new(config.question_rate),
                answers: RateLimiter::new(config.answer_rate),
                notes: RateLimiter::new(config.note_rate),
                config,
                shutdown: watch::Sender::new(false),
                connections: watch::Sender::new(0),
            }),
        }
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomCode, Arc<Room>>> {
        self.inner.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The inference engine.
    pub fn inference(&self) -> &Arc<Inference> {
        &self.inner.inference
    }

    /// The uploaded models.
    pub fn models(&self) -> &Arc<ModelStore> {
        &self.inner.models
    }

    /// Model uploads per room.
    pub fn model_upload_limiter(&self) -> &RateLimiter<RoomCode> {
        &self.inner.model_uploads
    }

    /// Model files read and checked at once (uploads, and downloads of a model not in memory).
    pub fn model_checks(&self) -> &tokio::sync::Semaphore {
        &self.inner.model_checks
    }

    /// Model uploads being received at once.
    pub fn model_reads(&self) -> &tokio::sync::Semaphore {
        &self.inner.model_reads
    }

    /// The open room with this code.
    pub fn room(&self, code: &RoomCode) -> Option<Arc<Room>> {
        self.rooms().get(code).cloned()
    }

    /// Number of open rooms.
    pub fn room_count(&self) -> usize {
        self.rooms().len()
    }

    /// Room creations per client address.
    pub fn creation_limiter(&self) -> &RateLimiter<IpAddr> {
        &self.inner.creations
    }

    /// Failed joins per client address.
    pub fn failed_join_limiter(&self) -> &RateLimiter<IpAddr> {
        &self.inner.failed_joins
    }

    /// Uploads per room.
    pub fn upload_limiter(&self) -> &RateLimiter<RoomCode> {
        &self.inner.uploads
    }

    /// Quick-check questions per room.
    pub fn question_limiter(&self) -> &RateLimiter<RoomCode> {
        &self.inner.questions
    }

    /// Quick-check answers per student.
    pub fn answer_limiter(&self) -> &RateLimiter<(RoomCode, MemberId)> {
        &self.inner.answers
    }

    /// Lesson notes per room.
    pub fn note_limiter(&self) -> &RateLimiter<RoomCode> {
        &self.inner.notes
    }

    /// Creates a room with a fresh code and instructor token, saved before returning (refused
    /// when the server has its maximum of open rooms).
    pub async fn create_room(&self) -> Result<Arc<Room>, CreateError> {
        let stored = {
            let mut rng = rand::rng();
            let mut rooms = self.rooms();
            let max = self.inner.config.max_open_rooms;
            if rooms.len() >= max {
                return Err(CreateError::TooManyRooms { max });
            }
            let code = loop {
                let indices = std::array::from_fn::<u8, CODE_LEN, _>(|_| {
                    rng.random_range(0..CODE_ALPHABET.len() as u8)
                });
                let code = RoomCode::from_indices(indices);
                if !rooms.contains_key(&code) {
                    break code;
                }
            };
            let stored = StoredRoom {
                code: code.clone(),
                instructor_token: InstructorToken(rng.random()),
                version: StateVersion { epoch: 1, seq: 0 },
                focus: Focus::default(),
                input: None,
                locked: false,
                recall: 0,
                next_member: 1,
                last_active_unix: unix_now(),
                students: Vec::new(),
                question: None,
                note: String::new(),
                model: self.inner.default_model.info.clone(),
            };
            // Reserve the code before saving, so two creations cannot pick the same one.
            let model = self.inner.default_model.clone();
            rooms.insert(
                code,
                Room::new(stored.clone(), Arc::clone(&self.inner.store), model),
            );
            stored
        };
        let code = stored.code.clone();
        if let Err(e) = self.inner.store.write(Write::CreateRoom(Box::new(stored))).await {
            self.rooms().remove(&code);
            return Err(e.into());
        }
        tracing::info!(%code, "room created");
        // The entry was inserted above and only `close_room` removes it.
        self.room(&code).ok_or(CreateError::Store(StoreError::Closed))
    }

    /// Closes a room: deleted from disk, then every member is told `reason`.
    pub async fn close_room(&self, room: &Room, reason: CloseReason) -> Result<(), StoreError> {
        self.inner
            .store
            .write(Write::DeleteRoom(room.code().clone()))
            .await?;
        self.rooms().remove(room.code());
        room.mark_closed(reason);
        tracing::info!(code = %room.code(), ?reason, "room closed");
        Ok(())
    }

    /// Closes every room idle for longer than the configured expiry.
    pub async fn expire_idle_rooms(&self) {
        let expiry = self.inner.config.room_expiry.as_secs();
        let now = unix_now();
        let idle: Vec<Arc<Room>> = self
            .rooms()
            .values()
            .filter(|r| r.is_idle(now, expiry))
            .cloned()
            .collect();
        for room in idle {
            if let Err(e) = self.close_room(&room, CloseReason::RoomExpired).await {
                tracing::warn!(code = %room.code(), error = %e, "could not expire room");
            }
        }
    }

    /// Receiver that turns `true` when the server shuts down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Whether the server is shutting down.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Tells every connection to say goodbye and close: connections still in their handshake
    /// through [`Hub::shutdown_signal`], members through their room's published state (the one
    /// thing a member's connection waits on; the rooms stay on disk).
    pub fn begin_shutdown(&self) {
        if self.inner.shutdown.send_replace(true) {
            return;
        }
        for room in self.open_rooms() {
            room.mark_closed(CloseReason::ServerShutdown);
        }
    }

    /// Sends one heartbeat pulse to the members of every open room.
    pub fn pulse(&self) {
        for room in self.open_rooms() {
            room.pulse();
        }
    }

    fn open_rooms(&self) -> Vec<Arc<Room>> {
        self.rooms().values().cloned().collect()
    }

    /// Counts an open connection until the returned guard is dropped.
    pub fn track_connection(&self) -> ConnectionGuard {
        self.inner.connections.send_modify(|n| *n += 1);
        ConnectionGuard { hub: self.clone() }
    }

    /// Waits until every connection has closed.
    pub async fn connections_closed(&self) {
        let mut count = self.inner.connections.subscribe();
        let _ = count.wait_for(|n| *n == 0).await;
    }

    /// Number of open WebSocket connections.
    pub fn connection_count(&self) -> usize {
        *self.inner.connections.borrow()
    }

    /// The database (for shutdown).
    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }
}

/// Keeps a connection counted while alive.
pub struct ConnectionGuard {
    hub: Hub,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.hub.inner.connections.send_modify(|n| *n -= 1);
    }
}
