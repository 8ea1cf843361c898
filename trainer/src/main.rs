//! `cnn-train`: trains the built-in Tiny VGG on Fashion-MNIST, evaluates a model on the test
//! set, and exports the sample pictures the product ships.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::ProgressBar;
use models::Network;
use models::builtin::{tiny_vgg, tiny_vgg_untrained};
use trainer::dataset::{self, FashionMnist, Split};
use trainer::evaluation::evaluate;
use trainer::sample_export;
use trainer::training::{TrainConfig, train};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Train, evaluate and export samples of the built-in Tiny VGG"
)]
struct Cli {
    /// Folder holding Fashion-MNIST's *-idx?-ubyte.gz files.
    #[arg(long, global = true, default_value = dataset::DEFAULT_DIR, env = "FASHION_MNIST_DIR")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train Tiny VGG (from scratch, or on from `--resume`) and write tiny_vgg.json + tiny_vgg.safetensors after each epoch.
    Train {
        /// Passes over the training set.
        #[arg(long, default_value_t = 8)]
        epochs: usize,
        /// Seed for initial weights, shuffling, colours and shifts.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write the weights into.
        #[arg(long, default_value = "models/assets")]
        out: PathBuf,
        /// Train on only the first N training images.
        #[arg(long)]
        limit: Option<usize>,
        /// Samples per optimiser step.
        #[arg(long, default_value_t = 32)]
        batch_size: usize,
        /// Peak learning rate of Adam.
        #[arg(long, default_value_t = 3e-3)]
        learning_rate: f32,
        /// Evaluate on only the first N test images after each epoch (all 10,000 by default).
        #[arg(long)]
        test_limit: Option<usize>,
        /// Continue from the model in this folder (one <name>.json + <name>.safetensors)
        /// instead of fresh Glorot-initialised weights, e.g. to fine-tune at a lower rate.
        #[arg(long)]
        resume: Option<PathBuf>,
    },
    /// Accuracy, per-class recall and confusion matrix on all 10,000 test images.
    Evaluate {
        /// Folder with one <name>.json + <name>.safetensors model (default: the built-in model).
        #[arg(long)]
        weights: Option<PathBuf>,
    },
    /// Write the sample pictures (64×64 PNG) and their licence NOTICE.
    Samples {
        /// Folder to write into.
        #[arg(long, default_value = "models/assets/samples")]
        out: PathBuf,
        /// Folder with the model that must classify them (default: the built-in model).
        #[arg(long)]
        weights: Option<PathBuf>,
        /// Correctly classified pictures per class.
        #[arg(long, default_value_t = 3)]
        per_class: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Train {
            epochs,
            seed,
            out,
            limit,
            batch_size,
            learning_rate,
            test_limit,
            resume,
        } => {
            let config = TrainConfig {
                epochs,
                seed,
                batch_size,
                learning_rate,
                limit,
                ..TrainConfig::default()
            };
            let initial = match resume.as_deref() {
                Some(dir) => load_model(Some(dir))?,
                None => tiny_vgg_untrained(config.seed),
            };
            run_training(&cli.data, &out, initial, &config, test_limit)
        }
        Command::Evaluate { weights } => {
            let network = load_model(weights.as_deref())?;
            let test = load(&cli.data, Split::Test)?;
            let started = Instant::now();
            let evaluation = evaluate(&test, |x| predict(&network, x), &ProgressBar::new(0));
            println!("{evaluation}");
            println!(
                "evaluated {} images in {:.1?}",
                evaluation.total(),
                started.elapsed()
            );
            Ok(())
        }
        Command::Samples {
            out,
            weights,
            per_class,
        } => {
            let network = load_model(weights.as_deref())?;
            let test = load(&cli.data, Split::Test)?;
            let chosen = sample_export::choose(&network, &test, per_class);
            sample_export::write(&out, &chosen)?;
            for c in &chosen {
                println!(
                    "{}.png  test image {}  class {}  predicted {}",
                    c.name, c.test_index, c.class_index, c.predicted
                );
            }
            println!("wrote {} pictures and NOTICE to {}", chosen.len(), out.display());
            Ok(())
        }
    }
}

fn load(dir: &Path, split: Split) -> Result<FashionMnist> {
    FashionMnist::load(dir, split).context("cannot load Fashion-MNIST")
}

fn load_model(weights: Option<&Path>) -> Result<Network> {
    match weights {
        Some(dir) => models::weights::load_dir(dir)
            .with_context(|| format!("cannot load the model in {}", dir.display())),
        None => Ok(tiny_vgg().clone()),
    }
}

fn predict(network: &Network, x: &ndarray::Array3<f32>) -> usize {
    network
        .forward(x)
        .expect("test inputs have the network's input shape")
        .predicted_class()
}

fn run_training(
    data: &Path,
    out: &Path,
    initial: Network,
    config: &TrainConfig,
    test_limit: Option<usize>,
) -> Result<()> {
    let train_set = load(data, Split::Train)?;
    let mut test_set = load(data, Split::Test)?;
    if let Some(n) = test_limit {
        let n = n.min(test_set.len());
        test_set.images.truncate(n * dataset::PIXELS);
        test_set.labels.truncate(n);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    println!(
        "training Tiny VGG on {} images for {} epochs (seed {}, batch {}, peak learning rate {}) on {} threads",
        config.limit.unwrap_or(train_set.len()).min(train_set.len()),
        config.epochs,
        config.seed,
        config.batch_size,
        config.learning_rate,
        rayon::current_num_threads()
    );
    let started = Instant::now();
    let progress = ProgressBar::new(0);
    train(initial, &train_set, config, &progress, |network, report| {
        progress.finish_and_clear();
        let evaluation = evaluate(&test_set, |x| predict(network, x), &ProgressBar::hidden());
        println!(
            "epoch {}: train loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}% ({} images), {:.0?} training, {:.0?} total",
            report.epoch,
            report.train_loss,
            100.0 * report.train_accuracy,
            100.0 * evaluation.accuracy(),
            evaluation.total(),
            report.duration,
            started.elapsed()
        );
        save(network, out)?;
        progress.reset();
        Ok::<(), anyhow::Error>(())
    })?;
    println!("wrote {}", out.join("tiny_vgg.{json,safetensors}").display());
    Ok(())
}

fn save(network: &Network, out: &Path) -> Result<()> {
    let (manifest, weights) = models::weights::save(network);
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    };
    write("tiny_vgg.json", manifest.as_bytes())?;
    write("tiny_vgg.safetensors", &weights)
}
