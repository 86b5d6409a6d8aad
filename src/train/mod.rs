//! Training runs: many iterations of the engine, on one sample or a set of them, with the
//! checkpoints a student reads (E_total and the outputs after iterations 1, 10, 100, …), the
//! loss curve, each iteration exported as it goes if asked, and a stop with a report when a
//! value goes non-finite. The loop runs the engine with recording off unless every iteration
//! is exported in full, so a million iterations take a fraction of a second.
//!
//! "E_total after iteration k" is always the error with the weights iteration k produced
//! (after 0: the initial weights), summed over every sample of the set. It is not the E_total
//! the engine computes inside iteration k, which is the error before that iteration's update.

pub mod claims;
pub mod export;
pub mod plot;

use crate::engine::{self, NoRecorder, TraceRecorder, Workspace};
use crate::network::{Network, Sample};
use crate::number;
use crate::random::{self, Random, Stream};
use crate::trace::{Options, TracedValue, UpdateOrder};
use serde::{Deserialize, Serialize};
use std::io;

/// The article's number of iterations.
pub const DEFAULT_ITERATIONS: usize = 10_000;

/// How many points the loss curve keeps (besides the checkpoints), however long the run.
pub const CURVE_POINTS: usize = 500;

/// How often, in iterations, the progress callback is called.
pub const PROGRESS_EVERY: usize = 4096;

/// Which sample each iteration trains on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SampleOrder {
    /// The samples in turn: 1, 2, …, n, 1, 2, …
    #[default]
    Cyclic,
    /// A sample picked uniformly at random each iteration, as the article's XOR code does.
    Random,
}

/// What a run does: recorded with its results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// How many iterations.
    pub iterations: usize,
    /// When the weights are updated within an iteration.
    pub update_order: UpdateOrder,
    /// Whether the biases are trained.
    pub update_biases: bool,
    /// Which sample each iteration trains on.
    pub sample_order: SampleOrder,
    /// A checkpoint every this many iterations; `null`: at 1, 10, 100, … and the last.
    pub every: Option<usize>,
    /// The seed of every random draw of the run (initial values left out of the file, the
    /// sample order); `null` when the run drew nothing.
    pub seed: Option<u64>,
}

/// The outputs of the network, for its one sample or for each sample of its set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Outputs {
    /// The network has one `input`/`target`: its outputs, as the article prints them.
    One(Vec<f64>),
    /// The network has `samples`: one list of outputs per sample, in the file's order.
    PerSample(Vec<Vec<f64>>),
}

impl Outputs {
    /// The output lists, one per sample.
    pub fn lists(&self) -> Vec<&[f64]> {
        match self {
            Outputs::One(o) => vec![o],
            Outputs::PerSample(all) => all.iter().map(Vec::as_slice).collect(),
        }
    }
}

/// The state of the network after an iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// After which iteration (0: before training).
    pub iteration: usize,
    /// E_total with the weights this iteration produced, summed over the samples.
    #[serde(rename = "E_total")]
    pub e_total: f64,
    /// The outputs with those weights.
    pub outputs: Outputs,
}

/// One point of the loss curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// After which iteration.
    pub iteration: usize,
    /// E_total after it.
    pub e_total: f64,
}

/// Where a run stopped because a value became NaN or infinite.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Divergence {
    /// The iteration that produced it (the weights before it were all finite).
    pub iteration: usize,
    /// The first value of that iteration, in the order computed, that is not finite.
    pub symbol: String,
    /// Its value, as text (`NaN`, `inf`, `-inf`): JSON has no numbers for them.
    pub value: String,
    /// Its formula.
    pub formula: String,
    /// Its formula with the numbers substituted.
    pub substituted: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the run diverged in iteration {}: {} = {} (formula {} = {})",
            self.iteration, self.symbol, self.value, self.formula, self.substituted
        )
    }
}

/// A finished (or stopped) run.
#[derive(Clone, Debug)]
pub struct Run {
    /// The network before the first iteration, with its seed.
    pub initial: Network,
    /// The network after the last finite iteration.
    pub last: Network,
    /// What the run did.
    pub options: RunOptions,
    /// E_total and the outputs at the checkpoints reached.
    pub checkpoints: Vec<Checkpoint>,
    /// E_total at up to [`CURVE_POINTS`] evenly spaced iterations, and every checkpoint.
    pub curve: Vec<CurvePoint>,
    /// The iterations completed with finite values.
    pub completed: usize,
    /// Why the run stopped early, if it did.
    pub diverged: Option<Divergence>,
}

