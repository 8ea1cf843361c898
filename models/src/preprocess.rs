//! Turning an uploaded or drawn picture into the network's canonical input: a square RGB image.
//!
//! Every picture goes through the same steps: decode (with limits against decompression bombs),
//! fill any transparency with a colour the garment stands out from, fit the whole picture into
//! the square (a tall photo of trousers keeps its legs) and fill the rest with the picture's own
//! border colour, resize to `side × side` (smaller pictures are scaled up), keep 8-bit RGB. The
//! canonical bytes are what the server sends to students, and what both sides feed to the
//! network, so they compute the same trace.

#[cfg(feature = "decode")]
use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage, RgbaImage};
#[cfg(feature = "decode")]
use image::{ImageReader, Limits};
use ndarray::Array3;

use crate::error::ModelError;

/// Largest width or height of a picture we agree to decode.
pub const MAX_DECODED_SIDE: u32 = 8192;
/// Largest memory a decoder may allocate, in bytes.
pub const MAX_DECODER_ALLOC: u64 = 256 * 1024 * 1024;
/// Largest canonical side length (the network input is 64).
pub const MAX_CANONICAL_SIDE: u32 = 1024;

/// A square 8-bit RGB picture, row-major, 3 bytes per pixel: the network's input in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CanonicalImage {
    /// `side × side × 3` bytes in row, column, channel (HWC) order.
    pub rgb: Vec<u8>,
    /// Width and height in pixels.
    pub side: u32,
}

impl CanonicalImage {
    /// Wraps canonical bytes received from elsewhere (e.g. the server), checking their length.
    ///
    /// # Shapes
    /// `rgb.len() == side × side × 3`, HWC order.
    pub fn new(rgb: Vec<u8>, side: u32) -> Result<Self, ModelError> {
        check_side(side)?;
        let expected = side as usize * side as usize * 3;
        if rgb.len() != expected {
            return Err(ModelError::Image(format!(
                "the picture has {} bytes, but a {side}×{side} RGB picture has {expected}; send it again",
                rgb.len()
            )));
        }
        Ok(Self { rgb, side })
    }

