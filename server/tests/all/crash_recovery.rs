//! SIGKILL the real `cnn-classroom` binary mid-lecture and start it again on the same data
//! directory: the room, its code, its instructor token and its acknowledged state are all there.

use crate::common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Client, bmp, step_focus};
use shared::*;

fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Starts the binary and waits until it accepts connections.
fn start(data_dir: &Path, addr: SocketAddr) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnn-classroom"))
        .arg("--bind")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--log-level")
        .arg("warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "server exited at start");
        assert!(Instant::now() < deadline, "server did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_resumes_every_acknowledged_state() {
    let data = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut child = start(data.path(), addr);

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

    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let mut child = start(data.path(), addr);

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
    child.kill().unwrap();
    child.wait().unwrap();
}
