//! A room's quick-check question as the server holds it: the question members see, the right
//! answer nobody sees before the reveal, and one answer per student. Pure bookkeeping; `room`
//! persists and publishes the changes.

use std::collections::HashMap;
use std::sync::Arc;

use shared::{Answer, Ask, CheckError, Correct, Focus, MemberId, Question, QuestionId, Reveal, Tally};

/// The question of a room with everything only the server knows.
#[derive(Debug, Clone)]
pub struct LiveQuestion {
    /// As members see it (shared with the published state).
    pub question: Arc<Question>,
    /// The right answer.
    pub correct: Correct,
    /// One answer per student.
    pub answers: HashMap<MemberId, Answer>,
}

impl LiveQuestion {
    /// A new open question `id` asked at `focus`; `correct` must fit `ask`.
    pub fn open(id: QuestionId, ask: Ask, correct: Correct, focus: Focus) -> Result<Self, CheckError> {
        ask.check(&correct)?;
        Ok(Self {
            question: Arc::new(Question {
                id,
                ask,
                focus,
                reveal: None,
            }),
            correct,
            answers: HashMap::new(),
        })
    }

    /// Whether answers are still taken.
    pub fn is_open(&self) -> bool {
        self.question.reveal.is_none()
    }

    /// Checks that `answer` to question `id` may be taken now.
    pub fn check_answer(&self, id: QuestionId, answer: &Answer) -> Result<(), CheckError> {
        if id != self.question.id || !self.is_open() {
            return Err(CheckError::NotOpen);
        }
        self.question.ask.check_answer(answer)
    }

    /// The counts so far; `connected` tells which students are here (to count who has not answered).
    pub fn tally(&self, connected: impl Iterator<Item = MemberId>) -> Tally {
        let waiting = connected.filter(|m| !self.answers.contains_key(m)).count();
        Tally {
            question: self.question.id,
            answered: self.answers.len() as u32,
            waiting: waiting as u32,
            spread: self.question.ask.spread(self.answers.values()),
        }
    }

    /// The question as revealed: the right answer, the final counts and how many were right.
    pub fn revealed(&self, connected: impl Iterator<Item = MemberId>) -> Question {
        let right = self
            .answers
            .values()
            .filter(|answer| self.correct.accepts(answer))
            .count() as u32;
        Question {
            reveal: Some(Reveal {
                correct: self.correct,
                tally: self.tally(connected),
                right,
            }),
            ..Question::clone(&self.question)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reveal_counts_right_answers_and_who_did_not_answer() {
        let mut live = LiveQuestion::open(
            QuestionId(1),
            Ask::NextValue,
            Correct::Value {
                value: 2.0,
                tolerance: 0.1,
            },
            Focus::default(),
        )
        .expect("a valid question");
        live.answers.insert(MemberId(1), Answer::Value(2.05));
        live.answers.insert(MemberId(2), Answer::Value(7.0));
        let connected = [MemberId(1), MemberId(2), MemberId(3)];
        let revealed = live.revealed(connected.into_iter());
        let reveal = revealed.reveal.expect("revealed");
        assert_eq!(reveal.right, 1);
        assert_eq!((reveal.tally.answered, reveal.tally.waiting), (2, 1));
        assert_eq!(
            live.check_answer(QuestionId(2), &Answer::Value(1.0)),
            Err(CheckError::NotOpen)
        );
    }
}
