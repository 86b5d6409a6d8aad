//! The gradient check: every ∂E_total/∂w that backpropagation computes, beside the central
//! difference (E(w + h) − E(w − h)) / 2h computed from the forward pass alone. The two are
//! computed independently (the chain rule against plain evaluations of E, by a forward pass
//! of the check's own), so agreement is evidence that the backward pass is right, as
//! micrograd's tests check every gradient against PyTorch.
//!
//! Above [`SAMPLE_ABOVE`] parameters a seeded sample is checked (see [`sample`]): each
//! central difference costs two forward passes, and a network of a million weights has a
//! million of them. The gradients come from the engine's backward pass without a trace
//! ([`engine::Recorder::gradient`]), so a check needs memory for a few copies of the
//! weights, never for a trace of every value.
//!
//! Test-only hook: [`check`] takes a [`Corruption`], which scales one backpropagated
//! gradient before the comparison, so the failure path is exercised by the tests. The
//! `check` command reads one from the environment variable `BACKPROP_TEST_CORRUPT_GRADIENT`
//! (`w5*1.01`); it is for the test suite only and is not in `--help`, but it works in every
//! build, so the command warns on standard error whenever it is set (README, "Test hooks").

mod forward;
pub mod sample;

use crate::engine::{self, Entry, Param, Recorder, Workspace};
use crate::network::{Bias, Network};
use crate::notation::Notation;
use crate::trace::{Options, Stage, UpdateOrder};
use forward::Forward;
pub use sample::{Group, Kind};

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

/// Networks with more parameters than this have a sample of them checked by default: up to
/// here every one is, in well under a second.
pub const SAMPLE_ABOVE: usize = 2_000;

/// How many parameters a sample checks by default. The slowest network the loader accepts
/// (ten million weights in the shape where every parameter's central difference redoes the
/// most) takes about 20 s for these in a release build (README, "backprop check").
pub const DEFAULT_SAMPLE: usize = 500;

/// What the central differences of a default sample may cost, in multiply-adds (see
/// [`sample::cost`]): about 20 s in a release build on a slow machine. A network where 500
/// would cost more (one whose early layers each feed millions of neurons) gets fewer.
pub const BUDGET: f64 = 1e10;

/// How many parameters a default sample of `net` checks: [`DEFAULT_SAMPLE`], or fewer when
/// those would cost more than [`BUDGET`].
pub fn default_sample(net: &Network, update_biases: bool) -> usize {
    sample::within(
        net,
        &sample::groups(net, update_biases),
        DEFAULT_SAMPLE,
        BUDGET,
    )
}

/// Which parameters to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Every one.
    All,
    /// `count` of them, drawn with `seed` (stratified by layer: see [`sample`]).
    Sample {
        /// How many.
        count: usize,
        /// The seed of the draw.
        seed: u64,
    },
}

impl Plan {
    /// The plan for `total` parameters: every one with `all`; `sample` of them when given (or
    /// `default` above [`SAMPLE_ABOVE`]), drawn with `seed`; every one when the sample would
    /// take them all.
    pub fn choose(
        total: usize,
        all: bool,
        sample: Option<usize>,
        seed: u64,
        default: usize,
    ) -> Plan {
        let count = match sample {
            _ if all => return Plan::All,
            Some(n) => n,
            None if total > SAMPLE_ABOVE => default,
            None => return Plan::All,
        };
        if count >= total {
            Plan::All
        } else {
            Plan::Sample { count, seed }
        }
    }
}

/// Scales one backpropagated gradient before the comparison: the test-only hook.
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
        /// The neuron's layer (0 = the inputs).
        layer: usize,
        /// The neuron, 0-based, in its layer.
        neuron: usize,
    },
}

/// One weight or bias. (No symbol is kept: `--all` on ten million weights keeps ten million
/// of these; [`GradCheck::symbol`] names one.)
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Which.
    pub param: Param,
    /// Its value.
    pub value: f64,
    /// ∂E_total/∂w as backpropagation computed it.
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
#[derive(Clone, Debug)]
pub struct GradCheck {
    /// E_total at the iteration's starting point.
    pub e_total: f64,
    /// The absolute floor for this network: [`ABSOLUTE_FLOOR`] · max(1, E_total).
    pub floor: f64,
    /// The update order the backpropagated gradients were computed with.
    pub order: UpdateOrder,
    /// The network's weights, layer by layer, then its trained biases: how many each holds
    /// and how many were checked.
    pub groups: Vec<Group>,
    /// The seed of the sample, when a sample was checked.
    pub seed: Option<u64>,
    /// The parameters checked: weights, then trained biases, in the network's order.
    pub parameters: Vec<Parameter>,
    /// The network's names.
    pub names: Notation,
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
    pub fn failures(&self) -> Vec<Param> {
        self.parameters
            .iter()
            .filter(|p| p.verdict == Verdict::Disagrees)
            .map(|p| p.param)
            .collect()
    }

