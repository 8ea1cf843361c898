//! A student that stops reading never delays the others, and is dropped once it falls behind.

use crate::common;

use std::time::{Duration, Instant};

use common::{Client, TestServer, bmp, step_focus};
use shared::*;
use tokio::net::TcpSocket;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_student_does_not_delay_the_others() {
    let server = TestServer::start_with(|config| {
        config.send_timeout = Duration::from_millis(300);
        // This test uploads hundreds of pictures on purpose.
        config.upload_rate = server::config::Rate::new(1000, Duration::from_millis(1));
    })
    .await;
    let (mut instructor, code, _) = Client::create_room(server.addr).await;
    let (mut healthy, _, _) = Client::join(server.addr, &code, "healthy").await;

    // The stalled student: a tiny receive buffer, joins, then never reads again.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(server.addr).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(
        format!("ws://{}/ws", server.addr),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await
    .unwrap();
    let mut stalled = Client { ws };
    stalled
        .send(&ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::Student {
                code: code.clone(),
                name: "stalled".into(),
            },
        }))
        .await;
    instructor
        .recv_until(|m| match m {
            ServerMsg::Roster(RosterEvent::Full(r)) if r.iter().filter(|s| s.connected).count() == 2 => {
                Some(())
            }
            _ => None,
        })
        .await;

    // Each input change is a ~12 KB frame; keep changing until the stalled student is dropped,
    // and check every time that the healthy student gets the instructor's next focus promptly.
    let picture = bmp(64, [10, 120, 200]);
    let mut slowest = Duration::ZERO;
    let mut dropped = false;
    for round in 0..400u32 {
        instructor
            .send(&ClientMsg::Control(Control::UploadImage(picture.clone())))
            .await;
        let sent = Instant::now();
        instructor.set_focus(step_focus(round)).await;
        healthy.recv_focus_step(round).await;
        slowest = slowest.max(sent.elapsed());
        // Roster updates tell the instructor when the stalled student lost its connection.
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(1), instructor.next()).await {
            if let ServerMsg::Roster(RosterEvent::Full(roster)) = msg
                && roster.iter().any(|s| s.name == "stalled" && !s.connected)
            {
                dropped = true;
            }
        }
        if dropped {
            break;
        }
    }
    eprintln!("slowest focus delivery to the healthy student: {slowest:?}");
    assert!(dropped, "the stalled student was never dropped");
    assert!(
        slowest < Duration::from_secs(2),
        "the healthy student waited {slowest:?}"
    );
    drop(stalled);
    server.stop().await.expect("clean shutdown");
}
