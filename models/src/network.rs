//! A sequential network whose shapes are checked once, when it is built, so that its forward
//! pass cannot fail.

use ndarray::{Array1, Array3, ArrayD, Ix1, Ix3};

use crate::error::ModelError;
use crate::layers::{Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
use crate::trace::Trace;

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
        if input.shape() != self.input_shape {
            return Err(ModelError::InputShape {
                expected: self.input_shape.to_vec(),
                actual: input.shape().to_vec(),
            });
        }
        let mut outputs: Vec<ArrayD<f32>> = Vec::with_capacity(self.layers.len());
        for named in &self.layers {
            let x = outputs
                .last()
                .cloned()
                .unwrap_or_else(|| input.clone().into_dyn());
            outputs.push(apply(&named.layer, x));
        }
        Ok(Trace {
            input: input.clone(),
            outputs,
        })
    }
}

/// Applies one layer. Shapes were checked in [`Network::new`], so the conversions cannot fail.
fn apply(layer: &Layer, x: ArrayD<f32>) -> ArrayD<f32> {
    match layer {
        Layer::Conv2d(c) => conv2d(c, &x.into_dimensionality::<Ix3>().expect("checked at build")).into_dyn(),
        Layer::ReLU => x.mapv_into(|v| v.max(0.0)),
        Layer::MaxPool2d(p) => {
            max_pool2d(p, &x.into_dimensionality::<Ix3>().expect("checked at build")).into_dyn()
        }
        Layer::Flatten => {
            let n = x.len();
            Array1::from_iter(x.iter().copied())
                .into_shape_with_order(n)
                .expect("same length")
                .into_dyn()
        }
        Layer::Linear(l) => linear(l, &x.into_dimensionality::<Ix1>().expect("checked at build")).into_dyn(),
        Layer::Softmax => softmax(&x.into_dimensionality::<Ix1>().expect("checked at build")).into_dyn(),
    }
}

/// Convolution, `[C_in, H, W]` → `[C_out, H', W']`.
pub fn conv2d(c: &Conv2d, x: &Array3<f32>) -> Array3<f32> {
    let (out_c, in_c, kh, kw) = c.weight.dim();
    let (_, h, w) = x.dim();
    let p = c.padding as isize;
    let oh = (h + 2 * c.padding - kh) / c.stride + 1;
    let ow = (w + 2 * c.padding - kw) / c.stride + 1;
    let mut out = Array3::<f32>::zeros((out_c, oh, ow));
    for o in 0..out_c {
        for y in 0..oh {
            for xx in 0..ow {
                let mut acc = c.bias[o];
                for i in 0..in_c {
                    for ky in 0..kh {
                        let iy = (y * c.stride + ky) as isize - p;
                        if iy < 0 || iy >= h as isize {
                            continue;
                        }
                        for kx in 0..kw {
                            let ix = (xx * c.stride + kx) as isize - p;
                            if ix < 0 || ix >= w as isize {
                                continue;
                            }
                            acc += c.weight[[o, i, ky, kx]] * x[[i, iy as usize, ix as usize]];
                        }
                    }
                }
                out[[o, y, xx]] = acc;
            }
        }
    }
    out
}

/// Max pooling, `[C, H, W]` → `[C, H', W']`.
pub fn max_pool2d(p: &MaxPool2d, x: &Array3<f32>) -> Array3<f32> {
    let (c, h, w) = x.dim();
    let oh = (h - p.kernel) / p.stride + 1;
    let ow = (w - p.kernel) / p.stride + 1;
    Array3::from_shape_fn((c, oh, ow), |(ch, y, xx)| {
        let mut m = f32::NEG_INFINITY;
        for ky in 0..p.kernel {
            for kx in 0..p.kernel {
                m = m.max(x[[ch, y * p.stride + ky, xx * p.stride + kx]]);
            }
        }
        m
    })
}

/// Fully connected, `[in]` → `[out]`.
pub fn linear(l: &Linear, x: &Array1<f32>) -> Array1<f32> {
    l.weight.dot(x) + &l.bias
}

/// Numerically stable softmax, `[n]` → `[n]`.
pub fn softmax(x: &Array1<f32>) -> Array1<f32> {
    let max = x.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let e = x.mapv(|v| (v - max).exp());
    let sum = e.sum();
    e / sum
}
