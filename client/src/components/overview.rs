//! The whole network on one screen: the input's colour channels, every neuron of every conv,
//! ReLU and pooling layer as its activation heatmap, and the class probabilities. Hover or
//! keyboard focus highlights a neuron's incoming edges and reads out the value under the
//! pointer; Enter or a click opens its explanation. A layer's label opens the lesson there.

use shared::{Focus, View};
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};
use yew::prelude::*;

use crate::article::{self, ArticleOpener};
use crate::components::class_bars::ClassBars;
use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::overview_edges::OverviewEdges;
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::hooks::use_element_size;
use crate::layout::{self, Cell, ColumnKind, Direction};
use crate::model;
use crate::navigation;
use crate::scene::Scene;
use crate::shared_ref::Shared;

/// Props of [`Overview`].
#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    /// The traced input.
    pub scene: Shared<Scene>,
    /// Its painted maps.
    pub heatmaps: Shared<HeatmapSet>,
    /// The current focus (for detail labels and the neuron we came back from).
    pub focus: Focus,
    /// Navigate to a new focus (opening a neuron).
    pub onnavigate: Callback<Focus>,
    /// Report what is under the pointer or keyboard focus (for the read-out).
    pub onreadout: Callback<Option<String>>,
}

/// The test id of a neuron tile, as the browser tests expect.
fn test_id(kind: ColumnKind, layer: Option<usize>, row: usize) -> String {
    match (kind, layer) {
        (ColumnKind::Input, _) | (_, None) => format!("input-{row}"),
        (ColumnKind::Output, _) => format!("class-{row}"),
        (_, Some(layer)) => format!("neuron-{layer}-{row}"),
    }
}

fn cell_key(cell: Cell) -> String {
    format!("{}-{}", cell.column, cell.row)
}

