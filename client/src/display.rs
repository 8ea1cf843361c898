//! How this screen presents the views: the teaching hints on or off, and projector mode (larger
//! type, thicker outlines). Each screen chooses for itself — a projector and a student's laptop
//! differ — so these live beside the lecture's focus, never in it: changing them is not a
//! navigation and never breaks away from a lecture. They persist like the focus's view settings
//! (in the address bar), and in `localStorage` so the instructor's laptop keeps projector mode
//! across visits.

/// The display settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// Short annotations on the views ("each input channel has its own kernel", …).
    pub hints: bool,
    /// Larger type and thicker outlines, for the back of a lecture hall.
    pub projector: bool,
}

impl Default for Display {
    fn default() -> Self {
        Self {
            hints: true,
            projector: false,
        }
    }
}

/// The `localStorage` key.
const STORAGE_KEY: &str = "cnn-classroom.display";

impl Display {
    /// The fragment fields for these settings (appended to the focus's).
    pub fn to_fragment(self) -> String {
        format!(
            "hints={}&projector={}",
            u8::from(self.hints),
            u8::from(self.projector)
        )
    }

    /// The settings in `fragment` (with or without `#`), starting from `base` for missing fields.
    pub fn from_fragment(fragment: &str, base: Self) -> Self {
        let mut display = base;
        for pair in fragment.trim_start_matches('#').split('&') {
            match pair.split_once('=') {
                Some(("hints", value)) => display.hints = value != "0",
                Some(("projector", value)) => display.projector = value != "0",
                _ => {}
            }
        }
        display
    }

    /// The settings this browser saved last, or the defaults.
    pub fn load() -> Self {
        let saved = gloo::utils::window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten());
        saved.map_or_else(Self::default, |saved| {
            Self::from_fragment(&saved, Self::default())
        })
    }

    /// Remembers these settings for the next visit (silently not, where storage is off).
    pub fn save(self) {
        if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
            let _ = storage.set_item(STORAGE_KEY, &self.to_fragment());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_the_focus_fields() {
        for display in [
            Display::default(),
            Display {
                hints: false,
                projector: true,
            },
        ] {
            let fragment = format!("#view=neuron&layer=2&{}&step=4", display.to_fragment());
            assert_eq!(Display::from_fragment(&fragment, Display::default()), display);
        }
    }

    #[test]
    fn missing_or_garbled_fields_keep_the_base() {
        let base = Display {
            hints: false,
            projector: true,
        };
        assert_eq!(Display::from_fragment("", base), base);
        assert_eq!(Display::from_fragment("#hints&projector", base), base);
        assert_eq!(
            Display::from_fragment("projector=0", base),
            Display {
                hints: false,
                projector: false
            }
        );
    }
}
