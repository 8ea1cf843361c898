//! Quick checks: a question the instructor asks the class about what it sees right now ("which
//! class will it say?", "what is the next value?", "which cell wins?"), the students' answers,
//! the live tally the instructor sees, and the reveal. The right answer stays on the server
//! until the reveal; students only ever learn their own answer and the class's counts.

use serde::{Deserialize, Serialize};

use crate::focus::Focus;
use crate::room::StateVersion;

/// Largest side of the grid a "click a cell" question shows (a pooling window or a kernel's
/// patch is at most this many cells across).
pub const MAX_PICK_SIDE: u16 = 8;

/// Largest number of classes a "which class" question may offer.
pub const MAX_CLASSES: u16 = 100;

/// Largest magnitude of a numeric answer or right value (a student typing `1e30` is refused
/// with a sentence rather than skewing the histogram).
pub const MAX_VALUE_MAGNITUDE: f32 = 1.0e6;

/// Number of bars of a numeric answer histogram.
pub const VALUE_BINS: usize = 8;

/// Identifies one question of a room (raised each time the instructor asks one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct QuestionId(pub u32);

/// What the class is asked: everything students see before the reveal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Ask {
    /// "Which class will the network predict?" (students' class bars stay hidden until the
    /// reveal); answered with a class index below `classes`.
    PredictClass {
        /// Number of classes to choose from.
        classes: u16,
    },
    /// "What is the next value?": the number the open view computes at the current step.
    NextValue,
    /// "Which cell …?": a click on a `width × height` grid, answered with `y * width + x`.
    PickCell {
        /// What the click means.
        target: CellTarget,
        /// Columns of the grid.
        width: u16,
        /// Rows of the grid.
        height: u16,
    },
}

/// What a "click a cell" question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CellTarget {
    /// The cell of the pooling window that max-pooling keeps.
    PoolWinner,
    /// The input pixel under the kernel whose product counts most (largest magnitude).
    ImportantPixel,
}

/// A student's answer; its size is fixed by its type, so no answer can be large.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A class index.
    Class(u16),
    /// A number.
    Value(f32),
    /// A cell `y * width + x`.
    Cell(u16),
}

/// The right answer, kept by the server until the reveal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Correct {
    /// The class the network predicts.
    Class(u16),
    /// The value and how far from it an answer still counts as right.
    Value {
        /// The computed value.
        value: f32,
        /// Largest accepted distance from `value`.
        tolerance: f32,
    },
    /// The right cell.
    Cell(u16),
}

impl Correct {
    /// Whether `answer` counts as right.
    pub fn accepts(&self, answer: &Answer) -> bool {
        match (*self, *answer) {
            (Self::Class(right), Answer::Class(given)) => right == given,
            (Self::Value { value, tolerance }, Answer::Value(given)) => (given - value).abs() <= tolerance,
            (Self::Cell(right), Answer::Cell(given)) => right == given,
            _ => false,
        }
    }
}

/// How the class answered: counts only, never names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Spread {
    /// Answers per class.
    Classes(Vec<u32>),
    /// Answers per cell (`y * width + x`).
    Cells(Vec<u32>),
    /// A histogram of numeric answers: `counts[i]` answers in `[low + i·width, low + (i+1)·width)`
    /// (the last bar includes its upper end).
    Values {
        /// Lower end of the first bar.
        low: f32,
        /// Width of every bar.
        width: f32,
        /// Answers per bar ([`VALUE_BINS`] bars, or none before the first answer).
        counts: Vec<u32>,
    },
}

/// The counts the instructor's live histogram shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// The question counted.
    pub question: QuestionId,
    /// Students who answered.
    pub answered: u32,
    /// Connected students who have not answered yet.
    pub waiting: u32,
    /// How the answers are spread.
    pub spread: Spread,
}

/// What everyone sees at the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reveal {
    /// The right answer.
    pub correct: Correct,
    /// The final counts.
    pub tally: Tally,
    /// How many answers were right.
    pub right: u32,
}

/// The room's current question as every member sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Which question.
    pub id: QuestionId,
    /// What is asked.
    pub ask: Ask,
    /// The focus the question was asked at (a student who explores is brought back to it).
    pub focus: Focus,
    /// `None` while answers are taken; the answer and counts once revealed.
    pub reveal: Option<Reveal>,
}

