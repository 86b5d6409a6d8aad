//! Verifying a whole trace: the one this program writes, one edited by hand, or one written
//! by another program. Every value is recomputed from its formula with the recorded values
//! of its operands (so a tampered value is caught at that value, not at everything after
//! it); every given value is read against the network file the trace carries; every
//! substituted formula is read against its formula, number by number.

use crate::formula::{self, Expected, Mismatch};
use crate::network::{Bias, Network};
use crate::number::{agrees_at_printed_precision, within_half_unit};
use crate::render::lang::{Lang, fill};
use crate::trace::{Iteration, Role, Stage, Trace, TracedValue, UpdateOrder};
use std::collections::HashMap;

/// A recomputed value agrees with the recorded one when they differ by at most this, relative
/// to the larger: the engine and the formula do the same operations in the same order, so
/// only a different but equivalent expression (a sigmoid computed as e^x/(1 + e^x)) makes
/// them differ, by a few units in the 16th digit.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;
/// Below this, two values agree whatever their ratio (both are zero to the precision of the
/// subtraction that made them).
pub const ABSOLUTE_TOLERANCE: f64 = 1e-15;

/// What is wrong with one recorded value.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The formula, with the recorded values of its operands, gives another value.
    Recomputed {
        /// What the formula gives.
        recomputed: f64,
    },
    /// A given value differs from the field of the trace's network it names.
    Given {
        /// The network file's value, or `None` when the field does not exist in it.
        in_network: Option<f64>,
    },
    /// A number in the substituted formula is not the value of the operand it stands for.
    SubstitutedNumber {
        /// The operand's symbol.
        operand: String,
        /// The number as written.
        printed: String,
        /// The operand's recorded value.
        recorded: f64,
    },
    /// The substituted formula does not follow the formula.
    SubstitutedShape(Mismatch),
    /// The formula cannot be read.
    Formula(String),
    /// The formula tree (`expr`) is another formula than the recorded one: a program that
    /// reads the tree (the documents, the web page) would show and compute something else.
    TreeDiffers {
        /// The formula the tree is.
        tree: String,
    },
    /// An operand is not recorded before the value that uses it.
    UnknownOperand(String),
    /// The value is NaN or infinite (written as `null` in JSON).
    NotFinite,
    /// A weight or bias (or η) that does not start where the iteration before ended: its
    /// updated value there (`w5+`), or its value there when it was not updated.
    ChainBreak {
        /// The value of the iteration before it should equal, by its symbol.
        from: String,
        /// That value.
        expected: f64,
        /// That value at the trace's precision, as the tables show it.
        shown: String,
    },
    /// The hidden layer's chain reads a weight in the other update order than the trace says
    /// it was written in: the updated w5⁺ in a simultaneous trace, or the original w5 in a
    /// sequential one.
    OrderMismatch {
        /// The trace's update order.
        order: UpdateOrder,
        /// The weight the chain reads, by its symbol.
        reads: String,
    },
    /// A training stream's iteration trained on another sample than the run's sample order
    /// (and seed) picks there.
    SampleOrder {
        /// The sample the order picks.
        expected: usize,
        /// The sample the line names, if it names one.
        found: Option<usize>,
    },
    /// The iteration's number does not follow the one before.
    IterationNumber {
        /// The number of the iteration before.
        previous: usize,
        /// This iteration's.
        found: usize,
    },
}

impl Problem {
    /// The value the checked one should be, where the problem says.
    pub fn expected(&self) -> Option<f64> {
        match *self {
            Problem::Recomputed { recomputed } => Some(recomputed),
            Problem::Given { in_network } => in_network,
            Problem::ChainBreak { expected, .. } => Some(expected),
            Problem::IterationNumber { previous, .. } => Some((previous + 1) as f64),
            Problem::SampleOrder { expected, .. } => Some(expected as f64),
            _ => None,
        }
    }

