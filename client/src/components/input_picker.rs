//! Choosing the input: the shipped sample images by class, an upload of one's own picture
//! (decoded by the browser, then fitted and resized by `models::preprocess` as the server would),
//! and a drawing canvas.

use std::rc::Rc;

use gloo::file::File;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::draw_canvas::DrawCanvas;
use crate::components::heatmap_canvas::HeatmapCanvas;
use crate::components::network_input::NetworkInput;
use crate::picture_file;
use crate::samples;
use crate::state::{Action, AppState, Input, InputOrigin};

/// Props of [`InputPicker`].
#[derive(Properties, PartialEq)]
pub struct InputPickerProps {
    /// The app's state and dispatcher.
    pub state: UseReducerHandle<AppState>,
}

/// The message for an upload that cannot be used.
pub fn upload_error(file_name: &str, reason: &str) -> String {
    format!(
        "That file is not an image we can read (PNG, JPEG, GIF, WebP or BMP): “{file_name}” ({reason}). \
         Choose another file, or pick a sample."
    )
}

/// The input picker.
#[component]
pub fn InputPicker(props: &InputPickerProps) -> Html {
    // Which upload is the latest: a slow decode finishing after a newer one is ignored.
    let uploads = use_mut_ref(|| 0_u64);
    // The latest upload as an object URL, shown beside what the network sees of it (revoked when
    // replaced or when the picker goes away).
    let original = use_state(|| None::<Rc<gloo::file::ObjectUrl>>);
    let drawing = use_state_eq(|| false);
    let thumbnails = use_memo((), |_| samples::thumbnails());
    let dispatcher = props.state.dispatcher();
    let origin = props.state.input.as_ref().map(|i| i.origin.clone());

    // Stable across renders, so the tiles below re-render only when the selection changes (not
    // on every animation step).
    let choose = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |index: usize, _| match samples::image(index) {
            Ok(image) => dispatcher.dispatch(Action::SetInput(Input {
                image: Rc::new(image),
                origin: InputOrigin::Sample(index),
            })),
            Err(e) => dispatcher.dispatch(Action::InputFailed(e)),
        })
    };
    // The instructor's picture arrives as pixels: when it is one of the samples, name it and
    // mark its tile like one's own choice.
    let live_image = props
        .state
        .input
        .as_ref()
        .filter(|i| i.origin == InputOrigin::Live)
        .map(|i| i.image.clone());
    let live_sample = use_memo(live_image, |image| image.as_deref().and_then(samples::index_of));
    let selected = match &origin {
        Some(InputOrigin::Sample(index)) => Some(*index),
        Some(InputOrigin::Live) => *live_sample,
        _ => None,
    };

    let onchange = {
        let dispatcher = dispatcher.clone();
        let uploads = uploads.clone();
        let original = original.clone();
        move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let name = file.name();
            let generation = {
                let mut latest = uploads.borrow_mut();
                *latest += 1;
                *latest
            };
            let (uploads, dispatcher, original) = (uploads.clone(), dispatcher.clone(), original.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = picture_file::read(&file).await;
                if *uploads.borrow() != generation {
                    return;
                }
                dispatcher.dispatch(match result {
                    Ok(image) => {
                        let url = gloo::file::ObjectUrl::from(File::from(file));
                        original.set(Some(Rc::new(url)));
                        Action::SetInput(Input {
                            image: Rc::new(image),
                            origin: InputOrigin::Upload(name.clone()),
                        })
                    }
                    Err(reason) => Action::InputFailed(upload_error(&name, &reason)),
                });
            });
            // Let the same file be chosen again after an error.
            input.set_value("");
        }
    };
    let toggle_draw = {
        let drawing = drawing.clone();
        move |_| drawing.set(!*drawing)
    };
    let ondrawn = {
        let dispatcher = dispatcher.clone();
        Callback::from(
            move |result: Result<models::preprocess::CanonicalImage, String>| {
                dispatcher.dispatch(match result {
                    Ok(image) => Action::SetInput(Input {
                        image: Rc::new(image),
                        origin: InputOrigin::Drawing,
                    }),
                    Err(e) => Action::InputFailed(e),
                })
            },
        )
    };
    let source = match &origin {
        Some(InputOrigin::Sample(i)) => thumbnails.get(*i).map(|t| t.label.clone()).unwrap_or_default(),
        Some(InputOrigin::Upload(name)) => format!("your picture “{name}”"),
        Some(InputOrigin::Drawing) => "your drawing".to_owned(),
        Some(InputOrigin::Live) => match (*live_sample).and_then(|i| thumbnails.get(i)) {
            Some(thumbnail) => format!("{}, from the instructor", thumbnail.label),
            None => "the instructor's picture".to_owned(),
        },
        None => String::new(),
    };
    html! {
        <div class="input-picker" role="group" aria-label="Input image">
            <span class="picker-label">{ "Input" }</span>
            <SampleTiles thumbnails={thumbnails.clone()} {selected} onchoose={choose} />
            <label class="upload button">
                { "Upload…" }
                <input type="file" accept="image/png,image/jpeg,image/gif,image/webp,image/bmp,image/*"
                       data-testid="upload-input" {onchange} aria-label="Upload your own picture" />
            </label>
            <button class={classes!("button", drawing.then_some("active"))} data-testid="draw-toggle" onclick={toggle_draw} aria-expanded={drawing.to_string()}>
                { "Draw" }
            </button>
            <span class="current-input" data-testid="current-input" aria-live="polite">{ source }</span>
            if *drawing {
                <DrawCanvas {ondrawn} />
            }
            if let Some(input) = props.state.input.as_ref() {
                if let InputOrigin::Upload(_) = &input.origin {
                    <NetworkInput image={input.image.clone()}
                                  original={(*original).as_ref().map(|url| AttrValue::from(url.to_string()))} />
                } else if let InputOrigin::Drawing = &input.origin {
                    <NetworkInput image={input.image.clone()} />
                }
            }
            if let Some(error) = &props.state.input_error {
                <p class="input-error" data-testid="input-error" role="alert">{ error.clone() }</p>
            }
        </div>
    }
}

/// Props of [`SampleTiles`].
#[derive(Properties, PartialEq)]
struct SampleTilesProps {
    /// Every sample's tile.
    thumbnails: Rc<Vec<samples::Thumbnail>>,
    /// The sample shown, if the input is one.
    selected: Option<usize>,
    /// Called with the index of the sample picked.
    onchoose: Callback<usize>,
}

/// The sample buttons.
#[component]
fn SampleTiles(props: &SampleTilesProps) -> Html {
    let tiles = props.thumbnails.iter().map(|thumb| {
        let index = thumb.index;
        let selected = props.selected == Some(index);
        let onclick = props.onchoose.reform(move |_: MouseEvent| index);
        html! {
            <button key={index} class={classes!("sample", selected.then_some("selected"))}
                    data-testid={format!("sample-{index}")} aria-pressed={selected.to_string()}
                    aria-label={format!("Sample: {}", thumb.label)} title={thumb.label.clone()} {onclick}>
                <HeatmapCanvas pixels={thumb.pixels.clone()} />
            </button>
        }
    });
    html! { <div class="samples">{ for tiles }</div> }
}
