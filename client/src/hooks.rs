//! Small hooks shared by components: an element's size (and the root font size, which projector
//! mode changes) kept current whenever the element is resized.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, ResizeObserver};
use yew::prelude::*;

/// An element's measured box and the type size it is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measured {
    /// Width in CSS pixels.
    pub width: f32,
    /// Height in CSS pixels.
    pub height: f32,
    /// The root font size in CSS pixels (1 rem).
    pub rem: f32,
}

/// The root element's font size in CSS pixels (16 if it cannot be read).
pub fn root_font_px() -> f32 {
    let window = gloo::utils::window();
    gloo::utils::document()
        .document_element()
        .and_then(|root| window.get_computed_style(&root).ok().flatten())
        .and_then(|style| style.get_property_value("font-size").ok())
        // Whole pixels are precise enough, and parsing integers keeps the float parser out of
        // the bundle.
        .and_then(|size| {
            let whole: String = size.chars().take_while(char::is_ascii_digit).collect();
            whole.parse::<u16>().ok()
        })
        .map_or(16.0, f32::from)
}

/// The inner box (less scrollbars) of the element behind `node`, measured after mount, whenever
/// it is resized (window, toolbar wrapping, projector mode), and whenever `key` changes; all zero
/// until measured.
#[hook]
pub fn use_element_size<K: PartialEq + Clone + 'static>(node: NodeRef, key: K) -> Measured {
    let size = use_state_eq(Measured::default);
    let measure = {
        let (size, node) = (size.clone(), node.clone());
        move || {
            if let Some(element) = node.cast::<Element>() {
                // The inner box, without the scrollbars of a scrolling box (a network taller
                // than the screen), so what is laid out in it does not also scroll sideways.
                size.set(Measured {
                    width: element.client_width() as f32,
                    height: element.client_height() as f32,
                    rem: root_font_px(),
                });
            }
        }
    };
    {
        let measure = measure.clone();
        use_effect_with((), move |_| {
            let callback = Closure::<dyn FnMut()>::new(measure);
            let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok();
            if let (Some(observer), Some(element)) = (&observer, node.cast::<Element>()) {
                observer.observe(&element);
            }
            move || {
                if let Some(observer) = observer {
                    observer.disconnect();
                }
                drop(callback);
            }
        });
    }
    use_effect_with(key, move |_| measure());
    *size
}
