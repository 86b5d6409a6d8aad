//! The trace: every value one training iteration computed, in the order it was computed,
//! each with its symbol, formula and the numbers substituted. The engine writes it; every
//! renderer (tables, JSON, and what reads JSON back) reads it and recomputes nothing.

use crate::network::Network;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod role;
pub mod tree;

pub use role::{Parameter, Role};
pub use tree::Formula;

/// The `format` field of every trace file.
pub const FORMAT_NAME: &str = "backprop-tracer/trace";
/// The `version` field: bumped when a field changes meaning or goes away, or when readers
/// should know that new fields are there. Version 2 added each value's `role` and `expr`.
pub const FORMAT_VERSION: u32 = 2;
/// The versions this build reads: a trace of any other is refused rather than misread.
/// A version-1 trace is read as it is and gets its roles from [`Trace::upgrade`].
pub const READABLE_VERSIONS: [u32; 2] = [1, FORMAT_VERSION];

/// Refuses a trace's `version` field (`None` when missing) unless it is one of
/// [`READABLE_VERSIONS`]; the message names the versions this build reads.
pub fn check_version(found: Option<&serde_json::Value>) -> Result<u32, String> {
    let readable = READABLE_VERSIONS.map(|v| v.to_string());
    let reads = match readable.as_slice() {
        [one] => format!("trace version {one}"),
        more => format!("trace versions {}", more.join(", ")),
    };
    let Some(found) = found else {
        return Err(format!("missing; this build reads {reads}"));
    };
    match found.as_u64().and_then(|v| u32::try_from(v).ok()) {
        Some(v) if READABLE_VERSIONS.contains(&v) => Ok(v),
        _ => Err(format!(
            "version {} is not one this build reads (it reads {reads})",
            crate::quote::excerpt(&found.to_string())
        )),
    }
}

/// The `version` field, checked as it is read.
fn read_version<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let found = serde_json::Value::deserialize(deserializer)?;
    check_version(Some(&found)).map_err(serde::de::Error::custom)
}

/// When the weights are updated during the backward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(clap::ValueEnum)]
pub enum UpdateOrder {
    /// Every gradient from the iteration's original weights (the article's hand calculation).
    #[default]
    Simultaneous,
    /// Each layer updated as soon as its gradients are known, from the output layer back, so
    /// earlier layers' deltas use the new weights (the article's code that printed 0.291027924).
    Sequential,
}

impl UpdateOrder {
    /// The name used on the command line and in traces.
    pub fn name(self) -> &'static str {
        match self {
            UpdateOrder::Simultaneous => "simultaneous",
            UpdateOrder::Sequential => "sequential",
        }
    }
}

/// The part of the article's calculation a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Read from the network file: inputs, targets, weights, biases, η.
    Given,
    /// Step 1, the forward pass: net and out of every neuron.
    Forward,
    /// The error of each output and the total error.
    Error,
    /// Step 2, the backward pass through the output layer, with its weight updates.
    OutputLayer,
    /// The backward pass through a hidden layer, with its weight updates.
    HiddenLayer,
    /// In an iteration over a batch of samples: the batch's E_total and gradients (each the
    /// mean or the sum over its samples') and the weight updates.
    Batch,
    /// The forward pass and the error again, with the updated weights (symbols end in `+`).
    Summary,
}

/// The options an iteration was computed with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// When the weights were updated (see [`UpdateOrder`]).
    pub update_order: UpdateOrder,
    /// Whether the biases were updated (the network file's `update_biases` or `--update-biases`).
    pub update_biases: bool,
    /// Digits after the decimal point of the numbers in each `substituted` field.
    pub precision: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            update_order: UpdateOrder::Simultaneous,
            update_biases: false,
            precision: 9,
        }
    }
}

