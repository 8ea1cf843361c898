//! Persistence under faults, with real database files: a database written before the schema was
//! versioned opens and is migrated, a newer one is refused with a sentence, an unreadable room is
//! skipped, and a save that fails (the database locked by another process) is told to the
//! instructor as "not saved" while the lecture goes on, with `Saved` only for committed versions.

use crate::common;

use std::time::Duration;

use common::*;
use server::store::{DB_FILE, MIGRATIONS, Store, StoreError};
use shared::*;

/// The schema exactly as the server wrote it before it was versioned (user_version 0).
const UNVERSIONED_SCHEMA: &str = "
PRAGMA journal_mode = WAL;
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

fn insert_room(db: &rusqlite::Connection, code: &str, focus: &[u8]) {
    db.execute(
        "INSERT INTO rooms VALUES (?1, ?2, 1, 7, ?3, NULL, 0, 0, 2, 0)",
        rusqlite::params![code, &[3u8; 16][..], focus],
    )
    .unwrap();
    db.execute(
        "INSERT INTO students VALUES (?1, 1, 'Ada', ?2)",
        rusqlite::params![code, &[4u8; 16][..]],
    )
    .unwrap();
}

#[test]
fn an_unversioned_database_is_migrated_and_a_bad_row_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        db.execute_batch(UNVERSIONED_SCHEMA).unwrap();
        insert_room(&db, "KQXWTB", &shared::codec::encode(&step_focus(5)));
        insert_room(&db, "ABCDEF", b"\xff\xff not a focus");
    }
    let (store, rooms) = Store::open(Some(dir.path())).expect("opens");
    store.close();
    assert_eq!(
        rooms.len(),
        1,
        "the unreadable room is skipped, the other restored"
    );
    assert_eq!(rooms[0].code.as_str(), "KQXWTB");
    assert_eq!(rooms[0].focus, step_focus(5));
    assert_eq!(rooms[0].students.len(), 1);
    assert_eq!(
        rooms[0].model, None,
        "a room stored before own networks (schema 4) teaches with Tiny VGG"
    );
    let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
}

#[test]
fn a_database_from_a_newer_server_is_refused_with_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        db.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    let error = Store::open(Some(dir.path())).err().expect("refused");
    assert!(matches!(error, StoreError::TooNew { found: 99, .. }), "{error}");
    assert!(error.to_string().contains("--data-dir"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_means_not_saved_and_the_lecture_goes_on() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_path_buf();
    let server = TestServer::start_with(|config| config.data_dir = Some(data_dir.clone())).await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, _, _) = Client::join(server.addr, &code, "Ada").await;
    instructor.set_focus(step_focus(1)).await;
    let saved_before = instructor
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Saved(v)) => Some(*v),
            _ => None,
        })
        .await;

    // Another process takes the write lock and holds it.
    let blocker = rusqlite::Connection::open(data_dir.join(DB_FILE)).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE;").unwrap();
    instructor.set_focus(step_focus(2)).await;
    student.recv_focus_step(2).await;
    let failure = instructor
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Saved(v)) => panic!("Saved({v:?}) while the database is locked"),
            ServerMsg::Error(e) => Some(e.clone()),
            _ => None,
        })
        .await;
    assert_eq!(failure.kind, ErrorKind::Internal);
    assert!(failure.message.starts_with("Not saved"), "{}", failure.message);
    // A structural change is refused, not acknowledged.
    instructor
        .send(&ClientMsg::Control(Control::SetLocked(true)))
        .await;
    let refused = instructor.recv_error().await;
    assert!(refused.message.starts_with("Not saved"), "{}", refused.message);

    // The lock goes away; the lecture never stopped and saving resumes.
    blocker.execute_batch("ROLLBACK;").unwrap();
    drop(blocker);
    instructor.set_focus(step_focus(3)).await;
    student.recv_focus_step(3).await;
    let saved_after = tokio::time::timeout(
        Duration::from_secs(10),
        instructor.recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Saved(v)) => Some(*v),
            _ => None,
        }),
    )
    .await
    .expect("saved again");
    assert!(saved_after > saved_before);
    server.stop().await.expect("clean shutdown");
}
