//! The handshake and who may do what: the `Hello` (version checked first), then creating a room
//! (instructor key or a per-address rate limit, and a cap on open rooms), taking back a room as
//! its instructor, joining or rejoining as a student (room cap, names told apart).
//!
//! Probing for rooms: an instructor link or a student's rejoin with a wrong code and with a
//! wrong token get the same answer, so they tell nothing (and their 128-bit tokens cannot be
//! guessed). Only joining by code and name reveals that a room exists, so those joins are
//! rate-limited per address once they fail: after the burst, every join by code from that
//! address waits, right or wrong, or the limit itself would be the oracle. Reconnects with a
//! token are never held up by it.

use std::sync::Arc;

use axum::extract::ws::Message;
use shared::codec::{decode_client, peek_hello_version};
use shared::verify::{ConnState, verify};
use shared::{
    ClientMsg, CloseReason, Credentials, ErrorKind, Hello, Join, MemberId, PROTOCOL_VERSION, Role, ServerMsg,
    SessionEvent, Welcome,
};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{Connection, End, codec_error_kind};
use crate::hub::CreateError;
use crate::rate_limit::wait_text;
use crate::room::{INSTRUCTOR_MEMBER, JoinError, Room, SeatGuard};

/// A joined member's place in its room, for the session.
pub(super) struct Membership {
    pub(super) role: Role,
    /// Frees the seat when dropped (also if the connection's task panics).
    pub(super) seat: SeatGuard,
    pub(super) kicked: oneshot::Receiver<CloseReason>,
}

impl Membership {
    pub(super) fn room(&self) -> &Arc<Room> {
        self.seat.room()
    }

    pub(super) fn member(&self) -> MemberId {
        self.seat.member()
    }
}

/// A refused join: the error kind and the sentence for the user.
type Refusal = (ErrorKind, String);

/// The one answer to a wrong code or a wrong token for an instructor link.
fn bad_instructor_link() -> Refusal {
    (
        ErrorKind::BadToken,
        "This instructor link does not match an open lecture; open the link you got when you \
         created the room, or create a new room."
            .into(),
    )
}

/// The one answer to a wrong code or a wrong token for a student's rejoin.
fn bad_rejoin() -> Refusal {
    (
        ErrorKind::BadToken,
        "Your place in this lecture is gone; join again with the code and your name.".into(),
    )
}