/// One recorded value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracedValue {
    /// The ASCII key in the article's notation: `net_h1`, `dE_total/dw5`, `w5+`.
    pub symbol: String,
    /// What the value is, from which its symbol is printed (version 2). A version-1 trace
    /// gets its roles when it is read ([`Trace::upgrade`]); a value whose symbol the trace's
    /// network does not have (a hand-edited trace) has none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "one_line"
    )]
    pub role: Option<Role>,
    /// The part of the calculation it belongs to.
    pub stage: Stage,
    /// The layer it belongs to: for neurons, their layer (0 = inputs); for weights, biases
    /// and gradients, the weight layer counted from 1 (the article's w5…w8 are in layer 2).
    /// Absent for the errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The formula in symbols, e.g. `w5 * out_h1 + w6 * out_h2 + b2 * 1`; for given values, the
    /// field of the network file it was read from (for a drawn value, the field of the trace's
    /// `network` that holds it: see `drawn`).
    pub formula: String,
    /// The formula as a tree whose operands are positions in `from` (version 2; `formula`
    /// and `substituted` are printed from it). Absent for given values, and for a value of
    /// a version-1 trace whose formula is not the one the engine writes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "one_line"
    )]
    pub expr: Option<Formula>,
    /// The formula with the numbers substituted, as the article writes it.
    pub substituted: String,
    /// The value, full precision. Read from `null` as NaN: JSON has no NaN or infinity, and
    /// a program that wrote one as `null` wrote a trace `verify` should name the value of,
    /// not refuse whole. (This program never writes one.)
    #[serde(deserialize_with = "null_as_nan")]
    pub value: f64,
    /// The symbols the formula uses, in the order they appear in it (a symbol used twice
    /// appears twice). Empty for given values.
    pub from: Vec<String>,
    /// For a given value the network file left out: it was drawn at random, from this seed.
    /// Absent for every other value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawn: Option<Draw>,
    /// In an iteration over a batch of samples, the sample (its index in the network's
    /// `samples`) a per-sample value belongs to: its symbol ends in `[s2]` for `samples[1]`.
    /// Absent for a one-sample iteration, and for the values the batch shares (the weights,
    /// the batch's gradients and updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<usize>,
}

/// The suffix a per-sample value's symbol carries in a batch: `[s2]` for `samples[1]`.
pub fn sample_suffix(sample: usize) -> String {
    format!("[s{}]", sample + 1)
}

/// The key of the value computed again with the updated weights: `out_o1+`, and in a batch
/// `out_o1+[s2]` (the `+` belongs to the symbol, the sample's suffix comes last).
pub fn updated_key(v: &TracedValue) -> String {
    match v.sample {
        Some(s) => {
            let suffix = sample_suffix(s);
            let base = v.symbol.strip_suffix(&suffix).unwrap_or(&v.symbol);
            format!("{base}+{suffix}")
        }
        None => format!("{}+", v.symbol),
    }
}

/// Writes `value` on one line even inside pretty-printed JSON: a role or a formula tree
/// spread over a dozen lines would double the size of a trace and hide its strings.
fn one_line<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
    let raw = serde_json::value::RawValue::from_string(text).map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

/// Where a drawn value came from: a uniform draw from [0, 1) with this seed (`--seed` repeats
/// it), not a field of the network file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draw {
    /// The seed of the draw.
    pub seed: u64,
}

/// A number, or `null` read as NaN.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl TracedValue {
    /// Where a given value came from, in words: `drawn, seed 48213` for a drawn value, the
    /// network-file field (`weights[0][0]`) otherwise.
    pub fn origin(&self) -> String {
        match self.drawn {
            Some(Draw { seed }) => format!("drawn, seed {seed}"),
            None => self.formula.clone(),
        }
    }
}

/// One training iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Iteration {
    /// Which iteration, counted from 1.
    pub iteration: usize,
    /// Every value, in the order it was computed.
    pub values: Vec<TracedValue>,
}

impl Iteration {
    /// The recorded value of `symbol`, if any.
    pub fn get(&self, symbol: &str) -> Option<&TracedValue> {
        self.values.iter().find(|v| v.symbol == symbol)
    }

    /// An index from symbol to value, for renderers that look many symbols up.
    pub fn index(&self) -> HashMap<&str, &TracedValue> {
        self.values.iter().map(|v| (v.symbol.as_str(), v)).collect()
    }

