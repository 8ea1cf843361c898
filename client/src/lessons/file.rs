//! A lesson as a file: a title and steps, each a focus (in the app's address format), the input
//! picture and a note. JSON, so a teacher can read it; pictures inside, either as a shipped sample's name or as the 64×64 RGB
//! pixels in base64. Loading checks everything before any of it is used or sent to a server:
//! size, format and version, every picture, every note, and every focus against the real network
//! (a focus that names a layer or neuron the network lacks is refused with a sentence).

use std::fmt;
use std::rc::Rc;

use models::playground::{check_crop, check_model_kernel};
use models::{Layer, Network};
use shared::lesson_note::check_note;
use shared::{Focus, KernelWeights, View};

use super::base64;
use crate::navigation;
use crate::samples;
use crate::state::CanonicalImage;
use crate::url_state;
use models::json::{self, Json, JsonError};

/// What a lesson file says it is (the first field).
pub const FORMAT: &str = "cnn-classroom-lesson";
/// The version of the file format this build reads and writes.
pub const VERSION: u32 = 1;
/// Largest lesson file, in bytes (100 steps of pixels fit).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Most steps in one lesson.
pub const MAX_STEPS: usize = 100;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;

/// One moment of a lesson, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What the class looks at.
    pub focus: Focus,
    /// The input picture.
    pub image: Rc<CanonicalImage>,
    /// The shipped sample the picture is, if it is one (sent as a sample, not as pixels).
    pub sample: Option<usize>,
    /// The note (plain text or a little Markdown, see `markdown`).
    pub note: String,
}

/// A lesson, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// Its title.
    pub title: String,
    /// Its steps, in order (never empty once loaded).
    pub steps: Vec<Step>,
}

/// Why a lesson file was refused; each reads as a sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonError {
    /// Over [`MAX_FILE_BYTES`].
    TooBig {
        /// The file's size.
        bytes: usize,
    },
    /// Ends in the middle (an interrupted download or copy).
    Truncated,
    /// Not JSON, or not a lesson's fields.
    NotALesson(String),
    /// Another file format version.
    WrongVersion {
        /// The version in the file.
        found: u32,
    },
    /// No steps, or more than [`MAX_STEPS`].
    StepCount {
        /// How many there are.
        count: usize,
    },
    /// The title is over [`MAX_TITLE_CHARS`] or has control characters.
    BadTitle,
    /// A step's picture cannot be used.
    BadImage {
        /// Step number, from 1.
        step: usize,
        /// What is wrong.
        why: String,
    },
    /// A step's note is too long or has control characters.
    BadNote {
        /// Step number, from 1.
        step: usize,
        /// What is wrong.
        why: String,
    },
    /// A step's focus does not fit the network.
    BadFocus {
        /// Step number, from 1.
        step: usize,
        /// What is wrong.
        why: String,
    },
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooBig { bytes } => write!(
                f,
                "This file is {bytes} bytes; a lesson can be at most {MAX_FILE_BYTES} bytes. Pick a lesson file saved by CNN Classroom."
            ),
            Self::Truncated => write!(
                f,
                "This lesson file ends in the middle (an interrupted download?); save or copy it again."
            ),
            Self::NotALesson(why) => write!(
                f,
                "This is not a CNN Classroom lesson file ({why}); pick a file saved with “Save lesson”."
            ),
            Self::WrongVersion { found } => write!(
                f,
                "This lesson file has format version {found}; this app reads version {VERSION}. Update the app or save the lesson again."
            ),
            Self::StepCount { count } => {
                write!(f, "A lesson has 1 to {MAX_STEPS} steps; this file has {count}.")
            }
            Self::BadTitle => write!(
                f,
                "The lesson's title must be at most {MAX_TITLE_CHARS} characters of plain text."
            ),
            Self::BadImage { step, why } => write!(f, "Step {step}'s picture cannot be used: {why}"),
            Self::BadNote { step, why } => write!(f, "Step {step}'s note cannot be used: {why}"),
            Self::BadFocus { step, why } => {
                write!(f, "Step {step} shows something this network does not have: {why}")
            }
        }
    }
}

// ----- reading and writing --------------------------------------------------------------------
//
// The file, by example (`focus` is the app's own address format, see `url_state`):
//
// { "format": "cnn-classroom-lesson", "version": 1, "title": "ReLU",
//   "steps": [ { "focus": "view=operation&layer=1&neuron=7&step=1484",
//                "image": { "sample": "ankle_boot_3" },   or   { "rgb": "<base64>" }
//                "note": "**ReLU** keeps …" } ] }

fn not_a_lesson(why: &str) -> LessonError {
    LessonError::NotALesson(why.to_owned())
}

