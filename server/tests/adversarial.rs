//! An attack on a running lecture, over real sockets: while an instructor moves the focus and
//! students follow, other clients send decompression bombs, slowloris connections, join floods,
//! garbage frames, foreign-origin upgrades, a half-sent fragmented message and a room flood.
//! Afterwards every student ends on the instructor's last focus, what the server acknowledged
//! survives a restart, and the process's memory stayed within its bound. (Its own test binary,
//! so the memory figure is this scenario's alone.)

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::*;
use futures_util::SinkExt;
use shared::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

const STUDENTS: usize = 8;
const FOCUS_STEPS: u32 = 300;
/// The scenario's bound on the whole test process (server and every client in it).
const PEAK_LIMIT_BYTES: u64 = 300 * 1024 * 1024;

async fn attack_bombs(addr: SocketAddr, bomb: Arc<Vec<u8>>) -> usize {
    let mut answered = 0;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let bomb = Arc::clone(&bomb);
        tasks.push(tokio::spawn(async move {
            let (mut attacker, _, _) = Client::create_room(addr).await;
            attacker
                .send(&ClientMsg::Control(Control::UploadImage(bomb.to_vec())))
                .await;
            attacker
                .recv_until(|m| match m {
                    ServerMsg::Error(_) | ServerMsg::Room(RoomEvent::Input { .. }) => Some(()),
                    _ => None,
                })
                .await;
        }));
    }
    for task in tasks {
        task.await.expect("bomb task");
        answered += 1;
    }
    answered
}

async fn attack_slowloris(addr: SocketAddr) -> Vec<TcpStream> {
    let mut held = Vec::new();
    for _ in 0..100 {
        if let Ok(mut tcp) = TcpStream::connect(addr).await {
            let _ = tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-a: ").await;
            held.push(tcp);
        }
    }
    held
}

async fn attack_join_flood(addr: SocketAddr) -> usize {
    let mut limited = 0;
    for i in 0..40u8 {
        let code = RoomCode::from_indices([i, i, i, 1, 2, 3]);
        let answer = Client::hello(
            addr,
            Join::Student {
                code,
                name: "Flood".into(),
            },
        )
        .await;
        if let Err(e) = answer
            && e.message.contains("Too many")
        {
            limited += 1;
        }
    }
    limited
}

async fn attack_garbage(addr: SocketAddr, code: &RoomCode) {
    for i in 0..20u8 {
        let mut client = Client::connect(addr).await;
        client.send_bytes(vec![i; 1 + usize::from(i) * 37]).await;
        assert!(matches!(client.next().await, Some(ServerMsg::Error(_)) | None));
    }
    // A joined student sending garbage is answered and stays.
    let (mut member, _, _) = Client::join(addr, code, "Garbage").await;
    for i in 0..20u8 {
        member.send_bytes(vec![0xFF, i, 0xFF, i]).await;
        assert!(matches!(
            member.recv_error().await.kind,
            ErrorKind::Malformed | ErrorKind::TooLarge
        ));
    }
}

async fn attack_foreign_origins(addr: SocketAddr) -> usize {
    let mut refused = 0;
    for _ in 0..20 {
        if Client::connect_with(addr, &[("origin", "http://evil.example")])
            .await
            .err()
            == Some(403)
        {
            refused += 1;
        }
    }
    refused
}

async fn attack_fragment(addr: SocketAddr, code: &RoomCode) -> Client {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let (mut member, _, _) = Client::join(addr, code, "Fragment").await;
    let first = Frame::message(vec![1u8; 256 * 1024], OpCode::Data(Data::Binary), false);
    member
        .ws
        .send(Message::Frame(first))
        .await
        .expect("first fragment");
    member
}

