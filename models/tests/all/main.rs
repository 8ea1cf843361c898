//! The models crate's integration tests, linked into one test binary (one link instead of one
//! per file).
//!
//! Each file below is one concept; to add one, create `tests/all/<name>.rs` and add a
//! `mod <name>;` line here. Run one file's tests with `cargo test -p models --test all <name>::`.
//! The helpers in `tests/common/` stay outside `all/`: the forward benchmark uses them too.

#[path = "../common/mod.rs"]
mod common;

mod explain;
mod forward;
mod fuzz;
mod playground;
mod preprocess;
mod pytorch;
mod weights;
