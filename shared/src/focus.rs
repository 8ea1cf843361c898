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
    /// The hyperparameter playground ([`Playground`]): one convolution of a crop of a real map
    /// under the padding, kernel size and stride the instructor picks.
    Playground,
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
/// the input image (which travels separately, see `crate::room::InputImage`).
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
    /// The hyperparameter playground's settings, kept while other views are open so the
    /// playground comes back as it was left.
    pub playground: Playground,
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
            playground: Playground::default(),
        }
    }
}

/// Largest input side `n` of the playground (a crop of `n × n` pixels).
pub const MAX_PLAYGROUND_INPUT: u8 = 8;
/// Largest padding `p` of the playground.
pub const MAX_PLAYGROUND_PADDING: u8 = 3;
/// Largest kernel side `k` of the playground.
pub const MAX_PLAYGROUND_KERNEL: u8 = 5;
/// Largest stride `s` of the playground.
pub const MAX_PLAYGROUND_STRIDE: u8 = 4;
/// Cells of the largest kernel: room for every hand-typed weight.
pub const MAX_KERNEL_CELLS: usize = MAX_PLAYGROUND_KERNEL as usize * MAX_PLAYGROUND_KERNEL as usize;
/// Largest magnitude of a hand-typed weight, in tenths (±9.9).
pub const MAX_HAND_WEIGHT_TENTHS: i8 = 99;

/// The hyperparameter playground: a crop of one channel of one of the network's maps, padded
/// with zeros, convolved with one kernel at one stride. Shapes only; the numbers come from the
/// network (`models::playground`). The animation position is the focus's `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Playground {
    /// Side `n` of the square crop, `1..=MAX_PLAYGROUND_INPUT`.
    pub input: u8,
    /// Zero rows and columns `p` around it, `0..=MAX_PLAYGROUND_PADDING`.
    pub padding: u8,
    /// Side `k` of the square kernel, `1..=MAX_PLAYGROUND_KERNEL`.
    pub kernel: u8,
    /// Step `s` between windows, `1..=MAX_PLAYGROUND_STRIDE`.
    pub stride: u8,
    /// The map the crop is cut from: 0 the input image, `i` the output of layer `i − 1`.
    pub map: u16,
    /// The map's channel.
    pub map_channel: u16,
    /// Row of the crop's top-left pixel in the map.
    pub top: u16,
    /// Column of the crop's top-left pixel in the map.
    pub left: u16,
    /// Where the kernel's weights come from.
    pub weights: KernelWeights,
}

/// Where the playground's kernel comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KernelWeights {
    /// The trained kernel `weight[neuron, channel]` of conv layer `layer` (its size fixes the
    /// playground's kernel size).
    Model {
        /// The conv layer (index into the network's layers).
        layer: u16,
        /// Its output channel.
        neuron: u16,
        /// Its input channel.
        channel: u16,
    },
    /// Weights typed by hand in tenths (`-MAX_HAND_WEIGHT_TENTHS..=MAX_HAND_WEIGHT_TENTHS`),
    /// row by row; the first `kernel²` are used.
    Hand([i8; MAX_KERNEL_CELLS]),
}

impl Default for Playground {
    /// A 6 × 6 crop from the middle of the red channel with conv_1_1's first kernel, no padding,
    /// stride 1: the first layer's own convolution, before anything is changed.
    fn default() -> Self {
        Self {
            input: 6,
            padding: 0,
            kernel: 3,
            stride: 1,
            map: 0,
            map_channel: 0,
            top: 29,
            left: 29,
            weights: KernelWeights::Model {
                layer: 0,
                neuron: 0,
                channel: 0,
            },
        }
    }
}

/// A playground setting outside the protocol's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlaygroundLimit {
    /// A size outside its range.
    #[error("The playground's {what} must be from {min} to {max}; {value} is outside that range.")]
    Size {
        /// "input size", "padding", "kernel size" or "stride".
        what: &'static str,
        /// Smallest allowed.
        min: u8,
        /// Largest allowed.
        max: u8,
        /// What was sent.
        value: u8,
    },
    /// A hand-typed weight beyond ±9.9.
    #[error("Hand-typed weights must be between −9.9 and 9.9; weight {index} is {tenths} tenths.")]
    Weight {
        /// Its position, row by row.
        index: usize,
        /// Its value in tenths.
        tenths: i8,
    },
}

impl Playground {
    /// Checks the sizes and hand-typed weights against the protocol's limits (whether the
    /// combination has an output is the playground's lesson, not an error; whether the map and
    /// kernel exist depends on the network, see `models::playground`).
    pub fn check_limits(&self) -> Result<(), PlaygroundLimit> {
        let ranges = [
            ("input size", 1, MAX_PLAYGROUND_INPUT, self.input),
            ("padding", 0, MAX_PLAYGROUND_PADDING, self.padding),
            ("kernel size", 1, MAX_PLAYGROUND_KERNEL, self.kernel),
            ("stride", 1, MAX_PLAYGROUND_STRIDE, self.stride),
        ];
        for (what, min, max, value) in ranges {
            if !(min..=max).contains(&value) {
                return Err(PlaygroundLimit::Size {
                    what,
                    min,
                    max,
                    value,
                });
            }
        }
        if let KernelWeights::Hand(weights) = self.weights
            && let Some((index, &tenths)) = weights
                .iter()
                .enumerate()
                .find(|(_, w)| w.unsigned_abs() > MAX_HAND_WEIGHT_TENTHS.unsigned_abs())
        {
            return Err(PlaygroundLimit::Weight { index, tenths });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_playground_is_within_the_limits() {
        assert_eq!(Playground::default().check_limits(), Ok(()));
    }

    #[test]
    fn sizes_outside_the_limits_are_refused_with_a_sentence() {
        let big = Playground {
            kernel: 200,
            ..Playground::default()
        };
        let error = big.check_limits().unwrap_err();
        assert_eq!(
            error.to_string(),
            "The playground's kernel size must be from 1 to 5; 200 is outside that range."
        );
        for bad in [
            Playground {
                input: 0,
                ..Playground::default()
            },
            Playground {
                input: MAX_PLAYGROUND_INPUT + 1,
                ..Playground::default()
            },
            Playground {
                padding: MAX_PLAYGROUND_PADDING + 1,
                ..Playground::default()
            },
            Playground {
                kernel: 0,
                ..Playground::default()
            },
            Playground {
                stride: 0,
                ..Playground::default()
            },
            Playground {
                stride: MAX_PLAYGROUND_STRIDE + 1,
                ..Playground::default()
            },
        ] {
            assert!(
                matches!(bad.check_limits(), Err(PlaygroundLimit::Size { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hand_weights_are_limited() {
        let mut weights = [0i8; MAX_KERNEL_CELLS];
        weights[24] = 99;
        weights[3] = -99;
        let ok = Playground {
            weights: KernelWeights::Hand(weights),
            ..Playground::default()
        };
        assert_eq!(ok.check_limits(), Ok(()));
        weights[7] = -128;
        let bad = Playground {
            weights: KernelWeights::Hand(weights),
            ..Playground::default()
        };
        assert_eq!(
            bad.check_limits(),
            Err(PlaygroundLimit::Weight {
                index: 7,
                tenths: -128
            })
        );
    }
}
