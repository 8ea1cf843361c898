//! The model files over HTTP: the instructor's console uploads a model (`POST /api/models`),
//! students download the room's model by its content hash (`GET /models/<hash>`, immutable).
//!
//! An upload is checked in this order, cheapest first, so nobody can make the server read or
//! parse a large body without the room's instructor token: Host and Origin (as for the
//! WebSocket), the credentials (compared in constant time; wrong ones count against the
//! address's failed joins), the room's upload rate, the declared length, then at most two
//! uploads at a time are read (within the size limit and the message timeout) and one at a time
//! is checked off the async runtime (`models::bundle::read` within `Budget::TEACHING`), then stored. Every refusal is a
//! plain-text sentence. The upload does not switch the room: the console then sends
//! `Control::UseModel`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use models::budget::Budget;
use shared::model::{ModelHash, ModelInfo};
use shared::{InstructorToken, RoomCode};

use crate::accept::ConnInfo;
use crate::hub::Hub;
use crate::model_store::{LoadedModel, ModelStoreError};
use crate::rate_limit::wait_text;

/// Header naming the room the model is for.
pub const ROOM_HEADER: &str = "x-room";
/// Header carrying the room's instructor token (hex, as in `Credentials::Instructor`).
pub const TOKEN_HEADER: &str = "x-instructor-token";
/// Optional header with the file's name (percent-encoded UTF-8 allowed).
pub const NAME_HEADER: &str = "x-model-name";

/// How long an upload waits for another one to be checked before it is told to try again.
const QUEUE_WAIT: Duration = Duration::from_secs(30);

