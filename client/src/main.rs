//! The web client.
#![forbid(unsafe_code)]
fn main() {}
