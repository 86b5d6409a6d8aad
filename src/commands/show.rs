//! `backprop show`: the iteration as tables that mirror the article, or as a JSON trace.

use crate::cli::{Format, ShowArgs};
use crate::output;
use anyhow::Result;
use backprop_tracer::render::{json, table};

pub fn run(args: &ShowArgs) -> Result<()> {
    let super::Recorded { trace, heading } = args.iteration.record()?;
    // Every --only symbol must name a value: a typo should not print an empty page.
    let only = args
        .only
        .iter()
        .map(|written| Ok(trace.first().lookup(written)?.symbol.clone()))
        .collect::<Result<Vec<String>>>()?;
    let to_terminal = args.output.is_none() && output::stdout_is_terminal();
    let color = args.display.color(to_terminal);
    colored::control::set_override(color);
    if args.format == Format::Json {
        // The trace records the seed; the reader of the terminal hears it too.
        super::heading_to_stderr(&heading);
    }
    output::write_to(args.output.as_deref(), |out| match args.format {
        Format::Json => json::render(&trace, out),
        Format::Table => table::render(
            &trace,
            &table::TableOptions {
                lang: args.display.lang,
                color,
                ascii: args.display.ascii,
                fit_terminal: to_terminal,
                only,
                section: args.section,
                heading: heading.clone(),
            },
            out,
        ),
    })
}
