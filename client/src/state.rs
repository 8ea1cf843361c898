//! The app's state as a reducer (Yew's `function_todomvc` shape): every change is an [`Action`],
//! so follow mode, break-away and return are plain functions tested natively.

use std::rc::Rc;

use shared::{Focus, Mode};
use yew::Reducible;

use crate::display::Display;

pub use models::preprocess::CanonicalImage;

/// Where the current input image came from (shown in the input picker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOrigin {
    /// One of the shipped samples, by index into `models::samples::SAMPLES`.
    Sample(usize),
    /// A file the user uploaded, by file name.
    Upload(String),
    /// Drawn on the drawing canvas.
    Drawing,
    /// Sent by the instructor.
    Live,
}

/// The input image and its origin, shared cheaply between renders.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The canonical pixels the network reads.
    pub image: Rc<CanonicalImage>,
    /// Where they came from.
    pub origin: InputOrigin,
}

/// Everything the screen is derived from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppState {
    /// What is on screen: view, layer, neuron, channel, step, playback, colour range, detail.
    pub focus: Focus,
    /// The input image, `None` until the first one is decoded.
    pub input: Option<Input>,
    /// A message about the last input that could not be used, shown beside the picker.
    pub input_error: Option<String>,
    /// `None`: self-paced. In a lecture: whether this screen mirrors the instructor or explores
    /// on its own, keeping the live focus to return to (the same `Mode` the roster shows).
    pub lecture_mode: Option<Mode>,
    /// This screen instructs a lecture: the class's network is chosen in the console, so the
    /// self-paced network menu is hidden.
    pub instructing: bool,
    /// The instructor's latest focus (kept while exploring, to return to).
    pub live_focus: Option<Focus>,
    /// The instructor's latest input image.
    pub live_input: Option<Rc<CanonicalImage>>,
    /// This screen's hints and projector mode (not part of the lecture's focus).
    pub display: Display,
    /// Which network the screen shows ([`crate::model::generation`]): a switch changes it, so
    /// the trace is recomputed and memoised views re-render.
    pub network: u32,
}

/// Every way the state can change.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Local navigation to a new focus (opening a neuron, going back, stepping, scrubbing...).
    Navigate(Focus),
    /// Local change of the input image.
    SetInput(Input),
    /// An input could not be used: show why, keep the current one.
    InputFailed(String),
    /// Clock tick while playing: advance `count` steps out of `steps`, stopping at the last
    /// one. Not a navigation: it never breaks away from a lecture. Ignored while following,
    /// where the instructor's broadcast steps drive the animation (a local clock would run ahead).
    Tick {
        /// Number of steps in the open animation.
        steps: u32,
        /// Steps that fell due since the last tick (more than one at fast speeds).
        count: u32,
    },
    /// The instructor's focus arrived.
    Remote {
        /// The instructor's focus.
        focus: Focus,
    },
    /// The instructor's input image arrived.
    RemoteInput(CanonicalImage),
    /// Snap back to the instructor's focus and input.
    ReturnToLive,
    /// Attach to, detach from, or change the mode of a lecture.
    SetLectureMode(Option<Mode>),
    /// This screen starts (true) or stops instructing a lecture.
    SetInstructing(bool),
    /// This screen's hints or projector mode changed: not a navigation, so a following student
    /// keeps following.
    SetDisplay(Display),
    /// The current network was switched ([`crate::model::set_network`] or
    /// [`crate::model::set_builtin`] returned this generation): back to the overview, the
    /// display settings kept, the input kept (it is re-preprocessed for the new network).
    NetworkChanged(u32),
}

impl AppState {
    /// A state showing `image` (from `origin`) in the overview.
    pub fn with_input(image: CanonicalImage, origin: InputOrigin) -> Self {
        Self {
            input: Some(Input {
                image: Rc::new(image),
                origin,
            }),
            ..Self::default()
        }
    }