/// What is exported for each iteration, as the run goes (see [`export`]).
pub enum Export<'a> {
    /// Nothing.
    None,
    /// One JSON line per iteration: E_total after it, the outputs, the weights and biases.
    Summary(&'a mut dyn io::Write),
    /// One JSON line per iteration: every value, as in the trace format, at `precision`.
    Full(&'a mut dyn io::Write, usize),
}

/// The iterations the checkpoint table shows: 0 (the initial weights), then 1, 10, 100, …
/// (or every `every`-th), `extra` (the article's claims), and the last.
pub fn checkpoint_schedule(iterations: usize, every: Option<usize>, extra: &[usize]) -> Vec<usize> {
    let mut at = vec![0];
    match every {
        Some(k) if k > 0 => at.extend((1..).map(|i| i * k).take_while(|&i| i <= iterations)),
        _ => at.extend(
            std::iter::successors(Some(1usize), |&i| i.checked_mul(10))
                .take_while(|&i| i <= iterations),
        ),
    }
    at.extend(extra.iter().copied().filter(|&i| i <= iterations));
    at.push(iterations);
    at.sort_unstable();
    at.dedup();
    at
}

/// The sample each iteration trains on.
struct Picker {
    n: usize,
    order: SampleOrder,
    rng: Option<Random>,
    next: usize,
}

impl Picker {
    fn new(n: usize, order: SampleOrder, seed: Option<u64>) -> Picker {
        let rng = match order {
            SampleOrder::Random => Some(Random::new(
                seed.expect("a random order has a seed"),
                Stream::SampleOrder,
            )),
            SampleOrder::Cyclic => None,
        };
        Picker {
            n,
            order,
            rng,
            next: 0,
        }
    }

    #[inline]
    fn pick(&mut self) -> usize {
        match (self.order, &mut self.rng) {
            (SampleOrder::Random, Some(rng)) => rng.below(self.n),
            _ => {
                let s = self.next;
                self.next = if s + 1 == self.n { 0 } else { s + 1 };
                s
            }
        }
    }
}

/// E_total over the set and the outputs, with `net` as it is.
/// One untraced iteration of `net` on `sample`; E_total before the update.
#[inline(always)]
fn train_on(net: &mut Network, sample: &Sample, options: &RunOptions, ws: &mut Workspace) -> f64 {
    engine::step(
        net,
        &sample.input,
        &sample.target,
        options.update_order,
        options.update_biases,
        ws,
        &mut NoRecorder,
    )
}

fn measure(net: &Network, set: &[Sample], one: bool, ws: &mut Workspace) -> (f64, Outputs) {
    let mut total = 0.0;
    let mut outputs = Vec::with_capacity(set.len());
    for s in set {
        total += engine::total_error(net, &s.input, &s.target, ws);
        outputs.push(ws.outputs().to_vec());
    }
    let outputs = if one {
        Outputs::One(outputs.pop().expect("one sample"))
    } else {
        Outputs::PerSample(outputs)
    };
    (total, outputs)
}

/// E_total over the set, with `net` as it is.
fn total_error(net: &Network, set: &[Sample], ws: &mut Workspace) -> f64 {
    set.iter()
        .map(|s| engine::total_error(net, &s.input, &s.target, ws))
        .sum()
}

/// Whether every weight (and, if trained, every bias) is finite: a sum of each value times
/// zero is NaN exactly when one of them is not finite, and has no branch per value.
#[inline]
fn all_finite(net: &Network, biases: bool) -> bool {
    let zero_if_finite = |values: &[f64]| values.iter().fold(0.0, |acc, &v| acc + v * 0.0);
    let mut check = net.weights.iter().map(|w| zero_if_finite(w)).sum::<f64>();
    if biases {
        check += net
            .biases
            .iter()
            .map(|b| zero_if_finite(b.values()))
            .sum::<f64>();
    }
    check == 0.0
}

/// Prepares `network` for a run: the options' bias setting, and a seed when the sample order
/// is random and the network has none. Returns the network as the run starts from it.
pub fn prepare(network: &Network, options: &mut RunOptions) -> Network {
    let mut net = network.clone();
    net.update_biases = options.update_biases || net.update_biases;
    options.update_biases = net.update_biases;
    if options.sample_order == SampleOrder::Random && net.seed.is_none() {
        net.seed = Some(random::fresh_seed());
    }
    options.seed = net.seed;
    net
}

/// Runs `options.iterations` iterations from `initial` (see [`prepare`]), exporting each as
/// `export` asks and calling `progress` with the number done every [`PROGRESS_EVERY`]
/// iterations. Stops at the first iteration that produces a non-finite value; what was
/// exported before it stays complete. Errors are the export's write errors.
pub fn run(
    initial: &Network,
    options: &RunOptions,
    extra_checkpoints: &[usize],
    mut export: Export<'_>,
    progress: &mut dyn FnMut(usize),
) -> io::Result<Run> {
    let n = options.iterations;
    let set = initial.training_set();
    let one = initial.samples.is_empty();
    let schedule = checkpoint_schedule(n, options.every, extra_checkpoints);
    let curve_step = (n / CURVE_POINTS).max(1);
    let trace_options = Options {
        update_order: options.update_order,
        update_biases: options.update_biases,
        precision: match export {
            Export::Full(_, p) => p,
            _ => 9,
        },
    };

    let mut net = initial.clone();
    let mut ws = Workspace::new(&net);
    let mut picker = Picker::new(set.len(), options.sample_order, options.seed);
    let mut recorder = TraceRecorder::new(&net, trace_options.precision);
    let mut checkpoints = Vec::new();
    let mut curve = Vec::new();
    let mut next_checkpoint = 0;
    let mut next_curve_point = curve_step;
    let mut diverged: Option<usize> = None;
    let mut completed = 0;

    let (e0, out0) = measure(&net, &set, one, &mut ws);
    checkpoints.push(Checkpoint {
        iteration: 0,
        e_total: e0,
        outputs: out0,
    });
    curve.push(CurvePoint {
        iteration: 0,
        e_total: e0,
    });
    if schedule.first() == Some(&0) {
        next_checkpoint = 1;
    }

    let mut k = 0;
    while k < n {
        if let Export::None = export {
            // The iterations before the next one that measures, reports progress or ends
            // the run only train: a loop with nothing else in it.
            let next_event = [
                schedule.get(next_checkpoint).copied().unwrap_or(n),
                next_curve_point,
                (k / PROGRESS_EVERY + 1) * PROGRESS_EVERY,
                n,
            ]
            .into_iter()
            .min()
            .unwrap_or(n);
            while k + 1 < next_event {
                let sample = &set[picker.pick()];
                let e = train_on(&mut net, sample, options, &mut ws);
                if !e.is_finite() {
                    diverged = Some(k + 1);
                    break;
                }
                k += 1;
                completed = k;
            }
            if diverged.is_some() {
                break;
            }
        }
        k += 1;
        let s = picker.pick();
        let sample = &set[s];
        let sample_index = (!one).then_some(s);
        match &mut export {
            Export::Full(out, _) => {
                let values = engine::trace_step(
                    &mut net,
                    &sample.input,
                    &sample.target,
                    sample_index,
                    &trace_options,
                    &mut ws,
                    &mut recorder,
                );
                if values.iter().any(|v| !v.value.is_finite()) {
                    diverged = Some(k);
                    break;
                }
                export::write_traced_line(out, k, sample_index, values)?;
            }
            _ => {
                let e = train_on(&mut net, sample, options, &mut ws);
                // The error every iteration; the weights only where the run measures (a
                // non-finite weight stays non-finite, and the replay finds where it began).
                let measuring = matches!(export, Export::Summary(_))
                    || k == next_curve_point
                    || schedule.get(next_checkpoint) == Some(&k);
                if !e.is_finite() || (measuring && !all_finite(&net, options.update_biases)) {
                    diverged = Some(k);
                    break;
                }
                if let Export::Summary(out) = &mut export {
                    let (e_total, outputs) = measure(&net, &set, one, &mut ws);
                    if !e_total.is_finite() {
                        diverged = Some(k);
                        break;
                    }
                    export::write_summary_line(out, k, sample_index, e_total, &outputs, &net)?;
                }
            }
        }
        let is_checkpoint = schedule.get(next_checkpoint) == Some(&k);
        if is_checkpoint {
            next_checkpoint += 1;
            let (e_total, outputs) = measure(&net, &set, one, &mut ws);
            if !e_total.is_finite() {
                diverged = Some(k);
                break;
            }
            checkpoints.push(Checkpoint {
                iteration: k,
                e_total,
                outputs,
            });
            curve.push(CurvePoint {
                iteration: k,
                e_total,
            });
        } else if k == next_curve_point {
            let e_total = total_error(&net, &set, &mut ws);
            if !e_total.is_finite() {
                diverged = Some(k);
                break;
            }
            curve.push(CurvePoint {
                iteration: k,
                e_total,
            });
        }
        completed = k;
        if k == next_curve_point {
            next_curve_point += curve_step;
        }
        if k % PROGRESS_EVERY == 0 {
            progress(k);
        }
    }
    progress(completed);
    let diverged = diverged.map(|k| {
        // The network now holds the non-finite values. Find the iteration they came from,
        // with the network before it (replaying the run: it is deterministic, so the replay
        // is exact), and keep only what came before it.
        let (divergence, before) = locate_divergence(initial, options, &set, k);
        net = before;
        completed = divergence.iteration - 1;
        checkpoints.retain(|cp| cp.iteration <= completed);
        curve.retain(|p| p.iteration <= completed);
        if checkpoints
            .last()
            .is_some_and(|cp| cp.iteration < completed)
        {
            let (e_total, outputs) = measure(&net, &set, one, &mut ws);
            checkpoints.push(Checkpoint {
                iteration: completed,
                e_total,
                outputs,
            });
            curve.push(CurvePoint {
                iteration: completed,
                e_total,
            });
        }
        divergence
    });
    Ok(Run {
        initial: initial.clone(),
        last: net,
        options: options.clone(),
        checkpoints,
        curve,
        completed,
        diverged,
    })
}

fn divergence(iteration: usize, bad: &TracedValue) -> Divergence {
    Divergence {
        iteration,
        symbol: bad.symbol.clone(),
        value: number::compact(bad.value, 9),
        formula: bad.formula.clone(),
        substituted: bad.substituted.clone(),
    }
}

/// The run noticed non-finite values at iteration `detected` (the untraced path checks the
/// weights only where it measures). Replays the run, checking every iteration's error, its
/// weights and the error over the set after it, to find the first iteration that went
/// non-finite; records it to name the value. Returns the value and the network before it.
fn locate_divergence(
    initial: &Network,
    options: &RunOptions,
    set: &[Sample],
    detected: usize,
) -> (Divergence, Network) {
    let mut net = initial.clone();
    let mut ws = Workspace::new(&net);
    let mut picker = Picker::new(set.len(), options.sample_order, options.seed);
    let mut first_bad = detected;
    for k in 1..=detected {
        let s = &set[picker.pick()];
        let e = train_on(&mut net, s, options, &mut ws);
        if !e.is_finite()
            || !all_finite(&net, options.update_biases)
            || !total_error(&net, set, &mut ws).is_finite()
        {
            first_bad = k;
            break;
        }
    }
    check_iteration(initial, options, set, first_bad).unwrap_or_else(|| {
        // Not reproduced: cannot happen with a deterministic engine, but say so rather than
        // panic.
        (
            Divergence {
                iteration: first_bad,
                symbol: "E_total".to_string(),
                value: "not finite".to_string(),
                formula: String::new(),
                substituted: String::new(),
            },
            initial.clone(),
        )
    })
}

/// Runs again from `initial` to iteration `k - 1` untraced and records iteration `k`,
/// including its pass with the updated weights, and E_total over the set after it. Returns
/// the first non-finite value and the network before iteration `k`, or `None` if all are
/// finite.
fn check_iteration(
    initial: &Network,
    options: &RunOptions,
    set: &[Sample],
    k: usize,
) -> Option<(Divergence, Network)> {
    let mut net = initial.clone();
    let mut ws = Workspace::new(&net);
    let mut picker = Picker::new(set.len(), options.sample_order, options.seed);
    for _ in 1..k {
        let s = &set[picker.pick()];
        train_on(&mut net, s, options, &mut ws);
    }
    let before = net.clone();
    let index = picker.pick();
    let s = &set[index];
    let trace_options = Options {
        update_order: options.update_order,
        update_biases: options.update_biases,
        precision: 9,
    };
    let mut rec = TraceRecorder::new(&net, 9);
    let values = engine::trace_step(
        &mut net,
        &s.input,
        &s.target,
        (!initial.samples.is_empty()).then_some(index),
        &trace_options,
        &mut ws,
        &mut rec,
    );
    if let Some(bad) = values.iter().find(|v| !v.value.is_finite()) {
        return Some((divergence(k, bad), before));
    }
    let e_total = total_error(&net, set, &mut ws);
    (!e_total.is_finite()).then(|| {
        (
            Divergence {
                iteration: k,
                symbol: "E_total".to_string(),
                value: number::compact(e_total, 9),
                formula: "E_total after the iteration, summed over the samples".to_string(),
                substituted: String::new(),
            },
            before,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::article::{ErratumKind, Verdict};
    use crate::engine;
    use crate::trace;

    fn article_run(order: UpdateOrder, iterations: usize) -> (Run, Vec<claims::Judged>) {
        let mut options = RunOptions {
            iterations,
            update_order: order,
            update_biases: false,
            sample_order: SampleOrder::Cyclic,
            every: None,
            seed: None,
        };
        let net = prepare(&Network::article(), &mut options);
        let claims = claims::claims(&net, false);
        let extra: Vec<usize> = claims.iter().map(|c| c.after).collect();
        let run = super::run(&net, &options, &extra, Export::None, &mut |_| {}).unwrap();
        let judged = claims::judge(&claims, &run.checkpoints, order);
        (run, judged)
    }

    #[test]
    fn sequential_order_agrees_with_every_training_claim() {
        let (run, judged) = article_run(UpdateOrder::Sequential, 10_000);
        assert_eq!(judged.len(), 5);
        for j in &judged {
            assert_eq!(
                j.verdict,
                Verdict::Agrees,
                "{} after {}",
                j.claim.label(),
                j.claim.after
            );
        }
        assert_eq!(run.completed, 10_000);
    }

    #[test]
    fn simultaneous_order_differs_from_the_code_figures_for_a_stated_reason() {
        let (_, judged) = article_run(UpdateOrder::Simultaneous, 10_000);
        let verdicts: Vec<(usize, bool)> = judged
            .iter()
            .map(|j| {
                let other_order = match j.verdict {
                    Verdict::Explained(e) => e.kind == ErratumKind::Code,
                    Verdict::OtherOrder(order) => order == UpdateOrder::Sequential,
                    _ => false,
                };
                (j.claim.after, other_order)
            })
            .collect();
        assert_eq!(
            verdicts,
            vec![
                (0, false),
                (1, true),
                (10_000, true),
                (10_000, true),
                (10_000, true)
            ]
        );
        assert_eq!(judged[0].verdict, Verdict::Agrees);
    }

    #[test]
    fn e_total_after_an_iteration_is_the_traces_e_total_plus() {
        for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
            let (run, _) = article_run(order, 1);
            let options = trace::Options {
                update_order: order,
                ..trace::Options::default()
            };
            let traced = engine::trace_iteration(&Network::article(), &options);
            let plus = traced.first().get("E_total+").unwrap().value;
            assert_eq!(run.checkpoints[1].e_total, plus);
            let before = traced.first().get("E_total").unwrap().value;
            assert_eq!(run.checkpoints[0].e_total, before);
        }
    }

    #[test]
    fn the_curve_stays_small_however_long_the_run() {
        let (run, _) = article_run(UpdateOrder::Simultaneous, 100_000);
        assert!(run.curve.len() <= CURVE_POINTS + 8, "{}", run.curve.len());
        assert!(
            run.curve
                .windows(2)
                .all(|w| w[0].iteration < w[1].iteration)
        );
        assert_eq!(run.curve.last().unwrap().iteration, 100_000);
    }

    #[test]
    fn default_schedule_is_powers_of_ten_and_the_last() {
        assert_eq!(
            checkpoint_schedule(10_000, None, &[]),
            vec![0, 1, 10, 100, 1000, 10_000]
        );
        assert_eq!(
            checkpoint_schedule(250, None, &[]),
            vec![0, 1, 10, 100, 250]
        );
        assert_eq!(checkpoint_schedule(0, None, &[]), vec![0]);
    }

    #[test]
    fn every_gives_a_fixed_step_and_keeps_extra_points() {
        assert_eq!(
            checkpoint_schedule(10, Some(4), &[1, 99]),
            vec![0, 1, 4, 8, 10]
        );
    }
}
