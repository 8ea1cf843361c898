//! The `cnn-classroom` binary.
#![forbid(unsafe_code)]
fn main() {}