impl Lesson {
    /// Reads and checks a lesson file against `network`.
    pub fn parse(bytes: &[u8], network: &Network) -> Result<Self, LessonError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(LessonError::TooBig { bytes: bytes.len() });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| not_a_lesson("it is not text"))?;
        let file = json::parse(text).map_err(|e| match e {
            JsonError::Truncated => LessonError::Truncated,
            JsonError::Invalid(at) => LessonError::NotALesson(format!("it is not JSON after byte {at}")),
        })?;
        if file.get("format").and_then(Json::as_str) != Some(FORMAT) {
            return Err(not_a_lesson("it does not say it is a lesson"));
        }
        match file.get("version") {
            Some(Json::Number(v)) if *v == i64::from(VERSION) => {}
            Some(&Json::Number(v)) if let Ok(found) = u32::try_from(v) => {
                return Err(LessonError::WrongVersion { found });
            }
            _ => return Err(not_a_lesson("it has no format version")),
        }
        let title = file
            .get("title")
            .and_then(Json::as_str)
            .ok_or_else(|| not_a_lesson("it has no title"))?
            .trim()
            .to_owned();
        if title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
            return Err(LessonError::BadTitle);
        }
        let Some(Json::Array(steps)) = file.get("steps") else {
            return Err(not_a_lesson("it has no steps"));
        };
        if steps.is_empty() || steps.len() > MAX_STEPS {
            return Err(LessonError::StepCount { count: steps.len() });
        }
        let side = network.input_shape()[1] as u32;
        let mut read = Vec::with_capacity(steps.len());
        for (index, step) in steps.iter().enumerate() {
            read.push(read_step(index + 1, step, network, side)?);
        }
        Ok(Self { title, steps: read })
    }

    /// The lesson as a file's bytes (pixels inside; samples by name).
    pub fn to_file(&self) -> Vec<u8> {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|step| {
                let image = match step.sample.and_then(samples::name) {
                    Some(name) => format!("{{ \"sample\": {} }}", json::quote(name)),
                    None => format!("{{ \"rgb\": \"{}\" }}", base64::encode(&step.image.rgb)),
                };
                format!(
                    "    {{\n      \"focus\": {},\n      \"image\": {image},\n      \"note\": {}\n    }}",
                    json::quote(&url_state::to_fragment(&step.focus)),
                    json::quote(&step.note)
                )
            })
            .collect();
        format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"version\": {VERSION},\n  \"title\": {},\n  \"steps\": [\n{}\n  ]\n}}\n",
            json::quote(&self.title),
            steps.join(",\n")
        )
        .into_bytes()
    }
}

impl Step {
    /// A step showing `image` at `focus` with `note`; the sample it is, if any, is recognised.
    pub fn new(focus: Focus, image: Rc<CanonicalImage>, note: String) -> Self {
        Self {
            focus: Focus {
                playing: false,
                ..focus
            },
            sample: samples::index_of(&image),
            image,
            note,
        }
    }
}

fn read_step(number: usize, step: &Json, network: &Network, side: u32) -> Result<Step, LessonError> {
    let bad_image = |why: String| LessonError::BadImage { step: number, why };
    let image = step.get("image");
    let (image, sample) = match (
        image.and_then(|i| i.get("sample")).and_then(Json::as_str),
        image.and_then(|i| i.get("rgb")).and_then(Json::as_str),
    ) {
        (Some(name), None) => {
            let index = samples::index_named(name)
                .ok_or_else(|| bad_image(format!("this app has no sample picture called “{name}”.")))?;
            (samples::image(index).map_err(bad_image)?, Some(index))
        }
        (None, Some(text)) => {
            let expected = (side * side * 3) as usize;
            // Checked before decoding, so a huge string is not decoded for nothing.
            if text.len() > expected.div_ceil(3) * 4 + 4 {
                return Err(bad_image(format!("it is not a {side}×{side} RGB picture.")));
            }
            let rgb = base64::decode(text)
                .ok_or_else(|| bad_image("its pixels are damaged (not base64).".to_owned()))?;
            if rgb.len() != expected {
                return Err(bad_image(format!(
                    "it has {} bytes of pixels, not the {expected} of a {side}×{side} RGB picture.",
                    rgb.len()
                )));
            }
            let image = CanonicalImage::new(rgb, side).map_err(|e| bad_image(e.to_string()))?;
            let sample = samples::index_of(&image);
            (image, sample)
        }
        _ => return Err(bad_image("it names neither a sample nor pixels.".to_owned())),
    };
    let note = match step.get("note") {
        None => String::new(),
        Some(note) => note
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| LessonError::BadNote {
                step: number,
                why: "it is not text.".to_owned(),
            })?,
    };
    check_note(&note).map_err(|e| LessonError::BadNote {
        step: number,
        why: e.to_string(),
    })?;
    let fragment = step
        .get("focus")
        .and_then(Json::as_str)
        .ok_or_else(|| LessonError::BadFocus {
            step: number,
            why: "it does not say what to show.".to_owned(),
        })?;
    let focus = url_state::from_fragment(fragment, Focus::default());
    check_focus(network, &focus).map_err(|why| LessonError::BadFocus { step: number, why })?;
    Ok(Step {
        focus,
        image: Rc::new(image),
        sample,
        note,
    })
}

