//! The ReLU explanation: each output pixel is `max(0, x)` of the same input pixel, stepped
//! through the whole map; on a vector (between dense layers), value by value.

use models::explain;
use ndarray::Array2;
use shared::Focus;
use yew::prelude::*;

use crate::components::hint::Hint;
use crate::components::map_frame::Outline;
use crate::components::map_op_view::MapOpView;
use crate::components::number_grid::NumberGrid;
use crate::components::playback_bar::PlaybackBar;
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::navigation;
use crate::playback;
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
        return on_vector(props);
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
            { formula(&relu) }
        </MapOpView>
    }
}

/// `max(0, input) = output` with the real numbers; the same markup on maps and on vectors.
fn formula(relu: &explain::ReluExplanation) -> Html {
    html! {
        <>
            // One run of text, so the flex gaps of the formula cannot open spaces inside max(…).
            <span class="expression" data-testid="relu-expression">
                { "max(0, " }
                <span class="big-number" data-testid="relu-input" data-value={format::exact(relu.input)}>{ format::value(relu.input) }</span>
                { ")" }
            </span>
            <span>{ "=" }</span>
            <span class="big-number" data-testid="relu-output" data-value={format::exact(relu.output)}>{ format::value(relu.output) }</span>
        </>
    }
}

/// Values per row of a vector's grid.
const ROW: usize = 4;

/// A vector laid out `ROW` values a row; cells past its end are marked as padding.
fn grid(values: &[f32]) -> (Array2<f32>, Array2<bool>) {
    let rows = values.len().div_ceil(ROW).max(1);
    let cell = |r: usize, c: usize| values.get(r * ROW + c);
    (
        Array2::from_shape_fn((rows, ROW), |(r, c)| cell(r, c).copied().unwrap_or(0.0)),
        Array2::from_shape_fn((rows, ROW), |(r, c)| cell(r, c).is_none()),
    )
}

/// ReLU on a vector (between dense layers): every unit's value in and out, one unit a step.
fn on_vector(props: &ReluViewProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let layer = usize::from(focus.layer);
    let Some(&[units]) = net.output_shapes().get(layer).map(Vec::as_slice) else {
        return html! { <p class="view-error">{ "This layer has no values to explain." }</p> };
    };
    let steps = navigation::steps(net, &focus);
    let step = playback::clamp(focus.step, steps);
    let unit = (step as usize).min(units.saturating_sub(1));
    let relu = match explain::relu(net, &props.scene.trace, layer, &[unit]) {
        Ok(r) => r,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this unit: {e}") }</p> },
    };
    let inputs: Vec<f32> = props.scene.trace.layer_input(layer).iter().copied().collect();
    let outputs: Vec<f32> = props.scene.trace.outputs[layer].iter().copied().collect();
    let range = inputs.iter().fold(f32::EPSILON, |m, v| m.max(v.abs()));
    let marked = vec![(unit / ROW, unit % ROW)];
    let (input_grid, padding) = grid(&inputs);
    let (output_grid, _) = grid(&outputs);
    let name = model::layer_name(Some(layer));
    html! {
        <section class="view view-relu" data-testid="view-relu" data-step={step.to_string()}
                 aria-label={format!("ReLU: {name} unit {unit}")}>
            <p class="lead">{ format!("ReLU keeps positive values and replaces negative ones with zero, for each of the {units} values of {} in turn.", model::layer_name(layer.checked_sub(1))) }</p>
            <div class="view-body op-body">
                <div class="op-map vector-grid">
                    <NumberGrid values={input_grid} range={range} marked={marked.clone()} padding={Some(padding.clone())}
                        decimals={2} label={format!("{} (input)", model::layer_name(layer.checked_sub(1)))} />
                </div>
                <div class="op-formula">
                    <div class="formula big-formula" aria-live="polite">
                        { formula(&relu) }
                    </div>
                    <Hint>{ "Negative values become 0; positive values pass through unchanged." }</Hint>
                </div>
                <div class="op-map vector-grid">
                    <NumberGrid values={output_grid} range={range} {marked} padding={Some(padding)}
                        decimals={2} label={format!("{name} (output)")} />
                </div>
            </div>
            <PlaybackBar focus={Focus { step, ..focus }} steps={steps}
                position={AttrValue::from(format!("unit {unit}"))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}
