//! A student's worksheet as one self-contained web page that checks itself (`backprop
//! exercise --format html`), and its answer key as a page (`--key --format html`).
//!
//! The page is the Markdown worksheet's derivation, section by section, each formula in
//! MathML ([`super::math`]), the network's figure inline ([`super::diagram`]), and for each
//! blank an input box numbered as the Markdown's box. Its script judges what is typed as
//! `verify` does (at the precision typed: [`crate::number::agrees_at_printed_precision`]) and
//! names a wrong value's slip from the values each slip gives there, worked out here by
//! [`crate::verify::slip_values`]: the script replays nothing. The values live in the
//! script's data, never in the page's text, until "Show answer" writes one in: a self-check,
//! not an exam lock (the page's source has them). Everything is inline, so it works from
//! `file://` with no request.

use super::diagram::Diagram;
use super::document::{Block, equation_lines};
use super::escape;
use super::lang::{Lang, fill};
use super::math::{MathMl, Syntax, formula_in, symbol_in};
use super::table::{group_key, loss_notes, section_title, sections};
use crate::exercise::{self, Exercise, Sheet};
use crate::notation::{Notation, Typography};
use crate::number;
use crate::trace::{Formula, Stage, Trace, TracedValue};
use crate::verify::homework::ROUNDING_UNITS;
use crate::verify::slip_values::{self, SlipValues};
use crate::verify::slips::{Diagnosis, Slip};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};

/// The stepper page's style sheet, for what the two pages share (type, buttons, tables, the
/// figure), then the worksheet's own.
const STYLE: &str = concat!(
    include_str!("page/page.css"),
    include_str!("page/worksheet.css")
);
const SCRIPT: &str = include_str!("page/worksheet.js");

/// What the script knows about one blank.
#[derive(Serialize)]
struct BlankData {
    /// The box's number.
    n: usize,
    /// The value.
    value: f64,
    /// The value as "Show answer" writes it, at the trace's precision.
    shown: String,
    /// The values slips give here, each with its name and hint.
    slips: Vec<SlipData>,
    /// The value with the intermediate values rounded to `decimals` decimals.
    rounded: Vec<RoundedData>,
}

/// A slip's value at a blank, with its name and hint as indices into [`Data::texts`] (a
/// slip is named at many blanks in the same words).
#[derive(Serialize)]
struct SlipData {
    value: f64,
    short: usize,
    hint: usize,
}

#[derive(Serialize)]
struct RoundedData {
    decimals: usize,
    value: f64,
    hint: usize,
}

/// Everything the script needs.
#[derive(Serialize)]
struct Data {
    /// The page's words (`ExerciseLabels::page`).
    labels: serde_json::Value,
    blanks: Vec<BlankData>,
    /// The slips' names and hints, each once.
    texts: Vec<String>,
    /// A wrong answer is named "rounded too early" only within this many units of its last
    /// digit, as `verify` names it.
    rounding_units: f64,
    rounded_early: &'static str,
    /// The names of the slips of writing a value down, which the script tests itself.
    truncated: &'static str,
    truncated_hint: &'static str,
    transposed: &'static str,
    transposed_hint: &'static str,
}

