//! The focus in the address bar (`#view=neuron&layer=2&neuron=3&step=40`), so a view can be
//! bookmarked, shared or reloaded (the reference kept no URL state); the playground adds its
//! settings (`pg=6.0.3.1&crop=0.0.29.29&kernel=m.0.0.0`). Unknown or malformed fields are ignored,
//! never trusted: the views clamp every index anyway, and a playground outside the protocol's
//! limits is not taken.

use shared::{ColorRange, Focus, KernelWeights, MAX_KERNEL_CELLS, Playground, View};

/// The URL fragment (without `#`) for `focus`.
pub fn to_fragment(focus: &Focus) -> String {
    let view = match focus.view {
        View::Overview => "overview",
        View::Neuron => "neuron",
        View::Operation => "operation",
        View::Playground => "playground",
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
    ) + &playground_fields(focus)
}

/// The playground's settings as fragment fields, only while it is open (other views' addresses
/// stay short).
fn playground_fields(focus: &Focus) -> String {
    if focus.view != View::Playground {
        return String::new();
    }
    let p = focus.playground;
    let kernel = match p.weights {
        KernelWeights::Model {
            layer,
            neuron,
            channel,
        } => format!("m.{layer}.{neuron}.{channel}"),
        KernelWeights::Hand(tenths) => {
            let k = usize::from(p.kernel).min(shared::MAX_PLAYGROUND_KERNEL.into());
            let values: Vec<String> = tenths[..k * k].iter().map(i8::to_string).collect();
            format!("h.{}", values.join("."))
        }
    };
    format!(
        "&pg={}.{}.{}.{}&crop={}.{}.{}.{}&kernel={kernel}",
        p.input, p.padding, p.kernel, p.stride, p.map, p.map_channel, p.top, p.left
    )
}

/// Numbers separated by dots, e.g. `6.0.3.1`, or `None` if any is not a number.
fn dotted<T: std::str::FromStr>(value: &str) -> Option<Vec<T>> {
    value.split('.').map(|v| v.parse().ok()).collect()
}

/// The playground described by the `pg`, `crop` and `kernel` fields, starting from `base`;
/// `base` itself if the result is outside the protocol's limits.
fn parse_playground(pairs: &[(&str, &str)], base: Playground) -> Playground {
    let mut p = base;
    for &(key, value) in pairs {
        match key {
            "pg" => {
                if let Some([n, pad, k, s]) = dotted::<u8>(value).and_then(|v| <[u8; 4]>::try_from(v).ok()) {
                    (p.input, p.padding, p.kernel, p.stride) = (n, pad, k, s);
                }
            }
            "crop" => {
                if let Some([map, channel, top, left]) =
                    dotted::<u16>(value).and_then(|v| <[u16; 4]>::try_from(v).ok())
                {
                    (p.map, p.map_channel, p.top, p.left) = (map, channel, top, left);
                }
            }
            "kernel" => {
                if let Some(model) = value.strip_prefix("m.") {
                    if let Some([layer, neuron, channel]) =
                        dotted::<u16>(model).and_then(|v| <[u16; 3]>::try_from(v).ok())
                    {
                        p.weights = KernelWeights::Model {
                            layer,
                            neuron,
                            channel,
                        };
                    }
                } else if let Some(hand) = value.strip_prefix("h.")
                    && let Some(values) = dotted::<i8>(hand)
                    && values.len() <= MAX_KERNEL_CELLS
                {
                    let mut tenths = [0i8; MAX_KERNEL_CELLS];
                    tenths[..values.len()].copy_from_slice(&values);
                    p.weights = KernelWeights::Hand(tenths);
                }
            }
            _ => {}
        }
    }
    if p.check_limits().is_ok() { p } else { base }
}

/// The focus described by `fragment` (with or without `#`), starting from `base` for missing
/// fields. Playback always starts paused.
pub fn from_fragment(fragment: &str, base: Focus) -> Focus {
    let mut focus = Focus {
        playing: false,
        ..base
    };
    let pairs: Vec<(&str, &str)> = fragment
        .trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    focus.playground = parse_playground(&pairs, focus.playground);
    for &(key, value) in &pairs {
        match key {
            "view" => {
                focus.view = match value {
                    "neuron" => View::Neuron,
                    "operation" => View::Operation,
                    "playground" => View::Playground,
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
            playground: Playground::default(),
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

    #[test]
    fn the_playground_round_trips_while_open() {
        let mut tenths = [0i8; MAX_KERNEL_CELLS];
        tenths[..4].copy_from_slice(&[-10, 5, 99, -99]);
        let focus = Focus {
            view: View::Playground,
            step: 3,
            playground: Playground {
                input: 8,
                padding: 2,
                kernel: 2,
                stride: 3,
                map: 3,
                map_channel: 4,
                top: 11,
                left: 50,
                weights: KernelWeights::Hand(tenths),
            },
            ..Focus::default()
        };
        let fragment = to_fragment(&focus);
        assert!(
            fragment.ends_with("&pg=8.2.2.3&crop=3.4.11.50&kernel=h.-10.5.99.-99"),
            "{fragment}"
        );
        assert_eq!(from_fragment(&fragment, Focus::default()), focus);
        let model = Focus {
            playground: Playground {
                weights: KernelWeights::Model {
                    layer: 5,
                    neuron: 9,
                    channel: 7,
                },
                ..Playground::default()
            },
            ..focus
        };
        assert_eq!(from_fragment(&to_fragment(&model), Focus::default()), model);
        // Elsewhere the address stays short.
        assert!(!to_fragment(&Focus::default()).contains("pg="));
    }

    #[test]
    fn a_playground_outside_the_limits_is_not_taken() {
        let base = Focus::default();
        for bad in [
            "#pg=9.0.3.1",
            "#pg=6.0.0.1",
            "#pg=6.0.3",
            "#kernel=h.100",
            "#crop=a.0.0.0",
        ] {
            assert_eq!(from_fragment(bad, base).playground, base.playground, "{bad}");
        }
    }
}
