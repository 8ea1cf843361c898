//! The numbers behind each explanation view, read from a real trace: every figure a view shows
//! for one neuron, computed so that it adds up to the value the forward pass produced.
//!
//! Positions come from students' and instructors' clients, so every index is checked and a bad
//! one is a [`ModelError`], never a panic.

use ndarray::{Array1, Array2, Array3, ArrayView3, ArrayViewD, Axis, Ix3};

use crate::error::ModelError;
use crate::layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d};
use crate::network::Network;
use crate::trace::Trace;

/// One input channel's part of a convolution output: the patch under the kernel, the kernel
/// slice, their element-wise products and the products' sum.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvChannelTerm {
    /// The input channel.
    pub in_channel: usize,
    /// Input values under the kernel, `[kh, kw]`; positions in the padding hold 0.
    pub patch: Array2<f32>,
    /// `true` where the kernel lies on padding rather than on the input, `[kh, kw]`.
    pub in_padding: Array2<bool>,
    /// The kernel slice `weight[out_channel, in_channel]`, `[kh, kw]`.
    pub kernel: Array2<f32>,
    /// `patch * kernel` element-wise, `[kh, kw]`.
    pub products: Array2<f32>,
    /// Sum of `products`: this channel's intermediate value.
    pub sum: f32,
}

/// How one convolution output value is made.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvExplanation {
    /// Output channel, row and column explained.
    pub out_channel: usize,
    /// Output row.
    pub y: usize,
    /// Output column.
    pub x: usize,
    /// Input row of the kernel's top-left cell (negative inside the top padding).
    pub input_top: isize,
    /// Input column of the kernel's top-left cell (negative inside the left padding).
    pub input_left: isize,
    /// One term per input channel.
    pub channels: Vec<ConvChannelTerm>,
    /// The output channel's bias.
    pub bias: f32,
    /// `Σ channels[i].sum + bias`: equals the traced output.
    pub total: f32,
    /// The value the forward pass stored, for the view to show beside `total`.
    pub traced: f32,
}

/// How one ReLU output is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReluExplanation {
    /// The value going in.
    pub input: f32,
    /// `max(0, input)`.
    pub output: f32,
}

/// How one max-pool output is made.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxPoolExplanation {
    /// The input window, `[kernel, kernel]`.
    pub window: Array2<f32>,
    /// Input row of the window's top-left cell.
    pub input_top: usize,
    /// Input column of the window's top-left cell.
    pub input_left: usize,
    /// Row and column of the largest value inside `window` (the first one on ties).
    pub winner: (usize, usize),
    /// The largest value: equals the traced output.
    pub value: f32,
}

/// How one average-pool output is made.
#[derive(Debug, Clone, PartialEq)]
pub struct AvgPoolExplanation {
    /// The input window, `[kernel, kernel]`.
    pub window: Array2<f32>,
    /// Input row of the window's top-left cell.
    pub input_top: usize,
    /// Input column of the window's top-left cell.
    pub input_left: usize,
    /// Sum of the window's values.
    pub sum: f32,
    /// `sum / kernel²`: the mean.
    pub value: f32,
    /// The value the forward pass stored (equal to `value` up to rounding).
    pub traced: f32,
}

/// How one fully connected output (a logit) is made.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearExplanation {
    /// The output explained.
    pub output: usize,
    /// The layer's inputs `x_i`.
    pub inputs: Vec<f32>,
    /// The weights `w_i` of this output's row.
    pub weights: Vec<f32>,
    /// `w_i · x_i` for every input.
    pub contributions: Vec<f32>,
    /// The output's bias.
    pub bias: f32,
    /// `Σ contributions + bias`: equals the traced output.
    pub total: f32,
    /// The value the forward pass stored.
    pub traced: f32,
}

/// The whole softmax, term by term.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxExplanation {
    /// The inputs (logits).
    pub logits: Vec<f32>,
    /// `exp(logit_i)` in `f64`, the numbers the formula shows (finite for logits below ≈709).
    pub exponentials: Vec<f64>,
    /// `Σ exponentials`.
    pub sum: f64,
    /// `exponentials_i / sum`: equals the traced output.
    pub probabilities: Vec<f32>,
}

