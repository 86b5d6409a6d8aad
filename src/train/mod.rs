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
use crate::trace::{Options, Stage, TracedValue, UpdateOrder};
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
    /// The samples in turn: 1, 2, …, n, 1, 2, … (in batches: each epoch's samples in turn,
    /// cut into batches)
    #[default]
    Cyclic,
    /// A sample picked uniformly at random each iteration, as the article's XOR code does (in
    /// batches: each epoch's samples shuffled with the seed, cut into batches)
    Random,
}

impl SampleOrder {
    /// The name used on the command line and in a run's summary.
    pub fn name(self) -> &'static str {
        match self {
            SampleOrder::Cyclic => "cyclic",
            SampleOrder::Random => "random",
        }
    }
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
    /// In batches: the epoch that iteration belongs to, from 1 (none before training).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch: Option<usize>,
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
    /// E_total and the outputs at the checkpoints reached (after 0 finite when
    /// [`non_finite_start`] found nothing): at most about [`MAX_CHECKPOINTS`]
    /// (see [`Schedule::thinned`]), and the last iteration completed.
    pub checkpoints: Vec<Checkpoint>,
    /// How many checkpoints the run's schedule has up to the last iteration completed: more
    /// than `checkpoints` holds when they were too many to keep.
    pub checkpoints_planned: u128,
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

/// At most this many checkpoints are kept, for the table and the JSON summary: a table of a
/// million rows is read by no one, and every iteration is in `--format ndjson`.
pub const MAX_CHECKPOINTS: usize = 1000;

/// The iterations after which the run measures E_total and the outputs: 0 (the initial
/// weights), then 1, 10, 100, … (or every `every`-th), `extra` (the article's claims), and the
/// last. Computed as the run goes, never listed: `--every 1` over 10¹² iterations has 10¹²
/// of them, and steps near 2⁶⁴ must stop at the last iteration rather than wrap past it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    iterations: usize,
    /// The regular checkpoints' step; `None`: the powers of ten.
    every: Option<usize>,
    /// The other checkpoints, sorted, each at most `iterations`.
    extra: Vec<usize>,
}

impl Schedule {
    /// The schedule of a run of `iterations`; `every` 0 counts as none.
    pub fn new(iterations: usize, every: Option<usize>, extra: &[usize]) -> Schedule {
        let mut extra: Vec<usize> = extra.iter().copied().filter(|&i| i <= iterations).collect();
        extra.sort_unstable();
        extra.dedup();
        Schedule {
            iterations,
            every: every.filter(|&k| k > 0),
            extra,
        }
    }

    /// The first checkpoint after iteration `k`, if there is one.
    pub fn after(&self, k: usize) -> Option<usize> {
        let regular = match self.every {
            Some(step) => (k / step).checked_add(1).and_then(|i| i.checked_mul(step)),
            None => std::iter::successors(Some(1usize), |&p| p.checked_mul(10)).find(|&p| p > k),
        };
        let extra = self
            .extra
            .get(self.extra.partition_point(|&e| e <= k))
            .copied();
        let last = (self.iterations > k).then_some(self.iterations);
        [regular, extra, last]
            .into_iter()
            .flatten()
            .filter(|&i| i <= self.iterations)
            .min()
    }

