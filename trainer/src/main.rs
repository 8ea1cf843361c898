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
use trainer::conditions::Condition;
use trainer::dataset::{self, CLASS_NAMES, FashionMnist, Split};
use trainer::evaluation::{Evaluation, evaluate};
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
        /// Hold out the last N training images as a validation split, evaluated under every
        /// test condition after each epoch (the test set is not looked at while training).
        #[arg(long, default_value_t = 5000)]
        validation: usize,
        /// Continue from the model in this folder (one <name>.json + <name>.safetensors)
        /// instead of fresh Glorot-initialised weights, e.g. to fine-tune at a lower rate.
        #[arg(long)]
        resume: Option<PathBuf>,
        /// Vary only the pictures' colours, not their texture or placement (an experiment).
        #[arg(long)]
        colours_only: bool,
    },
    /// Accuracy and per-class recall on all 10,000 test images under every test condition
    /// (training, grey, inverted, dark-on-light, light-on-dark, mixed).
    Evaluate {
        /// Folder with one <name>.json + <name>.safetensors model (default: the built-in model).
        #[arg(long)]
        weights: Option<PathBuf>,
        /// Also print the confusion matrix of this condition.
        #[arg(long, value_parser = parse_condition)]
        confusion: Option<Condition>,
        /// Evaluate only the first N test images.
        #[arg(long)]
        limit: Option<usize>,
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
    /// Write the web client's compact copies of the built-in weights and samples
    /// (client/assets/tiny_vgg.bin, samples.bin); run after new weights or a samples export.
    PackClient {
        /// The client's assets folder.
        #[arg(long, default_value = "client/assets")]
        out: PathBuf,
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
            validation,
            resume,
            colours_only,
        } => {
            let config = TrainConfig {
                epochs,
                seed,
                batch_size,
                learning_rate,
                limit,
                colours_only,
            };
            let initial = match resume.as_deref() {
                Some(dir) => load_model(Some(dir))?,
                None => tiny_vgg_untrained(config.seed),
            };
            run_training(&cli.data, &out, initial, &config, validation)
        }
        Command::Evaluate {
            weights,
            confusion,
            limit,
        } => {
            let network = load_model(weights.as_deref())?;
            let mut test = load(&cli.data, Split::Test)?;
            if let Some(limit) = limit {
                test.split_off_last(test.len().saturating_sub(limit));
            }
            let started = Instant::now();
            let evaluations: Vec<(Condition, Evaluation)> = Condition::ALL
                .into_iter()
                .map(|condition| {
                    let progress = ProgressBar::new(0).with_prefix(condition.name());
                    let evaluation = evaluate(&test, condition, |x| predict(&network, x), &progress);
                    progress.finish_and_clear();
                    (condition, evaluation)
                })
                .collect();
            print!("{}", condition_table(&evaluations));
            if let Some((condition, evaluation)) = evaluations.iter().find(|(c, _)| Some(*c) == confusion) {
                println!("\n{} condition:\n{evaluation}", condition.name());
            }
            println!(
                "\nevaluated {} images under {} conditions in {:.1?}",
                test.len(),
                evaluations.len(),
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
        Command::PackClient { out } => {
            let test = load(&cli.data, Split::Test)?;
            trainer::client_assets::write_all(&out, &test)
        }
    }
}

fn parse_condition(name: &str) -> Result<Condition, String> {
    Condition::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Condition::ALL.iter().map(|c| c.name()).collect();
        format!("unknown condition {name:?}; use one of {}", names.join(", "))
    })
}

/// A Markdown table: accuracy per condition, then per-class recall, conditions as columns.
fn condition_table(evaluations: &[(Condition, Evaluation)]) -> String {
    let mut table = String::from("| | ");
    let names: Vec<&str> = evaluations.iter().map(|(c, _)| c.name()).collect();
    table += &names.join(" | ");
    table += " |\n|---|";
    table += &"---:|".repeat(evaluations.len());
    table += "\n| **accuracy** |";
    for (_, e) in evaluations {
        table += &format!(" **{:.2} %** |", 100.0 * e.accuracy());
    }
    table += "\n";
    for (class, name) in CLASS_NAMES.iter().enumerate() {
        table += &format!("| {name} recall |");
        for (_, e) in evaluations {
            table += &format!(" {:.1} % |", 100.0 * e.recall(class));
        }
        table += "\n";
    }
    table
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
    validation: usize,
) -> Result<()> {
    let mut train_set = load(data, Split::Train)?;
    let validation_set = train_set.split_off_last(validation);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    println!(
        "training Tiny VGG on {} images ({} held out for validation) for {} epochs (seed {}, batch {}, peak learning rate {}) on {} threads",
        config.limit.unwrap_or(train_set.len()).min(train_set.len()),
        validation_set.len(),
        config.epochs,
        config.seed,
        config.batch_size,
        config.learning_rate,
        rayon::current_num_threads()
    );
    let names: Vec<&str> = Condition::ALL.iter().map(|c| c.name()).collect();
    println!("validation accuracy per condition: {}", names.join(", "));
    let started = Instant::now();
    let progress = ProgressBar::new(0);
    train(initial, &train_set, config, &progress, |network, report| {
        progress.finish_and_clear();
        let accuracies: Vec<String> = Condition::ALL
            .into_iter()
            .map(|condition| {
                let e = evaluate(
                    &validation_set,
                    condition,
                    |x| predict(network, x),
                    &ProgressBar::hidden(),
                );
                format!("{:.2}", 100.0 * e.accuracy())
            })
            .collect();
        println!(
            "epoch {}: train loss {:.4}, train accuracy {:.2}%, validation % [{}], {:.0?} training, {:.0?} total",
            report.epoch,
            report.train_loss,
            100.0 * report.train_accuracy,
            accuracies.join(", "),
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
