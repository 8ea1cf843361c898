//! Room state on disk (SQLite, in WAL mode): one writer thread commits batches of writes
//! ("group commit"), so a burst of joins costs one disk flush instead of one each.
//!
//! What "acknowledged" means: a structural change (room created, student joined or left, input
//! image, lock, recall, room closed) is committed to disk before the server answers or broadcasts
//! it. Focus changes are broadcast at once and written by the writer thread shortly after, only
//! the newest per room (a burst of scrubbing costs one write); when a focus is on disk the
//! instructor receives `SessionEvent::Saved(version)`. A crash can lose focus changes that were
//! broadcast but not yet `Saved`; it cannot lose anything acknowledged. A write that fails (full
//! disk, locked database) is reported to the instructor as "not saved" and the lecture goes on.
//!
//! The schema carries a version (`PRAGMA user_version`) and is brought up to date by
//! [`MIGRATIONS`] at open; a room whose row cannot be read is skipped with a warning.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, params};
use shared::codec;
use shared::model::{ModelHash, ModelInfo};
use shared::{
    Answer, ColorRange, Correct, Focus, InputImage, InstructorToken, MemberId, Playground, Question,
    QuestionId, ResumeToken, RoomCode, StateVersion, View,
};
use tokio::sync::oneshot;

use crate::clock::unix_now;
use crate::save_mark::SaveMark;

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "classroom.sqlite3";

/// A database failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Opening or reading the database failed.
    #[error("Could not open the room database {path}: {message}. Check the --data-dir permissions.")]
    Open {
        /// Database file.
        path: String,
        /// What SQLite said.
        message: String,
    },
    /// The database was written by a newer version of the server.
    #[error(
        "The room database {path} has schema version {found}, newer than this server understands \
         ({supported}); run the newer server, or start this one with another --data-dir."
    )]
    TooNew {
        /// Database file.
        path: String,
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A write failed; the change was not made.
    #[error(
        "Not saved: the server could not write the change ({0}). The lecture goes on; try again, \
         and if it keeps failing free disk space or check the data directory."
    )]
    Write(String),
    /// The writer thread is gone (the server is stopping).
    #[error("The server is shutting down; the change was not saved.")]
    Closed,
}

/// A student as stored.
#[derive(Debug, Clone)]
pub struct StoredStudent {
    /// Member id in the room.
    pub member: MemberId,
    /// Display name.
    pub name: String,
    /// Rejoin secret.
    pub resume: ResumeToken,
}

/// A room as stored.
#[derive(Debug, Clone)]
pub struct StoredRoom {
    /// Join code.
    pub code: RoomCode,
    /// Instructor secret.
    pub instructor_token: InstructorToken,
    /// Version of the newest stored change (the epoch already raised for this start).
    pub version: StateVersion,
    /// Last stored focus.
    pub focus: Focus,
    /// Current input image.
    pub input: Option<InputImage>,
    /// Whether new students are refused.
    pub locked: bool,
    /// Number of recalls so far.
    pub recall: u32,
    /// Next member id to hand out.
    pub next_member: u32,
    /// Unix seconds of the last stored change.
    pub last_active_unix: u64,
    /// The room's students.
    pub students: Vec<StoredStudent>,
    /// The room's quick-check question, with its right answer and the answers given.
    pub question: Option<StoredQuestion>,
    /// The recorded lesson's note shown to the class (empty: none).
    pub note: String,
    /// The room's network (`None`: the built-in Tiny VGG); the file is in the model store.
    pub model: Option<ModelInfo>,
}

/// A room's current quick-check question as stored.
#[derive(Debug, Clone)]
pub struct StoredQuestion {
    /// The question as members see it.
    pub question: Question,
    /// Its right answer.
    pub correct: Correct,
    /// Every student's answer.
    pub answers: Vec<(MemberId, Answer)>,
}

