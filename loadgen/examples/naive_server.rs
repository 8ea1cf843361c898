//! A naive broadcast server speaking the classroom protocol, for a same-machine baseline:
//! tokio-tungstenite with default buffers, one task per connection, one `watch` slot for the
//! latest focus. Run `loadgen --server-bin target/release/examples/naive_server` to compare it
//! with `cnn-classroom` in the same conditions. Not a product: no rooms, roles or persistence.
#![forbid(unsafe_code)]

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use shared::codec::{decode_client, encode_server};
use shared::{
    ClientMsg, Control, Credentials, Focus, InstructorToken, Join, MemberId, ResumeToken, RoomCode,
    RoomEvent, RoomSnapshot, ServerMsg, SessionEvent, StateVersion, Welcome,
};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{Bytes, Message};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Accepts `--bind ADDR` and ignores everything else (loadgen also passes `--data-dir`).
    let args: Vec<String> = std::env::args().collect();
    let bind = args
        .iter()
        .position(|arg| arg == "--bind")
        .and_then(|i| args.get(i + 1))
        .context("usage: naive_server --bind 127.0.0.1:PORT")?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("could not bind {bind}"))?;
    let (latest, _) = watch::channel(Bytes::new());
    loop {
        let (tcp, _) = listener.accept().await.context("accept failed")?;
        tokio::spawn(serve(tcp, latest.clone()));
    }
}

async fn serve(tcp: TcpStream, latest: watch::Sender<Bytes>) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let Some(Ok(Message::Binary(first))) = ws.next().await else {
        return;
    };
    let Ok(ClientMsg::Hello(hello)) = decode_client(&first) else {
        return;
    };
    let Ok(code) = RoomCode::parse("ABCDEF") else {
        return;
    };
    let credentials = match hello.join {
        Join::CreateRoom => Credentials::Instructor(InstructorToken([1; 16])),
        _ => Credentials::Student {
            resume: ResumeToken([2; 16]),
            name: "student".into(),
        },
    };
    let welcome = Welcome {
        code: code.clone(),
        member: MemberId(1),
        credentials,
    };
    let snapshot = RoomSnapshot {
        code,
        version: StateVersion::default(),
        focus: Focus::default(),
        input: None,
        locked: false,
        recall: 0,
        model: None,
    };
    for msg in [
        ServerMsg::Session(SessionEvent::Welcome(welcome)),
        ServerMsg::Room(RoomEvent::Snapshot(Box::new(snapshot))),
    ] {
        if ws.send(Message::binary(encode_server(&msg))).await.is_err() {
            return;
        }
    }
    let mut updates = latest.subscribe();
    updates.mark_unchanged();
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    if let Ok(ClientMsg::Control(Control::SetFocus(focus))) = decode_client(&bytes) {
                        let msg = ServerMsg::Room(RoomEvent::Focus { version: StateVersion::default(), focus });
                        latest.send_replace(Bytes::from(encode_server(&msg)));
                    }
                }
                Some(Ok(_)) => {}
                _ => return,
            },
            changed = updates.changed() => {
                let frame = updates.borrow_and_update().clone();
                if changed.is_err() || ws.send(Message::Binary(frame)).await.is_err() {
                    return;
                }
            }
        }
    }
}
