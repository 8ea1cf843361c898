//! The lecture bar in the app header: self-paced it offers to start or join a lecture; in a
//! lecture it is the student's status or the instructor's console. It owns the connection
//! ([`Controller`]) and feeds it every change of the app's focus, input and follow mode.

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::answer_card::AnswerCard;
use super::console::Console;
use super::controller::{Controller, ControllerHandle};
use super::join_screen::JoinScreen;
use super::landing::Landing;
use super::lecture::{LiveEvent, LiveView};
use super::links::code_from_path;
use super::question_maker;
use super::question_panel::{AskMenu, QuestionPanel};
use super::question_veil::use_question_veil;
use super::saved_session;
use super::student_status::StudentStatus;
use crate::components::lesson_panel::live_note;
use crate::components::network_menu::{NetworkStatus, network_menu};
use crate::state::{Action, AppState};
use shared::{Mode, Role};

/// The bar's own styles (kept beside the components that use the class names).
const LIVE_CSS: &str = include_str!("style.css");

/// Props of [`LiveBar`].
#[derive(Properties, PartialEq)]
pub struct LiveBarProps {
    /// The app's state and dispatcher.
    pub state: UseReducerHandle<AppState>,
    /// The open lesson step's note, shown to the class when this screen instructs (`None`: no
    /// lesson open).
    pub note: Option<AttrValue>,
    /// Records the view on screen as a lesson step ("Add this moment").
    pub onaddmoment: Callback<()>,
}