/// One structural change, committed before it is acknowledged.
#[derive(Debug)]
pub enum Write {
    /// A new room (without students).
    CreateRoom(Box<StoredRoom>),
    /// A student joined.
    AddStudent {
        /// Room.
        code: RoomCode,
        /// The student.
        student: StoredStudent,
    },
    /// A student left for good.
    RemoveStudent {
        /// Room.
        code: RoomCode,
        /// The student.
        member: MemberId,
    },
    /// New input image.
    Input {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// The image.
        input: Box<InputImage>,
    },
    /// Locked or unlocked.
    Locked {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// New value.
        locked: bool,
    },
    /// Everyone brought back.
    Recall {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// New recall count.
        recall: u32,
    },
    /// Room closed or expired.
    DeleteRoom(RoomCode),
    /// A question asked, revealed or dismissed (`None`); a new question id clears the answers.
    Question {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// The question and its right answer.
        question: Option<Box<(Question, Correct)>>,
    },
    /// The lesson note shown to the class.
    Note {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// The note (empty: none).
        note: String,
    },
    /// The room switched network, with the focus and the input (predicted again) it switched with.
    Model {
        /// Room.
        code: RoomCode,
        /// Version of the change.
        version: StateVersion,
        /// The new network (`None`: Tiny VGG).
        model: Option<ModelInfo>,
        /// The focus reset with it.
        focus: Focus,
        /// The input with the new network's prediction.
        input: Option<Box<InputImage>>,
    },
    /// A student's answer (replacing an earlier one).
    Answer {
        /// Room.
        code: RoomCode,
        /// The student.
        member: MemberId,
        /// The question answered.
        question: QuestionId,
        /// The answer.
        answer: Answer,
    },
}

/// The newest not-yet-written focus of a room.
struct PendingFocus {
    version: StateVersion,
    focus: Focus,
    mark: Arc<SaveMark>,
}

enum Job {
    Write(Write, oneshot::Sender<Result<(), StoreError>>),
    FocusDirty,
    Stop,
}

/// Handle to the database writer; cheap to share behind an `Arc`.
pub struct Store {
    jobs: mpsc::Sender<Job>,
    /// std mutex: held only to insert or drain entries, never across an await.
    pending_focus: Arc<Mutex<HashMap<RoomCode, PendingFocus>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, or an in-memory one for `None`; raises
    /// every room's epoch (a new server incarnation) and returns all stored rooms.
    pub fn open(dir: Option<&Path>) -> Result<(Self, Vec<StoredRoom>), StoreError> {
        let path = dir.map(|d| d.join(DB_FILE));
        let shown = path
            .as_ref()
            .map_or("(in memory)".to_owned(), |p| p.display().to_string());
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: shown.clone(),
            message: e.to_string(),
        };
        let mut conn = match &path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.execute_batch(PRAGMAS).map_err(open_err)?;
        migrate(&mut conn, &shown)?;
        let rooms = load_rooms(&mut conn).map_err(open_err)?;
        let pending_focus = Arc::new(Mutex::new(HashMap::new()));
        let (jobs, rx) = mpsc::channel();
        let pending = Arc::clone(&pending_focus);
        let writer = std::thread::Builder::new()
            .name("room-store".into())
            .spawn(move || writer_loop(conn, rx, pending))
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        Ok((
            Self {
                jobs,
                pending_focus,
                writer: Mutex::new(Some(writer)),
            },
            rooms,
        ))
    }

    /// Commits `write`; returns once it is on disk.
    pub async fn write(&self, write: Write) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send(Job::Write(write, done))
            .map_err(|_| StoreError::Closed)?;
        wait.await.map_err(|_| StoreError::Closed)?
    }

    /// Records the room's newest focus to be written soon; `mark` is raised to `version` once
    /// it is on disk, or told the save failed.
    pub fn focus_changed(&self, code: &RoomCode, version: StateVersion, focus: Focus, mark: &Arc<SaveMark>) {
        let entry = PendingFocus {
            version,
            focus,
            mark: Arc::clone(mark),
        };
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let mut pending = self.pending_focus.lock().unwrap_or_else(|e| e.into_inner());
        let first = pending.insert(code.clone(), entry).is_none();
        drop(pending);
        if first {
            let _ = self.jobs.send(Job::FocusDirty);
        }
    }

    /// Whether the writer thread is still running (`/healthz`).
    pub fn is_running(&self) -> bool {
        self.writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|handle| !handle.is_finished())
    }

    /// Writes what is pending and stops the writer thread (blocking; call off the runtime).
    pub fn close(&self) {
        let _ = self.jobs.send(Job::Stop);
        let handle = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// When another process holds the database locked, a write waits this long before it fails (and
/// the instructor is told "not saved").
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

const PRAGMAS: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = ON;
";

/// Schema migrations in order: `MIGRATIONS[i]` takes a database from version `i` to `i + 1`.
/// Version 0 is a new file, or one written before the schema was versioned (which already has
/// the version-1 tables, hence `IF NOT EXISTS`). Append; never edit a released step.
pub const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4];

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    instructor_token BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    focus BLOB NOT NULL,
    input BLOB,
    locked INTEGER NOT NULL,
    recall INTEGER NOT NULL,
    next_member INTEGER NOT NULL,
    last_active_unix INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    code TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
    member INTEGER NOT NULL,
    name TEXT NOT NULL,
    resume_token BLOB NOT NULL,
    PRIMARY KEY (code, member)
);
";

