//! One sample through the network and back: a forward pass that keeps what each layer's
//! backward pass needs, then the chain rule layer by layer from the loss to the first weights.

use ndarray::{Array1, Array3, ArrayD, Ix1, Ix3};

use super::gradients::{Gradients, ParamGradient};
use super::loss::softmax_cross_entropy;
use super::{conv, pool};
use models::layers::Layer;
use models::network::{Network, linear, softmax};

/// What one layer's forward pass keeps for its backward pass.
#[derive(Debug, Clone)]
enum Cache {
    Conv {
        cols: ndarray::Array2<f32>,
        input_shape: (usize, usize, usize),
    },
    ReLU {
        output: ArrayD<f32>,
    },
    MaxPool {
        input_shape: (usize, usize, usize),
        winners: Vec<usize>,
    },
    AvgPool {
        input_shape: (usize, usize, usize),
    },
    Flatten {
        input_shape: Vec<usize>,
    },
    Linear {
        input: Array1<f32>,
    },
    Softmax {
        output: Array1<f32>,
    },
}

/// A forward pass through the first `caches.len()` layers, ready to be run backwards.
#[derive(Debug, Clone)]
pub struct CachedForward {
    caches: Vec<Cache>,
    /// The output of the last layer run.
    pub output: ArrayD<f32>,
}

/// Loss, correctness and parameter gradients of one labelled sample.
#[derive(Debug, Clone)]
pub struct SampleResult {
    /// Cross-entropy of the prediction against the label.
    pub loss: f32,
    /// Whether the largest logit is the label's.
    pub correct: bool,
    /// `∂loss/∂parameters`.
    pub gradients: Gradients,
}

/// Number of layers the training forward pass runs: all but a final `Softmax`, whose job the
/// fused [`softmax_cross_entropy`] does in a numerically stable way.
pub fn logit_layer_count(network: &Network) -> usize {
    let layers = network.layers();
    match layers.last().map(|l| &l.layer) {
        Some(Layer::Softmax) => layers.len() - 1,
        _ => layers.len(),
    }
}

/// Runs layers `0..layer_count`, keeping each layer's cache.
///
/// # Shapes
/// `input`: the network's input shape `[C, H, W]` (checked by the caller, e.g. the dataset
/// pipeline, which always produces it).
pub fn forward_with_cache(network: &Network, input: &Array3<f32>, layer_count: usize) -> CachedForward {
    let mut caches = Vec::with_capacity(layer_count);
    let mut x = input.clone().into_dyn();
    for named in &network.layers()[..layer_count] {
        let (output, cache) = forward_layer(&named.layer, x);
        caches.push(cache);
        x = output;
    }
    CachedForward { caches, output: x }
}

fn as3(x: ArrayD<f32>) -> Array3<f32> {
    x.into_dimensionality::<Ix3>()
        .expect("shapes are checked when the network is built")
}

fn as1(x: ArrayD<f32>) -> Array1<f32> {
    x.into_dimensionality::<Ix1>()
        .expect("shapes are checked when the network is built")
}

fn forward_layer(layer: &Layer, x: ArrayD<f32>) -> (ArrayD<f32>, Cache) {
    match layer {
        Layer::Conv2d(c) => {
            let x = as3(x);
            let (oh, ow) = conv::output_size(c, x.dim());
            let cols = conv::im2col(c, &x);
            let out = conv::forward(c, &cols, oh, ow);
            (
                out.into_dyn(),
                Cache::Conv {
                    cols,
                    input_shape: x.dim(),
                },
            )
        }
        Layer::ReLU => {
            let out = x.mapv_into(|v| v.max(0.0));
            (out.clone(), Cache::ReLU { output: out })
        }
        Layer::MaxPool2d(p) => {
            let x = as3(x);
            let pooled = pool::forward(p, &x);
            let cache = Cache::MaxPool {
                input_shape: x.dim(),
                winners: pooled.winners,
            };
            (pooled.output.into_dyn(), cache)
        }
        Layer::AvgPool2d(p) => {
            let x = as3(x);
            let out = models::network::avg_pool2d(p, &x);
            (out.into_dyn(), Cache::AvgPool { input_shape: x.dim() })
        }
        Layer::Flatten => {
            let input_shape = x.shape().to_vec();
            let flat = Array1::from_iter(x.as_standard_layout().iter().copied());
            (flat.into_dyn(), Cache::Flatten { input_shape })
        }
        Layer::Linear(l) => {
            let x = as1(x);
            let out = linear(l, &x);
            (out.into_dyn(), Cache::Linear { input: x })
        }
        Layer::Softmax => {
            let out = softmax(&as1(x));
            (out.clone().into_dyn(), Cache::Softmax { output: out })
        }
    }
}

