//! Transport controls shared by every animation: step back, play/pause, step forward, speed,
//! and a scrub bar over all steps.

use shared::Focus;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::playback::{self, SPEEDS_MS};

/// Props of [`PlaybackBar`].
#[derive(Properties, PartialEq)]
pub struct PlaybackBarProps {
    /// The current focus (step, playing, speed).
    pub focus: Focus,
    /// Number of steps in the animation.
    pub steps: u32,
    /// What one step is, for the position text (e.g. "output pixel (3, 7)").
    pub position: AttrValue,
    /// Navigate to the changed focus.
    pub onnavigate: Callback<Focus>,
}

/// A 24×24 icon from one SVG path (no icon font, nothing fetched).
fn icon(path: &'static str) -> Html {
    html! {
        <svg class="glyph" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

/// The transport bar.
#[component]
pub fn PlaybackBar(props: &PlaybackBarProps) -> Html {
    let focus = props.focus;
    let steps = props.steps;
    let go = {
        let onnavigate = props.onnavigate.clone();
        move |change: &dyn Fn(&mut Focus)| {
            let mut next = focus;
            change(&mut next);
            onnavigate.emit(next);
        }
    };
    let back = {
        let go = go.clone();
        move |_| {
            go(&|f| {
                f.playing = false;
                f.step = playback::back(f.step, steps);
            })
        }
    };
    let forward = {
        let go = go.clone();
        move |_| {
            go(&|f| {
                f.playing = false;
                f.step = playback::forward(f.step, steps);
            })
        }
    };
    let toggle = {
        let go = go.clone();
        move |_| {
            go(&|f| {
                if !f.playing {
                    f.step = playback::play_from(f.step, steps);
                }
                f.playing = !f.playing;
            })
        }
    };
    let scrub = {
        let go = go.clone();
        move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(step) = value.parse::<u32>() {
                go(&|f| {
                    f.playing = false;
                    f.step = playback::clamp(step, steps);
                })
            }
        }
    };
    let speed = {
        let go = go.clone();
        move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(ms) = value.parse::<u16>() {
                go(&|f| f.step_ms = ms)
            }
        }
    };
    let current = SPEEDS_MS[playback::speed_index(focus.step_ms)];
    let speeds = SPEEDS_MS.iter().map(|&ms| {
        let label = playback::speed_label(ms);
        html! { <option value={ms.to_string()} selected={ms == current}>{ label }</option> }
    });
    let play_label = if focus.playing {
        "Pause (Space)"
    } else {
        "Play (Space)"
    };
    html! {
        <div class="playback" role="group" aria-label="Animation controls">
            <button class="icon" data-testid="step-back" onclick={back} aria-label="Step back (Left arrow)" title="Step back (←)">{ icon("M6 5h2v14H6zM19 5v14L9 12z") }</button>
            <button class="icon play" data-testid="play" onclick={toggle} aria-label={play_label} aria-pressed={focus.playing.to_string()} title={play_label}>
                { if focus.playing { icon("M6 5h4v14H6zM14 5h4v14h-4z") } else { icon("M7 4v16l13-8z") } }
            </button>
            <button class="icon" data-testid="step-forward" onclick={forward} aria-label="Step forward (Right arrow)" title="Step forward (→)">{ icon("M16 5h2v14h-2zM5 5v14l10-7z") }</button>
            <input
                type="range"
                class="scrub"
                data-testid="scrub"
                min="0"
                max={steps.saturating_sub(1).to_string()}
                value={focus.step.to_string()}
                oninput={scrub}
                aria-label="Animation position"
                aria-valuetext={format!("Step {} of {}, {}", focus.step + 1, steps, props.position)}
            />
            <span class="position" aria-live="off">
                { format!("step {} / {} · {}", focus.step + 1, steps, props.position) }
            </span>
            <label class="speed">
                <span>{ "Speed" }</span>
                <select data-testid="speed" onchange={speed} aria-label="Animation speed">{ for speeds }</select>
            </label>
            <span class="sweep" title="Time for the whole animation at this speed">
                { format!("full sweep {}", playback::sweep_duration(steps, current)) }
            </span>
        </div>
    }
}
