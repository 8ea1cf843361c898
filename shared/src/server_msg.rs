//! Messages the classroom server sends to clients.

use serde::{Deserialize, Serialize};

use crate::focus::Focus;
use crate::ids::{InstructorToken, MemberId, ResumeToken, RoomCode};
use crate::lesson_note::LessonEvent;
use crate::model::ModelInfo;
use crate::quick_check::CheckEvent;
use crate::room::{InputImage, RoomSnapshot, RosterEntry, StateVersion};

/// Largest frame the server sends, in bytes (a full roster of 10,000 students fits).
pub const MAX_SERVER_FRAME_BYTES: u32 = 1024 * 1024;

/// Anything the server says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// About this connection: handshake answer, pongs, save acknowledgements, closing notice.
    Session(SessionEvent),
    /// A change of the shared room state, the same bytes sent to every member.
    Room(RoomEvent),
    /// Instructor only: who is in the room.
    Roster(RosterEvent),
    /// A request was refused or failed; the connection stays open unless `Session::Closing` follows.
    Error(ErrorMsg),
    /// Quick checks: the room's question, a student's own answer, the instructor's tally.
    Check(CheckEvent),
    /// The recorded lesson's note the instructor shows the class.
    Lesson(LessonEvent),
}

/// About this one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionEvent {
    /// The handshake succeeded; a `RoomEvent::Snapshot` follows immediately.
    Welcome(Welcome),
    /// Answer to `SessionMsg::Ping` with the same number.
    Pong(u32),
    /// Instructor only: every change up to and including this version is on disk and survives a
    /// server crash (focus changes are written in batches, so this trails the broadcast a little).
    Saved(StateVersion),
    /// The server is about to close this connection, and why.
    Closing(CloseReason),
}

/// Who the connection is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    /// The room joined.
    pub code: RoomCode,
    /// This member's id in the room.
    pub member: MemberId,
    /// Role and the secret to keep for reconnecting.
    pub credentials: Credentials,
}

/// The secret a member keeps to reconnect as itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Credentials {
    /// Instructor: the token that gives control (`Join::Instruct`); never sent to students.
    Instructor(InstructorToken),
    /// Student: the token to rejoin (`Join::Rejoin`) and the accepted display name.
    Student {
        /// Rejoin secret.
        resume: ResumeToken,
        /// The name as the server stored it (trimmed).
        name: String,
    },
}

/// Why the server closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseReason {
    /// The server is shutting down; reconnect in a moment.
    ServerShutdown,
    /// The instructor ended the lecture.
    RoomClosed,
    /// The room expired after being idle.
    RoomExpired,
    /// This connection fell too far behind; reconnect (with the resume token) to resync.
    TooSlow,
    /// The same member connected again elsewhere (another tab or device).
    Replaced,
    /// No answer to heartbeats.
    Timeout,
    /// The student left (`SessionMsg::Leave`).
    Left,
}

impl CloseReason {
    /// A sentence for the user saying what happened and what to do.
    pub fn explain(self) -> &'static str {
        match self {
            Self::ServerShutdown => {
                "The classroom server is shutting down; the page will reconnect when it is back."
            }
            Self::RoomClosed => "The instructor ended this lecture; you can keep exploring on your own.",
            Self::RoomExpired => "This room expired after being idle; ask the instructor for a new code.",
            Self::TooSlow => "Your connection fell behind the lecture; reconnecting will catch up.",
            Self::Replaced => "You opened this lecture in another tab or device; this one is now idle.",
            Self::Timeout => "The connection stopped answering; reconnecting will catch up.",
            Self::Left => "You left the lecture.",
        }
    }
}

/// A change of the room state, broadcast to every member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RoomEvent {
    /// The whole room state; first after `Welcome`, replaces everything the client had.
    Snapshot(Box<RoomSnapshot>),
    /// The instructor moved the focus.
    Focus {
        /// Version of this change.
        version: StateVersion,
        /// The new focus.
        focus: Focus,
    },
    /// The instructor changed the input image.
    Input {
        /// Version of this change.
        version: StateVersion,
        /// The new input with the server's prediction.
        input: Box<InputImage>,
    },
    /// The instructor brought everyone back: students return to the live focus.
    Recall {
        /// Version of this change.
        version: StateVersion,
        /// Running count of recalls (as in `RoomSnapshot::recall`).
        recall: u32,
    },
    /// The room was locked or unlocked against new students.
    Locked {
        /// Version of this change.
        version: StateVersion,
        /// Whether new students are refused.
        locked: bool,
    },
    /// The room switched network: every member loads it (from `/models/<hash>`), the focus is
    /// reset to a place that exists in it and the picture's prediction is the new network's.
    Model {
        /// Version of this change.
        version: StateVersion,
        /// The model, or `None` for the built-in Tiny VGG.
        model: Option<ModelInfo>,
        /// The focus, reset for the new network.
        focus: Focus,
        /// The current picture with the new network's prediction (if a picture was chosen).
        input: Option<Box<InputImage>>,
    },
}

/// Instructor-only roster information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RosterEvent {
    /// The full list of students (sent on join and, coalesced, after changes).
    Full(Vec<RosterEntry>),
}

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorMsg {
    /// What went wrong, for code to react to.
    pub kind: ErrorKind,
    /// A sentence for the user saying what to do.
    pub message: String,
}

/// Kinds of errors a client can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The client speaks another protocol version: reload the page. The connection is closed.
    VersionMismatch {
        /// The server's [`crate::PROTOCOL_VERSION`].
        server: u16,
        /// The version the client sent.
        client: u16,
    },
    /// The frame could not be decoded (or was text).
    Malformed,
    /// The frame or upload is over its size limit.
    TooLarge,
    /// This message is not allowed for this role or connection state (see `verify`).
    NotAllowed,
    /// No open room has this code.
    RoomNotFound,
    /// The room refuses new students.
    RoomLocked,
    /// The instructor or resume token does not match.
    BadToken,
    /// The display name was refused.
    BadName,
    /// The upload is not an image the server can read.
    BadImage,
    /// No sample image has this index.
    UnknownSample,
    /// The focus points outside the network (e.g. a layer that does not exist).
    BadFocus,
    /// The server failed (e.g. its disk); try again, and tell the operator if it persists.
    Internal,
    /// A question or an answer was refused (see `quick_check::CheckError`).
    BadCheck,
    /// A lesson's note was refused (see `lesson_note::NoteError`).
    BadNote,
    /// A change of model was refused (unknown model, see `model`).
    BadModel,
}
