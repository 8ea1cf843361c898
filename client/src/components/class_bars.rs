//! The output column: one row per class with its name, a probability bar and the percentage;
//! the predicted class stands out.

use yew::prelude::*;

use crate::components::flip::{Flip, Place};
use crate::format;
use crate::layout::Rect;
use crate::model;

/// Props of [`ClassBars`].
#[derive(Properties, PartialEq)]
pub struct ClassBarsProps {
    /// The output column's index in the overview (for keyboard movement).
    pub column: usize,
    /// Where each class row goes.
    pub rects: Vec<Rect>,
    /// Probability of each class.
    pub probabilities: Vec<f32>,
    /// The predicted class.
    pub predicted: usize,
    /// The class under the pointer or keyboard focus.
    pub highlighted: Option<usize>,
    /// Squeezed to the side while the overview is opened around a conv neuron (drawn faded).
    #[prop_or_default]
    pub squeezed: bool,
    /// Pointer or focus entered (`Some(row)`) or left (`None`) a class.
    pub onhover: Callback<Option<usize>>,
    /// A class was chosen (opens the flatten/softmax explanation).
    pub onopen: Callback<usize>,
    /// Moves the rows to new places smoothly (in the overview).
    #[prop_or_default]
    pub flip: Option<Flip>,
}

/// The class probability bars.
#[component]
pub fn ClassBars(props: &ClassBarsProps) -> Html {
    let top = props
        .probabilities
        .iter()
        .copied()
        .fold(0.0f32, f32::max)
        .max(f32::EPSILON);
    let names = model::network().class_names();
    let rows = props.rects.iter().enumerate().map(|(row, rect)| {
        let p = props.probabilities.get(row).copied().unwrap_or(0.0);
        let name = names.get(row).cloned().unwrap_or_else(|| format!("class {row}"));
        let predicted = row == props.predicted;
        let key = format!("{}-{row}", props.column);
        let moved = props
            .flip
            .as_ref()
            .map(|flip| flip.style(&key, Place::of(rect)))
            .unwrap_or_default();
        let style = format!(
            "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px{moved}",
            rect.x, rect.y, rect.width, rect.height
        );
        let bar = format!("width:{:.1}%", 100.0 * p / top);
        let enter = {
            let onhover = props.onhover.clone();
            move |_: PointerEvent| onhover.emit(Some(row))
        };
        let focused = {
            let onhover = props.onhover.clone();
            move |_: FocusEvent| onhover.emit(Some(row))
        };
        let leave = {
            let onhover = props.onhover.clone();
            move |_| onhover.emit(None)
        };
        let onclick = {
            let onopen = props.onopen.clone();
            move |_| onopen.emit(row)
        };
        let label = format!(
            "{name}: {}{}. Press Enter to see how it is computed.",
            format::percent(p),
            if predicted { ", the prediction" } else { "" }
        );
        html! {
            <button
                key={row}
                class={classes!("class-row", props.squeezed.then_some("squeezed"), predicted.then_some("predicted"), (props.highlighted == Some(row)).then_some("highlighted"))}
                style={style}
                data-testid={format!("class-{row}")}
                data-predicted={predicted.to_string()}
                data-cell={format!("{}-{row}", props.column)}
                data-flip={key}
                aria-label={label}
                onpointerenter={enter}
                onfocus={focused}
                onpointerleave={leave}
                {onclick}
            >
                <span class="class-name">{ name }</span>
                <span class="class-bar"><span class="class-bar-fill" style={bar}></span></span>
                <span class="class-percent">{ format::percent(p) }</span>
            </button>
        }
    });
    html! { <>{ for rows }</> }
}
