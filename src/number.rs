//! How numbers are written: one place, so the tables, the substituted formulas and
//! the JSON trace all print a value the same way.

/// Values this small (but not zero) or this large are written in scientific notation,
/// because fixed notation would show only zeros or a wall of digits.
const SCIENTIFIC_ABOVE: f64 = 1e15;

/// A value with exactly `precision` digits after the decimal point (the article prints 9),
/// for the value columns of a table, where the points line up. A value of 10¹⁵ or more, or
/// a nonzero one that would show only zeros, is written in scientific notation with
/// `precision` digits after the mantissa's point (`1.000000000e200`, `5e-1` for 0.5 at 0
/// digits).
pub fn fixed(value: f64, precision: usize) -> String {
    let mut text = String::new();
    push_fixed(&mut text, value, precision);
    text
}

/// A value rounded to `precision` digits with trailing zeros dropped, as the article writes
/// the numbers it substitutes into a formula (0.15*0.05, not 0.150000000*0.050000000).
/// A number in a formula never loses the value it stands for: it keeps at least
/// [`FORMULA_DIGITS`] significant digits (0.5 and 0.00044 at precision 0), and is written in
/// scientific notation from 10¹⁵ up and below half a unit of the 4th decimal (or of the
/// `precision`-th, if finer): `1e200`, `-2.5e-12`.
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
    if value.is_finite() && value.abs() >= SCIENTIFIC_ABOVE {
        let _ = write!(out, "{value:.precision$e}");
        return;
    }
    let _ = write!(out, "{value:.precision$}");
    // Decided on the text, not on a threshold: 0.5 at 0 decimals is written "0" (ties go to
    // even), and a value that shows only zeros would hide its size.
    let text = &out[start..];
    if text.bytes().all(|b| matches!(b, b'0' | b'.' | b'-')) {
        if value != 0.0 && value.is_finite() {
            out.truncate(start);
            let _ = write!(out, "{value:.precision$e}");
        } else if text.starts_with('-') {
            // `-0.000000000` reads as a sign error to a student; a zero has no sign.
            out.remove(start);
        }
    }
}

/// Fewest significant digits a number keeps in a formula, whatever the precision: at
/// `--precision 0`, η = 0.5 is written 0.5 (not 0) and w1 = 0.15 is 0.15 (not 0.1), so
/// that every number still stands for its value.
pub const FORMULA_DIGITS: i32 = 2;

/// Below half a unit of this many decimals (or of the precision, if finer), a number in a
/// formula is written in scientific notation: 0.00044 reads well, 0.0000000044 does not.
const FORMULA_FIXED_DECIMALS: usize = 4;

