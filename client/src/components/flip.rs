//! Moves the overview's pieces to their new places with transforms that the browser's compositor
//! runs (the FLIP technique: first, last, invert, play). CSS transitions of `left`, `top`,
//! `width` and `height` re-laid out and repainted every tile on every frame while the network
//! opened around a neuron (p95 frame 66.7 ms at 1280×720); a transform animation paints each
//! piece once and then only moves the painted result.
//!
//! Each moving piece carries `data-flip="<key>"` and its place as inline `left`/`top`/`width`/
//! `height` pixels. After every render the hook compares each piece's place with the one it had
//! before; while the stage changes (`moving`), a piece whose place changed is drawn where it was
//! on screen (its old place under any animation still running) and animated to its new place.
//! Outside a stage change (a resize, the first measurement) pieces jump, as before.

use std::collections::HashMap;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleDeclaration, Element, HtmlElement};
use yew::prelude::*;

/// How long a piece takes to reach its new place (the closed parts fade out in less).
pub const MOVE_MS: f64 = 500.0;
/// The movement's easing: slow start, slow end.
const EASING: &str = "cubic-bezier(0.65, 0, 0.35, 1)";

/// A piece's box in the overview's coordinates, as its inline style gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Place {
    x: f64,
    y: f64,
    /// `None` where the style leaves the size to the content (a label's height).
    width: Option<f64>,
    height: Option<f64>,
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
}

/// Parses a number the browser wrote. JavaScript's parser, not Rust's: Rust's float parser
/// would add ≈ 17 KB gzip to the first visit's WebAssembly.
fn number(text: &str) -> Option<f64> {
    let value = parse_float(text);
    value.is_finite().then_some(value)
}

/// JavaScript's `parseFloat` in the browser; Rust's parser in native tests (no size concern).
#[cfg(target_arch = "wasm32")]
fn parse_float(text: &str) -> f64 {
    js_sys::parse_float(text)
}
#[cfg(not(target_arch = "wasm32"))]
fn parse_float(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// Parses a computed `transform` (`none` or `matrix(a, b, c, d, e, f)`).
fn parse_matrix(text: &str) -> Option<Drawn> {
    if text == "none" {
        return Some(Drawn::NONE);
    }
    let inner = text.strip_prefix("matrix(")?.strip_suffix(')')?;
    let values: Vec<f64> = inner
        .split(',')
        .map(|v| number(v.trim()))
        .collect::<Option<_>>()?;
    match values[..] {
        [a, _, _, d, e, f] => Some(Drawn {
            scale_x: a,
            scale_y: d,
            dx: e,
            dy: f,
        }),
        _ => None,
    }
}

/// Reads a `123.4px` length of an inline style.
fn pixels(style: &CssStyleDeclaration, property: &str) -> Option<f64> {
    number(style.get_property_value(property).ok()?.strip_suffix("px")?)
}

fn place_of(element: &HtmlElement) -> Option<Place> {
    let style = element.style();
    Some(Place {
        x: pixels(&style, "left")?,
        y: pixels(&style, "top")?,
        width: pixels(&style, "width"),
        height: pixels(&style, "height"),
    })
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
    animation: Option<Animation>,
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
    let keyframes = Array::of2(
        &frame(
            &format!(
                "translate({:.2}px, {:.2}px) scale({:.4}, {:.4})",
                start.dx, start.dy, start.scale_x, start.scale_y
            ),
            Some(EASING),
        ),
        &frame("none", None),
    );
    Animation::start(element, &keyframes, MOVE_MS)
}

/// Animates the pieces under `container` to their new places while `moving` (see the module).
#[hook]
pub fn use_flip(container: NodeRef, moving: bool, reduced_motion: bool) {
    let tracked = use_mut_ref(HashMap::<String, Tracked>::new);
    use_effect(move || {
        let Some(root) = container.cast::<Element>() else {
            return;
        };
        let Ok(pieces) = root.query_selector_all("[data-flip]") else {
            return;
        };
        let window = gloo::utils::window();
        let mut tracked = tracked.borrow_mut();
        // Every read comes before any write: a computed style read after an animation started
        // would make the browser recompute the styles again, once per piece.
        let mut moves = Vec::new();
        let mut seen = HashMap::with_capacity(tracked.len());
        for index in 0..pieces.length() {
            let Some(element) = pieces
                .item(index)
                .and_then(|node| node.dyn_into::<HtmlElement>().ok())
            else {
                continue;
            };
            let (Some(key), Some(place)) = (element.get_attribute("data-flip"), place_of(&element)) else {
                continue;
            };
            let mut animation = None;
            if let Some(previous) = tracked.remove(&key) {
                animation = previous.animation;
                if previous.place != place {
                    // Where the piece is on screen now: its old place under the animation (if
                    // any) still running.
                    let drawn = match &animation {
                        Some(_) => window
                            .get_computed_style(&element)
                            .ok()
                            .flatten()
                            .and_then(|style| style.get_property_value("transform").ok())
                            .and_then(|text| parse_matrix(&text))
                            .unwrap_or(Drawn::NONE),
                        None => Drawn::NONE,
                    };
                    let start = inverse(previous.place, drawn, place).filter(|_| moving && !reduced_motion);
                    moves.push((key.clone(), element, animation.take(), start));
                }
            }
            seen.insert(key, Tracked { place, animation });
        }
        for (key, element, running, start) in moves {
            if let Some(running) = running {
                running.cancel();
            }
            let animation = start.and_then(|start| play(&element, start));
            if let Some(piece) = seen.get_mut(&key) {
                piece.animation = animation;
            }
        }
        *tracked = seen;
    });
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
    fn computed_transforms_are_read() {
        assert_eq!(parse_matrix("none"), Some(Drawn::NONE));
        assert_eq!(
            parse_matrix("matrix(0.5, 0, 0, 2, -10.5, 4)"),
            Some(Drawn {
                scale_x: 0.5,
                scale_y: 2.0,
                dx: -10.5,
                dy: 4.0
            })
        );
        assert_eq!(parse_matrix("matrix3d(1, 0, 0, 0)"), None);
        assert_eq!(parse_matrix("matrix(1, 0, 0)"), None);
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
