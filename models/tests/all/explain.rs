//! Every explanation adds up to the value the forward pass stored, on random networks and inputs;
//! untrusted positions give typed errors.

use crate::common;

use models::explain;
use models::{Layer, ModelError, Network, Trace};
use ndarray::Dimension;

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0)
}

fn random_case(seed: u64, kernel: usize, stride: usize, padding: usize) -> (Network, Trace) {
    let mut rng = common::rng(seed);
    let network = common::random_network(&mut rng, kernel, stride, padding);
    let input = common::random_input(&mut rng, network.input_shape());
    let trace = network.forward(&input).unwrap();
    (network, trace)
}

fn cases() -> Vec<(Network, Trace)> {
    let mut cases = Vec::new();
    let mut seed = 0;
    for kernel in [1, 3, 5] {
        for stride in [1, 2] {
            for padding in [0, 1, 2] {
                seed += 1;
                cases.push(random_case(seed, kernel, stride, padding));
            }
        }
    }
    cases
}

#[test]
fn conv_explanations_reproduce_every_output() {
    for (network, trace) in cases() {
        for (layer, named) in network.layers().iter().enumerate() {
            let Layer::Conv2d(conv) = &named.layer else {
                continue;
            };
            let shape = &network.output_shapes()[layer];
            for o in 0..shape[0] {
                for y in 0..shape[1] {
                    for x in 0..shape[2] {
                        let e = explain::conv(&network, &trace, layer, o, y, x).unwrap();
                        let traced = trace.outputs[layer][[o, y, x]];
                        assert_eq!(e.traced, traced);
                        assert!(
                            close(e.total, traced),
                            "layer {layer} [{o},{y},{x}]: {} vs {traced}",
                            e.total
                        );
                        assert_eq!(e.channels.len(), conv.weight.dim().1);
                        for term in &e.channels {
                            let products = &term.patch * &term.kernel;
                            assert_eq!(term.products, products);
                            assert!(close(term.sum, products.sum()));
                            // Padding cells hold zero and lie outside the input.
                            for ((ky, kx), &padded) in term.in_padding.indexed_iter() {
                                let iy = e.input_top + ky as isize;
                                let ix = e.input_left + kx as isize;
                                let h = trace.layer_input(layer).shape()[1] as isize;
                                let w = trace.layer_input(layer).shape()[2] as isize;
                                assert_eq!(padded, iy < 0 || ix < 0 || iy >= h || ix >= w);
                                if padded {
                                    assert_eq!(term.patch[[ky, kx]], 0.0);
                                }
                            }
                        }
                    }
                }
            }
            // The intermediate maps summed over input channels plus the bias give the output.
            for o in 0..shape[0] {
                let mut sum = ndarray::Array2::<f32>::from_elem((shape[1], shape[2]), conv.bias[o]);
                for i in 0..conv.weight.dim().1 {
                    sum += &explain::conv_intermediate(&network, &trace, layer, o, i).unwrap();
                }
                for ((y, x), &v) in sum.indexed_iter() {
                    assert!(close(v, trace.outputs[layer][[o, y, x]]));
                }
            }
        }
    }
}

/// The random cases, plus PyTorch's colour fixture (the one with average pooling).
fn cases_with_average_pooling() -> Vec<(Network, Trace)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pytorch/colour");
    let network = models::weights::load_dir(dir).unwrap();
    let mut rng = common::rng(77);
    let input = common::random_input(&mut rng, network.input_shape());
    let trace = network.forward(&input).unwrap();
    let mut cases = cases();
    cases.push((network, trace));
    cases
}

