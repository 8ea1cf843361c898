//! The lesson text, apart from the panel that shows it (pure, tested natively): its sections,
//! which one each screen and each overview column leads to, the section named in the address
//! bar (`#…&article=convolution`, or the reference tool's `#article-convolution`), and the
//! `<article>` element of the fetched file. The text itself is `client/article.html`, a separate
//! file of the bundle that the page fetches the first time it is opened (a first visit does not
//! need it) and the service worker keeps for offline reading.

use yew::Callback;

use crate::layout::ColumnKind;
use crate::navigation::Screen;

/// One section of the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// What a CNN is: tensors, neurons, layers, kernels' weights and biases, the class scores.
    Cnn,
    /// The input layer: an image as three channels.
    Input,
    /// Convolutional layers.
    Convolution,
    /// Padding, kernel size and stride (and the playground).
    Hyperparameters,
    /// ReLU.
    Relu,
    /// Max pooling.
    Pooling,
    /// Flatten and the dense layer.
    Flatten,
    /// Softmax.
    Softmax,
    /// How to use this tool, alone or in a lecture.
    Using,
}

impl Section {
    /// Every section, in reading order.
    pub const ALL: [Section; 9] = [
        Section::Cnn,
        Section::Input,
        Section::Convolution,
        Section::Hyperparameters,
        Section::Relu,
        Section::Pooling,
        Section::Flatten,
        Section::Softmax,
        Section::Using,
    ];

    /// The section's name in addresses: `#article=<slug>`.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Cnn => "cnn",
            Section::Input => "input",
            Section::Convolution => "convolution",
            Section::Hyperparameters => "hyperparameters",
            Section::Relu => "relu",
            Section::Pooling => "pooling",
            Section::Flatten => "flatten",
            Section::Softmax => "softmax",
            Section::Using => "using",
        }
    }

    /// The `id` of the section's element in `article.html`.
    pub fn element_id(self) -> String {
        format!("article-{}", self.slug())
    }

    /// What the section is about, for button labels ("Read about …").
    pub fn topic(self) -> &'static str {
        match self {
            Section::Cnn => "what a convolutional neural network is",
            Section::Input => "the input layer",
            Section::Convolution => "convolutional layers",
            Section::Hyperparameters => "padding, kernel size and stride",
            Section::Relu => "the ReLU activation",
            Section::Pooling => "max pooling",
            Section::Flatten => "flatten and the dense layer",
            Section::Softmax => "softmax",
            Section::Using => "using CNN Classroom",
        }
    }

    /// The section called `slug`.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// The section that explains what `screen` shows.
pub fn for_screen(screen: Screen) -> Section {
    match screen {
        Screen::Overview => Section::Cnn,
        Screen::Conv | Screen::ConvInContext => Section::Convolution,
        Screen::Relu => Section::Relu,
        Screen::Pool => Section::Pooling,
        Screen::Flatten | Screen::ClassInContext => Section::Flatten,
        Screen::Softmax => Section::Softmax,
        Screen::Playground => Section::Hyperparameters,
    }
}

/// The section an overview column's label leads to.
pub fn for_column(kind: ColumnKind) -> Section {
    match kind {
        ColumnKind::Input => Section::Input,
        ColumnKind::Conv => Section::Convolution,
        ColumnKind::Activation | ColumnKind::VectorActivation => Section::Relu,
        ColumnKind::Pool => Section::Pooling,
        ColumnKind::Dense => Section::Flatten,
        ColumnKind::Output => Section::Softmax,
    }
}

/// The section named in a URL fragment (with or without `#`): `article=<slug>` among the
/// `&`-separated fields, or the whole fragment `article-<slug>` as the reference tool wrote it.
pub fn from_fragment(fragment: &str) -> Option<Section> {
    let fragment = fragment.trim_start_matches('#');
    if let Some(slug) = fragment.strip_prefix("article-") {
        return Section::from_slug(slug);
    }
    fragment
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "article")
        .and_then(|(_, slug)| Section::from_slug(slug))
}

/// `fragment` (a focus fragment without `#`) with the open section added, if any.
pub fn with_section(fragment: String, section: Option<Section>) -> String {
    match section {
        Some(section) => format!("{fragment}&article={}", section.slug()),
        None => fragment,
    }
}

