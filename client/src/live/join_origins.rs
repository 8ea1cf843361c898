//! Asks the server where students can reach it (`GET /api/join-origins`), proving with the saved
//! instructor token that this browser runs the lecture: only the instructor learns the addresses.
//! A plain `XMLHttpRequest` with a load listener: promises and futures would add kilobytes to
//! the first visit for this one request.

use gloo::events::EventListener;
use js_sys::{JSON, Reflect};
use shared::RoomCode;
use wasm_bindgen::JsValue;
use web_sys::XmlHttpRequest;

use super::links::Reach;
use super::saved_session::{self, SavedSession};

/// Sends the request for the lecture `code`; `done` gets the answer, `None` when the server
/// gives none (the join link then keeps the page's own address). Dropping the listener drops the
/// answer. `None` at once without this lecture's instructor token.
pub fn ask(code: &RoomCode, done: impl FnOnce(Option<Reach>) + 'static) -> Option<EventListener> {
    let session = saved_session::load().filter(|session| session.code() == code)?;
    let SavedSession::Instructor { .. } = &session else {
        return None;
    };
    let (_, credential) = session.to_entry();
    let request = XmlHttpRequest::new().ok()?;
    request.open("GET", "/api/join-origins").ok()?;
    request
        .set_request_header("Authorization", &format!("Bearer {credential}"))
        .ok()?;
    let answered = request.clone();
    let mut done = Some(done);
    let listener = EventListener::new(&request, "loadend", move |_| {
        if let Some(done) = done.take() {
            done(read(&answered));
        }
    });
    request.send().ok()?;
    Some(listener)
}

/// The answer's fields, if the request succeeded.
fn read(request: &XmlHttpRequest) -> Option<Reach> {
    if request.status().ok()? != 200 {
        return None;
    }
    let json = JSON::parse(&request.response_text().ok()??).ok()?;
    let field = |name: &str| Reflect::get(&json, &JsValue::from_str(name)).ok();
    Some(Reach {
        loopback_only: field("loopback_only")?.as_bool()?,
        origin: Reflect::get_u32(&field("origins")?, 0).ok()?.as_string(),
    })
}
