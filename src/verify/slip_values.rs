//! What each slip gives at each value, worked out ahead: for a judge that sees one answer at a
//! time and none of the student's other numbers (the self-checking worksheet of `backprop
//! exercise --format html`, whose script cannot replay formulas). `verify` replays the slips
//! through the numbers the student wrote ([`super::homework`]); here there are none, so each
//! slip is replayed two ways, and an answer is the slip's when it matches either:
//!
//! - carried from the start: every value computed with the slip, from the given ones (the
//!   student who flips the sign of ∂E_total/∂out_o1 and carries it into δ_o1, ∂E_total/∂w5…);
//! - at this value alone: its own formula with the slip, every earlier value correct (the
//!   student who had δ_o1 right and left the derivative out of ∂E_total/∂w5 only).
//!
//! And "rounded too early": the value with every intermediate value rounded to 1 to
//! [`ROUNDING_DECIMALS`] decimals, as `verify` replays it.

use super::slips::{self, Compiled, Diagnosis, Prepared, Slip, Written};
use crate::engine;
use crate::number::within_half_unit;
use crate::trace::{Options, Stage, Trace, TracedValue, UpdateOrder};

/// The most decimals an early rounding is replayed with: a student who keeps more has
/// rounded late enough not to show at the precision they answer with.
pub const ROUNDING_DECIMALS: usize = 4;

/// The slips' values at one value of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct SlipValues {
    /// The value's trace symbol.
    pub symbol: String,
    /// The correct value.
    pub value: f64,
    /// Each slip of the catalogue that gives another value here, with that value and what
    /// the slip names; a slip that gives two (carried, and at this value alone) is listed
    /// twice. In the catalogue's order, the order `verify` prefers them in.
    pub slips: Vec<Diagnosis>,
    /// The value with the intermediate values rounded to `d` decimals, for each `d` from 1
    /// to [`ROUNDING_DECIMALS`] that gives another value here.
    pub rounded: Vec<(usize, f64)>,
}