/// Whether `focus` shows something `network` has: the layer, the neuron (channel or class), the
/// input channel of a convolution, the animation step, and the playground's crop and kernel.
pub fn check_focus(network: &Network, focus: &Focus) -> Result<(), String> {
    let layers = network.layers();
    let Some(layer) = layers.get(usize::from(focus.layer)) else {
        return Err(format!(
            "the network has {} layers, and layer {} is not one of them.",
            layers.len(),
            focus.layer
        ));
    };
    let name = &layer.name;
    if matches!(focus.view, View::Neuron | View::Operation) {
        let neurons = network.output_shapes()[usize::from(focus.layer)][0];
        if usize::from(focus.neuron) >= neurons {
            return Err(format!(
                "layer {name} has {neurons} neurons, and neuron {} is not one of them.",
                focus.neuron
            ));
        }
        if let Layer::Conv2d(_) = layer.layer {
            let channels = network.input_shape_of(usize::from(focus.layer))[0];
            if usize::from(focus.channel) >= channels {
                return Err(format!(
                    "layer {name} reads {channels} channels, and channel {} is not one of them.",
                    focus.channel
                ));
            }
        }
    }
    if !(1..=10_000).contains(&focus.step_ms) {
        return Err(format!(
            "an animation speed of {} ms per step is outside 1 to 10,000 ms.",
            focus.step_ms
        ));
    }
    let playground = &focus.playground;
    playground.check_limits().map_err(|e| e.to_string())?;
    check_crop(
        network,
        usize::from(playground.map),
        usize::from(playground.map_channel),
        usize::from(playground.top),
        usize::from(playground.left),
        usize::from(playground.input),
    )
    .map_err(|e| format!("the playground's crop is not possible: {e}"))?;
    if let KernelWeights::Model {
        layer,
        neuron,
        channel,
    } = playground.weights
    {
        check_model_kernel(
            network,
            usize::from(layer),
            usize::from(neuron),
            usize::from(channel),
            usize::from(playground.kernel),
        )
        .map_err(|e| format!("the playground's kernel is not possible: {e}"))?;
    }
    let steps = navigation::steps(network, focus);
    if focus.step > 0 && focus.step >= steps {
        return Err(format!(
            "this view has {steps} animation steps, and step {} is not one of them.",
            focus.step
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    fn lesson() -> Lesson {
        let net = model::network();
        let drawn = {
            let mut image = samples::image(4).unwrap();
            image.rgb[7] ^= 0x55;
            Rc::new(image)
        };
        let conv = navigation::open(net, &Focus::default(), 0, 3);
        Lesson {
            title: "Three moments".into(),
            steps: vec![
                Step::new(
                    Focus::default(),
                    Rc::new(samples::image(21).unwrap()),
                    "The *input*.".into(),
                ),
                Step::new(
                    Focus { step: 100, ..conv },
                    drawn.clone(),
                    "A kernel: **nine** weights.\n\n- `0.42`".into(),
                ),
                Step::new(
                    navigation::open(net, &Focus::default(), 12, 7),
                    drawn,
                    String::new(),
                ),
            ],
        }
    }

    fn parse(bytes: &[u8]) -> Result<Lesson, LessonError> {
        Lesson::parse(bytes, model::network())
    }

    /// The lesson's file with `edit` applied to its JSON.
    fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut json: serde_json::Value = serde_json::from_slice(&lesson().to_file()).unwrap();
        edit(&mut json);
        serde_json::to_vec(&json).unwrap()
    }

    #[test]
    fn a_lesson_survives_the_round_trip() {
        let lesson = lesson();
        let file = lesson.to_file();
        let back = parse(&file).expect("its own file loads");
        assert_eq!(back, lesson);
        assert_eq!(back.steps[0].sample, Some(21));
        assert_eq!(back.steps[1].sample, None, "a changed sample is its own picture");
        let text = String::from_utf8(file).unwrap();
        assert!(text.contains("\"sample\": \"sneaker_1\""), "a sample by name");
        assert!(
            text.contains("\"focus\": \"view=neuron&layer=0&neuron=3"),
            "the focus in the address format"
        );
        assert!(text.contains("\"rgb\""));
    }

    #[test]
    fn every_refusal_reads_as_a_sentence() {
        let refused = |bytes: &[u8]| parse(bytes).unwrap_err();
        assert_eq!(
            refused(&vec![b' '; MAX_FILE_BYTES + 1]),
            LessonError::TooBig {
                bytes: MAX_FILE_BYTES + 1
            }
        );
        let file = lesson().to_file();
        assert_eq!(refused(&file[..file.len() / 2]), LessonError::Truncated);
        assert!(matches!(refused(b"PNG\x89 not json"), LessonError::NotALesson(_)));
        assert!(matches!(refused(b"{\"title\": 1}"), LessonError::NotALesson(_)));
        assert!(matches!(
            refused(&edited(|j| j["version"] = "1".into())),
            LessonError::NotALesson(_)
        ));
        assert!(matches!(
            refused(&edited(|j| j["format"] = "slides".into())),
            LessonError::NotALesson(_)
        ));
        assert_eq!(
            refused(&edited(|j| j["version"] = 2.into())),
            LessonError::WrongVersion { found: 2 }
        );
        assert_eq!(
            refused(&edited(|j| j["steps"] = serde_json::json!([]))),
            LessonError::StepCount { count: 0 }
        );
        assert_eq!(
            refused(&edited(|j| j["title"] = "x".repeat(MAX_TITLE_CHARS + 1).into())),
            LessonError::BadTitle
        );
        assert!(matches!(
            refused(&edited(
                |j| j["steps"][0]["image"] = serde_json::json!({"sample": "unicorn"})
            )),
            LessonError::BadImage { step: 1, .. }
        ));
        assert!(matches!(
            refused(&edited(
                |j| j["steps"][1]["image"] = serde_json::json!({"rgb": "AAAA"})
            )),
            LessonError::BadImage { step: 2, .. }
        ));
        assert!(matches!(
            refused(&edited(
                |j| j["steps"][1]["image"] = serde_json::json!({"rgb": "!!!!"})
            )),
            LessonError::BadImage { step: 2, .. }
        ));
        assert!(matches!(
            refused(&edited(
                |j| j["steps"][2]["note"] = "x".repeat(shared::MAX_NOTE_BYTES + 1).into()
            )),
            LessonError::BadNote { step: 3, .. }
        ));
        let focus_of_step_2 = |fields: &str| {
            edited(|j| j["steps"][1]["focus"] = format!("view=operation&layer=0&neuron=3&{fields}").into())
        };
        for fields in [
            "layer=13",
            "layer=999",
            "neuron=10",
            "channel=3",
            "step=3844",
            "ms=20000",
        ] {
            let error = refused(&focus_of_step_2(fields));
            assert!(
                matches!(error, LessonError::BadFocus { step: 2, .. }),
                "{fields}: {error:?}"
            );
        }
        assert!(
            parse(&focus_of_step_2("step=3843")).is_ok(),
            "the last step of conv_1_1"
        );
        assert!(matches!(
            refused(&edited(|j| j["steps"][1]["focus"] = 3.into())),
            LessonError::BadFocus { step: 2, .. }
        ));
        assert!(matches!(
            refused(&edited(|j| j["steps"][1]["note"] = 3.into())),
            LessonError::BadNote { step: 2, .. }
        ));
        assert!(matches!(
            refused(&edited(|j| j["steps"][1]["image"] = serde_json::json!({}))),
            LessonError::BadImage { step: 2, .. }
        ));
        let error = refused(&focus_of_step_2("layer=13"));
        assert_eq!(
            error.to_string(),
            "Step 2 shows something this network does not have: the network has 13 layers, and layer 13 is not one of them."
        );
        let error = refused(&edited(|j| {
            j["steps"][2]["focus"] = "view=neuron&layer=11&neuron=10".into()
        }));
        assert!(
            error.to_string().contains("layer output has 10 neurons"),
            "{error}"
        );
        assert!(matches!(refused(b"\xff\xfe"), LessonError::NotALesson(_)));
    }

    #[test]
    fn every_message_says_what_to_do() {
        for error in [
            LessonError::TooBig { bytes: 1 },
            LessonError::Truncated,
            LessonError::NotALesson("x".into()),
            LessonError::WrongVersion { found: 9 },
            LessonError::StepCount { count: 0 },
            LessonError::BadTitle,
        ] {
            let text = error.to_string();
            assert!(text.ends_with('.') && text.len() > 40, "{text}");
        }
    }
}
