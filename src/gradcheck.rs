//! The gradient check: every ∂E_total/∂w that backpropagation recorded, beside the central
//! difference (E(w + h) − E(w − h)) / 2h computed from the forward pass alone. The two are
//! computed independently (the chain rule against plain evaluations of E), so agreement is
//! evidence that the backward pass is right, as micrograd's tests check every gradient
//! against PyTorch.
//!
//! Test-only hook: [`check`] takes a [`Corruption`], which scales one recorded gradient
//! before the comparison, so the failure path is exercised by the tests. The `check`
//! command reads one from the environment variable `BACKPROP_TEST_CORRUPT_GRADIENT`
//! (`w5*1.01`); it is for the test suite only and is not in `--help`, but it works in every
//! build, so the command warns on standard error whenever it is set (README, "Test hooks").

use crate::engine::{self, Workspace};
use crate::network::{Activation, Network};
use crate::notation::Notation;
use crate::trace::{Trace, UpdateOrder};

/// A gradient passes when its relative error is below this…
pub const RELATIVE_THRESHOLD: f64 = 1e-6;
/// …or when the two differ by less than this times max(1, E_total): a central difference
/// cannot resolve differences much below ε·E/h ≈ 4e-11·E, so tiny gradients are judged
/// by their absolute difference.
pub const ABSOLUTE_FLOOR: f64 = 1e-8;

/// The step for a parameter of value `w`: ∛ε · max(1, |w|). The central difference errs by
/// about h²·E‴/6 (truncation) plus ε·E/h (rounding in E); this h balances the two, and
/// scales with the parameter so that w ± h differ from w in the same digits.
pub fn step(w: f64) -> f64 {
    f64::EPSILON.cbrt() * w.abs().max(1.0)
}

/// Scales one recorded gradient before the comparison: the test-only hook.
#[derive(Clone, Debug, PartialEq)]
pub struct Corruption {
    /// The parameter (`w5`, `b1`).
    pub symbol: String,
    /// What its gradient is multiplied by.
    pub factor: f64,
}

impl Corruption {
    /// Reads `SYMBOL*FACTOR`, e.g. `w5*1.01`.
    pub fn parse(text: &str) -> Option<Corruption> {
        let (symbol, factor) = text.split_once('*')?;
        Some(Corruption {
            symbol: symbol.trim().to_string(),
            factor: factor.trim().parse().ok()?,
        })
    }
}

/// How one gradient stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Relative error below [`RELATIVE_THRESHOLD`].
    Agrees,
    /// Relative error above it, but the difference is below the absolute floor.
    BelowFloor,
    /// They disagree.
    Disagrees,
    /// A ReLU neuron's net input changes sign between w − h and w + h: E has a kink there,
    /// the derivative is not defined, and no verdict is given.
    Kink {
        /// The neuron.
        neuron: String,
    },
}

/// One weight or bias.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// `w5`, `b1`.
    pub symbol: String,
    /// Its value.
    pub value: f64,
    /// ∂E_total/∂w as backpropagation recorded it.
    pub backprop: f64,
    /// (E(w + h) − E(w − h)) / 2h.
    pub numeric: f64,
    /// The step h.
    pub step: f64,
    /// |backprop − numeric| / max(|backprop|, |numeric|); 0 when both are 0.
    pub relative_error: f64,
    /// The verdict.
    pub verdict: Verdict,
}

/// The gradient check of one iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// E_total at the iteration's starting point.
    pub e_total: f64,
    /// The absolute floor for this network: [`ABSOLUTE_FLOOR`] · max(1, E_total).
    pub floor: f64,
    /// The update order the backpropagated gradients were recorded with.
    pub order: UpdateOrder,
    /// Every weight, then every trained bias.
    pub parameters: Vec<Parameter>,
}

impl GradCheck {
    /// Whether no gradient disagrees.
    pub fn passed(&self) -> bool {
        !self
            .parameters
            .iter()
            .any(|p| p.verdict == Verdict::Disagrees)
    }

    /// The parameters whose gradients disagree.
    pub fn failures(&self) -> Vec<&str> {
        self.parameters
            .iter()
            .filter(|p| p.verdict == Verdict::Disagrees)
            .map(|p| p.symbol.as_str())
            .collect()
    }
}

/// Where a parameter lives in the network.
#[derive(Clone, Copy)]
enum Slot {
    Weight(usize, usize),
    Bias(usize, usize),
}

fn get(net: &Network, slot: Slot) -> f64 {
    match slot {
        Slot::Weight(l, i) => net.weights[l][i],
        Slot::Bias(l, j) => net.biases[l].values()[j],
    }
}

fn set(net: &mut Network, slot: Slot, value: f64) {
    match slot {
        Slot::Weight(l, i) => net.weights[l][i] = value,
        Slot::Bias(l, j) => net.biases[l].values_mut()[j] = value,
    }
}

