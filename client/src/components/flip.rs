//! Moves the overview's pieces to their new places with transforms that the browser's compositor
//! runs (the FLIP technique: first, last, invert, play). CSS transitions of `left`, `top`,
//! `width` and `height` re-laid out and repainted every tile on every frame while the network
//! opened around a neuron (p95 frame 66.7 ms at 1280×720); a transform animation paints each
//! piece once and then only moves the painted result.
//!
//! Each moving piece asks [`Flip::style`] for the end of its inline style while the overview
//! renders, giving its key and its new place (`left`/`top`/`width`/`height` pixels). While the
//! stage changes (`moving`), a piece whose place changed gets a transform that draws it where it
//! was on screen (its old place under any animation still running, worked out from that
//! animation's start and easing rather than read back from the browser) in that very render, so
//! no frame shows it at its new place too early; after the render, an animation takes it from
//! there to its new place. Outside a stage change (a resize, the first measurement) pieces jump.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// How long a piece takes to reach its new place (the closed parts fade out in less).
pub const MOVE_MS: f64 = 500.0;
/// The movement's easing: slow start, slow end (the same curve as [`EASING_CURVE`]).
const EASING: &str = "cubic-bezier(0.65, 0, 0.35, 1)";
const EASING_CURVE: (f64, f64, f64, f64) = (0.65, 0.0, 0.35, 1.0);

/// A piece's box in the overview's coordinates, as its inline style gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    pub x: f64,
    pub y: f64,
    /// `None` where the style leaves the size to the content (a label's height).
    pub width: Option<f64>,
    pub height: Option<f64>,
}

impl Place {
    /// A box of the layout.
    pub fn of(rect: &crate::layout::Rect) -> Self {
        Place {
            x: f64::from(rect.x),
            y: f64::from(rect.y),
            width: Some(f64::from(rect.width)),
            height: Some(f64::from(rect.height)),
        }
    }
}

/// The 2-D transform an element is drawn with right now: scale and translation (the pieces
/// never rotate or skew).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Drawn {
    scale_x: f64,
    scale_y: f64,
    dx: f64,
    dy: f64,
}

impl Drawn {
    const NONE: Drawn = Drawn {
        scale_x: 1.0,
        scale_y: 1.0,
        dx: 0.0,
        dy: 0.0,
    };

    /// The transform `progress` (0 to 1, eased) of the way from `self` to none, interpolated
    /// function by function as CSS does.
    fn toward_none(self, progress: f64) -> Drawn {
        let mix = |from: f64, to: f64| from + (to - from) * progress;
        Drawn {
            scale_x: mix(self.scale_x, 1.0),
            scale_y: mix(self.scale_y, 1.0),
            dx: mix(self.dx, 0.0),
            dy: mix(self.dy, 0.0),
        }
    }
}

/// CSS `cubic-bezier(x1, y1, x2, y2)` at time `t` (0 to 1): the curve's x is solved for `t` by
/// bisection (x is monotonic), its y is the eased progress.
fn cubic_bezier((x1, y1, x2, y2): (f64, f64, f64, f64), t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    let at = |p1: f64, p2: f64, u: f64| {
        let v = 1.0 - u;
        3.0 * v * v * u * p1 + 3.0 * v * u * u * p2 + u * u * u
    };
    let (mut low, mut high) = (0.0, 1.0);
    for _ in 0..32 {
        let mid = (low + high) / 2.0;
        if at(x1, x2, mid) < t {
            low = mid;
        } else {
            high = mid;
        }
    }
    at(y1, y2, (low + high) / 2.0)
}

/// The transform that draws a piece whose place is `to` where `from` drawn with `drawn` is
/// (transform origin: the top-left corner); `None` when that is where it already is.
fn inverse(from: Place, drawn: Drawn, to: Place) -> Option<Drawn> {
    let scale = |old: Option<f64>, new: Option<f64>, factor: f64| match (old, new) {
        (Some(old), Some(new)) if new > 0.0 => old * factor / new,
        _ => 1.0,
    };
    let step = Drawn {
        scale_x: scale(from.width, to.width, drawn.scale_x),
        scale_y: scale(from.height, to.height, drawn.scale_y),
        dx: from.x + drawn.dx - to.x,
        dy: from.y + drawn.dy - to.y,
    };
    let still = step.dx.abs() < 0.5
        && step.dy.abs() < 0.5
        && (step.scale_x - 1.0).abs() < 0.005
        && (step.scale_y - 1.0).abs() < 0.005;
    (!still).then_some(step)
}

/// A running Web Animation (`element.animate(…)`; web-sys binds that API only as unstable, so
/// it is called by name).
#[derive(Clone)]
struct Animation(JsValue);

