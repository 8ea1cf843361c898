//! The overview's edges as one SVG behind the tiles: all edges in a light tone (drawn once per
//! layout), plus the highlighted neuron's incoming edges on top.

use yew::prelude::*;

use crate::layout::{self, Cell, Layout};
use crate::shared_ref::Shared;

/// Props of [`OverviewEdges`].
#[derive(Properties, PartialEq)]
pub struct OverviewEdgesProps {
    /// The laid-out overview.
    pub layout: Shared<Layout>,
    /// The neuron whose incoming edges stand out.
    pub highlighted: Option<Cell>,
    /// Faded out while the overview is opened around a neuron (its own flow edges show).
    #[prop_or_default]
    pub hidden: bool,
}

fn path(layout: &Layout, from: Cell, to: Cell) -> Option<String> {
    let a = layout.columns.get(from.column)?.tiles.get(from.row)?;
    let b = layout.columns.get(to.column)?.tiles.get(to.row)?;
    Some(layout::link_path(a.right_mid(), b.left_mid()))
}

/// Props of [`AllEdges`].
#[derive(Properties, PartialEq)]
struct AllEdgesProps {
    layout: Shared<Layout>,
}

/// Every edge but those of very dense pairs of columns ([`layout::background_edges`]), as one
/// path element (cheap to draw, re-rendered only on resize).
#[component]
fn AllEdges(props: &AllEdgesProps) -> Html {
    let specs: Vec<_> = props.layout.columns.iter().map(|c| c.spec).collect();
    let d: String = layout::background_edges(&specs)
        .into_iter()
        .filter_map(|(from, to)| path(&props.layout, from, to))
        .collect();
    html! { <path class="edge" d={d} /> }
}

/// The edge layer.
#[component]
pub fn OverviewEdges(props: &OverviewEdgesProps) -> Html {
    let layout = &props.layout;
    let specs: Vec<_> = layout.columns.iter().map(|c| c.spec).collect();
    let active: String = props
        .highlighted
        .map(|cell| {
            layout::sources(&specs, cell)
                .into_iter()
                .filter_map(|from| path(layout, from, cell))
                .collect()
        })
        .unwrap_or_default();
    html! {
        <svg class={classes!("edges", props.hidden.then_some("hidden"))} width={format!("{:.0}", layout.width)} height={format!("{:.0}", layout.height)} aria-hidden="true">
            <AllEdges layout={layout.clone()} />
            <path class="edge active" d={active} />
        </svg>
    }
}