    /// What the problem is, in a sentence in `lang`, for a value recorded as `recorded`, each
    /// symbol it names written by `name`.
    pub fn describe(&self, recorded: f64, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
        let m = lang.mistakes();
        match self {
            Problem::Recomputed { recomputed } => fill(
                m.recomputed,
                &[
                    ("recorded", &full(recorded)),
                    ("recomputed", &full(*recomputed)),
                ],
            ),
            Problem::Given {
                in_network: Some(v),
            } => fill(
                m.given_differs,
                &[("recorded", &full(recorded)), ("network", &full(*v))],
            ),
            Problem::Given { in_network: None } => m.given_missing.to_string(),
            Problem::SubstitutedNumber {
                operand,
                printed,
                recorded,
            } => fill(
                m.substituted_number,
                &[
                    ("printed", printed),
                    ("operand", operand),
                    ("recorded", &full(*recorded)),
                ],
            ),
            Problem::SubstitutedShape(mismatch) => {
                let expected = match &mismatch.expected {
                    Expected::Text(text) => fill(m.expected_text, &[("text", text)]),
                    Expected::NumberFor(symbol) => {
                        fill(m.expected_number_for, &[("symbol", symbol)])
                    }
                    Expected::End => m.expected_end.to_string(),
                    Expected::Symbols => m.expected_symbols.to_string(),
                };
                fill(
                    m.substituted_shape,
                    &[("at", &mismatch.at.to_string()), ("expected", &expected)],
                )
            }
            // The parser's own message stays in English, as every error message does.
            Problem::Formula(e) => fill(m.formula_unreadable, &[("error", e)]),
            Problem::UnknownOperand(s) => fill(m.unknown_operand, &[("symbol", s)]),
            Problem::TreeDiffers { tree } => fill(m.tree_differs, &[("tree", tree)]),
            Problem::NotFinite => m.not_finite.to_string(),
            Problem::ChainBreak {
                from,
                expected,
                shown,
            } => fill(
                m.chain_break,
                &[
                    ("recorded", &full(recorded)),
                    ("symbol", &name(from)),
                    ("expected", shown),
                    ("full", &full(*expected)),
                ],
            ),
            Problem::OrderMismatch { order, reads } => fill(
                match order {
                    UpdateOrder::Simultaneous => m.order_reads_updated,
                    UpdateOrder::Sequential => m.order_reads_original,
                },
                &[("weight", &name(reads))],
            ),
            Problem::SampleOrder { expected, found } => fill(
                m.sample_order,
                &[
                    (
                        "found",
                        &found.map_or_else(|| "-".to_string(), |f| f.to_string()),
                    ),
                    ("expected", &expected.to_string()),
                ],
            ),
            Problem::IterationNumber { previous, found } => fill(
                m.iteration_number,
                &[
                    ("found", &found.to_string()),
                    ("previous", &previous.to_string()),
                    ("expected", &(previous + 1).to_string()),
                ],
            ),
        }
    }
}

fn full(x: f64) -> String {
    format!("{x}")
}

/// One value that does not check out.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The iteration, counted from 1.
    pub iteration: usize,
    /// The position of the value in the iteration's `values`, from 0.
    pub index: usize,
    /// The value as recorded.
    pub value: TracedValue,
    /// What is wrong with it.
    pub problem: Problem,
    /// The earlier wrong value(s) it follows from: it was computed (or its numbers
    /// written) from their recorded values, and agrees with their corrected ones.
    pub because_of: Option<String>,
}

/// The result of checking a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceReport {
    /// How many values were checked.
    pub checked: usize,
    /// Every problem found, in the order of the trace.
    pub findings: Vec<Finding>,
}

impl TraceReport {
    /// The findings that are mistakes of their own (not inherited from an earlier one).
    pub fn primary(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.because_of.is_none())
    }
}

/// Checks every value of every iteration of `trace`. Given values are read against the
/// trace's network in the first iteration; each later iteration must start where the one
/// before ended (see [`Checker`]).
///
/// A value found wrong is carried on with its recomputed value: the values computed from it
/// (whose recorded values were computed from the original) are then reported as following
/// from it ([`Finding::because_of`]), not as mistakes of their own.
pub fn check(trace: &Trace) -> TraceReport {
    let mut checker = Checker::new(Some(&trace.network), trace.options.precision)
        .in_order(trace.options.update_order);
    for iteration in &trace.iterations {
        checker.iteration(iteration);
    }
    checker.finish()
}

/// Checks the iterations of a run one at a time, as they are read (a trace's, or the lines
/// of a `train --format ndjson` stream), keeping only what the next one needs: the values
/// its weights, biases and η must start from. Its memory does not grow with the number of
/// iterations (the findings aside).
pub struct Checker<'n> {
    /// The network file the first iteration's given values are read against, if known.
    network: Option<&'n Network>,
    precision: usize,
    /// The update order the trace says it was written in, if it says.
    order: Option<UpdateOrder>,
    /// Where the iteration before ended: for each parameter's given value (and η), by its
    /// role (or, without one, its symbol), the value the next iteration starts from and the
    /// symbol of the value it comes from (`w5+`, or `b1` when not updated).
    ended: Option<HashMap<Start, End>>,
    previous_number: Option<usize>,
    report: TraceReport,
}

