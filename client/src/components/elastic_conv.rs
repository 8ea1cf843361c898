//! What the overview adds around a conv neuron (the paper's elastic explanation): each input
//! channel's kernel as a small glyph, the intermediate map it makes (the channel convolved with
//! its own kernel, before the sum), dashed flow edges input → intermediate → "+" → neuron, the
//! bias under the "+", and the window in step with the playback on the inputs, the
//! intermediate maps and the neuron. A map or kernel opens that channel's arithmetic.

use models::{Layer, explain};
use ndarray::{Array3, Axis};
use shared::Focus;
use yew::prelude::*;

use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::hint::Hint;
use crate::components::legend::{LegendScale, extremes, legend};
use crate::elastic::ConvParts;
use crate::format;
use crate::heatmap::{self, MapScale, Pixels};
use crate::layout::{self, Layout, Rect};
use crate::model;
use crate::navigation;
use crate::playback;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`ElasticConv`].
#[derive(Properties, PartialEq)]
pub struct ElasticConvProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// The overview opened around the neuron.
    pub layout: Shared<Layout>,
    /// Where the added pieces go.
    pub parts: Shared<ConvParts>,
    /// The focus (layer, neuron, step, detail).
    pub focus: Focus,
    /// Only a band above the arithmetic (no legends or labels).
    pub band: bool,
    /// Fading out after Back.
    pub leaving: bool,
    /// Navigate (a map or kernel opens its channel's arithmetic).
    pub onnavigate: Callback<Focus>,
}

/// The neuron's intermediate maps and kernels, painted once per input and neuron.
struct Painted {
    maps: Array3<f32>,
    maps_range: f32,
    map_pixels: Vec<Pixels>,
    kernel_pixels: Vec<Pixels>,
    kernel_range: f32,
    kernels: Vec<Vec<f32>>,
    bias: f32,
    stride: usize,
    padding: usize,
    kernel_size: (usize, usize),
}

fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f32 {
    values
        .into_iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(f32::EPSILON)
}

fn paint(scene: &Scene, layer: usize, neuron: usize) -> Option<Painted> {
    let net = model::network();
    let Layer::Conv2d(conv) = &net.layers().get(layer)?.layer else {
        return None;
    };
    let maps = explain::conv_intermediate_maps(net, &scene.trace, layer, neuron).ok()?;
    let maps_range = max_abs(maps.iter());
    let map_pixels = maps
        .outer_iter()
        .map(|map| heatmap::paint(map, MapScale::Diverging(maps_range)))
        .collect();
    let weights = conv.weight.index_axis(Axis(0), neuron);
    let kernel_range = max_abs(weights.iter());
    let kernel_pixels = weights
        .outer_iter()
        .map(|kernel| heatmap::paint(kernel, MapScale::Diverging(kernel_range)))
        .collect();
    let kernels = weights
        .outer_iter()
        .map(|k| k.iter().copied().collect())
        .collect();
    let (_, _, kh, kw) = conv.weight.dim();
    Some(Painted {
        maps,
        maps_range,
        map_pixels,
        kernel_pixels,
        kernel_range,
        kernels,
        bias: conv.bias[neuron],
        stride: conv.stride,
        padding: conv.padding,
        kernel_size: (kh, kw),
    })
}

fn place(rect: &Rect) -> String {
    format!(
        "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px",
        rect.x, rect.y, rect.width, rect.height
    )
}

/// An outline over part of a map drawn in `tile`: rows `top..top+height`, columns
/// `left..left+width` of a `map_h × map_w` map (clipped to the map).
fn outline(
    tile: &Rect,
    (map_h, map_w): (usize, usize),
    (top, left): (isize, isize),
    (height, width): (usize, usize),
) -> String {
    let clip = |start: isize, len: usize, size: usize| {
        let a = start.max(0) as f32;
        let b = (start + len as isize).min(size as isize).max(0) as f32;
        (a / size as f32, (b - a).max(0.0) / size as f32)
    };
    let (y0, h) = clip(top, height, map_h);
    let (x0, w) = clip(left, width, map_w);
    place(&Rect {
        x: tile.x + x0 * tile.width,
        y: tile.y + y0 * tile.height,
        width: w * tile.width,
        height: h * tile.height,
    })
}

