//! The client bundle over HTTP, from the binary ([`crate::embedded`]) or, with `--client-dir`,
//! from a directory on disk: files with their content types (`application/wasm` included),
//! gzip-compressed when the bundle has a `.gz` copy and the browser accepts gzip
//! (`scripts/build-client.sh` writes one for every file), `index.html` for app paths such as
//! `/join/KQXWTB`, and a page saying how to build the bundle when it is missing.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, Response, StatusCode, Uri, header};
use axum::response::IntoResponse;
use tower_http::services::ServeDir;

/// The service for every path that is not an API route: the bundle in `dir`, or without one
/// the bundle embedded in the binary.
pub fn router(dir: Option<PathBuf>) -> Router {
    let Some(dir) = dir else {
        return Router::new().fallback(crate::embedded::serve);
    };
    let index = dir.join("index.html");
    let app_page = move |uri: Uri| async move { fallback(&index, uri.path()).await };
    Router::new().fallback_service(
        ServeDir::new(&dir)
            .precompressed_gzip()
            .fallback(app_page.into_service()),
    )
}

/// Whether the last path segment looks like a file (`app-3f2a.wasm`), not an app route.
pub(crate) fn is_asset_path(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

async fn fallback(index: &Path, path: &str) -> Response<Body> {
    if is_asset_path(path) {
        return not_in_bundle(path);
    }
    match tokio::fs::read(index).await {
        Ok(html) => {
            let mut response = Response::new(Body::from(html));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            // The page names content-hashed assets; always revalidate it so a new bundle shows.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Err(_) => not_built(&format!("{} is missing", index.display())),
    }
}

/// `404` for a file the bundle does not have (e.g. an old bundle's hashed name).
pub(crate) fn not_in_bundle(path: &str) -> Response<Body> {
    (
        StatusCode::NOT_FOUND,
        format!("{path} is not part of the client bundle.\n"),
    )
        .into_response()
}

/// `503` saying how to build the client, because `why`.
pub(crate) fn not_built(why: &str) -> Response<Body> {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "The classroom server is running, but the web client is not built: {why}.\n\
             Build it with `bash scripts/build-client.sh` (after `bash scripts/setup.sh --for run`) \
             and then the server (`cargo build --release -p server` embeds it), or point the server \
             at a built bundle with --client-dir.\n"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_routes_are_not_assets() {
        assert!(is_asset_path("/client-3f2a.wasm"));
        assert!(is_asset_path("/assets/style.css"));
        assert!(!is_asset_path("/join/KQXWTB"));
        assert!(!is_asset_path("/"));
    }
}
