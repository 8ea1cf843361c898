//! The shared state of one lecture room as members see it: ordering, the input image with the
//! server's prediction, the snapshot a member receives on (re)join, and the roster.

use serde::{Deserialize, Serialize};

use crate::focus::Focus;
use crate::ids::{MemberId, RoomCode};
use crate::model::ModelInfo;

/// Side length of the canonical input image in pixels (the model's input is `3 × 64 × 64`).
pub const INPUT_SIDE: u16 = 64;

/// Number of bytes of a canonical input image (`64 × 64 × 3`, RGB, row-major, HWC).
pub const INPUT_RGB_BYTES: usize = INPUT_SIDE as usize * INPUT_SIDE as usize * 3;

/// Longest student display name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Position of a room state change. Compare versions with `<`: the server raises `seq` by one on
/// every change and `epoch` each time it restores the room after a restart (so a change that was
/// broadcast but not yet written to disk before a crash can never make a later one look older).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct StateVersion {
    /// Server incarnation of the room (compared first).
    pub epoch: u32,
    /// Change counter within the room.
    pub seq: u64,
}

/// Where the current input image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InputSource {
    /// A shipped sample: index into `models::samples::SAMPLES`.
    Sample(u16),
    /// A file the instructor uploaded.
    Upload,
}

/// The server's forward pass on the input, so clients can check their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Index of the most probable class.
    pub class: u16,
    /// Softmax output, one probability per class.
    pub probabilities: Vec<f32>,
    /// `models::Trace::layer_sums`: the sum of each layer's output, a cheap digest of the trace;
    /// compare with a relative tolerance (native and wasm floating point differ slightly).
    pub layer_sums: Vec<f32>,
}

/// The input image every member computes the network on: exactly these bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputImage {
    /// Where it came from.
    pub source: InputSource,
    /// Side length in pixels ([`INPUT_SIDE`]).
    pub side: u16,
    /// Canonical pixels, `side × side × 3` bytes, RGB, row-major (`models::preprocess::CanonicalImage::rgb`).
    pub rgb: Vec<u8>,
    /// blake3 of `rgb` (`models::preprocess::CanonicalImage::hash`).
    pub hash: [u8; 32],
    /// The server's result for this input.
    pub prediction: Prediction,
}

/// What a member is in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Drives the lecture; the only role that may change room state.
    Instructor,
    /// Follows the lecture or explores on their own.
    Student,
}

/// Whether a student's screen follows the instructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Mode {
    /// Mirrors the instructor's focus.
    #[default]
    Following,
    /// Broke away to explore on their own.
    Exploring,
}

/// Everything a member needs to draw the lecture; sent first on every (re)join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSnapshot {
    /// The room's join code.
    pub code: RoomCode,
    /// Version of the newest change included here.
    pub version: StateVersion,
    /// The instructor's focus.
    pub focus: Focus,
    /// The input image, once the instructor has picked one.
    pub input: Option<InputImage>,
    /// Whether new students are refused (rejoins still work).
    pub locked: bool,
    /// How many times the instructor has brought everyone back (see `RoomEvent::Recall`).
    pub recall: u32,
    /// The room's network: `None` is the built-in Tiny VGG.
    pub model: Option<ModelInfo>,
}

/// One student as the instructor's roster shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// The student's member id.
    pub member: MemberId,
    /// Display name they joined with.
    pub name: String,
    /// Following the lecture or exploring.
    pub mode: Mode,
    /// Whether a connection is open right now (a dropped student keeps its seat to rejoin).
    pub connected: bool,
}

/// Checks a student display name and returns it trimmed.
pub fn validate_name(name: &str) -> Result<String, NameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    if name.chars().any(is_invisible_or_bidi) {
        return Err(NameError::Invisible);
    }
    Ok(name.to_owned())
}

/// Characters that reorder or hide text: bidirectional overrides, isolates and marks (which can
/// make a roster line read as something else), and zero-width characters (which make two names
/// that look the same differ).
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' // zero-width space, joiners, LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{061C}' // Arabic letter mark
            | '\u{180E}' // Mongolian vowel separator
            | '\u{FEFF}' // zero-width no-break space
            | '\u{00AD}' // soft hyphen
    )
}

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but spaces.
    #[error("Please type your name so the instructor can see who joined.")]
    Empty,
    /// Over [`MAX_NAME_CHARS`].
    #[error("Names can be at most {MAX_NAME_CHARS} characters; please use a shorter one.")]
    TooLong,
    /// Contains tabs, newlines or other control characters.
    #[error("Names cannot contain tabs, line breaks or other control characters; please retype it.")]
    Control,
    /// Contains direction overrides or invisible characters.
    #[error(
        "Names cannot contain invisible characters or text-direction controls; please type your name \
         again by hand."
    )]
    Invisible,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_epoch_first() {
        let before_restart = StateVersion { epoch: 1, seq: 900 };
        let after_restart = StateVersion { epoch: 2, seq: 850 };
        assert!(before_restart < after_restart);
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(validate_name("  Ada ").unwrap(), "Ada");
        assert_eq!(validate_name("   "), Err(NameError::Empty));
        assert_eq!(validate_name(&"x".repeat(41)), Err(NameError::TooLong));
        assert_eq!(validate_name("a\nb"), Err(NameError::Control));
        assert_eq!(validate_name("Ada\u{202E}nimda"), Err(NameError::Invisible));
        assert_eq!(validate_name("A\u{200B}da"), Err(NameError::Invisible));
        assert_eq!(validate_name("\u{2067}Bob"), Err(NameError::Invisible));
        assert_eq!(validate_name("Zoë Åsa 李"), Ok("Zoë Åsa 李".into()));
    }
}
