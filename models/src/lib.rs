//! The network behind every picture the classroom shows: one crate, compiled natively for the
//! server and to WebAssembly for the client, so both compute the same activations.
//!
//! Map of the crate:
//! - [`layers`]: `Conv2d`, `ReLU`, `MaxPool2d`, `Flatten`, `Linear`, `Softmax` (PyTorch spelling
//!   and tensor layout: activations are `[channels, height, width]`).
//! - [`network`]: a checked sequence of layers and its forward pass.
//! - [`trace`]: every layer's output from one forward pass, which the views read.
//! - [`error`]: the typed errors a user can cause (bad shapes, bad files, bad images).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod layers;
pub mod network;
pub mod trace;

pub use error::ModelError;
pub use layers::{Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
pub use network::Network;
pub use trace::Trace;
