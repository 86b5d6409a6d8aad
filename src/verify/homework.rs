//! A student's own numbers, checked: read from JSON (`{"out_h1": 0.5933}`) or CSV
//! (`out_h1,0.5933`), every value compared with the engine's at the precision the student
//! wrote it, and every wrong one explained: it follows from an earlier wrong one ("follows
//! from your ∂E_total/∂out_h1"), or it is a new mistake, named where it is a known slip
//! ([`crate::verify::slips`]).

use crate::engine;
use crate::network::Network;
use crate::number;
use crate::number::{agrees_at_printed_precision, half_unit};
use crate::quote::excerpt;
use crate::trace::{Options, Stage, Trace, UpdateOrder};
use crate::verify::errata::{self, ArticleFigure};
use crate::verify::slips::{self, Compiled, Diagnosis, Prepared, Slip, Written};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};

/// A problem with a homework file, naming the line or key and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HomeworkError {
    /// JSON that does not parse, or is not an object of numbers.
    #[error("not a JSON object of symbol: value pairs: {}", crate::quote::shorten_quoted(.0))]
    Json(String),
    /// A JSON value that is not a number.
    #[error("\"{}\": expected a number, got {}", excerpt(key), excerpt(got))]
    NotANumber {
        /// The key.
        key: String,
        /// What the value was.
        got: String,
    },
    /// A CSV line that is not `symbol,value`.
    #[error(
        "line {line}: expected symbol,value (e.g. out_h1,0.593269992), got \"{}\"",
        excerpt(text)
    )]
    Line {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A comma-separated line with three fields, the middle two probably one number with a
    /// decimal comma: never read as a symbol and another number.
    #[error(
        "line {line}: \"{}\" has three fields; if 0,3775 is a number with a decimal comma, \
         separate the symbol with a semicolon (net_h1;0,3775) or write a decimal point \
         (net_h1,0.3775)",
        excerpt(text)
    )]
    DecimalComma {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A network file given where the values belong.
    #[error(
        "this is a network file, not a list of your values: give it with --network, and your \
         values in FILE as {{\"symbol\": value}} or symbol,value lines"
    )]
    NetworkFile,
    /// No values at all.
    #[error("no values found; write one symbol,value per line or a JSON object")]
    Empty,
    /// One key twice in a JSON object (a JSON reader would keep one of them, silently).
    #[error("\"{}\" is given twice; give each value once", excerpt(key))]
    RepeatedKey {
        /// The key.
        key: String,
    },
    /// Two entries for the same symbol.
    #[error(
        "{symbol} is given twice (as \"{}\" and as \"{}\")",
        excerpt(first),
        excerpt(second)
    )]
    Duplicate {
        /// The trace symbol.
        symbol: String,
        /// The first spelling.
        first: String,
        /// The second spelling.
        second: String,
    },
}

/// One value as the student wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The symbol as written (`∂E_total/∂w5`, `dEtotal/dw5`, `w5_new`).
    pub written: String,
    /// The number as written, which sets the precision it is compared at.
    pub printed: String,
    /// Its value.
    pub value: f64,
}

/// Reads a homework file: a JSON object, or CSV lines `symbol,value` (a header line,
/// blank lines and `#` comments are skipped). A value left empty (`net_h1,`, `null`, `""`)
/// is not answered and left out; a line may end with a separator (`net_h1,0.3775,`); with
/// `;` (or a tab) between the fields, a comma in the number is its decimal point
/// (`net_h1;0,3775`), as it is in a quoted comma-separated field (`net_h1,"0,3775"`); an
/// unquoted decimal comma in a comma-separated line is refused.
pub fn read(text: &str) -> Result<Vec<Entry>, HomeworkError> {
    // An editor may start a UTF-8 file with a byte-order mark; it is not part of the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let entries = if text.trim_start().starts_with('{') {
        read_json(text)?
    } else {
        read_csv(text)?
    };
    if entries.is_empty() {
        return Err(HomeworkError::Empty);
    }
    Ok(entries)
}

