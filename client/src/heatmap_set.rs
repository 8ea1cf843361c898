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
                        // A greyscale network's one channel is grey, not red.
                        None if scene.trace.input.dim().0 == 1 => MapScale::Input(usize::MAX),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color;
    use crate::model;

    /// Every shipped sample's scene.
    fn scenes() -> Vec<Scene> {
        (0..models::samples::SAMPLES.len())
            .map(|i| {
                let image = crate::samples::image(i).expect("a shipped sample");
                Scene::new(model::network(), model::trace(&image).expect("traces"))
            })
            .collect()
    }

    /// The ReLU and pooling maps under the default colour range are visibly coloured: of the maps
    /// that are not all zero (silent neurons, marked as such), fewer than one in six has under 2 %
    /// of its pixels at a contrast of 1.3:1 or more against zero's white. With the former linear
    /// scale 807 of the 1,060 such maps of the shipped samples were that blank.
    #[test]
    fn relu_and_pool_maps_are_visibly_coloured_by_default() {
        let zero = color::diverging(0.0, 1.0);
        let (mut maps, mut blank) = (0, 0);
        for scene in scenes() {
            let set = HeatmapSet::paint(&scene, ColorRange::default());
            for (layer, named) in model::network().layers().iter().enumerate() {
                if !matches!(named.layer, models::Layer::ReLU | models::Layer::MaxPool2d(_)) {
                    continue;
                }
                for (channel, pixels) in set.layers[layer].iter().enumerate() {
                    let map = scene.map(Some(layer), channel).expect("a map");
                    if map.iter().all(|v| *v == 0.0) {
                        continue;
                    }
                    maps += 1;
                    let visible = pixels
                        .rgba
                        .chunks(4)
                        .filter(|p| color::contrast_ratio([p[0], p[1], p[2]], zero) >= 1.3)
                        .count();
                    if visible * 50 < pixels.width * pixels.height {
                        blank += 1;
                    }
                }
            }
        }
        assert!(maps > 500, "only {maps} maps measured");
        assert!(
            blank * 6 < maps,
            "{blank} of {maps} ReLU and pooling maps look blank"
        );
    }

    /// The input channels are not dark: their mean luminance on the shipped samples is more than
    /// twice what the pure channel colours gave (0.099).
    #[test]
    fn input_channels_are_not_dark() {
        let (mut sum, mut count) = (0.0f64, 0usize);
        for scene in scenes() {
            let set = HeatmapSet::paint(&scene, ColorRange::default());
            for pixels in &set.input {
                for p in pixels.rgba.chunks(4) {
                    // Relative luminance from the contrast ratio against black.
                    let ratio = color::contrast_ratio([p[0], p[1], p[2]], [0, 0, 0]);
                    sum += f64::from(ratio) * 0.05 - 0.05;
                    count += 1;
                }
            }
        }
        let mean = sum / count as f64;
        assert!(mean > 0.2, "mean luminance of the input channels {mean:.3}");
    }
}
