//! The hyperparameter playground apart from the view that draws it (pure, tested natively): the
//! settings as `models` numbers, the worked convolution for a trace, and every edit (a slider,
//! another map, another kernel, a typed weight) kept inside the network and the protocol's
//! limits, so the focus an instructor broadcasts is never refused.

use models::playground::{self as math, Convolution, Hyperparameters, Invalid, LayerRepeat};
use models::{Layer, Network, Trace};
use ndarray::Array2;
use shared::{
    Focus, KernelWeights, MAX_HAND_WEIGHT_TENTHS, MAX_KERNEL_CELLS, MAX_PLAYGROUND_INPUT,
    MAX_PLAYGROUND_KERNEL, MAX_PLAYGROUND_PADDING, MAX_PLAYGROUND_STRIDE, Playground, View,
};

/// The playground's `n, p, k, s`.
pub fn hyperparameters(p: &Playground) -> Hyperparameters {
    Hyperparameters {
        input: usize::from(p.input),
        padding: usize::from(p.padding),
        kernel: usize::from(p.kernel),
        stride: usize::from(p.stride),
    }
}

/// Steps of the playground's animation: one per output pixel, none when the combination has no
/// output.
pub fn steps(p: &Playground) -> u32 {
    hyperparameters(p).output().map_or(0, |o| (o * o) as u32)
}

/// A map the playground can crop from.
#[derive(Debug, Clone, PartialEq)]
pub struct MapChoice {
    /// Its index (0 the input, `i` the output of layer `i − 1`).
    pub map: u16,
    /// Its name, e.g. `input` or `relu_1_2`.
    pub name: String,
    /// `[channels, height, width]`.
    pub shape: [usize; 3],
}

/// Every map of `network` the playground can crop from, in network order.
pub fn maps(network: &Network) -> Vec<MapChoice> {
    (0..=network.layers().len())
        .filter_map(|map| {
            let shape = math::map_shape(network, map).ok()?;
            Some(MapChoice {
                map: u16::try_from(map).ok()?,
                name: map
                    .checked_sub(1)
                    .and_then(|layer| network.layers().get(layer))
                    .map_or_else(|| math::map_name(network, map), crate::model::display_name),
                shape,
            })
        })
        .collect()
}

/// A conv layer whose kernels the playground can borrow.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelChoice {
    /// The layer's index.
    pub layer: u16,
    /// Its name.
    pub name: String,
    /// Output channels (neurons).
    pub neurons: usize,
    /// Input channels (one kernel each per neuron).
    pub channels: usize,
    /// Kernel side (the playground uses square kernels only).
    pub side: usize,
}

/// Every conv layer of `network` with square kernels the playground can show.
pub fn kernel_layers(network: &Network) -> Vec<KernelChoice> {
    network
        .layers()
        .iter()
        .enumerate()
        .filter_map(|(index, named)| {
            let Layer::Conv2d(conv) = &named.layer else {
                return None;
            };
            let (neurons, channels, kh, kw) = conv.weight.dim();
            let fits = kh == kw && (1..=usize::from(MAX_PLAYGROUND_KERNEL)).contains(&kh);
            let layer = u16::try_from(index).ok().filter(|_| fits)?;
            Some(KernelChoice {
                layer,
                name: crate::model::display_name(named),
                neurons,
                channels,
                side: kh,
            })
        })
        .collect()
}

/// The playground's kernel as numbers: the model's weights, or the typed tenths.
pub fn kernel(network: &Network, p: &Playground) -> Result<Array2<f32>, String> {
    match p.weights {
        KernelWeights::Model {
            layer,
            neuron,
            channel,
        } => math::model_kernel(
            network,
            usize::from(layer),
            usize::from(neuron),
            usize::from(channel),
        )
        .map_err(|e| e.to_string()),
        KernelWeights::Hand(tenths) => {
            let k = usize::from(p.kernel).min(usize::from(MAX_PLAYGROUND_KERNEL));
            Ok(Array2::from_shape_fn((k, k), |(r, c)| {
                f32::from(tenths[r * k + c]) / 10.0
            }))
        }
    }
}

/// The conv layer the playground repeats, and where its output sits in that layer's
/// intermediate map (see [`math::same_as_layer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repeat {
    /// The conv layer.
    pub layer: usize,
    /// Its neuron.
    pub neuron: usize,
    /// The input channel.
    pub channel: usize,
    /// Row of the output's top-left value in the intermediate map.
    pub row: usize,
    /// Column of the output's top-left value.
    pub column: usize,
}

