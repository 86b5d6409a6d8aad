//! The gradebook: one line per row of the class, as CSV (for a spreadsheet) or JSON (for a
//! program). Both are written from [`Line`], so they say the same.
//!
//! Columns: `student`, `file`, `status` (graded, unreadable, no_key, wrong_student,
//! missing), `score` (percent, see [`super::Counts::score`]), `answered`, `right`,
//! `follow_on`, `mistakes`, `too_few_digits`, `unknown`, `first_wrong` (its symbol as the trace spells it, in
//! ASCII), `yours`, `correct`, `slip` (its id, as `verify --format json` names it),
//! `slip_text` and `note` (in the report's language).

use super::{Class, Outcome, Submission, Unreadable, quoted};
use crate::notation::Typography;
use crate::render::Lang;
use crate::render::lang::fill;
use serde::Serialize;
use std::io::{self, Write};

/// One line of the gradebook.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// The student, as a file stem.
    pub student: String,
    /// The submission's file name (none for a missing submission).
    pub file: Option<String>,
    /// graded, unreadable, no_key, wrong_student or missing.
    pub status: &'static str,
    /// Percent of the values answered that are right or follow from an earlier mistake.
    pub score: Option<f64>,
    /// Values counted (see [`super::Counts`]).
    pub answered: Option<usize>,
    /// Values right.
    pub right: Option<usize>,
    /// Values computed correctly from the student's own earlier wrong values.
    pub follow_on: Option<usize>,
    /// New mistakes.
    pub mistakes: Option<usize>,
    /// Values that agree but are written with too few significant digits to count.
    pub too_few_digits: Option<usize>,
    /// Values whose symbol is not the network's.
    pub unknown: Option<usize>,
    /// The first wrong value's symbol (ASCII).
    pub first_wrong: Option<String>,
    /// It as the student wrote it.
    pub yours: Option<String>,
    /// Its correct value.
    pub correct: Option<String>,
    /// The slip recognised there: its id.
    pub slip: Option<&'static str>,
    /// The slip in a few words.
    pub slip_text: Option<String>,
    /// Why a submission was not graded, or what else to know about it.
    pub note: String,
}

/// The CSV header.
pub const COLUMNS: [&str; 16] = [
    "student",
    "file",
    "status",
    "score",
    "answered",
    "right",
    "follow_on",
    "mistakes",
    "too_few_digits",
    "unknown",
    "first_wrong",
    "yours",
    "correct",
    "slip",
    "slip_text",
    "note",
];

/// The name in the JSON gradebook's `format`.
pub const FORMAT_NAME: &str = "backprop-tracer/gradebook";

/// The status of a row, as the gradebook names it.
pub fn status(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Graded(_) => "graded",
        Outcome::Unreadable(_) => "unreadable",
        Outcome::NoKey { .. } => "no_key",
        Outcome::WrongStudent { .. } => "wrong_student",
        Outcome::Missing => "missing",
    }
}

/// Why a submission could not be read, in `lang`.
pub fn unreadable(why: &Unreadable, lang: Lang) -> String {
    let g = lang.grade();
    match why {
        Unreadable::Folder => g.folder.to_string(),
        Unreadable::NotAFile => g.not_a_file.to_string(),
        Unreadable::Extension(e) if e.is_empty() => g.no_extension.to_string(),
        Unreadable::Extension(e) => fill(g.extension, &[("extension", &quoted(e))]),
        Unreadable::TooLarge(bytes) => fill(
            g.too_large,
            &[
                ("bytes", &bytes.to_string()),
                ("max", &super::MAX_SUBMISSION_BYTES.to_string()),
            ],
        ),
        Unreadable::Empty => g.empty.to_string(),
        Unreadable::NotUtf8(offset) => fill(g.not_utf8, &[("offset", &offset.to_string())]),
        Unreadable::Io(e) => fill(g.cannot_read, &[("why", e)]),
        Unreadable::Homework(e) => e.to_string(),
        Unreadable::NoKnownSymbol { values, first } => fill(
            g.no_known_symbol,
            &[("values", &values.to_string()), ("first", &quoted(first))],
        ),
    }
}