    /// The state after `action`.
    pub fn apply(&self, action: Action) -> Self {
        let mut next = self.clone();
        match action {
            Action::Navigate(focus) => {
                next.focus = focus;
                next.break_away();
            }
            Action::SetInput(input) => {
                next.input = Some(input);
                next.input_error = None;
                next.break_away();
            }
            Action::InputFailed(message) => next.input_error = Some(message),
            Action::Tick { steps, count } => {
                if next.focus.playing && next.lecture_mode != Some(Mode::Following) {
                    let last = steps.saturating_sub(1);
                    next.focus.step = next.focus.step.saturating_add(count).min(last);
                    if next.focus.step >= last {
                        next.focus.playing = false;
                    }
                }
            }
            Action::Remote { focus } => {
                next.live_focus = Some(focus);
                if next.lecture_mode == Some(Mode::Following) {
                    next.focus = focus;
                }
            }
            Action::RemoteInput(image) => {
                let image = Rc::new(image);
                next.live_input = Some(image.clone());
                if next.lecture_mode == Some(Mode::Following) {
                    next.set_live_input(image);
                }
            }
            Action::ReturnToLive => {
                if next.lecture_mode.is_some() {
                    next.follow();
                }
            }
            Action::SetDisplay(display) => next.display = display,
            Action::NetworkChanged(generation) => {
                next.network = generation;
                // Layers, neurons and steps of the old network mean nothing in the new one.
                next.focus = Focus {
                    step_ms: next.focus.step_ms,
                    color_range: next.focus.color_range,
                    show_detail: next.focus.show_detail,
                    playground: crate::playground::fitting(crate::model::network()),
                    ..Focus::default()
                };
            }
            Action::SetInstructing(instructing) => next.instructing = instructing,
            Action::SetLectureMode(mode) => match mode {
                Some(Mode::Following) => next.follow(),
                Some(Mode::Exploring) => next.lecture_mode = Some(Mode::Exploring),
                None => {
                    next.lecture_mode = None;
                    next.live_focus = None;
                    next.live_input = None;
                }
            },
        }
        next
    }

    /// Own navigation while following leaves the lecture's focus (the lecture is still kept).
    fn break_away(&mut self) {
        if self.lecture_mode == Some(Mode::Following) {
            self.lecture_mode = Some(Mode::Exploring);
        }
    }

    /// Mirror the lecture again: take its latest focus and input.
    fn follow(&mut self) {
        self.lecture_mode = Some(Mode::Following);
        if let Some(focus) = self.live_focus {
            self.focus = focus;
        }
        if let Some(image) = self.live_input.clone() {
            self.set_live_input(image);
        }
    }

