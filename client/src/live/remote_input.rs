//! The instructor's image as this browser uses it: the server's canonical pixels, checked by
//! running the network here and comparing with the server's digest, so a student never silently
//! sees other numbers than the instructor.

use shared::InputImage;

use super::digest::check_digest;
use crate::state::CanonicalImage;

/// The lecture's image, ready for the app, with a warning if this screen disagrees with the
/// server; `Err(warning)` if the pixels cannot be used at all.
pub fn check(input: &InputImage) -> Result<(CanonicalImage, Option<String>), String> {
    let image = canonical(input)?;
    let warning = verify_locally(&image, input);
    Ok((image, warning))
}

/// The server's canonical pixels as the app's image type, or a warning if they are malformed.
pub fn canonical(input: &InputImage) -> Result<CanonicalImage, String> {
    CanonicalImage::new(input.rgb.clone(), u32::from(input.side)).map_err(|error| {
        format!("The lecture's image could not be used ({error}). Reload the page to fetch it again.")
    })
}

/// Recomputes the trace in this browser and compares it with the server's; `Some(warning)` if
/// they disagree.
fn verify_locally(image: &CanonicalImage, input: &InputImage) -> Option<String> {
    if image.hash() != input.hash {
        return Some(
            "The lecture's image arrived damaged, so your numbers may differ from the \
             instructor's. Reload the page to fetch it again."
                .to_owned(),
        );
    }
    let trace = match crate::model::trace(image) {
        Ok(trace) => trace,
        Err(error) => return Some(error),
    };
    let local_class = u16::try_from(trace.predicted_class()).unwrap_or(u16::MAX);
    check_digest(
        input.prediction.class,
        &input.prediction.layer_sums,
        local_class,
        &trace.layer_sums(),
    )
    .err()
    .map(|disagreement| disagreement.to_string())
}
