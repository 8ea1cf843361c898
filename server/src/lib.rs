//! The classroom server.
#![forbid(unsafe_code)]
