//! Own networks across restarts of the real `cnn-classroom` binary: a room is back on its model
//! after a SIGKILL (the file re-read and checked), goes back to Tiny VGG when the file is
//! damaged (the lecture goes on), and `--model` sets the network of new rooms or, for a bad
//! model, refuses to start with a sentence.

use crate::common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::networks::{fixture_bundle, fixture_dir, small_colour};
use common::{Client, ServerProcess, upload_model};
use shared::model::ModelInfo;
use shared::*;

fn start(data_dir: &Path, bind: &str, extra: &[&OsStr]) -> ServerProcess {
    let mut args = vec![OsStr::new("--data-dir"), data_dir.as_os_str()];
    args.extend_from_slice(extra);
    ServerProcess::start(bind, args)
}

async fn instruct(addr: std::net::SocketAddr, code: &RoomCode, token: &InstructorToken) -> RoomSnapshot {
    Client::hello(
        addr,
        Join::Instruct {
            code: code.clone(),
            token: token.clone(),
        },
    )
    .await
    .expect("the instructor gets back in")
    .snapshot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_is_back_on_its_model_after_a_kill_and_on_tiny_vgg_if_the_file_is_damaged() {
    let data = tempfile::tempdir().unwrap();
    let child = start(data.path(), "127.0.0.1:0", &[]);
    let addr = child.addr;
    let (mut instructor, code, token) = Client::create_room(addr).await;
    instructor.send(&ClientMsg::Control(Control::PickSample(2))).await;
    let answer = upload_model(addr, &code, &token, "grey", &fixture_bundle("grey")).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let hash: shared::model::ModelHash = models::json::parse(&answer.text())
        .ok()
        .and_then(|json| json.get("hash")?.as_str()?.parse().ok())
        .expect("a hash");
    instructor
        .send(&ClientMsg::Control(Control::UseModel(Some(hash))))
        .await;
    // The switch is a structural change: on disk before it is published.
    let info: ModelInfo = instructor
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Model {
                model: Some(info), ..
            }) => Some(info.clone()),
            _ => None,
        })
        .await;
    child.kill();

    let child = start(data.path(), &addr.to_string(), &[]);
    let snapshot = instruct(addr, &code, &token).await;
    assert_eq!(snapshot.model.as_ref(), Some(&info), "back on its model");
    assert_eq!(
        snapshot
            .input
            .expect("the picture")
            .prediction
            .probabilities
            .len(),
        4
    );
    let file = common::http(addr, "GET", &info.path(), &[], b"").await;
    assert_eq!(file.status, 200);
    assert_eq!(models::bundle::hash(&file.body), hash.0);
    child.kill();

    let path = data.path().join("models").join(format!("{hash}.model"));
    assert!(path.is_file(), "the model file is stored under its hash");
    std::fs::write(&path, b"damaged on disk").unwrap();
    let child = start(data.path(), &addr.to_string(), &[]);
    let snapshot = instruct(addr, &code, &token).await;
    assert_eq!(snapshot.model, None, "a damaged file: back to Tiny VGG");
    assert_eq!(snapshot.focus, Focus::default());
    let input = snapshot.input.expect("the picture stays");
    assert_eq!(
        input.prediction.probabilities.len(),
        10,
        "predicted again by Tiny VGG"
    );
    assert_eq!(
        common::http(addr, "GET", &info.path(), &[], b"").await.status,
        404
    );
    child.kill();

    // The repair was saved: the next start does not look for the file again.
    std::fs::remove_file(&path).unwrap();
    let child = start(data.path(), &addr.to_string(), &[]);
    assert_eq!(instruct(addr, &code, &token).await.model, None);
    child.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_flag_sets_the_network_of_new_rooms() {
    let data = tempfile::tempdir().unwrap();
    let folder = fixture_dir("grey");
    let child = start(
        data.path(),
        "127.0.0.1:0",
        &[OsStr::new("--model"), folder.as_os_str()],
    );
    let (_instructor, code, _) = Client::create_room(child.addr).await;
    let (_student, _, snapshot) = Client::join(child.addr, &code, "Ada").await;
    let info = snapshot.model.expect("a room on the --model network");
    assert_eq!(info.name, "grey");
    let file = common::http(child.addr, "GET", &info.path(), &[], b"").await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, fixture_bundle("grey"));
    child.kill();

    let bundle = data.path().join("colour net.model");
    std::fs::write(&bundle, models::bundle::write(&small_colour())).unwrap();
    let other = tempfile::tempdir().unwrap();
    let child = start(
        other.path(),
        "127.0.0.1:0",
        &[OsStr::new("--model"), bundle.as_os_str()],
    );
    let joined = Client::hello(child.addr, Join::CreateRoom)
        .await
        .expect("room created");
    assert_eq!(joined.snapshot.model.expect("a model").name, "colour net.model");
    child.kill();
}

/// Runs the binary expecting it to refuse to start; returns what it printed on stderr.
fn refuses_to_start(args: &[&OsStr]) -> String {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cnn-classroom"))
        .args(["--bind", "127.0.0.1:0", "--log-level", "warn", "--data-dir"])
        .arg(data.path())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started with a bad model");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut stderr).unwrap();
    stderr
}

#[test]
fn a_bad_model_flag_refuses_to_start_with_a_sentence() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("model.json"), b"{\"format\": 1}").unwrap();
    std::fs::write(folder.path().join("model.safetensors"), b"nothing").unwrap();
    let stderr = refuses_to_start(&[OsStr::new("--model"), folder.path().as_os_str()]);
    assert!(stderr.contains("cannot be used"), "{stderr}");
    assert!(
        stderr.contains(&folder.path().display().to_string()),
        "names the folder: {stderr}"
    );

    let file = folder.path().join("broken.model");
    std::fs::write(&file, b"\x08\0\0\0\0\0\0\0{}").unwrap();
    let stderr = refuses_to_start(&[OsStr::new("--model"), file.as_os_str()]);
    assert!(stderr.contains("broken.model cannot be used"), "{stderr}");

    let missing = folder.path().join("missing");
    let stderr = refuses_to_start(&[OsStr::new("--model"), missing.as_os_str()]);
    assert!(stderr.contains("cannot read it"), "{stderr}");
}
