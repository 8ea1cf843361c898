//! Recorded lessons: steps of focus, picture and note that an instructor records in a lecture
//! and anyone replays, in front of a class or self-paced.
//!
//! - [`base64`]: the pictures' encoding.
//! - [`built_in`]: the lessons shipped with the app (data fetched when first opened).
//! - [`file`]: the lesson file (format, every check on loading, saving).
//! - [`markdown`]: the notes' little Markdown, as plain data (never markup).
//! - [`player`]: the open lesson (step, edits) as a reducer, and its address.

pub mod base64;
pub mod built_in;
pub mod file;
pub mod markdown;
pub mod player;

use wasm_bindgen_futures::JsFuture;

/// Reads and checks the lesson file the user picked (refused unread if it is too big).
pub async fn open_file(file: web_sys::File) -> Result<file::Lesson, String> {
    let bytes = file.size() as usize;
    if bytes > file::MAX_FILE_BYTES {
        return Err(file::LessonError::TooBig { bytes }.to_string());
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "The file could not be read; pick it again.".to_owned())?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    file::Lesson::parse(&bytes, crate::model::network()).map_err(|e| e.to_string())
}
