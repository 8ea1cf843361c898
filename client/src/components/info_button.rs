//! A small (i) button that opens the lesson at one section (the reference tool's info buttons).
//! A plain function rather than a component: it has no state, and every component type costs
//! the first visit some WebAssembly.

use yew::prelude::*;

use crate::article::{ArticleOpener, Section};

/// The (i) button for `section`; `opener` is the app's [`ArticleOpener`] context.
pub fn info_button(section: Section, opener: Option<&ArticleOpener>) -> Html {
    let open = opener.map(|ArticleOpener(open)| open.clone());
    let onclick = move |_| {
        if let Some(open) = &open {
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
