//! The trainer's integration tests, linked into one test binary (one link instead of one per
//! file).
//!
//! Each file below is one concept; to add one, create `tests/all/<name>.rs` and add a
//! `mod <name>;` line here. Run one file's tests with `cargo test -p trainer --test all <name>::`.

mod colourised_input;
mod dataset_files;
mod shipped_weights;
mod short_training;