/// The overview.
#[component]
pub fn Overview(props: &OverviewProps) -> Html {
    let container = use_node_ref();
    let (width, height) = use_element_size(container.clone());
    let scene = props.scene.clone();
    let columns = scene.columns.clone();
    let layout = {
        let columns = columns.clone();
        use_memo((columns, width as u32, height as u32), move |(columns, w, h)| {
            layout::compute(columns, *w as f32, (*h as f32).max(320.0))
        })
    };
    // The neuron we came back from, so the overview shows where we were.
    let came_from = (props.focus.view == View::Overview).then(|| {
        columns
            .iter()
            .position(|c| c.layer == Some(usize::from(props.focus.layer)))
            .map(|column| Cell {
                column,
                row: usize::from(props.focus.neuron).min(columns[column].neurons.saturating_sub(1)),
            })
    });
    let hovered = use_state_eq(|| None::<Cell>);
    let highlighted = (*hovered).or(came_from.flatten());

    let open = {
        let onnavigate = props.onnavigate.clone();
        let focus = props.focus;
        let columns = columns.clone();
        move |cell: Cell| {
            if let Some(layer) = columns.get(cell.column).and_then(|c| c.layer) {
                onnavigate.emit(navigation::open(model::network(), &focus, layer, cell.row));
            }
        }
    };

    let onkeydown = {
        let layout = layout.clone();
        let hovered = hovered.clone();
        move |e: KeyboardEvent| {
            let direction = match e.key().as_str() {
                "ArrowLeft" => Direction::Left,
                "ArrowRight" => Direction::Right,
                "ArrowUp" => Direction::Up,
                "ArrowDown" => Direction::Down,
                _ => return,
            };
            let Some(from) = *hovered else { return };
            e.prevent_default();
            let to = layout::neighbor(&layout, from, direction);
            focus_cell(to);
        }
    };

    let value_text = {
        let scene = scene.clone();
        move |cell: Cell, pixel: Option<(usize, usize)>| -> String {
            let spec = scene.columns[cell.column];
            let name = model::layer_name(spec.layer);
            if spec.kind == ColumnKind::Output {
                let class = model::network()
                    .class_names()
                    .get(cell.row)
                    .cloned()
                    .unwrap_or_default();
                let p = scene.probabilities.get(cell.row).copied().unwrap_or(0.0);
                return format!("{class}: probability {}", format::percent(p));
            }
            let neuron = if spec.kind == ColumnKind::Input {
                ["red", "green", "blue"]
                    .get(cell.row)
                    .map_or(format!("channel {}", cell.row), |c| format!("{c} channel"))
            } else {
                format!("{name} neuron {}", cell.row)
            };
            match (pixel, scene.map(spec.layer, cell.row)) {
                (Some((y, x)), Some(map)) => {
                    format!("{neuron}, pixel ({y}, {x}): {}", format::value(map[[y, x]]))
                }
                _ => neuron,
            }
        }
    };

    let tiles = layout.columns.iter().enumerate().flat_map(|(column, placed)| {
        let spec = placed.spec;
        placed
            .tiles
            .iter()
            .enumerate()
            .filter(move |_| spec.kind != ColumnKind::Output)
            .map({
                let scene = scene.clone();
                let heatmaps = props.heatmaps.clone();
                let hovered = hovered.clone();
                let onreadout = props.onreadout.clone();
                let open = open.clone();
                let value_text = value_text.clone();
                let sources = highlighted
                    .map(|h| layout::sources(&columns, h))
                    .unwrap_or_default();
                let tile_size = layout.tile;
                move |(row, rect)| {
                    let cell = Cell { column, row };
                    let Some(pixels) = heatmaps.get(spec.layer, row).cloned() else {
                        return html! {};
                    };
                    let (map_h, map_w) = (pixels.height, pixels.width);
                    let onpointermove = {
                        let hovered = hovered.clone();
                        let onreadout = onreadout.clone();
                        let value_text = value_text.clone();
                        move |e: PointerEvent| {
                            let pixel = layout::pixel_at(
                                e.offset_x() as f32,
                                e.offset_y() as f32,
                                tile_size,
                                map_h,
                                map_w,
                            );
                            hovered.set(Some(cell));
                            onreadout.emit(Some(value_text(cell, pixel)));
                        }
                    };
                    let onfocus = {
                        let hovered = hovered.clone();
                        let onreadout = onreadout.clone();
                        let value_text = value_text.clone();
                        move |_| {
                            hovered.set(Some(cell));
                            onreadout.emit(Some(value_text(cell, None)));
                        }
                    };
                    let onpointerleave = {
                        let hovered = hovered.clone();
                        let onreadout = onreadout.clone();
                        move |_| {
                            hovered.set(None);
                            onreadout.emit(None);
                        }
                    };
                    let onclick = {
                        let open = open.clone();
                        move |_| open(cell)
                    };
                    let (lo, hi) = scene
                        .map(spec.layer, row)
                        .map(|m| {
                            m.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                                (a.min(v), b.max(v))
                            })
                        })
                        .unwrap_or((0.0, 0.0));
                    let what = if spec.kind == ColumnKind::Input {
                        value_text(cell, None)
                    } else {
                        format!("{} neuron {row}", model::layer_name(spec.layer))
                    };
                    let action = if spec.kind == ColumnKind::Input {
                        ""
                    } else {
                        " Press Enter to explain it."
                    };
                    let label = format!(
                        "{what}: {map_h}×{map_w} map, values from {} to {}.{action}",
                        format::value(lo),
                        format::value(hi)
                    );
                    let classes = classes!(
                        "tile",
                        (highlighted == Some(cell)).then_some("highlighted"),
                        sources.contains(&cell).then_some("source"),
                    );
                    let style = format!(
                        "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px",
                        rect.x, rect.y, rect.width, rect.height
                    );
                    html! {
                        <button
                            key={cell_key(cell)}
                            class={classes}
                            style={style}
                            data-testid={test_id(spec.kind, spec.layer, row)}
                            data-cell={cell_key(cell)}
                            aria-label={label}
                            {onpointermove}
                            {onpointerleave}
                            {onfocus}
                            {onclick}
                        >
                            <HeatmapCanvas pixels={pixels} />
                        </button>
                    }
                }
            })
    });

    // Neighbouring labels are staggered in detail mode, so long names never overlap.
    let opener = use_context::<ArticleOpener>();
    let labels = layout.columns.iter().enumerate().map(|(index, placed)| {
        let spec = placed.spec;
        let name = if spec.kind == ColumnKind::Output {
            "output".to_owned()
        } else {
            model::layer_name(spec.layer)
        };
        let short = match spec.kind {
            ColumnKind::Input => "input".to_owned(),
            ColumnKind::Output => "output".to_owned(),
            _ => name
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
                .to_owned(),
        };
        let text = if props.focus.show_detail && spec.kind != ColumnKind::Output {
            html! { <>{ name.clone() }<br /><span class="shape">{ model::shape_text(spec.layer) }</span></> }
        } else {
            html! { short }
        };
        let top = if props.focus.show_detail && index % 2 == 1 {
            30.0
        } else {
            0.0
        };
        let style = format!(
            "left:{:.1}px;width:{:.1}px;top:{top}px",
            placed.x - layout.tile,
            placed.width + 2.0 * layout.tile
        );
        // The label opens the lesson's section on this kind of layer.
        let section = article::for_column(spec.kind);
        let onclick = {
            let opener = opener.clone();
            move |_| {
                if let Some(ArticleOpener(open)) = &opener {
                    open.emit(section);
                }
            }
        };
        html! {
            <div class="column-label" style={style}>
                <button type="button" class="label-link" data-testid={format!("label-{index}")} {onclick}
                        title={format!("Read about {}", section.topic())}>{ text }</button>
            </div>
        }
    });

    let output = layout
        .columns
        .iter()
        .enumerate()
        .find(|(_, c)| c.spec.kind == ColumnKind::Output)
        .map(|(column, placed)| {
            let onhover = {
                let hovered = hovered.clone();
                let onreadout = props.onreadout.clone();
                let value_text = value_text.clone();
                Callback::from(move |row: Option<usize>| {
                    let cell = row.map(|row| Cell { column, row });
                    hovered.set(cell);
                    onreadout.emit(cell.map(|c| value_text(c, None)));
                })
            };
            let onopen = {
                let open = open.clone();
                Callback::from(move |row: usize| open(Cell { column, row }))
            };
            let highlighted_row = highlighted.filter(|h| h.column == column).map(|h| h.row);
            html! {
                <ClassBars
                    {column}
                    rects={placed.tiles.clone()}
                    probabilities={scene.probabilities.clone()}
                    predicted={scene.predicted}
                    highlighted={highlighted_row}
                    {onhover}
                    {onopen}
                />
            }
        });

    let style = format!("height:{:.0}px", layout.height);
    html! {
        <div class="overview" ref={container} {onkeydown} role="group"
             aria-label="The network: every neuron's activation map. Arrow keys move between neurons, Enter explains one.">
            <div class="overview-canvas" style={style}>
                <OverviewEdges layout={Shared(layout.clone())} highlighted={highlighted} />
                { for labels }
                { for tiles }
                { output.unwrap_or_default() }
            </div>
        </div>
    }
}

/// Moves keyboard focus to a neuron tile (or class row).
fn focus_cell(cell: Cell) {
    let selector = format!("[data-cell=\"{}\"]", cell_key(cell));
    if let Ok(Some(element)) = gloo::utils::document().query_selector(&selector)
        && let Ok(element) = wasm_bindgen::JsCast::dyn_into::<HtmlElement>(element)
    {
        let _ = element.focus();
    }
}
