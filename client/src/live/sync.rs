//! This browser's view of a lecture as a pure state machine: user commands, socket events,
//! timer ticks and server messages in; app actions, bar events, outgoing messages and orders for
//! the socket shell ([`super::controller`]) out. No browser API is touched here, so every rule of
//! the live sync (versions per part, reconnects, rejoins, closing reasons) is tested natively.

use std::rc::Rc;

use shared::codec::decode_server;
use shared::{
    Answer, Ask, CheckEvent, CheckMsg, ClientMsg, CloseReason, Control, Correct, Credentials, ErrorKind,
    ErrorMsg, Focus, Hello, InputImage, InputSource, InstructorToken, Join, LessonEvent, LessonMsg, Mode,
    ModelHash, ModelInfo, PROTOCOL_VERSION, QuestionId, Role, RoomCode, RoomEvent, RoomSnapshot, RosterEvent,
    ServerMsg, SessionEvent, SessionMsg, StateVersion, StudentMsg, Welcome,
};

use super::backoff::Backoff;
use super::bmp::encode_bmp;
use super::lecture::LiveEvent;
use super::remote_input;
use super::saved_session::SavedSession;
use crate::state::{Action, Input, InputOrigin};

/// How often the shell should call [`LectureSync::on_heartbeat`]; each tick pings the server.
pub const HEARTBEAT_MS: u32 = 4_000;
/// A connection silent this long is treated as dead (Wi-Fi gone without a close) and replaced.
pub const SILENCE_LIMIT_MS: f64 = 15_000.0;

/// What the machine asks of the world, in the order it must happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Dispatch to the app's reducer.
    App(Action),
    /// Dispatch to the lecture bar's reducer.
    Bar(LiveEvent),
    /// Send on the open socket (dropped if it is not open: the next snapshot resyncs).
    Send(ClientMsg),
    /// Open a new socket to the classroom server (replacing any old one) and keep the heartbeat
    /// ticking while in the lecture.
    Open,
    /// Drop the socket; call [`LectureSync::on_retry_due`] after `delay_ms`.
    RetryAfter {
        /// Jittered backoff delay.
        delay_ms: u32,
    },
    /// Drop the socket, the retry and the heartbeat: this browser is no longer in a lecture.
    Close,
    /// Keep these credentials in `localStorage` for a reload.
    Remember(SavedSession),
    /// Show the room's network: download `/models/<hash>`, check its hash and contents, switch
    /// the app to it (`None`: the built-in Tiny VGG), then call
    /// [`LectureSync::on_model_shown`] (or [`LectureSync::on_model_failed`]).
    LoadModel(Option<ModelInfo>),
    /// Forget the saved credentials (the lecture is over for this browser).
    Forget,
}

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not in a lecture.
    Idle,
    /// A socket is being opened.
    Opening,
    /// The socket is open and `Hello` sent; waiting for `Welcome`.
    Handshaking,
    /// Welcomed; the snapshot has not arrived yet.
    Welcomed,
    /// The room's snapshot arrived on this connection: changes apply and local ones are pushed.
    Synced,
    /// The connection was lost; a retry is scheduled.
    WaitingToRetry,
}

impl Phase {
    /// A socket is open on which the server may talk.
    fn is_open(self) -> bool {
        matches!(self, Self::Handshaking | Self::Welcomed | Self::Synced)
    }
}

/// The version this browser has applied of each part of the room state. The server sends each
/// part with the version of the change that last set it, in a fixed order (input, locked,
/// focus, recall) rather than in version order, so only versions of the same part compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct PartVersions {
    input: Option<StateVersion>,
    locked: Option<StateVersion>,
    focus: Option<StateVersion>,
    recall: Option<StateVersion>,
    /// The quick-check question: never set by a snapshot (the question follows it as its own
    /// frame, with a version no newer than the snapshot's).
    question: Option<StateVersion>,
    /// The lesson note: like the question, its own frame after the snapshot.
    note: Option<StateVersion>,
}

impl PartVersions {
    /// After a snapshot: every part is as new as the snapshot (later changes are newer).
    fn all_at(version: StateVersion) -> Self {
        Self {
            input: Some(version),
            locked: Some(version),
            focus: Some(version),
            recall: Some(version),
            question: None,
            note: None,
        }
    }

    /// Whether a change of version `version` to the part whose seen version is `seen` is new;
    /// records it if so.
    fn accept(seen: &mut Option<StateVersion>, version: StateVersion) -> bool {
        if seen.is_some_and(|seen| version <= seen) {
            return false;
        }
        *seen = Some(version);
        true
    }
}

/// The lecture state of this page.
#[derive(Debug)]
pub struct LectureSync {
    /// A uniform random number in `[0, 1)` for the backoff jitter (the shell passes
    /// `Math.random`, tests a constant).
    random: fn() -> f64,
    phase: Phase,
    /// What the next `Hello` asks for; `None` when not in a lecture.
    join: Option<Join>,
    role: Option<Role>,
    backoff: Backoff,
    last_heard_ms: f64,
    pings: u32,
    seen: PartVersions,
    /// Instructor after a reload: the first snapshot replaces the (fresh) local state.
    adopt_snapshot: bool,
    /// Student: follow mode switched on for this lecture.
    attached: bool,
    /// Student: the room's recall count last seen, to catch a recall missed while away.
    recall: Option<u32>,
    live_input_hash: Option<[u8; 32]>,
    local_focus: Focus,
    local_input: Option<Input>,
    local_mode: Option<Mode>,
    sent_focus: Option<Focus>,
    sent_input: Option<[u8; 32]>,
    /// Instructor: the note of the lesson step shown here; `None` until this page shows a lesson
    /// (a reloaded instructor page leaves the room's note alone).
    local_note: Option<String>,
    sent_note: Option<String>,
    student_name: Option<String>,
    /// The room's network as last announced (`Some(None)`: Tiny VGG); `None` before a snapshot.
    room_model: Option<Option<ModelInfo>>,
    /// The network this page shows (`None`: Tiny VGG).
    shown_model: Option<ModelHash>,
    /// The network being loaded for the room, if any.
    loading_model: Option<Option<ModelHash>>,
    /// While the room's network loads, the room's newest focus and picture: they belong to that
    /// network, so they wait for it instead of showing in the old one.
    held_focus: Option<Focus>,
    held_input: Option<InputImage>,
    out: Vec<Effect>,
}

impl LectureSync {
    /// A page that is not in a lecture; `random` gives the reconnect jitter.
    pub fn new(random: fn() -> f64) -> Self {
        Self {
            random,
            phase: Phase::Idle,
            join: None,
            role: None,
            backoff: Backoff::default(),
            last_heard_ms: 0.0,
            pings: 0,
            seen: PartVersions::default(),
            adopt_snapshot: false,
            attached: false,
            recall: None,
            live_input_hash: None,
            local_focus: Focus::default(),
            local_input: None,
            local_mode: None,
            sent_focus: None,
            sent_input: None,
            local_note: None,
            sent_note: None,
            student_name: None,
            room_model: None,
            shown_model: None,
            loading_model: None,
            held_focus: None,
            held_input: None,
            out: Vec::new(),
        }
    }

    // ----- commands from the user -------------------------------------------------------

    /// Creates a new room with this browser as its instructor.
    pub fn start_lecture(&mut self) -> Vec<Effect> {
        self.begin(Role::Instructor, Join::CreateRoom, false);
        self.take()
    }

    /// Joins the room `code` as a student called `name`.
    pub fn join(&mut self, code: RoomCode, name: String) -> Vec<Effect> {
        self.student_name = Some(name.clone());
        self.begin(Role::Student, Join::Student { code, name }, false);
        self.take()
    }

    /// Comes back to the lecture this browser was in before a reload.
    pub fn resume(&mut self, saved: SavedSession) -> Vec<Effect> {
        match saved {
            SavedSession::Instructor { code, token } => {
                self.begin(Role::Instructor, Join::Instruct { code, token }, true)
            }
            SavedSession::Student { code, name, resume } => {
                self.student_name = Some(name.clone());
                let join = match resume {
                    Some(resume) => Join::Rejoin { code, resume },
                    None => Join::Student { code, name },
                };
                self.begin(Role::Student, join, false);
            }
        }
        self.take()
    }

    /// Leaves the lecture (a student gives up its seat, an instructor ends the room) and carries
    /// on self-paced with the same image.
    pub fn leave(&mut self) -> Vec<Effect> {
        let farewell = match self.role {
            Some(Role::Instructor) => ClientMsg::Control(Control::CloseRoom),
            _ => ClientMsg::Session(SessionMsg::Leave),
        };
        self.send(farewell);
        self.end(None, true);
        self.take()
    }

    /// Asks every exploring student to return to the live focus.
    pub fn bring_everyone_back(&mut self) -> Vec<Effect> {
        self.send(ClientMsg::Control(Control::BringEveryoneBack));
        self.take()
    }

    /// Locks (or unlocks) the room against new students.
    pub fn set_locked(&mut self, locked: bool) -> Vec<Effect> {
        self.send(ClientMsg::Control(Control::SetLocked(locked)));
        self.take()
    }

    /// Instructor: asks the class `ask`, whose right answer is `correct`.
    pub fn ask(&mut self, ask: Ask, correct: Correct) -> Vec<Effect> {
        self.send(ClientMsg::Check(CheckMsg::Open { ask, correct }));
        self.take()
    }

    /// Instructor: shows everyone the right answer and the counts.
    pub fn reveal_question(&mut self) -> Vec<Effect> {
        self.send(ClientMsg::Check(CheckMsg::Reveal));
        self.take()
    }

