//! The slips students make, as variants of the computation, and the replay that tests them.
//!
//! A slip is not a list of wrong numbers from the article: it is a change to how values are
//! computed (a factor left out, an operand replaced, a sign flipped), applied while the
//! trace's own formulas are evaluated again ([`replay`]). The replay takes the student's
//! numbers wherever they wrote one and recomputes the rest, so a slip is recognised where
//! it first shows, whichever values the student wrote down, on any network. The
//! update-order slip ("used the updated w5…w8 in the hidden layer") needs no variant: it is
//! the engine's other [`UpdateOrder`], replayed the same way.

use crate::formula::{self, Expr};
use crate::network::{Activation, Network};
use crate::notation::Notation;
use crate::render::lang::{Lang, fill};
use crate::trace::{Stage, Trace, TracedValue, UpdateOrder};
use std::collections::HashMap;

/// A trace with every formula parsed and every operand located, ready to be replayed.
pub struct Compiled<'t> {
    /// The trace.
    pub trace: &'t Trace,
    exprs: Vec<Option<Expr>>,
    index: HashMap<&'t str, usize>,
    operands: Vec<Vec<usize>>,
}

impl<'t> Compiled<'t> {
    /// Parses the first iteration of `trace`. Fails only on a trace the engine did not
    /// write (a formula that cannot be read, an operand not recorded before its use).
    pub fn new(trace: &'t Trace) -> Result<Compiled<'t>, String> {
        let values = &trace.first().values;
        let mut index = HashMap::new();
        let mut exprs = Vec::with_capacity(values.len());
        let mut operands = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            if v.stage == Stage::Given {
                exprs.push(None);
                operands.push(Vec::new());
            } else {
                let expr = formula::parse_formula(v).map_err(|e| format!("{}: {e}", v.symbol))?;
                exprs.push(Some(expr));
                operands.push(
                    v.from
                        .iter()
                        .map(|s| {
                            index.get(s.as_str()).copied().ok_or_else(|| {
                                format!("{}: uses {s}, not recorded before it", v.symbol)
                            })
                        })
                        .collect::<Result<_, _>>()?,
                );
            }
            index.insert(v.symbol.as_str(), i);
        }
        Ok(Compiled {
            trace,
            exprs,
            index,
            operands,
        })
    }

    /// The recorded values, in computation order.
    pub fn values(&self) -> &'t [TracedValue] {
        &self.trace.first().values
    }

    /// The position of `symbol` in computation order.
    pub fn position(&self, symbol: &str) -> Option<usize> {
        self.index.get(symbol).copied()
    }

    /// The values `symbol` is computed from, walking down through every value the student
    /// did not write (those are recomputed) and stopping at the ones they did; `symbol`
    /// itself comes first.
    pub fn ancestors(&self, symbol: &str, written: &Written) -> Vec<usize> {
        let Some(start) = self.position(symbol) else {
            return Vec::new();
        };
        let mut seen = vec![false; self.exprs.len()];
        let mut stack = vec![start];
        let mut out = Vec::new();
        while let Some(i) = stack.pop() {
            if seen[i] {
                continue;
            }
            seen[i] = true;
            out.push(i);
            if i == start || !written.contains_key(&self.values()[i].symbol) {
                stack.extend(self.operands[i].iter().rev());
            }
        }
        out
    }

    /// The operands of the value at `i`, by position.
    pub fn operands_of(&self, i: usize) -> &[usize] {
        &self.operands[i]
    }
}

/// The student's numbers, keyed by trace symbol: the value and half a unit of its last
/// printed digit.
pub type Written = HashMap<String, (f64, f64)>;

/// A value as replayed: the value, and how far the rounding of the student's numbers it was
/// computed from can move it (first order: the sum of each operand's effect).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Replayed {
    /// The value.
    pub value: f64,
    /// How far the student's rounding can move it.
    pub uncertainty: f64,
}

