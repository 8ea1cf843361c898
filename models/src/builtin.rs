//! The shipped "Tiny VGG" model: its weights are embedded in the binary, so nothing is downloaded.

use std::sync::OnceLock;

use ndarray::{Array1, Array2, Array4};

use crate::layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
use crate::network::Network;
use crate::splitmix::SplitMix64;
use crate::weights;

/// The Fashion-MNIST class names, in output order.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Side length of Tiny VGG's square RGB input.
pub const TINY_VGG_INPUT_SIDE: u32 = 64;

static MANIFEST: &[u8] = include_bytes!("../assets/tiny_vgg.json");
static WEIGHTS: &[u8] = include_bytes!("../assets/tiny_vgg.safetensors");

/// The shipped, trained Tiny VGG, parsed once on first use.
///
/// Layers (their index is what `Focus.layer` points at): 0 `conv_1_1`, 1 `relu_1_1`,
/// 2 `conv_1_2`, 3 `relu_1_2`, 4 `max_pool_1`, 5 `conv_2_1`, 6 `relu_2_1`, 7 `conv_2_2`,
/// 8 `relu_2_2`, 9 `max_pool_2`, 10 `flatten`, 11 `output`, 12 `softmax`.
///
/// # Shapes
/// Input `[3, 64, 64]`; output `[10]` class probabilities.
pub fn tiny_vgg() -> &'static Network {
    static NETWORK: OnceLock<Network> = OnceLock::new();
    NETWORK.get_or_init(|| {
        // The assets are checked by the `builtin_model_loads` test, so this cannot fire in a
        // tested build.
        weights::load(MANIFEST, WEIGHTS).expect("the embedded Tiny VGG assets are valid")
    })
}

/// Tiny VGG with Glorot-uniform weights and zero biases, reproducible from `seed`.
///
/// # Shapes
/// Same as [`tiny_vgg`].
pub fn tiny_vgg_untrained(seed: u64) -> Network {
    let mut rng = SplitMix64(seed);
    let side = TINY_VGG_INPUT_SIDE as usize;
    let mut conv = |name: &str, in_c: usize| NamedLayer {
        name: name.into(),
        layer: Layer::Conv2d(Conv2d {
            weight: glorot_uniform4(&mut rng, [10, in_c, 3, 3]),
            bias: Array1::zeros(10),
            stride: 1,
            padding: 0,
        }),
    };
    let mut layers = vec![
        conv("conv_1_1", 3),
        named("relu_1_1", Layer::ReLU),
        conv("conv_1_2", 10),
        named("relu_1_2", Layer::ReLU),
        named("max_pool_1", pool()),
        conv("conv_2_1", 10),
        named("relu_2_1", Layer::ReLU),
        conv("conv_2_2", 10),
        named("relu_2_2", Layer::ReLU),
        named("max_pool_2", pool()),
        named("flatten", Layer::Flatten),
    ];
    let flat = 10 * 13 * 13;
    let limit = (6.0 / (flat + 10) as f64).sqrt();
    layers.push(named(
        "output",
        Layer::Linear(Linear {
            weight: Array2::from_shape_simple_fn((10, flat), || rng.uniform(limit)),
            bias: Array1::zeros(10),
        }),
    ));
    layers.push(named("softmax", Layer::Softmax));
    let classes = FASHION_MNIST_CLASSES.iter().map(|c| c.to_string()).collect();
    Network::new([3, side, side], layers, classes).expect("Tiny VGG's shapes fit together")
}

