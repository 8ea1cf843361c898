//! The lesson beside the app. Its text is a separate file of the bundle (`article.html`), fetched
//! the first time the lesson is opened, so a first visit never downloads it; the service worker
//! keeps it for offline reading. Opens scrolled to the section asked for; × or Escape closes it
//! and leaves the view as it was.

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::article::{self, Section};
use crate::later_file;

/// Fetches the lesson file and cuts out its `<article>`.
async fn fetch_article() -> Result<String, String> {
    let offline = "the lesson could not be loaded: this device seems to be offline, and the lesson is \
                   saved for offline reading only after a visit with a connection";
    let response = later_file::fetch(&later_file::url("cnn-article", "/article.html"), offline).await?;
    let text = later_file::body(response.text(), offline)
        .await?
        .as_string()
        .unwrap_or_default();
    article::extract(&text)
        .map(str::to_owned)
        .ok_or_else(|| "the lesson file is damaged; reload the page and try again".to_owned())
}

#[derive(Debug, Clone, PartialEq)]
enum Lesson {
    NotLoaded,
    Loading,
    Ready(AttrValue),
    Failed(String),
}

/// Props of [`ArticlePanel`].
#[derive(Properties, PartialEq)]
pub struct ArticlePanelProps {
    /// The section to show; `None` keeps the panel closed.
    pub section: Option<Section>,
    /// Raised on every request to open a section, so asking for the same one again scrolls again.
    pub request: u32,
    /// Close the panel.
    pub onclose: Callback<()>,
}

/// The lesson panel.
#[component]
pub fn ArticlePanel(props: &ArticlePanelProps) -> Html {
    let lesson = use_state(|| Lesson::NotLoaded);
    {
        let lesson = lesson.clone();
        use_effect_with(props.section.is_some(), move |open| {
            if *open && matches!(*lesson, Lesson::NotLoaded | Lesson::Failed(_)) {
                lesson.set(Lesson::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    lesson.set(match fetch_article().await {
                        Ok(html) => Lesson::Ready(AttrValue::from(html)),
                        Err(why) => Lesson::Failed(why),
                    });
                });
            }
        });
    }
    {
        let ready = matches!(*lesson, Lesson::Ready(_));
        use_effect_with((props.section, props.request, ready), |(section, _, ready)| {
            let document = gloo::utils::document();
            if let (Some(section), true) = (section, ready)
                && let Some(element) = document.get_element_by_id(&section.element_id())
                && let Ok(Some(body)) = document.query_selector(".article-body")
            {
                // Only the lesson scrolls (scrollIntoView would scroll the page too, and on a phone
                // shift the whole screen).
                let top = element.get_bounding_client_rect().top() - body.get_bounding_client_rect().top();
                body.set_scroll_top(body.scroll_top() + top as i32);
                if let Some(heading) = element
                    .query_selector("h2")
                    .ok()
                    .flatten()
                    .and_then(|h| h.dyn_into::<HtmlElement>().ok())
                {
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    let _ = heading.focus_with_options(&options);
                }
            }
        });
    }
    let Some(section) = props.section else {
        return html! {};
    };
    let body = match &*lesson {
        Lesson::Ready(html) => Html::from_html_unchecked(html.clone()),
        Lesson::Failed(why) => html! { <p class="view-error" role="alert">{ format!("Sorry: {why}.") }</p> },
        Lesson::NotLoaded | Lesson::Loading => {
            html! { <p class="hint" role="status">{ "Loading the lesson…" }</p> }
        }
    };
    let onclose = {
        let onclose = props.onclose.clone();
        move |_| onclose.emit(())
    };
    html! {
        <aside class="article-panel" data-testid="article" data-section={section.slug()}
               data-loaded={matches!(*lesson, Lesson::Ready(_)).to_string()} aria-label="Lesson">
            <div class="article-bar">
                <span class="article-title">{ "Lesson" }</span>
                <button type="button" class="icon article-close" data-testid="article-close" onclick={onclose}
                        aria-label="Close the lesson (Escape)" title="Close (Esc)">{ "×" }</button>
            </div>
            <div class="article-body">{ body }</div>
        </aside>
    }
}
