//! The "Lessons" entry: the built-in lessons and "Open a lesson file…", and why the last one
//! could not be opened. A plain function (no state: the menu is a `<details>` that closes itself
//! after a choice).

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::lessons::built_in::BUILT_IN;

/// Closes the `<details>` menu around the event's target.
pub(crate) fn close_menu(event: &Event) {
    if let Some(details) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("details").ok().flatten())
    {
        let _ = details.remove_attribute("open");
    }
}

/// The `onchange` of a menu's file input: the picked file goes to `onfile` and the menu closes;
/// the input is emptied so the same file can be picked again (e.g. after fixing it).
pub(crate) fn on_file_picked(onfile: &Callback<web_sys::File>) -> Callback<Event> {
    let onfile = onfile.clone();
    Callback::from(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            onfile.emit(file);
            close_menu(&e);
        }
        input.set_value("");
    })
}

/// The lessons menu: `onbuiltin` opens a built-in lesson by name, `onfile` a file the user picked;
/// `status` says what is loading or why the last lesson could not be opened.
pub fn lessons_menu(
    onbuiltin: &Callback<&'static str>,
    onfile: &Callback<web_sys::File>,
    status: Option<&str>,
) -> Html {
    let onchange = on_file_picked(onfile);
    html! {
        <div class="lessons-menu-host">
            <details class="lessons-menu" data-testid="lessons-menu">
                <summary class="button" data-testid="lessons-open">{ "Lessons" }</summary>
                <div class="lessons-list" role="menu">
                    { for BUILT_IN.iter().map(|&(name, title)| {
                        let onbuiltin = onbuiltin.clone();
                        html! {
                            <button type="button" role="menuitem" data-testid={format!("lesson-builtin-{name}")}
                                onclick={move |e: MouseEvent| { onbuiltin.emit(name); close_menu(&e); }}>{ title }</button>
                        }
                    }) }
                    <label class="lessons-file" role="menuitem">{ "Open a lesson file…" }
                        <input type="file" accept=".json,application/json" data-testid="lesson-file" {onchange} />
                    </label>
                </div>
            </details>
            if let Some(status) = status {
                <span class="lessons-status" data-testid="lesson-status" role="status">{ status.to_owned() }</span>
            }
        </div>
    }
}
