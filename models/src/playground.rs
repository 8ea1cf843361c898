//! The hyperparameter playground's math: one square input, zero padding, one square kernel and a
//! stride. The output size with its formula, why a combination has no output, the padded input,
//! each window and the output values; and where the playground's real numbers come from (a crop
//! of any map of a trace, the kernel of any conv neuron), checked so that a bad position is an
//! error, never a panic.
//!
//! Maps are numbered as the network reads them: map 0 is the input, map `i ≥ 1` the output of
//! layer `i − 1` (so layer `l` reads map `l`).

use std::fmt;

use ndarray::{Array2, ArrayView2, Axis, Ix3, Slice};

use crate::layers::Layer;
use crate::network::Network;
use crate::trace::Trace;

/// The four numbers that fix a convolution's output size: a square input of side `n`, `p` zero
/// rows and columns on every side, a square kernel of side `k`, a step of `s` on both axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hyperparameters {
    /// Side `n` of the input.
    pub input: usize,
    /// Zero rows and columns `p` added on each side.
    pub padding: usize,
    /// Side `k` of the kernel.
    pub kernel: usize,
    /// Step `s` between neighbouring windows.
    pub stride: usize,
}

/// Why a combination of hyperparameters has no output, as a sentence with the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// A size that must be at least 1 is 0.
    Zero {
        /// Which one: "input size", "kernel size" or "stride".
        what: &'static str,
    },
    /// An input or kernel that is not square.
    NotSquare {
        /// "input" or "kernel".
        what: &'static str,
        /// Its rows.
        rows: usize,
        /// Its columns.
        columns: usize,
    },
    /// The kernel is larger than the padded input: `n + 2p < k`.
    KernelTooLarge(Hyperparameters),
    /// `(n + 2p − k)` is not a multiple of `s`: the last windows would hang over the edge.
    StrideDoesNotDivide(Hyperparameters),
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Invalid::Zero { what } => write!(f, "The {what} must be at least 1."),
            Invalid::NotSquare { what, rows, columns } => {
                write!(
                    f,
                    "The {what} is {rows}×{columns}; the playground needs a square {what}."
                )
            }
            Invalid::KernelTooLarge(h) => write!(
                f,
                "The {k}×{k} kernel does not fit: the padded input is only n + 2p = {n} + 2 × {p} = {m} \
                 pixels wide, less than the kernel's k = {k}. Make the kernel smaller, or the input or \
                 the padding larger.",
                k = h.kernel,
                n = h.input,
                p = h.padding,
                m = h.padded(),
            ),
            Invalid::StrideDoesNotDivide(h) => {
                let span = h.padded() - h.kernel;
                let rest = span % h.stride;
                let steps = span / h.stride;
                write!(
                    f,
                    "(n + 2p − k) = ({n} + 2 × {p} − {k}) = {span} is not divisible by the stride s = {s}: \
                     after {steps} {step_word} of {s} the kernel stops {rest} {pixel_word} short of the \
                     right and bottom edges, so the last {last} would never be read (PyTorch drops them \
                     without a warning). Choose a stride that divides {span}, or change the padding or the \
                     kernel size.",
                    n = h.input,
                    p = h.padding,
                    k = h.kernel,
                    s = h.stride,
                    step_word = plural(steps, "step", "steps"),
                    pixel_word = plural(rest, "pixel", "pixels"),
                    last = if rest == 1 {
                        "column and row".to_owned()
                    } else {
                        format!("{rest} columns and rows")
                    },
                )
            }
        }
    }
}

impl std::error::Error for Invalid {}

impl Hyperparameters {
    /// Side `n + 2p` of the padded input.
    pub fn padded(&self) -> usize {
        self.input + 2 * self.padding
    }

    /// Side `o = (n + 2p − k) / s + 1` of the output, or why there is none.
    pub fn output(&self) -> Result<usize, Invalid> {
        if self.input == 0 {
            return Err(Invalid::Zero { what: "input size" });
        }
        if self.kernel == 0 {
            return Err(Invalid::Zero { what: "kernel size" });
        }
        if self.stride == 0 {
            return Err(Invalid::Zero { what: "stride" });
        }
        let Some(span) = self.padded().checked_sub(self.kernel) else {
            return Err(Invalid::KernelTooLarge(*self));
        };
        if !span.is_multiple_of(self.stride) {
            return Err(Invalid::StrideDoesNotDivide(*self));
        }
        Ok(span / self.stride + 1)
    }

