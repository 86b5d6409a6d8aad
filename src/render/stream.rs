//! The JSON trace written while it is computed: each value goes to the output the moment the
//! engine records it, so `show --format json` needs memory for one value, not for the
//! iteration (a 10,000,000-weight network records about 40 million values, some 2.4 KB each
//! when kept). The bytes are exactly those of [`super::json::render`] on the kept trace: the
//! envelope (format, version, network, options) is written key by key with serde_json's own
//! pretty printer, and each value is printed alone and indented to its depth in the document.

use crate::engine::{self, Describer, Entry, Recorder};
use crate::network::Network;
use crate::trace::{FORMAT_NAME, FORMAT_VERSION, Options, Stage, TracedValue};
use serde::Serialize;
use std::io::{self, Write};

/// Why a streamed trace stopped.
#[derive(Debug)]
pub enum StreamError {
    /// The iteration computed a NaN or an infinity: this value, the first.
    NonFinite(Box<TracedValue>),
    /// Writing failed.
    Io(io::Error),
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> Self {
        StreamError::Io(e)
    }
}

/// Depth of a value object in the document: root → `iterations` → the iteration → `values`.
const VALUE_INDENT: &[u8] = b"        ";

/// Records the first iteration of `network` with `options` and writes its trace to `out` as
/// it is computed, byte for byte what [`super::json::render`] writes for
/// [`engine::trace_iteration`]'s trace. Stops at the first non-finite value, with the output
/// left incomplete: a caller writing somewhere that cannot be taken back (standard output)
/// checks first with [`first_non_finite`], which costs an untraced-speed pass.
pub fn write_trace(
    network: Network,
    options: &Options,
    out: &mut dyn Write,
) -> Result<(), StreamError> {
    // Taken, not borrowed: the iteration updates it in place, and a copy of 10,000,000
    // weights would be 80 MB more.
    let mut net = engine::trace_start(network, options);
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    write_head(&net, options, &mut out)?;
    let mut rec = StreamingJsonRecorder::new(&net, options.precision, &mut out);
    engine::record_first_iteration(&mut net, options, &mut rec);
    rec.finish()?;
    out.write_all(b"\n      ]\n    }\n  ]\n}\n")?;
    out.flush()?;
    Ok(())
}

/// The first NaN or infinity [`engine::trace_iteration`] would record for `network`, with
/// its description, found without keeping or describing any other value.
pub fn first_non_finite(network: &Network, options: &Options) -> Option<TracedValue> {
    let mut net = engine::trace_start(network.clone(), options);
    let mut rec = FirstNonFinite {
        describer: Describer::new(&net, options.precision),
        found: None,
    };
    engine::record_first_iteration(&mut net, options, &mut rec);
    rec.found
}

/// Everything before the first value: `{ "format", "version", "network", "options",
/// "iterations": [ { "iteration": 1, "values": [`.
fn write_head(net: &Network, options: &Options, out: &mut impl Write) -> io::Result<()> {
    write!(out, "{{\n  \"format\": ")?;
    serde_json::to_writer(&mut *out, FORMAT_NAME)?;
    write!(out, ",\n  \"version\": {FORMAT_VERSION},\n  \"network\": ")?;
    pretty(net, b"  ", out)?;
    write!(out, ",\n  \"options\": ")?;
    pretty(options, b"  ", out)?;
    write!(
        out,
        ",\n  \"iterations\": [\n    {{\n      \"iteration\": 1,\n      \"values\": ["
    )
}

/// `value` pretty-printed as serde_json prints it at the depth whose indentation is
/// `indent`: the same text printed alone, with `indent` after every line break (serde_json
/// escapes line breaks inside strings, so every one in its output is the layout's).
fn pretty(value: &impl Serialize, indent: &[u8], out: &mut impl Write) -> io::Result<()> {
    let mut indented = Indented { out, indent };
    serde_json::to_writer_pretty(&mut indented, value)?;
    Ok(())
}

/// A writer that writes `indent` after every line break.
struct Indented<'a, W: Write> {
    out: &'a mut W,
    indent: &'a [u8],
}

impl<W: Write> Write for Indented<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            self.out.write_all(&rest[..=at])?;
            self.out.write_all(self.indent)?;
            rest = &rest[at + 1..];
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A [`Recorder`] that writes each value into the `values` list as it is recorded, keeping
/// one value's buffers (reused for the next), so its memory does not grow with the network.
/// The first non-finite value or write error stops the writing; later values are neither
/// described nor written, and [`finish`](Self::finish) returns the reason.
pub struct StreamingJsonRecorder<'w, W: Write> {
    describer: Describer,
    out: &'w mut W,
    /// The value being written (its strings are reused for the next).
    scratch: TracedValue,
    written: usize,
    stopped: Option<StreamError>,
}

