//! One module per command; what they share (loading a network and recording its iteration)
//! is here.

pub mod check;
pub mod explain;
pub mod show;
pub mod step;
pub mod train;
pub mod verify;

use crate::cli::IterationArgs;
use crate::input;
use anyhow::{Context, Result, anyhow};
use backprop_tracer::budget;
use backprop_tracer::engine;
use backprop_tracer::number;
use backprop_tracer::trace::{Options, Trace, TracedValue};

/// A command used where it cannot work: like clap's usage errors, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl IterationArgs {
    /// The options these arguments select, for `network`.
    pub fn options(&self, network_update_biases: bool) -> Options {
        Options {
            update_order: self.update_order,
            update_biases: self.update_biases || network_update_biases,
            precision: self.precision as usize,
        }
    }

    /// Loads the network and records one iteration of it. Refuses a network whose trace would
    /// not fit in the memory budget (before recording anything), and a trace holding a NaN
    /// or an infinity rather than show or write it.
    pub fn record(&self) -> Result<Trace> {
        let (name, network) = input::load_network(self.network.as_deref())?;
        let options = self.options(network.update_biases);
        budget::check(&network, &options, 1).with_context(|| name.clone())?;
        let trace = engine::trace_iteration(&network, &options);
        if let Some(bad) = trace.first().first_non_finite() {
            return Err(non_finite_error(&name, bad));
        }
        Ok(trace)
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
