//! The path the second fuzz target drives (fuzz/fuzz_targets/command_line.rs): a command
//! line and the file it reads, run in process through the library calls the `backprop`
//! commands make (src/commands/), with the output written into memory.
//!
//! The input is text: its first line is the command line (words separated by white space,
//! as after `backprop`; read by clap, so a usage error ends the run as it would the
//! command); the rest is the file the command reads: the network of `show`, `explain`,
//! `check` and `train`, or the values or trace of `verify`, whose `--network` is what
//! follows a line `%%`. Without a line break there is no file: the article's network.
//!
//! Each run is bounded, so that a slow input is a finding and not the rule: networks are
//! shrunk to at most [`MAX_WEIGHTS`] weights (hidden layers halved first) and `train` runs at
//! most [`MAX_ITERATIONS`] iterations, fewer for a large network ([`MAX_WEIGHT_ITERATIONS`]).
//! Inputs beyond the bounds are clamped, never skipped, so every option value is reached.
//!
//! An error is an answer (the command would print it and exit 1 or 2); a panic is a bug, and
//! so is a broken promise, checked here: JSON output reads back, and an NDJSON export holds
//! one line per iteration completed.

use crate::engine;
use crate::gradcheck;
use crate::network::{self, Network};
use crate::notation::Typography;
use crate::render::explain::{self, ExplainOptions};
use crate::render::table::{self, Section};
use crate::render::training::{self, TrainTableOptions};
use crate::render::{Lang, json};
use crate::trace::{self, Options, Trace, UpdateOrder};
use crate::train::{self, Export, RunOptions, SampleOrder, claims, export, plot};
use crate::verify::homework::{self, Verdict};
use crate::verify::trace_check;
use anyhow::{Result, anyhow, bail};
use clap::{Args, Parser, ValueEnum};
use serde_json::Value;

/// At most this many weights in a network (about 0.1 s for one traced iteration).
const MAX_WEIGHTS: usize = 20_000;
/// At most this many training iterations.
const MAX_ITERATIONS: usize = 1000;
/// At most this many weights × iterations in a training run: 1,000 iterations of a
/// 1,000-weight network, 50 of the largest.
const MAX_WEIGHT_ITERATIONS: usize = 1_000_000;
/// At most this many weights × iterations in a run that records every value (`--format
/// ndjson` without `--summary`): one iteration of the largest network. A recorded iteration
/// costs about twenty untraced ones, and each of its lines is read back as JSON.
const MAX_TRACED_WEIGHT_ITERATIONS: usize = MAX_WEIGHTS;
/// The line between `verify`'s FILE and its `--network`.
const SEPARATOR: &str = "\n%%\n";
/// The seed of a network file without one, in place of the fresh seed the command would
/// draw: the same input must run the same way when it is replayed.
const STAND_IN_SEED: u64 = 0;

/// Runs the command line `data` describes (see the module header). Panics on any broken
/// promise: that is what the fuzzer looks for. Returns the error the command would report
/// (the fuzzer ignores it; the replay of the seeds checks that they run).
pub fn command_line(data: &[u8]) -> Result<(), String> {
    // The commands read files as UTF-8 and refuse anything else.
    let text = std::str::from_utf8(data).map_err(|e| e.to_string())?;
    let (line, file) = match text.split_once('\n') {
        Some((line, file)) => (line, Some(file)),
        None => (text, None),
    };
    let command = Command::try_parse_from(line.split_whitespace()).map_err(|e| e.to_string())?;
    match &command {
        Command::Show(a) => show(a, file),
        Command::Explain(a) => explain(a, file),
        Command::Verify(a) => verify(a, file),
        Command::Check(a) => check(a, file),
        Command::Train(a) => train(a, file),
    }
    .map_err(|e| format!("{e:#}"))
}

/// The commands and options of src/cli.rs that reach the library, without the ones that
/// only choose where output goes (-o, the terminal).
#[derive(Debug, Parser)]
#[command(no_binary_name = true)]
enum Command {
    Show(Show),
    Explain(Explain),
    Verify(Verify),
    Check(Check),
    Train(Train),
}

