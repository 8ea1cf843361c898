//! Which quick checks the instructor can ask about what the class sees, each with its right
//! answer read from `models::explain` at the current focus and step (pure, tested natively).

use models::{Network, Trace, explain};
use shared::{Ask, CellTarget, Correct, Focus};

use crate::navigation::{self, Screen};
use crate::playback;

/// One question the instructor can ask now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    /// What students are asked.
    pub ask: Ask,
    /// The right answer.
    pub correct: Correct,
    /// The button's words.
    pub label: &'static str,
}

/// How far from the computed value a typed answer still counts as right: 5 % of its size, and at
/// least 0.01, because views show two decimals and students add up rounded numbers in their head.
pub fn tolerance(value: f32) -> f32 {
    (value.abs() * 0.05).max(0.01)
}

/// The questions that fit `focus`: "which class?" everywhere; "the next value" in an
/// explanation view with steps; "which cell wins?" in max-pooling; "which input pixel matters
/// most?" in a convolution.
pub fn offers(network: &Network, trace: &Trace, focus: &Focus) -> Vec<Offer> {
    let mut offers = Vec::new();
    let classes = network.class_names().len();
    let predicted = trace.predicted_class();
    if let (Ok(classes), Ok(predicted)) = (u16::try_from(classes), u16::try_from(predicted)) {
        offers.push(Offer {
            ask: Ask::PredictClass { classes },
            correct: Correct::Class(predicted),
            label: "Which class will it predict?",
        });
    }
    if let Some(value) = next_value(network, trace, focus) {
        offers.push(Offer {
            ask: Ask::NextValue,
            correct: Correct::Value {
                value,
                tolerance: tolerance(value),
            },
            label: "What is the next value?",
        });
    }
    offers.extend(pick_cell(network, trace, focus));
    offers
}

/// The question as students read it.
pub fn prompt(ask: &Ask) -> &'static str {
    match ask {
        Ask::PredictClass { .. } => "Which class will the network predict for this picture?",
        Ask::NextValue => {
            "What value comes out at the current step? Work it out from the numbers on your screen."
        }
        Ask::PickCell {
            target: CellTarget::PoolWinner,
            ..
        } => "Which cell of the pooling window wins (is kept)?",
        Ask::PickCell {
            target: CellTarget::ImportantPixel,
            ..
        } => "Which input pixel under the kernel counts most (the largest product, plus or minus)?",
    }
}

/// The right answer in words, e.g. "Trouser", "-0.69", "row 1, column 0".
pub fn describe(correct: &Correct, ask: &Ask, class_names: &[String]) -> String {
    match (*correct, *ask) {
        (Correct::Class(class), _) => class_names
            .get(usize::from(class))
            .cloned()
            .unwrap_or_else(|| format!("class {class}")),
        (Correct::Value { value, .. }, _) => crate::format::value(value),
        (Correct::Cell(cell), Ask::PickCell { width, .. }) => {
            let width = width.max(1);
            format!("row {}, column {}", cell / width, cell % width)
        }
        (Correct::Cell(cell), _) => format!("cell {cell}"),
    }
}

/// The values of the grid a "which cell?" question shows, row by row, from this screen's own
/// trace: the pooling window, or the input patch under the kernel.
pub fn cell_values(network: &Network, trace: &Trace, focus: &Focus, target: CellTarget) -> Option<Vec<f32>> {
    let layer = usize::from(focus.layer);
    let neuron = usize::from(focus.neuron);
    let (y, x) = pixel(network, focus)?;
    match target {
        CellTarget::PoolWinner => Some(
            explain::max_pool(network, trace, layer, neuron, y, x)
                .ok()?
                .window
                .iter()
                .copied()
                .collect(),
        ),
        // One channel's operation view shows its input patch; the neuron view has one patch
        // per channel, so its grid shows positions only.
        CellTarget::ImportantPixel if focus.view == shared::View::Operation => {
            let conv = explain::conv(network, trace, layer, neuron, y, x).ok()?;
            let term = conv.channels.get(usize::from(focus.channel))?;
            Some(term.patch.iter().copied().collect())
        }
        CellTarget::ImportantPixel => None,
    }
}

/// What each position under the kernel adds to the output at the current step: in one
/// channel's operation view that channel's products, in the neuron view the products summed over
/// every input channel.
fn pixel_contributions(network: &Network, trace: &Trace, focus: &Focus) -> Option<ndarray::Array2<f32>> {
    let (y, x) = pixel(network, focus)?;
    let conv = explain::conv(
        network,
        trace,
        usize::from(focus.layer),
        usize::from(focus.neuron),
        y,
        x,
    )
    .ok()?;
    if focus.view == shared::View::Operation {
        let term = conv.channels.get(usize::from(focus.channel))?;
        return Some(term.products.clone());
    }
    let mut sum = conv.channels.first()?.products.clone();
    for term in &conv.channels[1..] {
        sum += &term.products;
    }
    Some(sum)
}

/// The output pixel `(y, x)` of the current step in a map of `width` columns.
fn pixel(network: &Network, focus: &Focus) -> Option<(usize, usize)> {
    let shape = network.output_shapes().get(usize::from(focus.layer))?;
    let steps = navigation::steps(network, focus);
    (shape.len() == 3 && steps > 0).then(|| playback::pixel(playback::clamp(focus.step, steps), shape[2]))
}

