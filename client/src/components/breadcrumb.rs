//! Where am I: the path from the overview to the open explanation, each level clickable, plus
//! the back button (Escape).

use shared::{Focus, View};
use yew::prelude::*;

use crate::model;
use crate::navigation::{self, Screen};

/// Props of [`Breadcrumb`].
#[derive(Properties, PartialEq)]
pub struct BreadcrumbProps {
    /// The current focus.
    pub focus: Focus,
    /// Navigate to a level.
    pub onnavigate: Callback<Focus>,
}

/// The breadcrumb bar.
#[component]
pub fn Breadcrumb(props: &BreadcrumbProps) -> Html {
    let net = model::network();
    let focus = props.focus;
    let screen = navigation::screen(net, &focus);
    // Levels from the top: each one the result of going back from the next.
    let mut levels = vec![focus];
    while levels.last().is_some_and(|f| f.view != View::Overview) {
        let up = navigation::back(net, levels.last().expect("not empty"));
        levels.push(up);
    }
    levels.reverse();
    let name = |f: &Focus| -> String {
        let layer = usize::from(f.layer);
        match navigation::screen(net, f) {
            Screen::Overview => "Overview".to_owned(),
            Screen::Conv => format!("input channel {}", f.channel),
            Screen::ConvInContext | Screen::Relu | Screen::Pool => {
                format!("{} · neuron {}", model::layer_name(Some(layer)), f.neuron)
            }
            Screen::ClassInContext => {
                let class = net
                    .class_names()
                    .get(usize::from(f.neuron))
                    .cloned()
                    .unwrap_or_default();
                format!("output “{class}”")
            }
            Screen::Flatten => "flatten & dense".to_owned(),
            Screen::Softmax => "softmax".to_owned(),
            Screen::Playground => "hyperparameter playground".to_owned(),
        }
    };
    let count = levels.len();
    let items = levels.iter().enumerate().map(|(i, level)| {
        let text = name(level);
        if i + 1 == count {
            html! { <li aria-current="location">{ text }</li> }
        } else {
            let onclick = {
                let onnavigate = props.onnavigate.clone();
                let level = *level;
                move |_| onnavigate.emit(level)
            };
            html! { <li><button class="link" {onclick}>{ text }</button></li> }
        }
    });
    let back = (screen != Screen::Overview).then(|| {
        let onnavigate = props.onnavigate.clone();
        let up = navigation::back(net, &focus);
        html! {
            <button class="button back" data-testid="back" onclick={move |_| onnavigate.emit(up)}
                    aria-label="Back one level (Escape)" title="Back (Esc)">{ "← Back" }</button>
        }
    });
    html! {
        <nav class="breadcrumb" aria-label="Where you are">
            { back.unwrap_or_default() }
            <ol>{ for items }</ol>
        </nav>
    }
}
