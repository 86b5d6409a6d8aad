//! The iteration as a document in the article's own form, built once as a list of blocks that
//! the Markdown and LaTeX printers write out ([`markdown`], [`latex`]): its sections (the
//! given values; Step 1, the forward pass, layer by layer; the total error; Step 2, the
//! backward pass, from the output layer back; the summary), and each value as the article
//! writes it, in display math: the formula in symbols, the numbers substituted, the value
//! (`out_{h1} = \frac{1}{1+e^{-net_{h1}}} = \frac{1}{1+e^{-0.3775}} = 0.593269992`). On the
//! article's network the article's printed numbers that differ are noted where they stand,
//! with the reason. The math is printed from the trace's roles and formula trees
//! ([`super::math`]), the section titles are the tables' ([`super::table::section_title`]).
//!
//! A section of more than [`FORMULAS_PER_SECTION`] values (a wide layer) shows that many
//! formulas in full, then every value of the section in a table.

pub mod latex;
pub mod markdown;

use super::lang::{Lang, fill};
use super::math;
use super::table::{group_key, loss_notes, section_title, sections, title};
use crate::article::{self, Verdict};
use crate::notation::{Notation, Typography};
use crate::number;
use crate::trace::{Stage, Trace, TracedValue};

/// The lines a value's equation is written on, each up to where its value goes, `eq`
/// between the parts (` = ` in TeX, `<mo>=</mo>` in MathML): `symbol = symbols = numbers`;
/// the symbols and the numbers on a line each when the formula has more than 3 operands
/// (as the article writes net_h1); the symbols alone when `numbers` is `None` (an operand,
/// ∂net_o1/∂w5 = out_h1, whose number is the value, or numbers that would give a worksheet's
/// box away). Shared by the document and the worksheet page, so they break alike.
pub fn equation_lines(
    symbol: &str,
    symbols: &str,
    numbers: Option<&str>,
    v: &TracedValue,
    eq: &str,
) -> Vec<String> {
    match numbers {
        None => vec![format!("{symbol}{eq}{symbols}")],
        Some(numbers) if v.from.len() > 3 => vec![
            format!("{symbol}{eq}{symbols}"),
            format!("{symbol}{eq}{numbers}"),
        ],
        Some(numbers) => vec![format!("{symbol}{eq}{symbols}{eq}{numbers}")],
    }
}

/// Sections with more values than this show this many formulas, then a table of them all.
pub const FORMULAS_PER_SECTION: usize = 40;

/// What the document is written with.
pub struct DocumentOptions {
    /// The language of the words.
    pub lang: Lang,
    /// Lines under the title saying where the inputs came from (the seed, a trace's options).
    pub heading: Vec<String>,
    /// For an exercise (`backprop exercise`): the values left for the student, numbered.
    /// `None` for the derivation itself.
    pub blanks: Option<Blanks>,
}

/// The values an exercise leaves blank, each with its number: the worksheet shows an empty
/// box tagged (n) where the value goes, and the answer key the value tagged (n), so the two
/// correspond one to one. A value the box stands for is not substituted into a later formula
/// on the worksheet (that would give it away): such a formula is shown in symbols only.
#[derive(Clone, Debug, Default)]
pub struct Blanks {
    /// Each blank's number (1, 2, … in computation order), by trace symbol.
    pub numbers: std::collections::HashMap<String, usize>,
    /// Whether this is the answer key: the values written in, not boxes.
    pub filled: bool,
}

impl Blanks {
    /// Whether `symbol` is a box on the worksheet (not on the key).
    fn hides(&self, symbol: &str) -> bool {
        !self.filled && self.numbers.contains_key(symbol)
    }
}

/// An empty box as wide as a value at 9 decimals with its sign.
pub const BOX: &str = "\\boxed{\\phantom{-0.000000000}}";