    /// Decodes PNG, JPEG, GIF, WebP or BMP bytes and makes them canonical (feature `decode`; the
    /// browser client decodes with the browser and calls [`Self::from_rgba`]).
    ///
    /// # Shapes
    /// Any width × height up to [`MAX_DECODED_SIDE`] → `side × side × 3`.
    #[cfg(feature = "decode")]
    pub fn decode(bytes: &[u8], side: u32) -> Result<Self, ModelError> {
        check_side(side)?;
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| {
                ModelError::Image(format!("cannot read the picture ({e}); try a PNG or JPEG file"))
            })?;
        if reader.format().is_none() {
            return Err(ModelError::Image(
                "this file is not a picture in a supported format; use PNG, JPEG, GIF, WebP or BMP".into(),
            ));
        }
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_DECODED_SIDE);
        limits.max_image_height = Some(MAX_DECODED_SIDE);
        limits.max_alloc = Some(MAX_DECODER_ALLOC);
        reader.limits(limits);
        let image = reader.decode().map_err(|e| match e {
            image::ImageError::Limits(_) => ModelError::Image(format!(
                "the picture is too large to open safely; use one at most {MAX_DECODED_SIDE}×{MAX_DECODED_SIDE} pixels"
            )),
            other => ModelError::Image(format!(
                "the picture could not be decoded ({other}); the file may be damaged, try another"
            )),
        })?;
        Ok(Self::from_image(image.into_rgba8(), side))
    }

    /// Makes a canonical image from RGBA pixels, e.g. a canvas drawing (transparency is filled
    /// as described in the module documentation).
    ///
    /// # Shapes
    /// `rgba.len() == width × height × 4`, row-major → `side × side × 3`.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8], side: u32) -> Result<Self, ModelError> {
        check_side(side)?;
        if width == 0 || height == 0 || width > MAX_DECODED_SIDE || height > MAX_DECODED_SIDE {
            return Err(ModelError::Image(format!(
                "a {width}×{height} picture cannot be used; width and height must be 1 to {MAX_DECODED_SIDE} pixels"
            )));
        }
        let image = RgbaImage::from_raw(width, height, rgba.to_vec()).ok_or_else(|| {
            ModelError::Image(format!(
                "{} bytes do not make a {width}×{height} RGBA picture ({} expected)",
                rgba.len(),
                width as usize * height as usize * 4
            ))
        })?;
        Ok(Self::from_image(image, side))
    }

    fn from_image(mut image: RgbaImage, side: u32) -> Self {
        let fill = transparency_fill(&image);
        for pixel in image.pixels_mut() {
            let alpha = u32::from(pixel[3]);
            for (channel, &fill) in pixel.0[..3].iter_mut().zip(&fill) {
                // Round-to-nearest of c·a/255 + fill·(255−a)/255.
                *channel =
                    ((u32::from(*channel) * alpha + u32::from(fill) * (255 - alpha) + 127) / 255) as u8;
            }
            pixel[3] = 255;
        }
        let rgb = DynamicImage::ImageRgba8(image).into_rgb8();
        Self {
            rgb: fit_into_square(rgb, side).into_raw(),
            side,
        }
    }

    /// The network input: channels first, values in `[0, 1]`.
    ///
    /// # Shapes
    /// `[3, side, side]`.
    pub fn to_tensor(&self) -> Array3<f32> {
        let side = self.side as usize;
        Array3::from_shape_fn((3, side, side), |(c, y, x)| {
            f32::from(self.rgb[(y * side + x) * 3 + c]) / 255.0
        })
    }

    /// The input of a network reading `[channels, height, width]`: the picture resampled by area
    /// (every output pixel is the mean of the input area it covers, so shrinking does not alias
    /// and enlarging repeats pixels), values in `[0, 1]`, and for one channel its luma
    /// (0.299 R + 0.587 G + 0.114 B). Server and browser both call this, so both compute the same
    /// trace; for `[3, side, side]` it equals [`Self::to_tensor`].
    ///
    /// # Shapes
    /// `side × side × 3` bytes → `[channels, height, width]`, `channels` 1 or 3 (any other count
    /// repeats the luma).
    pub fn input_for(&self, [channels, height, width]: [usize; 3]) -> Array3<f32> {
        let side = self.side as usize;
        let rows = area_weights(side, height);
        let cols = area_weights(side, width);
        let mut rgb = Array3::<f32>::zeros((3, height, width));
        for (y, row) in rows.iter().enumerate() {
            for (x, col) in cols.iter().enumerate() {
                let mut sum = [0f32; 3];
                for &(sy, wy) in row {
                    for &(sx, wx) in col {
                        let at = (sy * side + sx) * 3;
                        for (c, total) in sum.iter_mut().enumerate() {
                            *total += f32::from(self.rgb[at + c]) * (wy * wx);
                        }
                    }
                }
                for (c, total) in sum.into_iter().enumerate() {
                    rgb[[c, y, x]] = total / 255.0;
                }
            }
        }
        if channels == 3 {
            return rgb;
        }
        Array3::from_shape_fn((channels, height, width), |(_, y, x)| {
            0.299 * rgb[[0, y, x]] + 0.587 * rgb[[1, y, x]] + 0.114 * rgb[[2, y, x]]
        })
    }

    /// BLAKE3 of the canonical bytes: names an input for caching and for checking a copy.
    pub fn hash(&self) -> [u8; 32] {
        *blake3::hash(&self.rgb).as_bytes()
    }
}

/// For each of `to` output positions along one axis of `from` input positions: the input
/// positions it covers and their weights (summing to 1).
fn area_weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    (0..to)
        .map(|i| {
            // The output cell [i, i + 1) covers [i·from/to, (i + 1)·from/to) of the input, in
            // units of 1/to so everything stays a whole number.
            let (start, end) = (i * from, (i + 1) * from);
            (start / to..end.div_ceil(to))
                .map(|j| {
                    let overlap = end.min((j + 1) * to) - start.max(j * to);
                    (j, overlap as f32 / from as f32)
                })
                .collect()
        })
        .collect()
}

/// Decodes picture bytes into a canonical image; see [`CanonicalImage::decode`].
///
/// # Shapes
/// Any picture → `side × side × 3`.
#[cfg(feature = "decode")]
pub fn decode(bytes: &[u8], side: u32) -> Result<CanonicalImage, ModelError> {
    CanonicalImage::decode(bytes, side)
}

/// Canonicalises RGBA pixels; see [`CanonicalImage::from_rgba`].
///
/// # Shapes
/// `width × height × 4` → `side × side × 3`.
pub fn from_rgba(width: u32, height: u32, rgba: &[u8], side: u32) -> Result<CanonicalImage, ModelError> {
    CanonicalImage::from_rgba(width, height, rgba, side)
}

/// Longest side, as a multiple of the canonical side, above which a picture is first shrunk by
/// plain area averaging: the smooth filter that follows then reads a few pixels per output pixel
/// instead of thousands (a 4,000-pixel photo would otherwise take seconds).
const PRESHRINK_FACTOR: u32 = 4;

