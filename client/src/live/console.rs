//! The instructor's slim console in the app header: the join code, who is here and who follows
//! or explores, "bring everyone back", locking the room, and ending the lecture.

use shared::Mode;
use yew::prelude::*;

use super::lecture::{ConnectionStatus, Lecture};

/// Props of [`Console`].
#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The lecture.
    pub lecture: Lecture,
    /// Send every exploring student back to the live focus.
    pub onbringback: Callback<()>,
    /// Lock (true) or unlock the room against new students.
    pub onlock: Callback<bool>,
    /// Show the big join screen.
    pub onshowjoin: Callback<()>,
    /// End the lecture for everyone.
    pub onend: Callback<()>,
    /// Record the view on screen as a step of a lesson.
    pub onaddmoment: Callback<()>,
}

/// The instructor's console.
#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let lecture = &props.lecture;
    let participants = lecture.participants();
    let following = lecture.count_in(Mode::Following);
    let exploring = lecture.count_in(Mode::Exploring);
    let status = match lecture.connection {
        ConnectionStatus::Live => "live: students follow you",
        ConnectionStatus::Connecting => "opening the room…",
        ConnectionStatus::Reconnecting { .. } => "reconnecting… (the lecture is kept)",
    };
    let locked = lecture.locked;
    let onend = {
        let onend = props.onend.clone();
        Callback::from(move |_: MouseEvent| {
            let sure = web_sys::window()
                .and_then(|window| {
                    window
                        .confirm_with_message("End the lecture for every student?")
                        .ok()
                })
                .unwrap_or(true);
            if sure {
                onend.emit(());
            }
        })
    };
    html! {
        <div class="live-console" role="region" aria-label="Lecture console">
            <button type="button" class="live-code" data-testid="join-code"
                title="Show the join screen (code, link and QR code) to the class"
                onclick={props.onshowjoin.reform(|_: MouseEvent| ())}>
                { lecture.code.as_ref().map(|code| code.to_string()).unwrap_or_else(|| "······".into()) }
            </button>
            <span data-testid="live-status" class={classes!("live-status",
                if lecture.connection == ConnectionStatus::Live { "live-status--leading" } else { "live-status--reconnecting" })}
                role="status" aria-live="polite">
                <span class="live-dot" aria-hidden="true"></span>{ status }
            </span>
            <span class="live-count" data-testid="participant-count" data-count={participants.to_string()}
                aria-live="polite">
                { format!("{participants} joined · {following} following · {exploring} exploring") }
            </span>
            <details class="live-roster">
                <summary>{ "Roster" }</summary>
                <ul data-testid="roster" aria-label="Students">
                    if lecture.roster.is_empty() {
                        <li class="live-roster-empty">{ "Nobody has joined yet." }</li>
                    }
                    { for lecture.roster.iter().map(|entry| {
                        let mode = match entry.mode { Mode::Following => "following", Mode::Exploring => "exploring" };
                        let state = if entry.connected { mode } else { "offline" };
                        html! {
                            <li key={entry.member.0} data-testid="roster-entry" data-name={entry.name.clone()}
                                data-mode={mode} data-connected={entry.connected.to_string()}
                                class={classes!("live-roster-entry", format!("live-roster-entry--{state}"))}>
                                <span class="live-roster-name">{ &entry.name }</span>
                                <span class="live-roster-mode">{ state }</span>
                            </li>
                        }
                    }) }
                </ul>
            </details>
            <button type="button" data-testid="bring-back" onclick={props.onbringback.reform(|_: MouseEvent| ())}
                title="Return every exploring student to your view">
                { "Bring everyone back" }
            </button>
            <button type="button" data-testid="lock-room" aria-pressed={locked.to_string()}
                onclick={props.onlock.reform(move |_: MouseEvent| !locked)}
                title="Locked rooms refuse new students; students who were here can still rejoin">
                { if locked { "Locked: unlock joins" } else { "Lock joins" } }
            </button>
            <button type="button" data-testid="add-moment" onclick={props.onaddmoment.reform(|_: MouseEvent| ())}
                title="Record what the class sees now as the next step of a lesson (notes, order and saving in the lesson panel)">
                { "Add this moment" }
            </button>
            <button type="button" class="live-end" onclick={onend}>{ "End lecture" }</button>
            if let Some(error) = &lecture.error {
                <p class="live-problem" role="alert">{ error }</p>
            }
        </div>
    }
}