    /// How many gradients got a verdict (were not at a ReLU kink).
    pub fn judged(&self) -> usize {
        self.parameters
            .iter()
            .filter(|p| !matches!(p.verdict, Verdict::Kink { .. }))
            .count()
    }

    /// How many parameters the network trains.
    pub fn total(&self) -> usize {
        self.groups.iter().map(|g| g.size).sum()
    }

    /// A parameter's symbol: `w5`, `b1_2`.
    pub fn symbol(&self, param: Param) -> String {
        symbol(&self.names, param)
    }
}

/// A parameter's symbol in `names`: `w5`, `b1_2`.
pub fn symbol(names: &Notation, param: Param) -> String {
    match param {
        Param::Weight { layer, index } => names.weight(layer, index),
        Param::Bias { layer, index } => names.bias(layer, index),
    }
}

/// The trained parameter of `net` called `symbol` (`w5`, `b1`, `b2_3`), if there is one.
pub fn find(net: &Network, update_biases: bool, symbol: &str) -> Option<Param> {
    let number = |s: &str| {
        s.parse::<usize>()
            .ok()
            .filter(|&n| n >= 1 && !s.starts_with('0'))
    };
    if let Some(n) = symbol.strip_prefix('w').and_then(number) {
        let mut index = n - 1;
        for (layer, w) in net.weights.iter().enumerate() {
            if index < w.len() {
                return Some(Param::Weight { layer, index });
            }
            index -= w.len();
        }
        return None;
    }
    let rest = symbol.strip_prefix('b').filter(|_| update_biases)?;
    let (layer, index) = match rest.split_once('_') {
        Some((l, j)) => (number(l)? - 1, number(j)? - 1),
        None => (number(rest)? - 1, 0),
    };
    let shared = matches!(net.biases.get(layer)?, Bias::Shared(_));
    let fits = if shared {
        !rest.contains('_')
    } else {
        rest.contains('_') && index < net.layers[layer + 1]
    };
    fits.then_some(Param::Bias { layer, index })
}

/// A value the iteration could not compute in f64.
#[derive(Debug, thiserror::Error)]
#[error("the iteration produced a non-finite value: {symbol} = {value}")]
pub struct NonFinite {
    /// `E_total`, `dE_total/dw5`.
    pub symbol: String,
    /// NaN or an infinity.
    pub value: f64,
}

/// The gradients of one backward pass, by position, and nothing else.
struct Gradients {
    weights: Vec<Vec<f64>>,
    biases: Vec<Vec<f64>>,
    /// The first that is NaN or infinite.
    non_finite: Option<(Param, f64)>,
}

impl Recorder for Gradients {
    // It records (the gradients): the engine then runs its general code, the code that
    // records a trace, rather than a constant-size copy of it.
    const RECORDS: bool = true;