    /// The output-size formula with these numbers filled in, ending in the result or in why
    /// there is none, e.g. `o = (n + 2p − k) / s + 1 = (5 + 2 × 1 − 3) / 1 + 1 = 5`.
    pub fn formula(&self) -> String {
        let (n, p, k, s) = (self.input, self.padding, self.kernel, self.stride);
        let general = "o = (n + 2p − k) / s + 1";
        let filled = format!("({n} + 2 × {p} − {k}) / {s} + 1");
        match self.output() {
            Ok(o) => format!("{general} = {filled} = {o}"),
            Err(Invalid::KernelTooLarge(_)) => {
                let short = self.kernel - self.padded();
                format!("{general} = {filled}: n + 2p − k = −{short} is negative, no output")
            }
            Err(Invalid::StrideDoesNotDivide(_)) => {
                let span = self.padded() - self.kernel;
                format!("{general} = {span} / {s} + 1: not a whole number, no output")
            }
            Err(_) => format!("{general}: no output"),
        }
    }

    /// Top-left `(row, column)`, in padded coordinates, of the window that makes output
    /// `(y, x)`.
    pub fn window(&self, y: usize, x: usize) -> (usize, usize) {
        (y * self.stride, x * self.stride)
    }
}

/// Rows `top..top + rows` and columns `left..left + columns` of `array`. (Not `s![]`: its
/// expansion holds an `unsafe` block, which the crate's `forbid(unsafe_code)` refuses.)
fn part(
    array: ArrayView2<'_, f32>,
    top: usize,
    left: usize,
    rows: usize,
    columns: usize,
) -> ArrayView2<'_, f32> {
    array
        .slice_axis_move(Axis(0), Slice::from(top..top + rows))
        .slice_axis_move(Axis(1), Slice::from(left..left + columns))
}

/// `input` with `padding` zero rows and columns added on every side.
///
/// # Shapes
/// `[h, w]` → `[h + 2p, w + 2p]`.
pub fn pad(input: ArrayView2<'_, f32>, padding: usize) -> Array2<f32> {
    let (h, w) = input.dim();
    let mut padded = Array2::zeros((h + 2 * padding, w + 2 * padding));
    padded
        .view_mut()
        .slice_axis_move(Axis(0), Slice::from(padding..padding + h))
        .slice_axis_move(Axis(1), Slice::from(padding..padding + w))
        .assign(&input);
    padded
}

/// One worked convolution: the padded input, the kernel and every output value.
#[derive(Debug, Clone, PartialEq)]
pub struct Convolution {
    /// The hyperparameters, read from the shapes plus padding and stride.
    pub hyperparameters: Hyperparameters,
    /// The input with its zero border, `[n + 2p, n + 2p]`.
    pub padded: Array2<f32>,
    /// The kernel, `[k, k]`.
    pub kernel: Array2<f32>,
    /// `output[[y, x]]` is the sum of the window at `window(y, x)` times the kernel, `[o, o]`.
    pub output: Array2<f32>,
}

impl Convolution {
    /// Convolves the square `input` with the square `kernel` (no bias, one channel: the
    /// intermediate map of the convolution view).
    ///
    /// # Shapes
    /// `input` `[n, n]`, `kernel` `[k, k]`; the output is `[o, o]` with
    /// `o = (n + 2p − k) / s + 1`.
    pub fn new(
        input: ArrayView2<'_, f32>,
        kernel: ArrayView2<'_, f32>,
        padding: usize,
        stride: usize,
    ) -> Result<Self, Invalid> {
        let square = |what, (rows, columns): (usize, usize)| {
            if rows == columns {
                Ok(rows)
            } else {
                Err(Invalid::NotSquare { what, rows, columns })
            }
        };
        let hyperparameters = Hyperparameters {
            input: square("input", input.dim())?,
            padding,
            kernel: square("kernel", kernel.dim())?,
            stride,
        };
        let side = hyperparameters.output()?;
        let padded = pad(input, padding);
        let k = hyperparameters.kernel;
        let output = Array2::from_shape_fn((side, side), |(y, x)| {
            let (top, left) = hyperparameters.window(y, x);
            (&part(padded.view(), top, left, k, k) * &kernel).sum()
        });
        Ok(Self {
            hyperparameters,
            padded,
            kernel: kernel.to_owned(),
            output,
        })
    }

