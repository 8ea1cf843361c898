//! Compares a network exported from PyTorch with PyTorch's own outputs (the fixtures'
//! `expected.safetensors`: the input picture and every layer's output). Shared by the native test
//! (`tests/all/pytorch.rs`) and the `pytorch_match` example, which runs the same comparison as
//! WebAssembly under Node's WASI (`models/bench-wasm/pytorch-match.sh`).

use std::path::Path;

use models::Network;
use models::tensor_file::{self, TensorFile};
use models::weights::load_dir;
use ndarray::Array3;

/// Largest difference allowed from PyTorch, relative to the value's size (at least 1).
pub const TOLERANCE: f32 = 1e-4;

/// A tensor of `expected.safetensors` as its shape and values.
fn tensor(file: &TensorFile<'_>, name: &str) -> Result<(Vec<usize>, Vec<f32>), String> {
    let view = file
        .tensor(name)
        .ok_or_else(|| format!("{name} is missing from the fixture"))?;
    if view.dtype != "F32" {
        return Err(format!("{name} is {}, not F32", view.dtype));
    }
    Ok((view.shape.clone(), view.f32_values()))
}

/// Loads the model in `dir`, runs PyTorch's input through it and checks every layer's every
/// value; returns the network and how many values were compared, or the first difference.
pub fn compare(dir: &Path) -> Result<(Network, usize), String> {
    let name = dir.display();
    let network = load_dir(dir).map_err(|e| format!("{name}: {e}"))?;
    let bytes = std::fs::read(dir.join("expected.safetensors")).map_err(|e| format!("{name}: {e}"))?;
    let expected = tensor_file::read(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let (shape, values) = tensor(&expected, "input")?;
    if shape != network.input_shape() {
        return Err(format!(
            "{name}: input shape {shape:?} vs {:?}",
            network.input_shape()
        ));
    }
    let input = Array3::from_shape_vec((shape[0], shape[1], shape[2]), values).map_err(|e| e.to_string())?;
    let trace = network.forward(&input).map_err(|e| e.to_string())?;
    let mut compared = 0;
    for (index, output) in trace.outputs.iter().enumerate() {
        let layer = &network.layers()[index];
        let (shape, want) = tensor(&expected, &format!("output.{index}"))?;
        if output.shape() != shape.as_slice() {
            return Err(format!(
                "{name} layer {index} ({}): shape {:?} vs {shape:?}",
                layer.name,
                output.shape()
            ));
        }
        for (position, (&got, &want)) in output.iter().zip(&want).enumerate() {
            if (got - want).abs() > TOLERANCE * want.abs().max(1.0) {
                return Err(format!(
                    "{name} layer {index} ({} {}) value {position}: {got} here, {want} in PyTorch",
                    layer.layer.pytorch_name(),
                    layer.name
                ));
            }
            compared += 1;
        }
    }
    Ok((network, compared))
}
