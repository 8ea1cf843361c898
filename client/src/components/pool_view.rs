//! The max-pooling explanation: each output pixel is the largest value of its window; the
//! window and its winner are marked on the input map.

use models::explain;
use shared::Focus;
use yew::prelude::*;

use crate::components::map_frame::Outline;
use crate::components::map_op_view::MapOpView;
use crate::components::number_grid::NumberGrid;
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
    let winner = Outline::pixel(
        pool.input_top + pool.winner.0,
        pool.input_left + pool.winner.1,
        "winner",
    );
    let range = props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0);
    html! {
        <MapOpView kind="pool" title="Max pooling"
            lead={format!("Max pooling keeps the largest value of each {kh}×{kw} window, moving {stride} pixels at a time, so the map shrinks.")}
            hint={AttrValue::from(format!("Only the largest of the {} values survives (outlined); the map becomes {stride}× smaller each way.", kh * kw))}
            scene={props.scene.clone()} heatmaps={props.heatmaps.clone()} {at} focus={props.focus}
            onnavigate={props.onnavigate.clone()} input_outlines={vec![window, winner]}
            input_pick={at.pick_callback_scaled(props.focus, props.onnavigate.clone(), stride)}
            input_label={format!("input map, window at row {} column {}", pool.input_top, pool.input_left)}>
            <span>{ "max(" }</span>
            <NumberGrid values={pool.window.clone()} range={range} marked={vec![pool.winner]}
                test_prefix="pool-window" class="big" label="pooling window" />
            <span>{ ") = " }</span>
            <span class="big-number" data-testid="pool-output" data-value={format::exact(pool.value)}>{ format::value(pool.value) }</span>
        </MapOpView>
    }
}
