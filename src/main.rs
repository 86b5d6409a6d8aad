//! The `backprop` binary: parses the command line, runs the command, and maps errors to exit
//! status 1 (clap's usage errors are 2; a closed pipe is not an error).

mod cli;
mod input;
mod output;

use anyhow::{Result, bail};
use backprop_tracer::engine;
use backprop_tracer::number;
use backprop_tracer::render::{json, table};
use backprop_tracer::trace::Options;
use clap::Parser;
use cli::{Cli, ColorChoice, Command, Format, ShowArgs};
use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" that exit 0; a closed pipe there is fine too.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    let result = match cli.command {
        Some(Command::Show(args)) => show(&args),
        None => show(&cli.show),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn show(args: &ShowArgs) -> Result<()> {
    let network = input::load_network(args.network.as_deref())?;
    let options = Options {
        update_order: args.update_order,
        update_biases: args.update_biases || network.update_biases,
        precision: args.precision as usize,
    };
    let trace = engine::trace_iteration(&network, &options);
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
    let to_terminal = args.output.is_none() && output::stdout_is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(color);
    output::write_to(args.output.as_deref(), |out| match args.format {
        Format::Json => json::render(&trace, out),
        Format::Table => table::render(
            &trace,
            &table::TableOptions {
                lang: args.lang,
                color,
                ascii: args.ascii,
                fit_terminal: to_terminal,
            },
            out,
        ),
    })
}
