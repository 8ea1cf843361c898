//! A recorded lesson's note in a live lecture: when the instructor steps through a lesson, the
//! step's image and focus travel as usual (`Control::PickSample`/`UploadImage`, `SetFocus`); its
//! short text note travels here, so following students read it beside the same view. The room
//! keeps the current note, so a late joiner or a reload sees it too.

use serde::{Deserialize, Serialize};

use crate::room::StateVersion;

/// Longest note, in bytes of UTF-8 (a few short paragraphs).
pub const MAX_NOTE_BYTES: usize = 2000;

/// What the instructor says about the lesson (instructor only, see `verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonMsg {
    /// Show this note to the class (plain text or a little Markdown); empty takes it away.
    ShowNote(String),
}

/// The room's current note, sent to every member after a change and after the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonEvent {
    /// The note now shown (empty: none).
    Note {
        /// Version of this change.
        version: StateVersion,
        /// The note's text.
        note: String,
    },
}

/// Why a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Over [`MAX_NOTE_BYTES`].
    #[error("The note is {bytes} bytes long; notes can be at most {MAX_NOTE_BYTES} bytes, so shorten it.")]
    TooLong {
        /// Its length.
        bytes: usize,
    },
    /// Control characters other than line breaks and tabs.
    #[error("The note contains control characters; type it again as plain text.")]
    Control,
}

/// Checks a note against the limits.
pub fn check_note(note: &str) -> Result<(), NoteError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLong { bytes: note.len() });
    }
    if note
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(NoteError::Control);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_limited_in_size_and_characters() {
        assert_eq!(check_note(""), Ok(()));
        assert_eq!(check_note("**ReLU** keeps 0.42;\n- and drops −0.69"), Ok(()));
        assert_eq!(check_note(&"é".repeat(MAX_NOTE_BYTES / 2)), Ok(()));
        assert_eq!(
            check_note(&"x".repeat(MAX_NOTE_BYTES + 1)),
            Err(NoteError::TooLong {
                bytes: MAX_NOTE_BYTES + 1
            })
        );
        assert_eq!(check_note("a\u{7}b"), Err(NoteError::Control));
    }
}
