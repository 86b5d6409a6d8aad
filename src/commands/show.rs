//! `backprop show`: the iteration as tables that mirror the article, or as a JSON trace.

use crate::cli::{Format, ShowArgs};
use crate::commands::UsageError;
use crate::output;
use anyhow::{Result, anyhow};
use backprop_tracer::notation::Typography;
use backprop_tracer::render::table::Section;
use backprop_tracer::render::{json, table};
use backprop_tracer::trace::Trace;
use clap::ValueEnum;

pub fn run(args: &ShowArgs) -> Result<()> {
    let trace = args.iteration.record()?;
    let only = only(&trace, args)?;
    let to_terminal = args.output.is_none() && output::stdout_is_terminal();
    let color = args.display.color(to_terminal);
    colored::control::set_override(color);
    output::write_to(args.output.as_deref(), |out| match args.format {
        Format::Json => json::render(&trace, out),
        Format::Table => table::render(
            &trace,
            &table::TableOptions {
                lang: args.display.lang,
                color,
                ascii: args.display.ascii,
                width: args.width.resolve(to_terminal),
                only,
                section: args.section,
            },
            out,
        ),
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
                typography.symbol(&value.symbol),
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