    /// Every checkpoint in order, from 0.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(0), |&k| self.after(k))
    }

    /// Whether the run measures after iteration `k`.
    pub fn contains(&self, k: usize) -> bool {
        k == 0 || k.checked_sub(1).and_then(|before| self.after(before)) == Some(k)
    }

    /// Whether `k` is one of the regular checkpoints (1, 10, 100, … or a multiple of `every`).
    fn is_regular(&self, k: usize) -> bool {
        match self.every {
            Some(step) => k > 0 && k.is_multiple_of(step),
            None => std::iter::successors(Some(1usize), |&p| p.checked_mul(10)).any(|p| p == k),
        }
    }

    /// How many checkpoints there are up to and including iteration `through` (counted, not
    /// listed; up to 2⁶⁴ of them, hence the width).
    pub fn count_through(&self, through: usize) -> u128 {
        let through = through.min(self.iterations);
        let regular = match self.every {
            Some(step) => through / step,
            None => std::iter::successors(Some(1usize), |&p| p.checked_mul(10))
                .take_while(|&p| p <= through)
                .count(),
        };
        let mut others: Vec<usize> = self.extra.clone();
        others.push(self.iterations);
        others.sort_unstable();
        others.dedup();
        let others = others
            .into_iter()
            .filter(|&i| i > 0 && i <= through && !self.is_regular(i))
            .count();
        1 + regular as u128 + others as u128
    }

    /// This schedule with at most about `max` checkpoints: when the regular ones are more than
    /// fit beside 0, the extra ones and the last, only every s-th of them is kept, with s a
    /// round 1, 2 or 5 × 10ⁿ (so that `--every 1` over 10,000 iterations keeps every 20th).
    /// The powers of ten are never more than 20.
    pub fn thinned(&self, max: usize) -> Schedule {
        let Some(step) = self.every else {
            return self.clone();
        };
        let regular = self.iterations / step;
        let room = max.saturating_sub(2 + self.extra.len()).max(1);
        if regular <= room {
            return self.clone();
        }
        let needed = regular.div_ceil(room);
        let keep = std::iter::successors(Some(1usize), |&p| p.checked_mul(10))
            .flat_map(|p| [p, p.saturating_mul(2), p.saturating_mul(5)])
            .find(|&s| s >= needed)
            .unwrap_or(needed);
        Schedule {
            // Beyond the last iteration when it saturates: then no regular checkpoint is
            // kept, which is what a step that large means.
            every: Some(step.saturating_mul(keep)),
            ..self.clone()
        }
    }
}

/// The sample each iteration trains on: in turn, or drawn from the run's seed. `verify`
/// draws the same sequence to check a stream's samples.
pub struct Picker {
    n: usize,
    order: SampleOrder,
    rng: Option<Random>,
    next: usize,
    /// In batches: this epoch's order of the samples, and how far it is taken.
    epoch: Vec<usize>,
    at: usize,
}

impl Picker {
    /// The picker of a run over `n` samples. A random order needs a seed.
    pub fn new(n: usize, order: SampleOrder, seed: Option<u64>) -> Picker {
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
            epoch: Vec::new(),
            at: 0,
        }
    }

    /// The next iteration's sample.
    #[inline]
    pub fn pick(&mut self) -> usize {
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

impl Picker {
    /// The next iteration's batch of (at most) `b` samples, into `batch`: the samples are
    /// taken in epochs, every sample once per epoch, in turn (the cyclic order) or shuffled
    /// with the run's seed at the start of each epoch (the random order); an epoch is cut
    /// into batches of `b`, the last one smaller when `b` does not divide the samples.
    pub fn pick_batch(&mut self, b: usize, batch: &mut Vec<usize>) {
        if self.epoch.is_empty() || self.at == self.epoch.len() {
            self.epoch = (0..self.n).collect();
            if let Some(rng) = self.rng.as_mut() {
                // Fisher–Yates, from the seed's stream.
                for i in (1..self.n).rev() {
                    let j = rng.below(i + 1);
                    self.epoch.swap(i, j);
                }
            }
            self.at = 0;
        }
        let end = (self.at + b).min(self.epoch.len());
        batch.clear();
        batch.extend_from_slice(&self.epoch[self.at..end]);
        self.at = end;
    }
}

/// The epoch iteration `k` (from 1) belongs to, when `net` trains in batches: every sample
/// once per epoch, in batches of `batch_size` (see [`Picker::pick_batch`]).
pub fn epoch_of(net: &Network, k: usize) -> Option<usize> {
    let per_epoch = net.samples.len().max(1).div_ceil(net.batch_size);
    (net.batch_size > 1 && k > 0).then(|| (k - 1) / per_epoch + 1)
}

/// The next iteration's samples: a sample's index, or (`None`, in batches) the next batch,
/// into `batch`.
fn pick_next(net: &Network, picker: &mut Picker, batch: &mut Vec<usize>) -> Option<usize> {
    if net.batch_size > 1 {
        picker.pick_batch(net.batch_size, batch);
        None
    } else {
        Some(picker.pick())
    }
}

/// One untraced iteration on what [`pick_next`] picked; E_total before the update.
#[inline(always)]
fn train_picked(
    net: &mut Network,
    set: &[Sample],
    picked: Option<usize>,
    batch: &[usize],
    options: &RunOptions,
    ws: &mut Workspace,
) -> f64 {
    match picked {
        Some(s) => train_on(net, &set[s], options, ws),
        None => engine::batch_step(net, batch, options.update_biases, ws, &mut NoRecorder),
    }
}

/// One recorded iteration on what [`pick_next`] picked; `sample` is the sample's index as
/// its given values name it (none for a network of one input and target).
#[allow(clippy::too_many_arguments)]
fn trace_picked<'r>(
    net: &mut Network,
    set: &[Sample],
    picked: Option<usize>,
    batch: &[usize],
    sample: Option<usize>,
    options: &Options,
    ws: &mut Workspace,
    rec: &'r mut TraceRecorder,
) -> &'r [TracedValue] {
    match picked {
        Some(s) => engine::trace_step(net, &set[s].input, &set[s].target, sample, options, ws, rec),
        None => engine::trace_batch_step(net, batch, options, ws, rec),
    }
}

