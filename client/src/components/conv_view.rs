//! The convolution explanation (the headline view): every input channel with its own kernel,
//! the window sliding over each input in step with the output pixel it produces, the
//! element-wise products and per-channel sums, each channel's intermediate map (the channel
//! convolved with its own kernel, before the sum), plus the bias, equal to the overview's value.

use models::explain;
use shared::{Focus, View};
use yew::prelude::*;

use crate::components::hint::Hint;
use crate::components::legend::{LegendScale, extremes, legend};
use crate::components::map_frame::{MapFrame, Outline};
use crate::components::number_grid::NumberGrid;
use crate::components::playback_bar::PlaybackBar;
use crate::components::values_table::ValuesTable;
use crate::format;
use crate::heatmap::{self, MapScale, Pixels};
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::navigation;
use crate::playback;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`ConvView`].
#[derive(Properties, PartialEq)]
pub struct ConvViewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// Which conv neuron, channel and step.
    pub focus: Focus,
    /// Navigate to a new focus.
    pub onnavigate: Callback<Focus>,
}

fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f32 {
    values
        .into_iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(f32::EPSILON)
}

/// Every input channel's intermediate map for one output channel, painted once on one shared
/// diverging scale (so the tiles compare), with the maps for the values the tiles expose.
struct Intermediate {
    maps: ndarray::Array3<f32>,
    pixels: Vec<Pixels>,
    /// The symmetric range they are painted with.
    range: f32,
}

fn intermediate(scene: &Scene, layer: usize, neuron: usize) -> Option<Intermediate> {
    let net = model::network();
    let neuron = neuron.min(net.output_shapes().get(layer)?.first()?.checked_sub(1)?);
    let maps = explain::conv_intermediate_maps(net, &scene.trace, layer, neuron).ok()?;
    let range = max_abs(maps.iter());
    let scale = MapScale::Diverging(range);
    let pixels = maps.outer_iter().map(|map| heatmap::paint(map, scale)).collect();
    Some(Intermediate { maps, pixels, range })
}

