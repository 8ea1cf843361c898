//! Backward passes checked against central finite differences of the reference forward pass,
//! for every layer kind and for the whole Tiny VGG shape on a small input.

use ndarray::{Array1, Array2, Array3, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::backprop::{backward, forward_with_cache, logit_layer_count, loss_and_gradients};
use super::loss::softmax_cross_entropy;
use models::layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
use models::network::Network;

const EPSILON: f32 = 3e-3;
/// Length of the step along a unit direction: small enough to rarely cross a ReLU or max-pool
/// kink, large enough that the loss change stays far above f32 rounding.
const DIRECTIONAL_EPSILON: f32 = 1e-3;

fn conv(rng: &mut ChaCha8Rng, out_c: usize, in_c: usize, k: usize, stride: usize, padding: usize) -> Layer {
    let scale = (2.0 / (in_c * k * k) as f32).sqrt();
    Layer::Conv2d(Conv2d {
        weight: Array4::from_shape_fn((out_c, in_c, k, k), |_| rng.random_range(-scale..scale)),
        bias: Array1::from_shape_fn(out_c, |_| rng.random_range(-0.1..0.1)),
        stride,
        padding,
    })
}

fn linear(rng: &mut ChaCha8Rng, out_f: usize, in_f: usize) -> Layer {
    let scale = (2.0 / in_f as f32).sqrt();
    Layer::Linear(Linear {
        weight: Array2::from_shape_fn((out_f, in_f), |_| rng.random_range(-scale..scale)),
        bias: Array1::from_shape_fn(out_f, |_| rng.random_range(-0.1..0.1)),
    })
}

fn network(input: [usize; 3], layers: Vec<Layer>, classes: usize) -> Network {
    let layers = layers
        .into_iter()
        .enumerate()
        .map(|(i, layer)| NamedLayer {
            name: format!("layer_{i}"),
            layer,
        })
        .collect();
    Network::new(
        input,
        layers,
        (0..classes).map(|c| format!("class {c}")).collect(),
    )
    .expect("test networks are well formed")
}

/// `body` followed by `Flatten` and a `Linear` layer onto `classes` outputs.
fn with_head(rng: &mut ChaCha8Rng, input: [usize; 3], mut body: Vec<Layer>, classes: usize) -> Network {
    let mut shape = input.to_vec();
    for (i, layer) in body.iter().enumerate() {
        shape = layer
            .output_shape("body", i, &shape)
            .expect("test bodies are well formed");
    }
    body.push(Layer::Flatten);
    body.push(linear(rng, classes, shape.iter().product()));
    network(input, body, classes)
}

/// The loss computed with the product's reference forward pass (not the training one).
fn reference_loss(net: &Network, input: &Array3<f32>, label: usize) -> f64 {
    let trace = net.forward(input).expect("input has the network's shape");
    let logits = trace.outputs[logit_layer_count(net) - 1]
        .iter()
        .copied()
        .collect::<Array1<f32>>();
    f64::from(softmax_cross_entropy(&logits, label).0)
}

fn assert_close(what: &str, analytic: f32, numeric: f64) {
    let (a, n) = (f64::from(analytic), numeric);
    let tolerance = 2e-3 + 3e-2 * a.abs().max(n.abs());
    assert!(
        (a - n).abs() <= tolerance,
        "{what}: backward {a} vs finite difference {n}"
    );
}

/// What a finite difference perturbs.
#[derive(Debug, Clone, Copy)]
enum Target {
    Weight(usize),
    Bias(usize),
    Input,
}

/// The reference loss with `target` moved by `delta × direction`.
fn loss_moved(
    net: &Network,
    input: &Array3<f32>,
    label: usize,
    target: Target,
    direction: &[f32],
    delta: f32,
) -> f64 {
    let shift = |values: &mut [f32]| {
        for (v, d) in values.iter_mut().zip(direction) {
            *v += delta * d;
        }
    };
    let mut layers = net.layers().to_vec();
    let mut x = input.clone();
    match target {
        Target::Input => shift(x.as_slice_mut().unwrap()),
        Target::Weight(layer) | Target::Bias(layer) => {
            let (weight, bias): (&mut [f32], &mut [f32]) = match &mut layers[layer].layer {
                Layer::Conv2d(c) => (c.weight.as_slice_mut().unwrap(), c.bias.as_slice_mut().unwrap()),
                Layer::Linear(l) => (l.weight.as_slice_mut().unwrap(), l.bias.as_slice_mut().unwrap()),
                _ => unreachable!("only layers with parameters are perturbed"),
            };
            shift(if matches!(target, Target::Bias(_)) {
                bias
            } else {
                weight
            });
        }
    }
    let net = Network::new(net.input_shape(), layers, net.class_names().to_vec()).unwrap();
    reference_loss(&net, &x, label)
}

/// Compares the backward gradient with central differences: along `entries` single
/// coordinates, then along `directions` unit directions mixing the gradient's own direction
/// with a random one. Those keep the loss change far above f32 rounding while moving each
/// coordinate only slightly (so ReLU and max-pool kinks are rarely crossed), and the random
/// part catches a gradient pointing the wrong way.
fn compare(
    what: &str,
    rng: &mut ChaCha8Rng,
    gradient: &[f32],
    entries: usize,
    directions: usize,
    moved: impl Fn(&[f32], f32) -> f64,
) {
    let central = |direction: &[f32], epsilon: f32| {
        (moved(direction, epsilon) - moved(direction, -epsilon)) / (2.0 * f64::from(epsilon))
    };
    for _ in 0..entries.min(gradient.len()) {
        let flat = rng.random_range(0..gradient.len());
        let mut direction = vec![0.0; gradient.len()];
        direction[flat] = 1.0;
        assert_close(
            &format!("{what}[{flat}]"),
            gradient[flat],
            central(&direction, EPSILON),
        );
    }
    let unit = |v: Vec<f32>| {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
        v.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
    };
    let along_gradient = unit(gradient.to_vec());
    for attempt in 0..directions {
        let random = unit((0..gradient.len()).map(|_| rng.random_range(-1.0..1.0)).collect());
        let mix = if attempt == 0 { 0.0 } else { 1.0 };
        let direction = unit(
            along_gradient
                .iter()
                .zip(&random)
                .map(|(g, r)| g + mix * r)
                .collect(),
        );
        let analytic: f32 = gradient.iter().zip(&direction).map(|(g, d)| g * d).sum();
        assert_close(
            &format!("{what} along direction {attempt}"),
            analytic,
            central(&direction, DIRECTIONAL_EPSILON),
        );
    }
}

/// Checks every parameter tensor and the input: `entries` single coordinates and
/// `directions` random directions each.
fn check(net: &Network, seed: u64, entries: usize, directions: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [c, h, w] = net.input_shape();
    let input = Array3::from_shape_fn((c, h, w), |_| rng.random_range(0.0..1.0));
    let label = rng.random_range(0..net.class_names().len());
    let result = loss_and_gradients(net, &input, label);
    assert!((f64::from(result.loss) - reference_loss(net, &input, label)).abs() < 1e-4);
    for (layer, g) in result.gradients.layers.iter().enumerate() {
        let Some(g) = g else { continue };
        for (target, values) in [
            (Target::Weight(layer), g.weight.as_slice().unwrap()),
            (Target::Bias(layer), g.bias.as_slice().unwrap()),
        ] {
            let moved = |d: &[f32], delta: f32| loss_moved(net, &input, label, target, d, delta);
            compare(
                &format!("{target:?}"),
                &mut rng,
                values,
                entries,
                directions,
                moved,
            );
        }
    }
    // The gradient with respect to the input exercises every layer's dx, including layer 0's.
    let pass = forward_with_cache(net, &input, logit_layer_count(net));
    let logits = pass.output.iter().copied().collect::<Array1<f32>>();
    let (_, d_logits) = softmax_cross_entropy(&logits, label);
    let (_, dx) = backward(net, &pass, d_logits.into_dyn(), true);
    let dx = dx.expect("asked for the input gradient");
    let moved = |d: &[f32], delta: f32| loss_moved(net, &input, label, Target::Input, d, delta);
    compare(
        "input",
        &mut rng,
        dx.as_slice().unwrap(),
        entries,
        directions,
        moved,
    );
}

#[test]
fn conv_with_stride_and_padding() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    for (k, stride, padding) in [(3, 1, 0), (3, 2, 1), (5, 1, 2), (2, 3, 1)] {
        let body = vec![conv(&mut rng, 3, 2, k, stride, padding)];
        check(&with_head(&mut rng, [2, 9, 8], body, 4), 100 + k as u64, 12, 3);
    }
}

