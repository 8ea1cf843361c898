//! View settings: the colour-range mode (per layer, per block, whole network) and the detail
//! toggle (full names, shapes and the numeric legends), which students follow; and this screen's
//! own hints and projector mode, which they do not.

use shared::{ColorRange, Focus};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::display::Display;

/// Props of [`ViewSettings`].
#[derive(Properties, PartialEq)]
pub struct ViewSettingsProps {
    /// The current focus (colour range and detail live in it, so students follow them).
    pub focus: Focus,
    /// Navigate to the changed focus.
    pub onnavigate: Callback<Focus>,
    /// This screen's hints and projector mode.
    pub display: Display,
    /// Change them.
    pub ondisplay: Callback<Display>,
}

const MODES: [(ColorRange, &str, &str); 3] = [
    (
        ColorRange::Layer,
        "layer",
        "Each conv layer (with its ReLU and pooling) gets its own range",
    ),
    (
        ColorRange::Block,
        "block",
        "Each block of layers up to a pooling layer shares one range",
    ),
    (ColorRange::Network, "network", "One range for the whole network"),
];

/// The settings bar.
#[component]
pub fn ViewSettings(props: &ViewSettingsProps) -> Html {
    let focus = props.focus;
    let onchange = {
        let onnavigate = props.onnavigate.clone();
        move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((mode, _, _)) = MODES.iter().find(|(_, v, _)| *v == value) {
                onnavigate.emit(Focus {
                    color_range: *mode,
                    ..focus
                });
            }
        }
    };
    let toggle = {
        let onnavigate = props.onnavigate.clone();
        move |_| {
            onnavigate.emit(Focus {
                show_detail: !focus.show_detail,
                ..focus
            })
        }
    };
    let display = props.display;
    let toggle_hints = props.ondisplay.reform(move |_: MouseEvent| Display {
        hints: !display.hints,
        ..display
    });
    let toggle_projector = props.ondisplay.reform(move |_: MouseEvent| Display {
        projector: !display.projector,
        ..display
    });
    let options = MODES.iter().map(|(mode, value, title)| {
        html! { <option value={*value} selected={*mode == focus.color_range} title={*title}>{ format!("per {value}") }</option> }
    });
    let pressed = |on: bool| classes!("button", on.then_some("active"));
    html! {
        <div class="view-settings">
            <label>
                <span class="setting-name">{ "Colour range" }</span>
                <select {onchange} data-testid="color-range" aria-label="Colour range of the activation maps">{ for options }</select>
            </label>
            <button class={pressed(focus.show_detail)} onclick={toggle} data-testid="toggle-detail"
                    aria-pressed={focus.show_detail.to_string()} title="Show full layer names, shapes and the colour legends">
                { "Details" }
            </button>
            <button class={pressed(display.hints)} onclick={toggle_hints} data-testid="toggle-hints"
                    aria-pressed={display.hints.to_string()} title="Show short teaching notes on the views (this screen only)">
                { "Hints" }
            </button>
            <button class={pressed(display.projector)} onclick={toggle_projector} data-testid="toggle-projector"
                    aria-pressed={display.projector.to_string()} title="Larger type and thicker outlines for a projector (this screen only)">
                { "Projector" }
            </button>
        </div>
    }
}