/// One way of going wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slip {
    /// ∂E_total/∂out_o = +(target − out) instead of −(target − out).
    SignFlipped,
    /// ∂E_total/∂out_o = +(target − out) in one output only (the others keep the minus).
    SignFlippedIn {
        /// The output neuron, by index in its layer.
        output: usize,
    },
    /// ∂out/∂net evaluated at net instead of out in weight layer `layer` (from 1): the
    /// sigmoid's out(1 − out) as net(1 − net), tanh's 1 − out² as 1 − net².
    DerivativeAtNet {
        /// The weight layer, counted from 1.
        layer: usize,
    },
    /// Two adjacent digits of the value written the wrong way round (0.3952 for 0.3925).
    DigitsTransposed,
    /// The value cut off at the digits written instead of rounded (0.082167040 for
    /// 0.0821670406).
    Truncated,
    /// ∂out/∂net left out of δ and ∂E_total/∂w in weight layer `layer` (from 1).
    DerivativeLeftOut {
        /// The weight layer, counted from 1.
        layer: usize,
    },
    /// The other update order: with the simultaneous order as the reference, the updated
    /// w5…w8 used in the hidden layer; with the sequential one, the original weights.
    OtherOrder(UpdateOrder),
    /// The share of output `above` (a neuron of layer `layer + 1`) left out of
    /// ∂E_total/∂out for the neurons of layer `layer`.
    ContributionLeftOut {
        /// The weight layer of the neurons whose ∂E_total/∂out misses a share.
        layer: usize,
        /// The neuron whose share is missing, by index in its layer.
        above: usize,
    },
    /// w⁺ = w + η·∂E/∂w.
    UpdateAdded,
    /// w⁺ = w − ∂E/∂w.
    EtaLeftOut,
    /// w⁺ = w − η²·∂E/∂w.
    EtaTwice,
    /// Neurons `a` and `b` of weight layer `layer` computed with each other's weights.
    NeuronsSwapped {
        /// The weight layer, counted from 1.
        layer: usize,
        /// The neurons, by index in their layer.
        a: usize,
        /// The other one.
        b: usize,
        /// Where: in the backward chain through the layer below (∂net_o/∂out_h) rather
        /// than in the forward pass.
        chain: bool,
    },
    /// The weights of a square weight layer read in the wrong order: the weight from k to j
    /// taken for the one from j to k (the article's w6 and w7 exchanged).
    Transposed {
        /// The weight layer, counted from 1.
        layer: usize,
        /// Where: in the backward chain (∂net_o/∂out_h) rather than the forward pass.
        chain: bool,
    },
    /// Intermediate values rounded to `decimals` digits and carried on with.
    RoundedEarly {
        /// The digits kept, or `None` when the student's own written numbers were rounded.
        decimals: Option<usize>,
    },
}

/// What a slip does to one operand of one formula.
enum Override {
    Keep,
    Value(f64),
    Symbol(String),
}

/// The slips worth testing on `net` with the reference `order`, in the order they are
/// preferred when several explain a value. [`Slip::RoundedEarly`] is tested apart.
pub fn catalogue(net: &Network, order: UpdateOrder) -> Vec<Slip> {
    let depth = net.depth();
    let mut slips = vec![Slip::SignFlipped];
    // With one output, flipping it is flipping them all.
    if net.layers[depth] >= 2 {
        slips.extend((0..net.layers[depth]).map(|output| Slip::SignFlippedIn { output }));
    }
    for l in (1..=depth).rev() {
        if net.activations[l - 1] != Activation::Linear {
            slips.push(Slip::DerivativeLeftOut { layer: l });
        }
    }
    // Only the derivatives written in out change when net is put in its place (ReLU's step
    // is the same at net and at out, the identity's derivative is 1).
    for l in (1..=depth).rev() {
        if matches!(
            net.activations[l - 1],
            Activation::Sigmoid | Activation::Tanh
        ) {
            slips.push(Slip::DerivativeAtNet { layer: l });
        }
    }
    if depth >= 2 {
        slips.push(Slip::OtherOrder(match order {
            UpdateOrder::Simultaneous => UpdateOrder::Sequential,
            UpdateOrder::Sequential => UpdateOrder::Simultaneous,
        }));
    }
    for l in (1..depth).rev() {
        for above in 0..net.layers[l + 1] {
            slips.push(Slip::ContributionLeftOut { layer: l, above });
        }
    }
    slips.push(Slip::UpdateAdded);
    if net.learning_rate != 1.0 {
        slips.push(Slip::EtaLeftOut);
        slips.push(Slip::EtaTwice);
    }
    // The backward chain reads a weight layer from the layer below it, so only layers
    // above the first have one.
    for chain in [true, false] {
        for l in 1..=depth {
            if chain && l == 1 {
                continue;
            }
            let n = net.layers[l];
            if n >= 2 && net.layers[l - 1] == n {
                slips.push(Slip::Transposed { layer: l, chain });
            }
            if n <= 12 {
                for a in 0..n {
                    for b in a + 1..n {
                        slips.push(Slip::NeuronsSwapped {
                            layer: l,
                            a,
                            b,
                            chain,
                        });
                    }
                }
            }
        }
    }
    slips
}

