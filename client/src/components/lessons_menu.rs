//! The "Lessons" entry: the built-in lessons and "Open a lesson file…", and why the last one
//! could not be opened.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::lessons::built_in::BUILT_IN;

/// Props of [`LessonsMenu`].
#[derive(Properties, PartialEq)]
pub struct LessonsMenuProps {
    /// Open a built-in lesson by name.
    pub onbuiltin: Callback<&'static str>,
    /// Open a lesson file the user picked.
    pub onfile: Callback<web_sys::File>,
    /// Loading, or why the last lesson could not be opened.
    pub status: Option<AttrValue>,
}

/// The lessons menu.
#[component]
pub fn LessonsMenu(props: &LessonsMenuProps) -> Html {
    let open = use_state_eq(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(details.open());
        })
    };
    let onchange = {
        let (onfile, open) = (props.onfile.clone(), open.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                onfile.emit(file);
                open.set(false);
            }
            // The same file can be picked again (e.g. after fixing it).
            input.set_value("");
        })
    };
    html! {
        <div class="lessons-menu-host">
            <details class="lessons-menu" data-testid="lessons-menu" open={*open} {ontoggle}>
                <summary class="button" data-testid="lessons-open">{ "Lessons" }</summary>
                <div class="lessons-list" role="menu">
                    { for BUILT_IN.iter().map(|&(name, title)| {
                        let (onbuiltin, open) = (props.onbuiltin.clone(), open.clone());
                        html! {
                            <button type="button" role="menuitem" data-testid={format!("lesson-builtin-{name}")}
                                onclick={move |_| { onbuiltin.emit(name); open.set(false); }}>{ title }</button>
                        }
                    }) }
                    <label class="lessons-file" role="menuitem">{ "Open a lesson file…" }
                        <input type="file" accept=".json,application/json" data-testid="lesson-file" {onchange} />
                    </label>
                </div>
            </details>
            if let Some(status) = &props.status {
                <span class="lessons-status" data-testid="lesson-status" role="status">{ status.clone() }</span>
            }
        </div>
    }
}
