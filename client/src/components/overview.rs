//! The whole network on one screen: the input's colour channels, every neuron of every conv,
//! ReLU and pooling layer as its activation heatmap, and the class probabilities. Hover or
//! keyboard focus highlights a neuron's incoming edges and reports where it is for the
//! read-out; Enter or a click opens its explanation; a layer's label opens the lesson there. With
//! details on, each column shows its values' range and each group of columns sharing a colour
//! range its numeric legend.
//!
//! Opened around a conv neuron or a class ([`Stage`]), the same tiles move (CSS transitions on
//! their places, so Back plays the movement in reverse) to make room for what the explanation
//! adds ([`ElasticConv`], [`ElasticClass`]); above an arithmetic view it shrinks to a band.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use shared::{Focus, View};
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};
use yew::prelude::*;

use crate::article::{self, ArticleOpener};
use crate::components::class_bars::ClassBars;
use crate::components::elastic_class::ElasticClass;
use crate::components::elastic_conv::ElasticConv;
use crate::components::flip::{self, Flip, Place};
use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::legend::{LegendScale, legend};
use crate::components::overview_edges::OverviewEdges;
use crate::elastic::{self, Elastic, Expansion, Parts, Stage};
use crate::format;
use crate::heatmap_set::HeatmapSet;
use crate::hooks::use_element_size;
use crate::layout::{self, Cell, ColumnKind, Direction, Layout, Margins, Rect};
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
    /// Full or a band, and what it is opened around.
    #[prop_or(Stage::Full(None))]
    pub stage: Stage,
    /// The class linked with the softmax formula (pointed at in either).
    #[prop_or_default]
    pub linked: Option<usize>,
    /// Pointing at a logit (`Some(class)`) or leaving it.
    #[prop_or_default]
    pub onlink: Callback<Option<usize>>,
}

