//! One live lecture: the authoritative room state (input, focus, version, lock, recall, seats),
//! changed only through these methods, persisted before acknowledging, then published.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use shared::server_msg::MAX_SERVER_FRAME_BYTES;
use shared::{
    Answer, Ask, CheckError, CloseReason, Correct, Focus, InputImage, InstructorToken, MemberId, Mode,
    Question, QuestionId, ResumeToken, RoomCode, RosterEntry, StateVersion, Tally,
};
use tokio::sync::{oneshot, watch};

use shared::model::ModelHash;

use crate::clock::unix_now;
use crate::focus_check::{check_focus, overview_focus};
use crate::inference::{Inference, InferenceError};
use crate::published::Published;
use crate::quick_check::LiveQuestion;
use crate::room_model::RoomModel;
use crate::save_mark::SaveMark;
use crate::store::{Store, StoreError, StoredQuestion, StoredRoom, StoredStudent, Write};

/// Bytes of a roster frame at most: the frame limit less room for the message's own framing.
const ROSTER_BUDGET_BYTES: usize = MAX_SERVER_FRAME_BYTES as usize - 1024;

/// Why a student could not join.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The instructor locked the room.
    #[error("The instructor has locked this room against new students; ask them to unlock it.")]
    Locked,
    /// The room has its maximum number of students.
    #[error("This lecture is full ({max} students); ask the instructor to open another room.")]
    Full {
        /// The cap.
        max: usize,
    },
    /// The join could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why the room could not switch network.
