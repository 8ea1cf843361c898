//! Headers on every HTTP response: a Content-Security-Policy that allows only this server's own
//! origin (plus what WebAssembly and the app shell's one inline boot script need, the latter by
//! its hash), `nosniff`, no referrer to other sites, no framing; and the app shell (`/`, app
//! routes, `index.html`, `sw.js`, the manifest) always revalidated, so an upgrade never leaves a
//! stale page or service worker behind.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Finds the inline scripts' hashes of the bundle's `index.html`: the embedded one's once, one
/// on disk whenever it changes.
#[derive(Clone)]
pub struct Policy {
    source: Source,
}

#[derive(Clone)]
enum Source {
    /// The embedded bundle's page never changes.
    Fixed(Arc<str>),
    /// `index.html` of a bundle on disk, re-read when its modification time changes.
    Disk {
        index: PathBuf,
        /// std mutex: held to compare a timestamp and clone a string.
        cached: Arc<Mutex<Option<Cached>>>,
    },
}

/// The policy computed for `index.html` as it was modified at a time.
type Cached = (SystemTime, Arc<str>);

impl Policy {
    /// For the bundle in `client_dir`, or without one the embedded bundle.
    pub fn new(client_dir: Option<&std::path::Path>) -> Self {
        let source = match client_dir {
            Some(dir) => Source::Disk {
                index: dir.join("index.html"),
                cached: Arc::new(Mutex::new(None)),
            },
            None => {
                let html = crate::embedded::index_html().unwrap_or_default();
                Source::Fixed(Arc::from(content_security_policy(&String::from_utf8_lossy(
                    &html,
                ))))
            }
        };
        Self { source }
    }

    /// The policy for the current `index.html`.
    fn csp(&self) -> Arc<str> {
        let (index, cached) = match &self.source {
            Source::Fixed(csp) => return Arc::clone(csp),
            Source::Disk { index, cached } => (index, cached),
        };
        let modified = std::fs::metadata(index).and_then(|m| m.modified()).ok();
        let mut cached = cached.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(modified), Some((at, csp))) = (modified, cached.as_ref())
            && *at == modified
        {
            return Arc::clone(csp);
        }
        let html = std::fs::read_to_string(index).unwrap_or_default();
        let csp: Arc<str> = Arc::from(content_security_policy(&html));
        if let Some(modified) = modified {
            *cached = Some((modified, Arc::clone(&csp)));
        }
        csp
    }
}

/// The policy for a page whose inline scripts are those of `html`.
pub fn content_security_policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of each inline `<script>` element (those without `src`).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, body) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        Some(body.split_once("</script>")?.0)
    })
}

/// Whether `path` is part of the app shell (must never be served stale).
fn is_app_shell(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    !last.contains('.') || matches!(last, "index.html" | "sw.js" | "manifest.webmanifest")
}

/// Adds the headers to every response. Every response carries the page's policy, the boot
/// script's hash included, whatever its type: a reload revalidates the page and gets a bodyless
/// `304` without a content type, whose headers the browser then stores as the page's. A policy
/// without the hash there left the reloaded page on "Loading the network…" for good.
pub async fn add(State(policy): State<Policy>, request: Request, next: Next) -> Response {
    let shell = is_app_shell(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let csp = policy.csp();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if shell {
        // At least revalidate; an answer that must not be stored at all (`no-store`) says so.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_only() {
        let html = r#"<head><script type="module" src="/a.js"></script></head>
<body><script type="module">
    import init from "/client-1.js";
</script></body>"#;
        let csp = content_security_policy(html);
        let digest = Sha256::digest(b"\n    import init from \"/client-1.js\";\n");
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline'; img") || csp.contains("style-src 'self' 'unsafe-inline'"));
    }

    #[test]
    fn the_shell_is_revalidated_and_hashed_assets_are_not() {
        assert!(is_app_shell("/"));
        assert!(is_app_shell("/join/KQXWTB"));
        assert!(is_app_shell("/index.html"));
        assert!(is_app_shell("/sw.js"));
        assert!(!is_app_shell("/client-3f2a.wasm"));
    }
}
