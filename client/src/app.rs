//! The app root: holds the reducer, traces the input in WebAssembly, paints the maps once per
//! input, runs the playback clock and the global keys, and shows the overview or the open
//! explanation, and the lesson beside it when asked for (from an (i) button, a layer label or
//! the address bar).

use gloo::events::{EventListener, EventListenerOptions};
use shared::{Focus, View};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

use crate::article::{self, ArticleOpener, Lesson, LessonAction, Section};
use crate::clock::use_playback_clock;
use crate::components::article_panel::ArticlePanel;
use crate::components::breadcrumb::Breadcrumb;
use crate::components::conv_view::ConvView;
use crate::components::flatten_view::FlattenView;
use crate::components::hint::Hint;
use crate::components::info_button::info_button;
use crate::components::input_picker::InputPicker;
use crate::components::lesson_panel::lesson_panel;
use crate::components::lessons_menu::lessons_menu;
use crate::components::network_menu::{NetworkStatus, network_menu};
use crate::components::overview::Overview;
use crate::components::playground_view::PlaygroundView;
use crate::components::pool_view::PoolView;
use crate::components::relu_view::ReluView;
use crate::components::softmax_view::SoftmaxView;
use crate::components::view_settings::ViewSettings;
use crate::display::Display;
use crate::elastic::{self, Stage};
use crate::heatmap_set::HeatmapSet;
use crate::lessons::built_in;
use crate::lessons::file::Step;
use crate::lessons::player::{self, Player, PlayerAction};
use crate::live::LiveBar;
use crate::model;
use crate::navigation::{self, Screen};
use crate::playback;
use crate::playground;
use crate::readout::{self, Pointed};
use crate::samples;
use crate::scene::Scene;
use crate::shared_ref::Shared;
use crate::state::{Action, AppState, Input, InputOrigin};
use crate::url_state;

/// The address bar's fragment.
fn current_fragment() -> String {
    gloo::utils::window().location().hash().unwrap_or_default()
}

/// The focus a fragment names, its playground checked against the network.
fn focus_of(fragment: &str, base: Focus) -> Focus {
    let focus = url_state::from_fragment(fragment, base);
    Focus {
        playground: playground::sanitize(model::network(), focus.playground),
        ..focus
    }
}

/// The first state: the first sample, at the focus in the address bar (or the overview).
fn initial_state() -> AppState {
    let (image, origin) = samples::initial();
    let fragment = current_fragment();
    AppState {
        focus: focus_of(&fragment, Focus::default()),
        display: Display::from_fragment(&fragment, Display::load()),
        ..AppState::with_input(image, origin)
    }
}

/// Whether a fragment names a view (and not only, say, a lesson section).
fn names_a_view(fragment: &str) -> bool {
    fragment
        .trim_start_matches('#')
        .split('&')
        .any(|pair| pair.starts_with("view="))
}

