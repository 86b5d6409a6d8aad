//! `backprop train`: many iterations, with the checkpoint table, the loss curve, a progress
//! bar while it runs (on a terminal), and the run exported as NDJSON, JSON or SVG.

use super::UsageError;
use crate::cli::{TrainArgs, TrainFormat};
use crate::commands::progress::Progress;
use crate::output;
use anyhow::{Result, bail};
use backprop_tracer::notation::Typography;
use backprop_tracer::number;
use backprop_tracer::render::training::{self, TrainTableOptions};
use backprop_tracer::train::{self, Export, RunOptions, claims, export, plot};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

pub fn run(args: &TrainArgs) -> Result<()> {
    check_usage(args)?;
    // A run can be long: a file it could not write at its end would lose it (and leave -o
    // written without --plot), so every output is checked before it starts.
    for path in args.output.iter().chain(&args.plot) {
        output::check_writable(path)?;
    }
    let resolved = args.iteration.resolve()?;
    let options_note = resolved.options_note(args.lang);
    let (name, network) = (resolved.name, resolved.network);
    let precision = resolved.options.precision;
    let typography = Typography::from_ascii(args.ascii);
    // The table's heading names the seed (below); the options a trace brought are said here.
    if let Some(note) = options_note.as_deref()
        && !args.quiet
    {
        output::to_stderr(note);
    }
    let mut options = RunOptions {
        iterations: args.iterations,
        update_order: resolved.options.update_order,
        update_biases: resolved.options.update_biases,
        sample_order: args.order,
        every: args.every.map(|k| k as usize),
        seed: None,
    };
    let initial = train::prepare(&network, &mut options);
    if let Some(bad) = train::non_finite_start(&initial, &options) {
        bail!("{name}: {bad}");
    }
    let claims = claims::claims(&initial, options.update_biases);
    let extra: Vec<usize> = claims.iter().map(|c| c.after).collect();
    if let Some(seed) = options.seed
        && !args.quiet
        && args.format != TrainFormat::Table
    {
        output::to_stderr(&format!("seed: {seed} (--seed {seed} repeats this run)"));
    }

    let mut progress = Progress::new(
        options.iterations,
        args.lang.train().progress,
        !args.quiet && io::stderr().is_terminal(),
        typography,
    );
    let run = match args.format {
        TrainFormat::Ndjson => {
            // Lines stream to standard output as the run goes; a file is written beside FILE
            // and renamed at the end (a divergence included: its complete lines are data), so
            // FILE is never half-written, even if the run is killed.
            let mut finished = None;
            output::write_to(args.output.as_deref(), |sink| {
                let export = if args.summary {
                    Export::Summary(sink)
                } else {
                    Export::Full(sink, precision)
                };
                finished = Some(train::run(&initial, &options, &extra, export, &mut |k| {
                    progress.update(k)
                })?);
                Ok(())
            })?;
            finished.expect("write_to ran the run")
        }
        TrainFormat::Table | TrainFormat::Json => {
            train::run(&initial, &options, &extra, Export::None, &mut |k| {
                progress.update(k)
            })?
        }
    };
    progress.finish();

    let judged = claims::judge(&claims, &run.checkpoints, options.update_order);
    match args.format {
        TrainFormat::Table if args.quiet => output::write_to(args.output.as_deref(), |out| {
            writeln!(
                out,
                "{}",
                training::final_line(&run, precision, typography, args.lang)
            )
        })?,
        TrainFormat::Table => {
            let table_options = TrainTableOptions {
                precision,
                ascii: args.ascii,
                fit_terminal: args.output.is_none() && output::stdout_is_terminal(),
                lang: args.lang,
                ..TrainTableOptions::default()
            };
            output::write_to(args.output.as_deref(), |out| {
                training::render(&run, &judged, &table_options, out)
            })?
        }
        TrainFormat::Json => output::write_to(args.output.as_deref(), |out| {
            export::write_summary(&run, out)
        })?,
        TrainFormat::Ndjson => {}
    }
    if let Some(path) = &args.plot {
        let shape: Vec<String> = initial.layers.iter().map(|n| n.to_string()).collect();
        let title = format!(
            "Loss curve: {} network, {} update order, {} iterations",
            shape.join("-"),
            options.update_order.name(),
            run.completed
        );
        let svg = plot::svg(&run.curve, &title);
        output::write_to(Some(path), |out| out.write_all(svg.as_bytes()))?;
    }
    if let Some(d) = &run.diverged {
        bail!(
            "{d}. The learning rate ({} = {}) is probably too large; what was exported holds \
             the {} iterations before it",
            typography.symbol("eta"),
            number::compact(initial.learning_rate, 9),
            run.completed
        );
    }
    Ok(())
}

/// Refuses the options that contradict each other: command-line mistakes, status 2.
fn check_usage(args: &TrainArgs) -> Result<(), UsageError> {
    if args.summary && args.format != TrainFormat::Ndjson {
        return Err(UsageError(
            "--summary selects what each NDJSON line holds: use it with --format ndjson".into(),
        ));
    }
    if let (Some(output), Some(plot)) = (&args.output, &args.plot)
        && same_file(output, plot)
    {
        return Err(UsageError(format!(
            "--output {} and --plot {} are the same file: the plot would replace the run's \
             results; give them different names",
            output.display(),
            plot.display()
        )));
    }
    Ok(())
}

/// Whether two paths name the same file, existing or not (`loss.svg` and `./loss.svg`).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolved = |path: &Path| -> Option<PathBuf> {
        if let Ok(existing) = path.canonicalize() {
            return Some(existing);
        }
        let folder = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(folder.canonicalize().ok()?.join(path.file_name()?))
    };
    a == b || resolved(a).is_some_and(|a| resolved(b) == Some(a))
}
