//! Networks other than Tiny VGG for the native tests: a wide one (64 channels, padding, stride 2,
//! max and average pooling, two dense layers) and PyTorch's greyscale and colour fixtures.

use models::splitmix::SplitMix64;
use models::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer, Network};
use ndarray::{Array1, Array2, Array4};

fn named(name: &str, layer: Layer) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer,
    }
}

/// 3×32×32 → conv 3×3 pad 1 (64) → ReLU → max pool 2 → conv 3×3 stride 2 (64) → ReLU →
/// avg pool 2 → flatten (1,024) → linear (32) → ReLU → linear (5) → softmax; PyTorch's names.
pub fn wide() -> Network {
    let mut rng = SplitMix64(5);
    let mut conv = |in_c: usize, stride: usize, padding: usize| {
        Layer::Conv2d(Conv2d {
            weight: Array4::from_shape_simple_fn((64, in_c, 3, 3), || rng.uniform(0.2)),
            bias: Array1::from_elem(64, 0.01),
            stride,
            padding,
        })
    };
    let layers = vec![
        named("0", conv(3, 1, 1)),
        named("1", Layer::ReLU),
        named("2", Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 })),
        named("3", conv(64, 2, 1)),
        named("4", Layer::ReLU),
        named("5", Layer::AvgPool2d(AvgPool2d { kernel: 2, stride: 2 })),
        named("6", Layer::Flatten),
        named(
            "7",
            Layer::Linear(Linear {
                weight: Array2::from_shape_simple_fn((32, 64 * 4 * 4), || rng.uniform(0.05)),
                bias: Array1::zeros(32),
            }),
        ),
        named("8", Layer::ReLU),
        named(
            "9",
            Layer::Linear(Linear {
                weight: Array2::from_shape_simple_fn((5, 32), || rng.uniform(0.3)),
                bias: Array1::zeros(5),
            }),
        ),
        named("softmax", Layer::Softmax),
    ];
    let classes = ["ant", "bee", "cat", "dog", "eel"].map(String::from).to_vec();
    Network::new([3, 32, 32], layers, classes).expect("the wide network's shapes fit")
}

/// One of the PyTorch fixtures (`grey` or `colour`) of `models/tests/fixtures/pytorch/`.
pub fn fixture(name: &str) -> Network {
    let dir = format!(
        "{}/../models/tests/fixtures/pytorch/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    models::weights::load_dir(dir).expect("the PyTorch fixture loads")
}
