//! A student's lecture bar: the always-visible "following" / "exploring" / "reconnecting…"
//! indicator (announced to screen readers), the one-click return to the live focus, and leave.

use shared::Mode;
use yew::prelude::*;

use super::lecture::{ConnectionStatus, Lecture};

/// Props of [`StudentStatus`].
#[derive(Properties, PartialEq)]
pub struct StudentStatusProps {
    /// The lecture.
    pub lecture: Lecture,
    /// Whether the screen follows or explores (`None` until the room's snapshot arrives).
    pub mode: Option<Mode>,
    /// Back to the live focus.
    pub onreturn: Callback<()>,
    /// Leave the lecture and continue self-paced.
    pub onleave: Callback<()>,
}

/// The student's indicator and controls.
#[component]
pub fn StudentStatus(props: &StudentStatusProps) -> Html {
    let lecture = &props.lecture;
    let reconnecting = lecture.connection != ConnectionStatus::Live;
    let (class, text) = match (lecture.connection, props.mode) {
        (ConnectionStatus::Connecting, _) => ("reconnecting", "joining…"),
        (ConnectionStatus::Reconnecting { .. }, _) => ("reconnecting", "reconnecting…"),
        (ConnectionStatus::Live, Some(Mode::Exploring)) => ("exploring", "exploring on your own"),
        (ConnectionStatus::Live, _) => ("following", "following the instructor"),
    };
    let exploring = props.mode == Some(Mode::Exploring);
    html! {
        <div class="live-student">
            <span data-testid="live-status" class={classes!("live-status", format!("live-status--{class}"))}
                role="status" aria-live="polite">
                <span class="live-dot" aria-hidden="true"></span>{ text }
            </span>
            if exploring {
                <button type="button" data-testid="return-live" class="live-return"
                    onclick={props.onreturn.reform(|_: MouseEvent| ())}
                    aria-keyshortcuts="L" title="Back to the instructor's view (key: L)">
                    { "Return to live" }<kbd>{ "L" }</kbd>
                </button>
            }
            <span class="live-room">
                if let Some(code) = &lecture.code { { format!("Room {code}") } }
                if let Some(name) = &lecture.name { { format!(" · {name}") } }
            </span>
            <button type="button" class="live-leave" onclick={props.onleave.reform(|_: MouseEvent| ())}
                title="Leave the lecture and continue on your own with the same image">
                { if reconnecting { "Continue on my own" } else { "Leave" } }
            </button>
            if reconnecting {
                <p class="live-notice" role="status">
                    { "The classroom server cannot be reached right now; this page keeps trying. \
                       You can keep exploring meanwhile, or continue on your own." }
                </p>
            }
            if let Some(warning) = &lecture.warning {
                <p class="live-warning" role="alert" data-testid="live-warning">{ warning }</p>
            }
            if let Some(error) = &lecture.error {
                <p class="live-problem" role="alert">{ error }</p>
            }
        </div>
    }
}
