//! The "Network" entry of the self-paced app: "Open a model file…" (a network exported from
//! PyTorch) and "Back to Tiny VGG", with the open network's name or why a file was refused.
//! A plain function, like the lessons menu beside it.

use yew::prelude::*;

use crate::components::lessons_menu::{close_menu, on_file_picked};

/// What the header says about the network.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkStatus {
    /// A file is being read.
    Reading,
    /// The user's network is open (its description).
    Open(String),
    /// The last file was refused (the sentence).
    Refused(String),
}

/// The network menu: `onfile` opens a file the user picked, `onbuiltin` (when another network is
/// open) goes back to Tiny VGG.
pub fn network_menu(
    onfile: &Callback<web_sys::File>,
    onbuiltin: Option<&Callback<()>>,
    status: Option<&NetworkStatus>,
) -> Html {
    let onchange = on_file_picked(onfile);
    let back = onbuiltin.map(|onbuiltin| {
        let onbuiltin = onbuiltin.clone();
        html! {
            <button type="button" role="menuitem" data-testid="model-builtin"
                onclick={move |e: MouseEvent| { onbuiltin.emit(()); close_menu(&e); }}>{ "Back to Tiny VGG" }</button>
        }
    });
    let (text, class) = match status {
        Some(NetworkStatus::Reading) => ("Reading the model…".to_owned(), "lessons-status"),
        Some(NetworkStatus::Open(name)) => (format!("Network: {name}"), "lessons-status"),
        Some(NetworkStatus::Refused(why)) => (why.clone(), "lessons-status refused"),
        None => (String::new(), ""),
    };
    html! {
        <div class="lessons-menu-host">
            <details class="lessons-menu" data-testid="network-menu">
                <summary class="button" data-testid="network-open">{ "Network" }</summary>
                <div class="lessons-list" role="menu">
                    <label class="lessons-file" role="menuitem"
                           title="A network exported from PyTorch with scripts/export_pytorch.py">{ "Open a model file…" }
                        <input type="file" accept=".safetensors,application/octet-stream" data-testid="model-file" {onchange} />
                    </label>
                    { back.unwrap_or_default() }
                </div>
            </details>
            if status.is_some() {
                <span class={class} data-testid="model-status" role="status">{ text }</span>
            }
        </div>
    }
}
