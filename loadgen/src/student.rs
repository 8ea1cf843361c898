//! One simulated student: joins the room, then follows the focus and notes, for every newer step
//! it sees, how long after the instructor's send it arrived. One task per student and the least
//! parsing that finds the step, so the load generator stays light.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::connection::{self, Socket};
use crate::send_log::SendLog;
use crate::wire::{self, Incoming};

/// Counters every student task updates, polled by the run to know when a phase is over.
#[derive(Default)]
pub struct Progress {
    /// Students that have joined and received the room snapshot.
    pub joined: AtomicU32,
    /// Students that could not connect or join.
    pub failed_to_join: AtomicU32,
    /// Students that have seen the instructor's final step.
    pub reached_final: AtomicU32,
    /// Students whose connection ended before the run told them to stop.
    pub dropped: AtomicU32,
}

/// What the run hands every student.
pub struct StudentContext {
    /// Server address.
    pub addr: SocketAddr,
    /// The room's join code.
    pub room_code: String,
    /// The instructor's send times.
    pub send_log: Arc<SendLog>,
    /// The last step the instructor will send.
    pub final_step: u32,
    /// Bounds the handshakes in flight while connecting.
    pub join_permits: Arc<Semaphore>,
    /// Connecting ends at this instant.
    pub join_deadline: tokio::time::Instant,
    /// Shared counters.
    pub progress: Arc<Progress>,
}

/// How a student's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StudentEnd {
    /// Could not connect or join (the message says why).
    NeverJoined(String),
    /// Followed until the run said stop.
    Stopped,
    /// The connection ended early: closed by the server, reset, or a protocol error.
    Dropped(String),
}

/// What one student observed.
#[derive(Debug, Clone)]
pub struct StudentOutcome {
    /// Delivery latency of every newer step received, in microseconds.
    pub latencies_us: Vec<u32>,
    /// For every step sent, how long until this student had it or a newer one, in
    /// microseconds (steps skipped by coalescing count until the newer step arrived).
    pub view_latencies_us: Vec<u32>,
    /// Highest step seen.
    pub last_step: u32,
    /// Focus updates that carried an older step than one already seen (must stay 0).
    pub went_backwards: u32,
    /// How the run ended for this student.
    pub end: StudentEnd,
}

/// Runs student number `index` until `stop` turns true or its connection ends.
pub async fn run_student(
    index: u32,
    ctx: Arc<StudentContext>,
    mut stop: watch::Receiver<bool>,
) -> StudentOutcome {
    let mut outcome = StudentOutcome {
        latencies_us: Vec::with_capacity(ctx.final_step as usize),
        view_latencies_us: Vec::with_capacity(ctx.final_step as usize),
        last_step: 0,
        went_backwards: 0,
        end: StudentEnd::Stopped,
    };
    let joined = tokio::time::timeout_at(ctx.join_deadline, join(index, &ctx)).await;
    let (mut socket, initial_step) = match joined {
        Ok(Ok(joined)) => joined,
        Ok(Err(error)) => return never_joined(outcome, &ctx, format!("{error:#}")),
        Err(_) => return never_joined(outcome, &ctx, "timed out while connecting".into()),
    };
    ctx.progress.joined.fetch_add(1, Ordering::Relaxed);
    outcome.last_step = initial_step;

    outcome.end = loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break StudentEnd::Stopped,
            message = socket.next() => match message {
                Some(Ok(Message::Binary(bytes))) => {
                    match wire::classify(&bytes) {
                        Incoming::Focus { step } | Incoming::Snapshot { step } => {
                            observe_step(&mut outcome, &ctx, step, Instant::now());
                        }
                        Incoming::Refused(why) => break StudentEnd::Dropped(why),
                        Incoming::Other => {}
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    break StudentEnd::Dropped(format!("closed by the server: {frame:?}"));
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => break StudentEnd::Dropped(format!("connection error: {error}")),
                None => break StudentEnd::Dropped("connection ended".into()),
            }
        }
    };
    if outcome.end != StudentEnd::Stopped {
        ctx.progress.dropped.fetch_add(1, Ordering::Relaxed);
    }
    outcome
}

fn never_joined(mut outcome: StudentOutcome, ctx: &StudentContext, why: String) -> StudentOutcome {
    ctx.progress.failed_to_join.fetch_add(1, Ordering::Relaxed);
    outcome.end = StudentEnd::NeverJoined(why);
    outcome
}

/// Connects, joins and waits for the room snapshot, holding a join permit meanwhile so only a
/// bounded number of handshakes are in flight. Returns the socket and the snapshot's step.
async fn join(index: u32, ctx: &StudentContext) -> anyhow::Result<(Socket, u32)> {
    let _permit = ctx
        .join_permits
        .acquire()
        .await
        .context("the run ended while connecting")?;
    let mut socket = connection::connect(ctx.addr).await?;
    let hello = wire::student_join_frame(&ctx.room_code, &format!("student-{index}"))?;
    socket
        .send(Message::binary(hello))
        .await
        .context("could not send the join request")?;
    loop {
        match socket.next().await {
            Some(Ok(Message::Binary(bytes))) => match wire::classify(&bytes) {
                Incoming::Snapshot { step } => return Ok((socket, step)),
                Incoming::Refused(why) => bail!("the server refused the join: {why}"),
                Incoming::Focus { .. } | Incoming::Other => {}
            },
            Some(Ok(Message::Close(frame))) => {
                bail!("the server closed the connection while joining: {frame:?}")
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => bail!("connection error while joining: {error}"),
            None => bail!("the connection ended while joining"),
        }
    }
}

fn observe_step(outcome: &mut StudentOutcome, ctx: &StudentContext, step: u32, received: Instant) {
    if step < outcome.last_step {
        outcome.went_backwards += 1;
        return;
    }
    if step == outcome.last_step {
        return;
    }
    let previous = std::mem::replace(&mut outcome.last_step, step);
    let micros = |latency: std::time::Duration| u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
    if let Some(latency) = ctx.send_log.latency(step, received) {
        outcome.latencies_us.push(micros(latency));
    }
    for covered in previous + 1..=step {
        if let Some(latency) = ctx.send_log.latency(covered, received) {
            outcome.view_latencies_us.push(micros(latency));
        }
    }
    if step == ctx.final_step {
        ctx.progress.reached_final.fetch_add(1, Ordering::Relaxed);
    }
}