    /// The symbols of this iteration, for reading what a user wrote.
    pub fn vocabulary(&self) -> crate::notation::Vocabulary<'_> {
        crate::notation::Vocabulary::new(self.values.iter().map(|v| v.symbol.as_str()))
    }

    /// The value a user named, in ASCII (`dE_total/dw1`), in the article's typography
    /// (`∂E_total/∂w1`, `δ_h1`, `w1⁺`) or in another common spelling (`dE/dw1`, `w1_new`:
    /// see [`crate::notation::Vocabulary`]); when there is none, an error listing the
    /// closest recorded symbols.
    pub fn lookup(&self, written: &str) -> Result<&TracedValue, UnknownSymbol> {
        let vocabulary = self.vocabulary();
        match vocabulary.read(written).and_then(|symbol| self.get(symbol)) {
            Some(value) => Ok(value),
            None => Err(UnknownSymbol {
                written: written.to_string(),
                closest: own(vocabulary.closest(written, 5)),
                examples: own(vocabulary.examples()),
            }),
        }
    }

    /// The seed of the values drawn because the network file left them out, if any were.
    pub fn drawn_seed(&self) -> Option<u64> {
        self.values.iter().find_map(|v| v.drawn.map(|d| d.seed))
    }

    /// The first value that is NaN or infinite, if any.
    pub fn first_non_finite(&self) -> Option<&TracedValue> {
        self.values.iter().find(|v| !v.value.is_finite())
    }
}

fn own(symbols: Vec<&str>) -> Vec<String> {
    symbols.into_iter().map(String::from).collect()
}

/// A symbol that names no recorded value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message(crate::notation::Typography::Article))]
pub struct UnknownSymbol {
    /// What was asked for, as written.
    pub written: String,
    /// The recorded symbols closest to it, best first.
    pub closest: Vec<String>,
    /// A few of the iteration's symbols, one of each kind, to show how they are written.
    pub examples: Vec<String>,
}

impl UnknownSymbol {
    /// The message, with the examples set in `typography`: in the article's, each as the
    /// trace spells it and, where that differs, as the tables show it (`dE_total/dw5 or
    /// ∂E_total/∂w5`); in ASCII, as the trace spells it, once.
    pub fn message(&self, typography: crate::notation::Typography) -> String {
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|s| match typography.symbol(s) {
                set if set == *s => set,
                set => format!("{s} or {set}"),
            })
            .collect();
        let mut message = format!(
            "no value is called {:?} in this iteration; the closest symbols are: {}",
            crate::quote::excerpt(&self.written),
            self.closest.join(", ")
        );
        if !examples.is_empty() {
            message.push_str(&format!(
                "\n(`backprop show` lists every symbol: {} …)",
                examples.join(", ")
            ));
        }
        typography.text(&message).into_owned()
    }
}

/// A recorded run: the network it started from, the options, and its iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written; one of [`READABLE_VERSIONS`] when read.
    #[serde(deserialize_with = "read_version")]
    pub version: u32,
    /// The network before the first iteration, in the network-file format.
    pub network: Network,
    /// The options used.
    pub options: Options,
    /// The iterations, in order.
    pub iterations: Vec<Iteration>,
}

impl Trace {
    /// The first (for `show`, the only) iteration.
    pub fn first(&self) -> &Iteration {
        &self.iterations[0]
    }

    /// Gives the values that have no role (those of a version-1 trace) the role, and where
    /// their formula is the engine's, the formula tree of the value of the same symbol in an
    /// iteration the engine records of the trace's network with its options. A value whose
    /// symbol the network does not have (a trace edited by hand) keeps none; renderers then
    /// fall back to its strings.
    pub fn upgrade(&mut self) {
        if self
            .iterations
            .iter()
            .all(|it| it.values.iter().all(|v| v.role.is_some()))
        {
            return;
        }
        let reference = crate::engine::trace_iteration(&self.network, &self.options);
        let by_symbol = reference.first().index();
        for value in self
            .iterations
            .iter_mut()
            .flat_map(|it| it.values.iter_mut())
        {
            if value.role.is_some() {
                continue;
            }
            if let Some(known) = by_symbol.get(value.symbol.as_str()) {
                value.role = known.role;
                if known.formula == value.formula && known.from == value.from {
                    value.expr = known.expr.clone();
                }
            }
        }
    }

    /// The trace as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a trace serializes");
        text.push('\n');
        text
    }
}

/// A piece of a formula: literal text or the `n`-th symbol of its `from` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text between symbols: operators, constants, parentheses.
    Text(&'a str),
    /// The position of a symbol in `from`.
    Symbol(usize),
}

