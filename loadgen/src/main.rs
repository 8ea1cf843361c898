//! Load generator for the classroom server.
#![forbid(unsafe_code)]
fn main() {}
