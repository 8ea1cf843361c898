//! The wire protocol between the classroom server and its clients; compiled natively and to
//! wasm32, so both ends share one definition.
//!
//! Map of the crate:
//! - [`focus`]: the instructor's view state that students follow.
//! - [`ids`]: join codes, member ids, instructor and resume tokens.
//! - [`room`]: room state as members see it: versions, input image, snapshot, roster.
//! - [`client_msg`]: [`ClientMsg`], what clients send (with the protocol version and upload limit).
//! - [`server_msg`]: [`ServerMsg`], what the server sends.
//! - [`quick_check`]: questions the instructor asks, students' answers, tallies and reveals.
//! - [`lesson_note`]: the note of a recorded lesson's step, shown to the class.
//! - [`model`]: which network a room uses (content hash and name of an uploaded model).
//! - [`verify`]: the table of which message is allowed for which role and connection state.
//! - [`codec`]: the only encoding code (bincode 2), with frame size limits.
//!
//! A session: the client sends `Hello` (version + `Join`); the server answers
//! `Session(Welcome)`, then `Room(Snapshot)`, then `Room(..)` changes as they happen (the
//! instructor also gets `Roster(..)` and `Session(Saved)`). Errors come as `ServerMsg::Error`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client_msg;
pub mod codec;
pub mod focus;
mod hex;
pub mod ids;
pub mod lesson_note;
pub mod model;
pub mod quick_check;
pub mod room;
pub mod server_msg;
pub mod verify;

pub use client_msg::{
    ClientMsg, Control, Hello, Join, MAX_UPLOAD_BYTES, PROTOCOL_VERSION, SessionMsg, StudentMsg,
};
pub use focus::{
    ColorRange, Focus, KernelWeights, MAX_HAND_WEIGHT_TENTHS, MAX_KERNEL_CELLS, MAX_PLAYGROUND_INPUT,
    MAX_PLAYGROUND_KERNEL, MAX_PLAYGROUND_PADDING, MAX_PLAYGROUND_STRIDE, Playground, PlaygroundLimit, View,
};
pub use ids::{InstructorToken, MemberId, ResumeToken, RoomCode};
pub use lesson_note::{LessonEvent, LessonMsg, MAX_NOTE_BYTES, NoteError};
pub use model::{ModelHash, ModelInfo};
pub use quick_check::{
    Answer, Ask, CellTarget, CheckError, CheckEvent, CheckMsg, Correct, Question, QuestionId, Reveal, Spread,
    Tally,
};
pub use room::{InputImage, InputSource, Mode, Prediction, Role, RoomSnapshot, RosterEntry, StateVersion};
pub use server_msg::{
    CloseReason, Credentials, ErrorKind, ErrorMsg, RoomEvent, RosterEvent, ServerMsg, SessionEvent, Welcome,
};