/// One piece of the document, in the order it is read. Math is TeX (without delimiters);
/// text is plain (each printer escapes it for its format).
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// The document's title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// A paragraph of text.
    Paragraph(String),
    /// The given values: the symbol (math), the value, where it came from.
    Given {
        header: [&'static str; 3],
        rows: Vec<[String; 3]>,
    },
    /// One value as display math: one equation, or two (symbols, then numbers).
    Equations(Vec<String>),
    /// A note beside the value above it (the article's own number).
    Note(String),
    /// Every value of a wide section: the symbol (math) and the value.
    Values {
        header: [&'static str; 2],
        rows: Vec<[String; 2]>,
    },
    /// A file's text shown as it is (an exercise's hand-in file), in `language` (`csv`).
    Code {
        language: &'static str,
        text: String,
    },
    /// The network's figure, an image file beside the document (an exercise's worksheet
    /// written to a file): its path relative to the document, and its description.
    Figure { path: String, alt: String },
}

/// The first iteration of `trace` as the document's blocks.
pub fn blocks(trace: &Trace, options: &DocumentOptions) -> Vec<Block> {
    let mut blocks = Vec::new();
    Document::new(trace, options).build(&mut blocks);
    blocks
}

struct Document<'a> {
    trace: &'a Trace,
    lang: Lang,
    heading: &'a [String],
    blanks: Option<&'a Blanks>,
    names: Notation,
    /// Each value by its symbol, to find a formula's operands.
    index: std::collections::HashMap<&'a str, &'a TracedValue>,
    comparison: Option<
        std::collections::HashMap<&'static str, Vec<(&'static article::Printed, Verdict<'static>)>>,
    >,
}

