//! The whole network on one screen: the input's colour channels, every neuron of every conv,
//! ReLU and pooling layer as its activation heatmap, and the class probabilities. Hover or
//! keyboard focus highlights a neuron's incoming edges and reports where it is for the
//! read-out; Enter or a click opens its explanation; a layer's label opens the lesson there. With
//! details on, each column shows its values' range and each group of columns sharing a colour
//! range its numeric legend.

use shared::{Focus, View};
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};
use yew::prelude::*;

use crate::article::{self, ArticleOpener};
use crate::components::class_bars::ClassBars;
use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::legend::{LegendScale, legend};
use crate::components::overview_edges::OverviewEdges;
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::hooks::use_element_size;
use crate::layout::{self, Cell, ColumnKind, Direction, Layout, Margins};
use crate::model;
use crate::navigation;
use crate::readout::{self, Pointed};
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
    /// Report where the pointer or keyboard focus is (for the read-out).
    pub onpoint: Callback<Option<Pointed>>,
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
    let show_detail = props.focus.show_detail;
    let measured = use_element_size(container.clone(), show_detail);
    let scene = props.scene.clone();
    let columns = scene.columns.clone();
    let layout = {
        let columns = columns.clone();
        let key = (
            columns,
            measured.width as u32,
            measured.height as u32,
            (measured.rem * 4.0) as u32,
            show_detail,
        );
        use_memo(key, move |(columns, w, h, rem4, legends)| {
            let margins = Margins::for_font((*rem4 as f32 / 4.0).max(8.0), *legends);
            layout::compute(columns, *w as f32, (*h as f32).max(240.0), margins)
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
                let onpoint = props.onpoint.clone();
                let open = open.clone();
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
                        let onpoint = onpoint.clone();
                        move |e: PointerEvent| {
                            let pixel = layout::pixel_at(
                                e.offset_x() as f32,
                                e.offset_y() as f32,
                                tile_size,
                                map_h,
                                map_w,
                            );
                            hovered.set(Some(cell));
                            onpoint.emit(Some(Pointed { cell, pixel }));
                        }
                    };
                    let onfocus = {
                        let hovered = hovered.clone();
                        let onpoint = onpoint.clone();
                        move |_| {
                            hovered.set(Some(cell));
                            onpoint.emit(Some(Pointed { cell, pixel: None }));
                        }
                    };
                    let onleave = {
                        let hovered = hovered.clone();
                        let onpoint = onpoint.clone();
                        move || {
                            hovered.set(None);
                            onpoint.emit(None);
                        }
                    };
                    let onpointerleave = {
                        let onleave = onleave.clone();
                        move |_| onleave()
                    };
                    let onblur = move |_| onleave();
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
                    let what = readout::neuron_name(spec.kind, spec.layer, row);
                    let action = if spec.kind == ColumnKind::Input {
                        ""
                    } else {
                        " Press Enter to explain it."
                    };
                    let label = if spec.kind != ColumnKind::Input && lo == 0.0 && hi == 0.0 {
                        format!(
                            "{what}: {map_h}×{map_w} map, every value 0 (silent for this picture).{action}"
                        )
                    } else {
                        format!(
                            "{what}: {map_h}×{map_w} map, values from {} to {}.{action}",
                            format::value(lo),
                            format::value(hi)
                        )
                    };
                    // A silent neuron (every value 0) says so instead of looking like an empty box.
                    let all_zero = spec.kind != ColumnKind::Input && lo == 0.0 && hi == 0.0;
                    let classes = classes!(
                        "tile",
                        all_zero.then_some("all-zero"),
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
                            data-all-zero={all_zero.then_some("true")}
                            aria-label={label}
                            {onpointermove}
                            {onpointerleave}
                            {onfocus}
                            {onblur}
                            {onclick}
                        >
                            <HeatmapCanvas pixels={pixels} />
                            if all_zero {
                                <span class="zero-mark" aria-hidden="true">{ "0" }</span>
                            }
                        </button>
                    }
                }
            })
    });

    // Labels alternate between two rows, each as wide as the room to the next label on its row,
    // so long names never run into each other (a phone's narrow columns included).
    let label_boxes = layout::label_boxes(&layout);
    let rem = if measured.rem > 0.0 { measured.rem } else { 16.0 };
    let opener = use_context::<ArticleOpener>();
    let labels = layout
        .columns
        .iter()
        .zip(&label_boxes)
        .enumerate()
        .map(|(index, (placed, place))| {
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
            // The type shrinks to the label's room where columns are narrow (a phone), so a name
            // never wraps onto the tiles: about 0.62 em per character is enough for these names.
            let fit = |text: &str, rem_share: f32| {
                let chars = text.chars().count().max(1) as f32;
                (rem_share * rem).min(place.width / (chars * 0.62))
            };
            let text = if show_detail && spec.kind != ColumnKind::Output {
                let shape = model::shape_text(spec.layer);
                let shape_style = format!("font-size:{:.1}px", fit(&shape, 0.7));
                html! { <>{ name.clone() }<br /><span class="shape" style={shape_style}>{ shape }</span></> }
            } else {
                html! { short.clone() }
            };
            let shown = if show_detail && spec.kind != ColumnKind::Output {
                &name
            } else {
                &short
            };
            let style = format!(
                "left:{:.1}px;width:{:.1}px;top:{:.1}px;font-size:{:.1}px",
                place.x,
                place.width,
                place.row as f32 * layout.label_height / 2.0,
                fit(shown, 0.78)
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
                <div class="column-label" style={style} data-layer={name.clone()}>
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
                let onpoint = props.onpoint.clone();
                Callback::from(move |row: Option<usize>| {
                    let cell = row.map(|row| Cell { column, row });
                    hovered.set(cell);
                    onpoint.emit(cell.map(|cell| Pointed { cell, pixel: None }));
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

    let legends = show_detail.then(|| legend_footer(&scene, &layout, props.focus.color_range, rem));
    let style = format!("width:{:.0}px;height:{:.0}px", layout.width, layout.height);
    html! {
        <div class="overview" ref={container} {onkeydown} role="group" data-testid="overview"
             aria-label="The network: every neuron's activation map. Arrow keys move between neurons, Enter explains one.">
            <div class="overview-canvas" style={style}>
                <OverviewEdges layout={Shared(layout.clone())} highlighted={highlighted} />
                { for labels }
                { for tiles }
                { output.unwrap_or_default() }
                { legends.unwrap_or_default() }
            </div>
        </div>
    }
}

/// Under each column, its values' largest and smallest; under each group of columns sharing a
/// colour range, that range's legend (ends and zero labelled, the group's extremes marked).
fn legend_footer(scene: &Scene, layout: &Layout, mode: shared::ColorRange, rem: f32) -> Html {
    let font = (layout.tile * 0.4).min(0.7 * rem);
    let ranges = layout.columns.iter().filter_map(|placed| {
        let (id, (min, max)) = match (placed.spec.kind, placed.spec.layer) {
            (ColumnKind::Input, _) => ("input".to_owned(), scene.input_extremes),
            (ColumnKind::Output, _) | (_, None) => return None,
            (_, Some(layer)) => (layer.to_string(), *scene.extremes.get(layer)?),
        };
        let pitch = layout.tile * 1.5;
        let style = format!(
            "left:{:.1}px;width:{:.1}px;top:{:.1}px;font-size:{font:.1}px",
            (placed.x + placed.width / 2.0 - pitch / 2.0).max(0.0),
            pitch,
            layout.footer_top + 2.0
        );
        Some(html! {
            <div class="column-range" {style} data-testid={format!("range-{id}")}
                 data-min={format::exact(min)} data-max={format::exact(max)}
                 title="The largest and smallest value in this column"
                 aria-label={format!("values from {} to {}", format::short(min), format::short(max))}>
                <span class="range-max">{ "▲" }{ format::short(max) }</span>
                <span class="range-min">{ "▼" }{ format::short(min) }</span>
            </div>
        })
    });
    let legend_top = layout.footer_top + 2.0 + 2.4 * font + 4.0;
    let place = |first: usize, last: usize| {
        let (a, b) = (&layout.columns[first], &layout.columns[last]);
        format!(
            "left:{:.1}px;width:{:.1}px;top:{legend_top:.1}px;font-size:{font:.1}px",
            a.x,
            b.x + b.width - a.x
        )
    };
    // The input's fixed [0, 1] scale, then each range group's.
    let input = layout
        .columns
        .iter()
        .position(|c| c.spec.kind == ColumnKind::Input)
        .map(|column| {
            (
                LegendScale::Input,
                scene.input_extremes,
                "legend-input".to_owned(),
                column,
                column,
            )
        });
    // A legend also takes the gap after its columns (a group can be two tiles wide), up to the
    // next legend's columns.
    let widen = |first: usize, last: usize| -> String {
        let style = place(first, last);
        match layout.columns.get(last + 1) {
            Some(next) => format!(
                "{style};width:{:.1}px",
                next.x - layout.columns[first].x - 0.4 * layout.tile
            ),
            None => style,
        }
    };
    let groups = scene.color_groups(mode).into_iter().filter_map(|group| {
        let (first, last) = (*group.columns.first()?, *group.columns.last()?);
        let first_layer = layout.columns[first].spec.layer?;
        Some((
            LegendScale::Diverging(group.range),
            (group.min, group.max),
            format!("legend-group-{first_layer}"),
            first,
            last,
        ))
    });
    let legends = input
        .into_iter()
        .chain(groups)
        .map(|(scale, extremes, id, first, last)| {
            legend(scale, extremes, None, &id, Some(widen(first, last)))
        });
    html! { <>{ for ranges }{ for legends }</> }
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
