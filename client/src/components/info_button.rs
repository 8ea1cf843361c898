//! A small (i) button that opens the lesson at one section (the reference tool's info buttons),
//! through the app's [`ArticleOpener`] context.

use yew::prelude::*;

use crate::article::{ArticleOpener, Section};

/// Props of [`InfoButton`].
#[derive(Properties, PartialEq)]
pub struct InfoButtonProps {
    /// The section it opens.
    pub section: Section,
}

/// The (i) button.
#[component]
pub fn InfoButton(props: &InfoButtonProps) -> Html {
    let opener = use_context::<ArticleOpener>();
    let section = props.section;
    let onclick = move |_| {
        if let Some(ArticleOpener(open)) = &opener {
            open.emit(section);
        }
    };
    let label = format!("Read about {}", section.topic());
    html! {
        <button type="button" class="info" data-testid={format!("info-{}", section.slug())} {onclick}
                aria-label={label.clone()} title={label}>
            <span aria-hidden="true">{ "i" }</span>
        </button>
    }
}