/// Where a weight, a bias or η ended an iteration.
struct End {
    /// Its value, as recorded.
    value: f64,
    /// The symbol of the value it comes from (`w5+`, or `b1` when not updated).
    from: String,
    /// What it should have been, when it was found wrong or computed from a wrong value.
    right: Option<f64>,
}

impl End {
    /// Where `v` ends its iteration, with its corrected value if it has one.
    fn at(v: &TracedValue, corrected: &HashMap<&str, f64>) -> End {
        End {
            value: v.value,
            from: v.symbol.clone(),
            right: corrected.get(v.symbol.as_str()).copied(),
        }
    }
}

/// What a given value that carries over from one iteration to the next is known by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Start {
    Role(Role),
    Symbol(String),
}

impl Start {
    /// The carried-over value `v` is (a weight, a bias, η), if it is one.
    fn given(v: &TracedValue) -> Option<Start> {
        match v.role {
            Some(
                role @ (Role::Weight { .. }
                | Role::Bias { .. }
                | Role::LearningRate
                // The optimizer's state, which the iteration before left.
                | Role::Step { updated: false }
                | Role::Velocity { updated: false, .. }
                | Role::FirstMoment { updated: false, .. }
                | Role::SecondMoment { updated: false, .. }),
            ) => Some(Start::Role(role)),
            Some(_) => None,
            // A hand-edited value without a role: known by its symbol, unless it is an
            // input or a target, which a run may change from one sample to the next.
            None if v.stage == Stage::Given
                && !v.formula.starts_with("input")
                && !v.formula.starts_with("target") =>
            {
                Some(Start::Symbol(v.symbol.clone()))
            }
            None => None,
        }
    }

    /// The given value `v` is the update of, if it is an updated weight or bias.
    fn updated(v: &TracedValue) -> Option<Start> {
        match v.role {
            Some(Role::Updated { of }) => Some(Start::Role(of.given())),
            Some(Role::Step { updated: true }) => Some(Start::Role(Role::Step { updated: false })),
            Some(Role::Velocity { of, updated: true }) => {
                Some(Start::Role(Role::Velocity { of, updated: false }))
            }
            Some(Role::FirstMoment { of, updated: true }) => {
                Some(Start::Role(Role::FirstMoment { of, updated: false }))
            }
            Some(Role::SecondMoment { of, updated: true }) => {
                Some(Start::Role(Role::SecondMoment { of, updated: false }))
            }
            Some(_) => None,
            None => v
                .symbol
                .strip_suffix('+')
                // w5+ of the backward pass; the summary's out_o1+ is no parameter's update.
                .filter(|_| matches!(v.stage, Stage::OutputLayer | Stage::HiddenLayer))
                .map(|given| Start::Symbol(given.to_string())),
        }
    }
}

impl<'n> Checker<'n> {
    /// A checker of iterations written at `precision`, whose first iteration's given values
    /// come from `network` (not checked when it is `None`).
    pub fn new(network: Option<&'n Network>, precision: usize) -> Checker<'n> {
        Checker {
            network,
            precision,
            order: None,
            ended: None,
            previous_number: None,
            report: TraceReport {
                checked: 0,
                findings: Vec::new(),
            },
        }
    }

    /// A checker that also reads each step of the hidden layer's chain against `order`.
    pub fn in_order(mut self, order: UpdateOrder) -> Checker<'n> {
        self.order = Some(order);
        self
    }