impl Animation {
    /// Calls `name` on `target` with `args`.
    fn call(target: &JsValue, name: &str, args: &Array) -> Option<JsValue> {
        let method = Reflect::get(target, &name.into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        method.apply(target, args).ok()
    }

    fn start(element: &Element, keyframes: &Array, duration_ms: f64) -> Option<Self> {
        let args = Array::of2(keyframes, &duration_ms.into());
        Self::call(element, "animate", &args).map(Animation)
    }

    fn cancel(&self) {
        Self::call(&self.0, "cancel", &Array::new());
    }
}

/// What the hook remembers of a piece between renders.
struct Tracked {
    place: Place,
    motion: Motion,
}

/// How a piece is moving to its place.
enum Motion {
    /// It is there.
    Still,
    /// Drawn at `start` by its inline style until the animation is started after the render.
    Pending { start: Drawn },
    /// An animation is taking it from `start` (at `started_at`) to its place.
    Running {
        animation: Animation,
        start: Drawn,
        started_at: f64,
    },
}

impl Motion {
    /// Where the piece is drawn at time `now` (relative to its place).
    fn drawn(&self, now: f64) -> Drawn {
        match self {
            Motion::Still => Drawn::NONE,
            Motion::Pending { start } => *start,
            Motion::Running {
                start, started_at, ..
            } => {
                let progress = cubic_bezier(EASING_CURVE, (now - started_at) / MOVE_MS);
                start.toward_none(progress)
            }
        }
    }

    /// Ends a running animation (the piece then stands at its place, or wherever its style
    /// draws it).
    fn stop(&self) {
        if let Motion::Running { animation, .. } = self {
            animation.cancel();
        }
    }
}

fn transform_text(drawn: Drawn) -> String {
    format!(
        "translate({:.2}px, {:.2}px) scale({:.4}, {:.4})",
        drawn.dx, drawn.dy, drawn.scale_x, drawn.scale_y
    )
}

/// Starts the compositor animation from `start` to the piece's own place.
fn play(element: &Element, start: Drawn) -> Option<Animation> {
    let frame = |transform: &str, easing: Option<&str>| -> Object {
        let object = Object::new();
        let _ = Reflect::set(&object, &"transform".into(), &transform.into());
        if let Some(easing) = easing {
            // A keyframe's easing shapes the way from it to the next one.
            let _ = Reflect::set(&object, &"easing".into(), &easing.into());
        }
        object
    };
    let keyframes = Array::of2(&frame(&transform_text(start), Some(EASING)), &frame("none", None));
    Animation::start(element, &keyframes, MOVE_MS)
}

/// The pieces' places across renders (see the module): ask [`Flip::style`] for each piece while
/// rendering.
#[derive(Clone)]
pub struct Flip {
    tracked: Rc<RefCell<HashMap<String, Tracked>>>,
    /// Whether a changed place is animated in this render.
    animate: bool,
    now: f64,
}

/// Equal across renders while nothing moves, so memoised pieces are not rebuilt for it.
impl PartialEq for Flip {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tracked, &other.tracked) && self.animate == other.animate
    }
}

impl Flip {
    /// The end of the inline style of piece `key` placed at `place` in this render: empty, or
    /// the transform that draws it where it was on screen.
    pub fn style(&self, key: &str, place: Place) -> String {
        let mut tracked = self.tracked.borrow_mut();
        let motion = match tracked.remove(key) {
            None => Motion::Still,
            Some(previous) if previous.place == place => previous.motion,
            Some(previous) => {
                let drawn = previous.motion.drawn(self.now);
                previous.motion.stop();
                match inverse(previous.place, drawn, place).filter(|_| self.animate) {
                    Some(start) => Motion::Pending { start },
                    None => Motion::Still,
                }
            }
        };
        let style = match &motion {
            Motion::Pending { start } => format!(";transform:{}", transform_text(*start)),
            _ => String::new(),
        };
        tracked.insert(key.to_owned(), Tracked { place, motion });
        style
    }
}

/// Animates the pieces under `container` to their new places while `moving`, unless the reader
/// asked for less motion (see the module).
/// A piece keeps its entry when a render skips it (a memoised part of the overview): the
/// pieces are a fixed set (tiles, labels, ranges, class rows) that only move.
#[hook]
pub fn use_flip(container: NodeRef, moving: bool, reduced_motion: fn() -> bool) -> Flip {
    let tracked = use_mut_ref(HashMap::<String, Tracked>::new);
    let flip = Flip {
        tracked: tracked.clone(),
        // Asked only while moving: a media query on every render costs time in every frame of
        // a playing animation.
        animate: moving && !reduced_motion(),
        now: js_sys::Date::now(),
    };
    // The animations start right after this render is in the page, before the browser paints
    // (a queued microtask: Yew's effects can wait several frames on a busy machine, and the
    // pieces would stand still at their old places all that time); the effect is the fallback.
    {
        let (container, tracked) = (container.clone(), tracked.clone());
        wasm_bindgen_futures::spawn_local(async move { start_pending(&container, &tracked) });
    }
    use_effect(move || start_pending(&container, &tracked));
    flip
}

