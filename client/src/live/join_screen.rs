//! The join screen for the projector: the code in letters readable from the back of the room,
//! the join link, and a QR code for phones, at an address students can reach (not the
//! `127.0.0.1` the instructor may have opened); or, when nothing can reach the server, why not
//! and how to fix it.

use gloo::events::EventListener;
use shared::RoomCode;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::join_origins;
use super::links::{Reach, join_link, student_origin};
use super::qr::qr_svg;

/// Props of [`JoinScreen`].
#[derive(Properties, PartialEq)]
pub struct JoinScreenProps {
    /// The room's code.
    pub code: RoomCode,
    /// Students connected so far.
    pub participants: usize,
    /// Where students can reach the server; `None` while asking, `Some(None)`: no answer.
    pub reach: Option<Option<Reach>>,
    /// Close the screen (button or Escape).
    pub onclose: Callback<()>,
    /// The server's answer to where students can reach it.
    pub onreach: Callback<Option<Reach>>,
}

/// A full-page overlay with the code, link and QR code.
#[component]
pub fn JoinScreen(props: &JoinScreenProps) -> Html {
    let reach = props.reach.as_ref().and_then(Option::as_ref);
    let location = web_sys::window().map(|window| window.location());
    let read = |part: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location.as_ref().and_then(|l| part(l).ok()).unwrap_or_default()
    };
    let (host, port) = (read(web_sys::Location::hostname), read(web_sys::Location::port));
    // Empty when no student could open it.
    let link = student_origin(&read(web_sys::Location::origin), &host, reach)
        .map(|origin| join_link(&origin, &props.code))
        .unwrap_or_default();
    let qr = use_memo(link.clone(), |link| {
        (!link.is_empty())
            .then(|| qr_svg(link, "QR code of the join link"))
            .flatten()
    });
    let hint = if !link.is_empty() {
        "Open this address and type the code, or scan the QR code:".to_owned()
    } else if reach.is_some_and(|reach| reach.loopback_only) {
        format!(
            "Students cannot reach this server: it listens on this computer only. Stop it and \
             start it again with --bind 0.0.0.0:{port} (or CNN_CLASSROOM_BIND=0.0.0.0:{port})."
        )
    } else {
        "Students cannot reach this server: this computer has no network address they could use. \
         Connect it to the classroom network and open this screen again."
            .to_owned()
    };
    let close_button = use_node_ref();
    {
        let (onclose, close_button) = (props.onclose.clone(), close_button.clone());
        let (code, onreach) = (props.code.clone(), props.onreach.clone());
        use_effect_with((), move |_| {
            // Asked each time the screen opens: the laptop may have joined a network meanwhile.
            let answer = onreach.clone();
            let request = join_origins::ask(&code, move |reach| answer.emit(reach));
            if request.is_none() {
                onreach.emit(None);
            }
            if let Some(button) = close_button.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "keydown", move |event| {
                    let escape = event
                        .dyn_ref::<web_sys::KeyboardEvent>()
                        .is_some_and(|key| key.key() == "Escape");
                    if escape {
                        onclose.emit(());
                    }
                })
            });
            move || drop((listener, request))
        });
    }
    html! {
        <div class="live-join-screen" role="dialog" aria-modal="true" aria-labelledby="live-join-title">
            <div class="live-join-card" data-reach={if props.reach.is_some() { "answered" } else { "asking" }}>
                <h2 id="live-join-title">{ "Join the lecture" }</h2>
                <p class={if link.is_empty() { "live-join-hint live-join-warn" } else { "live-join-hint" }}
                    data-testid={if link.is_empty() { "join-unreachable" } else { "join-hint" }}>{ hint }</p>
                <p class="live-join-link" data-testid="join-link">{ link }</p>
                <p class="live-join-code" data-testid="join-screen-code" aria-label={format!("Code {}", spaced(&props.code))}>
                    { props.code.to_string() }
                </p>
                if let Some(svg) = &*qr {
                    <div class="live-join-qr" data-testid="join-qr">{ Html::from_html_unchecked(svg.clone().into()) }</div>
                }
                <p class="live-join-count">{ format!("{} joined", props.participants) }</p>
                <button type="button" ref={close_button} data-testid="join-screen-close"
                    onclick={props.onclose.reform(|_: MouseEvent| ())}>{ "Start teaching" }</button>
            </div>
        </div>
    }
}

/// "K X M R T W": screen readers read the code letter by letter.
fn spaced(code: &RoomCode) -> String {
    code.as_str()
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}
