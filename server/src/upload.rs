//! Decoding an uploaded picture within a fixed memory budget: the header is read first and a
//! picture whose decoded pixels would exceed the budget is refused before anything is allocated;
//! a large picture is shrunk right after decoding (a cheap area average, no full-size copies),
//! so the only full-size buffer is the decoded one. The small copy then takes the same path as
//! every other picture (`models::preprocess`).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use models::preprocess::{CanonicalImage, MAX_DECODED_SIDE};

/// Pictures are shrunk to at most this side before preprocessing (the network input is 64).
pub const SHRUNK_SIDE: u32 = 256;

/// Why an upload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Decoded, the picture would need more memory than the budget.
    #[error(
        "The picture is {width} × {height} pixels, {mib} MB once opened; the server opens pictures \
         of at most {budget_mib} MB. Scale it down (e.g. to 2000 pixels wide) and upload it again."
    )]
    OverBudget {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Decoded size in MiB.
        mib: u64,
        /// The budget in MiB.
        budget_mib: u64,
    },
    /// Not a readable picture.
    #[error("{0}")]
    BadImage(String),
}

/// Decodes `bytes` into the `side × side` canonical image, allocating at most about
/// `budget` bytes for pixels.
pub fn decode_within_budget(bytes: &[u8], budget: u64, side: u32) -> Result<CanonicalImage, UploadError> {
    let bad = |what: String| UploadError::BadImage(what);
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(format!("cannot read the picture ({e}); try a PNG or JPEG file")))?;
    if reader.format().is_none() {
        return Err(bad(
            "this file is not a picture in a supported format; use PNG, JPEG, GIF, WebP or BMP".into(),
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(budget);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| describe(e, budget))?;
    let (width, height) = decoder.dimensions();
    let decoded = decoder.total_bytes();
    if decoded > budget {
        return Err(UploadError::OverBudget {
            width,
            height,
            mib: decoded.div_ceil(1 << 20),
            budget_mib: budget >> 20,
        });
    }
    let image = DynamicImage::from_decoder(decoder).map_err(|e| describe(e, budget))?;
    let image = if image.width().max(image.height()) > SHRUNK_SIDE {
        image.thumbnail(SHRUNK_SIDE, SHRUNK_SIDE)
    } else {
        image
    };
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    CanonicalImage::from_rgba(width, height, rgba.as_raw(), side).map_err(|e| bad(e.to_string()))
}

fn describe(error: image::ImageError, budget: u64) -> UploadError {
    match error {
        image::ImageError::Limits(_) => UploadError::BadImage(format!(
            "the picture needs more than {} MB to open, or is wider or taller than {MAX_DECODED_SIDE} \
             pixels; scale it down and upload it again",
            budget >> 20
        )),
        other => UploadError::BadImage(format!(
            "the picture could not be decoded ({other}); the file may be damaged, try another"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, colour: image::ExtendedColorType) -> Vec<u8> {
        let channels = match colour {
            image::ExtendedColorType::L8 => 1,
            _ => 3,
        };
        let pixels = vec![0u8; (width * height * channels) as usize];
        let mut out = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut out),
            &pixels,
            width,
            height,
            colour,
        )
        .expect("encodes");
        out
    }

    #[test]
    fn a_picture_over_the_budget_is_refused_before_decoding() {
        let bomb = png(4096, 4096, image::ExtendedColorType::Rgb8);
        let error = decode_within_budget(&bomb, 16 << 20, 64).unwrap_err();
        assert!(
            matches!(
                error,
                UploadError::OverBudget {
                    width: 4096,
                    mib: 48,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("4096 × 4096"));
    }

    #[test]
    fn a_large_picture_within_the_budget_is_shrunk_to_the_canonical_size() {
        let wide = png(3000, 1000, image::ExtendedColorType::L8);
        let image = decode_within_budget(&wide, 64 << 20, 64).expect("fits the budget");
        assert_eq!(image.side, 64);
        assert_eq!(image.rgb.len(), 64 * 64 * 3);
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let error = decode_within_budget(b"not a picture", 64 << 20, 64).unwrap_err();
        assert!(matches!(error, UploadError::BadImage(_)));
    }
}
