//! One WebSocket connection: [`handshake`] (the `Hello`, who may join what) and then
//! [`session`] (a single task that reads the client's messages and sends room changes, the
//! roster, save notices and heartbeats). This file holds what both share: sending, closing and
//! how a connection ended.

mod handshake;
mod session;

use std::future::{Future, poll_fn};
use std::net::IpAddr;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use shared::codec::{CodecError, encode_server};
use shared::{CloseReason, ErrorKind, ErrorMsg, ServerMsg, SessionEvent};
use tokio::time::{Instant, timeout};

use crate::hub::Hub;
use crate::metered_io::ReadMeter;

/// WebSocket close codes (RFC 6455).
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;

/// What the HTTP layer learnt about the client before the upgrade.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The client's address (rate limits are per address).
    pub ip: IpAddr,
    /// Whether it may create rooms (the instructor key, when one is configured).
    pub may_create: bool,
    /// Admitted into the reserve of a nearly full server: only an instructor may join.
    pub instructor_only: bool,
    /// Bytes read from the socket so far.
    pub meter: ReadMeter,
}

/// How a connection ended (logged at the task boundary).
#[derive(Debug)]
enum End {
    /// The client closed or the socket broke.
    Gone,
    /// We closed it with a reason the client was told.
    Closed(CloseReason),
    /// The handshake was refused.
    Refused,
    /// A send did not complete within the send timeout.
    TooSlow,
}

fn error_msg(kind: ErrorKind, message: impl Into<String>) -> ServerMsg {
    ServerMsg::Error(ErrorMsg {
        kind,
        message: message.into(),
    })
}

fn codec_error_kind(error: &CodecError) -> ErrorKind {
    match error {
        CodecError::TooLarge { .. } => ErrorKind::TooLarge,
        CodecError::Malformed(_) => ErrorKind::Malformed,
    }
}

struct Connection {
    socket: WebSocket,
    hub: Hub,
    peer: Peer,
    last_heard: Instant,
}

/// Serves one upgraded WebSocket until it closes; never panics on what the client sends.
pub async fn serve(socket: WebSocket, hub: Hub, peer: Peer) {
    let _counted = hub.track_connection();
    let mut conn = Connection {
        socket,
        hub,
        peer,
        last_heard: Instant::now(),
    };
    let end = match conn.handshake().await {
        // The seat is freed when `seat` is dropped, however the session ends.
        Ok(seat) => conn.session(seat).await,
        Err(end) => end,
    };
    tracing::debug!(?end, "connection ended");
}

impl Connection {
    async fn send(&mut self, frame: Bytes) -> Result<(), End> {
        self.send_message(Message::Binary(frame)).await
    }

    /// Sends one message, dropping the client if it takes longer than the send timeout. Almost
    /// every send completes at its first poll (the kernel buffer has room), so the timer is only
    /// armed for a send that has to wait: no timer per frame in the broadcast fan-out.
    async fn send_message(&mut self, message: Message) -> Result<(), End> {
        let limit = self.hub.config().send_timeout;
        let mut send = pin!(self.socket.send(message));
        let first = poll_fn(|cx| Poll::Ready(send.as_mut().poll(cx))).await;
        let result = match first {
            Poll::Ready(result) => Ok(result),
            Poll::Pending => timeout(limit, send).await,
        };
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::Gone),
            Err(_) => Err(End::TooSlow),
        }
    }

    async fn send_msg(&mut self, msg: &ServerMsg) -> Result<(), End> {
        self.send(Bytes::from(encode_server(msg))).await
    }

    /// Sends a last message and a close frame, best effort.
    async fn close_with(&mut self, last: &ServerMsg, code: u16, reason: &str) {
        if self.send_msg(last).await.is_ok() {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ = timeout(
                Duration::from_secs(1),
                self.socket.send(Message::Close(Some(frame))),
            )
            .await;
        }
    }

    async fn refuse(&mut self, kind: ErrorKind, message: String) -> End {
        tracing::debug!(?kind, %message, "handshake refused");
        self.close_with(&error_msg(kind, message), CLOSE_POLICY, "handshake refused")
            .await;
        End::Refused
    }

    async fn goodbye(&mut self, reason: CloseReason) -> End {
        let code = match reason {
            CloseReason::ServerShutdown => CLOSE_GOING_AWAY,
            _ => CLOSE_NORMAL,
        };
        let msg = ServerMsg::Session(SessionEvent::Closing(reason));
        self.close_with(&msg, code, reason.explain()).await;
        End::Closed(reason)
    }
}
