//! Which explanation a focus opens, how to go up one level, and how many animation steps each
//! view has. Generic over the network's layers, so a user-loaded model works too.

use models::{Layer, Network};
use shared::{Focus, View};

/// The screen a focus shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The whole network.
    Overview,
    /// The network opened around a conv neuron: an intermediate map per input channel, the
    /// kernels, the "+" and bias (the paper's elastic view). The neuron view of a conv layer.
    ConvInContext,
    /// A convolution's arithmetic: every input channel with its kernel, the products and the
    /// sum (its operation view, opened from [`Screen::ConvInContext`]).
    Conv,
    /// An element-wise ReLU, on maps or on a vector.
    Relu,
    /// Max or average pooling.
    Pool,
    /// The network opened around a class: the flattened vector, the dense layer's weighted edges
    /// into the class's logit, and softmax. The neuron view of the last dense layer.
    ClassInContext,
    /// Flatten and the dense layer's contributions to one class's logit, term by term (the
    /// operation view of a dense layer).
    Flatten,
    /// Softmax: logits → exponentials → sum → probabilities.
    Softmax,
    /// The hyperparameter playground.
    Playground,
}

/// What `focus` shows in `network` (an out-of-range layer shows the overview).
pub fn screen(network: &Network, focus: &Focus) -> Screen {
    match focus.view {
        View::Overview => return Screen::Overview,
        View::Playground => return Screen::Playground,
        View::Neuron | View::Operation => {}
    }
    let layer = usize::from(focus.layer);
    let neuron_view = focus.view == View::Neuron;
    match network.layers().get(layer).map(|l| &l.layer) {
        Some(Layer::Conv2d(_)) if neuron_view => Screen::ConvInContext,
        Some(Layer::Conv2d(_)) => Screen::Conv,
        Some(Layer::Linear(_)) if neuron_view && last_linear(network) == Some(layer) => {
            Screen::ClassInContext
        }
        Some(Layer::ReLU) => Screen::Relu,
        Some(Layer::MaxPool2d(_) | Layer::AvgPool2d(_)) => Screen::Pool,
        Some(Layer::Linear(_)) => Screen::Flatten,
        Some(Layer::Softmax) => Screen::Softmax,
        _ => Screen::Overview,
    }
}

/// Index of the last `Linear` layer (the one whose contributions the flatten view shows).
pub fn last_linear(network: &Network) -> Option<usize> {
    network
        .layers()
        .iter()
        .rposition(|l| matches!(l.layer, Layer::Linear(_)))
}

/// Index of the `Softmax` layer, if any.
pub fn softmax_layer(network: &Network) -> Option<usize> {
    network
        .layers()
        .iter()
        .rposition(|l| matches!(l.layer, Layer::Softmax))
}

/// The focus that opens neuron `neuron` of `layer` from the overview: a conv neuron or an output
/// class opens the network around it (its neuron view), ReLU and pooling their operation view.
pub fn open(network: &Network, from: &Focus, layer: usize, neuron: usize) -> Focus {
    let is_output =
        layer + 1 == network.layers().len() && network.output_shapes().last().is_some_and(|s| s.len() == 1);
    let (view, layer) = match network.layers().get(layer).map(|l| &l.layer) {
        _ if is_output => (View::Neuron, last_linear(network).unwrap_or(layer)),
        Some(Layer::Conv2d(_)) => (View::Neuron, layer),
        _ => (View::Operation, layer),
    };
    Focus {
        view,
        layer: layer as u16,
        neuron: neuron as u16,
        channel: 0,
        step: 0,
        playing: false,
        ..*from
    }
}

/// The arithmetic opened from the network in context: a conv neuron's input channel `channel`
/// at the same window position, or a class's dense-layer terms from the first.
pub fn arithmetic(network: &Network, focus: &Focus, channel: usize) -> Focus {
    let conv = screen(network, focus) == Screen::ConvInContext;
    Focus {
        view: View::Operation,
        channel: if conv { channel as u16 } else { 0 },
        step: if conv { focus.step } else { 0 },
        playing: conv && focus.playing,
        ..*focus
    }
}

/// Softmax opened for the focus's class (the class's neuron is kept), if the network has one.
pub fn softmax(network: &Network, focus: &Focus) -> Option<Focus> {
    softmax_layer(network).map(|layer| Focus {
        view: View::Operation,
        layer: layer as u16,
        step: 0,
        playing: false,
        ..*focus
    })
}

