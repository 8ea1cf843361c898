//! Fuzz/property pass over the model upload route (`POST /api/models`) of a real server: mutated
//! model files (the PyTorch fixtures and a small network as seeds: bit flips, overwritten header
//! and length bytes, truncations, insertions of huge lengths), odd names and bodies that stop
//! before their declared length. Properties: never a panic or a `5xx`, every answer is `200` or
//! a `4xx` sentence, an accepted file is served back by its hash and reads back as a model, the
//! server stays healthy, and the process's peak memory stays bounded.
//!
//! Long run: `FUZZ_ITERATIONS=100000 cargo test --release -p server --test fuzz_model_upload -- --nocapture`

mod common;

use std::time::Duration;

use common::networks::{fixture_bundle, small_colour};
use common::{Client, TestServer, http, upload_model};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::config::Rate;
use tokio::io::AsyncWriteExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_model_uploads_are_answered_with_sentences_and_memory_stays_bounded() {
    let server = TestServer::start_with(|config| {
        config.model_upload_rate = Rate::new(1_000_000, Duration::from_micros(1));
        config.message_timeout = Duration::from_secs(2);
        // Accepted files are kept (in memory: no data directory); a long run fills the store
        // and then gets its sentence, so memory stays bounded by it.
        config.model_storage_bytes = 32 << 20;
    })
    .await;
    let addr = server.addr;
    let (_instructor, code, token) = Client::create_room(addr).await;
    let seeds = [
        fixture_bundle("grey"),
        fixture_bundle("colour"),
        models::bundle::write(&small_colour()),
    ];
    let n: u64 = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let mut rng = StdRng::seed_from_u64(14);
    let before = common::peak_rss_bytes("self").unwrap_or(0);
    let started = std::time::Instant::now();
    let (mut accepted, mut refused) = (0u64, 0u64);
    for _ in 0..n {
        let mut bytes = seeds[rng.random_range(0..seeds.len())].clone();
        for _ in 0..rng.random_range(1..=4) {
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..5) {
                // The safetensors header length and the JSON header live in the first bytes.
                0 => {
                    let at = at % 64;
                    bytes[at] = rng.random();
                }
                1 => bytes[at] ^= 1 << rng.random_range(0..8),
                2 => bytes.truncate(at.max(1)),
                3 => bytes.splice(at..at, [0xFF, 0xFF, 0xFF, 0x7F]).for_each(drop),
                // Digits in the JSON header: shapes and offsets that lie.
                _ => {
                    if let Some(digit) = bytes.iter().take(4096).position(|b| b.is_ascii_digit()) {
                        let skip = rng.random_range(0..64);
                        let digits: Vec<usize> = bytes
                            .iter()
                            .take(4096)
                            .enumerate()
                            .filter(|(_, b)| b.is_ascii_digit())
                            .map(|(i, _)| i)
                            .collect();
                        let target = digits.get(skip).copied().unwrap_or(digit);
                        bytes[target] = b'0' + rng.random_range(0..10);
                    }
                }
            }
        }
        let name: String = (0..rng.random_range(0..80))
            .map(|_| char::from(rng.random_range(0x20u8..0x7f)))
            .collect();
        let answer = upload_model(addr, &code, &token, &name, &bytes).await;
        match answer.status {
            200 => {
                accepted += 1;
                let json = models::json::parse(&answer.text()).expect("an accepted upload answers JSON");
                let hash = json.get("hash").and_then(|h| h.as_str()).expect("a hash");
                let file = http(addr, "GET", &format!("/models/{hash}"), &[], b"").await;
                assert_eq!(file.status, 200);
                assert_eq!(hex(&models::bundle::hash(&file.body)), hash);
                models::bundle::read(&file.body, &models::budget::Budget::TEACHING)
                    .expect("what the server stores reads back as a model");
            }
            400 | 413 | 507 => {
                refused += 1;
                let text = answer.text();
                assert!(
                    [".\n", "?\n", "!\n"].iter().any(|end| text.ends_with(end)),
                    "a sentence: {text:?}"
                );
            }
            other => panic!("unexpected {other}: {}", answer.text()),
        }
    }

    // Bodies that stop before their declared length: a sentence, not a hang or a 5xx.
    for declared in [1_000u64, 1_000_000] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/models HTTP/1.1\r\nHost: {addr}\r\nx-room: {}\r\nx-instructor-token: {}\r\n\
             Content-Length: {declared}\r\n\r\n",
            code.as_str(),
            token.to_hex()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&seeds[0][..100]).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(
            common::RECV_TIMEOUT,
            tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response),
        )
        .await
        .expect("an answer in time")
        .ok();
        let text = String::from_utf8_lossy(&response);
        assert!(response.is_empty() || text.starts_with("HTTP/1.1 4"), "{text}");
    }

    let health = http(addr, "GET", "/healthz", &[], b"").await;
    assert_eq!(health.status, 200);
    let grown = common::peak_rss_bytes("self").unwrap_or(0).saturating_sub(before);
    eprintln!(
        "fuzz POST /api/models: {n} files ({accepted} accepted, {refused} refused) in {:.2?}; peak memory grew {:.1} MB",
        started.elapsed(),
        grown as f64 / 1e6
    );
    assert!(grown < 200 << 20, "peak memory grew by {grown} bytes");
    server.stop().await.unwrap();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
