//! The open lesson as a reducer: which lesson, which step, and the instructor's edits (add this
//! moment, reorder, delete, notes, title). Pure, so stepping and editing are tested natively;
//! the app applies a step's focus and picture whenever [`Player::shown`] changes.

use std::rc::Rc;

use super::file::{Lesson, Step};

/// The lesson panel's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Player {
    /// The open lesson; `None`: the panel is closed.
    pub lesson: Option<Rc<Lesson>>,
    /// A built-in lesson's name (for its address `#lesson=<name>`).
    pub name: Option<&'static str>,
    /// The current step's index.
    pub step: usize,
    /// The instructor is editing the steps (notes, order) rather than presenting.
    pub editing: bool,
    /// Raised each time the app must show the current step's focus and picture (going to a
    /// step), and not when the current view became a step (adding a moment) or a note is typed.
    pub shown: u32,
    /// Loading, or why a lesson could not be opened.
    pub status: Option<String>,
    /// The built-in lesson (and step) the address named when the page opened, to fetch.
    pub link: Option<(&'static str, usize)>,
}

/// Every way the open lesson changes.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerAction {
    /// Open `lesson` at `step` (a built-in one has a `name`).
    Open {
        /// The lesson (checked).
        lesson: Rc<Lesson>,
        /// Its built-in name.
        name: Option<&'static str>,
        /// The step to start at (kept within the lesson).
        step: usize,
    },
    /// Close the panel.
    Close,
    /// Go to step `index`.
    Go(usize),
    /// Add the view on screen as a step after the current one (a new lesson if none is open),
    /// and edit.
    AddMoment(Step),
    /// Switch between editing and presenting.
    Edit(bool),
    /// The lesson's new title.
    SetTitle(String),
    /// The current step's new note.
    SetNote(String),
    /// Move step `index` one place earlier (`-1`) or later (`1`).
    Move(usize, isize),
    /// Delete step `index`.
    Delete(usize),
    /// Loading, or why a lesson could not be opened (`None` clears it).
    Status(Option<String>),
}

/// The title of a lesson recorded from scratch.
pub const NEW_TITLE: &str = "My lesson";

impl Player {
    /// The current step, if a lesson with steps is open.
    pub fn current(&self) -> Option<&Step> {
        self.lesson.as_ref()?.steps.get(self.step)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.lesson.as_ref().map_or(0, |l| l.steps.len())
    }

    /// The state after `action`.
    pub fn apply(&self, action: PlayerAction) -> Self {
        let mut next = self.clone();
        let is_open = matches!(action, PlayerAction::Open { .. });
        match action {
            PlayerAction::Open { lesson, name, step } => {
                next.step = step.min(lesson.steps.len().saturating_sub(1));
                next.lesson = Some(lesson);
                next.name = name;
                next.editing = false;
                next.status = None;
                next.shown = next.shown.wrapping_add(1);
            }
            PlayerAction::Close => {
                next.lesson = None;
                next.name = None;
                next.editing = false;
                next.status = None;
            }
            PlayerAction::Go(index) => {
                if index < self.len() {
                    next.step = index;
                    next.shown = next.shown.wrapping_add(1);
                }
            }
            PlayerAction::AddMoment(step) => {
                let mut lesson = self.edited();
                let at = if lesson.steps.is_empty() { 0 } else { self.step + 1 };
                lesson.steps.insert(at.min(lesson.steps.len()), step);
                next.step = at.min(lesson.steps.len() - 1);
                next.lesson = Some(Rc::new(lesson));
                next.editing = true;
                next.status = None;
            }
            PlayerAction::Edit(editing) => next.editing = editing && next.lesson.is_some(),
            PlayerAction::SetTitle(title) => {
                if self.lesson.is_some() {
                    let mut lesson = self.edited();
                    lesson.title = title;
                    next.lesson = Some(Rc::new(lesson));
                }
            }
            PlayerAction::SetNote(note) => {
                if self.current().is_some() {
                    let mut lesson = self.edited();
                    lesson.steps[self.step].note = note;
                    next.lesson = Some(Rc::new(lesson));
                }
            }
            PlayerAction::Move(index, by) => {
                let to = index as isize + by;
                if index < self.len() && (0..self.len() as isize).contains(&to) {
                    let mut lesson = self.edited();
                    lesson.steps.swap(index, to as usize);
                    // The current step stays the same moment wherever it moves.
                    if self.step == index {
                        next.step = to as usize;
                    } else if self.step == to as usize {
                        next.step = index;
                    }
                    next.lesson = Some(Rc::new(lesson));
                }
            }
            PlayerAction::Delete(index) => {
                if index < self.len() {
                    let mut lesson = self.edited();
                    lesson.steps.remove(index);
                    if self.step > index || self.step >= lesson.steps.len() {
                        next.step = self.step.saturating_sub(1);
                    }
                    next.lesson = Some(Rc::new(lesson));
                }
            }
            PlayerAction::Status(status) => next.status = status,
        }
        // An edited built-in lesson is the instructor's own, no longer at the built-in's address.
        if next.lesson.is_some() && next.lesson != self.lesson && self.lesson.is_some() && !is_open {
            next.name = None;
        }
        next
    }

    /// A copy of the open lesson to change (a new, empty one if none is open).
    fn edited(&self) -> Lesson {
        self.lesson.as_deref().cloned().unwrap_or_else(|| Lesson {
            title: NEW_TITLE.to_owned(),
            steps: Vec::new(),
        })
    }
}