/// Version 2: quick checks. One question per room (the current one) and one answer per student.
const SCHEMA_V2: &str = "
CREATE TABLE questions (
    code TEXT PRIMARY KEY REFERENCES rooms(code) ON DELETE CASCADE,
    question BLOB NOT NULL,
    correct BLOB NOT NULL
);
CREATE TABLE answers (
    code TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
    member INTEGER NOT NULL,
    question INTEGER NOT NULL,
    answer BLOB NOT NULL,
    PRIMARY KEY (code, member)
);
";

/// Version 3: recorded lessons. The note the instructor shows the class, one per room.
const SCHEMA_V3: &str = "
CREATE TABLE notes (
    code TEXT PRIMARY KEY REFERENCES rooms(code) ON DELETE CASCADE,
    note TEXT NOT NULL
);
";

/// Version 4: own networks. The room's model (its hash names the file in the model store, the
/// size and name are what members are shown); rooms stored before have none: Tiny VGG.
const SCHEMA_V4: &str = "
ALTER TABLE rooms ADD COLUMN model_hash BLOB;
ALTER TABLE rooms ADD COLUMN model_bytes INTEGER;
ALTER TABLE rooms ADD COLUMN model_name TEXT;
";

/// The model columns of a room row (`None` when there is no model hash).
fn read_model(
    hash: Option<Vec<u8>>,
    bytes: Option<i64>,
    name: Option<String>,
) -> rusqlite::Result<Option<ModelInfo>> {
    let Some(hash) = hash else { return Ok(None) };
    let hash: [u8; 32] = hash.try_into().map_err(|_| rusqlite::Error::InvalidQuery)?;
    Ok(Some(ModelInfo {
        hash: ModelHash(hash),
        bytes: u32::try_from(bytes.unwrap_or(0)).unwrap_or(0),
        name: name.unwrap_or_default(),
    }))
}

/// Brings the schema up to [`MIGRATIONS`]`.len()`, each step in its own transaction.
fn migrate(conn: &mut Connection, shown: &str) -> Result<(), StoreError> {
    let open_err = |e: rusqlite::Error| StoreError::Open {
        path: shown.to_owned(),
        message: e.to_string(),
    };
    let supported = MIGRATIONS.len() as i64;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_err)?;
    if found > supported {
        return Err(StoreError::TooNew {
            path: shown.to_owned(),
            found,
            supported,
        });
    }
    for (from, step) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction().map_err(open_err)?;
        tx.execute_batch(step).map_err(open_err)?;
        tx.pragma_update(None, "user_version", from as i64 + 1)
            .map_err(open_err)?;
        tx.commit().map_err(open_err)?;
        tracing::info!(version = from + 1, "room database schema migrated");
    }
    Ok(())
}

fn blob16(bytes: Vec<u8>) -> rusqlite::Result<[u8; 16]> {
    bytes.try_into().map_err(|_| rusqlite::Error::InvalidQuery)
}

fn decode_column<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> rusqlite::Result<T> {
    codec::decode(bytes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e)))
}

/// A focus as protocol version 1 stored it, before the hyperparameter playground.
#[derive(serde::Serialize, serde::Deserialize)]
struct FocusV1 {
    view: View,
    layer: u16,
    neuron: u16,
    channel: u16,
    step: u32,
    playing: bool,
    step_ms: u16,
    color_range: ColorRange,
    show_detail: bool,
}

/// A stored focus; one written by a server of protocol version 1 comes back with the default
/// playground, so the rooms of a lecture survive an upgrade of the server.
fn decode_focus(bytes: &[u8]) -> rusqlite::Result<Focus> {
    decode_column::<Focus>(bytes).or_else(|error| {
        let Ok(old) = codec::decode::<FocusV1>(bytes) else {
            return Err(error);
        };
        Ok(Focus {
            view: old.view,
            layer: old.layer,
            neuron: old.neuron,
            channel: old.channel,
            step: old.step,
            playing: old.playing,
            step_ms: old.step_ms,
            color_range: old.color_range,
            show_detail: old.show_detail,
            playground: Playground::default(),
        })
    })
}

