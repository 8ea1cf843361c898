//! The text alternative of an activation map: its values as a table, built only when opened
//! (a 62×62 map is 3,844 numbers), with the current pixel marked.

use ndarray::Array2;
use yew::prelude::*;

use crate::format;

/// Props of [`ValuesTable`].
#[derive(Properties, PartialEq)]
pub struct ValuesTableProps {
    /// What the map is, e.g. "conv_1_2 #3".
    pub title: AttrValue,
    /// The map's values, `[H, W]`.
    pub values: Array2<f32>,
    /// The pixel to mark, if any.
    #[prop_or_default]
    pub current: Option<(usize, usize)>,
}

/// A "Show values" disclosure with the map as a table.
#[component]
pub fn ValuesTable(props: &ValuesTableProps) -> Html {
    let open = use_state_eq(|| false);
    let toggle = {
        let open = open.clone();
        move |_| open.set(!*open)
    };
    let (h, w) = props.values.dim();
    let table = open.then(|| {
        let header = (0..w).map(|x| html! { <th scope="col">{ x }</th> });
        let rows = (0..h).map(|y| {
            let cells = (0..w).map(|x| {
                let current = props.current == Some((y, x));
                html! { <td class={classes!(current.then_some("current"))}>{ format::number(props.values[[y, x]], 2) }</td> }
            });
            html! { <tr><th scope="row">{ y }</th>{ for cells }</tr> }
        });
        html! {
            <div class="values-scroll">
                <table class="values-table">
                    <caption>{ format!("{}: {h}×{w} values (row, column)", props.title) }</caption>
                    <thead><tr><th></th>{ for header }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        }
    });
    html! {
        <div class="values">
            <button class="button" onclick={toggle} aria-expanded={open.to_string()}>
                { if *open { "Hide values" } else { "Show values" } }
            </button>
            { table.unwrap_or_default() }
        </div>
    }
}
