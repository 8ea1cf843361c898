//! The overview re-laid out in place around what is being explained (the paper's "elastic
//! explanation view"), so the network never leaves the screen:
//!
//! - around a conv neuron, an intermediate column opens between the layer it reads and its own
//!   column: one map per input channel (that channel convolved with its own kernel), a kernel
//!   glyph beside each input, a "+" with the bias, and the later layers squeezed to the side;
//! - around a class, the last maps slide left, the earlier ones squeeze, and the flattened
//!   vector, its weighted edges into the class's logit and (opened) softmax appear.
//!
//! Pure geometry over a base [`Layout`], tested natively; the overview moves its tiles from
//! one layout to the other with CSS transitions, so Back plays the same movement in reverse.

use models::Network;
use shared::Focus;

use crate::layout::{Cell, ColumnKind, ColumnSpec, Layout, Rect};
use crate::navigation::{self, Screen};
use crate::shared_ref::Shared;

/// Where the network is on the screen for a focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The whole main area, opened around an expansion or not.
    Full(Option<Expansion>),
    /// A band above an arithmetic view, opened around what the arithmetic explains, so the
    /// network stays in view while the numbers are read.
    Band(Expansion),
    /// Not shown (the ReLU, pooling and playground views have the page to themselves).
    Hidden,
}

/// Where `focus` puts the network whose overview has `columns`.
pub fn stage(network: &Network, columns: &[ColumnSpec], focus: &Focus) -> Stage {
    let conv = || {
        let column = columns
            .iter()
            .position(|c| c.layer == Some(usize::from(focus.layer)))?;
        let row = usize::from(focus.neuron).min(columns[column].neurons.checked_sub(1)?);
        Some(Expansion::Conv(Cell { column, row }))
    };
    let class = |softmax: bool| {
        let classes = columns.last().filter(|c| c.kind == ColumnKind::Output)?.neurons;
        let class = usize::from(focus.neuron).min(classes.checked_sub(1)?);
        Some(Expansion::Class { class, softmax })
    };
    let last_linear = navigation::last_linear(network) == Some(usize::from(focus.layer));
    let band = |expansion: Option<Expansion>| expansion.map_or(Stage::Hidden, Stage::Band);
    match navigation::screen(network, focus) {
        Screen::Overview => Stage::Full(None),
        Screen::ConvInContext => Stage::Full(conv()),
        Screen::ClassInContext => Stage::Full(class(false)),
        Screen::Conv => band(conv()),
        Screen::Flatten if last_linear => band(class(false)),
        Screen::Softmax => band(class(true)),
        Screen::Flatten | Screen::Relu | Screen::Pool | Screen::Playground => Stage::Hidden,
    }
}

/// What the overview opens around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expansion {
    /// A conv neuron: its overview column and row.
    Conv(Cell),
    /// A class: the flattened vector and the dense layer's edges into it; with `softmax`, the
    /// logits of every class and the softmax between them and the probabilities.
    Class {
        /// The class (row of the output column).
        class: usize,
        /// Whether softmax is opened.
        softmax: bool,
    },
}

/// The pieces a conv expansion adds.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvParts {
    /// The column the conv reads (its input layer).
    pub source: usize,
    /// The neuron explained.
    pub target: Cell,
    /// A kernel glyph beside each source tile (one per input channel).
    pub kernels: Vec<Rect>,
    /// The intermediate maps, one per input channel, level with its source tile.
    pub intermediate: Vec<Rect>,
    /// The "+" that adds the intermediate maps.
    pub plus: Rect,
    /// The bias, hanging under the "+".
    pub bias: Rect,
}

/// The pieces a class expansion adds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassParts {
    /// The column that is flattened (the last maps).
    pub source: usize,
    /// The output column.
    pub output: usize,
    /// The flattened vector, a thin bar as tall as the source column.
    pub bar: Rect,
    /// A logit circle per class, level with its class row.
    pub logits: Vec<Rect>,
    /// The softmax symbol between the logits and the probabilities.
    pub softmax: Rect,
    /// Whether softmax is opened (every class's logit, edges through the symbol).
    pub softmax_open: bool,
}

/// What an expansion adds.
#[derive(Debug, Clone, PartialEq)]
pub enum Parts {
    /// Around a conv neuron.
    Conv(Shared<ConvParts>),
    /// Around a class.
    Class(Shared<ClassParts>),
}

/// The overview opened around an expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct Elastic {
    /// The same columns and tiles as the base layout, moved (shared: a prop of the added parts,
    /// compared by identity on every render of a playing animation).
    pub layout: Shared<Layout>,
    /// Columns squeezed to the side (drawn faded, their labels hidden).
    pub squeezed: Vec<bool>,
    /// The added pieces.
    pub parts: Parts,
}

