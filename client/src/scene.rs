//! What the overview draws for one input: the network's columns, the trace of every
//! activation, the class probabilities, and each layer's largest magnitude (for colour ranges).
//! Computed once per input, never per frame.

use models::{Layer, Network, Trace};
use ndarray::{ArrayView2, Axis, Ix1, Slice};
use shared::ColorRange;

use crate::color::{self, LayerRole};
use crate::layout::{ColumnKind, ColumnSpec};

/// One traced input, ready to draw.
#[derive(Debug, Clone)]
pub struct Scene {
    /// The overview's columns (input, every conv/activation/pool layer, output classes).
    pub columns: Vec<ColumnSpec>,
    /// Every activation.
    pub trace: Trace,
    /// Class probabilities, in class order.
    pub probabilities: Vec<f32>,
    /// Index of the most probable class.
    pub predicted: usize,
    /// Largest `|value|` of each layer's output, by layer index.
    pub max_abs: Vec<f32>,
    /// Smallest and largest value of each layer's output, by layer index (for the legends).
    pub extremes: Vec<(f32, f32)>,
    /// Smallest and largest input value.
    pub input_extremes: (f32, f32),
}

/// Hidden layers that share one colour range, with the range and their values' extremes.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorGroup {
    /// The overview columns of the group, left to right.
    pub columns: Vec<usize>,
    /// The symmetric range `±range` they are painted with.
    pub range: f32,
    /// Smallest value in the group.
    pub min: f32,
    /// Largest value in the group.
    pub max: f32,
}

fn extremes_of<'a>(values: impl IntoIterator<Item = &'a f32>) -> (f32, f32) {
    let (lo, hi) = values
        .into_iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo <= hi { (lo, hi) } else { (0.0, 0.0) }
}

/// The overview's columns for `network`: the input's channels, then every layer whose output
/// is a stack of maps, then the hidden dense layers' units (and the ReLUs between them) before
/// the last dense layer, then the classes if the network ends in a vector.
pub fn columns_of(network: &Network) -> Vec<ColumnSpec> {
    let mut columns = vec![ColumnSpec {
        kind: ColumnKind::Input,
        layer: None,
        neurons: network.input_shape()[0],
    }];
    let last_linear = crate::navigation::last_linear(network).unwrap_or(0);
    for (index, (named, shape)) in network.layers().iter().zip(network.output_shapes()).enumerate() {
        let kind = match (&named.layer, shape.len()) {
            (Layer::Conv2d(_), 3) => ColumnKind::Conv,
            (Layer::MaxPool2d(_) | Layer::AvgPool2d(_), 3) => ColumnKind::Pool,
            (_, 3) => ColumnKind::Activation,
            // Vectors before the last dense layer (its input is the class expansion's bar).
            (Layer::Linear(_), _) if index < last_linear => ColumnKind::Dense,
            (Layer::ReLU, _) if index < last_linear => ColumnKind::VectorActivation,
            _ => continue,
        };
        columns.push(ColumnSpec {
            kind,
            layer: Some(index),
            neurons: shape[0],
        });
    }
    if let Some(last) = network.output_shapes().last().filter(|s| s.len() == 1) {
        columns.push(ColumnSpec {
            kind: ColumnKind::Output,
            layer: Some(network.layers().len() - 1),
            neurons: last[0],
        });
    }
    columns
}

impl Scene {
    /// Traces `input` (`[C, H, W]` in `[0, 1]`) through `network`.
    pub fn new(network: &Network, trace: Trace) -> Self {
        // A network exported without a final Softmax ends in logits: the class bars show their
        // softmax, as PyTorch's users read them.
        let ends_in_softmax = matches!(network.layers().last().map(|l| &l.layer), Some(Layer::Softmax));
        let probabilities = if ends_in_softmax {
            trace.final_output().to_vec()
        } else {
            models::network::softmax(&trace.final_output()).to_vec()
        };
        let predicted = trace.predicted_class();
        let max_abs = trace
            .outputs
            .iter()
            .map(|o| o.iter().fold(0.0f32, |m, v| m.max(v.abs())))
            .collect();
        let extremes = trace.outputs.iter().map(|o| extremes_of(o.iter())).collect();
        let input_extremes = extremes_of(trace.input.iter());
        Self {
            columns: columns_of(network),
            trace,
            probabilities,
            predicted,
            max_abs,
            extremes,
            input_extremes,
        }
    }

