//! The iteration as one self-contained web page (`show --format html`): the network figure
//! (the diagram's SVG), and the stepper of `backprop step` in the browser — each value's
//! formula typeset in MathML, the numbers substituted, the value, the article's number
//! beside it — with buttons and the terminal stepper's keys, a "show all" view that prints,
//! and both languages. Everything is inline (the style sheet, the script, the data): the
//! page makes no request at all and works from `file://`.
//!
//! The page does not hold the derivation as HTML. It holds the trace as columns (each
//! value's symbol in MathML, its numbers, its operands, and its formula tree as a MathML
//! template shared by every value of the same shape), and the script writes a step's math
//! when the step is shown. So a 784-128-10 network's 300,000 values cost a few bytes each
//! and no DOM node until they are looked at. The MathML is printed here, by
//! [`super::math`]; the script only puts the operands into the templates.

use super::diagram::{Diagram, NodeKind};
use super::document::FORMULAS_PER_SECTION;
use super::escape;
use super::figure::{Element, element};
use super::lang::{Lang, PageLabels};
use super::math::{MathMl, Syntax, formula_in, formula_shortened_in, symbol_in};
use super::stepper::{Style, article_line};
use super::table::{group_key, loss_notes, section_title, sections, title};
use crate::article;
use crate::notation::{Notation, Typography};
use crate::number;
use crate::trace::{Formula, Parameter, Role, Stage, Trace, TracedValue};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

/// A sum of more terms than this is shown shortened until the student asks for all of it.
const LONGEST_SUM: usize = 12;

const STYLE: &str = include_str!("page/page.css");
const SCRIPT: &str = include_str!("page/page.js");

/// What the page is written with.
pub struct PageOptions {
    /// The language the page opens in (it carries both).
    pub lang: Lang,
    /// Lines under the title saying where the inputs came from (the seed, a trace's options).
    pub heading: Vec<String>,
}

/// A text in both languages; the page shows one and switches without a reload.
#[derive(Serialize)]
struct Both {
    en: String,
    zh: String,
}

impl Both {
    fn of(text: impl Fn(Lang) -> String) -> Both {
        Both {
            en: text(Lang::En),
            zh: text(Lang::Zh),
        }
    }
}

#[derive(Serialize)]
struct Section {
    /// The first step of the section.
    start: usize,
    title: Both,
    /// What the tables say above the section about a loss or an output activation that is
    /// not the article's (the softmax's derivative matrix, the two routes to δ).
    notes: Vec<Both>,
}

/// One of the article's numbers beside a value.
#[derive(Serialize)]
struct ArticleLine {
    /// agrees, explained or differs: a class that styles it (the text says it too).
    class: &'static str,
    text: Both,
    why: Option<Both>,
}

/// A place in the figure where a value is written.
#[derive(Serialize)]
struct Slot {
    /// The node it is on (`n1_0`), or the arrow's label (`w5`).
    node: Option<String>,
    edge: Option<String>,
    /// Which of the node's texts: net, out, delta, value.
    slot: &'static str,
    /// Written before the number: `net `, `δ `.
    prefix: &'static str,
    /// A weight or bias: `values` is [given, updated], shown as before → after.
    parameter: bool,
    /// The values written there, in the order they are computed.
    values: Vec<usize>,
}