/// Gaps and sizes of the added pieces, in tiles.
const KERNEL_GAP: f32 = 0.2;
const KERNEL: f32 = 0.5;
const TO_INTERMEDIATE: f32 = 0.9;
const TO_PLUS: f32 = 1.0;
const PLUS: f32 = 0.6;
const BIAS: f32 = 0.36;
const TO_TARGET: f32 = 1.0;
const TO_STRIP: f32 = 1.2;
/// Squeezed columns overlap: each starts this far after the previous.
const STRIP_PITCH: f32 = 0.4;
const TO_BAR: f32 = 0.8;
const BAR: f32 = 0.3;
/// Room for the fan of weighted edges from the flattened vector into the logits.
const FAN: f32 = 4.0;
const LOGIT: f32 = 0.5;
const TO_SOFTMAX: f32 = 0.9;
const SOFTMAX: f32 = 0.9;
/// The softmax symbol is this many times taller than wide (its name reads downwards).
const SOFTMAX_TALL: f32 = 2.8;
/// Columns squeezed to make room keep at least this share of their spacing.
const MIN_SQUEEZE: f32 = 0.25;

/// `base` opened around `expansion`, or `None` if the expansion names no such neuron (a conv
/// that reads nothing, a class in a network without classes).
pub fn open(base: &Layout, expansion: Expansion) -> Option<Elastic> {
    match expansion {
        Expansion::Conv(cell) => conv(base, cell),
        Expansion::Class { class, softmax } => class_parts(base, class, softmax),
    }
}

/// Moves column `column` of `layout` to `x` (its tiles with it), and sets its width.
fn place(layout: &mut Layout, column: usize, x: f32, width: f32) {
    let placed = &mut layout.columns[column];
    placed.x = x;
    placed.width = width;
    for tile in &mut placed.tiles {
        tile.x = x;
        tile.width = width;
    }
}

/// Squeezes columns `0..=last` towards the first one's left edge by `factor` of their spacing.
fn squeeze_left(layout: &mut Layout, last: usize, factor: f32) {
    let x0 = layout.columns[0].x;
    for column in 0..=last {
        let width = layout.columns[column].width;
        let x = x0 + (layout.columns[column].x - x0) * factor;
        place(layout, column, x, width);
    }
}

fn conv(base: &Layout, target: Cell) -> Option<Elastic> {
    let spec = base.columns.get(target.column)?.spec;
    if spec.kind != ColumnKind::Conv || target.column == 0 || target.row >= spec.neurons {
        return None;
    }
    let t = base.tile;
    let source = target.column - 1;
    let later = target.column + 1..base.columns.len();
    let output_width = later
        .clone()
        .find(|&c| base.columns[c].spec.kind == ColumnKind::Output)
        .map_or(0.0, |c| base.columns[c].width);
    let strip_columns = later.len() as f32;
    // From the source column's right edge to the end of the strip.
    let right = KERNEL_GAP + KERNEL + TO_INTERMEDIATE + 1.0 + TO_PLUS + PLUS + TO_TARGET + 1.0 + TO_STRIP;
    let needed = right * t + strip_columns * STRIP_PITCH * t + output_width;
    let mut layout = base.clone();
    let x0 = base.columns[0].x;
    let source_right = base.columns[source].x + base.columns[source].width;
    let room = base.width - x0 - needed - base.columns[source].width;
    let spread = base.columns[source].x - x0;
    if source_right + needed > base.width && spread > 0.0 {
        squeeze_left(&mut layout, source, (room / spread).clamp(MIN_SQUEEZE, 1.0));
    }
    let source_rect = &layout.columns[source];
    let mut x = source_rect.x + source_rect.width + KERNEL_GAP * t;
    let kernels = source_rect
        .tiles
        .iter()
        .map(|tile| Rect {
            x,
            y: tile.y + (tile.height - KERNEL * t) / 2.0,
            width: KERNEL * t,
            height: KERNEL * t,
        })
        .collect();
    x += (KERNEL + TO_INTERMEDIATE) * t;
    let intermediate = source_rect
        .tiles
        .iter()
        .map(|tile| Rect {
            x,
            width: t,
            height: t,
            ..*tile
        })
        .collect();
    x += (1.0 + TO_PLUS) * t;
    let target_tile = base.columns[target.column].tiles[target.row];
    let plus = Rect {
        x,
        y: target_tile.y + (t - PLUS * t) / 2.0,
        width: PLUS * t,
        height: PLUS * t,
    };
    let bias = Rect {
        x: plus.x + (PLUS - BIAS) * t / 2.0,
        y: plus.y + plus.height + 0.35 * t,
        width: BIAS * t,
        height: BIAS * t,
    };
    x += (PLUS + TO_TARGET) * t;
    place(&mut layout, target.column, x, t);
    x += (1.0 + TO_STRIP) * t;
    let mut squeezed = vec![false; base.columns.len()];
    for column in later {
        squeezed[column] = true;
        let width = base.columns[column].width;
        if base.columns[column].spec.kind == ColumnKind::Output {
            // The classes keep their place at the right if the strip leaves it free.
            let at = base.columns[column].x.max(x);
            place(&mut layout, column, at, width);
        } else {
            place(&mut layout, column, x, width);
            x += STRIP_PITCH * t;
        }
    }
    layout.width = layout
        .columns
        .iter()
        .map(|c| c.x + c.width)
        .fold(base.width, f32::max);
    Some(Elastic {
        layout: Shared::new(layout),
        squeezed,
        parts: Parts::Conv(Shared::new(ConvParts {
            source,
            target,
            kernels,
            intermediate,
            plus,
            bias,
        })),
    })
}