/// A network at the classroom's width limit, for tests and screenshots of the views: 3×32×32 →
/// conv 3×3 padding 1 (64) → ReLU → max pool 2 → conv 3×3 stride 2 padding 1 (64) → ReLU →
/// avg pool 2 → flatten (1,024) → linear (32) → ReLU → linear (5) → softmax, with PyTorch's
/// layer names (`0`, `1`…) and weights reproducible from `seed`.
pub fn wide_untrained(seed: u64) -> Network {
    let mut rng = SplitMix64(seed);
    let mut conv = |in_c: usize, stride: usize| {
        Layer::Conv2d(Conv2d {
            weight: glorot_uniform4(&mut rng, [64, in_c, 3, 3]),
            bias: Array1::from_elem(64, 0.01),
            stride,
            padding: 1,
        })
    };
    let (first, second) = (conv(3, 1), conv(64, 2));
    let mut linear = |out_f: usize, in_f: usize| {
        let limit = (6.0 / (in_f + out_f) as f64).sqrt();
        Layer::Linear(Linear {
            weight: Array2::from_shape_simple_fn((out_f, in_f), || rng.uniform(limit)),
            bias: Array1::zeros(out_f),
        })
    };
    let (hidden, output) = (linear(32, 64 * 4 * 4), linear(5, 32));
    let layers = vec![
        named("0", first),
        named("1", Layer::ReLU),
        named("2", Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 })),
        named("3", second),
        named("4", Layer::ReLU),
        named("5", Layer::AvgPool2d(AvgPool2d { kernel: 2, stride: 2 })),
        named("6", Layer::Flatten),
        named("7", hidden),
        named("8", Layer::ReLU),
        named("9", output),
        named("softmax", Layer::Softmax),
    ];
    let classes = ["ant", "bee", "cat", "dog", "eel"].map(String::from).to_vec();
    Network::new([3, 32, 32], layers, classes).expect("the wide network's shapes fit together")
}

/// A network unlike Tiny VGG, for benchmarks and tests of the general path: 5×5 kernels with
/// padding, a stride-2 convolution, average and max pooling and two `Linear` layers, with
/// Glorot-uniform weights and small biases, reproducible from `seed`.
///
/// # Shapes
/// Input `[3, 64, 64]` → conv 5×5 p2 (12) → conv 3×3 p1 s2 (16, 32×32) → conv 5×5 p2 (16)
/// → avg pool 2 (16×16) → conv 3×3 (16, 14×14) → max pool 2 (7×7) → 784 → 32 → 10 classes.
pub fn strided_example(seed: u64) -> Network {
    let mut rng = SplitMix64(seed);
    let mut conv = |name: &str, [out_c, in_c, k]: [usize; 3], stride: usize, padding: usize| {
        let bias = Array1::from_shape_simple_fn(out_c, || rng.uniform(0.05));
        named(
            name,
            Layer::Conv2d(Conv2d {
                weight: glorot_uniform4(&mut rng, [out_c, in_c, k, k]),
                bias,
                stride,
                padding,
            }),
        )
    };
    let mut layers = vec![
        conv("conv_1", [12, 3, 5], 1, 2),
        named("relu_1", Layer::ReLU),
        conv("conv_2", [16, 12, 3], 2, 1),
        named("relu_2", Layer::ReLU),
        conv("conv_3", [16, 16, 5], 1, 2),
        named("relu_3", Layer::ReLU),
        named("avg_pool", Layer::AvgPool2d(AvgPool2d { kernel: 2, stride: 2 })),
        conv("conv_4", [16, 16, 3], 1, 0),
        named("relu_4", Layer::ReLU),
        named("max_pool", pool()),
        named("flatten", Layer::Flatten),
    ];
    let mut linear = |name: &str, out: usize, inputs: usize| {
        let limit = (6.0 / (inputs + out) as f64).sqrt();
        named(
            name,
            Layer::Linear(Linear {
                weight: Array2::from_shape_simple_fn((out, inputs), || rng.uniform(limit)),
                bias: Array1::from_shape_simple_fn(out, || rng.uniform(0.05)),
            }),
        )
    };
    layers.push(linear("hidden", 32, 16 * 7 * 7));
    layers.push(named("relu_5", Layer::ReLU));
    layers.push(linear("output", 10, 32));
    layers.push(named("softmax", Layer::Softmax));
    let classes = FASHION_MNIST_CLASSES.iter().map(|c| c.to_string()).collect();
    Network::new([3, 64, 64], layers, classes).expect("the example's shapes fit together")
}

fn named(name: &str, layer: Layer) -> NamedLayer {
    NamedLayer {
        name: name.into(),
        layer,
    }
}

fn pool() -> Layer {
    Layer::MaxPool2d(MaxPool2d { kernel: 2, stride: 2 })
}

/// Glorot-uniform for a conv weight `[out, in, kh, kw]` (Keras' fan convention).
fn glorot_uniform4(rng: &mut SplitMix64, shape: [usize; 4]) -> Array4<f32> {
    let [out_c, in_c, kh, kw] = shape;
    let limit = (6.0 / ((in_c + out_c) * kh * kw) as f64).sqrt();
    Array4::from_shape_simple_fn((out_c, in_c, kh, kw), || rng.uniform(limit))
}
