//! Colour scales: a diverging purple–orange map centred on zero for hidden layers and weights
//! (ColorBrewer PuOr, readable with red–green colour blindness), a per-channel tint for the
//! input, and the symmetric ranges of the three colour-range modes.

use shared::ColorRange;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// ColorBrewer PuOr (11 classes), from most negative (orange-brown) through white to most
/// positive (deep purple).
const DIVERGING: [Rgb; 11] = [
    [0x7f, 0x3b, 0x08],
    [0xb3, 0x58, 0x06],
    [0xe0, 0x82, 0x14],
    [0xfd, 0xb8, 0x63],
    [0xfe, 0xe0, 0xb6],
    [0xf7, 0xf7, 0xf7],
    [0xd8, 0xda, 0xeb],
    [0xb2, 0xab, 0xd2],
    [0x80, 0x73, 0xac],
    [0x54, 0x27, 0x88],
    [0x2d, 0x00, 0x4b],
];

/// The colour of `value` on the diverging scale spanning `[-range, range]` (clamped), on a
/// square-root scale: a value a tenth of the range away from zero already gets a third of the
/// colour. With a linear scale most ReLU and pooling maps looked blank (measured on the shipped
/// samples: 76 % of the maps that are not all zero had fewer than 2 % of their pixels visibly
/// coloured, against 12 % now), because a few large values set the range. The legends draw
/// this same scale, so a colour still reads back as its number.
pub fn diverging(value: f32, range: f32) -> Rgb {
    let t = if range > 0.0 && value.is_finite() {
        let linear = (value / range).clamp(-1.0, 1.0);
        (linear.signum() * linear.abs().sqrt() + 1.0) / 2.0
    } else {
        0.5
    };
    let scaled = t * (DIVERGING.len() - 1) as f32;
    let low = (scaled.floor() as usize).min(DIVERGING.len() - 2);
    let frac = scaled - low as f32;
    let (a, b) = (DIVERGING[low], DIVERGING[low + 1]);
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * frac).round() as u8)
}