/// What the note of a row not graded says, in `lang`; for a graded one, what else to know.
pub fn note(row: &Submission, lang: Lang) -> String {
    let g = lang.grade();
    match &row.outcome {
        Outcome::Graded(graded) => {
            let mut notes = Vec::new();
            if graded.counts.answered == 0 {
                notes.push(g.nothing_computed.to_string());
            }
            if !graded.report.unknown.is_empty() {
                let symbols: Vec<String> = graded
                    .report
                    .unknown
                    .iter()
                    .map(|u| quoted(&u.entry.written))
                    .collect();
                notes.push(fill(g.unknown_symbols, &[("symbols", &symbols.join(", "))]));
            }
            notes.join("; ")
        }
        Outcome::Unreadable(why) => unreadable(why, lang),
        Outcome::NoKey { nearest: None } => g.no_key.to_string(),
        Outcome::NoKey {
            nearest: Some(nearest),
        } => fill(g.no_key_nearest, &[("nearest", nearest)]),
        Outcome::WrongStudent {
            whose,
            given,
            disagree,
        } => fill(
            g.wrong_student,
            &[
                ("whose", &whose.join(" / ")),
                ("given", &given.to_string()),
                ("disagree", &disagree.to_string()),
            ],
        ),
        Outcome::Missing => g.missing.to_string(),
    }
}

/// The gradebook's line for `row`, its words in `lang` and `typography`.
pub fn line(row: &Submission, lang: Lang, typography: Typography) -> Line {
    let mut line = Line {
        student: row.student.clone(),
        file: row.file.clone(),
        status: status(&row.outcome),
        score: None,
        answered: None,
        right: None,
        follow_on: None,
        mistakes: None,
        too_few_digits: None,
        unknown: None,
        first_wrong: None,
        yours: None,
        correct: None,
        slip: None,
        slip_text: None,
        note: typography.text(&note(row, lang)).into_owned(),
    };
    let Outcome::Graded(graded) = &row.outcome else {
        return line;
    };
    let c = graded.counts;
    line.score = c.score().map(|s| (s * 10.0).round() / 10.0);
    line.answered = Some(c.answered);
    line.right = Some(c.right);
    line.follow_on = Some(c.follow_on);
    line.mistakes = Some(c.mistakes);
    line.too_few_digits = Some(c.too_few_digits);
    line.unknown = Some(c.unknown);
    if let Some(first) = graded.first_wrong() {
        line.first_wrong = Some(first.symbol.clone());
        line.yours = Some(first.entry.printed.clone());
        line.correct = Some(first.show(first.correct));
        let (slip, text) = super::named(first, lang);
        line.slip = slip;
        line.slip_text = Some(typography.text(&text).into_owned());
    }
    line
}

/// Every line of `class`.
pub fn lines(class: &Class, lang: Lang, typography: Typography) -> Vec<Line> {
    class
        .rows
        .iter()
        .map(|row| line(row, lang, typography))
        .collect()
}

/// Writes `lines` as CSV: a header, then one line each; a field holding a comma, a quote or
/// a line break is quoted (RFC 4180).
pub fn write_csv(lines: &[Line], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", COLUMNS.join(","))?;
    for l in lines {
        let count = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        let fields = [
            l.student.clone(),
            text(&l.file),
            l.status.to_string(),
            l.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
            count(l.answered),
            count(l.right),
            count(l.follow_on),
            count(l.mistakes),
            count(l.too_few_digits),
            count(l.unknown),
            text(&l.first_wrong),
            text(&l.yours),
            text(&l.correct),
            l.slip.unwrap_or_default().to_string(),
            text(&l.slip_text),
            l.note.clone(),
        ];
        let fields: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

/// Writes `lines` as one JSON document: `{"format", "version", "rows": [...]}`.
pub fn write_json(lines: &[Line], out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        format: &'static str,
        version: u32,
        rows: &'a [Line],
    }
    let doc = Document {
        format: FORMAT_NAME,
        version: 1,
        rows: lines,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

/// One CSV field: quoted (its quotes doubled) when it holds a separator, a quote or a line
/// break, or starts with a character a spreadsheet would read as a formula (a student's
/// file name is theirs to choose).
fn csv_field(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@']) && !is_number(field) {
        return format!("\"'{}\"", field.replace('"', "\"\""));
    }
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn is_number(field: &str) -> bool {
    field.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_where_they_must_be() {
        assert_eq!(csv_field("alice"), "alice");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        // A negative number stays a number; a formula is defused.
        assert_eq!(csv_field("-0.741365069"), "-0.741365069");
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_field("-cmd"), "\"'-cmd\"");
    }
}
