//! What the network sees of a student's own picture: the original beside the 64×64 input it was
//! fitted into, and that input's three channels, so the crop, the scale and the fill are no
//! surprise.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::heatmap::{self, MapScale};
use crate::samples;
use crate::state::CanonicalImage;

/// Props of [`NetworkInput`].
#[derive(Properties, PartialEq)]
pub struct NetworkInputProps {
    /// The canonical input.
    pub image: Rc<CanonicalImage>,
    /// Address of the original picture (an object URL of the upload), if it is not on screen
    /// already (a drawing is).
    #[prop_or_default]
    pub original: Option<AttrValue>,
}

/// The original → input → channels strip.
#[component]
pub fn NetworkInput(props: &NetworkInputProps) -> Html {
    let image = &props.image;
    let hash: String = image.hash().iter().map(|b| format!("{b:02x}")).collect();
    // Each channel of what the current network reads, painted as the overview paints the input.
    let tensor = crate::model::input_of(image);
    let (channels, side) = (tensor.dim().0, tensor.dim().1);
    let grey = channels == 1;
    html! {
        <figure class="network-input" data-testid="network-input" data-input-hash={hash}>
            if let Some(original) = &props.original {
                <img class="network-input-original" src={original.clone()} alt="Your picture as uploaded" />
                <span class="network-input-arrow" aria-hidden="true">{ "→" }</span>
            }
            <span class="network-input-item">
                <HeatmapCanvas pixels={samples::rgba(image)} class="network-input-rgb" />
                <span>{ format!("{}×{}", image.side, image.side) }</span>
            </span>
            <span class="network-input-arrow" aria-hidden="true">{ "=" }</span>
            { for (0..channels).map(|channel| html! {
                <span class="network-input-item">
                    <HeatmapCanvas pixels={heatmap::paint(tensor.index_axis(ndarray::Axis(0), channel),
                                                          MapScale::Input(if grey { usize::MAX } else { channel }))}
                                   class="network-input-channel" />
                    <span>{ crate::model::input_channel_name(channel) }</span>
                </span>
            }) }
            <figcaption>
                { format!("What the network sees: the whole picture fitted into {side} × {side} pixels, \
                           the rest filled with its border colour, as {}.", if grey { "one grey channel" } else { "three channels" }) }
            </figcaption>
        </figure>
    }
}
