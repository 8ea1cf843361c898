//! The bar when no lecture is running: start one as instructor, or join one with its code and a
//! name (the code is filled in when the page was opened from a join link).

use shared::RoomCode;
use shared::room::validate_name;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`Landing`].
#[derive(Properties, PartialEq)]
pub struct LandingProps {
    /// The code from a join link, if the page was opened from one.
    pub code: Option<RoomCode>,
    /// Why the last lecture ended or could not start.
    pub notice: Option<AttrValue>,
    /// The code and name of the last join attempt, put back after it failed (the landing is
    /// rebuilt when the attempt ends, and nobody should have to type them again).
    #[prop_or_default]
    pub typed: Option<(String, String)>,
    /// Start a new lecture as its instructor.
    pub onstart: Callback<()>,
    /// Join the lecture with this code under this name.
    pub onjoin: Callback<(RoomCode, String)>,
}

/// Start or join a lecture.
#[component]
pub fn Landing(props: &LandingProps) -> Html {
    let code_input = use_node_ref();
    let name_input = use_node_ref();
    let problem = use_state(|| None::<String>);

    {
        // Opened from a join link: the code is known, the name is what is left to type.
        let name_input = name_input.clone();
        use_effect_with(props.code.is_some(), move |from_link| {
            if *from_link && let Some(input) = name_input.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        });
    }

    let onsubmit = {
        let (code_input, name_input, problem, onjoin) = (
            code_input.clone(),
            name_input.clone(),
            problem.clone(),
            props.onjoin.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let read = |node: &NodeRef| {
                node.cast::<HtmlInputElement>()
                    .map(|input| input.value())
                    .unwrap_or_default()
            };
            let code = match RoomCode::parse(&read(&code_input)) {
                Ok(code) => code,
                Err(error) => return problem.set(Some(error.to_string())),
            };
            match validate_name(&read(&name_input)) {
                Ok(name) => {
                    problem.set(None);
                    onjoin.emit((code, name));
                }
                Err(error) => problem.set(Some(error.to_string())),
            }
        })
    };
    let onstart = props.onstart.reform(|_: MouseEvent| ());
    let (typed_code, typed_name) = match &props.typed {
        Some((code, name)) => (code.clone(), name.clone()),
        None => (
            props
                .code
                .as_ref()
                .map(|code| code.to_string())
                .unwrap_or_default(),
            String::new(),
        ),
    };

    html! {
        <div class="live-landing">
            <form class="live-join" onsubmit={onsubmit} aria-label="Join a lecture">
                <input ref={code_input} data-testid="join-code-input" class="live-code-input"
                    aria-label="Join code" placeholder="Join code" autocomplete="off"
                    autocapitalize="characters" spellcheck="false" maxlength="9"
                    value={typed_code} />
                <input ref={name_input} data-testid="join-name-input" aria-label="Your name"
                    placeholder="Your name" autocomplete="nickname" value={typed_name}
                    maxlength={shared::room::MAX_NAME_CHARS.to_string()} />
                <button type="submit" data-testid="join-submit">{ "Join lecture" }</button>
            </form>
            <span class="live-or" aria-hidden="true">{ "or" }</span>
            <button type="button" data-testid="start-lecture" onclick={onstart}>{ "Start a lecture" }</button>
            if let Some(problem) = &*problem {
                <p class="live-problem" role="alert" data-testid="join-error">{ problem }</p>
            } else if let Some(notice) = &props.notice {
                <p class="live-notice" role="status" data-testid="live-notice">{ notice }</p>
            }
        </div>
    }
}