/// A quick-check message from a client (the instructor asks, reveals and closes; students answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CheckMsg {
    /// Instructor: ask the class `ask` about the current focus; `correct` is computed by the
    /// instructor's client from `models` (for `PredictClass` the server uses its own prediction).
    Open {
        /// The question.
        ask: Ask,
        /// Its right answer.
        correct: Correct,
    },
    /// Instructor: stop taking answers and show everyone the right answer and the counts.
    Reveal,
    /// Instructor: take the question off every screen.
    Dismiss,
    /// Student: this is my answer to `question` (replaces an earlier one until the reveal).
    Answer {
        /// The question answered.
        question: QuestionId,
        /// The answer.
        answer: Answer,
    },
}

/// A quick-check message from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CheckEvent {
    /// The room's question changed (asked, revealed or dismissed); the same bytes to every member.
    Question {
        /// Version of this change.
        version: StateVersion,
        /// The question, or `None` when there is none.
        question: Option<Box<Question>>,
    },
    /// Student only: the answer the server holds for this student (after a join and after each
    /// answer, once it is on disk).
    Mine {
        /// The question.
        question: QuestionId,
        /// The stored answer, `None` if none yet.
        answer: Option<Answer>,
    },
    /// Instructor only: the live counts (coalesced, a few per second at most).
    Tally(Tally),
}

/// Why a question or an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// A question is open already.
    #[error("A question is already open; reveal or close it before asking another.")]
    AlreadyOpen,
    /// No question is open (or a newer one replaced it).
    #[error("This question is closed; your answer was not counted.")]
    NotOpen,
    /// The answer does not fit the question.
    #[error("This answer does not fit the question; pick one of the offered choices.")]
    WrongShape,
    /// A value that is not a finite number of sensible size.
    #[error("Please type a number between -1,000,000 and 1,000,000.")]
    BadNumber,
    /// A malformed question.
    #[error("This question cannot be asked here: {0}.")]
    BadQuestion(&'static str),
}

fn sensible(value: f32) -> bool {
    value.is_finite() && value.abs() <= MAX_VALUE_MAGNITUDE
}

impl Ask {
    /// Checks the question and that `correct` is one of its possible answers.
    pub fn check(&self, correct: &Correct) -> Result<(), CheckError> {
        match (*self, *correct) {
            (Self::PredictClass { classes }, Correct::Class(class)) => {
                if classes == 0 || classes > MAX_CLASSES || class >= classes {
                    return Err(CheckError::BadQuestion("the class is not among the choices"));
                }
            }
            (Self::NextValue, Correct::Value { value, tolerance }) => {
                if !sensible(value) || !sensible(tolerance) || tolerance < 0.0 {
                    return Err(CheckError::BadQuestion(
                        "the right value is not a sensible number",
                    ));
                }
            }
            (Self::PickCell { width, height, .. }, Correct::Cell(cell)) => {
                let sides = 1..=MAX_PICK_SIDE;
                if !sides.contains(&width) || !sides.contains(&height) || cell >= width * height {
                    return Err(CheckError::BadQuestion(
                        "the grid or its right cell is out of range",
                    ));
                }
            }
            _ => {
                return Err(CheckError::BadQuestion(
                    "the right answer does not match the question",
                ));
            }
        }
        Ok(())
    }

    /// Checks that `answer` is one this question can take.
    pub fn check_answer(&self, answer: &Answer) -> Result<(), CheckError> {
        match (*self, *answer) {
            (Self::PredictClass { classes }, Answer::Class(class)) if class < classes => Ok(()),
            (Self::NextValue, Answer::Value(value)) if sensible(value) => Ok(()),
            (Self::NextValue, Answer::Value(_)) => Err(CheckError::BadNumber),
            (Self::PickCell { width, height, .. }, Answer::Cell(cell)) if cell < width * height => Ok(()),
            _ => Err(CheckError::WrongShape),
        }
    }

    /// The counts of `answers` in this question's shape.
    pub fn spread<'a>(&self, answers: impl Iterator<Item = &'a Answer> + Clone) -> Spread {
        match *self {
            Self::PredictClass { classes } => Spread::Classes(count_indices(answers, usize::from(classes))),
            Self::PickCell { width, height, .. } => {
                Spread::Cells(count_indices(answers, usize::from(width * height)))
            }
            Self::NextValue => value_histogram(answers.filter_map(|a| match a {
                Answer::Value(v) => Some(*v),
                _ => None,
            })),
        }
    }
}

