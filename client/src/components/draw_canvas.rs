//! A small canvas to draw one's own input with a finger, pen or mouse (pointer events); each
//! finished stroke becomes the network's input, and so does the blank paper after Clear (or a
//! change of ink), so the network never keeps showing a drawing that is gone. Dark ink on white
//! paper by default, light ink on black at a click: the network recognises a garment in either
//! polarity.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};
use yew::prelude::*;

use crate::samples;
use crate::state::CanonicalImage;

/// Side of the drawing canvas in canvas pixels.
const SIDE: u32 = 192;

/// Props of [`DrawCanvas`].
#[derive(Properties, PartialEq)]
pub struct DrawCanvasProps {
    /// Called with the canonical image after each stroke (or why it could not be made).
    pub ondrawn: Callback<Result<CanonicalImage, String>>,
}

fn context(canvas: &NodeRef) -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas = canvas.cast::<HtmlCanvasElement>()?;
    let context = canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    Some((canvas, context))
}

/// Paper and ink colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ink {
    /// Dark ink on white paper.
    Dark,
    /// Light ink on black paper.
    Light,
}

impl Ink {
    fn paper(self) -> &'static str {
        match self {
            Ink::Dark => "#ffffff",
            Ink::Light => "#000000",
        }
    }

    fn stroke(self) -> &'static str {
        match self {
            Ink::Dark => "#1b1b1b",
            Ink::Light => "#f4f4f4",
        }
    }

    fn other(self) -> Self {
        match self {
            Ink::Dark => Ink::Light,
            Ink::Light => Ink::Dark,
        }
    }
}

fn clear(canvas: &NodeRef, ink: Ink) {
    if let Some((_, ctx)) = context(canvas) {
        ctx.set_fill_style_str(ink.paper());
        ctx.fill_rect(0.0, 0.0, f64::from(SIDE), f64::from(SIDE));
    }
}

/// Sends what the canvas shows to the network (or why it could not be read).
fn emit_canvas(canvas: &NodeRef, ondrawn: &Callback<Result<CanonicalImage, String>>) {
    if let Some((_, ctx)) = context(canvas) {
        let result = ctx
            .get_image_data(0.0, 0.0, f64::from(SIDE), f64::from(SIDE))
            .map_err(|_| "The drawing could not be read; try again.".to_owned())
            .and_then(|data| samples::from_rgba(SIDE, SIDE, &data.data().0));
        ondrawn.emit(result);
    }
}

/// Canvas coordinates of a pointer event.
fn point(canvas: &HtmlCanvasElement, e: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let scale = f64::from(SIDE) / rect.width().max(1.0);
    (
        (f64::from(e.client_x()) - rect.left()) * scale,
        (f64::from(e.client_y()) - rect.top()) * scale,
    )
}

/// The drawing canvas.
#[component]
pub fn DrawCanvas(props: &DrawCanvasProps) -> Html {
    let canvas = use_node_ref();
    let drawing = use_mut_ref(|| false);
    let ink = use_state_eq(|| Ink::Dark);
    {
        let canvas = canvas.clone();
        use_effect_with(*ink, move |ink| clear(&canvas, *ink));
    }
    let down = {
        let canvas = canvas.clone();
        let drawing = drawing.clone();
        let stroke = ink.stroke();
        move |e: PointerEvent| {
            if let Some((element, ctx)) = context(&canvas) {
                let _ = element.set_pointer_capture(e.pointer_id());
                *drawing.borrow_mut() = true;
                let (x, y) = point(&element, &e);
                ctx.set_stroke_style_str(stroke);
                ctx.set_line_width(14.0);
                ctx.set_line_cap("round");
                ctx.set_line_join("round");
                ctx.begin_path();
                ctx.move_to(x, y);
                ctx.line_to(x + 0.1, y);
                ctx.stroke();
            }
        }
    };
    let moved = {
        let canvas = canvas.clone();
        let drawing = drawing.clone();
        move |e: PointerEvent| {
            if !*drawing.borrow() {
                return;
            }
            if let Some((element, ctx)) = context(&canvas) {
                let (x, y) = point(&element, &e);
                ctx.line_to(x, y);
                ctx.stroke();
            }
        }
    };
    // Whether the network shows this canvas: set by a stroke; then Clear and a change of ink
    // send the blank paper too. Before the first stroke they leave the current input alone.
    let shown = use_mut_ref(|| false);
    let finish = {
        let canvas = canvas.clone();
        let drawing = drawing.clone();
        let shown = shown.clone();
        let ondrawn = props.ondrawn.clone();
        move |_: PointerEvent| {
            if !std::mem::replace(&mut *drawing.borrow_mut(), false) {
                return;
            }
            *shown.borrow_mut() = true;
            emit_canvas(&canvas, &ondrawn);
        }
    };
    let start_again = {
        let canvas = canvas.clone();
        let shown = shown.clone();
        let ondrawn = props.ondrawn.clone();
        move |paper: Ink| {
            clear(&canvas, paper);
            if *shown.borrow() {
                emit_canvas(&canvas, &ondrawn);
            }
        }
    };
    let onclear = {
        let start_again = start_again.clone();
        let ink = *ink;
        move |_| start_again(ink)
    };
    let onswap = {
        let ink = ink.clone();
        move |_| {
            start_again(ink.other());
            ink.set(ink.other());
        }
    };
    let swap_label = match *ink {
        Ink::Dark => "Light on black",
        Ink::Light => "Dark on white",
    };
    html! {
        <div class="draw">
            <canvas ref={canvas} class="draw-canvas" data-testid="draw-canvas"
                    width={SIDE.to_string()} height={SIDE.to_string()}
                    aria-label="Drawing area: draw with a mouse, pen or finger; each stroke updates the input"
                    onpointerdown={down} onpointermove={moved} onpointerup={finish.clone()} onpointercancel={finish} />
            <button class="button" data-testid="draw-clear" onclick={onclear}>{ "Clear" }</button>
            <button class="button" data-testid="draw-ink" onclick={onswap}
                    title="Start again with the other colours">{ swap_label }</button>
        </div>
    }
}
