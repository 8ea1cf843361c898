//! A joined member's session: snapshot, then changes, until the connection ends; and acting on
//! the member's messages (checked against the `verify` table first).

use std::pin::pin;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::Message;
use shared::codec::decode_client;
use shared::model::ModelHash;
use shared::verify::{ConnState, verify};
use shared::{
    CheckEvent, CheckMsg, ClientMsg, CloseReason, Control, ErrorKind, LessonMsg, Role, RosterEvent,
    ServerMsg, SessionEvent, SessionMsg, StudentMsg,
};
use tokio::time::{Instant, sleep_until};

use super::handshake::Membership;
use super::{Connection, End, codec_error_kind, error_msg};
use crate::inference::InferenceError;
use crate::rate_limit::wait_text;
use crate::room::{InputError, ModelSwitchError, QuickCheckError, Room};
use crate::room_model::RoomModel;

/// At most this many tallies per second reach the instructor (answers arriving faster are
/// counted together).
const TALLY_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// Bytes of a message that may sit unfinished without a deadline: a WebSocket frame header is at
/// most 14 bytes and the socket reads ahead at most one read buffer (512 bytes); anything past
/// that is a message that has started arriving.
const PARTIAL_SLACK_BYTES: u64 = 1024;

/// Largest header of one WebSocket frame (2 + 8 length + 4 mask).
const MAX_FRAME_HEADER_BYTES: u64 = 14;

/// Notices a WebSocket message that started arriving and never completes (a slow or fragmented
/// send), whatever pings and pongs say, from the bytes read against the messages delivered.
struct PartialMessage {
    /// Bytes explained by delivered messages (never more than were read).
    accounted: u64,
    /// Since when unexplained bytes have been waiting.
    since: Option<Instant>,
}

impl PartialMessage {
    fn delivered(&mut self, payload: usize, read: u64) {
        self.accounted = (self.accounted + payload as u64 + MAX_FRAME_HEADER_BYTES).min(read);
    }

    /// Whether a partial message has been waiting longer than `limit`.
    fn overdue(&mut self, read: u64, limit: std::time::Duration) -> bool {
        if read.saturating_sub(self.accounted) <= PARTIAL_SLACK_BYTES {
            self.since = None;
            return false;
        }
        let since = *self.since.get_or_insert_with(Instant::now);
        since.elapsed() > limit
    }
}

fn payload_len(message: &Message) -> usize {
    match message {
        Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => b.len(),
        Message::Text(t) => t.len(),
        Message::Close(_) => 0,
    }
}

