//! The instructor's quick checks: "Ask the class" offers the questions that fit the current view;
//! while one is open a card shows the live histogram (counts, never names: it is on the
//! projector), how many have answered and how many have not, and Reveal; after the reveal, the
//! right answer and Close.

use shared::{Question, Tally};
use yew::prelude::*;

use super::question_maker::{self, Offer};
use super::spread_chart::SpreadChart;
use crate::model;

/// Props of [`AskMenu`].
#[derive(Properties, PartialEq)]
pub struct AskMenuProps {
    /// The questions that fit the current view.
    pub offers: Vec<Offer>,
    /// Whether a question is open already (asking another is refused until it is revealed).
    pub busy: bool,
    /// Ask this one.
    pub onask: Callback<Offer>,
}

/// The "Ask the class" menu in the console.
#[component]
pub fn AskMenu(props: &AskMenuProps) -> Html {
    let menu = use_node_ref();
    // Asking closes the menu, so the card that opens is not covered by it.
    let onask = {
        let (menu, onask) = (menu.clone(), props.onask.clone());
        Callback::from(move |offer: Offer| {
            if let Some(details) = menu.cast::<web_sys::Element>() {
                let _ = details.remove_attribute("open");
            }
            onask.emit(offer);
        })
    };
    html! {
        <details class="live-ask" data-testid="ask-menu" ref={menu}>
            <summary>{ "Ask the class" }</summary>
            <div class="live-ask-list" role="menu">
                if props.busy {
                    <p class="live-ask-note">{ "Reveal the open question before asking another." }</p>
                }
                { for props.offers.iter().map(|offer| {
                    let offer = *offer;
                    let test_id = match offer.ask {
                        shared::Ask::PredictClass { .. } => "ask-class",
                        shared::Ask::NextValue => "ask-value",
                        shared::Ask::PickCell { .. } => "ask-cell",
                    };
                    html! {
                        <button type="button" role="menuitem" data-testid={test_id} disabled={props.busy}
                            onclick={onask.reform(move |_: MouseEvent| offer)}>{ offer.label }</button>
                    }
                }) }
            </div>
        </details>
    }
}

/// Props of [`QuestionPanel`].
#[derive(Properties, PartialEq)]
pub struct QuestionPanelProps {
    /// The room's question.
    pub question: Question,
    /// The live counts, once the first arrived.
    pub tally: Option<Tally>,
    /// Show the right answer and the counts to everyone.
    pub onreveal: Callback<()>,
    /// Take the question off every screen.
    pub ondismiss: Callback<()>,
}

/// The instructor's card for the open (or revealed) question.
#[component]
pub fn QuestionPanel(props: &QuestionPanelProps) -> Html {
    let question = &props.question;
    let tally = question
        .reveal
        .as_ref()
        .map(|r| &r.tally)
        .or(props.tally.as_ref());
    let (answered, waiting) = tally.map_or((0, 0), |t| (t.answered, t.waiting));
    let names = model::network().class_names();
    // Folded to its title bar and counts, so a laptop screen shows the view beneath.
    let folded = use_state(|| false);
    let fold = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(!*folded))
    };
    html! {
        <section class={classes!("question-card", "question-panel", folded.then_some("question-card--folded"))}
            data-testid="question-panel"
            data-question={question.id.0.to_string()} data-revealed={question.reveal.is_some().to_string()}
            aria-label="Quick check">
            <div class="question-head">
                <h2 class="question-title">{ "Quick check" }</h2>
                <button type="button" class="question-fold" data-testid="question-fold" aria-expanded={(!*folded).to_string()}
                    onclick={fold}>{ if *folded { "Show" } else { "Hide" } }</button>
            </div>
            if !*folded {
                <p class="question-prompt">{ question_maker::prompt(&question.ask) }</p>
            }
            <p class="question-counts" data-testid="question-counts" data-answered={answered.to_string()}
                data-waiting={waiting.to_string()} aria-live="polite">
                { format!("{answered} answered · {waiting} not yet") }
            </p>
            if let (false, Some(tally)) = (*folded, tally) {
                <SpreadChart ask={question.ask} spread={tally.spread.clone()}
                    correct={question.reveal.as_ref().map(|r| r.correct)} />
            }
            if let Some(reveal) = &question.reveal {
                if !*folded {
                    <p class="answer-result answer-result--right" data-testid="question-answer">
                        { format!("The answer: {}. {} of {} right.",
                            question_maker::describe(&reveal.correct, &question.ask, names), reveal.right, reveal.tally.answered) }
                    </p>
                }
                <button type="button" class="answer-send" data-testid="question-close"
                    onclick={props.ondismiss.reform(|_: MouseEvent| ())}>{ "Close" }</button>
            } else {
                <div class="question-actions">
                    <button type="button" class="answer-send" data-testid="question-reveal"
                        onclick={props.onreveal.reform(|_: MouseEvent| ())}>{ "Reveal the answer" }</button>
                    <button type="button" class="question-cancel" data-testid="question-cancel"
                        onclick={props.ondismiss.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                </div>
            }
        </section>
    }
}