    /// Checks one iteration, the next of the run.
    pub fn iteration(&mut self, iteration: &Iteration) {
        let precision = self.precision;
        let mut recorded: HashMap<&str, f64> = HashMap::new();
        let mut corrected: HashMap<&str, f64> = HashMap::new();
        let mut ended: HashMap<Start, End> = HashMap::new();
        let mut roles: HashMap<&str, Role> = HashMap::new();
        if let Some(previous) = self.previous_number
            && iteration.iteration != previous + 1
        {
            self.report.findings.push(Finding {
                iteration: iteration.iteration,
                index: 0,
                // Not a value: the iteration's own number, under the field's name.
                value: TracedValue {
                    symbol: "iteration".to_string(),
                    role: None,
                    stage: Stage::Given,
                    layer: None,
                    formula: "iteration".to_string(),
                    expr: None,
                    substituted: iteration.iteration.to_string(),
                    value: iteration.iteration as f64,
                    from: Vec::new(),
                    drawn: None,
                    sample: None,
                },
                problem: Problem::IterationNumber {
                    previous,
                    found: iteration.iteration,
                },
                because_of: None,
            });
        }
        for (index, v) in iteration.values.iter().enumerate() {
            self.report.checked += 1;
            let findings = &mut self.report.findings;
            let mut found = |problem, because_of| {
                findings.push(Finding {
                    iteration: iteration.iteration,
                    index,
                    value: v.clone(),
                    problem,
                    because_of,
                })
            };
            if !v.value.is_finite() {
                found(Problem::NotFinite, None);
                // What it should be, so that the values computed from it are reported as
                // following from it.
                if v.stage != Stage::Given
                    && let Some(right) = check_value(v, &recorded, &corrected, precision).corrected
                {
                    corrected.insert(v.symbol.as_str(), right);
                }
            } else if v.stage == Stage::Given {
                let start = Start::given(v);
                match (&self.ended, &start) {
                    // The first iteration starts from the network file.
                    (None, _) => {
                        if let Some(network) = self.network {
                            let in_network = network_field(network, &v.formula);
                            if in_network != Some(v.value) {
                                found(Problem::Given { in_network }, None);
                                if let Some(right) = in_network {
                                    corrected.insert(v.symbol.as_str(), right);
                                }
                            }
                        }
                    }
                    // A later one from where the one before ended, bit for bit.
                    (Some(before), Some(start)) => {
                        if let Some(end) = before.get(start) {
                            let chain = |expected: f64| Problem::ChainBreak {
                                from: end.from.clone(),
                                expected,
                                shown: crate::number::fixed(expected, precision),
                            };
                            if end.value.to_bits() != v.value.to_bits() {
                                found(chain(end.value), None);
                                corrected.insert(v.symbol.as_str(), end.right.unwrap_or(end.value));
                            } else if let Some(right) = end.right
                                && right.to_bits() != v.value.to_bits()
                            {
                                // It starts where the iteration before ended, but that end
                                // followed from an earlier mistake: so does this iteration.
                                found(chain(right), Some(end.from.clone()));
                                corrected.insert(v.symbol.as_str(), right);
                            }
                        }
                    }
                    // An input or a target: whatever the sample, the network's field.
                    (Some(_), None) => {
                        if let Some(network) = self.network
                            && let Some(in_network) = network_field(network, &v.formula)
                            && in_network.to_bits() != v.value.to_bits()
                        {
                            found(
                                Problem::Given {
                                    in_network: Some(in_network),
                                },
                                None,
                            );
                            corrected.insert(v.symbol.as_str(), in_network);
                        }
                    }
                }
                if let Some(start) = start {
                    ended.insert(start, End::at(v, &corrected));
                }
                if !agrees_at(v.value, &v.substituted, precision) {
                    found(
                        Problem::SubstitutedNumber {
                            operand: v.symbol.clone(),
                            printed: v.substituted.clone(),
                            recorded: v.value,
                        },
                        None,
                    );
                }
            } else {
                if let (Some(order), Some(Role::DNetDOut { .. })) = (self.order, v.role)
                    && let Some(reads) = v.from.first()
                    && let Some(read) = roles.get(reads.as_str())
                {
                    let updated = matches!(read, Role::Updated { .. });
                    if updated != (order == UpdateOrder::Sequential) {
                        found(
                            Problem::OrderMismatch {
                                order,
                                reads: reads.clone(),
                            },
                            None,
                        );
                    }
                }
                let checked = check_value(v, &recorded, &corrected, precision);
                if let Some(right) = checked.corrected {
                    corrected.insert(v.symbol.as_str(), right);
                }
                for (problem, because_of) in checked.problems {
                    found(problem, because_of);
                }
                // An updated weight or bias is where the next iteration starts.
                if let Some(start) = Start::updated(v) {
                    ended.insert(start, End::at(v, &corrected));
                }
            }
            recorded.insert(v.symbol.as_str(), v.value);
            if let Some(role) = v.role {
                roles.insert(v.symbol.as_str(), role);
            }
        }
        self.ended = Some(ended);
        self.previous_number = Some(iteration.iteration);
    }

