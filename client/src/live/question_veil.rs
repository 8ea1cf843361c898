//! While a question is open, the numbers that give its answer away are veiled on this screen
//! (the instructor's too: it is on the projector): the class bars and the prediction for "which
//! class?", the step's result for the other questions. The reveal lifts the veil, and the view
//! shows the real computation.

use shared::{Ask, Question};
use yew::prelude::*;

/// The `<body>` class that veils what answers `question`, while it is open.
pub fn veil_class(question: Option<&Question>) -> Option<&'static str> {
    let question = question.filter(|q| q.reveal.is_none())?;
    Some(match question.ask {
        Ask::PredictClass { .. } => "veil-classes",
        Ask::NextValue | Ask::PickCell { .. } => "veil-values",
    })
}

/// Keeps the `<body>` class of [`veil_class`] in step with the question.
#[hook]
pub fn use_question_veil(question: Option<&Question>) {
    let class = veil_class(question);
    use_effect_with(class, |class| {
        let body = gloo::utils::document().body();
        if let (Some(body), Some(class)) = (&body, class) {
            let _ = body.class_list().add_1(class);
        }
        let class = *class;
        move || {
            if let (Some(body), Some(class)) = (body, class) {
                let _ = body.class_list().remove_1(class);
            }
        }
    });
}
