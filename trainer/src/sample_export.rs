//! Picks and writes the sample pictures the product ships: for each class the first test
//! images the model gets right, plus one instructive mistake, as 64×64 PNG with the dataset's
//! licence notice beside them. Most are dark garments on light backgrounds, as a student's own
//! photo would be; one per class is a light garment on a dark background.

use std::path::Path;

use anyhow::{Context, Result};
use image::{ImageFormat, RgbImage};
use models::Network;
use models::preprocess::CanonicalImage;

use crate::colourise::Palette;
use crate::conditions::Condition;
use crate::dataset::{CLASS_NAMES, FashionMnist};
use crate::input;

/// The dataset's licence, shipped with the pictures derived from it.
pub const NOTICE: &str = "\
The sample pictures in this folder are derived from Fashion-MNIST
(https://github.com/zalandoresearch/fashion-mnist): test-set images, scaled from 28x28 to
64x64 and coloured. Fashion-MNIST is released under the MIT licence:

The MIT License (MIT) Copyright (c) 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the \"Software\"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
";

/// The class whose mistake is shipped: shirts are the class Tiny VGG confuses most (with
/// T-shirts, pullovers and coats), which makes a good discussion in class.
const MISTAKE_CLASS: usize = 6;

/// One chosen picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    /// File stem, e.g. `sneaker_2`, or `shirt_misclassified` for the mistake.
    pub name: String,
    /// The true class.
    pub class_index: usize,
    /// The class the model predicts.
    pub predicted: usize,
    /// Index in the test set.
    pub test_index: usize,
    /// Its colours (plain: no texture, centred).
    pub palette: Palette,
    /// The canonical picture.
    pub image: CanonicalImage,
}

/// How the `slot`-th (1-based) picture of a class is coloured: the first and third as product
/// photos (dark on light), the second light on dark.
pub fn slot_condition(slot: usize) -> Condition {
    if slot.is_multiple_of(2) {
        Condition::LightOnDark
    } else {
        Condition::DarkOnLight
    }
}

/// How the mistake is coloured: a product photo, like most pictures students bring.
const MISTAKE_CONDITION: Condition = Condition::DarkOnLight;

/// A file-name-friendly form of a class name: `T-shirt/top` → `t_shirt_top`.
pub fn slug(class_name: &str) -> String {
    class_name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The first `per_class` correctly classified test images of every class, in test order,
/// then the first misclassified shirt.
pub fn choose(network: &Network, test: &FashionMnist, per_class: usize) -> Vec<Chosen> {
    let mut chosen = Vec::new();
    let mut counts = [0usize; CLASS_NAMES.len()];
    let mut mistake: Option<Chosen> = None;
    for index in 0..test.len() {
        let class_index = test.label(index);
        let wants_correct = counts[class_index] < per_class;
        let wants_mistake = class_index == MISTAKE_CLASS && mistake.is_none();
        if !wants_correct && !wants_mistake {
            if counts.iter().all(|&c| c >= per_class) && mistake.is_some() {
                break;
            }
            continue;
        }
        let condition = if wants_correct {
            slot_condition(counts[class_index] + 1)
        } else {
            MISTAKE_CONDITION
        };
        let appearance = condition.appearance(index);
        let image = input::canonical(test.image(index), &appearance);
        let predicted = network
            .forward(&image.to_tensor())
            .expect("canonical pictures have the network's input shape")
            .predicted_class();
        let slug = slug(CLASS_NAMES[class_index]);
        let palette = appearance.palette;
        if predicted == class_index && wants_correct {
            counts[class_index] += 1;
            let name = format!("{slug}_{}", counts[class_index]);
            chosen.push(Chosen {
                name,
                class_index,
                predicted,
                test_index: index,
                palette,
                image,
            });
        } else if predicted != class_index && wants_mistake && condition == MISTAKE_CONDITION {
            let name = format!("{slug}_misclassified");
            mistake = Some(Chosen {
                name,
                class_index,
                predicted,
                test_index: index,
                palette,
                image,
            });
        }
    }
    chosen.extend(mistake);
    chosen
}

/// Writes each chosen picture as `<name>.png` and the licence as `NOTICE` into `dir`.
pub fn write(dir: &Path, chosen: &[Chosen]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for c in chosen {
        let side = c.image.side;
        let picture = RgbImage::from_raw(side, side, c.image.rgb.clone())
            .context("a canonical picture has side × side × 3 bytes")?;
        let path = dir.join(format!("{}.png", c.name));
        picture
            .save_with_format(&path, ImageFormat::Png)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let notice = dir.join("NOTICE");
    std::fs::write(&notice, NOTICE).with_context(|| format!("cannot write {}", notice.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_friendly() {
        assert_eq!(slug("T-shirt/top"), "t_shirt_top");
        assert_eq!(slug("Ankle boot"), "ankle_boot");
    }
}
