//! Ground truth for the browser tests: what the `models` crate computes natively for the input
//! the page shows, to compare with the numbers the page prints.

use anyhow::{Context, Result, anyhow};
use models::Trace;
use models::builtin::{TINY_VGG_INPUT_SIDE, tiny_vgg};
use models::preprocess::{self, CanonicalImage};

/// The built-in network's answer for one input.
pub struct Expected {
    /// The canonical input (what the page decodes the picture to as well).
    pub image: CanonicalImage,
    /// Every layer's output.
    pub trace: Trace,
    /// Softmax probabilities, one per class.
    pub probabilities: Vec<f32>,
    /// Index of the most probable class.
    pub predicted: usize,
}

/// What `tiny_vgg()` computes for `models::samples::SAMPLES[index]`.
pub fn for_sample(index: usize) -> Result<Expected> {
    let sample = models::samples::SAMPLES.get(index).ok_or_else(|| {
        anyhow!(
            "there is no sample {index}; models::samples::SAMPLES has {}",
            models::samples::SAMPLES.len()
        )
    })?;
    for_picture(sample.png)
}

/// What `tiny_vgg()` computes for an encoded picture (PNG, JPEG, ...), decoded as the client does.
pub fn for_picture(bytes: &[u8]) -> Result<Expected> {
    let image = preprocess::decode(bytes, TINY_VGG_INPUT_SIDE).context("the picture does not decode")?;
    for_image(image)
}

/// What `tiny_vgg()` computes for straight RGBA pixels (a canvas), fitted as the client does.
pub fn for_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Expected> {
    for_image(
        preprocess::from_rgba(width, height, rgba, TINY_VGG_INPUT_SIDE).context("the pixels do not fit")?,
    )
}

/// What `tiny_vgg()` computes for a canonical input.
pub fn for_image(image: CanonicalImage) -> Result<Expected> {
    let trace = tiny_vgg()
        .forward(&image.to_tensor())
        .context("the forward pass failed")?;
    let probabilities = trace.final_output().to_vec();
    let predicted = trace.predicted_class();
    Ok(Expected {
        image,
        trace,
        probabilities,
        predicted,
    })
}

/// Parses a shown percentage such as `87.3%` (typographic minus allowed) into a number.
pub fn parse_percent(text: &str) -> Result<f32> {
    let number: String = text
        .trim()
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let start = number
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    number[start..]
        .parse()
        .with_context(|| format!("{text:?} does not end in a percentage"))
}

/// Parses a `data-value` attribute (the client writes Rust's round-trip `f32` form).
pub fn parse_value(text: &str) -> Result<f32> {
    text.trim()
        .replace('\u{2212}', "-")
        .parse()
        .with_context(|| format!("{text:?} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_from_label_text() {
        assert_eq!(parse_percent("87.3%").unwrap(), 87.3);
        assert_eq!(parse_percent("Sneaker 0.0%").unwrap(), 0.0);
        assert_eq!(parse_percent("Bag\n100.0%").unwrap(), 100.0);
        assert!(parse_percent("no number").is_err());
    }

    #[test]
    fn values_parse_with_either_minus() {
        assert_eq!(parse_value("-0.64").unwrap(), -0.64);
        assert_eq!(parse_value("\u{2212}0.64").unwrap(), -0.64);
        assert!(parse_value("").is_err());
    }
}
