//! Every map of the overview painted once per input and colour-range mode, shared by the
//! overview and the explanation views (which reuse the same pictures, so nothing repaints per
//! animation frame).

use shared::ColorRange;

use crate::heatmap::{self, MapScale, Pixels};
use crate::scene::Scene;

/// Painted maps: the input channels and each `[C, H, W]` layer's channels.
#[derive(Debug, Clone)]
pub struct HeatmapSet {
    /// One per input channel.
    pub input: Vec<Pixels>,
    /// `layers[i]` holds layer `i`'s channels, or nothing for vector layers.
    pub layers: Vec<Vec<Pixels>>,
    /// The symmetric colour range each layer was painted with.
    pub ranges: Vec<f32>,
}

impl PartialEq for HeatmapSet {
    fn eq(&self, other: &Self) -> bool {
        self.input == other.input && self.layers == other.layers
    }
}

impl HeatmapSet {
    /// Paints every map of `scene` with the ranges of `mode`.
    pub fn paint(scene: &Scene, mode: ColorRange) -> Self {
        let ranges = scene.color_ranges(mode);
        let channels = |layer: Option<usize>| -> Vec<Pixels> {
            (0..)
                .map_while(|c| scene.map(layer, c).map(|m| (c, m)))
                .map(|(c, map)| {
                    let scale = match layer {
                        None => MapScale::Input(c),
                        Some(l) => MapScale::Diverging(ranges[l]),
                    };
                    heatmap::paint(map, scale)
                })
                .collect()
        };
        Self {
            input: channels(None),
            layers: (0..scene.trace.outputs.len())
                .map(|l| channels(Some(l)))
                .collect(),
            ranges,
        }
    }

    /// Map `channel` of the input (`None`) or of a layer.
    pub fn get(&self, layer: Option<usize>, channel: usize) -> Option<&Pixels> {
        match layer {
            None => self.input.get(channel),
            Some(l) => self.layers.get(l)?.get(channel),
        }
    }
}