/// Appends [`compact`]'s text to `out`.
pub fn push_compact(out: &mut String, value: f64, precision: usize) {
    use std::fmt::Write;
    let start = out.len();
    if !value.is_finite() || value == 0.0 {
        let _ = write!(out, "{}", if value == 0.0 { 0.0 } else { value });
        return;
    }
    let magnitude = value.abs();
    let fixed_decimals = precision.clamp(FORMULA_FIXED_DECIMALS, 300) as i32;
    if magnitude >= SCIENTIFIC_ABOVE || magnitude < 0.5 * 10f64.powi(-fixed_decimals) {
        // The mantissa keeps `precision` digits after its point, and at least one, so that
        // it has FORMULA_DIGITS significant digits; its trailing zeros say nothing
        // (1.000000000e300 → 1e300).
        let digits = precision.max(FORMULA_DIGITS as usize - 1);
        let _ = write!(out, "{value:.digits$e}");
        let text = &out[start..];
        let e = text.find('e').expect("scientific notation has an exponent");
        let mantissa = text[..e].trim_end_matches('0').trim_end_matches('.').len();
        out.replace_range(start + mantissa..start + e, "");
        return;
    }
    // Enough decimals for FORMULA_DIGITS significant digits, and at least `precision`.
    let leading = magnitude.log10().floor() as i32;
    let decimals = (precision as i32).max(FORMULA_DIGITS - 1 - leading).max(0) as usize;
    let _ = write!(out, "{value:.decimals$}");
    if out[start..].contains('.') {
        let kept = out[start..]
            .trim_end_matches('0')
            .trim_end_matches('.')
            .len();
        out.truncate(start + kept);
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

/// How many digits a printed number has after its decimal point ("0.40" has 2).
pub fn decimals(printed: &str) -> usize {
    printed.split_once('.').map_or(0, |(_, frac)| frac.len())
}

/// The significant digits of a number as written: its mantissa's digits from the first one
/// that is not zero, trailing zeros included. `0.5933` → 4, `0.000439` → 3, `1.10` → 3,
/// `1.5e-7` → 2, `0` and `0.000` → 0. A written value agrees at the precision written
/// ([`agrees_at_printed_precision`]), so `0` agrees with 0.000438568; a grade asks for a
/// few significant digits as well.
pub fn significant_digits(printed: &str) -> usize {
    let printed = printed.trim();
    let mantissa = printed.split(['e', 'E']).next().unwrap_or_default();
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').len()
}

/// Half a unit in the last digit of a number as printed: the error its rounding allows.
/// `0.5933` → 0.00005, `0.40` → 0.005, `1.5e-7` → 0.05e-7, `3` → 0.5. `None` when `printed`
/// is not a number.
pub fn half_unit(printed: &str) -> Option<f64> {
    let printed = printed.trim();
    printed.parse::<f64>().ok()?;
    let (mantissa, exponent) = match printed.find(['e', 'E']) {
        Some(at) => (&printed[..at], printed[at + 1..].parse::<i32>().ok()?),
        None => (printed, 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len()) as i32;
    Some(0.5 * 10f64.powi(exponent - decimals))
}

/// Whether `value` rounds to `printed` at the precision `printed` was written with (see
/// [`half_unit`]): 0.5933 agrees with 0.59326999, 0.5943 does not. Allows for the binary
/// representation of the printed decimal itself.
pub fn agrees_at_printed_precision(value: f64, printed: &str) -> bool {
    match (printed.trim().parse::<f64>(), half_unit(printed)) {
        (Ok(shown), Some(half)) => within_half_unit(value, shown, half),
        _ => false,
    }
}

/// |value − shown| ≤ `half`, with room for the binary representation: a value exactly half
/// a unit away (…0005 printed as …001) must not fail by the rounding of the subtraction,
/// which at 329262.46 is a few 1e-11.
pub fn within_half_unit(value: f64, shown: f64, half: f64) -> bool {
    let slack = half * 1e-9 + 4.0 * f64::EPSILON * value.abs().max(shown.abs());
    (value - shown).abs() <= half + slack
}

/// A count with its thousands separated: 1,000,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_count_from_the_first_digit_that_is_not_zero() {
        for (printed, digits) in [
            ("0.5933", 4),
            ("0.000439", 3),
            ("-0.000439", 3),
            ("1.10", 3),
            ("1.5e-7", 2),
            ("12.5E3", 3),
            ("0", 0),
            ("0.000", 0),
            ("100", 3),
            (" 0.05 ", 1),
        ] {
            assert_eq!(significant_digits(printed), digits, "{printed}");
        }
    }

    #[test]
    fn fixed_pads_and_compact_trims() {
        assert_eq!(fixed(0.3775, 9), "0.377500000");
        assert_eq!(compact(0.3775, 9), "0.3775");
        assert_eq!(compact(1.0, 9), "1");
        assert_eq!(compact(0.5932699921071872, 9), "0.593269992");
        assert_eq!(operand(-0.0226025404, 9), "(-0.02260254)");
    }

    #[test]
    fn scientific_notation_starts_below_half_a_unit_of_the_last_fixed_decimal() {
        // Exactly half a unit of the 9th decimal is still written out; just below, not.
        let half = 0.5 * 10f64.powi(-9);
        assert_eq!(compact(half, 9), "0.0000000005");
        assert_eq!(compact(half * (1.0 - 1e-15), 9), "5e-10");
        // At coarser precisions the 4th decimal is the limit.
        let half = 0.5 * 10f64.powi(-4);
        assert_eq!(compact(half, 0), "0.00005");
        assert_eq!(compact(half * (1.0 - 1e-15), 0), "5e-5");
    }

    #[test]
    fn rounded_zero_has_no_sign() {
        assert_eq!(fixed(-1e-12, 3), "-1.000e-12");
        assert_eq!(fixed(-0.0, 3), "0.000");
        assert_eq!(compact(-0.0, 3), "0");
    }

    #[test]
    fn a_formulas_numbers_keep_their_value_at_any_precision() {
        // --precision 0 once wrote w1⁺'s formula as `1e-1 - 0 * 4e-4`.
        let formula = |precision| {
            format!(
                "{} - {} * {}",
                operand(0.15, precision),
                operand(0.5, precision),
                operand(0.00043856773447434685, precision)
            )
        };
        assert_eq!(formula(0), "0.15 - 0.5 * 0.00044");
        assert_eq!(formula(2), "0.15 - 0.5 * 0.00044");
        assert_eq!(formula(4), "0.15 - 0.5 * 0.00044");
        assert_eq!(formula(5), "0.15 - 0.5 * 0.00044");
        assert_eq!(formula(9), "0.15 - 0.5 * 0.000438568");
        assert_eq!(compact(1.105905967, 0), "1.1");
        assert_eq!(compact(12345.678, 0), "12346");
        assert_eq!(compact(9.96, 0), "10");
        assert_eq!(operand(-0.019049118258, 0), "(-0.019)");
        // Tiny and huge: scientific, with two significant digits at least.
        assert_eq!(compact(0.00004385, 0), "4.4e-5");
        assert_eq!(compact(0.00004385, 9), "0.00004385");
        assert_eq!(compact(1.5e200, 0), "1.5e200");
        assert_eq!(compact(0.0, 0), "0");
        // The default precision is unchanged where a value has two significant digits.
        assert_eq!(compact(0.0000000053, 9), "0.0000000053");
        assert_eq!(compact(0.000000005, 9), "0.000000005");
    }

    #[test]
    fn a_value_that_shows_only_zeros_is_scientific_even_at_a_tie() {
        // {:.0} writes 0.5 as "0" (ties go to even): the value column must not.
        assert_eq!(fixed(0.5, 0), "5e-1");
        assert_eq!(fixed(-0.5, 0), "-5e-1");
        assert_eq!(fixed(0.6, 0), "1");
        assert_eq!(fixed(0.0004, 3), "4.000e-4");
        assert_eq!(fixed(0.00051, 3), "0.001");
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

    #[test]
    fn half_units() {
        assert_eq!(half_unit("0.5933"), Some(0.5 * 1e-4));
        assert_eq!(half_unit("0.40"), Some(0.005));
        assert_eq!(half_unit("-3"), Some(0.5));
        assert!((half_unit("1.50e-7").unwrap() - 0.5e-9).abs() < 1e-24);
        assert_eq!(half_unit("abc"), None);
    }

    /// Printed numbers and half a unit of their last digit, written out by hand (not from
    /// [`half_unit`]): every magnitude, signs, the article's 9 decimals, integers and
    /// scientific notation.
    const BOUNDARIES: [(&str, f64); 16] = [
        ("0.5933", 0.5e-4),
        ("0.40", 0.5e-2),
        ("0.593269992", 0.5e-9),
        ("-0.019049119", 0.5e-9),
        ("-0.0226", 0.5e-4),
        ("0.000364723", 0.5e-9),
        ("3", 0.5),
        ("-42", 0.5),
        ("1200", 0.5),
        ("329262.46", 0.5e-2),
        ("-98765.4321", 0.5e-4),
        ("1.23e-7", 0.5e-9),
        ("-4.5E-3", 0.5e-4),
        ("6.02e23", 0.5e21),
        ("2e+5", 0.5e5),
        ("7.0e0", 0.5e-1),
    ];

    #[test]
    fn half_a_unit_is_the_boundary_on_both_sides() {
        for (printed, half) in BOUNDARIES {
            let shown: f64 = printed.parse().unwrap();
            let ratio = half_unit(printed).unwrap() / half;
            assert!(
                (ratio - 1.0).abs() < 1e-12,
                "{printed}: half_unit is {ratio} × {half}"
            );
            for side in [1.0, -1.0] {
                for inside in [0.0, 0.5, 0.9, 0.99, 0.999] {
                    let value = shown + side * inside * half;
                    assert!(
                        agrees_at_printed_precision(value, printed),
                        "{value:e} is {inside} half-units from {printed}: agrees"
                    );
                }
                for outside in [1.001, 1.01, 1.1, 1.4, 2.0, 10.0] {
                    let value = shown + side * outside * half;
                    assert!(
                        !agrees_at_printed_precision(value, printed),
                        "{value:e} is {outside} half-units from {printed}: does not agree"
                    );
                }
            }
        }
    }

    #[test]
    fn the_boundary_holds_for_the_values_the_engine_prints() {
        // Values with every digit, printed at 1 to 20 decimals as a student would round them
        // (past 17, more than a double holds): the rounded text agrees, and where doubles can
        // resolve it, a value 1.01 half-units away does not.
        for value in [
            0.5932699921071872,
            -0.019049118258278114,
            0.000364723,
            329262.4627920005,
            -7.5,
        ] {
            for decimals in 1..=20 {
                let printed = format!("{value:.decimals$}");
                let half = 0.5 * 10f64.powi(-(decimals as i32));
                let shown: f64 = printed.parse().unwrap();
                assert!(
                    agrees_at_printed_precision(value, &printed),
                    "{value} {printed}"
                );
                // Past a double's precision, 1% of half a unit is below the spacing of doubles.
                if value.abs() * f64::EPSILON < 0.001 * half {
                    assert!(!agrees_at_printed_precision(shown + 1.01 * half, &printed));
                    assert!(!agrees_at_printed_precision(shown - 1.01 * half, &printed));
                    assert!(agrees_at_printed_precision(shown - 0.99 * half, &printed));
                }
            }
        }
    }

    #[test]
    fn agreement_at_the_printed_precision() {
        assert!(agrees_at_printed_precision(0.59326999, "0.5933"));
        assert!(!agrees_at_printed_precision(0.59326999, "0.5943"));
        assert!(agrees_at_printed_precision(1.234e-7, "1.23e-7"));
        assert!(!agrees_at_printed_precision(1.234e-7, "1.25e-7"));
        // The article's rounding artefact: −0.0190491185 rounds to either neighbour.
        assert!(agrees_at_printed_precision(-0.0190491185, "-0.019049119"));
        assert!(!agrees_at_printed_precision(
            -0.019049118258,
            "-0.019049119"
        ));
        // Half a unit away at a large magnitude: the engine's own rounding must agree.
        let large = 329262.4627920005;
        assert!(agrees_at_printed_precision(large, &format!("{large:.9}")));
    }
}
