//! Small hooks shared by components: an element's size kept current on window resize.

use gloo::events::EventListener;
use web_sys::Element;
use yew::prelude::*;

/// Width and height (CSS pixels) of the element behind `node`, measured after mount and again
/// whenever the window is resized; `(0, 0)` until measured.
#[hook]
pub fn use_element_size(node: NodeRef) -> (f32, f32) {
    let size = use_state_eq(|| (0.0f32, 0.0f32));
    {
        let size = size.clone();
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(element) = node.cast::<Element>() {
                    let rect = element.get_bounding_client_rect();
                    size.set((rect.width() as f32, rect.height() as f32));
                }
            };
            measure.clone()();
            let window = gloo::utils::window();
            let listener = EventListener::new(&window, "resize", move |_| measure());
            move || drop(listener)
        });
    }
    *size
}