    /// Side of the output.
    pub fn output_side(&self) -> usize {
        self.output.nrows()
    }

    /// The padded input under the kernel for output `(y, x)` (clamped to the last output).
    pub fn window(&self, y: usize, x: usize) -> ArrayView2<'_, f32> {
        let last = self.output_side().saturating_sub(1);
        let (top, left) = self.hyperparameters.window(y.min(last), x.min(last));
        let k = self.hyperparameters.kernel;
        part(self.padded.view(), top, left, k, k)
    }

    /// `window(y, x) * kernel` element-wise: the products that add up to `output[[y, x]]`.
    pub fn products(&self, y: usize, x: usize) -> Array2<f32> {
        &self.window(y, x) * &self.kernel
    }

    /// Whether padded cell `(row, column)` lies on the zero border rather than on the input.
    pub fn is_padding(&self, row: usize, column: usize) -> bool {
        let Hyperparameters { input, padding, .. } = self.hyperparameters;
        let inside = |i: usize| (padding..padding + input).contains(&i);
        !(inside(row) && inside(column))
    }
}

/// Why a playground source does not exist in a network, as a sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// A map index past the last layer.
    NoSuchMap {
        /// The index asked for.
        map: usize,
        /// The highest map index.
        last: usize,
    },
    /// A map that is a vector (flatten, dense, softmax output), not a stack of maps.
    NotAMap {
        /// Its name.
        name: String,
    },
    /// A channel the map does not have.
    NoSuchChannel {
        /// The map's name.
        name: String,
        /// The channel asked for.
        channel: usize,
        /// How many it has.
        channels: usize,
    },
    /// A crop that leaves the map.
    CropOutside {
        /// The map's name.
        name: String,
        /// Crop side.
        side: usize,
        /// Crop's top row.
        top: usize,
        /// Crop's left column.
        left: usize,
        /// Map height.
        height: usize,
        /// Map width.
        width: usize,
    },
    /// A layer index past the last layer.
    NoSuchLayer {
        /// The index asked for.
        layer: usize,
        /// How many layers there are.
        count: usize,
    },
    /// A layer without kernels.
    NotConv {
        /// Its name.
        name: String,
        /// Its kind, e.g. `relu`.
        kind: &'static str,
    },
    /// A neuron or input channel the conv layer does not have.
    NoSuchKernel {
        /// The layer's name.
        name: String,
        /// The neuron asked for.
        neuron: usize,
        /// The input channel asked for.
        channel: usize,
        /// The layer's neurons.
        neurons: usize,
        /// Its input channels.
        channels: usize,
    },
    /// A kernel size other than the model kernel's.
    KernelSize {
        /// The layer's name.
        name: String,
        /// The layer's kernel `(height, width)`.
        actual: (usize, usize),
        /// The size asked for.
        wanted: usize,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::NoSuchMap { map, last } => write!(
                f,
                "There is no map {map} to crop from: the maps are numbered 0 (the input) to {last}."
            ),
            SourceError::NotAMap { name } => write!(
                f,
                "{name}'s output is a list of numbers, not a stack of maps; crop from the input or from \
                 a conv, ReLU or pooling layer."
            ),
            SourceError::NoSuchChannel {
                name,
                channel,
                channels,
            } => write!(
                f,
                "{name} has {channels} channels (0 to {}); channel {channel} does not exist.",
                channels.saturating_sub(1)
            ),
            SourceError::CropOutside {
                name,
                side,
                top,
                left,
                height,
                width,
            } => write!(
                f,
                "A {side}×{side} crop at row {top}, column {left} does not fit inside {name}'s \
                 {height}×{width} map; move it up or left, or make the input smaller."
            ),
            SourceError::NoSuchLayer { layer, count } => write!(
                f,
                "There is no layer {layer}; the network has {count} layers (0 to {}).",
                count.saturating_sub(1)
            ),
            SourceError::NotConv { name, kind } => {
                write!(
                    f,
                    "{name} is a {kind} layer, not a convolution, so it has no kernels."
                )
            }
            SourceError::NoSuchKernel {
                name,
                neuron,
                channel,
                neurons,
                channels,
            } => write!(
                f,
                "{name} has {neurons} neurons with {channels} kernels each; neuron {neuron}, channel \
                 {channel} does not exist."
            ),
            SourceError::KernelSize { name, actual, wanted } => write!(
                f,
                "{name}'s kernels are {}×{}; a {wanted}×{wanted} kernel has to be typed by hand.",
                actual.0, actual.1
            ),
        }
    }
}

