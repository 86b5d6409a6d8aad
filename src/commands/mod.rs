//! One module per command; what they share (loading a network and recording its iteration)
//! is here.

pub mod check;
pub mod diagram;
pub mod exercise;
pub mod explain;
pub mod grade;
pub mod progress;
pub mod schema;
pub mod show;
pub mod step;
pub mod train;
pub mod verify;

use crate::cli::IterationArgs;
use crate::input;
use anyhow::{Context, Result, anyhow, bail};
use backprop_tracer::budget;
use backprop_tracer::engine;
use backprop_tracer::network::Network;
use backprop_tracer::number;
use backprop_tracer::render::Lang;
use backprop_tracer::render::lang::fill;
use backprop_tracer::trace::{Options, Trace, TracedValue, UpdateOrder};

/// A command used where it cannot work: like clap's usage errors, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A network loaded for a command, with the options its iteration is computed with.
pub struct Resolved {
    /// The name to use in messages about the network.
    pub name: String,
    /// The network (its values the file left out drawn, `network.drawn` says which).
    pub network: Network,
    /// The options: the command line's, else a trace's own, else the defaults.
    pub options: Options,
    /// The options a trace fed back in brought, when it brought any.
    pub from_trace: Vec<Taken>,
}

/// An option a trace fed back in brought (one the command line left alone).
#[derive(Clone, Copy)]
pub enum Taken {
    UpdateOrder(UpdateOrder),
    Precision(usize),
    BiasUpdates,
}

/// The seed note in `lang`: the seed that drew values the file left out, and how to repeat
/// it, when any were.
pub fn seed_note(network: &Network, lang: Lang) -> Option<String> {
    let seed = network.seed.filter(|_| network.drawn.any())?;
    let labels = lang.notes();
    let what = match (network.drawn.weights, network.drawn.biases) {
        (true, true) => labels.weights_and_biases,
        (true, false) => labels.weights,
        _ => labels.biases,
    };
    Some(fill(
        labels.seed,
        &[("seed", &seed.to_string()), ("what", what)],
    ))
}

impl Resolved {
    /// What a command says under its title about where the iteration's inputs came from,
    /// in `lang`. Text goes under the title; with JSON output, to standard error.
    pub fn heading(&self, lang: Lang) -> Vec<String> {
        seed_note(&self.network, lang)
            .into_iter()
            .chain(self.options_note(lang))
            .collect()
    }

    /// The options a trace fed back in brought, when it brought any.
    pub fn options_note(&self, lang: Lang) -> Option<String> {
        if self.from_trace.is_empty() {
            return None;
        }
        let labels = lang.notes();
        let taken: Vec<String> = self
            .from_trace
            .iter()
            .map(|t| match *t {
                Taken::UpdateOrder(order) => {
                    fill(labels.update_order, &[("order", order_name(order, lang))])
                }
                Taken::Precision(p) => fill(labels.precision, &[("precision", &p.to_string())]),
                Taken::BiasUpdates => labels.bias_updates_on.to_string(),
            })
            .collect();
        Some(fill(
            labels.options_from,
            &[
                ("name", &self.name),
                ("taken", &taken.join(labels.list_separator)),
            ],
        ))
    }
}

/// An update order's name in `lang`.
pub fn order_name(order: UpdateOrder, lang: Lang) -> &'static str {
    let labels = lang.labels();
    match order {
        UpdateOrder::Simultaneous => labels.simultaneous,
        UpdateOrder::Sequential => labels.sequential,
    }
}

/// One recorded iteration, and what to say about where its inputs came from.
pub struct Recorded {
    /// The iteration.
    pub trace: Trace,
    /// See [`Resolved::heading`] (in the command's language).
    pub heading: Vec<String>,
}

