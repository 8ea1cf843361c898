//! A small grid of numbers (a kernel window's values, weights or products), each cell coloured
//! on the diverging scale and carrying its exact value for tests.

use ndarray::Array2;
use yew::prelude::*;

use crate::color;
use crate::format;

/// Props of [`NumberGrid`].
#[derive(Properties, PartialEq)]
pub struct NumberGridProps {
    /// The values, `[rows, columns]`.
    pub values: Array2<f32>,
    /// Symmetric colour range for the cell backgrounds.
    pub range: f32,
    /// Test-id prefix: cell `(r, c)` gets `{prefix}-{r}-{c}`; none when empty.
    #[prop_or_default]
    pub test_prefix: AttrValue,
    /// Cells to mark (e.g. a pooling winner).
    #[prop_or_default]
    pub marked: Vec<(usize, usize)>,
    /// Cells that lie on padding (shown hatched).
    #[prop_or_default]
    pub padding: Option<Array2<bool>>,
    /// Decimals to print (4 by default).
    #[prop_or(4)]
    pub decimals: usize,
    /// Accessible name of the grid.
    pub label: AttrValue,
    /// Extra CSS classes.
    #[prop_or_default]
    pub class: Classes,
}

/// A grid of numbers.
#[component]
pub fn NumberGrid(props: &NumberGridProps) -> Html {
    let (rows, cols) = props.values.dim();
    let style = format!("grid-template-columns: repeat({cols}, auto)");
    let cells = props.values.indexed_iter().map(|((r, c), &v)| {
        let bg = color::diverging(v, props.range);
        let fg = if color::needs_light_text(bg) {
            "#fff"
        } else {
            "#111"
        };
        let style = format!("background:{};color:{fg}", color::css(bg));
        let on_padding = props.padding.as_ref().is_some_and(|p| p[[r, c]]);
        let classes = classes!(
            "cell",
            props.marked.contains(&(r, c)).then_some("marked"),
            on_padding.then_some("padding")
        );
        let test_id = (!props.test_prefix.is_empty()).then(|| format!("{}-{r}-{c}", props.test_prefix));
        html! {
            <span class={classes} style={style} data-testid={test_id} data-value={format::exact(v)}>
                { format::number(v, props.decimals) }
            </span>
        }
    });
    html! {
        <div class={classes!("number-grid", props.class.clone())} style={style} role="group"
             aria-label={format!("{} ({rows}×{cols})", props.label)}>
            { for cells }
        </div>
    }
}
