//! The live lecture in the browser: starting or joining a lecture, the instructor's console, the
//! student's follow mode with break-away and return, and the connection behind them.
//!
//! Map of the module:
//! - [`bar`]: [`LiveBar`], the component the app mounts in its header.
//! - [`landing`], [`student_status`], [`console`], [`join_screen`]: what the bar shows.
//! - [`sync`]: the lecture as a pure state machine: server messages, socket events and timer
//!   ticks in; app actions, bar events and outgoing messages out (tested natively).
//! - [`controller`]: the thin socket shell around it: the WebSocket, the retry timer, the heartbeat.
//! - [`lecture`]: the bar's state as a reducer.
//! - [`socket`]: one browser WebSocket; [`backoff`]: reconnect delays with jitter.
//! - [`saved_session`]: tokens in `localStorage`; [`links`]: join links and the socket URL;
//!   [`join_origins`]: where students can reach the server, for the join link.
//! - Own networks: [`model_upload`] (the instructor's model file to the server),
//!   [`room_model`] (the room's network downloaded by its hash, checked and shown).
//! - [`remote_input`]: the instructor's image, checked here against the server's [`digest`];
//!   [`bmp`]: uploads as BMP;
//!   [`qr`]: the join QR code as SVG.
//! - Quick checks: [`question_maker`] (what can be asked here, with the right answer from
//!   `models`), [`question_panel`] (the instructor's menu and live histogram), [`answer_card`]
//!   (the student's answer and result), [`spread_chart`] (counts, never names),
//!   [`question_veil`] (hides the answer on screen until the reveal).

mod answer_card;
mod backoff;
mod bar;
mod bmp;
mod console;
mod controller;
mod digest;
mod join_origins;
mod join_screen;
mod landing;
mod lecture;
mod links;
mod model_upload;
mod qr;
mod question_maker;
mod question_panel;
mod question_veil;
mod remote_input;
mod room_model;
mod saved_session;
mod socket;
mod spread_chart;
mod student_status;
mod sync;

pub use bar::LiveBar;