/// What a key press means outside text fields and controls that use the key themselves.
fn key_action(e: &KeyboardEvent, focus: &Focus, steps: u32) -> Option<Focus> {
    let net = model::network();
    let target = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok());
    let tag = target
        .as_ref()
        .map(|t| t.tag_name().to_ascii_lowercase())
        .unwrap_or_default();
    let typing = matches!(tag.as_str(), "input" | "select" | "textarea");
    match e.key().as_str() {
        "Escape" if focus.view != View::Overview => Some(navigation::back(net, focus)),
        " " if !typing && tag != "button" && steps > 0 => Some(Focus {
            playing: !focus.playing,
            step: if focus.playing {
                focus.step
            } else {
                playback::play_from(focus.step, steps)
            },
            ..*focus
        }),
        "ArrowRight" if !typing && steps > 0 && focus.view != View::Overview => Some(Focus {
            playing: false,
            step: playback::forward(focus.step, steps),
            ..*focus
        }),
        "ArrowLeft" if !typing && steps > 0 && focus.view != View::Overview => Some(Focus {
            playing: false,
            step: playback::back(focus.step, steps),
            ..*focus
        }),
        _ => None,
    }
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(initial_state);
    let net = model::network();
    let focus = state.focus;
    let steps = navigation::steps(net, &focus);

    let image = state.input.as_ref().map(|i| i.image.clone());
    // Traced once per input and network (≈ a millisecond in WebAssembly), never per frame.
    let traced = use_memo((image, state.network), |(image, _)| {
        let net = model::network();
        image
            .as_ref()
            .map(|image| model::trace(image).map(|trace| Shared::new(Scene::new(net, trace))))
    });
    let (scene, trace_error): (Option<Shared<Scene>>, Option<String>) = match traced.as_ref() {
        Some(Ok(scene)) => (Some(scene.clone()), None),
        Some(Err(e)) => (None, Some(e.clone())),
        None => (None, None),
    };
    let heatmaps = use_memo((scene.clone(), focus.color_range), |(scene, mode)| {
        scene.as_ref().map(|s| Shared::new(HeatmapSet::paint(s, *mode)))
    });
    let heatmaps: Option<Shared<HeatmapSet>> = (*heatmaps).clone();

    // Interactive once the first maps are painted (children's effects run before ours).
    let ready = use_state_eq(|| false);
    {
        let ready = ready.clone();
        use_effect_with(heatmaps.is_some(), move |painted| {
            if *painted {
                ready.set(true);
            }
        });
    }

    // The lesson: the section open (from the address bar at first).
    let lesson = use_reducer_eq(|| Lesson {
        section: article::from_fragment(&current_fragment()),
        request: 0,
    });
    // Made once: the opener is a context of every component, which a new callback per render
    // would re-render.
    let open_lesson = {
        let lesson = lesson.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |section: Section| lesson.dispatch(LessonAction::Open(section)))
        }))
        .clone()
    };
    let close_lesson = {
        let lesson = lesson.dispatcher();
        (*use_memo((), move |_| {
            Callback::from(move |()| lesson.dispatch(LessonAction::Close))
        }))
        .clone()
    };

    // Self-paced, a network of the user's own from a file, and back to Tiny VGG.
    let network_status = use_state_eq(|| None::<NetworkStatus>);
    let open_model_file = {
        let dispatcher = state.dispatcher();
        let status = network_status.clone();
        Callback::from(move |file: web_sys::File| {
            let (dispatcher, status) = (dispatcher.clone(), status.clone());
            status.set(Some(NetworkStatus::Reading));
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                match crate::model_file::open(file).await {
                    Ok(network) => {
                        let name = name.trim_end_matches(".safetensors");
                        status.set(Some(NetworkStatus::Open(crate::model_file::describe(
                            name, &network,
                        ))));
                        dispatcher.dispatch(Action::NetworkChanged(model::set_network(network)));
                    }
                    Err(why) => status.set(Some(NetworkStatus::Refused(why))),
                }
            });
        })
    };
    let back_to_builtin = {
        let dispatcher = state.dispatcher();
        let status = network_status.clone();
        Callback::from(move |()| {
            status.set(None);
            dispatcher.dispatch(Action::NetworkChanged(model::set_builtin()));
        })
    };

    // The recorded lesson open beside the views (from the "Lessons" menu, a file, the console's
    // "Add this moment", or `#lesson=<name>` in the address bar).
    let player = use_reducer_eq(|| Player::from_address(&current_fragment()));
    let open_built_in = {
        let player = player.dispatcher();
        Callback::from(move |(name, step): (&'static str, usize)| {
            let player = player.clone();
            player.dispatch(PlayerAction::Status(Some("Loading the lesson…".into())));
            wasm_bindgen_futures::spawn_local(async move {
                player.dispatch(match built_in::fetch(name).await {
                    Ok(lesson) => PlayerAction::Open {
                        lesson: std::rc::Rc::new(lesson),
                        name: Some(name),
                        step,
                    },
                    Err(why) => PlayerAction::Status(Some(format!("Sorry: {why}."))),
                });
            });
        })
    };
    let open_lesson_file = {
        let player = player.dispatcher();
        Callback::from(move |file: web_sys::File| {
            let player = player.clone();
            player.dispatch(PlayerAction::Status(Some("Reading the lesson…".into())));
            wasm_bindgen_futures::spawn_local(async move {
                player.dispatch(match crate::lessons::open_file(file).await {
                    Ok(lesson) => PlayerAction::Open {
                        lesson: std::rc::Rc::new(lesson),
                        name: None,
                        step: 0,
                    },
                    Err(why) => PlayerAction::Status(Some(why)),
                });
            });
        })
    };
    {
        // Going to a step shows its view and picture (a student in a lecture explores then).
        let dispatcher = state.dispatcher();
        let step = player.current().cloned();
        let title = player
            .lesson
            .as_ref()
            .map(|l| l.title.clone())
            .unwrap_or_default();
        use_effect_with(player.shown, move |_| {
            if let Some(step) = step {
                let origin = match step.sample {
                    Some(index) => InputOrigin::Sample(index),
                    None => InputOrigin::Upload(title),
                };
                dispatcher.dispatch(Action::SetInput(Input {
                    image: step.image.clone(),
                    origin,
                }));
                dispatcher.dispatch(Action::Navigate(step.focus));
            }
        });
    }
    let add_moment = {
        let player = player.dispatcher();
        let moment = state
            .input
            .as_ref()
            .map(|input| (state.focus, input.image.clone()));
        Callback::from(move |()| {
            if let Some((focus, image)) = moment.clone() {
                player.dispatch(PlayerAction::AddMoment(Step::new(focus, image, String::new())));
            }
        })
    };
    // The note the class sees: the current step's while presenting; none while the instructor
    // edits (a note being typed is not sent keystroke by keystroke).
    let class_note = (!player.editing)
        .then(|| player.current().map(|s| AttrValue::from(s.note.clone())))
        .flatten();

    // Keep the address bar on the current focus, display settings and open lesson section
    // (bookmarks, reloads, sharing a view); not on every step while playing (history updates at
    // 60 per second are slow and get throttled): the pause writes the step reached.
    use_effect_with(
        (focus, state.display, lesson.section, (*player).clone()),
        |(focus, display, section, player)| {
            if focus.playing {
                return;
            }
            let view = format!("{}&{}", url_state::to_fragment(focus), display.to_fragment());
            let url = format!(
                "#{}",
                player::with_lesson(article::with_section(view, *section), player)
            );
            if let Ok(history) = gloo::utils::window().history() {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
        },
    );

    // Projector mode scales the root font (every size is in rem) and thickens outlines. Set
    // while rendering, before the children measure themselves for it; idempotent.
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root
            .class_list()
            .toggle_with_force("projector", state.display.projector);
    }
    // Remembered for this browser's next visit.
    use_effect_with(state.display, |display| display.save());

    // The playback clock: advances on animation frames while playing.
    use_playback_clock(&state, focus.playing, focus.step_ms, steps);

    // A link to another address of the app (a layer label's lesson section, the lesson's link
    // to the playground, a pasted address): open what it names. Changes the page makes itself
    // replace the address without this event.
    let latest = use_mut_ref(|| (focus, steps, lesson.section.is_some()));
    *latest.borrow_mut() = (focus, steps, lesson.section.is_some());
    {
        let dispatcher = state.dispatcher();
        let latest = latest.clone();
        let open_lesson = open_lesson.clone();
        let close_lesson = close_lesson.clone();
        let open_built_in = open_built_in.clone();
        let link = player.link;
        use_effect_with((), move |_| {
            // A lesson link opens its lesson (read before the first render rewrote the address).
            if let Some(link) = link {
                open_built_in.emit(link);
            }
            let window = gloo::utils::window();
            let listener = EventListener::new(&window, "hashchange", move |_| {
                let fragment = current_fragment();
                if let Some((name, step)) = player::from_fragment(&fragment)
                    && let Some(name) = built_in::named(&name)
                {
                    open_built_in.emit((name, step));
                    return;
                }
                match article::from_fragment(&fragment) {
                    Some(section) => open_lesson.emit(section),
                    // A link from the lesson to a view: show the view.
                    None if names_a_view(&fragment) => close_lesson.emit(()),
                    None => {}
                }
                let (focus, _, _) = *latest.borrow();
                if names_a_view(&fragment) {
                    let next = focus_of(&fragment, focus);
                    let paused = Focus {
                        playing: false,
                        ..focus
                    };
                    if next != paused {
                        dispatcher.dispatch(Action::Navigate(next));
                    }
                }
            });
            move || drop(listener)
        });
    }

    // Global keys: Escape closes the lesson or goes back, Space plays/pauses, arrows step in
    // explanation views.
    {
        let dispatcher = state.dispatcher();
        let latest = latest.clone();
        let close_lesson = close_lesson.clone();
        use_effect_with((), move |_| {
            // Not passive (gloo's default): the handled keys must not also scroll the page.
            let options = EventListenerOptions::enable_prevent_default();
            let document = gloo::utils::document();
            let listener = EventListener::new_with_options(&document, "keydown", options, move |event| {
                let Some(e) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if e.default_prevented() {
                    return;
                }
                let (focus, steps, lesson_open) = *latest.borrow();
                if lesson_open && e.key() == "Escape" {
                    e.prevent_default();
                    close_lesson.emit(());
                    return;
                }
                if let Some(next) = key_action(e, &focus, steps) {
                    e.prevent_default();
                    dispatcher.dispatch(Action::Navigate(next));
                }
            });
            move || drop(listener)
        });
    }

    let onnavigate = {
        let dispatcher = state.dispatcher();
        Callback::from(move |f: Focus| dispatcher.dispatch(Action::Navigate(f)))
    };
    // Where the pointer or keyboard focus is in the overview; the read-out text is made from
    // the current trace below, and nothing is read out once the overview is left.
    let screen = navigation::screen(net, &focus);
    let pointed = use_state_eq(|| None::<Pointed>);
    {
        let pointed = pointed.clone();
        use_effect_with(screen, move |_| pointed.set(None));
    }
    let onpoint = {
        let pointed = pointed.clone();
        Callback::from(move |place: Option<Pointed>| pointed.set(place))
    };
    let readout_text = match (screen, (*pointed), scene.as_ref()) {
        (Screen::Overview | Screen::ConvInContext | Screen::ClassInContext, Some(place), Some(scene)) => {
            readout::describe(scene, place)
        }
        _ => None,
    };
    let ondisplay = {
        let dispatcher = state.dispatcher();
        Callback::from(move |d: Display| dispatcher.dispatch(Action::SetDisplay(d)))
    };

    // The network stays mounted while it is opened around a neuron and shrunk to a band above
    // the arithmetic, so its tiles move instead of being drawn anew.
    let stage = scene
        .as_ref()
        .map_or(Stage::Hidden, |s| elastic::stage(net, &s.columns, &focus));
    let linked = use_state_eq(|| None::<usize>);
    let onlink = {
        let linked = linked.clone();
        Callback::from(move |class: Option<usize>| linked.set(class))
    };
    let network = match (scene.clone(), heatmaps.clone(), stage) {
        (Some(scene), Some(heatmaps), Stage::Full(_) | Stage::Band(_)) => {
            let band = matches!(stage, Stage::Band(_));
            Some(html! {
                <div class={classes!("network-host", band.then_some("band"))} key="network">
                    <Overview {scene} {heatmaps} {focus} onnavigate={onnavigate.clone()} onpoint={onpoint.clone()}
                        {stage} linked={*linked} onlink={onlink.clone()} />
                </div>
            })
        }
        _ => None,
    };
    let body = match (scene.clone(), heatmaps.clone()) {
        (Some(scene), Some(heatmaps)) => {
            let onnavigate = onnavigate.clone();
            match screen {
                Screen::Overview | Screen::ConvInContext | Screen::ClassInContext => None,
                Screen::Conv => Some(html! { <ConvView {scene} {heatmaps} {focus} {onnavigate} /> }),
                Screen::Relu => Some(html! { <ReluView {scene} {heatmaps} {focus} {onnavigate} /> }),
                Screen::Pool => Some(html! { <PoolView {scene} {heatmaps} {focus} {onnavigate} /> }),
                Screen::Flatten => Some(html! { <FlattenView {scene} {heatmaps} {focus} {onnavigate} /> }),
                Screen::Softmax => Some(html! {
                    <SoftmaxView {scene} {focus} {onnavigate} linked={*linked} onlink={onlink.clone()} />
                }),
                Screen::Playground => {
                    Some(html! { <PlaygroundView {scene} {heatmaps} {focus} {onnavigate} /> })
                }
            }
        }
        _ => Some(html! {
            <p class="view-error" role="alert">
                { trace_error.unwrap_or_else(|| "Loading the network…".to_owned()) }
            </p>
        }),
    };
    // Below the network opened around a neuron: its arithmetic, one level down.
    let open_arithmetic = matches!(screen, Screen::ConvInContext | Screen::ClassInContext).then(|| {
        let onnavigate = onnavigate.clone();
        let next = navigation::arithmetic(net, &focus, usize::from(focus.channel));
        let text = if screen == Screen::ConvInContext { "Show the arithmetic" } else { "Show the terms" };
        html! {
            <button type="button" class="button" data-testid="open-arithmetic" onclick={move |_| onnavigate.emit(next)}
                    title="The step-by-step numbers, with the network kept in view">{ text }</button>
        }
    });
    // (The network opened around a neuron has its annotations beside what they explain.)
    let hint = (screen == Screen::Overview)
        .then_some("Point at a map to read its values; click a neuron to see how it is computed.");
    let view_key = format!("{:?}-{}-{}", screen, focus.layer, focus.neuron);
    let prediction = scene.as_ref().map(|s| {
        let class = net.class_names().get(s.predicted).cloned().unwrap_or_default();
        format!(
            "Prediction: {class} ({})",
            crate::format::percent(s.probabilities[s.predicted])
        )
    });

    // Not beside "Show the arithmetic" (one row of controls; the arithmetic links to it).
    let open_playground = !matches!(
        screen,
        Screen::Playground | Screen::ConvInContext | Screen::ClassInContext
    );
    let open_playground = open_playground.then(|| {
        let onnavigate = onnavigate.clone();
        let scene = scene.clone();
        // The first time, the crop starts where the picture has an edge; later as it was left.
        let onclick = move |_| {
            let settings = match &scene {
                Some(scene) if focus.playground == shared::Playground::default() => {
                    playground::telling_crop(net, &scene.trace, focus.playground)
                }
                _ => focus.playground,
            };
            onnavigate.emit(playground::open(&focus, settings))
        };
        html! {
            <button type="button" class="button" data-testid="open-playground" {onclick}
                    title="Try padding, kernel size and stride on real numbers">{ "Playground" }</button>
        }
    });

    html! {
        <ContextProvider<ArticleOpener> context={ArticleOpener(open_lesson.clone())}>
        <ContextProvider<Display> context={state.display}>
        <div class={classes!("app", lesson.section.is_some().then_some("with-lesson"), state.display.projector.then_some("projector"))} data-testid="app" data-ready={ready.to_string()}>
            <header class="app-header">
                <h1 class="app-title">{ "CNN Classroom" }</h1>
                <span class="prediction" data-testid="prediction" aria-live="polite">{ prediction.unwrap_or_default() }</span>
                // In the header rather than the navigation bar, whose contents change with the view:
                // a bar that wrapped differently would resize the network in mid-transition.
                { lessons_menu(&open_built_in.reform(|name| (name, 0)), &open_lesson_file, player.status.as_deref()) }
                // Self-paced only: in a lecture the instructor chooses the class's network.
                if state.lecture_mode.is_none() && !state.instructing {
                    { network_menu(&open_model_file, (!model::is_builtin()).then_some(&back_to_builtin), network_status.as_ref()) }
                }
                <LiveBar state={state.clone()} note={class_note} onaddmoment={add_moment.clone()} />
            </header>
            <div class="toolbar">
                <InputPicker state={state.clone()} />
            </div>
            <div class="navbar">
                <Breadcrumb {focus} onnavigate={onnavigate.clone()} />
                { info_button(article::for_screen(screen), Some(&ArticleOpener(open_lesson.clone()))) }
                { open_arithmetic.unwrap_or_default() }
                { open_playground.unwrap_or_default() }
                <div class="navbar-middle">
                    if let (None, Some(hint)) = (&readout_text, hint) {
                        <Hint>{ hint }</Hint>
                    }
                    <span class="readout" data-testid="readout" aria-live="polite">{ readout_text.unwrap_or_default() }</span>
                </div>
                <ViewSettings {focus} onnavigate={onnavigate.clone()} display={state.display} {ondisplay} />
            </div>
            <main class={classes!("app-main", network.is_some().then_some("with-network"))}>
                { network.unwrap_or_default() }
                if let Some(body) = body {
                    <div class="view-host" key={view_key}>{ body }</div>
                }
            </main>
            { lesson_panel(&player, &{
                let player = player.dispatcher();
                Callback::from(move |action| player.dispatch(action))
            }, state.lecture_mode.is_none().then_some(&add_moment)) }
            <ArticlePanel section={lesson.section} request={lesson.request} onclose={close_lesson} />
        </div>
        </ContextProvider<Display>>
        </ContextProvider<ArticleOpener>>
    }
}
