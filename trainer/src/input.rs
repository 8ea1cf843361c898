//! From a Fashion-MNIST picture to the network's input through the product's own preprocessing
//! (`models::preprocess`), so training and test see the statistics a student's upload produces.

use models::builtin::TINY_VGG_INPUT_SIDE;
use models::preprocess::{self, CanonicalImage};
use ndarray::Array3;

use crate::appearance::Appearance;
use crate::dataset::SIDE;

/// The canonical 64×64 RGB picture of a grey 28×28 image shown with `appearance`.
///
/// # Shapes
/// `grey`: 28 × 28 → `64 × 64 × 3` bytes.
pub fn canonical(grey: &[u8], appearance: &Appearance) -> CanonicalImage {
    let rgba = appearance.render(grey, SIDE);
    preprocess::from_rgba(SIDE as u32, SIDE as u32, &rgba, TINY_VGG_INPUT_SIDE)
        .expect("a 28×28 RGBA buffer of the right length is always a valid picture")
}

/// The network input of a grey 28×28 image shown with `appearance`.
///
/// # Shapes
/// `grey`: 28 × 28 → `[3, 64, 64]`, values in `[0, 1]`.
pub fn tensor(grey: &[u8], appearance: &Appearance) -> Array3<f32> {
    canonical(grey, appearance).to_tensor()
}