impl yew::Reducible for Player {
    type Action = PlayerAction;

    fn reduce(self: Rc<Self>, action: PlayerAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// The built-in lesson named in a URL fragment (`lesson=<name>` among its `&`-separated
/// fields), with the step (`lesson-step=<n>`, from 1) if given.
pub fn from_fragment(fragment: &str) -> Option<(String, usize)> {
    let fields = || {
        fragment
            .trim_start_matches('#')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
    };
    let name = fields().find(|(key, _)| *key == "lesson")?.1.to_owned();
    let step = fields()
        .find(|(key, _)| *key == "lesson-step")
        .and_then(|(_, n)| n.parse::<usize>().ok())
        .map_or(0, |n| n.saturating_sub(1));
    Some((name, step))
}

impl Player {
    /// Nothing open yet; the built-in lesson named in `fragment`, if any, is to be fetched.
    pub fn from_address(fragment: &str) -> Self {
        Self {
            link: from_fragment(fragment)
                .and_then(|(name, step)| Some((super::built_in::named(&name)?, step))),
            ..Self::default()
        }
    }
}

/// `fragment` with the open built-in lesson and its step added, if any.
pub fn with_lesson(fragment: String, player: &Player) -> String {
    match (player.name, &player.lesson) {
        (Some(name), Some(_)) => format!("{fragment}&lesson={name}&lesson-step={}", player.step + 1),
        _ => fragment,
    }
}

#[cfg(test)]
mod tests {
    use shared::{Focus, View};

    use super::*;
    use crate::samples;

    fn step(layer: u16, note: &str) -> Step {
        Step::new(
            Focus {
                view: View::Neuron,
                layer,
                ..Focus::default()
            },
            Rc::new(samples::image(0).unwrap()),
            note.into(),
        )
    }

    fn notes(player: &Player) -> Vec<String> {
        player
            .lesson
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| s.note.clone())
            .collect()
    }

    #[test]
    fn recording_reordering_and_deleting_keep_the_current_step() {
        let player = Player::default()
            .apply(PlayerAction::AddMoment(step(0, "a")))
            .apply(PlayerAction::AddMoment(step(1, "b")))
            .apply(PlayerAction::AddMoment(step(2, "c")));
        assert_eq!(player.lesson.as_ref().unwrap().title, NEW_TITLE);
        assert_eq!(notes(&player), ["a", "b", "c"]);
        assert_eq!((player.step, player.editing, player.shown), (2, true, 0));
        let player = player.apply(PlayerAction::Go(0));
        assert_eq!((player.step, player.shown), (0, 1), "going to a step shows it");
        // A moment is added after the current step.
        let player = player.apply(PlayerAction::AddMoment(step(3, "a2")));
        assert_eq!(notes(&player), ["a", "a2", "b", "c"]);
        assert_eq!(player.step, 1);
        let player = player.apply(PlayerAction::Move(1, 1));
        assert_eq!(notes(&player), ["a", "b", "a2", "c"]);
        assert_eq!(player.step, 2, "the current step moved with its moment");
        let player = player.apply(PlayerAction::Move(0, -1));
        assert_eq!(notes(&player), ["a", "b", "a2", "c"], "nothing before the first");
        let player = player.apply(PlayerAction::SetNote("**a2**".into()));
        assert_eq!(notes(&player), ["a", "b", "**a2**", "c"]);
        let player = player.apply(PlayerAction::Delete(0));
        assert_eq!(notes(&player), ["b", "**a2**", "c"]);
        assert_eq!(player.step, 1, "still on the same moment");
        let player = player.apply(PlayerAction::Go(2)).apply(PlayerAction::Delete(2));
        assert_eq!(player.step, 1, "deleting the last step shows the one before");
        let player = player.apply(PlayerAction::Go(7));
        assert_eq!(player.step, 1, "no step 8");
        let player = player.apply(PlayerAction::SetTitle("ReLU".into()));
        assert_eq!(player.lesson.as_ref().unwrap().title, "ReLU");
        let closed = player.apply(PlayerAction::Close);
        assert!(closed.lesson.is_none() && closed.current().is_none());
    }

    #[test]
    fn a_lesson_opens_at_a_step_within_it_and_its_address_names_it() {
        let lesson = Rc::new(Lesson {
            title: "t".into(),
            steps: vec![step(0, "a"), step(1, "b")],
        });
        let player = Player::default().apply(PlayerAction::Open {
            lesson,
            name: Some("what-is-a-cnn"),
            step: 9,
        });
        assert_eq!((player.step, player.shown, player.editing), (1, 1, false));
        assert_eq!(
            with_lesson("view=overview".into(), &player),
            "view=overview&lesson=what-is-a-cnn&lesson-step=2"
        );
        assert_eq!(
            from_fragment("#view=overview&lesson=what-is-a-cnn&lesson-step=2"),
            Some(("what-is-a-cnn".into(), 1))
        );
        assert_eq!(from_fragment("#lesson=why-wrong"), Some(("why-wrong".into(), 0)));
        assert_eq!(
            Player::from_address("#view=overview&lesson=why-wrong&lesson-step=3").link,
            Some(("why-wrong", 2))
        );
        assert_eq!(Player::from_address("#lesson=nope").link, None);
        assert_eq!(from_fragment("#view=overview&article=relu"), None);
        assert_eq!(with_lesson("x".into(), &Player::default()), "x");
    }
}
