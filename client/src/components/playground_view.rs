//! The hyperparameter playground, wired to the network: input size, padding, kernel size and
//! stride on sliders; the input a crop of the current picture's channel or of any layer's map;
//! the kernel any conv neuron's or typed by hand; the padded input, the kernel and every output
//! value with the real numbers, the window moving in step with the playback controls, the
//! output-size formula with the numbers, and a sentence saying why a combination has no output.
//! Everything lives in the focus, so following students see the instructor's playground.

use shared::{
    Focus, KernelWeights, MAX_PLAYGROUND_INPUT, MAX_PLAYGROUND_KERNEL, MAX_PLAYGROUND_PADDING,
    MAX_PLAYGROUND_STRIDE, Playground, View,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::article::ArticleOpener;
use crate::article::Section;
use crate::components::info_button::info_button;
use crate::components::map_frame::{MapFrame, Outline};
use crate::components::playback_bar::PlaybackBar;
use crate::components::playground_grid::{Grid, GridOutline, grid};
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::model;
use crate::playback;
use crate::playground::{self, Preset};
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`PlaygroundView`].
#[derive(Properties, PartialEq)]
pub struct PlaygroundViewProps {
    /// The traced input (the crop's numbers).
    pub scene: Shared<Scene>,
    /// Its painted maps (the crop's thumbnail).
    pub heatmaps: Shared<HeatmapSet>,
    /// The playground's settings and step.
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

/// The name of channel `channel` of map `map`.
fn channel_name(map: u16, channel: usize) -> String {
    match (map, channel) {
        (0, 0..=2) => crate::model::input_channel_name(channel),
        _ => format!("channel {channel}"),
    }
}

/// One labelled slider.
fn slider(id: &str, label: &str, value: u8, min: u8, max: u8, oninput: Callback<u8>) -> Html {
    let oninput = move |e: InputEvent| {
        if let Ok(v) = e
            .target_unchecked_into::<HtmlInputElement>()
            .value()
            .parse::<u8>()
        {
            oninput.emit(v);
        }
    };
    html! {
        <label class="pg-slider">
            <span class="pg-slider-name">{ label }</span>
            <input type="range" min={min.to_string()} max={max.to_string()} step="1" value={value.to_string()}
                   data-testid={format!("pg-size-{id}")} {oninput} />
            <output class="pg-slider-value">{ value.to_string() }</output>
        </label>
    }
}

/// A select of options `(value, text)` with `selected` chosen; `onpick` gets the chosen value.
/// (One helper for every select of the view keeps the WebAssembly small.)
fn picker(
    id: &str,
    label: &str,
    options: Vec<(String, String)>,
    selected: &str,
    onpick: Callback<String>,
) -> Html {
    let onchange = move |e: Event| onpick.emit(e.target_unchecked_into::<HtmlSelectElement>().value());
    let options = options.into_iter().map(|(value, text)| {
        let chosen = value == selected;
        html! { <option {value} selected={chosen}>{ text }</option> }
    });
    html! {
        <select data-testid={id.to_owned()} {onchange} aria-label={label.to_owned()}>{ for options }</select>
    }
}

/// The playground.
#[component]
pub fn PlaygroundView(props: &PlaygroundViewProps) -> Html {
    let net = model::network();
    let opener = use_context::<ArticleOpener>();
    let focus = props.focus;
    let p = focus.playground;
    let worked = use_memo((props.scene.clone(), p), |(scene, p)| {
        playground::work(net, &scene.trace, p)
    });
    let steps = playground::steps(&p);
    let step = playback::clamp(focus.step, steps);

    // Every edit keeps the animation where it was (as far as the new output allows).
    let change = {
        let onnavigate = props.onnavigate.clone();
        Callback::from(move |next: Playground| {
            let steps = playground::steps(&next);
            onnavigate.emit(Focus {
                view: View::Playground,
                playground: next,
                step: playback::clamp(focus.step, steps),
                playing: focus.playing && steps > 0,
                ..focus
            })
        })
    };
    let edit = |f: fn(Playground, u8) -> Playground| {
        let change = change.clone();
        Callback::from(move |v: u8| change.emit(f(p, v)))
    };
    let sizes = html! {
        <fieldset class="pg-box pg-sizes">
            <legend>{ "Hyperparameters" }</legend>
            { slider("input", "Input size n", p.input, 1, MAX_PLAYGROUND_INPUT,
                edit(|p, v| playground::set_input(model::network(), p, v))) }
            { slider("padding", "Padding p", p.padding, 0, MAX_PLAYGROUND_PADDING, edit(playground::set_padding)) }
            { slider("kernel", "Kernel size k", p.kernel, 1, MAX_PLAYGROUND_KERNEL,
                edit(|p, v| playground::set_kernel_size(model::network(), p, v))) }
            { slider("stride", "Stride s", p.stride, 1, MAX_PLAYGROUND_STRIDE, edit(playground::set_stride)) }
        </fieldset>
    };

    // Where the input comes from: a map, a channel, a position.
    let maps = playground::maps(net);
    let current_map = maps.iter().find(|m| m.map == p.map).cloned();
    let map_options = maps
        .iter()
        .map(|m| {
            let text = if m.map == 0 {
                "the picture (input)".to_owned()
            } else {
                format!("{} output", m.name)
            };
            (m.map.to_string(), text)
        })
        .collect();
    let on_map = {
        let change = change.clone();
        Callback::from(move |value: String| {
            if let Ok(map) = value.parse::<u16>() {
                change.emit(playground::set_map(model::network(), p, map));
            }
        })
    };
    let channels = current_map.as_ref().map_or(1, |m| m.shape[0]);
    let channel_options = (0..channels)
        .map(|c| (c.to_string(), channel_name(p.map, c)))
        .collect();
    let on_channel = {
        let change = change.clone();
        Callback::from(move |value: String| {
            if let Ok(c) = value.parse::<u16>() {
                change.emit(playground::set_map_channel(model::network(), p, c));
            }
        })
    };
    let (map_h, map_w) = current_map.as_ref().map_or((1, 1), |m| (m.shape[1], m.shape[2]));
    let max_top = map_h.saturating_sub(usize::from(p.input));
    let max_left = map_w.saturating_sub(usize::from(p.input));
    let move_to = |vertical: bool| {
        let change = change.clone();
        Callback::from(move |v: u8| {
            let (top, left) = if vertical {
                (u16::from(v), p.left)
            } else {
                (p.top, u16::from(v))
            };
            change.emit(playground::move_crop(model::network(), p, top, left))
        })
    };
    let layer_of_map = usize::from(p.map).checked_sub(1);
    let thumbnail = props.heatmaps.get(layer_of_map, usize::from(p.map_channel)).cloned().map(|pixels| {
        let onpick = {
            let change = change.clone();
            Callback::from(move |(y, x): (usize, usize)| {
                change.emit(playground::centre_crop_on(model::network(), p, y, x))
            })
        };
        let outline = Outline {
            top: p.top as isize,
            left: p.left as isize,
            height: usize::from(p.input),
            width: usize::from(p.input),
            class: "window",
        };
        html! {
            <MapFrame {pixels} outlines={vec![outline]} {onpick} class="pg-thumbnail"
                label={format!("{} of {}, the {n}×{n} crop at row {}, column {}: point at the map to move it",
                    channel_name(p.map, usize::from(p.map_channel)), model::layer_name(layer_of_map), p.top, p.left, n = p.input)} />
        }
    });
    // Rows and columns fit in u8: the largest map is 64 pixels.
    let position = |v: usize| u8::try_from(v).unwrap_or(u8::MAX);
    let source = html! {
        <fieldset class="pg-box pg-source">
            <legend>{ "Input: a crop of" }</legend>
            <div class="pg-row">
                { picker("pg-map", "Map to crop from", map_options, &p.map.to_string(), on_map) }
                { picker("pg-map-channel", "Channel to crop from", channel_options, &p.map_channel.to_string(), on_channel) }
            </div>
            <div class="pg-row pg-crop">
                { thumbnail.unwrap_or_default() }
                <div class="pg-crop-sliders">
                    { slider("top", "Row", position(usize::from(p.top)), 0, position(max_top), move_to(true)) }
                    { slider("left", "Column", position(usize::from(p.left)), 0, position(max_left), move_to(false)) }
                </div>
            </div>
        </fieldset>
    };

    // Where the kernel comes from: a conv neuron, or typed by hand.
    let layers = playground::kernel_layers(net);
    let (kernel_layer, kernel_neuron, kernel_channel) = match p.weights {
        KernelWeights::Model {
            layer,
            neuron,
            channel,
        } => (Some(layer), neuron, channel),
        KernelWeights::Hand(_) => (None, 0, 0),
    };
    let mut kernel_options: Vec<(String, String)> = layers
        .iter()
        .map(|choice| {
            let text = format!("{} ({}×{})", choice.name, choice.side, choice.side);
            (choice.layer.to_string(), text)
        })
        .collect();
    kernel_options.push(("hand".to_owned(), "typed by hand".to_owned()));
    let kernel_selected = kernel_layer.map_or("hand".to_owned(), |layer| layer.to_string());
    let on_kernel_source = {
        let change = change.clone();
        Callback::from(move |value: String| {
            let net = model::network();
            let next = match value.parse::<u16>() {
                Ok(layer) => playground::set_model_kernel(net, p, layer, kernel_neuron, kernel_channel),
                Err(_) => playground::to_hand(net, p),
            };
            change.emit(next);
        })
    };
    let model_pickers = kernel_layer
        .and_then(|layer| layers.iter().find(|c| c.layer == layer))
        .map(|choice| {
            let pick = |neuron: bool| {
                let change = change.clone();
                let layer = choice.layer;
                Callback::from(move |value: String| {
                    if let Ok(v) = value.parse::<u16>() {
                        let (n, c) = if neuron {
                            (v, kernel_channel)
                        } else {
                            (kernel_neuron, v)
                        };
                        change.emit(playground::set_model_kernel(model::network(), p, layer, n, c));
                    }
                })
            };
            let neurons = (0..choice.neurons)
                .map(|n| (n.to_string(), format!("neuron {n}")))
                .collect();
            let kernel_channels = (0..choice.channels)
                .map(|c| (c.to_string(), format!("for {}", channel_name(choice.layer, c))))
                .collect();
            html! {
                <div class="pg-row">
                    { picker("pg-kernel-neuron", "Neuron whose kernel is used", neurons,
                        &kernel_neuron.to_string(), pick(true)) }
                    { picker("pg-kernel-channel", "Input channel of that neuron's kernel", kernel_channels,
                        &kernel_channel.to_string(), pick(false)) }
                </div>
            }
        });
    let presets = matches!(p.weights, KernelWeights::Hand(_)).then(|| {
        let buttons = Preset::ALL.iter().map(|&(preset, name)| {
            let change = change.clone();
            let onclick = move |_| {
                change.emit(Playground {
                    weights: KernelWeights::Hand(playground::preset(preset, p.kernel)),
                    ..p
                })
            };
            html! { <button type="button" class="button small" {onclick}>{ name }</button> }
        });
        html! {
            <div class="pg-row pg-presets">
                <span class="hint">{ "Type weights in the kernel, or start from:" }</span>
                { for buttons }
            </div>
        }
    });
    let kernel_box = html! {
        <fieldset class="pg-box pg-kernel-source">
            <legend>{ "Kernel: the weights of" }</legend>
            <div class="pg-row">
                { picker("pg-kernel-source", "Where the kernel comes from", kernel_options, &kernel_selected, on_kernel_source) }
            </div>
            { model_pickers.unwrap_or_default() }
            { presets.unwrap_or_default() }
        </fieldset>
    };

    // n.p.k.s, for tests to wait on.
    let settings = format!("{}.{}.{}.{}", p.input, p.padding, p.kernel, p.stride);
    let hyper = playground::hyperparameters(&p);
    let formula = html! {
        <p class="pg-formula" data-testid="playground-formula">{ hyper.formula() }</p>
    };
    let work = match worked.as_ref() {
        Ok(worked) => worked,
        Err(message) => {
            return html! {
                <section class="view view-playground" data-testid="view-playground" data-settings={settings}>
                    <p class="view-error" role="alert">{ format!("{message} Pick another map or kernel.") }</p>
                    <div class="pg-controls">{ sizes }{ source }{ kernel_box }</div>
                </section>
            };
        }
    };

    let input_range = match layer_of_map {
        None => 1.0,
        Some(layer) => props.heatmaps.ranges.get(layer).copied().unwrap_or(1.0),
    };
    let kernel_range = max_abs(work.kernel.iter());
    let hand = matches!(p.weights, KernelWeights::Hand(_));
    let onedit = hand.then(|| {
        let change = change.clone();
        Callback::from(move |(r, c, v): (usize, usize, f32)| {
            change.emit(playground::set_hand_weight(p, r, c, v))
        })
    });
    let padded = padded_with_mask(&work.crop, usize::from(p.padding));
    let (out_side, current) = match &work.result {
        Ok(c) => {
            let side = c.output_side();
            (side, Some(playback::pixel(step, side)))
        }
        Err(_) => (0, None),
    };
    let window = current.map(|(y, x)| {
        let (top, left) = hyper.window(y, x);
        GridOutline {
            top,
            left,
            side: usize::from(p.kernel),
        }
    });
    let m = hyper.padded();
    let input_caption = if p.padding > 0 {
        format!("input {n}×{n}, padded to {m}×{m}", n = p.input)
    } else {
        format!("input {n}×{n}", n = p.input)
    };
    let kernel_caption = format!(
        "kernel {k}×{k}{}",
        if hand { ", typed by hand" } else { "" },
        k = p.kernel
    );
    // Pointing at an output value moves the window there and pauses (as the reference's hover).
    let pick_output = {
        let onnavigate = props.onnavigate.clone();
        Callback::from(move |(y, x): (usize, usize)| {
            onnavigate.emit(Focus {
                step: playback::step_of(y, x, out_side),
                playing: false,
                ..focus
            })
        })
    };
    let output = match (&work.result, current) {
        (Ok(c), Some((y, x))) => {
            let value = c.output[[y, x]];
            let products = c.products(y, x);
            let product_range = max_abs(products.iter());
            let detail = html! {
                <div class="pg-step" aria-live="polite">
                    <span class="pg-step-title">{ format!("output ({y}, {x}) =") }</span>
                    <span class="hint">{ "Σ window × kernel:" }</span>
                    { grid(Grid::new(&products, product_range, "pg-products", "the window's values times the kernel's weights")) }
                    <span class="op">{ "Σ =" }</span>
                    <span class="big-number" data-testid="playground-sum" data-value={format::exact(value)}>
                        { format::value(value) }
                    </span>
                </div>
            };
            Some((
                html! {
                    <figure class="pg-figure">
                        { grid(Grid {
                            current: Some((y, x)),
                            reached: Some(step as usize),
                            onpick: Some(pick_output.clone()),
                            ..Grid::new(&c.output, max_abs(c.output.iter()), "pg-output", "output")
                        }) }
                        <figcaption>{ format!("output {out_side}×{out_side}") }</figcaption>
                    </figure>
                },
                detail,
            ))
        }
        _ => None,
    };
    // With a stride that does not divide, the windows that fit stop short: the rest is never read.
    let unread_from = match work.result {
        Err(models::playground::Invalid::StrideDoesNotDivide(h)) => {
            let windows = (h.padded() - h.kernel) / h.stride + 1;
            Some((windows - 1) * h.stride + h.kernel)
        }
        _ => None,
    };
    let invalid = work.result.as_ref().err().map(|why| {
        let marked = if unread_from.is_some() {
            " The cells outlined in red are the ones no window reads."
        } else {
            ""
        };
        html! { <p class="pg-invalid" role="alert" data-testid="playground-invalid">{ why.to_string() }{ marked }</p> }
    });
    let repeat = work.repeat.map(|r| {
        let name = model::layer_name(Some(r.layer));
        let last = out_side.saturating_sub(1);
        let open_conv = {
            let onnavigate = props.onnavigate.clone();
            let width = net.output_shapes().get(r.layer).map_or(1, |s| s[2]);
            let (y, x) = current.unwrap_or((0, 0));
            move |_| {
                onnavigate.emit(Focus {
                    view: View::Operation,
                    layer: r.layer as u16,
                    neuron: r.neuron as u16,
                    channel: r.channel as u16,
                    step: playback::step_of(r.row + y, r.column + x, width),
                    playing: false,
                    ..focus
                })
            }
        };
        html! {
            <p class="check" data-testid="playground-repeat">
                { format!("✓ These are {name}'s own numbers: its intermediate map for neuron {}, input {} (rows {}–{}, columns {}–{}). ",
                    r.neuron, channel_name(p.map, r.channel), r.row, r.row + last, r.column, r.column + last) }
                <button type="button" class="link" onclick={open_conv}>{ format!("See them in {name}'s view") }</button>
            </p>
        }
    });
    let (output_figure, step_detail) = output.unzip();
    html! {
        <section class="view view-playground" data-testid="view-playground" data-step={step.to_string()}
                 data-settings={settings} aria-label="Hyperparameter playground">
            <p class="lead">
                { "Real numbers: a crop of this picture or of any layer's map, convolved with a kernel of the network or your own. " }
                { info_button(Section::Hyperparameters, opener.as_ref()) }
            </p>
            <div class="pg-body">
                <div class="pg-controls">{ sizes }{ source }{ kernel_box }</div>
                <div class="pg-work">
                    { formula }
                    { invalid.unwrap_or_default() }
                    <div class="pg-grids">
                        <figure class="pg-figure">
                            { grid(Grid {
                                padding: Some(&padded.1),
                                window,
                                unread_from,
                                ..Grid::new(&padded.0, input_range, "pg-padded", &input_caption)
                            }) }
                            <figcaption>{ input_caption }</figcaption>
                        </figure>
                        <div class="pg-term">
                        <span class="op">{ "⊛" }</span>
                        <figure class="pg-figure">
                            { grid(Grid {
                                decimals: if hand { 1 } else { 2 },
                                onedit,
                                ..Grid::new(&work.kernel, kernel_range, "pg-weights", &kernel_caption)
                            }) }
                            <figcaption>{ kernel_caption.clone() }</figcaption>
                        </figure>
                        </div>
                        <div class="pg-term">
                        <span class="op">{ "=" }</span>
                        { output_figure.unwrap_or_else(|| html! { <p class="pg-no-output">{ "no output" }</p> }) }
                        </div>
                    </div>
                    { step_detail.unwrap_or_default() }
                    { repeat.unwrap_or_default() }
                </div>
            </div>
            if steps > 0 {
                <PlaybackBar focus={Focus { step, ..focus }} steps={steps}
                    position={AttrValue::from(current.map_or(String::new(), |(y, x)| format!("output pixel ({y}, {x})")))}
                    onnavigate={props.onnavigate.clone()} />
            }
        </section>
    }
}

/// The crop with `padding` zero rows and columns around it, and which cells are padding.
fn padded_with_mask(
    crop: &ndarray::Array2<f32>,
    padding: usize,
) -> (ndarray::Array2<f32>, ndarray::Array2<bool>) {
    let padded = models::playground::pad(crop.view(), padding);
    let n = crop.nrows();
    let mask = ndarray::Array2::from_shape_fn(padded.dim(), |(r, c)| {
        !((padding..padding + n).contains(&r) && (padding..padding + n).contains(&c))
    });
    (padded, mask)
}
