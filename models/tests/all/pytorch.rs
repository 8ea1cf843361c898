//! Networks made by PyTorch compute here what they compute in PyTorch. The fixture
//! (`tests/fixtures/pytorch/`, made by its `make.py` with a real PyTorch run and exported by
//! `scripts/export_pytorch.py`) holds two small networks — 5×5 and 3×3 kernels, padding,
//! stride 2, max and average pooling, two Linear layers, a greyscale and a colour input — and
//! PyTorch's output of every layer for one picture.

use std::path::{Path, PathBuf};

use models::Network;
use models::weights::load_dir;
use ndarray::Array3;
use safetensors::{Dtype, SafeTensors};

/// Largest difference allowed from PyTorch, relative to the value's size (at least 1).
const TOLERANCE: f32 = 1e-4;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch")
        .join(name)
}

/// A tensor of `expected.safetensors` as its shape and values.
fn tensor(tensors: &SafeTensors<'_>, name: &str) -> (Vec<usize>, Vec<f32>) {
    let view = tensors
        .tensor(name)
        .unwrap_or_else(|e| panic!("{name} is missing from the fixture: {e}"));
    assert_eq!(view.dtype(), Dtype::F32, "{name}");
    let values = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (view.shape().to_vec(), values)
}

/// Loads the exported network and checks every layer's output against PyTorch's.
fn matches_pytorch(name: &str) -> Network {
    let dir = fixture(name);
    let network = load_dir(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
    let bytes = std::fs::read(dir.join("expected.safetensors")).unwrap();
    let expected = SafeTensors::deserialize(&bytes).unwrap();
    let (shape, values) = tensor(&expected, "input");
    assert_eq!(shape, network.input_shape(), "{name}: input shape");
    let input = Array3::from_shape_vec((shape[0], shape[1], shape[2]), values).unwrap();
    let trace = network.forward(&input).unwrap();
    assert_eq!(trace.outputs.len(), network.layers().len());
    for (index, output) in trace.outputs.iter().enumerate() {
        let layer = &network.layers()[index];
        let (shape, want) = tensor(&expected, &format!("output.{index}"));
        assert_eq!(
            output.shape(),
            shape.as_slice(),
            "{name} layer {index} ({})",
            layer.name
        );
        for (position, (&got, &want)) in output.iter().zip(&want).enumerate() {
            assert!(
                (got - want).abs() <= TOLERANCE * want.abs().max(1.0),
                "{name} layer {index} ({} {}) value {position}: {got} here, {want} in PyTorch",
                layer.layer.pytorch_name(),
                layer.name
            );
        }
    }
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