fn class_parts(base: &Layout, class: usize, softmax: bool) -> Option<Elastic> {
    let output = base.columns.len().checked_sub(1)?;
    let out = &base.columns[output];
    if out.spec.kind != ColumnKind::Output || output == 0 || class >= out.spec.neurons {
        return None;
    }
    let t = base.tile;
    let source = output - 1;
    // From the source's left edge to the output column, right to left.
    let softmax_room = (TO_SOFTMAX + SOFTMAX + TO_SOFTMAX) * t;
    let logit_x = out.x - softmax_room - LOGIT * t;
    let bar_x = logit_x - FAN * t - BAR * t;
    let source_x = bar_x - TO_BAR * t - base.columns[source].width;
    let mut layout = base.clone();
    let x0 = base.columns[0].x;
    let spread = base.columns[source].x - x0;
    if source > 0 && spread > 0.0 {
        // The columns before slide left and squeeze (or keep their spacing if there is room).
        let factor = ((source_x - x0) / spread).clamp(MIN_SQUEEZE, 1.0);
        squeeze_left(&mut layout, source - 1, factor);
        let previous = &layout.columns[source - 1];
        let after_previous = previous.x + previous.width + 0.5 * t;
        let width = base.columns[source].width;
        place(&mut layout, source, source_x.max(after_previous), width);
    } else {
        let width = base.columns[source].width;
        place(&mut layout, source, source_x.max(x0), width);
    }
    let tiles = &layout.columns[source].tiles;
    let (top, bottom) = (tiles.first()?.y, tiles.last().map(|r| r.y + r.height)?);
    let placed_source = &layout.columns[source];
    let bar = Rect {
        x: placed_source.x + placed_source.width + TO_BAR * t,
        y: top,
        width: BAR * t,
        height: bottom - top,
    };
    let logit_x = logit_x.max(bar.x + bar.width + 2.0 * t);
    let logits = out
        .tiles
        .iter()
        .map(|row| Rect {
            x: logit_x,
            y: row.y + (row.height - LOGIT * t) / 2.0,
            width: LOGIT * t,
            height: LOGIT * t,
        })
        .collect();
    let (first, last) = (out.tiles[0], out.tiles[out.tiles.len() - 1]);
    let softmax_rect = Rect {
        x: logit_x + (LOGIT + TO_SOFTMAX) * t,
        y: (first.y + last.y + last.height) / 2.0 - SOFTMAX_TALL * SOFTMAX * t / 2.0,
        width: SOFTMAX * t,
        height: SOFTMAX_TALL * SOFTMAX * t,
    };
    let mut squeezed = vec![false; base.columns.len()];
    for flag in squeezed.iter_mut().take(source) {
        *flag = layout.columns.len() > 2 && spread > 0.0 && source_x < base.columns[source].x;
    }
    Some(Elastic {
        layout: Shared::new(layout),
        squeezed,
        parts: Parts::Class(Shared::new(ClassParts {
            source,
            output,
            bar,
            logits,
            softmax: softmax_rect,
            softmax_open: softmax,
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::tests::tiny_vgg;
    use crate::layout::{Margins, compute};

    fn base(width: f32, height: f32) -> Layout {
        compute(&tiny_vgg(), width, height, Margins::for_font(16.0, true))
    }

    fn right(r: &Rect) -> f32 {
        r.x + r.width
    }

    #[test]
    fn a_conv_neuron_opens_an_intermediate_column_between_its_input_and_itself() {
        for (w, h) in [(1240.0, 540.0), (1880.0, 900.0)] {
            let base = base(w, h);
            for column in [1, 3, 6, 8] {
                let target = Cell { column, row: 3 };
                let elastic = open(&base, Expansion::Conv(target)).expect("a conv neuron");
                let Parts::Conv(parts) = &elastic.parts else {
                    panic!("conv parts")
                };
                let source = &elastic.layout.columns[column - 1];
                assert_eq!(
                    parts.intermediate.len(),
                    source.tiles.len(),
                    "one map per input channel"
                );
                assert_eq!(parts.kernels.len(), source.tiles.len());
                for ((input, kernel), map) in source.tiles.iter().zip(&parts.kernels).zip(&parts.intermediate)
                {
                    assert!(
                        right(input) <= kernel.x && right(kernel) < map.x,
                        "input, kernel, map in order"
                    );
                    assert!(
                        (input.y - map.y).abs() < 0.01,
                        "each map level with its input channel"
                    );
                }
                let target_tile = elastic.layout.columns[column].tiles[3];
                assert!(right(&parts.intermediate[0]) < parts.plus.x && right(&parts.plus) < target_tile.x);
                assert!(
                    parts.bias.y > parts.plus.y + parts.plus.height,
                    "the bias hangs under the +"
                );
                // The input layer stays where it was when there is room; the later layers are
                // squeezed to the right of the neuron, inside the overview.
                if column <= 3 {
                    assert_eq!(
                        source.x,
                        base.columns[column - 1].x,
                        "{w}: the previous layer stays put"
                    );
                }
                assert!(elastic.squeezed[column + 1..].iter().all(|s| *s));
                assert!(!elastic.squeezed[..=column].iter().any(|s| *s));
                for later in &elastic.layout.columns[column + 1..] {
                    assert!(later.x > right(&target_tile));
                }
                assert!(
                    elastic.layout.width <= w + 0.5,
                    "{w}, column {column}: {}",
                    elastic.layout.width
                );
                // Nothing before the neuron overlaps.
                for pair in elastic.layout.columns[..=column].windows(2) {
                    assert!(pair[0].x < pair[1].x);
                }
            }
        }
    }

    #[test]
    fn only_conv_neurons_open_an_intermediate_column() {
        let base = base(1240.0, 540.0);
        assert!(
            open(&base, Expansion::Conv(Cell { column: 2, row: 0 })).is_none(),
            "a ReLU"
        );
        assert!(
            open(&base, Expansion::Conv(Cell { column: 1, row: 10 })).is_none(),
            "no such row"
        );
        assert!(open(&base, Expansion::Conv(Cell { column: 40, row: 0 })).is_none());
    }

    #[test]
    fn a_class_opens_the_flattened_vector_and_its_logits_between_the_last_maps_and_the_classes() {
        for (w, h) in [(1240.0, 540.0), (1880.0, 900.0), (350.0, 520.0)] {
            let base = base(w, h);
            for softmax in [false, true] {
                let elastic = open(&base, Expansion::Class { class: 4, softmax }).expect("a class");
                let Parts::Class(parts) = &elastic.parts else {
                    panic!("class parts")
                };
                let source = &elastic.layout.columns[parts.source];
                let output = &elastic.layout.columns[parts.output];
                assert_eq!(output.x, base.columns[parts.output].x, "the classes stay put");
                assert!(source.x + source.width < parts.bar.x, "{w}");
                assert!(
                    right(&parts.bar) + 1.5 * base.tile < parts.logits[0].x,
                    "room for the edges"
                );
                assert_eq!(parts.logits.len(), 10);
                for (logit, row) in parts.logits.iter().zip(&output.tiles) {
                    assert!(right(logit) < row.x);
                    assert!((logit.y + logit.height / 2.0 - (row.y + row.height / 2.0)).abs() < 0.01);
                }
                assert_eq!(parts.softmax_open, softmax);
                assert!(right(&parts.logits[0]) < parts.softmax.x && right(&parts.softmax) < output.x);
                // The columns before keep their order (squeezed, never reversed).
                for pair in elastic.layout.columns[..=parts.source].windows(2) {
                    assert!(pair[0].x < pair[1].x, "{w}: {pair:?}");
                }
            }
        }
    }

    #[test]
    fn a_wide_network_opens_around_a_conv_neuron_and_a_class() {
        let columns = crate::scene::columns_of(&crate::test_networks::wide());
        let base = compute(&columns, 1240.0, 540.0, Margins::for_font(16.0, true));
        let elastic = open(&base, Expansion::Conv(Cell { column: 4, row: 63 })).expect("a conv neuron");
        let Parts::Conv(parts) = &elastic.parts else {
            panic!("conv parts")
        };
        assert_eq!(parts.intermediate.len(), 64, "one map per input channel");
        let elastic = open(
            &base,
            Expansion::Class {
                class: 4,
                softmax: true,
            },
        )
        .expect("a class");
        let Parts::Class(parts) = &elastic.parts else {
            panic!("class parts")
        };
        assert_eq!(parts.logits.len(), 5);
        assert_eq!(
            parts.source, 8,
            "the ReLU of the hidden dense layer feeds the classes"
        );
        for pair in elastic.layout.columns[..=parts.source].windows(2) {
            assert!(pair[0].x < pair[1].x, "{pair:?}");
        }
    }
}
