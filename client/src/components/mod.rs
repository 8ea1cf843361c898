//! The Yew components, one per file.

pub mod article_panel;
pub mod breadcrumb;
pub mod class_bars;
pub mod conv_view;
pub mod draw_canvas;
pub mod flatten_view;
pub mod heatmap_canvas;
pub mod hint;
pub mod info_button;
pub mod input_picker;
pub mod legend;
pub mod map_frame;
pub mod map_op_view;
pub mod network_input;
pub mod number_grid;
pub mod overview;
pub mod overview_edges;
pub mod playback_bar;
pub mod playground_grid;
pub mod playground_view;
pub mod pool_view;
pub mod relu_view;
pub mod softmax_view;
pub mod values_table;
pub mod view_settings;
