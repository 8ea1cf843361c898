//! What the overview adds around a class (the paper's flatten and softmax explanations): the
//! last maps flattened into one thin bar, every value's edge into the class's logit coloured
//! by its weight, the bias, and softmax between the logits and the probabilities. Opened,
//! softmax shows every class's logit, one after another in step with the playback, each linked
//! both ways with its term in the formula below.

use models::explain;
use shared::Focus;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::color;
use crate::components::elastic_conv::note_style;
use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::hint::Hint;
use crate::components::legend::{LegendScale, extremes, legend};
use crate::elastic::ClassParts;
use crate::format;
use crate::heatmap::{self, MapScale, Pixels};
use crate::heatmap_set::HeatmapSet;
use crate::layout::{self, Layout, Rect};
use crate::model;
use crate::navigation;
use crate::playback;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`ElasticClass`].
#[derive(Properties, PartialEq)]
pub struct ElasticClassProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps (for the flattened maps' colour range).
    pub heatmaps: Shared<HeatmapSet>,
    /// The overview opened around the class.
    pub layout: Shared<Layout>,
    /// Where the added pieces go.
    pub parts: Shared<ClassParts>,
    /// The focus (class, step, detail).
    pub focus: Focus,
    /// Only a band above the arithmetic (no legends or labels).
    pub band: bool,
    /// Fading out after Back.
    pub leaving: bool,
    /// The class linked with the formula (pointed at here or there).
    pub linked: Option<usize>,
    /// Pointing at a logit (`Some(class)`) or leaving it.
    pub onlink: Callback<Option<usize>>,
    /// Navigate (the bar opens the dense layer's terms, the symbol softmax).
    pub onnavigate: Callback<Focus>,
}

/// The class's dense-layer terms and every logit, computed once per input and class.
struct Terms {
    linear_layer: usize,
    inputs: Shared<Vec<f32>>,
    weights: Shared<Vec<f32>>,
    bias: f32,
    logits: Vec<f32>,
    bar: Pixels,
}

fn terms(scene: &Scene, heatmaps: &HeatmapSet, class: usize) -> Option<Terms> {
    let net = model::network();
    let linear_layer = navigation::last_linear(net)?;
    let linear = explain::linear(net, &scene.trace, linear_layer, class).ok()?;
    // The dense layer's outputs: the next layer's input, or the network's output if it is last.
    let logits: Vec<f32> = if linear_layer + 1 < net.layers().len() {
        scene
            .trace
            .layer_input(linear_layer + 1)
            .iter()
            .copied()
            .collect()
    } else {
        scene.trace.final_output().to_vec()
    };
    // The flattened values in the colours of the maps they come from.
    let range = linear_layer
        .checked_sub(1)
        .and_then(|l| heatmaps.ranges.get(l).copied())
        .unwrap_or_else(|| linear.inputs.iter().fold(f32::EPSILON, |m, v| m.max(v.abs())));
    let column = ndarray::ArrayView2::from_shape((linear.inputs.len(), 1), &linear.inputs).ok()?;
    let bar = heatmap::paint(column, MapScale::Diverging(range));
    Some(Terms {
        linear_layer,
        bias: linear.bias,
        inputs: Shared::new(linear.inputs),
        weights: Shared::new(linear.weights),
        logits,
        bar,
    })
}

fn place(rect: &Rect) -> String {
    format!(
        "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px",
        rect.x, rect.y, rect.width, rect.height
    )
}

fn centre(rect: &Rect) -> (f32, f32) {
    (rect.x + rect.width / 2.0, rect.y + rect.height / 2.0)
}

/// Props of [`WeightFan`].
#[derive(Properties, PartialEq)]
struct WeightFanProps {
    /// Where the canvas goes (from the bar's right edge to the logit).
    area: Rect,
    /// The bar's top and height, in the area's coordinates.
    bar_top: f32,
    bar_height: f32,
    /// The logit's centre height, in the area's coordinates.
    target_y: f32,
    /// One weight per flattened value.
    weights: Shared<Vec<f32>>,
}

