//! The quick-check scenario (`--answers`): N students join, the instructor asks "what is the next
//! value?", and every student answers once at a random moment within the answer window (2 s by
//! default), half of them right. Reported: how long until the instructor's tally counts every
//! answer, how many tallies the instructor received per second (the server coalesces them),
//! each answer's confirmation time (answer sent → `Mine` back, which the server sends only once
//! the answer is on disk), the server's CPU over the answering and its memory per student, and
//! whether any answer was lost (the reveal must count exactly N answers and N/2 right ones).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures_util::{SinkExt, StreamExt};
use shared::codec::{decode_server, encode_client};
use shared::{
    Answer, Ask, CheckEvent, CheckMsg, ClientMsg, Correct, Hello, Join, PROTOCOL_VERSION, Question,
    QuestionId, RoomCode, RoomEvent, ServerMsg, SessionEvent, Welcome,
};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::connection::{Socket, connect};
use crate::proc_stats::{self, CpuMeter};
use crate::server_process::ServerProcess;

/// The right value of the question and how far from it an answer counts.
const RIGHT_VALUE: f32 = 1.5;
const TOLERANCE: f32 = 0.05;
/// The whole scenario must be over within this.
const TIMEOUT: Duration = Duration::from_secs(120);
/// Pause before reading the server's memory, so work triggered by the last change has settled.
const SETTLE: Duration = Duration::from_millis(1000);

async fn send(socket: &mut Socket, msg: &ClientMsg) -> anyhow::Result<()> {
    socket
        .send(Message::binary(encode_client(msg)))
        .await
        .context("send")
}

/// Opens a connection and completes the handshake (welcome and snapshot read).
async fn hello(addr: SocketAddr, join: Join) -> anyhow::Result<(Socket, Welcome)> {
    let mut socket = connect(addr).await?;
    let hello = ClientMsg::Hello(Hello {
        version: PROTOCOL_VERSION,
        join,
    });
    send(&mut socket, &hello).await?;
    let mut welcome = None;
    loop {
        let Some(frame) = socket.next().await else {
            bail!("closed during the handshake")
        };
        if let Message::Binary(bytes) = frame.context("handshake")? {
            match decode_server(&bytes).context("decode")? {
                ServerMsg::Session(SessionEvent::Welcome(w)) => welcome = Some(w),
                ServerMsg::Room(RoomEvent::Snapshot(_)) => {
                    return Ok((socket, welcome.context("snapshot before welcome")?));
                }
                ServerMsg::Error(e) => bail!("refused: {}", e.message),
                _ => {}
            }
        }
    }
}

/// The next room question (skipping everything else).
async fn next_question(socket: &mut Socket) -> anyhow::Result<Option<Question>> {
    loop {
        let frame = socket.next().await.context("closed")?.context("receive")?;
        if let Message::Binary(bytes) = frame
            && let ServerMsg::Check(CheckEvent::Question { question, .. }) = decode_server(&bytes)?
        {
            return Ok(question.map(|q| *q));
        }
    }
}

/// What the students report.
#[derive(Default)]
struct Class {
    joined: AtomicU32,
    asked: AtomicU32,
    confirmed: AtomicU32,
    refused: AtomicU32,
    saw_reveal: AtomicU32,
    /// Answer sent → `Mine` received, in microseconds.
    confirm_us: Mutex<Vec<u64>>,
}

/// A deterministic spread of answer times over the window (no two students in lockstep).
fn answer_delay(index: u32, students: u32, window: Duration) -> Duration {
    let mixed = (u64::from(index).wrapping_mul(2_654_435_761) % u64::from(students.max(1))) as f64;
    window.mul_f64(mixed / f64::from(students.max(1)))
}

