//! The trace as JSON: the format documented in traces/README.md, the one `show --format json`
//! writes and every command that reads a trace reads back.

use crate::trace::Trace;
use std::io::{self, Write};

/// Writes `trace` as pretty JSON followed by a newline.
pub fn render(trace: &Trace, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(trace.to_json_pretty().as_bytes())
}