impl std::error::Error for SourceError {}

/// `[channels, height, width]` of map `map` (0 the input, `i` the output of layer `i − 1`), or
/// why it cannot be cropped.
pub fn map_shape(network: &Network, map: usize) -> Result<[usize; 3], SourceError> {
    let input = network.input_shape();
    let shape: &[usize] = if map == 0 {
        &input
    } else {
        network
            .output_shapes()
            .get(map - 1)
            .ok_or(SourceError::NoSuchMap {
                map,
                last: network.layers().len(),
            })?
    };
    match *shape {
        [c, h, w] => Ok([c, h, w]),
        _ => Err(SourceError::NotAMap {
            name: map_name(network, map),
        }),
    }
}

/// The name of map `map`: `input`, or the name of the layer whose output it is.
pub fn map_name(network: &Network, map: usize) -> String {
    match map.checked_sub(1) {
        None => "input".to_owned(),
        Some(layer) => network
            .layers()
            .get(layer)
            .map_or_else(|| format!("map {map}"), |l| l.name.clone()),
    }
}

/// Checks that a `side`×`side` crop at `(top, left)` of channel `channel` of map `map` lies
/// inside the map.
pub fn check_crop(
    network: &Network,
    map: usize,
    channel: usize,
    top: usize,
    left: usize,
    side: usize,
) -> Result<(), SourceError> {
    let [channels, height, width] = map_shape(network, map)?;
    if channel >= channels {
        return Err(SourceError::NoSuchChannel {
            name: map_name(network, map),
            channel,
            channels,
        });
    }
    if top + side > height || left + side > width {
        return Err(SourceError::CropOutside {
            name: map_name(network, map),
            side,
            top,
            left,
            height,
            width,
        });
    }
    Ok(())
}

/// Channel `channel` of map `map` of `trace`, whole.
///
/// # Shapes
/// Returns `[height, width]` of the map.
pub fn map_channel<'t>(
    network: &Network,
    trace: &'t Trace,
    map: usize,
    channel: usize,
) -> Result<ArrayView2<'t, f32>, SourceError> {
    check_crop(network, map, channel, 0, 0, 0)?;
    let not_a_map = || SourceError::NotAMap {
        name: map_name(network, map),
    };
    let values = if map == 0 {
        trace.input.view().into_dyn()
    } else {
        // `check_crop` proved `map - 1` is a layer; a trace of another network is refused here.
        trace.outputs.get(map - 1).ok_or_else(not_a_map)?.view()
    };
    let maps = values.into_dimensionality::<Ix3>().map_err(|_| not_a_map())?;
    if channel >= maps.dim().0 {
        return Err(not_a_map());
    }
    Ok(maps.index_axis_move(Axis(0), channel))
}

/// The `side`×`side` crop at `(top, left)` of channel `channel` of map `map` of `trace`.
///
/// # Shapes
/// Returns `[side, side]`.
pub fn crop(
    network: &Network,
    trace: &Trace,
    map: usize,
    channel: usize,
    top: usize,
    left: usize,
    side: usize,
) -> Result<Array2<f32>, SourceError> {
    check_crop(network, map, channel, top, left, side)?;
    let whole = map_channel(network, trace, map, channel)?;
    let (height, width) = whole.dim();
    if top + side > height || left + side > width {
        return Err(SourceError::NotAMap {
            name: map_name(network, map),
        });
    }
    Ok(part(whole, top, left, side, side).to_owned())
}