/// The convolution view.
#[component]
pub fn ConvView(props: &ConvViewProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let layer = usize::from(focus.layer);
    // Computed and painted per input and neuron, never per animation step.
    let intermediate = use_memo(
        (props.scene.clone(), layer, usize::from(focus.neuron)),
        |(scene, layer, neuron)| intermediate(scene, *layer, *neuron),
    );
    let Some(shape) = net.output_shapes().get(layer).filter(|s| s.len() == 3) else {
        return html! { <p class="view-error">{ "This layer has no maps to explain." }</p> };
    };
    let (channels_out, out_h, out_w) = (shape[0], shape[1], shape[2]);
    let neuron = usize::from(focus.neuron).min(channels_out - 1);
    let steps = navigation::steps(net, &focus);
    let step = playback::clamp(focus.step, steps);
    let (y, x) = playback::pixel(step, out_w);
    let explanation = match explain::conv(net, &props.scene.trace, layer, neuron, y, x) {
        Ok(e) => e,
        Err(e) => return html! { <p class="view-error">{ format!("Cannot explain this neuron: {e}") }</p> },
    };
    let source_layer = layer.checked_sub(1);
    let (kh, kw) = explanation
        .channels
        .first()
        .map(|c| c.kernel.dim())
        .unwrap_or((1, 1));
    let (stride, padding) = match &net.layers()[layer].layer {
        models::Layer::Conv2d(c) => (c.stride, c.padding),
        _ => (1, 0),
    };
    let selected = usize::from(focus.channel).min(explanation.channels.len().saturating_sub(1));
    let weight_range = max_abs(explanation.channels.iter().flat_map(|c| c.kernel.iter()));
    let product_range = max_abs(explanation.channels.iter().flat_map(|c| c.products.iter()));
    let input_range = max_abs(explanation.channels.iter().flat_map(|c| c.patch.iter()));

    let go_step = {
        let onnavigate = props.onnavigate.clone();
        move |oy: usize, ox: usize| {
            onnavigate.emit(Focus {
                step: playback::step_of(oy.min(out_h - 1), ox.min(out_w - 1), out_w),
                playing: false,
                ..focus
            })
        }
    };
    // An input pixel picks the output pixel whose window is centred nearest to it.
    let from_input = move |iy: usize, ix: usize| {
        let to_out = |i: usize, k: usize, len: usize| {
            let o = (i as isize + padding as isize - (k / 2) as isize).max(0) as usize / stride;
            o.min(len - 1)
        };
        (to_out(iy, kh, out_h), to_out(ix, kw, out_w))
    };

    let current = Outline::pixel(y, x, "current");
    let window = Outline {
        top: explanation.input_top,
        left: explanation.input_left,
        height: kh,
        width: kw,
        class: "window",
    };
    let cards = explanation.channels.iter().map(|term| {
        let c = term.in_channel;
        let Some(pixels) = props.heatmaps.get(source_layer, c).cloned() else {
            return html! {};
        };
        let onpick = {
            let go_step = go_step.clone();
            Callback::from(move |(iy, ix): (usize, usize)| {
                let (oy, ox) = from_input(iy, ix);
                go_step(oy, ox)
            })
        };
        let select = {
            let onnavigate = props.onnavigate.clone();
            move |_| {
                onnavigate.emit(Focus {
                    view: View::Operation,
                    channel: c as u16,
                    ..focus
                })
            }
        };
        let source_name = if source_layer.is_none() {
            format!("{} input", model::input_channel_name(c))
        } else {
            format!("{} #{c}", model::layer_name(source_layer))
        };
        // The intermediate map: the sum's pixel, with the window's output pixel outlined.
        let tile = (*intermediate).as_ref().and_then(|inter| {
            let pixels = inter.pixels.get(c)?.clone();
            let value = *inter.maps.get([c, y, x])?;
            let onpick = {
                let go_step = go_step.clone();
                Callback::from(move |(oy, ox): (usize, usize)| go_step(oy, ox))
            };
            Some(html! {
                <>
                    <span class="op">{ "→" }</span>
                    <div class="intermediate" data-testid={format!("conv-intermediate-{c}")}
                         data-value={format::exact(value)}>
                        <MapFrame pixels={pixels} outlines={vec![current.clone()]} onpick={onpick}
                            all_zero={inter.maps.index_axis(ndarray::Axis(0), c).iter().all(|v| *v == 0.0)}
                            caption={AttrValue::from("intermediate")}
                            label={format!("intermediate map of {source_name}: the channel convolved with its own kernel, \
                                before adding channels; {} at row {y} column {x}", format::value(value))} />
                    </div>
                </>
            })
        });
        html! {
            <div key={c} class={classes!("channel-card", (c == selected).then_some("selected"))}>
                <button class="channel-title" onclick={select} aria-pressed={(c == selected).to_string()}
                        aria-label={format!("Show channel {c} ({source_name}) in detail")}>
                    { source_name.clone() }
                </button>
                <div class="channel-row">
                    <MapFrame pixels={pixels} outlines={vec![window.clone()]} onpick={onpick}
                        all_zero={props.scene.map(source_layer, c).is_some_and(|m| m.iter().all(|v| *v == 0.0))}
                        label={format!("{source_name}, the {kh}×{kw} window at rows {} to {}, columns {} to {}",
                            explanation.input_top, explanation.input_top + kh as isize - 1,
                            explanation.input_left, explanation.input_left + kw as isize - 1)} />
                    <span class="op">{ "⊙" }</span>
                    <NumberGrid values={term.kernel.clone()} range={weight_range} decimals={2}
                        class="kernel" label={format!("kernel for {source_name}")} />
                    <span class="op">{ "→" }</span>
                    <NumberGrid values={term.products.clone()} range={product_range}
                        test_prefix={format!("conv-product-{c}")} class="products"
                        label={format!("products for {source_name}")} />
                    <span class="op">{ "Σ" }</span>
                    <span class="channel-sum" data-testid={format!("conv-channel-sum-{c}")}
                          data-value={format::exact(term.sum)}>{ format::value(term.sum) }</span>
                    { tile.unwrap_or_default() }
                </div>
            </div>
        }
    });

    let detail = explanation.channels.get(selected).map(|term| {
        let try_it = {
            let onnavigate = props.onnavigate.clone();
            move |_| onnavigate.emit(crate::playground::from_conv_view(net, &focus, layer, neuron, selected, y, x))
        };
        html! {
            <div class="conv-detail" aria-live="polite">
                <h3>{ format!("Channel {selected} at output pixel ({y}, {x})") }</h3>
                <div class="formula">
                    <NumberGrid values={term.patch.clone()} range={input_range.max(1.0)}
                        padding={Some(term.in_padding.clone())} class="big" label="input window" />
                    <span class="op">{ "×" }</span>
                    <NumberGrid values={term.kernel.clone()} range={weight_range} class="big" label="kernel" />
                    <span class="op">{ "=" }</span>
                    <NumberGrid values={term.products.clone()} range={product_range} class="big" label="products" />
                    <span class="op">{ "→ Σ =" }</span>
                    <span class="big-number">{ format::value(term.sum) }</span>
                </div>
                <Hint>{ "Each cell of the window times the kernel weight at the same place; the products add up to the channel's sum." }</Hint>
                <button type="button" class="link" data-testid="conv-to-playground" onclick={try_it}>
                    { "Try this kernel with other padding, kernel sizes and strides in the playground" }
                </button>
            </div>
        }
    });

    let sums = explanation.channels.iter().map(|t| {
        html! { <span class="term">{ format::value(t.sum) }</span> }
    });
    let agrees = (explanation.total - explanation.traced).abs() <= 1e-4 * explanation.traced.abs().max(1.0);
    let output_pixels = props.heatmaps.get(Some(layer), neuron).cloned();
    let output = output_pixels.map(|pixels| {
        let onpick = {
            let go_step = go_step.clone();
            Callback::from(move |(oy, ox): (usize, usize)| go_step(oy, ox))
        };
        html! {
            <MapFrame pixels={pixels} outlines={vec![current.clone()]} onpick={onpick} class="output-map"
                caption={AttrValue::from(format!("Σ intermediate maps + bias = {} #{neuron}", model::layer_name(Some(layer))))}
                label={format!("output map: the sum of all intermediate maps plus the bias; current pixel row {y} column {x}")} />
        }
    });

    // Numeric legends of what the colours show: the inputs, the kernel weights, the intermediate
    // maps and the output map.
    let legends = focus.show_detail.then(|| {
        let (source_min, source_max, source_scale) = match source_layer {
            None => (
                props.scene.input_extremes.0,
                props.scene.input_extremes.1,
                LegendScale::Input,
            ),
            Some(l) => {
                let (lo, hi) = props.scene.extremes[l];
                (lo, hi, LegendScale::Diverging(props.heatmaps.ranges[l]))
            }
        };
        let (kernel_min, kernel_max) = extremes(explanation.channels.iter().flat_map(|c| c.kernel.iter()));
        let intermediate_legend = (*intermediate).as_ref().map(|inter| {
            legend(
                LegendScale::Diverging(inter.range),
                extremes(inter.maps.iter()),
                Some("intermediate maps".to_owned()),
                "legend-intermediate",
                None,
            )
        });
        html! {
            <div class="legend-row">
                { legend(source_scale, (source_min, source_max),
                    Some(format!("{} (inputs)", model::layer_name(source_layer))), "legend-source", None) }
                { legend(LegendScale::Diverging(weight_range), (kernel_min, kernel_max),
                    Some("kernel weights".to_owned()), "legend-kernel", None) }
                { intermediate_legend.unwrap_or_default() }
            </div>
        }
    });
    let output_legend = focus.show_detail.then(|| {
        let (min, max) = props
            .scene
            .map(Some(layer), neuron)
            .map(|m| extremes(m.iter()))
            .unwrap_or_default();
        let range = props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0);
        legend(
            LegendScale::Diverging(range),
            (min, max),
            Some(format!("{} #{neuron}", model::layer_name(Some(layer)))),
            "legend-output",
            None,
        )
    });
    let channel_count = explanation.channels.len();

    html! {
        <section class="view view-conv" data-testid="view-conv" data-step={step.to_string()}
                 aria-label={format!("Convolution: {} neuron {neuron}", model::layer_name(Some(layer)))}>
            <p class="lead">
                if channel_count == 1 {
                    { format!("{} neuron {neuron}: the one input channel is convolved with its {kh}×{kw} kernel, plus a bias.",
                              model::layer_name(Some(layer))) }
                } else {
                    { format!("{} neuron {neuron}: each of the {channel_count} input channels is convolved with its own {kh}×{kw} kernel; \
                               the results are added up, plus a bias.", model::layer_name(Some(layer))) }
                }
            </p>
            <div class="view-body conv-body">
                <div class="channel-pane">
                    { legends.unwrap_or_default() }
                    <Hint>
                        { format!("Each input channel has its own {kh}×{kw} kernel. Slide it over the channel, multiply and add: \
                                   that channel's intermediate map. Point at a map to move the window.") }
                    </Hint>
                    <div class="channel-list">{ for cards }</div>
                </div>
                // The result first (every channel's sum, the bias, the total, the output map), then
                // the selected channel's arithmetic in large print.
                <div class="conv-result">
                    <div class="conv-sum" aria-live="polite">
                        <h3>{ format!("All channels at ({y}, {x}), plus the bias") }</h3>
                        <Hint>{ "Add the intermediate maps, then the bias." }</Hint>
                        <div class="terms">{ for sums }</div>
                        <div class="equation">
                            <span>{ "+ bias " }</span>
                            <span class="bias" data-testid="conv-bias" data-value={format::exact(explanation.bias)}>
                                { format::value(explanation.bias) }
                            </span>
                            <span>{ " = " }</span>
                            <span class="total big-number" data-testid="conv-total" data-value={format::exact(explanation.total)}>
                                { format::value(explanation.total) }
                            </span>
                        </div>
                        <p class={classes!("check", (!agrees).then_some("mismatch"))}>
                            { if agrees {
                                format!("✓ the same value as in the overview ({})", format::value(explanation.traced))
                              } else {
                                format!("The overview shows {}", format::value(explanation.traced))
                              } }
                        </p>
                    </div>
                    <div class="output-column">
                        { output.unwrap_or_default() }
                        { output_legend.unwrap_or_default() }
                    </div>
                    { detail.unwrap_or_default() }
                    if let Some(map) = props.scene.map(Some(layer), neuron) {
                        <ValuesTable title={format!("{} #{neuron}", model::layer_name(Some(layer)))}
                            values={map.to_owned()} current={Some((y, x))} />
                    }
                </div>
            </div>
            <PlaybackBar focus={Focus { step, ..focus }} steps={steps}
                position={AttrValue::from(format!("output pixel ({y}, {x})"))}
                onnavigate={props.onnavigate.clone()} />
        </section>
    }
}