    /// Map `channel` of the input (`layer == None`) or of a layer's `[C, H, W]` output; for a
    /// vector layer shown in the overview (a hidden dense layer's units), unit `channel` as a
    /// 1×1 map.
    pub fn map(&self, layer: Option<usize>, channel: usize) -> Option<ArrayView2<'_, f32>> {
        match layer {
            None => {
                (channel < self.trace.input.dim().0).then(|| self.trace.input.index_axis(Axis(0), channel))
            }
            Some(layer) => {
                let output = self.trace.outputs.get(layer)?;
                if channel >= *output.shape().first()? {
                    return None;
                }
                match output.ndim() {
                    3 => output.index_axis(Axis(0), channel).into_dimensionality().ok(),
                    1 if self.is_unit_column(layer) => {
                        let mut units = output.view().into_dimensionality::<Ix1>().ok()?;
                        units.slice_axis_inplace(Axis(0), Slice::from(channel..channel + 1));
                        Some(units.insert_axis(Axis(0)))
                    }
                    _ => None,
                }
            }
        }
    }

    /// Whether vector layer `layer` has an overview column of units (not the classes).
    pub fn is_unit_column(&self, layer: usize) -> bool {
        self.columns
            .iter()
            .any(|c| c.layer == Some(layer) && c.kind.is_vector())
    }

    /// The hidden columns as (column index, layer index, role).
    fn hidden(&self) -> Vec<(usize, usize, LayerRole)> {
        self.columns
            .iter()
            .enumerate()
            .filter_map(|(column, c)| {
                let role = match c.kind {
                    ColumnKind::Conv | ColumnKind::Dense => LayerRole::Conv,
                    ColumnKind::Activation | ColumnKind::VectorActivation => LayerRole::Activation,
                    ColumnKind::Pool => LayerRole::Pool,
                    _ => return None,
                };
                Some((column, c.layer?, role))
            })
            .collect()
    }

    /// The groups of hidden columns sharing a colour range under `mode` (what each overview
    /// legend spans), with their range and extremes.
    pub fn color_groups(&self, mode: ColorRange) -> Vec<ColorGroup> {
        let hidden = self.hidden();
        let roles: Vec<LayerRole> = hidden.iter().map(|(_, _, r)| *r).collect();
        let ranges = self.color_ranges(mode);
        color::groups(&roles, mode)
            .into_iter()
            .map(|group| {
                let members = &hidden[group];
                let (min, max) = members
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (_, l, _)| {
                        (lo.min(self.extremes[*l].0), hi.max(self.extremes[*l].1))
                    });
                ColorGroup {
                    columns: members.iter().map(|(c, _, _)| *c).collect(),
                    range: members.first().map_or(1.0, |(_, l, _)| ranges[*l]),
                    min,
                    max,
                }
            })
            .collect()
    }

    /// The symmetric colour range of each layer (by layer index) under `mode`; layers that are
    /// not drawn as maps get their own magnitude.
    pub fn color_ranges(&self, mode: ColorRange) -> Vec<f32> {
        let hidden: Vec<(usize, LayerRole)> = self.hidden().into_iter().map(|(_, l, r)| (l, r)).collect();
        let roles: Vec<LayerRole> = hidden.iter().map(|(_, r)| *r).collect();
        let max: Vec<f32> = hidden.iter().map(|(l, _)| self.max_abs[*l]).collect();
        let mut out: Vec<f32> = self
            .max_abs
            .iter()
            .map(|m| if *m > 0.0 { *m } else { 1.0 })
            .collect();
        for ((layer, _), range) in hidden.iter().zip(color::ranges(&roles, &max, mode)) {
            out[*layer] = range;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;

    fn scene() -> Scene {
        let network = models::builtin::tiny_vgg_untrained(7);
        let input = Array3::from_shape_fn((3, 64, 64), |(c, y, x)| ((c + y * 3 + x * 5) % 17) as f32 / 16.0);
        let trace = network
            .forward(&input)
            .expect("the input has the network's shape");
        Scene::new(&network, trace)
    }

    #[test]
    fn tiny_vgg_overview_has_twelve_columns() {
        let s = scene();
        assert_eq!(s.columns.len(), 12);
        assert_eq!(s.columns[0].kind, ColumnKind::Input);
        assert_eq!(s.columns[1].layer, Some(0));
        assert_eq!(s.columns[10].layer, Some(9));
        assert_eq!(s.columns[10].kind, ColumnKind::Pool);
        assert_eq!(s.columns[11].kind, ColumnKind::Output);
        assert_eq!(s.columns[11].neurons, 10);
    }

    #[test]
    fn probabilities_sum_to_one_and_predicted_is_the_largest() {
        let s = scene();
        let sum: f32 = s.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4);
        assert!(s.probabilities.iter().all(|&p| p <= s.probabilities[s.predicted]));
    }

    #[test]
    fn maps_have_the_layer_shapes() {
        let s = scene();
        assert_eq!(s.map(None, 2).expect("input channel").dim(), (64, 64));
        assert_eq!(s.map(Some(0), 9).expect("conv_1_1").dim(), (62, 62));
        assert_eq!(s.map(Some(9), 0).expect("max_pool_2").dim(), (13, 13));
        assert!(s.map(Some(0), 10).is_none());
        assert!(s.map(Some(11), 0).is_none(), "the output is a vector, not maps");
        assert!(s.map(Some(99), 0).is_none());
    }

    #[test]
    fn colour_groups_span_their_columns_with_their_extremes() {
        let s = scene();
        let groups = s.color_groups(ColorRange::Layer);
        let columns: Vec<Vec<usize>> = groups.iter().map(|g| g.columns.clone()).collect();
        assert_eq!(
            columns,
            vec![vec![1, 2], vec![3, 4, 5], vec![6, 7], vec![8, 9, 10]]
        );
        let first = &groups[0];
        let (lo0, hi0) = s.extremes[0];
        let (lo1, hi1) = s.extremes[1];
        assert_eq!((first.min, first.max), (lo0.min(lo1), hi0.max(hi1)));
        assert_eq!(first.range, s.max_abs[0].max(s.max_abs[1]));
        assert_eq!(s.color_groups(ColorRange::Network).len(), 1);
        let conv = s.trace.outputs[0].iter().copied().fold(f32::INFINITY, f32::min);
        assert_eq!(s.extremes[0].0, conv);
    }

    #[test]
    fn network_range_covers_every_hidden_map() {
        let s = scene();
        let ranges = s.color_ranges(ColorRange::Network);
        let largest = s.max_abs[..10].iter().copied().fold(0.0f32, f32::max);
        assert!(ranges[..10].iter().all(|&r| r == largest));
    }

    #[test]
    fn a_wide_network_shows_its_64_channels_and_hidden_units() {
        let network = crate::test_networks::wide();
        let columns = columns_of(&network);
        let kinds: Vec<(ColumnKind, usize)> = columns.iter().map(|c| (c.kind, c.neurons)).collect();
        use ColumnKind::*;
        assert_eq!(
            kinds,
            vec![
                (Input, 3),
                (Conv, 64),
                (Activation, 64),
                (Pool, 64),
                (Conv, 64),
                (Activation, 64),
                (Pool, 64),
                (Dense, 32),
                (VectorActivation, 32),
                (Output, 5)
            ]
        );
        let input = Array3::from_shape_fn((3, 32, 32), |(c, y, x)| ((c + y + x) % 5) as f32 / 4.0);
        let scene = Scene::new(&network, network.forward(&input).unwrap());
        let unit = scene.map(Some(8), 31).expect("a hidden unit is a 1×1 map");
        assert_eq!(unit.dim(), (1, 1));
        assert_eq!(unit[(0, 0)], scene.trace.outputs[8][[31]]);
        assert!(scene.map(Some(8), 32).is_none());
        assert!(scene.map(Some(6), 0).is_none(), "flatten is not a column");
        assert!(scene.map(Some(9), 0).is_none(), "the logits are the classes");
    }

    #[test]
    fn a_greyscale_network_has_one_input_channel_painted_grey() {
        let network = crate::test_networks::fixture("grey");
        let columns = columns_of(&network);
        assert_eq!((columns[0].kind, columns[0].neurons), (ColumnKind::Input, 1));
        assert_eq!(
            columns.last().map(|c| c.neurons),
            Some(4),
            "circle, square, cross, line"
        );
        let input = Array3::from_shape_fn((1, 28, 28), |(_, y, x)| ((y * x) % 7) as f32 / 6.0);
        let scene = Scene::new(&network, network.forward(&input).unwrap());
        let set = crate::heatmap_set::HeatmapSet::paint(&scene, ColorRange::Layer);
        assert_eq!(set.input.len(), 1);
        assert!(
            set.input[0].rgba.chunks(4).all(|p| p[0] == p[1] && p[1] == p[2]),
            "grey, not red"
        );
    }

    #[test]
    fn a_network_ending_in_logits_shows_their_softmax() {
        let mut network = crate::test_networks::fixture("grey");
        let mut layers = network.layers().to_vec();
        layers.pop();
        let classes = network.class_names().to_vec();
        network = Network::new(network.input_shape(), layers, classes).unwrap();
        let input = Array3::from_elem((1, 28, 28), 0.5);
        let trace = network.forward(&input).unwrap();
        let logits = trace.final_output();
        let scene = Scene::new(&network, trace);
        let sum: f32 = scene.probabilities.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{sum}");
        assert!(scene.probabilities.iter().all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(
            scene.predicted,
            logits
                .iter()
                .enumerate()
                .fold(0, |b, (i, v)| if *v > logits[b] { i } else { b })
        );
    }
}
