//! Overview geometry: where each column, neuron tile and edge goes for a given container size.
//! Recomputed whenever the container is resized (the reference computed it once at mount).

/// What a column of the overview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// The input image's colour channels.
    Input,
    /// A convolution: reads every neuron of the previous column.
    Conv,
    /// An element-wise activation (ReLU): reads the same neuron of the previous column.
    Activation,
    /// Pooling: reads the same neuron of the previous column.
    Pool,
    /// A hidden dense (`Linear`) layer: one unit per row, each reading every neuron of the
    /// previous column. Drawn as a bar of thin cells, one per unit, as tall as the network.
    Dense,
    /// An element-wise activation (ReLU) of a hidden dense layer's units: a bar like it.
    VectorActivation,
    /// The output classes (bars), standing for flatten → dense → softmax.
    Output,
}

impl ColumnKind {
    /// Whether the column shows a vector's values (thin cells in a bar) rather than maps.
    pub fn is_vector(self) -> bool {
        matches!(self, ColumnKind::Dense | ColumnKind::VectorActivation)
    }
}

/// One column before layout: its kind, the network layer it shows, and how many neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// What it shows.
    pub kind: ColumnKind,
    /// Index into `Network::layers()` (the input column has none; the output column names the
    /// last layer).
    pub layer: Option<usize>,
    /// Number of neurons (channels or classes).
    pub neurons: usize,
}

/// A neuron's place in the overview: column and row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Column index.
    pub column: usize,
    /// Row (neuron) within the column.
    pub row: usize,
}

/// A placed rectangle, in CSS pixels relative to the overview's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Rect {
    /// Middle of the left side (where incoming edges end).
    pub fn left_mid(&self) -> (f32, f32) {
        (self.x, self.y + self.height / 2.0)
    }

    /// Middle of the right side (where outgoing edges start).
    pub fn right_mid(&self) -> (f32, f32) {
        (self.x + self.width, self.y + self.height / 2.0)
    }
}

/// A placed column.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedColumn {
    /// The column as specified.
    pub spec: ColumnSpec,
    /// Left edge of the column.
    pub x: f32,
    /// Width of the column (tile size, or the wider output column).
    pub width: f32,
    /// One rectangle per neuron.
    pub tiles: Vec<Rect>,
}

/// The laid-out overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Side of a neuron tile in CSS pixels.
    pub tile: f32,
    /// Total width used.
    pub width: f32,
    /// Total height used.
    pub height: f32,
    /// Height reserved at the top for column labels.
    pub label_height: f32,
    /// Where the legends under the tiles start.
    pub footer_top: f32,
    /// The columns, left to right.
    pub columns: Vec<PlacedColumn>,
}

/// Vertical space between tiles, as a fraction of the tile size.
const ROW_GAP: f32 = 0.25;
/// Gap between columns within a block, in tiles.
const NARROW_GAP: f32 = 0.5;
/// Gap before a conv column or the output: 4× wider, so blocks read as groups.
const WIDE_GAP: f32 = 2.0;
/// Width of the output (class bar) column, in tiles.
const OUTPUT_WIDTH: f32 = 4.0;
/// Tiles never get smaller or larger than this, in CSS pixels. The smallest is a comfortable
/// touch target; a container too narrow for it (a phone) scrolls sideways instead.
const TILE_MIN: f32 = 24.0;
const TILE_MAX: f32 = 96.0;
/// A vector column's cells are never thinner than this, in CSS pixels (the column grows instead).
const MIN_CELL: f32 = 4.0;
/// The gap between a vector column's cells, as a fraction of their pitch.
const CELL_GAP: f32 = 0.15;

/// The room the overview keeps around its tiles, in CSS pixels: it grows with the type size
/// (projector mode), so labels, legends and class names never collide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Height for the column labels above the tiles (two staggered rows of two lines).
    pub label: f32,
    /// Height for the legends under the tiles (0 without legends).
    pub footer: f32,
    /// The class column is never narrower than this (a class name beside its percentage).
    pub output_min: f32,
    /// Tiles never get smaller than this (a touch target in the full overview).
    pub tile_min: f32,
}

impl Margins {
    /// The margins for a root font of `rem` CSS pixels, with or without legends.
    pub fn for_font(rem: f32, legends: bool) -> Self {
        Self {
            label: 3.9 * rem,
            footer: if legends { 4.4 * rem } else { 0.0 },
            output_min: 9.5 * rem,
            tile_min: TILE_MIN,
        }
    }

