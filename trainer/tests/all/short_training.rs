//! A short real training run (2,000 images, four epochs of the any-colour augmentation) must
//! lower the loss, and the same seed must give the same weights.

use std::path::Path;

use indicatif::ProgressBar;
use models::builtin::tiny_vgg_untrained;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};
use trainer::training::{TrainConfig, mean_loss, train};

#[test]
fn loss_falls_on_two_thousand_images_and_the_seed_fixes_the_weights() {
    let data = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Train).unwrap();
    let config = TrainConfig {
        epochs: 4,
        seed: 7,
        limit: Some(2000),
        ..TrainConfig::default()
    };
    let initial = tiny_vgg_untrained(config.seed);
    let before = mean_loss(&initial, &data, 2000);
    let mut reports = Vec::new();
    let trained = train(
        initial.clone(),
        &data,
        &config,
        &ProgressBar::hidden(),
        |_, report| {
            reports.push(report.clone());
            Ok::<(), ()>(())
        },
    )
    .unwrap();
    let after = mean_loss(&trained, &data, 2000);
    assert_eq!(reports.len(), 4);
    assert!(
        after < 0.8 * before,
        "mean loss went from {before:.4} to only {after:.4}"
    );
    assert!(
        reports[1].train_loss < reports[0].train_loss,
        "epoch losses {:.4} then {:.4}",
        reports[0].train_loss,
        reports[1].train_loss
    );

    let one_epoch = TrainConfig {
        epochs: 1,
        limit: Some(200),
        ..config
    };
    let run = || {
        train(
            initial.clone(),
            &data,
            &one_epoch,
            &ProgressBar::hidden(),
            |_, _| Ok::<(), ()>(()),
        )
        .unwrap()
    };
    assert_eq!(run(), run(), "the same seed gave different weights");
}
