//! Input images in the client: the shipped samples, uploads and drawings, all made canonical
//! by `models::preprocess` (the same code the server runs), plus picker thumbnails.

use std::rc::Rc;

use models::preprocess;
use models::samples::SAMPLES;

use crate::heatmap::Pixels;
use crate::model;
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

/// The network's input side in pixels.
fn side() -> u32 {
    model::network().input_shape()[1] as u32
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

/// Picture bytes (PNG, JPEG, GIF, WebP, BMP) made canonical, or why not.
pub fn decode(bytes: &[u8]) -> Result<CanonicalImage, String> {
    preprocess::decode(bytes, side()).map_err(|e| e.to_string())
}

/// A canvas's RGBA pixels made canonical, or why not.
pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<CanonicalImage, String> {
    preprocess::from_rgba(width, height, rgba, side()).map_err(|e| e.to_string())
}

/// Sample `index`, canonical.
pub fn image(index: usize) -> Result<CanonicalImage, String> {
    let sample = SAMPLES
        .get(index)
        .ok_or_else(|| format!("There is no sample number {index}; pick one of the pictures shown."))?;
    decode(sample.png)
}

/// Every sample's thumbnail, in class order.
pub fn thumbnails() -> Vec<Thumbnail> {
    let classes = model::network().class_names();
    SAMPLES
        .iter()
        .enumerate()
        .filter_map(|(index, sample)| {
            let image = decode(sample.png).ok()?;
            let class = classes
                .get(usize::from(sample.class_index))
                .cloned()
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
