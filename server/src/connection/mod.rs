//! One WebSocket connection: the handshake, then a single task that reads the client's messages
//! and sends room changes, the roster, save acknowledgements and heartbeats.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use shared::codec::{CodecError, decode_client, encode_server, peek_hello_version};
use shared::verify::{ConnState, verify};
use shared::{
    ClientMsg, CloseReason, Control, Credentials, ErrorKind, ErrorMsg, Hello, Join, MemberId,
    PROTOCOL_VERSION, Role, RosterEvent, ServerMsg, SessionEvent, SessionMsg, StudentMsg, Welcome,
};
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until, timeout};

use crate::hub::Hub;
use crate::inference::InferenceError;
use crate::room::{INSTRUCTOR_MEMBER, JoinError, Room};

/// WebSocket close codes (RFC 6455).
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;

/// How a connection ended (logged at the task boundary).
#[derive(Debug)]
enum End {
    /// The client closed or the socket broke.
    Gone,
    /// We closed it with a reason the client was told.
    Closed(CloseReason),
    /// The handshake was refused.
    Refused,
    /// A send did not complete within the send timeout.
    TooSlow,
}

fn error_msg(kind: ErrorKind, message: impl Into<String>) -> ServerMsg {
    ServerMsg::Error(ErrorMsg {
        kind,
        message: message.into(),
    })
}

fn codec_error_kind(error: &CodecError) -> ErrorKind {
    match error {
        CodecError::TooLarge { .. } => ErrorKind::TooLarge,
        CodecError::Malformed(_) => ErrorKind::Malformed,
    }
}

fn codec_error(error: &CodecError) -> ServerMsg {
    error_msg(codec_error_kind(error), error.to_string())
}

/// A joined member's place in its room.
struct Seat {
    room: Arc<Room>,
    role: Role,
    member: MemberId,
    conn: u64,
    kicked: oneshot::Receiver<CloseReason>,
}

struct Connection {
    socket: WebSocket,
    hub: Hub,
    last_heard: Instant,
}

/// Serves one upgraded WebSocket until it closes; never panics on what the client sends.
pub async fn serve(socket: WebSocket, hub: Hub) {
    let _counted = hub.track_connection();
    let mut conn = Connection {
        socket,
        hub,
        last_heard: Instant::now(),
    };
    let end = match conn.handshake().await {
        Ok(seat) => {
            let (room, member, connection_id) = (Arc::clone(&seat.room), seat.member, seat.conn);
            let end = conn.session(seat).await;
            room.unseat(member, connection_id);
            end
        }
        Err(end) => end,
    };
    tracing::debug!(?end, "connection ended");
}

impl Connection {
    async fn send(&mut self, frame: Bytes) -> Result<(), End> {
        self.send_message(Message::Binary(frame)).await
    }

