//! The broadcast side of a room: its latest state with every part already encoded, held in a
//! `watch` slot. Each change replaces the slot (latest wins); every connection sends the parts
//! whose version it has not sent yet, as the same shared bytes, so a burst of scrubbing
//! collapses to the newest focus and a slow student never holds anyone else up.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use shared::codec::encode_server;
use shared::model::ModelInfo;
use shared::{
    CheckEvent, CloseReason, Focus, InputImage, LessonEvent, Question, RoomCode, RoomEvent, RoomSnapshot,
    ServerMsg, StateVersion,
};

/// One independently updated part of the room state: its version and its encoded event.
#[derive(Debug, Clone)]
pub struct Part {
    /// Version of the change that last set this part.
    pub version: StateVersion,
    /// The encoded `ServerMsg::Room(..)` announcing it.
    pub frame: Bytes,
}

/// The latest room state as members receive it.
#[derive(Debug)]
pub struct Published {
    /// The room's code.
    pub code: RoomCode,
    /// Current focus.
    pub focus: Focus,
    /// Current input image.
    pub input: Option<Arc<InputImage>>,
    /// The room's network (`None`: the built-in Tiny VGG).
    pub model: Option<ModelInfo>,
    /// `RoomEvent::Model`: the network with the focus and input it was switched with.
    pub model_part: Part,
    /// Whether new students are refused.
    pub locked: bool,
    /// Number of recalls so far.
    pub recall: u32,
    /// `RoomEvent::Focus`.
    pub focus_part: Part,
    /// `RoomEvent::Input`, once there is an input.
    pub input_part: Option<Part>,
    /// `RoomEvent::Locked`.
    pub locked_part: Part,
    /// `RoomEvent::Recall`.
    pub recall_part: Part,
    /// The quick-check question, if any (as members see it: no right answer before the reveal).
    pub question: Option<Arc<Question>>,
    /// `CheckEvent::Question`.
    pub question_part: Part,
    /// The recorded lesson's note shown to the class (empty: none).
    pub note: Arc<str>,
    /// `LessonEvent::Note`.
    pub note_part: Part,
    /// Set when the room is gone or the server shuts down; every member is disconnected with
    /// this reason.
    pub closed: Option<CloseReason>,
    /// Heartbeat generation, raised by the server's one heartbeat ticker: a member pings its
    /// client (and drops it if it stayed silent) when this changes. One shared ticker through
    /// the slot every member already waits on, instead of a timer per connection.
    pub pulse: u64,
    /// `RoomEvent::Snapshot`, encoded on first use and shared by all joiners of this version.
    snapshot: OnceLock<Bytes>,
}

fn frame(event: RoomEvent) -> Bytes {
    Bytes::from(encode_server(&ServerMsg::Room(event)))
}

fn model_frame(
    version: StateVersion,
    model: Option<&ModelInfo>,
    focus: Focus,
    input: Option<&Arc<InputImage>>,
) -> Bytes {
    frame(RoomEvent::Model {
        version,
        model: model.cloned(),
        focus,
        input: input.map(|input| Box::new(InputImage::clone(input))),
    })
}

fn question_frame(version: StateVersion, question: Option<&Arc<Question>>) -> Bytes {
    Bytes::from(encode_server(&ServerMsg::Check(CheckEvent::Question {
        version,
        question: question.map(|q| Box::new(Question::clone(q))),
    })))
}

fn note_frame(version: StateVersion, note: &str) -> Bytes {
    Bytes::from(encode_server(&ServerMsg::Lesson(LessonEvent::Note {
        version,
        note: note.to_owned(),
    })))
}

/// The versions of each part a connection has already sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct SentParts {
    model: StateVersion,
    focus: StateVersion,
    input: Option<StateVersion>,
    locked: StateVersion,
    recall: StateVersion,
    question: StateVersion,
    note: StateVersion,
}

impl Published {
    /// The initial state of a room (new or restored) on the built-in network, without a lesson
    /// note (see [`Self::with_note`] and [`Self::with_model`]).
    pub fn new(
        code: RoomCode,
        version: StateVersion,
        focus: Focus,
        input: Option<Arc<InputImage>>,
        locked: bool,
        recall: u32,
        question: Option<Arc<Question>>,
    ) -> Self {
        let model_part = Part {
            version,
            frame: model_frame(version, None, focus, input.as_ref()),
        };
        let input_part = input.as_ref().map(|input| Part {
            version,
            frame: frame(RoomEvent::Input {
                version,
                input: Box::new(InputImage::clone(input)),
            }),
        });
        Self {
            code,
            focus,
            input,
            model: None,
            model_part,
            locked,
            recall,
            focus_part: Part {
                version,
                frame: frame(RoomEvent::Focus { version, focus }),
            },
            input_part,
            locked_part: Part {
                version,
                frame: frame(RoomEvent::Locked { version, locked }),
            },
            recall_part: Part {
                version,
                frame: frame(RoomEvent::Recall { version, recall }),
            },
            question_part: Part {
                version,
                frame: question_frame(version, question.as_ref()),
            },
            question,
            note_part: Part {
                version,
                frame: note_frame(version, ""),
            },
            note: "".into(),
            closed: None,
            pulse: 0,
            snapshot: OnceLock::new(),
        }
    }