#[test]
fn relu_pool_linear_softmax_explanations_reproduce_the_trace() {
    for (network, trace) in cases_with_average_pooling() {
        for (layer, named) in network.layers().iter().enumerate() {
            let shape = network.output_shapes()[layer].clone();
            match &named.layer {
                Layer::ReLU => {
                    for (position, &traced) in trace.outputs[layer].indexed_iter() {
                        let e = explain::relu(&network, &trace, layer, position.slice()).unwrap();
                        assert_eq!(e.output, traced);
                        assert_eq!(e.input.max(0.0), traced);
                    }
                }
                Layer::MaxPool2d(pool) => {
                    for c in 0..shape[0] {
                        for y in 0..shape[1] {
                            for x in 0..shape[2] {
                                let e = explain::max_pool(&network, &trace, layer, c, y, x).unwrap();
                                assert_eq!(e.value, trace.outputs[layer][[c, y, x]]);
                                assert_eq!(e.window[e.winner], e.value);
                                assert!(e.window.iter().all(|&v| v <= e.value));
                                assert_eq!((e.input_top, e.input_left), (y * pool.stride, x * pool.stride));
                                let input = trace.layer_input(layer);
                                assert_eq!(
                                    input[[c, e.input_top + e.winner.0, e.input_left + e.winner.1]],
                                    e.value
                                );
                            }
                        }
                    }
                }
                Layer::AvgPool2d(pool) => {
                    for c in 0..shape[0] {
                        for y in 0..shape[1] {
                            for x in 0..shape[2] {
                                let e = explain::avg_pool(&network, &trace, layer, c, y, x).unwrap();
                                assert!(close(e.value, trace.outputs[layer][[c, y, x]]), "{e:?}");
                                assert_eq!(e.traced, trace.outputs[layer][[c, y, x]]);
                                assert!(close(e.sum, e.window.sum()));
                                assert_eq!((e.input_top, e.input_left), (y * pool.stride, x * pool.stride));
                                assert_eq!(e.window.dim(), (pool.kernel, pool.kernel));
                            }
                        }
                    }
                }
                Layer::Flatten => {
                    let input = trace.layer_input(layer);
                    for flat in 0..shape[0] {
                        let (c, y, x) = explain::flatten_source(&network, layer, flat).unwrap();
                        assert_eq!(input[[c, y, x]], trace.outputs[layer][[flat]]);
                        assert_eq!(explain::flatten_index(&network, layer, c, y, x).unwrap(), flat);
                    }
                }
                Layer::Linear(_) => {
                    for out in 0..shape[0] {
                        let e = explain::linear(&network, &trace, layer, out).unwrap();
                        assert!(
                            close(e.total, trace.outputs[layer][[out]]),
                            "{} vs {}",
                            e.total,
                            e.traced
                        );
                        assert_eq!(e.contributions.len(), e.inputs.len());
                        for i in 0..e.inputs.len() {
                            assert_eq!(e.contributions[i], e.inputs[i] * e.weights[i]);
                        }
                    }
                }
                Layer::Softmax => {
                    let e = explain::softmax(&network, &trace, layer).unwrap();
                    let traced: Vec<f32> = trace.outputs[layer].iter().copied().collect();
                    assert_eq!(
                        e.logits,
                        trace.layer_input(layer).iter().copied().collect::<Vec<_>>()
                    );
                    assert!((e.sum - e.exponentials.iter().sum::<f64>()).abs() < 1e-9);
                    for (i, &p) in e.probabilities.iter().enumerate() {
                        assert!(close(p, traced[i]) && close((e.exponentials[i] / e.sum) as f32, p));
                    }
                }
                Layer::Conv2d(_) => {}
            }
        }
    }
}

#[test]
fn softmax_stays_finite_for_huge_logits() {
    let (network, mut trace) = random_case(99, 3, 1, 1);
    let softmax = network.layers().len() - 1;
    trace.outputs[softmax - 1].fill(0.0);
    trace.outputs[softmax - 1][[0]] = 1000.0;
    let e = explain::softmax(&network, &trace, softmax).unwrap();
    assert_eq!(e.probabilities[0], 1.0);
    assert!(e.probabilities.iter().all(|p| p.is_finite()));
}