fn is_backward(stage: Stage) -> bool {
    matches!(stage, Stage::OutputLayer | Stage::HiddenLayer)
}

/// `dout_h1/dnet_h1`-shaped symbols.
fn is_activation_derivative(symbol: &str) -> bool {
    symbol.starts_with("dout_") && symbol.contains("/dnet_")
}

/// `dnet_o1/dout_h1`: the weight from h1 to o1 as the hidden layer's chain uses it.
fn is_chain_weight(symbol: &str) -> bool {
    symbol.starts_with("dnet_") && symbol.contains("/dout_")
}

/// The weight symbols a slip exchanges in weight layer `layer`: pairs (from, to).
fn weight_map(slip: &Slip, net: &Network, names: &Notation) -> HashMap<String, String> {
    let mut map = HashMap::new();
    match *slip {
        Slip::NeuronsSwapped { layer, a, b, .. } => {
            let n_in = net.layers[layer - 1];
            for k in 0..n_in {
                let (wa, wb) = (
                    names.weight(layer - 1, a * n_in + k),
                    names.weight(layer - 1, b * n_in + k),
                );
                map.insert(wa.clone(), wb.clone());
                map.insert(wb, wa);
            }
        }
        Slip::Transposed { layer, .. } => {
            let n = net.layers[layer];
            for j in 0..n {
                for k in 0..n {
                    if j != k {
                        map.insert(
                            names.weight(layer - 1, j * n + k),
                            names.weight(layer - 1, k * n + j),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    map
}

/// A slip made ready for replay: its weight exchanges worked out once.
pub struct Prepared<'a> {
    slip: &'a Slip,
    eta: f64,
    neuron_above: Option<String>,
    weights: HashMap<String, String>,
}

impl<'a> Prepared<'a> {
    /// Prepares `slip` for `net`.
    pub fn new(slip: &'a Slip, net: &Network) -> Prepared<'a> {
        let names = Notation::new(net);
        let neuron_above = match *slip {
            Slip::ContributionLeftOut { layer, above } => {
                Some(names.neuron(layer + 1, above).to_string())
            }
            Slip::SignFlippedIn { output } => Some(names.neuron(net.depth(), output).to_string()),
            _ => None,
        };
        Prepared {
            slip,
            eta: net.learning_rate,
            neuron_above,
            weights: weight_map(slip, net, &names),
        }
    }

    fn operand(&self, v: &TracedValue, operand: &str) -> Override {
        match self.slip {
            Slip::DerivativeAtNet { layer }
                if v.layer == Some(*layer) && is_activation_derivative(&v.symbol) =>
            {
                match operand.strip_prefix("out_") {
                    Some(neuron) => Override::Symbol(format!("net_{neuron}")),
                    None => Override::Keep,
                }
            }
            Slip::DerivativeLeftOut { layer }
                if is_backward(v.stage)
                    && v.layer == Some(*layer)
                    && is_activation_derivative(operand) =>
            {
                Override::Value(1.0)
            }
            Slip::ContributionLeftOut { layer, .. }
                if v.layer == Some(*layer) && v.symbol.starts_with("dE_total/dout_") =>
            {
                let above = self.neuron_above.as_deref().unwrap_or_default();
                if operand.starts_with(&format!("dE_{above}/dout_")) {
                    Override::Value(0.0)
                } else {
                    Override::Keep
                }
            }
            Slip::UpdateAdded | Slip::EtaLeftOut | Slip::EtaTwice
                if operand == "eta" && is_backward(v.stage) && v.symbol.ends_with('+') =>
            {
                Override::Value(match self.slip {
                    Slip::UpdateAdded => -self.eta,
                    Slip::EtaLeftOut => 1.0,
                    _ => self.eta * self.eta,
                })
            }
            Slip::NeuronsSwapped { layer, chain, .. } | Slip::Transposed { layer, chain }
                if (!chain && v.symbol.starts_with("net_") && v.layer == Some(*layer))
                    || (*chain && is_chain_weight(&v.symbol) && v.layer == Some(*layer - 1)) =>
            {
                let (bare, tag) = match operand.strip_suffix('+') {
                    Some(b) => (b, "+"),
                    None => (operand, ""),
                };
                match self.weights.get(bare) {
                    Some(other) => Override::Symbol(format!("{other}{tag}")),
                    None => Override::Keep,
                }
            }
            _ => Override::Keep,
        }
    }

    fn negates(&self, v: &TracedValue) -> bool {
        let output = v.stage == Stage::OutputLayer && v.symbol.starts_with("dE_total/dout_");
        match self.slip {
            Slip::SignFlipped => output,
            Slip::SignFlippedIn { .. } => {
                output
                    && self
                        .neuron_above
                        .as_deref()
                        .is_some_and(|o| v.symbol.strip_prefix("dE_total/dout_") == Some(o))
            }
            _ => false,
        }
    }
}

/// Evaluates the trace's formulas again up to `target`: the student's number wherever they
/// wrote one (except for `target` itself, which is recomputed), the network's for given
/// values they did not write, and otherwise the formula, changed by `slip` if one is given
/// and rounded to `rounding` decimals if asked. Returns the replayed value of every
/// position up to `target`.
pub fn replay(
    c: &Compiled<'_>,
    written: &Written,
    slip: Option<&Prepared<'_>>,
    target: usize,
    rounding: Option<usize>,
) -> Vec<Replayed> {
    let values = c.values();
    let need = needed(c, written, slip, target);
    let mut out: Vec<Replayed> = Vec::with_capacity(target + 1);
    let mut ops: Vec<f64> = Vec::new();
    let mut shifts: Vec<f64> = Vec::new();
    for (i, v) in values.iter().enumerate().take(target + 1) {
        if !need[i] {
            // Not on any path to `target`: never read.
            out.push(Replayed {
                value: f64::NAN,
                uncertainty: 0.0,
            });
            continue;
        }
        if i != target
            && let Some(&(value, half)) = written.get(&v.symbol)
        {
            out.push(Replayed {
                value,
                uncertainty: half,
            });
            continue;
        }
        let Some(expr) = &c.exprs[i] else {
            out.push(Replayed {
                value: v.value,
                uncertainty: 0.0,
            });
            continue;
        };
        ops.clear();
        shifts.clear();
        for (n, &at) in c.operands[i].iter().enumerate() {
            let r = match slip.map(|s| s.operand(v, &v.from[n])) {
                Some(Override::Value(x)) => Replayed {
                    value: x,
                    uncertainty: 0.0,
                },
                Some(Override::Symbol(s)) => match c.position(&s) {
                    Some(j) if j < i => out[j],
                    _ => out[at],
                },
                _ => out[at],
            };
            ops.push(r.value);
            shifts.push(r.uncertainty);
        }
        let sign = if slip.is_some_and(|s| s.negates(v)) {
            -1.0
        } else {
            1.0
        };
        let mut value = sign * expr.eval(&|n| ops[n]);
        let mut uncertainty = 0.0;
        for n in 0..ops.len() {
            if shifts[n] > 0.0 {
                let moved = sign * expr.eval(&|m| if m == n { ops[m] + shifts[m] } else { ops[m] });
                uncertainty += (moved - value).abs();
            }
        }
        if let Some(d) = rounding
            && i != target
        {
            let scale = 10f64.powi(d as i32);
            value = (value * scale).round() / scale;
        }
        out.push(Replayed { value, uncertainty });
    }
    out
}

/// The positions the replay of `target` reads: `target`, and through each formula's
/// operands (as `slip` redirects them) down to the values the student wrote and the given
/// values. Everything else is skipped, so a full homework costs a few evaluations per value.
fn needed(
    c: &Compiled<'_>,
    written: &Written,
    slip: Option<&Prepared<'_>>,
    target: usize,
) -> Vec<bool> {
    let values = c.values();
    let mut need = vec![false; target + 1];
    let mut stack = vec![target];
    while let Some(i) = stack.pop() {
        if need[i] {
            continue;
        }
        need[i] = true;
        let v = &values[i];
        if i != target && written.contains_key(&v.symbol) {
            continue;
        }
        for (n, &at) in c.operands[i].iter().enumerate() {
            match slip.map(|s| s.operand(v, &v.from[n])) {
                Some(Override::Value(_)) => {}
                Some(Override::Symbol(s)) => match c.position(&s) {
                    Some(j) if j < i => stack.push(j),
                    _ => stack.push(at),
                },
                _ => stack.push(at),
            }
        }
    }
    need
}

/// Whether the student's `value`, printed with half-unit `half`, is what `r` gives.
pub fn consistent(value: f64, half: f64, r: Replayed) -> bool {
    crate::number::within_half_unit(value, r.value, half + r.uncertainty)
}

/// A slip recognised at one value, with what it names.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnosis {
    /// The slip.
    pub slip: Slip,
    /// The value the slip gives.
    pub value: f64,
    /// The symbols the explanation names (which depend on the slip): the weights used,
    /// the derivative left out, the neuron whose share is missing…
    pub names: Vec<String>,
}

impl Slip {
    /// A few words naming the slip, for a table cell, in `lang`.
    pub fn short(&self, lang: Lang) -> &'static str {
        let m = lang.mistakes();
        match self {
            Slip::SignFlipped => m.sign_flipped,
            Slip::SignFlippedIn { .. } => m.sign_flipped_in,
            Slip::DerivativeAtNet { .. } => m.at_net,
            Slip::DigitsTransposed => m.digits_transposed,
            Slip::Truncated => m.truncated,
            Slip::DerivativeLeftOut { .. } => m.derivative_left_out,
            Slip::OtherOrder(UpdateOrder::Sequential) => m.used_updated,
            Slip::OtherOrder(UpdateOrder::Simultaneous) => m.used_original,
            Slip::ContributionLeftOut { .. } => m.contribution_left_out,
            Slip::UpdateAdded => m.update_added,
            Slip::EtaLeftOut => m.eta_left_out,
            Slip::EtaTwice => m.eta_twice,
            Slip::NeuronsSwapped { .. } | Slip::Transposed { .. } => m.weights_swapped,
            Slip::RoundedEarly { .. } => m.rounded_early,
        }
    }
}

impl Diagnosis {
    /// The slip in a sentence in `lang`, with symbols shown by `sym` (typography or ASCII).
    pub fn describe(&self, sym: &dyn Fn(&str) -> String, lang: Lang) -> String {
        let m = lang.mistakes();
        let list = |names: &[String]| names.iter().map(|s| sym(s)).collect::<Vec<_>>().join(", ");
        let first = |default: &str| {
            self.names
                .first()
                .map(|s| sym(s))
                .unwrap_or_else(|| default.to_string())
        };
        let place = |chain: bool| if chain { m.in_backward_pass } else { "" };
        match &self.slip {
            Slip::SignFlipped => fill(m.why_sign_flipped, &[("symbol", &first("∂E_total/∂out"))]),
            Slip::SignFlippedIn { .. } => {
                let (flipped, kept) = match self.names.split_first() {
                    Some((f, rest)) if !rest.is_empty() => (sym(f), list(rest)),
                    _ => ("∂E_total/∂out".to_string(), m.the_others.to_string()),
                };
                fill(
                    m.why_sign_flipped_in,
                    &[("flipped", &flipped), ("kept", &kept)],
                )
            }
            Slip::DerivativeAtNet { .. } => match self.names.as_slice() {
                [derivative, out, net, ..] => fill(
                    m.why_at_net,
                    &[
                        ("derivative", &sym(derivative)),
                        ("out", &sym(out)),
                        ("net", &sym(net)),
                    ],
                ),
                _ => m.why_at_net_plain.to_string(),
            },
            Slip::DigitsTransposed => match self.names.as_slice() {
                [written, meant] => fill(
                    m.why_digits_transposed,
                    &[("written", written), ("meant", meant)],
                ),
                _ => m.why_digits_transposed_plain.to_string(),
            },
            Slip::Truncated => match self.names.as_slice() {
                [written, rounded] => fill(
                    m.why_truncated,
                    &[("written", written), ("rounded", rounded)],
                ),
                _ => m.why_truncated_plain.to_string(),
            },
            Slip::DerivativeLeftOut { .. } => fill(
                m.why_derivative_left_out,
                &[("factor", &first("∂out/∂net"))],
            ),
            Slip::OtherOrder(UpdateOrder::Sequential) => {
                let updated: Vec<String> = self.names.iter().map(|w| format!("{w}+")).collect();
                fill(
                    m.why_used_updated,
                    &[
                        ("weights", &list(&self.names)),
                        ("updated", &list(&updated)),
                    ],
                )
            }
            Slip::OtherOrder(UpdateOrder::Simultaneous) => {
                fill(m.why_used_original, &[("weights", &list(&self.names))])
            }
            Slip::ContributionLeftOut { .. } => {
                let (share, total) = match self.names.as_slice() {
                    [share, total, ..] => (sym(share), sym(total)),
                    _ => (m.one_share.to_string(), "∂E_total/∂out".to_string()),
                };
                fill(
                    m.why_contribution_left_out,
                    &[("total", &total), ("share", &share)],
                )
            }
            Slip::UpdateAdded => fill(m.why_update_added, &[("updated", &first("w⁺"))]),
            Slip::EtaLeftOut => fill(m.why_eta_left_out, &[("updated", &first("w⁺"))]),
            Slip::EtaTwice => fill(m.why_eta_twice, &[("updated", &first("w⁺"))]),
            Slip::NeuronsSwapped { chain, .. } => fill(
                m.why_neurons_swapped,
                &[
                    ("neurons", &list(&self.names).replace(", ", m.and)),
                    ("where", place(*chain)),
                ],
            ),
            Slip::Transposed { chain, .. } => fill(
                m.why_transposed,
                &[
                    (
                        "pairs",
                        &self
                            .names
                            .chunks(2)
                            .map(|p| list(p).replace(", ", m.and))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("where", place(*chain)),
                ],
            ),
            Slip::RoundedEarly { decimals: Some(d) } => {
                fill(m.why_rounded_to, &[("decimals", &d.to_string())])
            }
            Slip::RoundedEarly { decimals: None } => {
                fill(m.why_rounded_yours, &[("names", &list(&self.names))])
            }
        }
    }

    /// Works out what a slip recognised at `target` names, from the values it was computed
    /// from (`ancestors`, in the trace the slip was replayed on).
    pub fn new(
        slip: &Slip,
        value: f64,
        c: &Compiled<'_>,
        ancestors: &[usize],
        net: &Network,
    ) -> Diagnosis {
        let values = c.values();
        let symbols = || ancestors.iter().map(|&i| &values[i]);
        let names: Vec<String> = match *slip {
            Slip::SignFlipped => symbols()
                .filter(|v| v.stage == Stage::OutputLayer && v.symbol.starts_with("dE_total/dout_"))
                .map(|v| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::DerivativeLeftOut { layer } => symbols()
                .filter(|v| v.layer == Some(layer) && is_activation_derivative(&v.symbol))
                .map(|v| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::DerivativeAtNet { layer } => symbols()
                .find(|v| v.layer == Some(layer) && is_activation_derivative(&v.symbol))
                .map(|v| {
                    let neuron = v.symbol["dout_".len()..]
                        .split('/')
                        .next()
                        .unwrap_or_default();
                    vec![
                        v.symbol.clone(),
                        format!("out_{neuron}"),
                        format!("net_{neuron}"),
                    ]
                })
                .unwrap_or_default(),
            Slip::SignFlippedIn { output } => {
                let names = Notation::new(net);
                let depth = net.depth();
                let flipped = format!("dE_total/dout_{}", names.neuron(depth, output));
                std::iter::once(flipped.clone())
                    .chain(
                        (0..net.layers[depth])
                            .map(|m| format!("dE_total/dout_{}", names.neuron(depth, m)))
                            .filter(|s| *s != flipped),
                    )
                    .collect()
            }
            Slip::DigitsTransposed | Slip::Truncated => Vec::new(),
            Slip::OtherOrder(_) => {
                let mut weights: Vec<String> = symbols()
                    .filter(|v| is_chain_weight(&v.symbol))
                    .filter_map(|v| v.from.first())
                    .map(|w| w.trim_end_matches('+').to_string())
                    .collect();
                weights.sort_by_key(|w| number_of(w));
                weights.dedup();
                weights
            }
            Slip::ContributionLeftOut { layer, above } => {
                let names = Notation::new(net);
                let above = names.neuron(layer + 1, above);
                symbols()
                    .find(|v| v.layer == Some(layer) && v.symbol.starts_with("dE_total/dout_"))
                    .map(|v| {
                        let here = v.symbol.trim_start_matches("dE_total/dout_");
                        vec![format!("dE_{above}/dout_{here}"), v.symbol.clone()]
                    })
                    .unwrap_or_default()
            }
            Slip::UpdateAdded | Slip::EtaLeftOut | Slip::EtaTwice => symbols()
                .filter(|v| is_backward(v.stage) && v.symbol.ends_with('+'))
                .map(|v| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::NeuronsSwapped { layer, a, b, .. } => {
                let names = Notation::new(net);
                vec![
                    names.neuron(layer, a).to_string(),
                    names.neuron(layer, b).to_string(),
                ]
            }
            Slip::Transposed { .. } => {
                let names = Notation::new(net);
                let map = weight_map(slip, net, &names);
                let mut used: Vec<String> = symbols()
                    .flat_map(|v| v.from.iter())
                    .map(|w| w.trim_end_matches('+').to_string())
                    .filter(|w| map.contains_key(w))
                    .collect();
                used.sort_by_key(|w| number_of(w));
                used.dedup();
                let mut pairs = Vec::new();
                for w in used {
                    let other = map[&w].clone();
                    if !pairs.contains(&w) {
                        let (a, b) = if number_of(&w) <= number_of(&other) {
                            (w, other)
                        } else {
                            (other, w)
                        };
                        pairs.push(a);
                        pairs.push(b);
                    }
                }
                pairs
            }
            Slip::RoundedEarly { .. } => Vec::new(),
        };
        Diagnosis {
            slip: slip.clone(),
            value,
            names,
        }
    }
}

/// The number in a weight's name, for sorting w5 before w10.
fn number_of(symbol: &str) -> usize {
    symbol
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::trace::Options;

    fn traces(net: &Network) -> (Trace, Trace) {
        let simultaneous = engine::trace_iteration(net, &Options::default());
        let sequential = engine::trace_iteration(
            net,
            &Options {
                update_order: UpdateOrder::Sequential,
                ..Options::default()
            },
        );
        (simultaneous, sequential)
    }

    #[test]
    fn replaying_without_a_slip_gives_the_engines_values() {
        let mut net = Network::article();
        net.layers = vec![2, 3, 2, 2];
        net.activations = vec![Activation::Tanh, Activation::Relu, Activation::Sigmoid];
        net.weights = vec![
            vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
            vec![0.7, -0.1, 0.2, 0.3, 0.4, -0.6],
            vec![0.5, -0.4, 0.3, 0.2],
        ];
        net.biases.push(crate::network::Bias::Shared(0.1));
        let (trace, _) = traces(&net);
        let c = Compiled::new(&trace).unwrap();
        let values = &trace.first().values;
        for (at, v) in values.iter().enumerate() {
            let r = &replay(&c, &Written::new(), None, at, None)[at];
            assert!(
                (r.value - v.value).abs() <= 1e-12 * (1.0 + v.value.abs()),
                "{}: {} vs {}",
                v.symbol,
                r.value,
                v.value
            );
            assert_eq!(r.uncertainty, 0.0);
        }
    }

    #[test]
    fn the_other_order_is_the_engines_sequential_trace() {
        let (_, sequential) = traces(&Network::article());
        let c = Compiled::new(&sequential).unwrap();
        let at = c.position("E_total+").unwrap();
        let r = replay(&c, &Written::new(), None, at, None);
        assert_eq!(format!("{:.9}", r[at].value), "0.291027924");
    }

    #[test]
    fn each_slip_changes_what_it_should() {
        let net = Network::article();
        let (trace, _) = traces(&net);
        let c = Compiled::new(&trace).unwrap();
        let value_under = |slip: &Slip, symbol: &str| {
            let prepared = Prepared::new(slip, &net);
            let at = c.position(symbol).unwrap();
            replay(&c, &Written::new(), Some(&prepared), at, None)[at].value
        };
        let exact = |symbol: &str| trace.first().get(symbol).unwrap().value;
        assert_eq!(
            value_under(&Slip::SignFlipped, "dE_total/dout_o1"),
            -exact("dE_total/dout_o1")
        );
        assert_eq!(
            value_under(&Slip::DerivativeLeftOut { layer: 2 }, "delta_o1"),
            exact("dE_total/dout_o1")
        );
        let net_o1 = exact("net_o1");
        assert_eq!(
            value_under(&Slip::DerivativeAtNet { layer: 2 }, "dout_o1/dnet_o1"),
            net_o1 * (1.0 - net_o1)
        );
        // One output's sign: o1's share of h1's error changes sign, o2's does not.
        let one = value_under(&Slip::SignFlippedIn { output: 0 }, "dE_total/dout_h1");
        let expected = -exact("dE_o1/dout_h1") + exact("dE_o2/dout_h1");
        assert!((one - expected).abs() < 1e-15, "{one} vs {expected}");
        assert_eq!(
            value_under(&Slip::DerivativeLeftOut { layer: 2 }, "dout_o1/dnet_o1"),
            exact("dout_o1/dnet_o1"),
            "the derivative itself is still computed"
        );
        assert_eq!(
            value_under(
                &Slip::ContributionLeftOut { layer: 1, above: 1 },
                "dE_total/dout_h1"
            ),
            exact("dE_o1/dout_h1")
        );
        assert_eq!(
            value_under(&Slip::UpdateAdded, "w5+"),
            0.4 + 0.5 * exact("dE_total/dw5")
        );
        assert_eq!(
            value_under(&Slip::EtaLeftOut, "w5+"),
            0.4 - exact("dE_total/dw5")
        );
        assert_eq!(
            value_under(&Slip::EtaTwice, "w5+"),
            0.4 - 0.25 * exact("dE_total/dw5")
        );
        let swapped = value_under(
            &Slip::NeuronsSwapped {
                layer: 1,
                a: 0,
                b: 1,
                chain: false,
            },
            "net_h1",
        );
        assert_eq!(swapped, exact("net_h2"));
        let transposed = value_under(
            &Slip::Transposed {
                layer: 2,
                chain: true,
            },
            "dE_total/dout_h1",
        );
        assert!((transposed - (exact("delta_o1") * 0.4 + exact("delta_o2") * 0.45)).abs() < 1e-15);
    }

    #[test]
    fn the_catalogue_fits_the_network() {
        let mut net = Network::article();
        let slips = catalogue(&net, UpdateOrder::Simultaneous);
        assert!(slips.contains(&Slip::OtherOrder(UpdateOrder::Sequential)));
        assert!(slips.contains(&Slip::Transposed {
            layer: 2,
            chain: true
        }));
        assert!(!slips.contains(&Slip::Transposed {
            layer: 1,
            chain: true
        }));
        net.learning_rate = 1.0;
        net.activations = vec![Activation::Linear; 2];
        let slips = catalogue(&net, UpdateOrder::Simultaneous);
        assert!(
            !slips.contains(&Slip::EtaLeftOut),
            "η = 1: indistinguishable"
        );
        assert!(
            !slips
                .iter()
                .any(|s| matches!(s, Slip::DerivativeLeftOut { .. }))
        );
    }
}
