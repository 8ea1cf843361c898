//! The one HTTP router: the WebSocket endpoint `/ws`, a health check, and the client bundle.

use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use shared::codec::MAX_CLIENT_FRAME_BYTES;

use crate::connection;
use crate::hub::Hub;
use crate::static_files;

/// Read buffer per connection. tungstenite's default (128 KiB) would cost more than a whole
/// student is allowed (20 KB target); client frames are tiny apart from the instructor's uploads,
/// which simply take more reads. Kept small also because tungstenite zeroes the free part of it
/// before every read attempt, and a connection attempts one read per broadcast it sends.
const READ_BUFFER_BYTES: usize = 512;

/// Frames above this are cut off by the WebSocket layer; frames between the codec limit and this
/// get a readable `TooLarge` error from the codec instead.
const MAX_WS_MESSAGE_BYTES: usize = 2 * MAX_CLIENT_FRAME_BYTES as usize;

/// Buffered outgoing bytes per connection before sends fail (the snapshot is about 12 KB).
const MAX_WRITE_BUFFER_BYTES: usize = 2 * 1024 * 1024;

/// The server's routes.
pub fn router(hub: Hub) -> Router {
    let client_dir = hub.config().client_dir.clone();
    Router::new()
        .route("/ws", get(upgrade))
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback_service(static_files::router(client_dir))
        .with_state(hub)
}

async fn upgrade(ws: WebSocketUpgrade, State(hub): State<Hub>) -> Response {
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| connection::serve(socket, hub))
}
