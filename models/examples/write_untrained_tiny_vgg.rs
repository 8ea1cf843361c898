//! Writes an untrained Tiny VGG (Glorot-uniform, seed from the command line) as
//! `<dir>/tiny_vgg.json` + `<dir>/tiny_vgg.safetensors`, the placeholder the trainer replaces.
//!
//! `cargo run -p models --example write_untrained_tiny_vgg -- models/assets [seed]`

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: write_untrained_tiny_vgg <dir> [seed]")?,
    );
    let seed = args.next().map(|s| s.parse()).transpose()?.unwrap_or(0);
    let network = models::builtin::tiny_vgg_untrained(seed);
    let (manifest, tensors) = models::weights::save(&network);
    std::fs::write(dir.join("tiny_vgg.json"), manifest)?;
    std::fs::write(dir.join("tiny_vgg.safetensors"), tensors)?;
    println!(
        "wrote {} parameters to {}",
        network.parameter_count(),
        dir.display()
    );
    Ok(())
}
