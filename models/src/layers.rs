//! The layer types a network is made of, spelled as in PyTorch so users recognise them.
//!
//! Tensor layout follows PyTorch: activations are `[channels, height, width]`, convolution
//! weights `[out_channels, in_channels, kernel_h, kernel_w]`, linear weights
//! `[out_features, in_features]`, and `Flatten` walks channel, then row, then column.

use ndarray::{Array1, Array2, Array4};

use crate::budget::thousands;
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

/// Average pooling over square windows (no padding): each output is the mean of its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvgPool2d {
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
    /// Average pooling.
    AvgPool2d(AvgPool2d),
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
    /// Short kind name as shown to users: `conv`, `relu`, `max_pool`, `avg_pool`, `flatten`,
    /// `linear`, `softmax`.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Conv2d(_) => "conv",
            Layer::ReLU => "relu",
            Layer::MaxPool2d(_) => "max_pool",
            Layer::AvgPool2d(_) => "avg_pool",
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

    /// The layer's kind as PyTorch names its module: `Conv2d`, `ReLU`, `MaxPool2d`, `Flatten`,
    /// `Linear`, `Softmax` (what a user who exported a model recognises in an error).
    pub fn pytorch_name(&self) -> &'static str {
        match self {
            Layer::Conv2d(_) => "Conv2d",
            Layer::ReLU => "ReLU",
            Layer::MaxPool2d(_) => "MaxPool2d",
            Layer::AvgPool2d(_) => "AvgPool2d",
            Layer::Flatten => "Flatten",
            Layer::Linear(_) => "Linear",
            Layer::Softmax => "Softmax",
        }
    }

    /// The output shape for a given input shape, or why the input does not fit, as a sentence
    /// naming the layer and the mismatch.
    ///
    /// # Shapes
    /// Spatial layers take `[C, H, W]`; `Linear` and `Softmax` take `[N]`.
    pub fn output_shape(&self, name: &str, index: usize, input: &[usize]) -> Result<Vec<usize>, ModelError> {
        let mismatch = |reason: String| ModelError::ShapeMismatch {
            index,
            name: name.to_string(),
            kind: self.pytorch_name(),
            reason,
        };
        // Who hands this layer its input, in words.
        let source = if index == 0 {
            "the network's input is"
        } else {
            "the previous layer gives"
        };
        let described = describe_shape(input);
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
                    return Err(mismatch(format!(
                        "expects {in_c} channels of a picture-shaped map but {source} {described}"
                    )));
                };
                if ic != in_c {
                    return Err(mismatch(format!(
                        "expects {in_c} input channels but {source} {described}"
                    )));
                }
                let (ph, pw) = (h + 2 * c.padding, w + 2 * c.padding);
                if kh == 0 || kw == 0 {
                    return Err(invalid("its kernel is empty".into()));
                }
                if ph < kh || pw < kw {
                    return Err(mismatch(format!(
                        "has a {kh}×{kw} kernel, larger than its {h}×{w} input with padding {}",
                        c.padding
                    )));
                }
                Ok(vec![out_c, (ph - kh) / c.stride + 1, (pw - kw) / c.stride + 1])
            }
            Layer::ReLU => Ok(input.to_vec()),
            Layer::MaxPool2d(MaxPool2d { kernel, stride })
            | Layer::AvgPool2d(AvgPool2d { kernel, stride }) => {
                let (kernel, stride) = (*kernel, *stride);
                if kernel == 0 || stride == 0 {
                    return Err(invalid("kernel and stride must be at least 1".into()));
                }
                let &[c, h, w] = input else {
                    return Err(mismatch(format!(
                        "pools a picture-shaped map but {source} {described}"
                    )));
                };
                if h < kernel || w < kernel {
                    return Err(mismatch(format!(
                        "has a {kernel}×{kernel} window, larger than its {h}×{w} input"
                    )));
                }
                Ok(vec![c, (h - kernel) / stride + 1, (w - kernel) / stride + 1])
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
                    let hint = if input.len() == 3 {
                        "; put a Flatten before it"
                    } else {
                        ""
                    };
                    return Err(mismatch(format!(
                        "expects {} inputs but {source} {described}{hint}",
                        thousands(in_f as u64)
                    )));
                }
                Ok(vec![out_f])
            }
            Layer::Softmax => {
                if input.len() != 1 {
                    return Err(mismatch(format!(
                        "turns a vector of scores into probabilities but {source} {described}"
                    )));
                }
                Ok(input.to_vec())
            }
        }
    }
}

/// A shape in words: `1,690` for a vector, `a 10×13×13 map (1,690 values)` otherwise.
fn describe_shape(shape: &[usize]) -> String {
    let values: usize = shape.iter().product();
    match shape {
        [n] => thousands(*n as u64),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("a {} map ({} values)", dims.join("×"), thousands(values as u64))
        }
    }
}
