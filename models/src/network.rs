//! A sequential network whose shapes are checked once, when it is built, so that its forward
//! pass cannot fail.

use ndarray::{Array1, Array3, ArrayD, ArrayViewD};

use crate::error::ModelError;
use crate::layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
use crate::trace::Trace;
use kernels::{ConvShape, Scratch};

/// A checked sequence of layers with class names for its outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    input_shape: [usize; 3],
    layers: Vec<NamedLayer>,
    output_shapes: Vec<Vec<usize>>,
    class_names: Vec<String>,
}

impl Network {
    /// Builds a network, checking every layer against the shape the previous one produces.
    ///
    /// # Shapes
    /// `input_shape` is `[C, H, W]`; the last layer must produce `[class_names.len()]`.
    pub fn new(
        input_shape: [usize; 3],
        layers: Vec<NamedLayer>,
        class_names: Vec<String>,
    ) -> Result<Self, ModelError> {
        let mut shape = input_shape.to_vec();
        let mut output_shapes = Vec::with_capacity(layers.len());
        for (index, named) in layers.iter().enumerate() {
            shape = named.layer.output_shape(&named.name, index, &shape)?;
            if shape.contains(&0) {
                return Err(ModelError::InvalidLayer {
                    name: named.name.clone(),
                    reason: format!("it produces an empty output of shape {shape:?}"),
                });
            }
            output_shapes.push(shape.clone());
        }
        if layers.is_empty() {
            return Err(ModelError::InvalidLayer {
                name: "network".into(),
                reason: "it has no layers".into(),
            });
        }
        if shape != [class_names.len()] {
            return Err(ModelError::InvalidLayer {
                name: layers.last().map(|l| l.name.clone()).unwrap_or_default(),
                reason: format!(
                    "the network ends in shape {shape:?} but names {} classes",
                    class_names.len()
                ),
            });
        }
        Ok(Self {
            input_shape,
            layers,
            output_shapes,
            class_names,
        })
    }

    /// The input shape `[C, H, W]`.
    pub fn input_shape(&self) -> [usize; 3] {
        self.input_shape
    }

    /// The layers in order.
    pub fn layers(&self) -> &[NamedLayer] {
        &self.layers
    }

    /// `output_shapes()[i]` is the shape layer `i` produces.
    pub fn output_shapes(&self) -> &[Vec<usize>] {
        &self.output_shapes
    }

    /// The shape layer `index` reads: the input shape for layer 0, else the previous output.
    pub fn input_shape_of(&self, index: usize) -> &[usize] {
        if index == 0 {
            &self.input_shape
        } else {
            &self.output_shapes[index - 1]
        }
    }

    /// The class names, one per output.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// Total trainable parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| l.layer.parameter_count()).sum()
    }

    /// Runs the network and keeps every layer's output.
    ///
    /// # Shapes
    /// `input`: `[C, H, W]` equal to [`Network::input_shape`]; the trace's `outputs[i]` has
    /// shape `output_shapes()[i]`.
    pub fn forward(&self, input: &Array3<f32>) -> Result<Trace, ModelError> {
        let mut trace = Trace {
            input: Array3::zeros((0, 0, 0)),
            outputs: Vec::with_capacity(self.layers.len()),
        };
        self.forward_into(input, &mut trace)?;
        Ok(trace)
    }

    /// [`Network::forward`] into an existing trace, reusing its arrays when their shapes fit.
    ///
    /// Why: a trace is ≈ 0.75 MB in a dozen arrays; allocating them afresh costs page faults
    /// and zeroing on every call, a large share of a pass this small. Callers that run many
    /// images (evaluation, benchmarks, a client recomputing on each new input) keep one trace.
    ///
    /// # Shapes
    /// As [`Network::forward`]; `trace` may hold anything (e.g. a previous image's trace).
    pub fn forward_into(&self, input: &Array3<f32>, trace: &mut Trace) -> Result<(), ModelError> {
        if input.shape() != self.input_shape {
            return Err(ModelError::InputShape {
                expected: self.input_shape.to_vec(),
                actual: input.shape().to_vec(),
            });
        }
        if trace.input.shape() == input.shape() && trace.input.is_standard_layout() {
            trace.input.assign(input);
        } else {
            trace.input = input.as_standard_layout().into_owned();
        }
        trace.outputs.truncate(self.layers.len());
        for (index, shape) in self.output_shapes.iter().enumerate() {
            match trace.outputs.get(index) {
                Some(out) if out.shape() == shape.as_slice() && out.is_standard_layout() => {}
                Some(_) => trace.outputs[index] = ArrayD::zeros(shape.as_slice()),
                None => trace.outputs.push(ArrayD::zeros(shape.as_slice())),
            }
        }
        let mut scratch = Scratch::default();
        for (index, named) in self.layers.iter().enumerate() {
            let (before, rest) = trace.outputs.split_at_mut(index);
            let x = before
                .last()
                .map_or_else(|| trace.input.view().into_dyn(), |last| last.view());
            let out = rest[0].as_slice_mut().expect("trace outputs are standard layout");
            apply(&named.layer, x, out, &mut scratch);
        }
        Ok(())
    }
}