/// The slips' values at every value of `trace`'s first iteration that `wanted` picks (given
/// values never: nothing is computed there). `trace` is one the engine recorded for one
/// sample (an exercise's, an article's).
pub fn slip_values(trace: &Trace, wanted: impl Fn(&TracedValue) -> bool) -> Vec<SlipValues> {
    let order = trace.options.update_order;
    let other = engine::trace_iteration(
        &trace.network,
        &Options {
            update_order: match order {
                UpdateOrder::Simultaneous => UpdateOrder::Sequential,
                UpdateOrder::Sequential => UpdateOrder::Simultaneous,
            },
            ..trace.options.clone()
        },
    );
    let reference = Compiled::new(trace).expect("the engine's trace reads back");
    let alternative = Compiled::new(&other).expect("the engine's trace reads back");
    let net = &trace.network;
    let catalogue = slips::catalogue(net, order);
    let prepared: Vec<Prepared> = catalogue.iter().map(|s| Prepared::new(s, net)).collect();
    let nothing = Written::new();
    // Every value correct: the replay of a value recomputes it and reads these for the rest.
    let correct: Written = reference
        .values()
        .iter()
        .map(|v| (v.symbol.clone(), (v.value, 0.0)))
        .collect();
    let differs = |a: f64, b: f64| !within_half_unit(a, b, 0.0);

    let mut out = Vec::new();
    for (at, v) in reference.values().iter().enumerate() {
        if v.stage == Stage::Given || !wanted(v) {
            continue;
        }
        let mut found: Vec<Diagnosis> = Vec::new();
        for (slip, p) in catalogue.iter().zip(&prepared) {
            let (c, prepared) = match slip {
                Slip::OtherOrder(_) => (&alternative, None),
                _ => (&reference, Some(p)),
            };
            let Some(here) = c.position(&v.symbol) else {
                continue;
            };
            let carried = slips::replay(c, &nothing, prepared, here, None)[here].value;
            let alone = slips::replay(c, &correct, prepared, here, None)[here].value;
            let ancestors = c.ancestors(&v.symbol, &nothing);
            for value in [carried, alone] {
                let new = differs(value, v.value)
                    && value.is_finite()
                    && !found
                        .iter()
                        .any(|d| d.slip == *slip && !differs(d.value, value))
                    // Where flipping every output's sign gives the value, flipping one says
                    // no more (as `verify` reports it).
                    && !(matches!(slip, Slip::SignFlippedIn { .. })
                        && found
                            .iter()
                            .any(|d| d.slip == Slip::SignFlipped && !differs(d.value, value)));
                if new {
                    found.push(Diagnosis::new(slip, value, c, &ancestors, net));
                }
            }
        }
        let rounded = (1..=ROUNDING_DECIMALS)
            .map(|d| {
                (
                    d,
                    slips::replay(&reference, &nothing, None, at, Some(d))[at].value,
                )
            })
            .filter(|&(_, value)| differs(value, v.value))
            .collect();
        out.push(SlipValues {
            symbol: v.symbol.clone(),
            value: v.value,
            slips: found,
            rounded,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;
    use approx::assert_relative_eq;

    fn article() -> Vec<SlipValues> {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        slip_values(&trace, |_| true)
    }

    fn at<'a>(all: &'a [SlipValues], symbol: &str) -> &'a SlipValues {
        all.iter().find(|s| s.symbol == symbol).expect(symbol)
    }

    fn of(values: &SlipValues, slip: Slip) -> Vec<f64> {
        values
            .slips
            .iter()
            .filter(|d| d.slip == slip)
            .map(|d| d.value)
            .collect()
    }

    #[test]
    fn the_article_slips_values_written_out() {
        let all = article();
        // ∂E_total/∂out_o1 = −(0.01 − 0.75136507) = 0.74136507: the sign flipped, −0.74136507.
        let d = at(&all, "dE_total/dout_o1");
        let flipped = of(d, Slip::SignFlipped);
        assert_eq!(flipped.len(), 1, "{d:?}");
        assert_relative_eq!(flipped[0], -0.741365069552316, max_relative = 1e-12);
        // Flipping o1's sign only gives the same number there: named once, as verify does.
        assert!(of(d, Slip::SignFlippedIn { output: 0 }).is_empty());
        assert_eq!(d.slips[0].names, vec!["dE_total/dout_o1".to_string()]);

        // δ_o1 without ∂out_o1/∂net_o1 is ∂E_total/∂out_o1 itself, carried or alone.
        let delta = at(&all, "delta_o1");
        let left_out = of(delta, Slip::DerivativeLeftOut { layer: 2 });
        assert_eq!(left_out.len(), 1);
        assert_relative_eq!(left_out[0], 0.741365069552316, max_relative = 1e-12);
        // ∂E_total/∂w5 without it: 0.74136507 × 0.59326999 carried; with δ_o1 right it is
        // the product of the three factors, so alone it is the same slip's same number.
        let w5 = at(&all, "dE_total/dw5");
        let left_out = of(w5, Slip::DerivativeLeftOut { layer: 2 });
        assert_eq!(left_out.len(), 1);
        assert_relative_eq!(
            left_out[0],
            0.741365069552316 * 0.593269992107187,
            max_relative = 1e-12
        );

        // The article's code updates w5…w8 before the hidden layer, so its chain reads
        // w5⁺ = 0.35891648 and w7⁺ = 0.511301270 (the article's printed numbers) where the
        // text reads w5 = 0.40 and w7 = 0.50: ∂E_total/∂w1 = (δ_o1·w5⁺ + δ_o2·w7⁺) ·
        // out_h1(1 − out_h1) · i1 ≈ 0.000364723, not the text's 0.000438568.
        let w1 = at(&all, "dE_total/dw1");
        let updated = of(w1, Slip::OtherOrder(UpdateOrder::Sequential));
        assert_eq!(updated.len(), 1, "{w1:?}");
        let (delta_o1, delta_o2, out_h1) = (0.138498562, -0.038098236, 0.593269992);
        let by_hand =
            (delta_o1 * 0.35891648 + delta_o2 * 0.511301270) * out_h1 * (1.0 - out_h1) * 0.05;
        assert_relative_eq!(updated[0], by_hand, max_relative = 1e-7);
        assert_relative_eq!(w1.value, 0.000438568, max_relative = 1e-6);
        // At the chain's first step, ∂net_o1/∂out_h1 is w5⁺ rather than w5.
        let chain = at(&all, "dnet_o1/dout_h1");
        let read = of(chain, Slip::OtherOrder(UpdateOrder::Sequential));
        assert_eq!(read.len(), 1);
        assert_relative_eq!(read[0], 0.35891648, max_relative = 1e-8);

        // Rounded to 2 decimals: net_h1 = 0.3775 → 0.38 before out_h1 = σ(0.38).
        let out_h1 = at(&all, "out_h1");
        let two = out_h1.rounded.iter().find(|(d, _)| *d == 2).unwrap().1;
        assert_relative_eq!(two, 1.0 / (1.0 + (-0.38f64).exp()), max_relative = 1e-15);
        // At 4 decimals net_h1 = 0.3775 is exact: nothing changes.
        assert!(out_h1.rounded.iter().all(|(d, _)| *d != 4));
    }

    /// Two slips that give one value are both listed: w5⁺ = w5 − η·(−∂E_total/∂w5) (the
    /// sign flipped) is w5 + η·∂E_total/∂w5 (the update added). And where flipping one
    /// output's sign gives another value than flipping both, it is listed, by hand:
    /// ∂E_total/∂w1 with δ_o1's sign flipped is (−δ_o1·w5 + δ_o2·w7)·out_h1(1 − out_h1)·i1.
    #[test]
    fn slips_sharing_a_value_are_each_listed_and_one_outputs_flip_where_it_differs() {
        let all = article();
        let w5 = at(&all, "w5+");
        let by_hand = 0.40 + 0.5 * 0.082167041;
        for slip in [Slip::SignFlipped, Slip::UpdateAdded] {
            let values = of(w5, slip);
            assert_eq!(values.len(), 1, "{slip:?} at w5+: {w5:?}");
            assert_relative_eq!(values[0], by_hand, max_relative = 1e-9);
        }

        let w1 = at(&all, "dE_total/dw1");
        let (delta_o1, delta_o2, out_h1) = (0.138498562, -0.038098236, 0.593269992);
        let chain = out_h1 * (1.0 - out_h1) * 0.05;
        for (output, by_hand) in [
            (0, (-delta_o1 * 0.40 + delta_o2 * 0.50) * chain),
            (1, (delta_o1 * 0.40 - delta_o2 * 0.50) * chain),
        ] {
            let values = of(w1, Slip::SignFlippedIn { output });
            assert_eq!(values.len(), 1, "output {output} at dE_total/dw1: {w1:?}");
            assert_relative_eq!(values[0], by_hand, max_relative = 1e-8);
        }
    }

    #[test]
    fn only_slips_that_change_a_value_are_listed() {
        for values in article() {
            for d in &values.slips {
                assert!(
                    (d.value - values.value).abs() > 1e-12,
                    "{}: {:?}",
                    values.symbol,
                    d.slip
                );
            }
        }
        // The forward pass has none of the catalogue's slips but swapped weights; the
        // given values are never listed.
        let all = article();
        assert!(
            all.iter()
                .all(|s| !s.symbol.starts_with('w') || s.symbol.ends_with('+'))
        );
        let net_h1 = at(&all, "net_h1");
        assert!(net_h1.slips.iter().all(|d| matches!(
            d.slip,
            Slip::NeuronsSwapped { .. } | Slip::Transposed { .. }
        )));
    }
}
