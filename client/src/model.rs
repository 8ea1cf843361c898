//! The network the client runs: the built-in Tiny VGG, computed in WebAssembly, so the
//! self-paced client needs no server.

use models::{Network, Trace};

use crate::state::CanonicalImage;

/// The shipped, trained network.
pub fn network() -> &'static Network {
    models::builtin::tiny_vgg()
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