    /// The margins of the network's band above an arithmetic view: no labels, legends or
    /// class names, tiles as small as it takes to show every column.
    pub fn band() -> Self {
        Self {
            label: 0.0,
            // The tiles' borders.
            footer: 4.0,
            output_min: 0.0,
            tile_min: 4.0,
        }
    }
}

impl Default for Margins {
    fn default() -> Self {
        Self::for_font(16.0, false)
    }
}

fn gap_before(index: usize, kind: ColumnKind) -> f32 {
    match (index, kind) {
        (0, _) => 0.0,
        (_, ColumnKind::Conv | ColumnKind::Dense | ColumnKind::Output) => WIDE_GAP,
        _ => NARROW_GAP,
    }
}

/// Lays out `columns` in a container of `width` × `height` CSS pixels with `margins`: the
/// largest tile size that fits both ways (but no smaller than a touch target), the whole
/// centred horizontally, each column centred vertically.
pub fn compute(columns: &[ColumnSpec], width: f32, height: f32, margins: Margins) -> Layout {
    let has_output = columns.iter().any(|c| c.kind == ColumnKind::Output);
    let width_units: f32 = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            gap_before(i, c.kind)
                + if c.kind == ColumnKind::Output {
                    OUTPUT_WIDTH
                } else {
                    1.0
                }
        })
        .sum();
    let mut tile_by_width = width / width_units.max(1.0);
    if has_output && OUTPUT_WIDTH * tile_by_width < margins.output_min {
        // The class column takes its minimum; the tiles share the rest.
        tile_by_width = (width - margins.output_min) / (width_units - OUTPUT_WIDTH).max(1.0);
    }
    // Vector columns fit their cells into the height the map columns take.
    let max_rows = columns
        .iter()
        .filter(|c| !c.kind.is_vector())
        .map(|c| c.neurons)
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    let height_units = max_rows + (max_rows - 1.0) * ROW_GAP;
    let tile = tile_by_width
        .min((height - margins.label - margins.footer) / height_units)
        .clamp(margins.tile_min, TILE_MAX);
    let output_width = (OUTPUT_WIDTH * tile).max(margins.output_min);
    let column_width = |kind: ColumnKind| {
        if kind == ColumnKind::Output {
            output_width
        } else {
            tile
        }
    };
    let used_width: f32 = columns
        .iter()
        .enumerate()
        .map(|(i, c)| gap_before(i, c.kind) * tile + column_width(c.kind))
        .sum();
    let mut x = ((width - used_width) / 2.0).max(0.0);
    let body_height = height_units * tile;
    let taller = margins.label + body_height + margins.footer > height + 0.5;
    let mut placed = Vec::with_capacity(columns.len());
    for (i, spec) in columns.iter().enumerate() {
        x += gap_before(i, spec.kind) * tile;
        let col_width = column_width(spec.kind);
        let n = spec.neurons as f32;
        // A vector's cells share the body's height (never thinner than a few pixels); a map
        // column's tiles are square with gaps.
        let (pitch, cell) = if spec.kind.is_vector() {
            let pitch = (body_height / n.max(1.0))
                .min(tile * (1.0 + ROW_GAP))
                .max(MIN_CELL / (1.0 - CELL_GAP));
            (pitch, (pitch * (1.0 - CELL_GAP)).min(tile))
        } else {
            (tile * (1.0 + ROW_GAP), tile)
        };
        let col_height = (n - 1.0).max(0.0) * pitch + cell;
        // Centred; but a network taller than the container (64 channels) scrolls, and then
        // every column starts at the top, where the reader starts.
        let top = margins.label
            + if taller {
                0.0
            } else {
                ((body_height - col_height) / 2.0).max(0.0)
            };
        let tiles = (0..spec.neurons)
            .map(|row| Rect {
                x,
                y: top + row as f32 * pitch,
                width: col_width,
                height: cell,
            })
            .collect();
        placed.push(PlacedColumn {
            spec: *spec,
            x,
            width: col_width,
            tiles,
        });
        x += col_width;
    }
    // A vector taller than the maps (its cells at their thinnest) makes the body taller.
    let body_height = placed
        .iter()
        .filter_map(|c: &PlacedColumn| c.tiles.last().map(|t| t.y + t.height - margins.label))
        .fold(body_height, f32::max);
    Layout {
        tile,
        width: width.max(used_width),
        height: margins.label + body_height + margins.footer,
        label_height: margins.label,
        footer_top: margins.label + body_height,
        columns: placed,
    }
}

