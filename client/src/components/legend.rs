//! Numeric colour legends: the scale's gradient with its ends and zero labelled, and the
//! smallest and largest value actually drawn with it marked on the bar (and printed), so a
//! student can read a colour back as a number. Every number carries its exact value in a
//! `data-*` attribute for the browser tests.

use yew::prelude::*;

use crate::color;
use crate::format;

/// Which colour scale a legend explains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LegendScale {
    /// The diverging scale over `[-range, range]`, zero in the middle.
    Diverging(f32),
    /// The input channels' tints over `[0, 1]` (one thin bar per channel).
    Input,
}

impl LegendScale {
    /// The values at the bar's two ends.
    pub fn domain(self) -> (f32, f32) {
        match self {
            Self::Diverging(range) => (-range, range),
            Self::Input => (0.0, 1.0),
        }
    }

    /// Where `value` sits along the bar, in percent (clamped to the bar).
    fn percent(self, value: f32) -> f32 {
        let (low, high) = self.domain();
        if high > low && value.is_finite() {
            (100.0 * (value - low) / (high - low)).clamp(0.0, 100.0)
        } else {
            50.0
        }
    }
}

/// A colour legend of `scale` whose drawn values run from `min` to `max`, with `test_id`.
/// `title` names what the colours show (none where the legend sits under what it explains).
/// `placed`: an inline style placing it in the overview, where the extremes are not printed
/// (each column prints its own). A plain function rather than a component: legends have no
/// state, and one builder keeps the bundle small.
#[inline(never)]
pub fn legend(
    scale: LegendScale,
    (min, max): (f32, f32),
    title: Option<String>,
    test_id: &str,
    placed: Option<String>,
) -> Html {
    let (low, high) = scale.domain();
    let id = |part: &str| format!("{test_id}-{part}");
    let bars = match scale {
        LegendScale::Diverging(range) => html! {
            <span class="legend-bar" style={format!("background:{}", color::diverging_gradient(range))}></span>
        },
        // One grey bar for a greyscale network (the tint of channels past the third is grey).
        LegendScale::Input if crate::model::network().input_shape()[0] == 1 => html! {
            <span class="legend-bar thin" style={format!("background:{}", color::input_gradient(usize::MAX))}></span>
        },
        LegendScale::Input => (0..3)
            .map(|channel| {
                html! { <span class="legend-bar thin" style={format!("background:{}", color::input_gradient(channel))}></span> }
            })
            .collect(),
    };
    let mark = |value: f32| {
        html! { <span class="legend-mark" style={format!("left:{:.2}%", scale.percent(value))}></span> }
    };
    let zero = match scale {
        LegendScale::Diverging(_) => html! {
            <span class="legend-tick zero" style="left:50%" data-testid={id("zero")}>{ "0" }</span>
        },
        LegendScale::Input => html! {},
    };
    let label = format!(
        "Colour legend{}: from {} to {}; the values shown run from {} to {}",
        title.as_ref().map_or(String::new(), |t| format!(" of {t}")),
        format::short(low),
        format::short(high),
        format::short(min),
        format::short(max),
    );
    let data = placed.is_none().then(|| {
        html! {
            <span class="legend-data">
                { "min " }<span data-testid={id("min")}>{ format::short(min) }</span>
                { " · max " }<span data-testid={id("max")}>{ format::short(max) }</span>
            </span>
        }
    });
    let class = classes!("legend", placed.is_some().then_some("overview-legend"));
    html! {
        <div {class} style={placed}
             data-testid={test_id.to_owned()} role="img" aria-label={label}
             data-low={format::exact(low)} data-high={format::exact(high)}
             data-min={format::exact(min)} data-max={format::exact(max)}>
            if let Some(title) = title {
                <span class="legend-title">{ title }</span>
            }
            <span class="legend-scale">
                { bars }
                { mark(min) }
                { mark(max) }
            </span>
            <span class="legend-ticks">
                <span class="legend-tick low" data-testid={id("low")}>{ format::short(low) }</span>
                { zero }
                <span class="legend-tick high" data-testid={id("high")}>{ format::short(high) }</span>
            </span>
            { data.unwrap_or_default() }
        </div>
    }
}

/// The smallest and largest of `values` (`(0, 0)` for none).
pub fn extremes<'a>(values: impl IntoIterator<Item = &'a f32>) -> (f32, f32) {
    let (min, max) = values
        .into_iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if min <= max { (min, max) } else { (0.0, 0.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_sit_where_the_values_are() {
        let scale = LegendScale::Diverging(4.0);
        assert_eq!(scale.domain(), (-4.0, 4.0));
        assert_eq!(scale.percent(0.0), 50.0);
        assert_eq!(scale.percent(-4.0), 0.0);
        assert_eq!(scale.percent(2.0), 75.0);
        assert_eq!(scale.percent(9.0), 100.0);
        assert_eq!(LegendScale::Input.percent(0.25), 25.0);
        assert_eq!(LegendScale::Diverging(0.0).percent(1.0), 50.0);
    }

    #[test]
    fn extremes_of_values() {
        assert_eq!(extremes(&[3.0, -1.5, 2.0]), (-1.5, 3.0));
        assert_eq!(extremes(&[]), (0.0, 0.0));
    }
}