fn load_rooms(conn: &mut Connection) -> rusqlite::Result<Vec<StoredRoom>> {
    let tx = conn.transaction()?;
    tx.execute("UPDATE rooms SET epoch = epoch + 1", [])?;
    let mut rooms = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT code, instructor_token, epoch, seq, focus, input, locked, recall, next_member,
                    last_active_unix, model_hash, model_bytes, model_name FROM rooms",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let code: String = row.get(0)?;
            let Ok(code) = RoomCode::parse(&code) else {
                tracing::warn!(%code, "skipping a stored room with an invalid code");
                continue;
            };
            let read = || -> rusqlite::Result<StoredRoom> {
                let input: Option<Vec<u8>> = row.get(5)?;
                Ok(StoredRoom {
                    code: code.clone(),
                    instructor_token: InstructorToken(blob16(row.get(1)?)?),
                    version: StateVersion {
                        epoch: row.get(2)?,
                        seq: row.get::<_, i64>(3)? as u64,
                    },
                    focus: decode_focus(&row.get::<_, Vec<u8>>(4)?)?,
                    input: input.map(|b| decode_column(&b)).transpose()?,
                    locked: row.get(6)?,
                    recall: row.get(7)?,
                    next_member: row.get(8)?,
                    last_active_unix: row.get::<_, i64>(9)? as u64,
                    students: Vec::new(),
                    question: None,
                    note: String::new(),
                    model: read_model(row.get(10)?, row.get(11)?, row.get(12)?)?,
                })
            };
            match read() {
                Ok(room) => rooms.push(room),
                Err(error) => {
                    tracing::warn!(%code, %error, "skipping a stored room that cannot be read");
                }
            }
        }
        let mut stmt =
            tx.prepare("SELECT member, name, resume_token FROM students WHERE code = ?1 ORDER BY member")?;
        for room in &mut rooms {
            let students = stmt.query_map([room.code.as_str()], |row| {
                Ok(StoredStudent {
                    member: MemberId(row.get(0)?),
                    name: row.get(1)?,
                    resume: ResumeToken(blob16(row.get(2)?)?),
                })
            })?;
            room.students = students.filter_map(|student| match student {
                Ok(student) => Some(student),
                Err(error) => {
                    tracing::warn!(code = %room.code, %error, "skipping a stored student that cannot be read");
                    None
                }
            })
            .collect();
        }
        load_questions(&tx, &mut rooms)?;
        load_notes(&tx, &mut rooms)?;
    }
    tx.commit()?;
    Ok(rooms)
}

/// Each room's question and the answers to it; an unreadable one is skipped (the lecture goes on
/// without it).
fn load_questions(tx: &Connection, rooms: &mut [StoredRoom]) -> rusqlite::Result<()> {
    let mut question_stmt = tx.prepare("SELECT question, correct FROM questions WHERE code = ?1")?;
    let mut answer_stmt =
        tx.prepare("SELECT member, answer FROM answers WHERE code = ?1 AND question = ?2")?;
    for room in rooms {
        let row = question_stmt
            .query_map([room.code.as_str()], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?
            .next()
            .transpose()?;
        let Some((question, correct)) = row else {
            continue;
        };
        let (question, correct) = match (
            decode_column::<Question>(&question),
            decode_column::<Correct>(&correct),
        ) {
            (Ok(question), Ok(correct)) => (question, correct),
            _ => {
                tracing::warn!(code = %room.code, "skipping a stored question that cannot be read");
                continue;
            }
        };
        let answers = answer_stmt
            .query_map(params![room.code.as_str(), question.id.0], |row| {
                Ok((MemberId(row.get(0)?), row.get::<_, Vec<u8>>(1)?))
            })?
            .filter_map(|row| {
                let (member, bytes) = row.ok()?;
                Some((member, decode_column::<Answer>(&bytes).ok()?))
            })
            .collect();
        room.question = Some(StoredQuestion {
            question,
            correct,
            answers,
        });
    }
    Ok(())
}

/// Each room's lesson note.
fn load_notes(tx: &Connection, rooms: &mut [StoredRoom]) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("SELECT note FROM notes WHERE code = ?1")?;
    for room in rooms {
        let note = stmt
            .query_map([room.code.as_str()], |row| row.get::<_, String>(0))?
            .next()
            .transpose();
        match note {
            Ok(note) => room.note = note.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(code = %room.code, %error, "skipping a stored note that cannot be read")
            }
        }
    }
    Ok(())
}

