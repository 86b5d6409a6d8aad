//! `backprop explain SYMBOL`: one value's derivation as a tree, as text or JSON.

use crate::cli::{DisplayArgs, IterationArgs, WidthArgs};
use crate::output;
use anyhow::{Result, anyhow};
use backprop_tracer::notation::Typography;
use backprop_tracer::render::explain::{self, ExplainOptions};
use backprop_tracer::render::layout;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The value to take apart: dE_total/dw1 or ∂E_total/∂w1 (or dE/dw1), delta_h1 or δ_h1,
    /// w5+ or w5⁺ (or w5_new), out_o1, E_total … (`backprop show` lists them all).
    #[arg(value_name = "SYMBOL")]
    pub symbol: String,

    #[command(flatten)]
    pub iteration: IterationArgs,

    #[command(flatten)]
    pub display: DisplayArgs,

    /// text: a tree, one value per line; json: the same tree as JSON.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,

    /// Write to FILE instead of standard output (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Stop the tree N levels below the value, saying how much is left out (the JSON tree
    /// is always whole).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: Option<u32>,

    #[command(flatten)]
    pub width: WidthArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

pub fn run(args: &ExplainArgs) -> Result<()> {
    let super::Recorded { trace, heading } = args.iteration.record(args.display.lang)?;
    let typography = Typography::from_ascii(args.display.ascii);
    // JSON is data for programs: it keeps the whole tree.
    let depth = match args.format {
        ExplainFormat::Text => args.depth.map(|d| d as usize),
        ExplainFormat::Json => None,
    };
    let to_terminal = args.output.is_none() && output::stdout_is_terminal();
    let width = match args.format {
        ExplainFormat::Text => args.width.resolve(to_terminal),
        ExplainFormat::Json => None,
    };
    let root = explain::tree_to_depth(&trace, &args.symbol, depth, width)
        .map_err(|e| anyhow!(e.message(typography)))?;
    let color = args.display.color(to_terminal);
    colored::control::set_override(color);
    let options = ExplainOptions {
        lang: args.display.lang,
        ascii: args.display.ascii,
        color,
        precision: trace.options.precision,
        width,
    };
    if args.format == ExplainFormat::Json {
        super::heading_to_stderr(&heading);
    }
    output::write_to(args.output.as_deref(), |out| match args.format {
        ExplainFormat::Text => {
            for line in &heading {
                for part in layout::wrap(line, width, "", "") {
                    writeln!(out, "{part}")?;
                }
            }
            explain::render_text(&root, &options, out)
        }
        ExplainFormat::Json => explain::render_json(&root, out),
    })
}
