//! Recorded lessons: steps of focus, picture and note that an instructor records in a lecture
//! and anyone replays, in front of a class or self-paced.
//!
//! - [`file`]: the lesson file (format, every check on loading, saving).
//! - [`markdown`]: the notes' little Markdown, as plain data (never markup).

pub mod file;
pub mod markdown;