impl TracedValue {
    /// The formula cut at its symbols, so that a renderer can show each symbol its own way
    /// (in typography, or as a number at another precision). `None` when the formula does
    /// not contain its `from` symbols in order, which a hand-edited trace might do.
    pub fn pieces(&self) -> Option<Vec<Piece<'_>>> {
        let f = self.formula.as_str();
        let mut pieces = Vec::with_capacity(2 * self.from.len() + 1);
        let mut at = 0;
        for (n, symbol) in self.from.iter().enumerate() {
            let start = find_symbol(f, symbol, at)?;
            if start > at {
                pieces.push(Piece::Text(&f[at..start]));
            }
            pieces.push(Piece::Symbol(n));
            at = start + symbol.len();
        }
        if at < f.len() {
            pieces.push(Piece::Text(&f[at..]));
        }
        Some(pieces)
    }
}

impl TracedValue {
    /// The formula with each symbol written by `name` (the article's typography, say):
    /// printed from the formula tree; for a value without one (a trace edited by hand), cut
    /// at its symbols, or as recorded when it cannot be.
    pub fn formula_with(&self, name: impl Fn(&str) -> String) -> String {
        self.with_operands(&|n| name(&self.from[n]), &self.formula)
    }

    /// The formula with the `n`th operand written as `number(n)` (in parentheses when
    /// negative, as `substituted` writes them): printed from the formula tree; for a value
    /// without one, cut at its symbols, or the recorded `substituted` when it cannot be.
    pub fn substituted_with(&self, number: impl Fn(usize) -> String) -> String {
        let operand = |n: usize| {
            let text = number(n);
            if text.starts_with('-') {
                format!("({text})")
            } else {
                text
            }
        };
        self.with_operands(&operand, &self.substituted)
    }

    /// The formula with the `n`th operand written as `leaf(n)`, or `fallback` for a value
    /// that has no tree and cannot be cut at its symbols.
    fn with_operands(&self, leaf: &dyn Fn(usize) -> String, fallback: &str) -> String {
        if let Some(tree) = &self.expr {
            let mut out = String::new();
            let compound = |&n: &usize| self.from.get(n).is_some_and(|s| s.contains('/'));
            tree.write_plain(&mut out, &mut |out, &n| out.push_str(&leaf(n)), &compound);
            return out;
        }
        match self.pieces() {
            Some(pieces) => pieces
                .iter()
                .map(|p| match *p {
                    Piece::Text(t) => t.to_string(),
                    Piece::Symbol(n) => leaf(n),
                })
                .collect(),
            None => fallback.to_string(),
        }
    }
}

/// The first occurrence of `symbol` in `formula` at or after `from` that stands alone (not
/// part of a longer name: `w1` in `dw1` or in `w10` does not count).
fn find_symbol(formula: &str, symbol: &str, from: usize) -> Option<usize> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut search = from;
    while let Some(rel) = formula.get(search..)?.find(symbol) {
        let start = search + rel;
        let end = start + symbol.len();
        let before_ok = formula[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_name(c));
        let after_ok = formula[end..].chars().next().is_none_or(|c| !is_name(c));
        if before_ok && after_ok {
            return Some(start);
        }
        search = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(formula: &str, from: &[&str]) -> TracedValue {
        TracedValue {
            symbol: "x".into(),
            role: None,
            expr: None,
            stage: Stage::Forward,
            layer: None,
            formula: formula.into(),
            substituted: String::new(),
            value: 0.0,
            from: from.iter().map(|s| s.to_string()).collect(),
            drawn: None,
            sample: None,
        }
    }

    #[test]
    fn pieces_split_at_symbols() {
        let v = value("w1*i1 + w2*i2 + b1*1", &["w1", "i1", "w2", "i2", "b1"]);
        assert_eq!(
            v.pieces().unwrap(),
            vec![
                Piece::Symbol(0),
                Piece::Text("*"),
                Piece::Symbol(1),
                Piece::Text(" + "),
                Piece::Symbol(2),
                Piece::Text("*"),
                Piece::Symbol(3),
                Piece::Text(" + "),
                Piece::Symbol(4),
                Piece::Text("*1"),
            ]
        );
    }

    #[test]
    fn a_symbol_inside_a_longer_name_is_skipped() {
        let v = value("dnet_h1/dw1*w1", &["w1"]);
        assert_eq!(
            v.pieces().unwrap(),
            vec![Piece::Text("dnet_h1/dw1*"), Piece::Symbol(0)]
        );
        assert!(value("w10", &["w1"]).pieces().is_none());
    }

    #[test]
    fn a_symbol_used_twice_is_found_twice() {
        let v = value("out_h1*(1 - out_h1)", &["out_h1", "out_h1"]);
        assert_eq!(v.pieces().unwrap().len(), 4);
    }
}