/// The WCAG contrast ratio of two colours (1 to 21); the tests measure visibility with it.
#[cfg(test)]
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f32 {
    let luminance = |c: Rgb| {
        let channel = |v: u8| {
            let s = f32::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Whether text drawn over `color` should be light (for contrast).
pub fn needs_light_text(color: Rgb) -> bool {
    let [r, g, b] = color.map(f32::from);
    0.299 * r + 0.587 * g + 0.114 * b < 140.0
}

/// The middle colour of each input channel's ramp: a red, a green and a blue of similar
/// lightness, so no channel looks darker than the others.
const CHANNEL_HUES: [Rgb; 3] = [[0xd6, 0x27, 0x28], [0x2c, 0x9a, 0x2c], [0x2f, 0x6f, 0xe0]];

/// The colour of an input value in `[0, 1]` for input channel `channel`: black at 0, the
/// channel's colour at ½, and a pale tint of it at 1, so a bright background reads as bright
/// (the pure channel colour at 1 made a white picture look dark red, green and navy) and the
/// three columns still read as the image's red, green and blue channels. Other channels are grey.
pub fn input_tint(value: f32, channel: usize) -> Rgb {
    let t = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let Some(&hue) = CHANNEL_HUES.get(channel) else {
        return [(t * 255.0).round() as u8; 3];
    };
    let pale = hue.map(|c| mix(c, 255, 0.82));
    if t <= 0.5 {
        hue.map(|c| mix(0, c, t * 2.0))
    } else {
        [0, 1, 2].map(|i| mix(hue[i], pale[i], (t - 0.5) * 2.0))
    }
}

/// `a` → `b` at fraction `t`.
fn mix(a: u8, b: u8, t: f32) -> u8 {
    (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8
}

/// `#rrggbb` for CSS.
pub fn css(color: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", color[0], color[1], color[2])
}

/// Stops sampled along a legend's bar (enough that a non-linear scale looks smooth).
const GRADIENT_STOPS: usize = 24;

/// CSS `linear-gradient` of the diverging scale over `[-range, range]`, left to right, sampled
/// from [`diverging`] itself so the legend is exactly the maps' colours.
pub fn diverging_gradient(range: f32) -> String {
    gradient(|t| diverging((2.0 * t - 1.0) * range, range))
}

/// CSS `linear-gradient` of input channel `channel` over `[0, 1]`.
pub fn input_gradient(channel: usize) -> String {
    gradient(|t| input_tint(t, channel))
}

fn gradient(color_at: impl Fn(f32) -> Rgb) -> String {
    let stops: Vec<String> = (0..=GRADIENT_STOPS)
        .map(|i| css(color_at(i as f32 / GRADIENT_STOPS as f32)))
        .collect();
    format!("linear-gradient(to right,{})", stops.join(","))
}

/// What a hidden layer is, as far as colour ranges care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerRole {
    /// A convolution: starts a new per-layer range.
    Conv,
    /// An element-wise activation: shares the range of the conv before it.
    Activation,
    /// A pooling layer: shares the range of the conv before it and ends a block.
    Pool,
}

/// The hidden layers that share one colour range under `mode`, as index ranges into `roles`:
/// per layer, each conv with the activations and pooling after it (which never exceed it in
/// magnitude); per block, everything up to and including a pooling layer; whole network, one.
pub fn groups(roles: &[LayerRole], mode: ColorRange) -> Vec<std::ops::Range<usize>> {
    let starts_group = |i: usize| match mode {
        ColorRange::Layer => roles[i] == LayerRole::Conv,
        ColorRange::Block => i > 0 && roles[i - 1] == LayerRole::Pool,
        ColorRange::Network => false,
    };
    let mut out = Vec::new();
    let mut start = 0;
    for end in 1..=roles.len() {
        if end == roles.len() || starts_group(end) {
            out.push(start..end);
            start = end;
        }
    }
    out
}

/// The symmetric colour range (`±range`) of each hidden layer under `mode`.
///
/// `max_abs[i]` is the largest `|activation|` of layer `i`; a group of [`groups`] shares the
/// largest of its layers. A range is never zero, so an all-zero map still draws (as white).
pub fn ranges(roles: &[LayerRole], max_abs: &[f32], mode: ColorRange) -> Vec<f32> {
    let mut out = vec![0.0f32; roles.len()];
    for group in groups(roles, mode) {
        let group_max = max_abs[group.clone()].iter().copied().fold(0.0f32, f32::max);
        let range = if group_max > 0.0 { group_max } else { 1.0 };
        out[group].fill(range);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_is_white_at_zero_and_saturates() {
        assert_eq!(diverging(0.0, 2.0), [0xf7, 0xf7, 0xf7]);
        assert_eq!(diverging(-2.0, 2.0), DIVERGING[0]);
        assert_eq!(diverging(50.0, 2.0), DIVERGING[10]);
        assert_eq!(diverging(f32::NAN, 2.0), [0xf7, 0xf7, 0xf7]);
        assert_eq!(diverging(1.0, 0.0), [0xf7, 0xf7, 0xf7]);
    }

    #[test]
    fn a_tenth_of_the_range_is_already_visibly_coloured() {
        let zero = diverging(0.0, 5.0);
        for value in [0.5, -0.5] {
            let ratio = contrast_ratio(diverging(value, 5.0), zero);
            assert!(ratio >= 1.3, "{value} of ±5 has contrast {ratio} against zero");
        }
        // Still monotonic: larger magnitudes are darker.
        let darker = |a: f32, b: f32| {
            contrast_ratio(diverging(a, 1.0), zero) < contrast_ratio(diverging(b, 1.0), zero)
        };
        assert!(darker(0.1, 0.4) && darker(0.4, 0.9) && darker(-0.1, -0.6));
    }

    #[test]
    fn diverging_sides_differ_in_hue_not_only_lightness() {
        let neg = diverging(-1.0, 1.0);
        let pos = diverging(1.0, 1.0);
        // Orange side is red-dominant, purple side blue-dominant.
        assert!(neg[0] > neg[2]);
        assert!(pos[2] > pos[0]);
    }

    #[test]
    fn input_tint_runs_from_black_through_the_channel_colour_to_a_pale_tint() {
        assert_eq!(input_tint(0.0, 0), [0, 0, 0]);
        assert_eq!(input_tint(0.5, 0), CHANNEL_HUES[0]);
        assert_eq!(input_tint(0.5, 2), CHANNEL_HUES[2]);
        assert_eq!(input_tint(2.0, 1), input_tint(1.0, 1));
        for (channel, hue) in CHANNEL_HUES.iter().enumerate() {
            let top = input_tint(1.0, channel);
            let [r, g, b] = top;
            assert!(
                r.min(g).min(b) > 200,
                "channel {channel} at 1.0 is pale, not dark"
            );
            let strongest = (0..3).max_by_key(|&i| hue[i]).unwrap();
            assert!(
                (0..3).all(|i| top[strongest] >= top[i]),
                "channel {channel} keeps its hue"
            );
        }
        assert_eq!(input_tint(0.5, 7), [128, 128, 128]);
    }

    #[test]
    fn legend_gradients_are_the_scales_own_colours() {
        let g = diverging_gradient(3.0);
        assert!(g.starts_with(&format!("linear-gradient(to right,{}", css(DIVERGING[0]))));
        assert!(g.ends_with(&format!("{})", css(DIVERGING[10]))));
        assert!(g.contains(&css(diverging(0.0, 3.0))));
        assert!(input_gradient(1).ends_with(&format!("{})", css(input_tint(1.0, 1)))));
    }

    #[test]
    fn contrast_choice() {
        assert!(needs_light_text(DIVERGING[0]));
        assert!(!needs_light_text(DIVERGING[5]));
    }

    fn tiny_vgg_roles() -> Vec<LayerRole> {
        use LayerRole::*;
        vec![
            Conv, Activation, Conv, Activation, Pool, Conv, Activation, Conv, Activation, Pool,
        ]
    }

    #[test]
    fn per_layer_ranges_follow_each_conv() {
        let max = [4.0, 3.0, 2.0, 1.5, 1.5, 8.0, 5.0, 6.0, 6.0, 6.0];
        let r = ranges(&tiny_vgg_roles(), &max, ColorRange::Layer);
        assert_eq!(r, vec![4.0, 4.0, 2.0, 2.0, 2.0, 8.0, 8.0, 6.0, 6.0, 6.0]);
    }

    #[test]
    fn per_block_ranges_end_at_pooling() {
        let max = [4.0, 3.0, 2.0, 1.5, 1.5, 8.0, 5.0, 6.0, 6.0, 6.0];
        let r = ranges(&tiny_vgg_roles(), &max, ColorRange::Block);
        assert_eq!(r, vec![4.0, 4.0, 4.0, 4.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0]);
    }

    #[test]
    fn groups_of_each_mode() {
        let roles = tiny_vgg_roles();
        assert_eq!(groups(&roles, ColorRange::Layer), vec![0..2, 2..5, 5..7, 7..10]);
        assert_eq!(groups(&roles, ColorRange::Block), vec![0..5, 5..10]);
        assert_eq!(groups(&roles, ColorRange::Network), vec![0..10]);
        assert!(groups(&[], ColorRange::Layer).is_empty());
    }

    #[test]
    fn network_range_is_one_value_and_never_zero() {
        let max = [4.0, 3.0, 2.0, 1.5, 1.5, 8.0, 5.0, 6.0, 6.0, 6.0];
        let r = ranges(&tiny_vgg_roles(), &max, ColorRange::Network);
        assert!(r.iter().all(|&v| v == 8.0));
        let zero = ranges(&tiny_vgg_roles(), &[0.0; 10], ColorRange::Network);
        assert!(zero.iter().all(|&v| v == 1.0));
    }
}