/// Checks that `layer` exists, that `trace` came from `network`, and returns the layer.
fn checked_layer<'n>(network: &'n Network, trace: &Trace, layer: usize) -> Result<&'n Layer, ModelError> {
    let count = network.layers().len();
    let named = network
        .layers()
        .get(layer)
        .ok_or(ModelError::NoSuchLayer { layer, count })?;
    let shapes_match = trace.input.shape() == network.input_shape()
        && trace.outputs.len() == count
        && trace
            .outputs
            .iter()
            .zip(network.output_shapes())
            .all(|(output, shape)| output.shape() == shape.as_slice());
    if !shapes_match {
        return Err(ModelError::TraceMismatch);
    }
    Ok(&named.layer)
}

fn wrong_kind(network: &Network, layer: usize, expected: &'static str) -> ModelError {
    let named = &network.layers()[layer];
    ModelError::WrongLayerKind {
        layer,
        name: named.name.clone(),
        expected,
        actual: named.layer.kind(),
    }
}

/// Checks `position` against layer `layer`'s output shape.
fn check_position(network: &Network, layer: usize, position: &[usize]) -> Result<(), ModelError> {
    let shape = &network.output_shapes()[layer];
    if position.len() != shape.len() || position.iter().zip(shape).any(|(p, s)| p >= s) {
        return Err(ModelError::PositionOutOfRange {
            layer,
            position: position.to_vec(),
            shape: shape.clone(),
        });
    }
    Ok(())
}

/// The tensor layer `layer` reads, as `[C, H, W]` (only called for spatial layers).
fn spatial_input<'t>(trace: &'t Trace, layer: usize) -> ArrayView3<'t, f32> {
    let input: ArrayViewD<'t, f32> = trace.layer_input(layer);
    input
        .into_dimensionality::<Ix3>()
        .expect("checked at network build: spatial layers read [C, H, W]")
}

/// The `kernel × kernel` window of pooling layer `layer`'s input that output `[channel, y, x]`
/// reads with `stride`, and its top-left corner in the input.
fn pool_window(
    trace: &Trace,
    layer: usize,
    [channel, y, x]: [usize; 3],
    kernel: usize,
    stride: usize,
) -> (Array2<f32>, usize, usize) {
    let input = spatial_input(trace, layer);
    let (top, left) = (y * stride, x * stride);
    let window = Array2::from_shape_fn((kernel, kernel), |(wy, wx)| input[[channel, top + wy, left + wx]]);
    (window, top, left)
}

fn traced_value(trace: &Trace, layer: usize, position: &[usize]) -> f32 {
    trace.outputs[layer][position]
}

/// Explains convolution output `[out_channel, y, x]` of layer `layer`.
///
/// # Shapes
/// The layer reads `[C_in, H, W]`; each term's arrays are `[kh, kw]`.
pub fn conv(
    network: &Network,
    trace: &Trace,
    layer: usize,
    out_channel: usize,
    y: usize,
    x: usize,
) -> Result<ConvExplanation, ModelError> {
    let Layer::Conv2d(conv) = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "conv"));
    };
    check_position(network, layer, &[out_channel, y, x])?;
    let input = spatial_input(trace, layer);
    let (_, in_c, kh, kw) = conv.weight.dim();
    let input_top = (y * conv.stride) as isize - conv.padding as isize;
    let input_left = (x * conv.stride) as isize - conv.padding as isize;
    let channels: Vec<ConvChannelTerm> = (0..in_c)
        .map(|in_channel| {
            let mut patch = Array2::zeros((kh, kw));
            let mut in_padding = Array2::from_elem((kh, kw), true);
            for ky in 0..kh {
                for kx in 0..kw {
                    let (iy, ix) = (input_top + ky as isize, input_left + kx as isize);
                    let inside = |v: isize, len: usize| usize::try_from(v).ok().filter(|&v| v < len);
                    if let (Some(iy), Some(ix)) = (inside(iy, input.dim().1), inside(ix, input.dim().2)) {
                        patch[[ky, kx]] = input[[in_channel, iy, ix]];
                        in_padding[[ky, kx]] = false;
                    }
                }
            }
            let kernel = conv
                .weight
                .index_axis(Axis(0), out_channel)
                .index_axis(Axis(0), in_channel)
                .to_owned();
            let products = &patch * &kernel;
            let sum = products.sum();
            ConvChannelTerm {
                in_channel,
                patch,
                in_padding,
                kernel,
                products,
                sum,
            }
        })
        .collect();
    let bias = conv.bias[out_channel];
    let total = channels.iter().map(|c| c.sum).sum::<f32>() + bias;
    Ok(ConvExplanation {
        out_channel,
        y,
        x,
        input_top,
        input_left,
        channels,
        bias,
        total,
        traced: traced_value(trace, layer, &[out_channel, y, x]),
    })
}

