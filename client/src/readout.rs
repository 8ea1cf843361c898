//! The read-out pill: what is under the pointer or keyboard focus in the overview. The overview
//! reports *where* (a neuron and a pixel); the text is made from the current trace at every
//! render, so it can never show a value of a previous picture, and it is shown only while the
//! overview is.

use crate::format;
use crate::layout::{Cell, ColumnKind};
use crate::model;
use crate::scene::Scene;

/// A place in the overview: a neuron, and the map pixel under the pointer if known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pointed {
    /// The neuron (column and row of the overview).
    pub cell: Cell,
    /// The `(y, x)` map pixel under the pointer; `None` for keyboard focus or a class.
    pub pixel: Option<(usize, usize)>,
}

/// The read-out text for `pointed` in `scene`, e.g. `conv_1_1 neuron 3, pixel (4, 7): −0.2092`.
pub fn describe(scene: &Scene, pointed: Pointed) -> Option<String> {
    let Pointed { cell, pixel } = pointed;
    let spec = scene.columns.get(cell.column)?;
    if spec.kind == ColumnKind::Output {
        let class = model::network().class_names().get(cell.row)?.clone();
        let p = scene.probabilities.get(cell.row)?;
        return Some(format!("{class}: probability {}", format::percent(*p)));
    }
    let neuron = neuron_name(spec.kind, spec.layer, cell.row);
    let map = scene.map(spec.layer, cell.row)?;
    if spec.layer.is_some_and(|layer| scene.is_unit_column(layer)) {
        return Some(format!("{neuron}: {}", format::value(*map.get((0, 0))?)));
    }
    Some(match pixel {
        Some((y, x)) => {
            let value = map.get((y, x))?;
            format!("{neuron}, pixel ({y}, {x}): {}", format::value(*value))
        }
        None => neuron,
    })
}

/// "red channel" for an input column's row, "conv_1_1 neuron 3" for a layer's.
pub fn neuron_name(kind: ColumnKind, layer: Option<usize>, row: usize) -> String {
    if kind == ColumnKind::Input {
        format!("{} channel", model::input_channel_name(row))
    } else {
        format!("{} neuron {row}", model::layer_name(layer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scene_of(sample: usize) -> Scene {
        let image = crate::samples::image(sample).expect("a shipped sample");
        Scene::new(model::network(), model::trace(&image).expect("traces"))
    }

    #[test]
    fn the_text_follows_the_current_picture_not_the_one_pointed_at_first() {
        let pointed = Pointed {
            cell: Cell { column: 1, row: 3 },
            pixel: Some((4, 7)),
        };
        for sample in [0, 5] {
            let scene = scene_of(sample);
            let value = scene.trace.outputs[0][[3, 4, 7]];
            assert_eq!(
                describe(&scene, pointed).as_deref(),
                Some(format!("conv_1_1 neuron 3, pixel (4, 7): {}", format::value(value)).as_str())
            );
        }
    }

    #[test]
    fn inputs_classes_and_places_off_the_map() {
        let scene = scene_of(0);
        let input = Pointed {
            cell: Cell { column: 0, row: 2 },
            pixel: None,
        };
        assert_eq!(describe(&scene, input).as_deref(), Some("blue channel"));
        let class = Pointed {
            cell: Cell { column: 11, row: 1 },
            pixel: None,
        };
        assert!(describe(&scene, class).is_some_and(|t| t.starts_with("Trouser: probability ")));
        let outside = Pointed {
            cell: Cell { column: 1, row: 0 },
            pixel: Some((99, 0)),
        };
        assert_eq!(describe(&scene, outside), None);
        let no_column = Pointed {
            cell: Cell { column: 40, row: 0 },
            pixel: None,
        };
        assert_eq!(describe(&scene, no_column), None);
    }
}