/// Everything the script needs, as columns indexed by the value's place in the trace.
#[derive(Serialize)]
struct Data {
    lang: &'static str,
    title: Both,
    step_of: Both,
    given_title: Both,
    given_header: [Both; 3],
    labels: BTreeMap<&'static str, &'static PageLabels>,
    /// How many values a section of "show all" writes out before it says how many remain.
    cut: usize,
    /// The symbols' MathML templates, each subscript a `#` (`∂E_total/∂w_#`).
    symbol_templates: Vec<String>,
    /// Each value's symbol: its template's index and its subscripts, `|`-separated (`3|5`).
    symbols: Vec<String>,
    /// Each value as a number in a substituted formula.
    numbers: Vec<String>,
    /// Each value as the tables show it, at the trace's precision.
    values: Vec<String>,
    /// Each distinct formula tree as MathML, its operands as `<mrow data-operand="n">`.
    trees: Vec<String>,
    /// Each value's tree (an index into `trees`), or -1 for a given value.
    tree: Vec<i64>,
    /// The trees of a sum too long to read at a glance (a 784-input neuron's net), shortened
    /// (`… + ⋯ + …`), with the number of terms: the page shows all on request.
    shortened: BTreeMap<usize, (String, usize)>,
    /// Each value's operands, as indices of values.
    from: Vec<Vec<usize>>,
    /// The given values (indices), each with where it came from (an index into `origins`).
    /// The stepper steps through every other value, in order.
    given: Vec<(usize, usize)>,
    origins: Vec<String>,
    sections: Vec<Section>,
    /// The figure's node (`n1_0`) or arrow label (`w5`) each drawn value belongs to.
    marks: BTreeMap<usize, String>,
    /// Where values are written on the figure.
    slots: Vec<Slot>,
    /// The figure's short form of each value written on it.
    short: BTreeMap<usize, String>,
    /// The article's numbers, by value.
    article: BTreeMap<usize, Vec<ArticleLine>>,
}

/// Writes the page for the first iteration of `trace`.
pub fn write(trace: &Trace, options: &PageOptions, out: &mut dyn Write) -> io::Result<()> {
    let diagram = Diagram::new(&trace.network, None);
    let data = data(trace, options.lang, &diagram);
    let l = options.lang.labels();
    let p = options.lang.page();
    let lang = lang_code(options.lang);
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1 id=\"title\">{}</h1>\n",
        escape(&title(trace, l)),
        escape(&title(trace, l))
    )?;
    for line in &options.heading {
        writeln!(out, "<p class=\"heading\">{}</p>", escape(line))?;
    }
    writeln!(
        out,
        "<nav id=\"langs\"><button type=\"button\" data-lang=\"en\" lang=\"en\">English</button>\
         <button type=\"button\" data-lang=\"zh\" lang=\"zh\">中文</button></nav>\n</header>\n<main>\n\
         <figure id=\"figure\">\n{}<figcaption id=\"figure-caption\">{}</figcaption>\n</figure>",
        diagram.to_svg_with_slots(),
        escape(p.figure)
    )?;
    let button = |id: &str, label: &str, key: &str| {
        format!(
            "<button type=\"button\" id=\"{id}\" aria-keyshortcuts=\"{key}\">{}</button>",
            escape(label)
        )
    };
    writeln!(
        out,
        "<div id=\"side\">\n<section id=\"stepper\">\n<div class=\"where\"><h2 id=\"section\"></h2>\
         <span id=\"position\"></span></div>\n<div id=\"section-notes\"></div>\n<div id=\"step\" aria-live=\"polite\">\
         <div id=\"formula\" class=\"math\"></div>\n<div id=\"substituted\" class=\"math\"></div>\n\
         <div id=\"value\" class=\"math\"></div>\n\
         <button type=\"button\" id=\"terms\" hidden></button>\n<ul id=\"article\"></ul></div>\n</section>\n\
         <div id=\"controls\">{}{}{}{}{}{}{}</div>\n<p id=\"keys\">{}</p>\n</div>\n\
         <section id=\"all\" hidden></section>\n</main>\n<noscript><p>{}</p></noscript>",
        button("first", p.first, "Home"),
        button("previous-section", p.previous_section, "PageUp"),
        button("previous", p.previous, "ArrowLeft"),
        button("next", p.next, "ArrowRight"),
        button("next-section", p.next_section, "PageDown"),
        button("last", p.last, "End"),
        button("show-all", p.show_all, "A"),
        escape(p.keys),
        escape(p.no_script)
    )?;
    out.write_all(b"<script type=\"application/json\" id=\"data\">")?;
    // `</` never appears raw inside the script element (it could close it): in JSON it can
    // only be inside a string, where `<\/` reads as the same `</`.
    // An I/O error (a closed pipe) keeps its kind, so a `| head` that stops reading is not
    // reported as a failure.
    serde_json::to_writer(ScriptSafe::new(&mut *out), &data).map_err(io::Error::from)?;
    write!(
        out,
        "</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh",
    }
}