/// The lecture bar.
#[component]
pub fn LiveBar(props: &LiveBarProps) -> Html {
    let state = &props.state;
    let view = use_reducer(LiveView::default);
    // What the student typed into the landing's boxes, kept across a failed join.
    let typed = use_mut_ref(|| None::<(String, String)>);
    let controller: std::rc::Rc<ControllerHandle> = {
        let (app, bar) = (state.dispatcher(), view.dispatcher());
        use_memo((), move |_| Controller::new(app, bar))
    };

    {
        let controller = controller.clone();
        use_effect_with(
            (state.focus, state.input.clone(), state.lecture_mode),
            move |(focus, input, mode)| {
                controller
                    .borrow_mut()
                    .local_changed(*focus, input.clone(), *mode);
            },
        );
    }
    {
        let controller = controller.clone();
        use_effect_with(props.note.clone(), move |note| {
            controller
                .borrow_mut()
                .note_changed(note.as_ref().map(|n| n.to_string()));
        });
    }
    {
        // Back to the lecture this browser was in before a reload, once the app has its first
        // input (so the app's own start-up cannot count as the student breaking away).
        let controller = controller.clone();
        let resumed = use_mut_ref(|| false);
        use_effect_with(state.input.is_some(), move |ready| {
            if *ready && !std::mem::replace(&mut *resumed.borrow_mut(), true) {
                let link_code = page_path().as_deref().and_then(code_from_path);
                let saved = saved_session::load();
                let same_room = match (&link_code, &saved) {
                    (Some(link), Some(saved)) => saved.code() == link,
                    _ => true,
                };
                if same_room {
                    controller.borrow_mut().resume_saved();
                }
            }
        });
    }
    {
        // "L" returns to the live focus from anywhere (but not while typing).
        let app = state.dispatcher();
        let exploring = state.lecture_mode == Some(Mode::Exploring);
        use_effect_with(exploring, move |exploring| {
            let listener = (*exploring).then(|| {
                let document = gloo::utils::document();
                EventListener::new(&document, "keydown", move |event| {
                    let Some(key) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    let typing = key
                        .target()
                        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                        .is_some_and(|element| {
                            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        });
                    if !typing
                        && !key.ctrl_key()
                        && !key.meta_key()
                        && !key.alt_key()
                        && key.key().eq_ignore_ascii_case("l")
                    {
                        app.dispatch(Action::ReturnToLive);
                    }
                })
            });
            move || drop(listener)
        });
    }

    use_question_veil(view.lecture.as_ref().and_then(|l| l.question.as_ref()));
    let instructing = view.lecture.as_ref().is_some_and(|l| l.role == Role::Instructor);
    // What the instructor can ask about the current view, with the right answers.
    let trace = use_memo(
        (
            state.input.as_ref().map(|i| i.image.clone()),
            instructing,
            state.network,
        ),
        |(image, instructing, _network)| match (image, instructing) {
            (Some(image), true) => crate::model::trace(image).ok(),
            _ => None,
        },
    );
    let offers = use_memo((trace.clone(), state.focus), |(trace, focus)| {
        (**trace)
            .as_ref()
            .map(|trace| question_maker::offers(crate::model::network(), trace, focus))
            .unwrap_or_default()
    });

    // The instructor's choice of the class's network: the last upload's fate.
    let model_status = use_state_eq(|| None::<NetworkStatus>);

    let body = match &view.lecture {
        None => {
            let onstart = {
                let controller = controller.clone();
                Callback::from(move |()| controller.borrow_mut().start_lecture())
            };
            let onjoin = {
                let (controller, typed) = (controller.clone(), typed.clone());
                Callback::from(move |(code, name): (shared::RoomCode, String)| {
                    *typed.borrow_mut() = Some((code.to_string(), name.clone()));
                    controller.borrow_mut().join(code, name)
                })
            };
            html! {
                <Landing code={page_path().as_deref().and_then(code_from_path)} typed={typed.borrow().clone()}
                    notice={view.notice.clone().map(AttrValue::from)} {onstart} {onjoin} />
            }
        }
        Some(lecture) if lecture.role == Role::Student => {
            let app = state.dispatcher();
            let onreturn = Callback::from(move |()| app.dispatch(Action::ReturnToLive));
            let onleave = {
                let controller = controller.clone();
                Callback::from(move |()| controller.borrow_mut().leave())
            };
            let onanswer = {
                let controller = controller.clone();
                let question = lecture.question_id();
                Callback::from(move |answer| {
                    if let Some(question) = question {
                        controller.borrow_mut().answer(question, answer);
                    }
                })
            };
            html! {
                <>
                    <StudentStatus lecture={lecture.clone()} mode={state.lecture_mode} onreturn={onreturn.clone()} {onleave} />
                    if !lecture.note.is_empty() {
                        { live_note(&lecture.note) }
                    }
                    if let Some(question) = &lecture.question {
                        <AnswerCard question={question.clone()} mine={lecture.my_answer} sending={lecture.sending}
                            exploring={state.lecture_mode == Some(Mode::Exploring)}
                            input={state.live_input.clone().or_else(|| state.input.as_ref().map(|i| i.image.clone()))}
                            {onanswer} {onreturn} />
                    }
                </>
            }
        }
        Some(lecture) => {
            let call = |action: fn(&mut Controller)| {
                let controller = controller.clone();
                Callback::from(move |()| action(&mut controller.borrow_mut()))
            };
            let onlock = {
                let controller = controller.clone();
                Callback::from(move |locked| controller.borrow_mut().set_locked(locked))
            };
            let onmodelfile = {
                let (controller, status) = (controller.clone(), model_status.clone());
                Callback::from(move |file: web_sys::File| {
                    status.set(Some(NetworkStatus::Reading));
                    let status = status.clone();
                    let done = Callback::from(move |result: Result<String, String>| {
                        status.set(Some(match result {
                            Ok(name) => NetworkStatus::Open(format!(
                                "{} (sent to the class)",
                                name.trim_end_matches(".safetensors")
                            )),
                            Err(why) => NetworkStatus::Refused(why),
                        }));
                    });
                    controller.borrow_mut().upload_model(file, done);
                })
            };
            let onbuiltin = {
                let (controller, status) = (controller.clone(), model_status.clone());
                Callback::from(move |()| {
                    status.set(None);
                    controller.borrow_mut().use_builtin_model();
                })
            };
            let show_join = |show: bool| {
                let bar = view.dispatcher();
                Callback::from(move |()| bar.dispatch(LiveEvent::ShowJoinScreen(show)))
            };
            html! {
                <>
                    <Console lecture={lecture.clone()} onbringback={call(Controller::bring_everyone_back)}
                        {onlock} onshowjoin={show_join(true)} onend={call(Controller::leave)}
                        onaddmoment={props.onaddmoment.clone()} />
                    { network_menu(&onmodelfile, (!crate::model::is_builtin()).then_some(&onbuiltin), model_status.as_ref()) }
                    <AskMenu offers={(*offers).clone()}
                        busy={lecture.question.as_ref().is_some_and(|q| q.reveal.is_none())}
                        onask={{
                            let controller = controller.clone();
                            Callback::from(move |offer: question_maker::Offer| controller.borrow_mut().ask(offer.ask, offer.correct))
                        }} />
                    if let Some(question) = &lecture.question {
                        <QuestionPanel question={question.clone()} tally={lecture.tally.clone()}
                            onreveal={call(Controller::reveal_question)} ondismiss={call(Controller::dismiss_question)} />
                    }
                    if let (true, Some(code)) = (lecture.join_screen, &lecture.code) {
                        <JoinScreen code={code.clone()} participants={lecture.participants()}
                            reach={lecture.reach.clone()} onclose={show_join(false)}
                            onreach={{
                                let bar = view.dispatcher();
                                Callback::from(move |reach| bar.dispatch(LiveEvent::Reach(reach)))
                            }} />
                    }
                </>
            }
        }
    };
    html! {
        <div class="live-bar">
            <style>{ LIVE_CSS }</style>
            { body }
        </div>
    }
}

/// The page's path, e.g. `/join/KXMRTW`.
fn page_path() -> Option<String> {
    web_sys::window()?.location().pathname().ok()
}
