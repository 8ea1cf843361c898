//! The layout the element-wise map operations share (ReLU, max pooling): the input map, the
//! operation's formula at the current position, the output map with the current pixel, their
//! numeric legends, a teaching hint, the output's values on demand and the playback bar.

use shared::Focus;
use yew::prelude::*;

use crate::components::hint::Hint;
use crate::components::legend::{LegendScale, extremes, legend};
use crate::components::map_frame::{MapFrame, Outline};
use crate::components::playback_bar::PlaybackBar;
use crate::components::values_table::ValuesTable;
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::scene::Scene;
use crate::shared_ref::Shared;
use crate::spatial::SpatialFocus;

/// Props of [`MapOpView`].
#[derive(Properties, PartialEq)]
pub struct MapOpViewProps {
    /// `relu` or `pool`: the view's CSS class and test id are `view-{kind}`.
    pub kind: &'static str,
    /// The operation's name for the accessible label, e.g. "Max pooling".
    pub title: AttrValue,
    /// The sentence above the maps.
    pub lead: AttrValue,
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// The checked position.
    pub at: SpatialFocus,
    /// The full focus (speed, playing).
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
    /// What to outline on the input map.
    pub input_outlines: Vec<Outline>,
    /// Called with the input pixel pointed at.
    pub input_pick: Callback<(usize, usize)>,
    /// Accessible description of the input map.
    pub input_label: AttrValue,
    /// The teaching hint beside the formula.
    pub hint: AttrValue,
    /// The formula between the maps.
    pub children: Html,
}

/// Input map, formula, output map, values and playback of one element-wise map operation.
#[component]
pub fn MapOpView(props: &MapOpViewProps) -> Html {
    let at = props.at;
    let (layer, neuron, y, x) = (at.layer, at.neuron, at.y, at.x);
    let input = props.heatmaps.get(layer.checked_sub(1), neuron).cloned();
    let output = props.heatmaps.get(Some(layer), neuron).cloned();
    let source = model::layer_name(layer.checked_sub(1));
    let name = model::layer_name(Some(layer));
    let pixel = Outline::pixel(y, x, "current");
    let kind = format!("view-{}", props.kind);
    let class = classes!("view", kind.clone());
    let silent = |layer: Option<usize>| {
        props
            .scene
            .map(layer, neuron)
            .is_some_and(|m| m.iter().all(|v| *v == 0.0))
    };
    let map_legend = |layer: usize, role: &str| -> Html {
        if !props.focus.show_detail {
            return html! {};
        }
        let Some(map) = props.scene.map(Some(layer), neuron) else {
            return html! {};
        };
        let range = props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0);
        legend(
            LegendScale::Diverging(range),
            extremes(map.iter()),
            None,
            &format!("legend-{role}"),
            None,
        )
    };
    html! {
        <section {class} data-testid={kind} data-step={at.step.to_string()}
                 aria-label={format!("{}: {name} neuron {neuron}", props.title)}>
            <p class="lead">{ props.lead.clone() }</p>
            <div class="view-body op-body">
                <div class="op-map">
                    if let Some(pixels) = input {
                        <MapFrame pixels={pixels} outlines={props.input_outlines.clone()}
                            onpick={props.input_pick.clone()} all_zero={silent(layer.checked_sub(1))}
                            caption={AttrValue::from(format!("{source} #{neuron} (input)"))}
                            label={props.input_label.clone()} />
                    }
                    { layer.checked_sub(1).map(|l| map_legend(l, "input")).unwrap_or_default() }
                </div>
                <div class="op-formula">
                    <div class="formula big-formula" aria-live="polite">{ props.children.clone() }</div>
                    <Hint>{ props.hint.clone() }</Hint>
                    if let Some(map) = props.scene.map(Some(layer), neuron) {
                        <ValuesTable title={format!("{name} #{neuron}")} values={map.to_owned()} current={Some((y, x))} />
                    }
                </div>
                <div class="op-map">
                    if let Some(pixels) = output {
                        <MapFrame pixels={pixels} outlines={vec![pixel]} all_zero={silent(Some(layer))}
                            onpick={at.pick_callback(props.focus, props.onnavigate.clone())}
                            caption={AttrValue::from(format!("{name} #{neuron} (output)"))}
                            label={format!("output map, pixel row {y} column {x}")} />
                    }
                    { map_legend(layer, "output") }
                </div>
            </div>
            <PlaybackBar focus={Focus { step: at.step, ..props.focus }} steps={at.steps}
                position={AttrValue::from(format!("pixel ({y}, {x})"))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}
