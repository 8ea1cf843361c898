//! The socket shell around [`LectureSync`]: it owns the browser WebSocket, the retry timer and
//! the heartbeat, feeds their events (with the time) into the state machine, and carries out
//! what the machine asks for. Every decision about the lecture is made in [`super::sync`].

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo::timers::callback::{Interval, Timeout};
use shared::codec::encode_client;
use shared::{Focus, Mode, ModelInfo, RoomCode};
use wasm_bindgen_futures::spawn_local;
use yew::{Callback, UseReducerDispatcher};

use super::lecture::LiveView;
use super::links::socket_url;
use super::saved_session;
use super::socket::{Socket, SocketEvent};
use super::sync::{Effect, HEARTBEAT_MS, LectureSync};
use super::{model_upload, room_model};
use crate::model;
use crate::state::{Action, AppState, Input};

/// The controller as the bar holds it; socket and timer callbacks keep only a weak reference.
pub type ControllerHandle = Rc<RefCell<Controller>>;

/// This page's lecture connection.
pub struct Controller {
    sync: LectureSync,
    app: UseReducerDispatcher<AppState>,
    bar: UseReducerDispatcher<LiveView>,
    me: Weak<RefCell<Controller>>,
    socket: Option<Socket>,
    retry: Option<Timeout>,
    heartbeat: Option<Interval>,
}

impl Controller {
    /// A controller that is not in a lecture yet.
    pub fn new(app: UseReducerDispatcher<AppState>, bar: UseReducerDispatcher<LiveView>) -> ControllerHandle {
        Rc::new_cyclic(|me| {
            RefCell::new(Self {
                sync: LectureSync::new(js_sys::Math::random),
                app,
                bar,
                me: me.clone(),
                socket: None,
                retry: None,
                heartbeat: None,
            })
        })
    }

    /// Creates a new room with this browser as its instructor.
    pub fn start_lecture(&mut self) {
        self.show_builtin();
        let effects = self.sync.start_lecture();
        self.run(effects);
    }

    /// Joins the room `code` as a student called `name`.
    pub fn join(&mut self, code: RoomCode, name: String) {
        self.show_builtin();
        let effects = self.sync.join(code, name);
        self.run(effects);
    }

    /// Comes back to the lecture this browser was in before a reload, if any.
    pub fn resume_saved(&mut self) {
        if let Some(saved) = saved_session::load() {
            self.show_builtin();
            let effects = self.sync.resume(saved);
            self.run(effects);
        }
    }

    /// Leaves the lecture and carries on self-paced with the same image.
    pub fn leave(&mut self) {
        let effects = self.sync.leave();
        self.run(effects);
    }

    /// Asks every exploring student to return to the live focus.
    pub fn bring_everyone_back(&mut self) {
        let effects = self.sync.bring_everyone_back();
        self.run(effects);
    }

    /// Locks (or unlocks) the room against new students.
    pub fn set_locked(&mut self, locked: bool) {
        let effects = self.sync.set_locked(locked);
        self.run(effects);
    }

    /// Instructor: asks the class a quick check.
    pub fn ask(&mut self, ask: shared::Ask, correct: shared::Correct) {
        let effects = self.sync.ask(ask, correct);
        self.run(effects);
    }

    /// Instructor: reveals the right answer and the counts.
    pub fn reveal_question(&mut self) {
        let effects = self.sync.reveal_question();
        self.run(effects);
    }

    /// Instructor: takes the question off every screen.
    pub fn dismiss_question(&mut self) {
        let effects = self.sync.dismiss_question();
        self.run(effects);
    }

    /// Student: answers (or changes the answer to) the current question.
    pub fn answer(&mut self, question: shared::QuestionId, answer: shared::Answer) {
        let effects = self.sync.answer(question, answer);
        self.run(effects);
    }

    /// Instructor: sends a model file to the server and, once it is stored, switches the class to
    /// it; `done` gets the file's name or the refusal (a sentence).
    pub fn upload_model(&mut self, file: web_sys::File, done: Callback<Result<String, String>>) {
        let Some((code, token)) = self.sync.instructor_credentials() else {
            done.emit(Err(
                "The lecture is not open yet; try again in a moment.".to_owned()
            ));
            return;
        };
        let me = self.me.clone();
        spawn_local(async move {
            let name = file.name();
            let result = model_upload::upload(file, &code, &token).await;
            if let (Ok(hash), Some(controller)) = (&result, me.upgrade()) {
                let mut controller = controller.borrow_mut();
                let effects = controller.sync.use_model(Some(*hash));
                controller.run(effects);
            }
            done.emit(result.map(|_| name));
        });
    }

