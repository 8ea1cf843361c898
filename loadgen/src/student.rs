//! One simulated student: joins the room, then follows the focus and notes, for every newer step
//! it sees, how long after the instructor's send it arrived. Students run as tasks on a few
//! single-threaded runtimes ([`Crowd`]); each reads its socket with one `recv` per wake-up into
//! a small buffer, parses the frames in place ([`crate::frames`]), decodes each update once and
//! takes one clock reading per `recv`, so the load generator stays light beside the server.

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, oneshot, watch};

use crate::connection;
use crate::frames::{self, Frame, FrameBuffer};
use crate::send_log::SendLog;
use crate::wire::{self, Incoming};

/// Free space ensured in a student's receive buffer before each `recv` (a focus update is a few
/// dozen bytes; larger frames grow the buffer to fit).
const RECEIVE_CHUNK: usize = 1024;

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
    let mut link = Link::new(index);
    let joined = tokio::time::timeout_at(ctx.join_deadline, link.join(index, &ctx)).await;
    let (mut socket, initial_step) = match joined {
        Ok(Ok(joined)) => joined,
        Ok(Err(error)) => return never_joined(outcome, &ctx, format!("{error:#}")),
        Err(_) => return never_joined(outcome, &ctx, "timed out while connecting".into()),
    };
    ctx.progress.joined.fetch_add(1, Ordering::Relaxed);
    outcome.last_step = initial_step;

    // Created once: re-creating it every loop would register with the stop channel each time.
    let mut stopped = pin!(async move {
        let _ = stop.wait_for(|stop| *stop).await;
    });
    let mut received = Instant::now();
    outcome.end = 'run: loop {
        // Every complete frame received so far (the join may have read past the snapshot).
        loop {
            let frame = match link.buffer.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(error) => break 'run StudentEnd::Dropped(error.to_string()),
            };
            match frame {
                Frame::Binary(payload) => match wire::classify(link.buffer.payload(payload)) {
                    Incoming::Focus { step } | Incoming::Snapshot { step } => {
                        observe_step(&mut outcome, &ctx, step, received);
                    }
                    Incoming::Refused(why) => break 'run StudentEnd::Dropped(why),
                    Incoming::Other => {}
                },
                Frame::Ping(payload) => {
                    if let Err(error) = link.pong(&mut socket, payload).await {
                        break 'run StudentEnd::Dropped(format!("connection error: {error}"));
                    }
                }
                Frame::Close(payload) => {
                    break 'run StudentEnd::Dropped(close_reason(link.buffer.payload(payload)));
                }
                Frame::Text | Frame::Pong => {}
            }
        }
        let read = tokio::select! {
            biased;
            read = socket.read_buf(link.buffer.receive_into(RECEIVE_CHUNK)) => read,
            () = &mut stopped => break StudentEnd::Stopped,
        };
        match read {
            Ok(0) => break StudentEnd::Dropped("connection ended".into()),
            Ok(_) => received = Instant::now(),
            Err(error) => break StudentEnd::Dropped(format!("connection error: {error}")),
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

/// "closed by the server: <code> <reason>" from a close frame's payload.
fn close_reason(payload: &[u8]) -> String {
    match payload {
        [high, low, reason @ ..] => format!(
            "closed by the server: {} {}",
            u16::from_be_bytes([*high, *low]),
            String::from_utf8_lossy(reason)
        ),
        _ => "closed by the server".into(),
    }
}

/// A student's receive buffer and masking keys.
struct Link {
    buffer: FrameBuffer,
    /// xorshift state for the masking keys a client must put on its frames.
    mask_state: u32,
}

impl Link {
    fn new(index: u32) -> Self {
        Self {
            buffer: FrameBuffer::with_capacity(RECEIVE_CHUNK),
            mask_state: index.wrapping_mul(0x9E37_79B9) | 1,
        }
    }

    fn mask(&mut self) -> [u8; 4] {
        let mut x = self.mask_state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.mask_state = x;
        x.to_le_bytes()
    }

    async fn pong(&mut self, socket: &mut TcpStream, ping: std::ops::Range<usize>) -> std::io::Result<()> {
        let mask = self.mask();
        let pong = frames::pong(self.buffer.payload(ping), mask);
        socket.write_all(&pong).await
    }

    /// Connects, joins and waits for the room snapshot, holding a join permit meanwhile so
    /// only a bounded number of handshakes are in flight. Returns the socket and the
    /// snapshot's step; frames received after the snapshot stay in the buffer.
    async fn join(&mut self, index: u32, ctx: &StudentContext) -> anyhow::Result<(TcpStream, u32)> {
        let _permit = ctx
            .join_permits
            .acquire()
            .await
            .context("the run ended while connecting")?;
        let mut socket = connection::connect_raw(ctx.addr).await?;
        let hello = wire::student_join_frame(&ctx.room_code, &format!("student-{index}"))?;
        let mask = self.mask();
        socket
            .write_all(&frames::binary(&hello, mask))
            .await
            .context("could not send the join request")?;
        loop {
            while let Some(frame) = self
                .buffer
                .next_frame()
                .map_err(|e| anyhow!("while joining: {e}"))?
            {
                match frame {
                    Frame::Binary(payload) => match wire::classify(self.buffer.payload(payload)) {
                        Incoming::Snapshot { step } => return Ok((socket, step)),
                        Incoming::Refused(why) => bail!("the server refused the join: {why}"),
                        Incoming::Focus { .. } | Incoming::Other => {}
                    },
                    Frame::Close(payload) => {
                        bail!("{} while joining", close_reason(self.buffer.payload(payload)))
                    }
                    Frame::Ping(payload) => self.pong(&mut socket, payload).await?,
                    Frame::Text | Frame::Pong => {}
                }
            }
            let read = socket
                .read_buf(self.buffer.receive_into(RECEIVE_CHUNK))
                .await
                .context("connection error while joining")?;
            if read == 0 {
                bail!("the connection ended while joining");
            }
        }
    }
}

/// Every student of a run, as tasks spread over a few threads, each with its own
/// single-threaded runtime (no work stealing, no cross-thread wake-ups) and its own stop signal.
pub struct Crowd {
    shards: Vec<Shard>,
}

struct Shard {
    stop: watch::Sender<bool>,
    outcomes: oneshot::Receiver<Option<Vec<StudentOutcome>>>,
    thread: JoinHandle<()>,
}

impl Crowd {
    /// Starts students `0..students` on `threads` threads (student `i` on thread `i % threads`).
    pub fn start(students: u32, threads: usize, ctx: &Arc<StudentContext>) -> anyhow::Result<Self> {
        let threads = threads.max(1);
        let mut shards = Vec::with_capacity(threads);
        for shard in 0..threads {
            let (stop, stop_rx) = watch::channel(false);
            let (done, outcomes) = oneshot::channel();
            let ctx = Arc::clone(ctx);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("could not start a student runtime")?;
            let thread = std::thread::Builder::new()
                .name(format!("students-{shard}"))
                .spawn(move || {
                    let outcomes = runtime.block_on(async move {
                        let tasks: Vec<_> = (shard as u32..students)
                            .step_by(threads)
                            .map(|i| tokio::spawn(run_student(i, Arc::clone(&ctx), stop_rx.clone())))
                            .collect();
                        let mut outcomes = Vec::with_capacity(tasks.len());
                        for task in tasks {
                            // `None`: a student task panicked (a load generator bug).
                            outcomes.push(task.await.ok()?);
                        }
                        Some(outcomes)
                    });
                    let _ = done.send(outcomes);
                })
                .context("could not start a student thread")?;
            shards.push(Shard {
                stop,
                outcomes,
                thread,
            });
        }
        Ok(Self { shards })
    }

    /// Tells every student to stop and collects what each observed.
    pub async fn stop(self) -> anyhow::Result<Vec<StudentOutcome>> {
        for shard in &self.shards {
            let _ = shard.stop.send(true);
        }
        let mut all = Vec::new();
        for shard in self.shards {
            let outcomes = shard
                .outcomes
                .await
                .map_err(|_| anyhow!("a student thread ended without its outcomes"))?
                .context("a student task panicked")?;
            all.extend(outcomes);
            shard
                .thread
                .join()
                .map_err(|_| anyhow!("a student thread panicked"))?;
        }
        Ok(all)
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