    /// Instructor: takes the question off every screen.
    pub fn dismiss_question(&mut self) -> Vec<Effect> {
        self.send(ClientMsg::Check(CheckMsg::Dismiss));
        self.take()
    }

    /// Student: answers question `question` (or changes the answer).
    pub fn answer(&mut self, question: QuestionId, answer: Answer) -> Vec<Effect> {
        if self.send(ClientMsg::Check(CheckMsg::Answer { question, answer })) {
            self.out.push(Effect::Bar(LiveEvent::Sending(answer)));
        }
        self.take()
    }

    /// The app's state changed: an instructor broadcasts its focus and input, a student reports
    /// whether it follows or explores.
    pub fn local_changed(&mut self, focus: Focus, input: Option<Input>, mode: Option<Mode>) -> Vec<Effect> {
        self.local_focus = focus;
        self.local_input = input;
        let mode_changed = self.local_mode != mode;
        self.local_mode = mode;
        match (self.role, self.phase) {
            (Some(Role::Instructor), Phase::Synced) => self.push_local(),
            (Some(Role::Student), Phase::Welcomed | Phase::Synced) if mode_changed => self.report_mode(),
            _ => {}
        }
        self.take()
    }

    /// Instructor: switches the class to a model the server stores (uploaded first, see
    /// `model_upload`), or back to Tiny VGG with `None`.
    pub fn use_model(&mut self, hash: Option<ModelHash>) -> Vec<Effect> {
        if (self.role, self.phase) == (Some(Role::Instructor), Phase::Synced) {
            self.send(ClientMsg::Control(Control::UseModel(hash)));
        }
        self.take()
    }

    /// The room's code and instructor token, once this page instructs a room.
    pub fn instructor_credentials(&self) -> Option<(RoomCode, InstructorToken)> {
        match &self.join {
            Some(Join::Instruct { code, token }) => Some((code.clone(), token.clone())),
            _ => None,
        }
    }

    /// The network the app now shows (after [`Effect::LoadModel`]): the focus and picture held
    /// for it apply now.
    pub fn on_model_shown(&mut self, hash: Option<ModelHash>) -> Vec<Effect> {
        self.shown_model = hash;
        if self.loading_model == Some(hash) {
            self.loading_model = None;
        }
        if !self.model_pending() {
            self.out.push(Effect::Bar(LiveEvent::Warning(None)));
            self.release_held();
        } else if let Some(model) = self.room_model.clone() {
            // The room moved on to another network while this one loaded.
            self.note_model(model);
        }
        self.take()
    }

    /// The room's network could not be shown (`reason`, a sentence); the lecture's focus keeps
    /// waiting for it, and the next snapshot (a reconnect or reload) tries again.
    pub fn on_model_failed(&mut self, hash: Option<ModelHash>, reason: String) -> Vec<Effect> {
        if self.loading_model == Some(hash) {
            self.loading_model = None;
        }
        self.out.push(Effect::Bar(LiveEvent::Warning(Some(reason))));
        self.take()
    }

    /// Whether `hash` is still the room's network (a slow download of an earlier one is dropped).
    pub fn wants_model(&self, hash: Option<ModelHash>) -> bool {
        self.room_model_hash() == Some(hash)
    }

    /// Instructor: the lesson step shown here has this note (`None`: no lesson open); the class
    /// sees it beside the same view. Closing the lesson takes the note away.
    pub fn note_changed(&mut self, note: Option<String>) -> Vec<Effect> {
        match note {
            Some(note) => self.local_note = Some(note),
            None if self.local_note.is_some() => self.local_note = Some(String::new()),
            None => {}
        }
        if (self.role, self.phase) == (Some(Role::Instructor), Phase::Synced) {
            self.push_note();
        }
        self.take()
    }

    // ----- the socket and the timers ----------------------------------------------------

    /// The socket opened at `now_ms`: say hello.
    pub fn on_open(&mut self, now_ms: f64) -> Vec<Effect> {
        if self.phase == Phase::Opening
            && let Some(join) = self.join.clone()
        {
            self.phase = Phase::Handshaking;
            self.last_heard_ms = now_ms;
            self.send(ClientMsg::Hello(Hello {
                version: PROTOCOL_VERSION,
                join,
            }));
        }
        self.take()
    }

    /// One binary frame arrived at `now_ms`.
    pub fn on_frame(&mut self, bytes: &[u8], now_ms: f64) -> Vec<Effect> {
        match decode_server(bytes) {
            Ok(msg) => self.on_message(msg, now_ms),
            Err(error) => {
                self.last_heard_ms = now_ms;
                // A frame we cannot read means the server runs another build: say so.
                self.out
                    .push(Effect::Bar(LiveEvent::Error(Some(error.to_string()))));
                self.take()
            }
        }
    }

    /// The socket closed, or could not be opened.
    pub fn on_closed(&mut self) -> Vec<Effect> {
        if matches!(self.phase, Phase::Opening) || self.phase.is_open() {
            self.schedule_reconnect();
        }
        self.take()
    }

    /// The heartbeat timer fired at `now_ms`: ping, or replace a connection gone silent.
    pub fn on_heartbeat(&mut self, now_ms: f64) -> Vec<Effect> {
        if self.phase.is_open() {
            if now_ms - self.last_heard_ms > SILENCE_LIMIT_MS {
                self.schedule_reconnect();
            } else {
                self.pings = self.pings.wrapping_add(1);
                self.send(ClientMsg::Session(SessionMsg::Ping(self.pings)));
            }
        }
        self.take()
    }

    /// The backoff delay of [`Effect::RetryAfter`] is over: connect again.
    pub fn on_retry_due(&mut self) -> Vec<Effect> {
        if self.phase == Phase::WaitingToRetry && self.join.is_some() {
            self.phase = Phase::Opening;
            self.out.push(Effect::Open);
        }
        self.take()
    }

    // ----- server messages ----------------------------------------------------------------

    /// A message from the server arrived at `now_ms`.
    pub fn on_message(&mut self, msg: ServerMsg, now_ms: f64) -> Vec<Effect> {
        if self.phase.is_open() {
            self.last_heard_ms = now_ms;
            match msg {
                ServerMsg::Session(SessionEvent::Welcome(welcome)) => self.on_welcome(welcome),
                ServerMsg::Session(SessionEvent::Closing(reason)) => self.on_closing(reason),
                ServerMsg::Session(SessionEvent::Pong(_) | SessionEvent::Saved(_)) => {}
                ServerMsg::Room(event) => self.on_room(event),
                ServerMsg::Roster(RosterEvent::Full(roster)) => {
                    self.out.push(Effect::Bar(LiveEvent::Roster(roster)))
                }
                ServerMsg::Error(error) => self.on_error(error),
                ServerMsg::Check(event) => self.on_check(event),
                ServerMsg::Lesson(LessonEvent::Note { version, note }) => {
                    if PartVersions::accept(&mut self.seen.note, version) {
                        self.out.push(Effect::Bar(LiveEvent::Note(note)));
                    }
                }
            }
        }
        self.take()
    }

    fn on_check(&mut self, event: CheckEvent) {
        match event {
            CheckEvent::Question { version, question } => {
                if PartVersions::accept(&mut self.seen.question, version) {
                    self.out
                        .push(Effect::Bar(LiveEvent::Question(question.map(|q| *q))));
                }
            }
            CheckEvent::Mine { question, answer } => {
                self.out.push(Effect::Bar(LiveEvent::Mine(question, answer)))
            }
            CheckEvent::Tally(tally) => self.out.push(Effect::Bar(LiveEvent::Tally(tally))),
        }
    }

    fn on_welcome(&mut self, welcome: Welcome) {
        self.phase = Phase::Welcomed;
        self.backoff.reset();
        let Welcome {
            code, credentials, ..
        } = welcome;
        let (saved, join, name) = match credentials {
            Credentials::Instructor(token) => (
                SavedSession::Instructor {
                    code: code.clone(),
                    token: token.clone(),
                },
                Join::Instruct {
                    code: code.clone(),
                    token,
                },
                None,
            ),
            Credentials::Student { resume, name } => (
                SavedSession::Student {
                    code: code.clone(),
                    name: name.clone(),
                    resume: Some(resume.clone()),
                },
                Join::Rejoin {
                    code: code.clone(),
                    resume,
                },
                Some(name),
            ),
        };
        self.out.push(Effect::Remember(saved));
        if self.role == Some(Role::Instructor) {
            self.out.push(Effect::App(Action::SetInstructing(true)));
        }
        let created = matches!(self.join, Some(Join::CreateRoom));
        // Every reconnect from now on comes back as this very member.
        self.join = Some(join);
        self.student_name = name.clone();
        self.out
            .push(Effect::Bar(LiveEvent::Welcomed { code, name, created }));
        self.out.push(Effect::Bar(LiveEvent::Error(None)));
        if self.role == Some(Role::Student) && self.attached {
            self.report_mode();
        }
    }

    fn on_closing(&mut self, reason: CloseReason) {
        match reason {
            // The connection closes next; the reconnect catches up.
            CloseReason::ServerShutdown | CloseReason::TooSlow | CloseReason::Timeout => {}
            CloseReason::RoomClosed | CloseReason::RoomExpired | CloseReason::Left => {
                self.end(Some(reason.explain().to_owned()), true)
            }
            // Another tab took over this seat: stay quiet instead of fighting it for the seat.
            CloseReason::Replaced => self.end(Some(reason.explain().to_owned()), false),
        }
    }

