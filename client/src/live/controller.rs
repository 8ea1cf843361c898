//! This browser's connection to a lecture: the handshake, reconnecting with backoff and jitter, a
//! heartbeat, and turning server messages into app actions (follow mode) and bar events; on the
//! instructor's screen also the reverse, local navigation into lecture control messages.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo::timers::callback::{Interval, Timeout};
use shared::codec::{decode_server, encode_client};
use shared::{
    ClientMsg, CloseReason, Control, Credentials, ErrorKind, ErrorMsg, Focus, Hello, InputImage, InputSource,
    Join, Mode, PROTOCOL_VERSION, Role, RoomCode, RoomEvent, RoomSnapshot, RosterEvent, ServerMsg,
    SessionEvent, SessionMsg, StateVersion, StudentMsg, Welcome,
};
use yew::{Callback, UseReducerDispatcher};

use super::backoff::Backoff;
use super::bmp::encode_bmp;
use super::digest::check_digest;
use super::lecture::{LiveEvent, LiveView};
use super::links::socket_url;
use super::saved_session::{self, SavedSession};
use super::socket::{Socket, SocketEvent};
use crate::state::{Action, AppState, CanonicalImage, Input, InputOrigin, LiveMode};

/// How often the heartbeat pings; any frame from the server counts as a sign of life.
const HEARTBEAT_MS: u32 = 4_000;
/// A connection silent this long is treated as dead (Wi-Fi gone without a close) and replaced.
const SILENCE_LIMIT_MS: f64 = 15_000.0;

/// The controller as the bar holds it; socket and timer callbacks keep only a weak reference.
pub type ControllerHandle = Rc<RefCell<Controller>>;

/// The lecture connection state of this page.
pub struct Controller {
    app: UseReducerDispatcher<AppState>,
    bar: UseReducerDispatcher<LiveView>,
    me: Weak<RefCell<Controller>>,
    /// What the next `Hello` asks for; `None` when not in a lecture.
    join: Option<Join>,
    role: Option<Role>,
    socket: Option<Socket>,
    welcomed: bool,
    /// The room's snapshot arrived on this connection: local changes may be pushed now.
    synced: bool,
    backoff: Backoff,
    retry: Option<Timeout>,
    heartbeat: Option<Interval>,
    last_heard_ms: f64,
    pings: u32,
    version: Option<StateVersion>,
    /// Instructor after a reload: the first snapshot replaces the (fresh) local state.
    adopt_snapshot: bool,
    /// Student: follow mode switched on for this lecture.
    attached: bool,
    recall: Option<u32>,
    live_input_hash: Option<[u8; 32]>,
    local_focus: Focus,
    local_input: Option<Input>,
    local_mode: LiveMode,
    sent_focus: Option<Focus>,
    sent_input: Option<[u8; 32]>,
    student_name: Option<String>,
}

impl Controller {
    /// A controller that is not in a lecture yet.
    pub fn new(app: UseReducerDispatcher<AppState>, bar: UseReducerDispatcher<LiveView>) -> ControllerHandle {
        Rc::new_cyclic(|me| {
            RefCell::new(Self {
                app,
                bar,
                me: me.clone(),
                join: None,
                role: None,
                socket: None,
                welcomed: false,
                synced: false,
                backoff: Backoff::default(),
                retry: None,
                heartbeat: None,
                last_heard_ms: 0.0,
                pings: 0,
                version: None,
                adopt_snapshot: false,
                attached: false,
                recall: None,
                live_input_hash: None,
                local_focus: Focus::default(),
                local_input: None,
                local_mode: LiveMode::Off,
                sent_focus: None,
                sent_input: None,
                student_name: None,
            })
        })
    }

    /// Creates a new room with this browser as its instructor.
    pub fn start_lecture(&mut self) {
        self.begin(Role::Instructor, Join::CreateRoom, false);
    }

    /// Joins the room `code` as a student called `name`.
    pub fn join(&mut self, code: RoomCode, name: String) {
        self.student_name = Some(name.clone());
        self.begin(Role::Student, Join::Student { code, name }, false);
    }

