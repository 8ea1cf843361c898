//! The max-pooling explanation: each output pixel is the largest value of its window; the
//! window and its winner are marked on the input map.

use models::explain;
use shared::Focus;
use yew::prelude::*;

use crate::components::map_frame::{MapFrame, Outline};
use crate::components::number_grid::NumberGrid;
use crate::components::playback_bar::PlaybackBar;
use crate::components::values_table::ValuesTable;
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::scene::Scene;
use crate::shared_ref::Shared;
use crate::spatial::SpatialFocus;

/// Props of [`PoolView`].
#[derive(Properties, PartialEq)]
pub struct PoolViewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// Which pooling neuron and step.
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
}

/// The max-pool view.
#[component]
pub fn PoolView(props: &PoolViewProps) -> Html {
    let net = model::network();
    let Some(at) = SpatialFocus::of(net, &props.focus) else {
        return html! { <p class="view-error">{ "This layer has no maps to explain." }</p> };
    };
    let (layer, neuron, y, x) = (at.layer, at.neuron, at.y, at.x);
    let pool = match explain::max_pool(net, &props.scene.trace, layer, neuron, y, x) {
        Ok(p) => p,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this neuron: {e}") }</p> },
    };
    let stride = match &net.layers()[layer].layer {
        models::Layer::MaxPool2d(p) => p.stride,
        _ => 1,
    };
    let (kh, kw) = pool.window.dim();
    let window = Outline {
        top: pool.input_top as isize,
        left: pool.input_left as isize,
        height: kh,
        width: kw,
        class: "window",
    };
    let winner = Outline {
        top: (pool.input_top + pool.winner.0) as isize,
        left: (pool.input_left + pool.winner.1) as isize,
        height: 1,
        width: 1,
        class: "winner",
    };
    let pixel = Outline {
        top: y as isize,
        left: x as isize,
        height: 1,
        width: 1,
        class: "current",
    };
    let range = props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0);
    let input = props.heatmaps.get(layer.checked_sub(1), neuron).cloned();
    let output = props.heatmaps.get(Some(layer), neuron).cloned();
    let source = model::layer_name(layer.checked_sub(1));
    let name = model::layer_name(Some(layer));
    html! {
        <section class="view view-pool" data-testid="view-pool" data-step={at.step.to_string()}
                 aria-label={format!("Max pooling: {name} neuron {neuron}")}>
            <p class="lead">{ format!("Max pooling keeps the largest value of each {kh}×{kw} window, moving {stride} pixels at a time, so the map shrinks.") }</p>
            <div class="op-body">
                if let Some(pixels) = input {
                    <MapFrame pixels={pixels} outlines={vec![window, winner]}
                        onpick={at.pick_callback_scaled(props.focus, props.onnavigate.clone(), stride)}
                        caption={AttrValue::from(format!("{source} #{neuron} (input)"))}
                        label={format!("input map, window at row {} column {}", pool.input_top, pool.input_left)} />
                }
                <div class="formula big-formula" aria-live="polite">
                    <span>{ "max(" }</span>
                    <NumberGrid values={pool.window.clone()} range={range} marked={vec![pool.winner]}
                        test_prefix="pool-window" class="big" label="pooling window" />
                    <span>{ ") = " }</span>
                    <span class="big-number" data-testid="pool-output" data-value={format::exact(pool.value)}>{ format::value(pool.value) }</span>
                </div>
                if let Some(pixels) = output {
                    <MapFrame pixels={pixels} outlines={vec![pixel]}
                        onpick={at.pick_callback(props.focus, props.onnavigate.clone())}
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