/// Everything the playground view shows, computed once per input and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Worked {
    /// The `n × n` crop.
    pub crop: Array2<f32>,
    /// The `k × k` kernel.
    pub kernel: Array2<f32>,
    /// The convolution, or why the combination has none.
    pub result: Result<Convolution, Invalid>,
    /// Set when the crop comes from a conv layer's own input and its own kernel, padding and
    /// stride: the output is then part of the convolution view's intermediate map.
    pub repeat: Option<Repeat>,
}

/// The playground's numbers for `trace`, or a sentence saying why its map or kernel does not
/// exist (a focus from a newer or older page).
pub fn work(network: &Network, trace: &Trace, p: &Playground) -> Result<Worked, String> {
    let crop = math::crop(
        network,
        trace,
        usize::from(p.map),
        usize::from(p.map_channel),
        usize::from(p.top),
        usize::from(p.left),
        usize::from(p.input),
    )
    .map_err(|e| e.to_string())?;
    let kernel = kernel(network, p)?;
    let result = Convolution::new(
        crop.view(),
        kernel.view(),
        usize::from(p.padding),
        usize::from(p.stride),
    );
    let repeat = match p.weights {
        KernelWeights::Model {
            layer,
            neuron,
            channel,
        } if p.map == layer && p.map_channel == channel && result.is_ok() => {
            let repeat = LayerRepeat {
                layer: usize::from(layer),
                neuron: usize::from(neuron),
                channel: usize::from(channel),
                top: usize::from(p.top),
                left: usize::from(p.left),
                padding: usize::from(p.padding),
                stride: usize::from(p.stride),
            };
            math::same_as_layer(network, repeat).map(|(row, column)| Repeat {
                layer: repeat.layer,
                neuron: repeat.neuron,
                channel: repeat.channel,
                row,
                column,
            })
        }
        _ => None,
    };
    Ok(Worked {
        crop,
        kernel,
        result,
        repeat,
    })
}

/// `[height, width]` of the playground's map (1 × 1 if it has none, which `work` reports).
fn map_size(network: &Network, map: u16) -> (usize, usize) {
    math::map_shape(network, usize::from(map)).map_or((1, 1), |[_, h, w]| (h, w))
}

/// `p` with its crop moved (as little as needed) to lie inside its map.
fn keep_crop_inside(network: &Network, mut p: Playground) -> Playground {
    let (h, w) = map_size(network, p.map);
    let largest = h.min(w).min(usize::from(MAX_PLAYGROUND_INPUT));
    p.input = p.input.clamp(1, largest as u8);
    let n = usize::from(p.input);
    p.top = usize::from(p.top).min(h - n) as u16;
    p.left = usize::from(p.left).min(w - n) as u16;
    p
}

/// `p` if the network has its map, crop and kernel and it is within the protocol's limits (the
/// server checks the same), else the default playground: for a focus read from an address.
pub fn sanitize(network: &Network, p: Playground) -> Playground {
    let fits = p.check_limits().is_ok()
        && math::check_crop(
            network,
            usize::from(p.map),
            usize::from(p.map_channel),
            usize::from(p.top),
            usize::from(p.left),
            usize::from(p.input),
        )
        .is_ok()
        && match p.weights {
            KernelWeights::Model {
                layer,
                neuron,
                channel,
            } => math::check_model_kernel(
                network,
                usize::from(layer),
                usize::from(neuron),
                usize::from(channel),
                usize::from(p.kernel),
            )
            .is_ok(),
            KernelWeights::Hand(_) => true,
        };
    if fits { p } else { Playground::default() }
}

/// A playground that fits `network` (the default one for Tiny VGG): a crop in the middle of its
/// input with its first conv layer's first kernel, or an identity kernel typed by hand if it has
/// none the playground can show. What a switch of network starts from.
pub fn fitting(network: &Network) -> Playground {
    let [_, height, width] = network.input_shape();
    let p = set_map(network, Playground::default(), 0);
    let p = centre_crop_on(network, p, height / 2, width / 2);
    match kernel_layers(network).first() {
        Some(first) => set_model_kernel(network, p, first.layer, 0, 0),
        None => Playground {
            weights: KernelWeights::Hand(preset(Preset::Identity, p.kernel)),
            ..p
        },
    }
}

