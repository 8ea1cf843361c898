//! The playground's numbers are a plain convolution's: every output equals the reference loop
//! (`common::reference::conv2d`, one channel, no bias) of the same crop and kernel, for every
//! padding and stride that gives an output; its sources are the trace's maps and the model's
//! kernels; when it repeats a layer's own convolution it shows the convolution view's
//! intermediate numbers; bad sources are typed errors with sentences.

use crate::common;

use models::builtin::tiny_vgg;
use models::playground::{
    self, Convolution, Hyperparameters, Invalid, LayerRepeat, SourceError, check_crop, check_model_kernel,
    crop, map_shape, model_kernel, same_as_layer,
};
use models::{Conv2d, Layer, explain};
use ndarray::{Array1, Array2, Array3, Axis, s};
use rand::Rng;

/// The reference loop on one channel: `input` `[n, n]` with `kernel` `[k, k]`.
fn reference(input: &Array2<f32>, kernel: &Array2<f32>, padding: usize, stride: usize) -> Array2<f32> {
    let (k, _) = kernel.dim();
    let conv = Conv2d {
        weight: kernel.clone().into_shape_with_order((1, 1, k, k)).unwrap(),
        bias: Array1::zeros(1),
        stride,
        padding,
    };
    let input: Array3<f32> = input.clone().insert_axis(Axis(0));
    common::reference::conv2d(&conv, &input).index_axis_move(Axis(0), 0)
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_valid_combination_equals_the_reference_loop() {
    let mut rng = common::rng(12);
    let mut checked = 0;
    for n in 1..=9 {
        for k in 1..=5 {
            for p in 0..=3 {
                for stride in 1..=4 {
                    let input = Array2::from_shape_simple_fn((n, n), || rng.random_range(-1.0..1.0));
                    let kernel = Array2::from_shape_simple_fn((k, k), || rng.random_range(-1.0..1.0));
                    let h = Hyperparameters {
                        input: n,
                        padding: p,
                        kernel: k,
                        stride,
                    };
                    match Convolution::new(input.view(), kernel.view(), p, stride) {
                        Ok(c) => {
                            let expected = reference(&input, &kernel, p, stride);
                            assert_eq!(c.output.dim(), expected.dim(), "{h:?}");
                            assert_eq!(Ok(c.output_side()), h.output());
                            for (a, b) in c.output.iter().zip(&expected) {
                                assert!(close(*a, *b), "{h:?}: {a} vs {b}");
                            }
                            // Each output is the sum of its window's products.
                            for ((y, x), &v) in c.output.indexed_iter() {
                                assert!(close(c.products(y, x).sum(), v));
                            }
                            checked += 1;
                        }
                        Err(Invalid::KernelTooLarge(_)) => assert!(n + 2 * p < k, "{h:?}"),
                        Err(Invalid::StrideDoesNotDivide(_)) => {
                            assert!(n + 2 * p >= k && (n + 2 * p - k) % stride != 0, "{h:?}")
                        }
                        Err(other) => panic!("{h:?}: {other}"),
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} valid combinations");
}

#[test]
fn crops_and_kernels_come_from_the_network() {
    let network = tiny_vgg();
    let mut rng = common::rng(3);
    let input = common::random_input(&mut rng, network.input_shape());
    let trace = network.forward(&input).unwrap();

    // Map 0 is the input; map 3 the output of layer 2 (conv_1_2).
    assert_eq!(map_shape(network, 0), Ok([3, 64, 64]));
    assert_eq!(map_shape(network, 3), Ok([10, 60, 60]));
    let c = crop(network, &trace, 0, 2, 30, 31, 5).unwrap();
    assert_eq!(c, input.slice(s![2, 30..35, 31..36]));
    let c = crop(network, &trace, 3, 4, 55, 0, 5).unwrap();
    let conv_1_2 = trace.outputs[2]
        .view()
        .into_dimensionality::<ndarray::Ix3>()
        .unwrap();
    assert_eq!(c, conv_1_2.slice(s![4, 55..60, 0..5]));

    let kernel = model_kernel(network, 2, 3, 7).unwrap();
    let Layer::Conv2d(conv) = &network.layers()[2].layer else {
        unreachable!("conv_1_2 is a convolution")
    };
    assert_eq!(kernel, conv.weight.slice(s![3, 7, .., ..]));
    assert_eq!(check_model_kernel(network, 2, 3, 7, 3), Ok(()));
}

#[test]
fn repeating_a_layer_shows_the_convolution_views_intermediate_numbers() {
    let network = tiny_vgg();
    let mut rng = common::rng(5);
    let input = common::random_input(&mut rng, network.input_shape());
    let trace = network.forward(&input).unwrap();
    for (layer, neuron, channel, top, left, side) in
        [(0, 4, 1, 20, 33, 8), (2, 3, 7, 0, 52, 8), (5, 9, 0, 10, 3, 6)]
    {
        let repeat = LayerRepeat {
            layer,
            neuron,
            channel,
            top,
            left,
            padding: 0,
            stride: 1,
        };
        let (row, column) = same_as_layer(network, repeat).expect("stride 1, no padding lines up");
        let data = crop(network, &trace, layer, channel, top, left, side).unwrap();
        let kernel = model_kernel(network, layer, neuron, channel).unwrap();
        let c = Convolution::new(data.view(), kernel.view(), 0, 1).unwrap();
        let intermediate = explain::conv_intermediate(network, &trace, layer, neuron, channel).unwrap();
        for ((i, j), &v) in c.output.indexed_iter() {
            let shown = intermediate[[row + i, column + j]];
            assert!(close(v, shown), "layer {layer} ({i}, {j}): {v} vs {shown}");
        }
    }
    let padded = LayerRepeat {
        layer: 0,
        neuron: 0,
        channel: 0,
        top: 0,
        left: 0,
        padding: 1,
        stride: 1,
    };
    assert_eq!(
        same_as_layer(network, padded),
        None,
        "padding adds zeros the layer never sees"
    );
    let strided = LayerRepeat {
        stride: 2,
        padding: 0,
        ..padded
    };
    assert_eq!(same_as_layer(network, strided), None);
    assert_eq!(
        same_as_layer(network, LayerRepeat { layer: 1, ..strided }),
        None,
        "relu has no kernel"
    );
}

#[test]
fn bad_sources_are_sentences_not_panics() {
    let network = tiny_vgg();
    let layers = network.layers().len();
    assert!(matches!(
        map_shape(network, layers + 1),
        Err(SourceError::NoSuchMap { .. })
    ));
    // Map 12 is the flatten layer's output: a vector.
    let flat = map_shape(network, 11).unwrap_err();
    assert!(flat.to_string().contains("not a stack of maps"), "{flat}");
    let channel = check_crop(network, 0, 3, 0, 0, 5).unwrap_err();
    assert_eq!(
        channel.to_string(),
        "input has 3 channels (0 to 2); channel 3 does not exist."
    );
    let outside = check_crop(network, 0, 0, 60, 10, 5).unwrap_err();
    assert_eq!(
        outside.to_string(),
        "A 5×5 crop at row 60, column 10 does not fit inside input's 64×64 map; move it up or left, or \
         make the input smaller."
    );
    assert!(check_crop(network, 0, 0, 59, 59, 5).is_ok());
    let relu = model_kernel(network, 1, 0, 0).unwrap_err();
    assert_eq!(
        relu.to_string(),
        "relu_1_1 is a relu layer, not a convolution, so it has no kernels."
    );
    assert!(matches!(
        model_kernel(network, 99, 0, 0),
        Err(SourceError::NoSuchLayer { .. })
    ));
    assert!(matches!(
        model_kernel(network, 0, 10, 0),
        Err(SourceError::NoSuchKernel { .. })
    ));
    assert!(matches!(
        model_kernel(network, 0, 0, 3),
        Err(SourceError::NoSuchKernel { .. })
    ));
    let size = check_model_kernel(network, 0, 0, 0, 5).unwrap_err();
    assert_eq!(
        size.to_string(),
        "conv_1_1's kernels are 3×3; a 5×5 kernel has to be typed by hand."
    );
    assert_eq!(playground::map_name(network, 0), "input");
    assert_eq!(playground::map_name(network, 3), "conv_1_2");
}
