//! A short teaching annotation beside what it explains ("each input channel has its own
//! kernel", …), in the margin's hand-written voice of the reference tool. Shown while this
//! screen's hints are on (a display setting the instructor can turn off for a clean projector).

use yew::prelude::*;

use crate::display::Display;

/// Props of [`Hint`].
#[derive(Properties, PartialEq)]
pub struct HintProps {
    /// The annotation.
    pub children: Html,
    /// Extra CSS classes (placement).
    #[prop_or_default]
    pub class: Classes,
}

/// An annotation, or nothing while hints are off.
#[component]
pub fn Hint(props: &HintProps) -> Html {
    let display = use_context::<Display>().unwrap_or_default();
    if !display.hints {
        return html! {};
    }
    html! {
        <p class={classes!("annotation", props.class.clone())} data-testid="hint">{ props.children.clone() }</p>
    }
}