/// The focus one level up: a conv channel or softmax goes back to its neuron view, everything
/// else to the overview (keeping layer and neuron, so the overview can highlight where we were).
pub fn back(network: &Network, focus: &Focus) -> Focus {
    let up = |view: View, layer: usize| Focus {
        view,
        layer: layer as u16,
        step: 0,
        playing: false,
        ..*focus
    };
    match (focus.view, screen(network, focus)) {
        (View::Overview, _) => *focus,
        (View::Playground, _) => Focus {
            view: View::Overview,
            step: 0,
            playing: false,
            ..*focus
        },
        (View::Operation, Screen::Conv) => up(View::Neuron, usize::from(focus.layer)),
        (View::Operation, Screen::Flatten) if last_linear(network) == Some(usize::from(focus.layer)) => {
            up(View::Neuron, usize::from(focus.layer))
        }
        // A hidden dense layer has no class in context: its units are in the overview.
        (_, Screen::Flatten) if last_linear(network) != Some(usize::from(focus.layer)) => {
            up(View::Overview, usize::from(focus.layer))
        }
        (View::Operation, Screen::Softmax) => match last_linear(network) {
            Some(linear) => up(View::Neuron, linear),
            None => up(View::Overview, usize::from(focus.layer)),
        },
        (_, Screen::ClassInContext | Screen::Flatten | Screen::Softmax) => {
            // Back in the overview the output column stands for the last layer.
            up(View::Overview, network.layers().len() - 1)
        }
        _ => up(View::Overview, usize::from(focus.layer)),
    }
}

