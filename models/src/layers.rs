//! The layer types a network is made of, spelled as in PyTorch so users recognise them.
//!
//! Tensor layout follows PyTorch: activations are `[channels, height, width]`, convolution
//! weights `[out_channels, in_channels, kernel_h, kernel_w]`, linear weights
//! `[out_features, in_features]`, and `Flatten` walks channel, then row, then column.

use ndarray::{Array1, Array2, Array4};

use crate::error::ModelError;

/// A 2-D convolution with square stride and zero padding on every side.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d {
    /// `[out_channels, in_channels, kernel_h, kernel_w]`.
    pub weight: Array4<f32>,
    /// `[out_channels]`.
    pub bias: Array1<f32>,
    /// Step between neighbouring windows, in input pixels (≥ 1).
    pub stride: usize,
    /// Zero rows/columns added on each side of the input.
    pub padding: usize,
}

/// Max pooling over square windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2d {
    /// Window side length (≥ 1).
    pub kernel: usize,
    /// Step between windows (≥ 1).
    pub stride: usize,
}

/// A fully connected layer: `y = W x + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// `[out_features, in_features]`.
    pub weight: Array2<f32>,
    /// `[out_features]`.
    pub bias: Array1<f32>,
}

/// One step of a sequential network.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// Convolution.
    Conv2d(Conv2d),
    /// Rectified linear unit, `max(0, x)` element-wise.
    ReLU,
    /// Max pooling.
    MaxPool2d(MaxPool2d),
    /// `[C, H, W]` → `[C·H·W]` in channel, row, column order.
    Flatten,
    /// Fully connected.
    Linear(Linear),
    /// `exp(x_i) / Σ exp(x_j)` over a vector.
    Softmax,
}

/// A layer with the name the views show (e.g. `conv_1_1`).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLayer {
    /// Display name, unique within a network.
    pub name: String,
    /// The layer itself.
    pub layer: Layer,
}

impl Layer {
    /// Short kind name as shown to users: `conv`, `relu`, `max_pool`, `flatten`, `linear`, `softmax`.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Conv2d(_) => "conv",
            Layer::ReLU => "relu",
            Layer::MaxPool2d(_) => "max_pool",
            Layer::Flatten => "flatten",
            Layer::Linear(_) => "linear",
            Layer::Softmax => "softmax",
        }
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        match self {
            Layer::Conv2d(c) => c.weight.len() + c.bias.len(),
            Layer::Linear(l) => l.weight.len() + l.bias.len(),
            _ => 0,
        }
    }

    /// The output shape for a given input shape, or why the input does not fit.
    ///
    /// # Shapes
    /// Spatial layers take `[C, H, W]`; `Linear` and `Softmax` take `[N]`.
    pub fn output_shape(&self, name: &str, index: usize, input: &[usize]) -> Result<Vec<usize>, ModelError> {
        let mismatch = |expected: Vec<usize>| ModelError::ShapeMismatch {
            index,
            name: name.to_string(),
            expected,
            actual: input.to_vec(),
        };
        let invalid = |reason: String| ModelError::InvalidLayer {
            name: name.to_string(),
            reason,
        };
        match self {
            Layer::Conv2d(c) => {
                let [out_c, in_c, kh, kw] = *c.weight.shape() else {
                    unreachable!("Array4 has 4 axes")
                };
                if c.bias.len() != out_c {
                    return Err(invalid(format!(
                        "bias has {} values for {out_c} output channels",
                        c.bias.len()
                    )));
                }
                if c.stride == 0 {
                    return Err(invalid("stride must be at least 1".into()));
                }
                let &[ic, h, w] = input else {
                    return Err(mismatch(vec![in_c, kh, kw]));
                };
                if ic != in_c {
                    return Err(mismatch(vec![in_c, h, w]));
                }
                let (ph, pw) = (h + 2 * c.padding, w + 2 * c.padding);
                if ph < kh || pw < kw || kh == 0 || kw == 0 {
                    return Err(mismatch(vec![in_c, kh.max(1), kw.max(1)]));
                }
                Ok(vec![out_c, (ph - kh) / c.stride + 1, (pw - kw) / c.stride + 1])
            }
            Layer::ReLU => Ok(input.to_vec()),
            Layer::MaxPool2d(p) => {
                if p.kernel == 0 || p.stride == 0 {
                    return Err(invalid("kernel and stride must be at least 1".into()));
                }
                let &[c, h, w] = input else {
                    return Err(mismatch(vec![0, p.kernel, p.kernel]));
                };
                if h < p.kernel || w < p.kernel {
                    return Err(mismatch(vec![c, p.kernel, p.kernel]));
                }
                Ok(vec![
                    c,
                    (h - p.kernel) / p.stride + 1,
                    (w - p.kernel) / p.stride + 1,
                ])
            }
            Layer::Flatten => Ok(vec![input.iter().product()]),
            Layer::Linear(l) => {
                let [out_f, in_f] = *l.weight.shape() else {
                    unreachable!("Array2 has 2 axes")
                };
                if l.bias.len() != out_f {
                    return Err(invalid(format!(
                        "bias has {} values for {out_f} outputs",
                        l.bias.len()
                    )));
                }
                if input != [in_f] {
                    return Err(mismatch(vec![in_f]));
                }
                Ok(vec![out_f])
            }
            Layer::Softmax => {
                if input.len() != 1 {
                    return Err(mismatch(vec![input.iter().product()]));
                }
                Ok(input.to_vec())
            }
        }
    }
}