/// Whether the reader asked for less motion (then the layout changes at once).
fn reduced_motion() -> bool {
    gloo::utils::window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

/// How long closed parts take to fade out (the CSS fade of `.elastic.leaving`).
const LEAVING_MS: u32 = 300;
/// How long after the overview opens, closes or becomes a band its pieces move smoothly (they
/// move for [`flip::MOVE_MS`]; the band's new size is measured a frame later). Outside this
/// window a resize or the first measurement places them at once.
const MOVING_MS: f64 = 900.0;

/// Whether the overview's pieces are moving to a new stage: true in the renders during
/// [`MOVING_MS`] after the stage changed (read at render time, so no render is scheduled for
/// its end), and when the movement ends.
#[hook]
fn use_moving(stage: (Option<Expansion>, bool)) -> (bool, Settled) {
    let now = js_sys::Date::now();
    let changed = use_mut_ref(|| (stage, f64::NEG_INFINITY));
    let settled = use_memo((), |_| Settled(Rc::new(std::cell::Cell::new(f64::NEG_INFINITY))));
    let mut changed = changed.borrow_mut();
    if changed.0 != stage {
        *changed = (stage, now);
        if !reduced_motion() {
            settled.0.set(now + MOVING_MS);
        }
    }
    (now - changed.1 < MOVING_MS, (*settled).clone())
}

/// When the overview's pieces have stopped moving. While they move under a still pointer the
/// browser sends pointer events for every piece that passes under it, and each would re-render
/// the page (the hover highlight, the read-out) in the middle of the movement: the hover
/// handlers ignore them until then.
#[derive(Clone, PartialEq)]
struct Settled(Rc<std::cell::Cell<f64>>);

impl Settled {
    fn now(&self) -> bool {
        js_sys::Date::now() >= self.0.get()
    }
}

/// The expansion closed a moment ago, still drawn while it fades out; cleared after
/// [`LEAVING_MS`] or at once under reduced motion.
#[hook]
fn use_leaving(expansion: Option<Expansion>) -> Option<Expansion> {
    let leaving = use_state_eq(|| None::<Expansion>);
    let previous = use_mut_ref(|| expansion);
    let timer: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
    {
        let leaving = leaving.clone();
        use_effect_with(expansion, move |now| {
            let before = previous.replace(*now);
            match (before, now) {
                (Some(closed), None) if !reduced_motion() => {
                    leaving.set(Some(closed));
                    let leaving = leaving.clone();
                    *timer.borrow_mut() = Some(Timeout::new(LEAVING_MS, move || leaving.set(None)));
                }
                _ => {
                    timer.borrow_mut().take();
                    leaving.set(None);
                }
            }
        });
    }
    *leaving
}

/// The test id of a neuron tile, as the browser tests expect.
fn test_id(kind: ColumnKind, layer: Option<usize>, row: usize) -> String {
    match (kind, layer) {
        (ColumnKind::Input, _) | (_, None) => format!("input-{row}"),
        (ColumnKind::Output, _) => format!("class-{row}"),
        (_, Some(layer)) => format!("neuron-{layer}-{row}"),
    }
}

/// What the overview's tiles are made from: their places, maps and scene, the hovered and
/// highlighted cells, the squeezed columns, the conv expansion's source column, the movement.
type TilesKey = (
    Shared<Layout>,
    Shared<HeatmapSet>,
    Shared<Scene>,
    Option<Cell>,
    Option<Cell>,
    Vec<bool>,
    Option<usize>,
    Flip,
);

/// The box around a column's tiles.
fn column_bounds(tiles: &[Rect]) -> Rect {
    let (mut left, mut top, mut right, mut bottom) =
        (f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for tile in tiles {
        left = left.min(tile.x);
        top = top.min(tile.y);
        right = right.max(tile.x + tile.width);
        bottom = bottom.max(tile.y + tile.height);
    }
    Rect {
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
    }
}

fn cell_key(cell: Cell) -> String {
    format!("{}-{}", cell.column, cell.row)
}

/// The overview.
#[component]
pub fn Overview(props: &OverviewProps) -> Html {
    let container = use_node_ref();
    let band = matches!(props.stage, Stage::Band(_));
    let expansion = match props.stage {
        Stage::Full(expansion) => expansion,
        Stage::Band(expansion) => Some(expansion),
        Stage::Hidden => None,
    };
    let show_detail = props.focus.show_detail && !band;
    let measured = use_element_size(container.clone(), (show_detail, band));
    let scene = props.scene.clone();
    let columns = scene.columns.clone();
    let base = {
        let columns = columns.clone();
        let key = (
            columns,
            measured.width as u32,
            measured.height as u32,
            (measured.rem * 4.0) as u32,
            show_detail,
            band,
        );
        // The same places whether opened or not: the layer a neuron reads stays put.
        use_memo(key, move |(columns, w, h, rem4, legends, band)| {
            let (margins, least) = if *band {
                (Margins::band(), 40.0)
            } else {
                (Margins::for_font((*rem4 as f32 / 4.0).max(8.0), *legends), 240.0)
            };
            layout::compute(columns, *w as f32, (*h as f32).max(least), margins)
        })
    };
    let leaving = use_leaving(expansion);
    let (moving, settled) = use_moving((expansion, band));
    let flip = flip::use_flip(container.clone(), moving, reduced_motion);
    let opened = use_memo((base.clone(), expansion), |(base, expansion)| {
        expansion.and_then(|e| elastic::open(base, e))
    });
    let closing = use_memo((base.clone(), leaving), |(base, leaving)| {
        leaving.and_then(|e| elastic::open(base, e))
    });
    // The tiles' places: opened around the expansion, or the plain overview.
    let layout: Shared<Layout> = match opened.as_ref() {
        Some(elastic) => elastic.layout.clone(),
        None => Shared(base.clone()),
    };
    let squeezed = |column: usize| {
        opened
            .as_ref()
            .as_ref()
            .is_some_and(|e| e.squeezed.get(column).copied().unwrap_or(false))
    };
    // In a conv expansion the input layer's tiles open their channel's arithmetic.
    let conv_source = opened.as_ref().as_ref().and_then(|e| match &e.parts {
        Parts::Conv(parts) => Some(parts.source),
        Parts::Class(_) => None,
    });
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
    let opened_at = match expansion {
        Some(Expansion::Conv(cell)) => Some(cell),
        Some(Expansion::Class { class, .. }) => Some(Cell {
            column: columns.len().saturating_sub(1),
            row: class,
        }),
        None => None,
    };
    let highlighted = (*hovered).or(came_from.flatten()).or(opened_at);

    // The latest focus and parent callbacks, read when used: the memoised tiles below keep the
    // closures of the render that made them.
    let latest = use_mut_ref(|| (props.focus, props.onnavigate.clone(), props.onpoint.clone()));
    *latest.borrow_mut() = (props.focus, props.onnavigate.clone(), props.onpoint.clone());
    let onpoint_latest = {
        let latest = latest.clone();
        Callback::from(move |pointed: Option<Pointed>| {
            let onpoint = latest.borrow().2.clone();
            onpoint.emit(pointed);
        })
    };
    let open = {
        let latest = latest.clone();
        let columns = columns.clone();
        move |cell: Cell| {
            let (focus, onnavigate) = {
                let latest = latest.borrow();
                (latest.0, latest.1.clone())
            };
            let net = model::network();
            if conv_source == Some(cell.column) {
                onnavigate.emit(navigation::arithmetic(net, &focus, cell.row));
            } else if let Some(layer) = columns.get(cell.column).and_then(|c| c.layer) {
                onnavigate.emit(navigation::open(net, &focus, layer, cell.row));
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

    // The tiles change only with their places, maps, pointer and highlight: a playing
    // animation's steps reuse them (rebuilding ≈ 100 tiles on every step was most of each frame
    // of the band above the arithmetic).
    let squeezed_mask: Vec<bool> = (0..layout.columns.len()).map(squeezed).collect();
    let tiles = use_memo(
        (
            layout.clone(),
            props.heatmaps.clone(),
            scene.clone(),
            *hovered,
            highlighted,
            squeezed_mask,
            conv_source,
            flip.clone(),
        ),
        {
            let hovered = hovered.clone();
            let onpoint = onpoint_latest.clone();
            let open = open.clone();
            let settled = settled.clone();
            move |(layout, heatmaps, scene, _, highlighted, squeezed, _, flip): &TilesKey| {
                let squeezed = |column: usize| squeezed.get(column).copied().unwrap_or(false);
                let highlighted = *highlighted;
                let tiles = layout.columns.iter().enumerate().map(|(column, placed)| {
            let spec = placed.spec;
            if spec.kind == ColumnKind::Output || placed.tiles.is_empty() {
                return html! {};
            }
            // The column moves as one piece (one animation, not one per tile: each animated
            // piece is work on every frame of the movement); its tiles sit inside it.
            let bounds = column_bounds(&placed.tiles);
            let inner = placed
                .tiles
                .iter()
                .enumerate()
                .map({
                    let scene = scene.clone();
                    let heatmaps = heatmaps.clone();
                    let hovered = hovered.clone();
                    let onpoint = onpoint.clone();
                    let open = open.clone();
                    let settled = settled.clone();
                    let sources = highlighted
                        .map(|h| layout::sources(&scene.columns, h))
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
                            let settled = settled.clone();
                            move |e: PointerEvent| {
                                if !settled.now() {
                                    return;
                                }
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
                            let settled = settled.clone();
                            move |_| {
                                if settled.now() {
                                    onleave();
                                }
                            }
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
                        let unit = spec.layer.is_some_and(|l| scene.is_unit_column(l));
                        let label = if unit {
                            format!("{what}: {}.{action}", format::value(hi))
                        } else if spec.kind != ColumnKind::Input && lo == 0.0 && hi == 0.0 {
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
                            squeezed(column).then_some("squeezed"),
                            all_zero.then_some("all-zero"),
                            (highlighted == Some(cell)).then_some("highlighted"),
                            sources.contains(&cell).then_some("source"),
                        );
                        let style = format!(
                            "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px",
                            rect.x - bounds.x,
                            rect.y - bounds.y,
                            rect.width,
                            rect.height,
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
                                if all_zero && !unit {
                                    <span class="zero-mark" aria-hidden="true">{ "0" }</span>
                                }
                            </button>
                        }
                    }
                });
            let key = format!("column-{column}");
            let style = format!(
                "left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px{}",
                bounds.x,
                bounds.y,
                bounds.width,
                bounds.height,
                flip.style(&key, Place::of(&bounds))
            );
            html! {
                <div class={classes!("tile-column", squeezed(column).then_some("squeezed"))} {style} data-flip={key}>
                    { for inner }
                </div>
            }
        });
                html! { <>{ for tiles }</> }
            }
        },
    );

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
            let top = place.row as f32 * layout.label_height / 2.0;
            let moved = flip.style(
                &format!("label-{index}"),
                Place {
                    x: f64::from(place.x),
                    y: f64::from(top),
                    width: Some(f64::from(place.width)),
                    height: None,
                },
            );
            let style = format!(
                "left:{:.1}px;width:{:.1}px;top:{top:.1}px;font-size:{:.1}px{moved}",
                place.x,
                place.width,
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
                <div class={classes!("column-label", squeezed(index).then_some("squeezed"))} style={style} data-layer={name.clone()}
                     data-flip={format!("label-{index}")}>
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
                let settled = settled.clone();
                Callback::from(move |row: Option<usize>| {
                    if !settled.now() {
                        return;
                    }
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
                    flip={Some(flip.clone())}
                    {column}
                    rects={placed.tiles.clone()}
                    probabilities={scene.probabilities.clone()}
                    predicted={scene.predicted}
                    highlighted={highlighted_row}
                    squeezed={squeezed(column)}
                    {onhover}
                    {onopen}
                />
            }
        });

    let legends = show_detail.then(|| {
        let squeezed: Vec<bool> = (0..layout.columns.len()).map(squeezed).collect();
        // Around a conv neuron the footer under the intermediate column is free for the input
        // layer's legend.
        let free_until = opened.as_ref().as_ref().and_then(|e| match &e.parts {
            Parts::Conv(parts) => Some(parts.plus.x),
            Parts::Class(_) => None,
        });
        let opened_at = opened_at.map(|c| c.column);
        legend_footer(
            &flip,
            &scene,
            &layout,
            &squeezed,
            (opened_at, free_until),
            props.focus.color_range,
            rem,
        )
    });
    let parts = |elastic: &Elastic, leaving: bool| -> Html {
        let placed = elastic.layout.clone();
        match &elastic.parts {
            Parts::Conv(parts) => html! {
                <ElasticConv scene={props.scene.clone()} layout={placed} parts={parts.clone()}
                    focus={props.focus} {band} {leaving} onnavigate={props.onnavigate.clone()} />
            },
            Parts::Class(parts) => html! {
                <ElasticClass scene={props.scene.clone()} heatmaps={props.heatmaps.clone()} layout={placed}
                    parts={parts.clone()} focus={props.focus} {band} {leaving}
                    linked={props.linked} onlink={props.onlink.clone()} onnavigate={props.onnavigate.clone()} />
            },
        }
    };
    let added = opened
        .as_ref()
        .as_ref()
        .map(|e| parts(e, false))
        .or_else(|| closing.as_ref().as_ref().map(|e| parts(e, true)));
    let stage = match (band, expansion) {
        (true, _) => "band",
        (false, Some(_)) => "opened",
        (false, None) => "overview",
    };
    let style = format!("width:{:.0}px;height:{:.0}px", layout.width, layout.height);
    html! {
        <div class={classes!("overview", band.then_some("band"))} ref={container} {onkeydown} role="group"
             data-testid="overview" data-stage={stage}
             aria-label="The network: every neuron's activation map. Arrow keys move between neurons, Enter explains one.">
            <div class="overview-canvas" style={style}>
                <OverviewEdges layout={Shared(base.clone())} highlighted={highlighted} hidden={expansion.is_some()} />
                { added.unwrap_or_default() }
                { for labels }
                { (*tiles).clone() }
                { output.unwrap_or_default() }
                { legends.unwrap_or_default() }
            </div>
        </div>
    }
}

/// Under each column, its values' largest and smallest; under each group of columns sharing a
/// colour range, that range's legend (ends and zero labelled, the group's extremes marked).
/// Opened around column `opened_at`, the columns in `squeezed` have no range or legend, and no
/// legend reaches over to the opened column (only up to `free_until`, if given).
fn legend_footer(
    flip: &Flip,
    scene: &Scene,
    layout: &Layout,
    squeezed: &[bool],
    (opened_at, free_until): (Option<usize>, Option<f32>),
    mode: shared::ColorRange,
    rem: f32,
) -> Html {
    let font = (layout.tile * 0.4).min(0.7 * rem);
    let is_squeezed = |column: usize| squeezed.get(column).copied().unwrap_or(false);
    let opened = squeezed.iter().any(|s| *s);
    let ranges = layout
        .columns
        .iter()
        .enumerate()
        .filter(|(column, _)| !is_squeezed(*column))
        .filter_map(|(_, placed)| {
            let (id, (min, max)) = match (placed.spec.kind, placed.spec.layer) {
                (ColumnKind::Input, _) => ("input".to_owned(), scene.input_extremes),
                (ColumnKind::Output, _) | (_, None) => return None,
                (_, Some(layer)) => (layer.to_string(), *scene.extremes.get(layer)?),
            };
            let pitch = layout.tile * 1.5;
            let (x, y) = ((placed.x + placed.width / 2.0 - pitch / 2.0).max(0.0), layout.footer_top + 2.0);
            let moved = flip.style(
                &format!("range-{id}"),
                Place {
                    x: f64::from(x),
                    y: f64::from(y),
                    width: Some(f64::from(pitch)),
                    height: None,
                },
            );
            let style = format!("left:{x:.1}px;width:{pitch:.1}px;top:{y:.1}px;font-size:{font:.1}px{moved}");
            Some(html! {
                <div class="column-range" {style} data-testid={format!("range-{id}")} data-flip={format!("range-{id}")}
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
        .filter(|column| !is_squeezed(*column))
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
        let reaches = |next: usize| !is_squeezed(next) && opened_at != Some(next);
        let until = match layout.columns.get(last + 1) {
            Some(next) if reaches(last + 1) => Some(next.x),
            Some(_) => free_until,
            None => None,
        };
        match until {
            Some(x) => format!(
                "{style};width:{:.1}px",
                x - layout.columns[first].x - 0.4 * layout.tile
            ),
            None => style,
        }
    };
    let groups = scene.color_groups(mode).into_iter().filter_map(|group| {
        let (first, last) = (*group.columns.first()?, *group.columns.last()?);
        // Opened, a group's legend shows only if every column of it is in its place.
        if (first..=last).any(|c| is_squeezed(c) || (opened && opened_at == Some(c) && first != last)) {
            return None;
        }
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