/// The crop moved to where its map channel varies most (the largest variance of an `n × n`
/// window; the first such window on ties), so the first numbers a class sees show an edge
/// rather than a flat patch.
pub fn telling_crop(network: &Network, trace: &Trace, p: Playground) -> Playground {
    let Ok(map) = math::map_channel(network, trace, usize::from(p.map), usize::from(p.map_channel)) else {
        return p;
    };
    let n = usize::from(p.input);
    let (h, w) = map.dim();
    let mut best = (f32::NEG_INFINITY, usize::from(p.top), usize::from(p.left));
    for top in 0..=h.saturating_sub(n) {
        for left in 0..=w.saturating_sub(n) {
            let (mut sum, mut squares) = (0.0f32, 0.0f32);
            for r in top..(top + n).min(h) {
                for c in left..(left + n).min(w) {
                    let v = map[[r, c]];
                    sum += v;
                    squares += v * v;
                }
            }
            let count = (n * n) as f32;
            let variance = squares / count - (sum / count).powi(2);
            if variance > best.0 {
                best = (variance, top, left);
            }
        }
    }
    move_crop(network, p, best.1 as u16, best.2 as u16)
}

/// The input size set to `n`, the crop kept inside its map.
pub fn set_input(network: &Network, p: Playground, n: u8) -> Playground {
    keep_crop_inside(network, Playground { input: n, ..p })
}

/// The padding set to `padding` (within the limits).
pub fn set_padding(p: Playground, padding: u8) -> Playground {
    Playground {
        padding: padding.min(MAX_PLAYGROUND_PADDING),
        ..p
    }
}

/// The stride set to `stride` (within the limits).
pub fn set_stride(p: Playground, stride: u8) -> Playground {
    Playground {
        stride: stride.clamp(1, MAX_PLAYGROUND_STRIDE),
        ..p
    }
}

/// `value` in tenths, rounded and limited to ±9.9.
pub fn to_tenths(value: f32) -> i8 {
    let limit = f32::from(MAX_HAND_WEIGHT_TENTHS);
    if value.is_nan() {
        return 0;
    }
    (value * 10.0).round().clamp(-limit, limit) as i8
}

/// `kernel` (any size) laid into a `k × k` hand kernel, centred: cropped if larger, surrounded by
/// zeros if smaller, each weight rounded to tenths.
fn hand_from(kernel: &Array2<f32>, k: usize) -> [i8; MAX_KERNEL_CELLS] {
    let mut tenths = [0i8; MAX_KERNEL_CELLS];
    let (kh, kw) = kernel.dim();
    for r in 0..k {
        for c in 0..k {
            // Centre the smaller one inside the larger one.
            let sr = (r as isize) + (kh as isize - k as isize) / 2;
            let sc = (c as isize) + (kw as isize - k as isize) / 2;
            if (0..kh as isize).contains(&sr) && (0..kw as isize).contains(&sc) {
                tenths[r * k + c] = to_tenths(kernel[[sr as usize, sc as usize]]);
            }
        }
    }
    tenths
}

/// The kernel size set to `k`. A model kernel of another size cannot be used, so the kernel
/// becomes typed by hand, starting from the model's weights rounded to tenths (centred).
pub fn set_kernel_size(network: &Network, p: Playground, k: u8) -> Playground {
    let k = k.clamp(1, MAX_PLAYGROUND_KERNEL);
    let weights = match p.weights {
        KernelWeights::Model { .. } if usize::from(k) == kernel(network, &p).map_or(0, |w| w.nrows()) => {
            p.weights
        }
        KernelWeights::Model { .. } => match kernel(network, &p) {
            Ok(model) => KernelWeights::Hand(hand_from(&model, usize::from(k))),
            Err(_) => KernelWeights::Hand(preset(Preset::Identity, k)),
        },
        KernelWeights::Hand(_) => {
            let current = kernel(network, &p).unwrap_or_else(|_| Array2::zeros((1, 1)));
            KernelWeights::Hand(hand_from(&current, usize::from(k)))
        }
    };
    Playground {
        kernel: k,
        weights,
        ..p
    }
}