fn apply(tx: &Connection, write: &Write) -> rusqlite::Result<()> {
    let now = unix_now() as i64;
    let bump = "UPDATE rooms SET seq = MAX(seq, ?2), last_active_unix = ?3";
    match write {
        Write::CreateRoom(room) => {
            tx.execute(
                "INSERT INTO rooms (code, instructor_token, epoch, seq, focus, input, locked, recall,
                                    next_member, last_active_unix, model_hash, model_bytes, model_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    room.code.as_str(),
                    &room.instructor_token.0[..],
                    room.version.epoch,
                    room.version.seq as i64,
                    codec::encode(&room.focus),
                    room.input.as_ref().map(codec::encode),
                    room.locked,
                    room.recall,
                    room.next_member,
                    now,
                    room.model.as_ref().map(|m| m.hash.0.to_vec()),
                    room.model.as_ref().map(|m| m.bytes),
                    room.model.as_ref().map(|m| m.name.as_str()),
                ],
            )?;
        }
        Write::Model {
            code,
            version,
            model,
            focus,
            input,
        } => {
            tx.execute(
                &format!(
                    "{bump}, model_hash = ?4, model_bytes = ?5, model_name = ?6, focus = ?7, input = ?8
                     WHERE code = ?1"
                ),
                params![
                    code.as_str(),
                    version.seq as i64,
                    now,
                    model.as_ref().map(|m| m.hash.0.to_vec()),
                    model.as_ref().map(|m| m.bytes),
                    model.as_ref().map(|m| m.name.as_str()),
                    codec::encode(focus),
                    input.as_deref().map(codec::encode),
                ],
            )?;
        }
        Write::AddStudent { code, student } => {
            tx.execute(
                "INSERT INTO students (code, member, name, resume_token) VALUES (?1, ?2, ?3, ?4)",
                params![
                    code.as_str(),
                    student.member.0,
                    student.name,
                    &student.resume.0[..]
                ],
            )?;
            tx.execute(
                "UPDATE rooms SET next_member = MAX(next_member, ?2), last_active_unix = ?3
                 WHERE code = ?1",
                params![code.as_str(), student.member.0 + 1, now],
            )?;
        }
        Write::RemoveStudent { code, member } => {
            tx.execute(
                "DELETE FROM students WHERE code = ?1 AND member = ?2",
                params![code.as_str(), member.0],
            )?;
            tx.execute(
                "DELETE FROM answers WHERE code = ?1 AND member = ?2",
                params![code.as_str(), member.0],
            )?;
        }
        Write::Input { code, version, input } => {
            tx.execute(
                &format!("{bump}, input = ?4 WHERE code = ?1"),
                params![
                    code.as_str(),
                    version.seq as i64,
                    now,
                    codec::encode(input.as_ref())
                ],
            )?;
        }
        Write::Locked {
            code,
            version,
            locked,
        } => {
            tx.execute(
                &format!("{bump}, locked = ?4 WHERE code = ?1"),
                params![code.as_str(), version.seq as i64, now, locked],
            )?;
        }
        Write::Recall {
            code,
            version,
            recall,
        } => {
            tx.execute(
                &format!("{bump}, recall = ?4 WHERE code = ?1"),
                params![code.as_str(), version.seq as i64, now, recall],
            )?;
        }
        Write::DeleteRoom(code) => {
            tx.execute("DELETE FROM rooms WHERE code = ?1", [code.as_str()])?;
        }
        Write::Question {
            code,
            version,
            question,
        } => {
            tx.execute(
                &format!("{bump} WHERE code = ?1"),
                params![code.as_str(), version.seq as i64, now],
            )?;
            match question.as_deref() {
                Some((question, correct)) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO questions (code, question, correct) VALUES (?1, ?2, ?3)",
                        params![code.as_str(), codec::encode(question), codec::encode(correct)],
                    )?;
                    tx.execute(
                        "DELETE FROM answers WHERE code = ?1 AND question != ?2",
                        params![code.as_str(), question.id.0],
                    )?;
                }
                None => {
                    tx.execute("DELETE FROM questions WHERE code = ?1", [code.as_str()])?;
                    tx.execute("DELETE FROM answers WHERE code = ?1", [code.as_str()])?;
                }
            }
        }
        Write::Note { code, version, note } => {
            tx.execute(
                &format!("{bump} WHERE code = ?1"),
                params![code.as_str(), version.seq as i64, now],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO notes (code, note) VALUES (?1, ?2)",
                params![code.as_str(), note],
            )?;
        }
        Write::Answer {
            code,
            member,
            question,
            answer,
        } => {
            tx.execute(
                "INSERT OR REPLACE INTO answers (code, member, question, answer) VALUES (?1, ?2, ?3, ?4)",
                params![code.as_str(), member.0, question.0, codec::encode(answer)],
            )?;
        }
    }
    Ok(())
}

