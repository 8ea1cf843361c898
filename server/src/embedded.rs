//! The client bundle compiled into the binary (`client/dist` as it was at build time, `.gz`
//! copies included), so one `cnn-classroom` file serves the whole app with nothing beside it.
//! Answers like the directory service does for a bundle on disk: content types, the gzip copy
//! when the browser accepts gzip, conditional requests (by ETag), `index.html` for app routes.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use rust_embed::Embed;

use crate::static_files::{is_asset_path, not_built, not_in_bundle};

/// `client/dist` at build time; empty when it was not built (`server/build.rs` makes cargo
/// rebuild the server when it appears or changes).
#[derive(Embed)]
#[folder = "../client/dist"]
#[allow_missing = true]
struct Dist;

/// Whether the binary carries a client bundle.
pub fn is_built() -> bool {
    Dist::get("index.html").is_some()
}

/// The embedded `index.html`, if the bundle was built.
pub fn index_html() -> Option<Cow<'static, [u8]>> {
    Dist::get("index.html").map(|file| file.data)
}

/// Answers one request for a path of the bundle.
pub async fn serve(request: Request<Body>) -> Response<Body> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let path = request.uri().path();
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        name if is_asset_path(path) => name,
        // An app route such as /join/KQXWTB: the app shell routes it by URL.
        _ => "index.html",
    };
    let Some(raw) = Dist::get(name) else {
        return if name == "index.html" {
            not_built("this binary was built without it")
        } else {
            not_in_bundle(path)
        };
    };
    let gzip = accepts_gzip(request.headers())
        .then(|| Dist::get(&format!("{name}.gz")))
        .flatten();
    let encoded = gzip.is_some();
    let file = gzip.unwrap_or(raw.clone());
    let etag = etag(&file.metadata.sha256_hash());

    let mut response = if if_none_match(request.headers(), &etag) {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        Response::new(Body::from(file.data))
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(raw.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if encoded {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// A strong ETag from the sent bytes' SHA-256 (the gzip copy has its own, as HTTP requires).
fn etag(sha256: &[u8; 32]) -> String {
    let hex: String = sha256[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether `If-None-Match` names `etag` (or `*`), so a `304` without a body will do.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// Whether `Accept-Encoding` allows gzip (named, or `*`, with a quality above zero).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next()?.trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((name, quality))
        })
        .any(|(name, quality)| (name == "gzip" || name == "x-gzip" || name == "*") && quality > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn gzip_is_chosen_only_when_accepted() {
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "gzip, deflate, br, zstd"
        )));
        assert!(accepts_gzip(&with(
            header::ACCEPT_ENCODING,
            "br;q=1.0, GZIP;q=0.5"
        )));
        assert!(accepts_gzip(&with(header::ACCEPT_ENCODING, "*")));
        assert!(!accepts_gzip(&with(header::ACCEPT_ENCODING, "br")));
        assert!(!accepts_gzip(&with(header::ACCEPT_ENCODING, "gzip;q=0, br")));
        assert!(!accepts_gzip(&with(header::ACCEPT_ENCODING, "identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_matching_etag_means_not_modified() {
        let tag = etag(&[0xab; 32]);
        assert_eq!(tag, format!("\"{}\"", "ab".repeat(12)));
        let mut headers = HeaderMap::new();
        assert!(!if_none_match(&headers, &tag));
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", W/{tag}")).unwrap(),
        );
        assert!(if_none_match(&headers, &tag));
        assert!(if_none_match(&with(header::IF_NONE_MATCH, "*"), &tag));
        assert!(!if_none_match(&with(header::IF_NONE_MATCH, "\"other\""), &tag));
    }
}