/// Number of animation steps of `focus`'s view: one per output pixel for conv, ReLU, pooling and
/// the playground (none when its combination has no output); one per value for ReLU on a vector;
/// one per flattened input for the dense layer; one per class for softmax; none in the overview.
pub fn steps(network: &Network, focus: &Focus) -> u32 {
    let layer = usize::from(focus.layer);
    let count = match screen(network, focus) {
        Screen::Overview | Screen::ClassInContext => 0,
        Screen::ConvInContext | Screen::Conv | Screen::Relu | Screen::Pool => {
            match network.output_shapes()[layer].as_slice() {
                [_, height, width] => height * width,
                // ReLU on a vector: one value at a time.
                shape => shape.iter().product(),
            }
        }
        Screen::Flatten => network.input_shape_of(layer).iter().product(),
        Screen::Softmax => network.output_shapes()[layer].iter().product(),
        Screen::Playground => return crate::playground::steps(&focus.playground),
    };
    count as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Network {
        models::builtin::tiny_vgg_untrained(1)
    }

    #[test]
    fn opening_each_kind_of_neuron() {
        let net = net();
        let home = Focus::default();
        let conv = open(&net, &home, 2, 3);
        assert_eq!((conv.view, conv.layer, conv.neuron), (View::Neuron, 2, 3));
        assert_eq!(screen(&net, &conv), Screen::ConvInContext);
        let arithmetic = Focus {
            view: View::Operation,
            ..conv
        };
        assert_eq!(screen(&net, &arithmetic), Screen::Conv);
        let relu = open(&net, &home, 1, 0);
        assert_eq!((relu.view, screen(&net, &relu)), (View::Operation, Screen::Relu));
        let pool = open(&net, &home, 9, 0);
        assert_eq!(screen(&net, &pool), Screen::Pool);
        let class = open(&net, &home, 12, 7);
        assert_eq!((class.view, class.layer, class.neuron), (View::Neuron, 11, 7));
        assert_eq!(screen(&net, &class), Screen::ClassInContext);
        let terms = Focus {
            view: View::Operation,
            ..class
        };
        assert_eq!(screen(&net, &terms), Screen::Flatten);
        assert_eq!(
            back(&net, &terms).view,
            View::Neuron,
            "the terms go back to the class in context"
        );
    }

    #[test]
    fn opening_keeps_display_settings_and_resets_the_animation() {
        let net = net();
        let from = Focus {
            step: 40,
            playing: true,
            step_ms: 50,
            show_detail: false,
            ..Focus::default()
        };
        let conv = open(&net, &from, 0, 0);
        assert_eq!((conv.step, conv.playing), (0, false));
        assert_eq!((conv.step_ms, conv.show_detail), (50, false));
    }

    #[test]
    fn back_goes_up_one_level() {
        let net = net();
        let conv_channel = Focus {
            view: View::Operation,
            layer: 2,
            neuron: 3,
            channel: 4,
            step: 9,
            ..Focus::default()
        };
        let neuron = back(&net, &conv_channel);
        assert_eq!((neuron.view, neuron.layer, neuron.step), (View::Neuron, 2, 0));
        let overview = back(&net, &neuron);
        assert_eq!(
            (overview.view, overview.layer, overview.neuron),
            (View::Overview, 2, 3)
        );
        assert_eq!(back(&net, &overview), overview);

        let softmax = Focus {
            view: View::Operation,
            layer: 12,
            neuron: 4,
            ..Focus::default()
        };
        let flatten = back(&net, &softmax);
        assert_eq!((flatten.view, flatten.layer), (View::Neuron, 11));
        let home = back(&net, &flatten);
        assert_eq!((home.view, home.layer, home.neuron), (View::Overview, 12, 4));
    }

    #[test]
    fn steps_per_view() {
        let net = net();
        let at = |view, layer| Focus {
            view,
            layer,
            ..Focus::default()
        };
        assert_eq!(steps(&net, &at(View::Neuron, 0)), 62 * 62);
        assert_eq!(steps(&net, &at(View::Operation, 9)), 13 * 13);
        assert_eq!(steps(&net, &at(View::Operation, 0)), 62 * 62);
        assert_eq!(steps(&net, &at(View::Neuron, 11)), 0);
        assert_eq!(steps(&net, &at(View::Operation, 11)), 1690);
        assert_eq!(steps(&net, &at(View::Operation, 12)), 10);
        assert_eq!(steps(&net, &at(View::Overview, 0)), 0);
    }

    #[test]
    fn the_playground_is_one_level_below_the_overview() {
        let net = net();
        let playground = Focus {
            view: View::Playground,
            layer: 2,
            step: 5,
            playing: true,
            ..Focus::default()
        };
        assert_eq!(screen(&net, &playground), Screen::Playground);
        // The default playground: a 6 × 6 crop, 3 × 3 kernel, stride 1: a 4 × 4 output.
        assert_eq!(steps(&net, &playground), 16);
        let home = back(&net, &playground);
        assert_eq!((home.view, home.step, home.playing), (View::Overview, 0, false));
        assert_eq!(
            home.playground, playground.playground,
            "the settings are kept for next time"
        );
        let no_output = Focus {
            playground: shared::Playground {
                stride: 2,
                ..shared::Playground::default()
            },
            ..playground
        };
        assert_eq!(steps(&net, &no_output), 0);
    }

    #[test]
    fn out_of_range_layers_show_the_overview() {
        let net = net();
        let bad = Focus {
            view: View::Neuron,
            layer: 500,
            ..Focus::default()
        };
        assert_eq!(screen(&net, &bad), Screen::Overview);
        assert_eq!(steps(&net, &bad), 0);
    }

    /// Every layer of networks other than Tiny VGG (64 channels, greyscale, average pooling,
    /// hidden dense layers and ReLU on vectors) opens a view from the overview, counts its
    /// steps, and goes back up to the overview.
    #[test]
    fn every_layer_of_other_networks_opens_a_view_and_goes_back() {
        use crate::test_networks::{fixture, wide};
        for net in [wide(), fixture("grey"), fixture("colour")] {
            let columns = crate::scene::columns_of(&net);
            for column in &columns[1..] {
                let layer = column.layer.expect("a layer");
                for row in [0, column.neurons - 1] {
                    let opened = open(&net, &Focus::default(), layer, row);
                    let shown = screen(&net, &opened);
                    assert!(
                        shown != Screen::Overview,
                        "layer {layer} ({:?}) opens nothing",
                        column.kind
                    );
                    let _ = steps(&net, &opened);
                    let mut focus = Focus {
                        view: View::Operation,
                        ..opened
                    };
                    for _ in 0..3 {
                        let _ = steps(&net, &focus);
                        focus = back(&net, &focus);
                    }
                    assert_eq!(focus.view, View::Overview, "layer {layer} never goes back");
                }
            }
            // Whatever a focus from the wire says, nothing panics.
            for layer in 0..net.layers().len() as u16 + 2 {
                for view in [View::Overview, View::Neuron, View::Operation] {
                    let focus = Focus {
                        view,
                        layer,
                        neuron: 999,
                        step: u32::MAX,
                        ..Focus::default()
                    };
                    let _ = (screen(&net, &focus), steps(&net, &focus), back(&net, &focus));
                }
            }
        }
    }

    #[test]
    fn average_pooling_and_relu_on_vectors_have_their_views() {
        let net = crate::test_networks::wide();
        let at = |layer| Focus {
            view: View::Operation,
            layer,
            ..Focus::default()
        };
        assert_eq!(screen(&net, &at(5)), Screen::Pool, "avg pool");
        assert_eq!(steps(&net, &at(5)), 4 * 4);
        assert_eq!(screen(&net, &at(8)), Screen::Relu, "ReLU on 32 units");
        assert_eq!(steps(&net, &at(8)), 32);
        assert_eq!(screen(&net, &at(7)), Screen::Flatten, "a hidden dense layer");
        assert_eq!(steps(&net, &at(7)), 1024);
        assert_eq!(last_linear(&net), Some(9));
        let class = open(&net, &Focus::default(), 10, 4);
        assert_eq!(
            (class.view, class.layer, screen(&net, &class)),
            (View::Neuron, 9, Screen::ClassInContext)
        );
        let hidden = back(&net, &at(7));
        assert_eq!((hidden.view, hidden.layer), (View::Overview, 7));
    }
}