    /// Sends one message, dropping the client if it takes longer than the send timeout. Almost
    /// every send completes at its first poll (the kernel buffer has room), so the timer is only
    /// armed for a send that has to wait: no timer per frame in the broadcast fan-out.
    async fn send_message(&mut self, message: Message) -> Result<(), End> {
        let limit = self.hub.config().send_timeout;
        let mut send = pin!(self.socket.send(message));
        let first = poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx))).await;
        let result = match first {
            Poll::Ready(result) => Ok(result),
            Poll::Pending => timeout(limit, send).await,
        };
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Gone),
            Err(_) => Err(End::TooSlow),
        }
    }

    async fn send_msg(&mut self, msg: &ServerMsg) -> Result<(), End> {
        self.send(Bytes::from(encode_server(msg))).await
    }

    /// Sends a last message and a close frame, best effort.
    async fn close_with(&mut self, last: &ServerMsg, code: u16, reason: &str) {
        if self.send_msg(last).await.is_ok() {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = timeout(
                Duration::from_secs(1),
                self.socket.send(Message::Close(Some(frame))),
            )
            .await;
        }
    }

    async fn refuse(&mut self, kind: ErrorKind, message: String) -> End {
        tracing::debug!(?kind, %message, "handshake refused");
        self.close_with(&error_msg(kind, message), CLOSE_POLICY, "handshake refused")
            .await;
        End::Refused
    }

    async fn goodbye(&mut self, reason: CloseReason) -> End {
        let code = match reason {
            CloseReason::ServerShutdown => CLOSE_GOING_AWAY,
            _ => CLOSE_NORMAL,
        };
        let msg = ServerMsg::Session(SessionEvent::Closing(reason));
        self.close_with(&msg, code, reason.explain()).await;
        End::Closed(reason)
    }

    /// Waits for the `Hello` and joins; on refusal the client is told why and the socket closed.
    async fn handshake(&mut self) -> Result<Seat, End> {
        let deadline = Instant::now() + self.hub.config().hello_timeout;
        let mut shutdown = self.hub.shutdown_signal();
        let bytes = loop {
            let message = tokio::select! {
                m = timeout_at(deadline, self.socket.recv()) => m,
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
        match self.join(join).await {
            Ok(seat) => Ok(seat),
            Err((kind, message)) => Err(self.refuse(kind, message).await),
        }
    }

    async fn join(&mut self, join: Join) -> Result<Seat, (ErrorKind, String)> {
        let not_found = |code: &shared::RoomCode| {
            (
                ErrorKind::RoomNotFound,
                format!("No lecture with the code {code} is open; check the code on the projector."),
            )
        };
        let internal = |e: &dyn std::fmt::Display| (ErrorKind::Internal, e.to_string());
        let (room, role, member, credentials) = match join {
            Join::CreateRoom => {
                let room = self.hub.create_room().await.map_err(|e| internal(&e))?;
                let token = room.instructor_token().clone();
                (
                    room,
                    Role::Instructor,
                    INSTRUCTOR_MEMBER,
                    Credentials::Instructor(token),
                )
            }
            Join::Instruct { code, token } => {
                let room = self.hub.room(&code).ok_or_else(|| not_found(&code))?;
                if !room.is_instructor_token(&token) {
                    return Err((
                        ErrorKind::BadToken,
                        "This instructor link is not valid for the room; open the link you got when you created it.".into(),
                    ));
                }
                (
                    room,
                    Role::Instructor,
                    INSTRUCTOR_MEMBER,
                    Credentials::Instructor(token),
                )
            }
            Join::Student { code, name } => {
                let room = self.hub.room(&code).ok_or_else(|| not_found(&code))?;
                let name =
                    shared::room::validate_name(&name).map_err(|e| (ErrorKind::BadName, e.to_string()))?;
                let (member, resume) = room.join_student(name.clone()).await.map_err(|e| match e {
                    JoinError::Locked => (ErrorKind::RoomLocked, e.to_string()),
                    JoinError::Store(e) => internal(&e),
                })?;
                (room, Role::Student, member, Credentials::Student { resume, name })
            }
            Join::Rejoin { code, resume } => {
                let room = self.hub.room(&code).ok_or_else(|| not_found(&code))?;
                let (member, name) = room.rejoin(&resume).ok_or((
                    ErrorKind::BadToken,
                    "Your place in this lecture is gone; join again with the code and your name.".to_owned(),
                ))?;
                (room, Role::Student, member, Credentials::Student { resume, name })
            }
        };
        let (conn, kicked) = match role {
            Role::Instructor => room.seat_instructor(),
            Role::Student => room.seat_student(member).ok_or((
                ErrorKind::BadToken,
                "Your place in this lecture is gone; join again.".to_owned(),
            ))?,
        };
        let welcome = Welcome {
            code: room.code().clone(),
            member,
            credentials,
        };
        tracing::debug!(code = %room.code(), ?role, member = member.0, "joined");
        let seat = Seat {
            room,
            role,
            member,
            conn,
            kicked,
        };
        // A failed send ends the session at its first send; the seat is released by the caller.
        let _ = self
            .send_msg(&ServerMsg::Session(SessionEvent::Welcome(welcome)))
            .await;
        Ok(seat)
    }

    /// Snapshot, then changes, until the connection ends.
    ///
    /// The loop waits on as few things as possible, because with thousands of students every
    /// wake-up of every connection counts: the room's published state (which also carries the
    /// server shutdown and the heartbeat pulse, see [`crate::published::Published`]), the kick, the socket, and
    /// for the instructor the save acknowledgements and the roster.
    async fn session(&mut self, mut seat: Seat) -> End {
        let hub = self.hub.clone();
        let (heartbeat, roster_interval) = (hub.config().heartbeat, hub.config().roster_interval);
        let room = Arc::clone(&seat.room);
        let instructor = seat.role == Role::Instructor;
        let mut published = room.subscribe();
        // Checked after subscribing: a shutdown that began earlier may have marked the rooms
        // before this one was created; a later one marks this room and wakes `published`.
        if hub.is_shutting_down() {
            return self.goodbye(CloseReason::ServerShutdown).await;
        }
        let (snapshot, mut sent, mut pulse, closed) = {
            let state = published.borrow_and_update();
            let (snapshot, sent) = state.snapshot();
            (snapshot, sent, state.pulse, state.closed)
        };
        if let Some(reason) = closed {
            return self.goodbye(reason).await;
        }
        if let Err(end) = self.send(snapshot).await {
            return end;
        }
        let mut saved = room.subscribe_saved();
        let mut roster = room.subscribe_roster();
        let mut roster_due: Option<Instant> = None;
        if instructor {
            saved.mark_unchanged();
            roster.mark_changed();
        }
        let mut next_roster_at = Instant::now();
        // Armed only while a roster is due (instructor); one timer reused, not one per loop.
        let mut roster_timer = pin!(sleep_until(next_roster_at));

        loop {
            let step = tokio::select! {
                biased;
                changed = published.changed() => match changed {
                    Ok(()) => Step::Publish,
                    Err(_) => Step::Close(CloseReason::RoomClosed),
                },
                reason = &mut seat.kicked => Step::Close(reason.unwrap_or(CloseReason::Replaced)),
                Ok(()) = saved.changed(), if instructor => Step::Saved,
                Ok(()) = roster.changed(), if instructor => Step::RosterChanged,
                () = &mut roster_timer, if roster_due.is_some() => Step::SendRoster,
                message = self.socket.recv() => Step::Received(message),
            };
            let result = match step {
                Step::Close(reason) => return self.goodbye(reason).await,
                Step::Publish => {
                    let (frames, closed, latest_pulse) = {
                        let state = published.borrow_and_update();
                        (state.unsent(&mut sent), state.closed, state.pulse)
                    };
                    if let Some(reason) = closed {
                        return self.goodbye(reason).await;
                    }
                    let mut outcome = Ok(());
                    for frame in frames.into_iter().flatten() {
                        outcome = self.send(frame).await;
                        if outcome.is_err() {
                            break;
                        }
                    }
                    if outcome.is_ok() && latest_pulse != pulse {
                        pulse = latest_pulse;
                        if self.last_heard.elapsed() > heartbeat * 2 {
                            return self.goodbye(CloseReason::Timeout).await;
                        }
                        outcome = self.send_message(Message::Ping(Bytes::new())).await;
                    }
                    outcome
                }
                Step::Saved => {
                    let version = *saved.borrow_and_update();
                    self.send_msg(&ServerMsg::Session(SessionEvent::Saved(version)))
                        .await
                }
                Step::RosterChanged => {
                    // Coalesce: at most one roster per `roster_interval`.
                    if roster_due.is_none() {
                        roster_due = Some(next_roster_at);
                        roster_timer.as_mut().reset(next_roster_at);
                    }
                    Ok(())
                }
                Step::SendRoster => {
                    roster_due = None;
                    next_roster_at = Instant::now() + roster_interval;
                    let entries = room.roster();
                    self.send_msg(&ServerMsg::Roster(RosterEvent::Full(entries)))
                        .await
                }
                Step::Received(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return End::Gone,
                Step::Received(Some(Ok(message))) => {
                    self.last_heard = Instant::now();
                    match message {
                        Message::Binary(bytes) => self.handle(&seat, &bytes).await,
                        Message::Text(_) => {
                            let msg = error_msg(
                                ErrorKind::Malformed,
                                "The classroom protocol uses binary messages; reload the page.",
                            );
                            self.send_msg(&msg).await
                        }
                        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Ok(()),
                    }
                }
            };
            match result {
                Ok(()) => {}
                Err(End::Closed(reason)) => return self.goodbye(reason).await,
                Err(end) => return end,
            }
        }
    }

    /// Acts on one binary frame from a joined member; errors are reported to the client.
    async fn handle(&mut self, seat: &Seat, bytes: &[u8]) -> Result<(), End> {
        let msg = match decode_client(bytes) {
            Ok(msg) => msg,
            Err(e) => return self.send_msg(&codec_error(&e)).await,
        };
        if let Err(refusal) = verify(ConnState::Member(seat.role), &msg) {
            tracing::debug!(code = %seat.room.code(), member = seat.member.0, %refusal, "refused");
            return self
                .send_msg(&error_msg(ErrorKind::NotAllowed, refusal.to_string()))
                .await;
        }
        let room = &seat.room;
        let outcome: Result<(), ServerMsg> = match msg {
            ClientMsg::Hello(_) => Ok(()),
            ClientMsg::Control(control) => {
                room.touch();
                self.control(room, control).await
            }
            ClientMsg::Student(StudentMsg::SetMode(mode)) => {
                room.set_mode(seat.member, mode);
                Ok(())
            }
            ClientMsg::Session(SessionMsg::Ping(nonce)) => {
                return self
                    .send_msg(&ServerMsg::Session(SessionEvent::Pong(nonce)))
                    .await;
            }
            ClientMsg::Session(SessionMsg::Leave) => match room.leave(seat.member).await {
                Ok(()) => return Err(End::Closed(CloseReason::Left)),
                Err(e) => Err(error_msg(ErrorKind::Internal, e.to_string())),
            },
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(error) => self.send_msg(&error).await,
        }
    }

    async fn control(&mut self, room: &Arc<Room>, control: Control) -> Result<(), ServerMsg> {
        let internal = |e: crate::store::StoreError| error_msg(ErrorKind::Internal, e.to_string());
        match control {
            Control::SetFocus(focus) => {
                let layers = self.hub.inference().layer_count();
                if usize::from(focus.layer) >= layers {
                    return Err(error_msg(
                        ErrorKind::BadFocus,
                        format!(
                            "The network has {layers} layers; layer {} does not exist.",
                            focus.layer
                        ),
                    ));
                }
                room.set_focus(focus).await;
                Ok(())
            }
            Control::PickSample(index) => {
                let input = self
                    .hub
                    .inference()
                    .sample(index)
                    .await
                    .map_err(inference_error)?;
                room.set_input(input).await.map(drop).map_err(internal)
            }
            Control::UploadImage(bytes) => {
                let input = self
                    .hub
                    .inference()
                    .upload(bytes)
                    .await
                    .map_err(inference_error)?;
                room.set_input(input).await.map(drop).map_err(internal)
            }
            Control::BringEveryoneBack => room.recall().await.map(drop).map_err(internal),
            Control::SetLocked(locked) => room.set_locked(locked).await.map(drop).map_err(internal),
            // Members (this connection included) learn of it through the room's published state.
            Control::CloseRoom => self
                .hub
                .close_room(room, CloseReason::RoomClosed)
                .await
                .map_err(internal),
        }
    }
}

fn inference_error(error: InferenceError) -> ServerMsg {
    let kind = match error {
        InferenceError::UnknownSample { .. } => ErrorKind::UnknownSample,
        InferenceError::TooLarge { .. } => ErrorKind::TooLarge,
        InferenceError::BadImage(_) => ErrorKind::BadImage,
        InferenceError::Model(_) => ErrorKind::Internal,
    };
    error_msg(kind, error.to_string())
}

/// Completes once the server is shutting down (the guard `wait_for` returns is not `Send`).
async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn timeout_at<F: std::future::Future>(deadline: Instant, future: F) -> Result<F::Output, ()> {
    tokio::time::timeout_at(deadline, future).await.map_err(drop)
}

/// What woke the session loop.
enum Step {
    Close(CloseReason),
    Publish,
    Saved,
    RosterChanged,
    SendRoster,
    Received(Option<Result<Message, axum::Error>>),
}
