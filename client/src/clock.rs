//! The playback clock: while an animation plays, advances it on every animation frame by the
//! steps that fell due since it started, so the view renders at most once per displayed frame
//! at any speed (a timer per step would render two or three times a frame at the fast speeds
//! and drop frames).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use crate::state::{Action, AppState};

/// What the frame callback reads.
#[derive(Default)]
struct Run {
    /// Milliseconds per step and number of steps while playing; `None` when stopped.
    pace: Option<(f64, u32)>,
    /// Frame time of the run's first frame, once seen.
    start: Option<f64>,
    /// Steps advanced since `start`.
    advanced: u64,
    /// The pending animation frame request.
    frame: Option<i32>,
}

type FrameCallback = Closure<dyn FnMut(f64)>;

/// Requests the next frame for `callback` unless one is pending or the clock is stopped.
fn request(run: &RefCell<Run>, callback: &RefCell<Option<FrameCallback>>) {
    let mut run = run.borrow_mut();
    if run.frame.is_some() || run.pace.is_none() {
        return;
    }
    if let Some(callback) = callback.borrow().as_ref() {
        run.frame = gloo::utils::window()
            .request_animation_frame(callback.as_ref().unchecked_ref())
            .ok();
    }
}

/// Plays `playing` at `step_ms` per step over `steps` by dispatching [`Action::Tick`]s.
#[hook]
pub fn use_playback_clock(state: &UseReducerHandle<AppState>, playing: bool, step_ms: u16, steps: u32) {
    let run = use_mut_ref(Run::default);
    let callback: Rc<RefCell<Option<FrameCallback>>> = use_mut_ref(|| None);

    // One frame callback for the app's lifetime (never dropped while it runs).
    {
        let dispatcher = state.dispatcher();
        let run = run.clone();
        let callback = callback.clone();
        use_effect_with((), move |_| {
            let weak: Weak<RefCell<Option<FrameCallback>>> = Rc::downgrade(&callback);
            let frame_run = run.clone();
            *callback.borrow_mut() = Some(Closure::new(move |now: f64| {
                let due = {
                    let mut run = frame_run.borrow_mut();
                    run.frame = None;
                    let Some((step_ms, steps)) = run.pace else {
                        return;
                    };
                    let start = *run.start.get_or_insert(now);
                    let due = ((now - start) / step_ms) as u64;
                    let count = due.saturating_sub(run.advanced);
                    run.advanced = run.advanced.max(due);
                    (count > 0).then_some((steps, count))
                };
                // No borrow is held here: the dispatch may stop the clock synchronously.
                if let Some((steps, count)) = due {
                    let count = u32::try_from(count).unwrap_or(u32::MAX);
                    dispatcher.dispatch(Action::Tick { steps, count });
                }
                if let Some(callback) = weak.upgrade() {
                    request(&frame_run, &callback);
                }
            }));
            move || {
                if let Some(frame) = run.borrow_mut().frame.take() {
                    let _ = gloo::utils::window().cancel_animation_frame(frame);
                }
                run.borrow_mut().pace = None;
                callback.borrow_mut().take();
            }
        });
    }

    // (Re)start or stop the run whenever playing, the speed or the animation changes.
    use_effect_with((playing, step_ms, steps), move |&(playing, step_ms, steps)| {
        {
            let mut run = run.borrow_mut();
            run.pace = (playing && steps > 0).then_some((f64::from(step_ms.max(1)), steps));
            run.start = None;
            run.advanced = 0;
        }
        request(&run, &callback);
    });
}
