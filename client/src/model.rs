//! The network the client runs, computed in WebAssembly so the self-paced client needs no
//! server: the built-in Tiny VGG, or a network the user (or the lecture) switched to with
//! [`set_network`]. Every view reads the current one through [`network`].
//!
//! Its parameters are embedded as `assets/tiny_vgg.bin` (written by
//! `cargo run --release -p trainer -- pack-client`): the same `f32` values as
//! `models::builtin::tiny_vgg()`, stored byte-plane by byte-plane so they compress better, and
//! read without the JSON and safetensors parsers. The tests below prove the two networks equal.

use std::cell::Cell;
use std::sync::OnceLock;

use models::{Layer, Network, Trace};

use crate::state::CanonicalImage;

/// The parameters of the shipped network (format above).
static PARAMETERS: &[u8] = include_bytes!("../assets/tiny_vgg.bin");

thread_local! {
    /// The network switched to, if not the built-in one. Leaked on each switch: networks are
    /// small (at most a few MB within the teaching budget) and switches rare, and a `&'static`
    /// keeps every call site as simple as it was with one built-in network.
    static CURRENT: Cell<Option<&'static Network>> = const { Cell::new(None) };
    /// Counts switches (returned by [`set_network`] and [`set_builtin`]), so state that depends on the network (traces, memoised views) can tell
    /// one network from the next even when two files hold equal shapes.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// The network every view shows now.
pub fn network() -> &'static Network {
    CURRENT.with(Cell::get).unwrap_or_else(builtin)
}

/// Makes `network` the current one (already checked: `models::bundle::read` with the
/// teaching budget); returns its generation.
pub fn set_network(network: Network) -> u32 {
    CURRENT.with(|current| current.set(Some(Box::leak(Box::new(network)))));
    bump()
}

/// Goes back to the built-in Tiny VGG; returns the new generation.
pub fn set_builtin() -> u32 {
    CURRENT.with(|current| current.set(None));
    bump()
}

/// Whether the current network is the built-in Tiny VGG.
pub fn is_builtin() -> bool {
    CURRENT.with(Cell::get).is_none()
}

fn bump() -> u32 {
    GENERATION.with(|generation| {
        generation.set(generation.get().wrapping_add(1));
        generation.get()
    })
}

/// The shipped, trained network.
pub fn builtin() -> &'static Network {
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

/// The current network's input made from `image`, as the server makes it: the picture resized
/// to the network's input (and greyscale for one channel); for Tiny VGG's `[3, 64, 64]` that is
/// the canonical picture as it is (`CanonicalImage::input_for` equals `to_tensor` there).
pub fn input_of(image: &CanonicalImage) -> ndarray::Array3<f32> {
    image.input_for(network().input_shape())
}

/// Runs `image` through the current network, or says why it cannot (an image of the wrong size).
pub fn trace(image: &CanonicalImage) -> Result<Trace, String> {
    network()
        .forward(&input_of(image))
        .map_err(|e| format!("This picture cannot be shown: {e}. Pick a sample or upload another picture."))
}

/// Short name of layer `index`, e.g. `conv_1_2`; `input` for `None`. A PyTorch
/// `nn.Sequential` names its layers `0`, `1`…: those get their kind in front (`conv_0`).
pub fn layer_name(index: Option<usize>) -> String {
    match index {
        None => "input".to_owned(),
        Some(i) => network().layers().get(i).map(display_name).unwrap_or_default(),
    }
}

/// A layer's name as the views show it: its own, or `conv_0` for PyTorch's bare index `0`.
pub fn display_name(layer: &models::NamedLayer) -> String {
    if layer.name.chars().all(|c| c.is_ascii_digit()) {
        format!("{}_{}", layer.layer.kind(), layer.name)
    } else {
        layer.name.clone()
    }
}

/// What input channel `channel` is called: `red`, `green`, `blue`, or `grey` for a greyscale
/// network.
pub fn input_channel_name(channel: usize) -> String {
    if network().input_shape()[0] == 1 {
        return "grey".to_owned();
    }
    ["red", "green", "blue"]
        .get(channel)
        .map_or(format!("channel {channel}"), |name| (*name).to_owned())
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
            builtin() == models::builtin::tiny_vgg(),
            "client/assets/tiny_vgg.bin is stale: run `cargo run --release -p trainer -- pack-client`"
        );
    }

    #[test]
    fn switching_changes_the_network_and_its_generation() {
        let other = models::builtin::tiny_vgg_untrained(3);
        let switched = set_network(other.clone());
        assert!(!is_builtin());
        assert!(*network() == other);
        let back = set_builtin();
        assert!(back != switched && is_builtin());
        assert!(network() == models::builtin::tiny_vgg());
    }

    #[test]
    fn too_few_or_too_many_parameters_are_refused() {
        assert!(unpack(&PARAMETERS[..PARAMETERS.len() - 4]).is_none());
        assert!(unpack(&[PARAMETERS, &[0; 4]].concat()).is_none());
        assert!(unpack(&PARAMETERS[..PARAMETERS.len() - 1]).is_none());
    }
}