impl<'w, W: Write> StreamingJsonRecorder<'w, W> {
    /// A recorder for `net` writing into `out`, which is inside a `values` list just opened
    /// (see [`write_trace`]).
    pub fn new(net: &Network, precision: usize, out: &'w mut W) -> Self {
        StreamingJsonRecorder {
            describer: Describer::new(net, precision),
            out,
            scratch: engine::blank_value(),
            written: 0,
            stopped: None,
        }
    }

    /// Closes the list's last value (the caller closes the list): Ok when every value was
    /// written; otherwise the first non-finite value or write error.
    pub fn finish(self) -> Result<(), StreamError> {
        match self.stopped {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn write_value(&mut self) -> io::Result<()> {
        // serde_json separates array items with ",\n" and indents each.
        self.out
            .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        self.out.write_all(VALUE_INDENT)?;
        pretty(&self.scratch, VALUE_INDENT, self.out)
    }
}

impl<W: Write> Recorder for StreamingJsonRecorder<'_, W> {
    fn sample(&mut self, sample: Option<usize>) {
        self.describer.set_sample(sample);
    }

    fn record(
        &mut self,
        stage: Stage,
        layer: Option<usize>,
        value: f64,
        describe: impl FnOnce(&mut Entry<'_>),
    ) {
        if self.stopped.is_some() {
            return;
        }
        self.describer
            .fill(&mut self.scratch, stage, layer, value, describe);
        if !value.is_finite() {
            let bad = std::mem::replace(&mut self.scratch, engine::blank_value());
            self.stopped = Some(StreamError::NonFinite(Box::new(bad)));
            return;
        }
        match self.write_value() {
            Ok(()) => self.written += 1,
            Err(e) => self.stopped = Some(StreamError::Io(e)),
        }
    }
}

/// A [`Recorder`] that keeps only the first non-finite value, describing no other.
struct FirstNonFinite {
    describer: Describer,
    found: Option<TracedValue>,
}

impl Recorder for FirstNonFinite {
    fn sample(&mut self, sample: Option<usize>) {
        self.describer.set_sample(sample);
    }

    fn record(
        &mut self,
        stage: Stage,
        layer: Option<usize>,
        value: f64,
        describe: impl FnOnce(&mut Entry<'_>),
    ) {
        if value.is_finite() || self.found.is_some() {
            return;
        }
        let mut bad = engine::blank_value();
        self.describer.fill(&mut bad, stage, layer, value, describe);
        self.found = Some(bad);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;
    use crate::render::json;
    use crate::trace::UpdateOrder;

    fn streamed(net: &Network, options: &Options) -> String {
        let mut out = Vec::new();
        write_trace(net.clone(), options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn kept(net: &Network, options: &Options) -> String {
        let mut out = Vec::new();
        json::render(&engine::trace_iteration(net, options), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_streamed_trace_is_the_kept_one_byte_for_byte() {
        let mut tanh = Network::article();
        tanh.activations = vec![Activation::Tanh, Activation::Linear];
        for net in [Network::article(), tanh] {
            for update_order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
                for update_biases in [false, true] {
                    let options = Options {
                        update_order,
                        update_biases,
                        precision: 4,
                    };
                    assert_eq!(streamed(&net, &options), kept(&net, &options));
                }
            }
        }
    }

    #[test]
    fn a_non_finite_value_stops_the_stream_and_is_named() {
        // traces/linear-1e6.json, with η = 1e306: the updated weights overflow.
        let mut net = Network::article();
        net.activations = vec![Activation::Linear; 2];
        net.learning_rate = 1e306;
        let options = Options::default();
        let kept = engine::trace_iteration(&net, &options);
        let expected = kept.first().first_non_finite().unwrap().clone();
        let mut out = Vec::new();
        match write_trace(net.clone(), &options, &mut out) {
            Err(StreamError::NonFinite(bad)) => assert_eq!(*bad, expected),
            other => panic!("expected a non-finite value, got {other:?}"),
        }
        assert_eq!(first_non_finite(&net, &options), Some(expected));
        assert_eq!(first_non_finite(&Network::article(), &options), None);
    }
}