fn read_json(text: &str) -> Result<Vec<Entry>, HomeworkError> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text)
        && map.contains_key("layers")
        && map.contains_key("weights")
    {
        return Err(HomeworkError::NetworkFile);
    }
    let Pairs(mut pairs) =
        serde_json::from_str(text).map_err(|e| HomeworkError::Json(e.to_string()))?;
    let mut seen = HashSet::new();
    if let Some((key, _)) = pairs.iter().find(|(key, _)| !seen.insert(key.as_str())) {
        return Err(HomeworkError::RepeatedKey { key: key.clone() });
    }
    // In key order, as they were read before keys were checked for repeats.
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
        .into_iter()
        // null or "" is a value not answered (a template's blank), not a mistake.
        .filter(|(_, raw)| !matches!(raw.get().trim(), "null" | "\"\""))
        .map(|(key, raw)| {
            let raw = raw.get().trim();
            // A number, or a number in a string ("0.5933"); the text keeps trailing zeros.
            let printed = raw.trim_matches('"').trim();
            match printed.parse::<f64>() {
                Ok(value) if value.is_finite() && !printed.is_empty() => Ok(Entry {
                    written: key,
                    printed: printed.to_string(),
                    value,
                }),
                // A list or an object is named, not quoted: it may run to many lines.
                _ => Err(HomeworkError::NotANumber {
                    key,
                    got: match raw.as_bytes().first() {
                        Some(b'[') => "a list".to_string(),
                        Some(b'{') => "an object".to_string(),
                        _ => raw.to_string(),
                    },
                }),
            }
        })
        .collect()
}

/// A JSON object's pairs as written, repeats included: read into a map, the second of two
/// equal keys would replace the first without a word.
struct Pairs(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

fn read_csv(text: &str) -> Result<Vec<Entry>, HomeworkError> {
    let mut entries = Vec::new();
    let mut seen_data = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let bad = || HomeworkError::Line {
            line: n + 1,
            text: trimmed.to_string(),
        };
        let separator = separator_of(trimmed);
        let mut fields = split_fields(trimmed, separator);
        // A spreadsheet may end every line with a separator (`net_h1,0.3775,`).
        while fields.len() > 2 && fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        let first_line = !seen_data;
        seen_data = true;
        let (symbol, printed) = match fields.as_slice() {
            [symbol, printed] => (symbol.as_str(), printed.as_str()),
            // `net_h1,0,3775`: a decimal comma in a comma-separated line, which would
            // otherwise be read as another number.
            [_, _, _] if separator == ',' => {
                return Err(HomeworkError::DecimalComma {
                    line: n + 1,
                    text: trimmed.to_string(),
                });
            }
            _ => return Err(bad()),
        };
        if symbol.is_empty() {
            return Err(bad());
        }
        // An empty value is one not answered (a template's blank), not a mistake.
        if printed.is_empty() {
            continue;
        }
        // A comma in the number is its decimal point, as European spreadsheets write it:
        // between `;` or tabs (`net_h1;0,3775`), or quoted between commas
        // (`net_h1,"0,3775"`, the only way a comma-separated field holds one). A number
        // with two commas, or a comma and a point, reads as no number and is refused below.
        let printed = printed.replace(',', ".");
        match printed.parse::<f64>() {
            Ok(value) if value.is_finite() => entries.push(Entry {
                written: symbol.to_string(),
                printed,
                value,
            }),
            // A header such as `symbol,value` on the first line; `w5+,abc` is a mistake, not
            // a header.
            Err(_) if first_line && is_header(symbol, &printed) => {}
            _ => return Err(bad()),
        }
    }
    Ok(entries)
}

/// The separator of one line: `;` where there is one (the spreadsheets that write decimal
/// commas use it), otherwise a tab where there is one, otherwise a comma.
fn separator_of(line: &str) -> char {
    [';', '\t']
        .into_iter()
        .find(|&c| line.contains(c))
        .unwrap_or(',')
}

/// The fields of a line, trimmed, with a field's surrounding double quotes removed; a
/// quoted field may hold the separator.
fn split_fields(line: &str, separator: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields.iter().map(|f| f.trim().to_string()).collect()
}

/// Whether a first line names its columns (`symbol,value`, `name;number`).
fn is_header(first: &str, second: &str) -> bool {
    let first = first.to_lowercase();
    let second = second.to_lowercase();
    ["symbol", "name", "key", "variable", "quantity"].contains(&first.as_str())
        || ["value", "number", "val", "result", "yours"].contains(&second.as_str())
}

