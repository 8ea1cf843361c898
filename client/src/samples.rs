//! Input images in the client: the shipped samples, uploads and drawings, all made canonical
//! by `models::preprocess` (the same code the server runs), plus picker thumbnails.
//!
//! The samples are those of `models::samples::SAMPLES`, in the same order, but embedded in the
//! compact form `assets/samples.bin` (Fashion-MNIST grey 28×28 pixels and a colour palette per
//! picture, 25 KB instead of 107 KB of PNGs; written by `cargo run --release -p trainer -- pack-client`).
//! They are coloured and scaled here through `models::preprocess` exactly as `cnn-train samples`
//! made the PNGs; the tests below prove every picture equals its PNG, pixel for pixel.

use std::rc::Rc;
use std::sync::OnceLock;

use models::preprocess;

use crate::heatmap::Pixels;
use crate::state::{CanonicalImage, InputOrigin};

/// A sample's picker tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Thumbnail {
    /// Index into `SAMPLES`.
    pub index: usize,
    /// e.g. `Sneaker (sneaker_1)`.
    pub label: String,
    /// The canonical pixels as RGBA.
    pub pixels: Pixels,
}

/// The packed samples (format in `trainer/src/client_assets.rs`). Derived from Fashion-MNIST
/// (MIT licence, Zalando SE): see `assets/NOTICE`.
static PACKED: &[u8] = include_bytes!("../assets/samples.bin");

/// Side of a Fashion-MNIST picture.
const GREY_SIDE: usize = 28;

/// One packed sample.
#[derive(Debug, Clone, Copy)]
struct Packed {
    /// File stem in `models/assets/samples`, e.g. `sneaker_2`.
    name: &'static str,
    /// The true class (index into the model's class names).
    class_index: u16,
    /// Background RGB then foreground RGB, in `[0, 1]`.
    palette: [f32; 6],
    /// `GREY_SIDE²` grey values, row-major, 0 = background.
    grey: &'static [u8],
}

impl Packed {
    /// The canonical picture: each grey value blended from background (0) to foreground (255),
    /// as `trainer::colourise` does, then scaled by `models::preprocess` like any drawing.
    fn image(&self) -> Result<CanonicalImage, String> {
        let mut rgba = Vec::with_capacity(self.grey.len() * 4);
        for &grey in self.grey {
            let t = f32::from(grey) / 255.0;
            for c in 0..3 {
                let (background, foreground) = (self.palette[c], self.palette[c + 3]);
                let value = background + t * (foreground - background);
                rgba.push((value * 255.0).round().clamp(0.0, 255.0) as u8);
            }
            rgba.push(255);
        }
        from_rgba(GREY_SIDE as u32, GREY_SIDE as u32, &rgba)
    }
}

/// Reads the packed samples once.
fn packed() -> &'static [Packed] {
    static SAMPLES: OnceLock<Vec<Packed>> = OnceLock::new();
    SAMPLES.get_or_init(|| unpack(PACKED).unwrap_or_default())
}

/// Splits the packed bytes into samples, or `None` if they are cut short.
fn unpack(mut bytes: &'static [u8]) -> Option<Vec<Packed>> {
    fn take(bytes: &mut &'static [u8], count: usize) -> Option<&'static [u8]> {
        let (head, tail) = bytes.split_at_checked(count)?;
        *bytes = tail;
        Some(head)
    }
    let mut samples = Vec::new();
    while !bytes.is_empty() {
        let class_index = u16::from(take(&mut bytes, 1)?[0]);
        let name_length = usize::from(take(&mut bytes, 1)?[0]);
        let name = std::str::from_utf8(take(&mut bytes, name_length)?).ok()?;
        let mut palette = [0.0; 6];
        for value in &mut palette {
            *value = f32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?);
        }
        let grey = take(&mut bytes, GREY_SIDE * GREY_SIDE)?;
        samples.push(Packed {
            name,
            class_index,
            palette,
            grey,
        });
    }
    Some(samples)
}

/// The canonical picture's side in pixels (every network reads its input made from it).
fn side() -> u32 {
    models::builtin::TINY_VGG_INPUT_SIDE
}

