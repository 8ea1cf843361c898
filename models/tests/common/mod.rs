//! Helpers shared by the integration tests: random networks and inputs from a seeded generator.
#![allow(dead_code)]

use models::{Conv2d, Layer, Linear, MaxPool2d, NamedLayer, Network};
use ndarray::{Array1, Array2, Array3, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded generator so every failure can be replayed.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Values uniform in [-1, 1).
pub fn random_array4(rng: &mut ChaCha8Rng, shape: (usize, usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// Values uniform in [0, 1), like a normalised image.
pub fn random_input(rng: &mut ChaCha8Rng, shape: [usize; 3]) -> Array3<f32> {
    Array3::from_shape_simple_fn((shape[0], shape[1], shape[2]), || rng.random_range(0.0..1.0))
}

pub fn conv(
    rng: &mut ChaCha8Rng,
    name: &str,
    in_c: usize,
    out_c: usize,
    k: usize,
    stride: usize,
    padding: usize,
) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer: Layer::Conv2d(Conv2d {
            weight: random_array4(rng, (out_c, in_c, k, k)) * 0.5,
            bias: Array1::from_shape_simple_fn(out_c, || rng.random_range(-0.5..0.5)),
            stride,
            padding,
        }),
    }
}

pub fn plain(name: &str, layer: Layer) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer,
    }
}

/// conv(k, s, p) → relu → conv → relu → maxpool → flatten → linear → softmax, with random sizes.
pub fn random_network(rng: &mut ChaCha8Rng, kernel: usize, stride: usize, padding: usize) -> Network {
    let in_c = rng.random_range(1..=4);
    let side = rng.random_range(kernel.max(5) + 4..=kernel.max(5) + 15);
    let mid = rng.random_range(1..=9);
    let out = rng.random_range(1..=7);
    let layers = vec![
        conv(rng, "c1", in_c, mid, kernel, stride, padding),
        plain("r1", Layer::ReLU),
        conv(rng, "c2", mid, out, 3, 1, 1),
        plain("r2", Layer::ReLU),
        plain("p1", Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 })),
        plain("f", Layer::Flatten),
    ];
    let mut shape = vec![in_c, side, side];
    for (index, named) in layers.iter().enumerate() {
        shape = named
            .layer
            .output_shape(&named.name, index, &shape)
            .expect("random layers fit");
    }
    let flat = shape[0];
    let classes = rng.random_range(2..=6);
    let mut layers = layers;
    layers.push(plain(
        "out",
        Layer::Linear(Linear {
            weight: Array2::from_shape_simple_fn((classes, flat), || rng.random_range(-0.3..0.3)),
            bias: Array1::from_shape_simple_fn(classes, || rng.random_range(-0.3..0.3)),
        }),
    ));
    layers.push(plain("sm", Layer::Softmax));
    let names = (0..classes).map(|c| format!("class {c}")).collect();
    Network::new([in_c, side, side], layers, names).expect("random network fits")
}
pub mod reference;
