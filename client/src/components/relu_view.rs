//! The ReLU explanation: each output pixel is `max(0, x)` of the same input pixel, stepped
//! through the whole map.

use models::explain;
use shared::Focus;
use yew::prelude::*;

use crate::components::map_frame::{MapFrame, Outline};
use crate::components::playback_bar::PlaybackBar;
use crate::components::values_table::ValuesTable;
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
    let pixel = Outline {
        top: y as isize,
        left: x as isize,
        height: 1,
        width: 1,
        class: "current",
    };
    let onpick = at.pick_callback(props.focus, props.onnavigate.clone());
    let input = props.heatmaps.get(layer.checked_sub(1), neuron).cloned();
    let output = props.heatmaps.get(Some(layer), neuron).cloned();
    let source = model::layer_name(layer.checked_sub(1));
    let name = model::layer_name(Some(layer));
    html! {
        <section class="view view-relu" data-testid="view-relu" data-step={at.step.to_string()}
                 aria-label={format!("ReLU: {name} neuron {neuron}")}>
            <p class="lead">{ "ReLU keeps positive values and replaces negative ones with zero, pixel by pixel." }</p>
            <div class="op-body">
                if let Some(pixels) = input {
                    <MapFrame pixels={pixels} outlines={vec![pixel.clone()]} onpick={onpick.clone()}
                        caption={AttrValue::from(format!("{source} #{neuron} (input)"))}
                        label={format!("input map, pixel row {y} column {x}")} />
                }
                <div class="formula big-formula" aria-live="polite">
                    <span>{ "max(0, " }</span>
                    <span class="big-number" data-testid="relu-input" data-value={format::exact(relu.input)}>{ format::value(relu.input) }</span>
                    <span>{ ") = " }</span>
                    <span class="big-number" data-testid="relu-output" data-value={format::exact(relu.output)}>{ format::value(relu.output) }</span>
                </div>
                if let Some(pixels) = output {
                    <MapFrame pixels={pixels} outlines={vec![pixel]} onpick={onpick}
                        caption={AttrValue::from(format!("{name} #{neuron} (output)"))}
                        label={format!("output map, pixel row {y} column {x}")} />
                }
            </div>
            if let Some(map) = props.scene.map(Some(layer), neuron) {
                <ValuesTable title={format!("{name} #{neuron}")} values={map.to_owned()} current={Some((y, x))} />
            }
            <PlaybackBar focus={Focus { step: at.step, ..props.focus }} steps={at.steps}
                position={AttrValue::from(format!("pixel ({y}, {x})"))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}
