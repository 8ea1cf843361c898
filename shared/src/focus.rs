//! What the class is looking at: the piece of view state the instructor drives and every
//! following student mirrors. Small and `Copy`, so it is cheap to broadcast many times a second.

use serde::{Deserialize, Serialize};

/// Which level of explanation is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum View {
    /// The whole network, every neuron as a heatmap.
    #[default]
    Overview,
    /// One neuron's explanation (for a conv neuron: its input channels, kernels and the sum;
    /// for an output class: flatten, the dense layer and softmax).
    Neuron,
    /// One operation's formula view with its step-by-step animation (convolution of one input
    /// channel, ReLU, max-pool, softmax).
    Operation,
}

/// How the colour scale of the hidden layers is ranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ColorRange {
    /// Each conv layer (with its ReLU and pool) gets its own symmetric range.
    #[default]
    Layer,
    /// One range per conv block.
    Block,
    /// One range for every hidden layer.
    Network,
}

/// The instructor's focus: everything a following student's screen is derived from, apart from
/// the input image (which travels separately, see `crate::msg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Focus {
    /// Level of explanation.
    pub view: View,
    /// Index into the network's layers (as in `models::Network::layers`); ignored in `Overview`.
    pub layer: u16,
    /// Neuron (channel) within `layer`, or the class index for the output layer.
    pub neuron: u16,
    /// Input channel whose part of a convolution is shown in `Operation` view.
    pub channel: u16,
    /// Animation position, e.g. the output pixel `y * width + x` the kernel is on.
    pub step: u32,
    /// Whether the animation is playing.
    pub playing: bool,
    /// Milliseconds per animation step while playing.
    pub step_ms: u16,
    /// Colour-range mode of the heatmaps.
    pub color_range: ColorRange,
    /// Whether full layer names, shapes and legends are shown.
    pub show_detail: bool,
}

impl Default for Focus {
    fn default() -> Self {
        Self {
            view: View::Overview,
            layer: 0,
            neuron: 0,
            channel: 0,
            step: 0,
            playing: false,
            step_ms: 250,
            color_range: ColorRange::Layer,
            show_detail: true,
        }
    }
}
