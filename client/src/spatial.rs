//! The position a map-based view (ReLU, pooling) is at: layer, neuron, step and output pixel,
//! checked against the network so an out-of-range focus from the wire cannot panic.

use models::Network;
use shared::Focus;
use yew::Callback;

use crate::navigation;
use crate::playback;

/// A checked position in a layer's `[C, H, W]` output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpatialFocus {
    /// Layer index.
    pub layer: usize,
    /// Channel, clamped to the layer's channels.
    pub neuron: usize,
    /// Step, clamped to the animation.
    pub step: u32,
    /// Number of steps.
    pub steps: u32,
    /// Output row.
    pub y: usize,
    /// Output column.
    pub x: usize,
    /// Output height.
    pub height: usize,
    /// Output width.
    pub width: usize,
}

impl SpatialFocus {
    /// The position `focus` points at, or `None` if its layer has no maps.
    pub fn of(network: &Network, focus: &Focus) -> Option<Self> {
        let layer = usize::from(focus.layer);
        let shape = network.output_shapes().get(layer).filter(|s| s.len() == 3)?;
        let steps = navigation::steps(network, focus);
        let step = playback::clamp(focus.step, steps);
        let (y, x) = playback::pixel(step, shape[2]);
        Some(Self {
            layer,
            neuron: usize::from(focus.neuron).min(shape[0].saturating_sub(1)),
            step,
            steps,
            y,
            x,
            height: shape[1],
            width: shape[2],
        })
    }

    /// A callback that jumps (paused) to the output pixel picked on a map `scale` times the
    /// output's size (1 for the output map, the pooling stride for its input).
    pub fn pick_callback_scaled(
        &self,
        focus: Focus,
        onnavigate: Callback<Focus>,
        scale: usize,
    ) -> Callback<(usize, usize)> {
        let (height, width) = (self.height, self.width);
        let scale = scale.max(1);
        Callback::from(move |(py, px): (usize, usize)| {
            let (oy, ox) = ((py / scale).min(height - 1), (px / scale).min(width - 1));
            onnavigate.emit(Focus {
                step: playback::step_of(oy, ox, width),
                playing: false,
                ..focus
            });
        })
    }

    /// [`Self::pick_callback_scaled`] for maps the size of the output.
    pub fn pick_callback(&self, focus: Focus, onnavigate: Callback<Focus>) -> Callback<(usize, usize)> {
        self.pick_callback_scaled(focus, onnavigate, 1)
    }
}
