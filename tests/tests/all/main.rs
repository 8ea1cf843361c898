//! The end-to-end tests (headless Chromium against the real server), linked into one test binary:
//! one link of the server, fantoccini and the models instead of one per file.
//!
//! Each file below is one concept; to add one, create `tests/all/<name>.rs` and add a
//! `mod <name>;` line here. Run one file's tests with `cargo test -p e2e --test all <name>::`;
//! the probes marked `#[ignore]` with `cargo test -p e2e --test all <name>:: -- --ignored --nocapture`.
//! Plain `cargo test --workspace` leaves this binary out (`test = false` in Cargo.toml):
//! `scripts/test.sh` runs it beside the other test binaries instead of after them.
//! Every test starts its own server and its own Chromium, so tests may run in parallel; the live
//! classrooms take turns through `live_support::ONE_CLASSROOM_AT_A_TIME`.

mod live_support;

mod client_article;
mod client_bundle;
mod client_display;
mod client_draw;
mod client_explain;
mod client_input;
mod client_join_boxes;
mod client_legends;
mod client_offline;
mod client_overview;
mod client_own_network;
mod client_perf;
mod client_playground;
mod client_readout;
mod client_screens;
mod client_static_host;
mod client_sw_update;
mod client_transitions;
mod client_wording;
mod live_join_address;
mod live_latency;
mod live_lecture;
mod live_lessons;
mod live_own_network;
mod live_playground;
mod live_quick_check;
mod live_resilience;
mod live_student_picker;
