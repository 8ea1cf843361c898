//! Messages a client sends to the classroom server.
//!
//! Wire-stability rule: `ClientMsg::Hello` stays variant 0 and `Hello::version` its first field
//! forever, so a server can read the version of any client, however old or new.

use serde::{Deserialize, Serialize};

use crate::focus::Focus;
use crate::ids::{InstructorToken, ResumeToken, RoomCode};
use crate::lesson_note::LessonMsg;
use crate::model::ModelHash;
use crate::quick_check::CheckMsg;
use crate::room::Mode;

/// Version of this protocol; raised on every incompatible change of any message.
///
/// History: 1, the first; 2, `Focus` carries the hyperparameter playground (`Focus::playground`,
/// `View::Playground`); 3, quick checks (`ClientMsg::Check`, `ServerMsg::Check`); 4, recorded lessons' notes
/// (`ClientMsg::Lesson`, `ServerMsg::Lesson`, `ErrorKind::BadNote`).
pub const PROTOCOL_VERSION: u16 = 5;

/// Largest image file an instructor may upload, in bytes (phone photos fit; decoder limits on
/// pixel counts live in `models::preprocess`).
pub const MAX_UPLOAD_BYTES: u32 = 4 * 1024 * 1024;

/// Anything a client says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// Handshake; must be the first message on a connection and is allowed only once.
    Hello(Hello),
    /// Lecture control; instructor only.
    Control(Control),
    /// A student's report about themselves; students only.
    Student(StudentMsg),
    /// Connection housekeeping; allowed in every state after the handshake.
    Session(SessionMsg),
    /// Quick checks: the instructor asks and reveals, students answer (see `verify`).
    Check(CheckMsg),
    /// A recorded lesson's note shown to the class; instructor only.
    Lesson(LessonMsg),
}

/// The handshake: protocol version and what the client wants to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the client (must stay the first field).
    pub version: u16,
    /// Create, reclaim, join or rejoin a room.
    pub join: Join,
}

/// What a connection becomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Join {
    /// Create a new room and become its instructor.
    CreateRoom,
    /// Take (back) control of a room with its instructor token, e.g. after a reconnect.
    Instruct {
        /// The room.
        code: RoomCode,
        /// The secret from `Credentials::Instructor`.
        token: InstructorToken,
    },
    /// Join a room as a new student under a display name (refused while the room is locked).
    Student {
        /// The room.
        code: RoomCode,
        /// Display name (see `room::validate_name`).
        name: String,
    },
    /// Rejoin as the same student (same name and id) with the token from `Credentials::Student`;
    /// allowed even while the room is locked.
    Rejoin {
        /// The room.
        code: RoomCode,
        /// The secret from `Credentials::Student`.
        resume: ResumeToken,
    },
}

/// Instructor-only changes of the room state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    /// Move the class's focus (layer, neuron, operation, animation step, ...).
    SetFocus(Focus),
    /// Use a shipped sample image as input: index into `models::samples::SAMPLES`.
    PickSample(u16),
    /// Use an uploaded image file (PNG, JPEG, GIF, WebP or BMP, at most [`MAX_UPLOAD_BYTES`]).
    UploadImage(Vec<u8>),
    /// Ask every student who is exploring to return to the live focus.
    BringEveryoneBack,
    /// Refuse (true) or accept (false) new students; rejoins always work.
    SetLocked(bool),
    /// End the lecture: members are told and the room and its saved state are deleted.
    CloseRoom,
    /// Switch the room to a model the server stores (uploaded first with `POST /api/models`),
    /// or back to the built-in Tiny VGG with `None`.
    UseModel(Option<ModelHash>),
}

/// A student's report about themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudentMsg {
    /// The student now follows the lecture or explores on their own (shown in the roster).
    SetMode(Mode),
}

/// Connection housekeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionMsg {
    /// Application-level ping (browsers cannot send WebSocket pings); answered by `Pong` with the
    /// same number.
    Ping(u32),
    /// Leaving for good: a student gives up its seat (its resume token stops working).
    Leave,
}
