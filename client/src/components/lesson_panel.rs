//! The open lesson beside the views: its title, the step bar (back, "step n of m", next) and the
//! step's note; for the instructor also the editor (title, notes, order, "add this moment",
//! save to a file). The same note shows a following student what the instructor shows the class.
//! Plain functions rather than components: they hold no state, and every component adds its own
//! copy of Yew's machinery to the download.

use yew::prelude::*;

use crate::lessons::markdown::{self, Block, Span};
use crate::lessons::player::{Player, PlayerAction};
use crate::model;

/// One run of a note's text: always text nodes, whatever the characters.
fn span_html(span: &Span) -> Html {
    let mut html = html! { { span.text.clone() } };
    if span.code {
        html = html! { <code>{ html }</code> };
    }
    if span.italic {
        html = html! { <em>{ html }</em> };
    }
    if span.bold {
        html = html! { <strong>{ html }</strong> };
    }
    html
}

fn spans_html(spans: &[Span]) -> Html {
    spans.iter().map(span_html).collect()
}

/// A note, rendered from its little Markdown.
pub fn lesson_note(note: &str) -> Html {
    let blocks = markdown::parse(note);
    html! {
        <div class="lesson-note" data-testid="lesson-note">
            { for blocks.iter().map(|block| match block {
                Block::Paragraph(spans) => html! { <p>{ spans_html(spans) }</p> },
                Block::List { ordered: true, items } => html! {
                    <ol>{ for items.iter().map(|item| html! { <li>{ spans_html(item) }</li> }) }</ol>
                },
                Block::List { ordered: false, items } => html! {
                    <ul>{ for items.iter().map(|item| html! { <li>{ spans_html(item) }</li> }) }</ul>
                },
            }) }
        </div>
    }
}

/// A short description of what a step shows, e.g. "conv_1_1 · neuron 7 · arithmetic".
fn describe(step: &crate::lessons::file::Step) -> String {
    use shared::View;
    let focus = &step.focus;
    let layer = model::layer_name(Some(usize::from(focus.layer)));
    let picture = step
        .sample
        .and_then(crate::samples::name)
        .unwrap_or("own picture");
    let what = match focus.view {
        View::Overview => "overview".to_owned(),
        View::Neuron => format!("{layer} · neuron {}", focus.neuron),
        View::Operation => format!("{layer} · neuron {} · step {}", focus.neuron, focus.step + 1),
        View::Playground => "playground".to_owned(),
    };
    format!("{what} · {picture}")
}

/// Offers the lesson as a file download (`<title>.lesson.json`).
fn save(player: &Player) {
    let Some(lesson) = &player.lesson else {
        return;
    };
    let bytes = lesson.to_file();
    let blob = gloo::file::Blob::new_with_options(bytes.as_slice(), Some("application/json"));
    let url = gloo::file::ObjectUrl::from(blob);
    let document = gloo::utils::document();
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let name: String = lesson
        .title
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' { c } else { '-' })
        .collect();
    let _ = link.set_attribute("href", &url);
    let _ = link.set_attribute("download", &format!("{}.lesson.json", name.trim_matches('-')));
    if let Ok(link) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(link) {
        link.click();
    }
    // The download has started from the URL; it can be released once the click is handled.
    gloo::timers::callback::Timeout::new(60_000, move || drop(url)).forget();
}

