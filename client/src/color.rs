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

/// The colour of `value` on the diverging scale spanning `[-range, range]` (clamped).
pub fn diverging(value: f32, range: f32) -> Rgb {
    let t = if range > 0.0 && value.is_finite() {
        ((value / range).clamp(-1.0, 1.0) + 1.0) / 2.0
    } else {
        0.5
    };
    let scaled = t * (DIVERGING.len() - 1) as f32;
    let low = (scaled.floor() as usize).min(DIVERGING.len() - 2);
    let frac = scaled - low as f32;
    let (a, b) = (DIVERGING[low], DIVERGING[low + 1]);
    [0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * frac).round() as u8)
}

/// Whether text drawn over `color` should be light (for contrast).
pub fn needs_light_text(color: Rgb) -> bool {
    let [r, g, b] = color.map(f32::from);
    0.299 * r + 0.587 * g + 0.114 * b < 140.0
}

/// The colour of an input value in `[0, 1]` for input channel `channel`: black to the pure
/// channel colour (red, green, blue), so the three columns read as the image's channels.
pub fn input_tint(value: f32, channel: usize) -> Rgb {
    let level = (value.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut rgb = [0, 0, 0];
    match channel {
        0..=2 => rgb[channel] = level,
        _ => rgb = [level; 3],
    }
    rgb
}

/// `#rrggbb` for CSS.
pub fn css(color: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", color[0], color[1], color[2])
}

/// CSS `linear-gradient` stops of the diverging scale, for legends.
pub fn diverging_gradient() -> String {
    let stops: Vec<String> = DIVERGING.iter().map(|c| css(*c)).collect();
    format!("linear-gradient(to right, {})", stops.join(", "))
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

/// The symmetric colour range (`±range`) of each hidden layer under `mode`.
///
/// `max_abs[i]` is the largest `|activation|` of layer `i`. Per layer: each conv with the
/// activations and pooling after it (which never exceed it in magnitude) shares one range; per
/// block: everything up to and including a pooling layer; whole network: one range. A range is
/// never zero, so an all-zero map still draws (as white).
pub fn ranges(roles: &[LayerRole], max_abs: &[f32], mode: ColorRange) -> Vec<f32> {
    let starts_group = |i: usize| match mode {
        ColorRange::Layer => roles[i] == LayerRole::Conv,
        ColorRange::Block => i > 0 && roles[i - 1] == LayerRole::Pool,
        ColorRange::Network => false,
    };
    let mut out = vec![0.0f32; roles.len()];
    let mut start = 0;
    for end in 1..=roles.len() {
        if end == roles.len() || starts_group(end) {
            let group_max = max_abs[start..end].iter().copied().fold(0.0f32, f32::max);
            let range = if group_max > 0.0 { group_max } else { 1.0 };
            out[start..end].fill(range);
            start = end;
        }
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
    fn diverging_sides_differ_in_hue_not_only_lightness() {
        let neg = diverging(-1.0, 1.0);
        let pos = diverging(1.0, 1.0);
        // Orange side is red-dominant, purple side blue-dominant.
        assert!(neg[0] > neg[2]);
        assert!(pos[2] > pos[0]);
    }

    #[test]
    fn input_tint_uses_the_channel_colour() {
        assert_eq!(input_tint(1.0, 0), [255, 0, 0]);
        assert_eq!(input_tint(0.5, 2), [0, 0, 128]);
        assert_eq!(input_tint(2.0, 1), [0, 255, 0]);
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
    fn network_range_is_one_value_and_never_zero() {
        let max = [4.0, 3.0, 2.0, 1.5, 1.5, 8.0, 5.0, 6.0, 6.0, 6.0];
        let r = ranges(&tiny_vgg_roles(), &max, ColorRange::Network);
        assert!(r.iter().all(|&v| v == 8.0));
        let zero = ranges(&tiny_vgg_roles(), &[0.0; 10], ColorRange::Network);
        assert!(zero.iter().all(|&v| v == 1.0));
    }
}