/// One input channel convolved with its own kernel slice, before channels are summed and the
/// bias added: the "intermediate" tiles of the convolution view.
///
/// # Shapes
/// Returns `[H_out, W_out]` of layer `layer`.
pub fn conv_intermediate(
    network: &Network,
    trace: &Trace,
    layer: usize,
    out_channel: usize,
    in_channel: usize,
) -> Result<Array2<f32>, ModelError> {
    let Layer::Conv2d(conv) = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "conv"));
    };
    let shape = &network.output_shapes()[layer];
    let (_, in_c, _, _) = conv.weight.dim();
    if out_channel >= shape[0] || in_channel >= in_c {
        return Err(ModelError::PositionOutOfRange {
            layer,
            position: vec![out_channel, in_channel],
            shape: vec![shape[0], in_c],
        });
    }
    let input = spatial_input(trace, layer);
    let single = Conv2d {
        weight: conv
            .weight
            .index_axis(Axis(0), out_channel)
            .index_axis(Axis(0), in_channel)
            .insert_axis(Axis(0))
            .insert_axis(Axis(0))
            .to_owned(),
        bias: Array1::zeros(1),
        stride: conv.stride,
        padding: conv.padding,
    };
    let channel = input
        .index_axis(Axis(0), in_channel)
        .insert_axis(Axis(0))
        .to_owned();
    let out = crate::network::conv2d(&single, &channel);
    Ok(out.index_axis_move(Axis(0), 0))
}

/// Every input channel's intermediate map for output channel `out_channel` at once (see
/// [`conv_intermediate`]): summed over the first axis plus the bias, they give the layer's output
/// channel; `maps[[i, y, x]]` is the sum of channel `i`'s products in [`conv`]'s explanation of
/// `[out_channel, y, x]`.
///
/// # Shapes
/// Returns `[C_in, H_out, W_out]` of layer `layer`.
pub fn conv_intermediate_maps(
    network: &Network,
    trace: &Trace,
    layer: usize,
    out_channel: usize,
) -> Result<Array3<f32>, ModelError> {
    let Layer::Conv2d(conv) = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "conv"));
    };
    let shape = &network.output_shapes()[layer];
    if out_channel >= shape[0] {
        return Err(ModelError::PositionOutOfRange {
            layer,
            position: vec![out_channel],
            shape: vec![shape[0]],
        });
    }
    let in_c = conv.weight.dim().1;
    let mut maps = Array3::zeros((in_c, shape[1], shape[2]));
    for (in_channel, mut map) in maps.axis_iter_mut(Axis(0)).enumerate() {
        map.assign(&conv_intermediate(
            network,
            trace,
            layer,
            out_channel,
            in_channel,
        )?);
    }
    Ok(maps)
}

/// Explains ReLU output at `position` (`[c, y, x]` or `[i]`, matching the layer's output).
pub fn relu(
    network: &Network,
    trace: &Trace,
    layer: usize,
    position: &[usize],
) -> Result<ReluExplanation, ModelError> {
    let Layer::ReLU = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "relu"));
    };
    check_position(network, layer, position)?;
    Ok(ReluExplanation {
        input: trace.layer_input(layer)[position],
        output: traced_value(trace, layer, position),
    })
}

/// Explains max-pool output `[channel, y, x]`: its window, the winning cell and its value.
///
/// # Shapes
/// `window` is `[kernel, kernel]`.
pub fn max_pool(
    network: &Network,
    trace: &Trace,
    layer: usize,
    channel: usize,
    y: usize,
    x: usize,
) -> Result<MaxPoolExplanation, ModelError> {
    let Layer::MaxPool2d(MaxPool2d { kernel, stride }) = *checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "max_pool"));
    };
    check_position(network, layer, &[channel, y, x])?;
    let (window, input_top, input_left) = pool_window(trace, layer, [channel, y, x], kernel, stride);
    let mut winner = (0, 0);
    for ((wy, wx), &v) in window.indexed_iter() {
        if v > window[winner] {
            winner = (wy, wx);
        }
    }
    Ok(MaxPoolExplanation {
        value: window[winner],
        window,
        input_top,
        input_left,
        winner,
    })
}