impl<'a> Document<'a> {
    fn new(trace: &'a Trace, options: &'a DocumentOptions) -> Document<'a> {
        Document {
            trace,
            lang: options.lang,
            heading: &options.heading,
            blanks: options.blanks.as_ref(),
            names: Notation::new(&trace.network),
            index: trace.first().index(),
            // An exercise's network is the student's own: the article's numbers are not theirs.
            comparison: article::compare(trace).filter(|_| options.blanks.is_none()),
        }
    }

    fn build(&self, out: &mut Vec<Block>) {
        let l = self.lang.labels();
        let d = self.lang.document();
        let title = title(self.trace, l);
        out.push(Block::Title(title));
        for line in self.heading {
            out.push(Block::Paragraph(line.clone()));
        }
        if self.blanks.is_none() {
            out.push(Block::Paragraph(d.intro.to_string()));
        }
        if self.comparison.is_some() {
            out.push(Block::Paragraph(d.article_network.to_string()));
        }

        for group in sections(&self.trace.first().values) {
            let (stage, layer) = group_key(&group[0]);
            let sample = group[0].sample;
            let title = section_title(self.trace, l, Typography::Article, stage, layer, sample);
            out.push(Block::Heading(title));
            for note in loss_notes(self.trace, l, stage, layer) {
                out.push(Block::Paragraph(note));
            }
            if stage == Stage::Given {
                self.given(group, out);
            } else {
                self.formulas(group, out);
            }
        }
        self.closing(out);
    }

    /// The given values, as a table: the symbol, the value, where it came from.
    fn given(&self, group: &[TracedValue], out: &mut Vec<Block>) {
        let l = self.lang.labels();
        let rows = group
            .iter()
            .map(|v| {
                [
                    self.symbol(v),
                    number::compact(v.value, self.trace.options.precision.max(9)),
                    v.origin(),
                ]
            })
            .collect();
        out.push(Block::Given {
            header: [l.symbol, l.value, l.field],
            rows,
        });
    }

    /// Each value as display math, then (for a wide section) the rest in a table.
    fn formulas(&self, group: &[TracedValue], out: &mut Vec<Block>) {
        let d = self.lang.document();
        // An exercise writes every value out: a table of values would give the blanks away.
        let shown = if self.blanks.is_some() {
            group.len()
        } else {
            group.len().min(FORMULAS_PER_SECTION)
        };
        if group.len() > shown {
            let note = fill(
                d.cut,
                &[
                    ("count", &number::thousands(group.len() as u64)),
                    ("shown", &shown.to_string()),
                ],
            );
            out.push(Block::Paragraph(note));
        }
        for v in &group[..shown] {
            self.value(v, out);
        }
        if group.len() > shown {
            let l = self.lang.labels();
            let rows = group
                .iter()
                .map(|v| [self.symbol(v), self.show(v.value)])
                .collect();
            out.push(Block::Values {
                header: [l.symbol, l.value],
                rows,
            });
        }
    }

    /// One value: `$$symbol = formula = numbers = value$$`, in two lines when the formula
    /// is long (as the article writes net_h1), then the article's number where it differs.
    fn value(&self, v: &TracedValue, out: &mut Vec<Block>) {
        let symbol = self.symbol(v);
        let number = self.blanks.and_then(|b| b.numbers.get(&v.symbol));
        let hidden = self.blanks.is_some_and(|b| b.hides(&v.symbol));
        let value = match number {
            Some(n) if hidden => format!("{BOX} \\tag{{{n}}}"),
            Some(n) => format!("{} \\tag{{{n}}}", self.show(v.value)),
            None => self.show(v.value),
        };
        // On a worksheet, a formula whose operands include a box is not given its numbers.
        let boxed_operand = self
            .blanks
            .is_some_and(|b| v.from.iter().any(|s| b.hides(s)));
        match &v.expr {
            Some(tree) => {
                let operand = |n: usize| self.index.get(v.from[n].as_str()).copied();
                let symbols = math::formula(tree, &|n| match operand(n) {
                    Some(o) => self.symbol(o),
                    None => v.from[n].clone(),
                });
                let numbers = math::formula(tree, &|n| {
                    let x = operand(n).map_or(f64::NAN, |o| o.value);
                    number::operand(x, self.trace.options.precision)
                });
                let numbers = (!matches!(tree, crate::trace::Formula::Operand(_))
                    && !boxed_operand)
                    .then_some(numbers.as_str());
                let mut equations = equation_lines(&symbol, &symbols, numbers, v, " = ");
                if let Some(last) = equations.last_mut() {
                    last.push_str(&format!(" = {value}"));
                }
                out.push(Block::Equations(equations));
            }
            // A value of a hand-edited trace without a tree: its value alone.
            None => out.push(Block::Equations(vec![format!("{symbol} = {value}")])),
        }
        self.article_note(v, out);
    }

    /// Where the article prints another number for `v`: which, and why.
    fn article_note(&self, v: &TracedValue, out: &mut Vec<Block>) {
        let Some(printed) = self
            .comparison
            .as_ref()
            .and_then(|c| c.get(v.symbol.as_str()))
        else {
            return;
        };
        let d = self.lang.document();
        let l = self.lang.labels();
        for (p, verdict) in printed {
            let why = match verdict {
                Verdict::Agrees => continue,
                Verdict::Explained(e) => self.lang.pick(&e.en, &e.zh).to_string(),
                Verdict::OtherOrder(order) => l.other_order.replace("{order}", order.name()),
                Verdict::Differs => l.differs.to_string(),
            };
            let note = fill(d.article_prints, &[("printed", &p.printed), ("why", &why)]);
            out.push(Block::Note(note));
        }
    }

    /// How E_total changed, the article's closing sentence.
    fn closing(&self, out: &mut Vec<Block>) {
        // On a worksheet, the sentence would give E_total away before and after.
        if self.blanks.as_ref().is_some_and(|b| !b.filled) {
            return;
        }
        let it = self.trace.first();
        let before = it
            .values
            .iter()
            .find(|v| v.role == Some(crate::trace::Role::Loss { updated: false }));
        let after = it
            .values
            .iter()
            .find(|v| v.role == Some(crate::trace::Role::Loss { updated: true }));
        if let (Some(before), Some(after)) = (before, after) {
            let d = self.lang.document();
            let sentence = fill(
                d.closing,
                &[
                    ("before", &self.show(before.value)),
                    ("after", &self.show(after.value)),
                ],
            );
            out.push(Block::Paragraph(sentence));
        }
    }

    /// `v`'s symbol in TeX, from its role; a value without one (a hand-edited trace) as
    /// its ASCII key in text.
    fn symbol(&self, v: &TracedValue) -> String {
        match (v.role, v.sample) {
            // In a batch, a per-sample value's symbol ends in [s₂].
            (Some(role), Some(s)) => {
                format!("{}[s_{{{}}}]", math::symbol(role, &self.names), s + 1)
            }
            (Some(role), None) => math::symbol(role, &self.names),
            (None, _) => format!("\\text{{{}}}", v.symbol.replace('_', "\\_")),
        }
    }

    fn show(&self, value: f64) -> String {
        number::fixed(value, self.trace.options.precision)
    }
}