/// The trace as the script's columns.
fn data(trace: &Trace, lang: Lang, diagram: &Diagram) -> Data {
    let values = &trace.first().values;
    let names = Notation::new(&trace.network);
    let precision = trace.options.precision;
    // Two halves of the columns, one on each core: a 784-128-10 network has 300,000 values.
    let ((symbols, numbers, shown), (trees, from)) = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let numbers: Vec<String> = values
                .iter()
                .map(|v| number::operand(v.value, precision))
                .collect();
            let shown: Vec<String> = values
                .iter()
                .map(|v| number::fixed(v.value, precision))
                .collect();
            (Symbols::new(values, &names), numbers, shown)
        });
        let second = (Trees::new(values), operands(values));
        (
            first
                .join()
                .expect("the symbols are written without a panic"),
            second,
        )
    });
    let mut section_list = Vec::new();
    let mut start = 0;
    for group in sections(values) {
        let (stage, layer) = group_key(&group[0]);
        if stage != Stage::Given {
            let notes = |lang: Lang| loss_notes(trace, lang.labels(), stage, layer);
            let (en, zh) = (notes(Lang::En), notes(Lang::Zh));
            section_list.push(Section {
                start,
                title: Both::of(|lang| {
                    let sample = group[0].sample;
                    section_title(
                        trace,
                        lang.labels(),
                        Typography::Article,
                        stage,
                        layer,
                        sample,
                    )
                }),
                notes: en
                    .into_iter()
                    .zip(zh)
                    .map(|(en, zh)| Both { en, zh })
                    .collect(),
            });
            start += group.len();
        }
    }
    let given_stage = values.iter().find(|v| v.stage == Stage::Given);
    let given_title = Both::of(|lang| match given_stage {
        Some(v) => section_title(
            trace,
            lang.labels(),
            Typography::Article,
            v.stage,
            v.layer,
            None,
        ),
        None => String::new(),
    });

    let mut origins: Vec<String> = Vec::new();
    let given = (0..values.len())
        .filter(|&i| values[i].stage == Stage::Given)
        .map(|i| {
            let origin = values[i].origin();
            let o = match origins.iter().position(|o| *o == origin) {
                Some(o) => o,
                None => {
                    origins.push(origin);
                    origins.len() - 1
                }
            };
            (i, o)
        })
        .collect();
    let figure = Figure::new(diagram, &names, values);
    let article = match article::compare(trace) {
        Some(comparison) => values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let lines = comparison.get(v.symbol.as_str())?;
                let lines = lines
                    .iter()
                    .map(|(printed, verdict)| {
                        let line = |lang| article_line(printed, verdict, lang, Typography::Article);
                        let (en, zh) = (line(Lang::En), line(Lang::Zh));
                        ArticleLine {
                            class: match en.2 {
                                Style::Agrees => "agrees",
                                Style::Explained => "explained",
                                _ => "differs",
                            },
                            why: en.1.map(|en| Both {
                                en,
                                zh: zh.1.unwrap_or_default(),
                            }),
                            text: Both { en: en.0, zh: zh.0 },
                        }
                    })
                    .collect();
                Some((i, lines))
            })
            .collect(),
        None => BTreeMap::new(),
    };

    Data {
        lang: lang_code(lang),
        title: Both::of(|lang| title(trace, lang.labels())),
        step_of: Both::of(|lang| lang.labels().step_of.to_string()),
        given_title,
        given_header: [
            Both::of(|lang| lang.labels().symbol.to_string()),
            Both::of(|lang| lang.labels().value.to_string()),
            Both::of(|lang| lang.labels().field.to_string()),
        ],
        labels: BTreeMap::from([("en", Lang::En.page()), ("zh", Lang::Zh.page())]),
        cut: FORMULAS_PER_SECTION,
        symbol_templates: symbols.templates,
        symbols: symbols.symbols,
        numbers,
        values: shown,
        trees: trees.trees,
        tree: trees.tree,
        shortened: trees.shortened,
        from,
        given,
        origins,
        sections: section_list,
        marks: figure.marks,
        slots: figure.slots,
        short: figure.short,
        article,
    }
}