#[derive(Debug, thiserror::Error)]
pub enum ModelSwitchError {
    /// A quick-check question about the current network is open.
    #[error(
        "A question about the current network is open; reveal or close it before switching the \
         network."
    )]
    QuestionOpen,
    /// The current picture could not be run through the new network.
    #[error(transparent)]
    Inference(#[from] InferenceError),
    /// The change could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a new input was not taken.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The room switched network while the picture was being predicted: predict it again.
    #[error("The network changed while the picture was being processed; try again.")]
    StaleModel,
    /// The change could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a question or an answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum QuickCheckError {
    /// Against the rules of quick checks.
    #[error(transparent)]
    Refused(#[from] CheckError),
    /// The change could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The open connection holding a member's seat; kicking it tells the connection why it must close.
struct Holder {
    conn: u64,
    kick: oneshot::Sender<CloseReason>,
}

struct Student {
    name: String,
    resume: ResumeToken,
    mode: Mode,
    seat: Option<Holder>,
}

struct RoomState {
    version: StateVersion,
    next_member: u32,
    students: HashMap<MemberId, Student>,
    by_resume: HashMap<[u8; 16], MemberId>,
    instructor: Option<Holder>,
    connected: u32,
    last_active_unix: u64,
    next_conn: u64,
    /// Joins being saved right now (counted against the room's cap).
    joining: usize,
    /// Their names, so two simultaneous "Ada"s are told apart too.
    names_joining: Vec<String>,
    /// The quick-check question, with its right answer and the answers.
    question: Option<LiveQuestion>,
    /// The network every forward pass and focus check of this room uses.
    model: RoomModel,
}

/// Member id of the instructor (students get 1, 2, ...).
pub const INSTRUCTOR_MEMBER: MemberId = MemberId(0);

/// One live lecture room.
pub struct Room {
    code: RoomCode,
    instructor_token: InstructorToken,
    store: Arc<Store>,
    /// std mutex: held only for short synchronous updates, never across an await.
    state: Mutex<RoomState>,
    /// tokio mutex: serialises the persist-then-publish sequence of changes so versions reach
    /// members in order, even if two instructor connections overlap during a reconnect.
    changes: tokio::sync::Mutex<()>,
    published: watch::Sender<Arc<Published>>,
    saved: Arc<SaveMark>,
    roster_changed: watch::Sender<()>,
    /// Wakes the instructor's connection when an answer arrived (its tally is coalesced there).
    tally_changed: watch::Sender<()>,
}

impl Room {
    /// The live room for stored (new or restored) state, on `model` (whose info the caller has
    /// checked against `stored.model`).
    pub fn new(stored: StoredRoom, store: Arc<Store>, model: RoomModel) -> Arc<Self> {
        let mut students = HashMap::new();
        let mut by_resume = HashMap::new();
        for StoredStudent { member, name, resume } in stored.students {
            by_resume.insert(resume.0, member);
            students.insert(
                member,
                Student {
                    name,
                    resume,
                    mode: Mode::Following,
                    seat: None,
                },
            );
        }
        let question = stored.question.map(
            |StoredQuestion {
                 question,
                 correct,
                 answers,
             }| LiveQuestion {
                question: Arc::new(question),
                correct,
                answers: answers.into_iter().collect(),
            },
        );
        let published = Published::new(
            stored.code.clone(),
            stored.version,
            stored.focus,
            stored.input.map(Arc::new),
            stored.locked,
            stored.recall,
            question.as_ref().map(|q| Arc::clone(&q.question)),
        )
        .with_note(stored.version, stored.note.into());
        let published = match &model.info {
            None => published,
            Some(info) => published.with_model(
                stored.version,
                Some(info.clone()),
                published.focus,
                published.input.clone(),
            ),
        };
        Arc::new(Self {
            code: stored.code,
            instructor_token: stored.instructor_token,
            store,
            state: Mutex::new(RoomState {
                version: stored.version,
                next_member: stored.next_member.max(1),
                students,
                by_resume,
                instructor: None,
                connected: 0,
                last_active_unix: stored.last_active_unix,
                next_conn: 0,
                joining: 0,
                names_joining: Vec::new(),
                question,
                model,
            }),
            changes: tokio::sync::Mutex::new(()),
            published: watch::Sender::new(Arc::new(published)),
            saved: Arc::new(SaveMark::new(stored.version)),
            roster_changed: watch::Sender::new(()),
            tally_changed: watch::Sender::new(()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, RoomState> {
        // Poisoning would need a panic while holding the lock; the state is still consistent
        // because every update is a handful of assignments.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The join code.
    pub fn code(&self) -> &RoomCode {
        &self.code
    }

    /// Whether `token` is this room's instructor token.
    pub fn is_instructor_token(&self, token: &InstructorToken) -> bool {
        self.instructor_token.matches(token)
    }

    /// The instructor token (for the creator's `Welcome` only).
    pub fn instructor_token(&self) -> &InstructorToken {
        &self.instructor_token
    }

    /// The broadcast slot; subscribe before reading the snapshot so no change is missed.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.published.subscribe()
    }

    /// Versions known to be on disk (instructor's `Saved`).
    pub fn subscribe_saved(&self) -> watch::Receiver<StateVersion> {
        self.saved.subscribe_saved()
    }

    /// Saves that failed (instructor's "not saved").
    pub fn subscribe_save_failures(&self) -> watch::Receiver<Option<Arc<str>>> {
        self.saved.subscribe_failed()
    }

    /// Wakes the instructor's connection when the roster changed.
    pub fn subscribe_roster(&self) -> watch::Receiver<()> {
        self.roster_changed.subscribe()
    }

    /// Wakes the instructor's connection when the tally changed.
    pub fn subscribe_tally(&self) -> watch::Receiver<()> {
        self.tally_changed.subscribe()
    }

    /// Takes the instructor seat; a previous instructor connection is told it was replaced.
    pub fn seat_instructor(self: &Arc<Self>) -> (SeatGuard, oneshot::Receiver<CloseReason>) {
        let (kick, kicked) = oneshot::channel();
        let mut state = self.lock();
        let conn = state.new_conn();
        match state.instructor.replace(Holder { conn, kick }) {
            Some(old) => {
                let _ = old.kick.send(CloseReason::Replaced);
            }
            None => state.connected += 1,
        }
        (self.guard(INSTRUCTOR_MEMBER, conn), kicked)
    }

    fn guard(self: &Arc<Self>, member: MemberId, conn: u64) -> SeatGuard {
        SeatGuard {
            room: Arc::clone(self),
            member,
            conn,
        }
    }

    /// Takes a student's seat (after `join_student` or `rejoin`); a previous connection of the
    /// same student is told it was replaced. `None` if the student no longer exists.
    pub fn seat_student(
        self: &Arc<Self>,
        member: MemberId,
    ) -> Option<(SeatGuard, oneshot::Receiver<CloseReason>)> {
        let (kick, kicked) = oneshot::channel();
        let mut state = self.lock();
        let conn = state.new_conn();
        let student = state.students.get_mut(&member)?;
        let old = student.seat.replace(Holder { conn, kick });
        match old {
            Some(old) => {
                let _ = old.kick.send(CloseReason::Replaced);
            }
            None => state.connected += 1,
        }
        drop(state);
        self.roster_changed.send_replace(());
        Some((self.guard(member, conn), kicked))
    }

    /// Gives up the seat held by connection `conn` (no-op if it was already replaced).
    fn unseat(&self, member: MemberId, conn: u64) {
        let mut state = self.lock();
        let seat = if member == INSTRUCTOR_MEMBER {
            &mut state.instructor
        } else {
            match state.students.get_mut(&member) {
                Some(student) => &mut student.seat,
                None => return,
            }
        };
        if seat.as_ref().is_some_and(|s| s.conn == conn) {
            *seat = None;
            state.connected -= 1;
            state.last_active_unix = unix_now();
            drop(state);
            if member != INSTRUCTOR_MEMBER {
                self.roster_changed.send_replace(());
            }
        }
    }

    /// Adds a new student (refused while locked or full) under `name`, told apart from a
    /// student of the same name ("Ada (2)"); saved before returning. Returns the stored name.
    pub async fn join_student(
        &self,
        name: String,
        max_students: usize,
    ) -> Result<(MemberId, ResumeToken, String), JoinError> {
        let resume = ResumeToken(rand::random());
        let (member, name) = {
            let mut state = self.lock();
            if self.published.borrow().locked {
                return Err(JoinError::Locked);
            }
            if state.students.len() + state.joining >= max_students {
                return Err(JoinError::Full { max: max_students });
            }
            let name = state.distinct_name(name);
            let member = MemberId(state.next_member);
            state.next_member += 1;
            state.joining += 1;
            state.names_joining.push(name.clone());
            (member, name)
        };
        // Released when the save is done, or if this future is dropped half-way (a guard).
        let held = name.clone();
        let _slot = JoinSlot {
            room: self,
            name: &held,
        };
        self.save_student(member, &name, &resume).await?;
        Ok((member, resume, name))
    }

    async fn save_student(
        &self,
        member: MemberId,
        name: &str,
        resume: &ResumeToken,
    ) -> Result<(), JoinError> {
        let name = name.to_owned();
        let student = StoredStudent {
            member,
            name: name.clone(),
            resume: resume.clone(),
        };
        self.store
            .write(Write::AddStudent {
                code: self.code.clone(),
                student,
            })
            .await?;
        let mut state = self.lock();
        state.by_resume.insert(resume.0, member);
        state.students.insert(
            member,
            Student {
                name,
                resume: resume.clone(),
                mode: Mode::Following,
                seat: None,
            },
        );
        state.last_active_unix = unix_now();
        Ok(())
    }

    /// The student holding `resume`, with its name.
    pub fn rejoin(&self, resume: &ResumeToken) -> Option<(MemberId, String)> {
        let state = self.lock();
        let member = *state.by_resume.get(&resume.0)?;
        let student = state.students.get(&member)?;
        student
            .resume
            .matches(resume)
            .then(|| (member, student.name.clone()))
    }

    /// A student leaves for good: its seat and resume token are removed.
    pub async fn leave(&self, member: MemberId) -> Result<(), StoreError> {
        self.store
            .write(Write::RemoveStudent {
                code: self.code.clone(),
                member,
            })
            .await?;
        let mut state = self.lock();
        if let Some(question) = state.question.as_mut() {
            // Its saved answer was deleted with it; the counts forget it too.
            question.answers.remove(&member);
        }
        if let Some(student) = state.students.remove(&member) {
            state.by_resume.remove(&student.resume.0);
            if student.seat.is_some() {
                state.connected -= 1;
            }
        }
        drop(state);
        self.roster_changed.send_replace(());
        self.tally_changed.send_replace(());
        Ok(())
    }

    /// A student reports following or exploring.
    pub fn set_mode(&self, member: MemberId, mode: Mode) {
        let changed = {
            let mut state = self.lock();
            state
                .students
                .get_mut(&member)
                .is_some_and(|s| std::mem::replace(&mut s.mode, mode) != mode)
        };
        if changed {
            self.roster_changed.send_replace(());
        }
    }

    /// Every student, by member id, as many as fit in one frame (connected students first when
    /// a huge room does not fit, so the instructor sees who is there).
    pub fn roster(&self) -> Vec<RosterEntry> {
        let state = self.lock();
        let mut roster: Vec<RosterEntry> = state
            .students
            .iter()
            .map(|(&member, s)| RosterEntry {
                member,
                name: s.name.clone(),
                mode: s.mode,
                connected: s.seat.is_some(),
            })
            .collect();
        drop(state);
        roster.sort_by_key(|entry| entry.member);
        cap_roster(roster, ROSTER_BUDGET_BYTES)
    }

    /// The room's network.
    pub fn model(&self) -> RoomModel {
        self.lock().model.clone()
    }

    /// Moves the focus, if it fits the room's network (otherwise the sentence saying why):
    /// published at once, written to disk shortly after (see `store`).
    pub async fn set_focus(&self, focus: Focus) -> Result<StateVersion, String> {
        let _order = self.changes.lock().await;
        let version = {
            let mut state = self.lock();
            check_focus(&state.model.network, &focus)?;
            let version = state.bump();
            self.published
                .send_modify(|p| *p = Arc::new(p.with_focus(version, focus)));
            version
        };
        self.store.focus_changed(&self.code, version, focus, &self.saved);
        Ok(version)
    }

    /// Switches the room to `model`: the focus goes back to the overview (every network has
    /// one; [`overview_focus`]), the current picture is predicted again by the new network, all of it saved, then
    /// published as one `RoomEvent::Model`. Refused while a quick-check question is open (it is
    /// about the old network). Holds the room's change order meanwhile, so no picture or focus
    /// meant for the old network slips in between.
    pub async fn set_model(
        &self,
        model: RoomModel,
        inference: &Arc<Inference>,
    ) -> Result<StateVersion, ModelSwitchError> {
        let _order = self.changes.lock().await;
        if self.lock().question.as_ref().is_some_and(LiveQuestion::is_open) {
            return Err(ModelSwitchError::QuestionOpen);
        }
        let current = self.published.borrow().input.clone();
        let input = match current {
            Some(input) => Some(Arc::new(inference.repredict(&input, &model).await?)),
            None => None,
        };
        let focus = overview_focus(&model.network);
        let version = self.lock().peek_next();
        self.store
            .write(Write::Model {
                code: self.code.clone(),
                version,
                model: model.info.clone(),
                focus,
                input: input.as_deref().cloned().map(Box::new),
            })
            .await?;
        // A focus still waiting to be written belongs to the old network: replace it.
        self.store.focus_changed(&self.code, version, focus, &self.saved);
        let mut state = self.lock();
        state.bump();
        let info = model.info.clone();
        state.model = model;
        self.published
            .send_modify(|p| *p = Arc::new(p.with_model(version, info, focus, input)));
        drop(state);
        self.saved.raise(version);
        Ok(version)
    }

    /// Changes a structural part: saved first (so the change is acknowledged only once on disk),
    /// then published.
    async fn change(
        &self,
        write: impl FnOnce(StateVersion) -> Write,
        publish: impl FnOnce(&Published, StateVersion) -> Published,
    ) -> Result<StateVersion, StoreError> {
        let _order = self.changes.lock().await;
        let version = self.lock().peek_next();
        self.store.write(write(version)).await?;
        let mut state = self.lock();
        state.bump();
        self.published.send_modify(|p| *p = Arc::new(publish(p, version)));
        drop(state);
        self.saved.raise(version);
        Ok(version)
    }

    /// Replaces the input image, predicted by the model `made_with` (refused if the room has
    /// switched network since: predict again with [`Self::model`]).
    pub async fn set_input(
        &self,
        input: InputImage,
        made_with: Option<ModelHash>,
    ) -> Result<StateVersion, InputError> {
        let _order = self.changes.lock().await;
        if self.lock().model.hash() != made_with {
            return Err(InputError::StaleModel);
        }
        let input = Arc::new(input);
        let version = self.lock().peek_next();
        self.store
            .write(Write::Input {
                code: self.code.clone(),
                version,
                input: Box::new(InputImage::clone(&input)),
            })
            .await?;
        let mut state = self.lock();
        state.bump();
        self.published
            .send_modify(|p| *p = Arc::new(p.with_input(version, input)));
        drop(state);
        self.saved.raise(version);
        Ok(version)
    }

    /// Locks or unlocks the room against new students.
    pub async fn set_locked(&self, locked: bool) -> Result<StateVersion, StoreError> {
        let code = self.code.clone();
        self.change(
            |version| Write::Locked {
                code,
                version,
                locked,
            },
            |p, version| p.with_locked(version, locked),
        )
        .await
    }

    /// Brings every student back to the live focus.
    pub async fn recall(&self) -> Result<StateVersion, StoreError> {
        let code = self.code.clone();
        let recall = self.published.borrow().recall + 1;
        self.change(
            |version| Write::Recall {
                code,
                version,
                recall,
            },
            |p, version| p.with_recall(version, recall),
        )
        .await
    }

    /// Shows the class a recorded lesson's note (empty: none); saved, then published.
    pub async fn set_note(&self, note: String) -> Result<StateVersion, StoreError> {
        let code = self.code.clone();
        let shown: Arc<str> = note.as_str().into();
        self.change(
            |version| Write::Note { code, version, note },
            |p, version| p.with_note(version, shown),
        )
        .await
    }

    /// Asks the class `ask` about the current focus (refused while another question is open);
    /// saved, then published.
    pub async fn open_question(&self, ask: Ask, correct: Correct) -> Result<StateVersion, QuickCheckError> {
        let _order = self.changes.lock().await;
        let (live, version) = {
            let state = self.lock();
            if state.question.as_ref().is_some_and(LiveQuestion::is_open) {
                return Err(CheckError::AlreadyOpen.into());
            }
            let id = QuestionId(state.question.as_ref().map_or(1, |q| q.question.id.0 + 1));
            let focus = self.published.borrow().focus;
            (LiveQuestion::open(id, ask, correct, focus)?, state.peek_next())
        };
        self.save_question(version, Some((Question::clone(&live.question), correct)))
            .await?;
        self.publish_question(version, Some(live));
        Ok(version)
    }

    /// Stops taking answers and shows everyone the right answer and the counts.
    pub async fn reveal_question(&self) -> Result<StateVersion, QuickCheckError> {
        let _order = self.changes.lock().await;
        let (revealed, correct, version) = {
            let state = self.lock();
            let Some(live) = state.question.as_ref().filter(|q| q.is_open()) else {
                return Err(CheckError::NotOpen.into());
            };
            (
                live.revealed(state.connected_students()),
                live.correct,
                state.peek_next(),
            )
        };
        self.save_question(version, Some((revealed.clone(), correct)))
            .await?;
        let live = self.lock().question.take().map(|mut live| {
            live.question = Arc::new(revealed);
            live
        });
        self.publish_question(version, live);
        Ok(version)
    }

    /// Takes the question off every screen.
    pub async fn dismiss_question(&self) -> Result<StateVersion, QuickCheckError> {
        let _order = self.changes.lock().await;
        let version = self.lock().peek_next();
        self.save_question(version, None).await?;
        self.publish_question(version, None);
        Ok(version)
    }

    async fn save_question(
        &self,
        version: StateVersion,
        question: Option<(Question, Correct)>,
    ) -> Result<(), StoreError> {
        self.store
            .write(Write::Question {
                code: self.code.clone(),
                version,
                question: question.map(Box::new),
            })
            .await
    }

    /// Under the `changes` lock, after the write: the new question state goes live.
    fn publish_question(&self, version: StateVersion, live: Option<LiveQuestion>) {
        let mut state = self.lock();
        state.bump();
        let shown = live.as_ref().map(|q| Arc::clone(&q.question));
        state.question = live;
        self.published
            .send_modify(|p| *p = Arc::new(p.with_question(version, shown)));
        drop(state);
        self.saved.raise(version);
        self.tally_changed.send_replace(());
    }

    /// Takes student `member`'s answer to question `id` (replacing an earlier one); returns once
    /// it is on disk.
    pub async fn answer(
        &self,
        member: MemberId,
        id: QuestionId,
        answer: Answer,
    ) -> Result<(), QuickCheckError> {
        {
            let state = self.lock();
            let live = state.question.as_ref().ok_or(CheckError::NotOpen)?;
            live.check_answer(id, &answer)?;
        }
        self.store
            .write(Write::Answer {
                code: self.code.clone(),
                member,
                question: id,
                answer,
            })
            .await?;
        {
            // Revealed or replaced while the answer was being written: it came too late.
            let mut state = self.lock();
            let live = state
                .question
                .as_mut()
                .filter(|q| q.question.id == id && q.is_open())
                .ok_or(CheckError::NotOpen)?;
            live.answers.insert(member, answer);
            state.last_active_unix = unix_now();
        }
        self.tally_changed.send_replace(());
        Ok(())
    }

    /// The class the network predicts for the current input, if there is one.
    pub fn prediction(&self) -> Option<u16> {
        self.published
            .borrow()
            .input
            .as_ref()
            .map(|input| input.prediction.class)
    }

    /// The current question's id and `member`'s answer to it, if there is a question.
    pub fn answer_of(&self, member: MemberId) -> Option<(QuestionId, Option<Answer>)> {
        let state = self.lock();
        let live = state.question.as_ref()?;
        Some((live.question.id, live.answers.get(&member).copied()))
    }

    /// The instructor's live counts, while a question is open.
    pub fn tally(&self) -> Option<Tally> {
        let state = self.lock();
        let live = state.question.as_ref()?;
        Some(live.tally(state.connected_students()))
    }

    /// Tells every member the room is gone (the caller removes it from the hub and the disk).
    pub fn mark_closed(&self, reason: CloseReason) {
        self.published
            .send_modify(|p| *p = Arc::new(p.with_closed(reason)));
    }

    /// Heartbeat: every member pings its client, and drops it if it has been silent too long.
    pub fn pulse(&self) {
        self.published.send_modify(|p| *p = Arc::new(p.with_pulse()));
    }

    /// Whether nobody is connected and nothing happened for `expiry_secs`.
    pub fn is_idle(&self, now_unix: u64, expiry_secs: u64) -> bool {
        let state = self.lock();
        state.connected == 0 && now_unix.saturating_sub(state.last_active_unix) >= expiry_secs
    }

    /// Number of open connections (instructor included).
    pub fn connected(&self) -> u32 {
        self.lock().connected
    }

    /// Marks activity (keeps an idle room from expiring while it is used).
    pub fn touch(&self) {
        self.lock().last_active_unix = unix_now();
    }
}

/// A member's seat held by one connection. Dropping it frees the seat, also when the connection's
/// task panics or is cancelled, so a crashed connection never leaves a ghost in the roster.
pub struct SeatGuard {
    room: Arc<Room>,
    member: MemberId,
    conn: u64,
}

impl SeatGuard {
    /// The room.
    pub fn room(&self) -> &Arc<Room> {
        &self.room
    }

    /// The member whose seat this is.
    pub fn member(&self) -> MemberId {
        self.member
    }
}

impl Drop for SeatGuard {
    fn drop(&mut self) {
        self.room.unseat(self.member, self.conn);
    }
}

/// A join in progress, counted against the cap until dropped.
struct JoinSlot<'a> {
    room: &'a Room,
    name: &'a str,
}

impl Drop for JoinSlot<'_> {
    fn drop(&mut self) {
        let mut state = self.room.lock();
        state.joining -= 1;
        if let Some(at) = state.names_joining.iter().position(|n| n == self.name) {
            state.names_joining.swap_remove(at);
        }
    }
}

impl RoomState {
    /// Students with an open connection.
    fn connected_students(&self) -> impl Iterator<Item = MemberId> + '_ {
        self.students
            .iter()
            .filter(|(_, s)| s.seat.is_some())
            .map(|(&member, _)| member)
    }

    /// `name`, or `name (2)`, `name (3)`, ... if a student already has it.
    fn distinct_name(&self, name: String) -> String {
        let taken = |candidate: &str| {
            self.students.values().any(|s| s.name == candidate)
                || self.names_joining.iter().any(|n| n == candidate)
        };
        if !taken(&name) {
            return name;
        }
        (2..)
            .map(|n| format!("{name} ({n})"))
            .find(|candidate| !taken(candidate))
            .unwrap_or(name) // the range is unbounded: some suffix is free
    }

    fn new_conn(&mut self) -> u64 {
        self.next_conn += 1;
        self.next_conn
    }

    fn peek_next(&self) -> StateVersion {
        StateVersion {
            epoch: self.version.epoch,
            seq: self.version.seq + 1,
        }
    }

    fn bump(&mut self) -> StateVersion {
        self.version = self.peek_next();
        self.last_active_unix = unix_now();
        self.version
    }
}

/// Largest encoded size of one roster entry: member id and string length as varints (5 bytes
/// each at most), the name, mode and connected flag.
fn entry_bytes(entry: &RosterEntry) -> usize {
    12 + entry.name.len()
}

/// Keeps the entries that fit in `budget` encoded bytes: all of them if they fit, otherwise
/// connected students first, each group by member id.
fn cap_roster(roster: Vec<RosterEntry>, budget: usize) -> Vec<RosterEntry> {
    let total: usize = roster.iter().map(entry_bytes).sum();
    if total <= budget {
        return roster;
    }
    let (mut kept, offline): (Vec<_>, Vec<_>) = roster.into_iter().partition(|e| e.connected);
    kept.extend(offline);
    let mut used = 0;
    kept.retain(|entry| {
        used += entry_bytes(entry);
        used <= budget
    });
    tracing::warn!(
        shown = kept.len(),
        "roster too large for one frame; showing the first students"
    );
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::codec::encode_server;
    use shared::{RosterEvent, ServerMsg};

    #[test]
    fn a_huge_roster_stays_under_the_frame_limit_and_keeps_connected_students() {
        let roster: Vec<RosterEntry> = (1..=20_000u32)
            .map(|i| RosterEntry {
                member: MemberId(i),
                name: "\u{1F600}".repeat(40),
                mode: Mode::Following,
                connected: i % 2 == 0,
            })
            .collect();
        let capped = cap_roster(roster, ROSTER_BUDGET_BYTES);
        assert!(capped.len() > 1000 && capped.len() < 20_000, "{}", capped.len());
        assert!(capped.iter().all(|e| e.connected));
        let frame = encode_server(&ServerMsg::Roster(RosterEvent::Full(capped)));
        assert!(frame.len() <= MAX_SERVER_FRAME_BYTES as usize, "{}", frame.len());
    }

    #[tokio::test]
    async fn a_panicking_connection_frees_its_seat() {
        let (store, _) = Store::open(None).expect("in-memory store");
        let stored = StoredRoom {
            code: RoomCode::parse("ABCDEF").unwrap(),
            instructor_token: InstructorToken([1; 16]),
            version: StateVersion { epoch: 1, seq: 0 },
            focus: Focus::default(),
            input: None,
            locked: false,
            recall: 0,
            next_member: 1,
            last_active_unix: 0,
            students: vec![StoredStudent {
                member: MemberId(1),
                name: "Ada".into(),
                resume: ResumeToken([2; 16]),
            }],
            question: None,
            note: String::new(),
            model: None,
        };
        let room = Room::new(stored, Arc::new(store), RoomModel::tiny_vgg());
        let seated = Arc::clone(&room);
        let task = tokio::spawn(async move {
            let (_seat, _kicked) = seated.seat_student(MemberId(1)).expect("student exists");
            assert_eq!(seated.connected(), 1);
            panic!("a bug in a connection task");
        });
        assert!(task.await.unwrap_err().is_panic());
        assert_eq!(room.connected(), 0, "the seat was freed by the guard");
        assert!(!room.roster()[0].connected);
    }

    #[test]
    fn same_names_are_told_apart() {
        let mut state = RoomState {
            version: StateVersion::default(),
            next_member: 1,
            students: HashMap::new(),
            by_resume: HashMap::new(),
            instructor: None,
            connected: 0,
            last_active_unix: 0,
            next_conn: 0,
            joining: 0,
            names_joining: Vec::new(),
            question: None,
            model: RoomModel::tiny_vgg(),
        };
        for (i, expected) in ["Ada", "Ada (2)", "Ada (3)"].into_iter().enumerate() {
            let name = state.distinct_name("Ada".into());
            assert_eq!(name, expected);
            let member = MemberId(i as u32 + 1);
            state.students.insert(
                member,
                Student {
                    name,
                    resume: ResumeToken([i as u8; 16]),
                    mode: Mode::Following,
                    seat: None,
                },
            );
        }
        assert_eq!(state.distinct_name("Bob".into()), "Bob");
    }
}
