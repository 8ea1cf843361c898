//! Training, evaluation and sample export for the built-in Tiny VGG on Fashion-MNIST, behind
//! the `cnn-train` command.
//!
//! Map of the crate:
//! - [`idx`]: the IDX file format of the MNIST family.
//! - [`dataset`]: Fashion-MNIST from Debian's `dataset-fashion-mnist` (gzip + IDX).
//! - [`colourise`]: seeded background/foreground palettes that make the pictures colourful.
//! - [`input`]: a grey picture → the network input through the product's preprocessing.
//! - [`schedule`]: the learning-rate warm-up and cosine decay.
//! - [`training`]: the mini-batch loop (rayon over samples, Adam).
//! - [`evaluation`]: accuracy, per-class recall and confusion matrix on the test set.
//! - [`sample_export`]: the shipped sample pictures and their licence notice.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod colourise;
pub mod dataset;
pub mod evaluation;
pub mod idx;
pub mod input;
pub mod sample_export;
pub mod schedule;
pub mod training;