    fn on_error(&mut self, error: ErrorMsg) {
        if matches!(self.phase, Phase::Welcomed | Phase::Synced) {
            // A refused request (e.g. an unreadable upload); the lecture goes on.
            self.out.push(Effect::Bar(LiveEvent::Error(Some(error.message))));
            return;
        }
        match (error.kind, self.join.clone(), self.student_name.clone()) {
            // The seat is gone (e.g. the student left in another tab): join again by name.
            (ErrorKind::BadToken, Some(Join::Rejoin { code, .. }), Some(name)) => {
                self.join = Some(Join::Student { code, name });
            }
            (
                ErrorKind::VersionMismatch { .. }
                | ErrorKind::RoomNotFound
                | ErrorKind::RoomLocked
                | ErrorKind::BadToken
                | ErrorKind::BadName,
                _,
                _,
            ) => self.end(Some(error.message), true),
            // Anything else during the handshake: retry like a dropped connection.
            _ => self.out.push(Effect::Bar(LiveEvent::Error(Some(error.message)))),
        }
    }

    fn on_room(&mut self, event: RoomEvent) {
        let student = self.role == Some(Role::Student);
        match event {
            RoomEvent::Snapshot(snapshot) => {
                self.seen = PartVersions::all_at(snapshot.version);
                // The question, if there is one, follows the snapshot in its own frame.
                self.out.push(Effect::Bar(LiveEvent::Question(None)));
                // So does the lesson note.
                self.out.push(Effect::Bar(LiveEvent::Note(String::new())));
                self.on_snapshot(*snapshot);
            }
            RoomEvent::Input { version, input } => {
                if PartVersions::accept(&mut self.seen.input, version) && student {
                    self.accept_input(&input);
                }
            }
            RoomEvent::Model {
                version,
                model,
                focus,
                input,
            } => {
                let focus_is_new = PartVersions::accept(&mut self.seen.focus, version);
                let input_is_new = PartVersions::accept(&mut self.seen.input, version);
                self.note_model(model);
                if student {
                    if focus_is_new {
                        self.remote_focus(focus);
                    }
                    if let Some(input) = input.filter(|_| input_is_new) {
                        self.accept_input(&input);
                    }
                } else if focus_is_new {
                    // The server reset the focus for the new network: the instructor adopts it
                    // once the network shows here.
                    self.held_focus = Some(focus);
                    self.sent_focus = Some(focus);
                    if !self.model_pending() {
                        self.release_held();
                    }
                }
            }
            RoomEvent::Locked { version, locked } => {
                if PartVersions::accept(&mut self.seen.locked, version) {
                    self.out.push(Effect::Bar(LiveEvent::Locked(locked)));
                }
            }
            RoomEvent::Focus { version, focus } => {
                if PartVersions::accept(&mut self.seen.focus, version) && student {
                    self.remote_focus(focus);
                }
            }
            RoomEvent::Recall { version, recall } => {
                if PartVersions::accept(&mut self.seen.recall, version) && student {
                    self.recall = Some(recall);
                    self.out.push(Effect::App(Action::ReturnToLive));
                }
            }
        }
    }

    fn on_snapshot(&mut self, snapshot: RoomSnapshot) {
        self.phase = Phase::Synced;
        self.out.push(Effect::Bar(LiveEvent::Locked(snapshot.locked)));
        // A download that failed earlier is tried again with every snapshot.
        if self.model_pending() {
            self.loading_model = None;
        }
        self.note_model(snapshot.model.clone());
        match self.role {
            Some(Role::Student) => {
                if !self.attached {
                    self.attached = true;
                    self.out
                        .push(Effect::App(Action::SetLectureMode(Some(Mode::Following))));
                    // Reported here, so the app's echo of the new mode is no change to report.
                    self.local_mode = Some(Mode::Following);
                    self.report_mode();
                }
                self.remote_focus(snapshot.focus);
                if let Some(input) = &snapshot.input
                    && self.live_input_hash != Some(input.hash)
                {
                    self.accept_input(input);
                }
                // A recall made while this student was disconnected still applies.
                if self.recall.is_some_and(|seen| snapshot.recall > seen) {
                    self.out.push(Effect::App(Action::ReturnToLive));
                }
                self.recall = Some(snapshot.recall);
            }
            Some(Role::Instructor) => {
                self.sent_focus = Some(snapshot.focus);
                self.sent_input = snapshot.input.as_ref().map(|input| input.hash);
                // Unknown until the note frame that follows: pushed again after a reconnect.
                self.sent_note = None;
                if self.model_pending() {
                    // The room is on another network than this page (a reload, or a restart
                    // that fell back to Tiny VGG): the room's focus waits for it.
                    self.adopt_snapshot = false;
                    self.held_focus = Some(snapshot.focus);
                } else if std::mem::take(&mut self.adopt_snapshot) {
                    self.adopt(snapshot);
                } else {
                    // A new room, or a reconnect: what the instructor shows now is the truth.
                    self.push_local();
                }
            }
            None => {}
        }
    }

    /// After a reload the room is the truth: the lecture carries on where it was.
    fn adopt(&mut self, snapshot: RoomSnapshot) {
        self.local_focus = snapshot.focus;
        self.out.push(Effect::App(Action::Navigate(snapshot.focus)));
        if let Some(input) = snapshot.input
            && let Ok(image) = remote_input::canonical(&input)
        {
            let origin = match input.source {
                InputSource::Sample(index) => InputOrigin::Sample(usize::from(index)),
                InputSource::Upload => InputOrigin::Live,
            };
            let input = Input {
                image: Rc::new(image),
                origin,
            };
            self.local_input = Some(input.clone());
            self.out.push(Effect::App(Action::SetInput(input)));
        }
    }

    fn accept_input(&mut self, input: &InputImage) {
        self.live_input_hash = Some(input.hash);
        if self.model_pending() {
            self.held_input = Some(input.clone());
            return;
        }
        match remote_input::check(input) {
            Ok((image, warning)) => {
                self.out.push(Effect::Bar(LiveEvent::Warning(warning)));
                self.out.push(Effect::App(Action::RemoteInput(image)));
            }
            Err(warning) => self.out.push(Effect::Bar(LiveEvent::Warning(Some(warning)))),
        }
    }

    // ----- helpers ------------------------------------------------------------------------

    fn room_model_hash(&self) -> Option<Option<ModelHash>> {
        self.room_model
            .as_ref()
            .map(|model| model.as_ref().map(|info| info.hash))
    }

    /// Whether the room's network is not the one shown here yet.
    fn model_pending(&self) -> bool {
        self.room_model_hash()
            .is_some_and(|room| room != self.shown_model)
    }

    /// Records the room's network; asks for it to be loaded if it is not shown or loading.
    fn note_model(&mut self, model: Option<ModelInfo>) {
        let hash = model.as_ref().map(|info| info.hash);
        self.room_model = Some(model.clone());
        if hash == self.shown_model || self.loading_model == Some(hash) {
            return;
        }
        self.loading_model = Some(hash);
        if let Some(info) = &model {
            self.out.push(Effect::Bar(LiveEvent::Warning(Some(format!(
                "Loading the lecture's network “{}” ({} KB)…",
                info.name,
                info.bytes.div_ceil(1024)
            )))));
        }
        self.out.push(Effect::LoadModel(model));
    }

    /// A student follows the room's focus, once the room's network shows here.
    fn remote_focus(&mut self, focus: Focus) {
        if self.model_pending() {
            self.held_focus = Some(focus);
        } else {
            self.out.push(Effect::App(Action::Remote { focus }));
        }
    }

    /// Applies what waited for the room's network.
    fn release_held(&mut self) {
        let (focus, input) = (self.held_focus.take(), self.held_input.take());
        match self.role {
            Some(Role::Student) => {
                if let Some(focus) = focus {
                    self.out.push(Effect::App(Action::Remote { focus }));
                }
                if let Some(input) = input {
                    self.accept_input(&input);
                }
            }
            Some(Role::Instructor) => {
                if let Some(focus) = focus {
                    self.local_focus = focus;
                    self.sent_focus = Some(focus);
                    self.out.push(Effect::App(Action::Navigate(focus)));
                }
            }
            None => {}
        }
    }

    fn begin(&mut self, role: Role, join: Join, adopt_snapshot: bool) {
        self.end(None, false);
        // The shell shows Tiny VGG when a lecture begins.
        self.shown_model = None;
        self.role = Some(role);
        self.join = Some(join);
        self.adopt_snapshot = adopt_snapshot;
        self.phase = Phase::Opening;
        self.out.push(Effect::Bar(LiveEvent::Begin(role)));
        self.out.push(Effect::Open);
    }

    /// Stops everything; `notice` says why (shown on the bar), `detach` forgets the saved
    /// credentials so a reload does not come back.
    fn end(&mut self, notice: Option<String>, detach: bool) {
        let was_in_lecture = self.join.is_some();
        self.join = None;
        self.phase = Phase::Idle;
        self.backoff.reset();
        self.seen = PartVersions::default();
        self.attached = false;
        self.recall = None;
        self.live_input_hash = None;
        self.sent_focus = None;
        self.sent_input = None;
        self.local_note = None;
        self.sent_note = None;
        // The page keeps showing the room's network (`shown_model`) after it leaves.
        self.room_model = None;
        self.loading_model = None;
        self.held_focus = None;
        self.held_input = None;
        if was_in_lecture {
            self.out.push(Effect::Close);
            if detach {
                self.out.push(Effect::Forget);
            }
            match self.role {
                Some(Role::Student) => self.out.push(Effect::App(Action::SetLectureMode(None))),
                Some(Role::Instructor) => self.out.push(Effect::App(Action::SetInstructing(false))),
                None => {}
            }
            self.out.push(Effect::Bar(LiveEvent::Ended(notice)));
        }
        self.role = None;
    }

