//! Recorded lessons: steps of focus, picture and note that an instructor records in a lecture
//! and anyone replays, in front of a class or self-paced.
//!
//! - [`built_in`]: the lessons shipped with the app (data fetched when first opened).
//! - [`file`]: the lesson file (format, every check on loading, saving).
//! - [`markdown`]: the notes' little Markdown, as plain data (never markup).
//! - [`player`]: the open lesson (step, edits) as a reducer, and its address.

pub mod built_in;
pub mod file;
pub mod markdown;
pub mod player;
