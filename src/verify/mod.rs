//! Checking numbers against a recomputation, for `backprop verify`.
//!
//! - [`homework`]: a student's own values (`{"out_h1": 0.5933, …}` or `symbol,value` lines),
//!   each compared with the engine's at the precision the student wrote it; for a wrong
//!   value, whether it follows from an earlier wrong one or is a new mistake, and which
//!   slip it probably is ([`slips`]).
//! - [`trace_check`]: a whole trace, every value recomputed from its formula and the
//!   recorded values of its operands, and every substituted formula read against its formula.
//!
//! Both read recorded formulas back through [`crate::formula`]; neither knows the article's
//! numbers, so they work on any network.

pub mod homework;
pub mod slips;
pub mod trace_check;

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

/// Whether `value` rounds to `printed` at the precision it was printed with (see
/// [`half_unit`]), allowing for the binary representation of the printed decimal itself.
pub fn agrees_as_printed(value: f64, printed: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_units() {
        assert_eq!(half_unit("0.5933"), Some(0.5 * 1e-4));
        assert_eq!(half_unit("0.40"), Some(0.005));
        assert_eq!(half_unit("-3"), Some(0.5));
        assert!((half_unit("1.50e-7").unwrap() - 0.5e-9).abs() < 1e-24);
        assert_eq!(half_unit("abc"), None);
    }

    #[test]
    fn agreement_at_the_printed_precision() {
        assert!(agrees_as_printed(0.59326999, "0.5933"));
        assert!(!agrees_as_printed(0.59326999, "0.5943"));
        assert!(agrees_as_printed(1.234e-7, "1.23e-7"));
        assert!(!agrees_as_printed(1.234e-7, "1.25e-7"));
        // The article's rounding artefact: −0.0190491185 rounds to either neighbour.
        assert!(agrees_as_printed(-0.0190491185, "-0.019049119"));
        assert!(!agrees_as_printed(-0.019049118258, "-0.019049119"));
        // Half a unit away at a large magnitude: the engine's own rounding must agree.
        let large = 329262.4627920005;
        assert!(agrees_as_printed(large, &format!("{large:.9}")));
    }
}