/// Applies one layer to a standard-layout input, writing every element of `out` (which has
/// the layer's output shape). Shapes were checked in [`Network::new`], so nothing here can fail.
fn apply(layer: &Layer, x: ArrayViewD<'_, f32>, out: &mut [f32], scratch: &mut Scratch) {
    let input = x.as_slice().expect("layer outputs are standard layout");
    match layer {
        Layer::Conv2d(c) => {
            let shape = conv_shape(c, x.shape()[1], x.shape()[2]);
            let weight = c.weight.as_standard_layout();
            let weight = weight.as_slice().expect("standard layout");
            let bias = c.bias.as_slice().expect("a bias vector is contiguous");
            kernels::conv2d_into(weight, bias, &shape, input, out, scratch);
        }
        Layer::ReLU => kernels::relu_into(input, out),
        Layer::MaxPool2d(p) => {
            let dims = (x.shape()[0], x.shape()[1], x.shape()[2]);
            kernels::max_pool2d_into(dims, p.kernel, p.stride, input, out);
        }
        Layer::AvgPool2d(p) => {
            let dims = (x.shape()[0], x.shape()[1], x.shape()[2]);
            kernels::avg_pool2d_into(dims, p.kernel, p.stride, input, out);
        }
        Layer::Flatten => out.copy_from_slice(input),
        Layer::Linear(l) => {
            let weight = l.weight.as_standard_layout();
            kernels::linear_into(
                weight.as_slice().expect("standard layout"),
                l.bias.as_slice().expect("a bias vector is contiguous"),
                input,
                out,
            );
        }
        Layer::Softmax => softmax_into(input, out),
    }
}

/// Convolution, `[C_in, H, W]` → `[C_out, H', W']`, with the fast kernel.
///
/// # Shapes
/// `x`: `[C_in, H, W]` matching `c.weight`'s second axis; the kernel must fit the padded input.
pub fn conv2d(c: &Conv2d, x: &Array3<f32>) -> Array3<f32> {
    let (_, h, w) = x.dim();
    let shape = conv_shape(c, h, w);
    let x = x.as_standard_layout();
    let mut out = Array3::zeros((shape.out_c, shape.out_h, shape.out_w));
    let out_slice = out.as_slice_mut().expect("a new array is standard layout");
    let weight = c.weight.as_standard_layout();
    kernels::conv2d_into(
        weight.as_slice().expect("standard layout"),
        c.bias.as_slice().expect("a bias vector is contiguous"),
        &shape,
        x.as_slice().expect("standard layout"),
        out_slice,
        &mut Scratch::default(),
    );
    out
}

/// The kernels' view of convolution `c` on a `[_, in_h, in_w]` input.
fn conv_shape(c: &Conv2d, in_h: usize, in_w: usize) -> ConvShape {
    let (out_c, in_c, kh, kw) = c.weight.dim();
    ConvShape::new([out_c, in_c, kh, kw], c.stride, c.padding, in_h, in_w)
}

/// Max pooling, `[C, H, W]` → `[C, H', W']`.
///
/// # Shapes
/// `H' = (H − kernel) / stride + 1`, likewise `W'`.
pub fn max_pool2d(p: &MaxPool2d, x: &Array3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let x = x.as_standard_layout();
    let mut out = Array3::zeros((c, (h - p.kernel) / p.stride + 1, (w - p.kernel) / p.stride + 1));
    let out_slice = out.as_slice_mut().expect("a new array is standard layout");
    kernels::max_pool2d_into(
        (c, h, w),
        p.kernel,
        p.stride,
        x.as_slice().expect("standard layout"),
        out_slice,
    );
    out
}

/// Average pooling, `[C, H, W]` → `[C, H', W']`.
///
/// # Shapes
/// `H' = (H − kernel) / stride + 1`, likewise `W'`.
pub fn avg_pool2d(p: &AvgPool2d, x: &Array3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let x = x.as_standard_layout();
    let mut out = Array3::zeros((c, (h - p.kernel) / p.stride + 1, (w - p.kernel) / p.stride + 1));
    let out_slice = out.as_slice_mut().expect("a new array is standard layout");
    kernels::avg_pool2d_into(
        (c, h, w),
        p.kernel,
        p.stride,
        x.as_slice().expect("standard layout"),
        out_slice,
    );
    out
}

/// Fully connected, `[in]` → `[out]`.
///
/// # Shapes
/// `x`: `[in]` with `l.weight` `[out, in]`.
pub fn linear(l: &Linear, x: &Array1<f32>) -> Array1<f32> {
    l.weight.dot(x) + &l.bias
}

/// Numerically stable softmax, `[n]` → `[n]`.
///
/// # Shapes
/// Any vector; the result sums to 1.
pub fn softmax(x: &Array1<f32>) -> Array1<f32> {
    let mut out = Array1::zeros(x.len());
    let x = x.as_standard_layout();
    softmax_into(
        x.as_slice().expect("standard layout"),
        out.as_slice_mut().expect("a new array is standard layout"),
    );
    out
}

/// [`softmax`] on slices of equal length.
fn softmax_into(x: &[f32], out: &mut [f32]) {
    let max = x.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v - max).exp();
    }
    let sum: f32 = out.iter().sum();
    for o in out.iter_mut() {
        *o /= sum;
    }
}