/// One untraced iteration of `net` on the next sample the picker gives, or on the next batch
/// when the network trains on batches (`batch` is its buffer); E_total before the update.
#[inline(always)]
fn train_next(
    net: &mut Network,
    set: &[Sample],
    picker: &mut Picker,
    batch: &mut Vec<usize>,
    options: &RunOptions,
    ws: &mut Workspace,
) -> f64 {
    let picked = pick_next(net, picker, batch);
    train_picked(net, set, picked, batch, options, ws)
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

/// A network whose initial weights already give a NaN or an infinity, before any update:
/// there is nothing to train, and no learning rate to blame (`show` refuses it too).
#[derive(Clone, Debug, PartialEq)]
pub struct NonFiniteStart {
    /// The sample it happens on, for a network with `samples`.
    pub sample: Option<usize>,
    /// The first value that is not finite, in the order computed.
    pub value: TracedValue,
}

impl std::fmt::Display for NonFiniteStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = &self.value;
        write!(f, "the initial weights give a non-finite value")?;
        if let Some(s) = self.sample {
            write!(f, " on samples[{s}]")?;
        }
        write!(
            f,
            ": {} = {} (formula {} = {}); the weights, biases or inputs are too large for f64",
            v.symbol,
            number::compact(v.value, 9),
            v.formula,
            v.substituted
        )
    }
}

