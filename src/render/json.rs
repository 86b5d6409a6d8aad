//! The trace as JSON: the format documented in traces/README.md, the one `show --format json`
//! writes and every command that reads a trace reads back.

use crate::trace::Trace;
use std::io::{self, Write};

/// Writes `trace` as pretty JSON followed by a newline (the text of
/// [`Trace::to_json_pretty`]), streamed: a large network's trace is never held twice.
pub fn render(trace: &Trace, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, trace)?;
    out.write_all(b"\n")?;
    out.flush()
}