/// Each value's operands, as indices of values.
fn operands(values: &[TracedValue]) -> Vec<Vec<usize>> {
    let position: HashMap<&str, usize> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.symbol.as_str(), i))
        .collect();
    values
        .iter()
        .map(|v| {
            v.from
                .iter()
                .filter_map(|s| position.get(s.as_str()).copied())
                .collect()
        })
        .collect()
}

/// The formula trees as MathML templates, each distinct tree once (see [`Data::trees`]).
struct Trees {
    trees: Vec<String>,
    tree: Vec<i64>,
    shortened: BTreeMap<usize, (String, usize)>,
}

impl Trees {
    fn new(values: &[TracedValue]) -> Trees {
        let mut trees: Vec<String> = Vec::new();
        let mut index: HashMap<&Formula, usize> = HashMap::new();
        let mut shortened = BTreeMap::new();
        let operand = |n: usize| format!("<mrow data-operand=\"{n}\"></mrow>");
        let mathml = MathMl::default();
        let tree = values
            .iter()
            .map(|v| match &v.expr {
                Some(f) if v.stage != Stage::Given => *index.entry(f).or_insert_with(|| {
                    let t = trees.len();
                    trees.push(formula_in(&mathml, f, &operand));
                    if let (Some(short), Formula::Sum(terms)) =
                        (formula_shortened_in(&mathml, f, &operand, LONGEST_SUM), f)
                    {
                        shortened.insert(t, (short, terms.len()));
                    }
                    t
                }) as i64,
                _ => -1,
            })
            .collect();
        Trees {
            trees,
            tree,
            shortened,
        }
    }
}

/// The symbols as templates and subscripts (see [`Data::symbols`]). A template is made once
/// per kind of role; for every other value of that kind only its subscripts are worked out.
struct Symbols {
    templates: Vec<String>,
    symbols: Vec<String>,
}

impl Symbols {
    fn new(values: &[TracedValue], names: &Notation) -> Symbols {
        let templating = MathMl::templating();
        let subscripts = Subscripts::default();
        let mut templates = Vec::new();
        // By the role with its indices cleared, and which subscripts are numbers (written
        // as <mn> rather than <mi>): the same key, the same template.
        let mut known: HashMap<(Role, u64, bool), usize> = HashMap::new();
        let mut text: HashMap<String, usize> = HashMap::new();
        let symbols = values
            .iter()
            .map(|v| {
                let Some(role) = v.role else {
                    // A hand-edited trace's value without a role: its key as text.
                    let template =
                        format!("<mtext>{}</mtext>", escape(&v.symbol).replace('#', "&#35;"));
                    let next = templates.len();
                    let t = *text.entry(template).or_insert_with_key(|t| {
                        templates.push(t.clone());
                        next
                    });
                    return t.to_string();
                };
                symbol_in(&subscripts, role, names);
                let mut subs = std::mem::take(&mut *subscripts.0.borrow_mut());
                let numbers = subs.iter().enumerate().fold(0u64, |mask, (k, sub)| {
                    mask | (u64::from(sub.bytes().all(|b| b.is_ascii_digit())) << k)
                });
                // In a batch, a per-sample value's symbol ends in [s₂]: one more subscript.
                if let Some(sample) = v.sample {
                    subs.push((sample + 1).to_string());
                }
                let key = (cleared(role), numbers, v.sample.is_some());
                let t = *known.entry(key).or_insert_with(|| {
                    let mut template = symbol_in(&templating, role, names);
                    if v.sample.is_some() {
                        template = format!(
                            "<mrow>{template}<mo>[</mo><msub><mi>s</mi><mn>#</mn></msub><mo>]</mo></mrow>"
                        );
                    }
                    templates.push(template);
                    templating.take_subscripts();
                    templates.len() - 1
                });
                let mut symbol = t.to_string();
                for sub in subs {
                    symbol.push('|');
                    symbol.push_str(&sub);
                }
                symbol
            })
            .collect();
        Symbols { templates, symbols }
    }
}

