//! How one grey Fashion-MNIST picture is shown to the network: its colours (a [`Palette`]), a
//! background texture (per-pixel noise, a brightness gradient as from uneven light) and its
//! placement (off centre, a little smaller or larger), rendered to RGBA.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::colourise::{Palette, to_byte};

/// Everything about how a grey picture looks, apart from the garment itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Appearance {
    /// Background and garment colours.
    pub palette: Palette,
    /// Standard deviation of independent noise added to every pixel and channel, in `[0, 1]` units.
    pub noise: f32,
    /// Seeds the noise, so the same appearance renders the same bytes.
    pub noise_seed: u64,
    /// Brightness added from the left to the right edge and from the top to the bottom edge
    /// (half taken off at one side, half added at the other), in `[0, 1]` units.
    pub gradient: (f32, f32),
    /// How far the garment moves right and down, in 28×28 pixels.
    pub shift: (f32, f32),
    /// Size of the garment relative to the dataset's framing, about the picture's centre.
    pub scale: f32,
}

impl Appearance {
    /// Colours only: no texture, centred at the dataset's size.
    pub fn plain(palette: Palette) -> Self {
        Self {
            palette,
            noise: 0.0,
            noise_seed: 0,
            gradient: (0.0, 0.0),
            shift: (0.0, 0.0),
            scale: 1.0,
        }
    }

    /// The training distribution: a random [`Palette`] (either polarity, any hues or grey); noise
    /// on three pictures in ten, a gradient on three in ten; shifted up to 2 pixels each way; half
    /// of them scaled to 85–110 %. (A harsher one — 3 pixels, 80–115 %, more noise — left the
    /// network underfitting at 81 % on its own training pictures: docs/training.md.)
    pub fn random(rng: &mut impl Rng) -> Self {
        Self {
            palette: Palette::random(rng),
            ..Self::random_texture_and_placement(rng, 0.3, 0.05, 0.1, 2.0, (0.85, 1.1))
        }
    }

    /// A plain palette with texture and placement drawn with the given odds and ranges.
    pub(crate) fn random_texture_and_placement(
        rng: &mut impl Rng,
        noise_odds: f64,
        max_noise: f32,
        max_gradient: f32,
        max_shift: f32,
        scale_range: (f32, f32),
    ) -> Self {
        let noise = if rng.random_bool(noise_odds) {
            rng.random_range(0.01..=max_noise)
        } else {
            0.0
        };
        let gradient = if rng.random_bool(0.3) {
            (
                rng.random_range(-max_gradient..=max_gradient),
                rng.random_range(-max_gradient..=max_gradient),
            )
        } else {
            (0.0, 0.0)
        };
        let shift = (
            rng.random_range(-max_shift..=max_shift),
            rng.random_range(-max_shift..=max_shift),
        );
        let scale = if rng.random_bool(0.5) {
            rng.random_range(scale_range.0..=scale_range.1)
        } else {
            1.0
        };
        Self {
            palette: Palette::GREY,
            noise,
            noise_seed: rng.random(),
            gradient,
            shift,
            scale,
        }
    }

    /// Renders a square grey picture (0 = background) as RGBA bytes ready for
    /// `models::preprocess::from_rgba`. A plain appearance gives exactly [`Palette::apply`] of
    /// each grey value.
    ///
    /// # Shapes
    /// `grey`: `side × side` → `side × side × 4`.
    pub fn render(&self, grey: &[u8], side: usize) -> Vec<u8> {
        let centre = (side as f32 - 1.0) / 2.0;
        let mut noise = ChaCha8Rng::seed_from_u64(self.noise_seed);
        // Uniform noise of standard deviation σ spans ±σ·√3.
        let noise_half_width = self.noise * 3f32.sqrt();
        let mut rgba = Vec::with_capacity(side * side * 4);
        for y in 0..side {
            for x in 0..side {
                let source_x = (x as f32 - centre - self.shift.0) / self.scale + centre;
                let source_y = (y as f32 - centre - self.shift.1) / self.scale + centre;
                let t = bilinear(grey, side, source_x, source_y) / 255.0;
                let mut colour = self.palette.blend(t);
                let light = self.gradient.0 * (x as f32 / (side as f32 - 1.0) - 0.5)
                    + self.gradient.1 * (y as f32 / (side as f32 - 1.0) - 0.5);
                for value in &mut colour {
                    if light != 0.0 {
                        *value += light;
                    }
                    if noise_half_width > 0.0 {
                        *value += noise.random_range(-noise_half_width..=noise_half_width);
                    }
                }
                rgba.extend(colour.map(to_byte));
                rgba.push(255);
            }
        }
        rgba
    }
}

/// The grey value at a fractional position, bilinear between the four nearest pixels; outside
/// the picture is background (0). At whole-pixel positions it is exactly that pixel's value.
fn bilinear(grey: &[u8], side: usize, x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |px: f32, py: f32| -> f32 {
        if px < 0.0 || py < 0.0 || px >= side as f32 || py >= side as f32 {
            0.0
        } else {
            f32::from(grey[py as usize * side + px as usize])
        }
    };
    if fx == 0.0 && fy == 0.0 {
        return at(x0, y0);
    }
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Vec<u8> {
        (0..28 * 28).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn a_plain_appearance_is_the_palette_applied_to_each_pixel() {
        let palette = Palette {
            background: [0.9, 0.8, 0.7],
            foreground: [0.1, 0.3, 0.2],
        };
        let grey = ramp();
        let rgba = Appearance::plain(palette).render(&grey, 28);
        for (pixel, &g) in rgba.chunks(4).zip(&grey) {
            assert_eq!(pixel[..3], palette.apply(g));
            assert_eq!(pixel[3], 255);
        }
    }

    #[test]
    fn a_whole_pixel_shift_moves_the_picture_and_fills_with_background() {
        let mut grey = vec![0u8; 9];
        grey[4] = 255; // centre of a 3×3 picture
        let appearance = Appearance {
            shift: (1.0, -1.0),
            ..Appearance::plain(Palette::GREY)
        };
        let rgba = appearance.render(&grey, 3);
        let lit: Vec<usize> = (0..9).filter(|i| rgba[i * 4] == 255).collect();
        assert_eq!(lit, vec![2]); // row 0, column 2
    }

    #[test]
    fn scaling_down_leaves_a_background_border_and_keeps_the_centre() {
        let grey = vec![200u8; 28 * 28];
        let appearance = Appearance {
            scale: 0.8,
            ..Appearance::plain(Palette::GREY)
        };
        let rgba = appearance.render(&grey, 28);
        let red = |x: usize, y: usize| rgba[(y * 28 + x) * 4];
        assert_eq!(red(0, 0), 0, "the corner is background once the garment shrinks");
        assert_eq!(red(14, 14), 200);
    }

    #[test]
    fn noise_and_gradient_change_pixels_deterministically_and_stay_in_range() {
        let grey = ramp();
        let appearance = Appearance {
            noise: 0.05,
            noise_seed: 9,
            gradient: (0.1, -0.1),
            ..Appearance::plain(Palette::INVERTED_GREY)
        };
        let a = appearance.render(&grey, 28);
        assert_eq!(a, appearance.render(&grey, 28));
        let plain = Appearance::plain(Palette::INVERTED_GREY).render(&grey, 28);
        let changed = a.iter().zip(&plain).filter(|(x, y)| x != y).count();
        assert!(changed > 28 * 28, "only {changed} bytes changed");
        let other_seed = Appearance {
            noise_seed: 10,
            ..appearance
        };
        assert_ne!(a, other_seed.render(&grey, 28));
    }
}
