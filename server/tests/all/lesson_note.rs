//! A recorded lesson's note over real sockets: the instructor shows it, every student receives
//! it, a late joiner and a reload get the current one after the snapshot, it survives a crash
//! of the real binary, and every refusal (students, too long, control characters, too many in a
//! row) is a sentence.

use std::time::Duration;

use crate::common;

use common::{Client, ServerProcess, TestServer};
use shared::*;

fn show(note: &str) -> ClientMsg {
    ClientMsg::Lesson(LessonMsg::ShowNote(note.to_owned()))
}

/// Waits for the room's note (skipping other messages).
async fn recv_note(client: &mut Client) -> String {
    client
        .recv_until(|m| match m {
            ServerMsg::Lesson(LessonEvent::Note { note, .. }) => Some(note.clone()),
            _ => None,
        })
        .await
}

/// Every protocol message that arrives within `limit`.
async fn quiet_for(client: &mut Client, limit: Duration) -> Vec<ServerMsg> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut seen = Vec::new();
    let until = tokio::time::Instant::now() + limit;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(until, client.ws.next()).await {
        if let Message::Binary(bytes) = frame {
            seen.push(shared::codec::decode_server(&bytes).expect("server frames decode"));
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn students_receive_the_note_and_late_joiners_get_the_current_one() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut ada, _, _) = Client::join(server.addr, &code, "Ada").await;
    // No note yet: nothing follows the snapshot (a frame would arrive within the wait).
    let early = quiet_for(&mut ada, Duration::from_millis(300)).await;
    assert!(
        early.iter().all(|m| !matches!(m, ServerMsg::Lesson(_))),
        "no note before one is shown: {early:?}"
    );

    instructor
        .send(&show("ReLU keeps **0.42** and makes −0.69 zero."))
        .await;
    assert_eq!(
        recv_note(&mut ada).await,
        "ReLU keeps **0.42** and makes −0.69 zero."
    );
    assert_eq!(
        recv_note(&mut instructor).await,
        "ReLU keeps **0.42** and makes −0.69 zero."
    );

    instructor.send(&show("Step two.")).await;
    assert_eq!(recv_note(&mut ada).await, "Step two.");

    // A late joiner receives the snapshot, then the current note.
    let (mut bob, _, _) = Client::join(server.addr, &code, "Bob").await;
    assert_eq!(recv_note(&mut bob).await, "Step two.");

    // Taking the note away reaches everyone too.
    instructor.send(&show("")).await;
    assert_eq!(recv_note(&mut ada).await, "");
    assert_eq!(recv_note(&mut bob).await, "");
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_that_break_the_rules_are_refused_with_a_sentence() {
    let server = TestServer::start().await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, _, _) = Client::join(server.addr, &code, "Ada").await;

    student.send(&show("I am the teacher now")).await;
    let error = student.recv_error().await;
    assert_eq!(error.kind, ErrorKind::NotAllowed);
    assert!(error.message.contains("Only the instructor"), "{}", error.message);

    instructor.send(&show(&"x".repeat(MAX_NOTE_BYTES + 1))).await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadNote);
    assert!(error.message.contains("at most 2000 bytes"), "{}", error.message);

    instructor.send(&show("bell\u{7}")).await;
    let error = instructor.recv_error().await;
    assert_eq!(error.kind, ErrorKind::BadNote);
    assert!(error.message.ends_with('.'), "{}", error.message);

    // Nothing refused reached the student.
    let seen = quiet_for(&mut student, Duration::from_millis(300)).await;
    assert!(
        seen.iter().all(|m| !matches!(m, ServerMsg::Lesson(_))),
        "{seen:?}"
    );

    // A burst of notes, then a sentence saying how long to wait.
    let mut shown = 0;
    let error = loop {
        instructor.send(&show(&format!("step {shown}"))).await;
        let outcome = instructor
            .recv_until(|m| match m {
                ServerMsg::Lesson(LessonEvent::Note { .. }) => Some(None),
                ServerMsg::Error(e) => Some(Some(e.clone())),
                _ => None,
            })
            .await;
        match outcome {
            None => shown += 1,
            Some(error) => break error,
        }
        assert!(shown < 100, "notes are rate-limited");
    };
    assert!(
        shown >= 20,
        "a lesson can be stepped through briskly (limited after {shown})"
    );
    assert_eq!(error.kind, ErrorKind::BadNote);
    assert!(error.message.contains("wait"), "{}", error.message);
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_note_survives_a_crash() {
    // Notes are saved before they are published: once a student has it, a SIGKILL loses nothing.
    let data = tempfile::tempdir().unwrap();
    let args = [std::ffi::OsStr::new("--data-dir"), data.path().as_os_str()];
    let child = ServerProcess::start("127.0.0.1:0", args);
    let addr = child.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    let (mut ada, resume, _) = Client::join(addr, &code, "Ada").await;
    instructor
        .send(&show("*Pooling* keeps the largest of four."))
        .await;
    assert_eq!(recv_note(&mut ada).await, "*Pooling* keeps the largest of four.");
    child.kill();

    let child = ServerProcess::start(&addr.to_string(), args);
    let mut ada = Client::hello(
        child.addr,
        Join::Rejoin {
            code: code.clone(),
            resume,
        },
    )
    .await
    .expect("rejoins after the crash")
    .client;
    assert_eq!(recv_note(&mut ada).await, "*Pooling* keeps the largest of four.");
    let mut instructor = Client::hello(child.addr, Join::Instruct { code, token })
        .await
        .expect("the instructor reclaims the room")
        .client;
    assert_eq!(
        recv_note(&mut instructor).await,
        "*Pooling* keeps the largest of four."
    );
    instructor.send(&show("Next.")).await;
    assert_eq!(recv_note(&mut ada).await, "Next.");
    child.kill();
}