/// The crop taken from map `map` (channel kept if it has it), kept inside the new map.
pub fn set_map(network: &Network, p: Playground, map: u16) -> Playground {
    let channels = math::map_shape(network, usize::from(map)).map_or(1, |[c, _, _]| c);
    let map_channel = usize::from(p.map_channel).min(channels.saturating_sub(1)) as u16;
    keep_crop_inside(
        network,
        Playground {
            map,
            map_channel,
            ..p
        },
    )
}

/// The crop taken from channel `channel` of its map.
pub fn set_map_channel(network: &Network, p: Playground, channel: u16) -> Playground {
    let channels = math::map_shape(network, usize::from(p.map)).map_or(1, |[c, _, _]| c);
    Playground {
        map_channel: usize::from(channel).min(channels.saturating_sub(1)) as u16,
        ..p
    }
}

/// The crop's top-left corner moved to `(top, left)`, kept inside the map.
pub fn move_crop(network: &Network, p: Playground, top: u16, left: u16) -> Playground {
    keep_crop_inside(network, Playground { top, left, ..p })
}

/// The crop centred on map pixel `(y, x)` (as far as the map allows).
pub fn centre_crop_on(network: &Network, p: Playground, y: usize, x: usize) -> Playground {
    let half = usize::from(p.input) / 2;
    let top = y.saturating_sub(half).min(usize::from(u16::MAX)) as u16;
    let left = x.saturating_sub(half).min(usize::from(u16::MAX)) as u16;
    move_crop(network, p, top, left)
}

/// The kernel of conv `layer`, `neuron`, input `channel`, with the kernel size it has. When the
/// kernel comes from another layer than before, the crop moves to the map that layer reads, at
/// the kernel's channel, so the playground starts as that layer's own convolution; while the crop
/// is on the layer's own input it follows the kernel's channel. Padding and stride stay as they
/// are: they are the instructor's to change.
pub fn set_model_kernel(
    network: &Network,
    p: Playground,
    layer: u16,
    neuron: u16,
    channel: u16,
) -> Playground {
    let Some(choice) = kernel_layers(network).into_iter().find(|c| c.layer == layer) else {
        return p;
    };
    let neuron = usize::from(neuron).min(choice.neurons - 1) as u16;
    let channel = usize::from(channel).min(choice.channels - 1) as u16;
    let same_layer = matches!(p.weights, KernelWeights::Model { layer: before, .. } if before == layer);
    let next = Playground {
        kernel: choice.side as u8,
        weights: KernelWeights::Model {
            layer,
            neuron,
            channel,
        },
        ..p
    };
    if !same_layer {
        set_map_channel(network, set_map(network, next, layer), channel)
    } else if p.map == layer {
        set_map_channel(network, next, channel)
    } else {
        next
    }
}

/// The kernel typed by hand, starting from the current one rounded to tenths.
pub fn to_hand(network: &Network, p: Playground) -> Playground {
    let current = kernel(network, &p).unwrap_or_else(|_| Array2::zeros((1, 1)));
    Playground {
        weights: KernelWeights::Hand(hand_from(&current, usize::from(p.kernel))),
        ..p
    }
}

/// Hand weight `(row, column)` set to `value` (rounded to tenths, limited to ±9.9).
pub fn set_hand_weight(p: Playground, row: usize, column: usize, value: f32) -> Playground {
    let k = usize::from(p.kernel);
    let KernelWeights::Hand(mut tenths) = p.weights else {
        return p;
    };
    if row < k && column < k {
        tenths[row * k + column] = to_tenths(value);
    }
    Playground {
        weights: KernelWeights::Hand(tenths),
        ..p
    }
}

/// Hand kernels worth trying first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 1 in the centre: the output repeats the input.
    Identity,
    /// Equal small weights: a blur.
    Blur,
    /// −1 on the left column, +1 on the right: bright where the values rise left to right.
    VerticalEdges,
    /// −1 on the top row, +1 on the bottom: bright where the values rise top to bottom.
    HorizontalEdges,
}

