//! The few protocol messages the load generator speaks, through the `shared` crate's codec (the
//! same bytes a browser sends and reads). Students decode each frame once; a focus update is a
//! few dozen bytes and decodes without allocating.

use anyhow::Context;
use shared::codec;
use shared::{
    ClientMsg, Control, Credentials, Focus, Hello, Join, PROTOCOL_VERSION, RoomCode, RoomEvent, ServerMsg,
    SessionEvent, View,
};

/// What a student makes of a server frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The room snapshot, sent after joining, with the focus step it holds.
    Snapshot {
        /// `Focus::step` in the snapshot.
        step: u32,
    },
    /// A focus change with its step.
    Focus {
        /// `Focus::step` of the new focus.
        step: u32,
    },
    /// A refusal or the server's closing notice, as a sentence.
    Refused(String),
    /// Anything else (welcome, pongs, other room events).
    Other,
}

/// What the instructor makes of a server frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomReply {
    /// The room was created with this join code.
    Created {
        /// Join code for students.
        code: String,
    },
    /// A refusal or the server's closing notice, as a sentence.
    Refused(String),
    /// Anything else.
    Other,
}

/// The instructor's handshake: create a room.
pub fn create_room_frame() -> Vec<u8> {
    codec::encode_client(&ClientMsg::Hello(Hello {
        version: PROTOCOL_VERSION,
        join: Join::CreateRoom,
    }))
}

/// A student's handshake: join room `code` as `name`.
pub fn student_join_frame(code: &str, name: &str) -> anyhow::Result<Vec<u8>> {
    let code =
        RoomCode::parse(code).with_context(|| format!("the server gave an invalid room code {code:?}"))?;
    let join = Join::Student {
        code,
        name: name.to_owned(),
    };
    Ok(codec::encode_client(&ClientMsg::Hello(Hello {
        version: PROTOCOL_VERSION,
        join,
    })))
}

/// The instructor's focus change number `step`: the convolution animation of the first layer at
/// position `step`, so every change is distinct and carries its own sequence number.
pub fn set_focus_frame(step: u32) -> Vec<u8> {
    let focus = Focus {
        view: View::Operation,
        layer: 0,
        neuron: 0,
        channel: 0,
        step,
        ..Focus::default()
    };
    codec::encode_client(&ClientMsg::Control(Control::SetFocus(focus)))
}

/// Classifies a frame a student received.
pub fn classify(frame: &[u8]) -> Incoming {
    match codec::decode_server(frame) {
        Ok(ServerMsg::Room(RoomEvent::Focus { focus, .. })) => Incoming::Focus { step: focus.step },
        Ok(ServerMsg::Room(RoomEvent::Snapshot(snapshot))) => Incoming::Snapshot {
            step: snapshot.focus.step,
        },
        Ok(ServerMsg::Error(error)) => Incoming::Refused(error.message),
        Ok(ServerMsg::Session(SessionEvent::Closing(reason))) => {
            Incoming::Refused(reason.explain().to_owned())
        }
        Ok(_) => Incoming::Other,
        Err(error) => Incoming::Refused(format!(
            "the server sent a frame this load generator cannot read: {error}"
        )),
    }
}

/// Classifies a frame the instructor received.
pub fn room_reply(frame: &[u8]) -> RoomReply {
    match codec::decode_server(frame) {
        Ok(ServerMsg::Session(SessionEvent::Welcome(welcome))) => match welcome.credentials {
            Credentials::Instructor(_) => RoomReply::Created {
                code: welcome.code.as_str().to_owned(),
            },
            Credentials::Student { .. } => {
                RoomReply::Refused("the server made the instructor a student".into())
            }
        },
        Ok(ServerMsg::Error(error)) => RoomReply::Refused(error.message),
        Ok(ServerMsg::Session(SessionEvent::Closing(reason))) => {
            RoomReply::Refused(reason.explain().to_owned())
        }
        Ok(_) => RoomReply::Other,
        Err(error) => RoomReply::Refused(format!(
            "the server sent a frame this load generator cannot read: {error}"
        )),
    }
}