#[test]
fn untrusted_positions_are_typed_errors() {
    let (network, trace) = random_case(5, 3, 1, 0);
    let count = network.layers().len();
    let shape0 = network.output_shapes()[0].clone();
    assert!(matches!(
        explain::conv(&network, &trace, count, 0, 0, 0),
        Err(ModelError::NoSuchLayer { .. })
    ));
    assert!(matches!(
        explain::conv(&network, &trace, usize::MAX, 0, 0, 0),
        Err(ModelError::NoSuchLayer { .. })
    ));
    assert!(matches!(
        explain::conv(&network, &trace, 1, 0, 0, 0),
        Err(ModelError::WrongLayerKind { .. })
    ));
    for (o, y, x) in [
        (shape0[0], 0, 0),
        (0, shape0[1], 0),
        (0, 0, shape0[2]),
        (usize::MAX, usize::MAX, 0),
    ] {
        let result = explain::conv(&network, &trace, 0, o, y, x);
        assert!(
            matches!(result, Err(ModelError::PositionOutOfRange { .. })),
            "{o},{y},{x}"
        );
    }
    assert!(matches!(
        explain::conv_intermediate(&network, &trace, 0, 0, 99),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::conv_intermediate_maps(&network, &trace, 0, shape0[0]),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::conv_intermediate_maps(&network, &trace, 1, 0),
        Err(ModelError::WrongLayerKind { .. })
    ));
    assert!(matches!(
        explain::conv_intermediate_maps(&network, &trace, count, 0),
        Err(ModelError::NoSuchLayer { .. })
    ));
    assert!(matches!(
        explain::relu(&network, &trace, 1, &[0, 0]),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::max_pool(&network, &trace, 4, 0, 0, 999),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::flatten_source(&network, 5, usize::MAX),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::flatten_index(&network, 5, 0, 0, 999),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::linear(&network, &trace, 6, 99),
        Err(ModelError::PositionOutOfRange { .. })
    ));
    assert!(matches!(
        explain::softmax(&network, &trace, 0),
        Err(ModelError::WrongLayerKind { .. })
    ));
    // A trace from another network is refused rather than misread: Tiny VGG's trace (a
    // 3×64×64 input, 13 layers) never has this small random network's shapes.
    let image = models::preprocess::CanonicalImage::new(vec![128; 64 * 64 * 3], 64).unwrap();
    let other_trace = models::builtin::tiny_vgg().forward(&image.to_tensor()).unwrap();
    assert_ne!(other_trace.input.shape(), trace.input.shape());
    assert_eq!(
        explain::softmax(&network, &other_trace, count - 1),
        Err(ModelError::TraceMismatch)
    );
    let message = explain::conv(&network, &trace, count, 0, 0, 0)
        .unwrap_err()
        .to_string();
    assert!(message.contains("no layer"), "{message}");
}

#[test]
fn explains_the_builtin_model() {
    let network = models::builtin::tiny_vgg();
    let image =
        models::preprocess::CanonicalImage::new((0..64 * 64 * 3).map(|i| (i * 7 % 256) as u8).collect(), 64)
            .unwrap();
    let trace = network.forward(&image.to_tensor()).unwrap();
    let e = explain::conv(network, &trace, 7, 9, 25, 25).unwrap();
    assert!(close(e.total, e.traced));
    let e = explain::linear(network, &trace, 11, 3).unwrap();
    assert_eq!(e.inputs.len(), 1690);
    assert!(close(e.total, e.traced));
    assert_eq!(explain::flatten_source(network, 10, 1689).unwrap(), (9, 12, 12));
    let e = explain::softmax(network, &trace, 12).unwrap();
    assert_eq!(e.probabilities.len(), 10);
}

#[test]
fn intermediate_maps_of_the_builtin_model_add_up_to_the_conv_output() {
    let network = models::builtin::tiny_vgg();
    let png = models::samples::SAMPLES[0].png;
    let image = models::preprocess::decode(png, 64).unwrap();
    let trace = network.forward(&image.to_tensor()).unwrap();
    let mut checked = 0;
    for (layer, named) in network.layers().iter().enumerate() {
        let Layer::Conv2d(conv) = &named.layer else {
            continue;
        };
        let (out_c, in_c, _, _) = conv.weight.dim();
        let (out_h, out_w) = (trace.outputs[layer].shape()[1], trace.outputs[layer].shape()[2]);
        for o in [0, out_c / 2, out_c - 1] {
            let maps = explain::conv_intermediate_maps(network, &trace, layer, o).unwrap();
            assert_eq!(maps.dim(), (in_c, out_h, out_w), "layer {layer}");
            // Σ_i map[i] + bias is the traced output channel, everywhere.
            let summed = maps.sum_axis(ndarray::Axis(0)) + conv.bias[o];
            for ((y, x), &v) in summed.indexed_iter() {
                let traced = trace.outputs[layer][[o, y, x]];
                assert!(close(v, traced), "layer {layer} [{o},{y},{x}]: {v} vs {traced}");
            }
            // Each map's value is that channel's sum of products in the explanation.
            for (y, x) in [(0, 0), (out_h / 2, out_w / 3), (out_h - 1, out_w - 1)] {
                let e = explain::conv(network, &trace, layer, o, y, x).unwrap();
                for term in &e.channels {
                    let v = maps[[term.in_channel, y, x]];
                    assert!(
                        close(v, term.sum),
                        "layer {layer} [{o},{y},{x}] ch {}: {v} vs {}",
                        term.in_channel,
                        term.sum
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 3, "Tiny VGG has four conv layers");
}
