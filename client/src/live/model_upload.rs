//! The instructor's "Use your own network…": the model file goes to the classroom server with
//! `POST /api/models` (with the room's code and the instructor token, which only the
//! instructor's page holds), the server checks and stores it and answers its content hash, and
//! the console then switches the room to it over the WebSocket (`Control::UseModel`).

use js_sys::Uint8Array;
use models::json::{self, Json};
use shared::{InstructorToken, ModelHash, RoomCode};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// Uploads `file` for room `code`; the stored model's hash, or the server's sentence.
pub async fn upload(
    file: web_sys::File,
    code: &RoomCode,
    token: &InstructorToken,
) -> Result<ModelHash, String> {
    let offline = "The model could not be sent: the connection to the classroom server is lost. Try again.";
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The file could not be read; pick it again.".to_owned())?;
    let headers = Headers::new().map_err(|_| offline.to_owned())?;
    let name = js_sys::encode_uri_component(&file.name());
    for (header, value) in [
        ("x-room", code.to_string()),
        ("x-instructor-token", token.to_hex()),
        ("x-model-name", String::from(name)),
    ] {
        headers.set(header, &value).map_err(|_| offline.to_owned())?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&Uint8Array::new(&buffer));
    let response = JsFuture::from(gloo::utils::window().fetch_with_str_and_init("/api/models", &init))
        .await
        .map_err(|_| offline.to_owned())?;
    let response: Response = response.dyn_into().map_err(|_| offline.to_owned())?;
    let text = JsFuture::from(response.text().map_err(|_| offline.to_owned())?)
        .await
        .map_err(|_| offline.to_owned())?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        let text = text.trim();
        return Err(if text.is_empty() {
            format!("The server refused the model (status {}).", response.status())
        } else {
            text.to_owned()
        });
    }
    hash_of(&text)
        .ok_or_else(|| "The server's answer could not be read; reload the page and try again.".to_owned())
}

/// The `hash` of the server's answer `{"hash":"…","bytes":…,"name":"…"}`.
fn hash_of(answer: &str) -> Option<ModelHash> {
    match json::parse(answer).ok()?.get("hash")? {
        Json::String(hash) => hash.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_read_from_the_servers_answer() {
        let hash = ModelHash([0xab; 32]);
        let answer = format!(r#"{{"hash":"{hash}","bytes":1234,"name":"my net.safetensors"}}"#);
        assert_eq!(hash_of(&answer), Some(hash));
        assert_eq!(hash_of(r#"{"hash":"12"}"#), None);
        assert_eq!(hash_of("not json"), None);
    }
}