async fn attack_room_flood(addr: SocketAddr) -> usize {
    let mut refused = 0;
    for _ in 0..30 {
        if Client::hello(addr, Join::CreateRoom).await.is_err() {
            refused += 1;
        }
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lecture_survives_an_attack_and_ends_where_the_instructor_left_it() {
    let bomb = Arc::new(png_bomb());
    // Count memory from here on (the bomb's own encoding is the test's, not the server's).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_path_buf();
    let configure = |config: &mut server::Config| {
        config.data_dir = Some(data_dir.clone());
        config.header_timeout = Duration::from_secs(2);
        config.heartbeat = Duration::from_millis(500);
        config.message_timeout = Duration::from_secs(2);
    };
    let server = TestServer::start_with(configure).await;
    let addr = server.addr;

    // The lecture: an instructor with a picture, students following.
    let (mut instructor, code, token) = Client::create_room(addr).await;
    instructor
        .send(&ClientMsg::Control(Control::UploadImage(bmp(64, [200, 30, 30]))))
        .await;
    let input_hash = instructor
        .recv_until(|m| match m {
            ServerMsg::Room(RoomEvent::Input { input, .. }) => Some(input.hash),
            _ => None,
        })
        .await;
    let last_seen: Arc<Vec<AtomicU32>> = Arc::new((0..STUDENTS).map(|_| AtomicU32::new(u32::MAX)).collect());
    let mut followers = Vec::new();
    for i in 0..STUDENTS {
        let (mut student, _, _) = Client::join(addr, &code, &format!("Student {i}")).await;
        let last_seen = Arc::clone(&last_seen);
        followers.push(tokio::spawn(async move {
            loop {
                match student.next().await {
                    Some(ServerMsg::Room(RoomEvent::Focus { focus, .. })) => {
                        last_seen[i].store(focus.step, Ordering::SeqCst);
                        if focus.step == FOCUS_STEPS - 1 {
                            return true;
                        }
                    }
                    Some(_) => {}
                    None => return false,
                }
            }
        }));
    }

    // The attacks, all at once, while the instructor scrubs through the steps.
    let attacks_done = std::sync::atomic::AtomicBool::new(false);
    let lecture = async {
        for step in 0..FOCUS_STEPS {
            instructor.set_focus(step_focus(step)).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The instructor's page stays alive (the heartbeat drops a silent client).
        while !attacks_done.load(Ordering::SeqCst) {
            instructor.send(&ClientMsg::Session(SessionMsg::Ping(1))).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let attacks = async {
        let slowloris = attack_slowloris(addr).await;
        let fragment = attack_fragment(addr, &code).await;
        // Garbage first: after the join flood, joins by code from this address wait a while.
        let garbage_then_flood = async {
            attack_garbage(addr, &code).await;
            attack_join_flood(addr).await
        };
        let (bombs, join_limited, foreign, rooms_refused) = tokio::join!(
            attack_bombs(addr, Arc::clone(&bomb)),
            garbage_then_flood,
            attack_foreign_origins(addr),
            attack_room_flood(addr),
        );
        attacks_done.store(true, Ordering::SeqCst);
        (slowloris, fragment, bombs, join_limited, foreign, rooms_refused)
    };
    let ((), (slowloris, _fragment, bombs, join_limited, foreign, rooms_refused)) =
        tokio::join!(lecture, attacks);
    assert_eq!(bombs, 4, "every bomb got an answer");
    assert!(join_limited > 0, "the join flood hit the rate limit");
    assert_eq!(foreign, 20, "every foreign origin was refused");
    assert!(rooms_refused > 0, "the room flood hit the rate limit");

    // Nothing acknowledged may be lost: the last focus is `Saved` (checked after a restart below).
    let last_version = instructor.recv_focus_step(FOCUS_STEPS - 1).await;
    instructor
        .recv_until(|m| match m {
            ServerMsg::Session(SessionEvent::Saved(v)) if *v >= last_version => Some(()),
            _ => None,
        })
        .await;
    drop(instructor);

    // Every student ends on the instructor's last focus.
    for (i, follower) in followers.into_iter().enumerate() {
        let reached = tokio::time::timeout(Duration::from_secs(20), follower)
            .await
            .expect("in time")
            .expect("follower task");
        assert!(
            reached,
            "student {i} was disconnected; last step {}",
            last_seen[i].load(Ordering::SeqCst)
        );
    }
    // The slowloris connections are dropped by the server (header timeout 2 s) within 3 s from
    // here; read each until then rather than sleep the whole 3 s, as most are closed already.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut dropped = 0;
    for mut tcp in slowloris {
        let mut buf = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout_at(
            deadline + Duration::from_millis(100),
            tokio::io::AsyncReadExt::read(&mut tcp, &mut buf),
        )
        .await
        {
            dropped += 1;
        }
    }
    assert_eq!(
        dropped, 100,
        "slowloris connections are closed by the header timeout"
    );

    let peak = peak_rss_bytes("self");
    server.stop().await.expect("clean shutdown");
    let restarted = TestServer::start_with(configure).await;
    let back = Client::hello(restarted.addr, Join::Instruct { code, token })
        .await
        .expect("the instructor gets the room back");
    assert_eq!(back.snapshot.focus, step_focus(FOCUS_STEPS - 1));
    assert_eq!(back.snapshot.input.map(|i| i.hash), Some(input_hash));
    restarted.stop().await.expect("clean shutdown");

    if let Some(peak) = peak {
        eprintln!(
            "adversarial lecture: peak RSS of the test process {:.1} MB",
            peak as f64 / 1e6
        );
        assert!(peak <= PEAK_LIMIT_BYTES, "peak RSS {peak} bytes");
    }
}
