//! Deterministic colourisation of grey Fashion-MNIST pictures: a bright foreground tint on a
//! dark background of a contrasting hue, so the three input channels differ and the colour
//! view of the first layer has something to show.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Background and foreground colours, RGB in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Colour where the grey picture is 0 (the background).
    pub background: [f32; 3],
    /// Colour where the grey picture is 255 (the brightest part of the garment).
    pub foreground: [f32; 3],
}

impl Palette {
    /// A random palette: any background hue, dark; a foreground hue 90°–270° away, bright. The
    /// value gap of at least 0.25 keeps the garment visible whatever the hues.
    pub fn random(rng: &mut impl Rng) -> Self {
        let hue = rng.random_range(0.0..360.0f32);
        let background = hsv(hue, rng.random_range(0.3..1.0), rng.random_range(0.05..0.45));
        let foreground_hue = (hue + rng.random_range(90.0..270.0f32)) % 360.0;
        let foreground = hsv(
            foreground_hue,
            rng.random_range(0.3..1.0),
            rng.random_range(0.7..1.0),
        );
        Self {
            background,
            foreground,
        }
    }

    /// The fixed palette of test image `index`, the same on every run and machine.
    pub fn for_test_image(index: usize) -> Self {
        const TEST_STREAM: u64 = 0x7e57_c010_u64;
        let mut rng = ChaCha8Rng::seed_from_u64(TEST_STREAM);
        rng.set_stream(index as u64);
        Self::random(&mut rng)
    }

    /// Colours a grey value: linear blend from background (0) to foreground (255), as a byte.
    pub fn apply(&self, grey: u8) -> [u8; 3] {
        let t = f32::from(grey) / 255.0;
        let mut rgb = [0u8; 3];
        for (c, out) in rgb.iter_mut().enumerate() {
            let v = self.background[c] + t * (self.foreground[c] - self.background[c]);
            *out = (v * 255.0).round().clamp(0.0, 255.0) as u8;
        }
        rgb
    }
}

/// HSV (hue in degrees, saturation and value in `[0, 1]`) to RGB in `[0, 1]`.
fn hsv(hue: f32, saturation: f32, value: f32) -> [f32; 3] {
    let chroma = value * saturation;
    let sector = hue / 60.0;
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

/// Colours a square grey picture shifted by `(dx, dy)` pixels (vacated pixels are background),
/// as RGBA bytes ready for `models::preprocess::from_rgba`.
///
/// # Shapes
/// `grey`: `side × side` → `side × side × 4`.
pub fn colourise(grey: &[u8], side: usize, palette: &Palette, shift: (i32, i32)) -> Vec<u8> {
    let mut rgba = Vec::with_capacity(side * side * 4);
    for y in 0..side as i32 {
        for x in 0..side as i32 {
            let (sy, sx) = (y - shift.1, x - shift.0);
            let inside = (0..side as i32).contains(&sy) && (0..side as i32).contains(&sx);
            let value = if inside {
                grey[sy as usize * side + sx as usize]
            } else {
                0
            };
            rgba.extend_from_slice(&palette.apply(value));
            rgba.push(255);
        }
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_palettes_are_deterministic_and_differ_between_images() {
        assert_eq!(Palette::for_test_image(7), Palette::for_test_image(7));
        assert_ne!(Palette::for_test_image(7), Palette::for_test_image(8));
    }

    #[test]
    fn foreground_is_brighter_than_background_and_channels_differ() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut differing = 0;
        for _ in 0..1000 {
            let p = Palette::random(&mut rng);
            let value = |c: [f32; 3]| c.iter().copied().fold(0.0f32, f32::max);
            assert!(value(p.foreground) - value(p.background) >= 0.25 - 1e-6, "{p:?}");
            let fg = p.apply(255);
            if fg[0] != fg[1] || fg[1] != fg[2] {
                differing += 1;
            }
        }
        assert!(differing > 990, "only {differing} of 1000 palettes are coloured");
    }

    #[test]
    fn shift_moves_the_picture_and_fills_with_background() {
        let mut grey = vec![0u8; 9];
        grey[4] = 255; // centre of a 3×3 picture
        let p = Palette {
            background: [0.0; 3],
            foreground: [1.0; 3],
        };
        let rgba = colourise(&grey, 3, &p, (1, -1));
        let lit: Vec<usize> = (0..9).filter(|i| rgba[i * 4] == 255).collect();
        assert_eq!(lit, vec![2]); // row 0, column 2
        assert!(rgba.chunks(4).all(|px| px[3] == 255));
    }
}
