//! The slips students make, as variants of the computation, and the replay that tests them.
//!
//! A slip is not a list of wrong numbers from the article: it is a change to how values are
//! computed (a factor left out, an operand replaced, a sign flipped), applied while the
//! trace's own formulas are evaluated again ([`replay`]). The replay takes the student's
//! numbers wherever they wrote one and recomputes the rest, so a slip is recognised where
//! it first shows, whichever values the student wrote down, on any network. The
//! update-order slip ("used the updated w5…w8 in the hidden layer") needs no variant: it is
//! the engine's other [`UpdateOrder`], replayed the same way.

use crate::loss::Loss;
use crate::network::{Activation, Network};
use crate::notation::Notation;
use crate::optimizer::Optimizer;
use crate::render::lang::{Lang, fill};
use crate::trace::{Formula, Parameter, Role, Stage, Trace, TracedValue, UpdateOrder};
use std::collections::HashMap;

/// An engine's trace with every formula tree and operand located, ready to be replayed.
pub struct Compiled<'t> {
    /// The trace.
    pub trace: &'t Trace,
    exprs: Vec<Option<&'t Formula>>,
    index: HashMap<&'t str, usize>,
    by_role: HashMap<Role, usize>,
    operands: Vec<Vec<usize>>,
}

impl<'t> Compiled<'t> {
    /// Reads the first iteration of `trace`, which the engine recorded. Fails only on a
    /// trace the engine did not write (a value without a role or a formula tree, an
    /// operand not recorded before its use).
    pub fn new(trace: &'t Trace) -> Result<Compiled<'t>, String> {
        let values = &trace.first().values;
        let mut index = HashMap::new();
        let mut by_role = HashMap::new();
        let mut exprs = Vec::with_capacity(values.len());
        let mut operands = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let role = v.role.ok_or_else(|| format!("{}: no role", v.symbol))?;
            by_role.insert(role, i);
            if v.stage == Stage::Given {
                exprs.push(None);
                operands.push(Vec::new());
            } else {
                let expr = v
                    .expr
                    .as_ref()
                    .ok_or_else(|| format!("{}: no formula tree", v.symbol))?;
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
            by_role,
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

    /// Where a slip's redirect to `role` reads: that role's value, or the operand at `at`
    /// when the iteration has no value of that role.
    fn redirected(&self, role: Role, at: usize) -> usize {
        self.by_role.get(&role).copied().unwrap_or(at)
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

    /// The role of the value at `i` (every value of an engine's trace has one).
    fn role(&self, i: usize) -> Role {
        self.values()[i].role.expect("checked in Compiled::new")
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The softmax taken as element-wise: δ_k = ∂E_total/∂out_k · out_k(1 − out_k) alone,
    /// every off-diagonal ∂out_j/∂net_k of the derivative matrix left out.
    SoftmaxCouplingLeftOut,
    /// The 1/n of the mean squared error left out of E_o and ∂E_total/∂out.
    MeanLeftOut,
    /// log10 used for ln in a cross-entropy's E_o: each term 1/ln(10) of what it is.
    Log10ForLn,
    /// Adam's m̂ = m⁺ and v̂ = v⁺: the bias correction 1 − βᵗ left out.
    BiasCorrectionLeftOut,
    /// Momentum's step taken along the velocity the iteration started with, v, not v⁺.
    OldVelocity,
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
    /// The value of another role read in its place.
    Role(Role),
}

/// The slips worth testing on `net` with the reference `order`, in the order they are
/// preferred when several explain a value. [`Slip::RoundedEarly`] is tested apart.
pub fn catalogue(net: &Network, order: UpdateOrder) -> Vec<Slip> {
    let depth = net.depth();
    let mut slips = vec![Slip::SignFlipped];
    // The slips of the loss and of a softmax output layer, first: where they apply, they
    // are what a student new to them gets wrong.
    if net.activations[depth - 1] == Activation::Softmax {
        slips.push(Slip::SoftmaxCouplingLeftOut);
    }
    match net.optimizer {
        Optimizer::Adam { .. } => slips.push(Slip::BiasCorrectionLeftOut),
        Optimizer::Momentum { .. } => slips.push(Slip::OldVelocity),
        Optimizer::Sgd => {}
    }
    match net.loss {
        Loss::MeanSquaredError if net.layers[depth] >= 2 => slips.push(Slip::MeanLeftOut),
        Loss::CrossEntropy | Loss::BinaryCrossEntropy => slips.push(Slip::Log10ForLn),
        _ => {}
    }
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

/// The weights a slip exchanges in weight layer `layer`: pairs (from, to), by index.
fn weight_map(slip: &Slip, net: &Network) -> HashMap<usize, usize> {
    let mut map = HashMap::new();
    match *slip {
        Slip::NeuronsSwapped { layer, a, b, .. } => {
            let n_in = net.layers[layer - 1];
            for k in 0..n_in {
                let (wa, wb) = (a * n_in + k, b * n_in + k);
                map.insert(wa, wb);
                map.insert(wb, wa);
            }
        }
        Slip::Transposed { layer, .. } => {
            let n = net.layers[layer];
            for j in 0..n {
                for k in 0..n {
                    if j != k {
                        map.insert(j * n + k, k * n + j);
                    }
                }
            }
        }
        _ => {}
    }
    map
}

/// The weight a value reads, as given or as updated: its parameter, and whether updated.
fn weight_of(role: Role) -> Option<(usize, usize, bool)> {
    match role {
        Role::Weight { layer, index } => Some((layer, index, false)),
        Role::Updated {
            of: Parameter::Weight { layer, index },
        } => Some((layer, index, true)),
        _ => None,
    }
}

/// A slip made ready for replay: its weight exchanges worked out once.
pub struct Prepared<'a> {
    slip: &'a Slip,
    eta: f64,
    weights: HashMap<usize, usize>,
    /// The number of outputs (the n of a mean).
    outputs: usize,
}

impl<'a> Prepared<'a> {
    /// Prepares `slip` for `net`.
    pub fn new(slip: &'a Slip, net: &Network) -> Prepared<'a> {
        Prepared {
            slip,
            eta: net.learning_rate,
            weights: weight_map(slip, net),
            outputs: net.layers[net.depth()],
        }
    }

    /// What the slip does to the operand of role `operand` in the formula of `v`.
    fn operand(&self, v: &TracedValue, role: Role, operand: Role) -> Override {
        match (*self.slip, role, operand) {
            // σ′ = out(1 − out) evaluated at net: net_h1 read where out_h1 is.
            (
                Slip::DerivativeAtNet { layer },
                Role::DOutDNet { layer: l, .. },
                Role::Out {
                    layer: ol,
                    neuron,
                    updated,
                },
            ) if l == layer => Override::Role(Role::Net {
                layer: ol,
                neuron,
                updated,
            }),
            // Only the backward pass reads ∂out/∂net.
            (Slip::DerivativeLeftOut { layer }, _, Role::DOutDNet { .. })
                if v.layer == Some(layer) =>
            {
                Override::Value(1.0)
            }
            // δ_k of a softmax layer: only the diagonal entry of the derivative matrix.
            (
                Slip::SoftmaxCouplingLeftOut,
                Role::Delta { .. },
                Role::SoftmaxDerivative { neuron, by, .. },
            ) if neuron != by => Override::Value(0.0),
            (
                Slip::BiasCorrectionLeftOut,
                Role::FirstMomentHat { .. } | Role::SecondMomentHat { .. },
                Role::BiasCorrection { .. },
            ) => Override::Value(1.0),
            (
                Slip::OldVelocity,
                Role::Updated { .. } | Role::NesterovGradient { .. },
                Role::Velocity { of, updated: true },
            ) => Override::Role(Role::Velocity { of, updated: false }),
            (
                Slip::ContributionLeftOut { layer, above },
                Role::DLossDOut { layer: l, .. },
                Role::Share { above: a, .. },
            ) if l == layer => {
                if a == above {
                    Override::Value(0.0)
                } else {
                    Override::Keep
                }
            }
            (
                Slip::UpdateAdded | Slip::EtaLeftOut | Slip::EtaTwice,
                Role::Updated { .. },
                Role::LearningRate,
            ) => Override::Value(match self.slip {
                Slip::UpdateAdded => -self.eta,
                Slip::EtaLeftOut => 1.0,
                _ => self.eta * self.eta,
            }),
            (Slip::NeuronsSwapped { layer, chain, .. } | Slip::Transposed { layer, chain }, ..)
                if (!chain && matches!(role, Role::Net { .. }) && v.layer == Some(layer))
                    || (chain
                        && matches!(role, Role::DNetDOut { .. })
                        && v.layer == Some(layer - 1)) =>
            {
                // The operand's weight is one of `layer`'s: a net reads its own layer's weights,
                // ∂net/∂out (in the layer below) the weights above it.
                match weight_of(operand) {
                    Some((_, index, updated)) => match self.weights.get(&index) {
                        Some(&other) => {
                            let of = Parameter::Weight {
                                layer,
                                index: other,
                            };
                            Override::Role(if updated {
                                Role::Updated { of }
                            } else {
                                of.given()
                            })
                        }
                        None => Override::Keep,
                    },
                    _ => Override::Keep,
                }
            }
            _ => Override::Keep,
        }
    }

    /// What the slip multiplies the value of `v` by: −1 for a flipped sign, n where the
    /// mean's 1/n is left out, 1/ln(10) where log10 is used for ln; 1 for every value it
    /// leaves alone.
    fn factor(&self, v: &TracedValue) -> f64 {
        let output = match v.role {
            Some(Role::DLossDOut { neuron, .. }) if v.stage == Stage::OutputLayer => Some(neuron),
            _ => None,
        };
        let loss_term = matches!(v.role, Some(Role::LossTerm { .. }));
        match *self.slip {
            Slip::SignFlipped if output.is_some() => -1.0,
            Slip::SignFlippedIn { output: flipped } if output == Some(flipped) => -1.0,
            Slip::MeanLeftOut if output.is_some() || loss_term => self.outputs as f64,
            // log10(x) = ln(x) / ln(10): every term of a cross-entropy's E_o is a t·ln(…).
            Slip::Log10ForLn if loss_term => std::f64::consts::LOG10_E,
            _ => 1.0,
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
        for &at in &c.operands[i] {
            let r = match slip.map(|s| s.operand(v, c.role(i), c.role(at))) {
                Some(Override::Value(x)) => Replayed {
                    value: x,
                    uncertainty: 0.0,
                },
                // A redirect reads a value computed before this one (net for out, a given
                // weight or velocity, the layer above's w⁺), so `out` already holds it.
                Some(Override::Role(other)) => out[c.redirected(other, at)],
                _ => out[at],
            };
            ops.push(r.value);
            shifts.push(r.uncertainty);
        }
        let sign = slip.map_or(1.0, |s| s.factor(v));
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
        for &at in &c.operands[i] {
            match slip.map(|s| s.operand(v, c.role(i), c.role(at))) {
                Some(Override::Value(_)) => {}
                Some(Override::Role(other)) => stack.push(c.redirected(other, at)),
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
    /// The slip's name for a program (`verify --format json`): stable, in snake case.
    pub fn id(&self) -> &'static str {
        match self {
            Slip::SignFlipped => "sign_flipped",
            Slip::SignFlippedIn { .. } => "sign_flipped_in_one_output",
            Slip::DerivativeAtNet { .. } => "derivative_at_net",
            Slip::DigitsTransposed => "digits_transposed",
            Slip::Truncated => "truncated",
            Slip::DerivativeLeftOut { .. } => "derivative_left_out",
            Slip::OtherOrder(UpdateOrder::Sequential) => "used_updated_weights",
            Slip::OtherOrder(UpdateOrder::Simultaneous) => "used_original_weights",
            Slip::ContributionLeftOut { .. } => "contribution_left_out",
            Slip::UpdateAdded => "update_added",
            Slip::EtaLeftOut => "eta_left_out",
            Slip::EtaTwice => "eta_twice",
            Slip::NeuronsSwapped { .. } => "neurons_swapped",
            Slip::Transposed { .. } => "weights_transposed",
            Slip::RoundedEarly { .. } => "rounded_early",
            Slip::SoftmaxCouplingLeftOut => "softmax_coupling_left_out",
            Slip::MeanLeftOut => "mean_left_out",
            Slip::Log10ForLn => "log10_for_ln",
            Slip::BiasCorrectionLeftOut => "bias_correction_left_out",
            Slip::OldVelocity => "old_velocity",
        }
    }

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
            Slip::SoftmaxCouplingLeftOut => m.softmax_coupling_left_out,
            Slip::MeanLeftOut => m.mean_left_out,
            Slip::Log10ForLn => m.log10_for_ln,
            Slip::BiasCorrectionLeftOut => m.bias_correction_left_out,
            Slip::OldVelocity => m.old_velocity,
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
                // The catalogue offers this slip with two outputs or more: the others are kept.
                let (flipped, kept) = match self.names.split_first() {
                    Some((f, rest)) => (sym(f), list(rest)),
                    None => ("∂E_total/∂out".to_string(), m.the_others.to_string()),
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
            Slip::SoftmaxCouplingLeftOut => {
                fill(m.why_softmax_coupling_left_out, &[("delta", &first("δ"))])
            }
            Slip::MeanLeftOut => match self.names.as_slice() {
                [symbol, n] => fill(m.why_mean_left_out, &[("symbol", &sym(symbol)), ("n", n)]),
                _ => fill(
                    m.why_mean_left_out,
                    &[("symbol", "∂E_total/∂out"), ("n", "n")],
                ),
            },
            Slip::Log10ForLn => fill(m.why_log10_for_ln, &[("symbol", &first("E"))]),
            Slip::BiasCorrectionLeftOut => {
                fill(m.why_bias_correction_left_out, &[("symbol", &first("m̂"))])
            }
            Slip::OldVelocity => fill(m.why_old_velocity, &[("symbol", &first("w⁺"))]),
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
        let notation = Notation::new(net);
        let symbol = |role: Role| role.symbol(&notation);
        // The values the slip was replayed through, with their roles.
        let symbols = || ancestors.iter().map(|&i| (&values[i], c.role(i)));
        let names: Vec<String> = match *slip {
            Slip::SignFlipped => symbols()
                .filter(|(v, r)| {
                    v.stage == Stage::OutputLayer && matches!(r, Role::DLossDOut { .. })
                })
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::DerivativeLeftOut { layer } => symbols()
                .filter(|(v, r)| v.layer == Some(layer) && matches!(r, Role::DOutDNet { .. }))
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::DerivativeAtNet { layer } => symbols()
                .find_map(|(v, r)| match r {
                    Role::DOutDNet { layer: l, neuron } if l == layer => Some(vec![
                        v.symbol.clone(),
                        symbol(Role::Out {
                            layer,
                            neuron,
                            updated: false,
                        }),
                        symbol(Role::Net {
                            layer,
                            neuron,
                            updated: false,
                        }),
                    ]),
                    _ => None,
                })
                .unwrap_or_default(),
            Slip::SignFlippedIn { output } => {
                let depth = net.depth();
                let of = |neuron| {
                    symbol(Role::DLossDOut {
                        layer: depth,
                        neuron,
                    })
                };
                std::iter::once(of(output))
                    .chain((0..net.layers[depth]).filter(|&m| m != output).map(of))
                    .collect()
            }
            Slip::DigitsTransposed | Slip::Truncated => Vec::new(),
            Slip::OtherOrder(_) => {
                // The weights the hidden layers' chain read, in their order.
                let mut weights: Vec<Parameter> = symbols()
                    .filter(|(_, r)| matches!(r, Role::DNetDOut { .. }))
                    .filter_map(|(v, _)| c.position(v.from.first()?))
                    .filter_map(|at| weight_of(c.role(at)))
                    .map(|(layer, index, _)| Parameter::Weight { layer, index })
                    .collect();
                weights.sort();
                weights.dedup();
                weights.into_iter().map(|p| symbol(p.given())).collect()
            }
            Slip::ContributionLeftOut { layer, above } => symbols()
                .find_map(|(v, r)| match r {
                    Role::DLossDOut { layer: l, neuron } if l == layer => Some(vec![
                        symbol(Role::Share {
                            layer,
                            neuron,
                            above,
                        }),
                        v.symbol.clone(),
                    ]),
                    _ => None,
                })
                .unwrap_or_default(),
            Slip::UpdateAdded | Slip::EtaLeftOut | Slip::EtaTwice => symbols()
                .filter(|(_, r)| matches!(r, Role::Updated { .. }))
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::NeuronsSwapped { layer, a, b, .. } => vec![
                notation.neuron(layer, a).to_string(),
                notation.neuron(layer, b).to_string(),
            ],
            Slip::Transposed { layer, .. } => {
                let map = weight_map(slip, net);
                // The exchanged weights the replay read, each pair once, lower first.
                let mut used: Vec<usize> = symbols()
                    .flat_map(|(v, _)| v.from.iter())
                    .filter_map(|w| weight_of(c.role(c.position(w)?)))
                    .filter(|&(l, index, _)| l == layer && map.contains_key(&index))
                    .map(|(_, index, _)| index.min(map[&index]))
                    .collect();
                used.sort();
                used.dedup();
                used.into_iter()
                    .flat_map(|index| [index, map[&index]])
                    .map(|index| symbol(Parameter::Weight { layer, index }.given()))
                    .collect()
            }
            Slip::RoundedEarly { .. } => Vec::new(),
            Slip::SoftmaxCouplingLeftOut => symbols()
                .filter(|(_, r)| matches!(r, Role::Delta { layer, .. } if *layer == net.depth()))
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            // The first value the 1/n belongs to, and n.
            Slip::MeanLeftOut => symbols()
                .filter(|(v, r)| {
                    matches!(r, Role::LossTerm { .. })
                        || (v.stage == Stage::OutputLayer && matches!(r, Role::DLossDOut { .. }))
                })
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .chain([net.layers[net.depth()].to_string()])
                .collect(),
            Slip::Log10ForLn => symbols()
                .filter(|(_, r)| matches!(r, Role::LossTerm { .. }))
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            // The first value the slip changes: m̂ (or v̂), or the update read from it.
            Slip::BiasCorrectionLeftOut => symbols()
                .filter(|(_, r)| {
                    matches!(
                        r,
                        Role::FirstMomentHat { .. } | Role::SecondMomentHat { .. }
                    )
                })
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
            Slip::OldVelocity => symbols()
                .filter(|(_, r)| matches!(r, Role::Updated { .. } | Role::NesterovGradient { .. }))
                .map(|(v, _)| v.symbol.clone())
                .take(1)
                .collect(),
        };
        Diagnosis {
            slip: *slip,
            value,
            names,
        }
    }
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

    /// A layer that is not square: swapping h2 and h3 of a 2-3-2 network (each with two
    /// weights in) gives net_h2 the value of net_h3; no layer can be transposed but the
    /// square one; a neuron is never swapped with itself.
    #[test]
    fn swaps_and_transposes_fit_a_layer_that_is_not_square() {
        let mut net = Network::article();
        net.layers = vec![2, 3, 3];
        net.target = vec![0.01, 0.99, 0.5];
        net.weights = vec![
            vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
            vec![0.7, -0.1, 0.2, 0.3, 0.4, -0.6, 0.5, 0.25, -0.3],
        ];
        let (trace, _) = traces(&net);
        let c = Compiled::new(&trace).unwrap();
        let swapped = Slip::NeuronsSwapped {
            layer: 1,
            a: 1,
            b: 2,
            chain: false,
        };
        let prepared = Prepared::new(&swapped, &net);
        let at = c.position("net_h2").unwrap();
        let value = replay(&c, &Written::new(), Some(&prepared), at, None)[at].value;
        assert_eq!(value, trace.first().get("net_h3").unwrap().value);

        let slips = catalogue(&net, UpdateOrder::Simultaneous);
        for chain in [true, false] {
            assert!(!slips.contains(&Slip::Transposed { layer: 1, chain }));
        }
        assert!(slips.contains(&Slip::Transposed {
            layer: 2,
            chain: true
        }));
        let swaps: Vec<_> = slips
            .iter()
            .filter_map(|s| match *s {
                Slip::NeuronsSwapped {
                    layer, a, b, chain, ..
                } if !chain => Some((layer, a, b)),
                _ => None,
            })
            .collect();
        assert_eq!(
            swaps,
            [
                (1, 0, 1),
                (1, 0, 2),
                (1, 1, 2),
                (2, 0, 1),
                (2, 0, 2),
                (2, 1, 2)
            ]
        );
    }

    /// The value of `symbol` with `slip` replayed from the start, and the engine's values.
    fn under(net: &Network, slip: &Slip, symbol: &str) -> (f64, impl Fn(&str) -> f64) {
        let trace = engine::trace_iteration(net, &Options::default());
        let c = Compiled::new(&trace).unwrap();
        let prepared = Prepared::new(slip, net);
        let at = c.position(symbol).unwrap();
        let value = replay(&c, &Written::new(), Some(&prepared), at, None)[at].value;
        let values: HashMap<String, f64> = trace
            .first()
            .values
            .iter()
            .map(|v| (v.symbol.clone(), v.value))
            .collect();
        (value, move |s: &str| values[s])
    }

    fn shipped(name: &str) -> Network {
        let path = format!("{}/traces/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        crate::network::NetworkFile::read(&text, None)
            .unwrap()
            .network
    }

    /// Each slip changes its own place and no other: the softmax coupling keeps the diagonal
    /// entry; a share left out in one layer is kept in the layer above; the mean's n and
    /// log10 multiply the loss's values, not the forward pass's.
    #[test]
    fn each_slip_keeps_to_its_place() {
        let softmax = shipped("softmax-2-3-3.json");
        // Its target is (0, 1, 0): only ∂E_total/∂out_o2 is not 0.
        let (delta, exact) = under(&softmax, &Slip::SoftmaxCouplingLeftOut, "delta_o2");
        let diagonal = exact("dE_total/dout_o2") * exact("dout_o2/dnet_o2");
        assert!(diagonal != 0.0);
        assert!((delta - diagonal).abs() <= 1e-15, "{delta} vs {diagonal}");

        let deep = shipped("deep-2-3-2-1.json");
        let left_out = Slip::ContributionLeftOut { layer: 1, above: 0 };
        let (above, exact) = under(&deep, &left_out, "dE_total/dout_h2_1");
        assert_eq!(above, exact("dE_total/dout_h2_1"));
        let (here, exact) = under(&deep, &left_out, "dE_total/dout_h1_1");
        assert!(here != exact("dE_total/dout_h1_1"));

        let mut mse = Network::article();
        mse.loss = Loss::MeanSquaredError;
        let (net_h1, exact) = under(&mse, &Slip::MeanLeftOut, "net_h1");
        assert_eq!(net_h1, exact("net_h1"));
        let (e_o1, exact) = under(&mse, &Slip::MeanLeftOut, "E_o1");
        assert_eq!(e_o1, 2.0 * exact("E_o1"));

        let mut cross_entropy = Network::article();
        cross_entropy.loss = Loss::CrossEntropy;
        let (out_o1, exact) = under(&cross_entropy, &Slip::Log10ForLn, "out_o1");
        assert_eq!(out_o1, exact("out_o1"));
    }

    /// A written value's half unit moves what is computed from it up, through σ: the
    /// uncertainty of out_h1 from net_h1 = 0.3775 (±0.00005) is σ(0.37755) − σ(0.3775).
    /// And the replay reads only what the slip leaves in the formula: with ∂out_o1/∂net_o1
    /// taken as 1, δ_o1 does not need it.
    #[test]
    fn the_uncertainty_moves_up_and_the_replay_reads_what_it_needs() {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        let c = Compiled::new(&trace).unwrap();
        let written: Written = [("net_h1".to_string(), (0.3775, 0.00005))].into();
        let at = c.position("out_h1").unwrap();
        let r = replay(&c, &written, None, at, None)[at];
        let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
        assert_eq!(r.value, sigma(0.3775));
        assert_eq!(r.uncertainty, (sigma(0.37755) - sigma(0.3775)).abs());

        let slip = Slip::DerivativeLeftOut { layer: 2 };
        let prepared = Prepared::new(&slip, &Network::article());
        let at = c.position("delta_o1").unwrap();
        let derivative = c.position("dout_o1/dnet_o1").unwrap();
        assert!(needed(&c, &Written::new(), None, at)[derivative]);
        assert!(!needed(&c, &Written::new(), Some(&prepared), at)[derivative]);
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

        // The mean squared error over two outputs can be summed by mistake; over one, the
        // mean is the sum, and flipping the one output's sign is flipping them all.
        net.loss = Loss::MeanSquaredError;
        let slips = catalogue(&net, UpdateOrder::Simultaneous);
        assert!(slips.contains(&Slip::MeanLeftOut));
        assert!(slips.contains(&Slip::SignFlippedIn { output: 1 }));
        net.layers = vec![2, 2, 1];
        let slips = catalogue(&net, UpdateOrder::Simultaneous);
        assert!(!slips.contains(&Slip::MeanLeftOut), "{slips:?}");
        assert!(
            !slips.contains(&Slip::SignFlippedIn { output: 0 }),
            "{slips:?}"
        );
    }
}
