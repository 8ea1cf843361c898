//! The restart-storm scenario: N students follow a lecture, the server is killed (SIGKILL, as a
//! crash) and started again on the same port and data directory, and every member reconnects
//! on its own: students with their resume token, the instructor with its token, each after a
//! jittered exponential backoff, the same schedule as the web client's `live/backoff.rs`
//! (300 ms doubling to 8 s, "equal jitter"). Once back, the instructor moves the focus; the
//! figure is the time from the kill until every student shows that newest focus, with the
//! restarted server's peak memory and CPU over the storm.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use shared::codec::{decode_server, encode_client};
use shared::{
    ClientMsg, Control, Credentials, Focus, Hello, InstructorToken, Join, PROTOCOL_VERSION, ResumeToken,
    RoomCode, RoomEvent, ServerMsg, SessionEvent, Welcome,
};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::connection::{Socket, connect};
use crate::proc_stats;
use crate::server_process::ServerProcess;

/// First retry waits about this long (the web client's `BASE_DELAY_MS`).
const BASE_DELAY_MS: u64 = 300;
/// No retry waits longer (the web client's `MAX_DELAY_MS`).
const MAX_DELAY_MS: u64 = 8_000;
/// Focus step before the crash and after it.
const STEP_BEFORE: u32 = 1;
const STEP_AFTER: u32 = 2;
/// The whole storm must settle within this.
const STORM_TIMEOUT: Duration = Duration::from_secs(180);

/// The web client's reconnect schedule: half the exponential ceiling fixed, half random.
struct Backoff {
    failures: u32,
    rng: u64,
}

impl Backoff {
    fn new(seed: u64) -> Self {
        Self {
            failures: 0,
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    fn next_delay(&mut self) -> Duration {
        // xorshift64: enough to spread retries, no dependency.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let unit = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        let ceiling = (BASE_DELAY_MS << self.failures.min(16)).min(MAX_DELAY_MS);
        self.failures += 1;
        let half = ceiling / 2;
        Duration::from_millis(half + (half as f64 * unit) as u64)
    }
}

async fn send(socket: &mut Socket, msg: &ClientMsg) -> anyhow::Result<()> {
    socket
        .send(Message::binary(encode_client(msg)))
        .await
        .context("send")
}

async fn hello(addr: SocketAddr, join: Join) -> anyhow::Result<(Socket, Welcome, u32)> {
    let mut socket = connect(addr).await?;
    send(
        &mut socket,
        &ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join,
        }),
    )
    .await?;
    let mut welcome = None;
    loop {
        let Some(frame) = socket.next().await else {
            bail!("closed during the handshake")
        };
        if let Message::Binary(bytes) = frame.context("handshake")? {
            match decode_server(&bytes).context("decode")? {
                ServerMsg::Session(SessionEvent::Welcome(w)) => welcome = Some(w),
                ServerMsg::Room(RoomEvent::Snapshot(s)) => {
                    let welcome = welcome.context("snapshot before welcome")?;
                    return Ok((socket, welcome, s.focus.step));
                }
                ServerMsg::Error(e) => bail!("refused: {}", e.message),
                _ => {}
            }
        }
    }
}

fn focus(step: u32) -> Focus {
    Focus {
        step,
        ..Focus::default()
    }
}

/// What the students report.
#[derive(Default)]
struct Storm {
    joined: AtomicU32,
    on_before: AtomicU32,
    on_after: AtomicU32,
    reconnects: AtomicU64,
    most_attempts: AtomicU32,
}

/// One student: join, follow; after a drop, rejoin with its token after the backoff.
async fn student(
    index: u32,
    addr: SocketAddr,
    code: RoomCode,
    storm: Arc<Storm>,
    permits: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let joined = {
        let _permit = permits.acquire().await;
        hello(
            addr,
            Join::Student {
                code: code.clone(),
                name: format!("s{index}"),
            },
        )
        .await
    };
    let Ok((mut socket, welcome, mut step)) = joined else {
        return;
    };
    let Credentials::Student { resume, .. } = welcome.credentials else {
        return;
    };
    storm.joined.fetch_add(1, Ordering::Relaxed);
    let resume: ResumeToken = resume;
    let mut counted_before = false;
    let mut counted_after = false;
    let mut backoff = Backoff::new(u64::from(index) + 1);
    loop {
        if step == STEP_BEFORE && !counted_before {
            counted_before = true;
            storm.on_before.fetch_add(1, Ordering::Relaxed);
        }
        if step == STEP_AFTER && !counted_after {
            counted_after = true;
            storm.on_after.fetch_add(1, Ordering::Relaxed);
        }
        let frame = tokio::select! {
            frame = socket.next() => frame,
            _ = stop.changed() => return,
        };
        match frame {
            Some(Ok(Message::Binary(bytes))) => {
                if let Ok(ServerMsg::Room(RoomEvent::Focus { focus, .. })) = decode_server(&bytes) {
                    step = focus.step;
                }
                continue;
            }
            Some(Ok(_)) => continue,
            None | Some(Err(_)) => {}
        }
        // Dropped: reconnect with the token until back.
        let mut attempts = 0u32;
        loop {
            tokio::select! {
                () = tokio::time::sleep(backoff.next_delay()) => {}
                _ = stop.changed() => return,
            }
            attempts += 1;
            storm.reconnects.fetch_add(1, Ordering::Relaxed);
            let rejoin = Join::Rejoin {
                code: code.clone(),
                resume: resume.clone(),
            };
            if let Ok((again, _, snapshot_step)) = hello(addr, rejoin).await {
                socket = again;
                step = snapshot_step;
                backoff.failures = 0;
                storm.most_attempts.fetch_max(attempts, Ordering::Relaxed);
                break;
            }
        }
    }
}