/// How one of the student's values stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// It agrees at the precision written.
    Agrees,
    /// It is what the formula gives with the student's own earlier wrong values (named).
    FollowsFrom(Vec<String>),
    /// A new mistake, recognised as one or more slips (the likeliest first).
    Slip(Vec<Diagnosis>),
    /// A new mistake the tool does not recognise.
    Unrecognised,
    /// A number the article prints (on the article's network), with the slips that also
    /// give it, if any.
    Article(ArticleFigure, Vec<Diagnosis>),
}

/// One of the student's values, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The trace symbol.
    pub symbol: String,
    /// As the student wrote it.
    pub entry: Entry,
    /// The engine's value.
    pub correct: f64,
    /// The verdict.
    pub verdict: Verdict,
    /// The part of the calculation it belongs to (given values have no formula: their
    /// `formula` is the network-file field they come from).
    pub stage: Stage,
    /// The formula, as the engine records it (ASCII symbols).
    pub formula: String,
    /// The symbols of the formula.
    pub from: Vec<String>,
    /// The engine's formula with its numbers, each at the precision the report writes that
    /// value with ([`report_decimals`]).
    pub substituted: String,
    /// The formula with the student's numbers (theirs where written, recomputed from theirs
    /// elsewhere) and what it gives, when that differs from the engine's at the precision
    /// written, or when the value is explained as following from their rounded numbers.
    pub yours: Option<(String, f64)>,
}

impl Row {
    /// Whether the value agrees.
    pub fn agrees(&self) -> bool {
        self.verdict == Verdict::Agrees
    }

    /// A value of this row's symbol (the correct one, the student's recomputed one, the one
    /// a slip gives) as the report writes it: one precision for the symbol everywhere.
    pub fn show(&self, value: f64) -> String {
        shown(value, Some(&self.entry.printed))
    }

    /// A value of this row's symbol, trailing zeros dropped, for a formula or a sentence.
    pub fn show_compact(&self, value: f64) -> String {
        number::compact(value, report_decimals(Some(&self.entry.printed)))
    }
}

/// A symbol the student wrote that the network does not have.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// The value as written.
    pub entry: Entry,
    /// The closest symbol the network has.
    pub suggestion: Option<String>,
}

/// Everything `verify` found in a homework file.
#[derive(Clone, Debug)]
pub struct Report {
    /// The iteration the values were compared with.
    pub trace: Trace,
    /// The recognised values, in computation order.
    pub rows: Vec<Row>,
    /// The values whose symbol is not the network's.
    pub unknown: Vec<Unknown>,
}

impl Report {
    /// The first value that does not agree, in computation order.
    pub fn first_wrong(&self) -> Option<&Row> {
        self.rows.iter().find(|r| !r.agrees())
    }

    /// Whether every value agrees and every symbol is known.
    pub fn all_agree(&self) -> bool {
        self.unknown.is_empty() && self.rows.iter().all(Row::agrees)
    }
}