/// The lesson panel for the open lesson (nothing when none is open); `onaddmoment` records the
/// view on screen as a step (`None`: this screen does not record lessons, e.g. a student's).
pub fn lesson_panel(
    player: &Player,
    ondispatch: &Callback<PlayerAction>,
    onaddmoment: Option<&Callback<()>>,
) -> Html {
    let Some(lesson) = &player.lesson else {
        return html! {};
    };
    let send = |action: PlayerAction| {
        let ondispatch = ondispatch.clone();
        Callback::from(move |_: MouseEvent| ondispatch.emit(action.clone()))
    };
    let count = lesson.steps.len();
    let step = player.step;
    let note = player.current().map(|s| s.note.clone()).unwrap_or_default();
    let can_edit = onaddmoment.is_some();
    let bar = html! {
        <div class="lesson-steps" role="group" aria-label="Lesson steps">
            <button type="button" class="button" data-testid="lesson-back" disabled={step == 0}
                onclick={send(PlayerAction::Go(step.saturating_sub(1)))}>{ "◀ Back" }</button>
            <span class="lesson-position" data-testid="lesson-position" data-step={(step + 1).to_string()}
                data-count={count.to_string()} aria-live="polite">
                { if count == 0 { "No steps yet".to_owned() } else { format!("Step {} of {count}", step + 1) } }
            </span>
            <button type="button" class="button" data-testid="lesson-next" disabled={step + 1 >= count}
                onclick={send(PlayerAction::Go(step + 1))}>{ "Next ▶" }</button>
        </div>
    };
    let editor = (player.editing && can_edit).then(|| {
        let ontitle = {
            let ondispatch = ondispatch.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                ondispatch.emit(PlayerAction::SetTitle(input.value()));
            })
        };
        let onnote = {
            let ondispatch = ondispatch.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
                ondispatch.emit(PlayerAction::SetNote(input.value()));
            })
        };
        let onadd = onaddmoment.cloned().unwrap_or_default();
        let onsave = {
            let player = player.clone();
            Callback::from(move |_: MouseEvent| save(&player))
        };
        html! {
            <div class="lesson-editor">
                <label class="lesson-field">{ "Title" }
                    <input type="text" data-testid="lesson-title-input" value={lesson.title.clone()}
                        maxlength={crate::lessons::file::MAX_TITLE_CHARS.to_string()} oninput={ontitle} />
                </label>
                <ol class="lesson-list" data-testid="lesson-list">
                    { for lesson.steps.iter().enumerate().map(|(i, s)| html! {
                        <li key={i} class={classes!("lesson-item", (i == step).then_some("lesson-item--current"))}
                            data-testid="lesson-item">
                            <button type="button" class="lesson-go" onclick={send(PlayerAction::Go(i))}
                                aria-current={(i == step).then_some("step")} title={describe(s)}>
                                { format!("{}. {}", i + 1, describe(s)) }
                            </button>
                            <span class="lesson-item-actions">
                                <button type="button" class="icon" aria-label={format!("Move step {} up", i + 1)}
                                    disabled={i == 0} onclick={send(PlayerAction::Move(i, -1))}>{ "↑" }</button>
                                <button type="button" class="icon" aria-label={format!("Move step {} down", i + 1)}
                                    disabled={i + 1 >= count} onclick={send(PlayerAction::Move(i, 1))}>{ "↓" }</button>
                                <button type="button" class="icon" aria-label={format!("Delete step {}", i + 1)}
                                    data-testid="lesson-delete" onclick={send(PlayerAction::Delete(i))}>{ "×" }</button>
                            </span>
                        </li>
                    }) }
                </ol>
                if count > 0 {
                    <label class="lesson-field">{ format!("Note of step {} (plain text; **bold**, *italic*, `code`, - lists)", step + 1) }
                        <textarea data-testid="lesson-note-input" rows="5" value={note.clone()}
                            maxlength={shared::MAX_NOTE_BYTES.to_string()} oninput={onnote} />
                    </label>
                }
                <div class="lesson-actions">
                    <button type="button" class="button" data-testid="lesson-add-moment" onclick={onadd.reform(|_: MouseEvent| ())}
                        title="Add what is on screen now as the next step">{ "Add this moment" }</button>
                    <button type="button" class="button" data-testid="lesson-save" disabled={count == 0}
                        onclick={onsave} title="Download the lesson as one file (pictures inside)">{ "Save lesson" }</button>
                    <button type="button" class="button" data-testid="lesson-done" onclick={send(PlayerAction::Edit(false))}>
                        { "Present" }</button>
                </div>
            </div>
        }
    });
    html! {
        <aside class="lesson-panel" data-testid="lesson-panel" data-editing={player.editing.to_string()}
               aria-label="Lesson">
            <div class="lesson-bar">
                <span class="lesson-title" data-testid="lesson-title">{ &lesson.title }</span>
                if can_edit && !player.editing {
                    <button type="button" class="button" data-testid="lesson-edit" onclick={send(PlayerAction::Edit(true))}>{ "Edit" }</button>
                }
                <button type="button" class="icon" data-testid="lesson-close" onclick={send(PlayerAction::Close)}
                        aria-label="Close the lesson" title="Close">{ "×" }</button>
            </div>
            { bar }
            { editor.unwrap_or_default() }
            if !player.editing {
                { lesson_note(&note) }
            }
        </aside>
    }
}

/// A following student's view of the instructor's lesson note.
pub fn live_note(note: &str) -> Html {
    html! {
        <aside class="lesson-panel lesson-panel--live" data-testid="live-note" aria-label="Note from the lecture">
            <div class="lesson-bar"><span class="lesson-title">{ "From the lecture" }</span></div>
            { lesson_note(note) }
        </aside>
    }
}
