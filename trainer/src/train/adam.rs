//! The Adam optimiser (Kingma & Ba, 2015) with the bias-corrected step PyTorch uses.

use ndarray::ArrayD;

use super::gradients::Gradients;
use models::layers::{Layer, NamedLayer};
use models::network::Network;

/// Adam state: running first and second moments of every parameter's gradient.
#[derive(Debug, Clone)]
pub struct Adam {
    /// Exponential decay of the first moment (PyTorch default 0.9).
    pub beta1: f32,
    /// Exponential decay of the second moment (PyTorch default 0.999).
    pub beta2: f32,
    /// Added to the root of the second moment so the step never divides by zero.
    pub epsilon: f32,
    first: Gradients,
    second: Gradients,
    steps: i32,
}

impl Adam {
    /// Fresh state for `network` with PyTorch's default hyper-parameters.
    pub fn new(network: &Network) -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            first: Gradients::zeros_like(network),
            second: Gradients::zeros_like(network),
            steps: 0,
        }
    }

    /// Number of steps taken so far.
    pub fn steps(&self) -> i32 {
        self.steps
    }

    /// One update with learning rate `lr` from the (batch-averaged) `gradients`; returns the
    /// updated network.
    ///
    /// # Panics
    /// If `gradients` or this state were made for a different network (a programming error).
    pub fn step(&mut self, network: &Network, gradients: &Gradients, lr: f32) -> Network {
        self.steps += 1;
        let correction1 = 1.0 - self.beta1.powi(self.steps);
        let correction2 = 1.0 - self.beta2.powi(self.steps);
        let step_size = lr / correction1;
        let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon);
        let mut layers: Vec<NamedLayer> = network.layers().to_vec();
        for (index, named) in layers.iter_mut().enumerate() {
            let (Some(g), Some(m), Some(v)) = (
                &gradients.layers[index],
                &mut self.first.layers[index],
                &mut self.second.layers[index],
            ) else {
                continue;
            };
            // Weights loaded from elsewhere may be strided; updates need them contiguous.
            let (weight, bias) = match &mut named.layer {
                Layer::Conv2d(c) => {
                    c.weight = c.weight.as_standard_layout().into_owned();
                    (c.weight.as_slice_mut(), c.bias.as_slice_mut())
                }
                Layer::Linear(l) => {
                    l.weight = l.weight.as_standard_layout().into_owned();
                    (l.weight.as_slice_mut(), l.bias.as_slice_mut())
                }
                _ => panic!("gradients of a different network"),
            };
            let update = |params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]| {
                for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *v = beta2 * *v + (1.0 - beta2) * g * g;
                    *p -= step_size * *m / ((*v / correction2).sqrt() + epsilon);
                }
            };
            update(
                weight.expect("parameters are stored contiguously"),
                standard(&g.weight),
                m.weight.as_slice_mut().expect("zeros are contiguous"),
                v.weight.as_slice_mut().expect("zeros are contiguous"),
            );
            update(
                bias.expect("parameters are stored contiguously"),
                g.bias.as_slice().expect("gradients are contiguous"),
                m.bias.as_slice_mut().expect("zeros are contiguous"),
                v.bias.as_slice_mut().expect("zeros are contiguous"),
            );
        }
        Network::new(network.input_shape(), layers, network.class_names().to_vec())
            .expect("an update changes values, never shapes")
    }
}

fn standard(a: &ArrayD<f32>) -> &[f32] {
    a.as_slice().expect("gradients are built in standard layout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::layers::Linear;
    use ndarray::{Array1, Array2};

    fn one_linear(weight: [f32; 2], bias: f32) -> Network {
        let layer = Layer::Linear(Linear {
            weight: Array2::from_shape_vec((1, 2), weight.to_vec()).unwrap(),
            bias: Array1::from_elem(1, bias),
        });
        let layers = vec![
            NamedLayer {
                name: "flatten".into(),
                layer: Layer::Flatten,
            },
            NamedLayer {
                name: "out".into(),
                layer,
            },
        ];
        Network::new([1, 1, 2], layers, vec!["only".into()]).unwrap()
    }

    fn parameters(network: &Network) -> Vec<f32> {
        let Layer::Linear(l) = &network.layers()[1].layer else {
            unreachable!()
        };
        l.weight.iter().chain(l.bias.iter()).copied().collect()
    }

    #[test]
    fn first_step_moves_every_parameter_by_the_learning_rate_against_its_gradient() {
        // With bias correction, Adam's first step is lr · g / |g| per parameter.
        let network = one_linear([1.0, -1.0], 0.5);
        let mut gradients = Gradients::zeros_like(&network);
        let g = gradients.layers[1].as_mut().unwrap();
        g.weight[[0, 0]] = 4.0;
        g.weight[[0, 1]] = -0.01;
        g.bias[0] = 2.0;
        let mut adam = Adam::new(&network);
        let updated = adam.step(&network, &gradients, 0.1);
        let moved: Vec<f32> = parameters(&updated)
            .iter()
            .zip(parameters(&network))
            .map(|(a, b)| a - b)
            .collect();
        for (m, expected) in moved.iter().zip([-0.1, 0.1, -0.1]) {
            assert!((m - expected).abs() < 1e-5, "{moved:?}");
        }
        assert_eq!(adam.steps(), 1);
    }

    #[test]
    fn minimises_a_quadratic() {
        // Loss ½‖θ − target‖²: the gradient is θ − target.
        let target = [0.3f32, -0.7, 0.2];
        let mut network = one_linear([0.0, 0.0], 0.0);
        let mut adam = Adam::new(&network);
        for _ in 0..2000 {
            let mut gradients = Gradients::zeros_like(&network);
            let p = parameters(&network);
            let g = gradients.layers[1].as_mut().unwrap();
            g.weight[[0, 0]] = p[0] - target[0];
            g.weight[[0, 1]] = p[1] - target[1];
            g.bias[0] = p[2] - target[2];
            network = adam.step(&network, &gradients, 0.01);
        }
        for (p, t) in parameters(&network).iter().zip(target) {
            assert!((p - t).abs() < 1e-2, "{p} vs {t}");
        }
    }
}
