//! Turning an uploaded or drawn picture into the network's canonical input: a square RGB image.
//!
//! Every picture goes through the same steps: decode (with limits against decompression bombs),
//! composite any transparency onto white, crop the centre square, resize to `side × side`
//! (smaller pictures are scaled up), keep 8-bit RGB. The canonical bytes are what the server
//! sends to students, and what both sides feed to the network, so they compute the same trace.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, Limits, RgbaImage};
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

    /// Decodes PNG, JPEG, GIF, WebP or BMP bytes and makes them canonical.
    ///
    /// # Shapes
    /// Any width × height up to [`MAX_DECODED_SIDE`] → `side × side × 3`.
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

    /// Makes a canonical image from RGBA pixels, e.g. a canvas drawing (alpha is composited on white).
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
        for pixel in image.pixels_mut() {
            let alpha = u32::from(pixel[3]);
            for channel in &mut pixel.0[..3] {
                // Round-to-nearest of c·a/255 + 255·(255−a)/255.
                *channel = ((u32::from(*channel) * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
            }
            pixel[3] = 255;
        }
        let (width, height) = image.dimensions();
        let crop = width.min(height);
        let square =
            image::imageops::crop_imm(&image, (width - crop) / 2, (height - crop) / 2, crop, crop).to_image();
        let rgb = DynamicImage::ImageRgba8(square).into_rgb8();
        let resized = if crop == side {
            rgb
        } else {
            image::imageops::resize(&rgb, side, side, FilterType::Triangle)
        };
        Self {
            rgb: resized.into_raw(),
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

    /// BLAKE3 of the canonical bytes: names an input for caching and for checking a copy.
    pub fn hash(&self) -> [u8; 32] {
        *blake3::hash(&self.rgb).as_bytes()
    }
}

/// Decodes picture bytes into a canonical image; see [`CanonicalImage::decode`].
///
/// # Shapes
/// Any picture → `side × side × 3`.
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

fn check_side(side: u32) -> Result<(), ModelError> {
    if side == 0 || side > MAX_CANONICAL_SIDE {
        return Err(ModelError::Image(format!(
            "an input side of {side} pixels is not supported; use 1 to {MAX_CANONICAL_SIDE}"
        )));
    }
    Ok(())
}