    fn set_live_input(&mut self, image: Rc<CanonicalImage>) {
        self.input = Some(Input {
            image,
            origin: InputOrigin::Live,
        });
        self.input_error = None;
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use shared::View;

    use super::*;

    fn image(value: u8) -> CanonicalImage {
        CanonicalImage {
            rgb: vec![value; 4 * 4 * 3],
            side: 4,
        }
    }

    fn conv_focus() -> Focus {
        Focus {
            view: View::Neuron,
            layer: 2,
            neuron: 3,
            ..Focus::default()
        }
    }

    fn following() -> AppState {
        AppState::with_input(image(1), InputOrigin::Sample(0))
            .apply(Action::SetLectureMode(Some(Mode::Following)))
    }

    #[test]
    fn remote_focus_applies_only_while_following() {
        let state = following().apply(Action::Remote { focus: conv_focus() });
        assert_eq!(state.focus, conv_focus());
        assert_eq!(state.live_focus, Some(conv_focus()));

        let exploring = following()
            .apply(Action::SetLectureMode(Some(Mode::Exploring)))
            .apply(Action::Remote { focus: conv_focus() });
        assert_eq!(exploring.focus, Focus::default());
        assert_eq!(exploring.live_focus, Some(conv_focus()));
    }

    #[test]
    fn remote_input_applies_only_while_following() {
        let state = following().apply(Action::RemoteInput(image(7)));
        let input = state.input.expect("an input");
        assert_eq!(*input.image, image(7));
        assert_eq!(input.origin, InputOrigin::Live);

        let exploring = following()
            .apply(Action::SetLectureMode(Some(Mode::Exploring)))
            .apply(Action::RemoteInput(image(7)));
        assert_eq!(*exploring.input.as_ref().expect("an input").image, image(1));
        assert_eq!(exploring.live_input.as_deref(), Some(&image(7)));
    }

    #[test]
    fn local_navigation_while_following_breaks_away() {
        let state = following().apply(Action::Navigate(conv_focus()));
        assert_eq!(state.lecture_mode, Some(Mode::Exploring));
        assert_eq!(state.focus, conv_focus());

        let input = Input {
            image: Rc::new(image(9)),
            origin: InputOrigin::Drawing,
        };
        let state = following().apply(Action::SetInput(input));
        assert_eq!(state.lecture_mode, Some(Mode::Exploring));
    }

    #[test]
    fn local_navigation_self_paced_stays_off() {
        let state = AppState::default().apply(Action::Navigate(conv_focus()));
        assert_eq!(state.lecture_mode, None);
    }

    #[test]
    fn return_to_live_restores_focus_and_input() {
        let state = following()
            .apply(Action::Remote { focus: conv_focus() })
            .apply(Action::RemoteInput(image(5)))
            .apply(Action::Navigate(Focus::default()))
            .apply(Action::SetInput(Input {
                image: Rc::new(image(9)),
                origin: InputOrigin::Drawing,
            }));
        assert_eq!(state.lecture_mode, Some(Mode::Exploring));
        let back = state.apply(Action::ReturnToLive);
        assert_eq!(back.lecture_mode, Some(Mode::Following));
        assert_eq!(back.focus, conv_focus());
        assert_eq!(*back.input.expect("an input").image, image(5));
    }

    #[test]
    fn return_to_live_without_lecture_does_nothing() {
        let state = AppState::default().apply(Action::ReturnToLive);
        assert_eq!(state, AppState::default());
    }

    #[test]
    fn leaving_the_lecture_forgets_it() {
        let state = following()
            .apply(Action::Remote { focus: conv_focus() })
            .apply(Action::SetLectureMode(None));
        assert_eq!(state.lecture_mode, None);
        assert_eq!(state.live_focus, None);
        assert_eq!(state.live_input, None);
    }

    #[test]
    fn tick_advances_and_stops_at_the_end() {
        let mut state = AppState::with_input(image(1), InputOrigin::Sample(0));
        state.focus.playing = true;
        state.focus.step = 7;
        let state = state.apply(Action::Tick { steps: 9, count: 1 });
        assert_eq!(state.focus.step, 8);
        assert!(!state.focus.playing, "stops on the last step");
        let paused = state.apply(Action::Tick { steps: 9, count: 1 });
        assert_eq!(paused.focus.step, 8);
    }

    #[test]
    fn a_tick_of_several_steps_advances_them_all_but_not_past_the_end() {
        let mut state = AppState::with_input(image(1), InputOrigin::Sample(0));
        state.focus.playing = true;
        state.focus.step = 2;
        let state = state.apply(Action::Tick { steps: 9, count: 3 });
        assert_eq!(state.focus.step, 5);
        assert!(state.focus.playing);
        let state = state.apply(Action::Tick { steps: 9, count: 100 });
        assert_eq!(state.focus.step, 8);
        assert!(!state.focus.playing, "stops on the last step");
    }

    #[test]
    fn tick_is_ignored_while_following_and_never_breaks_away() {
        let playing = Focus {
            playing: true,
            ..conv_focus()
        };
        let state = following()
            .apply(Action::Remote { focus: playing })
            .apply(Action::Tick { steps: 9, count: 1 });
        assert_eq!(state.focus.step, 0, "the instructor's broadcast drives the steps");
        assert_eq!(state.lecture_mode, Some(Mode::Following));
        let exploring = state
            .apply(Action::SetLectureMode(Some(Mode::Exploring)))
            .apply(Action::Tick { steps: 9, count: 1 });
        assert_eq!(exploring.focus.step, 1);
    }

    #[test]
    fn display_settings_never_break_away_and_survive_the_instructors_focus() {
        let display = Display {
            hints: false,
            projector: true,
        };
        let state = following()
            .apply(Action::SetDisplay(display))
            .apply(Action::Remote { focus: conv_focus() });
        assert_eq!(state.lecture_mode, Some(Mode::Following));
        assert_eq!(state.display, display);
        assert_eq!(state.focus, conv_focus());
    }

    #[test]
    fn a_network_switch_goes_to_the_overview_and_keeps_the_input_and_settings() {
        let mut state = AppState::with_input(image(1), InputOrigin::Sample(3));
        state.focus = Focus {
            step_ms: 40,
            show_detail: false,
            ..conv_focus()
        };
        let next = state.apply(Action::NetworkChanged(7));
        assert_eq!(next.network, 7);
        assert_eq!(next.focus.view, View::Overview);
        assert_eq!((next.focus.layer, next.focus.neuron, next.focus.step), (0, 0, 0));
        assert_eq!((next.focus.step_ms, next.focus.show_detail), (40, false));
        assert_eq!(next.input, state.input);
    }

    #[test]
    fn failed_input_keeps_the_current_image() {
        let state = AppState::with_input(image(1), InputOrigin::Sample(0))
            .apply(Action::InputFailed("not an image".into()));
        assert_eq!(*state.input.as_ref().expect("an input").image, image(1));
        assert_eq!(state.input_error.as_deref(), Some("not an image"));
        let cleared = state.apply(Action::SetInput(Input {
            image: Rc::new(image(2)),
            origin: InputOrigin::Upload("a.png".into()),
        }));
        assert_eq!(cleared.input_error, None);
    }
}
