//! `backprop show`: the iteration as tables that mirror the article, or as a JSON trace.
//!
//! The tables need the whole trace in memory (so the network must fit in the memory budget,
//! see `budget`); the JSON trace is written while the iteration is computed, so a network of
//! any size the loader accepts can be written in little memory.

use crate::cli::{Format, ShowArgs};
use crate::commands::{UsageError, non_finite_error};
use crate::output;
use anyhow::{Result, anyhow};
use backprop_tracer::notation::Typography;
use backprop_tracer::render::document::{self, DocumentOptions};
use backprop_tracer::render::page::{self, PageOptions};
use backprop_tracer::render::stream::{self, StreamError};
use backprop_tracer::render::symbols::Symbols;
use backprop_tracer::render::table::{self, Section};
use backprop_tracer::trace::Trace;
use clap::ValueEnum;
use std::cell::RefCell;
use std::io;

pub fn run(args: &ShowArgs) -> Result<()> {
    if args.format == Format::Json {
        return run_json(args);
    }
    let super::Recorded { trace, heading } = args.iteration.record(args.display.lang)?;
    if matches!(args.format, Format::Markdown | Format::Latex) {
        let lang = args.display.lang;
        let blocks = document::blocks(
            &trace,
            &DocumentOptions {
                lang,
                heading,
                blanks: None,
            },
        );
        return output::write_to(args.output.as_deref(), |out| match args.format {
            Format::Latex => document::latex::write(&blocks, lang, out),
            _ => document::markdown::write(&blocks, out),
        });
    }
    if args.format == Format::Html {
        let options = PageOptions {
            lang: args.display.lang,
            heading,
        };
        let written = output::write_to(args.output.as_deref(), |out| {
            page::write(&trace, &options, out)
        });
        // The process ends next: freeing a large trace value by value (a 784-128-10
        // network's is a million strings) would only delay it, by a tenth of the run.
        std::mem::forget(trace);
        return written;
    }
    let only = only(&trace, args)?;
    let to_terminal = args.output.is_none() && output::stdout_is_terminal();
    let color = args.display.color(to_terminal);
    colored::control::set_override(color);
    output::write_to(args.output.as_deref(), |out| {
        table::render(
            &trace,
            &table::TableOptions {
                lang: args.display.lang,
                color,
                ascii: args.display.ascii,
                width: args.width.resolve(to_terminal),
                only,
                section: args.section,
                heading: heading.clone(),
            },
            out,
        )
    })
}

/// The trace symbols `--only` names. Every one must name a value, and a value of the
/// `--section` given: a typo, or a value asked for in the wrong section, should not print
/// an empty page.
fn only(trace: &Trace, args: &ShowArgs) -> Result<Vec<String>> {
    let typography = Typography::from_ascii(args.display.ascii);
    let mut only = Vec::with_capacity(args.only.len());
    for written in &args.only {
        let value = trace
            .first()
            .lookup(written)
            .map_err(|e| anyhow!(e.message(typography)))?;
        if let Some(section) = args.section
            && Section::of(value.stage) != section
        {
            return Err(UsageError(format!(
                "{} is not in --section {}: it is in --section {}",
                Symbols::new(trace, typography).value(value),
                name(section),
                name(Section::of(value.stage))
            ))
            .into());
        }
        only.push(value.symbol.clone());
    }
    Ok(only)
}

/// A section as `--section` spells it.
fn name(section: Section) -> String {
    section
        .to_possible_value()
        .map_or_else(|| format!("{section:?}"), |v| v.get_name().to_string())
}

/// The JSON trace, streamed. A NaN or an infinity is refused as the tables refuse it, and
/// nothing is written: a first pass, as fast as an untraced iteration and keeping nothing,
/// looks for one before the first byte goes out (standard output cannot be taken back; a
/// FILE would be left untouched anyway, being written to a temporary file renamed at the
/// end).
fn run_json(args: &ShowArgs) -> Result<()> {
    let resolved = args.iteration.resolve()?;
    // The trace records the seed; the reader of the terminal hears it too.
    super::heading_to_stderr(&resolved.heading(args.display.lang));
    let super::Resolved {
        name,
        network,
        options,
        ..
    } = resolved;
    if let Some(bad) = stream::first_non_finite(&network, &options) {
        return Err(non_finite_error(&name, &bad));
    }
    // The writer passes only io::Errors; a non-finite value met while streaming (which the
    // first pass rules out: the iteration is deterministic) is kept here to be reported as
    // itself.
    let stopped = RefCell::new(None);
    let written = output::write_to(args.output.as_deref(), |out| {
        match stream::write_trace(network, &options, out) {
            Ok(()) => Ok(()),
            Err(StreamError::Io(e)) => Err(e),
            Err(StreamError::NonFinite(bad)) => {
                *stopped.borrow_mut() = Some(bad);
                Err(io::Error::other(
                    "the iteration produced a non-finite value",
                ))
            }
        }
    });
    match stopped.into_inner() {
        Some(bad) => Err(non_finite_error(&name, &bad)),
        None => written,
    }
}
