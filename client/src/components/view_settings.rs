//! Display settings: the colour-range mode (per layer, per block, whole network), the detail
//! toggle (full names, shapes and ranges), and the colour legend.

use shared::{ColorRange, Focus};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::color;

/// Props of [`ViewSettings`].
#[derive(Properties, PartialEq)]
pub struct ViewSettingsProps {
    /// The current focus (colour range and detail live in it, so students follow them).
    pub focus: Focus,
    /// Navigate to the changed focus.
    pub onnavigate: Callback<Focus>,
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
    let options = MODES.iter().map(|(mode, value, title)| {
        html! { <option value={*value} selected={*mode == focus.color_range} title={*title}>{ format!("per {value}") }</option> }
    });
    html! {
        <div class="view-settings">
            <label>
                <span>{ "Colour range" }</span>
                <select {onchange} aria-label="Colour range of the activation maps">{ for options }</select>
            </label>
            <button class={classes!("button", focus.show_detail.then_some("active"))} onclick={toggle}
                    aria-pressed={focus.show_detail.to_string()} title="Show full layer names, shapes and ranges">
                { "Details" }
            </button>
            <div class="legend" aria-label="Colour legend: orange is negative, white zero, purple positive">
                <span class="legend-text">{ "negative" }</span>
                <span class="legend-bar" style={format!("background:{}", color::diverging_gradient())}></span>
                <span class="legend-text">{ "positive" }</span>
            </div>
        </div>
    }
}
