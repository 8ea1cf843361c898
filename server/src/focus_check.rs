//! Whether an instructor's focus fits the network before the class is moved to it: the layer
//! exists, and the hyperparameter playground's sizes are within the protocol's limits, its map,
//! channel and crop exist, and a model kernel exists with the playground's kernel size. Every
//! refusal is a sentence for the instructor; nothing here can panic on what a client sends.

use models::playground::{check_crop, check_model_kernel};
use models::{Layer, Network};
use shared::{Focus, KernelWeights, MAX_PLAYGROUND_KERNEL, Playground};

/// `Ok` if the class can be moved to `focus`; otherwise what is wrong with it.
pub fn check_focus(network: &Network, focus: &Focus) -> Result<(), String> {
    let layers = network.layers().len();
    if usize::from(focus.layer) >= layers {
        return Err(format!(
            "The network has {layers} layers; layer {} does not exist.",
            focus.layer
        ));
    }
    check_playground(network, &focus.playground)
}

/// Where a room goes when it switches network: the overview, with a playground that fits this
/// network (the default one is Tiny VGG's: a 6×6 crop at (29, 29) of its 64×64 input with
/// conv_1_1's 3×3 kernel): a crop in the middle of the input's first channel, with the first
/// conv layer's first kernel if the playground can show its size, otherwise a hand-typed 3×3.
pub fn overview_focus(network: &Network) -> Focus {
    let default = Focus::default();
    if check_focus(network, &default).is_ok() {
        return default;
    }
    let [_, height, width] = network.input_shape();
    let side = default.playground.input;
    let first_conv = network
        .layers()
        .iter()
        .enumerate()
        .find_map(|(index, named)| match &named.layer {
            Layer::Conv2d(conv) => Some((index, conv.weight.dim().2)),
            _ => None,
        });
    let (weights, kernel) = match first_conv {
        Some((layer, kernel)) if kernel <= usize::from(MAX_PLAYGROUND_KERNEL) => (
            KernelWeights::Model {
                layer: u16::try_from(layer).unwrap_or(u16::MAX),
                neuron: 0,
                channel: 0,
            },
            kernel as u8,
        ),
        _ => (KernelWeights::Hand([0; shared::MAX_KERNEL_CELLS]), 3),
    };
    let middle = |length: usize| u16::try_from(length.saturating_sub(usize::from(side)) / 2).unwrap_or(0);
    let focus = Focus {
        playground: Playground {
            kernel,
            weights,
            top: middle(height),
            left: middle(width),
            ..default.playground
        },
        ..default
    };
    if check_focus(network, &focus).is_ok() {
        focus
    } else {
        default
    }
}

/// The playground's part of [`check_focus`].
pub fn check_playground(network: &Network, playground: &Playground) -> Result<(), String> {
    playground.check_limits().map_err(|e| e.to_string())?;
    check_crop(
        network,
        usize::from(playground.map),
        usize::from(playground.map_channel),
        usize::from(playground.top),
        usize::from(playground.left),
        usize::from(playground.input),
    )
    .map_err(|e| format!("The playground's crop is not possible: {e}"))?;
    if let KernelWeights::Model {
        layer,
        neuron,
        channel,
    } = playground.weights
    {
        check_model_kernel(
            network,
            usize::from(layer),
            usize::from(neuron),
            usize::from(channel),
            usize::from(playground.kernel),
        )
        .map_err(|e| format!("The playground's kernel is not possible: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use shared::View;

    use super::*;

    fn with(playground: Playground) -> Focus {
        Focus {
            view: View::Playground,
            playground,
            ..Focus::default()
        }
    }

    #[test]
    fn the_default_and_every_invalid_combination_are_accepted() {
        let network = models::builtin::tiny_vgg();
        assert_eq!(check_focus(network, &Focus::default()), Ok(()));
        // (n + 2p − k) not divisible by s is the playground's lesson, not a refusal.
        let lesson = Playground {
            input: 6,
            stride: 2,
            ..Playground::default()
        };
        assert_eq!(check_focus(network, &with(lesson)), Ok(()));
        let hand = Playground {
            kernel: 5,
            input: 2,
            weights: KernelWeights::Hand([10; 25]),
            ..Playground::default()
        };
        assert_eq!(check_focus(network, &with(hand)), Ok(()));
    }

    #[test]
    fn the_overview_focus_fits_every_network() {
        assert_eq!(overview_focus(models::builtin::tiny_vgg()), Focus::default());
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/tests/fixtures/pytorch");
        for name in ["grey", "colour"] {
            let network = models::weights::load_dir(dir.join(name)).expect("the fixture loads");
            assert!(
                check_focus(&network, &Focus::default()).is_err(),
                "{name}: Tiny VGG's playground does not fit"
            );
            let focus = overview_focus(&network);
            assert_eq!(check_focus(&network, &focus), Ok(()), "{name}");
            assert_eq!((focus.view, focus.layer), (View::Overview, 0));
        }
    }

    #[test]
    fn bad_sizes_and_sources_are_refused_with_sentences() {
        let network = models::builtin::tiny_vgg();
        let refused = |playground: Playground| check_focus(network, &with(playground)).unwrap_err();
        assert_eq!(
            refused(Playground {
                input: 40,
                ..Playground::default()
            }),
            "The playground's input size must be from 1 to 8; 40 is outside that range."
        );
        assert!(
            refused(Playground {
                top: 60,
                ..Playground::default()
            })
            .contains("does not fit inside input's 64×64 map")
        );
        assert!(
            refused(Playground {
                map: 12,
                ..Playground::default()
            })
            .contains("not a stack of maps")
        );
        assert!(
            refused(Playground {
                map: u16::MAX,
                ..Playground::default()
            })
            .contains("There is no map 65535")
        );
        assert!(
            refused(Playground {
                kernel: 5,
                ..Playground::default()
            })
            .contains("conv_1_1's kernels are 3×3")
        );
        assert!(
            refused(Playground {
                weights: KernelWeights::Model {
                    layer: 1,
                    neuron: 0,
                    channel: 0
                },
                ..Playground::default()
            })
            .contains("relu_1_1 is a relu layer")
        );
        let mut weights = [0i8; 25];
        weights[0] = i8::MIN;
        assert!(
            refused(Playground {
                weights: KernelWeights::Hand(weights),
                ..Playground::default()
            })
            .starts_with("Hand-typed weights must be between")
        );
        let bad_layer = Focus {
            layer: 999,
            ..Focus::default()
        };
        assert_eq!(
            check_focus(network, &bad_layer),
            Err("The network has 13 layers; layer 999 does not exist.".to_owned())
        );
    }
}