/// `role` with every layer, neuron and index 0: what kind of value it is.
fn cleared(role: Role) -> Role {
    let p = |p: Parameter| match p {
        Parameter::Weight { .. } => Parameter::Weight { layer: 0, index: 0 },
        Parameter::Bias { .. } => Parameter::Bias { layer: 0, index: 0 },
    };
    match role {
        Role::Input { .. } => Role::Input { neuron: 0 },
        Role::Target { .. } => Role::Target { neuron: 0 },
        Role::Weight { .. } => Role::Weight { layer: 0, index: 0 },
        Role::Bias { .. } => Role::Bias { layer: 0, index: 0 },
        Role::LearningRate => Role::LearningRate,
        Role::Net { updated, .. } => Role::Net {
            layer: 0,
            neuron: 0,
            updated,
        },
        Role::Out { updated, .. } => Role::Out {
            layer: 0,
            neuron: 0,
            updated,
        },
        Role::LossTerm { updated, .. } => Role::LossTerm { neuron: 0, updated },
        Role::Loss { updated } => Role::Loss { updated },
        Role::DLossDOut { .. } => Role::DLossDOut {
            layer: 0,
            neuron: 0,
        },
        Role::DNetDOut { .. } => Role::DNetDOut {
            layer: 0,
            neuron: 0,
            above: 0,
        },
        Role::Share { .. } => Role::Share {
            layer: 0,
            neuron: 0,
            above: 0,
        },
        Role::NetMax { updated, .. } => Role::NetMax { layer: 0, updated },
        Role::ExpSum { updated, .. } => Role::ExpSum { layer: 0, updated },
        Role::SoftmaxDerivative { .. } => Role::SoftmaxDerivative {
            layer: 0,
            neuron: 0,
            by: 0,
        },
        Role::DeltaShortcut { .. } => Role::DeltaShortcut {
            layer: 0,
            neuron: 0,
        },
        Role::Beta | Role::Beta1 | Role::Beta2 | Role::Epsilon | Role::Step { .. } => role,
        Role::BiasCorrection { .. } => role,
        Role::Velocity { of, updated } => Role::Velocity { of: p(of), updated },
        Role::NesterovGradient { of } => Role::NesterovGradient { of: p(of) },
        Role::FirstMoment { of, updated } => Role::FirstMoment { of: p(of), updated },
        Role::SecondMoment { of, updated } => Role::SecondMoment { of: p(of), updated },
        Role::FirstMomentHat { of } => Role::FirstMomentHat { of: p(of) },
        Role::SecondMomentHat { of } => Role::SecondMomentHat { of: p(of) },
        Role::DOutDNet { .. } => Role::DOutDNet {
            layer: 0,
            neuron: 0,
        },
        Role::Delta { .. } => Role::Delta {
            layer: 0,
            neuron: 0,
        },
        Role::DNetDWeight { .. } => Role::DNetDWeight { layer: 0, index: 0 },
        Role::Gradient { of } => Role::Gradient { of: p(of) },
        Role::Updated { of } => Role::Updated { of: p(of) },
    }
}

/// A syntax that writes nothing and keeps the subscripts: a symbol's subscripts, in the
/// order the MathML template has its `#`s, without writing the symbol.
#[derive(Default)]
struct Subscripts(std::cell::RefCell<Vec<String>>);