/// RGBA pixels of a canonical image.
pub fn rgba(image: &CanonicalImage) -> Pixels {
    let rgba = image
        .rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    Pixels {
        rgba: Rc::new(rgba),
        width: image.side as usize,
        height: image.side as usize,
    }
}

/// A canvas's RGBA pixels made canonical, or why not.
pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<CanonicalImage, String> {
    preprocess::from_rgba(width, height, rgba, side()).map_err(|e| e.to_string())
}

/// Sample `index`, canonical.
pub fn image(index: usize) -> Result<CanonicalImage, String> {
    let sample = packed()
        .get(index)
        .ok_or_else(|| format!("There is no sample number {index}; pick one of the pictures shown."))?;
    sample.image()
}

/// The file stem of sample `index` (e.g. `sneaker_2`), as lesson files name it.
pub fn name(index: usize) -> Option<&'static str> {
    packed().get(index).map(|sample| sample.name)
}

/// The sample called `name`.
pub fn index_named(name: &str) -> Option<usize> {
    packed().iter().position(|sample| sample.name == name)
}

/// The sample whose canonical picture is exactly `image`, if any: an instructor's sample reaches
/// students as plain pixels, and their picker should still name it and mark its tile.
pub fn index_of(image: &CanonicalImage) -> Option<usize> {
    static HASHES: OnceLock<Vec<Option<[u8; 32]>>> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        packed()
            .iter()
            .map(|sample| sample.image().ok().map(|i| i.hash()))
            .collect()
    });
    let hash = image.hash();
    hashes.iter().position(|h| *h == Some(hash))
}

/// Every sample's thumbnail, in class order.
pub fn thumbnails() -> Vec<Thumbnail> {
    // The samples are Fashion-MNIST garments whatever network is open.
    let classes = models::builtin::FASHION_MNIST_CLASSES;
    packed()
        .iter()
        .enumerate()
        .filter_map(|(index, sample)| {
            let image = sample.image().ok()?;
            let class = classes
                .get(usize::from(sample.class_index))
                .copied()
                .unwrap_or_default();
            Some(Thumbnail {
                index,
                label: format!("{class} ({})", sample.name),
                pixels: rgba(&image),
            })
        })
        .collect()
}

/// The first input shown: the first sample, or a plain white picture if none decodes.
pub fn initial() -> (CanonicalImage, InputOrigin) {
    match image(0) {
        Ok(image) => (image, InputOrigin::Sample(0)),
        Err(_) => {
            let side = side();
            let blank = CanonicalImage {
                rgb: vec![255; (side * side * 3) as usize],
                side,
            };
            (blank, InputOrigin::Drawing)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::samples::SAMPLES;

    #[test]
    fn every_packed_sample_equals_its_shipped_png_pixel_for_pixel() {
        let samples = unpack(PACKED).expect("the packed samples are complete");
        let hint = "client/assets/samples.bin is stale: run `cargo run --release -p trainer -- pack-client`";
        assert_eq!(samples.len(), SAMPLES.len(), "{hint}");
        for (index, (packed, shipped)) in samples.iter().zip(SAMPLES).enumerate() {
            assert_eq!(packed.name, shipped.name, "sample {index}: {hint}");
            assert_eq!(packed.class_index, shipped.class_index, "{}", shipped.name);
            let from_png = preprocess::decode(shipped.png, side()).unwrap();
            assert_eq!(image(index).unwrap(), from_png, "{}", shipped.name);
        }
    }

    #[test]
    fn a_sample_sent_as_pixels_is_recognised() {
        for index in [0, 7, SAMPLES.len() - 1] {
            assert_eq!(index_of(&image(index).unwrap()), Some(index));
        }
        let mut drawn = image(3).unwrap();
        drawn.rgb[100] ^= 1;
        assert_eq!(index_of(&drawn), None, "one changed value is another picture");
    }

    #[test]
    fn cut_short_packed_bytes_are_refused() {
        assert!(unpack(&PACKED[..PACKED.len() - 1]).is_none());
        assert!(unpack(&PACKED[..1]).is_none());
        assert_eq!(unpack(&[]).map(|s| s.len()), Some(0));
    }
}
