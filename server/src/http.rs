//! The one HTTP router: the WebSocket endpoint `/ws` (same-origin only), the instructor-key
//! page, a health check, where students can reach the server (instructor only), the model files
//! ([`crate::model_routes`]) and the client bundle, every response with the security headers.

use axum::Router;
use axum::extract::{Extension, Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shared::codec::MAX_CLIENT_FRAME_BYTES;

use crate::accept::ConnInfo;
use crate::connection::{self, Peer};
use crate::hub::Hub;
use crate::reach::{self, Listening};
use crate::{model_routes, origin, security_headers, static_files};

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

/// Name of the cookie that carries the instructor key.
pub const INSTRUCTOR_COOKIE: &str = "cnn_instructor_key";

/// The server's routes, for a server listening on `listening`.
pub fn router(hub: Hub, listening: std::net::SocketAddr) -> Router {
    let client_dir = hub.config().client_dir.clone();
    let policy = security_headers::Policy::new(client_dir.as_deref());
    Router::new()
        .route("/ws", get(upgrade))
        .route("/healthz", get(health))
        .route("/instructor", get(instructor_key))
        .route("/api/join-origins", get(reach::join_origins))
        .route("/api/models", post(model_routes::upload))
        .route("/models/{hash}", get(model_routes::download))
        .fallback_service(static_files::router(client_dir))
        .with_state(hub)
        .layer(Extension(Listening(listening)))
        .layer(axum::middleware::from_fn_with_state(
            policy,
            security_headers::add,
        ))
}

async fn upgrade(
    ws: WebSocketUpgrade,
    State(hub): State<Hub>,
    Extension(info): Extension<ConnInfo>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = origin::check(&headers, hub.config()) {
        tracing::debug!(peer = %info.peer, %refused, "WebSocket upgrade refused");
        return (StatusCode::FORBIDDEN, format!("{refused}\n")).into_response();
    }
    let peer = Peer {
        ip: info.peer.ip(),
        may_create: may_create(&headers, hub.config().instructor_key.as_deref()),
        instructor_only: info.instructor_only,
        meter: info.meter,
    };
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| connection::serve(socket, hub, peer))
}

/// Whether the request may create rooms: always without a configured key, otherwise only with
/// the key's cookie.
fn may_create(headers: &HeaderMap, key: Option<&str>) -> bool {
    let Some(key) = key else { return true };
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == INSTRUCTOR_COOKIE && constant_time_eq(value.as_bytes(), key.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(serde::Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

/// `/instructor?key=..`: with the right key, remembers it in this browser (a cookie only this
/// server's own pages send) and opens the app, where creating a room then works.
async fn instructor_key(
    State(hub): State<Hub>,
    Extension(info): Extension<ConnInfo>,
    Query(query): Query<KeyQuery>,
) -> Response {
    let Some(expected) = hub.config().instructor_key.as_deref() else {
        return (axum::http::StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    };
    let given = query.key.unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        if let Err(wait) = hub.failed_join_limiter().try_take(&info.peer.ip()) {
            let text = format!(
                "Too many wrong keys from your address; try again in {}.\n",
                crate::rate_limit::wait_text(wait)
            );
            return (StatusCode::TOO_MANY_REQUESTS, text).into_response();
        }
        return (
            StatusCode::FORBIDDEN,
            "This instructor key is wrong; open the instructor link the server printed when it started.\n",
        )
            .into_response();
    }
    let secure = if info.tls { "; Secure" } else { "" };
    let cookie =
        format!("{INSTRUCTOR_COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400{secure}");
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `200 ok` while the server can save; `503` once the store's writer has stopped.
async fn health(State(hub): State<Hub>) -> Response {
    if hub.store().is_running() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "unhealthy: the room database writer has stopped, so changes are not saved; restart the server\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::inference::Inference;
    use crate::model_store::ModelStore;
    use crate::room_model::RoomModel;
    use crate::store::Store;

    #[tokio::test]
    async fn health_turns_unhealthy_when_the_store_writer_has_stopped() {
        let (store, rooms) = Store::open(None).expect("in-memory store");
        let store = Arc::new(store);
        let config = crate::Config::new(None, None);
        let rooms = rooms
            .into_iter()
            .map(|room| (room, RoomModel::tiny_vgg()))
            .collect();
        let models = ModelStore::open(None, 1 << 20).expect("in-memory model store");
        let hub = Hub::new(
            config,
            Arc::clone(&store),
            rooms,
            Arc::new(Inference::new(1 << 20, 1)),
            Arc::new(models),
            RoomModel::tiny_vgg(),
        );
        assert_eq!(health(State(hub.clone())).await.status(), StatusCode::OK);
        store.close();
        let response = health(State(hub)).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn the_key_cookie_is_needed_only_when_a_key_is_set() {
        let mut headers = HeaderMap::new();
        assert!(may_create(&headers, None));
        assert!(!may_create(&headers, Some("s3cret")));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; cnn_instructor_key=s3cret"),
        );
        assert!(may_create(&headers, Some("s3cret")));
        assert!(!may_create(&headers, Some("other")));
    }
}
