//! `cnn-train`: trains and evaluates the built-in model.
#![forbid(unsafe_code)]
fn main() {}