/// Writes the worksheet (or, with `sheet.key`, the answer key) of `exercise` as a page.
pub fn write(exercise: &Exercise, sheet: &Sheet, out: &mut dyn Write) -> io::Result<()> {
    let trace = &exercise.trace;
    let lang = sheet.lang;
    let e = lang.exercise();
    let l = lang.labels();
    let numbers = exercise::blanks(trace, sheet.blank, sheet.key).numbers;
    let (title, heading) = heading(exercise, sheet);
    let code = match lang {
        Lang::En => "en",
        Lang::Zh => "zh",
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>\n{STYLE}</style>\n</head>\n<body class=\"worksheet\">\n\
         <header>\n<h1 id=\"title\">{t}</h1>\n",
        t = escape(&title)
    )?;
    for line in &heading {
        writeln!(out, "<p class=\"heading\">{}</p>", escape(line))?;
    }
    if !sheet.key {
        writeln!(
            out,
            "<p class=\"heading\">{}</p>\n<p id=\"score\" aria-live=\"polite\"></p>",
            escape(e.page.how_checked)
        )?;
    }
    writeln!(
        out,
        "</header>\n<main>\n<figure id=\"figure\">\n{}<figcaption>{}</figcaption>\n</figure>",
        Diagram::new(&trace.network, None).to_svg(),
        escape(e.figure_alt)
    )?;
    let page = Page {
        trace,
        lang,
        names: Notation::new(&trace.network),
        index: trace.first().index(),
        numbers: &numbers,
        key: sheet.key,
        mathml: MathMl::default(),
    };
    for group in sections(&trace.first().values) {
        let (stage, layer) = group_key(&group[0]);
        let title = section_title(trace, l, Typography::Article, stage, layer, group[0].sample);
        writeln!(out, "<section>\n<h2>{}</h2>", escape(&title))?;
        for note in loss_notes(trace, l, stage, layer) {
            writeln!(out, "<p class=\"note\">{}</p>", escape(&note))?;
        }
        if stage == Stage::Given {
            page.given(group, out)?;
        } else {
            for v in group {
                page.value(v, out)?;
            }
        }
        writeln!(out, "</section>")?;
    }
    if !sheet.key {
        writeln!(
            out,
            "<section id=\"hand-in\">\n<h2>{}</h2>\n<p>{}</p>\n<pre><code>{}</code></pre>\n</section>",
            escape(e.hand_in_heading),
            escape(&fill(e.hand_in, &[("file", &sheet.hand_in_file)])),
            escape(&exercise::hand_in(trace, sheet.blank))
        )?;
    }
    writeln!(out, "</main>")?;
    if sheet.key {
        return writeln!(out, "</body>\n</html>");
    }
    writeln!(
        out,
        "<noscript><p>{}</p></noscript>",
        escape(e.page.no_script)
    )?;
    let data = data(trace, lang, &numbers);
    // Inside a <script> element, `<` only ever appears in a JSON string, where `\u003c`
    // reads as the same character and cannot close the element or open a comment.
    let json = serde_json::to_string(&data)
        .map_err(io::Error::from)?
        .replace('<', "\\u003c");
    write!(
        out,
        "<script type=\"application/json\" id=\"data\">{json}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

/// The title and the lines under it: the Markdown worksheet's own (who it was drawn for,
/// from which seed, and the instructions or the key's note).
fn heading(exercise: &Exercise, sheet: &Sheet) -> (String, Vec<String>) {
    // A figure beside, so that the line saying where the figure is is not among them: the
    // page has it inline.
    let with_figure = Sheet {
        who: sheet.who,
        settings: sheet.settings,
        blank: sheet.blank,
        key: sheet.key,
        lang: sheet.lang,
        figure: Some(String::new()),
        hand_in_file: sheet.hand_in_file.clone(),
    };
    let blocks = exercise::document(exercise, &with_figure);
    let title = match blocks.first() {
        Some(Block::Title(t)) => t.clone(),
        _ => String::new(),
    };
    let lines = blocks[1..]
        .iter()
        .map_while(|b| match b {
            Block::Paragraph(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    (title, lines)
}

/// What the derivation is printed with.
struct Page<'a> {
    trace: &'a Trace,
    lang: Lang,
    names: Notation,
    index: HashMap<&'a str, &'a TracedValue>,
    numbers: &'a HashMap<String, usize>,
    key: bool,
    mathml: MathMl,
}

impl Page<'_> {
    /// Whether `symbol` is an input box (on the worksheet, not the key).
    fn hides(&self, symbol: &str) -> bool {
        !self.key && self.numbers.contains_key(symbol)
    }

    /// `v`'s symbol in MathML.
    fn symbol(&self, v: &TracedValue) -> String {
        let m = &self.mathml;
        match (v.role, v.sample) {
            (Some(role), Some(s)) => format!(
                "<mrow>{}<mo>[</mo>{}<mo>]</mo></mrow>",
                symbol_in(m, role, &self.names),
                m.sub(m.ident("s"), &(s + 1).to_string())
            ),
            (Some(role), None) => symbol_in(m, role, &self.names),
            (None, _) => format!("<mtext>{}</mtext>", escape(&v.symbol)),
        }
    }

    /// The given values: the symbol, the value, where it came from.
    fn given(&self, group: &[TracedValue], out: &mut dyn Write) -> io::Result<()> {
        let l = self.lang.labels();
        writeln!(
            out,
            "<table class=\"given\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            escape(l.symbol),
            escape(l.value),
            escape(l.field)
        )?;
        for v in group {
            writeln!(
                out,
                "<tr><td><math>{}</math></td><td class=\"number\">{}</td><td><code>{}</code></td></tr>",
                self.symbol(v),
                escape(&number::compact(
                    v.value,
                    self.trace.options.precision.max(9)
                )),
                escape(&v.origin())
            )?;
        }
        writeln!(out, "</tbody></table>")
    }

    /// One value as the Markdown writes it (`symbol = formula = numbers = value`, in two
    /// lines when the formula is long), the value an input box on the worksheet.
    fn value(&self, v: &TracedValue, out: &mut dyn Write) -> io::Result<()> {
        let m = &self.mathml;
        let eq = m.op('=');
        let symbol = self.symbol(v);
        let number = self.numbers.get(&v.symbol).copied();
        let hidden = self.hides(&v.symbol);
        let shown = m.number(&number::fixed(v.value, self.trace.options.precision));
        // A formula whose operands include a box is not given its numbers (they would give
        // the box away).
        let boxed_operand = v.from.iter().any(|s| self.hides(s));
        let mut lines: Vec<String> = match &v.expr {
            Some(tree) => {
                let operand = |n: usize| self.index.get(v.from[n].as_str()).copied();
                let symbols = formula_in(m, tree, &|n| match operand(n) {
                    Some(o) => self.symbol(o),
                    None => format!("<mtext>{}</mtext>", escape(&v.from[n])),
                });
                let numbers = formula_in(m, tree, &|n| {
                    let x = operand(n).map_or(f64::NAN, |o| o.value);
                    m.number(&number::operand(x, self.trace.options.precision))
                });
                let numbers = (!matches!(tree, Formula::Operand(_)) && !boxed_operand)
                    .then_some(numbers.as_str());
                equation_lines(&symbol, &symbols, numbers, v, &eq)
            }
            None => vec![symbol.clone()],
        };
        let last = lines.pop().unwrap_or_default();
        let class = if hidden { "equation blank" } else { "equation" };
        match number {
            Some(n) => writeln!(out, "<div class=\"{class}\" data-blank=\"{n}\">")?,
            None => writeln!(out, "<div class=\"{class}\">")?,
        }
        for line in lines {
            writeln!(
                out,
                "<div class=\"math\"><math displaystyle=\"true\">{line}</math></div>"
            )?;
        }
        let tag = number.map_or(String::new(), |n| {
            format!("<span class=\"tag\">({n})</span>")
        });
        if hidden {
            let n = number.expect("a box has a number");
            let p = &self.lang.exercise().page;
            let label = fill(
                p.answer_for,
                &[
                    ("number", &n.to_string()),
                    ("symbol", &Typography::Article.symbol(&v.symbol)),
                ],
            );
            writeln!(
                out,
                "<div class=\"line\"><span class=\"math\"><math displaystyle=\"true\">{last}{eq}</math></span>\
                 <span class=\"answer\"><input type=\"text\" id=\"blank-{n}\" inputmode=\"decimal\" \
                 autocomplete=\"off\" spellcheck=\"false\" size=\"13\" aria-label=\"{}\">{tag}\
                 <button type=\"button\" class=\"check\">{}</button>\
                 <button type=\"button\" class=\"reveal\">{}</button></span></div>\n\
                 <p class=\"verdict\" aria-live=\"polite\"><span class=\"mark\"></span> \
                 <span class=\"slip\"></span> <span class=\"solution\"></span></p>",
                escape(&label),
                escape(p.check),
                escape(p.show_answer)
            )?;
        } else {
            writeln!(
                out,
                "<div class=\"line\"><span class=\"math\"><math displaystyle=\"true\">{last}{eq}<mrow class=\"result\">{shown}</mrow></math></span>{tag}</div>"
            )?;
        }
        writeln!(out, "</div>")
    }
}

/// The script's data: each box's value and what the slips give there.
fn data(trace: &Trace, lang: Lang, numbers: &HashMap<String, usize>) -> Data {
    let m = lang.mistakes();
    let sym = |s: &str| Typography::Article.symbol(s);
    let all = slip_values::slip_values(trace, |v| numbers.contains_key(&v.symbol));
    let mut texts: Vec<String> = Vec::new();
    let mut known: HashMap<String, usize> = HashMap::new();
    let mut text = |t: String| {
        *known.entry(t).or_insert_with_key(|t| {
            texts.push(t.clone());
            texts.len() - 1
        })
    };
    let mut blanks: Vec<BlankData> = all
        .into_iter()
        .map(
            |SlipValues {
                 symbol,
                 value,
                 slips,
                 rounded,
             }| BlankData {
                n: numbers[&symbol],
                value,
                shown: number::fixed(value, trace.options.precision),
                slips: slips
                    .iter()
                    .map(|d| SlipData {
                        value: d.value,
                        short: text(d.slip.short(lang).to_string()),
                        hint: text(hint(d.slip.short(lang), d.describe(&sym, lang))),
                    })
                    .collect(),
                rounded: rounded
                    .into_iter()
                    .map(|(decimals, value)| RoundedData {
                        decimals,
                        value,
                        hint: text(
                            Diagnosis {
                                slip: Slip::RoundedEarly {
                                    decimals: Some(decimals),
                                },
                                value,
                                names: Vec::new(),
                            }
                            .describe(&sym, lang),
                        ),
                    })
                    .collect(),
            },
        )
        .collect();
    blanks.sort_by_key(|b| b.n);
    Data {
        labels: serde_json::to_value(&lang.exercise().page).expect("labels are text"),
        blanks,
        texts,
        rounding_units: ROUNDING_UNITS,
        rounded_early: m.rounded_early,
        truncated: m.truncated,
        truncated_hint: m.why_truncated_plain,
        transposed: m.digits_transposed,
        transposed_hint: m.why_digits_transposed_plain,
    }
}

/// The slip's sentence without its opening words where they only repeat the slip's name
/// (`the sign of (target − out) flipped: ∂E_total/∂out_o1 = …` under the name `sign of
/// (target − out) flipped`): the page shows the name, then this.
fn hint(short: &str, sentence: String) -> String {
    // The Chinese sentences put a colon without a space.
    for separator in [": ", "：", ":"] {
        if let Some((head, rest)) = sentence.split_once(separator)
            && head.trim_start_matches("the ") == short
        {
            return rest.to_string();
        }
    }
    sentence
}