/// The `<article>…</article>` element of the fetched lesson file, or `None` if it has none.
pub fn extract(html: &str) -> Option<&str> {
    let start = html.find("<article")?;
    let end = html[start..].rfind("</article>")? + start + "</article>".len();
    Some(&html[start..end])
}

/// Opens the lesson at a section; provided by the app to every component as a context.
#[derive(Clone, PartialEq)]
pub struct ArticleOpener(pub Callback<Section>);

/// Whether the lesson is open, and at which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lesson {
    /// The section shown; `None` when closed.
    pub section: Option<Section>,
    /// Counts requests to open a section, so asking for the open one again scrolls to it again.
    pub request: u32,
}

/// A change of the lesson panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonAction {
    /// Open (or scroll) to a section.
    Open(Section),
    /// Close the panel.
    Close,
}

impl Lesson {
    /// The lesson after `action`.
    pub fn apply(self, action: LessonAction) -> Self {
        match action {
            LessonAction::Open(section) => Self {
                section: Some(section),
                request: self.request.wrapping_add(1),
            },
            LessonAction::Close => Self {
                section: None,
                ..self
            },
        }
    }
}

impl yew::Reducible for Lesson {
    type Action = LessonAction;

    fn reduce(self: std::rc::Rc<Self>, action: LessonAction) -> std::rc::Rc<Self> {
        std::rc::Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_are_unique() {
        for section in Section::ALL {
            assert_eq!(Section::from_slug(section.slug()), Some(section));
        }
        assert_eq!(Section::from_slug("nope"), None);
        assert_eq!(Section::Relu.element_id(), "article-relu");
    }

    #[test]
    fn fragments_name_sections_both_ways() {
        assert_eq!(from_fragment("#article-convolution"), Some(Section::Convolution));
        assert_eq!(
            from_fragment("#view=neuron&layer=2&article=softmax"),
            Some(Section::Softmax)
        );
        assert_eq!(from_fragment("article=pooling"), Some(Section::Pooling));
        assert_eq!(from_fragment("#view=overview&layer=0"), None);
        assert_eq!(from_fragment("#article=unknown"), None);
        assert_eq!(
            with_section("view=overview".into(), Some(Section::Relu)),
            "view=overview&article=relu"
        );
        assert_eq!(with_section("view=overview".into(), None), "view=overview");
    }

    #[test]
    fn every_screen_and_column_has_a_section() {
        assert_eq!(for_screen(Screen::Playground), Section::Hyperparameters);
        assert_eq!(for_screen(Screen::Overview), Section::Cnn);
        assert_eq!(for_column(ColumnKind::Activation), Section::Relu);
        assert_eq!(for_column(ColumnKind::Output), Section::Softmax);
    }

    #[test]
    fn asking_again_for_the_open_section_is_a_new_request() {
        let open = Lesson::default().apply(LessonAction::Open(Section::Relu));
        let again = open.apply(LessonAction::Open(Section::Relu));
        assert_eq!(again.section, Some(Section::Relu));
        assert_ne!(again, open, "the panel scrolls to the section again");
        assert_eq!(again.apply(LessonAction::Close).section, None);
    }

    #[test]
    fn the_article_element_is_cut_out_of_the_page() {
        let page = "<!doctype html><html><head><title>x</title></head><body>\
                    <article class=\"lesson\"><h2>A</h2></article></body></html>";
        assert_eq!(
            extract(page),
            Some("<article class=\"lesson\"><h2>A</h2></article>")
        );
        assert_eq!(extract("<p>none</p>"), None);
    }

    #[test]
    fn the_shipped_article_has_every_section_and_no_script() {
        let html = include_str!("../article.html");
        let article = extract(html).expect("client/article.html has an <article>");
        for section in Section::ALL {
            assert!(
                article.contains(&format!("id=\"{}\"", section.element_id())),
                "article.html lacks the section {}",
                section.element_id()
            );
        }
        assert!(!html.contains("<script"), "the lesson must run no script");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "the lesson loads nothing from elsewhere"
        );
        assert!(article.contains("<math"), "formulas are MathML");
    }
}