impl Connection {
    /// Snapshot, then changes, until the connection ends.
    ///
    /// The loop waits on as few things as possible, because with thousands of students every
    /// wake-up of every connection counts: the room's published state (which also carries the
    /// server shutdown and the heartbeat pulse, see [`crate::published::Published`]), the kick,
    /// the socket, and for the instructor the save notices and the roster.
    pub(super) async fn session(&mut self, mut seat: Membership) -> End {
        let hub = self.hub.clone();
        let config = hub.config();
        let (heartbeat, roster_interval, message_timeout) =
            (config.heartbeat, config.roster_interval, config.message_timeout);
        let room = Arc::clone(seat.room());
        let instructor = seat.role == Role::Instructor;
        let mut published = room.subscribe();
        // Checked after subscribing: a shutdown that began earlier may have marked the rooms
        // before this one was created; a later one marks this room and wakes `published`.
        if hub.is_shutting_down() {
            return self.goodbye(CloseReason::ServerShutdown).await;
        }
        let (snapshot, after_snapshot, mut sent, mut pulse, closed) = {
            let state = published.borrow_and_update();
            let (snapshot, mut sent) = state.snapshot();
            // The quick-check question, if any: a late joiner lands in it.
            let after = state.unsent(&mut sent);
            (snapshot, after, sent, state.pulse, state.closed)
        };
        if let Some(reason) = closed {
            return self.goodbye(reason).await;
        }
        if let Err(end) = self.send(snapshot).await {
            return end;
        }
        for frame in after_snapshot.into_iter().flatten() {
            if let Err(end) = self.send(frame).await {
                return end;
            }
        }
        if !instructor && let Some((question, answer)) = room.answer_of(seat.member()) {
            // After a reload the student sees the answer it gave.
            let mine = ServerMsg::Check(CheckEvent::Mine { question, answer });
            if let Err(end) = self.send_msg(&mine).await {
                return end;
            }
        }
        let mut saved = room.subscribe_saved();
        let mut failures = room.subscribe_save_failures();
        let mut roster = room.subscribe_roster();
        let mut roster_due: Option<Instant> = None;
        let mut tally = room.subscribe_tally();
        let mut tally_due: Option<Instant> = None;
        if instructor {
            saved.mark_unchanged();
            failures.mark_unchanged();
            roster.mark_changed();
            tally.mark_changed();
        }
        let mut next_roster_at = Instant::now();
        // Armed only while a roster is due (instructor); one timer reused, not one per loop.
        let mut roster_timer = pin!(sleep_until(next_roster_at));
        let mut next_tally_at = Instant::now();
        let mut tally_timer = pin!(sleep_until(next_tally_at));
        let mut partial = PartialMessage {
            accounted: self.peer.meter.get(),
            since: None,
        };

        loop {
            let step = tokio::select! {
                biased;
                changed = published.changed() => match changed {
                    Ok(()) => Wake::Publish,
                    Err(_) => Wake::Close(CloseReason::RoomClosed),
                },
                reason = &mut seat.kicked => Wake::Close(reason.unwrap_or(CloseReason::Replaced)),
                Ok(()) = saved.changed(), if instructor => Wake::Saved,
                Ok(()) = failures.changed(), if instructor => Wake::SaveFailed,
                Ok(()) = roster.changed(), if instructor => Wake::RosterChanged,
                () = &mut roster_timer, if roster_due.is_some() => Wake::SendRoster,
                Ok(()) = tally.changed(), if instructor => Wake::TallyChanged,
                () = &mut tally_timer, if tally_due.is_some() => Wake::SendTally,
                message = self.socket.recv() => Wake::Received(message),
            };
            let result = match step {
                Wake::Close(reason) => return self.goodbye(reason).await,
                Wake::Publish => {
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
                        if partial.overdue(self.peer.meter.get(), message_timeout) {
                            tracing::debug!(code = %room.code(), "dropping a half-received message");
                            return self.goodbye(CloseReason::Timeout).await;
                        }
                        outcome = self.send_message(Message::Ping(Bytes::new())).await;
                    }
                    outcome
                }
                Wake::Saved => {
                    let version = *saved.borrow_and_update();
                    self.send_msg(&ServerMsg::Session(SessionEvent::Saved(version)))
                        .await
                }
                Wake::SaveFailed => {
                    let reason = failures.borrow_and_update().clone();
                    match reason {
                        Some(reason) => self.send_msg(&error_msg(ErrorKind::Internal, &*reason)).await,
                        None => Ok(()),
                    }
                }
                Wake::RosterChanged => {
                    // Coalesce: at most one roster per `roster_interval`.
                    if roster_due.is_none() {
                        roster_due = Some(next_roster_at);
                        roster_timer.as_mut().reset(next_roster_at);
                    }
                    // Who is connected counts in the tally's "not answered yet".
                    tally.mark_changed();
                    Ok(())
                }
                Wake::TallyChanged => {
                    tally.borrow_and_update();
                    // Coalesce: at most one tally per `TALLY_INTERVAL`.
                    if tally_due.is_none() {
                        tally_due = Some(next_tally_at);
                        tally_timer.as_mut().reset(next_tally_at);
                    }
                    Ok(())
                }
                Wake::SendTally => {
                    tally_due = None;
                    next_tally_at = Instant::now() + TALLY_INTERVAL;
                    match room.tally() {
                        Some(counts) => self.send_msg(&ServerMsg::Check(CheckEvent::Tally(counts))).await,
                        None => Ok(()),
                    }
                }
                Wake::SendRoster => {
                    roster_due = None;
                    next_roster_at = Instant::now() + roster_interval;
                    let entries = room.roster();
                    self.send_msg(&ServerMsg::Roster(RosterEvent::Full(entries)))
                        .await
                }
                Wake::Received(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return End::Gone,
                Wake::Received(Some(Ok(message))) => {
                    self.last_heard = Instant::now();
                    partial.delivered(payload_len(&message), self.peer.meter.get());
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
    async fn handle(&mut self, seat: &Membership, bytes: &[u8]) -> Result<(), End> {
        let msg = match decode_client(bytes) {
            Ok(msg) => msg,
            Err(e) => {
                return self
                    .send_msg(&error_msg(codec_error_kind(&e), e.to_string()))
                    .await;
            }
        };
        if let Err(refusal) = verify(ConnState::Member(seat.role), &msg) {
            tracing::debug!(code = %seat.room().code(), member = seat.member().0, %refusal, "refused");
            return self
                .send_msg(&error_msg(ErrorKind::NotAllowed, refusal.to_string()))
                .await;
        }
        let room = seat.room();
        let outcome: Result<(), ServerMsg> = match msg {
            ClientMsg::Hello(_) => Ok(()),
            ClientMsg::Control(control) => {
                room.touch();
                self.control(room, control).await
            }
            ClientMsg::Student(StudentMsg::SetMode(mode)) => {
                room.set_mode(seat.member(), mode);
                Ok(())
            }
            ClientMsg::Session(SessionMsg::Ping(nonce)) => {
                return self
                    .send_msg(&ServerMsg::Session(SessionEvent::Pong(nonce)))
                    .await;
            }
            ClientMsg::Check(check) => {
                room.touch();
                match self.quick_check(room, seat, check).await {
                    Ok(Some(reply)) => return self.send_msg(&reply).await,
                    Ok(None) => Ok(()),
                    Err(error) => Err(error),
                }
            }
            ClientMsg::Lesson(LessonMsg::ShowNote(note)) => {
                room.touch();
                self.show_note(room, note).await
            }
            ClientMsg::Session(SessionMsg::Leave) => match room.leave(seat.member()).await {
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
                room.set_focus(focus)
                    .await
                    .map_err(|message| error_msg(ErrorKind::BadFocus, message))?;
                Ok(())
            }
            Control::PickSample(index) => self.new_input(room, Picture::Sample(index)).await,
            Control::UploadImage(bytes) => {
                if let Err(wait) = self.hub.upload_limiter().try_take(room.code()) {
                    return Err(error_msg(
                        ErrorKind::NotAllowed,
                        format!(
                            "Too many pictures uploaded in a row; wait {} before the next one.",
                            wait_text(wait)
                        ),
                    ));
                }
                self.new_input(room, Picture::Upload(bytes)).await
            }
            Control::UseModel(hash) => self.use_model(room, hash).await,
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

impl Connection {
    /// Acts on a quick-check message (already checked against `verify`); a student's accepted
    /// answer is confirmed with `CheckEvent::Mine` once it is on disk.
    async fn quick_check(
        &mut self,
        room: &Arc<Room>,
        seat: &Membership,
        check: CheckMsg,
    ) -> Result<Option<ServerMsg>, ServerMsg> {
        let refused = |error: QuickCheckError| match error {
            QuickCheckError::Refused(reason) => error_msg(ErrorKind::BadCheck, reason.to_string()),
            QuickCheckError::Store(e) => error_msg(ErrorKind::Internal, e.to_string()),
        };
        match check {
            CheckMsg::Open { ask, correct } => {
                if let Err(wait) = self.hub.question_limiter().try_take(room.code()) {
                    return Err(error_msg(
                        ErrorKind::BadCheck,
                        format!(
                            "Too many questions in a row; wait {} before the next one.",
                            wait_text(wait)
                        ),
                    ));
                }
                if let shared::Ask::PredictClass { classes } = ask {
                    let count = room.model().network.class_names().len();
                    if usize::from(classes) != count {
                        return Err(error_msg(
                            ErrorKind::BadCheck,
                            format!(
                                "The room's network has {count} classes, not {classes}; reload the page \
                                 and ask again."
                            ),
                        ));
                    }
                }
                // The server's own prediction is the right answer to "which class?".
                let correct = match (ask, room.prediction()) {
                    (shared::Ask::PredictClass { .. }, Some(class)) => shared::Correct::Class(class),
                    (shared::Ask::PredictClass { .. }, None) => {
                        return Err(error_msg(
                            ErrorKind::BadCheck,
                            "Pick a picture first: the class to predict depends on it.",
                        ));
                    }
                    _ => correct,
                };
                room.open_question(ask, correct).await.map_err(refused)?;
                Ok(None)
            }
            CheckMsg::Reveal => room.reveal_question().await.map(|_| None).map_err(refused),
            CheckMsg::Dismiss => room.dismiss_question().await.map(|_| None).map_err(refused),
            CheckMsg::Answer { question, answer } => {
                let key = (room.code().clone(), seat.member());
                if let Err(wait) = self.hub.answer_limiter().try_take(&key) {
                    return Err(error_msg(
                        ErrorKind::BadCheck,
                        format!(
                            "Too many answers in a row; wait {} and answer again.",
                            wait_text(wait)
                        ),
                    ));
                }
                room.answer(seat.member(), question, answer)
                    .await
                    .map_err(refused)?;
                Ok(Some(ServerMsg::Check(CheckEvent::Mine {
                    question,
                    answer: Some(answer),
                })))
            }
        }
    }
}

impl Connection {
    /// Shows the class a lesson's note (already checked against `verify`): limited in size,
    /// characters and rate, saved, then published to every member.
    async fn show_note(&mut self, room: &Arc<Room>, note: String) -> Result<(), ServerMsg> {
        if let Err(wait) = self.hub.note_limiter().try_take(room.code()) {
            return Err(error_msg(
                ErrorKind::BadNote,
                format!(
                    "Too many lesson steps in a row; wait {} before the next one.",
                    wait_text(wait)
                ),
            ));
        }
        shared::lesson_note::check_note(&note).map_err(|e| error_msg(ErrorKind::BadNote, e.to_string()))?;
        room.set_note(note)
            .await
            .map(drop)
            .map_err(|e| error_msg(ErrorKind::Internal, e.to_string()))
    }
}

/// A picture the instructor chose.
enum Picture {
    Sample(u16),
    Upload(Vec<u8>),
}

impl Connection {
    /// Makes `picture` the room's input, predicted by the room's network (again, if the room
    /// switched network meanwhile).
    async fn new_input(&mut self, room: &Arc<Room>, picture: Picture) -> Result<(), ServerMsg> {
        let inference = Arc::clone(self.hub.inference());
        let mut attempts = 0;
        loop {
            let model = room.model();
            let input = match &picture {
                Picture::Sample(index) => inference.sample(*index, &model).await,
                Picture::Upload(bytes) => inference.upload(bytes.clone(), &model).await,
            }
            .map_err(inference_error)?;
            attempts += 1;
            match room.set_input(input, model.hash()).await {
                Ok(_) => return Ok(()),
                Err(InputError::StaleModel) if attempts < 3 => continue,
                Err(error) => return Err(error_msg(ErrorKind::Internal, error.to_string())),
            }
        }
    }

    /// Switches the room to the stored model `hash` (`None`: Tiny VGG); the model is read and
    /// checked off the async runtime if no room has it in memory.
    async fn use_model(&mut self, room: &Arc<Room>, hash: Option<ModelHash>) -> Result<(), ServerMsg> {
        let bad = |message: String| error_msg(ErrorKind::BadModel, message);
        let model = match hash {
            None => RoomModel::tiny_vgg(),
            Some(hash) => {
                let models = Arc::clone(self.hub.models());
                // A model not in memory is read and checked like an upload: one at a time.
                let _permit = self
                    .hub
                    .model_checks()
                    .acquire()
                    .await
                    .map_err(|e| error_msg(ErrorKind::Internal, e.to_string()))?;
                let (info, loaded) = tokio::task::spawn_blocking(move || models.get(&hash))
                    .await
                    .map_err(|e| error_msg(ErrorKind::Internal, e.to_string()))?
                    .map_err(|e| bad(e.to_string()))?;
                RoomModel::stored(info, loaded)
            }
        };
        let name = model
            .info
            .as_ref()
            .map_or("Tiny VGG".to_owned(), |i| i.name.clone());
        match room.set_model(model, self.hub.inference()).await {
            Ok(_) => {
                tracing::info!(code = %room.code(), model = %name, "room switched network");
                Ok(())
            }
            Err(error @ ModelSwitchError::QuestionOpen) => Err(bad(error.to_string())),
            Err(ModelSwitchError::Inference(error)) => Err(bad(format!(
                "The network cannot process the current picture ({error}); the room stays on its network."
            ))),
            Err(ModelSwitchError::Store(error)) => Err(error_msg(ErrorKind::Internal, error.to_string())),
        }
    }
}

fn inference_error(error: InferenceError) -> ServerMsg {
    let kind = match error {
        InferenceError::UnknownSample { .. } => ErrorKind::UnknownSample,
        InferenceError::TooLarge { .. } | InferenceError::OverBudget(_) => ErrorKind::TooLarge,
        InferenceError::BadImage(_) => ErrorKind::BadImage,
        InferenceError::Model(_) => ErrorKind::Internal,
    };
    error_msg(kind, error.to_string())
}

/// What woke the session loop.
enum Wake {
    Close(CloseReason),
    Publish,
    Saved,
    SaveFailed,
    RosterChanged,
    SendRoster,
    TallyChanged,
    SendTally,
    Received(Option<Result<Message, axum::Error>>),
}