    /// Notes that `iteration` trained on sample `found` where the run's order picks
    /// `expected` (the stream's reader knows the order; the checker does not).
    pub fn wrong_sample(&mut self, iteration: usize, expected: usize, found: Option<usize>) {
        self.report.findings.push(Finding {
            iteration,
            index: 0,
            // Not a value: the line's `sample` field, under its name.
            value: TracedValue {
                symbol: "sample".to_string(),
                role: None,
                stage: Stage::Given,
                layer: None,
                formula: "sample".to_string(),
                expr: None,
                substituted: found.map_or_else(String::new, |f| f.to_string()),
                value: found.map_or(f64::NAN, |f| f as f64),
                from: Vec::new(),
                drawn: None,
                sample: None,
            },
            problem: Problem::SampleOrder { expected, found },
            because_of: None,
        });
    }

    /// The findings so far, in the order found (those of the iteration just checked last).
    pub fn findings(&self) -> &[Finding] {
        &self.report.findings
    }

    /// The report on every iteration checked.
    pub fn finish(self) -> TraceReport {
        self.report
    }
}

/// What checking one computed value found.
struct Checked {
    /// Each problem, with the earlier wrong operand it follows from, if it does.
    problems: Vec<(Problem, Option<String>)>,
    /// The value it should have, when it differs from the recorded one.
    corrected: Option<f64>,
}

/// The problems of one computed value, given the values recorded before it and the
/// corrected values of those found wrong.
fn check_value(
    v: &TracedValue,
    recorded: &HashMap<&str, f64>,
    corrected: &HashMap<&str, f64>,
    precision: usize,
) -> Checked {
    let mut problems = Vec::new();
    let mut operands = Vec::with_capacity(v.from.len());
    for symbol in &v.from {
        match recorded.get(symbol.as_str()) {
            Some(&x) => operands.push(x),
            None => {
                problems.push((Problem::UnknownOperand(symbol.clone()), None));
                return Checked {
                    problems,
                    corrected: None,
                };
            }
        }
    }
    let right: Vec<f64> = v
        .from
        .iter()
        .zip(&operands)
        .map(|(s, &x)| corrected.get(s.as_str()).copied().unwrap_or(x))
        .collect();
    // The operands found wrong earlier, which this value may have inherited its error from.
    let wrong_operands = || -> Option<String> {
        let names: Vec<&str> = v
            .from
            .iter()
            .filter(|s| corrected.contains_key(s.as_str()))
            .map(String::as_str)
            .collect();
        let mut unique = names.clone();
        unique.dedup();
        (!unique.is_empty()).then(|| unique.join(", "))
    };
    let mut right_value = None;
    // The tree and the formula string are two writings of one formula.
    if v.expr.is_some() {
        let tree = v.formula_with(|s| s.to_string());
        if tree != v.formula {
            problems.push((Problem::TreeDiffers { tree }, None));
        }
    }
    match formula::parse_formula(v) {
        Err(e) => problems.push((Problem::Formula(e.to_string()), None)),
        Ok(expr) => {
            let recomputed = expr.eval(&|n| operands[n]);
            let from_right = expr.eval(&|n| right[n]);
            if !agree(v.value, from_right) {
                right_value = Some(from_right);
            }
            if !agree(v.value, recomputed) {
                // Recorded from the original value of a wrong operand: not a mistake here.
                let because_of = agree(v.value, from_right).then(wrong_operands).flatten();
                problems.push((Problem::Recomputed { recomputed }, because_of));
            }
        }
    }
    match formula::read_substituted(v) {
        Err(m) => problems.push((Problem::SubstitutedShape(m), None)),
        Ok(numbers) => {
            for number in numbers {
                let (x, good) = (operands[number.operand], right[number.operand]);
                if !agrees_at(x, number.printed, precision) {
                    let because_of = agrees_at(good, number.printed, precision)
                        .then(|| v.from[number.operand].clone());
                    problems.push((
                        Problem::SubstitutedNumber {
                            operand: v.from[number.operand].clone(),
                            printed: number.printed.to_string(),
                            recorded: x,
                        },
                        because_of,
                    ));
                }
            }
        }
    }
    Checked {
        problems,
        corrected: right_value,
    }
}

/// Whether a recorded and a recomputed value agree (see [`RELATIVE_TOLERANCE`]).
pub fn agree(a: f64, b: f64) -> bool {
    let diff = (a - b).abs();
    diff <= ABSOLUTE_TOLERANCE || diff <= RELATIVE_TOLERANCE * a.abs().max(b.abs())
}

/// Whether `printed` is `value` rounded: at the precision it shows, but no coarser than the
/// trace's `precision` (the engine drops trailing zeros, so 0.4 stands for 0.400000000).
fn agrees_at(value: f64, printed: &str, precision: usize) -> bool {
    if !agrees_at_printed_precision(value, printed) {
        return false;
    }
    if printed.contains(['e', 'E']) {
        return true;
    }
    let Ok(shown) = printed.parse::<f64>() else {
        return false;
    };
    within_half_unit(value, shown, 0.5 * 10f64.powi(-(precision.min(300) as i32)))
}