/// Where an annotation of `text` goes in the `width` × `height` box at `left` of the label
/// rows, with its type small enough to fit (never larger than the hints elsewhere).
pub fn note_style(left: f32, width: f32, height: f32, text: &str) -> String {
    // Italic text takes about 0.6 em per character with the spaces, and wrapping by words
    // leaves part of a line empty: a line more than the characters need, 1.25 em each, plus
    // the hint's padding.
    let chars = text.chars().count().max(1) as f32;
    let fits = |font: f32| {
        let per_line = ((width - 20.0) / (0.6 * font)).max(1.0);
        ((chars / per_line).ceil() + 1.0) * 1.25 * font + 12.0 <= height
    };
    let mut font = 0.8 * crate::hooks::root_font_px();
    while font > 7.0 && !fits(font) {
        font -= 0.5;
    }
    format!("left:{left:.1}px;top:0;width:{width:.1}px;height:{height:.1}px;font-size:{font:.1}px")
}

/// The pieces around a conv neuron.
#[component]
pub fn ElasticConv(props: &ElasticConvProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let parts = &props.parts;
    let layer = props.layout.columns[parts.target.column].spec.layer.unwrap_or(0);
    let neuron = parts.target.row;
    let painted = use_memo((props.scene.clone(), layer, neuron), |(scene, layer, neuron)| {
        paint(scene, *layer, *neuron)
    });
    let Some(painted) = painted.as_ref() else {
        return html! {};
    };
    let shape = &net.output_shapes()[layer];
    let (out_h, out_w) = (shape[1], shape[2]);
    let steps = navigation::steps(net, &focus);
    let (y, x) = playback::pixel(playback::clamp(focus.step, steps), out_w);
    let source_column = &props.layout.columns[parts.source];
    let source_shape = net.input_shape_of(layer);
    let (in_h, in_w) = (source_shape[1], source_shape[2]);
    let window_at = (
        (y * painted.stride) as isize - painted.padding as isize,
        (x * painted.stride) as isize - painted.padding as isize,
    );
    let source_name = |c: usize| match source_column.spec.layer {
        None => format!("{} input", model::input_channel_name(c)),
        layer => format!("{} #{c}", model::layer_name(layer)),
    };
    let open_channel = |c: usize| {
        let onnavigate = props.onnavigate.clone();
        let focus = props.focus;
        move |_| onnavigate.emit(navigation::arithmetic(model::network(), &focus, c))
    };

    let windows = source_column.tiles.iter().map(|tile| {
        html! { <div class="elastic-outline window" style={outline(tile, (in_h, in_w), window_at, painted.kernel_size)}></div> }
    });
    let kernels = parts.kernels.iter().enumerate().map(|(c, rect)| {
        let weights = painted.kernels.get(c).map_or(String::new(), |k| {
            k.iter().map(|w| format::number(*w, 2)).collect::<Vec<_>>().join(" ")
        });
        let (kh, kw) = painted.kernel_size;
        let title = format!("The {kh}×{kw} kernel for {}: {weights}", source_name(c));
        html! {
            <button type="button" class="elastic-part elastic-kernel" style={place(rect)} title={title.clone()}
                    aria-label={title} data-testid={format!("elastic-kernel-{c}")} onclick={open_channel(c)}>
                if let Some(pixels) = painted.kernel_pixels.get(c) {
                    <HeatmapCanvas pixels={pixels.clone()} />
                }
            </button>
        }
    });
    let maps = parts.intermediate.iter().enumerate().map(|(c, rect)| {
        let value = painted.maps.get([c, y, x]).copied().unwrap_or(0.0);
        let sum: f32 = painted.maps.index_axis(Axis(0), c).iter().sum();
        let label = format!(
            "Intermediate map of {}: the channel convolved with its own kernel, before the channels are added; \
             {} at row {y} column {x}. Press Enter for the arithmetic.",
            source_name(c),
            format::value(value)
        );
        html! {
            <button type="button" class="elastic-part elastic-map" style={place(rect)} aria-label={label}
                    data-testid={format!("elastic-intermediate-{c}")} data-value={format::exact(value)}
                    data-sum={format::exact(sum)} onclick={open_channel(c)}>
                if let Some(pixels) = painted.map_pixels.get(c) {
                    <HeatmapCanvas pixels={pixels.clone()} />
                }
                <span class="elastic-outline pixel" style={outline(&Rect { x: 0.0, y: 0.0, ..*rect }, (out_h, out_w), (y as isize, x as isize), (1, 1))}></span>
            </button>
        }
    });
    let target = props.layout.columns[parts.target.column].tiles[parts.target.row];
    let target_outline = outline(&target, (out_h, out_w), (y as isize, x as isize), (1, 1));
    // Flow edges: input → intermediate (through the kernel), intermediate → "+", "+" → neuron.
    let mut flow = String::new();
    for (input, map) in source_column.tiles.iter().zip(&parts.intermediate) {
        flow.push_str(&layout::link_path(input.right_mid(), map.left_mid()));
        flow.push_str(&layout::link_path(map.right_mid(), parts.plus.left_mid()));
    }
    flow.push_str(&layout::link_path(parts.plus.right_mid(), target.left_mid()));
    let bias_top = (parts.bias.x + parts.bias.width / 2.0, parts.bias.y);
    let plus_bottom = (
        parts.plus.x + parts.plus.width / 2.0,
        parts.plus.y + parts.plus.height,
    );
    flow.push_str(&format!(
        "M{:.1} {:.1}L{:.1} {:.1}",
        bias_top.0, bias_top.1, plus_bottom.0, plus_bottom.1
    ));

    // Short labels in the label rows, on the row the neighbouring columns' labels leave free.
    let label = |rect: &Rect, row: usize, text: &str| {
        let t = props.layout.tile;
        let width = rect.width + 1.6 * t;
        let font = (0.78 * crate::hooks::root_font_px()).min(width / (text.chars().count() as f32 * 0.62));
        let style = format!(
            "left:{:.1}px;width:{width:.1}px;top:{:.1}px;font-size:{font:.1}px",
            rect.x - 0.8 * t,
            row as f32 * props.layout.label_height / 2.0
        );
        html! { <div class="elastic-part elastic-label" {style}>{ text.to_owned() }</div> }
    };
    let labels = (!props.band).then(|| {
        let first_map = parts.intermediate.first().copied().unwrap_or(parts.plus);
        html! {
            <>
                { label(&first_map, 1 - parts.source % 2, "intermediate") }
            </>
        }
    });
    // The kernels' and intermediate maps' legends, in the footer beside the neuron (the squeezed
    // columns there have none of their own).
    let legends = (focus.show_detail && !props.band).then(|| {
        let layout = &props.layout;
        let t = layout.tile;
        let font = (t * 0.4).min(0.7 * crate::hooks::root_font_px());
        let top = layout.footer_top + 2.0;
        let start = target.x + 1.6 * t;
        let width = 7.5 * font;
        let at = |i: f32| {
            format!(
                "left:{:.1}px;width:{width:.1}px;top:{top:.1}px;font-size:{font:.1}px",
                start + i * (width + font)
            )
        };
        html! {
            <>
                { legend(LegendScale::Diverging(painted.kernel_range), extremes(painted.kernels.iter().flatten()),
                    Some("kernel weights".to_owned()), "elastic-legend-kernel", Some(at(0.0))) }
                { legend(LegendScale::Diverging(painted.maps_range), extremes(painted.maps.iter()),
                    Some("intermediate maps".to_owned()), "elastic-legend-intermediate", Some(at(1.0))) }
            </>
        }
    });
    // The sweep of the window over the inputs (the arithmetic below has the full playback bar).
    let sweep = (!props.band && steps > 0).then(|| {
        let onnavigate = props.onnavigate.clone();
        let playing = focus.playing;
        let onclick = move |_| {
            onnavigate.emit(Focus {
                playing: !playing,
                step: if playing { focus.step } else { playback::play_from(focus.step, steps) },
                ..focus
            })
        };
        let first_kernel = parts.kernels.first().copied().unwrap_or(parts.plus);
        let size = (1.7 * crate::hooks::root_font_px()).min(props.layout.label_height / 2.0 - 2.0).max(16.0);
        let style = format!(
            "left:{:.1}px;top:{:.1}px;width:{size:.1}px;height:{size:.1}px;font-size:{:.1}px",
            first_kernel.x + first_kernel.width / 2.0 - size / 2.0,
            (1 - parts.source % 2) as f32 * props.layout.label_height / 2.0,
            size * 0.5
        );
        let label = if playing { "Pause the sliding window" } else { "Slide the window over the inputs (Space)" };
        html! {
            <button type="button" class="elastic-part elastic-play" data-testid="elastic-play" {style} {onclick}
                    aria-label={label} title={label} aria-pressed={playing.to_string()}>
                { if playing { "❚❚" } else { "▶" } }
            </button>
        }
    });
    // The annotation, in the label rows above the squeezed layers (free while opened).
    let note = (!props.band).then(|| {
        let t = props.layout.tile;
        let left = target.x + 1.6 * t;
        let width = (props.layout.width - left - t).max(6.0 * t);
        let text = "Each input channel has its own kernel: sliding it gives an intermediate map. \
                    Add the maps, then the bias. Click a map for the arithmetic.";
        html! {
            <div class="elastic-part elastic-note" style={note_style(left, width, props.layout.label_height, text)}>
                <Hint>{ text }</Hint>
            </div>
        }
    });
    let bias_label = format!("bias of this neuron: {}", format::value(painted.bias));
    html! {
        <div class={classes!("elastic", "elastic-conv", props.leaving.then_some("leaving"))} data-testid="elastic-conv"
             data-layer={layer.to_string()} data-neuron={neuron.to_string()}>
            <svg class="elastic-part elastic-flow" width={format!("{:.0}", props.layout.width)}
                 height={format!("{:.0}", props.layout.height)} aria-hidden="true">
                <path d={flow} />
            </svg>
            { for windows }
            <div class="elastic-part elastic-outline pixel" style={target_outline}></div>
            { for kernels }
            { for maps }
            <div class="elastic-part elastic-plus" style={format!("{};font-size:{:.1}px", place(&parts.plus), 0.7 * parts.plus.height)}
                 data-testid="elastic-plus" title="Add up the intermediate maps, then the bias">{ "+" }</div>
            <div class="elastic-part elastic-bias" style={place(&parts.bias)} data-testid="elastic-bias"
                 data-value={format::exact(painted.bias)} title={bias_label.clone()} aria-label={bias_label} role="img"></div>
            if !props.band {
                <div class="elastic-part elastic-bias-value"
                     style={format!("left:{:.1}px;top:{:.1}px", parts.bias.x + parts.bias.width / 2.0, parts.bias.y + parts.bias.height + 2.0)}>
                    { format!("b = {}", format::short(painted.bias)) }
                </div>
            }
            { labels.unwrap_or_default() }
            { sweep.unwrap_or_default() }
            { note.unwrap_or_default() }
            { legends.unwrap_or_default() }
        </div>
    }
}
