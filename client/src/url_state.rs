//! The focus in the address bar (`#view=neuron&layer=2&neuron=3&step=40`), so a view can be
//! bookmarked, shared or reloaded (the reference kept no URL state). Unknown or malformed
//! fields are ignored, never trusted: the views clamp every index anyway.

use shared::{ColorRange, Focus, View};

/// The URL fragment (without `#`) for `focus`.
pub fn to_fragment(focus: &Focus) -> String {
    let view = match focus.view {
        View::Overview => "overview",
        View::Neuron => "neuron",
        View::Operation => "operation",
    };
    let range = match focus.color_range {
        ColorRange::Layer => "layer",
        ColorRange::Block => "block",
        ColorRange::Network => "network",
    };
    format!(
        "view={view}&layer={}&neuron={}&channel={}&step={}&ms={}&range={range}&detail={}",
        focus.layer,
        focus.neuron,
        focus.channel,
        focus.step,
        focus.step_ms,
        u8::from(focus.show_detail)
    )
}

/// The focus described by `fragment` (with or without `#`), starting from `base` for missing
/// fields. Playback always starts paused.
pub fn from_fragment(fragment: &str, base: Focus) -> Focus {
    let mut focus = Focus {
        playing: false,
        ..base
    };
    for pair in fragment.trim_start_matches('#').split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        match key {
            "view" => {
                focus.view = match value {
                    "neuron" => View::Neuron,
                    "operation" => View::Operation,
                    _ => View::Overview,
                }
            }
            "layer" => focus.layer = value.parse().unwrap_or(focus.layer),
            "neuron" => focus.neuron = value.parse().unwrap_or(focus.neuron),
            "channel" => focus.channel = value.parse().unwrap_or(focus.channel),
            "step" => focus.step = value.parse().unwrap_or(focus.step),
            "ms" => focus.step_ms = value.parse::<u16>().map(|ms| ms.max(1)).unwrap_or(focus.step_ms),
            "range" => {
                focus.color_range = match value {
                    "block" => ColorRange::Block,
                    "network" => ColorRange::Network,
                    _ => ColorRange::Layer,
                }
            }
            "detail" => focus.show_detail = value != "0",
            _ => {}
        }
    }
    focus
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_field_but_playing() {
        let focus = Focus {
            view: View::Operation,
            layer: 2,
            neuron: 3,
            channel: 4,
            step: 1234,
            playing: true,
            step_ms: 50,
            color_range: ColorRange::Block,
            show_detail: false,
        };
        let back = from_fragment(&format!("#{}", to_fragment(&focus)), Focus::default());
        assert_eq!(
            back,
            Focus {
                playing: false,
                ..focus
            }
        );
    }

    #[test]
    fn garbage_is_ignored() {
        let base = Focus::default();
        assert_eq!(from_fragment("", base), base);
        assert_eq!(
            from_fragment("#layer=-1&neuron=x&&=&step=99999999999&junk", base),
            base
        );
        assert_eq!(from_fragment("#ms=0", base).step_ms, 1);
    }
}
