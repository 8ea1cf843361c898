//! The server's integration tests, linked into one test binary (one link instead of one per file).
//!
//! Each file below is one concept, as before; to add one, create `tests/all/<name>.rs` and add a
//! `mod <name>;` line here. Run one file's tests with `cargo test -p server --test all <name>::`.
//! Files keep their own binary only when they measure the whole process: `adversarial.rs` and
//! `fuzz_upload.rs` read the process's peak memory, which other tests in the same process would
//! raise.

#[path = "../common/mod.rs"]
mod common;

mod abuse;
mod crash_recovery;
mod embedded;
mod http;
mod lecture;
mod lesson_note;
mod own_models;
mod own_models_restart;
mod playground;
mod quick_check;
mod reach;
mod refusals;
mod stalled;
mod store_faults;
mod tls;
mod upload_bombs;
