//! Networks made by PyTorch compute here what they compute in PyTorch. The fixture
//! (`tests/fixtures/pytorch/`, made by its `make.py` with a real PyTorch run and exported by
//! `scripts/export_pytorch.py`) holds two small networks — 5×5 and 3×3 kernels, padding,
//! stride 2, max and average pooling, two Linear layers, a greyscale and a colour input — and
//! PyTorch's output of every layer for one picture.

use std::path::{Path, PathBuf};

use models::Network;

#[path = "../common/pytorch_match.rs"]
mod pytorch_match;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch")
        .join(name)
}

/// Loads the exported network and checks every layer's output against PyTorch's.
fn matches_pytorch(name: &str) -> Network {
    let (network, compared) = pytorch_match::compare(&fixture(name)).unwrap_or_else(|e| panic!("{e}"));
    assert!(compared > 1000, "{name}: only {compared} values compared");
    network
}

#[test]
fn a_greyscale_network_with_padding_and_stride_matches_pytorch() {
    let network = matches_pytorch("grey");
    assert_eq!(network.input_shape(), [1, 28, 28]);
    let kinds: Vec<&str> = network.layers().iter().map(|l| l.layer.pytorch_name()).collect();
    assert_eq!(
        kinds,
        [
            "Conv2d",
            "ReLU",
            "MaxPool2d",
            "Conv2d",
            "ReLU",
            "Flatten",
            "Linear",
            "ReLU",
            "Linear",
            "Softmax"
        ]
    );
    assert_eq!(network.class_names(), ["circle", "square", "cross", "line"]);
}

#[test]
fn a_colour_network_with_average_pooling_matches_pytorch() {
    let network = matches_pytorch("colour");
    assert_eq!(network.input_shape(), [3, 32, 32]);
    assert!(
        network
            .layers()
            .iter()
            .any(|l| l.layer.pytorch_name() == "AvgPool2d")
    );
    // The names are PyTorch's own state_dict keys: layer "2" is the 5×5, stride-2 convolution.
    let conv = &network.layers()[2];
    assert_eq!(conv.name, "2");
    let models::Layer::Conv2d(c) = &conv.layer else {
        panic!("layer 2 is a {}", conv.layer.pytorch_name())
    };
    assert_eq!((c.weight.dim().2, c.stride, c.padding), (5, 2, 0));
}