    fn schedule_reconnect(&mut self) {
        self.phase = Phase::WaitingToRetry;
        let delay_ms = self.backoff.next_delay_ms((self.random)());
        self.out.push(Effect::RetryAfter { delay_ms });
        self.out.push(Effect::Bar(LiveEvent::Reconnecting {
            failures: self.backoff.failures(),
        }));
    }

    /// Sends `msg` if a socket is open; otherwise the next snapshot resyncs.
    fn send(&mut self, msg: ClientMsg) -> bool {
        let open = self.phase.is_open();
        if open {
            self.out.push(Effect::Send(msg));
        }
        open
    }

    fn push_note(&mut self) {
        if let Some(note) = self.local_note.clone()
            && self.sent_note.as_ref() != Some(&note)
            && self.send(ClientMsg::Lesson(LessonMsg::ShowNote(note.clone())))
        {
            self.sent_note = Some(note);
        }
    }

    fn push_local(&mut self) {
        if self.model_pending() {
            // The instructor's screen shows another network than the room: nothing of it applies.
            return;
        }
        self.push_note();
        if self.sent_focus != Some(self.local_focus) {
            let focus = self.local_focus;
            if self.send(ClientMsg::Control(Control::SetFocus(focus))) {
                self.sent_focus = Some(focus);
            }
        }
        let Some(input) = self.local_input.clone() else {
            return;
        };
        let hash = input.image.hash();
        if self.sent_input == Some(hash) {
            return;
        }
        let control = match input.origin {
            InputOrigin::Sample(index) => match u16::try_from(index) {
                Ok(index) => Control::PickSample(index),
                Err(_) => return,
            },
            _ => Control::UploadImage(encode_bmp(&input.image.rgb, input.image.side)),
        };
        if self.send(ClientMsg::Control(control)) {
            self.sent_input = Some(hash);
        }
    }

    fn report_mode(&mut self) {
        if let Some(mode) = self.local_mode {
            self.send(ClientMsg::Student(StudentMsg::SetMode(mode)));
        }
    }

