//! The network behind every picture the classroom shows: one crate, compiled natively for the
//! server and to WebAssembly for the client, so both compute the same activations.
//!
//! Map of the crate:
//! - [`layers`]: `Conv2d`, `ReLU`, `MaxPool2d`, `Flatten`, `Linear`, `Softmax` (PyTorch spelling
//!   and tensor layout: activations are `[channels, height, width]`).
//! - [`network`]: a checked sequence of layers and its forward pass.
//! - [`kernels`]: the fast, runtime-dispatched SIMD kernels the forward pass runs on.
//! - [`trace`]: every layer's output from one forward pass, which the views read.
//! - [`weights`]: the saved form (JSON manifest + safetensors) and its checked loader.
//! - [`bundle`]: one file is one model (safetensors with the manifest inside), its content hash.
//! - [`tensor_file`]: the safetensors format, read and written without serde (the browser reads it).
//! - [`builtin`]: the shipped Tiny VGG, embedded in the binary, and its untrained twin.
//! - [`explain`]: the exact numbers behind each explanation view (conv, ReLU, pool, flatten,
//!   linear, softmax), read from a trace.
//! - [`json`]: just enough JSON for what the browser reads (no float parser, bounded nesting).
//! - [`playground`]: the hyperparameter playground's math (output size, why a combination has no
//!   output, padding, windows, values) and its sources (a crop of any map, any conv kernel).
//! - [`preprocess`]: any picture → the canonical square RGB input, its tensor and its hash.
//! - [`error`]: the typed errors a user can cause (bad shapes, bad files, bad images).
//! - [`splitmix`]: the small seeded generator behind reproducible initialisation.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod budget;
pub mod builtin;
pub mod bundle;
pub mod error;
pub mod explain;
pub mod json;
pub mod layers;
pub mod network;
pub mod playground;
pub mod preprocess;
pub mod samples;
pub mod tensor_file;
pub mod trace;
pub mod weights;

pub use error::ModelError;
/// The forward pass's hot loops (their own crate, compiled for speed; see its docs).
pub use kernels;
/// The small seeded generator behind reproducible initialisation.
pub use kernels::splitmix;
pub use layers::{AvgPool2d, Conv2d, Layer, Linear, MaxPool2d, NamedLayer};
pub use network::Network;
pub use trace::Trace;
