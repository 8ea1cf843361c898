//! What the lecture bar shows: this browser's role in a lecture, the connection's health, the
//! roster and notices. A reducer, so the bar's logic is tested natively like the app's.

use std::rc::Rc;

use shared::{Answer, Mode, Question, QuestionId, Role, RoomCode, RosterEntry, Tally};
use yew::Reducible;

use super::links::Reach;

/// How the connection to the classroom server is doing (shown on the bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// First connection attempt under way.
    Connecting,
    /// Joined and receiving the lecture.
    Live,
    /// Lost; retrying with backoff (`failures` attempts so far).
    Reconnecting {
        /// Failed attempts since the connection was last up.
        failures: u32,
    },
}

/// A lecture this browser is part of.
#[derive(Debug, Clone, PartialEq)]
pub struct Lecture {
    /// Instructor or student.
    pub role: Role,
    /// The room's code, once the server has answered.
    pub code: Option<RoomCode>,
    /// The student's accepted name.
    pub name: Option<String>,
    /// Connection health.
    pub connection: ConnectionStatus,
    /// Instructor only: the students.
    pub roster: Vec<RosterEntry>,
    /// Whether new students are refused.
    pub locked: bool,
    /// This screen's numbers may differ from the server's (see `digest`).
    pub warning: Option<String>,
    /// The last refused request (e.g. an unreadable upload), until the next success.
    pub error: Option<String>,
    /// Whether the big join screen (code, link, QR) covers the page.
    pub join_screen: bool,
    /// Instructor only: where students can reach the server; `Some(None)`: the server did not say.
    pub reach: Option<Option<Reach>>,
    /// The room's quick-check question, if one is asked.
    pub question: Option<Question>,
    /// Student only: this student's answer to `question` as the server confirmed it.
    pub my_answer: Option<Answer>,
    /// Student only: an answer sent and not yet confirmed.
    pub sending: Option<Answer>,
    /// Instructor only: the live counts of `question`.
    pub tally: Option<Tally>,
    /// The recorded lesson's note the instructor shows (empty: none).
    pub note: String,
}

impl Lecture {
    fn new(role: Role) -> Self {
        Self {
            role,
            code: None,
            name: None,
            connection: ConnectionStatus::Connecting,
            roster: Vec::new(),
            locked: false,
            warning: None,
            error: None,
            join_screen: false,
            reach: None,
            question: None,
            my_answer: None,
            sending: None,
            tally: None,
            note: String::new(),
        }
    }

    /// The id of the current question.
    pub fn question_id(&self) -> Option<QuestionId> {
        self.question.as_ref().map(|q| q.id)
    }

    /// Students connected right now.
    pub fn participants(&self) -> usize {
        self.roster.iter().filter(|entry| entry.connected).count()
    }

    /// Connected students in `mode`.
    pub fn count_in(&self, mode: Mode) -> usize {
        self.roster
            .iter()
            .filter(|entry| entry.connected && entry.mode == mode)
            .count()
    }
}

/// The bar's whole state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveView {
    /// The lecture, or `None` when self-paced.
    pub lecture: Option<Lecture>,
    /// Why the last lecture ended or could not start, shown until the next one starts.
    pub notice: Option<String>,
}

/// Every way the bar's state changes.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// Starting or joining a lecture in `role`.
    Begin(Role),
    /// The server accepted us.
    Welcomed {
        /// The room.
        code: RoomCode,
        /// The student's accepted name (`None` for the instructor).
        name: Option<String>,
        /// The room was just created by this connection (not reclaimed after a reload).
        created: bool,
    },
    /// The connection dropped; retrying.
    Reconnecting {
        /// Failed attempts so far.
        failures: u32,
    },
    /// The new student list.
    Roster(Vec<RosterEntry>),
    /// The room was locked or unlocked.
    Locked(bool),
    /// Set or clear the digest warning.
    Warning(Option<String>),
    /// Set or clear the error line.
    Error(Option<String>),
    /// Show or hide the join screen.
    ShowJoinScreen(bool),
    /// The server's answer to where students can reach it (`None`: no answer).
    Reach(Option<Reach>),
    /// The lecture is over for this browser, and why (`None`: the user left).
    Ended(Option<String>),
    /// The room's question changed (asked, revealed, dismissed).
    Question(Option<Question>),
    /// The server holds this answer of this student.
    Mine(QuestionId, Option<Answer>),
    /// This student sent an answer.
    Sending(Answer),
    /// The instructor's live counts.
    Tally(Tally),
    /// The lesson note the instructor shows (empty: none).
    Note(String),
}

