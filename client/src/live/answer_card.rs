//! A student's quick-check card: the question, a way to answer (class buttons, a number box, or
//! a grid of cells), the answer the server holds (changeable until the reveal), and after the
//! reveal this student's own result beside the class's spread. A student exploring on their own
//! is asked to come back first.

use std::rc::Rc;

use shared::{Answer, Ask, Question};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::question_maker;
use super::spread_chart::SpreadChart;
use crate::format;
use crate::model;
use crate::state::CanonicalImage;

/// Props of [`AnswerCard`].
#[derive(Properties, PartialEq)]
pub struct AnswerCardProps {
    /// The question.
    pub question: Question,
    /// The answer the server holds for this student.
    pub mine: Option<Answer>,
    /// An answer sent and not confirmed yet.
    pub sending: Option<Answer>,
    /// Whether this student explores on their own right now.
    pub exploring: bool,
    /// The lecture's picture (for the values of a grid question).
    pub input: Option<Rc<CanonicalImage>>,
    /// Send this answer.
    pub onanswer: Callback<Answer>,
    /// Back to the live focus.
    pub onreturn: Callback<()>,
}

/// Parses a typed decimal number (`-0.69`, `1,5`, `−2`, `.5`): digits by hand rather than
/// `str::parse::<f32>`, whose general float parser would add kilobytes to the first download
/// for a box that takes a few digits.
fn parse_number(text: &str) -> Option<f32> {
    let cleaned = text.trim().replace(',', ".").replace('\u{2212}', "-");
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0
        || whole.len() > 9
        || fraction.len() > 9
        || !all_digits(whole)
        || !all_digits(fraction)
    {
        return None;
    }
    let number = |part: &str| part.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    let value = number(whole) as f64 + number(fraction) as f64 / 10f64.powi(fraction.len() as i32);
    Some((if negative { -value } else { value }) as f32)
}

