//! The end-to-end test harness: the real server on 127.0.0.1:0 serving `client/dist`, and fresh
//! headless Chromium sessions driven over WebDriver. Used by `tests/tests/all/client_*.rs` (the
//! client) and `tests/tests/all/live_*.rs` (the live lecture).
//!
//! Map of the crate:
//! - [`paths`]: the bundle, `target/e2e-artifacts/` (screenshots, figures), scratch dirs.
//! - [`server`]: [`TestServer`], the real server on its own runtime: stop, kill, restart.
//! - [`chromedriver`]: a chromedriver process on a free port, killed with its browsers.
//! - [`chrome_commands`]: chromedriver's DevTools and console-log commands.
//! - [`browser`]: [`Browser`], one Chromium session with wait/read/click/screenshot helpers.
//! - [`page`]: opening the client, and reading its `data-testid` contract (prediction, `data-value`s).
//! - [`expected`]: what the `models` crate computes for the same input (ground truth).
//! - [`first_visit`]: what a first visit transfers, gzip, per file.
//! - [`own_model`]: the PyTorch fixtures as model files (bundles), and their traces.
//! - [`fit`]: whether a page fits its window (overflow, overlapping text, the playback bar).
//! - [`perf_probe`]: ready time and animation frame probes injected into the page.
//! - [`static_host`]: [`StaticHost`], a generic static file server (not ours) serving the bundle.
#![forbid(unsafe_code)]

pub mod browser;
pub mod chrome_commands;
pub mod chromedriver;
pub mod expected;
pub mod first_visit;
pub mod fit;
pub mod own_model;
pub mod page;
pub mod paths;
pub mod perf_probe;
pub mod server;
pub mod static_host;

pub use browser::{Browser, BrowserOptions, ConsoleEntry};
pub use server::TestServer;
pub use static_host::StaticHost;