    fn take(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    //! The machine driven like the page drives it: its effects applied to the real app reducer
    //! and the real bar reducer, the app's changes fed back as the bar component does, and the
    //! server's frames encoded and decoded with the real codec. Frames come in the order and
    //! with the versions `server/src/published.rs` (`Published::unsent`) produces: after the
    //! snapshot, the parts a member has not seen, each with the version of the change that last
    //! set it, in the fixed order input, locked, focus, recall.

    use shared::codec::encode_server;
    use shared::{InstructorToken, MemberId, Prediction, ResumeToken, View};

    use super::*;
    use crate::live::lecture::{ConnectionStatus, Lecture, LiveView};
    use crate::state::{AppState, CanonicalImage};

    const SIDE: u16 = 64;

    fn code() -> RoomCode {
        RoomCode::parse("KXMRTW").unwrap()
    }

    fn v(seq: u64) -> StateVersion {
        StateVersion { epoch: 1, seq }
    }

    fn resume_token() -> ResumeToken {
        ResumeToken([9; 16])
    }

    fn focus_on(layer: u16, neuron: u16) -> Focus {
        Focus {
            view: View::Neuron,
            layer,
            neuron,
            ..Focus::default()
        }
    }

    /// A 64×64 picture, different for every `seed`.
    fn picture(seed: u8) -> CanonicalImage {
        let rgb = (0..usize::from(SIDE) * usize::from(SIDE) * 3)
            .map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed))
            .collect();
        CanonicalImage::new(rgb, u32::from(SIDE)).unwrap()
    }

    /// The server's message for `picture(seed)`: its hash and prediction computed as the server
    /// computes them (the same `models` code, natively).
    fn input_image(seed: u8) -> InputImage {
        let image = picture(seed);
        let trace = crate::model::builtin().forward(&image.to_tensor()).unwrap();
        InputImage {
            source: InputSource::Upload,
            side: SIDE,
            hash: image.hash(),
            prediction: Prediction {
                class: trace.predicted_class() as u16,
                probabilities: Vec::new(),
                layer_sums: trace.layer_sums(),
            },
            rgb: image.rgb,
        }
    }

    fn snapshot(version: StateVersion, focus: Focus, input: Option<InputImage>, recall: u32) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Snapshot(Box::new(RoomSnapshot {
            code: code(),
            version,
            focus,
            input,
            locked: false,
            recall,
            model: None,
        })))
    }

    fn focus_event(version: StateVersion, focus: Focus) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Focus { version, focus })
    }

    fn input_event(version: StateVersion, seed: u8) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Input {
            version,
            input: Box::new(input_image(seed)),
        })
    }

    fn recall_event(version: StateVersion, recall: u32) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Recall { version, recall })
    }

    fn locked_event(version: StateVersion, locked: bool) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Locked { version, locked })
    }

    fn student_welcome(name: &str) -> ServerMsg {
        ServerMsg::Session(SessionEvent::Welcome(Welcome {
            code: code(),
            member: MemberId(1),
            credentials: Credentials::Student {
                resume: resume_token(),
                name: name.to_owned(),
            },
        }))
    }

    fn instructor_welcome() -> ServerMsg {
        ServerMsg::Session(SessionEvent::Welcome(Welcome {
            code: code(),
            member: MemberId(0),
            credentials: Credentials::Instructor(InstructorToken([7; 16])),
        }))
    }

    fn error(kind: ErrorKind) -> ServerMsg {
        ServerMsg::Error(ErrorMsg {
            kind,
            message: format!("refused: {kind:?}"),
        })
    }

    /// The page's socket as the shell would hold it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Socket {
        None,
        Opening,
        Open,
    }

    /// One browser tab: the machine, the reducers it drives, and what reached the wire.
    struct Page {
        sync: LectureSync,
        app: AppState,
        bar: LiveView,
        socket: Socket,
        retry_ms: Option<u32>,
        saved: Option<SavedSession>,
        sent: Vec<ClientMsg>,
        now: f64,
        /// What the bar component last fed to `local_changed`.
        fed: Option<(Focus, Option<Input>, Option<Mode>)>,
        /// Every network the machine asked the shell to load.
        loads: Vec<Option<ModelInfo>>,
    }

    impl Page {
        fn new() -> Self {
            let mut page = Self {
                sync: LectureSync::new(|| 0.5),
                app: AppState::with_input(picture(1), InputOrigin::Sample(0)),
                bar: LiveView::default(),
                socket: Socket::None,
                retry_ms: None,
                saved: None,
                sent: Vec::new(),
                now: 1_000.0,
                fed: None,
                loads: Vec::new(),
            };
            page.feed_local();
            page
        }

        fn apply(&mut self, effects: Vec<Effect>) {
            for effect in effects {
                match effect {
                    Effect::App(action) => self.app = self.app.apply(action),
                    Effect::Bar(event) => self.bar = self.bar.apply(event),
                    Effect::Send(msg) => {
                        assert_eq!(self.socket, Socket::Open, "sent {msg:?} without an open socket");
                        self.sent.push(msg);
                    }
                    Effect::Open => {
                        self.socket = Socket::Opening;
                        self.retry_ms = None;
                    }
                    Effect::RetryAfter { delay_ms } => {
                        self.socket = Socket::None;
                        self.retry_ms = Some(delay_ms);
                    }
                    Effect::Close => {
                        self.socket = Socket::None;
                        self.retry_ms = None;
                    }
                    Effect::Remember(saved) => self.saved = Some(saved),
                    Effect::Forget => self.saved = None,
                    Effect::LoadModel(model) => self.loads.push(model),
                }
            }
            self.feed_local();
        }

        /// The shell's download of a room's network finishes (`LoadModel` was asked for it):
        /// the app switches to it, then the machine hears it shows.
        fn model_arrives(&mut self, info: Option<&ModelInfo>) {
            let requested = self.loads.iter().any(|load| load.as_ref() == info);
            assert!(requested, "the page never asked for {info:?}");
            let hash = info.map(|info| info.hash);
            assert!(
                self.sync.wants_model(hash),
                "{info:?} is no longer the room's network"
            );
            let generation = match info {
                Some(_) => crate::model::set_network(crate::test_networks::fixture("grey")),
                None => crate::model::set_builtin(),
            };
            self.app = self.app.apply(Action::NetworkChanged(generation));
            let effects = self.sync.on_model_shown(hash);
            self.apply(effects);
        }

        /// What `LiveBar`'s effect does: every change of focus, input or mode goes to the machine.
        fn feed_local(&mut self) {
            let now = (self.app.focus, self.app.input.clone(), self.app.lecture_mode);
            if self.fed.as_ref() != Some(&now) {
                self.fed = Some(now.clone());
                let effects = self.sync.local_changed(now.0, now.1, now.2);
                self.apply(effects);
            }
        }

        /// The user does something in the app.
        fn user(&mut self, action: Action) {
            self.app = self.app.apply(action);
            self.feed_local();
        }

        fn socket_opens(&mut self) {
            assert_eq!(self.socket, Socket::Opening, "no socket was being opened");
            self.socket = Socket::Open;
            let effects = self.sync.on_open(self.now);
            self.apply(effects);
        }

        fn socket_closes(&mut self) {
            self.socket = Socket::None;
            let effects = self.sync.on_closed();
            self.apply(effects);
        }

        fn retry_fires(&mut self) {
            assert!(self.retry_ms.take().is_some(), "no retry was scheduled");
            let effects = self.sync.on_retry_due();
            self.apply(effects);
        }

        /// The server sends `msg` (through the real codec).
        fn receive(&mut self, msg: ServerMsg) {
            let effects = self.sync.on_frame(&encode_server(&msg), self.now);
            self.apply(effects);
        }

        fn heartbeat_at(&mut self, now: f64) {
            self.now = now;
            let effects = self.sync.on_heartbeat(now);
            self.apply(effects);
        }

        fn take_sent(&mut self) -> Vec<ClientMsg> {
            std::mem::take(&mut self.sent)
        }

        fn lecture(&self) -> &Lecture {
            self.bar.lecture.as_ref().expect("in a lecture")
        }

        fn shows_picture(&self, seed: u8) -> bool {
            self.app
                .input
                .as_ref()
                .is_some_and(|input| *input.image == picture(seed))
        }

        /// A student "Ada" who joined and received the snapshot at version 3 (focus on layer 0,
        /// picture 2).
        fn student_in_room() -> Self {
            let mut page = Self::new();
            let effects = page.sync.join(code(), "Ada".into());
            page.apply(effects);
            page.socket_opens();
            page.receive(student_welcome("Ada"));
            page.receive(snapshot(v(3), focus_on(0, 0), Some(input_image(2)), 0));
            page.take_sent();
            page
        }

        /// An instructor whose new room's snapshot (version 1, nothing picked yet) arrived.
        fn instructor_in_room() -> Self {
            let mut page = Self::new();
            let effects = page.sync.start_lecture();
            page.apply(effects);
            page.socket_opens();
            page.receive(instructor_welcome());
            page.receive(snapshot(v(1), Focus::default(), None, 0));
            page
        }
    }

    fn hello(join: Join) -> ClientMsg {
        ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join,
        })
    }

    fn set_mode(mode: Mode) -> ClientMsg {
        ClientMsg::Student(StudentMsg::SetMode(mode))
    }

    // ----- versions are compared per part ---------------------------------------------------

    #[test]
    fn a_focus_change_coalesced_with_a_new_image_moves_the_student_to_both() {
        let mut page = Page::student_in_room();
        // The instructor moves the focus (version 4), then picks a new image (version 5); a busy
        // student's connection sends both at once, input first.
        page.receive(input_event(v(5), 3));
        page.receive(focus_event(v(4), focus_on(2, 7)));
        assert!(page.shows_picture(3), "the new image");
        assert_eq!(
            page.app.focus,
            focus_on(2, 7),
            "the new focus, though its version is lower"
        );
    }

    #[test]
    fn bring_everyone_back_coalesced_with_a_focus_change_brings_the_student_back() {
        let mut page = Page::student_in_room();
        page.user(Action::Navigate(focus_on(5, 1)));
        assert_eq!(page.app.lecture_mode, Some(Mode::Exploring));
        // "Bring everyone back" (version 4), then a focus change (version 5): focus goes first.
        page.receive(focus_event(v(5), focus_on(2, 7)));
        page.receive(recall_event(v(4), 1));
        assert_eq!(page.app.lecture_mode, Some(Mode::Following), "brought back");
        assert_eq!(page.app.focus, focus_on(2, 7), "to the newest focus");
    }

    #[test]
    fn a_lock_coalesced_with_a_focus_change_applies_both() {
        let mut page = Page::student_in_room();
        page.receive(locked_event(v(5), true));
        page.receive(focus_event(v(4), focus_on(1, 1)));
        assert!(page.lecture().locked);
        assert_eq!(page.app.focus, focus_on(1, 1));
    }

    #[test]
    fn an_older_or_repeated_version_of_the_same_part_is_ignored() {
        let mut page = Page::student_in_room();
        page.receive(focus_event(v(6), focus_on(2, 2)));
        page.receive(focus_event(v(5), focus_on(9, 9)));
        page.receive(focus_event(v(6), focus_on(8, 8)));
        assert_eq!(page.app.focus, focus_on(2, 2));
        page.receive(focus_event(v(2), focus_on(7, 7)));
        assert_eq!(page.app.focus, focus_on(2, 2), "older than the snapshot");
        page.user(Action::Navigate(focus_on(4, 4)));
        page.receive(recall_event(v(3), 1));
        assert_eq!(
            page.app.lecture_mode,
            Some(Mode::Exploring),
            "a recall at the snapshot's version is in it"
        );
    }

    // ----- joining, reconnecting, rejoining ----------------------------------------------------

    #[test]
    fn a_student_gets_the_snapshot_on_join_then_the_updates() {
        let mut page = Page::new();
        let effects = page.sync.join(code(), "Ada".into());
        page.apply(effects);
        assert_eq!(page.socket, Socket::Opening);
        assert_eq!(page.lecture().connection, ConnectionStatus::Connecting);
        page.socket_opens();
        assert_eq!(
            page.take_sent(),
            [hello(Join::Student {
                code: code(),
                name: "Ada".into()
            })]
        );
        page.receive(student_welcome("Ada"));
        assert_eq!(page.lecture().connection, ConnectionStatus::Live);
        assert_eq!(page.lecture().name.as_deref(), Some("Ada"));
        assert_eq!(
            page.saved,
            Some(SavedSession::Student {
                code: code(),
                name: "Ada".into(),
                resume: Some(resume_token()),
            }),
            "kept for a reload"
        );
        assert_eq!(
            page.app.lecture_mode, None,
            "nothing to follow before the snapshot"
        );

        page.receive(ServerMsg::Room(RoomEvent::Snapshot(Box::new(RoomSnapshot {
            code: code(),
            version: v(3),
            focus: focus_on(0, 4),
            input: Some(input_image(2)),
            locked: true,
            recall: 5,
            model: None,
        }))));
        assert_eq!(page.app.lecture_mode, Some(Mode::Following));
        assert_eq!(page.app.focus, focus_on(0, 4));
        assert!(page.shows_picture(2));
        assert!(page.lecture().locked);
        assert_eq!(
            page.lecture().warning,
            None,
            "this screen computes what the server did"
        );
        assert_eq!(page.take_sent(), [set_mode(Mode::Following)]);

        page.receive(focus_event(v(4), focus_on(1, 2)));
        page.receive(input_event(v(5), 6));
        page.receive(locked_event(v(6), false));
        assert_eq!(page.app.focus, focus_on(1, 2));
        assert!(page.shows_picture(6));
        assert!(!page.lecture().locked);
        assert_eq!(
            page.app.lecture_mode,
            Some(Mode::Following),
            "recall 5 in the first snapshot is history"
        );
        assert!(page.take_sent().is_empty(), "following sends nothing");
    }

    #[test]
    fn a_reconnect_rejoins_as_the_same_student_and_resyncs_from_the_snapshot() {
        let mut page = Page::student_in_room();
        page.receive(focus_event(v(12), focus_on(1, 1)));
        page.user(Action::Navigate(focus_on(3, 3)));
        page.take_sent();

        page.socket_closes();
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 1 }
        );
        assert!(page.retry_ms.is_some_and(|ms| ms > 0));
        assert_eq!(
            page.app.lecture_mode,
            Some(Mode::Exploring),
            "the lecture is kept while away"
        );
        // The first retry fails too: the next waits longer.
        let first_delay = page.retry_ms.unwrap();
        page.retry_fires();
        page.socket_closes();
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 2 }
        );
        assert!(page.retry_ms.unwrap() > first_delay);

        page.retry_fires();
        page.socket_opens();
        assert_eq!(
            page.take_sent(),
            [hello(Join::Rejoin {
                code: code(),
                resume: resume_token()
            })]
        );
        page.receive(student_welcome("Ada"));
        assert_eq!(
            page.take_sent(),
            [set_mode(Mode::Exploring)],
            "the roster learns the mode again"
        );
        // The server restarted meanwhile: a new epoch, with counters below what this page saw,
        // and the instructor brought everyone back while this student was away.
        let restarted = |seq| StateVersion { epoch: 2, seq };
        page.receive(snapshot(restarted(2), focus_on(2, 2), Some(input_image(4)), 1));
        assert_eq!(
            page.app.lecture_mode,
            Some(Mode::Following),
            "the recall missed while away applies"
        );
        assert_eq!(page.app.focus, focus_on(2, 2));
        assert!(page.shows_picture(4));
        page.receive(focus_event(restarted(3), focus_on(2, 5)));
        assert_eq!(page.app.focus, focus_on(2, 5), "lower seq, newer epoch: applies");
        assert_eq!(page.lecture().connection, ConnectionStatus::Live);

        page.socket_closes();
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 1 },
            "the welcome reset the backoff"
        );
    }

    #[test]
    fn the_heartbeat_pings_and_a_silent_connection_is_replaced() {
        let mut page = Page::student_in_room();
        let heard = page.now;
        page.heartbeat_at(heard + 4_000.0);
        page.heartbeat_at(heard + 8_000.0);
        assert_eq!(
            page.take_sent(),
            [
                ClientMsg::Session(SessionMsg::Ping(1)),
                ClientMsg::Session(SessionMsg::Ping(2))
            ]
        );
        // Any frame is a sign of life.
        page.now = heard + 10_000.0;
        page.receive(ServerMsg::Session(SessionEvent::Pong(2)));
        page.heartbeat_at(heard + 10_000.0 + SILENCE_LIMIT_MS);
        assert_eq!(
            page.socket,
            Socket::Open,
            "silent for exactly the limit: still trusted"
        );
        assert_eq!(page.take_sent(), [ClientMsg::Session(SessionMsg::Ping(3))]);

        page.heartbeat_at(heard + 10_001.0 + SILENCE_LIMIT_MS);
        assert_eq!(page.socket, Socket::None, "the silent socket is dropped");
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 1 }
        );
        assert!(page.take_sent().is_empty(), "no ping into a dead connection");
        page.retry_fires();
        page.socket_opens();
        assert_eq!(
            page.take_sent(),
            [hello(Join::Rejoin {
                code: code(),
                resume: resume_token()
            })]
        );
    }

    #[test]
    fn heartbeats_while_no_socket_is_open_do_nothing() {
        let mut page = Page::student_in_room();
        page.socket_closes();
        page.heartbeat_at(page.now + 60_000.0);
        assert!(page.take_sent().is_empty());
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 1 },
            "no second retry"
        );
    }

    #[test]
    fn a_refused_resume_token_rejoins_by_name() {
        let mut page = Page::new();
        let effects = page.sync.resume(SavedSession::Student {
            code: code(),
            name: "Ada".into(),
            resume: Some(resume_token()),
        });
        page.apply(effects);
        page.socket_opens();
        assert_eq!(
            page.take_sent(),
            [hello(Join::Rejoin {
                code: code(),
                resume: resume_token()
            })]
        );
        // The seat is gone (the student left in another tab); the server refuses and closes.
        page.receive(error(ErrorKind::BadToken));
        page.socket_closes();
        assert!(page.bar.lecture.is_some(), "still in the lecture");
        page.retry_fires();
        page.socket_opens();
        assert_eq!(
            page.take_sent(),
            [hello(Join::Student {
                code: code(),
                name: "Ada".into()
            })]
        );
        page.receive(student_welcome("Ada"));
        page.receive(snapshot(v(3), focus_on(1, 0), None, 0));
        assert_eq!(page.app.lecture_mode, Some(Mode::Following));
    }

    #[test]
    fn a_refused_instructor_token_ends_the_lecture_with_the_reason() {
        let mut page = Page::new();
        page.saved = Some(SavedSession::Instructor {
            code: code(),
            token: InstructorToken([7; 16]),
        });
        let effects = page.sync.resume(page.saved.clone().unwrap());
        page.apply(effects);
        page.socket_opens();
        page.receive(error(ErrorKind::BadToken));
        assert_eq!(page.bar.lecture, None);
        assert_eq!(page.bar.notice.as_deref(), Some("refused: BadToken"));
        assert_eq!(page.saved, None, "a reload does not try again");
        assert_eq!(page.socket, Socket::None);
    }

    #[test]
    fn handshake_refusals_end_or_retry_as_they_should() {
        for kind in [
            ErrorKind::RoomNotFound,
            ErrorKind::RoomLocked,
            ErrorKind::BadName,
            ErrorKind::VersionMismatch { server: 9, client: 1 },
        ] {
            let mut page = Page::new();
            let effects = page.sync.join(code(), "Ada".into());
            page.apply(effects);
            page.socket_opens();
            page.receive(error(kind));
            assert_eq!(page.bar.lecture, None, "{kind:?} ends the attempt");
            assert_eq!(page.bar.notice, Some(format!("refused: {kind:?}")));
        }
        let mut page = Page::new();
        let effects = page.sync.join(code(), "Ada".into());
        page.apply(effects);
        page.socket_opens();
        page.receive(error(ErrorKind::Internal));
        page.socket_closes();
        assert_eq!(
            page.lecture().connection,
            ConnectionStatus::Reconnecting { failures: 1 },
            "a server failure is retried"
        );
    }

    #[test]
    fn every_closing_reason_does_what_it_says() {
        let reasons = [
            CloseReason::ServerShutdown,
            CloseReason::RoomClosed,
            CloseReason::RoomExpired,
            CloseReason::TooSlow,
            CloseReason::Replaced,
            CloseReason::Timeout,
            CloseReason::Left,
        ];
        for reason in reasons {
            let mut page = Page::student_in_room();
            page.receive(ServerMsg::Session(SessionEvent::Closing(reason)));
            page.socket_closes();
            // Exhaustive: a new reason must be placed here.
            let (ends, forgets) = match reason {
                CloseReason::ServerShutdown | CloseReason::TooSlow | CloseReason::Timeout => (false, false),
                CloseReason::RoomClosed | CloseReason::RoomExpired | CloseReason::Left => (true, true),
                CloseReason::Replaced => (true, false),
            };
            if ends {
                assert_eq!(page.bar.lecture, None, "{reason:?} ends the lecture");
                assert_eq!(page.bar.notice.as_deref(), Some(reason.explain()));
                assert_eq!(page.app.lecture_mode, None, "{reason:?}: self-paced again");
                assert!(
                    page.shows_picture(2),
                    "{reason:?}: the lecture's image stays on screen"
                );
                assert_eq!(page.retry_ms, None, "{reason:?}: no reconnect");
                assert_eq!(page.saved.is_none(), forgets, "{reason:?}: saved credentials");
            } else {
                assert_eq!(
                    page.lecture().connection,
                    ConnectionStatus::Reconnecting { failures: 1 },
                    "{reason:?} reconnects"
                );
                assert_eq!(page.app.lecture_mode, Some(Mode::Following));
                assert!(page.saved.is_some());
            }
        }
    }

    #[test]
    fn leaving_gives_up_the_seat_and_stays_on_the_image() {
        let mut page = Page::student_in_room();
        let effects = page.sync.leave();
        page.apply(effects);
        assert_eq!(page.take_sent(), [ClientMsg::Session(SessionMsg::Leave)]);
        assert_eq!(page.socket, Socket::None);
        assert_eq!(page.saved, None);
        assert_eq!(page.bar, LiveView::default(), "no notice for one's own choice");
        assert_eq!(page.app.lecture_mode, None);
        assert!(page.shows_picture(2));
        // A late close of the old socket changes nothing.
        page.socket_closes();
        assert_eq!(page.retry_ms, None);
    }

    // ----- following, breaking away, returning ----------------------------------------------

    #[test]
    fn a_student_breaks_away_and_returns() {
        let mut page = Page::student_in_room();
        page.user(Action::Navigate(focus_on(4, 4)));
        assert_eq!(page.app.lecture_mode, Some(Mode::Exploring));
        assert_eq!(page.take_sent(), [set_mode(Mode::Exploring)]);

        // The lecture goes on without this student's screen moving.
        page.receive(focus_event(v(4), focus_on(1, 9)));
        page.receive(input_event(v(5), 8));
        assert_eq!(page.app.focus, focus_on(4, 4));
        assert!(
            page.shows_picture(2),
            "still the image the student broke away with"
        );
        page.user(Action::Navigate(focus_on(4, 5)));
        assert!(page.take_sent().is_empty(), "still exploring: nothing to report");

        page.user(Action::ReturnToLive);
        assert_eq!(page.app.lecture_mode, Some(Mode::Following));
        assert_eq!(page.app.focus, focus_on(1, 9), "the lecture's newest focus");
        assert!(page.shows_picture(8), "and its newest image");
        assert_eq!(page.take_sent(), [set_mode(Mode::Following)]);

        page.user(Action::Navigate(focus_on(0, 1)));
        page.receive(recall_event(v(6), 1));
        assert_eq!(
            page.app.lecture_mode,
            Some(Mode::Following),
            "brought back by the instructor"
        );
        assert_eq!(page.app.focus, focus_on(1, 9));
        assert_eq!(
            page.take_sent(),
            [set_mode(Mode::Exploring), set_mode(Mode::Following)]
        );
    }

    // ----- the instructor ---------------------------------------------------------------------

    #[test]
    fn an_instructor_broadcasts_only_after_the_snapshot_and_only_changes() {
        let mut page = Page::new();
        let effects = page.sync.start_lecture();
        page.apply(effects);
        page.socket_opens();
        assert_eq!(page.take_sent(), [hello(Join::CreateRoom)]);
        page.receive(instructor_welcome());
        assert!(page.lecture().join_screen, "a new room opens on the join screen");
        page.user(Action::Navigate(focus_on(1, 1)));
        assert!(page.take_sent().is_empty(), "nothing before the snapshot");

        page.receive(snapshot(v(1), Focus::default(), None, 0));
        assert_eq!(
            page.take_sent(),
            [
                ClientMsg::Control(Control::SetFocus(focus_on(1, 1))),
                ClientMsg::Control(Control::PickSample(0))
            ],
            "the new room takes what the instructor shows"
        );
        page.user(Action::Navigate(focus_on(2, 2)));
        page.user(Action::Navigate(focus_on(2, 2)));
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::SetFocus(focus_on(2, 2)))]
        );
        page.user(Action::SetInput(Input {
            image: Rc::new(picture(5)),
            origin: InputOrigin::Drawing,
        }));
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::UploadImage(encode_bmp(
                &picture(5).rgb,
                picture(5).side
            )))]
        );
        // The instructor's own focus coming back from the server changes nothing.
        page.receive(focus_event(v(2), focus_on(2, 2)));
        page.receive(input_event(v(3), 5));
        assert_eq!(page.app.focus, focus_on(2, 2));
        assert!(page.take_sent().is_empty());

        let effects = page.sync.bring_everyone_back();
        page.apply(effects);
        let effects = page.sync.set_locked(true);
        page.apply(effects);
        assert_eq!(
            page.take_sent(),
            [
                ClientMsg::Control(Control::BringEveryoneBack),
                ClientMsg::Control(Control::SetLocked(true))
            ]
        );
        page.receive(locked_event(v(4), true));
        assert!(page.lecture().locked);
        let effects = page.sync.leave();
        page.apply(effects);
        assert_eq!(page.take_sent(), [ClientMsg::Control(Control::CloseRoom)]);
        assert_eq!(page.bar.lecture, None);
    }

    #[test]
    fn an_instructor_reconnecting_pushes_what_changed_while_away() {
        let mut page = Page::instructor_in_room();
        page.take_sent();
        page.socket_closes();
        page.user(Action::Navigate(focus_on(3, 0)));
        page.retry_fires();
        page.socket_opens();
        page.receive(instructor_welcome());
        page.receive(snapshot(v(2), Focus::default(), Some(input_image(1)), 0));
        assert_eq!(
            page.take_sent(),
            [
                hello(Join::Instruct {
                    code: code(),
                    token: InstructorToken([7; 16])
                }),
                ClientMsg::Control(Control::SetFocus(focus_on(3, 0)))
            ],
            "the image is the room's already; only the focus is sent"
        );
    }

    #[test]
    fn an_instructor_after_a_reload_carries_on_where_the_room_was() {
        let mut page = Page::new();
        let mut input = input_image(6);
        input.source = InputSource::Sample(4);
        let effects = page.sync.resume(SavedSession::Instructor {
            code: code(),
            token: InstructorToken([7; 16]),
        });
        page.apply(effects);
        page.socket_opens();
        page.receive(instructor_welcome());
        page.receive(snapshot(v(9), focus_on(2, 3), Some(input), 0));
        assert_eq!(page.app.focus, focus_on(2, 3));
        let shown = page.app.input.as_ref().unwrap();
        assert_eq!(*shown.image, picture(6));
        assert_eq!(shown.origin, InputOrigin::Sample(4));
        assert_eq!(
            page.take_sent(),
            [hello(Join::Instruct {
                code: code(),
                token: InstructorToken([7; 16])
            })],
            "the fresh page does not overwrite the room"
        );
    }

    // ----- the image check ------------------------------------------------------------------

    #[test]
    fn a_damaged_image_shows_the_warning_and_a_good_one_clears_it() {
        let mut page = Page::student_in_room();
        let mut damaged = input_image(3);
        damaged.rgb[100] ^= 0xff;
        page.receive(ServerMsg::Room(RoomEvent::Input {
            version: v(4),
            input: Box::new(damaged),
        }));
        let warning = page.lecture().warning.clone().expect("a warning");
        assert!(warning.contains("arrived damaged"), "{warning}");

        page.receive(input_event(v(5), 4));
        assert_eq!(page.lecture().warning, None);
        assert!(page.shows_picture(4));

        let mut other_network = input_image(5);
        other_network.prediction.layer_sums.pop();
        page.receive(ServerMsg::Room(RoomEvent::Input {
            version: v(6),
            input: Box::new(other_network),
        }));
        let warning = page.lecture().warning.clone().expect("a warning");
        assert!(warning.contains("different network"), "{warning}");

        let mut truncated = input_image(7);
        truncated.rgb.truncate(10);
        page.receive(ServerMsg::Room(RoomEvent::Input {
            version: v(7),
            input: Box::new(truncated),
        }));
        let warning = page.lecture().warning.clone().expect("a warning");
        assert!(warning.contains("could not be used"), "{warning}");
        assert!(page.shows_picture(5), "the last usable image stays");
    }

    #[test]
    fn an_unreadable_frame_is_reported_and_the_lecture_goes_on() {
        let mut page = Page::student_in_room();
        let effects = page.sync.on_frame(&[0xff; 3], page.now);
        page.apply(effects);
        assert!(page.lecture().error.is_some());
        page.receive(focus_event(v(4), focus_on(1, 1)));
        assert_eq!(page.app.focus, focus_on(1, 1));
    }

    // ----- the hyperparameter playground ----------------------------------------------------

    /// The instructor's playground: a 7 × 7 crop of relu_1_2's channel 4 with padding 1,
    /// stride 2 and a kernel typed by hand, at step `step`.
    fn question_event(version: StateVersion, id: u32, revealed: bool) -> ServerMsg {
        let ask = shared::Ask::NextValue;
        let correct = Correct::Value {
            value: 1.0,
            tolerance: 0.05,
        };
        ServerMsg::Check(CheckEvent::Question {
            version,
            question: Some(Box::new(shared::Question {
                id: QuestionId(id),
                ask,
                focus: focus_on(0, 1),
                reveal: revealed.then(|| shared::Reveal {
                    correct,
                    tally: shared::Tally {
                        question: QuestionId(id),
                        answered: 1,
                        waiting: 0,
                        spread: shared::Spread::Values {
                            low: 0.5,
                            width: 0.125,
                            counts: vec![1; 8],
                        },
                    },
                    right: 1,
                }),
            })),
        })
    }

    #[test]
    fn a_student_answers_and_a_reconnect_lands_in_the_question_with_the_answer() {
        let mut page = Page::student_in_room();
        page.receive(question_event(v(4), 1, false));
        assert_eq!(page.lecture().question_id(), Some(QuestionId(1)));
        page.take_sent();
        let effects = page.sync.answer(QuestionId(1), Answer::Value(0.9));
        page.apply(effects);
        assert_eq!(
            page.take_sent(),
            vec![ClientMsg::Check(CheckMsg::Answer {
                question: QuestionId(1),
                answer: Answer::Value(0.9)
            })]
        );
        assert_eq!(page.lecture().sending, Some(Answer::Value(0.9)));
        page.receive(ServerMsg::Check(CheckEvent::Mine {
            question: QuestionId(1),
            answer: Some(Answer::Value(0.9)),
        }));
        assert_eq!(
            (page.lecture().my_answer, page.lecture().sending),
            (Some(Answer::Value(0.9)), None)
        );
        // An older copy of the question part changes nothing.
        page.receive(question_event(v(2), 1, true));
        assert!(
            page.lecture()
                .question
                .as_ref()
                .is_some_and(|q| q.reveal.is_none())
        );

        // Reconnect: the snapshot (at a newer version) is followed by the question and the answer.
        page.socket_closes();
        page.retry_fires();
        page.socket_opens();
        page.receive(student_welcome("Ada"));
        page.receive(snapshot(v(9), focus_on(0, 1), Some(input_image(2)), 0));
        page.receive(question_event(v(8), 1, true));
        page.receive(ServerMsg::Check(CheckEvent::Mine {
            question: QuestionId(1),
            answer: Some(Answer::Value(0.9)),
        }));
        let lecture = page.lecture();
        assert!(
            lecture.question.as_ref().is_some_and(|q| q.reveal.is_some()),
            "lands in the question"
        );
        assert_eq!(
            lecture.my_answer,
            Some(Answer::Value(0.9)),
            "and keeps the answer"
        );
    }

    fn playground_focus(step: u32) -> Focus {
        let mut tenths = [0i8; shared::MAX_KERNEL_CELLS];
        tenths[..9].copy_from_slice(&[-10, 0, 10, -20, 0, 20, -10, 0, 10]);
        Focus {
            view: View::Playground,
            step,
            playground: shared::Playground {
                input: 7,
                padding: 1,
                kernel: 3,
                stride: 2,
                map: 4,
                map_channel: 4,
                top: 20,
                left: 31,
                weights: shared::KernelWeights::Hand(tenths),
            },
            ..Focus::default()
        }
    }

    #[test]
    fn the_instructors_playground_is_broadcast_with_every_setting() {
        let mut page = Page::instructor_in_room();
        page.take_sent();
        page.user(Action::Navigate(playground_focus(0)));
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::SetFocus(playground_focus(0)))]
        );
        // A typed weight is a change of the focus like any other.
        let mut edited = playground_focus(0);
        edited.playground = crate::playground::set_hand_weight(edited.playground, 1, 1, 2.5);
        page.user(Action::Navigate(edited));
        assert_eq!(page.take_sent(), [ClientMsg::Control(Control::SetFocus(edited))]);
        // An instructor who reloads comes back to the room's playground.
        let mut reloaded = Page::new();
        let effects = reloaded.sync.resume(SavedSession::Instructor {
            code: code(),
            token: InstructorToken([7; 16]),
        });
        reloaded.apply(effects);
        reloaded.socket_opens();
        reloaded.receive(instructor_welcome());
        reloaded.receive(snapshot(v(9), edited, None, 0));
        assert_eq!(reloaded.app.focus, edited);
    }

    #[test]
    fn a_following_student_mirrors_the_playground_and_returns_to_it() {
        let mut page = Page::student_in_room();
        page.receive(focus_event(v(4), playground_focus(3)));
        assert_eq!(
            page.app.focus,
            playground_focus(3),
            "every setting, the typed kernel included"
        );
        // The instructor's steps drive the window; a local clock does not.
        page.receive(focus_event(
            v(5),
            Focus {
                playing: true,
                ..playground_focus(4)
            },
        ));
        page.user(Action::Tick { steps: 16, count: 1 });
        assert_eq!(page.app.focus.step, 4);
        // The student tries another stride: exploring, with the lecture's playground kept.
        let mut own = playground_focus(4);
        own.playground = crate::playground::set_stride(own.playground, 1);
        page.user(Action::Navigate(own));
        assert_eq!(page.app.lecture_mode, Some(Mode::Exploring));
        assert_eq!(page.take_sent(), [set_mode(Mode::Exploring)]);
        page.receive(focus_event(v(6), playground_focus(5)));
        assert_eq!(
            page.app.focus.playground.stride, 1,
            "the student's own playground stays"
        );
        page.user(Action::ReturnToLive);
        assert_eq!(page.app.focus, playground_focus(5));
        // A late joiner gets the playground in the snapshot.
        let mut late = Page::new();
        let effects = late.sync.join(code(), "Grace".into());
        late.apply(effects);
        late.socket_opens();
        late.receive(student_welcome("Grace"));
        late.receive(snapshot(v(6), playground_focus(5), Some(input_image(2)), 0));
        assert_eq!(late.app.focus, playground_focus(5));
    }

    fn note_event(version: StateVersion, note: &str) -> ServerMsg {
        ServerMsg::Lesson(LessonEvent::Note {
            version,
            note: note.to_owned(),
        })
    }

    fn show_note(note: &str) -> ClientMsg {
        ClientMsg::Lesson(LessonMsg::ShowNote(note.to_owned()))
    }

    #[test]
    fn the_instructors_lesson_note_is_sent_once_per_change_and_students_show_the_newest() {
        let mut page = Page::instructor_in_room();
        page.take_sent();
        let effects = page.sync.note_changed(Some("The *input*.".into()));
        page.apply(effects);
        assert_eq!(page.take_sent(), [show_note("The *input*.")]);
        let effects = page.sync.note_changed(Some("The *input*.".into()));
        page.apply(effects);
        assert!(page.take_sent().is_empty(), "the same note is not sent twice");
        // A reconnect sends it again (the room may have lost it in a crash).
        page.socket_closes();
        page.retry_fires();
        page.socket_opens();
        page.receive(instructor_welcome());
        page.take_sent();
        page.receive(snapshot(v(5), Focus::default(), None, 0));
        assert!(page.take_sent().contains(&show_note("The *input*.")));
        // Closing the lesson takes the note off the students' screens.
        let effects = page.sync.note_changed(None);
        page.apply(effects);
        assert_eq!(page.take_sent(), [show_note("")]);

        let mut student = Page::student_in_room();
        student.receive(note_event(v(4), "ReLU"));
        assert_eq!(student.lecture().note, "ReLU");
        student.receive(note_event(v(6), "Pooling"));
        student.receive(note_event(v(5), "stale"));
        assert_eq!(
            student.lecture().note,
            "Pooling",
            "an older note never replaces a newer one"
        );
        // A reload: the snapshot clears it and the frame after it brings the current note.
        student.receive(snapshot(v(7), focus_on(0, 0), Some(input_image(2)), 0));
        assert_eq!(student.lecture().note, "");
        student.receive(note_event(v(6), "Pooling"));
        assert_eq!(student.lecture().note, "Pooling");
        // Students never send notes, whatever the page asks.
        let effects = student.sync.note_changed(Some("mine".into()));
        student.apply(effects);
        assert!(student.take_sent().is_empty());
    }

    #[test]
    fn a_refused_playground_is_reported_and_the_lecture_goes_on() {
        let mut page = Page::instructor_in_room();
        page.take_sent();
        page.user(Action::Navigate(playground_focus(0)));
        page.receive(ServerMsg::Error(ErrorMsg {
            kind: ErrorKind::BadFocus,
            message: "The playground's kernel size must be from 1 to 5; 9 is outside that range.".into(),
        }));
        assert_eq!(
            page.lecture().error.as_deref(),
            Some("The playground's kernel size must be from 1 to 5; 9 is outside that range.")
        );
        assert_eq!(page.lecture().connection, ConnectionStatus::Live);
        page.take_sent();
        page.user(Action::Navigate(playground_focus(1)));
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::SetFocus(playground_focus(1)))]
        );
    }

    // ----- the room's network ---------------------------------------------------------------

    /// The greyscale PyTorch fixture as the room's model.
    fn grey_info() -> ModelInfo {
        let bytes = models::bundle::write(&crate::test_networks::fixture("grey"));
        ModelInfo {
            hash: ModelHash(models::bundle::hash(&bytes)),
            bytes: bytes.len() as u32,
            name: "grey".into(),
        }
    }

    /// The server's message for `picture(seed)` on the grey network (its input made with
    /// `input_for`, as the server makes it).
    fn grey_input_image(seed: u8) -> InputImage {
        let network = crate::test_networks::fixture("grey");
        let image = picture(seed);
        let trace = network.forward(&image.input_for(network.input_shape())).unwrap();
        InputImage {
            prediction: Prediction {
                class: trace.predicted_class() as u16,
                probabilities: Vec::new(),
                layer_sums: trace.layer_sums(),
            },
            ..input_image(seed)
        }
    }

    fn model_event(
        version: StateVersion,
        model: Option<ModelInfo>,
        focus: Focus,
        input: Option<InputImage>,
    ) -> ServerMsg {
        ServerMsg::Room(RoomEvent::Model {
            version,
            model,
            focus,
            input: input.map(Box::new),
        })
    }

    /// A snapshot of a room on `model`.
    fn snapshot_on(
        model: &ModelInfo,
        version: StateVersion,
        focus: Focus,
        input: Option<InputImage>,
    ) -> ServerMsg {
        let ServerMsg::Room(RoomEvent::Snapshot(mut snapshot)) = snapshot(version, focus, input, 0) else {
            unreachable!("snapshot() makes a snapshot")
        };
        snapshot.model = Some(model.clone());
        ServerMsg::Room(RoomEvent::Snapshot(snapshot))
    }

    #[test]
    fn a_student_follows_the_room_onto_its_network_once_it_is_downloaded() {
        let mut page = Page::student_in_room();
        let info = grey_info();
        // The instructor switches the class to the grey network (the server reset the focus).
        page.receive(model_event(
            v(4),
            Some(info.clone()),
            Focus::default(),
            Some(grey_input_image(2)),
        ));
        assert_eq!(
            page.loads,
            [Some(info.clone())],
            "asks for the room's network once"
        );
        assert!(
            page.lecture()
                .warning
                .as_deref()
                .is_some_and(|w| w.contains("Loading the lecture's network")),
            "{:?}",
            page.lecture().warning
        );
        // While it downloads, the instructor moves on: the focus waits for the network.
        page.receive(focus_event(v(5), focus_on(3, 1)));
        assert_eq!(
            page.app.focus,
            focus_on(0, 0),
            "nothing of the new network shows in the old one"
        );
        page.model_arrives(Some(&info));
        assert!(!crate::model::is_builtin());
        assert_eq!(
            page.app.focus,
            focus_on(3, 1),
            "the newest focus, in the new network"
        );
        assert!(page.shows_picture(2));
        assert_eq!(
            page.lecture().warning,
            None,
            "the grey network agrees with the server's digest"
        );
        // Back to Tiny VGG: no download, at once.
        page.receive(model_event(v(6), None, Focus::default(), Some(input_image(2))));
        assert_eq!(page.loads.last(), Some(&None));
        page.model_arrives(None);
        assert!(crate::model::is_builtin());
        assert_eq!(page.app.focus, Focus::default());
        assert_eq!(page.lecture().warning, None);
    }

    #[test]
    fn a_late_joiner_lands_on_the_rooms_network_and_focus() {
        let mut page = Page::new();
        let effects = page.sync.join(code(), "Ada".into());
        page.apply(effects);
        page.socket_opens();
        page.receive(student_welcome("Ada"));
        let info = grey_info();
        page.receive(snapshot_on(
            &info,
            v(9),
            focus_on(2, 3),
            Some(grey_input_image(4)),
        ));
        assert_eq!(page.loads, [Some(info.clone())]);
        page.model_arrives(Some(&info));
        assert_eq!(page.app.focus, focus_on(2, 3));
        assert!(page.shows_picture(4));
        assert_eq!(page.lecture().warning, None);
        // A reconnect's snapshot on the same network downloads nothing again.
        page.socket_closes();
        page.retry_fires();
        page.socket_opens();
        page.receive(student_welcome("Ada"));
        page.receive(snapshot_on(
            &info,
            v(10),
            focus_on(2, 4),
            Some(grey_input_image(4)),
        ));
        assert_eq!(page.loads.len(), 1, "no second download");
        assert_eq!(page.app.focus, focus_on(2, 4));
    }

    #[test]
    fn the_instructor_switches_the_class_and_sends_nothing_of_the_old_network_meanwhile() {
        let mut page = Page::instructor_in_room();
        page.take_sent();
        let info = grey_info();
        let effects = page.sync.use_model(Some(info.hash));
        page.apply(effects);
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::UseModel(Some(info.hash)))]
        );
        page.receive(model_event(v(2), Some(info.clone()), Focus::default(), None));
        // The instructor clicks around while the network downloads: nothing is sent, since the
        // room's focus belongs to the new network.
        page.user(Action::Navigate(focus_on(4, 2)));
        assert_eq!(page.take_sent(), []);
        page.model_arrives(Some(&info));
        assert_eq!(page.app.focus, Focus::default(), "the room's reset focus");
        page.user(Action::Navigate(focus_on(1, 1)));
        assert_eq!(
            page.take_sent(),
            [ClientMsg::Control(Control::SetFocus(focus_on(1, 1)))]
        );
        assert_eq!(
            page.sync.instructor_credentials(),
            Some((code(), InstructorToken([7; 16])))
        );
    }

    #[test]
    fn a_download_that_fails_is_reported_and_tried_again_with_the_next_snapshot() {
        let mut page = Page::student_in_room();
        let info = grey_info();
        page.receive(model_event(v(4), Some(info.clone()), focus_on(1, 0), None));
        let effects = page
            .sync
            .on_model_failed(Some(info.hash), "The lecture's network arrived damaged.".into());
        page.apply(effects);
        assert_eq!(
            page.lecture().warning.as_deref(),
            Some("The lecture's network arrived damaged.")
        );
        assert_eq!(page.app.focus, focus_on(0, 0), "still waiting for the network");
        page.socket_closes();
        page.retry_fires();
        page.socket_opens();
        page.receive(student_welcome("Ada"));
        page.receive(snapshot_on(&info, v(5), focus_on(1, 0), None));
        assert_eq!(page.loads.len(), 2, "asked again");
        page.model_arrives(Some(&info));
        assert_eq!(page.app.focus, focus_on(1, 0));
    }
}