/// The kernel `weight[neuron, channel]` of conv layer `layer`.
///
/// # Shapes
/// Returns `[kh, kw]`.
pub fn model_kernel(
    network: &Network,
    layer: usize,
    neuron: usize,
    channel: usize,
) -> Result<Array2<f32>, SourceError> {
    let named = network.layers().get(layer).ok_or(SourceError::NoSuchLayer {
        layer,
        count: network.layers().len(),
    })?;
    let Layer::Conv2d(conv) = &named.layer else {
        return Err(SourceError::NotConv {
            name: named.name.clone(),
            kind: named.layer.kind(),
        });
    };
    let (neurons, channels, _, _) = conv.weight.dim();
    if neuron >= neurons || channel >= channels {
        return Err(SourceError::NoSuchKernel {
            name: named.name.clone(),
            neuron,
            channel,
            neurons,
            channels,
        });
    }
    Ok(conv
        .weight
        .index_axis(Axis(0), neuron)
        .index_axis(Axis(0), channel)
        .to_owned())
}

/// Checks that conv layer `layer` has a `side`×`side` kernel for `neuron` and `channel`.
pub fn check_model_kernel(
    network: &Network,
    layer: usize,
    neuron: usize,
    channel: usize,
    side: usize,
) -> Result<(), SourceError> {
    let kernel = model_kernel(network, layer, neuron, channel)?;
    if kernel.dim() != (side, side) {
        return Err(SourceError::KernelSize {
            name: network.layers()[layer].name.clone(),
            actual: kernel.dim(),
            wanted: side,
        });
    }
    Ok(())
}

/// A playground that repeats a conv layer's own convolution on a crop of the layer's own input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerRepeat {
    /// The conv layer whose kernel is used.
    pub layer: usize,
    /// The neuron (output channel) whose kernel is used.
    pub neuron: usize,
    /// The input channel: the crop's channel and the kernel's.
    pub channel: usize,
    /// Row of the crop's top-left pixel in the layer's input.
    pub top: usize,
    /// Column of the crop's top-left pixel.
    pub left: usize,
    /// The playground's padding.
    pub padding: usize,
    /// The playground's stride.
    pub stride: usize,
}