    /// Instructor: switches the class back to the built-in Tiny VGG.
    pub fn use_builtin_model(&mut self) {
        let effects = self.sync.use_model(None);
        self.run(effects);
    }

    /// Instructor: the lesson step shown here has this note (`None`: no lesson open).
    pub fn note_changed(&mut self, note: Option<String>) {
        let effects = self.sync.note_changed(note);
        self.run(effects);
    }

    /// The app's focus, input or follow mode changed.
    pub fn local_changed(&mut self, focus: Focus, input: Option<Input>, mode: Option<Mode>) {
        let effects = self.sync.local_changed(focus, input, mode);
        self.run(effects);
    }

    fn on_socket(&mut self, event: SocketEvent) {
        let now = js_sys::Date::now();
        let effects = match event {
            SocketEvent::Open => self.sync.on_open(now),
            SocketEvent::Frame(bytes) => self.sync.on_frame(&bytes, now),
            SocketEvent::Closed { .. } => self.sync.on_closed(),
        };
        self.run(effects);
    }

    /// Carries out the machine's orders, in order.
    fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::App(action) => self.app.dispatch(action),
                Effect::Bar(event) => self.bar.dispatch(event),
                Effect::Send(msg) => {
                    // A frame lost on a closing socket is made good by the next snapshot.
                    if let Some(socket) = &self.socket {
                        socket.send(&encode_client(&msg));
                    }
                }
                Effect::Open => self.open(),
                Effect::RetryAfter { delay_ms } => {
                    self.socket = None;
                    let me = self.me.clone();
                    self.retry = Some(Timeout::new(delay_ms, move || {
                        if let Some(controller) = me.upgrade() {
                            let mut controller = controller.borrow_mut();
                            let effects = controller.sync.on_retry_due();
                            controller.run(effects);
                        }
                    }));
                }
                Effect::Close => {
                    self.socket = None;
                    self.retry = None;
                    self.heartbeat = None;
                }
                Effect::Remember(saved) => saved_session::save(&saved),
                Effect::Forget => saved_session::forget(),
                Effect::LoadModel(model) => self.load_model(model),
            }
        }
    }

    /// A lecture starts on Tiny VGG (the room's snapshot then says which network it uses).
    fn show_builtin(&mut self) {
        if !model::is_builtin() {
            self.app.dispatch(Action::NetworkChanged(model::set_builtin()));
        }
    }

    /// Shows the room's network: Tiny VGG at once, another one once downloaded and checked.
    fn load_model(&mut self, model: Option<ModelInfo>) {
        let Some(info) = model else {
            self.app.dispatch(Action::NetworkChanged(model::set_builtin()));
            let effects = self.sync.on_model_shown(None);
            self.run(effects);
            return;
        };
        let me = self.me.clone();
        spawn_local(async move {
            let result = room_model::fetch(&info).await;
            let Some(controller) = me.upgrade() else {
                return;
            };
            let mut controller = controller.borrow_mut();
            let hash = Some(info.hash);
            if !controller.sync.wants_model(hash) {
                // The room moved on while this one downloaded.
                return;
            }
            let effects = match result {
                Ok(network) => {
                    controller
                        .app
                        .dispatch(Action::NetworkChanged(model::set_network(network)));
                    controller.sync.on_model_shown(hash)
                }
                Err(reason) => controller.sync.on_model_failed(hash, reason),
            };
            controller.run(effects);
        });
    }

    /// Opens a socket on the page's own host, and keeps the heartbeat ticking.
    fn open(&mut self) {
        self.retry = None;
        self.socket = None;
        if self.heartbeat.is_none() {
            let me = self.me.clone();
            self.heartbeat = Some(Interval::new(HEARTBEAT_MS, move || {
                if let Some(controller) = me.upgrade() {
                    let mut controller = controller.borrow_mut();
                    let effects = controller.sync.on_heartbeat(js_sys::Date::now());
                    controller.run(effects);
                }
            }));
        }
        let location = web_sys::window().map(|window| window.location());
        let url = location.map(|location| {
            socket_url(
                &location.protocol().unwrap_or_default(),
                &location.host().unwrap_or_default(),
            )
        });
        let me = self.me.clone();
        let on_event = Callback::from(move |event: SocketEvent| {
            if let Some(controller) = me.upgrade() {
                controller.borrow_mut().on_socket(event);
            }
        });
        match url.map(|url| Socket::open(&url, on_event)) {
            Some(Ok(socket)) => self.socket = Some(socket),
            // Could not even start: count it as a failed attempt and retry later.
            _ => {
                let effects = self.sync.on_closed();
                self.run(effects);
            }
        }
    }
}