impl Syntax for Subscripts {
    fn ident(&self, _: &str) -> String {
        String::new()
    }
    fn number(&self, _: &str) -> String {
        String::new()
    }
    fn sub(&self, _: String, sub: &str) -> String {
        self.0.borrow_mut().push(sub.to_string());
        String::new()
    }
    fn plus(&self, _: String) -> String {
        String::new()
    }
    fn partial(&self, _: String, _: String) -> String {
        String::new()
    }
    fn op(&self, _: char) -> String {
        String::new()
    }
    fn parens(&self, _: String) -> String {
        String::new()
    }
    fn row(&self, _: Vec<String>) -> String {
        String::new()
    }
    fn half(&self) -> String {
        String::new()
    }
    fn square(&self, _: String) -> String {
        String::new()
    }
    fn negate(&self, _: String) -> String {
        String::new()
    }
    fn sigmoid(&self, _: String) -> String {
        String::new()
    }
    fn apply(&self, _: &str, _: Vec<String>) -> String {
        String::new()
    }
    fn fraction(&self, _: String, _: String) -> String {
        String::new()
    }
    fn exp(&self, _: String) -> String {
        String::new()
    }
    fn tagged(&self, _: String, _: &str) -> String {
        String::new()
    }
    fn power(&self, _: String, _: String) -> String {
        String::new()
    }
    fn sqrt(&self, _: String) -> String {
        String::new()
    }
    fn hat(&self, _: &str) -> String {
        String::new()
    }
    fn step(&self, _: String) -> String {
        String::new()
    }
}

/// Where each value goes on the figure: which drawn node or arrow it marks when a step uses
/// it, and which it is written on.
struct Figure {
    marks: BTreeMap<usize, String>,
    slots: Vec<Slot>,
    short: BTreeMap<usize, String>,
}

impl Figure {
    fn new(diagram: &Diagram, names: &Notation, values: &[TracedValue]) -> Figure {
        let nodes: HashSet<&str> = diagram
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Neuron { .. }))
            .map(|n| n.id.as_str())
            .collect();
        let edges: HashSet<&str> = diagram.edges.iter().map(|e| e.label.as_str()).collect();
        let mut marks = BTreeMap::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut slot_of: HashMap<(String, &'static str), usize> = HashMap::new();
        let mut short = BTreeMap::new();
        for (i, v) in values.iter().enumerate() {
            let Some(role) = v.role else {
                continue;
            };
            let (node, edge) = match element(role, names) {
                Element::Neuron(layer, j) => {
                    let id = format!("n{layer}_{j}");
                    (nodes.contains(id.as_str()).then_some(id), None)
                }
                Element::Weight(name) | Element::Bias(name) => {
                    (None, edges.contains(name.as_str()).then_some(name))
                }
                _ => (None, None),
            };
            if let Some(mark) = node.clone().or(edge.clone()) {
                marks.insert(i, mark);
            }
            // What is written where: a neuron's net, out and δ, an input's value, a
            // parameter's value before and after the update.
            let (slot, prefix, parameter) = match role {
                Role::Input { .. } => ("value", "", false),
                Role::Net { updated: false, .. } => ("net", "net ", false),
                Role::Out { updated: false, .. } => ("out", "out ", false),
                Role::Delta { .. } => ("delta", "δ ", false),
                Role::Weight { .. } | Role::Bias { .. } => ("value", "", true),
                Role::Updated {
                    of: Parameter::Weight { .. } | Parameter::Bias { .. },
                } => ("value", "", true),
                _ => continue,
            };
            let Some(place) = node.clone().or(edge.clone()) else {
                continue;
            };
            let k = *slot_of.entry((place, slot)).or_insert_with(|| {
                slots.push(Slot {
                    node: node.clone(),
                    edge: edge.clone(),
                    slot,
                    prefix,
                    parameter,
                    values: Vec::new(),
                });
                slots.len() - 1
            });
            slots[k].values.push(i);
            short.insert(i, number::compact(v.value, 4));
        }
        Figure {
            marks,
            slots,
            short,
        }
    }
}

/// A writer that writes `</` as `<\/`, so that JSON inside a `<script>` element cannot
/// close it.
struct ScriptSafe<W: Write> {
    inner: W,
    after_lt: bool,
}

impl<W: Write> ScriptSafe<W> {
    fn new(inner: W) -> ScriptSafe<W> {
        ScriptSafe {
            inner,
            after_lt: false,
        }
    }
}

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b == b'/' && self.after_lt {
                self.inner.write_all(&buf[start..i])?;
                self.inner.write_all(b"\\")?;
                start = i;
            }
            self.after_lt = b == b'<';
        }
        self.inner.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