    /// A copy sharing every encoded part, to change one part of.
    fn next(&self) -> Self {
        Self {
            code: self.code.clone(),
            focus: self.focus,
            input: self.input.clone(),
            model: self.model.clone(),
            model_part: self.model_part.clone(),
            locked: self.locked,
            recall: self.recall,
            focus_part: self.focus_part.clone(),
            input_part: self.input_part.clone(),
            locked_part: self.locked_part.clone(),
            recall_part: self.recall_part.clone(),
            question: self.question.clone(),
            question_part: self.question_part.clone(),
            note: self.note.clone(),
            note_part: self.note_part.clone(),
            closed: self.closed,
            pulse: self.pulse,
            snapshot: OnceLock::new(),
        }
    }

    /// With a new focus.
    pub fn with_focus(&self, version: StateVersion, focus: Focus) -> Self {
        let mut next = self.next();
        next.focus = focus;
        next.focus_part = Part {
            version,
            frame: frame(RoomEvent::Focus { version, focus }),
        };
        next
    }

    /// With a new input image.
    pub fn with_input(&self, version: StateVersion, input: Arc<InputImage>) -> Self {
        let mut next = self.next();
        next.input_part = Some(Part {
            version,
            frame: frame(RoomEvent::Input {
                version,
                input: Box::new(InputImage::clone(&input)),
            }),
        });
        next.input = Some(input);
        next
    }

    /// On another network: the focus and input it was switched with are part of the change (they
    /// travel in the one `RoomEvent::Model`, so a client never shows the new network with an
    /// old focus).
    pub fn with_model(
        &self,
        version: StateVersion,
        model: Option<ModelInfo>,
        focus: Focus,
        input: Option<Arc<InputImage>>,
    ) -> Self {
        let mut next = self.next();
        next.model_part = Part {
            version,
            frame: model_frame(version, model.as_ref(), focus, input.as_ref()),
        };
        next.model = model;
        next.focus = focus;
        next.focus_part = Part {
            version,
            frame: frame(RoomEvent::Focus { version, focus }),
        };
        next.input_part = input.as_ref().map(|input| Part {
            version,
            frame: frame(RoomEvent::Input {
                version,
                input: Box::new(InputImage::clone(input)),
            }),
        });
        next.input = input;
        next
    }

    /// Locked or unlocked.
    pub fn with_locked(&self, version: StateVersion, locked: bool) -> Self {
        let mut next = self.next();
        next.locked = locked;
        next.locked_part = Part {
            version,
            frame: frame(RoomEvent::Locked { version, locked }),
        };
        next
    }

    /// After one more recall.
    pub fn with_recall(&self, version: StateVersion, recall: u32) -> Self {
        let mut next = self.next();
        next.recall = recall;
        next.recall_part = Part {
            version,
            frame: frame(RoomEvent::Recall { version, recall }),
        };
        next
    }

    /// With a new (or no) quick-check question.
    pub fn with_question(&self, version: StateVersion, question: Option<Arc<Question>>) -> Self {
        let mut next = self.next();
        next.question_part = Part {
            version,
            frame: question_frame(version, question.as_ref()),
        };
        next.question = question;
        next
    }

    /// With a new lesson note.
    pub fn with_note(&self, version: StateVersion, note: Arc<str>) -> Self {
        let mut next = self.next();
        next.note_part = Part {
            version,
            frame: note_frame(version, &note),
        };
        next.note = note;
        next
    }

    /// With the next heartbeat pulse; nothing members see changes, so the encoded snapshot is
    /// kept.
    pub fn with_pulse(&self) -> Self {
        let mut next = self.next();
        next.pulse = self.pulse.wrapping_add(1);
        next.snapshot = self.snapshot.clone();
        next
    }

    /// Marked as gone.
    pub fn with_closed(&self, reason: CloseReason) -> Self {
        let mut next = self.next();
        next.closed = Some(reason);
        next
    }

    /// The newest version of any part.
    pub fn version(&self) -> StateVersion {
        let parts = [
            &self.model_part,
            &self.focus_part,
            &self.locked_part,
            &self.recall_part,
            &self.question_part,
            &self.note_part,
        ];
        let newest = parts.iter().map(|p| p.version).max().unwrap_or_default();
        self.input_part.as_ref().map_or(newest, |p| newest.max(p.version))
    }

    /// The encoded snapshot of this state, and the parts it covers. The snapshot does not carry
    /// the quick-check question: that is the first frame [`Self::unsent`] returns after it, if
    /// there is a question.
    pub fn snapshot(&self) -> (Bytes, SentParts) {
        let bytes = self.snapshot.get_or_init(|| {
            frame(RoomEvent::Snapshot(Box::new(RoomSnapshot {
                code: self.code.clone(),
                version: self.version(),
                focus: self.focus,
                input: self.input.as_deref().cloned(),
                locked: self.locked,
                recall: self.recall,
                model: self.model.clone(),
            })))
        });
        let sent = SentParts {
            model: self.model_part.version,
            focus: self.focus_part.version,
            input: self.input_part.as_ref().map(|p| p.version),
            locked: self.locked_part.version,
            recall: self.recall_part.version,
            // Not sent yet unless there is nothing to send.
            question: if self.question.is_some() {
                StateVersion::default()
            } else {
                self.question_part.version
            },
            // Likewise the lesson note.
            note: if self.note.is_empty() {
                self.note_part.version
            } else {
                StateVersion::default()
            },
        };
        (bytes.clone(), sent)
    }

