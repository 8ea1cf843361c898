//! The shared crate's integration tests, linked into one test binary (one link instead of one
//! per file).
//!
//! Each file below is one concept; to add one, create `tests/all/<name>.rs` and add a
//! `mod <name>;` line here. Run one file's tests with `cargo test -p shared --test all <name>::`.

mod fuzz;
mod golden;
