//! A grid of numbers with fixed cell sizes, so a window and the current cell can be drawn over it
//! as outlines that slide from position to position: the playground's padded input, kernel,
//! output and products. Padding cells are hatched, cells the animation has not reached yet are
//! faded, and a kernel typed by hand is edited in place. Every cell carries its exact value for
//! tests.

use ndarray::Array2;
use web_sys::{HtmlInputElement, PointerEvent};
use yew::prelude::*;

use crate::color;
use crate::format;

/// A square outline over the grid, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridOutline {
    /// Top row.
    pub top: usize,
    /// Left column.
    pub left: usize,
    /// Side in cells.
    pub side: usize,
}

/// What [`grid`] draws.
pub struct Grid<'a> {
    /// The values, `[rows, columns]`.
    pub values: &'a Array2<f32>,
    /// Symmetric colour range of the cell backgrounds.
    pub range: f32,
    /// Test-id prefix: cell `(r, c)` gets `{prefix}-{r}-{c}`.
    pub test_prefix: &'a str,
    /// Accessible name of the grid.
    pub label: &'a str,
    /// Cells that lie on the zero padding.
    pub padding: Option<&'a Array2<bool>>,
    /// The kernel window (drawn orange).
    pub window: Option<GridOutline>,
    /// The current output cell (drawn dark).
    pub current: Option<(usize, usize)>,
    /// Cells after this row-major index are faded (not reached by the animation yet).
    pub reached: Option<usize>,
    /// Rows and columns from this index on are never read by any window (a stride that does
    /// not divide); their cells are outlined red.
    pub unread_from: Option<usize>,
    /// Decimals to print.
    pub decimals: usize,
    /// Called with `(row, column, value)` when a cell is edited; the cells are inputs then.
    pub onedit: Option<Callback<(usize, usize, f32)>>,
    /// Called with `(row, column)` of the cell the mouse points at (or a finger touches).
    pub onpick: Option<Callback<(usize, usize)>>,
}

impl<'a> Grid<'a> {
    /// A plain grid of `values` with two decimals.
    pub fn new(values: &'a Array2<f32>, range: f32, test_prefix: &'a str, label: &'a str) -> Self {
        Self {
            values,
            range,
            test_prefix,
            label,
            padding: None,
            window: None,
            current: None,
            reached: None,
            unread_from: None,
            decimals: 2,
            onedit: None,
            onpick: None,
        }
    }
}

/// The grid. A plain function rather than a component: its parent re-renders it on every step
/// anyway, and every component type costs the first visit some WebAssembly.
pub fn grid(props: Grid<'_>) -> Html {
    let (rows, cols) = props.values.dim();
    let cells = props.values.indexed_iter().map(|((r, c), &v)| {
        let on_padding = props
            .padding
            .as_ref()
            .is_some_and(|p| p.get((r, c)) == Some(&true));
        let ahead = props.reached.is_some_and(|reached| r * cols + c > reached);
        let unread = props.unread_from.is_some_and(|from| r >= from || c >= from);
        let background = color::diverging(v, props.range);
        let ink = if color::needs_light_text(background) {
            "#fff"
        } else {
            "#111"
        };
        let style = (!on_padding).then(|| format!("background:{};color:{ink}", color::css(background)));
        let classes = classes!(
            "pg-cell",
            on_padding.then_some("padding"),
            ahead.then_some("ahead"),
            unread.then_some("unread")
        );
        let test_id = format!("{}-{r}-{c}", props.test_prefix);
        let content = match &props.onedit {
            Some(onedit) => {
                let onedit = onedit.clone();
                // The browser reads the number (no float parser in the WebAssembly).
                let onchange = move |e: Event| {
                    let value = e.target_unchecked_into::<HtmlInputElement>().value_as_number();
                    if value.is_finite() {
                        onedit.emit((r, c, value as f32));
                    }
                };
                html! {
                    <input type="number" step="0.1" min="-9.9" max="9.9" value={format::exact(v)} {onchange}
                           aria-label={format!("{}, row {}, column {}", props.label, r + 1, c + 1)} />
                }
            }
            None => html! { format::number(v, props.decimals) },
        };
        // Mouse: hovering picks. Touch and pen: pressing does (as on the maps).
        let pick = props.onpick.clone().map(|onpick| {
            move |e: PointerEvent| {
                if e.pointer_type() == "mouse" || e.buttons() != 0 || e.type_() == "pointerdown" {
                    onpick.emit((r, c));
                }
            }
        });
        html! {
            <span class={classes} {style} data-testid={test_id} data-value={format::exact(v)}
                  onpointerenter={pick.clone()} onpointerdown={pick}>{ content }</span>
        }
    });
    let outline = |o: GridOutline, class: &'static str| {
        let style = format!("--top:{};--left:{};--side:{}", o.top, o.left, o.side);
        html! { <span class={classes!("pg-outline", class)} {style} aria-hidden="true"></span> }
    };
    let window = props.window.map(|w| outline(w, "window"));
    let current = props
        .current
        .map(|(top, left)| outline(GridOutline { top, left, side: 1 }, "current"));
    html! {
        <div class={classes!("pg-grid", props.onedit.is_some().then_some("editable"))}
             style={format!("--cols:{cols}")} role="group"
             aria-label={format!("{} ({rows}×{cols})", props.label)}>
            { for cells }
            { window.unwrap_or_default() }
            { current.unwrap_or_default() }
        </div>
    }
}
