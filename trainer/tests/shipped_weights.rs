//! The shipped Tiny VGG, through the product's own forward pass, classifies at least 88% of
//! all 10,000 Fashion-MNIST test images correctly.

use std::path::Path;

use indicatif::ProgressBar;
use models::builtin::tiny_vgg;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};
use trainer::evaluation::evaluate;

#[test]
fn shipped_weights_reach_88_percent_on_the_full_test_set() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    let network = tiny_vgg();
    let evaluation = evaluate(
        &test,
        |x| {
            network
                .forward(x)
                .expect("test inputs fit the network")
                .predicted_class()
        },
        &ProgressBar::hidden(),
    );
    assert_eq!(evaluation.total(), 10_000);
    assert!(evaluation.accuracy() >= 0.88, "{evaluation}");
}