/// Where a column's label goes: centred on the column, as wide as the room to the nearest
/// label on its own row (labels alternate between two rows, so each has two columns' room).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelBox {
    /// Left edge.
    pub x: f32,
    /// Width.
    pub width: f32,
    /// 0 for the upper row, 1 for the lower.
    pub row: usize,
}

/// The label boxes of `layout`'s columns, alternating rows; no two boxes on a row overlap.
pub fn label_boxes(layout: &Layout) -> Vec<LabelBox> {
    let centres: Vec<f32> = layout.columns.iter().map(|c| c.x + c.width / 2.0).collect();
    (0..centres.len())
        .map(|i| {
            let same_row = |j: Option<usize>| j.and_then(|j| centres.get(j)).map(|c| (c - centres[i]).abs());
            let room = [same_row(i.checked_sub(2)), same_row(Some(i + 2))]
                .into_iter()
                .flatten()
                .fold(f32::INFINITY, f32::min);
            // Alone on its row (a tiny network): as wide as the column and its neighbours.
            let width = if room.is_finite() {
                room
            } else {
                layout.columns[i].width + 2.0 * layout.tile
            };
            // Kept inside the overview: the first and last labels may not stick out of it.
            let left = (centres[i] - width / 2.0).max(0.0);
            let right = (centres[i] + width / 2.0).min(layout.width);
            LabelBox {
                x: left,
                width: right - left,
                row: i % 2,
            }
        })
        .collect()
}

/// The neurons `cell` reads from: the whole previous column for a conv or output neuron, the
/// same row for an activation or pooling neuron, none for the input.
pub fn sources(columns: &[ColumnSpec], cell: Cell) -> Vec<Cell> {
    let Some(spec) = columns.get(cell.column) else {
        return Vec::new();
    };
    if cell.column == 0 {
        return Vec::new();
    }
    let prev = cell.column - 1;
    match spec.kind {
        ColumnKind::Input => Vec::new(),
        ColumnKind::Conv | ColumnKind::Dense | ColumnKind::Output => (0..columns[prev].neurons)
            .map(|row| Cell { column: prev, row })
            .collect(),
        ColumnKind::Activation | ColumnKind::VectorActivation | ColumnKind::Pool => {
            if cell.row < columns[prev].neurons {
                vec![Cell {
                    column: prev,
                    row: cell.row,
                }]
            } else {
                Vec::new()
            }
        }
    }
}

/// Every edge of the overview as (source, target).
pub fn edges(columns: &[ColumnSpec]) -> Vec<(Cell, Cell)> {
    let mut out = Vec::new();
    for (column, spec) in columns.iter().enumerate() {
        for row in 0..spec.neurons {
            let target = Cell { column, row };
            out.extend(sources(columns, target).into_iter().map(|s| (s, target)));
        }
    }
    out
}

/// A fully connected pair of columns with more edges than this draws none in the background
/// (only the pointed neuron's, on hover): 64 channels into 64 are 4,096 curves, a grey mass
/// that hides the highlighted ones and is slow to draw. Tiny VGG's largest pair has 100.
pub const MAX_BACKGROUND_EDGES: usize = 1024;

/// The edges drawn in the background: [`edges`] without the pairs of columns that have more
/// than [`MAX_BACKGROUND_EDGES`].
pub fn background_edges(columns: &[ColumnSpec]) -> Vec<(Cell, Cell)> {
    edges(columns)
        .into_iter()
        .filter(|(from, to)| {
            let dense = matches!(
                columns[to.column].kind,
                ColumnKind::Conv | ColumnKind::Dense | ColumnKind::Output
            );
            !dense || columns[from.column].neurons * columns[to.column].neurons <= MAX_BACKGROUND_EDGES
        })
        .collect()
}

/// A direction of keyboard movement between neurons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Previous column.
    Left,
    /// Next column.
    Right,
    /// Previous row.
    Up,
    /// Next row.
    Down,
}