    /// The frames not yet sent according to `sent`, in the order a client should apply them
    /// (the network first, with the focus and input it came with; input before focus, recall
    /// after it so students return to the newest focus, the question so it opens over that
    /// focus, then the lesson note); updates `sent`. A fixed array rather than a `Vec`: no
    /// allocation per member and change.
    pub fn unsent(&self, sent: &mut SentParts) -> [Option<Bytes>; 7] {
        let mut frames = [None, None, None, None, None, None, None];
        if sent.model != self.model_part.version {
            let version = self.model_part.version;
            sent.model = version;
            frames[0] = Some(self.model_part.frame.clone());
            // The model frame carried the focus and input of its version.
            if self.focus_part.version == version {
                sent.focus = version;
            }
            if self.input_part.as_ref().is_some_and(|p| p.version == version) {
                sent.input = Some(version);
            }
        }
        if let Some(input) = &self.input_part
            && sent.input != Some(input.version)
        {
            sent.input = Some(input.version);
            frames[1] = Some(input.frame.clone());
        }
        if sent.locked != self.locked_part.version {
            sent.locked = self.locked_part.version;
            frames[2] = Some(self.locked_part.frame.clone());
        }
        if sent.focus != self.focus_part.version {
            sent.focus = self.focus_part.version;
            frames[3] = Some(self.focus_part.frame.clone());
        }
        if sent.recall != self.recall_part.version {
            sent.recall = self.recall_part.version;
            frames[4] = Some(self.recall_part.frame.clone());
        }
        if sent.question != self.question_part.version {
            sent.question = self.question_part.version;
            frames[5] = Some(self.question_part.frame.clone());
        }
        if sent.note != self.note_part.version {
            sent.note = self.note_part.version;
            frames[6] = Some(self.note_part.frame.clone());
        }
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_collapses_to_the_newest_focus_and_other_parts_stay_sent() {
        let code = RoomCode::parse("ABCDEF").unwrap();
        let v = |seq| StateVersion { epoch: 1, seq };
        let start = Published::new(code, v(0), Focus::default(), None, false, 0, None);
        let (_, mut sent) = start.snapshot();
        let unsent = |state: &Published, sent: &mut SentParts| -> Vec<Bytes> {
            state.unsent(sent).into_iter().flatten().collect()
        };
        assert!(unsent(&start, &mut sent).is_empty());

        let mut state = start.with_focus(
            v(1),
            Focus {
                step: 1,
                ..Focus::default()
            },
        );
        state = state.with_focus(
            v(2),
            Focus {
                step: 2,
                ..Focus::default()
            },
        );
        state = state.with_locked(v(3), true);
        let frames = unsent(&state, &mut sent);
        assert_eq!(frames.len(), 2, "one locked and one (the newest) focus frame");
        assert_eq!(frames[1], state.focus_part.frame);
        assert!(unsent(&state, &mut sent).is_empty());
        assert_eq!(state.version(), v(3));
    }

    #[test]
    fn a_model_switch_is_one_frame_first_and_carries_its_focus_and_input() {
        let code = RoomCode::parse("ABCDEF").unwrap();
        let v = |seq| StateVersion { epoch: 1, seq };
        let start = Published::new(code, v(0), Focus::default(), None, false, 0, None);
        let (_, mut sent) = start.snapshot();
        let input = Arc::new(InputImage {
            source: shared::InputSource::Sample(1),
            side: 64,
            rgb: vec![0; 64 * 64 * 3],
            hash: [1; 32],
            prediction: shared::Prediction {
                class: 0,
                probabilities: vec![1.0],
                layer_sums: Vec::new(),
            },
        });
        let info = ModelInfo {
            hash: shared::model::ModelHash([2; 32]),
            bytes: 10,
            name: "net".into(),
        };
        let state =
            start
                .with_locked(v(1), true)
                .with_model(v(2), Some(info.clone()), Focus::default(), Some(input));
        let frames: Vec<Bytes> = state.unsent(&mut sent).into_iter().flatten().collect();
        assert_eq!(
            frames.len(),
            2,
            "the model frame and the lock, no separate focus or input"
        );
        assert_eq!(frames[0], state.model_part.frame);
        assert_eq!(state.version(), v(2));
        let (snapshot, _) = state.snapshot();
        match shared::codec::decode_server(&snapshot) {
            Ok(ServerMsg::Room(RoomEvent::Snapshot(snapshot))) => {
                assert_eq!(snapshot.model, Some(info));
                assert_eq!(snapshot.version, v(2));
            }
            other => panic!("not a snapshot: {other:?}"),
        }
    }
}
