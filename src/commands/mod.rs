//! One module per command; what they share (loading a network and recording its iteration)
//! is here.

pub mod show;
pub mod train;

use crate::cli::IterationArgs;
use crate::input;
use anyhow::{Result, bail};
use backprop_tracer::engine;
use backprop_tracer::number;
use backprop_tracer::trace::{Options, Trace};

impl IterationArgs {
    /// The options these arguments select, for `network`.
    pub fn options(&self, network_update_biases: bool) -> Options {
        Options {
            update_order: self.update_order,
            update_biases: self.update_biases || network_update_biases,
            precision: self.precision as usize,
        }
    }

    /// Loads the network and records one iteration of it. Refuses a trace holding a NaN or
    /// an infinity rather than show or write it.
    pub fn record(&self) -> Result<Trace> {
        let network = input::load_network(self.network.as_deref())?;
        let trace = engine::trace_iteration(&network, &self.options(network.update_biases));
        if let Some(bad) = trace.first().first_non_finite() {
            bail!(
                "the iteration produced a non-finite value: {} = {} (formula {} = {}); \
                 the weights, inputs or learning rate are too large for f64",
                bad.symbol,
                number::compact(bad.value, 9),
                bad.formula,
                bad.substituted
            );
        }
        Ok(trace)
    }
}