/// The instructor after the crash: reconnect with its token after the backoff, then move on.
async fn instructor_returns(
    addr: SocketAddr,
    code: RoomCode,
    token: InstructorToken,
) -> anyhow::Result<Socket> {
    let mut backoff = Backoff::new(0xC0FFEE);
    let started = Instant::now();
    loop {
        tokio::time::sleep(backoff.next_delay()).await;
        let join = Join::Instruct {
            code: code.clone(),
            token: token.clone(),
        };
        if let Ok((mut socket, _, _)) = hello(addr, join).await {
            send(
                &mut socket,
                &ClientMsg::Control(Control::SetFocus(focus(STEP_AFTER))),
            )
            .await?;
            return Ok(socket);
        }
        if started.elapsed() > STORM_TIMEOUT {
            bail!("the instructor could not get back in");
        }
    }
}

async fn wait_for(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) -> anyhow::Result<()> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Peak resident memory (`VmHWM`) of `pid`, in KiB.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Runs the scenario and prints its figures.
pub async fn run(
    server_bin: &std::path::Path,
    extra_args: &[String],
    students: u32,
    parallelism: usize,
) -> anyhow::Result<()> {
    let mut server = ServerProcess::start(server_bin, extra_args)?;
    let addr = server.addr();
    let (mut instructor, welcome, _) = hello(addr, Join::CreateRoom).await?;
    let (code, Credentials::Instructor(token)) = (welcome.code, welcome.credentials) else {
        bail!("the creator is not the instructor")
    };
    send(
        &mut instructor,
        &ClientMsg::Control(Control::SetFocus(focus(STEP_BEFORE))),
    )
    .await?;

    let storm = Arc::new(Storm::default());
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let (stop, stopped) = watch::channel(false);
    let tasks: Vec<_> = (0..students)
        .map(|i| {
            tokio::spawn(student(
                i,
                addr,
                code.clone(),
                Arc::clone(&storm),
                Arc::clone(&permits),
                stopped.clone(),
            ))
        })
        .collect();
    // Keep the instructor answering pings while the class joins.
    let joining = wait_for("every student to join and follow", STORM_TIMEOUT, || {
        storm.on_before.load(Ordering::Relaxed) >= students
    });
    tokio::pin!(joining);
    loop {
        tokio::select! {
            done = &mut joining => { done?; break; }
            frame = instructor.next() => { frame.context("the instructor was disconnected")??; }
        }
    }
    let joined = storm.joined.load(Ordering::Relaxed);
    println!("restart storm: {joined} students joined and follow step {STEP_BEFORE}");

    let killed_at = Instant::now();
    drop(instructor);
    server.kill_and_restart()?;
    let pid = server.pid();
    server.wait_until_accepting()?;
    let restarted_in = killed_at.elapsed();
    let _instructor = instructor_returns(addr, code, token).await?;
    let instructor_back = killed_at.elapsed();
    wait_for("every student to show the newest focus", STORM_TIMEOUT, || {
        storm.on_after.load(Ordering::Relaxed) >= joined
    })
    .await?;
    let storm_time = killed_at.elapsed();
    let cpu_ticks = proc_stats::cpu_ticks(pid).unwrap_or(0);
    let cpu_percent = 100.0 * cpu_ticks as f64
        / proc_stats::clock_ticks_per_second() as f64
        / storm_time.as_secs_f64().max(1e-9);
    let peak = peak_kib(pid);
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    println!(
        "restart storm: server back in {:.2}s, instructor back after {:.2}s, all {joined} students on \
         the newest state after {:.2}s",
        restarted_in.as_secs_f64(),
        instructor_back.as_secs_f64(),
        storm_time.as_secs_f64()
    );
    println!(
        "restart storm: {} reconnect attempts (most by one student: {}); restarted server peak RSS \
         {:.1} MB, CPU {:.0}% of one core over the storm",
        storm.reconnects.load(Ordering::Relaxed),
        storm.most_attempts.load(Ordering::Relaxed),
        peak as f64 / 1024.0,
        cpu_percent
    );
    Ok(())
}
