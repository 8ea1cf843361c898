//! Who may do what, over real sockets: origins and hosts, the instructor key, room and join
//! floods, full rooms and servers, same names, slow and half-sent requests, security headers.

use crate::common;

use std::time::Duration;

use common::*;
use shared::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends raw bytes and reads the whole answer until the server closes.
async fn raw_exchange(addr: std::net::SocketAddr, request: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.expect("connects");
    tcp.write_all(request.as_bytes()).await.expect("writes");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(RECV_TIMEOUT, tcp.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_origins_and_hosts_are_refused_and_the_own_page_is_not() {
    let server = TestServer::start().await;
    let host = server.addr.to_string();
    let own = format!("http://{host}");
    let foreign = [
        vec![("origin", "http://evil.example")],
        vec![("origin", "http://127.0.0.1:1")],
        // DNS rebinding: a foreign name with a matching origin.
        vec![
            ("host", "evil.example:8080"),
            ("origin", "http://evil.example:8080"),
        ],
    ];
    for headers in foreign {
        assert_eq!(
            Client::connect_with(server.addr, &headers).await.err(),
            Some(403),
            "{headers:?}"
        );
    }
    let client = Client::connect_with(server.addr, &[("origin", own.as_str())])
        .await
        .expect("the page's own origin is accepted");
    client
        .hello_on(Join::CreateRoom)
        .await
        .expect("and may create a room");
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_instructor_key_only_its_cookie_creates_rooms() {
    let server = TestServer::start_with(|config| config.instructor_key = Some("k3y".into())).await;
    let refused = Client::hello(server.addr, Join::CreateRoom)
        .await
        .err()
        .expect("refused");
    assert_eq!(refused.kind, ErrorKind::NotAllowed);
    assert!(
        refused.message.contains("/instructor?key="),
        "{}",
        refused.message
    );

    let wrong = raw_exchange(
        server.addr,
        "GET /instructor?key=nope HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(wrong.starts_with("HTTP/1.1 403"), "{wrong}");
    let right = raw_exchange(
        server.addr,
        "GET /instructor?key=k3y HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(right.starts_with("HTTP/1.1 303"), "{right}");
    let cookie = right
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .expect("sets a cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let client = Client::connect_with(server.addr, &[("cookie", pair)])
        .await
        .unwrap();
    let (code, code2) = {
        let joined = client
            .hello_on(Join::CreateRoom)
            .await
            .expect("the key's cookie creates");
        (joined.welcome.code.clone(), joined.welcome.code)
    };
    // Students need no key.
    Client::join(server.addr, &code, "Ada").await;
    let _ = code2;
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_floods_and_join_floods_hit_their_limits_without_a_room_oracle() {
    let server = TestServer::start_with(|config| {
        config.room_creation_rate = server::config::Rate::new(3, Duration::from_secs(3600));
        config.failed_join_rate = server::config::Rate::new(5, Duration::from_secs(3600));
    })
    .await;
    let mut rooms = Vec::new();
    for _ in 0..3 {
        rooms.push(Client::create_room(server.addr).await);
    }
    let flood = Client::hello(server.addr, Join::CreateRoom)
        .await
        .err()
        .expect("4th refused");
    assert_eq!(flood.kind, ErrorKind::NotAllowed);
    assert!(flood.message.contains("Too many rooms"), "{}", flood.message);

    // A wrong token for a real room and any token for a made-up room read the same.
    let (_, code, _) = &rooms[0];
    let real = Join::Instruct {
        code: code.clone(),
        token: InstructorToken([0; 16]),
    };
    let made_up = Join::Instruct {
        code: RoomCode::parse(if code.as_str() == "AAAAAA" {
            "BBBBBB"
        } else {
            "AAAAAA"
        })
        .unwrap(),
        token: InstructorToken([0; 16]),
    };
    let a = Client::hello(server.addr, real).await.err().unwrap();
    let b = Client::hello(server.addr, made_up).await.err().unwrap();
    assert_eq!((a.kind, &a.message), (b.kind, &b.message));
    // Failed joins by code use up the five; then even the right code is refused for a while.
    for _ in 0..5 {
        let wrong = Join::Student {
            code: RoomCode::parse("ZZZZZZ").unwrap(),
            name: "x".into(),
        };
        assert_eq!(
            Client::hello(server.addr, wrong).await.err().unwrap().kind,
            ErrorKind::RoomNotFound
        );
    }
    let blocked = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "Ada".into(),
        },
    )
    .await
    .err()
    .expect("rate-limited");
    assert!(
        blocked.message.contains("Too many wrong join codes"),
        "{}",
        blocked.message
    );
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_room_says_so_and_same_names_are_told_apart() {
    let server = TestServer::start_with(|config| config.max_students_per_room = 2).await;
    let (_instructor, code, _) = Client::create_room(server.addr).await;
    let first = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: " Ada ".into(),
        },
    )
    .await
    .unwrap();
    let second = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "Ada".into(),
        },
    )
    .await
    .unwrap();
    let names: Vec<String> = [first.welcome, second.welcome]
        .into_iter()
        .map(|w| match w.credentials {
            Credentials::Student { name, .. } => name,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["Ada", "Ada (2)"]);
    let full = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "Cy".into(),
        },
    )
    .await
    .err()
    .expect("full");
    assert_eq!(full.kind, ErrorKind::RoomLocked);
    assert!(full.message.contains("This lecture is full"), "{}", full.message);
    let bidi = Client::hello(
        server.addr,
        Join::Student {
            code,
            name: "Ada\u{202E}nimda".into(),
        },
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(bidi.kind, ErrorKind::BadName);
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_the_connection_limit_only_the_instructor_gets_back_in() {
    let server = TestServer::start_with(|config| {
        config.max_connections = Some(3);
        config.instructor_reserve = 1;
    })
    .await;
    let (instructor, code, token) = Client::create_room(server.addr).await;
    let (_student, _, _) = Client::join(server.addr, &code, "Ada").await;
    // Two of three places taken: the third is the instructors' reserve.
    let late = Client::hello(
        server.addr,
        Join::Student {
            code: code.clone(),
            name: "Late".into(),
        },
    )
    .await
    .err()
    .expect("refused");
    assert!(late.message.contains("full"), "{}", late.message);
    drop(instructor);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let back = Client::hello(server.addr, Join::Instruct { code, token }).await;
    assert!(back.is_ok(), "the instructor's reconnect gets through");
    // With the reserve's place taken too, a fourth connection is refused with a sentence.
    let _third = Client::connect(server.addr).await;
    let answer = raw_exchange(server.addr, "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 503") && answer.contains("full"),
        "{answer}"
    );
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_address_are_capped_with_a_sentence() {
    let server = TestServer::start_with(|config| config.max_connections_per_address = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(Client::connect(server.addr).await);
    }
    let answer = raw_exchange(server.addr, "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await;
    assert!(
        answer.starts_with("HTTP/1.1 503") && answer.contains("Too many connections"),
        "{answer}"
    );
    drop(held);
    server.stop().await.expect("clean shutdown");
}

/// Slowloris: a request head that never completes is dropped at the header timeout, on tokio's
/// paused clock (the server runs in this test's runtime, so its timers are paused too).
#[tokio::test(start_paused = true)]
async fn a_half_sent_request_is_dropped_at_the_header_timeout() {
    let server = TestServer::start_with(|config| config.header_timeout = Duration::from_secs(10)).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let started = tokio::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(60), tcp.read(&mut buf)).await;
    let waited = started.elapsed();
    assert!(
        matches!(read, Ok(Ok(_)) | Ok(Err(_))),
        "closed by the server, not by our timeout"
    );
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(12),
        "dropped after {waited:?}"
    );
    server.stop().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_the_deadline_whatever_connections_remain() {
    let server = TestServer::start_with(|config| {
        config.header_timeout = Duration::from_secs(600);
        config.shutdown_deadline = Duration::from_secs(1);
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut tcp = TcpStream::connect(server.addr).await.unwrap();
        tcp.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        slow.push(tcp);
    }
    let (_instructor, code, _) = Client::create_room(server.addr).await;
    let (_student, _, _) = Client::join(server.addr, &code, "Ada").await;
    let started = std::time::Instant::now();
    server.stop().await.expect("clean shutdown");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "shutdown took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_security_headers_and_the_shell_is_never_cached_stale() {
    let server = TestServer::start().await;
    std::fs::write(
        server.client_dir().join("index.html"),
        "<html><script type=\"module\">boot()</script></html>",
    )
    .unwrap();
    std::fs::write(server.client_dir().join("sw.js"), "//").unwrap();
    for path in ["/", "/join/ABCDEF", "/sw.js"] {
        let answer = raw_exchange(
            server.addr,
            &format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"),
        )
        .await
        .to_ascii_lowercase();
        assert!(answer.starts_with("http/1.1 200"), "{path}: {answer}");
        assert!(answer.contains("cache-control: no-cache"), "{path}: {answer}");
        assert!(answer.contains("x-content-type-options: nosniff"), "{path}");
        assert!(answer.contains("referrer-policy: no-referrer"), "{path}");
        assert!(answer.contains("frame-ancestors 'none'"), "{path}");
        assert!(answer.contains("'wasm-unsafe-eval'"), "{path}");
        if path != "/sw.js" {
            assert!(
                answer.contains("'sha256-"),
                "the boot script is allowed by hash: {answer}"
            );
        }
    }
    server.stop().await.expect("clean shutdown");
}

/// A keep-alive connection that sends nothing after its first request is closed at the same
/// timeout (paused clock).
#[tokio::test(start_paused = true)]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = TestServer::start_with(|config| config.header_timeout = Duration::from_secs(10)).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tcp.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = tokio::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(60), tcp.read(&mut answer)).await;
    assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "closed by the server");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(12),
        "{waited:?}"
    );
    server.stop().await.expect("clean shutdown");
}

/// The first fragment of a message, then nothing but answers to pings: the member is dropped
/// after the message timeout, although its pongs keep coming. On the real clock with a short
/// heartbeat and timeout (a paused clock jumps ahead whenever the runtime waits on the socket,
/// and a loaded machine delivers loopback data late): the drop may come late, never early.
#[tokio::test]
async fn a_half_received_fragmented_message_is_dropped_after_the_timeout() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

    let (heartbeat, limit) = (Duration::from_millis(100), Duration::from_millis(600));
    let server = TestServer::start_with(|config| {
        (config.heartbeat, config.message_timeout) = (heartbeat, limit);
    })
    .await;
    let (_instructor, code, _) = Client::create_room(server.addr).await;
    let (mut student, _, _) = Client::join(server.addr, &code, "Frag").await;
    let started = std::time::Instant::now();
    let first = Frame::message(vec![7u8; 64 * 1024], OpCode::Data(Data::Binary), false);
    student
        .ws
        .send(Message::Frame(first))
        .await
        .expect("sends the first fragment");
    let mut pings = 0;
    let reason = loop {
        // Reading answers the server's pings (tungstenite queues the pong and flushes it here).
        match tokio::time::timeout(Duration::from_secs(10), student.ws.next())
            .await
            .expect("dropped within 10 s")
        {
            Some(Ok(Message::Ping(_))) => {
                pings += 1;
                let _ = student.ws.flush().await;
            }
            Some(Ok(Message::Binary(bytes))) => {
                if let Ok(ServerMsg::Session(SessionEvent::Closing(reason))) =
                    shared::codec::decode_server(&bytes)
                {
                    break Some(reason);
                }
            }
            Some(Ok(_)) => {}
            None | Some(Err(_)) => break None,
        }
    };
    let took = started.elapsed();
    assert_eq!(reason, Some(CloseReason::Timeout));
    assert!(pings >= 2, "pings kept coming ({pings}) and were answered");
    // The server looks at heartbeats: the first after the fragment starts the clock, the first
    // more than `limit` later drops the member: never before the limit.
    assert!(
        took > limit,
        "dropped after {took:?}, before the {limit:?} timeout (heartbeat {heartbeat:?})"
    );
    server.stop().await.expect("clean shutdown");
}
