//! The pooling explanation: each output pixel is the largest value of its window (max pooling,
//! the winner marked on the input map) or their mean (average pooling).

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

/// The pooling view: max or average pooling, whichever the layer is.
#[component]
pub fn PoolView(props: &PoolViewProps) -> Html {
    let net = model::network();
    let Some(at) = SpatialFocus::of(net, &props.focus) else {
        return html! { <p class="view-error">{ "This layer has no maps to explain." }</p> };
    };
    match net.layers().get(at.layer).map(|l| &l.layer) {
        Some(models::Layer::AvgPool2d(pool)) => average(props, at, pool.stride),
        Some(models::Layer::MaxPool2d(pool)) => max(props, at, pool.stride),
        _ => html! { <p class="view-error">{ "This layer is not a pooling layer." }</p> },
    }
}

fn max(props: &PoolViewProps, at: SpatialFocus, stride: usize) -> Html {
    let net = model::network();
    let (layer, neuron, y, x) = (at.layer, at.neuron, at.y, at.x);
    let pool = match explain::max_pool(net, &props.scene.trace, layer, neuron, y, x) {
        Ok(p) => p,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this neuron: {e}") }</p> },
    };
    let (kh, kw) = pool.window.dim();
    let window = Outline::block(pool.input_top, pool.input_left, (kh, kw), "window");
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

/// Average pooling: the window's values, their sum, and the sum divided by their count.
fn average(props: &PoolViewProps, at: SpatialFocus, stride: usize) -> Html {
    let net = model::network();
    let (layer, neuron, y, x) = (at.layer, at.neuron, at.y, at.x);
    let pool = match explain::avg_pool(net, &props.scene.trace, layer, neuron, y, x) {
        Ok(p) => p,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this neuron: {e}") }</p> },
    };
    let (kh, kw) = pool.window.dim();
    let window = Outline::block(pool.input_top, pool.input_left, (kh, kw), "window");
    let range = props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0);
    html! {
        <MapOpView kind="pool" title="Average pooling"
            lead={format!("Average pooling replaces each {kh}×{kw} window by the mean of its values, moving {stride} pixels at a time, so the map shrinks.")}
            hint={AttrValue::from(format!("Add the {} values and divide by {}: every value counts, not only the largest.", kh * kw, kh * kw))}
            scene={props.scene.clone()} heatmaps={props.heatmaps.clone()} {at} focus={props.focus}
            onnavigate={props.onnavigate.clone()} input_outlines={vec![window]}
            input_pick={at.pick_callback_scaled(props.focus, props.onnavigate.clone(), stride)}
            input_label={format!("input map, window at row {} column {}", pool.input_top, pool.input_left)}>
            <span>{ "mean(" }</span>
            <NumberGrid values={pool.window.clone()} range={range}
                test_prefix="pool-window" class="big" label="pooling window" />
            <span>{ ") = " }</span>
            <span data-testid="pool-sum" data-value={format::exact(pool.sum)}>{ format::value(pool.sum) }</span>
            <span>{ format!(" ÷ {} = ", kh * kw) }</span>
            <span class="big-number" data-testid="pool-output" data-value={format::exact(pool.value)}>{ format::value(pool.value) }</span>
        </MapOpView>
    }
}
