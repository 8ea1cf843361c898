//! Model files for the browser tests of own networks: the PyTorch fixtures of
//! `models/tests/fixtures/pytorch/` written as one bundle file each (`models::bundle::write`,
//! what the server stores and the self-paced app opens), and what `models` computes for them.

use std::path::PathBuf;

use anyhow::{Context, Result};
use models::preprocess::CanonicalImage;
use models::{Network, Trace};

use crate::paths;

/// The fixture network `name` (`grey` or `colour`), loaded from its manifest and safetensors.
pub fn fixture(name: &str) -> Result<Network> {
    let dir = paths::workspace_root()
        .join("models/tests/fixtures/pytorch")
        .join(name);
    models::weights::load_dir(&dir).with_context(|| format!("the fixture {} does not load", dir.display()))
}

/// Writes fixture `name` (or `wide`: `models::builtin::wide_untrained`, 64 channels) as a bundle
/// file `target/e2e-tmp/<name>.safetensors` (a user's exported model file); returns its path and
/// the network.
pub fn bundle_file(name: &str) -> Result<(PathBuf, Network)> {
    let network = match name {
        "wide" => models::builtin::wide_untrained(5),
        _ => fixture(name)?,
    };
    let path = paths::scratch_dir().join(format!("{name}.safetensors"));
    std::fs::write(&path, models::bundle::write(&network))
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok((path, network))
}

/// `network`'s trace of the canonical picture `image`, its input made as every client and the
/// server make it (`CanonicalImage::input_for`).
pub fn trace(network: &Network, image: &CanonicalImage) -> Result<Trace> {
    network
        .forward(&image.input_for(network.input_shape()))
        .context("the forward pass failed")
}