/// Runs the chain rule from `d_output` (the gradient at the last layer run) back to the input.
/// Returns the parameter gradients and, if asked, the gradient with respect to the input.
pub fn backward(
    network: &Network,
    pass: &CachedForward,
    d_output: ArrayD<f32>,
    want_input_gradient: bool,
) -> (Gradients, Option<Array3<f32>>) {
    let mut gradients = Gradients::zeros_like(network);
    let mut dy = d_output;
    for (index, cache) in pass.caches.iter().enumerate().rev() {
        let need_dx = index > 0 || want_input_gradient;
        let (dx, params) = backward_layer(&network.layers()[index].layer, cache, dy, need_dx);
        if let Some(p) = params {
            gradients.layers[index] = Some(p);
        }
        match dx {
            Some(dx) => dy = dx,
            None => return (gradients, None),
        }
    }
    let input_gradient = want_input_gradient.then(|| as3(dy));
    (gradients, input_gradient)
}

fn backward_layer(
    layer: &Layer,
    cache: &Cache,
    dy: ArrayD<f32>,
    need_dx: bool,
) -> (Option<ArrayD<f32>>, Option<ParamGradient>) {
    match (layer, cache) {
        (Layer::Conv2d(c), Cache::Conv { cols, input_shape }) => {
            let g = conv::backward(c, *input_shape, cols, &as3(dy), need_dx);
            let params = ParamGradient {
                weight: g.weight.into_dyn(),
                bias: g.bias,
            };
            (g.input.map(|d| d.into_dyn()), Some(params))
        }
        (Layer::ReLU, Cache::ReLU { output }) => {
            let mut dx = dy;
            dx.zip_mut_with(output, |d, &o| {
                if o <= 0.0 {
                    *d = 0.0;
                }
            });
            (Some(dx), None)
        }
        (Layer::MaxPool2d(_), Cache::MaxPool { input_shape, winners }) => {
            let dx = pool::backward(*input_shape, winners, &as3(dy));
            (Some(dx.into_dyn()), None)
        }
        (Layer::AvgPool2d(p), Cache::AvgPool { input_shape }) => {
            // Each output is the mean of its window: every input pixel of the window gets 1/k².
            let dy = as3(dy);
            let share = 1.0 / (p.kernel * p.kernel) as f32;
            let mut dx = ndarray::Array3::<f32>::zeros(*input_shape);
            for ((c, y, x), &g) in dy.indexed_iter() {
                for ky in 0..p.kernel {
                    for kx in 0..p.kernel {
                        dx[[c, y * p.stride + ky, x * p.stride + kx]] += g * share;
                    }
                }
            }
            (Some(dx.into_dyn()), None)
        }
        (Layer::Flatten, Cache::Flatten { input_shape }) => {
            let dx = dy
                .into_shape_with_order(input_shape.clone())
                .expect("flatten keeps the element count");
            (Some(dx), None)
        }
        (Layer::Linear(l), Cache::Linear { input }) => {
            let dy = as1(dy);
            let weight = ndarray::Array2::from_shape_fn(l.weight.dim(), |(o, i)| dy[o] * input[i]);
            let dx = need_dx.then(|| l.weight.t().dot(&dy).into_dyn());
            (
                dx,
                Some(ParamGradient {
                    weight: weight.into_dyn(),
                    bias: dy,
                }),
            )
        }
        (Layer::Softmax, Cache::Softmax { output }) => {
            // ∂s_i/∂z_j = s_i (δ_ij − s_j), so dz = s ⊙ (dy − ⟨dy, s⟩).
            let dy = as1(dy);
            let dot = dy.dot(output);
            (Some((output * &(dy - dot)).into_dyn()), None)
        }
        _ => unreachable!("each cache is made by the forward pass of the same layer"),
    }
}

/// Loss, correctness and parameter gradients for one sample.
///
/// The network's outputs before a final `Softmax` are read as logits; without a final
/// `Softmax` the last layer's outputs are.
pub fn loss_and_gradients(network: &Network, input: &Array3<f32>, label: usize) -> SampleResult {
    let pass = forward_with_cache(network, input, logit_layer_count(network));
    let logits = as1(pass.output.clone());
    let (loss, d_logits) = softmax_cross_entropy(&logits, label);
    let predicted = logits
        .iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > logits[best] { i } else { best });
    let (gradients, _) = backward(network, &pass, d_logits.into_dyn(), false);
    SampleResult {
        loss,
        correct: predicted == label,
        gradients,
    }
}