/// Checks the student's `entries` against one iteration of `network` with `options`.
pub fn check(
    network: &Network,
    options: &Options,
    entries: Vec<Entry>,
) -> Result<Report, HomeworkError> {
    let trace = engine::trace_iteration(network, options);
    let other_order = match options.update_order {
        UpdateOrder::Simultaneous => UpdateOrder::Sequential,
        UpdateOrder::Sequential => UpdateOrder::Simultaneous,
    };
    let other = engine::trace_iteration(
        network,
        &Options {
            update_order: other_order,
            ..options.clone()
        },
    );
    let reference = Compiled::new(&trace).expect("the engine's trace reads back");
    let alternative = Compiled::new(&other).expect("the engine's trace reads back");
    let net = &trace.network;

    // Read every spelling as a trace symbol, as every command reads one.
    let vocabulary = trace.first().vocabulary();
    let mut by_symbol: HashMap<String, Entry> = HashMap::new();
    let mut unknown = Vec::new();
    for entry in entries {
        match vocabulary
            .read(&entry.written)
            .ok_or_else(|| vocabulary.near(&entry.written))
        {
            Ok(symbol) => {
                if let Some(first) = by_symbol.get(symbol) {
                    return Err(HomeworkError::Duplicate {
                        symbol: symbol.to_string(),
                        first: first.written.clone(),
                        second: entry.written,
                    });
                }
                by_symbol.insert(symbol.to_string(), entry);
            }
            Err(suggestion) => unknown.push(Unknown {
                entry,
                suggestion: suggestion.map(str::to_string),
            }),
        }
    }
    let written: Written = by_symbol
        .iter()
        .map(|(s, e)| (s.clone(), (e.value, half_unit(&e.printed).unwrap_or(0.0))))
        .collect();

    let article_figure = crate::article::applies_to(&trace);
    let catalogue = slips::catalogue(net, options.update_order);
    let prepared: Vec<Prepared> = catalogue.iter().map(|s| Prepared::new(s, net)).collect();
    let mut rows = Vec::new();
    let mut agrees: HashMap<&str, bool> = HashMap::new();
    for (at, v) in trace.first().values.iter().enumerate() {
        let Some(entry) = by_symbol.get(&v.symbol) else {
            continue;
        };
        let (value, half) = written[&v.symbol];
        let replayed = slips::replay(&reference, &written, None, at, None);
        let mine = replayed[at];
        let ok = agrees_at_printed_precision(v.value, &entry.printed);
        agrees.insert(v.symbol.as_str(), ok);
        let verdict = if ok {
            Verdict::Agrees
        } else if slips::consistent(value, half, mine) {
            let wrong: Vec<String> = nearest_written(&reference, &written, at)
                .into_iter()
                .filter(|s| !agrees.get(s.as_str()).copied().unwrap_or(true))
                .collect();
            if wrong.is_empty() {
                // The ones the student rounded (an exact value such as w7 = 0.50 is not).
                let mut names: Vec<String> = nearest_written(&reference, &written, at)
                    .into_iter()
                    .filter(|s| {
                        let exact = reference.position(s).map(|i| reference.values()[i].value);
                        exact != Some(written[s].0)
                    })
                    .collect();
                names.sort_by_key(|s| reference.position(s));
                Verdict::Slip(vec![Diagnosis {
                    slip: Slip::RoundedEarly { decimals: None },
                    value: mine.value,
                    names,
                }])
            } else {
                Verdict::FollowsFrom(wrong)
            }
        } else {
            let verdict = diagnose(
                v.symbol.as_str(),
                (value, half, &entry.printed),
                (&reference, &alternative),
                (&catalogue, &prepared),
                &written,
                net,
                mine,
            );
            // The article's own number, copied: say which, and why the article has it.
            match article_figure
                .then(|| errata::figure(&v.symbol, &entry.printed, v.value, options.update_order))
            {
                Some(Some(figure)) => Verdict::Article(
                    figure,
                    match verdict {
                        Verdict::Slip(d) => d,
                        _ => Vec::new(),
                    },
                ),
                _ => verdict,
            }
        };
        // The formula with the student's numbers, where it tells them something: the value
        // follows from their numbers, or their numbers give something else than the engine's.
        // Each operand at the one precision the report writes it with: the student's
        // number as written where they wrote one, otherwise recomputed from theirs.
        let decimals_of = |s: &str| report_decimals(by_symbol.get(s).map(|e| e.printed.as_str()));
        let operands = reference.operands_of(at);
        let text = v.substituted_with(|n| match by_symbol.get(&v.from[n]) {
            Some(e) => e.printed.clone(),
            None => number::compact(replayed[operands[n]].value, decimals_of(&v.from[n])),
        });
        let substituted = v.substituted_with(|n| {
            number::compact(
                reference.values()[operands[n]].value,
                decimals_of(&v.from[n]),
            )
        });
        // (Only the rows a report explains show it: a first or new mistake, never a value
        // that agrees or follows from an earlier one, so those need no rule of their own.)
        let telling = match &verdict {
            // "Your number follows from your rounded numbers": the formula is the evidence,
            // even where it gives the engine's value at the precision written.
            Verdict::Slip(d) if matches!(d[0].slip, Slip::RoundedEarly { decimals: None }) => true,
            _ => !agrees_at_printed_precision(
                mine.value,
                &number::fixed(v.value, number::decimals(&entry.printed)),
            ),
        };
        // A given value has no operands: both texts are its field, and it shows nothing.
        let yours = (telling && text != substituted).then_some((text, mine.value));
        rows.push(Row {
            symbol: v.symbol.clone(),
            entry: entry.clone(),
            correct: v.value,
            verdict,
            stage: v.stage,
            formula: v.formula.clone(),
            from: v.from.clone(),
            substituted,
            yours,
        });
    }
    Ok(Report {
        trace,
        rows,
        unknown,
    })
}