/// The value the open view computes at the current step.
pub fn next_value(network: &Network, trace: &Trace, focus: &Focus) -> Option<f32> {
    let layer = usize::from(focus.layer);
    let neuron = usize::from(focus.neuron);
    let steps = navigation::steps(network, focus);
    let step = playback::clamp(focus.step, steps) as usize;
    match navigation::screen(network, focus) {
        // The neuron at the window's place, in the arithmetic or the network opened around it.
        Screen::Conv | Screen::ConvInContext => {
            let (y, x) = pixel(network, focus)?;
            Some(explain::conv(network, trace, layer, neuron, y, x).ok()?.total)
        }
        Screen::Relu => {
            let (y, x) = pixel(network, focus)?;
            Some(explain::relu(network, trace, layer, &[neuron, y, x]).ok()?.output)
        }
        Screen::Pool => {
            let (y, x) = pixel(network, focus)?;
            Some(explain::max_pool(network, trace, layer, neuron, y, x).ok()?.value)
        }
        Screen::Flatten => {
            let linear = explain::linear(network, trace, layer, neuron).ok()?;
            linear.contributions.get(step).copied()
        }
        Screen::Softmax => explain::softmax(network, trace, layer)
            .ok()?
            .probabilities
            .get(step)
            .copied(),
        Screen::Overview | Screen::ClassInContext | Screen::Playground => None,
    }
}

/// "Which cell wins the max-pool?" in a pooling view, "which input pixel matters most?" (the
/// largest product under the kernel, in the shown channel) in a convolution view.
fn pick_cell(network: &Network, trace: &Trace, focus: &Focus) -> Option<Offer> {
    let layer = usize::from(focus.layer);
    let neuron = usize::from(focus.neuron);
    let (y, x) = pixel(network, focus)?;
    let (target, width, cell, label) = match navigation::screen(network, focus) {
        Screen::Pool => {
            let pool = explain::max_pool(network, trace, layer, neuron, y, x).ok()?;
            if pool.window.iter().all(|&v| v == pool.value) {
                return None; // every cell ties: there is no winner to find
            }
            let width = pool.window.ncols();
            let (wy, wx) = pool.winner;
            (
                CellTarget::PoolWinner,
                width,
                wy * width + wx,
                "Which cell wins the max-pool?",
            )
        }
        Screen::Conv | Screen::ConvInContext => {
            let contributions = pixel_contributions(network, trace, focus)?;
            let width = contributions.ncols();
            let (at, strongest) = contributions
                .indexed_iter()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
            if *strongest == 0.0 {
                return None; // nothing under the kernel counts: no question to ask
            }
            (
                CellTarget::ImportantPixel,
                width,
                at.0 * width + at.1,
                "Which input pixel matters most?",
            )
        }
        _ => return None,
    };
    let width = u16::try_from(width).ok()?;
    let height = width;
    let ask = Ask::PickCell {
        target,
        width,
        height,
    };
    let correct = Correct::Cell(u16::try_from(cell).ok()?);
    ask.check(&correct).ok()?;
    Some(Offer { ask, correct, label })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::View;

    fn trace(network: &Network) -> Trace {
        let image = models::preprocess::CanonicalImage::new(
            (0..64 * 64 * 3).map(|i| (i * 7 % 251) as u8).collect(),
            64,
        )
        .expect("an image");
        network
            .forward(&image.to_tensor())
            .expect("the built-in network runs")
    }

    #[test]
    fn every_view_offers_what_fits_it_with_the_value_the_view_shows() {
        let network = models::builtin::tiny_vgg_untrained(3);
        let trace = trace(&network);
        let overview = offers(&network, &trace, &Focus::default());
        assert_eq!(overview.len(), 1, "only 'which class?' in the overview");

        let conv = Focus {
            view: View::Neuron,
            layer: 0,
            neuron: 2,
            step: 65,
            ..Focus::default()
        };
        let asked = offers(&network, &trace, &conv);
        let value = asked
            .iter()
            .find(|o| o.ask == Ask::NextValue)
            .expect("a conv view asks for the next value");
        let (y, x) = playback::pixel(65, 62);
        let expected = explain::conv(&network, &trace, 0, 2, y, x).unwrap().total;
        assert_eq!(
            value.correct,
            Correct::Value {
                value: expected,
                tolerance: tolerance(expected)
            }
        );
        assert!(asked.iter().any(|o| matches!(
            o.ask,
            Ask::PickCell {
                target: CellTarget::ImportantPixel,
                width: 3,
                ..
            }
        )));

        let pool = Focus {
            view: View::Operation,
            layer: 4,
            neuron: 1,
            step: 7,
            ..Focus::default()
        };
        let asked = offers(&network, &trace, &pool);
        let winner = asked
            .iter()
            .find(|o| matches!(o.ask, Ask::PickCell { .. }))
            .expect("a pooling view asks for the winner");
        let (y, x) = playback::pixel(7, 30);
        let explained = explain::max_pool(&network, &trace, 4, 1, y, x).unwrap();
        assert_eq!(
            winner.correct,
            Correct::Cell((explained.winner.0 * 2 + explained.winner.1) as u16)
        );
    }

    #[test]
    fn a_tolerance_accepts_two_rounded_decimals() {
        assert_eq!(tolerance(0.0), 0.01);
        assert!((tolerance(-2.0) - 0.1).abs() < 1e-6);
    }
}
