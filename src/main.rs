//! The `backprop` binary: parses the command line, runs the command, and maps errors to exit
//! status 1 (clap's usage errors are 2; a closed pipe is not an error; SIGINT, SIGTERM and
//! SIGHUP end it with 130, 143 and 129, as `signals` explains).
//!
//! Nothing here prints with `println!`/`eprintln!`, which panic when their stream fails: a
//! full disk or a closed pipe is an error to report (or, for standard error, to ignore).

mod cli;
mod commands;
mod input;
mod output;
mod signals;

use clap::Parser;
use cli::{Cli, Command};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `backprop tarin -n 5`: clap reads "tarin" as show's NETWORK and refuses -n; the
        // mistyped command is what to tell.
        Err(e) if e.use_stderr() => {
            return match std::env::args_os().nth(1).and_then(|w| mistyped(&w)) {
                Some(message) => usage_error(&message),
                None => clap_exit(&e),
            };
        }
        Err(e) => return clap_exit(&e),
    };
    if cli.command.is_none()
        && let Some(message) = cli
            .show
            .iteration
            .network
            .as_deref()
            .and_then(|w| mistyped(w.as_os_str()))
    {
        return usage_error(&message);
    }
    // From here an interruption removes an -o run's temporary file and restores the
    // stepper's terminal before it ends the program.
    signals::install();
    // With --ascii, the error messages are ASCII too (a symbol the user typed as ∂E/∂w9
    // comes back as dE/dw9).
    let typography = backprop_tracer::notation::Typography::from_ascii(cli.ascii());
    let result = match &cli.command {
        Some(Command::Show(args)) => commands::show::run(args),
        Some(Command::Step(args)) => commands::step::run(args),
        Some(Command::Explain(args)) => commands::explain::run(args),
        Some(Command::Verify(args)) => commands::verify::run(args),
        Some(Command::Grade(args)) => commands::grade::run(args),
        Some(Command::Check(args)) => commands::check::run(args),
        Some(Command::Train(args)) => commands::train::run(args),
        Some(Command::Diagram(args)) => commands::diagram::run(args),
        Some(Command::Schema(args)) => commands::schema::run(args),
        Some(Command::Exercise(args)) => commands::exercise::run(args),
        None => commands::show::run(&cli.show),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<commands::UsageError>().is_some() => {
            output::to_stderr(&format!("error: {}", typography.text(&format!("{e:#}"))));
            ExitCode::from(2)
        }
        Err(e) if e.is::<commands::Disagreed>() => ExitCode::FAILURE,
        Err(e) => {
            output::to_stderr(&format!("error: {}", typography.text(&format!("{e:#}"))));
            ExitCode::FAILURE
        }
    }
}

/// The message for a word that is neither a file nor a command but close to one.
fn mistyped(word: &std::ffi::OsStr) -> Option<String> {
    let command = cli::mistyped_command(word)?;
    Some(format!(
        "no command or file '{}'; did you mean {command}?",
        backprop_tracer::quote::excerpt(&word.to_string_lossy())
    ))
}

/// A usage error of ours: on standard error, exit status 2 (as clap's).
fn usage_error(message: &str) -> ExitCode {
    output::to_stderr(&format!("error: {message}"));
    ExitCode::from(2)
}

/// clap's own exits: usage errors (status 2, on standard error) and --help and --version
/// (status 0, on standard output). Help that could not be written is an error like any
/// other output that could not be; a closed pipe is not.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let printed = e.print().and_then(|_| {
        if e.use_stderr() {
            io::stderr().flush()
        } else {
            io::stdout().flush()
        }
    });
    match printed {
        Err(err) if !e.use_stderr() && err.kind() != io::ErrorKind::BrokenPipe => {
            output::to_stderr(&format!("error: {}: {err}", output::WRITING_STDOUT));
            ExitCode::FAILURE
        }
        _ => ExitCode::from(e.exit_code() as u8),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