/// The value of a network-file field named as a given value's formula names it:
/// `input[0]`, `target[1]`, `weights[1][2]`, `biases[0]`, `biases[0][1]`, `learning_rate`.
pub fn network_field(net: &Network, field: &str) -> Option<f64> {
    // A sample of a training set: `samples[2].input[0]`, `samples[2].target[1]`.
    if let Some(rest) = field.strip_prefix("samples[") {
        let (k, rest) = rest.split_once("].")?;
        let sample = net.samples.get(k.parse::<usize>().ok()?)?;
        let (name, rest) = rest.split_once('[')?;
        let i: usize = rest.strip_suffix(']')?.parse().ok()?;
        return match name {
            "input" => sample.input.get(i).copied(),
            "target" => sample.target.get(i).copied(),
            _ => None,
        };
    }
    if let Some(rest) = field.strip_prefix("optimizer") {
        return optimizer_field(net, rest);
    }
    let (name, rest) = field.split_once('[').unwrap_or((field, ""));
    let indices: Vec<usize> = if rest.is_empty() {
        Vec::new()
    } else {
        format!("[{rest}")
            .split(['[', ']'])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().ok())
            .collect::<Option<_>>()?
    };
    match (name, indices.as_slice()) {
        ("learning_rate", []) => Some(net.learning_rate),
        ("input", [k]) => net.input.get(*k).copied(),
        ("target", [j]) => net.target.get(*j).copied(),
        ("weights", [l, i]) => net.weights.get(*l)?.get(*i).copied(),
        ("biases", [l]) => match net.biases.get(*l)? {
            Bias::Shared(b) => Some(*b),
            Bias::PerNeuron(_) => None,
        },
        ("biases", [l, j]) => match net.biases.get(*l)? {
            Bias::PerNeuron(b) => b.get(*j).copied(),
            Bias::Shared(_) => None,
        },
        _ => None,
    }
}

