//! One live lecture: the authoritative room state (input, focus, version, lock, recall, seats),
//! changed only through these methods, persisted before acknowledging, then published.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use shared::{
    CloseReason, Focus, InputImage, InstructorToken, MemberId, Mode, ResumeToken, RoomCode, RosterEntry,
    StateVersion,
};
use tokio::sync::{oneshot, watch};

use crate::published::Published;
use crate::store::{Store, StoreError, StoredRoom, StoredStudent, Write, unix_now};

/// Why a student could not join.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The instructor locked the room.
    #[error("The instructor has locked this room against new students; ask them to unlock it.")]
    Locked,
    /// The join could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An open connection holding a seat; kicking it tells the connection why it must close.
struct Seat {
    conn: u64,
    kick: oneshot::Sender<CloseReason>,
}

struct Student {
    name: String,
    resume: ResumeToken,
    mode: Mode,
    seat: Option<Seat>,
}

struct RoomState {
    version: StateVersion,
    next_member: u32,
    students: HashMap<MemberId, Student>,
    by_resume: HashMap<[u8; 16], MemberId>,
    instructor: Option<Seat>,
    connected: u32,
    last_active_unix: u64,
    next_conn: u64,
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
    saved: Arc<watch::Sender<StateVersion>>,
    roster_changed: watch::Sender<()>,
}

impl Room {
    /// The live room for stored (new or restored) state.
    pub fn new(stored: StoredRoom, store: Arc<Store>) -> Arc<Self> {
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
        let published = Published::new(
            stored.code.clone(),
            stored.version,
            stored.focus,
            stored.input.map(Arc::new),
            stored.locked,
            stored.recall,
        );
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
            }),
            changes: tokio::sync::Mutex::new(()),
            published: watch::Sender::new(Arc::new(published)),
            saved: Arc::new(watch::Sender::new(stored.version)),
            roster_changed: watch::Sender::new(()),
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
        self.saved.subscribe()
    }

    /// Wakes the instructor's connection when the roster changed.
    pub fn subscribe_roster(&self) -> watch::Receiver<()> {
        self.roster_changed.subscribe()
    }

    /// Takes the instructor seat; a previous instructor connection is told it was replaced.
    pub fn seat_instructor(&self) -> (u64, oneshot::Receiver<CloseReason>) {
        let (kick, kicked) = oneshot::channel();
        let mut state = self.lock();
        let conn = state.new_conn();
        match state.instructor.replace(Seat { conn, kick }) {
            Some(old) => {
                let _ = old.kick.send(CloseReason::Replaced);
            }
            None => state.connected += 1,
        }
        (conn, kicked)
    }

    /// Takes a student's seat (after `join_student` or `rejoin`); a previous connection of the
    /// same student is told it was replaced. `None` if the student no longer exists.
    pub fn seat_student(&self, member: MemberId) -> Option<(u64, oneshot::Receiver<CloseReason>)> {
        let (kick, kicked) = oneshot::channel();
        let mut state = self.lock();
        let conn = state.new_conn();
        let student = state.students.get_mut(&member)?;
        let old = student.seat.replace(Seat { conn, kick });
        match old {
            Some(old) => {
                let _ = old.kick.send(CloseReason::Replaced);
            }
            None => state.connected += 1,
        }
        drop(state);
        self.roster_changed.send_replace(());
        Some((conn, kicked))
    }

    /// Gives up the seat held by connection `conn` (no-op if it was already replaced).
    pub fn unseat(&self, member: MemberId, conn: u64) {
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

    /// Adds a new student (refused while locked); saved before returning.
    pub async fn join_student(&self, name: String) -> Result<(MemberId, ResumeToken), JoinError> {
        let resume = ResumeToken(rand::random());
        let member = {
            let mut state = self.lock();
            if self.published.borrow().locked {
                return Err(JoinError::Locked);
            }
            let member = MemberId(state.next_member);
            state.next_member += 1;
            member
        };
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
        Ok((member, resume))
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
        if let Some(student) = state.students.remove(&member) {
            state.by_resume.remove(&student.resume.0);
            if student.seat.is_some() {
                state.connected -= 1;
            }
        }
        drop(state);
        self.roster_changed.send_replace(());
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

    /// Every student, by member id.
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
        roster.sort_by_key(|entry| entry.member);
        roster
    }

    /// Moves the focus: published at once, written to disk shortly after (see `store`).
    pub async fn set_focus(&self, focus: Focus) -> StateVersion {
        let _order = self.changes.lock().await;
        let version = {
            let mut state = self.lock();
            let version = state.bump();
            self.published
                .send_modify(|p| *p = Arc::new(p.with_focus(version, focus)));
            version
        };
        self.store.focus_changed(&self.code, version, focus, &self.saved);
        version
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
        raise_saved(&self.saved, version);
        Ok(version)
    }

    /// Replaces the input image.
    pub async fn set_input(&self, input: InputImage) -> Result<StateVersion, StoreError> {
        let input = Arc::new(input);
        let code = self.code.clone();
        let stored = Box::new(InputImage::clone(&input));
        self.change(
            |version| Write::Input {
                code,
                version,
                input: stored,
            },
            |p, version| p.with_input(version, input),
        )
        .await
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

impl RoomState {
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

/// Raises the instructor's `Saved` mark to `version` (never lowers it). Structural writes are
/// committed in the same or a later transaction than every earlier focus change (the writer
/// drains pending focus after taking the write), so everything up to `version` is on disk.
pub fn raise_saved(saved: &watch::Sender<StateVersion>, version: StateVersion) {
    saved.send_if_modified(|current| {
        let newer = version > *current;
        if newer {
            *current = version;
        }
        newer
    });
}
