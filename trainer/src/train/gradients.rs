//! One gradient tensor per trainable parameter, laid out like the network's layers, so
//! per-sample gradients can be summed and handed to the optimiser.

use ndarray::{Array1, ArrayD};

use models::layers::Layer;
use models::network::Network;

/// The gradient of one layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamGradient {
    /// Same shape as the layer's weight.
    pub weight: ArrayD<f32>,
    /// Same shape as the layer's bias.
    pub bias: Array1<f32>,
}

/// Gradients for a whole network: `layers[i]` is `None` for layers without parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// One entry per layer, in network order.
    pub layers: Vec<Option<ParamGradient>>,
}

impl Gradients {
    /// All-zero gradients shaped like `network`'s parameters.
    pub fn zeros_like(network: &Network) -> Self {
        let layers = network
            .layers()
            .iter()
            .map(|named| match &named.layer {
                Layer::Conv2d(c) => Some(ParamGradient {
                    weight: ArrayD::zeros(c.weight.shape()),
                    bias: Array1::zeros(c.bias.len()),
                }),
                Layer::Linear(l) => Some(ParamGradient {
                    weight: ArrayD::zeros(l.weight.shape()),
                    bias: Array1::zeros(l.bias.len()),
                }),
                _ => None,
            })
            .collect();
        Self { layers }
    }

    /// `self += other`, parameter by parameter.
    ///
    /// # Panics
    /// If the two were made for different networks (a programming error).
    pub fn add_assign(&mut self, other: &Gradients) {
        assert_eq!(
            self.layers.len(),
            other.layers.len(),
            "gradients of different networks"
        );
        for (mine, theirs) in self.layers.iter_mut().zip(&other.layers) {
            match (mine, theirs) {
                (Some(a), Some(b)) => {
                    a.weight += &b.weight;
                    a.bias += &b.bias;
                }
                (None, None) => {}
                _ => panic!("gradients of different networks"),
            }
        }
    }

    /// Multiplies every gradient by `factor` (e.g. `1 / batch size`).
    pub fn scale(&mut self, factor: f32) {
        for g in self.layers.iter_mut().flatten() {
            g.weight *= factor;
            g.bias *= factor;
        }
    }

    /// The Euclidean norm over all parameters (for logging and clipping).
    pub fn norm(&self) -> f32 {
        self.layers
            .iter()
            .flatten()
            .flat_map(|g| g.weight.iter().chain(g.bias.iter()))
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt() as f32
    }
}