/// Where the playground's output lies in the layer's intermediate map (see
/// [`crate::explain::conv_intermediate`]) when it repeats the layer's own convolution: the
/// output's top-left `(row, column)` there, so `output[[i, j]]` equals
/// `intermediate[[row + i, column + j]]`. `None` when the numbers differ: padding other than
/// none (the playground pads the crop with zeros where the layer sees real neighbours), another
/// stride, a crop that does not start on one of the layer's windows, or not a conv layer.
pub fn same_as_layer(network: &Network, repeat: LayerRepeat) -> Option<(usize, usize)> {
    let Layer::Conv2d(conv) = &network.layers().get(repeat.layer)?.layer else {
        return None;
    };
    let lines_up = conv.padding == 0
        && repeat.padding == 0
        && repeat.stride == conv.stride
        && repeat.top.is_multiple_of(conv.stride)
        && repeat.left.is_multiple_of(conv.stride);
    lines_up.then(|| (repeat.top / conv.stride, repeat.left / conv.stride))
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    fn h(input: usize, padding: usize, kernel: usize, stride: usize) -> Hyperparameters {
        Hyperparameters {
            input,
            padding,
            kernel,
            stride,
        }
    }

    #[test]
    fn output_size_follows_the_formula() {
        assert_eq!(h(5, 1, 3, 1).output(), Ok(5));
        assert_eq!(h(5, 0, 3, 2).output(), Ok(2));
        assert_eq!(h(7, 0, 3, 2).output(), Ok(3));
        assert_eq!(h(64, 0, 3, 1).output(), Ok(62));
        assert_eq!(h(1, 2, 5, 1).output(), Ok(1));
        assert_eq!(
            h(2, 0, 3, 1).output(),
            Err(Invalid::KernelTooLarge(h(2, 0, 3, 1)))
        );
        assert_eq!(
            h(6, 0, 3, 2).output(),
            Err(Invalid::StrideDoesNotDivide(h(6, 0, 3, 2)))
        );
        assert_eq!(h(0, 0, 3, 1).output(), Err(Invalid::Zero { what: "input size" }));
        assert_eq!(h(3, 0, 3, 0).output(), Err(Invalid::Zero { what: "stride" }));
    }

    #[test]
    fn the_formula_shows_the_numbers() {
        assert_eq!(
            h(5, 1, 3, 1).formula(),
            "o = (n + 2p − k) / s + 1 = (5 + 2 × 1 − 3) / 1 + 1 = 5"
        );
        assert_eq!(
            h(6, 0, 3, 2).formula(),
            "o = (n + 2p − k) / s + 1 = 3 / 2 + 1: not a whole number, no output"
        );
        assert!(
            h(2, 0, 5, 1)
                .formula()
                .ends_with("n + 2p − k = −3 is negative, no output")
        );
    }

    #[test]
    fn an_invalid_stride_says_why_with_the_numbers() {
        let text = Invalid::StrideDoesNotDivide(h(6, 0, 3, 2)).to_string();
        assert!(text.starts_with("(n + 2p − k) = (6 + 2 × 0 − 3) = 3 is not divisible by the stride s = 2"));
        assert!(text.contains("stops 1 pixel short"), "{text}");
        assert!(
            text.contains("so the last column and row would never be read"),
            "{text}"
        );
        let text = Invalid::StrideDoesNotDivide(h(7, 0, 2, 3)).to_string();
        assert!(
            text.contains("stops 2 pixels short") && text.contains("the last 2 columns and rows"),
            "{text}"
        );
        let text = Invalid::StrideDoesNotDivide(h(8, 0, 1, 3)).to_string();
        assert!(
            text.contains("after 2 steps of 3 the kernel stops 1 pixel short"),
            "{text}"
        );
        let text = Invalid::KernelTooLarge(h(2, 0, 5, 1)).to_string();
        assert!(text.contains("n + 2p = 2 + 2 × 0 = 2"), "{text}");
    }

    #[test]
    fn padding_surrounds_the_input_with_zeros() {
        let padded = pad(array![[1.0, 2.0], [3.0, 4.0]].view(), 1);
        assert_eq!(
            padded,
            array![
                [0.0, 0.0, 0.0, 0.0],
                [0.0, 1.0, 2.0, 0.0],
                [0.0, 3.0, 4.0, 0.0],
                [0.0, 0.0, 0.0, 0.0]
            ]
        );
    }

    #[test]
    fn a_small_convolution_by_hand() {
        let input = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]];
        let kernel = array![[1.0, 0.0], [0.0, -1.0]];
        let c = Convolution::new(input.view(), kernel.view(), 0, 1).unwrap();
        assert_eq!(c.output, array![[-4.0, -4.0], [-4.0, -4.0]]);
        // Padded to 5×5: the corner windows see zeros.
        let c = Convolution::new(input.view(), kernel.view(), 1, 1).unwrap();
        assert_eq!(c.output.dim(), (4, 4));
        assert_eq!(
            (c.output[[0, 0]], c.output[[1, 1]], c.output[[3, 3]]),
            (-1.0, -4.0, 9.0)
        );
        assert_eq!(c.products(1, 1), array![[1.0, 0.0], [0.0, -5.0]]);
        assert!(c.is_padding(0, 2) && !c.is_padding(1, 1) && c.is_padding(4, 4));
        // Stride 3: windows start at 0 and 3.
        let c = Convolution::new(input.view(), kernel.view(), 1, 3).unwrap();
        assert_eq!(c.output, array![[-1.0, 0.0], [0.0, 9.0]]);
        assert_eq!(c.window(1, 1), array![[9.0, 0.0], [0.0, 0.0]]);
    }

    #[test]
    fn not_square_is_refused() {
        let input = Array2::<f32>::zeros((3, 4));
        let kernel = Array2::<f32>::zeros((2, 2));
        assert_eq!(
            Convolution::new(input.view(), kernel.view(), 0, 1),
            Err(Invalid::NotSquare {
                what: "input",
                rows: 3,
                columns: 4
            })
        );
    }
}
