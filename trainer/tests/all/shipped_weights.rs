//! The shipped Tiny VGG, through the product's own forward pass, recognises garments whatever
//! their colours: on all 10,000 Fashion-MNIST test images under every named test condition it
//! scores at least what `cnn-train evaluate` measured when the weights were committed, less a
//! margin for the few predictions that a different CPU's rounding (AVX-512, AVX2, scalar) may
//! flip.

use std::path::Path;

use indicatif::ProgressBar;
use models::builtin::tiny_vgg;
use trainer::conditions::Condition;
use trainer::dataset::{DEFAULT_DIR, FashionMnist, Split};
use trainer::evaluation::evaluate;

/// Accuracy in percent measured for the committed weights (README's table), per condition.
const MEASURED: [(Condition, f64); 6] = [
    (Condition::Training, 84.82),
    (Condition::Grey, 86.75),
    (Condition::InvertedGrey, 86.40),
    (Condition::DarkOnLight, 87.76),
    (Condition::LightOnDark, 87.68),
    (Condition::Mixed, 85.21),
];

/// Percentage points a condition may fall below its measured figure (15 of 10,000 images).
const MARGIN: f64 = 0.15;

#[test]
fn shipped_weights_keep_their_accuracy_under_every_condition() {
    let test = FashionMnist::load(Path::new(DEFAULT_DIR), Split::Test).unwrap();
    let network = tiny_vgg();
    let mut failures = Vec::new();
    for (condition, measured) in MEASURED {
        let evaluation = evaluate(
            &test,
            condition,
            |x| {
                network
                    .forward(x)
                    .expect("test inputs fit the network")
                    .predicted_class()
            },
            &ProgressBar::hidden(),
        );
        assert_eq!(evaluation.total(), 10_000);
        let accuracy = 100.0 * evaluation.accuracy();
        if accuracy < measured - MARGIN {
            failures.push(format!(
                "{}: {accuracy:.2} % (measured {measured:.2} %)",
                condition.name()
            ));
        }
    }
    assert!(failures.is_empty(), "below the committed figures: {failures:?}");
}