/// Every flattened value's edge into the logit, coloured by its weight (strong weights drawn
/// last, on top): thousands of lines, so one canvas, drawn once per class and size.
#[component]
fn WeightFan(props: &WeightFanProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let key = (
            props.weights.clone(),
            props.area.width as u32,
            props.area.height as u32,
            props.bar_top as i32,
            props.bar_height as i32,
            props.target_y as i32,
        );
        let (bar_top, bar_height, target_y) = (props.bar_top, props.bar_height, props.target_y);
        use_effect_with(key, move |(weights, width, height, ..)| {
            draw_fan(
                &canvas,
                weights,
                (*width as f32, *height as f32),
                bar_top,
                bar_height,
                target_y,
            );
        });
    }
    html! {
        <canvas ref={canvas} class="elastic-part elastic-fan" style={place(&props.area)}
                width={format!("{:.0}", props.area.width)} height={format!("{:.0}", props.area.height)} aria-hidden="true" />
    }
}

fn draw_fan(
    canvas: &NodeRef,
    weights: &[f32],
    (width, height): (f32, f32),
    bar_top: f32,
    bar_height: f32,
    target_y: f32,
) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    context.clear_rect(0.0, 0.0, f64::from(width), f64::from(height));
    let strongest = weights.iter().fold(f32::EPSILON, |m, w| m.max(w.abs()));
    // A thousand and more edges: each colour level is one path and one stroke (per-edge colours
    // and strokes cost ≈ 150 ms of the frame that opens the class), weakest levels first so the
    // strong weights are drawn on top.
    const LEVELS: usize = 24;
    let level = |w: f32| ((w.abs() / strongest * LEVELS as f32) as usize).min(LEVELS - 1);
    let n = weights.len().max(1) as f32;
    context.set_line_width(0.6);
    for magnitude in 0..LEVELS {
        for negative in [false, true] {
            let mut edges = weights
                .iter()
                .enumerate()
                .filter(|&(_, &w)| level(w) == magnitude && (w < 0.0) == negative)
                .peekable();
            if edges.peek().is_none() {
                continue;
            }
            let share = (magnitude as f32 + 0.5) / LEVELS as f32;
            let shown = if negative { -share } else { share };
            let [r, g, b] = color::diverging(shown, 1.0);
            let alpha = 0.08 + 0.7 * share;
            context.set_stroke_style_str(&format!("rgba({r},{g},{b},{alpha:.3})"));
            context.begin_path();
            for (i, _) in edges {
                let y = bar_top + (i as f32 + 0.5) / n * bar_height;
                context.move_to(0.0, f64::from(y));
                context.bezier_curve_to(
                    f64::from(width / 2.0),
                    f64::from(y),
                    f64::from(width / 2.0),
                    f64::from(target_y),
                    f64::from(width),
                    f64::from(target_y),
                );
            }
            context.stroke();
        }
    }
}