/// A new mistake at `symbol`: which slips give the student's value there.
fn diagnose(
    symbol: &str,
    (value, half, printed): (f64, f64, &str),
    (reference, alternative): (&Compiled<'_>, &Compiled<'_>),
    (catalogue, prepared): (&[Slip], &[Prepared<'_>]),
    written: &Written,
    net: &Network,
    plain: slips::Replayed,
) -> Verdict {
    let mut found = Vec::new();
    // How far each slip found moves the value from what the student's numbers give.
    let mut effects = Vec::new();
    for (slip, p) in catalogue.iter().zip(prepared) {
        let (c, prepared) = match slip {
            Slip::OtherOrder(_) => (alternative, None),
            _ => (reference, Some(p)),
        };
        // Where flipping every output's sign explains the value, flipping one says no more.
        if matches!(slip, Slip::SignFlippedIn { .. })
            && found
                .iter()
                .any(|d: &Diagnosis| d.slip == Slip::SignFlipped)
        {
            continue;
        }
        let Some(at) = c.position(symbol) else {
            continue;
        };
        let r = slips::replay(c, written, prepared, at, None)[at];
        let changed = (r.value - plain.value).abs() > half + plain.uncertainty;
        if changed && slips::consistent(value, half, r) {
            let ancestors = c.ancestors(symbol, written);
            found.push(Diagnosis::new(slip, r.value, c, &ancestors, net));
            effects.push((r.value - plain.value).abs());
        }
    }
    // Slips of writing the value down, tested on the value the student's own numbers give.
    // They are preferred to a slip of the computation that moves the value by only a few
    // units of its last digit: such a slip (two neurons swapped far up the chain) matching
    // the number by chance is less likely than a digit miswritten.
    let writing =
        transposed(value, half, printed, plain).or_else(|| truncated(value, half, printed, plain));
    if let Some(writing) = writing
        && effects.iter().all(|&e| e <= 20.0 * half)
    {
        found = vec![writing];
    }
    if found.is_empty() {
        found.extend(rounded_early(symbol, value, printed, reference, written));
    }
    if found.is_empty() {
        Verdict::Unrecognised
    } else {
        Verdict::Slip(found)
    }
}

/// Whether the student's `printed` is `r` with two adjacent digits exchanged: undoing one
/// exchange gives a number `r` is consistent with.
fn transposed(value: f64, half: f64, printed: &str, r: slips::Replayed) -> Option<Diagnosis> {
    let bytes = printed.as_bytes();
    // The mantissa only: an exponent's digits are not copied digit by digit.
    let end = printed.find(['e', 'E']).unwrap_or(printed.len());
    (1..end).find_map(|i| {
        let (a, b) = (bytes[i - 1], bytes[i]);
        if !(a.is_ascii_digit() && b.is_ascii_digit()) || a == b {
            return None;
        }
        let mut meant = bytes.to_vec();
        meant.swap(i - 1, i);
        let meant = String::from_utf8(meant).ok()?;
        let m: f64 = meant.parse().ok()?;
        (m != value && slips::consistent(m, half, r)).then(|| Diagnosis {
            slip: Slip::DigitsTransposed,
            value: m,
            names: vec![printed.to_string(), meant],
        })
    })
}

/// Whether the student's value is `r` cut off after the digits written (toward zero)
/// instead of rounded: some value `r` may be (within its uncertainty) truncates to it.
fn truncated(value: f64, half: f64, printed: &str, r: slips::Replayed) -> Option<Diagnosis> {
    if printed.contains(['e', 'E']) {
        return None;
    }
    let unit = 2.0 * half;
    let (low, high) = (r.value - r.uncertainty, r.value + r.uncertainty);
    // Room for the binary representation of the printed decimal, as in agreement.
    let slack = half * 1e-9 + 4.0 * f64::EPSILON * value.abs().max(r.value.abs());
    let cut = if r.value >= 0.0 {
        value >= -slack && high >= value - slack && low < value + unit - slack
    } else {
        value <= slack && low <= value + slack && high > value - unit + slack
    };
    cut.then(|| Diagnosis {
        slip: Slip::Truncated,
        value: r.value,
        names: vec![
            printed.to_string(),
            number::fixed(r.value, number::decimals(printed)),
        ],
    })
}

/// Most units in the last digit a value may be off for "rounded too early" to be named.
pub const ROUNDING_UNITS: f64 = 50.0;

/// Whether rounding the intermediate values to fewer digits gives the student's value, while
/// the value is off only in its last digits.
fn rounded_early(
    symbol: &str,
    value: f64,
    printed: &str,
    reference: &Compiled<'_>,
    written: &Written,
) -> Option<Diagnosis> {
    let at = reference.position(symbol)?;
    let exact = reference.values()[at].value;
    let half = half_unit(printed)?;
    if (value - exact).abs() > 2.0 * half * ROUNDING_UNITS {
        return None;
    }
    let decimals = number::decimals(printed);
    (1..=decimals).rev().find_map(|d| {
        let r = slips::replay(reference, written, None, at, Some(d))[at];
        slips::consistent(value, half, r).then(|| Diagnosis {
            slip: Slip::RoundedEarly { decimals: Some(d) },
            value: r.value,
            names: Vec::new(),
        })
    })
}

/// The values the student wrote that the one at `at` is computed from, directly or through
/// values they did not write.
fn nearest_written(c: &Compiled<'_>, written: &Written, at: usize) -> Vec<String> {
    let values = c.values();
    c.ancestors(&values[at].symbol, written)
        .into_iter()
        .skip(1)
        .map(|i| &values[i].symbol)
        .filter(|s| written.contains_key(*s))
        .cloned()
        .collect()
}

/// The decimals the report writes the value of a symbol with, everywhere: those the student
/// wrote it with when they are more than [`REPORT_DECIMALS`], otherwise the article's 9. So
/// a value never has two precisions in one report, and never fewer digits than the article.
pub fn report_decimals(printed: Option<&str>) -> usize {
    printed
        .filter(|p| !p.contains(['e', 'E']))
        .map_or(REPORT_DECIMALS, |p| {
            number::decimals(p).max(REPORT_DECIMALS)
        })
}

/// The precision of a report when the student did not write a value: the article's.
pub const REPORT_DECIMALS: usize = 9;

/// A value of `symbol` as the report writes it, in a column or a sentence: at
/// [`report_decimals`], or, when the student wrote it in scientific notation, with as many
/// digits in the mantissa as theirs.
pub fn shown(value: f64, printed: Option<&str>) -> String {
    if let Some(p) = printed
        && let Some(at) = p.find(['e', 'E'])
    {
        let digits = p[..at].split_once('.').map_or(0, |(_, f)| f.len());
        return format!("{value:.digits$e}");
    }
    number::fixed(value, report_decimals(printed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_skipped_and_a_repeated_key_refused() {
        assert_eq!(
            read("\u{feff}out_h1,0.5933\n").unwrap()[0].written,
            "out_h1"
        );
        assert_eq!(
            read("\u{feff}{\"out_h1\": 0.5933}").unwrap()[0].printed,
            "0.5933"
        );
        assert_eq!(
            read(r#"{"w5": 1, "out_h1": 0.5, "w5": 2}"#).unwrap_err(),
            HomeworkError::RepeatedKey { key: "w5".into() }
        );
        // Still in key order, whatever the file's.
        let entries = read(r#"{"w5": 1, "out_h1": 0.5}"#).unwrap();
        assert_eq!(entries[0].written, "out_h1");
    }

    #[test]
    fn spellings_resolve_through_the_shared_reader() {
        // The spellings themselves are tested with the reader, in notation.rs.
        let entries = read("dE/dw5,0.082167041\nw5_new,0.35891648\notu_h1,0.5\nzzzzzzzzzz,1\n");
        let report = check(&Network::article(), &Options::default(), entries.unwrap()).unwrap();
        let symbols: Vec<&str> = report.rows.iter().map(|r| r.symbol.as_str()).collect();
        assert_eq!(symbols, ["dE_total/dw5", "w5+"]);
        let suggested: Vec<Option<&str>> = report
            .unknown
            .iter()
            .map(|u| u.suggestion.as_deref())
            .collect();
        assert_eq!(suggested, [Some("out_h1"), None]);
    }

    #[test]
    fn a_very_long_symbol_is_found_unknown_quickly() {
        // Once some 8 s: the edit distance of all 100,000 characters to every symbol.
        let long = "x".repeat(100_000);
        let entries = read(&format!("{long},0.5\nout_h1,0.5933\n")).unwrap();
        let started = std::time::Instant::now();
        let report = check(&Network::article(), &Options::default(), entries).unwrap();
        assert!(
            started.elapsed().as_secs_f64() < 2.0,
            "{:?}",
            started.elapsed()
        );
        assert_eq!(report.unknown.len(), 1);
        assert_eq!(report.unknown[0].suggestion, None);
        assert!(report.rows[0].agrees());
    }

    #[test]
    fn json_keeps_the_digits_as_written() {
        let entries = read(r#"{"w5": 0.40, "out_h1": "0.5933"}"#).unwrap();
        let printed: Vec<&str> = entries.iter().map(|e| e.printed.as_str()).collect();
        assert_eq!(printed, vec!["0.5933", "0.40"]);
        assert_eq!(
            read(r#"{"w5": true}"#).unwrap_err(),
            HomeworkError::NotANumber {
                key: "w5".into(),
                got: "true".into()
            }
        );
        // Text Rust would read as infinity or NaN is not a number a student wrote.
        for (raw, got) in [
            (r#""inf""#, r#""inf""#),
            (r#""NaN""#, r#""NaN""#),
            ("1e999", "1e999"),
        ] {
            assert_eq!(
                read(&format!(r#"{{"w5": {raw}}}"#)).unwrap_err(),
                HomeworkError::NotANumber {
                    key: "w5".into(),
                    got: got.into()
                },
                "{raw}"
            );
        }
    }

    #[test]
    fn semicolon_lines_read_decimal_commas_and_refuse_extra_fields() {
        let entries = read("net_h1;0,3775\nout_h1\t0,593269992\n").unwrap();
        let values: Vec<f64> = entries.iter().map(|e| e.value).collect();
        assert_eq!(values, vec![0.3775, 0.593269992]);
        // Three fields with `;`: a line not understood, not a decimal comma of a comma line.
        assert_eq!(
            read("net_h1;1;2\n").unwrap_err(),
            HomeworkError::Line {
                line: 1,
                text: "net_h1;1;2".into()
            }
        );
        // A header needs only one of its columns named as a header names them.
        assert_eq!(read("symbol,answer\nout_h1,0.5933\n").unwrap().len(), 1);
        assert_eq!(read("name\tit\nout_h1\t0.5933\n").unwrap().len(), 1);
        // Quoted, a comma-separated field holds its decimal comma.
        let quoted = read("net_h1,\"0,3775\"\n").unwrap();
        assert_eq!(
            (quoted[0].written.as_str(), quoted[0].value),
            ("net_h1", 0.3775)
        );
        // Infinity is no number a student wrote.
        assert_eq!(
            read("w5,inf\n").unwrap_err(),
            HomeworkError::Line {
                line: 1,
                text: "w5,inf".into()
            }
        );
        // A thousands separator is no decimal comma: the number is refused, not misread.
        assert!(read("net_h1;1.000,5\n").is_err());
        assert!(read("net_h1;1,2,3\n").is_err());
    }

    #[test]
    fn csv_lines_with_header_and_comments() {
        let entries =
            read("symbol,value\n# forward pass\nout_h1, 0.5933\n\nw5_new,0.3589\n").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].written, "w5_new");
        assert_eq!(
            read("out_h1,0.5933\nnet_o1 1.1059\n").unwrap_err(),
            HomeworkError::Line {
                line: 2,
                text: "net_o1 1.1059".into()
            }
        );
        assert_eq!(read("# nothing\n").unwrap_err(), HomeworkError::Empty);
    }

    fn verdict_of(report: &Report, symbol: &str) -> Verdict {
        report
            .rows
            .iter()
            .find(|r| r.symbol == symbol)
            .unwrap()
            .verdict
            .clone()
    }

    #[test]
    fn a_value_computed_from_a_wrong_one_follows_from_it() {
        // out_h1 mistyped; net_o1 computed from the typo.
        let wrong_out = 0.5943;
        let net_o1 = 0.4 * wrong_out + 0.45 * 0.596884378 + 0.6;
        let entries = read(&format!("out_h1,{wrong_out}\nnet_o1,{net_o1:.9}\n")).unwrap();
        let report = check(&Network::article(), &Options::default(), entries).unwrap();
        assert_eq!(report.first_wrong().unwrap().symbol, "out_h1");
        assert_eq!(verdict_of(&report, "out_h1"), Verdict::Unrecognised);
        assert_eq!(
            verdict_of(&report, "net_o1"),
            Verdict::FollowsFrom(vec!["out_h1".into()])
        );
    }

    #[test]
    fn right_values_agree_at_their_own_precision() {
        let entries = read("out_h1,0.5933\nE_total,0.298371109\nw5+,0.35891648\n").unwrap();
        let report = check(&Network::article(), &Options::default(), entries).unwrap();
        assert!(report.all_agree(), "{:#?}", report.rows);
    }

    /// What the writing slips compare with: the value the student's numbers give, and how
    /// far their rounding can move it.
    fn replayed(value: f64, uncertainty: f64) -> slips::Replayed {
        slips::Replayed { value, uncertainty }
    }

    #[test]
    fn only_two_digits_are_transposed_never_a_digit_and_the_point() {
        // 0.3952 for 0.3925: two digits exchanged.
        let found = transposed(0.3952, 0.00005, "0.3952", replayed(0.3925, 0.0)).unwrap();
        assert_eq!(found.names, ["0.3952", "0.3925"]);
        // 0.5 for 0.05 is a point misplaced: exchanging "0." would give ".05", not a digit.
        assert_eq!(transposed(0.5, 0.05, "0.5", replayed(0.05, 0.0)), None);
        assert_eq!(transposed(-0.5, 0.05, "-0.5", replayed(-0.05, 0.0)), None);
    }

    #[test]
    fn a_value_is_truncated_when_its_uncertain_value_may_cut_off_to_it() {
        // 0.5 cut off from anything in [0.5, 0.6); the value the student's numbers give is
        // known only to ±0.02, so 0.61 (maybe 0.59) and 0.49 (maybe 0.51) may both be cut off
        // to 0.5, and 0.63 and 0.47 may not.
        let cut = |r: f64| truncated(0.5, 0.05, "0.5", replayed(r, 0.02)).is_some();
        assert_eq!(
            [cut(0.47), cut(0.49), cut(0.61), cut(0.63)],
            [false, true, true, false]
        );
        // Below zero the cut is toward zero: -0.5 from (-0.6, -0.5].
        let cut = |r: f64| truncated(-0.5, 0.05, "-0.5", replayed(r, 0.02)).is_some();
        assert_eq!(
            [cut(-0.47), cut(-0.49), cut(-0.61), cut(-0.63)],
            [false, true, true, false]
        );
        // Zero is what anything below one unit cuts off to, from either side.
        assert!(truncated(0.0, 0.0005, "0.000", replayed(0.0004, 0.0)).is_some());
        assert!(truncated(-0.0, 0.0005, "-0.000", replayed(-0.0004, 0.0)).is_some());
        assert!(truncated(0.0, 0.0005, "0.000", replayed(0.0014, 0.0)).is_none());
        // A value within the binary rounding's room of the next unit is that unit, which cuts
        // off to itself: 0.6 less 2.5e-11 (the room is 5e-11 here) is not cut off to 0.5.
        assert!(truncated(0.5, 0.05, "0.5", replayed(0.6 - 2.5e-11, 0.0)).is_none());
        assert!(truncated(0.5, 0.05, "0.5", replayed(0.6 - 1e-10, 0.0)).is_some());
        assert!(truncated(-0.5, 0.05, "-0.5", replayed(-0.6 + 2.5e-11, 0.0)).is_none());
        assert!(truncated(-0.5, 0.05, "-0.5", replayed(-0.6 + 1e-10, 0.0)).is_some());
    }

    #[test]
    fn truncation_allows_a_few_units_of_binary_rounding_and_no_more() {
        // At 9 decimals the room is a few units in the last place of the f64 (it is 7.3e-17
        // here, about 5 of them): the exact decimal computed 2 units low still cuts to it;
        // 100 units low (about 1.4e-15, far less than the printed digit) it does not.
        let printed = "0.082167040";
        let value: f64 = printed.parse().unwrap();
        let ulp = f64::from_bits(value.to_bits() + 1) - value;
        let cut = |r: f64| truncated(value, 5e-10, printed, replayed(r, 0.0)).is_some();
        assert!(cut(value));
        assert!(cut(value - 2.0 * ulp));
        assert!(!cut(value - 100.0 * ulp));
        // The same below zero.
        let cut = |r: f64| truncated(-value, 5e-10, "-0.082167040", replayed(r, 0.0)).is_some();
        assert!(cut(-value));
        assert!(cut(-value + 2.0 * ulp));
        assert!(!cut(-value + 100.0 * ulp));
    }
}
