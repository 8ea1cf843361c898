//! The lessons that ship with the app. Their data is one separate file of the bundle
//! (`client/lessons.json`, named with its content hash by `<meta name="cnn-lessons">`), fetched
//! the first time one is opened, never on a first visit, and kept by the service worker for
//! offline replay. Its pictures are shipped samples, named, so the file stays small.

use super::file::{Lesson, LessonError};
use crate::later_file;
use crate::model;
use models::json::{self, Json};

/// Every built-in lesson: its name in addresses (`#lesson=<name>`) and its title.
pub const BUILT_IN: [(&str, &str); 2] = [
    ("what-is-a-cnn", "What is a CNN"),
    ("why-wrong", "Why did it get this one wrong?"),
];

/// The built-in lesson called `name` (as the `'static` name of [`BUILT_IN`]).
pub fn named(name: &str) -> Option<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).find(|n| *n == name)
}

/// Lesson `name` out of the built-in lessons' file `bytes` (a JSON object of lesson files).
pub fn pick(bytes: &[u8], name: &str) -> Result<Lesson, String> {
    let damaged = || "the app's lesson file is damaged; reload the page and try again".to_owned();
    let text = std::str::from_utf8(bytes).map_err(|_| damaged())?;
    let Json::Object(all) = json::parse(text).map_err(|_| damaged())? else {
        return Err(damaged());
    };
    let (_, lesson) = all
        .into_iter()
        .find(|(key, _)| key == name)
        .ok_or_else(|| format!("there is no built-in lesson called “{name}”"))?;
    // Checked like any lesson file: the built-in ones get no special trust.
    Lesson::parse(&json::write(&lesson).into_bytes(), model::network())
        .map_err(|e: LessonError| e.to_string())
}

/// Fetches and checks built-in lesson `name`.
pub async fn fetch(name: &str) -> Result<Lesson, String> {
    let offline = "the lesson could not be loaded: this device seems to be offline, and lessons are \
                   saved for offline use only after a visit with a connection";
    let response = later_file::fetch(&later_file::url("cnn-lessons", "/lessons.json"), offline).await?;
    let buffer = later_file::body(response.array_buffer(), offline).await?;
    pick(&js_sys::Uint8Array::new(&buffer).to_vec(), name)
}

#[cfg(test)]
mod tests {
    use models::Layer;
    use shared::View;

    use super::*;
    use crate::navigation::{self, Screen};
    use crate::samples;

    const SHIPPED: &[u8] = include_bytes!("../../lessons.json");

    #[test]
    fn every_built_in_lesson_loads_and_every_focus_fits_the_real_model() {
        let Json::Object(all) = json::parse(std::str::from_utf8(SHIPPED).unwrap()).unwrap() else {
            panic!("client/lessons.json is an object of lessons");
        };
        assert_eq!(all.len(), BUILT_IN.len(), "one entry per built-in lesson");
        for (name, title) in BUILT_IN {
            let lesson = pick(SHIPPED, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(lesson.title, title);
            assert!(lesson.steps.len() >= 4, "{name}");
            for (i, step) in lesson.steps.iter().enumerate() {
                assert!(!step.note.trim().is_empty(), "{name} step {}: a note", i + 1);
                assert!(step.sample.is_some(), "{name} step {}: a shipped sample", i + 1);
            }
        }
        assert!(pick(SHIPPED, "nope").is_err());
        assert!(pick(b"{", "what-is-a-cnn").is_err());
    }

    #[test]
    fn what_is_a_cnn_walks_every_kind_of_layer_on_a_correctly_classified_sample() {
        let net = model::network();
        let lesson = pick(SHIPPED, "what-is-a-cnn").unwrap();
        let screens: Vec<Screen> = lesson
            .steps
            .iter()
            .map(|s| navigation::screen(net, &s.focus))
            .collect();
        for wanted in [
            Screen::Overview,
            Screen::Conv,
            Screen::Relu,
            Screen::Pool,
            Screen::Flatten,
            Screen::Softmax,
        ] {
            assert!(screens.contains(&wanted), "{wanted:?} in {screens:?}");
        }
        for step in &lesson.steps {
            let index = step.sample.unwrap();
            let trace = model::trace(&samples::image(index).unwrap()).unwrap();
            let class = net.class_names()[trace.predicted_class()].clone();
            let name = samples::name(index).unwrap();
            assert!(!name.ends_with("misclassified"), "{name}");
            assert!(
                name.replace('_', " ")
                    .starts_with(&class.to_lowercase().replace(['/', '-'], " ")[..4]),
                "{name} is predicted {class}"
            );
        }
        assert!(lesson.steps.iter().any(|s| s.focus.view == View::Operation
            && matches!(net.layers()[usize::from(s.focus.layer)].layer, Layer::Conv2d(_))));
    }

    #[test]
    fn why_wrong_shows_the_misclassified_sample() {
        let lesson = pick(SHIPPED, "why-wrong").unwrap();
        let misclassified = samples::index_named("shirt_misclassified").unwrap();
        assert!(lesson.steps.iter().any(|s| s.sample == Some(misclassified)));
    }
}