impl LiveView {
    /// The state after `event`.
    pub fn apply(&self, event: LiveEvent) -> Self {
        let mut next = self.clone();
        if let LiveEvent::Begin(role) = event {
            next.lecture = Some(Lecture::new(role));
            next.notice = None;
            return next;
        }
        if let LiveEvent::Ended(notice) = event {
            next.lecture = None;
            next.notice = notice;
            return next;
        }
        let Some(lecture) = next.lecture.as_mut() else {
            return next; // A late event from a lecture that is already over.
        };
        match event {
            LiveEvent::Welcomed { code, name, created } => {
                let first = lecture.code.is_none();
                lecture.code = Some(code);
                lecture.name = name;
                lecture.connection = ConnectionStatus::Live;
                // A new room opens on the big join screen so the class can join at once; a room
                // reclaimed after a reload goes straight back to teaching.
                lecture.join_screen |= first && created && lecture.role == Role::Instructor;
            }
            LiveEvent::Reconnecting { failures } => {
                lecture.connection = ConnectionStatus::Reconnecting { failures }
            }
            LiveEvent::Roster(roster) => lecture.roster = roster,
            LiveEvent::Locked(locked) => lecture.locked = locked,
            LiveEvent::Warning(warning) => lecture.warning = warning,
            LiveEvent::Error(error) => lecture.error = error,
            LiveEvent::ShowJoinScreen(show) => lecture.join_screen = show,
            LiveEvent::Reach(reach) => lecture.reach = Some(reach),
            LiveEvent::Question(question) => {
                // Answers and counts belong to one question: a new one starts from nothing.
                if question.as_ref().map(|q| q.id) != lecture.question_id() {
                    lecture.my_answer = None;
                    lecture.sending = None;
                    lecture.tally = None;
                }
                if question.as_ref().is_some_and(|q| q.reveal.is_some()) {
                    lecture.sending = None;
                }
                lecture.question = question;
            }
            LiveEvent::Mine(id, answer) => {
                if lecture.question_id() == Some(id) {
                    lecture.my_answer = answer;
                    lecture.sending = None;
                }
            }
            LiveEvent::Sending(answer) => lecture.sending = Some(answer),
            LiveEvent::Tally(tally) => {
                if lecture.question_id() == Some(tally.question) {
                    lecture.tally = Some(tally);
                }
            }
            LiveEvent::Note(note) => lecture.note = note,
            LiveEvent::Begin(_) | LiveEvent::Ended(_) => unreachable!("handled above"),
        }
        next
    }
}

impl Reducible for LiveView {
    type Action = LiveEvent;

    fn reduce(self: Rc<Self>, event: LiveEvent) -> Rc<Self> {
        Rc::new(self.apply(event))
    }
}

#[cfg(test)]
mod tests {
    use shared::MemberId;

    use super::*;

    fn code() -> RoomCode {
        RoomCode::parse("KXMRTW").unwrap()
    }

    fn student(id: u32, mode: Mode, connected: bool) -> RosterEntry {
        RosterEntry {
            member: MemberId(id),
            name: format!("Student {id}"),
            mode,
            connected,
        }
    }

    #[test]
    fn a_new_room_opens_the_join_screen_once() {
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Instructor))
            .apply(LiveEvent::Welcomed {
                code: code(),
                name: None,
                created: true,
            });
        let lecture = view.lecture.as_ref().unwrap();
        assert_eq!(lecture.connection, ConnectionStatus::Live);
        assert!(lecture.join_screen);
        let closed = view
            .apply(LiveEvent::ShowJoinScreen(false))
            .apply(LiveEvent::Reconnecting { failures: 1 });
        let again = closed.apply(LiveEvent::Welcomed {
            code: code(),
            name: None,
            created: false,
        });
        assert!(
            !again.lecture.unwrap().join_screen,
            "a reconnect does not cover the page again"
        );
    }

    #[test]
    fn students_never_see_the_join_screen() {
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Student))
            .apply(LiveEvent::Welcomed {
                code: code(),
                name: Some("Ada".into()),
                created: false,
            });
        assert!(!view.lecture.unwrap().join_screen);
    }

    #[test]
    fn a_reclaimed_room_does_not_open_the_join_screen() {
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Instructor))
            .apply(LiveEvent::Welcomed {
                code: code(),
                name: None,
                created: false,
            });
        assert!(!view.lecture.unwrap().join_screen);
    }

    #[test]
    fn roster_counts_only_connected_students() {
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Instructor))
            .apply(LiveEvent::Roster(vec![
                student(1, Mode::Following, true),
                student(2, Mode::Exploring, true),
                student(3, Mode::Following, false),
                student(4, Mode::Following, true),
            ]));
        let lecture = view.lecture.unwrap();
        assert_eq!(lecture.participants(), 3);
        assert_eq!(lecture.count_in(Mode::Following), 2);
        assert_eq!(lecture.count_in(Mode::Exploring), 1);
    }

    #[test]
    fn a_new_question_forgets_the_last_answer_and_tally() {
        let question = |id| Question {
            id: QuestionId(id),
            ask: shared::Ask::NextValue,
            focus: shared::Focus::default(),
            reveal: None,
        };
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Student))
            .apply(LiveEvent::Mine(QuestionId(1), Some(Answer::Value(1.0))))
            .apply(LiveEvent::Question(Some(question(1))))
            .apply(LiveEvent::Sending(Answer::Value(2.0)))
            .apply(LiveEvent::Mine(QuestionId(1), Some(Answer::Value(2.0))));
        let lecture = view.lecture.clone().unwrap();
        assert_eq!(
            (lecture.my_answer, lecture.sending),
            (Some(Answer::Value(2.0)), None)
        );
        let next = view
            .apply(LiveEvent::Question(Some(question(2))))
            .apply(LiveEvent::Mine(QuestionId(1), Some(Answer::Value(5.0))));
        assert_eq!(
            next.lecture.unwrap().my_answer,
            None,
            "answers of another question are ignored"
        );
    }

    #[test]
    fn ending_keeps_the_reason_and_ignores_late_events() {
        let view = LiveView::default()
            .apply(LiveEvent::Begin(Role::Student))
            .apply(LiveEvent::Ended(Some(
                "The instructor ended this lecture.".into(),
            )))
            .apply(LiveEvent::Locked(true));
        assert_eq!(view.lecture, None);
        assert_eq!(view.notice.as_deref(), Some("The instructor ended this lecture."));
        let restarted = view.apply(LiveEvent::Begin(Role::Student));
        assert_eq!(restarted.notice, None);
    }
}