/// `Cache-Control` of a model file: its address is its content hash, so it never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn sentence(status: StatusCode, text: impl Into<String>) -> Response {
    let mut text = text.into();
    text.push('\n');
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /api/models`: checks and stores a model; answers `{"hash","bytes","name"}` as JSON.
pub async fn upload(
    State(hub): State<Hub>,
    Extension(conn): Extension<ConnInfo>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refused) = crate::origin::check(&headers, hub.config()) {
        return sentence(StatusCode::FORBIDDEN, refused.to_string());
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let code = text(ROOM_HEADER).and_then(|c| RoomCode::parse(c).ok());
    let token = text(TOKEN_HEADER).and_then(|t| InstructorToken::from_hex(t).ok());
    let (Some(code), Some(token)) = (code, token) else {
        return sentence(
            StatusCode::UNAUTHORIZED,
            "Only the instructor of a lecture can upload a model: send it from the instructor's \
             console (it adds the room's code and instructor token).",
        );
    };
    let ip = conn.peer.ip();
    if let Err(wait) = hub.failed_join_limiter().check(&ip) {
        return sentence(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong codes or tokens from your address; wait {} and try again.",
                wait_text(wait)
            ),
        );
    }
    // Same answer for a wrong code and a wrong token: the refusal tells nothing about rooms.
    let Some(room) = hub.room(&code).filter(|room| room.is_instructor_token(&token)) else {
        let _ = hub.failed_join_limiter().try_take(&ip);
        return sentence(
            StatusCode::FORBIDDEN,
            "This instructor token does not match an open lecture; open the console from the link \
             you got when you created the room, and upload from there.",
        );
    };
    if let Err(wait) = hub.model_upload_limiter().try_take(room.code()) {
        return sentence(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many models uploaded in a row; wait {} before the next one.",
                wait_text(wait)
            ),
        );
    }
    let max = models::bundle::MAX_BYTES;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return too_large(max);
    }
    let busy = || {
        sentence(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy receiving and checking other models; try again in a minute.",
        )
    };
    // Two uploads arrive at once at most (each up to `max` bytes in memory), so a slow one
    // cannot hold up the checking, which is one at a time.
    let Ok(Ok(_receiving)) = tokio::time::timeout(QUEUE_WAIT, hub.model_reads().acquire()).await else {
        return busy();
    };
    let read = tokio::time::timeout(hub.config().message_timeout, axum::body::to_bytes(body, max)).await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) if is_length_limit(&error) => return too_large(max),
        Ok(Err(_)) => {
            return sentence(
                StatusCode::BAD_REQUEST,
                "The upload broke off before the whole file arrived; try again.",
            );
        }
        Err(_) => {
            return sentence(
                StatusCode::REQUEST_TIMEOUT,
                "The upload took too long to arrive; try again on a faster connection.",
            );
        }
    };
    let Ok(Ok(_checking)) = tokio::time::timeout(QUEUE_WAIT, hub.model_checks().acquire()).await else {
        return busy();
    };
    let name = headers
        .get(NAME_HEADER)
        .map(|v| percent_decode(v.as_bytes()))
        .unwrap_or_else(|| "model".to_owned());
    let models = Arc::clone(hub.models());
    let checked = tokio::task::spawn_blocking(move || {
        let network = models::bundle::read(&bytes, &Budget::TEACHING).map_err(Refused::Model)?;
        drop(bytes);
        models.add(network, &name, false).map_err(Refused::Store)
    })
    .await;
    match checked {
        Ok(Ok((info, _))) => {
            tracing::info!(code = %room.code(), model = %info.hash, bytes = info.bytes, "model uploaded");
            let mut response = (StatusCode::OK, info_json(&info)).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Ok(Err(Refused::Model(error))) => sentence(
            StatusCode::BAD_REQUEST,
            full_stop(format!("This file is not a model the classroom can use: {error}")),
        ),
        Ok(Err(Refused::Store(error @ ModelStoreError::Full { .. }))) => {
            sentence(StatusCode::INSUFFICIENT_STORAGE, error.to_string())
        }
        Ok(Err(Refused::Store(error))) => sentence(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
        Err(_) => sentence(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed while checking the model; try again.",
        ),
    }
}

enum Refused {
    Model(models::ModelError),
    Store(ModelStoreError),
}

/// `text` ending in a full stop (the model's refusals are clauses).
fn full_stop(mut text: String) -> String {
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

fn too_large(max: usize) -> Response {
    sentence(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The file is larger than {} bytes, the most a model may have; a teaching network is far \
             smaller, so check that this is the right file.",
            models::budget::thousands(max as u64)
        ),
    )
}

/// Whether reading the body stopped at the length limit (axum wraps http-body's error).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if current.to_string().contains("length limit exceeded") {
            return true;
        }
        source = current.source();
    }
    false
}

/// `{"hash":"…","bytes":…,"name":"…"}`.
fn info_json(info: &ModelInfo) -> String {
    format!(
        "{{\"hash\":\"{}\",\"bytes\":{},\"name\":{}}}",
        info.hash,
        info.bytes,
        models::json::quote(&info.name)
    )
}

/// `%xx` escapes decoded (as `encodeURIComponent` writes them), then read as UTF-8 (lossy).
fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET /models/<hash>`: the model file, cacheable for good; `404` for a model the server does
/// not have.
pub async fn download(State(hub): State<Hub>, Path(hash): Path<String>) -> Response {
    let not_found = || {
        sentence(
            StatusCode::NOT_FOUND,
            "This server has no model with this hash; the instructor may have to upload it again.",
        )
    };
    let Ok(hash) = hash.parse::<ModelHash>() else {
        return not_found();
    };
    let models = hub.models();
    let bytes = match models.in_memory(&hash) {
        Some(bytes) => bytes,
        None if models.contains(&hash) => {
            // On disk only: read and checked one at a time, as uploads are.
            let Ok(_permit) = hub.model_checks().acquire().await else {
                return not_found();
            };
            let models = Arc::clone(models);
            match tokio::task::spawn_blocking(move || models.get(&hash)).await {
                Ok(Ok((_, loaded))) => bytes_of(&loaded),
                _ => return not_found(),
            }
        }
        None => return not_found(),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}

fn bytes_of(loaded: &LoadedModel) -> Bytes {
    loaded.bytes.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_percent_decoded_and_json_is_escaped() {
        assert_eq!(percent_decode(b"caf%C3%A9%20net.model"), "café net.model");
        assert_eq!(percent_decode(b"100%"), "100%");
        assert_eq!(percent_decode(b"%zz"), "%zz");
        let info = ModelInfo {
            hash: ModelHash([0xab; 32]),
            bytes: 12,
            name: "a \"b\"".into(),
        };
        let json = info_json(&info);
        assert!(
            json.starts_with(&format!("{{\"hash\":\"{}\",\"bytes\":12,", "ab".repeat(32))),
            "{json}"
        );
        let parsed = models::json::parse(&json).expect("valid JSON");
        assert_eq!(models::json::write(&parsed), json);
    }
}
