//! The fast forward pass agrees with the plain reference loops on random models and inputs.

use crate::common;

use common::reference;
use models::{Conv2d, MaxPool2d};
use ndarray::{Array1, ArrayD};
use rand::Rng;

/// Largest difference relative to the values' scale.
fn assert_close(fast: &ArrayD<f32>, slow: &ArrayD<f32>, what: &str) {
    assert_eq!(fast.shape(), slow.shape(), "{what}");
    let scale = slow.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    for (a, b) in fast.iter().zip(slow) {
        assert!((a - b).abs() <= 1e-5 * scale, "{what}: {a} vs {b}");
    }
}

#[test]
fn whole_networks_agree_with_the_reference() {
    let mut rng = common::rng(10);
    for kernel in [1, 3, 5] {
        for stride in [1, 2] {
            for padding in [0, 1, 2] {
                for _ in 0..3 {
                    let network = common::random_network(&mut rng, kernel, stride, padding);
                    let input = common::random_input(&mut rng, network.input_shape());
                    let trace = network.forward(&input).unwrap();
                    let expected = reference::forward(&network, &input);
                    for (layer, (fast, slow)) in trace.outputs.iter().zip(&expected).enumerate() {
                        assert_close(
                            fast,
                            slow,
                            &format!("k{kernel} s{stride} p{padding} layer {layer}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn forward_into_reuses_any_trace_and_gives_the_same_result() {
    let mut rng = common::rng(12);
    let small = common::random_network(&mut rng, 3, 1, 1);
    let other = common::random_network(&mut rng, 5, 2, 0);
    let input = common::random_input(&mut rng, small.input_shape());
    let expected = small.forward(&input).unwrap();
    // A trace of another network (other shapes), then one of the same network and another
    // input (same shapes, stale values): both must be fully overwritten.
    let mut trace = other
        .forward(&common::random_input(&mut rng, other.input_shape()))
        .unwrap();
    small.forward_into(&input, &mut trace).unwrap();
    assert_eq!(trace, expected);
    let mut trace = small
        .forward(&common::random_input(&mut rng, small.input_shape()))
        .unwrap();
    small.forward_into(&input, &mut trace).unwrap();
    assert_eq!(trace, expected);
}

#[test]
fn convolutions_agree_for_every_block_shape() {
    let mut rng = common::rng(11);
    // Output channels 1..=13 exercise channel pairs and a lone last channel; widths from 1 to
    // 70 exercise bands of one and many rows, vector tails and the input's last elements.
    for out_c in 1..=13 {
        for side in [1, 2, 5, 8, 9, 17, 31, 33, 40, 66, 70] {
            let kernel = [1, 3, 5][rng.random_range(0..3)];
            let stride = rng.random_range(1..=2);
            let padding = rng.random_range(0..=2);
            if side + 2 * padding < kernel {
                continue;
            }
            let in_c = rng.random_range(1..=4);
            let conv = Conv2d {
                weight: common::random_array4(&mut rng, (out_c, in_c, kernel, kernel)),
                bias: Array1::from_shape_simple_fn(out_c, || rng.random_range(-1.0..1.0)),
                stride,
                padding,
            };
            let height = rng.random_range(kernel.saturating_sub(2 * padding).max(1)..=side.max(kernel));
            let input = common::random_input(&mut rng, [in_c, height, side]);
            let fast = models::network::conv2d(&conv, &input).into_dyn();
            let slow = reference::conv2d(&conv, &input).into_dyn();
            assert_close(
                &fast,
                &slow,
                &format!("out_c {out_c} side {side} k{kernel} s{stride} p{padding}"),
            );
        }
    }
}

#[test]
fn pooling_and_linear_agree() {
    let mut rng = common::rng(12);
    for (kernel, stride) in [(1, 1), (2, 2), (3, 2), (2, 1), (3, 3)] {
        let input = common::random_input(&mut rng, [3, 11, 9]);
        let pool = MaxPool2d { kernel, stride };
        let fast = models::network::max_pool2d(&pool, &input).into_dyn();
        assert_close(&fast, &reference::max_pool2d(&pool, &input).into_dyn(), "pool");
        let average = models::AvgPool2d { kernel, stride };
        let fast = models::network::avg_pool2d(&average, &input).into_dyn();
        assert_close(
            &fast,
            &reference::avg_pool2d(&average, &input).into_dyn(),
            "average pool",
        );
    }
}

#[test]
fn builtin_model_agrees_and_layer_sums_match() {
    let network = models::builtin::tiny_vgg();
    let mut rng = common::rng(13);
    let input = common::random_input(&mut rng, [3, 64, 64]);
    let trace = network.forward(&input).unwrap();
    let expected = reference::forward(network, &input);
    for (layer, (fast, slow)) in trace.outputs.iter().zip(&expected).enumerate() {
        assert_close(fast, slow, &format!("tiny vgg layer {layer}"));
    }
    let sums = trace.layer_sums();
    assert_eq!(sums.len(), 13);
    for (sum, slow) in sums.iter().zip(&expected) {
        let expected_sum: f32 = slow.iter().sum();
        assert!((sum - expected_sum).abs() <= 1e-3 * expected_sum.abs().max(1.0));
    }
    assert!((sums[12] - 1.0).abs() < 1e-5, "probabilities sum to one");
}

#[test]
fn non_standard_layout_input_is_accepted() {
    let network = models::builtin::tiny_vgg_untrained(1);
    let mut rng = common::rng(14);
    let input = common::random_input(&mut rng, [64, 64, 3]);
    let transposed = input.view().permuted_axes([2, 0, 1]).to_owned();
    let permuted = input.permuted_axes([2, 0, 1]);
    assert_eq!(
        network.forward(&permuted).unwrap(),
        network.forward(&transposed).unwrap()
    );
}
