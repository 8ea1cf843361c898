//! Training, evaluation and sample export for the built-in Tiny VGG on Fashion-MNIST, behind
//! the `cnn-train` command.
//!
//! Map of the crate:
//! - [`idx`]: the IDX file format of the MNIST family.
//! - [`dataset`]: Fashion-MNIST from Debian's `dataset-fashion-mnist` (gzip + IDX).
//! - [`colourise`]: background/garment palettes of either polarity, any hues or grey.
//! - [`appearance`]: a palette plus texture (noise, uneven light) and placement (shift, scale).
//! - [`conditions`]: the named, deterministic test colourings accuracy is reported under.
//! - [`input`]: a grey picture → the network input through the product's preprocessing.
//! - [`schedule`]: the learning-rate warm-up and cosine decay.
//! - [`train`]: the training math: backward passes for every layer kind, loss and Adam.
//! - [`training`]: the mini-batch loop (rayon over samples, Adam).
//! - [`evaluation`]: accuracy, per-class recall and confusion matrix on the test set.
//! - [`sample_export`]: the shipped sample pictures and their licence notice.
//! - [`client_assets`]: the web client's compact copies of the shipped weights and samples.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod appearance;
pub mod client_assets;
pub mod colourise;
pub mod conditions;
pub mod dataset;
pub mod evaluation;
pub mod idx;
pub mod input;
pub mod sample_export;
pub mod schedule;
pub mod train;
pub mod training;
