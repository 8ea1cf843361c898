//! SIGKILL the real `cnn-classroom` binary mid-lecture and start it again on the same data
//! directory: the room, its code, its instructor token and its acknowledged state are all there.

use crate::common;

use std::ffi::OsStr;
use std::path::Path;

use common::{Client, ServerProcess, bmp, step_focus};
use shared::*;

/// The binary with its data in `data_dir`, on `bind`.
fn start(data_dir: &Path, bind: &str) -> ServerProcess {
    ServerProcess::start(bind, [OsStr::new("--data-dir"), data_dir.as_os_str()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_every_acknowledged_state() {
    let data = tempfile::tempdir().unwrap();
    let child = start(data.path(), "127.0.0.1:0");
    let addr = child.addr;

    let (mut instructor, code, token) = Client::create_room(addr).await;
    let (_student, resume, _) = Client::join(addr, &code, "Ada").await;
    instructor
        .send(&ClientMsg::Control(Control::UploadImage(bmp(64, [1, 2, 3]))))
        .await;
    let input_hash = instructor
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Input { input, .. }) => Some(input.hash),
            _ => None,
        })
        .await;
    instructor
        .send(&ClientMsg::Control(Control::SetLocked(true)))
        .await;
    for step in 1..=50 {
        instructor.set_focus(step_focus(step)).await;
    }
    let last = instructor.recv_focus_step(50).await;
    // Acknowledged = the instructor holds `Saved` covering the change.
    instructor
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Saved(v)) if *v >= last => Some(()),
            _ => None,
        })
        .await;

    child.kill();
    // Students reconnect to the address they know: the restarted server takes the same port
    // (its own, released by the kill; the listener sets SO_REUSEADDR).
    let child = start(data.path(), &addr.to_string());

    let again = Client::hello(
        addr,
        Join::Instruct {
            code: code.clone(),
            token: token.clone(),
        },
    )
    .await
    .expect("the same code and token work after the crash");
    let snapshot = again.snapshot;
    assert_eq!(snapshot.code, code);
    assert_eq!(snapshot.focus, step_focus(50));
    assert!(snapshot.locked);
    assert_eq!(snapshot.input.map(|i| i.hash), Some(input_hash));
    assert!(
        snapshot.version > last,
        "a new epoch orders after everything before the crash"
    );
    let rejoined = Client::hello(
        addr,
        Join::Rejoin {
            code: code.clone(),
            resume,
        },
    )
    .await
    .expect("students keep their seats");
    assert_eq!(rejoined.snapshot.focus, step_focus(50));

    let mut instructor = again.client;
    instructor.set_focus(step_focus(51)).await;
    let mut student = rejoined.client;
    student.recv_focus_step(51).await;
    child.kill();
}
