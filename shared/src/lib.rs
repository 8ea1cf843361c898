//! The wire protocol between the classroom server and its clients; compiled natively and to
//! wasm32, so both ends share one definition.
//!
//! Map of the crate:
//! - [`focus`]: the instructor's view state that students follow.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod focus;

pub use focus::{ColorRange, Focus, View};
