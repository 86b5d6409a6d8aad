//! A run as data. `--format ndjson` streams one JSON object per line, one line per iteration,
//! written as the iteration finishes (memory does not grow with the run); `--format json`
//! writes the run's summary once it ends. Both formats are documented in traces/README.md;
//! their field names are pinned by tests that read them back into `deny_unknown_fields`
//! structs.

use crate::network::{Bias, Network};
use crate::trace::TracedValue;
use crate::train::{Checkpoint, Divergence, Outputs, Run, RunOptions};
use serde::Serialize;
use std::io::{self, Write};

/// The `format` field of a run summary.
pub const RUN_FORMAT_NAME: &str = "backprop-tracer/training-run";
/// Its `version`: bumped when a field changes meaning or goes away.
pub const RUN_FORMAT_VERSION: u32 = 1;

/// One NDJSON line of `--format ndjson`: an iteration recorded in full, as an element of a
/// trace's `iterations`, with the sample it trained on.
#[derive(Serialize)]
struct TracedLine<'a> {
    iteration: usize,
    /// In batches: the epoch the iteration belongs to, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    epoch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample: Option<usize>,
    values: &'a [TracedValue],
}

/// One NDJSON line of `--format ndjson --summary`.
#[derive(Serialize)]
struct SummaryLine<'a> {
    iteration: usize,
    /// In batches: the epoch the iteration belongs to, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    epoch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample: Option<usize>,
    #[serde(rename = "E_total")]
    e_total: f64,
    outputs: &'a Outputs,
    weights: &'a [Vec<f64>],
    biases: &'a [Bias],
}

/// Writes iteration `iteration`'s values as one line.
pub fn write_traced_line(
    out: &mut dyn Write,
    iteration: usize,
    epoch: Option<usize>,
    sample: Option<usize>,
    values: &[TracedValue],
) -> io::Result<()> {
    let line = TracedLine {
        iteration,
        epoch,
        sample,
        values,
    };
    write_line(out, &line)
}

/// Writes `value` as one JSON line with a single write: serde_json writes token by token,
/// which through a `dyn Write` costs a call each, and a whole line at once also keeps a
/// reader following the file from seeing half a line.
fn write_line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut line = Vec::with_capacity(16 * 1024);
    serde_json::to_writer(&mut line, value)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// Writes the summary of iteration `iteration` as one line: E_total after it, the outputs and
/// the weights and biases it produced.
#[allow(clippy::too_many_arguments)]
pub fn write_summary_line(
    out: &mut dyn Write,
    iteration: usize,
    epoch: Option<usize>,
    sample: Option<usize>,
    e_total: f64,
    outputs: &Outputs,
    net: &Network,
) -> io::Result<()> {
    let line = SummaryLine {
        iteration,
        epoch,
        sample,
        e_total,
        outputs,
        weights: &net.weights,
        biases: &net.biases,
    };
    write_line(out, &line)
}

/// The run summary `--format json` writes.
#[derive(Serialize)]
struct Summary<'a> {
    format: &'static str,
    version: u32,
    options: &'a RunOptions,
    /// Iterations completed with finite values.
    iterations_completed: usize,
    checkpoints: &'a [Checkpoint],
    /// The network before the first iteration (network-file format, with its seed).
    initial_network: &'a Network,
    /// The network after the last completed iteration.
    final_network: &'a Network,
    /// Why the run stopped early; `null` if it did not.
    diverged: Option<&'a Divergence>,
}

/// Writes the run's summary as pretty JSON.
pub fn write_summary(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let summary = Summary {
        format: RUN_FORMAT_NAME,
        version: RUN_FORMAT_VERSION,
        options: &run.options,
        iterations_completed: run.completed,
        checkpoints: &run.checkpoints,
        initial_network: &run.initial,
        final_network: &run.last,
        diverged: run.diverged.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *out, &summary)?;
    out.write_all(b"\n")
}