/// Starts the animations of the pending pieces that are in the page with their held transform.
fn start_pending(container: &NodeRef, tracked: &RefCell<HashMap<String, Tracked>>) {
    let Some(root) = container.cast::<Element>() else {
        return;
    };
    let now = js_sys::Date::now();
    let mut tracked = tracked.borrow_mut();
    for (key, piece) in tracked.iter_mut() {
        let Motion::Pending { start } = piece.motion else {
            continue;
        };
        let Some(element) = root
            .query_selector(&format!("[data-flip=\"{key}\"]"))
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<HtmlElement>().ok())
        else {
            continue;
        };
        let style = element.style();
        // Not yet rendered with its held transform: the next call starts it.
        if style
            .get_property_value("transform")
            .map_or(true, |t| t.is_empty())
        {
            continue;
        }
        // The animation draws the start from now on; the inline transform goes in the same
        // task, so no frame shows the piece twice or nowhere.
        let animation = play(&element, start);
        let _ = style.remove_property("transform");
        piece.motion = match animation {
            Some(animation) => Motion::Running {
                animation,
                start,
                started_at: now,
            },
            None => Motion::Still,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(x: f64, y: f64, width: f64, height: f64) -> Place {
        Place {
            x,
            y,
            width: Some(width),
            height: Some(height),
        }
    }

    #[test]
    fn the_easing_is_the_css_curve() {
        assert!(cubic_bezier(EASING_CURVE, 0.0).abs() < 1e-9);
        assert!((cubic_bezier(EASING_CURVE, 1.0) - 1.0).abs() < 1e-6);
        // Symmetric curve: half-way in time is half-way in progress.
        assert!((cubic_bezier(EASING_CURVE, 0.5) - 0.5).abs() < 1e-6);
        // Slow start, slow end.
        assert!(cubic_bezier(EASING_CURVE, 0.1) < 0.05);
        assert!(cubic_bezier(EASING_CURVE, 0.9) > 0.95);
        // The linear curve is the identity.
        assert!((cubic_bezier((0.0, 0.0, 1.0, 1.0), 0.3) - 0.3).abs() < 1e-6);
    }

    #[test]
    fn a_running_move_is_drawn_between_its_start_and_its_place() {
        let start = Drawn {
            scale_x: 2.0,
            scale_y: 0.5,
            dx: -100.0,
            dy: 40.0,
        };
        assert_eq!(start.toward_none(0.0), start);
        assert_eq!(start.toward_none(1.0), Drawn::NONE);
        assert_eq!(
            start.toward_none(0.5),
            Drawn {
                scale_x: 1.5,
                scale_y: 0.75,
                dx: -50.0,
                dy: 20.0
            }
        );
    }

    #[test]
    fn the_inverse_draws_the_new_place_over_the_old_one() {
        let from = place(10.0, 20.0, 40.0, 40.0);
        let to = place(110.0, 0.0, 20.0, 80.0);
        let start = inverse(from, Drawn::NONE, to).expect("the piece moved");
        // The new box under the start transform (origin top-left) is the old box.
        assert_eq!(to.x + start.dx, 10.0);
        assert_eq!(to.y + start.dy, 20.0);
        assert_eq!(20.0 * start.scale_x, 40.0);
        assert_eq!(80.0 * start.scale_y, 40.0);
    }

    #[test]
    fn an_interrupted_move_starts_where_the_piece_is_drawn() {
        // Half-way from (0, 0, 10×10) to somewhere else, drawn at (30, 5) twice as wide.
        let from = place(0.0, 0.0, 10.0, 10.0);
        let drawn = Drawn {
            scale_x: 2.0,
            scale_y: 1.0,
            dx: 30.0,
            dy: 5.0,
        };
        let to = place(50.0, 50.0, 40.0, 10.0);
        let start = inverse(from, drawn, to).expect("the piece moved");
        assert_eq!(to.x + start.dx, 30.0);
        assert_eq!(to.y + start.dy, 5.0);
        assert_eq!(40.0 * start.scale_x, 20.0);
        assert_eq!(start.scale_y, 1.0);
    }

    #[test]
    fn a_piece_in_its_place_does_not_move_and_unknown_sizes_keep_scale() {
        let here = place(5.0, 5.0, 10.0, 10.0);
        assert_eq!(inverse(here, Drawn::NONE, here), None);
        let label = |x| Place {
            x,
            y: 0.0,
            width: Some(30.0),
            height: None,
        };
        let start = inverse(label(0.0), Drawn::NONE, label(12.0)).expect("moved");
        assert_eq!((start.dx, start.scale_x, start.scale_y), (-12.0, 1.0, 1.0));
    }
}