    /// Comes back to the lecture this browser was in before a reload, if any.
    pub fn resume_saved(&mut self) {
        match saved_session::load() {
            Some(SavedSession::Instructor { code, token }) => {
                self.begin(Role::Instructor, Join::Instruct { code, token }, true)
            }
            Some(SavedSession::Student { code, name, resume }) => {
                self.student_name = Some(name.clone());
                let join = match resume {
                    Some(resume) => Join::Rejoin { code, resume },
                    None => Join::Student { code, name },
                };
                self.begin(Role::Student, join, false);
            }
            None => {}
        }
    }

    /// Leaves the lecture (a student gives up its seat, an instructor ends the room) and carries
    /// on self-paced with the same image.
    pub fn leave(&mut self) {
        let farewell = match self.role {
            Some(Role::Instructor) => ClientMsg::Control(Control::CloseRoom),
            _ => ClientMsg::Session(SessionMsg::Leave),
        };
        self.send(&farewell);
        self.end(None, true);
    }

    /// Asks every exploring student to return to the live focus.
    pub fn bring_everyone_back(&mut self) {
        self.send(&ClientMsg::Control(Control::BringEveryoneBack));
    }

    /// Locks (or unlocks) the room against new students.
    pub fn set_locked(&mut self, locked: bool) {
        self.send(&ClientMsg::Control(Control::SetLocked(locked)));
    }

    /// The app's state changed: an instructor broadcasts its focus and input, a student reports
    /// whether it follows or explores.
    pub fn local_changed(&mut self, focus: Focus, input: Option<Input>, mode: LiveMode) {
        self.local_focus = focus;
        self.local_input = input;
        let mode_changed = self.local_mode != mode;
        self.local_mode = mode;
        if !self.welcomed {
            return;
        }
        match self.role {
            Some(Role::Instructor) if self.synced => self.push_local(),
            Some(Role::Student) if mode_changed => self.report_mode(),
            _ => {}
        }
    }

    fn begin(&mut self, role: Role, join: Join, adopt_snapshot: bool) {
        self.end(None, false);
        self.role = Some(role);
        self.join = Some(join);
        self.adopt_snapshot = adopt_snapshot;
        self.bar.dispatch(LiveEvent::Begin(role));
        self.connect();
    }

    /// Stops everything; `notice` says why (shown on the bar), `detach` returns the app to
    /// self-paced mode.
    fn end(&mut self, notice: Option<String>, detach: bool) {
        let was_in_lecture = self.join.is_some();
        self.join = None;
        self.socket = None;
        self.retry = None;
        self.heartbeat = None;
        self.welcomed = false;
        self.synced = false;
        self.backoff.reset();
        self.version = None;
        self.attached = false;
        self.recall = None;
        self.live_input_hash = None;
        self.sent_focus = None;
        self.sent_input = None;
        if was_in_lecture {
            if detach {
                saved_session::forget();
            }
            if self.role == Some(Role::Student) {
                self.app.dispatch(Action::SetLiveMode(LiveMode::Off));
            }
            self.bar.dispatch(LiveEvent::Ended(notice));
        }
        self.role = None;
    }

    fn connect(&mut self) {
        self.retry = None;
        let Some(location) = web_sys::window().map(|window| window.location()) else {
            return;
        };
        let url = socket_url(
            &location.protocol().unwrap_or_default(),
            &location.host().unwrap_or_default(),
        );
        let me = self.me.clone();
        let on_event = Callback::from(move |event: SocketEvent| {
            if let Some(controller) = me.upgrade() {
                controller.borrow_mut().on_socket(event);
            }
        });
        match Socket::open(&url, on_event) {
            Ok(socket) => self.socket = Some(socket),
            Err(_) => self.schedule_reconnect(),
        }
    }

    fn schedule_reconnect(&mut self) {
        self.socket = None;
        self.heartbeat = None;
        self.welcomed = false;
        self.synced = false;
        if self.join.is_none() {
            return;
        }
        let delay = self.backoff.next_delay_ms(js_sys::Math::random());
        self.bar.dispatch(LiveEvent::Reconnecting {
            failures: self.backoff.failures(),
        });
        let me = self.me.clone();
        self.retry = Some(Timeout::new(delay, move || {
            if let Some(controller) = me.upgrade() {
                controller.borrow_mut().connect();
            }
        }));
    }