#[test]
fn linear_and_flatten() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let net = network(
        [2, 3, 4],
        vec![Layer::Flatten, linear(&mut rng, 5, 24), linear(&mut rng, 3, 5)],
        3,
    );
    check(&net, 1, 20, 3);
}

#[test]
fn relu() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let net = network(
        [1, 4, 4],
        vec![
            Layer::Flatten,
            linear(&mut rng, 8, 16),
            Layer::ReLU,
            linear(&mut rng, 3, 8),
        ],
        3,
    );
    check(&net, 2, 20, 3);
}

#[test]
fn max_pool_plain_and_overlapping() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for (kernel, stride) in [(2, 2), (3, 2), (2, 1)] {
        let body = vec![
            conv(&mut rng, 3, 2, 2, 1, 0),
            Layer::MaxPool2d(MaxPool2d { kernel, stride }),
        ];
        check(
            &with_head(&mut rng, [2, 7, 7], body, 3),
            200 + kernel as u64,
            12,
            3,
        );
    }
}

#[test]
fn average_pool_plain_and_overlapping() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    for (kernel, stride) in [(2, 2), (3, 2), (2, 1)] {
        let body = vec![
            conv(&mut rng, 3, 2, 2, 1, 0),
            Layer::AvgPool2d(AvgPool2d { kernel, stride }),
        ];
        check(
            &with_head(&mut rng, [2, 7, 7], body, 3),
            300 + kernel as u64,
            12,
            3,
        );
    }
}

#[test]
fn softmax_inside_the_network() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let net = network(
        [1, 2, 3],
        vec![
            Layer::Flatten,
            linear(&mut rng, 4, 6),
            Layer::Softmax,
            linear(&mut rng, 3, 4),
            Layer::Softmax,
        ],
        3,
    );
    check(&net, 4, 12, 3);
}

#[test]
fn tiny_vgg_shape_on_a_small_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let net = network(
        [3, 20, 20],
        vec![
            conv(&mut rng, 10, 3, 3, 1, 0),
            Layer::ReLU,
            conv(&mut rng, 10, 10, 3, 1, 0),
            Layer::ReLU,
            Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 }),
            conv(&mut rng, 10, 10, 3, 1, 0),
            Layer::ReLU,
            conv(&mut rng, 10, 10, 3, 1, 0),
            Layer::ReLU,
            Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 }),
            Layer::Flatten,
            linear(&mut rng, 10, 40),
            Layer::Softmax,
        ],
        10,
    );
    check(&net, 5, 0, 4);
}
