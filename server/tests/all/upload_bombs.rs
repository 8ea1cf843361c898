//! The figure of issue 10: 16 simultaneous worst-case uploads (the 65 KB PNG that decodes to an
//! 8192 × 8192 greyscale picture) against the real `cnn-classroom` binary; its peak resident
//! memory must stay within 300 MB, and every upload gets an answer. Prints the measured figures.

use crate::common;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use common::{Client, ServerProcess, peak_rss_bytes, png_bomb};
use shared::*;

const UPLOADS: usize = 16;
/// 16 decodes, two at a time, on a machine shared with builds: generous, still bounded.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(180);

const PEAK_LIMIT_BYTES: u64 = 300 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_simultaneous_decompression_bombs_stay_within_300_mb() {
    let data = tempfile::tempdir().unwrap();
    let child = ServerProcess::start(
        "127.0.0.1:0",
        [
            OsStr::new("--data-dir"),
            data.path().as_os_str(),
            // 16 rooms from one address at once.
            OsStr::new("--rooms-per-hour"),
            OsStr::new("600"),
        ],
    );
    let (addr, pid) = (child.addr, child.id().to_string());
    let idle = peak_rss_bytes(&pid).unwrap_or(0);
    let bomb = png_bomb();
    let started = Instant::now();
    let uploads = (0..UPLOADS).map(|_| {
        let bomb = bomb.clone();
        tokio::spawn(async move {
            let (mut instructor, _, _) = Client::create_room(addr).await;
            instructor
                .send(&ClientMsg::Control(Control::UploadImage(bomb)))
                .await;
            // The wait for a decode slot may be longer than the usual 15 s per message.
            loop {
                match instructor.next_within(ANSWER_TIMEOUT).await {
                    Some(ServerMsg::Error(e)) => break Err(e),
                    Some(ServerMsg::Room(RoomEvent::Input { .. })) => break Ok(()),
                    Some(_) => {}
                    None => panic!("the server closed the connection instead of answering"),
                }
            }
        })
    });
    let mut outcomes = Vec::new();
    for upload in uploads.collect::<Vec<_>>() {
        outcomes.push(upload.await.expect("upload task"));
    }
    let took = started.elapsed();
    let peak = peak_rss_bytes(&pid).unwrap_or(0);
    drop(child);
    let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
    eprintln!(
        "bomb: {} bytes; {UPLOADS} simultaneous uploads answered in {took:.2?} ({accepted} accepted, \
         the rest refused: {:?}); server peak RSS {:.1} MB (idle {:.1} MB)",
        bomb.len(),
        outcomes
            .iter()
            .find_map(|o| o.as_ref().err().map(|e| e.message.clone())),
        peak as f64 / 1e6,
        idle as f64 / 1e6
    );
    if peak > 0 {
        assert!(peak <= PEAK_LIMIT_BYTES, "peak RSS {peak} bytes");
    }
    assert_eq!(outcomes.len(), UPLOADS, "every upload got an answer");
}