fn write_focus(tx: &Connection, code: &RoomCode, f: &PendingFocus) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE rooms SET seq = MAX(seq, ?2), last_active_unix = ?3, focus = ?4 WHERE code = ?1",
        params![
            code.as_str(),
            f.version.seq as i64,
            unix_now() as i64,
            codec::encode(&f.focus)
        ],
    )?;
    Ok(())
}

/// Upper bound of jobs committed in one transaction, so acknowledgements keep flowing under load.
const MAX_BATCH: usize = 4096;

fn writer_loop(
    mut conn: Connection,
    jobs: mpsc::Receiver<Job>,
    pending: Arc<Mutex<HashMap<RoomCode, PendingFocus>>>,
) {
    let mut stopping = false;
    while !stopping {
        let first = match jobs.recv() {
            Ok(job) => job,
            // Every handle is gone without `close` (e.g. a start-up error): still write what is
            // pending, then stop.
            Err(_) => Job::Stop,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut writes = Vec::new();
        for job in batch {
            match job {
                Job::Write(write, done) => writes.push((write, done)),
                Job::FocusDirty => {}
                Job::Stop => stopping = true,
            }
        }
        let focus: Vec<(RoomCode, PendingFocus)> = pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        commit_batch(&mut conn, writes, focus);
    }
}

fn commit_batch(
    conn: &mut Connection,
    writes: Vec<(Write, oneshot::Sender<Result<(), StoreError>>)>,
    focus: Vec<(RoomCode, PendingFocus)>,
) {
    let outcome = (|| -> rusqlite::Result<Vec<Result<(), StoreError>>> {
        let mut tx = conn.transaction()?;
        let mut results = Vec::with_capacity(writes.len());
        for (write, _) in &writes {
            // One savepoint per write: a failing write is rolled back alone and reported to its
            // sender, the rest of the batch still commits.
            let sp = tx.savepoint()?;
            match apply(&sp, write) {
                Ok(()) => {
                    sp.commit()?;
                    results.push(Ok(()));
                }
                Err(e) => results.push(Err(StoreError::Write(e.to_string()))),
            }
        }
        for (code, f) in &focus {
            write_focus(&tx, code, f)?;
        }
        tx.commit()?;
        Ok(results)
    })();
    match outcome {
        Ok(results) => {
            for ((_, done), result) in writes.into_iter().zip(results) {
                let _ = done.send(result);
            }
            for (_, f) in focus {
                f.mark.raise(f.version);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "could not commit room changes");
            let error = StoreError::Write(e.to_string());
            for (_, done) in writes {
                let _ = done.send(Err(error.clone()));
            }
            // Not retried: the next focus change writes the newest focus anyway.
            let reason = error.to_string();
            for (_, f) in focus {
                f.mark.fail(&reason);
            }
        }
    }
}

impl Drop for Store {
    /// The writer is told to stop on every path, even one that never called [`Store::close`];
    /// it writes what is pending first. (Not joined here: dropping may happen on the runtime.)
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_focus_stored_before_the_playground_still_loads() {
        let old = FocusV1 {
            view: View::Operation,
            layer: 2,
            neuron: 3,
            channel: 1,
            step: 40,
            playing: false,
            step_ms: 100,
            color_range: ColorRange::Block,
            show_detail: false,
        };
        let focus = decode_focus(&codec::encode(&old)).expect("a version-1 focus decodes");
        assert_eq!(
            (focus.view, focus.layer, focus.neuron, focus.step),
            (View::Operation, 2, 3, 40)
        );
        assert_eq!(focus.playground, Playground::default());
        let current = Focus {
            step: 9,
            ..Focus::default()
        };
        assert_eq!(decode_focus(&codec::encode(&current)).ok(), Some(current));
        assert!(decode_focus(&[0xff; 3]).is_err());
    }
}