impl Connection {
    /// Waits for the `Hello` and joins; on refusal the client is told why and the socket closed.
    pub(super) async fn handshake(&mut self) -> Result<Membership, End> {
        let deadline = Instant::now() + self.hub.config().hello_timeout;
        let mut shutdown = self.hub.shutdown_signal();
        let bytes = loop {
            let message = tokio::select! {
                m = tokio::time::timeout_at(deadline, self.socket.recv()) => m,
                () = stopped(&mut shutdown) => {
                    return Err(self.goodbye(CloseReason::ServerShutdown).await);
                }
            };
            match message {
                Err(_) => {
                    let text = "No Hello arrived in time; reload the page to reconnect.".to_owned();
                    return Err(self.refuse(ErrorKind::Malformed, text).await);
                }
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return Err(End::Gone),
                Ok(Some(Ok(Message::Binary(bytes)))) => break bytes,
                Ok(Some(Ok(Message::Text(_)))) => {
                    let text = "The classroom protocol uses binary messages; reload the page.".to_owned();
                    return Err(self.refuse(ErrorKind::Malformed, text).await);
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            }
        };
        if let Some(version) = peek_hello_version(&bytes)
            && version != PROTOCOL_VERSION
        {
            let kind = ErrorKind::VersionMismatch {
                server: PROTOCOL_VERSION,
                client: version,
            };
            let text = format!(
                "This page is out of date (protocol {version}, server speaks {PROTOCOL_VERSION}); reload the page."
            );
            return Err(self.refuse(kind, text).await);
        }
        let msg = match decode_client(&bytes) {
            Ok(msg) => msg,
            Err(e) => return Err(self.refuse(codec_error_kind(&e), e.to_string()).await),
        };
        if let Err(refusal) = verify(ConnState::AwaitingHello, &msg) {
            return Err(self.refuse(ErrorKind::NotAllowed, refusal.to_string()).await);
        }
        let ClientMsg::Hello(Hello { join, .. }) = msg else {
            return Err(self.refuse(ErrorKind::NotAllowed, "Expected Hello.".into()).await);
        };
        if self.peer.instructor_only && !matches!(join, Join::Instruct { .. }) {
            // The server is nearly out of connections; the last places are for instructors.
            let text = "The classroom server is full right now; the page will try again in a moment.";
            return Err(self.refuse(ErrorKind::Internal, text.into()).await);
        }
        match self.join(join).await {
            Ok(membership) => Ok(membership),
            Err((kind, message)) => Err(self.refuse(kind, message).await),
        }
    }

    /// Refuses early when this address has used up its failed joins.
    fn check_failed_joins(&self) -> Result<(), Refusal> {
        self.hub
            .failed_join_limiter()
            .check(&self.peer.ip)
            .map_err(|wait| {
                (
                    ErrorKind::RoomNotFound,
                    format!(
                        "Too many wrong join codes from your address; wait {} and try again.",
                        wait_text(wait)
                    ),
                )
            })
    }

    /// Counts a failed join against this address and passes the refusal on.
    fn failed(&self, refusal: Refusal) -> Refusal {
        let _ = self.hub.failed_join_limiter().try_take(&self.peer.ip);
        refusal
    }

    async fn join(&mut self, join: Join) -> Result<Membership, Refusal> {
        let internal = |e: &dyn std::fmt::Display| (ErrorKind::Internal, e.to_string());
        let (room, role, member, credentials) = match join {
            Join::CreateRoom => {
                let room = self.create_room().await?;
                let token = room.instructor_token().clone();
                (
                    room,
                    Role::Instructor,
                    INSTRUCTOR_MEMBER,
                    Credentials::Instructor(token),
                )
            }
            Join::Instruct { code, token } => {
                let room = self
                    .hub
                    .room(&code)
                    .filter(|room| room.is_instructor_token(&token))
                    .ok_or_else(bad_instructor_link)?;
                (
                    room,
                    Role::Instructor,
                    INSTRUCTOR_MEMBER,
                    Credentials::Instructor(token),
                )
            }
            Join::Student { code, name } => {
                self.check_failed_joins()?;
                let room = self.hub.room(&code).ok_or_else(|| {
                    self.failed((
                        ErrorKind::RoomNotFound,
                        format!("No lecture with the code {code} is open; check the code on the projector."),
                    ))
                })?;
                let name =
                    shared::room::validate_name(&name).map_err(|e| (ErrorKind::BadName, e.to_string()))?;
                let max = self.hub.config().max_students_per_room;
                let (member, resume, name) = room.join_student(name, max).await.map_err(|e| match e {
                    JoinError::Locked | JoinError::Full { .. } => (ErrorKind::RoomLocked, e.to_string()),
                    JoinError::Store(e) => internal(&e),
                })?;
                (room, Role::Student, member, Credentials::Student { resume, name })
            }
            Join::Rejoin { code, resume } => {
                let (room, (member, name)) = self
                    .hub
                    .room(&code)
                    .and_then(|room| room.rejoin(&resume).map(|found| (room, found)))
                    .ok_or_else(bad_rejoin)?;
                (room, Role::Student, member, Credentials::Student { resume, name })
            }
        };
        let (seat, kicked) = match role {
            Role::Instructor => room.seat_instructor(),
            Role::Student => room.seat_student(member).ok_or_else(bad_rejoin)?,
        };
        let welcome = Welcome {
            code: room.code().clone(),
            member,
            credentials,
        };
        tracing::debug!(code = %room.code(), ?role, member = member.0, "joined");
        // A failed send ends the session at its first send; the seat is freed with `seat`.
        let _ = self
            .send_msg(&ServerMsg::Session(SessionEvent::Welcome(welcome)))
            .await;
        Ok(Membership { role, seat, kicked })
    }

    /// Creates a room if this client may: with the instructor key when one is configured,
    /// otherwise within the per-address creation rate.
    async fn create_room(&mut self) -> Result<Arc<Room>, Refusal> {
        if !self.peer.may_create {
            return Err((
                ErrorKind::NotAllowed,
                "Only the instructor can create a room on this server: open the instructor link \
                 the server printed when it started (it ends in /instructor?key=...), then try again."
                    .into(),
            ));
        }
        if self.hub.config().instructor_key.is_none()
            && let Err(wait) = self.hub.creation_limiter().try_take(&self.peer.ip)
        {
            return Err((
                ErrorKind::NotAllowed,
                format!(
                    "Too many rooms created from your address; wait {} and try again, or reuse a room you have.",
                    wait_text(wait)
                ),
            ));
        }
        self.hub.create_room().await.map_err(|e| match e {
            CreateError::TooManyRooms { .. } => (ErrorKind::NotAllowed, e.to_string()),
            CreateError::Store(e) => (ErrorKind::Internal, e.to_string()),
        })
    }
}

/// Completes once the server is shutting down (the guard `wait_for` returns is not `Send`).
async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
