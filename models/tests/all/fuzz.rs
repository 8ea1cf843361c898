//! Property/fuzz harness on stable Rust for what `models` reads from untrusted bytes: picture
//! decoding (`preprocess::decode`) and the weights loader (`weights::load`). Inputs are
//! mutations (bit flips, overwritten bytes, truncations, insertions) of valid files; the
//! property: never a panic, and every accepted input gives a well-formed result.
//!
//! A short pass runs with the tests. Long run (figures in `docs/security.md`):
//! `FUZZ_ITERATIONS=1000000 cargo test --release -p models --test all fuzz:: -- --nocapture`

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn iterations(default: u64) -> u64 {
    std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mutate(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        match rng.random_range(0..4) {
            0 if !bytes.is_empty() => {
                let at = rng.random_range(0..bytes.len());
                bytes[at] ^= 1 << rng.random_range(0..8);
            }
            1 if !bytes.is_empty() => {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = rng.random();
            }
            2 => {
                let len = rng.random_range(0..=bytes.len());
                bytes.truncate(len);
            }
            _ => {
                let at = rng.random_range(0..=bytes.len());
                let n = rng.random_range(1..8);
                bytes.splice(at..at, (0..n).map(|_| rng.random::<u8>()));
            }
        }
    }
    bytes
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 10, y as u8 * 15, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encodes");
    out.into_inner()
}

#[test]
fn picture_decoding_never_panics() {
    let seeds: Vec<Vec<u8>> = [
        image::ImageFormat::Png,
        image::ImageFormat::Jpeg,
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::WebP,
    ]
    .into_iter()
    .map(encoded)
    .collect();
    let mut rng = StdRng::seed_from_u64(10);
    let n = iterations(2_000);
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for _ in 0..n {
        let seed = rng.random_range(0..seeds.len());
        let input = mutate(&mut rng, &seeds[seed]);
        if let Ok(image) = models::preprocess::CanonicalImage::decode(&input, 64) {
            accepted += 1;
            assert_eq!(image.rgb.len(), 64 * 64 * 3);
        }
    }
    eprintln!(
        "fuzz preprocess::decode: {n} inputs ({accepted} accepted) in {:.2?}",
        started.elapsed()
    );
}

#[test]
fn the_weights_loader_never_panics() {
    let (manifest, weights) = models::weights::save(models::builtin::tiny_vgg());
    let mut rng = StdRng::seed_from_u64(11);
    let n = iterations(2_000);
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for i in 0..n {
        let (m, w) = if i % 2 == 0 {
            (mutate(&mut rng, manifest.as_bytes()), weights.clone())
        } else {
            (manifest.as_bytes().to_vec(), mutate(&mut rng, &weights))
        };
        if let Ok(network) = models::weights::load(&m, &w) {
            accepted += 1;
            assert!(!network.layers().is_empty());
        }
    }
    eprintln!(
        "fuzz weights::load: {n} inputs ({accepted} accepted) in {:.2?}",
        started.elapsed()
    );
}

/// A model file from outside (`bundle::read`: what an instructor uploads and every student's
/// browser reads): mutations aimed at the header and manifest half the time, since bytes of the
/// tensors mostly stay valid numbers. Every accepted network must run a forward pass.
#[test]
fn the_model_file_reader_never_panics() {
    let network = models::weights::load_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pytorch/grey"),
    )
    .expect("the fixture loads");
    let bundle = models::bundle::write(&network);
    let header_end = 8 + u64::from_le_bytes(bundle[..8].try_into().unwrap()) as usize;
    let budget = models::budget::Budget::TEACHING;
    let mut rng = StdRng::seed_from_u64(17);
    let n = iterations(2_000);
    let started = std::time::Instant::now();
    let mut accepted = 0u64;
    for i in 0..n {
        let bytes = if i % 2 == 0 {
            let mut head = mutate(&mut rng, &bundle[..header_end]);
            head.extend_from_slice(&bundle[header_end..]);
            head
        } else {
            mutate(&mut rng, &bundle)
        };
        if let Ok(network) = models::bundle::read(&bytes, &budget) {
            accepted += 1;
            let [c, h, w] = network.input_shape();
            let trace = network.forward(&ndarray::Array3::from_elem((c, h, w), 0.5));
            assert!(trace.is_ok(), "an accepted network runs");
        }
    }
    eprintln!(
        "fuzz bundle::read: {n} inputs ({accepted} accepted) in {:.2?}",
        started.elapsed()
    );
}
