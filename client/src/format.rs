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

/// A possibly huge positive or negative number (an exponential), readable beside the others:
/// four decimals while short, whole numbers with grouped digits from 100 000 (`377 760`), and
/// a power of ten from a billion up (`4.8517 × 10⁹`); never computer notation like `3.7776e5`.
pub fn wide(value: f64) -> String {
    if !value.is_finite() || value.abs() < 1e5 {
        return number(value as f32, 4);
    }
    let sign = if value < 0.0 {
        MINUS.to_string()
    } else {
        String::new()
    };
    let magnitude = value.abs();
    if magnitude < 1e9 {
        return format!("{sign}{}", grouped(magnitude.round() as u64));
    }
    let (mut mantissa, mut exponent) = (magnitude, 0);
    while mantissa >= 10.0 {
        mantissa /= 10.0;
        exponent += 1;
    }
    // 9.99996 rounds up to 10.0000: carry it into the exponent.
    if format!("{mantissa:.4}").starts_with("10") {
        mantissa /= 10.0;
        exponent += 1;
    }
    format!("{sign}{mantissa:.4} × 10{}", superscript(exponent))
}

/// `n` with its digits in groups of three, separated by a narrow no-break space (`1 234 567`).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

/// An exponent in superscript digits, e.g. `¹³`.
fn superscript(exponent: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let sign = if exponent < 0 { "⁻" } else { "" };
    let digits: String = exponent
        .unsigned_abs()
        .to_string()
        .bytes()
        .map(|b| DIGITS[usize::from(b - b'0')])
        .collect();
    format!("{sign}{digits}")
}

/// A value for legends and other tight places: two decimals below 10, one below 100, none above
/// (at most four significant digits), with the typographic minus.
pub fn short(value: f32) -> String {
    let decimals = match value.abs() {
        a if a < 10.0 => 2,
        a if a < 100.0 => 1,
        _ => 0,
    };
    number(value, decimals)
}

/// "the first term" / "the first 3 terms": a count of leading items that reads naturally for one.
pub fn first(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("the first {one}")
    } else {
        format!("the first {count} {many}")
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
    fn wide_numbers_stay_readable() {
        assert_eq!(wide(2.5), "2.5000");
        assert_eq!(wide(99_999.0), "99999.0000");
        assert_eq!(wide(377_760.3), "377\u{202f}760");
        assert_eq!(wide(485_165_195.4), "485\u{202f}165\u{202f}195");
        assert_eq!(wide(-1e6), "\u{2212}1\u{202f}000\u{202f}000");
        assert_eq!(wide(1.07e13), "1.0700 × 10¹³");
        assert_eq!(wide(9.999_999e9), "1.0000 × 10¹⁰");
        for v in [3.7776e5, 4.8517e8, 2.2e11, 1e30] {
            let text = wide(v);
            assert!(!text.contains('e'), "{v} prints as {text}");
        }
    }

    #[test]
    fn short_keeps_about_three_significant_digits() {
        assert_eq!(short(-0.2092), "\u{2212}0.21");
        assert_eq!(short(4.2139), "4.21");
        assert_eq!(short(12.345), "12.3");
        assert_eq!(short(-123.4), "\u{2212}123");
        assert_eq!(short(0.0), "0.00");
    }

    #[test]
    fn one_item_is_singular() {
        assert_eq!(first(1, "term", "terms"), "the first term");
        assert_eq!(first(2, "term", "terms"), "the first 2 terms");
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