/// Explains average-pool output `[channel, y, x]`: its window, their sum and mean.
///
/// # Shapes
/// `window` is `[kernel, kernel]`.
pub fn avg_pool(
    network: &Network,
    trace: &Trace,
    layer: usize,
    channel: usize,
    y: usize,
    x: usize,
) -> Result<AvgPoolExplanation, ModelError> {
    let Layer::AvgPool2d(AvgPool2d { kernel, stride }) = *checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "avg_pool"));
    };
    check_position(network, layer, &[channel, y, x])?;
    let (window, input_top, input_left) = pool_window(trace, layer, [channel, y, x], kernel, stride);
    let sum = window.sum();
    Ok(AvgPoolExplanation {
        value: sum / (kernel * kernel) as f32,
        sum,
        window,
        input_top,
        input_left,
        traced: traced_value(trace, layer, &[channel, y, x]),
    })
}

/// Where flattened element `flat_index` of flatten layer `layer` comes from: `(c, y, x)`.
pub fn flatten_source(
    network: &Network,
    layer: usize,
    flat_index: usize,
) -> Result<(usize, usize, usize), ModelError> {
    let count = network.layers().len();
    let named = network
        .layers()
        .get(layer)
        .ok_or(ModelError::NoSuchLayer { layer, count })?;
    if named.layer != Layer::Flatten {
        return Err(wrong_kind(network, layer, "flatten"));
    }
    check_position(network, layer, &[flat_index])?;
    match *network.input_shape_of(layer) {
        [_, h, w] => Ok((flat_index / (h * w), flat_index / w % h, flat_index % w)),
        ref other => Err(ModelError::PositionOutOfRange {
            layer,
            position: vec![flat_index],
            shape: other.to_vec(),
        }),
    }
}

/// Where `(c, y, x)` of a flatten layer's input lands in its output: the inverse of
/// [`flatten_source`].
pub fn flatten_index(
    network: &Network,
    layer: usize,
    c: usize,
    y: usize,
    x: usize,
) -> Result<usize, ModelError> {
    let count = network.layers().len();
    let named = network
        .layers()
        .get(layer)
        .ok_or(ModelError::NoSuchLayer { layer, count })?;
    if named.layer != Layer::Flatten {
        return Err(wrong_kind(network, layer, "flatten"));
    }
    match *network.input_shape_of(layer) {
        [channels, h, w] if c < channels && y < h && x < w => Ok((c * h + y) * w + x),
        ref shape => Err(ModelError::PositionOutOfRange {
            layer,
            position: vec![c, y, x],
            shape: shape.to_vec(),
        }),
    }
}

/// Explains fully connected output `output`: every input's contribution `w_i · x_i` plus bias.
///
/// # Shapes
/// The vectors have the layer's input length.
pub fn linear(
    network: &Network,
    trace: &Trace,
    layer: usize,
    output: usize,
) -> Result<LinearExplanation, ModelError> {
    let Layer::Linear(Linear { weight, bias }) = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "linear"));
    };
    check_position(network, layer, &[output])?;
    let inputs: Vec<f32> = trace.layer_input(layer).iter().copied().collect();
    let weights: Vec<f32> = weight.row(output).to_vec();
    let contributions: Vec<f32> = inputs.iter().zip(&weights).map(|(x, w)| x * w).collect();
    let bias = bias[output];
    Ok(LinearExplanation {
        output,
        total: contributions.iter().sum::<f32>() + bias,
        traced: traced_value(trace, layer, &[output]),
        inputs,
        weights,
        contributions,
        bias,
    })
}

/// Explains a softmax layer: logits, their exponentials, the sum, the probabilities.
///
/// # Shapes
/// All vectors have the layer's length.
pub fn softmax(network: &Network, trace: &Trace, layer: usize) -> Result<SoftmaxExplanation, ModelError> {
    let Layer::Softmax = checked_layer(network, trace, layer)? else {
        return Err(wrong_kind(network, layer, "softmax"));
    };
    let logits: Vec<f32> = trace.layer_input(layer).iter().copied().collect();
    let exponentials: Vec<f64> = logits.iter().map(|&l| f64::from(l).exp()).collect();
    let sum = exponentials.iter().sum::<f64>();
    // Dividing shifted exponentials keeps the probabilities finite even when `sum` overflows.
    let max = logits
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, |a, b| a.max(f64::from(b)));
    let shifted: Vec<f64> = logits.iter().map(|&l| (f64::from(l) - max).exp()).collect();
    let shifted_sum = shifted.iter().sum::<f64>();
    Ok(SoftmaxExplanation {
        probabilities: shifted.iter().map(|e| (e / shifted_sum) as f32).collect(),
        logits,
        exponentials,
        sum,
    })
}