/// The student's card.
#[component]
pub fn AnswerCard(props: &AnswerCardProps) -> Html {
    let question = &props.question;
    let typed = use_state(String::new);
    let problem = use_state(|| None::<&'static str>);
    // Folded to its title bar, so a small screen can see the numbers it asks about.
    let folded = use_state(|| false);
    let names = model::network().class_names();
    let shown = props.sending.or(props.mine);
    let cell_values = use_memo(
        (props.input.clone(), question.focus, question.ask),
        |(input, focus, ask)| match (input, ask) {
            (Some(image), Ask::PickCell { target, .. }) => model::trace(image)
                .ok()
                .and_then(|trace| question_maker::cell_values(model::network(), &trace, focus, *target)),
            _ => None,
        },
    );

    let body = if let Some(reveal) = &question.reveal {
        let right = props.mine.is_some_and(|mine| reveal.correct.accepts(&mine));
        let answer = question_maker::describe(&reveal.correct, &question.ask, names);
        let (class, verdict) = match (props.mine, right) {
            (None, _) => (
                "answer-result--none",
                format!("You did not answer. The answer is {answer}."),
            ),
            (Some(_), true) => ("answer-result--right", format!("Right! The answer is {answer}.")),
            (Some(mine), false) => (
                "answer-result--wrong",
                format!(
                    "Not this time: you said {}, the answer is {answer}.",
                    describe_answer(&mine, &question.ask, names)
                ),
            ),
        };
        html! {
            <>
                <p class={classes!("answer-result", class)} data-testid="answer-result"
                    data-right={right.to_string()} data-answered={props.mine.is_some().to_string()} role="status">
                    { verdict }
                </p>
                <p class="answer-class-line">
                    { format!("{} of {} answers were right.", reveal.right, reveal.tally.answered) }
                </p>
                <SpreadChart ask={question.ask} spread={reveal.tally.spread.clone()}
                    correct={Some(reveal.correct)} mine={props.mine} />
            </>
        }
    } else if props.exploring {
        html! {
            <>
                <p class="answer-come-back">{ "The instructor asked the class a question. Come back to the lecture to answer it." }</p>
                <button type="button" class="answer-send" data-testid="answer-come-back"
                    onclick={props.onreturn.reform(|_: MouseEvent| ())}>{ "Back to the lecture" }</button>
            </>
        }
    } else {
        let form = match question.ask {
            Ask::PredictClass { classes } => html! {
                <div class="answer-choices" role="group" aria-label="Classes">
                    { for (0..classes).map(|class| {
                        let answer = Answer::Class(class);
                        let name = names.get(usize::from(class)).cloned().unwrap_or_else(|| format!("class {class}"));
                        html! {
                            <button type="button" class="answer-choice" data-testid={format!("answer-class-{class}")}
                                aria-pressed={(shown == Some(answer)).to_string()}
                                onclick={props.onanswer.reform(move |_: MouseEvent| answer)}>{ name }</button>
                        }
                    }) }
                </div>
            },
            Ask::NextValue => {
                let onsubmit = {
                    let (typed, problem, onanswer) = (typed.clone(), problem.clone(), props.onanswer.clone());
                    Callback::from(move |event: SubmitEvent| {
                        event.prevent_default();
                        match parse_number(&typed) {
                            Some(value) => {
                                problem.set(None);
                                onanswer.emit(Answer::Value(value));
                            }
                            None => problem.set(Some("Type a number, for example -0.69.")),
                        }
                    })
                };
                let oninput = {
                    let typed = typed.clone();
                    Callback::from(move |event: InputEvent| {
                        if let Some(input) = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            typed.set(input.value());
                        }
                    })
                };
                html! {
                    <form class="answer-number" {onsubmit}>
                        <label>
                            <span class="answer-label">{ "Your value" }</span>
                            <input type="text" inputmode="decimal" autocomplete="off" data-testid="answer-number"
                                value={(*typed).clone()} {oninput} placeholder="e.g. -0.69" />
                        </label>
                        <button type="submit" class="answer-send" data-testid="answer-send">
                            { if shown.is_some() { "Change my answer" } else { "Answer" } }
                        </button>
                    </form>
                }
            }
            Ask::PickCell { width, height, .. } => {
                let style = format!("grid-template-columns: repeat({width}, minmax(2.6rem, 4rem))");
                html! {
                    <div class="answer-grid" role="group" aria-label="Cells" {style}>
                        { for (0..width * height).map(|cell| {
                            let answer = Answer::Cell(cell);
                            let value = (*cell_values).as_ref().and_then(|v| v.get(usize::from(cell))).copied();
                            html! {
                                <button type="button" class="answer-cell" data-testid={format!("answer-cell-{cell}")}
                                    aria-pressed={(shown == Some(answer)).to_string()}
                                    aria-label={format!("row {}, column {}", cell / width, cell % width)}
                                    onclick={props.onanswer.reform(move |_: MouseEvent| answer)}>
                                    { value.map(format::value).unwrap_or_else(|| format!("{},{}", cell / width, cell % width)) }
                                </button>
                            }
                        }) }
                    </div>
                }
            }
        };
        let status = match (props.sending, props.mine) {
            (Some(_), _) => "Sending…".to_owned(),
            (None, Some(mine)) => format!(
                "Your answer: {}. You can change it until the instructor reveals.",
                describe_answer(&mine, &question.ask, names)
            ),
            (None, None) => "Not answered yet.".to_owned(),
        };
        html! {
            <>
                { form }
                if let Some(problem) = *problem {
                    <p class="answer-problem" role="alert">{ problem }</p>
                }
                <p class="answer-status" data-testid="answer-status"
                    data-answer={props.mine.map(|m| answer_key(&m)).unwrap_or_default()}
                    role="status">{ status }</p>
            </>
        }
    };
    let fold = {
        let folded = folded.clone();
        Callback::from(move |_: MouseEvent| folded.set(!*folded))
    };
    html! {
        <section class={classes!("question-card", "answer-card", folded.then_some("question-card--folded"))}
            data-testid="answer-card"
            data-question={question.id.0.to_string()} data-revealed={question.reveal.is_some().to_string()}
            aria-label="Question from the instructor" aria-live="polite">
            <div class="question-head">
                <h2 class="question-title">{ "Quick check" }</h2>
                <button type="button" class="question-fold" data-testid="answer-fold" aria-expanded={(!*folded).to_string()}
                    onclick={fold}>{ if *folded { "Show" } else { "Hide" } }</button>
            </div>
            if !*folded {
                <p class="question-prompt">{ question_maker::prompt(&question.ask) }</p>
                { body }
            }
        </section>
    }
}

/// An answer as tests read it: `class-3`, `cell-2`, or the number as Rust prints an `f32`.
fn answer_key(answer: &Answer) -> String {
    match *answer {
        Answer::Class(class) => format!("class-{class}"),
        Answer::Value(value) => format::exact(value),
        Answer::Cell(cell) => format!("cell-{cell}"),
    }
}

/// An answer in words.
fn describe_answer(answer: &Answer, ask: &Ask, names: &[String]) -> String {
    match *answer {
        Answer::Class(class) => names
            .get(usize::from(class))
            .cloned()
            .unwrap_or_else(|| format!("class {class}")),
        Answer::Value(value) => format::value(value),
        Answer::Cell(cell) => match *ask {
            Ask::PickCell { width, .. } => {
                let width = width.max(1);
                format!("row {}, column {}", cell / width, cell % width)
            }
            _ => format!("cell {cell}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn typed_numbers_accept_a_comma_and_a_real_minus() {
        assert_eq!(parse_number(" -0.69 "), Some(-0.69));
        assert_eq!(parse_number("1,5"), Some(1.5));
        assert_eq!(parse_number("\u{2212}2"), Some(-2.0));
        assert_eq!(parse_number(".25"), Some(0.25));
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number(""), None);
    }
}
