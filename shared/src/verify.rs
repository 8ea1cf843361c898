//! The one table of which client message is allowed in which connection state and role (after
//! veloren's `verify`); the server checks every message here before acting on it.

use crate::client_msg::{ClientMsg, SessionMsg};
use crate::quick_check::CheckMsg;
use crate::room::Role;

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// Connected, no `Hello` yet.
    AwaitingHello,
    /// Joined a room in this role.
    Member(Role),
}

/// Why a message is not allowed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Anything but `Hello` before the handshake.
    #[error("The connection must start with a Hello message; reload the page.")]
    HelloFirst,
    /// A second `Hello`.
    #[error("This connection has already joined a room; open a new connection to join another.")]
    HelloTwice,
    /// `Control` from a student.
    #[error("Only the instructor can change the lecture; you can explore on your own instead.")]
    InstructorOnly,
    /// `Student` from the instructor.
    #[error("Only students report a follow mode; the instructor always leads.")]
    StudentOnly,
    /// `Leave` from the instructor.
    #[error("The instructor ends a lecture with Close room, not Leave.")]
    InstructorCannotLeave,
    /// A quick-check answer from the instructor.
    #[error("Only students answer questions; the instructor sees the class's answers in the tally.")]
    StudentsAnswer,
}

/// Checks `msg` against the table; `Ok` means the server may act on it.
pub fn verify(state: ConnState, msg: &ClientMsg) -> Result<(), Refusal> {
    use ConnState::{AwaitingHello, Member};
    use Role::{Instructor, Student};
    match (state, msg) {
        (AwaitingHello, ClientMsg::Hello(_)) => Ok(()),
        (AwaitingHello, _) => Err(Refusal::HelloFirst),
        (Member(_), ClientMsg::Hello(_)) => Err(Refusal::HelloTwice),
        (Member(Instructor), ClientMsg::Control(_)) => Ok(()),
        (Member(Student), ClientMsg::Control(_)) => Err(Refusal::InstructorOnly),
        (Member(Student), ClientMsg::Student(_)) => Ok(()),
        (Member(Instructor), ClientMsg::Student(_)) => Err(Refusal::StudentOnly),
        (Member(Instructor), ClientMsg::Session(SessionMsg::Leave)) => Err(Refusal::InstructorCannotLeave),
        (Member(_), ClientMsg::Session(_)) => Ok(()),
        (Member(Student), ClientMsg::Check(CheckMsg::Answer { .. })) => Ok(()),
        (Member(Instructor), ClientMsg::Check(CheckMsg::Answer { .. })) => Err(Refusal::StudentsAnswer),
        (Member(Instructor), ClientMsg::Check(_)) => Ok(()),
        (Member(Student), ClientMsg::Check(_)) => Err(Refusal::InstructorOnly),
        (Member(Instructor), ClientMsg::Lesson(_)) => Ok(()),
        (Member(Student), ClientMsg::Lesson(_)) => Err(Refusal::InstructorOnly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_msg::{Control, Hello, Join, PROTOCOL_VERSION, StudentMsg};
    use crate::focus::Focus;
    use crate::quick_check::{Answer, Ask, Correct, QuestionId};
    use crate::room::Mode;

    #[test]
    fn only_the_instructor_controls_and_hello_comes_first() {
        let hello = ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            join: Join::CreateRoom,
        });
        let focus = ClientMsg::Control(Control::SetFocus(Focus::default()));
        let mode = ClientMsg::Student(StudentMsg::SetMode(Mode::Exploring));
        let ping = ClientMsg::Session(SessionMsg::Ping(1));
        let leave = ClientMsg::Session(SessionMsg::Leave);
        let student = ConnState::Member(Role::Student);
        let instructor = ConnState::Member(Role::Instructor);

        assert_eq!(verify(ConnState::AwaitingHello, &hello), Ok(()));
        assert_eq!(verify(ConnState::AwaitingHello, &focus), Err(Refusal::HelloFirst));
        assert_eq!(verify(ConnState::AwaitingHello, &ping), Err(Refusal::HelloFirst));
        assert_eq!(verify(student, &hello), Err(Refusal::HelloTwice));
        assert_eq!(verify(student, &focus), Err(Refusal::InstructorOnly));
        assert_eq!(verify(instructor, &focus), Ok(()));
        assert_eq!(verify(student, &mode), Ok(()));
        assert_eq!(verify(instructor, &mode), Err(Refusal::StudentOnly));
        assert_eq!(verify(student, &leave), Ok(()));
        assert_eq!(verify(instructor, &leave), Err(Refusal::InstructorCannotLeave));
        assert_eq!(verify(instructor, &ping), Ok(()));
        let use_model = ClientMsg::Control(Control::UseModel(None));
        assert_eq!(verify(instructor, &use_model), Ok(()));
        assert_eq!(verify(student, &use_model), Err(Refusal::InstructorOnly));
    }

    #[test]
    fn only_the_instructor_asks_and_only_students_answer() {
        let open = ClientMsg::Check(CheckMsg::Open {
            ask: Ask::NextValue,
            correct: Correct::Value {
                value: 1.0,
                tolerance: 0.1,
            },
        });
        let reveal = ClientMsg::Check(CheckMsg::Reveal);
        let dismiss = ClientMsg::Check(CheckMsg::Dismiss);
        let answer = ClientMsg::Check(CheckMsg::Answer {
            question: QuestionId(1),
            answer: Answer::Value(1.0),
        });
        let student = ConnState::Member(Role::Student);
        let instructor = ConnState::Member(Role::Instructor);
        for asked in [&open, &reveal, &dismiss] {
            assert_eq!(verify(instructor, asked), Ok(()));
            assert_eq!(verify(student, asked), Err(Refusal::InstructorOnly));
            assert_eq!(verify(ConnState::AwaitingHello, asked), Err(Refusal::HelloFirst));
        }
        assert_eq!(verify(student, &answer), Ok(()));
        assert_eq!(verify(instructor, &answer), Err(Refusal::StudentsAnswer));
    }

    #[test]
    fn only_the_instructor_shows_a_lesson_note() {
        let note = ClientMsg::Lesson(crate::lesson_note::LessonMsg::ShowNote("ReLU".into()));
        assert_eq!(verify(ConnState::Member(Role::Instructor), &note), Ok(()));
        assert_eq!(
            verify(ConnState::Member(Role::Student), &note),
            Err(Refusal::InstructorOnly)
        );
        assert_eq!(verify(ConnState::AwaitingHello, &note), Err(Refusal::HelloFirst));
    }
}
