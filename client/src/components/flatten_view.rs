//! The flatten + dense explanation for one class: where each flattened value comes from, its
//! weight and contribution `w·x` to the class's logit, a running total, the per-channel
//! subtotals and the bias; the step walks through every flattened value.

use models::{Layer, explain};
use ndarray::Array2;
use shared::{Focus, View};
use yew::prelude::*;

use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::hint::Hint;
use crate::components::legend::{LegendScale, extremes, legend};
use crate::components::map_frame::{MapFrame, Outline};
use crate::components::playback_bar::PlaybackBar;
use crate::format;
use crate::heatmap::{self, MapScale};
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::navigation;
use crate::playback;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`FlattenView`].
#[derive(Properties, PartialEq)]
pub struct FlattenViewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// Which class (neuron of the dense layer) and step (flattened index).
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
}

/// The flatten/dense view.
#[component]
pub fn FlattenView(props: &FlattenViewProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let layer = usize::from(focus.layer);
    // Painted once per input and class, not per step.
    let strip = use_memo(
        (props.scene.clone(), layer, usize::from(focus.neuron)),
        |(scene, layer, class)| {
            let explanation = explain::linear(model::network(), &scene.trace, *layer, *class).ok();
            explanation.map(|e| {
                let range = e
                    .contributions
                    .iter()
                    .fold(0.0f32, |m, v| m.max(v.abs()))
                    .max(f32::EPSILON);
                let row = Array2::from_shape_fn((1, e.contributions.len()), |(_, i)| e.contributions[i]);
                (heatmap::paint(row.view(), MapScale::Diverging(range)), range)
            })
        },
    );

    let classes = net.output_shapes().get(layer).map_or(1, |s| s[0]);
    let class = usize::from(focus.neuron).min(classes.saturating_sub(1));
    let linear = match explain::linear(net, &props.scene.trace, layer, class) {
        Ok(l) => l,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this class: {e}") }</p> },
    };
    let flatten_layer = layer
        .checked_sub(1)
        .filter(|&l| net.layers()[l].layer == Layer::Flatten);
    let steps = navigation::steps(net, &focus);
    let step = playback::clamp(focus.step, steps);
    let index = step as usize;
    let source = flatten_layer.and_then(|f| explain::flatten_source(net, f, index).ok());
    let maps_layer = flatten_layer.and_then(|f| f.checked_sub(1));
    // A hidden dense layer's outputs are units, not classes.
    let is_last = navigation::last_linear(net) == Some(layer);
    let class_name = if is_last {
        net.class_names().get(class).cloned().unwrap_or_default()
    } else {
        format!("{} unit {class}", model::layer_name(Some(layer)))
    };
    let what = if is_last { "logit" } else { "value" };

    let running: f32 = linear.contributions.iter().take(index + 1).sum();
    let per_channel: Vec<(usize, f32)> = match (flatten_layer, maps_layer) {
        (Some(_), Some(m)) => {
            let per = net.output_shapes()[m][1] * net.output_shapes()[m][2];
            linear
                .contributions
                .chunks(per.max(1))
                .map(|chunk| chunk.iter().sum::<f32>())
                .enumerate()
                .collect()
        }
        _ => Vec::new(),
    };
    let channel_range = per_channel
        .iter()
        .fold(0.0f32, |m, (_, v)| m.max(v.abs()))
        .max(f32::EPSILON);

    let go = {
        let onnavigate = props.onnavigate.clone();
        move |step: usize| {
            onnavigate.emit(Focus {
                step: playback::clamp(step as u32, steps),
                playing: false,
                ..focus
            })
        }
    };
    let maps = maps_layer.map(|m| {
        let channels = net.output_shapes()[m][0];
        (0..channels)
            .filter_map(|c| {
                let pixels = props.heatmaps.get(Some(m), c).cloned()?;
                let outlines = match source {
                    Some((sc, sy, sx)) if sc == c => vec![Outline::pixel(sy, sx, "current")],
                    _ => Vec::new(),
                };
                let onpick = {
                    let go = go.clone();
                    let flatten = flatten_layer;
                    Callback::from(move |(py, px): (usize, usize)| {
                        if let Some(i) =
                            flatten.and_then(|f| explain::flatten_index(model::network(), f, c, py, px).ok())
                        {
                            go(i)
                        }
                    })
                };
                let all_zero = props.scene.map(Some(m), c).is_some_and(|map| map.iter().all(|v| *v == 0.0));
                Some(html! {
                    <MapFrame key={c} pixels={pixels} outlines={outlines} onpick={onpick} class="small" {all_zero}
                        caption={AttrValue::from(format!("#{c}"))}
                        label={format!("{} channel {c}", model::layer_name(Some(m)))} />
                })
            })
            .collect::<Html>()
    });
    let bars = per_channel.iter().map(|&(c, v)| {
        let width = 50.0 * v.abs() / channel_range;
        let style = if v >= 0.0 {
            format!("left:50%;width:{width:.1}%")
        } else {
            format!("left:{:.1}%;width:{width:.1}%", 50.0 - width)
        };
        let current = source.is_some_and(|(sc, _, _)| sc == c);
        html! {
            <div class={classes!("contribution", current.then_some("current"))}>
                <span class="label">{ format!("#{c}") }</span>
                <span class="track"><span class={classes!("fill", if v >= 0.0 { "positive" } else { "negative" })} style={style}></span></span>
                <span class="value">{ format::value(v) }</span>
            </div>
        }
    });
    let marker = format!(
        "left:{:.3}%",
        100.0 * (index as f64 + 0.5) / linear.contributions.len().max(1) as f64
    );
    let open_softmax = navigation::softmax_layer(net).map(|softmax| {
        let onnavigate = props.onnavigate.clone();
        move |_| {
            onnavigate.emit(Focus {
                view: View::Operation,
                layer: softmax as u16,
                neuron: class as u16,
                step: 0,
                playing: false,
                ..focus
            })
        }
    });
    let (x, w, c) = (
        linear.inputs.get(index).copied().unwrap_or(0.0),
        linear.weights.get(index).copied().unwrap_or(0.0),
        linear.contributions.get(index).copied().unwrap_or(0.0),
    );
    let from = source.map_or(String::new(), |(sc, sy, sx)| {
        format!(" from {} #{sc} at ({sy}, {sx})", model::layer_name(maps_layer))
    });
    let legends = focus.show_detail.then(|| {
        let maps = maps_layer.map(|m| {
            let (min, max) = props.scene.extremes.get(m).copied().unwrap_or_default();
            let range = props.heatmaps.ranges.get(m).copied().unwrap_or(1.0);
            legend(
                LegendScale::Diverging(range),
                (min, max),
                Some(format!("{} maps", model::layer_name(Some(m)))),
                "legend-maps",
                None,
            )
        });
        let contributions = (*strip).as_ref().map(|(_, range)| {
            legend(
                LegendScale::Diverging(*range),
                extremes(linear.contributions.iter()),
                Some("contributions w·x".to_owned()),
                "legend-contributions",
                None,
            )
        });
        html! { <div class="legend-row">{ maps.unwrap_or_default() }{ contributions.unwrap_or_default() }</div> }
    });
    let values = linear.inputs.len();
    html! {
        <section class="view view-flatten" data-testid="view-flatten" data-step={step.to_string()}
                 aria-label={format!("Flatten and dense layer for {class_name}")}>
            <p class="lead">
                if flatten_layer.is_some() {
                    { format!("Flatten lays the {} values of the maps out in one row (channel, then row, then column). ", linear.inputs.len()) }
                } else {
                    { format!("{} reads the {} values of {}. ", model::layer_name(Some(layer)), linear.inputs.len(), model::layer_name(layer.checked_sub(1))) }
                }
                { format!("The {what} of “{class_name}” adds up every value times its own weight, plus a bias.") }
            </p>
            <div class="view-body flatten-body">
                <div class="flatten-left">
                    <div class="flatten-maps">{ maps.unwrap_or_default() }</div>
                    { legends.unwrap_or_default() }
                    if flatten_layer.is_some() {
                        <Hint>{ format!("Flatten: the maps become one row of {} numbers, channel by channel, row by row. \
                                         Point at a map to pick a value.", format::grouped(values as u64)) }</Hint>
                    }
                </div>
                <div class="flatten-math">
                    <div class="strip" title="Each value's contribution w·x, in flattened order">
                        if let Some((pixels, _)) = (*strip).clone() {
                            <HeatmapCanvas pixels={pixels} class="strip-canvas" />
                        }
                        <span class="strip-marker" style={marker}></span>
                    </div>
                    <div class="formula big-formula" aria-live="polite">
                        <span>{ format!("x[{index}]{from} = ") }</span>
                        <span class="big-number" data-testid="flatten-input" data-value={format::exact(x)}>{ format::value(x) }</span>
                        <span>{ " × w " }</span>
                        <span class="big-number" data-testid="flatten-weight" data-value={format::exact(w)}>{ format::value(w) }</span>
                        <span>{ " = " }</span>
                        <span class="big-number" data-testid="flatten-contribution" data-value={format::exact(c)}>{ format::value(c) }</span>
                    </div>
                    <p class="running">{ format!("Running total of {}: {}", format::first(index + 1, "product", "products"), format::value(running)) }</p>
                    <Hint>{ format!("Multiply each number by its own weight, add all the products, then the bias: the {}.",
                                   if is_last { "class's logit" } else { "unit's value" }) }</Hint>
                    <h3>{ "Contribution of each channel" }</h3>
                    <div class="contributions">{ for bars }</div>
                    <div class="equation">
                        <span>{ "Σ w·x + bias " }</span>
                        <span data-testid="flatten-bias" data-value={format::exact(linear.bias)}>{ format::value(linear.bias) }</span>
                        <span>{ format!(" = {what} ") }</span>
                        <span class="big-number" data-testid="flatten-logit" data-value={format::exact(linear.total)}>{ format::value(linear.total) }</span>
                    </div>
                    if let (true, Some(onclick)) = (is_last, open_softmax) {
                        <button class="next" {onclick}>{ "Softmax: from logits to probabilities →" }</button>
                    }
                </div>
            </div>
            <PlaybackBar focus={Focus { step, ..focus }} steps={steps}
                position={AttrValue::from(format!("value {index}{from}"))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}