/// The neuron reached from `cell` by an arrow key: up/down within the column (stopping at the
/// ends), left/right to the tile of the neighbouring column that is vertically closest.
pub fn neighbor(layout: &Layout, cell: Cell, direction: Direction) -> Cell {
    let columns = &layout.columns;
    let Some(current) = columns.get(cell.column).and_then(|c| c.tiles.get(cell.row)) else {
        return cell;
    };
    let column_rows = columns[cell.column].tiles.len();
    let target_column = match direction {
        Direction::Up => {
            return Cell {
                row: cell.row.saturating_sub(1),
                ..cell
            };
        }
        Direction::Down => {
            return Cell {
                row: (cell.row + 1).min(column_rows.saturating_sub(1)),
                ..cell
            };
        }
        Direction::Left if cell.column > 0 => cell.column - 1,
        Direction::Right if cell.column + 1 < columns.len() => cell.column + 1,
        _ => return cell,
    };
    let centre = current.y + current.height / 2.0;
    let row = columns[target_column]
        .tiles
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| {
            let da = (a.y + a.height / 2.0 - centre).abs();
            let db = (b.y + b.height / 2.0 - centre).abs();
            da.total_cmp(&db)
        })
        .map(|(i, _)| i)
        .unwrap_or(0);
    Cell {
        column: target_column,
        row,
    }
}

/// The map pixel `(y, x)` under a pointer at `(offset_x, offset_y)` inside a square tile of side
/// `tile` showing a `map_height` × `map_width` map, or `None` outside it.
pub fn pixel_at(
    offset_x: f32,
    offset_y: f32,
    tile: f32,
    map_height: usize,
    map_width: usize,
) -> Option<(usize, usize)> {
    if tile <= 0.0 || offset_x < 0.0 || offset_y < 0.0 || offset_x >= tile || offset_y >= tile {
        return None;
    }
    let y = ((offset_y / tile) * map_height as f32) as usize;
    let x = ((offset_x / tile) * map_width as f32) as usize;
    Some((
        y.min(map_height.saturating_sub(1)),
        x.min(map_width.saturating_sub(1)),
    ))
}

