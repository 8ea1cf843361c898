//! The join screen for the projector: the code in letters readable from the back of the room,
//! the join link, and a QR code for phones.

use gloo::events::EventListener;
use shared::RoomCode;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::links::join_link;
use super::qr::qr_svg;

/// Props of [`JoinScreen`].
#[derive(Properties, PartialEq)]
pub struct JoinScreenProps {
    /// The room's code.
    pub code: RoomCode,
    /// Students connected so far.
    pub participants: usize,
    /// Close the screen (button or Escape).
    pub onclose: Callback<()>,
}

/// A full-page overlay with the code, link and QR code.
#[component]
pub fn JoinScreen(props: &JoinScreenProps) -> Html {
    let origin = web_sys::window()
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default();
    let link = join_link(&origin, &props.code);
    let qr = use_memo(link.clone(), |link| qr_svg(link, "QR code of the join link"));
    let close_button = use_node_ref();
    {
        let (onclose, close_button) = (props.onclose.clone(), close_button.clone());
        use_effect_with((), move |_| {
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
            move || drop(listener)
        });
    }
    html! {
        <div class="live-join-screen" role="dialog" aria-modal="true" aria-labelledby="live-join-title">
            <div class="live-join-card">
                <h2 id="live-join-title">{ "Join the lecture" }</h2>
                <p class="live-join-hint">{ "Open this address and type the code, or scan the QR code:" }</p>
                <p class="live-join-link" data-testid="join-link">{ &link }</p>
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