impl IterationArgs {
    /// Loads the network (with `--seed`, if given) and settles the options: each one the
    /// command line gives, else the one a trace was written with, else the default.
    pub fn resolve(&self) -> Result<Resolved> {
        let loaded = input::load(self.network.as_deref(), self.seed)?;
        let from_trace_options = loaded.trace_options.as_ref();
        if let Some(p) = from_trace_options
            .map(|o| o.precision)
            .filter(|&p| p > MAX_PRECISION)
        {
            bail!(
                "{}: options.precision: expected a whole number from 0 to {MAX_PRECISION} (as \
                 --precision), got {p}",
                loaded.name
            );
        }
        let defaults = Options::default();
        let options = Options {
            update_order: self
                .update_order
                .or(from_trace_options.map(|o| o.update_order))
                .unwrap_or(defaults.update_order),
            update_biases: self.update_biases
                || loaded.network.update_biases
                || from_trace_options.is_some_and(|o| o.update_biases),
            precision: self
                .precision
                .map(usize::from)
                .or(from_trace_options.map(|o| o.precision))
                .unwrap_or(defaults.precision),
        };
        if loaded.network.batch_size > 1 && options.update_order == UpdateOrder::Sequential {
            bail!(
                "{}: --update-order sequential cannot be used with batch_size {}: a batch \
                 updates its weights once, after every sample's gradients are known, so there \
                 is no updated layer for the layers below it to read (the sequential order \
                 updates each layer before the layers below it are computed); leave out \
                 --update-order, or set batch_size to 1",
                loaded.name,
                loaded.network.batch_size
            );
        }
        let mut from_trace = Vec::new();
        if let Some(o) = from_trace_options {
            // Only what the trace changes from the defaults and the command line left alone.
            if self.update_order.is_none() && o.update_order != defaults.update_order {
                from_trace.push(Taken::UpdateOrder(o.update_order));
            }
            if self.precision.is_none() && o.precision != defaults.precision {
                from_trace.push(Taken::Precision(o.precision));
            }
            if !self.update_biases && options.update_biases {
                from_trace.push(Taken::BiasUpdates);
            }
        }
        Ok(Resolved {
            name: loaded.name,
            network: loaded.network,
            options,
            from_trace,
        })
    }

    /// Loads the network and records one iteration of it. Refuses a network whose trace would
    /// not fit in the memory budget (before recording anything), and a trace holding a NaN
    /// or an infinity rather than show or write it.
    pub fn record(&self, lang: Lang) -> Result<Recorded> {
        let resolved = self.resolve()?;
        let heading = resolved.heading(lang);
        let Resolved {
            name,
            network,
            options,
            ..
        } = resolved;
        budget::check(&network, &options, 1).with_context(|| name.clone())?;
        let trace = engine::trace_iteration(&network, &options);
        if let Some(bad) = trace.first().first_non_finite() {
            return Err(non_finite_error(&name, bad));
        }
        Ok(Recorded { trace, heading })
    }
}

/// The largest `--precision`: a trace asking for more is refused, not printed with a
/// thousand digits per number.
const MAX_PRECISION: usize = 20;

/// Writes `heading` to standard error, for output that is data (JSON) and has no title.
pub fn heading_to_stderr(heading: &[String]) {
    for line in heading {
        crate::output::to_stderr(line);
    }
}

/// The refusal of a trace holding a NaN or an infinity: `bad`, the first, in `name`'s iteration.
pub fn non_finite_error(name: &str, bad: &TracedValue) -> anyhow::Error {
    anyhow!(
        "{name}: the iteration produced a non-finite value: {} = {} (formula {} = {}); \
         the weights, inputs or learning rate are too large for f64",
        bad.symbol,
        number::compact(bad.value, 9),
        bad.formula,
        bad.substituted
    )
}

/// The answer of a command that ran but found something wrong (`verify` a disagreement,
/// `check` a wrong gradient): its report is already written, so `main` exits with status 1
/// and prints nothing more.
#[derive(Debug)]
pub struct Disagreed;

impl std::fmt::Display for Disagreed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("found a disagreement (see the report above)")
    }
}

impl std::error::Error for Disagreed {}
