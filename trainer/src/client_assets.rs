//! Writes the web client's compact copies of the shipped model and sample pictures, so the
//! first visit downloads less (`cargo test -p client` proves both equal the originals):
//!
//! - `client/assets/tiny_vgg.bin`: every parameter of `models::builtin::tiny_vgg()` as `f32`,
//!   layer after layer (weight in row-major order, then bias), stored byte-plane by byte-plane
//!   (all lowest bytes, then all second bytes, ...), which gzip compresses ≈7 % better than the
//!   safetensors file, and with no JSON or safetensors parser needed in the browser.
//! - `client/assets/samples.bin`: for each picture of `models::samples::SAMPLES`, its
//!   Fashion-MNIST grey 28×28 pixels and colour palette (≈0.8 KB instead of a ≈3.5 KB 64×64
//!   PNG). The client colours and scales them through `models::preprocess`, exactly as
//!   `cnn-train samples` made the PNGs. Format (little-endian), one record per sample in
//!   `SAMPLES` order: `u8 class`, `u8 name length`, name (UTF-8), background RGB and foreground
//!   RGB as 6 × `f32`, 784 grey bytes (row-major, 0 = background).
//!
//! Run after new weights or a `cnn-train samples` re-export:
//! `cargo run --release -p trainer -- pack-client`.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use models::Layer;
use models::builtin::{TINY_VGG_INPUT_SIDE, tiny_vgg};
use models::preprocess;
use models::samples::SAMPLES;

use crate::dataset::FashionMnist;
use crate::sample_export;

/// Writes `tiny_vgg.bin` and `samples.bin` into `assets` (the client's `client/assets`).
pub fn write_all(assets: &Path, test: &FashionMnist) -> Result<()> {
    write(&assets.join("tiny_vgg.bin"), &packed_weights())?;
    write(&assets.join("samples.bin"), &packed_samples(test)?)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}: {} bytes", path.display(), bytes.len());
    Ok(())
}

/// The parameters of the shipped network, byte-plane by byte-plane.
fn packed_weights() -> Vec<u8> {
    let mut values: Vec<f32> = Vec::new();
    for named in tiny_vgg().layers() {
        match &named.layer {
            Layer::Conv2d(conv) => values.extend(conv.weight.iter().chain(&conv.bias)),
            Layer::Linear(linear) => values.extend(linear.weight.iter().chain(&linear.bias)),
            Layer::ReLU | Layer::MaxPool2d(_) | Layer::AvgPool2d(_) | Layer::Flatten | Layer::Softmax => {}
        }
    }
    let bytes: Vec<[u8; 4]> = values.iter().map(|value| value.to_le_bytes()).collect();
    (0..4)
        .flat_map(|plane| bytes.iter().map(move |b| b[plane]))
        .collect()
}

/// The sample pictures as grey pixels and palettes, checked against the shipped PNGs.
fn packed_samples(test: &FashionMnist) -> Result<Vec<u8>> {
    let per_class = SAMPLES.iter().filter(|s| s.class_index == 0).count();
    let chosen = sample_export::choose(tiny_vgg(), test, per_class);
    let mut packed = Vec::new();
    for sample in SAMPLES {
        let pick = chosen
            .iter()
            .find(|pick| pick.name == sample.name)
            .with_context(|| {
                format!(
                    "the export no longer picks {}: re-export the samples first",
                    sample.name
                )
            })?;
        let shipped = preprocess::decode(sample.png, TINY_VGG_INPUT_SIDE)?;
        ensure!(
            pick.image == shipped,
            "{} is not test image {} as exported: re-export the samples first",
            sample.name,
            pick.test_index
        );
        let palette = pick.palette;
        packed.push(u8::try_from(sample.class_index)?);
        packed.push(u8::try_from(sample.name.len())?);
        packed.extend_from_slice(sample.name.as_bytes());
        for value in palette.background.iter().chain(&palette.foreground) {
            packed.extend_from_slice(&value.to_le_bytes());
        }
        packed.extend_from_slice(test.image(pick.test_index));
    }
    Ok(packed)
}