    fn on_socket(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                let Some(join) = self.join.clone() else { return };
                self.last_heard_ms = js_sys::Date::now();
                self.send(&ClientMsg::Hello(Hello {
                    version: PROTOCOL_VERSION,
                    join,
                }));
                self.start_heartbeat();
            }
            SocketEvent::Frame(bytes) => {
                self.last_heard_ms = js_sys::Date::now();
                match decode_server(&bytes) {
                    Ok(msg) => self.on_message(msg),
                    // A frame we cannot read means the server runs another build: say so.
                    Err(error) => self.bar.dispatch(LiveEvent::Error(Some(error.to_string()))),
                }
            }
            SocketEvent::Closed { .. } => self.schedule_reconnect(),
        }
    }

    fn start_heartbeat(&mut self) {
        let me = self.me.clone();
        self.heartbeat = Some(Interval::new(HEARTBEAT_MS, move || {
            let Some(controller) = me.upgrade() else { return };
            let mut controller = controller.borrow_mut();
            if js_sys::Date::now() - controller.last_heard_ms > SILENCE_LIMIT_MS {
                controller.schedule_reconnect();
            } else {
                controller.pings = controller.pings.wrapping_add(1);
                let ping = controller.pings;
                controller.send(&ClientMsg::Session(SessionMsg::Ping(ping)));
            }
        }));
    }

    fn send(&self, msg: &ClientMsg) -> bool {
        self.socket
            .as_ref()
            .is_some_and(|socket| socket.send(&encode_client(msg)))
    }

    fn on_message(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Session(SessionEvent::Welcome(welcome)) => self.on_welcome(welcome),
            ServerMsg::Session(SessionEvent::Closing(reason)) => self.on_closing(reason),
            ServerMsg::Session(SessionEvent::Pong(_) | SessionEvent::Saved(_)) => {}
            ServerMsg::Room(event) => self.on_room(event),
            ServerMsg::Roster(RosterEvent::Full(roster)) => self.bar.dispatch(LiveEvent::Roster(roster)),
            ServerMsg::Error(error) => self.on_error(error),
        }
    }

    fn on_welcome(&mut self, welcome: Welcome) {
        self.welcomed = true;
        self.backoff.reset();
        self.version = None;
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
        saved_session::save(&saved);
        let created = matches!(self.join, Some(Join::CreateRoom));
        // Every reconnect from now on comes back as this very member.
        self.join = Some(join);
        self.student_name = name.clone();
        self.bar.dispatch(LiveEvent::Welcomed { code, name, created });
        self.bar.dispatch(LiveEvent::Error(None));
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
        if self.welcomed {
            // A refused request (e.g. an unreadable upload); the lecture goes on.
            self.bar.dispatch(LiveEvent::Error(Some(error.message)));
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
            _ => self.bar.dispatch(LiveEvent::Error(Some(error.message))),
        }
    }

    /// Skips changes older than what this page already shows (e.g. reordered after a resync).
    fn is_new(&mut self, version: StateVersion) -> bool {
        if self.version.is_some_and(|seen| version <= seen) {
            return false;
        }
        self.version = Some(version);
        true
    }

    fn on_room(&mut self, event: RoomEvent) {
        match event {
            RoomEvent::Snapshot(snapshot) => {
                self.version = None;
                self.is_new(snapshot.version);
                self.on_snapshot(*snapshot);
            }
            RoomEvent::Focus { version, focus } => {
                if self.is_new(version) && self.role == Some(Role::Student) {
                    self.app.dispatch(Action::Remote { focus });
                }
            }
            RoomEvent::Input { version, input } => {
                if self.is_new(version) && self.role == Some(Role::Student) {
                    self.accept_input(&input);
                }
            }
            RoomEvent::Recall { version, recall } => {
                if self.is_new(version) && self.role == Some(Role::Student) {
                    self.recall = Some(recall);
                    self.app.dispatch(Action::ReturnToLive);
                }
            }
            RoomEvent::Locked { version, locked } => {
                if self.is_new(version) {
                    self.bar.dispatch(LiveEvent::Locked(locked));
                }
            }
        }
    }

    fn on_snapshot(&mut self, snapshot: RoomSnapshot) {
        self.synced = true;
        self.bar.dispatch(LiveEvent::Locked(snapshot.locked));
        match self.role {
            Some(Role::Student) => {
                if !self.attached {
                    self.attached = true;
                    self.app.dispatch(Action::SetLiveMode(LiveMode::Following));
                    self.report_mode_as(Mode::Following);
                }
                self.app.dispatch(Action::Remote {
                    focus: snapshot.focus,
                });
                if let Some(input) = &snapshot.input
                    && self.live_input_hash != Some(input.hash)
                {
                    self.accept_input(input);
                }
                // A recall made while this student was disconnected still applies.
                if self.recall.is_some_and(|seen| snapshot.recall > seen) {
                    self.app.dispatch(Action::ReturnToLive);
                }
                self.recall = Some(snapshot.recall);
            }
            Some(Role::Instructor) => {
                self.sent_focus = Some(snapshot.focus);
                self.sent_input = snapshot.input.as_ref().map(|input| input.hash);
                if std::mem::take(&mut self.adopt_snapshot) {
                    // After a reload the room is the truth: the lecture carries on where it was.
                    self.local_focus = snapshot.focus;
                    self.app.dispatch(Action::Navigate(snapshot.focus));
                    if let Some(input) = snapshot.input
                        && let Ok(image) = canonical(&input)
                    {
                        let origin = match input.source {
                            InputSource::Sample(index) => InputOrigin::Sample(usize::from(index)),
                            InputSource::Upload => InputOrigin::Live,
                        };
                        self.local_input = Some(Input {
                            image: Rc::new(image.clone()),
                            origin: origin.clone(),
                        });
                        self.app.dispatch(Action::SetInput(Input {
                            image: Rc::new(image),
                            origin,
                        }));
                    }
                } else {
                    // A new room, or a reconnect: what the instructor shows now is the truth.
                    self.push_local();
                }
            }
            None => {}
        }
    }

    fn accept_input(&mut self, input: &InputImage) {
        self.live_input_hash = Some(input.hash);
        match canonical(input) {
            Ok(image) => {
                self.bar
                    .dispatch(LiveEvent::Warning(verify_locally(&image, input)));
                self.app.dispatch(Action::RemoteInput(image));
            }
            Err(warning) => self.bar.dispatch(LiveEvent::Warning(Some(warning))),
        }
    }

    fn push_local(&mut self) {
        if self.sent_focus != Some(self.local_focus) {
            let focus = self.local_focus;
            if self.send(&ClientMsg::Control(Control::SetFocus(focus))) {
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
        if self.send(&ClientMsg::Control(control)) {
            self.sent_input = Some(hash);
        }
    }

    fn report_mode(&mut self) {
        match self.local_mode {
            LiveMode::Following => self.report_mode_as(Mode::Following),
            LiveMode::Exploring => self.report_mode_as(Mode::Exploring),
            LiveMode::Off => {}
        }
    }

    fn report_mode_as(&mut self, mode: Mode) {
        self.send(&ClientMsg::Student(StudentMsg::SetMode(mode)));
    }
}

/// The server's canonical pixels as the app's image type, or a warning if they are malformed.
fn canonical(input: &InputImage) -> Result<CanonicalImage, String> {
    CanonicalImage::new(input.rgb.clone(), u32::from(input.side)).map_err(|error| {
        format!("The lecture's image could not be used ({error}). Reload the page to fetch it again.")
    })
}

/// Recomputes the trace in this browser and compares it with the server's; `Some(warning)` if
/// they disagree.
fn verify_locally(image: &CanonicalImage, input: &InputImage) -> Option<String> {
    if image.hash() != input.hash {
        return Some(
            "The lecture's image arrived damaged, so your numbers may differ from the \
             instructor's. Reload the page to fetch it again."
                .to_owned(),
        );
    }
    let trace = match crate::model::network().forward(&image.to_tensor()) {
        Ok(trace) => trace,
        Err(error) => {
            return Some(format!(
                "This screen could not run the network on the lecture's image ({error}). Reload the page."
            ));
        }
    };
    let local_class = u16::try_from(trace.predicted_class()).unwrap_or(u16::MAX);
    check_digest(
        input.prediction.class,
        &input.prediction.layer_sums,
        local_class,
        &trace.layer_sums(),
    )
    .err()
    .map(|disagreement| disagreement.to_string())
}