impl Preset {
    /// Every preset with its button text.
    pub const ALL: [(Preset, &'static str); 4] = [
        (Preset::Identity, "identity"),
        (Preset::Blur, "blur"),
        (Preset::VerticalEdges, "vertical edges"),
        (Preset::HorizontalEdges, "horizontal edges"),
    ];
}

/// The weights of `preset` for a `k × k` kernel, in tenths.
pub fn preset(preset: Preset, k: u8) -> [i8; MAX_KERNEL_CELLS] {
    let k = usize::from(k.clamp(1, MAX_PLAYGROUND_KERNEL));
    let mut tenths = [0i8; MAX_KERNEL_CELLS];
    for r in 0..k {
        for c in 0..k {
            tenths[r * k + c] = match preset {
                Preset::Identity => i8::from(r == k / 2 && c == k / 2) * 10,
                Preset::Blur => to_tenths(1.0 / (k * k) as f32).max(1),
                Preset::VerticalEdges if k > 1 && c == 0 => -10,
                Preset::VerticalEdges if k > 1 && c == k - 1 => 10,
                Preset::HorizontalEdges if k > 1 && r == 0 => -10,
                Preset::HorizontalEdges if k > 1 && r == k - 1 => 10,
                Preset::VerticalEdges | Preset::HorizontalEdges => 0,
            };
        }
    }
    tenths
}

/// The playground with `playground`, from any focus: paused at the first step.
pub fn open(from: &Focus, playground: Playground) -> Focus {
    Focus {
        view: View::Playground,
        step: 0,
        playing: false,
        playground,
        ..*from
    }
}

/// The playground repeating conv `layer`'s convolution of input `channel` with `neuron`'s kernel
/// on a 6 × 6 crop around the conv view's window for output `(y, x)`, at the step of that
/// window: the value there is the number the conv view shows for this channel.
pub fn from_conv_view(
    network: &Network,
    from: &Focus,
    layer: usize,
    neuron: usize,
    channel: usize,
    y: usize,
    x: usize,
) -> Focus {
    let to_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
    let base = Playground {
        input: 6,
        ..from.playground
    };
    let mut p = set_model_kernel(network, base, to_u16(layer), to_u16(neuron), to_u16(channel));
    let mut step = 0;
    if let Some(Layer::Conv2d(conv)) = network.layers().get(layer).map(|l| &l.layer) {
        p.padding = conv.padding.min(usize::from(MAX_PLAYGROUND_PADDING)) as u8;
        p.stride = conv.stride.clamp(1, usize::from(MAX_PLAYGROUND_STRIDE)) as u8;
        // The crop on the layer's own input at the neuron's channel, also when the playground
        // last borrowed a kernel of this very layer from elsewhere.
        p = set_map_channel(network, set_map(network, p, to_u16(layer)), to_u16(channel));
        let (wy, wx) = (
            (y * conv.stride).saturating_sub(conv.padding),
            (x * conv.stride).saturating_sub(conv.padding),
        );
        p = move_crop(network, p, to_u16(wy), to_u16(wx));
        let stride = usize::from(p.stride).max(1);
        let (oy, ox) = (
            (wy - usize::from(p.top)) / stride,
            (wx - usize::from(p.left)) / stride,
        );
        if let Ok(side) = hyperparameters(&p).output()
            && oy < side
            && ox < side
        {
            step = (oy * side + ox) as u32;
        }
    }
    Focus {
        step,
        ..open(from, p)
    }
}

#[cfg(test)]
mod tests {
    use models::explain;
    use ndarray::Array3;

    use super::*;

    fn net() -> &'static Network {
        models::builtin::tiny_vgg()
    }

    fn trace() -> Trace {
        let input = Array3::from_shape_fn((3, 64, 64), |(c, y, x)| {
            ((c * 7 + y * 3 + x * 5) % 17) as f32 / 16.0
        });
        net().forward(&input).unwrap()
    }

    #[test]
    fn the_default_repeats_the_first_layer() {
        let p = Playground::default();
        assert_eq!(steps(&p), 16);
        let worked = work(net(), &trace(), &p).unwrap();
        let repeat = worked.repeat.expect("conv_1_1's own convolution");
        assert_eq!((repeat.layer, repeat.row, repeat.column), (0, 29, 29));
        let c = worked.result.unwrap();
        let intermediate = explain::conv_intermediate(net(), &trace(), 0, 0, 0).unwrap();
        for ((i, j), &v) in c.output.indexed_iter() {
            assert!((v - intermediate[[29 + i, 29 + j]]).abs() < 1e-5);
        }
        // With padding the border values differ from the layer's: no claim.
        let padded = work(net(), &trace(), &set_padding(p, 1)).unwrap();
        assert_eq!(padded.repeat, None);
    }

