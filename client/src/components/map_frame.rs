//! One activation map with outlined regions on top (the kernel window, the current output
//! pixel, a pooling winner), placed in map pixels so they sit exactly where the math says.
//! Pointing at the map picks a pixel (mouse hover or touch), so the animation can jump there.

use web_sys::{Element, PointerEvent};
use yew::prelude::*;

use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::heatmap::Pixels;

/// A rectangle over the map, in map pixels (may extend into padding, i.e. be negative).
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// Top row.
    pub top: isize,
    /// Left column.
    pub left: isize,
    /// Rows covered.
    pub height: usize,
    /// Columns covered.
    pub width: usize,
    /// CSS class (`window`, `current`, `winner`, ...).
    pub class: &'static str,
}

impl Outline {
    /// One pixel, at row `y`, column `x`.
    pub fn pixel(y: usize, x: usize, class: &'static str) -> Self {
        Self {
            top: y as isize,
            left: x as isize,
            height: 1,
            width: 1,
            class,
        }
    }

    /// A `height × width` block whose top-left pixel is at row `top`, column `left`.
    pub fn block(top: usize, left: usize, (height, width): (usize, usize), class: &'static str) -> Self {
        Self {
            top: top as isize,
            left: left as isize,
            height,
            width,
            class,
        }
    }
}

/// Props of [`MapFrame`].
#[derive(Properties, PartialEq)]
pub struct MapFrameProps {
    /// The map.
    pub pixels: Pixels,
    /// Outlines to draw over it.
    #[prop_or_default]
    pub outlines: Vec<Outline>,
    /// Called with the `(y, x)` pixel pointed at, if the map is interactive.
    #[prop_or_default]
    pub onpick: Option<Callback<(usize, usize)>>,
    /// Caption under the map.
    #[prop_or_default]
    pub caption: Option<AttrValue>,
    /// Accessible description.
    pub label: AttrValue,
    /// Every value is zero (a silent neuron): say so on the map, which would otherwise look
    /// like an empty box.
    #[prop_or_default]
    pub all_zero: bool,
    /// Extra CSS classes.
    #[prop_or_default]
    pub class: Classes,
}

/// The pixel under a pointer event, from the element the handler is on.
fn picked(e: &PointerEvent, height: usize, width: usize) -> Option<(usize, usize)> {
    let target: Element = wasm_bindgen::JsCast::dyn_into(e.current_target()?).ok()?;
    let rect = target.get_bounding_client_rect();
    let fx = (f64::from(e.client_x()) - rect.left()) / rect.width();
    let fy = (f64::from(e.client_y()) - rect.top()) / rect.height();
    if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
        return None;
    }
    Some(((fy * height as f64) as usize, (fx * width as f64) as usize))
}

/// A map with outlines.
#[component]
pub fn MapFrame(props: &MapFrameProps) -> Html {
    let (h, w) = (props.pixels.height, props.pixels.width);
    let pct = |v: isize, of: usize| 100.0 * v as f64 / of as f64;
    let outlines = props.outlines.iter().map(|o| {
        let style = format!(
            "top:{:.3}%;left:{:.3}%;height:{:.3}%;width:{:.3}%",
            pct(o.top, h),
            pct(o.left, w),
            pct(o.height as isize, h),
            pct(o.width as isize, w)
        );
        html! { <div class={classes!("outline", o.class)} style={style}></div> }
    });
    let pick = props.onpick.clone().map(|onpick| {
        move |e: PointerEvent| {
            // Mouse: hovering picks. Touch and pen: only while pressed.
            if e.pointer_type() != "mouse" && e.buttons() == 0 {
                return;
            }
            if let Some(pixel) = picked(&e, h, w) {
                onpick.emit(pixel);
            }
        }
    });
    html! {
        <figure class={classes!("map-frame", props.class.clone(), props.onpick.is_some().then_some("interactive"))}>
            <div class="map" role="img" aria-label={props.label.clone()}
                 onpointermove={pick.clone()} onpointerdown={pick}>
                <HeatmapCanvas pixels={props.pixels.clone()} />
                if props.all_zero {
                    <span class="zero-mark" title="Every value of this map is 0">{ "all 0" }</span>
                }
                { for outlines }
            </div>
            if let Some(caption) = &props.caption {
                <figcaption>{ caption.clone() }</figcaption>
            }
        </figure>
    }
}