/// Scales `image` so its longer side is `side`, centred on a `side × side` square filled with
/// the picture's border colour. A square picture is resized straight to the square.
fn fit_into_square(image: RgbImage, side: u32) -> RgbImage {
    let (width, height) = image.dimensions();
    let longest = width.max(height);
    let image = if longest > PRESHRINK_FACTOR * side {
        let scale = |length: u32| {
            (u64::from(length) * u64::from(PRESHRINK_FACTOR * side) / u64::from(longest)).max(1) as u32
        };
        image::imageops::thumbnail(&image, scale(width), scale(height))
    } else {
        image
    };
    let (width, height) = image.dimensions();
    if width == height {
        return if width == side {
            image
        } else {
            image::imageops::resize(&image, side, side, FilterType::Triangle)
        };
    }
    let scale = |length: u32| {
        ((u64::from(length) * u64::from(side) + u64::from(width.max(height)) / 2)
            / u64::from(width.max(height)))
        .clamp(1, u64::from(side)) as u32
    };
    let (fitted_width, fitted_height) = (scale(width), scale(height));
    let fitted = image::imageops::resize(&image, fitted_width, fitted_height, FilterType::Triangle);
    let mut square = RgbImage::from_pixel(side, side, Rgb(border_colour(&image)));
    image::imageops::replace(
        &mut square,
        &fitted,
        i64::from((side - fitted_width) / 2),
        i64::from((side - fitted_height) / 2),
    );
    square
}

/// The pixels of a picture's outermost ring, in no particular order.
fn border_pixels<P: image::Pixel>(
    image: &image::ImageBuffer<P, Vec<P::Subpixel>>,
) -> impl Iterator<Item = &P> {
    let (width, height) = image.dimensions();
    (0..width * 2 + height.saturating_sub(2) * 2).filter_map(move |i| {
        let (x, y) = if i < width {
            (i, 0)
        } else if i < 2 * width {
            (i - width, height - 1)
        } else {
            let j = i - 2 * width;
            (if j % 2 == 0 { 0 } else { width - 1 }, 1 + j / 2)
        };
        (x < width && y < height).then(|| image.get_pixel(x, y))
    })
}

/// The dominant colour of the border ring: the per-channel median, which ignores a garment
/// touching the edge as long as most of the ring is background.
fn border_colour(image: &RgbImage) -> [u8; 3] {
    median_colour(border_pixels(image).map(|p| &p.0[..]))
}

/// The per-channel median of the RGB(A) pixels `pixels` (only the first three channels count).
fn median_colour<'a>(pixels: impl Iterator<Item = &'a [u8]>) -> [u8; 3] {
    let mut channels: [Vec<u8>; 3] = Default::default();
    for pixel in pixels {
        for (values, &value) in channels.iter_mut().zip(pixel) {
            values.push(value);
        }
    }
    channels.map(|mut values| median(&mut values))
}

/// The colour transparency is filled with, so the garment still stands out. When most of the
/// border is opaque, the picture has its own background: its dominant border colour. A cut-out
/// (a transparent border) gets white behind a dark garment and black behind a light one,
/// judged by the alpha-weighted luminance of its opaque pixels.
fn transparency_fill(image: &RgbaImage) -> [u8; 3] {
    const OPAQUE: u8 = 128;
    if image.pixels().all(|p| p[3] == 255) {
        return [255; 3];
    }
    let border: Vec<&image::Rgba<u8>> = border_pixels(image).collect();
    let opaque_border: Vec<&image::Rgba<u8>> = border.iter().copied().filter(|p| p[3] >= OPAQUE).collect();
    if opaque_border.len() * 2 > border.len() {
        return median_colour(opaque_border.into_iter().map(|p| &p.0[..]));
    }
    let (mut weighted_luma, mut weight) = (0.0f64, 0.0f64);
    for pixel in image.pixels() {
        let alpha = f64::from(pixel[3]);
        let luma = 0.2126 * f64::from(pixel[0]) + 0.7152 * f64::from(pixel[1]) + 0.0722 * f64::from(pixel[2]);
        weighted_luma += alpha * luma;
        weight += alpha;
    }
    if weight > 0.0 && weighted_luma / weight > 127.5 {
        [0; 3]
    } else {
        [255; 3]
    }
}

/// The median of `values` (the lower one of the middle two; 0 when empty).
fn median(values: &mut [u8]) -> u8 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[(values.len() - 1) / 2]
}

fn check_side(side: u32) -> Result<(), ModelError> {
    if side == 0 || side > MAX_CANONICAL_SIDE {
        return Err(ModelError::Image(format!(
            "an input side of {side} pixels is not supported; use 1 to {MAX_CANONICAL_SIDE}"
        )));
    }
    Ok(())
}