    #[test]
    fn maps_and_kernels_of_tiny_vgg() {
        let maps = maps(net());
        assert_eq!(maps.len(), 11, "input and ten spatial layers");
        assert_eq!(maps[0].name, "input");
        assert_eq!(maps[10].shape, [10, 13, 13]);
        let kernels = kernel_layers(net());
        let names: Vec<&str> = kernels.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["conv_1_1", "conv_1_2", "conv_2_1", "conv_2_2"]);
        assert_eq!(
            (kernels[0].channels, kernels[1].channels, kernels[1].side),
            (3, 10, 3)
        );
    }

    #[test]
    fn edits_keep_the_crop_inside_and_within_the_limits() {
        let net = net();
        let p = move_crop(net, Playground::default(), 500, 500);
        assert_eq!((p.top, p.left), (58, 58));
        let p = set_input(net, p, 8);
        assert_eq!((p.input, p.top, p.left), (8, 56, 56));
        // max_pool_2 is 13×13.
        let p = set_map(net, p, 10);
        assert_eq!((p.top, p.left), (5, 5));
        let p = set_map_channel(net, p, 99);
        assert_eq!(p.map_channel, 9);
        let p = set_map(net, p, 0);
        assert_eq!(p.map_channel, 2, "the input has three channels");
        let p = centre_crop_on(net, p, 0, 63);
        assert_eq!((p.top, p.left), (0, 56));
        assert_eq!(set_padding(p, 9).padding, MAX_PLAYGROUND_PADDING);
        assert_eq!(set_stride(p, 0).stride, 1);
        for edit in [p, set_input(net, p, 1), set_kernel_size(net, p, 5)] {
            assert_eq!(edit.check_limits(), Ok(()));
        }
    }

    #[test]
    fn another_kernel_size_switches_to_hand_weights_from_the_model() {
        let net = net();
        let p = Playground::default();
        let model = kernel(net, &p).unwrap();
        let five = set_kernel_size(net, p, 5);
        let KernelWeights::Hand(tenths) = five.weights else {
            panic!("a 5×5 kernel cannot be conv_1_1's");
        };
        assert_eq!(tenths[0], 0, "a border of zeros around the 3×3");
        assert_eq!(tenths[6], to_tenths(model[[0, 0]]));
        assert_eq!(tenths[18], to_tenths(model[[2, 2]]));
        let back = set_kernel_size(net, five, 3);
        assert_eq!(
            kernel(net, &back).unwrap()[[1, 1]],
            f32::from(to_tenths(model[[1, 1]])) / 10.0
        );
        let one = set_kernel_size(net, p, 1);
        assert_eq!(
            kernel(net, &one).unwrap()[[0, 0]],
            f32::from(to_tenths(model[[1, 1]])) / 10.0
        );
        // The same size keeps the model's kernel.
        assert_eq!(set_kernel_size(net, p, 3), p);
    }

    #[test]
    fn a_model_kernel_brings_its_layers_input_along() {
        let start = set_stride(set_padding(Playground::default(), 1), 2);
        let p = set_model_kernel(net(), start, 5, 9, 7);
        assert_eq!((p.map, p.map_channel, p.kernel), (5, 7, 3));
        assert_eq!(
            (p.padding, p.stride),
            (1, 2),
            "the hyperparameters are the instructor's"
        );
        assert_eq!((p.top, p.left), (24, 24), "kept inside max_pool_1's 30×30 map");
        let repeat = set_stride(set_padding(p, 0), 1);
        assert!(work(net(), &trace(), &repeat).unwrap().repeat.is_some());
        assert_eq!(set_model_kernel(net(), p, 1, 0, 0), p, "relu_1_1 has no kernels");
        // Another channel of the same layer: the crop on the layer's input follows it…
        assert_eq!(set_model_kernel(net(), p, 5, 9, 2).map_channel, 2);
        // …but a crop the instructor moved to another map stays there.
        let elsewhere = set_map(net(), p, 3);
        let other = set_model_kernel(net(), elsewhere, 5, 1, 2);
        assert_eq!((other.map, other.map_channel), (3, 7));
    }

    #[test]
    fn hand_weights_are_tenths() {
        let p = to_hand(net(), Playground::default());
        let p = set_hand_weight(p, 1, 2, -0.26);
        assert_eq!(kernel(net(), &p).unwrap()[[1, 2]], -0.3);
        let p = set_hand_weight(p, 0, 0, 123.0);
        assert_eq!(kernel(net(), &p).unwrap()[[0, 0]], 9.9);
        assert_eq!(set_hand_weight(p, 7, 7, 1.0), p, "outside the kernel");
        assert_eq!(to_tenths(f32::NAN), 0);
        let edges = preset(Preset::VerticalEdges, 3);
        assert_eq!(edges[..9], [-10, 0, 10, -10, 0, 10, -10, 0, 10]);
        assert_eq!(preset(Preset::Identity, 3)[4], 10);
        assert_eq!(preset(Preset::Blur, 3)[0], 1);
    }

    #[test]
    fn opening_from_the_conv_view_starts_on_its_window() {
        let net = net();
        let trace = trace();
        // Output (10, 59) of conv_1_2: its window is at the right edge of the 62-wide map, so
        // the crop ends there and the window is the crop's fourth.
        let focus = from_conv_view(net, &Focus::default(), 2, 3, 4, 10, 59);
        assert_eq!(focus.view, View::Playground);
        let p = focus.playground;
        assert_eq!((p.map, p.map_channel, p.top, p.left, p.input), (2, 4, 10, 56, 6));
        assert_eq!(focus.step, 3);
        let value = work(net, &trace, &p).unwrap().result.unwrap().output[[0, 3]];
        let shown = explain::conv(net, &trace, 2, 3, 10, 59).unwrap().channels[4].sum;
        assert!((value - shown).abs() < 1e-5, "{value} vs {shown}");
    }

    #[test]
    fn the_telling_crop_is_where_the_map_varies_most() {
        // A flat picture with one bright square: the crop lands on its edge.
        let mut input = Array3::zeros((3, 64, 64));
        for y in 40..50 {
            for x in 10..20 {
                input[[0, y, x]] = 1.0;
            }
        }
        let trace = net().forward(&input).unwrap();
        let p = telling_crop(net(), &trace, Playground::default());
        let crop = work(net(), &trace, &p).unwrap().crop;
        assert!(
            crop.iter().any(|&v| v == 1.0) && crop.iter().any(|&v| v == 0.0),
            "{p:?}"
        );
        let flat = net().forward(&Array3::zeros((3, 64, 64))).unwrap();
        let unchanged = telling_crop(net(), &flat, Playground::default());
        assert_eq!(
            (unchanged.top, unchanged.left),
            (0, 0),
            "the first window on ties"
        );
    }

    #[test]
    fn addresses_with_impossible_playgrounds_fall_back_to_the_default() {
        let fine = set_input(net(), Playground::default(), 8);
        assert_eq!(sanitize(net(), fine), fine);
        for bad in [
            Playground {
                top: 63,
                ..Playground::default()
            },
            Playground {
                kernel: 5,
                ..Playground::default()
            },
            Playground {
                map: 13,
                ..Playground::default()
            },
        ] {
            assert_eq!(sanitize(net(), bad), Playground::default(), "{bad:?}");
        }
    }

    #[test]
    fn sources_a_network_does_not_have_are_sentences() {
        let p = Playground {
            map: 12,
            ..Playground::default()
        };
        assert!(
            work(net(), &trace(), &p)
                .unwrap_err()
                .contains("not a stack of maps")
        );
        let p = Playground {
            weights: KernelWeights::Model {
                layer: 1,
                neuron: 0,
                channel: 0,
            },
            ..Playground::default()
        };
        assert!(
            work(net(), &trace(), &p)
                .unwrap_err()
                .contains("not a convolution")
        );
    }

    #[test]
    fn a_fitting_playground_is_valid_for_every_network_and_the_default_for_tiny_vgg() {
        use crate::test_networks::{fixture, wide};
        let tiny = models::builtin::tiny_vgg_untrained(1);
        assert_eq!(fitting(&tiny), Playground::default());
        for net in [wide(), fixture("grey"), fixture("colour")] {
            let p = fitting(&net);
            assert_eq!(sanitize(&net, p), p, "{p:?}");
            assert!(kernel(&net, &p).is_ok());
        }
        assert_ne!(sanitize(&fixture("grey"), Playground::default()).kernel, 5);
        assert_eq!(fitting(&fixture("grey")).kernel, 5, "its first conv's 5×5 kernel");
    }
}
