//! Activation maps as RGBA pixels, one pixel per value, for canvases drawn with crisp edges.

use std::rc::Rc;

use ndarray::ArrayView2;

use crate::color;

/// How a map's values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MapScale {
    /// Input channel `0..3` in `[0, 1]`, tinted with the channel's colour.
    Input(usize),
    /// Hidden values on the diverging scale spanning `±range`.
    Diverging(f32),
}

/// RGBA pixels of a map, shared between renders and compared by identity (cheap props).
#[derive(Debug, Clone)]
pub struct Pixels {
    /// `height × width × 4` bytes.
    pub rgba: Rc<Vec<u8>>,
    /// Map width.
    pub width: usize,
    /// Map height.
    pub height: usize,
}

impl PartialEq for Pixels {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.rgba, &other.rgba)
    }
}

/// The colour of one value under `scale`.
pub fn color_of(value: f32, scale: MapScale) -> color::Rgb {
    match scale {
        MapScale::Input(channel) => color::input_tint(value, channel),
        MapScale::Diverging(range) => color::diverging(value, range),
    }
}

/// Paints `map` under `scale`.
///
/// # Shapes
/// `[H, W]` → `H × W × 4` bytes, row-major.
pub fn paint(map: ArrayView2<'_, f32>, scale: MapScale) -> Pixels {
    let (height, width) = map.dim();
    let mut rgba = Vec::with_capacity(height * width * 4);
    for &value in map.iter() {
        let [r, g, b] = color_of(value, scale);
        rgba.extend_from_slice(&[r, g, b, 255]);
    }
    Pixels {
        rgba: Rc::new(rgba),
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn paints_one_opaque_pixel_per_value_in_row_major_order() {
        let map = array![[0.0f32, 1.0], [-1.0, 0.5]];
        let pixels = paint(map.view(), MapScale::Diverging(1.0));
        assert_eq!((pixels.width, pixels.height), (2, 2));
        assert_eq!(pixels.rgba.len(), 16);
        assert_eq!(pixels.rgba[0..3], color::diverging(0.0, 1.0));
        assert_eq!(pixels.rgba[4..7], color::diverging(1.0, 1.0));
        assert_eq!(pixels.rgba[8..11], color::diverging(-1.0, 1.0));
        assert!(pixels.rgba.chunks(4).all(|p| p[3] == 255));
    }

    #[test]
    fn input_maps_use_the_channel_tint() {
        let map = array![[1.0f32]];
        let pixels = paint(map.view(), MapScale::Input(1));
        let [r, g, b] = color::input_tint(1.0, 1);
        assert_eq!(pixels.rgba[..], [r, g, b, 255]);
    }

    #[test]
    fn pixels_compare_by_identity() {
        let map = array![[1.0f32]];
        let a = paint(map.view(), MapScale::Input(0));
        let b = paint(map.view(), MapScale::Input(0));
        let passed_on = a.clone();
        assert!(
            Rc::ptr_eq(&a.rgba, &passed_on.rgba),
            "a clone shares the bytes, never copies them"
        );
        assert!(a == passed_on, "the same paint passed on is no change");
        assert_eq!(a.rgba, b.rgba, "same bytes");
        assert!(a != b, "but a different paint: props changed");
    }
}
