//! `backprop schema NAME`: a published JSON Schema (schemas/NAME.schema.json), for a program
//! that validates what the tool writes, or what it feeds the tool.

use crate::output;
use anyhow::Result;
use backprop_tracer::schemas::Schema;
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// Which document's schema.
    #[arg(value_enum)]
    pub name: Schema,
}

pub fn run(args: &SchemaArgs) -> Result<()> {
    output::write_to(None, |out| out.write_all(args.name.text().as_bytes()))
}