#[derive(Debug, Args)]
struct Iteration {
    #[arg(long, value_enum, default_value_t = UpdateOrder::Simultaneous)]
    update_order: UpdateOrder,
    #[arg(long)]
    update_biases: bool,
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(0..=20))]
    precision: u8,
}

#[derive(Debug, Args)]
struct DisplayArgs {
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[arg(long, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    #[arg(long)]
    ascii: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// As the commands decide it for output that is not a terminal, and set it.
    fn set(self) -> bool {
        let color = self == Color::Always;
        colored::control::set_override(color);
        color
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Text,
    Ndjson,
}

#[derive(Debug, Args)]
struct Show {
    #[command(flatten)]
    iteration: Iteration,
    #[command(flatten)]
    display: DisplayArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[arg(long, value_delimiter = ',', conflicts_with = "format")]
    only: Vec<String>,
    #[arg(long, value_enum, conflicts_with = "format")]
    section: Option<Section>,
}

#[derive(Debug, Args)]
struct Explain {
    symbol: String,
    #[command(flatten)]
    iteration: Iteration,
    #[command(flatten)]
    display: DisplayArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct Verify {
    #[arg(long, value_enum, default_value_t = UpdateOrder::Simultaneous)]
    update_order: UpdateOrder,
    #[arg(long)]
    update_biases: bool,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[arg(long)]
    ascii: bool,
}

#[derive(Debug, Args)]
struct Check {
    #[command(flatten)]
    iteration: Iteration,
    #[arg(long)]
    ascii: bool,
}

#[derive(Debug, Args)]
struct Train {
    #[command(flatten)]
    iteration: Iteration,
    #[arg(short = 'n', long, default_value_t = train::DEFAULT_ITERATIONS)]
    iterations: usize,
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    every: Option<u64>,
    #[arg(long, value_enum, default_value_t = SampleOrder::Cyclic)]
    order: SampleOrder,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[arg(long)]
    summary: bool,
    /// The SVG loss curve, drawn into memory.
    #[arg(long)]
    plot: bool,
    #[arg(short, long)]
    quiet: bool,
    #[arg(long)]
    ascii: bool,
}

fn show(a: &Show, file: Option<&str>) -> Result<()> {
    let trace = record(&a.iteration, file)?;
    let only = a
        .only
        .iter()
        .map(|written| Ok(trace.first().lookup(written)?.symbol.clone()))
        .collect::<Result<Vec<String>>>()?;
    let mut out = Vec::new();
    match a.format {
        Format::Json => {
            json::render(&trace, &mut out)?;
            let back: Trace = serde_json::from_slice(&out).expect("a written trace reads back");
            assert_eq!(back, trace, "a written trace reads back identical");
        }
        Format::Table => {
            let options = table::TableOptions {
                lang: a.display.lang,
                color: a.display.color.set(),
                ascii: a.display.ascii,
                width: None,
                only,
                section: a.section,
                heading: Vec::new(),
            };
            table::render(&trace, &options, &mut out)?;
        }
        other => bail!("show has no --format {other:?}"),
    }
    Ok(())
}

fn explain(a: &Explain, file: Option<&str>) -> Result<()> {
    let trace = record(&a.iteration, file)?;
    let root = explain::tree(&trace, &a.symbol)?;
    let mut out = Vec::new();
    match a.format {
        Format::Text => {
            let options = ExplainOptions {
                lang: a.display.lang,
                ascii: a.display.ascii,
                color: a.display.color.set(),
                precision: trace.options.precision,
                width: None,
            };
            explain::render_text(&root, &options, &mut out)?;
        }
        Format::Json => {
            explain::render_json(&root, &mut out)?;
            serde_json::from_slice::<Value>(&out).expect("explain's JSON reads back");
        }
        other => bail!("explain has no --format {other:?}"),
    }
    Ok(())
}

fn verify(a: &Verify, file: Option<&str>) -> Result<()> {
    let file = file.ok_or_else(|| anyhow!("verify needs a FILE"))?;
    let (values, network) = match file.split_once(SEPARATOR) {
        Some((values, network)) => (values, Some(network)),
        None => (file, None),
    };
    let values = values.strip_prefix('\u{feff}').unwrap_or(values);
    a.color.set();
    let typography = Typography::from_ascii(a.ascii);
    let is_trace = serde_json::from_str::<Value>(values)
        .ok()
        .is_some_and(|v| v.get("format").and_then(Value::as_str) == Some(trace::FORMAT_NAME));
    if is_trace {
        if network.is_some() {
            bail!("a trace carries its own network");
        }
        let trace: Trace = serde_json::from_str(values)?;
        if trace.iterations.is_empty() {
            bail!("the trace has no iterations to check");
        }
        let report = trace_check::check(&trace);
        // What the report prints of each finding.
        for f in report.primary() {
            let _ = typography.text(
                &f.problem
                    .describe(f.value.value, Lang::Zh, &|s| typography.symbol(s)),
            );
        }
        return Ok(());
    }
    let entries = homework::read(values)?;
    let network = load(network, None)?;
    let options = Options {
        update_order: a.update_order,
        update_biases: a.update_biases || network.update_biases,
        precision: 9,
    };
    let report = homework::check(&network, &options, entries)?;
    // What the report prints of each row.
    let _ = (report.first_wrong(), report.all_agree());
    for row in &report.rows {
        if let Verdict::Slip(diagnoses) = &row.verdict {
            for d in diagnoses {
                let _ = (
                    d.slip.short(Lang::Zh),
                    d.describe(&|s| typography.symbol(s), Lang::En),
                );
            }
        }
    }
    Ok(())
}

fn check(a: &Check, file: Option<&str>) -> Result<()> {
    let trace = record(&a.iteration, file)?;
    let (net, options) = (&trace.network, &trace.options);
    // As the command chooses: every parameter up to the threshold, else a seeded sample.
    let total = gradcheck::sample::groups(net, options.update_biases)
        .iter()
        .map(|g| g.size)
        .sum();
    let default = gradcheck::default_sample(net, options.update_biases);
    let plan = gradcheck::Plan::choose(total, false, None, 0, default);
    let expected = match plan {
        gradcheck::Plan::All => total,
        gradcheck::Plan::Sample { count, .. } => count.min(total),
    };
    let Ok(result) = gradcheck::check(net, options, plan, None, &mut |_| {}) else {
        // A non-finite E_total is refused, as the command refuses it.
        return Ok(());
    };
    assert_eq!(
        result.parameters.len(),
        expected,
        "check reports every parameter it was asked to check, once"
    );
    let _ = (result.passed(), result.failures());
    Ok(())
}

fn train(a: &Train, file: Option<&str>) -> Result<()> {
    if a.summary && a.format != Format::Ndjson {
        bail!("--summary is for --format ndjson");
    }
    let network = load(file, a.seed)?;
    let precision = usize::from(a.iteration.precision);
    let traced = a.format == Format::Ndjson && !a.summary;
    let iterations = run_length(a.iterations, weights(&network), traced);
    let mut options = RunOptions {
        iterations,
        update_order: a.iteration.update_order,
        update_biases: a.iteration.update_biases,
        sample_order: a.order,
        every: a.every.map(|k| usize::try_from(k).unwrap_or(usize::MAX)),
        seed: None,
    };
    let initial = train::prepare(&network, &mut options);
    if let Some(bad) = train::non_finite_start(&initial, &options) {
        bail!("{bad}");
    }
    let claims = claims::claims(&initial, options.update_biases);
    let extra: Vec<usize> = claims.iter().map(|c| c.after).collect();
    let mut lines = Vec::new();
    let sink = match a.format {
        Format::Ndjson if a.summary => Export::Summary(&mut lines),
        Format::Ndjson => Export::Full(&mut lines, precision),
        Format::Table | Format::Json => Export::None,
        other => bail!("train has no --format {other:?}"),
    };
    let run = train::run(&initial, &options, &extra, sink, &mut |_| {})?;
    if a.format == Format::Ndjson {
        // The export holds the iterations completed, each whole, diverged or not.
        let text = std::str::from_utf8(&lines).expect("NDJSON is UTF-8");
        assert_eq!(
            text.lines().count(),
            run.completed,
            "one NDJSON line per iteration completed"
        );
        for line in text.lines() {
            serde_json::from_str::<Value>(line).expect("each NDJSON line is JSON");
        }
    }

    let judged = claims::judge(&claims, &run.checkpoints, options.update_order);
    let mut out = Vec::new();
    match a.format {
        Format::Table if a.quiet => {
            let _ = training::final_line(
                &run,
                precision,
                Typography::from_ascii(a.ascii),
                crate::render::Lang::En,
            );
        }
        Format::Table => {
            let table_options = TrainTableOptions {
                precision,
                ascii: a.ascii,
                ..TrainTableOptions::default()
            };
            training::render(&run, &judged, &table_options, &mut out)?;
        }
        Format::Json => {
            export::write_summary(&run, &mut out)?;
            serde_json::from_slice::<Value>(&out).expect("the run's summary reads back");
        }
        _ => {}
    }
    if a.plot {
        let _ = plot::svg(&run.curve, "Loss curve");
    }
    match run.diverged {
        Some(d) => bail!("{d}"),
        None => Ok(()),
    }
}

/// Loads the network and records one iteration of it, refusing a non-finite one (as the
/// commands do: src/commands/mod.rs).
fn record(iteration: &Iteration, file: Option<&str>) -> Result<Trace> {
    let network = load(file, None)?;
    let options = Options {
        update_order: iteration.update_order,
        update_biases: iteration.update_biases || network.update_biases,
        precision: usize::from(iteration.precision),
    };
    let trace = engine::trace_iteration(&network, &options);
    if let Some(bad) = trace.first().first_non_finite() {
        bail!("non-finite value {}", bad.symbol);
    }
    Ok(trace)
}

/// The network in `file` (without one, the article's), its layers shrunk to at most
/// [`MAX_WEIGHTS`] weights.
fn load(file: Option<&str>, seed: Option<u64>) -> Result<Network> {
    let Some(text) = file else {
        let mut network = Network::article();
        network.seed = seed.or(network.seed);
        return Ok(network);
    };
    let mut seed = seed;
    let mut shrunk = None;
    if let Ok(mut value) =
        serde_json::from_str::<Value>(text.strip_prefix('\u{feff}').unwrap_or(text))
    {
        // Where the loader reads the network: a trace's `network`, or the file itself.
        let in_trace = value.get("format").and_then(Value::as_str) == Some(trace::FORMAT_NAME)
            && value.get("network").is_some();
        let object = if in_trace {
            value.get_mut("network")
        } else {
            Some(&mut value)
        };
        let mut changed = false;
        if let Some(Value::Object(object)) = object {
            if seed.is_none() && !object.contains_key("seed") {
                seed = Some(STAND_IN_SEED);
            }
            if let Some(Value::Array(layers)) = object.get_mut("layers") {
                changed = shrink(layers);
            }
        }
        // Written again only when shrunk, so that every other input is read as it is.
        if changed {
            shrunk = Some(value.to_string());
        }
    }
    let text = shrunk.as_deref().unwrap_or(text);
    let (network, _warnings) = Network::from_json_str_seeded(text, seed)?;
    Ok(network)
}

/// Halves the largest layer (a hidden one while any is larger than 1) until the network has
/// at most [`MAX_WEIGHTS`] weights. Returns whether it changed anything; layers the loader
/// refuses are left for it to refuse.
fn shrink(layers: &mut [Value]) -> bool {
    if layers.len() > network::MAX_DEPTH + 1 {
        return false;
    }
    // As the loader reads a layer size: a whole number, written as an integer or not (2.0).
    let size = |v: &Value| {
        v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0)
                .map(|x| x as u64)
        })
    };
    let Some(mut sizes) = layers.iter().map(size).collect::<Option<Vec<u64>>>() else {
        return false;
    };
    let count = |sizes: &[u64]| {
        sizes
            .windows(2)
            .map(|pair| pair[0].saturating_mul(pair[1]))
            .fold(0u64, u64::saturating_add)
    };
    if count(&sizes) <= MAX_WEIGHTS as u64 {
        return false;
    }
    let last = sizes.len() - 1;
    while count(&sizes) > MAX_WEIGHTS as u64 {
        let largest = |range: std::ops::Range<usize>| {
            range.filter(|&i| sizes[i] > 1).max_by_key(|&i| sizes[i])
        };
        let Some(i) = largest(1..last).or_else(|| largest(0..last + 1)) else {
            break;
        };
        sizes[i] = sizes[i].div_ceil(2);
    }
    for (v, s) in layers.iter_mut().zip(sizes) {
        *v = s.into();
    }
    true
}

/// The iterations a run of `asked` is cut to, for a network of `weights`, recording every
/// value (`traced`) or not.
fn run_length(asked: usize, weights: usize, traced: bool) -> usize {
    let budget = if traced {
        MAX_TRACED_WEIGHT_ITERATIONS
    } else {
        MAX_WEIGHT_ITERATIONS
    };
    asked.min(MAX_ITERATIONS).min(budget / weights.max(1))
}

fn weights(network: &Network) -> usize {
    network.weights.iter().map(Vec::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(text: &str) -> Vec<Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn networks_too_large_are_shrunk_hidden_layers_first() {
        let mut l = layers("[2, 1000, 1000, 2]");
        assert!(shrink(&mut l));
        // 2·125 + 125·125 + 125·2 = 16,125: the hidden layers halved in turn, 3 times each.
        assert_eq!(l, layers("[2, 125, 125, 2]"));
        let mut wide = layers("[30000, 1, 1e5]");
        assert!(shrink(&mut wide));
        let sizes: Vec<u64> = wide.iter().map(|v| v.as_u64().unwrap()).collect();
        assert!(sizes[0] + sizes[2] <= MAX_WEIGHTS as u64, "{sizes:?}");
    }

    #[test]
    fn networks_within_bounds_are_read_as_written() {
        for text in [
            "[2, 2, 2]",
            "[2, 100, 100, 2]",
            "[0, 3]",
            "[2, \"x\"]",
            "[-1, 5]",
        ] {
            let mut l = layers(text);
            assert!(!shrink(&mut l), "{text}");
            assert_eq!(l, layers(text));
        }
    }

    #[test]
    fn a_shrunk_network_loads() {
        let text = r#"{"layers": [2, 300, 300, 2], "learning_rate": 0.5, "input": [0.1, 0.2],
                       "target": [0.3, 0.4]}"#;
        let network = load(Some(text), None).unwrap();
        assert!(weights(&network) <= MAX_WEIGHTS);
        assert_eq!(network.seed, Some(STAND_IN_SEED));
    }

    #[test]
    fn long_runs_are_cut_to_the_bounds() {
        assert_eq!(run_length(10_000, 8, false), MAX_ITERATIONS);
        assert_eq!(run_length(7, 8, false), 7);
        assert_eq!(run_length(0, 8, false), 0);
        assert_eq!(run_length(10_000, MAX_WEIGHTS, false), 50);
        assert_eq!(run_length(usize::MAX, 2_000, false), 500);
        // Every value recorded: one iteration of the largest network (a 16,375-weight run of
        // 5 such iterations once took a minute in the fuzz build).
        assert_eq!(run_length(5, 16_375, true), 1);
        assert_eq!(run_length(10_000, 8, true), 2_500.min(MAX_ITERATIONS));
    }
}
