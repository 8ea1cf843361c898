//! A canvas showing one activation map at one canvas pixel per value; CSS scales it up with
//! crisp pixels. It repaints only when its pixels change (never per animation frame).

use wasm_bindgen::Clamped;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::heatmap::Pixels;

/// Props of [`HeatmapCanvas`].
#[derive(Properties, PartialEq)]
pub struct HeatmapCanvasProps {
    /// What to draw.
    pub pixels: Pixels,
    /// Extra CSS classes.
    #[prop_or_default]
    pub class: Classes,
}

/// One activation map as a canvas.
#[component]
pub fn HeatmapCanvas(props: &HeatmapCanvasProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(props.pixels.clone(), move |pixels| {
            paint(&canvas, pixels);
        });
    }
    html! {
        <canvas
            ref={canvas}
            class={classes!("heatmap", props.class.clone())}
            width={props.pixels.width.to_string()}
            height={props.pixels.height.to_string()}
            aria-hidden="true"
        />
    }
}

fn paint(canvas: &NodeRef, pixels: &Pixels) {
    let Some(canvas) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let Ok(Some(context)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(context) = wasm_bindgen::JsCast::dyn_into::<CanvasRenderingContext2d>(context) else {
        return;
    };
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&pixels.rgba[..]),
        pixels.width as u32,
        pixels.height as u32,
    ) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}
