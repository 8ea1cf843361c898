//! Fuzz/property pass over the server's budgeted picture decoding (`upload::decode_within_budget`)
//! with mutated PNG, GIF, BMP, JPEG and WebP files, including headers that claim huge sizes:
//! never a panic, and the process's peak memory grows by no more than the budget allows.
//!
//! Long run: `FUZZ_ITERATIONS=1000000 cargo test --release -p server --test fuzz_upload -- --nocapture`

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use server::upload::decode_within_budget;

const BUDGET: u64 = 16 << 20;

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 77]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encodes");
    out.into_inner()
}

#[test]
fn budgeted_decoding_never_panics_and_stays_within_the_budget() {
    let seeds: Vec<Vec<u8>> = [
        image::ImageFormat::Png,
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::Jpeg,
        image::ImageFormat::WebP,
    ]
    .into_iter()
    .map(encoded)
    .collect();
    let n: u64 = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let mut rng = StdRng::seed_from_u64(12);
    let before = common::peak_rss_bytes("self").unwrap_or(0);
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for _ in 0..n {
        let mut bytes = seeds[rng.random_range(0..seeds.len())].clone();
        for _ in 0..rng.random_range(1..=4) {
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..4) {
                // Header fields (sizes) live in the first bytes: hit them often.
                0 => {
                    let at = at % 32;
                    bytes[at] = rng.random();
                }
                1 => bytes[at] ^= 1 << rng.random_range(0..8),
                2 => bytes.truncate(at.max(1)),
                _ => bytes.splice(at..at, [0xFF, 0xFF, 0x7F, 0x00]).for_each(drop),
            }
        }
        if let Ok(image) = decode_within_budget(&bytes, BUDGET, 64) {
            accepted += 1;
            assert_eq!(image.rgb.len(), 64 * 64 * 3);
        }
    }
    let grown = common::peak_rss_bytes("self").unwrap_or(0).saturating_sub(before);
    eprintln!(
        "fuzz decode_within_budget: {n} inputs ({accepted} accepted) in {:.2?}; peak memory grew {:.1} MB",
        started.elapsed(),
        grown as f64 / 1e6
    );
    assert!(grown < 3 * BUDGET, "peak memory grew by {grown} bytes");
}
