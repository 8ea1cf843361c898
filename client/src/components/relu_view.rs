//! The ReLU explanation: each output pixel is `max(0, x)` of the same input pixel, stepped
//! through the whole map.

use models::explain;
use shared::Focus;
use yew::prelude::*;

use crate::components::map_frame::Outline;
use crate::components::map_op_view::MapOpView;
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::scene::Scene;
use crate::shared_ref::Shared;
use crate::spatial::SpatialFocus;

/// Props of [`ReluView`].
#[derive(Properties, PartialEq)]
pub struct ReluViewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// Which ReLU neuron and step.
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
}

/// The ReLU view.
#[component]
pub fn ReluView(props: &ReluViewProps) -> Html {
    let net = model::network();
    let Some(at) = SpatialFocus::of(net, &props.focus) else {
        return html! { <p class="view-error">{ "This layer has no maps to explain." }</p> };
    };
    let (layer, neuron, y, x) = (at.layer, at.neuron, at.y, at.x);
    let relu = match explain::relu(net, &props.scene.trace, layer, &[neuron, y, x]) {
        Ok(r) => r,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this neuron: {e}") }</p> },
    };
    let pixel = Outline::pixel(y, x, "current");
    html! {
        <MapOpView kind="relu" title="ReLU"
            lead="ReLU keeps positive values and replaces negative ones with zero, pixel by pixel."
            hint="Negative values become 0; positive values pass through unchanged. Point at a map to jump there."
            scene={props.scene.clone()} heatmaps={props.heatmaps.clone()} {at} focus={props.focus}
            onnavigate={props.onnavigate.clone()} input_outlines={vec![pixel]}
            input_pick={at.pick_callback(props.focus, props.onnavigate.clone())}
            input_label={format!("input map, pixel row {y} column {x}")}>
            // One run of text, so the flex gaps of the formula cannot open spaces inside max(…).
            <span class="expression" data-testid="relu-expression">
                { "max(0, " }
                <span class="big-number" data-testid="relu-input" data-value={format::exact(relu.input)}>{ format::value(relu.input) }</span>
                { ")" }
            </span>
            <span>{ "=" }</span>
            <span class="big-number" data-testid="relu-output" data-value={format::exact(relu.output)}>{ format::value(relu.output) }</span>
        </MapOpView>
    }
}
