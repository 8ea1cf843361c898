//! Model files for the own-network tests: the networks a real PyTorch run made (the fixtures of
//! `models/tests/fixtures/pytorch`), and networks built to cross one limit of the teaching
//! budget each; `models::bundle::write` makes the file an instructor uploads.

use std::path::PathBuf;

use models::{Conv2d, Layer, Linear, NamedLayer, Network};
use ndarray::{Array1, Array2, Array4};

/// The folder of a PyTorch fixture (`grey`: 1×28×28, 4 classes; `colour`: 3 channels).
pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../models/tests/fixtures/pytorch")
        .join(name)
}

/// The PyTorch fixture `name` as a network.
pub fn fixture(name: &str) -> Network {
    models::weights::load_dir(fixture_dir(name)).expect("the PyTorch fixture loads")
}

/// The PyTorch fixture `name` as the one file an instructor uploads.
pub fn fixture_bundle(name: &str) -> Vec<u8> {
    models::bundle::write(&fixture(name))
}

/// Small deterministic weights, so predictions are not all equal.
fn value(i: usize) -> f32 {
    ((i as f32) * 0.618).sin() * 0.1
}

fn conv(name: &str, in_c: usize, out_c: usize, k: usize, stride: usize, padding: usize) -> NamedLayer {
    let mut i = 0;
    NamedLayer {
        name: name.into(),
        layer: Layer::Conv2d(Conv2d {
            weight: Array4::from_shape_simple_fn((out_c, in_c, k, k), || {
                i += 1;
                value(i)
            }),
            bias: Array1::from_shape_fn(out_c, value),
            stride,
            padding,
        }),
    }
}

fn plain(name: &str, layer: Layer) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer,
    }
}

fn linear(name: &str, inputs: usize, outputs: usize) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer: Layer::Linear(Linear {
            weight: Array2::from_shape_fn((outputs, inputs), |(o, i)| value(o * 7 + i)),
            bias: Array1::from_shape_fn(outputs, value),
        }),
    }
}

fn network(shape: [usize; 3], mut layers: Vec<NamedLayer>, classes: usize) -> Network {
    let mut out = shape.to_vec();
    for (index, named) in layers.iter().enumerate() {
        out = named
            .layer
            .output_shape(&named.name, index, &out)
            .expect("the layers fit together");
    }
    let flat = out.iter().product();
    layers.push(plain("flatten", Layer::Flatten));
    layers.push(linear("output", flat, classes));
    layers.push(plain("softmax", Layer::Softmax));
    let names = (0..classes).map(|c| format!("class {c}")).collect();
    Network::new(shape, layers, names).expect("the network fits together")
}

/// A small colour network unlike Tiny VGG: 3×32×32, conv 5×5 stride 2 → 6 classes.
pub fn small_colour() -> Network {
    network(
        [3, 32, 32],
        vec![conv("conv", 3, 4, 5, 2, 2), plain("relu", Layer::ReLU)],
        6,
    )
}

/// Over the parameter limit (8 M): 64 maps of 128×128 into a dense layer of 10 classes.
pub fn too_many_parameters() -> Network {
    network(
        [3, 128, 128],
        vec![conv("wide", 3, 64, 1, 1, 0), plain("relu", Layer::ReLU)],
        10,
    )
}

/// Over the activation limit (16 M values kept): seventeen 64×128×128 layers of cheap 1×1 convs.
pub fn too_many_activations() -> Network {
    let mut layers = vec![conv("c0", 3, 64, 1, 1, 0)];
    for i in 1..9 {
        layers.push(plain(&format!("r{i}"), Layer::ReLU));
        layers.push(conv(&format!("c{i}"), 64, 64, 1, 1, 0));
    }
    layers.push(plain(
        "pool",
        Layer::MaxPool2d(models::MaxPool2d { kernel: 8, stride: 8 }),
    ));
    network([3, 128, 128], layers, 10)
}

/// Over the multiply-add limit (1 G): a 7×7 conv of 64 maps into 64 maps at 128×128.
pub fn too_many_multiply_adds() -> Network {
    network(
        [3, 128, 128],
        vec![
            conv("c1", 3, 64, 7, 1, 3),
            plain("r1", Layer::ReLU),
            conv("c2", 64, 64, 7, 1, 3),
            plain(
                "pool",
                Layer::MaxPool2d(models::MaxPool2d { kernel: 8, stride: 8 }),
            ),
        ],
        10,
    )
}

/// A large network within the teaching budget (6.6 M parameters, a 26 MB file): 3×128×128,
/// conv 3×3 stride 2 into 64 maps, max pooling, then dense layers of 100 and 10.
pub fn large_within_budget() -> Network {
    let mut layers = vec![
        conv("conv", 3, 64, 3, 2, 1),
        plain("relu", Layer::ReLU),
        plain(
            "pool",
            Layer::MaxPool2d(models::MaxPool2d { kernel: 2, stride: 2 }),
        ),
        plain("flatten", Layer::Flatten),
        linear("hidden", 64 * 32 * 32, 100),
        plain("relu_2", Layer::ReLU),
        linear("output", 100, 10),
        plain("softmax", Layer::Softmax),
    ];
    layers.shrink_to_fit();
    let names = (0..10).map(|c| format!("class {c}")).collect();
    Network::new([3, 128, 128], layers, names).expect("the network fits together")
}