/// The pieces around a class.
#[component]
pub fn ElasticClass(props: &ElasticClassProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let parts = &props.parts;
    let class = usize::from(focus.neuron).min(parts.logits.len().saturating_sub(1));
    let terms = use_memo(
        (props.scene.clone(), props.heatmaps.clone(), class),
        |(scene, heatmaps, class)| terms(scene, heatmaps, *class),
    );
    let Some(terms) = terms.as_ref() else {
        return html! {};
    };
    let names = net.class_names();
    let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("class {i}"));
    let layout = &props.layout;
    let t = layout.tile;
    let output = &layout.columns[parts.output];
    // Opened, softmax reveals the logits one class at a time, with the formula's terms.
    let revealed = if parts.softmax_open {
        let steps = navigation::steps(net, &focus);
        playback::clamp(focus.step, steps) as usize
    } else {
        class
    };
    let shown = |i: usize| {
        if parts.softmax_open {
            i <= revealed
        } else {
            i == class
        }
    };
    let strongest_logit = terms.logits.iter().fold(f32::EPSILON, |m, v| m.max(v.abs()));

    let open_terms = {
        let onnavigate = props.onnavigate.clone();
        move |_| onnavigate.emit(navigation::arithmetic(model::network(), &focus, 0))
    };
    // The dense layer reads flattened maps, or (after hidden dense layers) a vector as it is.
    let flattened = terms
        .linear_layer
        .checked_sub(1)
        .and_then(|l| net.layers().get(l))
        .is_some_and(|l| l.layer == models::Layer::Flatten);
    let bar_title = format!(
        "The {} values of {}, one after another{}. Click for the dense layer's terms.",
        format::grouped(terms.inputs.len() as u64),
        model::layer_name(terms.linear_layer.checked_sub(1)),
        if flattened { ": the flattened vector" } else { "" }
    );
    let logit_rect = parts.logits[class];
    let fan_area = Rect {
        x: parts.bar.x + parts.bar.width,
        y: 0.0,
        width: (logit_rect.x - parts.bar.x - parts.bar.width).max(1.0),
        height: layout.height,
    };
    let logits = parts.logits.iter().enumerate().map(|(i, rect)| {
        let logit = terms.logits.get(i).copied().unwrap_or(0.0);
        let background = color::css(color::diverging(logit, strongest_logit));
        let style = format!("{};background:{background}", place(rect));
        let enter = {
            let onlink = props.onlink.clone();
            move |_: PointerEvent| onlink.emit(Some(i))
        };
        let leave = {
            let onlink = props.onlink.clone();
            move |_: PointerEvent| onlink.emit(None)
        };
        let onclick = {
            let onnavigate = props.onnavigate.clone();
            let softmax_open = parts.softmax_open;
            move |_| {
                if softmax_open {
                    onnavigate.emit(Focus { neuron: i as u16, step: i as u32, playing: false, ..focus });
                } else {
                    onnavigate.emit(navigation::arithmetic(model::network(), &focus, 0));
                }
            }
        };
        let label = format!("Logit of {}: {}", name(i), format::value(logit));
        html! {
            <button type="button" key={i} style={style} title={label.clone()} aria-label={label}
                    class={classes!("elastic-part", "elastic-logit", (!shown(i)).then_some("pending"),
                                    (props.linked == Some(i)).then_some("linked"), (i == class).then_some("selected"))}
                    data-testid={format!("elastic-logit-{i}")} data-value={format::exact(logit)}
                    data-shown={shown(i).to_string()}
                    onpointerenter={enter} onpointerleave={leave} {onclick}></button>
        }
    });
    // Logits → softmax → probabilities: the class's path, or every revealed class's when opened.
    let mut flow = String::new();
    for i in (0..parts.logits.len()).filter(|&i| shown(i)) {
        flow.push_str(&layout::link_path(
            parts.logits[i].right_mid(),
            parts.softmax.left_mid(),
        ));
        if let Some(row) = output.tiles.get(i) {
            flow.push_str(&layout::link_path(parts.softmax.right_mid(), row.left_mid()));
        }
    }
    let bias = Rect {
        x: logit_rect.x + logit_rect.width * 0.25,
        y: logit_rect.y + logit_rect.height + 0.3 * t,
        width: logit_rect.width * 0.5,
        height: logit_rect.width * 0.5,
    };
    let (bias_centre, logit_centre) = (centre(&bias), centre(&logit_rect));
    flow.push_str(&format!(
        "M{:.1} {:.1}L{:.1} {:.1}",
        bias_centre.0,
        bias.y,
        logit_centre.0,
        logit_rect.y + logit_rect.height
    ));
    let bias_label = format!("bias of {}: {}", name(class), format::value(terms.bias));
    let softmax_click = {
        let onnavigate = props.onnavigate.clone();
        let softmax_open = parts.softmax_open;
        move |_| {
            let net = model::network();
            if softmax_open {
                onnavigate.emit(navigation::back(net, &focus));
            } else if let Some(next) = navigation::softmax(net, &focus) {
                onnavigate.emit(next);
            }
        }
    };
    let label = |rect: &Rect, row: usize, text: &str| {
        let width = rect.width + 1.6 * t;
        let font = (0.78 * crate::hooks::root_font_px()).min(width / (text.chars().count() as f32 * 0.62));
        let style = format!(
            "left:{:.1}px;width:{width:.1}px;top:{:.1}px;font-size:{font:.1}px",
            rect.x - 0.8 * t,
            row as f32 * layout.label_height / 2.0
        );
        html! { <div class="elastic-part elastic-label" {style}>{ text.to_owned() }</div> }
    };
    let labels = (!props.band).then(|| {
        html! {
            <>
                { label(&parts.bar, 1 - parts.source % 2, if flattened { "flatten" } else { "inputs" }) }
                { label(&logit_rect, parts.source % 2, "logit") }
            </>
        }
    });
    // The weights' legend in the footer under the fan of edges.
    let legends = (focus.show_detail && !props.band).then(|| {
        let font = (t * 0.4).min(0.7 * crate::hooks::root_font_px());
        let top = layout.footer_top + 2.0;
        let style = format!(
            "left:{:.1}px;width:{:.1}px;top:{top:.1}px;font-size:{font:.1}px",
            fan_area.x + 0.3 * t,
            (fan_area.width - 0.6 * t).max(7.5 * font)
        );
        let strongest = terms.weights.iter().fold(f32::EPSILON, |m, w| m.max(w.abs()));
        legend(
            LegendScale::Diverging(strongest),
            extremes(terms.weights.iter()),
            Some(format!("weights into “{}”", name(class))),
            "elastic-legend-weights",
            Some(style),
        )
    });
    // The annotation, in the label rows above the squeezed layers (free while opened).
    let note = (!props.band).then(|| {
        let source = &layout.columns[parts.source];
        let left = layout.columns[0].x;
        let width = (source.x - left - 0.5 * t).max(6.0 * t);
        let text = if flattened {
            "The last maps, flattened into one vector. Each value × its weight (the edge colour), \
             summed with the bias: the logit. Softmax makes the logits probabilities."
        } else {
            "The last dense layer's inputs in one bar. Each value × its weight (the edge colour), \
             summed with the bias: the logit. Softmax makes the logits probabilities."
        };
        html! {
            <div class="elastic-part elastic-note" style={note_style(left, width, layout.label_height, text)}>
                <Hint>{ text }</Hint>
            </div>
        }
    });
    html! {
        <div class={classes!("elastic", "elastic-class", props.leaving.then_some("leaving"))} data-testid="elastic-class"
             data-class={class.to_string()} data-softmax={parts.softmax_open.to_string()}>
            <svg class="elastic-part elastic-flow" width={format!("{:.0}", layout.width)}
                 height={format!("{:.0}", layout.height)} aria-hidden="true">
                <path d={flow} />
            </svg>
            <WeightFan area={fan_area} bar_top={parts.bar.y} bar_height={parts.bar.height}
                       target_y={logit_centre.1} weights={terms.weights.clone()} />
            <button type="button" class="elastic-part elastic-bar" style={place(&parts.bar)} title={bar_title.clone()}
                    aria-label={bar_title} data-testid="elastic-flatten" data-length={terms.inputs.len().to_string()}
                    onclick={open_terms}>
                <HeatmapCanvas pixels={terms.bar.clone()} />
            </button>
            { for logits }
            <div class="elastic-part elastic-bias" style={place(&bias)} data-testid="elastic-class-bias"
                 data-value={format::exact(terms.bias)} title={bias_label.clone()} aria-label={bias_label} role="img"></div>
            <button type="button" class={classes!("elastic-part", "elastic-softmax", parts.softmax_open.then_some("open"))}
                    style={format!("{};font-size:{:.1}px", place(&parts.softmax),
                        (0.75 * crate::hooks::root_font_px()).min(parts.softmax.height / 6.0).min(parts.softmax.width * 0.75))}
                    data-testid="elastic-softmax" onclick={softmax_click}
                    title={if parts.softmax_open { "Close softmax" } else { "Open softmax: how the logits become probabilities" }}>
                { "softmax" }
            </button>
            { labels.unwrap_or_default() }
            { note.unwrap_or_default() }
            { legends.unwrap_or_default() }
        </div>
    }
}
