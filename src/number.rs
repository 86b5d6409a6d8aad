//! How numbers are written: one place, so the tables, the substituted formulas and
//! the JSON trace all print a value the same way.

/// Values this small (but not zero) or this large are written in scientific notation,
/// because fixed notation would show only zeros or a wall of digits.
const SCIENTIFIC_ABOVE: f64 = 1e15;

/// A value with exactly `precision` digits after the decimal point (the article prints 9),
/// for the value columns of a table, where the points line up.
pub fn fixed(value: f64, precision: usize) -> String {
    let mut text = String::new();
    push_fixed(&mut text, value, precision);
    text
}

/// A value rounded to `precision` digits with trailing zeros dropped, as the article writes
/// the numbers it substitutes into a formula (0.15*0.05, not 0.150000000*0.050000000).
pub fn compact(value: f64, precision: usize) -> String {
    let mut text = String::new();
    push_compact(&mut text, value, precision);
    text
}

/// A value as it appears inside a substituted formula: compact, and in parentheses when
/// negative, so that `0.5 - 0.5*(-0.0226)` cannot be misread as a subtraction.
pub fn operand(value: f64, precision: usize) -> String {
    let mut text = String::new();
    push_operand(&mut text, value, precision);
    text
}

/// Appends [`fixed`]'s text to `out` (the engine writes formulas this way, without an
/// allocation per number).
pub fn push_fixed(out: &mut String, value: f64, precision: usize) {
    use std::fmt::Write;
    let start = out.len();
    if needs_scientific(value, precision) {
        let _ = write!(out, "{value:.precision$e}");
        return;
    }
    let _ = write!(out, "{value:.precision$}");
    // `-0.000000000` reads as a sign error to a student; a rounded zero has no sign.
    let text = &out[start..];
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        out.remove(start);
    }
}

/// Appends [`compact`]'s text to `out`.
pub fn push_compact(out: &mut String, value: f64, precision: usize) {
    let start = out.len();
    push_fixed(out, value, precision);
    let text = &out[start..];
    if let Some(e) = text.find('e') {
        // 1.000000000e300 → 1e300: the mantissa's zeros say nothing.
        let mantissa = text[..e].trim_end_matches('0').trim_end_matches('.').len();
        out.replace_range(start + mantissa..start + e, "");
        return;
    }
    if !text.contains('.') {
        return;
    }
    let kept = text.trim_end_matches('0').trim_end_matches('.').len();
    out.truncate(start + kept);
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Appends [`operand`]'s text to `out`.
pub fn push_operand(out: &mut String, value: f64, precision: usize) {
    let start = out.len();
    push_compact(out, value, precision);
    if out[start..].starts_with('-') {
        out.insert(start, '(');
        out.push(')');
    }
}

fn needs_scientific(value: f64, precision: usize) -> bool {
    let magnitude = value.abs();
    if !value.is_finite() || magnitude >= SCIENTIFIC_ABOVE {
        return value.is_finite();
    }
    // Nonzero but would round to 0.000…: show its size rather than hide it.
    let smallest = 0.5 * 10f64.powi(-(precision.min(300) as i32));
    magnitude != 0.0 && magnitude < smallest
}

/// How many digits a printed number has after its decimal point ("0.40" has 2).
pub fn decimals(printed: &str) -> usize {
    printed.split_once('.').map_or(0, |(_, frac)| frac.len())
}

/// Whether `value` rounds to `printed` at the precision `printed` was written with:
/// 0.5933 agrees with 0.59326999, 0.5943 does not.
pub fn agrees_at_printed_precision(value: f64, printed: &str) -> bool {
    let Ok(shown) = printed.parse::<f64>() else {
        return false;
    };
    let half_unit = 0.5 * 10f64.powi(-(decimals(printed) as i32));
    // The tiny slack absorbs the binary representation of the printed decimal itself.
    (value - shown).abs() <= half_unit * (1.0 + 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pads_and_compact_trims() {
        assert_eq!(fixed(0.3775, 9), "0.377500000");
        assert_eq!(compact(0.3775, 9), "0.3775");
        assert_eq!(compact(1.0, 9), "1");
        assert_eq!(compact(0.5932699921071872, 9), "0.593269992");
        assert_eq!(operand(-0.0226025404, 9), "(-0.02260254)");
    }

    #[test]
    fn rounded_zero_has_no_sign() {
        assert_eq!(fixed(-1e-12, 3), "-1.000e-12");
        assert_eq!(fixed(-0.0, 3), "0.000");
        assert_eq!(compact(-0.0, 3), "0");
    }

    #[test]
    fn extremes_use_scientific_notation() {
        assert_eq!(fixed(1e300, 2), "1.00e300");
        assert_eq!(compact(1e300, 9), "1e300");
        assert_eq!(compact(-2.5e-12, 9), "-2.5e-12");
        assert_eq!(fixed(f64::INFINITY, 2), "inf");
    }

    #[test]
    fn printed_precision() {
        assert!(agrees_at_printed_precision(0.5932699921, "0.5933"));
        assert!(!agrees_at_printed_precision(0.5932699921, "0.5943"));
        assert!(agrees_at_printed_precision(0.4, "0.40"));
        assert!(!agrees_at_printed_precision(
            -0.019049118258,
            "-0.019049119"
        ));
        assert_eq!(decimals("0.40"), 2);
        assert_eq!(decimals("1"), 0);
    }
}
