//! Accuracy, per-class recall and the confusion matrix of a model on the Fashion-MNIST test
//! set, each test image shown with its own fixed appearance under a named [`Condition`].

use std::fmt;

use indicatif::{ParallelProgressIterator, ProgressBar};
use ndarray::Array3;
use rayon::prelude::*;

use crate::conditions::Condition;
use crate::dataset::{CLASS_NAMES, FashionMnist};
use crate::input;

/// Number of classes.
const CLASSES: usize = CLASS_NAMES.len();

/// Counts of (true class, predicted class) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// `confusion[truth][predicted]`.
    pub confusion: [[u32; CLASSES]; CLASSES],
}

impl Evaluation {
    /// Number of images evaluated.
    pub fn total(&self) -> u32 {
        self.confusion.iter().flatten().sum()
    }

    /// Number classified correctly.
    pub fn correct(&self) -> u32 {
        (0..CLASSES).map(|c| self.confusion[c][c]).sum()
    }

    /// Fraction classified correctly (0 when empty).
    pub fn accuracy(&self) -> f64 {
        f64::from(self.correct()) / f64::from(self.total().max(1))
    }

    /// Fraction of the images of `class` that were classified as `class`.
    pub fn recall(&self, class: usize) -> f64 {
        let row: u32 = self.confusion[class].iter().sum();
        f64::from(self.confusion[class][class]) / f64::from(row.max(1))
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "accuracy: {:.2}% ({} of {})",
            100.0 * self.accuracy(),
            self.correct(),
            self.total()
        )?;
        writeln!(f, "\nper-class recall:")?;
        for (class, name) in CLASS_NAMES.iter().enumerate() {
            writeln!(f, "  {name:<12} {:6.2}%", 100.0 * self.recall(class))?;
        }
        writeln!(
            f,
            "\nconfusion matrix (rows: true class, columns: predicted class):"
        )?;
        write!(f, "{:<13}", "")?;
        for c in 0..CLASSES {
            write!(f, "{c:>6}")?;
        }
        writeln!(f)?;
        for (class, name) in CLASS_NAMES.iter().enumerate() {
            write!(f, "{:<13}", format!("{class} {name}"))?;
            for count in self.confusion[class] {
                write!(f, "{count:>6}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// The network input of image `index` of `data` under `condition`.
pub fn test_input(data: &FashionMnist, index: usize, condition: Condition) -> Array3<f32> {
    input::tensor(data.image(index), &condition.appearance(index))
}

/// Classifies every image of `test` under `condition` with `predict` (in parallel) and counts
/// the outcomes.
pub fn evaluate<P>(
    test: &FashionMnist,
    condition: Condition,
    predict: P,
    progress: &ProgressBar,
) -> Evaluation
where
    P: Fn(&Array3<f32>) -> usize + Sync,
{
    progress.set_length(test.len() as u64);
    let confusion = (0..test.len())
        .into_par_iter()
        .progress_with(progress.clone())
        .fold(
            || [[0u32; CLASSES]; CLASSES],
            |mut counts, index| {
                let predicted = predict(&test_input(test, index, condition));
                counts[test.label(index)][predicted.min(CLASSES - 1)] += 1;
                counts
            },
        )
        .reduce(
            || [[0u32; CLASSES]; CLASSES],
            |mut a, b| {
                for (row_a, row_b) in a.iter_mut().zip(b) {
                    for (x, y) in row_a.iter_mut().zip(row_b) {
                        *x += y;
                    }
                }
                a
            },
        );
    Evaluation { confusion }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_and_recall_from_the_matrix() {
        let mut confusion = [[0u32; CLASSES]; CLASSES];
        confusion[0][0] = 3;
        confusion[0][6] = 1;
        confusion[6][6] = 4;
        let e = Evaluation { confusion };
        assert_eq!(e.total(), 8);
        assert_eq!(e.correct(), 7);
        assert!((e.recall(0) - 0.75).abs() < 1e-12);
        assert!((e.recall(6) - 1.0).abs() < 1e-12);
        assert!(e.to_string().contains("87.50%"));
    }
}
