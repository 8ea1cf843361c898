//! The bundle's files that the first screen does not need (the article, the built-in lessons):
//! where they are, named with their content hash by a `<meta>` of the page that
//! `scripts/build-client.sh` fills in, and their download when first opened (the service worker
//! then keeps them for offline use).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// The address the page's `<meta name="{meta}">` gives, or `fallback` (an unbuilt page).
pub fn url(meta: &str, fallback: &str) -> String {
    gloo::utils::document()
        .query_selector(&format!("meta[name=\"{meta}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_else(|| fallback.to_owned())
}

/// Downloads `url`; `offline` is the sentence for a failed connection, a refusal names the
/// server's status.
pub async fn fetch(url: &str, offline: &str) -> Result<Response, String> {
    let response = JsFuture::from(gloo::utils::window().fetch_with_str(url))
        .await
        .map_err(|_| offline.to_owned())?;
    let response: Response = response.dyn_into().map_err(|_| offline.to_owned())?;
    if !response.ok() {
        return Err(format!(
            "it could not be loaded (the server answered {}); reload the page and try again",
            response.status()
        ));
    }
    Ok(response)
}

/// Waits for a body read (`response.text()`, `response.array_buffer()`); a connection lost
/// half-way gives `offline`.
pub async fn body(read: Result<js_sys::Promise, JsValue>, offline: &str) -> Result<JsValue, String> {
    JsFuture::from(read.map_err(|_| offline.to_owned())?)
        .await
        .map_err(|_| offline.to_owned())
}
