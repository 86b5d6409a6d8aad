//! `backprop diagram`: the article's figure for any network, as SVG or Graphviz DOT, with
//! the iteration's values on it when asked.

use crate::cli::IterationArgs;
use crate::output;
use anyhow::Result;
use backprop_tracer::render::Lang;
use backprop_tracer::render::diagram::Diagram;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct DiagramArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    /// svg: the drawing (as the HTML page shows it); dot: Graphviz's language, for
    /// `dot -Tsvg` or `dot -Tpng`.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
    pub format: DiagramFormat,

    /// Write the iteration's values on the figure: each neuron's net, out and δ, each
    /// weight and bias before → after the update.
    #[arg(long)]
    pub values: bool,

    /// Write to FILE instead of standard output (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    Svg,
    Dot,
}

pub fn run(args: &DiagramArgs) -> Result<()> {
    // The figure alone needs only the network; its values need the iteration recorded.
    let diagram = if args.values {
        let super::Recorded { trace, .. } = args.iteration.record(Lang::En)?;
        Diagram::new(&trace.network, Some(&trace))
    } else {
        let resolved = args.iteration.resolve()?;
        Diagram::new(&resolved.network, None)
    };
    let text = match args.format {
        DiagramFormat::Svg => diagram.to_svg(),
        DiagramFormat::Dot => diagram.to_dot(),
    };
    output::write_to(args.output.as_deref(), |out| out.write_all(text.as_bytes()))
}
