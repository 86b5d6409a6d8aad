//! The `backprop` binary: parses the command line, runs the command, and maps errors to exit
//! status 1 (clap's usage errors are 2; a closed pipe is not an error).

mod cli;
mod commands;
mod input;
mod output;

use clap::Parser;
use cli::{Cli, Command};
use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version come this way too, with status 0; a closed pipe while
            // printing them is no error.
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    // With --ascii, the error messages are ASCII too (a symbol the user typed as ∂E/∂w9
    // comes back as dE/dw9).
    let typography = backprop_tracer::notation::Typography::from_ascii(cli.ascii());
    let result = match &cli.command {
        Some(Command::Show(args)) => commands::show::run(args),
        Some(Command::Step(args)) => commands::step::run(args),
        Some(Command::Explain(args)) => commands::explain::run(args),
        Some(Command::Verify(args)) => commands::verify::run(args),
        Some(Command::Check(args)) => commands::check::run(args),
        Some(Command::Train(args)) => commands::train::run(args),
        None => commands::show::run(&cli.show),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<commands::UsageError>().is_some() => {
            eprintln!("error: {}", typography.text(&format!("{e:#}")));
            ExitCode::from(2)
        }
        Err(e) if e.is::<commands::Disagreed>() => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {}", typography.text(&format!("{e:#}")));
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