    fn record(&mut self, _: Stage, _: Option<usize>, _: f64, _: impl FnOnce(&mut Entry<'_>)) {}

    fn gradient(&mut self, param: Param, value: f64) {
        let slot = match param {
            Param::Weight { layer, index } => &mut self.weights[layer][index],
            Param::Bias { layer, index } => &mut self.biases[layer][index],
        };
        *slot = value;
        if !value.is_finite() && self.non_finite.is_none() {
            self.non_finite = Some((param, value));
        }
    }
}

/// The backward pass's gradients of `net` (with `options`' update order and biases), and
/// E_total, from one untraced iteration.
fn gradients(net: &Network, options: &Options) -> (f64, Gradients) {
    // A parameter the engine never reported a gradient for stays NaN, and fails.
    let mut rec = Gradients {
        weights: net
            .weights
            .iter()
            .map(|w| vec![f64::NAN; w.len()])
            .collect(),
        biases: net
            .biases
            .iter()
            .map(|b| vec![f64::NAN; b.values().len()])
            .collect(),
        non_finite: None,
    };
    // The iteration updates the weights it runs on: it gets a copy.
    let mut updated = net.clone();
    let mut ws = Workspace::new(net);
    // A batch network's first iteration is over its first batch: its gradients are the
    // batch's (the engine reports each sample's, then the batch's, which overwrite them).
    let e_total = if net.batch_size > 1 {
        let batch: Vec<usize> = (0..net.batch_size).collect();
        engine::batch_step(
            &mut updated,
            &batch,
            options.update_biases,
            &mut ws,
            &mut rec,
        )
    } else {
        engine::step(
            &mut updated,
            &net.input,
            &net.target,
            options.update_order,
            options.update_biases,
            &mut ws,
            &mut rec,
        )
    };
    (e_total, rec)
}

/// Checks the gradients of the first iteration of `net` with `options` (its update order;
/// the biases' too when they are trained) against central differences of E_total: every
/// one, or a sample, as `plan` says. `corruption` is the test-only hook (see the module
/// header); `progress` hears how many parameters are done after each one.
pub fn check(
    net: &Network,
    options: &Options,
    plan: Plan,
    corruption: Option<&Corruption>,
    progress: &mut dyn FnMut(usize),
) -> Result<GradCheck, NonFinite> {
    let (engine_e, backprop) = gradients(net, options);
    // Named after the iteration's buffers are freed: a network of ten million neurons has
    // ten million names.
    let names = Notation::new(net);
    if !engine_e.is_finite() {
        return Err(NonFinite {
            symbol: "E_total".into(),
            value: engine_e,
        });
    }
    if let Some((param, value)) = backprop.non_finite {
        return Err(NonFinite {
            symbol: format!("dE_total/d{}", symbol(&names, param)),
            value,
        });
    }
    let corrupted =
        corruption.and_then(|c| Some((find(net, options.update_biases, &c.symbol)?, c.factor)));

    let mut groups = sample::groups(net, options.update_biases);
    let (params, seed) = match plan {
        Plan::All => (sample::every(&mut groups), None),
        Plan::Sample { count, seed } => (sample::draw(&mut groups, count, seed), Some(seed)),
    };

    let mut forward = Batch::new(net);
    // The engine's E_total, which `show` prints (the check's own pass sums in another order).
    let e_total = engine_e;
    let floor = ABSOLUTE_FLOOR * e_total.abs().max(1.0);
    let mut parameters = Vec::with_capacity(params.len());
    for (done, param) in params.into_iter().enumerate() {
        let (value, mut gradient) = match param {
            Param::Weight { layer, index } => {
                (net.weights[layer][index], backprop.weights[layer][index])
            }
            Param::Bias { layer, index } => (
                net.biases[layer].values()[index],
                backprop.biases[layer][index],
            ),
        };
        if let Some((_, factor)) = corrupted.filter(|(p, _)| *p == param) {
            gradient *= factor;
        }
        parameters.push(compare(&mut forward, param, value, gradient, floor));
        progress(done + 1);
    }
    Ok(GradCheck {
        e_total,
        floor,
        order: options.update_order,
        groups,
        seed,
        parameters,
        names,
    })
}

/// The check's forward passes of the iteration's samples: one, or a batch's, whose changes of
/// E_total are reduced as the batch's loss is (their mean or their sum).
struct Batch<'a> {
    passes: Vec<Forward<'a>>,
    mean: bool,
}

impl<'a> Batch<'a> {
    fn new(net: &'a Network) -> Batch<'a> {
        if net.batch_size <= 1 {
            return Batch {
                passes: vec![Forward::new(net)],
                mean: false,
            };
        }
        Batch {
            passes: net.samples[..net.batch_size]
                .iter()
                .map(|s| Forward::of_sample(net, &s.input, &s.target))
                .collect(),
            mean: net.reduction == crate::network::Reduction::Mean,
        }
    }

    /// The change of the (batch's) E_total with `param` at `value`, and the first ReLU kink.
    fn change_with(&mut self, param: Param, value: f64) -> (f64, Option<(usize, usize)>) {
        let mut change = 0.0;
        let mut kink = None;
        for pass in &mut self.passes {
            let (c, k) = pass.change_with(param, value);
            change += c;
            kink = kink.or(k);
        }
        if self.mean {
            change /= self.passes.len() as f64;
        }
        (change, kink)
    }
}

/// The verdict on a gradient whose central difference crossed no kink: it agrees when its
/// relative error is below [`RELATIVE_THRESHOLD`], or when the difference is below the floor;
/// "below" is strict, as the check's report says ("Pass: relative error … below 1e-6").
fn judge(relative_error: f64, diff: f64, floor: f64) -> Verdict {
    if relative_error < RELATIVE_THRESHOLD {
        Verdict::Agrees
    } else if diff < floor {
        Verdict::BelowFloor
    } else {
        Verdict::Disagrees
    }
}

/// One parameter's gradient beside its central difference.
fn compare(forward: &mut Batch, param: Param, value: f64, backprop: f64, floor: f64) -> Parameter {
    let h = step(value);
    // E(w + h) − E(w − h), as the difference of the two changes from E(w).
    let (above, kink_above) = forward.change_with(param, value + h);
    let (below, kink_below) = forward.change_with(param, value - h);
    // (w + h) − (w − h) is not exactly 2h in floating point; divide by what it is.
    let numeric = (above - below) / ((value + h) - (value - h));
    let diff = (backprop - numeric).abs();
    let scale = backprop.abs().max(numeric.abs());
    let relative_error = if scale == 0.0 { 0.0 } else { diff / scale };
    let verdict = match kink_above.or(kink_below) {
        Some((layer, neuron)) => Verdict::Kink { layer, neuron },
        None => judge(relative_error, diff, floor),
    };
    Parameter {
        param,
        value,
        backprop,
        numeric,
        step: h,
        relative_error,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;

    /// The step scales with a parameter larger than 1 (so that w ± h change w in the same
    /// digits), and is ∛ε for every smaller one, whatever its sign.
    #[test]
    fn the_step_scales_with_a_parameter_above_one() {
        let h = f64::EPSILON.cbrt();
        assert_eq!(step(0.4), h);
        assert_eq!(step(-0.7), h);
        assert_eq!(step(0.0), h);
        assert_eq!(step(4.0), 4.0 * h);
        assert_eq!(step(-250.0), 250.0 * h);
    }

    /// Every gradient of `net` with `options`, checked.
    fn check_all(net: &Network, options: &Options, corruption: Option<&Corruption>) -> GradCheck {
        check(net, options, Plan::All, corruption, &mut |_| {}).unwrap()
    }

    fn symbols(result: &GradCheck, params: &[Param]) -> Vec<String> {
        params.iter().map(|&p| result.symbol(p)).collect()
    }

    #[test]
    fn the_article_passes_and_a_corrupted_gradient_fails() {
        let net = Network::article();
        let result = check_all(&net, &Options::default(), None);
        assert!(result.passed(), "{result:#?}");
        assert_eq!(result.parameters.len(), 8);
        assert!(result.parameters.iter().all(|p| p.relative_error < 1e-8));

        let corrupt = Corruption::parse("w5*1.001").unwrap();
        let corrupted = check_all(&net, &Options::default(), Some(&corrupt));
        assert_eq!(symbols(&corrupted, &corrupted.failures()), ["w5"]);
        // The hook multiplies w5's gradient by the factor and touches no other.
        for (clean, dirty) in result.parameters.iter().zip(&corrupted.parameters) {
            let expected = if corrupted.symbol(clean.param) == "w5" {
                clean.backprop * 1.001
            } else {
                clean.backprop
            };
            assert_eq!(
                dirty.backprop,
                expected,
                "{}",
                corrupted.symbol(clean.param)
            );
        }
    }

    /// The relative error is |backprop − numeric| / max(|backprop|, |numeric|): a gradient
    /// made 1.5 times too large is a third off.
    #[test]
    fn the_relative_error_is_the_difference_over_the_larger() {
        let corrupt = Corruption::parse("w5*1.5").unwrap();
        let result = check_all(&Network::article(), &Options::default(), Some(&corrupt));
        let w5 = &result.parameters[4];
        assert_eq!(result.symbol(w5.param), "w5");
        assert!((w5.relative_error - 1.0 / 3.0).abs() < 1e-8, "{w5:?}");
    }

    /// Both thresholds are strict: a relative error of exactly 1e-6 does not agree, nor does
    /// a difference of exactly the floor.
    #[test]
    fn the_thresholds_are_strict() {
        let floor = 1e-8;
        assert_eq!(judge(0.999e-6, 1.0, floor), Verdict::Agrees);
        assert_eq!(judge(1e-6, 1.0, floor), Verdict::Disagrees);
        assert_eq!(judge(1e-3, 0.999e-8, floor), Verdict::BelowFloor);
        assert_eq!(judge(1e-3, 1e-8, floor), Verdict::Disagrees);
        assert_eq!(judge(1e-6, 0.5e-8, floor), Verdict::BelowFloor);
    }

    /// The absolute floor is 1e-8 up to E_total = 1 and grows with E_total above it.
    #[test]
    fn the_floor_grows_with_an_error_above_one() {
        assert_eq!(
            check_all(&Network::article(), &Options::default(), None).floor,
            ABSOLUTE_FLOOR
        );
        let mut net = Network::article();
        net.target = vec![3.0, -2.0];
        let result = check_all(&net, &Options::default(), None);
        assert!(result.e_total > 4.0, "{}", result.e_total);
        assert_eq!(result.floor, ABSOLUTE_FLOOR * result.e_total);
    }

    /// The progress callback counts the parameters checked, one by one.
    #[test]
    fn progress_counts_every_parameter() {
        let mut counts = Vec::new();
        let plan = Plan::All;
        check(
            &Network::article(),
            &Options::default(),
            plan,
            None,
            &mut |n| counts.push(n),
        )
        .unwrap();
        assert_eq!(counts, (1..=8).collect::<Vec<_>>());
    }

    /// The gradients the check compares are, bit for bit, those a trace records.
    #[test]
    fn the_gradients_are_the_traced_ones() {
        let mut net = Network::article();
        net.layers = vec![2, 3, 2, 2];
        net.activations = vec![Activation::Tanh, Activation::Relu, Activation::Sigmoid];
        net.weights = vec![
            (0..6).map(|i| 0.1 * i as f64 - 0.2).collect(),
            (0..6).map(|i| 0.3 - 0.07 * i as f64).collect(),
            (0..4).map(|i| 0.05 * i as f64 + 0.1).collect(),
        ];
        net.biases = vec![
            Bias::PerNeuron(vec![0.1, -0.2, 0.3]),
            Bias::Shared(0.15),
            Bias::PerNeuron(vec![0.2, 0.25]),
        ];
        for update_order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
            let options = Options {
                update_order,
                update_biases: true,
                ..Options::default()
            };
            let trace = engine::trace_iteration(&net, &options);
            let result = check_all(&net, &options, None);
            assert_eq!(result.parameters.len(), 16 + 6);
            for p in &result.parameters {
                let recorded = trace
                    .first()
                    .get(&format!("dE_total/d{}", result.symbol(p.param)));
                assert_eq!(
                    Some(p.backprop.to_bits()),
                    recorded.map(|v| v.value.to_bits())
                );
            }
        }
    }

    #[test]
    fn the_sequential_orders_hidden_gradients_are_not_the_gradient() {
        let options = Options {
            update_order: UpdateOrder::Sequential,
            ..Options::default()
        };
        let result = check_all(&Network::article(), &options, None);
        assert_eq!(
            symbols(&result, &result.failures()),
            ["w1", "w2", "w3", "w4"]
        );
    }

    #[test]
    fn biases_are_checked_when_trained() {
        let options = Options {
            update_biases: true,
            ..Options::default()
        };
        let result = check_all(&Network::article(), &options, None);
        let params: Vec<Param> = result.parameters.iter().map(|p| p.param).collect();
        assert_eq!(symbols(&result, &params[8..]), ["b1", "b2"]);
        assert!(result.passed(), "{result:#?}");
    }

    #[test]
    fn a_relu_kink_gets_no_verdict() {
        let mut net = Network::article();
        net.activations[0] = Activation::Relu;
        // net_h1 = 0.15·0.05 + 0.2·0.1 + b1 = 0 exactly at b1 = −0.0275.
        net.biases[0] = Bias::Shared(-0.0275 + 1e-9);
        let result = check_all(&net, &Options::default(), None);
        assert_eq!(
            result.parameters[0].verdict,
            Verdict::Kink {
                layer: 1,
                neuron: 0
            }
        );
    }

    #[test]
    fn a_sample_is_stratified_and_repeats_with_its_seed() {
        let mut net = Network::article();
        net.layers = vec![30, 40, 2];
        net.weights = vec![vec![0.01; 1200], vec![0.02; 80]];
        net.biases = vec![Bias::PerNeuron(vec![0.1; 40]), Bias::Shared(0.2)];
        net.input = vec![0.5; 30];
        let options = Options {
            update_biases: true,
            ..Options::default()
        };
        let sample = |seed| {
            let plan = Plan::Sample { count: 20, seed };
            check(&net, &options, plan, None, &mut |_| {}).unwrap()
        };
        let a = sample(1);
        let checked: Vec<usize> = a.groups.iter().map(|g| g.checked).collect();
        // Four groups of 1200, 80, 40 and 1: five each; the four the shared bias cannot take
        // go to the others, one each, and the one left over to the middle one.
        assert_eq!(checked, [6, 7, 6, 1]);
        assert_eq!(a.parameters.len(), 20);
        assert_eq!(a.seed, Some(1));
        assert!(a.passed());
        let params = |r: &GradCheck| r.parameters.iter().map(|p| p.param).collect::<Vec<_>>();
        assert_eq!(params(&a), params(&sample(1)));
        assert_ne!(params(&a), params(&sample(2)));
    }

    #[test]
    fn plans() {
        let choose = |total, all, sample, seed| Plan::choose(total, all, sample, seed, 500);
        assert_eq!(choose(2000, false, None, 7), Plan::All);
        let sampled = Plan::Sample {
            count: 500,
            seed: 7,
        };
        assert_eq!(choose(2001, false, None, 7), sampled);
        assert_eq!(choose(2001, true, None, 7), Plan::All);
        assert_eq!(
            choose(100, false, Some(10), 3),
            Plan::Sample { count: 10, seed: 3 }
        );
        assert_eq!(choose(100, false, Some(100), 3), Plan::All);
        assert_eq!(
            Plan::choose(5000, false, None, 1, 30),
            Plan::Sample { count: 30, seed: 1 }
        );
    }

    /// A default sample is 500, but fewer where 500 central differences would cost more than
    /// the budget: a chain of single neurons ending in a layer of ten million, where every
    /// parameter but the last layer's moves every output.
    #[test]
    fn a_default_sample_fits_the_budget() {
        let mut net = Network::article();
        net.layers = vec![1000; 11];
        assert_eq!(default_sample(&net, true), DEFAULT_SAMPLE);
        net.layers = vec![1; 100];
        net.layers[99] = 9_999_902;
        net.biases = vec![Bias::Shared(0.0); 99];
        let groups = sample::groups(&net, true);
        let count = default_sample(&net, true);
        let shares = sample::allocate(&groups.iter().map(|g| g.size).collect::<Vec<_>>(), count);
        let cost: f64 = groups
            .iter()
            .zip(&shares)
            .map(|(g, &k)| k as f64 * sample::cost(&net, g))
            .sum();
        assert!(cost <= BUDGET, "{cost}");
        assert!((20..60).contains(&count), "{count}");
    }

    #[test]
    fn symbols_are_found() {
        let mut net = Network::article();
        net.biases[1] = Bias::PerNeuron(vec![0.6, 0.6]);
        let found = |s| find(&net, true, s);
        assert_eq!(found("w1"), Some(Param::Weight { layer: 0, index: 0 }));
        assert_eq!(found("w6"), Some(Param::Weight { layer: 1, index: 1 }));
        assert_eq!(found("b1"), Some(Param::Bias { layer: 0, index: 0 }));
        assert_eq!(found("b2_2"), Some(Param::Bias { layer: 1, index: 1 }));
        for missing in ["w0", "w9", "w05", "b1_1", "b2", "b2_3", "b3", "x", ""] {
            assert_eq!(found(missing), None, "{missing}");
        }
        assert_eq!(find(&net, false, "b1"), None);
    }

    #[test]
    fn a_non_finite_gradient_is_refused() {
        let mut net = Network::article();
        net.activations = vec![Activation::Linear; 2];
        net.weights[0][0] = 1e300;
        net.input = vec![1e10, 0.1];
        let err = check(&net, &Options::default(), Plan::All, None, &mut |_| {}).unwrap_err();
        assert_eq!(err.symbol, "E_total");
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
