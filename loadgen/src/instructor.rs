//! The simulated instructor: creates the room, then moves the focus at a fixed rate, stamping each
//! step's send time in the [`SendLog`]. It runs on its own thread and single-threaded runtime so
//! its timing is not disturbed by thousands of student tasks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{oneshot, watch};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;

use crate::connection;
use crate::send_log::SendLog;
use crate::wire::{self, RoomReply};

/// How long creating the room may take.
const CREATE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the instructor's sending phase achieved.
#[derive(Debug, Clone)]
pub struct SendSummary {
    /// Focus changes sent.
    pub sent: u32,
    /// Wall time from the first to the last send.
    pub elapsed: Duration,
}

/// A running instructor, waiting for [`Instructor::start_sending`].
pub struct Instructor {
    /// The room's join code for students.
    pub room_code: String,
    go: oneshot::Sender<()>,
    sent: oneshot::Receiver<SendSummary>,
    thread: JoinHandle<anyhow::Result<()>>,
}

impl Instructor {
    /// Connects, creates a room and returns once the room exists. `stop` ends the instructor's
    /// connection after its sending phase.
    pub async fn create_room(
        addr: SocketAddr,
        send_log: Arc<SendLog>,
        total_steps: u32,
        interval: Duration,
        stop: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let (code_tx, code_rx) = oneshot::channel();
        let (go, go_rx) = oneshot::channel();
        let (sent_tx, sent) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("instructor".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("could not start the instructor's runtime")?;
                runtime.block_on(drive(
                    addr,
                    send_log,
                    total_steps,
                    interval,
                    stop,
                    code_tx,
                    go_rx,
                    sent_tx,
                ))
            })
            .context("could not start the instructor thread")?;
        match code_rx.await {
            Ok(room_code) => Ok(Self {
                room_code,
                go,
                sent,
                thread,
            }),
            Err(_) => Err(join_thread(thread)
                .err()
                .unwrap_or_else(|| anyhow!("the instructor stopped early"))),
        }
    }

    /// Starts moving the focus and waits until every step has been sent.
    pub async fn start_sending(&mut self) -> anyhow::Result<SendSummary> {
        let go = std::mem::replace(&mut self.go, oneshot::channel().0);
        let _ = go.send(());
        (&mut self.sent)
            .await
            .map_err(|_| anyhow!("the instructor stopped before sending every step"))
    }

    /// Waits for the instructor's thread to end (after `stop`), returning any error it met.
    pub fn finish(self) -> anyhow::Result<()> {
        join_thread(self.thread)
    }
}

fn join_thread(thread: JoinHandle<anyhow::Result<()>>) -> anyhow::Result<()> {
    thread
        .join()
        .map_err(|_| anyhow!("the instructor thread panicked"))?
}

#[allow(clippy::too_many_arguments)] // one call site; the channels are its whole interface
async fn drive(
    addr: SocketAddr,
    send_log: Arc<SendLog>,
    total_steps: u32,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
    code_tx: oneshot::Sender<String>,
    go: oneshot::Receiver<()>,
    sent_tx: oneshot::Sender<SendSummary>,
) -> anyhow::Result<()> {
    let mut socket = connection::connect(addr)
        .await
        .context("the instructor could not connect")?;
    let room_code = tokio::time::timeout(CREATE_TIMEOUT, async {
        let hello = wire::create_room_frame();
        socket
            .send(Message::binary(hello))
            .await
            .context("could not send the create-room request")?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Binary(bytes))) => match wire::room_reply(&bytes) {
                    RoomReply::Created { code } => return Ok(code),
                    RoomReply::Refused(why) => bail!("the server refused to create a room: {why}"),
                    RoomReply::Other => {}
                },
                Some(Ok(_)) => {}
                Some(Err(error)) => bail!("the instructor's connection failed: {error}"),
                None => bail!("the server closed the instructor's connection while creating the room"),
            }
        }
    })
    .await
    .context("the server did not create a room in time")??;
    let _ = code_tx.send(room_code);

    let (mut sink, mut stream) = socket.split();
    // The server also talks to the instructor (acks, roster updates while students join); read
    // it from now on so nothing backs up, and keep the first refusal as the run's error.
    let reader = tokio::spawn(async move {
        let mut refusal = None;
        loop {
            tokio::select! {
                biased;
                _ = stop.changed() => break,
                message = stream.next() => match message {
                    Some(Ok(Message::Binary(bytes))) => {
                        if let (None, RoomReply::Refused(why)) = (&refusal, wire::room_reply(&bytes)) {
                            refusal = Some(why);
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => bail!("the instructor's connection failed: {error}"),
                    None => bail!("the server closed the instructor's connection during the run"),
                }
            }
        }
        refusal.map_or(Ok(()), |why| {
            Err(anyhow!("the server refused a focus change: {why}"))
        })
    });

    if go.await.is_err() {
        reader.abort();
        return Ok(()); // the run ended before sending began
    }
    let mut ticker = tokio::time::interval(interval);
    // A late tick is followed by prompt catch-up sends, so the run keeps the requested rate.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut first_send = None;
    for step in 1..=total_steps {
        ticker.tick().await;
        let frame = wire::set_focus_frame(step);
        first_send.get_or_insert_with(Instant::now);
        send_log.record_send(step);
        sink.send(Message::binary(frame))
            .await
            .context("the instructor could not send a focus change")?;
    }
    let elapsed = first_send.map_or(Duration::ZERO, |first| first.elapsed());
    let _ = sent_tx.send(SendSummary {
        sent: total_steps,
        elapsed,
    });

    reader.await.context("the instructor's reader panicked")?
}