/// An SVG path for a smooth horizontal link from `from` to `to` (as d3's `linkHorizontal`).
pub fn link_path(from: (f32, f32), to: (f32, f32)) -> String {
    let mid = (from.0 + to.0) / 2.0;
    format!(
        "M{:.1} {:.1}C{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
        from.0, from.1, mid, from.1, mid, to.1, to.0, to.1
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Tiny VGG's overview: input, 10 hidden layers, output (the elastic layout's tests too).
    pub(crate) fn tiny_vgg() -> Vec<ColumnSpec> {
        use ColumnKind::*;
        let mut columns = vec![ColumnSpec {
            kind: Input,
            layer: None,
            neurons: 3,
        }];
        let kinds = [
            Conv, Activation, Conv, Activation, Pool, Conv, Activation, Conv, Activation, Pool,
        ];
        for (layer, kind) in kinds.into_iter().enumerate() {
            columns.push(ColumnSpec {
                kind,
                layer: Some(layer),
                neurons: 10,
            });
        }
        columns.push(ColumnSpec {
            kind: Output,
            layer: Some(12),
            neurons: 10,
        });
        columns
    }

    #[test]
    fn tiny_vgg_has_the_reference_edge_count() {
        // 3×10 + 3×100 into conv layers, 6×10 one-to-one, 10×10 into the outputs.
        assert_eq!(edges(&tiny_vgg()).len(), 490);
    }

    #[test]
    fn sources_follow_the_layer_kind() {
        let cols = tiny_vgg();
        assert_eq!(sources(&cols, Cell { column: 1, row: 4 }).len(), 3);
        assert_eq!(
            sources(&cols, Cell { column: 2, row: 4 }),
            vec![Cell { column: 1, row: 4 }]
        );
        assert_eq!(sources(&cols, Cell { column: 11, row: 0 }).len(), 10);
        assert!(sources(&cols, Cell { column: 0, row: 0 }).is_empty());
        assert!(sources(&cols, Cell { column: 99, row: 0 }).is_empty());
    }

    fn compute(columns: &[ColumnSpec], width: f32, height: f32) -> Layout {
        super::compute(columns, width, height, Margins::default())
    }

    #[test]
    fn layout_fits_a_laptop_screen_and_nothing_overlaps() {
        for (w, h) in [(1280.0, 560.0), (1920.0, 900.0), (800.0, 400.0)] {
            let layout = compute(&tiny_vgg(), w, h);
            assert!(layout.width <= w + 0.5, "width {} in {w}", layout.width);
            assert!(layout.height <= h + 0.5, "height {} in {h}", layout.height);
            for pair in layout.columns.windows(2) {
                assert!(pair[0].x + pair[0].width <= pair[1].x, "columns overlap");
            }
            for col in &layout.columns {
                for pair in col.tiles.windows(2) {
                    assert!(pair[0].y + pair[0].height < pair[1].y, "tiles overlap");
                }
            }
        }
    }

    #[test]
    fn layout_grows_with_the_container() {
        let small = compute(&tiny_vgg(), 1280.0, 560.0);
        let large = compute(&tiny_vgg(), 2560.0, 1200.0);
        assert!(large.tile > small.tile);
        assert!(
            small.tile >= 30.0,
            "tiles stay readable at 1280 wide: {}",
            small.tile
        );
    }

    #[test]
    fn a_phone_keeps_touch_sized_tiles_and_scrolls_sideways() {
        let margins = Margins::for_font(16.0, true);
        let layout = super::compute(&tiny_vgg(), 350.0, 520.0, margins);
        assert_eq!(layout.tile, TILE_MIN);
        assert!(
            layout.width > 350.0,
            "wider than the phone: the overview scrolls sideways"
        );
        let output = layout.columns.last().unwrap();
        assert!(output.width >= margins.output_min);
        assert!(layout.height <= 520.0 + 0.5);
        assert!(layout.footer_top + margins.footer <= layout.height + 0.01);
    }

    #[test]
    fn the_class_column_keeps_room_for_names_and_percentages() {
        for rem in [16.0, 22.0] {
            let margins = Margins::for_font(rem, true);
            let layout = super::compute(&tiny_vgg(), 1240.0, 500.0, margins);
            assert!(layout.columns.last().unwrap().width >= margins.output_min);
            assert!(layout.width <= 1240.5, "{rem}: {}", layout.width);
        }
    }

    #[test]
    fn labels_on_a_row_never_overlap() {
        for (w, h) in [(1280.0, 560.0), (350.0, 500.0), (1880.0, 900.0)] {
            let layout = compute(&tiny_vgg(), w, h);
            let boxes = label_boxes(&layout);
            assert_eq!(boxes.len(), layout.columns.len());
            for row in 0..2 {
                let on_row: Vec<&LabelBox> = boxes.iter().filter(|b| b.row == row).collect();
                for pair in on_row.windows(2) {
                    assert!(pair[0].x + pair[0].width <= pair[1].x + 0.01, "{w}: {pair:?}");
                }
            }
            assert!(boxes.iter().all(|b| b.width >= 2.0 * layout.tile));
            assert!(
                boxes
                    .iter()
                    .all(|b| b.x >= 0.0 && b.x + b.width <= layout.width + 0.01)
            );
        }
    }

    #[test]
    fn conv_columns_get_a_wider_gap() {
        let layout = compute(&tiny_vgg(), 1280.0, 560.0);
        let gap = |i: usize| layout.columns[i].x - (layout.columns[i - 1].x + layout.columns[i - 1].width);
        assert!(
            gap(3) > 3.0 * gap(2),
            "gap before conv_1_2 is wide, before relu narrow"
        );
    }

    #[test]
    fn arrows_move_between_neighbours() {
        let layout = compute(&tiny_vgg(), 1280.0, 560.0);
        let start = Cell { column: 1, row: 0 };
        assert_eq!(neighbor(&layout, start, Direction::Up), start);
        assert_eq!(
            neighbor(&layout, start, Direction::Down),
            Cell { column: 1, row: 1 }
        );
        assert_eq!(
            neighbor(&layout, start, Direction::Right),
            Cell { column: 2, row: 0 }
        );
        // From the top of a 10-row column into the 3-row input column: its closest tile.
        assert_eq!(
            neighbor(&layout, start, Direction::Left),
            Cell { column: 0, row: 0 }
        );
        let middle = Cell { column: 1, row: 5 };
        assert_eq!(neighbor(&layout, middle, Direction::Left).row, 1);
        let first = Cell { column: 0, row: 2 };
        assert_eq!(neighbor(&layout, first, Direction::Left), first);
        assert_eq!(neighbor(&layout, first, Direction::Down), first);
        let last = Cell { column: 11, row: 9 };
        assert_eq!(neighbor(&layout, last, Direction::Right), last);
    }

    #[test]
    fn pointer_maps_to_the_pixel_under_it() {
        assert_eq!(pixel_at(0.0, 0.0, 40.0, 62, 62), Some((0, 0)));
        assert_eq!(pixel_at(39.99, 39.99, 40.0, 62, 62), Some((61, 61)));
        assert_eq!(pixel_at(20.0, 10.0, 40.0, 13, 13), Some((3, 6)));
        assert_eq!(pixel_at(40.0, 0.0, 40.0, 62, 62), None);
        assert_eq!(pixel_at(-1.0, 0.0, 40.0, 62, 62), None);
    }

    #[test]
    fn link_path_starts_and_ends_at_the_points() {
        let d = link_path((10.0, 20.0), (50.0, 80.0));
        assert!(d.starts_with("M10.0 20.0"));
        assert!(d.ends_with("50.0 80.0"));
    }

    #[test]
    fn a_64_channel_network_keeps_touch_sized_tiles_and_readable_edges() {
        let columns = crate::scene::columns_of(&crate::test_networks::wide());
        for (w, h) in [(1240.0, 520.0), (1880.0, 900.0), (350.0, 520.0)] {
            let margins = Margins::for_font(16.0, true);
            let layout = super::compute(&columns, w, h, margins);
            assert!(layout.tile >= TILE_MIN, "{w}: {}", layout.tile);
            assert_eq!(layout.columns[1].tiles.len(), 64);
            // Taller than the screen: it scrolls, every column from the top (the input in view).
            assert!(layout.height > h);
            assert!(
                layout
                    .columns
                    .iter()
                    .all(|c| (c.tiles[0].y - margins.label).abs() < 0.01)
            );
            let dense = &layout.columns[7];
            assert!(
                dense.tiles.iter().all(|t| t.height <= layout.tile),
                "units no taller than a map"
            );
            for pair in layout.columns.windows(2) {
                assert!(pair[0].x + pair[0].width <= pair[1].x, "columns overlap");
            }
            for col in &layout.columns {
                for pair in col.tiles.windows(2) {
                    assert!(pair[0].y + pair[0].height < pair[1].y, "tiles overlap");
                }
            }
            let boxes = label_boxes(&layout);
            for row in 0..2 {
                let on_row: Vec<&LabelBox> = boxes.iter().filter(|b| b.row == row).collect();
                for pair in on_row.windows(2) {
                    assert!(pair[0].x + pair[0].width <= pair[1].x + 0.01, "{w}: {pair:?}");
                }
            }
        }
        // 64 × 64 curves between two conv columns are not drawn in the background; a neuron's
        // own 64 incoming edges still are, on hover.
        let all = edges(&columns);
        let background = background_edges(&columns);
        assert!(background.len() < all.len());
        assert!(
            background
                .iter()
                .all(|(from, to)| !(from.column == 3 && to.column == 4))
        );
        assert!(
            background
                .iter()
                .any(|(from, to)| from.column == 0 && to.column == 1),
            "3 × 64 into the first conv are drawn"
        );
        assert_eq!(sources(&columns, Cell { column: 4, row: 9 }).len(), 64);
        assert_eq!(
            sources(&columns, Cell { column: 7, row: 0 }).len(),
            64,
            "a dense unit reads every map"
        );
        assert_eq!(sources(&columns, Cell { column: 9, row: 0 }).len(), 32);
    }

    #[test]
    fn tiny_vgg_draws_every_edge_in_the_background() {
        assert_eq!(background_edges(&tiny_vgg()), edges(&tiny_vgg()));
    }

    #[test]
    fn a_greyscale_network_has_a_one_tile_input_column() {
        let columns = crate::scene::columns_of(&crate::test_networks::fixture("grey"));
        let layout = compute(&columns, 1280.0, 560.0);
        assert_eq!(layout.columns[0].tiles.len(), 1);
        assert_eq!(
            sources(&columns, Cell { column: 1, row: 0 }),
            vec![Cell { column: 0, row: 0 }]
        );
        assert!(layout.width <= 1280.5);
        // The 32 units of its hidden dense layer are thin cells in the maps' height, so the
        // network still fits a laptop's screen.
        assert!(layout.height <= 560.5, "{}", layout.height);
        let dense = layout
            .columns
            .iter()
            .find(|c| c.spec.kind == ColumnKind::Dense)
            .expect("a dense column");
        assert_eq!(dense.tiles.len(), 32);
        for pair in dense.tiles.windows(2) {
            assert!(pair[0].y + pair[0].height < pair[1].y, "cells overlap");
        }
        assert!(dense.tiles.iter().all(|t| t.height >= MIN_CELL));
    }
}
