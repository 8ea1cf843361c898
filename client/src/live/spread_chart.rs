//! How the class answered, drawn as counts (never names): a bar per class, a grid of counts per
//! cell, or a histogram of typed numbers; after the reveal the right answer is marked, and a
//! student's own answer too.

use shared::{Answer, Ask, Correct, Spread};
use yew::prelude::*;

use crate::format;
use crate::model;

/// Props of [`SpreadChart`].
#[derive(Properties, PartialEq)]
pub struct SpreadChartProps {
    /// The question.
    pub ask: Ask,
    /// The counts.
    pub spread: Spread,
    /// The right answer, once revealed.
    #[prop_or_default]
    pub correct: Option<Correct>,
    /// This student's answer (students only).
    #[prop_or_default]
    pub mine: Option<Answer>,
}

/// One bar: its label, count, and whether it is the right answer or this student's.
struct Bar {
    label: String,
    count: u32,
    right: bool,
    mine: bool,
}

/// The answers' spread.
#[component]
pub fn SpreadChart(props: &SpreadChartProps) -> Html {
    let bars = bars(props);
    let most = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    if let (Ask::PickCell { width, .. }, Spread::Cells(_)) = (props.ask, &props.spread) {
        let style = format!("grid-template-columns: repeat({width}, 1fr)");
        return html! {
            <div class="spread-cells" data-testid="spread" {style}>
                { for bars.iter().map(|bar| html! {
                    <span class={classes!("spread-cell", bar.right.then_some("spread--right"), bar.mine.then_some("spread--mine"))}
                        data-count={bar.count.to_string()} title={bar.label.clone()}
                        style={format!("--share: {:.2}", f64::from(bar.count) / f64::from(most))}>
                        { bar.count }
                    </span>
                }) }
            </div>
        };
    }
    html! {
        <ol class="spread-bars" data-testid="spread">
            { for bars.iter().map(|bar| html! {
                <li class={classes!("spread-bar", bar.right.then_some("spread--right"), bar.mine.then_some("spread--mine"))}
                    data-count={bar.count.to_string()}>
                    <span class="spread-label">{ &bar.label }</span>
                    <span class="spread-track">
                        <span class="spread-fill" style={format!("width: {:.1}%", 100.0 * f64::from(bar.count) / f64::from(most))}></span>
                    </span>
                    <span class="spread-count">{ bar.count }</span>
                </li>
            }) }
        </ol>
    }
}

fn bars(props: &SpreadChartProps) -> Vec<Bar> {
    let names = model::network().class_names();
    let is_right = |answer: Answer| props.correct.is_some_and(|c| c.accepts(&answer));
    let is_mine = |answer: Answer| props.mine == Some(answer);
    match &props.spread {
        Spread::Classes(counts) => counts
            .iter()
            .enumerate()
            .map(|(class, &count)| {
                let answer = Answer::Class(class as u16);
                Bar {
                    label: names
                        .get(class)
                        .cloned()
                        .unwrap_or_else(|| format!("class {class}")),
                    count,
                    right: is_right(answer),
                    mine: is_mine(answer),
                }
            })
            .collect(),
        Spread::Cells(counts) => {
            let width = match props.ask {
                Ask::PickCell { width, .. } => usize::from(width.max(1)),
                _ => 1,
            };
            counts
                .iter()
                .enumerate()
                .map(|(cell, &count)| {
                    let answer = Answer::Cell(cell as u16);
                    Bar {
                        label: format!("row {}, column {}: {count}", cell / width, cell % width),
                        count,
                        right: is_right(answer),
                        mine: is_mine(answer),
                    }
                })
                .collect()
        }
        Spread::Values { low, width, counts } => counts
            .iter()
            .enumerate()
            .map(|(bin, &count)| {
                let from = low + bin as f32 * width;
                let to = from + width;
                let inside = |v: f32| v >= from && (v < to || bin + 1 == counts.len() && v <= to);
                let right = match props.correct {
                    Some(Correct::Value { value, .. }) => inside(value),
                    _ => false,
                };
                let mine = matches!(props.mine, Some(Answer::Value(v)) if inside(v));
                Bar {
                    label: format!("{} to {}", format::number(from, 2), format::number(to, 2)),
                    count,
                    right,
                    mine,
                }
            })
            .collect(),
    }
}
