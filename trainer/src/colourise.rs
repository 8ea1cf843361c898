//! Colour palettes for grey Fashion-MNIST pictures: a background colour where the picture is 0
//! and a garment colour where it is 255, in either polarity (garment brighter or darker than its
//! background), with any hues or none.

use rand::Rng;

/// Background and foreground colours, RGB in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Colour where the grey picture is 0 (the background).
    pub background: [f32; 3],
    /// Colour where the grey picture is 255 (the brightest part of the garment).
    pub foreground: [f32; 3],
}

/// Whether the garment is brighter or darker than its background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// A light garment on a dark background, like the dataset itself.
    LightOnDark,
    /// A dark garment on a light background, like a product photo or a shoe on a white desk.
    DarkOnLight,
}

/// Smallest difference in HSV value between garment and background, so the garment stays visible
/// whatever the hues.
pub const MIN_VALUE_GAP: f32 = 0.3;

impl Palette {
    /// The dataset as it is: a white garment on black.
    pub const GREY: Self = Self {
        background: [0.0; 3],
        foreground: [1.0; 3],
    };

    /// The dataset inverted: a black garment on white.
    pub const INVERTED_GREY: Self = Self {
        background: [1.0; 3],
        foreground: [0.0; 3],
    };

    /// The training distribution: either polarity with equal odds; one palette in five grey
    /// (no saturation), the others any two hues; values anywhere, at least [`MIN_VALUE_GAP`] apart.
    pub fn random(rng: &mut impl Rng) -> Self {
        let polarity = if rng.random_bool(0.5) {
            Polarity::LightOnDark
        } else {
            Polarity::DarkOnLight
        };
        let grey = rng.random_bool(0.2);
        let (dark, light) = random_values(rng);
        let (background, foreground) = match polarity {
            Polarity::LightOnDark => (dark, light),
            Polarity::DarkOnLight => (light, dark),
        };
        let (background_saturation, foreground_saturation) = if grey {
            (0.0, 0.0)
        } else {
            (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0))
        };
        let background = hsv(rng.random_range(0.0..360.0), background_saturation, background);
        let foreground = hsv(rng.random_range(0.0..360.0), foreground_saturation, foreground);
        Self {
            background,
            foreground,
        }
    }

    /// A product-photo palette: a pale, light background (value ≥ 0.75, saturation ≤ 0.4) and a
    /// dark garment of any hue (value ≤ 0.5).
    pub fn dark_on_light(rng: &mut impl Rng) -> Self {
        let background = hsv(
            rng.random_range(0.0..360.0),
            rng.random_range(0.0..0.4),
            rng.random_range(0.75..=1.0),
        );
        let foreground = hsv(
            rng.random_range(0.0..360.0),
            rng.random_range(0.2..1.0),
            rng.random_range(0.05..0.5),
        );
        Self {
            background,
            foreground,
        }
    }

    /// A light garment of any hue (value ≥ 0.6) on a dark background of any hue (value ≤ 0.3).
    pub fn light_on_dark(rng: &mut impl Rng) -> Self {
        let background = hsv(
            rng.random_range(0.0..360.0),
            rng.random_range(0.0..1.0),
            rng.random_range(0.0..0.3),
        );
        let foreground = hsv(
            rng.random_range(0.0..360.0),
            rng.random_range(0.2..1.0),
            rng.random_range(0.6..=1.0),
        );
        Self {
            background,
            foreground,
        }
    }

    /// Which way round the palette is, by HSV value (the brightest channel).
    pub fn polarity(&self) -> Polarity {
        let value = |c: [f32; 3]| c.iter().copied().fold(0.0f32, f32::max);
        if value(self.foreground) >= value(self.background) {
            Polarity::LightOnDark
        } else {
            Polarity::DarkOnLight
        }
    }

    /// The colour of grey value `t` in `[0, 1]`: linear blend from background (0) to foreground
    /// (1), RGB in `[0, 1]`, unclamped.
    pub fn blend(&self, t: f32) -> [f32; 3] {
        std::array::from_fn(|c| self.background[c] + t * (self.foreground[c] - self.background[c]))
    }

    /// Colours a grey byte: [`Palette::blend`] rounded to a byte. The client's sample unpacking
    /// (`client/src/samples.rs`) computes exactly this.
    pub fn apply(&self, grey: u8) -> [u8; 3] {
        self.blend(f32::from(grey) / 255.0).map(to_byte)
    }
}

/// A value in `[0, 1]` rounded to a byte.
pub fn to_byte(value: f32) -> u8 {
    (value * 255.0).round().clamp(0.0, 255.0) as u8
}

/// A dark and a light HSV value at least [`MIN_VALUE_GAP`] apart, spread over the whole range.
fn random_values(rng: &mut impl Rng) -> (f32, f32) {
    let dark = rng.random_range(0.0..=(1.0 - MIN_VALUE_GAP));
    let light = rng.random_range((dark + MIN_VALUE_GAP)..=1.0);
    (dark, light)
}

/// HSV (hue in degrees, saturation and value in `[0, 1]`) to RGB in `[0, 1]`.
fn hsv(hue: f32, saturation: f32, value: f32) -> [f32; 3] {
    let chroma = value * saturation;
    let sector = hue.rem_euclid(360.0) / 60.0;
    let x = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (r, g, b) = match sector as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = value - chroma;
    [r + m, g + m, b + m]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn value(c: [f32; 3]) -> f32 {
        c.iter().copied().fold(0.0f32, f32::max)
    }

    #[test]
    fn training_palettes_take_both_polarities_with_a_visible_gap() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut light_on_dark, mut grey) = (0, 0);
        for _ in 0..2000 {
            let p = Palette::random(&mut rng);
            let gap = (value(p.foreground) - value(p.background)).abs();
            assert!(gap >= MIN_VALUE_GAP - 1e-5, "{p:?}");
            light_on_dark += usize::from(p.polarity() == Polarity::LightOnDark);
            let fg = p.apply(255);
            grey += usize::from(fg[0] == fg[1] && fg[1] == fg[2]);
        }
        assert!(
            (900..1100).contains(&light_on_dark),
            "{light_on_dark} of 2000 light on dark"
        );
        assert!((300..500).contains(&grey), "{grey} of 2000 grey");
    }

    #[test]
    fn named_palettes_have_their_polarity() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..500 {
            assert_eq!(Palette::dark_on_light(&mut rng).polarity(), Polarity::DarkOnLight);
            assert_eq!(Palette::light_on_dark(&mut rng).polarity(), Polarity::LightOnDark);
        }
        assert_eq!(Palette::GREY.apply(255), [255; 3]);
        assert_eq!(Palette::INVERTED_GREY.apply(255), [0; 3]);
        assert_eq!(Palette::INVERTED_GREY.apply(0), [255; 3]);
    }

    #[test]
    fn hsv_covers_the_colour_wheel() {
        assert_eq!(hsv(0.0, 1.0, 1.0), [1.0, 0.0, 0.0]);
        assert_eq!(hsv(120.0, 1.0, 1.0), [0.0, 1.0, 0.0]);
        assert_eq!(hsv(240.0, 1.0, 1.0), [0.0, 0.0, 1.0]);
        assert_eq!(hsv(77.0, 0.0, 0.5), [0.5, 0.5, 0.5]);
    }
}