/// Checks every gradient recorded in the first iteration of `trace` (the weights', and the
/// biases' when they were trained) against central differences of E_total, on the network
/// the trace starts from. `corruption` is the test-only hook (see the module header).
pub fn check(trace: &Trace, corruption: Option<&Corruption>) -> GradCheck {
    let start = &trace.network;
    let names = Notation::new(start);
    let iteration = trace.first();
    let mut slots = Vec::new();
    for (l, w) in start.weights.iter().enumerate() {
        for i in 0..w.len() {
            slots.push((names.weight(l, i), Slot::Weight(l, i)));
        }
    }
    if trace.options.update_biases {
        for (l, b) in start.biases.iter().enumerate() {
            for j in 0..b.values().len() {
                slots.push((names.bias(l, j), Slot::Bias(l, j)));
            }
        }
    }

    let mut ws = Workspace::new(start);
    let (input, target) = (&start.input, &start.target);
    let e_total = engine::total_error(start, input, target, &mut ws);
    let floor = ABSOLUTE_FLOOR * e_total.abs().max(1.0);
    let has_relu = start.activations.contains(&Activation::Relu);
    let signs = has_relu.then(|| relu_signs(start));

    let mut net = start.clone();
    let parameters = slots
        .into_iter()
        .map(|(symbol, slot)| {
            let value = get(start, slot);
            let mut backprop = iteration
                .get(&format!("dE_total/d{symbol}"))
                .map_or(f64::NAN, |v| v.value);
            if let Some(c) = corruption.filter(|c| c.symbol == symbol) {
                backprop *= c.factor;
            }
            let h = step(value);
            set(&mut net, slot, value + h);
            let above = engine::total_error(&net, input, target, &mut ws);
            let kink_above = signs.as_ref().and_then(|s| changed_sign(&net, s, &names));
            set(&mut net, slot, value - h);
            let below = engine::total_error(&net, input, target, &mut ws);
            let kink_below = signs.as_ref().and_then(|s| changed_sign(&net, s, &names));
            set(&mut net, slot, value);
            // (w + h) − (w − h) is not exactly 2h in floating point; divide by what it is.
            let numeric = (above - below) / ((value + h) - (value - h));
            let diff = (backprop - numeric).abs();
            let scale = backprop.abs().max(numeric.abs());
            let relative_error = if scale == 0.0 { 0.0 } else { diff / scale };
            let verdict = if let Some(neuron) = kink_above.or(kink_below) {
                Verdict::Kink { neuron }
            } else if relative_error < RELATIVE_THRESHOLD {
                Verdict::Agrees
            } else if diff < floor {
                Verdict::BelowFloor
            } else {
                Verdict::Disagrees
            };
            Parameter {
                symbol,
                value,
                backprop,
                numeric,
                step: h,
                relative_error,
                verdict,
            }
        })
        .collect();
    GradCheck {
        e_total,
        floor,
        order: trace.options.update_order,
        parameters,
    }
}

/// Whether each ReLU neuron's net input is positive, layer by layer: a forward pass of its
/// own, kept apart from the engine's so the check stays independent of it.
fn relu_signs(net: &Network) -> Vec<bool> {
    let mut signs = Vec::new();
    let mut a = net.input.clone();
    for l in 0..net.depth() {
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        let act = net.activations[l];
        let next: Vec<f64> = (0..n_out)
            .map(|j| {
                let row = &net.weights[l][j * n_in..(j + 1) * n_in];
                let sum =
                    row.iter().zip(&a).map(|(w, x)| w * x).sum::<f64>() + net.biases[l].get(j);
                if act == Activation::Relu {
                    signs.push(sum > 0.0);
                }
                act.apply(sum)
            })
            .collect();
        a = next;
    }
    signs
}

/// The first ReLU neuron whose sign differs from `before`, by name.
fn changed_sign(net: &Network, before: &[bool], names: &Notation) -> Option<String> {
    let now = relu_signs(net);
    let at = now.iter().zip(before).position(|(a, b)| a != b)?;
    let mut count = 0;
    for l in 0..net.depth() {
        if net.activations[l] == Activation::Relu {
            if at < count + net.layers[l + 1] {
                return Some(names.neuron(l + 1, at - count).to_string());
            }
            count += net.layers[l + 1];
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Options;

    #[test]
    fn the_article_passes_and_a_corrupted_gradient_fails() {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        let result = check(&trace, None);
        assert!(result.passed(), "{result:#?}");
        assert_eq!(result.parameters.len(), 8);
        assert!(result.parameters.iter().all(|p| p.relative_error < 1e-8));

        let corrupt = Corruption::parse("w5*1.001").unwrap();
        let result = check(&trace, Some(&corrupt));
        assert_eq!(result.failures(), vec!["w5"]);
    }

    #[test]
    fn the_sequential_orders_hidden_gradients_are_not_the_gradient() {
        let options = Options {
            update_order: UpdateOrder::Sequential,
            ..Options::default()
        };
        let trace = engine::trace_iteration(&Network::article(), &options);
        assert_eq!(check(&trace, None).failures(), vec!["w1", "w2", "w3", "w4"]);
    }

    #[test]
    fn biases_are_checked_when_trained() {
        let options = Options {
            update_biases: true,
            ..Options::default()
        };
        let trace = engine::trace_iteration(&Network::article(), &options);
        let result = check(&trace, None);
        let symbols: Vec<&str> = result
            .parameters
            .iter()
            .map(|p| p.symbol.as_str())
            .collect();
        assert_eq!(symbols[8..], ["b1", "b2"]);
        assert!(result.passed(), "{result:#?}");
    }

    #[test]
    fn a_relu_kink_gets_no_verdict() {
        let mut net = Network::article();
        net.activations[0] = Activation::Relu;
        // net_h1 = 0.15·0.05 + 0.2·0.1 + b1 = 0 exactly at b1 = −0.0275.
        net.biases[0] = crate::network::Bias::Shared(-0.0275 + 1e-9);
        let trace = engine::trace_iteration(&net, &Options::default());
        let result = check(&trace, None);
        assert_eq!(
            result.parameters[0].verdict,
            Verdict::Kink {
                neuron: "h1".into()
            }
        );
    }

    #[test]
    fn corruption_parses() {
        assert_eq!(
            Corruption::parse("w5*1.01"),
            Some(Corruption {
                symbol: "w5".into(),
                factor: 1.01
            })
        );
        assert_eq!(Corruption::parse("w5"), None);
    }
}
