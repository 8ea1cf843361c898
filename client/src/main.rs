//! The web client: a Yew app that shows a CNN's every activation and explains each operation
//! with the real numbers, self-paced (the network runs in WebAssembly) or following a lecture.
//!
//! Map of the crate:
//! - [`app`]: the root component; [`components`]: the views, one component per file.
//! - [`state`]: the reducer (focus, input, lecture mode); [`live`]: the lecture connection.
//! - Pure logic, unit-tested natively: [`layout`] (overview geometry), [`color`] (scales and
//!   ranges), [`format`] (numbers), [`playback`] (stepping), [`navigation`] (levels and steps),
//!   [`scene`] and [`heatmap`]/[`heatmap_set`] (what is drawn per input), [`spatial`],
//!   [`url_state`] (the focus in the address bar), [`playground`] (the hyperparameter
//!   playground's edits and numbers), [`article`] (the lesson's sections and addresses),
//!   [`lessons`] (recorded lessons: the file, notes' Markdown, the open lesson, built-in ones).
//! - [`model`] and [`samples`]: the network and the input images, via the `models` crate.
#![forbid(unsafe_code)]

mod app;
mod article;
mod clock;
mod color;
mod components;
mod display;
mod elastic;
mod format;
mod heatmap;
mod heatmap_set;
mod hooks;
mod later_file;
mod layout;
mod lessons;
mod live;
mod model;
mod model_file;
mod navigation;
mod picture_file;
mod playback;
mod playground;
mod readout;
mod samples;
mod scene;
mod shared_ref;
mod spatial;
mod state;
#[cfg(test)]
mod test_networks;
mod url_state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