async fn student(
    index: u32,
    students: u32,
    addr: SocketAddr,
    code: RoomCode,
    class: Arc<Class>,
    permits: Arc<Semaphore>,
    window: Duration,
) -> anyhow::Result<()> {
    let (mut socket, _) = {
        let _permit = permits.acquire().await;
        hello(
            addr,
            Join::Student {
                code,
                name: format!("s{index}"),
            },
        )
        .await?
    };
    class.joined.fetch_add(1, Ordering::Relaxed);
    let question = loop {
        if let Some(question) = next_question(&mut socket).await? {
            break question;
        }
    };
    class.asked.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(answer_delay(index, students, window)).await;
    // Half the class is right.
    let value = if index.is_multiple_of(2) {
        RIGHT_VALUE
    } else {
        -RIGHT_VALUE
    };
    let sent = Instant::now();
    let answer = ClientMsg::Check(CheckMsg::Answer {
        question: question.id,
        answer: Answer::Value(value),
    });
    send(&mut socket, &answer).await?;
    loop {
        let frame = socket.next().await.context("closed")?.context("receive")?;
        let Message::Binary(bytes) = frame else { continue };
        match decode_server(&bytes)? {
            ServerMsg::Check(CheckEvent::Mine {
                answer: Some(mine), ..
            }) if mine == Answer::Value(value) => {
                class
                    .confirm_us
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(sent.elapsed().as_micros() as u64);
                class.confirmed.fetch_add(1, Ordering::Relaxed);
                break;
            }
            ServerMsg::Error(e) => {
                class.refused.fetch_add(1, Ordering::Relaxed);
                bail!("answer refused: {}", e.message);
            }
            _ => {}
        }
    }
    while let Some(question) = next_question(&mut socket).await? {
        if question.reveal.is_some() {
            class.saw_reveal.fetch_add(1, Ordering::Relaxed);
            break;
        }
    }
    Ok(())
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) -> anyhow::Result<()> {
    let started = Instant::now();
    while !done() {
        ensure!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Most tallies that arrived within any one second.
fn most_per_second(times: &[Duration]) -> usize {
    let mut most = 0;
    let mut start = 0;
    for (end, &at) in times.iter().enumerate() {
        while at - times[start] >= Duration::from_secs(1) {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at] as f64 / 1000.0
}

/// Runs the scenario and prints its figures; an error when an answer was lost.
pub async fn run(
    server_bin: &std::path::Path,
    extra_args: &[String],
    students: u32,
    parallelism: usize,
    window: Duration,
) -> anyhow::Result<()> {
    let server = ServerProcess::start(server_bin, extra_args)?;
    let addr = server.addr();
    let pid = server.pid();
    let ticks = proc_stats::clock_ticks_per_second();
    let (mut instructor, welcome) = hello(addr, Join::CreateRoom).await?;
    tokio::time::sleep(SETTLE).await;
    let rss_room_kib = proc_stats::resident_kib(pid)?;

    let class = Arc::new(Class::default());
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let tasks: Vec<_> = (0..students)
        .map(|i| {
            tokio::spawn(student(
                i,
                students,
                addr,
                welcome.code.clone(),
                Arc::clone(&class),
                Arc::clone(&permits),
                window,
            ))
        })
        .collect();
    // The instructor keeps reading (pings, rosters) while the class joins.
    let joining = wait_for("every student to join", || {
        class.joined.load(Ordering::Relaxed) >= students
    });
    tokio::pin!(joining);
    loop {
        tokio::select! {
            done = &mut joining => { done?; break; }
            frame = instructor.next() => { frame.context("the instructor was disconnected")??; }
        }
    }
    tokio::time::sleep(SETTLE).await;
    let rss_joined_kib = proc_stats::resident_kib(pid)?;

    let cpu = CpuMeter::start(pid)?;
    let machine = CpuMeter::machine()?;
    let asked_at = Instant::now();
    let open = ClientMsg::Check(CheckMsg::Open {
        ask: Ask::NextValue,
        correct: Correct::Value {
            value: RIGHT_VALUE,
            tolerance: TOLERANCE,
        },
    });
    send(&mut instructor, &open).await?;
    // Tallies as the instructor receives them: when, and how many answers each counts.
    let mut tallies: Vec<(Duration, u32)> = Vec::new();
    let mut question_id = QuestionId(0);
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while tallies.last().is_none_or(|&(_, answered)| answered < students) {
        let frame = tokio::time::timeout_at(deadline, instructor.next())
            .await
            .context("timed out waiting for the tally to count every answer")?
            .context("the instructor was disconnected")??;
        let Message::Binary(bytes) = frame else { continue };
        match decode_server(&bytes)? {
            ServerMsg::Check(CheckEvent::Tally(tally)) => {
                question_id = tally.question;
                tallies.push((asked_at.elapsed(), tally.answered));
            }
            ServerMsg::Error(e) => bail!("the server refused: {}", e.message),
            _ => {}
        }
    }
    let all_counted = asked_at.elapsed();
    let cpu_percent = cpu.percent_of_one_core(ticks)?;
    let machine_percent = machine.percent_of_one_core(ticks)?;
    let rss_answered_kib = proc_stats::resident_kib(pid)?;

    send(&mut instructor, &ClientMsg::Check(CheckMsg::Reveal)).await?;
    let reveal = loop {
        if let Some(question) = next_question(&mut instructor).await?
            && let Some(reveal) = question.reveal
        {
            break reveal;
        }
    };
    wait_for("every student to see the reveal", || {
        class.saw_reveal.load(Ordering::Relaxed) + class.refused.load(Ordering::Relaxed) >= students
    })
    .await?;
    let mut failures = Vec::new();
    for task in tasks {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => failures.push(format!("{error:#}")),
            Err(error) => failures.push(error.to_string()),
        }
    }

    let mut confirm = std::mem::take(&mut *class.confirm_us.lock().unwrap_or_else(|e| e.into_inner()));
    confirm.sort_unstable();
    let times: Vec<Duration> = tallies.iter().map(|&(at, _)| at).collect();
    let span = times.last().copied().unwrap_or_default().saturating_sub(times[0]);
    let expected_right = students.div_ceil(2);
    println!(
        "quick check: {students} students, question {} answered within {:.1} s",
        question_id.0,
        window.as_secs_f64()
    );
    println!(
        "  tally counted all {students} answers {:.2} s after the question was asked",
        all_counted.as_secs_f64()
    );
    println!(
        "  tallies to the instructor: {} over {:.2} s, at most {} in any one second (coalesced every 100 ms)",
        tallies.len(),
        span.as_secs_f64(),
        most_per_second(&times)
    );
    println!(
        "  answer confirmed (sent -> on disk -> Mine): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} confirmed)",
        percentile(&confirm, 0.5),
        percentile(&confirm, 0.99),
        percentile(&confirm, 1.0),
        confirm.len()
    );
    println!(
        "  server CPU while answering: {cpu_percent:.0}% of one core (whole machine {machine_percent:.0}%, \
         load generator included)"
    );
    println!(
        "  server memory: {:.1} MB with the room, {:.1} MB with {students} students ({:.1} KiB per student), \
         {:.1} MB after the answers ({:.2} KiB per answer)",
        rss_room_kib as f64 / 1024.0,
        rss_joined_kib as f64 / 1024.0,
        rss_joined_kib.saturating_sub(rss_room_kib) as f64 / f64::from(students.max(1)),
        rss_answered_kib as f64 / 1024.0,
        rss_answered_kib.saturating_sub(rss_joined_kib) as f64 / f64::from(students.max(1)),
    );
    println!(
        "  reveal: {} answers, {} right (expected {students} and {expected_right}); {} students saw it",
        reveal.tally.answered,
        reveal.right,
        class.saw_reveal.load(Ordering::Relaxed)
    );
    let lost = students.saturating_sub(reveal.tally.answered);
    ensure!(
        failures.is_empty(),
        "{} students failed, first: {}",
        failures.len(),
        failures[0]
    );
    ensure!(
        lost == 0 && reveal.right == expected_right,
        "answers lost: {lost}; right {} of {expected_right} expected",
        reveal.right
    );
    println!("  no answer lost");
    drop(server);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_times_spread_over_the_window_and_tallies_are_counted_per_second() {
        let window = Duration::from_secs(2);
        let delays: Vec<Duration> = (0..1000).map(|i| answer_delay(i, 1000, window)).collect();
        assert!(delays.iter().all(|d| *d < window));
        let early = delays.iter().filter(|d| **d < Duration::from_secs(1)).count();
        assert!((400..600).contains(&early), "{early} answers in the first second");
        let ms = Duration::from_millis;
        assert_eq!(most_per_second(&[ms(0), ms(100), ms(999), ms(1000), ms(1500)]), 3);
    }
}
