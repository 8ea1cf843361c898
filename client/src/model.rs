//! The network the client runs: the built-in Tiny VGG, computed in WebAssembly, so the
//! self-paced client needs no server.
//!
//! Its parameters are embedded as `assets/tiny_vgg.bin` (written by
//! `cargo run --release -p trainer -- pack-client`): the same `f32` values as
//! `models::builtin::tiny_vgg()`, stored byte-plane by byte-plane so they compress better, and
//! read without the JSON and safetensors parsers. The tests below prove the two networks equal.

use std::sync::OnceLock;

use models::{Layer, Network, Trace};

use crate::state::CanonicalImage;

/// The parameters of the shipped network (format above).
static PARAMETERS: &[u8] = include_bytes!("../assets/tiny_vgg.bin");

/// The shipped, trained network.
pub fn network() -> &'static Network {
    static NETWORK: OnceLock<Network> = OnceLock::new();
    // `unpack` is checked against `models::builtin::tiny_vgg()` by the tests below.
    NETWORK.get_or_init(|| unpack(PARAMETERS).expect("the embedded Tiny VGG parameters are complete"))
}

/// Tiny VGG with the parameters in `bytes`, or `None` if there are too few or too many.
fn unpack(bytes: &[u8]) -> Option<Network> {
    let count = bytes.len() / 4;
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut values =
        (0..count).map(|i| f32::from_le_bytes([0, 1, 2, 3].map(|plane| bytes[plane * count + i])));
    // The architecture (layers, shapes, class names) with placeholder parameters.
    let template = models::builtin::tiny_vgg_untrained(0);
    let mut layers = template.layers().to_vec();
    for named in &mut layers {
        let parameters: Vec<&mut f32> = match &mut named.layer {
            Layer::Conv2d(conv) => conv.weight.iter_mut().chain(&mut conv.bias).collect(),
            Layer::Linear(linear) => linear.weight.iter_mut().chain(&mut linear.bias).collect(),
            Layer::ReLU | Layer::MaxPool2d(_) | Layer::AvgPool2d(_) | Layer::Flatten | Layer::Softmax => {
                continue;
            }
        };
        for parameter in parameters {
            *parameter = values.next()?;
        }
    }
    if values.next().is_some() {
        return None;
    }
    Network::new(template.input_shape(), layers, template.class_names().to_vec()).ok()
}

/// Runs `image` through the network, or says why it cannot (an image of the wrong size).
pub fn trace(image: &CanonicalImage) -> Result<Trace, String> {
    network()
        .forward(&image.to_tensor())
        .map_err(|e| format!("This picture cannot be shown: {e}. Pick a sample or upload another picture."))
}

/// Short name of layer `index`, e.g. `conv_1_2`; `input` for `None`.
pub fn layer_name(index: Option<usize>) -> String {
    match index {
        None => "input".to_owned(),
        Some(i) => network()
            .layers()
            .get(i)
            .map(|l| l.name.clone())
            .unwrap_or_default(),
    }
}

/// Shape text of layer `index`'s output, e.g. `10×62×62`; the input shape for `None`.
pub fn shape_text(index: Option<usize>) -> String {
    let net = network();
    let dims: Vec<usize> = match index {
        None => net.input_shape().to_vec(),
        Some(i) => net.output_shapes().get(i).cloned().unwrap_or_default(),
    };
    dims.iter().map(usize::to_string).collect::<Vec<_>>().join("×")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_parameters_are_exactly_the_shipped_network() {
        assert!(
            network() == models::builtin::tiny_vgg(),
            "client/assets/tiny_vgg.bin is stale: run `cargo run --release -p trainer -- pack-client`"
        );
    }

    #[test]
    fn too_few_or_too_many_parameters_are_refused() {
        assert!(unpack(&PARAMETERS[..PARAMETERS.len() - 4]).is_none());
        assert!(unpack(&[PARAMETERS, &[0; 4]].concat()).is_none());
        assert!(unpack(&PARAMETERS[..PARAMETERS.len() - 1]).is_none());
    }
}