fn count_indices<'a>(answers: impl Iterator<Item = &'a Answer>, len: usize) -> Vec<u32> {
    let mut counts = vec![0; len];
    for answer in answers {
        let index = match *answer {
            Answer::Class(i) | Answer::Cell(i) => usize::from(i),
            Answer::Value(_) => continue,
        };
        if let Some(count) = counts.get_mut(index) {
            *count += 1;
        }
    }
    counts
}

/// [`VALUE_BINS`] equal bars from the smallest to the largest answer (one bar of width 1 around
/// the value when all agree).
fn value_histogram(values: impl Iterator<Item = f32> + Clone) -> Spread {
    let (low, high) = values
        .clone()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if low > high {
        return Spread::Values {
            low: 0.0,
            width: 0.0,
            counts: Vec::new(),
        };
    }
    let (low, width) = if high - low < 1e-6 {
        (low - 0.5 * VALUE_BINS as f32 * 0.125, 0.125)
    } else {
        (low, (high - low) / VALUE_BINS as f32)
    };
    let mut counts = vec![0; VALUE_BINS];
    for v in values {
        let bin = (((v - low) / width) as usize).min(VALUE_BINS - 1);
        counts[bin] += 1;
    }
    Spread::Values { low, width, counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_against_the_question() {
        let class = Ask::PredictClass { classes: 10 };
        assert_eq!(class.check_answer(&Answer::Class(9)), Ok(()));
        assert_eq!(
            class.check_answer(&Answer::Class(10)),
            Err(CheckError::WrongShape)
        );
        assert_eq!(
            class.check_answer(&Answer::Value(1.0)),
            Err(CheckError::WrongShape)
        );
        assert_eq!(
            Ask::NextValue.check_answer(&Answer::Value(f32::NAN)),
            Err(CheckError::BadNumber)
        );
        assert_eq!(
            Ask::NextValue.check_answer(&Answer::Value(2e6)),
            Err(CheckError::BadNumber)
        );
        let cell = Ask::PickCell {
            target: CellTarget::PoolWinner,
            width: 2,
            height: 2,
        };
        assert_eq!(cell.check_answer(&Answer::Cell(3)), Ok(()));
        assert_eq!(cell.check_answer(&Answer::Cell(4)), Err(CheckError::WrongShape));
        assert!(cell.check(&Correct::Cell(4)).is_err());
        assert!(cell.check(&Correct::Class(0)).is_err());
        assert!(
            Ask::NextValue
                .check(&Correct::Value {
                    value: 1.0,
                    tolerance: -1.0
                })
                .is_err()
        );
    }

    #[test]
    fn right_means_within_the_tolerance() {
        let correct = Correct::Value {
            value: -0.69,
            tolerance: 0.05,
        };
        assert!(correct.accepts(&Answer::Value(-0.7)));
        assert!(!correct.accepts(&Answer::Value(0.0)));
        assert!(!correct.accepts(&Answer::Class(0)));
    }

    #[test]
    fn numeric_answers_fill_equal_bars_from_the_lowest_to_the_highest() {
        let answers = [
            Answer::Value(0.0),
            Answer::Value(1.0),
            Answer::Value(0.99),
            Answer::Value(0.5),
        ];
        let Spread::Values { low, width, counts } = Ask::NextValue.spread(answers.iter()) else {
            panic!("numeric questions give a histogram");
        };
        assert_eq!((low, width), (0.0, 0.125));
        assert_eq!(counts, vec![1, 0, 0, 0, 1, 0, 0, 2]);
        let same = [Answer::Value(3.0); 3];
        let Spread::Values { low, width, counts } = Ask::NextValue.spread(same.iter()) else {
            panic!("numeric questions give a histogram");
        };
        assert_eq!(counts.iter().sum::<u32>(), 3);
        let bar = counts.iter().position(|&c| c == 3).unwrap();
        assert!(low + bar as f32 * width <= 3.0 && 3.0 < low + (bar + 1) as f32 * width);
    }
}
