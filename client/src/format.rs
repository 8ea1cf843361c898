//! Number formatting for every value the views print: a typographic minus sign (U+2212) so
//! −0.64 is never misread as 0.64, a fixed number of decimals so columns line up, and the full
//! value for `data-value` attributes that tests compare numerically.

/// The minus sign used in every printed number.
pub const MINUS: char = '\u{2212}';

/// `value` with `decimals` digits after the point and a typographic minus sign. A value that
/// rounds to zero prints without a sign.
pub fn number(value: f32, decimals: usize) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "∞".to_owned()
        } else {
            format!("{MINUS}∞")
        };
    }
    let text = format!("{:.*}", decimals, value.abs());
    let rounds_to_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !rounds_to_zero {
        format!("{MINUS}{text}")
    } else {
        text
    }
}

/// The standard four-decimal form used for activations, weights, products and sums.
pub fn value(value: f32) -> String {
    number(value, 4)
}

/// A possibly huge positive or negative number (an exponential): four decimals while short,
/// scientific notation from 100 000 up, e.g. `4.8517e8`.
pub fn wide(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e5 {
        let text = format!("{:.4e}", value.abs());
        if value < 0.0 {
            format!("{MINUS}{text}")
        } else {
            text
        }
    } else {
        number(value as f32, 4)
    }
}

/// A probability in `[0, 1]` as a percentage with one decimal, e.g. `87.3%`.
pub fn percent(probability: f32) -> String {
    format!("{}%", number(probability * 100.0, 1))
}

/// The full `f32` for `data-value` attributes: Rust's shortest round-trip form, ASCII minus, so
/// a test can parse it back to the exact same number.
pub fn exact(value: f32) -> String {
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_numbers_use_the_typographic_minus() {
        assert_eq!(value(-0.64), "\u{2212}0.6400");
        assert_eq!(value(0.64), "0.6400");
    }

    #[test]
    fn values_that_round_to_zero_have_no_sign() {
        assert_eq!(value(-0.00001), "0.0000");
        assert_eq!(number(-0.004, 2), "0.00");
        assert_eq!(value(-0.0), "0.0000");
    }

    #[test]
    fn wide_numbers_switch_to_scientific() {
        assert_eq!(wide(2.5), "2.5000");
        assert_eq!(wide(485_165_195.4), "4.8517e8");
        assert_eq!(wide(-1e6), "\u{2212}1.0000e6");
    }

    #[test]
    fn percent_has_one_decimal() {
        assert_eq!(percent(0.873), "87.3%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0), "0.0%");
    }

    #[test]
    fn exact_round_trips() {
        for v in [0.1f32, -1.234_567_9, 3.0e-8, f32::MAX] {
            assert_eq!(exact(v).parse::<f32>().unwrap(), v);
        }
    }

    #[test]
    fn non_finite_values_are_readable() {
        assert_eq!(value(f32::NAN), "NaN");
        assert_eq!(value(f32::NEG_INFINITY), "\u{2212}∞");
    }
}