/// An `optimizer.…` or `optimizer_state.…` field of `net` (`rest` follows "optimizer"):
/// a setting, the step count, or one parameter's state.
fn optimizer_field(net: &Network, rest: &str) -> Option<f64> {
    use crate::optimizer::Optimizer;
    if let Some(key) = rest.strip_prefix('.') {
        return match (net.optimizer, key) {
            (Optimizer::Momentum { beta, .. }, "beta") => Some(beta),
            (Optimizer::Adam { beta1, .. }, "beta1") => Some(beta1),
            (Optimizer::Adam { beta2, .. }, "beta2") => Some(beta2),
            (Optimizer::Adam { epsilon, .. }, "epsilon") => Some(epsilon),
            _ => None,
        };
    }
    let rest = rest.strip_prefix("_state.")?;
    let state = &net.optimizer_state;
    if rest == "step" {
        return matches!(net.optimizer, Optimizer::Adam { .. }).then_some(state.step as f64);
    }
    let (moment, rest) = rest.split_once('.')?;
    let (kind, rest) = rest.split_once('[')?;
    let (l, i) = rest.strip_suffix(']')?.split_once("][")?;
    let (l, i): (usize, usize) = (l.parse().ok()?, i.parse().ok()?);
    let adam = matches!(net.optimizer, Optimizer::Adam { .. });
    let lists = match (moment, kind, adam) {
        ("velocity", "weights", false) | ("m", "weights", true) => &state.first,
        ("velocity", "biases", false) | ("m", "biases", true) => &state.bias_first,
        ("v", "weights", true) => &state.second,
        ("v", "biases", true) => &state.bias_second,
        _ => return None,
    };
    lists.get(l)?.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Activation;
    use crate::trace::{Options, UpdateOrder};

    fn article_trace() -> Trace {
        engine::trace_iteration(&Network::article(), &Options::default())
    }

    #[test]
    fn the_engines_trace_checks_out_for_every_activation_and_option() {
        for act in Activation::ALL
            .into_iter()
            .filter(|&a| a != Activation::Softmax)
        {
            for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
                let mut net = Network::article();
                net.activations = vec![act, Activation::Sigmoid];
                net.biases[0] = Bias::PerNeuron(vec![0.35, -0.5]);
                let options = Options {
                    update_order: order,
                    update_biases: true,
                    precision: 9,
                };
                let report = check(&engine::trace_iteration(&net, &options));
                assert_eq!(report.findings, vec![], "{act} {order:?}");
                assert!(report.checked > 80);
            }
        }
    }

    /// Agreement is within a relative tolerance of the larger value, or an absolute one
    /// near zero: either is enough.
    #[test]
    fn values_agree_within_either_tolerance() {
        // 1e-4 apart: far above the absolute tolerance, within the relative one of 1e6.
        assert!(agree(1e6, 1e6 + 1e-4));
        // Near zero, only the absolute tolerance can hold.
        assert!(agree(0.0, 1e-16));
        assert!(!agree(1.0, 1.0 + 1e-8));
        assert!(!agree(0.0, 1e-14));
    }

    /// A value that is not finite is reported, and what it should have been carries on: the
    /// values computed from it are reported as following from it, not as new mistakes.
    #[test]
    fn what_follows_a_non_finite_value_is_traced_to_it() {
        let mut trace = article_trace();
        let values = &mut trace.iterations[0].values;
        let at = values.iter().position(|v| v.symbol == "delta_o1").unwrap();
        values[at].value = f64::NAN;
        let report = check(&trace);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.value.symbol == "delta_o1" && f.problem == Problem::NotFinite)
        );
        // The hidden layer's chain reads δ_o1.
        let share = report
            .findings
            .iter()
            .find(|f| f.value.symbol == "dE_o1/dout_h1")
            .expect("the share read the NaN");
        assert_eq!(share.because_of.as_deref(), Some("delta_o1"));
    }

    /// A number written in a substituted formula with fewer digits than the trace's
    /// precision is read at the trace's precision: 0.08 does not stand for 0.082167041.
    #[test]
    fn a_substituted_number_is_read_at_the_traces_precision() {
        let mut trace = article_trace();
        let values = &mut trace.iterations[0].values;
        let at = values.iter().position(|v| v.symbol == "w5+").unwrap();
        assert_eq!(values[at].substituted, "0.4 - 0.5 * 0.082167041");
        values[at].substituted = "0.4 - 0.5 * 0.08".to_string();
        let report = check(&trace);
        assert!(
            report.findings.iter().any(|f| f.value.symbol == "w5+"
                && matches!(&f.problem, Problem::SubstitutedNumber { printed, .. } if printed == "0.08")),
            "{:#?}",
            report.findings
        );
    }

    /// What each problem says the value should have been (the verdict's `expected`).
    #[test]
    fn each_problem_names_what_was_expected() {
        let cases = [
            (Problem::Recomputed { recomputed: 0.25 }, Some(0.25)),
            (
                Problem::Given {
                    in_network: Some(0.4),
                },
                Some(0.4),
            ),
            (Problem::Given { in_network: None }, None),
            (
                Problem::IterationNumber {
                    previous: 4,
                    found: 7,
                },
                Some(5.0),
            ),
            (
                Problem::SampleOrder {
                    expected: 2,
                    found: Some(3),
                },
                Some(2.0),
            ),
            (Problem::NotFinite, None),
        ];
        for (problem, expected) in cases {
            assert_eq!(problem.expected(), expected, "{problem:?}");
        }
    }

    /// A trace written without roles (a version-1 trace, or one from another program): its
    /// later iterations' weights are still read against where the one before ended, by
    /// symbol, and their inputs against the network file, whatever the sample.
    #[test]
    fn a_trace_without_roles_is_chained_by_symbol_and_its_inputs_read_against_the_network() {
        use crate::engine::{TraceRecorder, Workspace};
        let start = Network::article();
        let mut net = start.clone();
        let mut ws = Workspace::new(&net);
        let mut rec = TraceRecorder::new(&net, 9);
        let options = Options::default();
        let (input, target) = (net.input.clone(), net.target.clone());
        let mut iterations: Vec<Iteration> = (1..=2)
            .map(|n| {
                let mut values = engine::trace_step(
                    &mut net, &input, &target, None, &options, &mut ws, &mut rec,
                )
                .to_vec();
                for v in &mut values {
                    v.role = None;
                    v.expr = None;
                }
                Iteration {
                    iteration: n,
                    values,
                }
            })
            .collect();
        let run = |iterations: &[Iteration]| {
            let mut checker = Checker::new(Some(&start), 9);
            for it in iterations {
                checker.iteration(it);
            }
            checker.finish().findings
        };
        assert_eq!(run(&iterations), vec![]);
        let at = |it: &Iteration, symbol: &str| {
            it.values.iter().position(|v| v.symbol == symbol).unwrap()
        };
        // The second iteration's w1 is not the first's w1+.
        let mut broken = iterations.clone();
        let w1 = at(&broken[1], "w1");
        broken[1].values[w1].value += 1e-3;
        let found = run(&broken);
        assert!(
            found
                .iter()
                .any(|f| f.value.symbol == "w1" && matches!(f.problem, Problem::ChainBreak { .. })),
            "{found:#?}"
        );
        // Its i1 is not the network's input[0].
        let i1 = at(&iterations[1], "i1");
        iterations[1].values[i1].value = 0.07;
        let found = run(&iterations);
        assert!(
            found.iter().any(|f| f.value.symbol == "i1"
                && f.problem
                    == Problem::Given {
                        in_network: Some(0.05)
                    }),
            "{found:#?}"
        );
    }

    /// Every loss, with each output activation it allows: every value follows from its
    /// formula and its tree (the softmax's max, sum and derivative matrix, the shortcut).
    #[test]
    fn the_engines_trace_checks_out_for_every_loss() {
        use crate::loss::Loss;
        for loss in Loss::ALL {
            for output in [Activation::Sigmoid, Activation::Softmax, Activation::Tanh] {
                if loss.needs().is_some_and(|needed| needed != output) {
                    continue;
                }
                let mut net = Network::article();
                net.loss = loss;
                net.activations = vec![Activation::Sigmoid, output];
                net.target = if loss == Loss::CrossEntropy {
                    vec![0.25, 0.75]
                } else {
                    vec![0.01, 0.99]
                };
                let options = Options {
                    update_biases: true,
                    ..Options::default()
                };
                let report = check(&engine::trace_iteration(&net, &options));
                assert_eq!(report.findings, vec![], "{loss} {output}");
            }
        }
    }

    #[test]
    fn a_tampered_value_is_caught_at_that_value_only() {
        let mut trace = article_trace();
        let values = &mut trace.iterations[0].values;
        let at = values.iter().position(|v| v.symbol == "delta_o1").unwrap();
        values[at].value += 1e-6;
        let report = check(&trace);
        let primary: Vec<&Finding> = report.primary().collect();
        assert_eq!(primary.len(), 1, "{:#?}", report.findings);
        assert_eq!(primary[0].value.symbol, "delta_o1");
        assert!(matches!(primary[0].problem, Problem::Recomputed { .. }));
        // The values that used it were recorded from its original value.
        let inherited: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.because_of.as_deref() == Some("delta_o1"))
            .map(|f| f.value.symbol.as_str())
            .collect();
        assert!(inherited.contains(&"dE_o1/dout_h1"), "{inherited:?}");
        assert_eq!(report.findings.len(), 1 + inherited.len());
    }

    #[test]
    fn given_values_are_read_against_the_network() {
        let mut trace = article_trace();
        trace.iterations[0].values[8].value = 0.41; // w5
        trace.iterations[0].values[8].substituted = "0.41".into();
        let report = check(&trace);
        assert_eq!(report.findings[0].value.symbol, "w5");
        assert_eq!(
            report.findings[0].problem,
            Problem::Given {
                in_network: Some(0.4)
            }
        );
    }

    #[test]
    fn substituted_numbers_and_shapes_are_checked() {
        let mut trace = article_trace();
        let values = &mut trace.iterations[0].values;
        let at = values.iter().position(|v| v.symbol == "w5+").unwrap();
        values[at].substituted = "0.45 - 0.5 * 0.082167041".into();
        let net = values.iter().position(|v| v.symbol == "net_h1").unwrap();
        values[net].substituted = "0.15 * 0.05 - 0.2 * 0.1 + 0.35 * 1".into();
        let report = check(&trace);
        assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
        assert!(matches!(
            &report.findings[0].problem,
            Problem::SubstitutedShape(m) if m.at == 12
        ));
        assert_eq!(
            report.findings[1].problem,
            Problem::SubstitutedNumber {
                operand: "w5".into(),
                printed: "0.45".into(),
                recorded: 0.4
            }
        );
    }

    #[test]
    fn network_fields() {
        let net = Network::article();
        assert_eq!(network_field(&net, "weights[1][2]"), Some(0.5));
        assert_eq!(network_field(&net, "biases[1]"), Some(0.6));
        assert_eq!(network_field(&net, "biases[1][0]"), None);
        assert_eq!(network_field(&net, "learning_rate"), Some(0.5));
        assert_eq!(network_field(&net, "weights[7][0]"), None);
    }
}
