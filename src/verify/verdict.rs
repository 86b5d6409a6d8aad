//! `verify --format json`: the verdict as a document a program reads (a grader, a CI job
//! piping it into jq), published as schemas/verdict.schema.json. Every value checked is
//! listed with its status — `agrees`, `differs` (with the problem, the value expected and the
//! slip where one is recognised), `follows` (computed from earlier wrong values, named) — and
//! the document closes with the count and the result. It is written as the values are
//! checked, so a training stream of any length is never held.

use serde::Serialize;
use std::io::{self, Write};

/// One value's verdict.
#[derive(Serialize)]
pub struct ValueVerdict {
    /// The iteration (traces and training streams).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iteration: Option<usize>,
    /// The symbol, as the trace spells it (ASCII).
    pub symbol: String,
    /// As the student wrote it (homework).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
    /// The value checked: the one recorded, or the one written.
    pub value: f64,
    /// What it should be, where that is known and it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<f64>,
    /// agrees, differs or follows.
    pub status: &'static str,
    /// With `follows`: the earlier wrong values it was computed from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follows_from: Vec<String>,
    /// With `differs`: what is wrong, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// With `differs`: the slips that give the value written, likeliest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slips: Vec<SlipVerdict>,
    /// A number the article prints that the value written is (homework on its network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// A recognised slip.
#[derive(Serialize)]
pub struct SlipVerdict {
    /// Its name (`sign_flipped`, `derivative_left_out`, …).
    pub id: &'static str,
    /// It, in a sentence.
    pub description: String,
}

/// A value whose symbol is not the network's (homework).
#[derive(Serialize)]
pub struct UnknownVerdict {
    pub written: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// What the document says before its values.
#[derive(Serialize)]
pub struct Head<'a> {
    pub format: &'static str,
    pub version: u32,
    /// The file checked.
    pub file: &'a str,
    /// homework, trace or training_stream.
    pub kind: &'static str,
    /// How a value is judged, in a sentence.
    pub rule: &'static str,
    /// With traces and streams: the tolerances of the recomputation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Tolerance>,
}

/// A recomputed value agrees within `relative` of the larger, or `absolute`.
#[derive(Serialize)]
pub struct Tolerance {
    pub relative: f64,
    pub absolute: f64,
}

/// The name in `format`.
pub const FORMAT_NAME: &str = "backprop-tracer/verdict";

/// Writes a verdict document value by value.
pub struct Writer<'w> {
    out: &'w mut dyn Write,
    values: usize,
}

impl<'w> Writer<'w> {
    /// Starts the document: its head, then the list of values.
    pub fn start(out: &'w mut dyn Write, head: &Head) -> io::Result<Writer<'w>> {
        // The head's fields, then "values": the head serialised without its closing brace.
        let head = serde_json::to_string(head).map_err(io::Error::from)?;
        write!(out, "{},\"values\":[", &head[..head.len() - 1])?;
        Ok(Writer { out, values: 0 })
    }

    /// Adds one value.
    pub fn value(&mut self, v: &ValueVerdict) -> io::Result<()> {
        if self.values > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut *self.out, v).map_err(io::Error::from)?;
        self.values += 1;
        Ok(())
    }

    /// Closes the document with the values whose symbols are not the network's, the count
    /// and the result.
    pub fn finish(self, unknown: &[UnknownVerdict], agrees: bool) -> io::Result<()> {
        self.close(unknown, None, agrees)
    }

    /// Closes the document of a stream that could not be read to its end: what stopped it
    /// (the line and why), and the result, which cannot be that it agrees.
    pub fn unreadable(self, why: &str) -> io::Result<()> {
        self.close(&[], Some(why), false)
    }

    fn close(
        self,
        unknown: &[UnknownVerdict],
        unreadable: Option<&str>,
        agrees: bool,
    ) -> io::Result<()> {
        write!(self.out, "\n],\"unknown\":")?;
        serde_json::to_writer(&mut *self.out, unknown).map_err(io::Error::from)?;
        if let Some(why) = unreadable {
            write!(self.out, ",\"unreadable\":")?;
            serde_json::to_writer(&mut *self.out, why).map_err(io::Error::from)?;
        }
        writeln!(
            self.out,
            ",\"checked\":{},\"result\":\"{}\"}}",
            self.values,
            if agrees { "agrees" } else { "disagrees" }
        )
    }
}
