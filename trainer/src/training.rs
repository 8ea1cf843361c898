//! The training loop: shuffled mini-batches with a fresh appearance for every picture every
//! epoch (either polarity, any hues, texture, placement; see [`Appearance::random`]),
//! gradients computed in parallel over each batch's samples, Adam with a cosine schedule.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use models::Network;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::appearance::Appearance;
use crate::colourise::Palette;
use crate::conditions::Condition;
use crate::dataset::FashionMnist;
use crate::input;
use crate::schedule::Schedule;
use crate::train::{Adam, Gradients, loss_and_gradients};

/// Samples whose gradients one task sums in order; fixed so the sum, and so the trained
/// weights, do not depend on how many threads run.
const SAMPLES_PER_TASK: usize = 4;

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training images.
    pub epochs: usize,
    /// Seeds initial weights, shuffling and appearances: same seed, same weights.
    pub seed: u64,
    /// Samples per optimiser step.
    pub batch_size: usize,
    /// Peak Adam learning rate.
    pub learning_rate: f32,
    /// Use only the first `limit` training images (quick runs, tests).
    pub limit: Option<usize>,
    /// Vary only the colours (plain, centred pictures): an experiment measuring what robustness
    /// to texture and placement costs in accuracy (docs/training.md).
    pub colours_only: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 8,
            seed: 1,
            batch_size: 32,
            learning_rate: 3e-3,
            limit: None,
            colours_only: false,
        }
    }
}

/// What one epoch achieved.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochReport {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean cross-entropy over the epoch's training samples (as augmented).
    pub train_loss: f64,
    /// Fraction of training samples classified correctly while training.
    pub train_accuracy: f64,
    /// Wall time of the epoch's training steps.
    pub duration: Duration,
}

/// One labelled, augmented sample: which image and how it looks this time.
#[derive(Debug, Clone, Copy)]
struct Job {
    index: usize,
    appearance: Appearance,
}

/// Sums of one group of samples.
struct Partial {
    gradients: Gradients,
    loss: f64,
    correct: usize,
}

/// Trains `network` on `data`; after each epoch calls `after_epoch` with the current network
/// and the epoch's report (to evaluate, print and save).
pub fn train<E>(
    mut network: Network,
    data: &FashionMnist,
    config: &TrainConfig,
    progress: &ProgressBar,
    mut after_epoch: impl FnMut(&Network, &EpochReport) -> Result<(), E>,
) -> Result<Network, E> {
    let count = config.limit.unwrap_or(data.len()).min(data.len());
    let batch_size = config.batch_size.max(1);
    let steps_per_epoch = count.div_ceil(batch_size);
    let schedule = Schedule {
        peak: config.learning_rate,
        final_fraction: 0.02,
        warmup: (steps_per_epoch / 4).clamp(1, 300),
        total: steps_per_epoch * config.epochs,
    };
    let mut adam = Adam::new(&network);
    progress.set_style(
        ProgressStyle::with_template(
            "epoch {prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ({eta} left) {msg}",
        )
        .expect("the template is valid"),
    );
    for epoch in 1..=config.epochs {
        let started = Instant::now();
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        rng.set_stream(epoch as u64);
        let mut order: Vec<usize> = (0..count).collect();
        order.shuffle(&mut rng);
        progress.set_prefix(format!("{epoch}/{}", config.epochs));
        progress.set_length(count as u64);
        progress.set_position(0);
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        for batch in order.chunks(batch_size) {
            let jobs: Vec<Job> = batch
                .iter()
                .map(|&index| Job {
                    index,
                    appearance: if config.colours_only {
                        Appearance::plain(Palette::random(&mut rng))
                    } else {
                        Appearance::random(&mut rng)
                    },
                })
                .collect();
            let partials: Vec<Partial> = jobs
                .par_chunks(SAMPLES_PER_TASK)
                .map(|group| group_gradients(&network, data, group))
                .collect();
            let mut partials = partials.into_iter();
            let mut total = partials.next().expect("a batch has at least one sample");
            for p in partials {
                total.gradients.add_assign(&p.gradients);
                total.loss += p.loss;
                total.correct += p.correct;
            }
            total.gradients.scale(1.0 / jobs.len() as f32);
            let step = adam.steps() as usize;
            network = adam.step(&network, &total.gradients, schedule.rate(step));
            loss_sum += total.loss;
            correct += total.correct;
            progress.inc(jobs.len() as u64);
            let seen = progress.position().max(1) as f64;
            progress.set_message(format!(
                "loss {:.4} acc {:.2}%",
                loss_sum / seen,
                100.0 * correct as f64 / seen
            ));
        }
        let report = EpochReport {
            epoch,
            train_loss: loss_sum / count.max(1) as f64,
            train_accuracy: correct as f64 / count.max(1) as f64,
            duration: started.elapsed(),
        };
        after_epoch(&network, &report)?;
    }
    Ok(network)
}

fn group_gradients(network: &Network, data: &FashionMnist, group: &[Job]) -> Partial {
    let mut partial: Option<Partial> = None;
    for job in group {
        let x = input::tensor(data.image(job.index), &job.appearance);
        let result = loss_and_gradients(network, &x, data.label(job.index));
        match &mut partial {
            None => {
                partial = Some(Partial {
                    gradients: result.gradients,
                    loss: f64::from(result.loss),
                    correct: usize::from(result.correct),
                })
            }
            Some(p) => {
                p.gradients.add_assign(&result.gradients);
                p.loss += f64::from(result.loss);
                p.correct += usize::from(result.correct);
            }
        }
    }
    partial.expect("groups are never empty")
}

/// Mean cross-entropy of `network` on the first `count` images, each with its fixed appearance
/// of the [`Condition::Training`] condition: a fixed yardstick for checking that training helps.
pub fn mean_loss(network: &Network, data: &FashionMnist, count: usize) -> f64 {
    let count = count.min(data.len());
    let total: f64 = (0..count)
        .into_par_iter()
        .map(|i| {
            let x = input::tensor(data.image(i), &Condition::Training.appearance(i));
            f64::from(loss_and_gradients(network, &x, data.label(i)).loss)
        })
        .sum();
    total / count.max(1) as f64
}
