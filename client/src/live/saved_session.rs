//! The secrets that let this browser come back to its lecture after a reload or a lost tab: the
//! instructor's token and a student's resume token, kept in `localStorage`.

use shared::ids::{InstructorToken, ResumeToken, RoomCode};

const INSTRUCTOR_KEY: &str = "cnn-classroom.instructor";
const STUDENT_KEY: &str = "cnn-classroom.student";

/// What this browser remembers about the lecture it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SavedSession {
    /// This browser runs the lecture.
    Instructor {
        /// The room's join code.
        code: RoomCode,
        /// The secret that gives control of the room.
        token: InstructorToken,
    },
    /// This browser attends the lecture.
    Student {
        /// The room's join code.
        code: RoomCode,
        /// The name the student joined with.
        name: String,
        /// The secret to rejoin as the same member; `None` until the server has answered.
        resume: Option<ResumeToken>,
    },
}

impl SavedSession {
    /// The room this is about.
    pub fn code(&self) -> &RoomCode {
        match self {
            Self::Instructor { code, .. } | Self::Student { code, .. } => code,
        }
    }

    /// The stored form: `key` and `value` for `localStorage`.
    pub fn to_entry(&self) -> (&'static str, String) {
        match self {
            Self::Instructor { code, token } => (INSTRUCTOR_KEY, format!("{code}:{}", token.to_hex())),
            Self::Student { code, name, resume } => {
                let resume = resume.as_ref().map(ResumeToken::to_hex).unwrap_or_default();
                (STUDENT_KEY, format!("{code}:{resume}:{name}"))
            }
        }
    }

    /// Reads back an instructor entry written by [`Self::to_entry`]; `None` if damaged.
    pub fn instructor_from(value: &str) -> Option<Self> {
        let (code, token) = value.split_once(':')?;
        Some(Self::Instructor {
            code: RoomCode::parse(code).ok()?,
            token: InstructorToken::from_hex(token).ok()?,
        })
    }

    /// Reads back a student entry written by [`Self::to_entry`]; `None` if damaged.
    pub fn student_from(value: &str) -> Option<Self> {
        let mut parts = value.splitn(3, ':');
        let code = RoomCode::parse(parts.next()?).ok()?;
        let resume = match parts.next()? {
            "" => None,
            hex => Some(ResumeToken::from_hex(hex).ok()?),
        };
        let name = parts.next()?.to_owned();
        Some(Self::Student { code, name, resume })
    }
}

/// The lecture this browser was in, if any (an instructor session wins over a student one).
pub fn load() -> Option<SavedSession> {
    let storage = storage()?;
    let instructor = storage.get_item(INSTRUCTOR_KEY).ok().flatten();
    if let Some(found) = instructor.as_deref().and_then(SavedSession::instructor_from) {
        return Some(found);
    }
    let student = storage.get_item(STUDENT_KEY).ok().flatten();
    student.as_deref().and_then(SavedSession::student_from)
}

/// Remembers `credentials` (and forgets the other role's).
pub fn save(credentials: &SavedSession) {
    if let Some(storage) = storage() {
        forget();
        let (key, value) = credentials.to_entry();
        // A full or disabled storage only costs the reload-resume convenience.
        let _ = storage.set_item(key, &value);
    }
}

/// Forgets the lecture (the user left it, or it no longer exists).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(INSTRUCTOR_KEY);
        let _ = storage.remove_item(STUDENT_KEY);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> RoomCode {
        RoomCode::parse("KXMRTW").unwrap()
    }

    #[test]
    fn instructor_round_trips() {
        let credentials = SavedSession::Instructor {
            code: code(),
            token: InstructorToken([7; 16]),
        };
        let (key, value) = credentials.to_entry();
        assert_eq!(key, INSTRUCTOR_KEY);
        assert_eq!(SavedSession::instructor_from(&value), Some(credentials));
    }

    #[test]
    fn student_round_trips_with_and_without_resume_token() {
        for resume in [None, Some(ResumeToken([9; 16]))] {
            let credentials = SavedSession::Student {
                code: code(),
                name: "Ada: row 3".into(),
                resume,
            };
            let (key, value) = credentials.to_entry();
            assert_eq!(key, STUDENT_KEY);
            assert_eq!(SavedSession::student_from(&value), Some(credentials));
        }
    }

    #[test]
    fn damaged_entries_are_ignored() {
        assert_eq!(SavedSession::instructor_from("KXMRTW"), None);
        assert_eq!(SavedSession::instructor_from("KXMRTW:nothex"), None);
        assert_eq!(SavedSession::student_from("NOPE:"), None);
        assert_eq!(SavedSession::student_from("KXMRTW:zz:Ada"), None);
    }
}