/// `None` when E_total over the set, with the initial weights, is finite; else the first
/// forward-pass or error value that is not (or the sum, when only that overflows).
pub fn non_finite_start(initial: &Network, options: &RunOptions) -> Option<NonFiniteStart> {
    let set = initial.training_set();
    let mut ws = Workspace::new(initial);
    let e_total = total_error(initial, &set, &mut ws);
    if e_total.is_finite() {
        return None;
    }
    let trace_options = Options {
        update_order: options.update_order,
        update_biases: options.update_biases,
        precision: 9,
    };
    let mut recorder = TraceRecorder::new(initial, 9);
    for (index, sample) in set.iter().enumerate() {
        let sample_index = (!initial.samples.is_empty()).then_some(index);
        let values = engine::trace_step(
            &mut initial.clone(),
            &sample.input,
            &sample.target,
            sample_index,
            &trace_options,
            &mut ws,
            &mut recorder,
        );
        let before_update =
            |v: &&TracedValue| matches!(v.stage, Stage::Given | Stage::Forward | Stage::Error);
        if let Some(bad) = values
            .iter()
            .filter(before_update)
            .find(|v| !v.value.is_finite())
        {
            return Some(NonFiniteStart {
                sample: sample_index,
                value: bad.clone(),
            });
        }
    }
    // Every sample's error is finite; their sum is not.
    Some(NonFiniteStart {
        sample: None,
        value: TracedValue {
            symbol: "E_total".to_string(),
            role: Some(crate::trace::Role::Loss { updated: false }),
            expr: None,
            stage: Stage::Error,
            layer: None,
            formula: "the sum of E_total over the samples".to_string(),
            substituted: String::new(),
            value: e_total,
            from: Vec::new(),
            drawn: None,
            sample: None,
        },
    })
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
    let planned = Schedule::new(n, options.every, extra_checkpoints);
    let schedule = planned.thinned(MAX_CHECKPOINTS);
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
    let mut batch = Vec::with_capacity(net.batch_size);
    let mut recorder = TraceRecorder::new(&net, trace_options.precision);
    let mut checkpoints = Vec::new();
    let mut curve = Vec::new();
    let mut next_checkpoint = schedule.after(0);
    let mut next_curve_point = curve_step;
    let mut diverged: Option<usize> = None;
    let mut completed = 0;

    let (e0, out0) = measure(&net, &set, one, &mut ws);
    checkpoints.push(Checkpoint {
        iteration: 0,
        epoch: None,
        e_total: e0,
        outputs: out0,
    });
    curve.push(CurvePoint {
        iteration: 0,
        e_total: e0,
    });

    let mut k = 0;
    while k < n {
        if let Export::None = export {
            // The iterations before the next one that measures, reports progress or ends
            // the run only train: a loop with nothing else in it.
            let next_event = [
                next_checkpoint.unwrap_or(n),
                next_curve_point,
                (k / PROGRESS_EVERY + 1).saturating_mul(PROGRESS_EVERY),
                n,
            ]
            .into_iter()
            .min()
            .unwrap_or(n);
            while k + 1 < next_event {
                let e = train_next(&mut net, &set, &mut picker, &mut batch, options, &mut ws);
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
        // One sample, or a batch (whose values name their samples themselves).
        let picked = pick_next(&net, &mut picker, &mut batch);
        let sample_index = picked.filter(|_| !one);
        match &mut export {
            Export::Full(out, _) => {
                let values = trace_picked(
                    &mut net,
                    &set,
                    picked,
                    &batch,
                    sample_index,
                    &trace_options,
                    &mut ws,
                    &mut recorder,
                );
                if values.iter().any(|v| !v.value.is_finite()) {
                    diverged = Some(k);
                    break;
                }
                export::write_traced_line(out, k, epoch_of(&net, k), sample_index, values)?;
            }
            _ => {
                let e = train_picked(&mut net, &set, picked, &batch, options, &mut ws);
                // The error every iteration; the weights only where the run measures (a
                // non-finite weight stays non-finite, and the replay finds where it began).
                let measuring = matches!(export, Export::Summary(_))
                    || k == next_curve_point
                    || next_checkpoint == Some(k);
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
                    let epoch = epoch_of(&net, k);
                    export::write_summary_line(
                        out,
                        k,
                        epoch,
                        sample_index,
                        e_total,
                        &outputs,
                        &net,
                    )?;
                }
            }
        }
        if next_checkpoint == Some(k) {
            next_checkpoint = schedule.after(k);
            let (e_total, outputs) = measure(&net, &set, one, &mut ws);
            if !e_total.is_finite() {
                diverged = Some(k);
                break;
            }
            checkpoints.push(Checkpoint {
                iteration: k,
                epoch: epoch_of(&net, k),
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
            next_curve_point = next_curve_point.saturating_add(curve_step);
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
                epoch: epoch_of(&net, completed),
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
    // The stop after a divergence adds a checkpoint of its own.
    let unplanned = checkpoints
        .last()
        .is_some_and(|cp| !planned.contains(cp.iteration));
    let checkpoints_planned = planned.count_through(completed) + u128::from(unplanned);
    Ok(Run {
        initial: initial.clone(),
        last: net,
        options: options.clone(),
        checkpoints,
        checkpoints_planned,
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
    let mut batch = Vec::new();
    let mut first_bad = detected;
    for k in 1..=detected {
        let e = train_next(&mut net, set, &mut picker, &mut batch, options, &mut ws);
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
    let mut batch = Vec::new();
    for _ in 1..k {
        train_next(&mut net, set, &mut picker, &mut batch, options, &mut ws);
    }
    let before = net.clone();
    let trace_options = Options {
        update_order: options.update_order,
        update_biases: options.update_biases,
        precision: 9,
    };
    let mut rec = TraceRecorder::new(&net, 9);
    let picked = pick_next(&net, &mut picker, &mut batch);
    let sample = picked.filter(|_| !initial.samples.is_empty());
    let values = trace_picked(
        &mut net,
        set,
        picked,
        &batch,
        sample,
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

    fn schedule(iterations: usize, every: Option<usize>, extra: &[usize]) -> Vec<usize> {
        Schedule::new(iterations, every, extra).iter().collect()
    }

    #[test]
    fn default_schedule_is_powers_of_ten_and_the_last() {
        assert_eq!(
            schedule(10_000, None, &[]),
            vec![0, 1, 10, 100, 1000, 10_000]
        );
        assert_eq!(schedule(250, None, &[]), vec![0, 1, 10, 100, 250]);
        assert_eq!(schedule(0, None, &[]), vec![0]);
    }

    #[test]
    fn every_gives_a_fixed_step_and_keeps_extra_points() {
        assert_eq!(schedule(10, Some(4), &[1, 99]), vec![0, 1, 4, 8, 10]);
    }

    /// The schedule as a list, written the plain way: what the lazy one must equal.
    fn listed(iterations: usize, every: Option<usize>, extra: &[usize]) -> Vec<usize> {
        let mut at = vec![0];
        match every {
            Some(k) if k > 0 => at.extend((1..=iterations / k).map(|i| i * k)),
            _ => at.extend([1, 10, 100, 1000].into_iter().filter(|&p| p <= iterations)),
        }
        at.extend(extra.iter().copied().filter(|&i| i <= iterations));
        at.push(iterations);
        at.sort_unstable();
        at.dedup();
        at
    }

    #[test]
    fn the_lazy_schedule_is_the_listed_one() {
        for n in 0..=120 {
            for every in [
                None,
                Some(0),
                Some(1),
                Some(2),
                Some(3),
                Some(7),
                Some(50),
                Some(200),
            ] {
                for extra in [&[][..], &[0, 1, 10_000], &[5, 5, 3, 119, 500]] {
                    let lazy = Schedule::new(n, every, extra);
                    let list = listed(n, every, extra);
                    assert_eq!(
                        lazy.iter().collect::<Vec<_>>(),
                        list,
                        "{n} {every:?} {extra:?}"
                    );
                    for k in 0..=n + 1 {
                        assert_eq!(lazy.contains(k), list.contains(&k), "{n} {every:?} {k}");
                        let upto = list.iter().filter(|&&i| i <= k).count();
                        assert_eq!(lazy.count_through(k), upto as u128, "{n} {every:?} {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn schedules_at_the_edge_of_usize_neither_overflow_nor_wrap() {
        const MAX: usize = usize::MAX;
        const HALF: usize = 1 << (usize::BITS - 1);
        assert_eq!(schedule(MAX, Some(HALF), &[]), vec![0, HALF, MAX]);
        assert_eq!(schedule(MAX, Some(MAX), &[]), vec![0, MAX]);
        assert_eq!(
            schedule(MAX, Some(HALF + 1), &[7]),
            vec![0, 7, HALF + 1, MAX]
        );
        assert_eq!(schedule(MAX - 1, Some(HALF), &[]), vec![0, HALF, MAX - 1]);
        let powers = schedule(MAX, None, &[]);
        assert_eq!(powers.len(), 22);
        assert_eq!(powers[20..], [10usize.pow(19), MAX]);
        // --every 1 to the end: the last steps, and the count of 2⁶⁴ checkpoints.
        let every_one = Schedule::new(MAX, Some(1), &[]);
        assert_eq!(every_one.after(MAX - 2), Some(MAX - 1));
        assert_eq!(every_one.after(MAX - 1), Some(MAX));
        assert_eq!(every_one.after(MAX), None);
        assert_eq!(every_one.count_through(MAX), 1u128 << 64);
        assert!(every_one.contains(MAX) && every_one.contains(MAX - 1));
        assert_eq!(Schedule::new(MAX, Some(HALF), &[]).count_through(MAX), 3);
    }

    #[test]
    fn too_many_checkpoints_are_thinned_to_a_round_step() {
        // --every 1 over 10^12 iterations (and over 2⁶⁴ − 1): about a thousand, every s-th
        // for a round s, with 0, the extra ones and the last.
        for (n, extra) in [
            (1_000_000_000_000, vec![0, 1, 10_000]),
            (usize::MAX, vec![3]),
        ] {
            let full = Schedule::new(n, Some(1), &extra);
            let kept: Vec<usize> = full.thinned(MAX_CHECKPOINTS).iter().collect();
            assert!(kept.len() <= MAX_CHECKPOINTS, "{}", kept.len());
            assert!(kept.len() >= MAX_CHECKPOINTS / 5, "{}", kept.len());
            assert_eq!(kept.last(), Some(&n));
            assert!(extra.iter().all(|e| kept.contains(e)));
            assert!(kept.iter().all(|&k| full.contains(k)));
        }
        let kept: Vec<usize> = Schedule::new(10_000, Some(1), &[0, 1, 10_000])
            .thinned(MAX_CHECKPOINTS)
            .iter()
            .collect();
        assert_eq!(kept[..4], [0, 1, 20, 40]);
        assert_eq!(kept.len(), 502);
        // What fits is left alone.
        let fits = Schedule::new(10_000, Some(20), &[1]);
        assert_eq!(fits.thinned(MAX_CHECKPOINTS), fits);
        let powers = Schedule::new(usize::MAX, None, &[]);
        assert_eq!(powers.thinned(5), powers);
    }

    #[test]
    fn a_thinned_run_keeps_its_checkpoints_and_counts_the_planned_ones() {
        let mut options = RunOptions {
            iterations: 10_000,
            update_order: UpdateOrder::Simultaneous,
            update_biases: false,
            sample_order: SampleOrder::Cyclic,
            every: Some(1),
            seed: None,
        };
        let net = prepare(&Network::article(), &mut options);
        let run = super::run(&net, &options, &[1], Export::None, &mut |_| {}).unwrap();
        assert_eq!(run.checkpoints.len(), 502);
        assert_eq!(run.checkpoints_planned, 10_001);
        assert_eq!(run.checkpoints[2].iteration, 20);
        options.every = Some(20);
        let run = super::run(&net, &options, &[1], Export::None, &mut |_| {}).unwrap();
        assert_eq!(run.checkpoints.len() as u128, run.checkpoints_planned);
    }

    fn network(json: &str) -> Network {
        Network::from_json_str(json).unwrap().0
    }

    #[test]
    fn a_non_finite_first_pass_is_named_before_the_run() {
        let options = RunOptions {
            iterations: 10,
            update_order: UpdateOrder::Simultaneous,
            update_biases: false,
            sample_order: SampleOrder::Cyclic,
            every: None,
            seed: None,
        };
        assert_eq!(non_finite_start(&Network::article(), &options), None);
        // Only the third sample overflows, in the hidden layer: 1e300 · 1e10.
        let set = network(
            r#"{"layers": [1, 1, 1], "activation": "relu", "weights": [[1e300], [1e-300]],
                "biases": [0, 0], "samples": [{"input": [0], "target": [0]},
                {"input": [1e-300], "target": [0]}, {"input": [1e10], "target": [0]}]}"#,
        );
        let bad = non_finite_start(&set, &options).unwrap();
        assert_eq!(
            bad.to_string(),
            "the initial weights give a non-finite value on samples[2]: net_h1 = inf \
             (formula w1 * i1 + b1 * 1 = 1e300 * 10000000000 + 0 * 1); the weights, biases or \
             inputs are too large for f64"
        );
        // Each sample's error is finite, their sum is not: the sum is named.
        let sum = network(
            r#"{"layers": [1, 1], "activation": "linear", "weights": [[1.2e154]], "biases": [0],
                "samples": [{"input": [1], "target": [0]}, {"input": [1], "target": [0]},
                {"input": [1], "target": [0]}]}"#,
        );
        let bad = non_finite_start(&sum, &options).unwrap();
        assert_eq!((bad.sample, bad.value.symbol.as_str()), (None, "E_total"));
        assert_eq!(bad.value.value, f64::INFINITY);
    }
}
