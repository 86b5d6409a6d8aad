//! One value taken apart: its derivation as a tree, from the value down through the values
//! its formula uses to the given ones (inputs, targets, weights, biases, η), each node with
//! its formula, the numbers substituted and its value. It walks the `from` lists the engine
//! recorded; a value used twice is derived once, where it first appears, and marked as
//! derived above afterwards, so that a deep network does not make the tree explode.

use crate::article::{self, Verdict};
use crate::notation::Typography;
use crate::number;
use crate::render::lang::Lang;
use crate::render::layout;
use crate::render::symbols::Symbols;
use crate::trace::{Draw, Stage, Trace, TracedValue, UnknownSymbol};
use colored::Colorize;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Write};

/// The `format` field of `explain --format json`.
pub const FORMAT_NAME: &str = "backprop-tracer/explain";
/// Its `version`.
pub const FORMAT_VERSION: u32 = 1;

/// One node of the derivation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// The ASCII symbol (`dE_total/dw1`).
    pub symbol: String,
    /// The part of the iteration it belongs to.
    pub stage: Stage,
    /// Its formula in symbols; for a given value, the network-file field it came from.
    pub formula: String,
    /// The formula with the numbers substituted.
    pub substituted: String,
    /// The value, full precision.
    pub value: f64,
    /// The article's printed numbers for it and whether each agrees (on the article's
    /// network only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub article: Vec<ArticleNumber>,
    /// True when this value's derivation is given earlier in the tree: then `children` is
    /// empty although the value was computed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub derived_above: bool,
    /// The values its formula uses, in the order they appear (each once).
    pub children: Vec<Node>,
    /// The symbols of the formula as recorded (with repeats), for its typography.
    #[serde(skip)]
    pub from: Vec<String>,
    /// The formula tree, from which the formula is printed in the chosen typography.
    #[serde(skip)]
    pub expr: Option<crate::trace::Formula>,
    /// Its symbol in the article's typography, printed from its role (`symbol` is the
    /// ASCII key), and each of `from`'s: the tree is written without the trace.
    #[serde(skip)]
    pub pretty: String,
    #[serde(skip)]
    pub from_pretty: Vec<String>,
    /// For a given value the network file left out: the seed it was drawn with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drawn: Option<Draw>,
    /// When the tree stops at this node (`--depth`) although its derivation goes on: what
    /// is left out. Its `children` are then empty.
    #[serde(skip)]
    pub below: Option<Below>,
}

/// The part of a derivation below the depth the tree stops at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Below {
    /// How many nodes it has.
    pub nodes: usize,
    /// The depth that shows them all (the root is at depth 0).
    pub depth: usize,
    /// Cut because the tree's guides would leave too little of the width for the text,
    /// not because of `--depth`.
    pub by_width: bool,
}

/// The columns a node's text needs beside the tree's guides: below this, a deeper level is
/// not drawn (its numbers and symbols would not fit whole).
const TEXT_COLUMNS: usize = 28;

/// A number the article prints for a value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArticleNumber {
    /// As printed.
    pub printed: String,
    /// Whether it agrees with the computed value at the precision printed.
    pub agrees: bool,
}

/// The whole `--format json` document.
#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    tree: &'a Node,
}

/// The derivation of the value `written` (ASCII or the article's typography) in the first
/// iteration of `trace`.
pub fn tree(trace: &Trace, written: &str) -> Result<Node, UnknownSymbol> {
    tree_to_depth(trace, written, None, None)
}

/// The derivation down to `depth` (the root is at depth 0; None: all of it), and no deeper
/// than leaves [`TEXT_COLUMNS`] of `width` for the text. A value whose derivation is cut
/// off is not counted as derived, so that it is derived in full where it next appears
/// above the cut, not marked "derived above".
pub fn tree_to_depth(
    trace: &Trace,
    written: &str,
    depth: Option<usize>,
    width: Option<usize>,
) -> Result<Node, UnknownSymbol> {
    let iteration = trace.first();
    let root = iteration.lookup(written)?;
    let index = iteration.index();
    let comparison = article::compare(trace);
    let mut expanded = HashSet::new();
    let symbols = Symbols::new(trace, Typography::Article);
    let mut build = Builder {
        index: &index,
        symbols: &symbols,
        comparison: comparison.as_ref(),
        expanded: &mut expanded,
        hidden: HashSet::new(),
        depth,
        // A node at level L is drawn after 3·L columns of guides, its continuation lines
        // after 3·L + 5.
        room: width.map(|w| w.saturating_sub(TEXT_COLUMNS + 5) / 3),
    };
    Ok(build.node(root, 0))
}

type Comparison =
    std::collections::HashMap<&'static str, Vec<(&'static article::Printed, Verdict<'static>)>>;

struct Builder<'a, 'b> {
    index: &'b std::collections::HashMap<&'a str, &'a TracedValue>,
    symbols: &'b Symbols<'a>,
    comparison: Option<&'b Comparison>,
    expanded: &'b mut HashSet<&'a str>,
    /// The values derived below the cuts so far: what a deeper tree would have derived
    /// before reaching the next cut.
    hidden: HashSet<&'a str>,
    depth: Option<usize>,
    /// The deepest level the width has room for.
    room: Option<usize>,
}

impl<'a> Builder<'a, '_> {
    fn node(&mut self, v: &'a TracedValue, level: usize) -> Node {
        let article = self
            .comparison
            .and_then(|c| c.get(v.symbol.as_str()))
            .map(|entries| {
                entries
                    .iter()
                    .map(|(p, verdict)| ArticleNumber {
                        printed: p.printed.clone(),
                        agrees: *verdict == Verdict::Agrees,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut node = Node {
            symbol: v.symbol.clone(),
            stage: v.stage,
            formula: v.formula.clone(),
            substituted: v.substituted.clone(),
            value: v.value,
            article,
            derived_above: false,
            children: Vec::new(),
            from: v.from.clone(),
            expr: v.expr.clone(),
            pretty: self.symbols.value(v),
            from_pretty: v.from.iter().map(|key| self.symbols.of(key)).collect(),
            drawn: v.drawn,
            below: None,
        };
        if v.from.is_empty() {
            return node;
        }
        if self.expanded.contains(v.symbol.as_str()) {
            node.derived_above = true;
            return node;
        }
        let by_depth = self.depth == Some(level);
        if by_depth || self.room == Some(level) {
            // What a deeper tree would show here: built on a copy, so that nothing below
            // the cut counts as derived.
            let mut expanded: HashSet<&'a str> =
                self.expanded.union(&self.hidden).copied().collect();
            let mut whole = Builder {
                index: self.index,
                symbols: self.symbols,
                comparison: self.comparison,
                expanded: &mut expanded,
                hidden: HashSet::new(),
                depth: None,
                room: None,
            };
            let full = whole.node(v, level);
            self.hidden.extend(expanded);
            node.below = Some(Below {
                nodes: count(&full) - 1,
                depth: level + height(&full),
                by_width: !by_depth,
            });
            return node;
        }
        self.expanded.insert(v.symbol.as_str());
        let mut seen = HashSet::new();
        for symbol in &v.from {
            if !seen.insert(symbol.as_str()) {
                continue;
            }
            // Every symbol in `from` is recorded earlier (traces/README.md); a hand-edited
            // trace that breaks this just loses that branch.
            if let Some(child) = self.index.get(symbol.as_str()) {
                let child = self.node(child, level + 1);
                node.children.push(child);
            }
        }
        node
    }
}

/// The number of nodes of the tree under `node`, itself included.
fn count(node: &Node) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

/// How many levels the tree under `node` goes down (0 for a leaf).
fn height(node: &Node) -> usize {
    node.children
        .iter()
        .map(|c| 1 + height(c))
        .max()
        .unwrap_or(0)
}

/// How the tree is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExplainOptions {
    pub lang: Lang,
    /// ASCII symbols and tree lines.
    pub ascii: bool,
    /// Colour: the root in bold, negative values and the article's verdicts coloured.
    pub color: bool,
    /// Digits after the decimal point of the values.
    pub precision: usize,
    /// The width to fit: a node's line that is longer goes on in lines indented under the
    /// tree's guides, broken between words. None: one line per node.
    pub width: Option<usize>,
}

/// Writes the tree as text: one line per node, `symbol = formula = numbers = value`.
pub fn render_text(root: &Node, options: &ExplainOptions, out: &mut dyn Write) -> io::Result<()> {
    write_node(root, options, "", "", out)
}

fn write_node(
    node: &Node,
    o: &ExplainOptions,
    lead: &str,
    rest: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let typography = Typography::from_ascii(o.ascii);
    let l = o.lang.labels_in(typography);
    // The node's symbols as its role prints them (ASCII: the keys themselves).
    let name = |s: &str| -> String {
        if typography.is_ascii() {
            s.to_string()
        } else if s == node.symbol {
            node.pretty.clone()
        } else {
            match node.from.iter().position(|f| f == s) {
                Some(i) => node.from_pretty[i].clone(),
                None => typography.symbol(s),
            }
        }
    };
    let value = number::fixed(node.value, o.precision);
    let value = if o.color && node.value < 0.0 {
        value.cyan().to_string()
    } else {
        value
    };
    let symbol = if o.color && lead.is_empty() {
        name(&node.symbol).bold().to_string()
    } else {
        name(&node.symbol)
    };
    let mut text = if let Some(d) = node.drawn {
        let drawn = l.drawn.replace("{seed}", &d.seed.to_string());
        format!("{symbol} = {value}  ({drawn})")
    } else if node.stage == Stage::Given {
        format!(
            "{symbol} = {value}  ({})",
            l.given_from.replace("{field}", &node.formula)
        )
    } else if node.derived_above {
        format!("{symbol} = {value}  ({})", l.derived_above)
    } else {
        let formula = formula(node, &name);
        // A value that is another one under a new name (∂net_o1/∂out_h1 = w5) needs no
        // numbers line.
        if node.substituted == node.formula || node.from.len() == 1 && node.formula == node.from[0]
        {
            format!("{symbol} = {formula} = {value}")
        } else {
            format!("{symbol} = {formula} = {} = {value}", node.substituted)
        }
    };
    for a in &node.article {
        let mark = if a.agrees {
            typography.agrees()
        } else {
            typography.differs()
        };
        let note = format!("{} {} {mark}", l.article, a.printed);
        // Word by word, so that a line broken inside the note does not carry the colour
        // into the tree's guides.
        let note = format!("[{note}]");
        let note = match (o.color, a.agrees) {
            (false, _) => note,
            (true, agrees) => note
                .split(' ')
                .map(|w| if agrees { w.green() } else { w.yellow() }.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        };
        text.push_str(&format!("  {note}"));
    }
    let (branch, last, pipe, blank) = if o.ascii {
        ("|- ", "`- ", "|  ", "   ")
    } else {
        ("├─ ", "└─ ", "│  ", "   ")
    };
    let goes_on = !node.children.is_empty() || node.below.is_some();
    let more = format!("{rest}{}  ", if goes_on { pipe } else { blank });
    for line in layout::wrap(&text, o.width, lead, &more) {
        writeln!(out, "{line}")?;
    }
    if let Some(below) = node.below {
        let text = if below.by_width {
            o.lang.pick(
                "… {nodes} more below (too deep for {width} columns: `explain {symbol}` shows them)",
                "… 下面还有 {nodes} 项(超出 {width} 列的宽度:`explain {symbol}` 可显示)",
            )
        } else {
            o.lang.pick(
                "… {nodes} more below (--depth {depth} shows them)",
                "… 下面还有 {nodes} 项(--depth {depth} 可显示)",
            )
        };
        let text = text
            .replace("{nodes}", &below.nodes.to_string())
            .replace("{depth}", &below.depth.to_string())
            .replace("{width}", &o.width.unwrap_or(0).to_string())
            .replace("{symbol}", &name(&node.symbol));
        let text = typography.text(&text);
        let text = if o.color {
            text.dimmed().to_string()
        } else {
            text.into_owned()
        };
        let lead = format!("{rest}{last}");
        let more = format!("{rest}{blank}  ");
        for line in layout::wrap(&text, o.width, &lead, &more) {
            writeln!(out, "{line}")?;
        }
    }
    for (i, child) in node.children.iter().enumerate() {
        let is_last = i + 1 == node.children.len();
        let lead = format!("{rest}{}", if is_last { last } else { branch });
        let next = format!("{rest}{}", if is_last { blank } else { pipe });
        write_node(child, o, &lead, &next, out)?;
    }
    Ok(())
}

/// The formula in the chosen typography.
fn formula(node: &Node, name: &dyn Fn(&str) -> String) -> String {
    let as_value = TracedValue {
        symbol: node.symbol.clone(),
        role: None,
        expr: node.expr.clone(),
        stage: node.stage,
        layer: None,
        formula: node.formula.clone(),
        substituted: String::new(),
        value: node.value,
        from: node.from.clone(),
        drawn: None,
        sample: None,
    };
    as_value.formula_with(name)
}

/// Writes the tree as JSON (see README: `format`, `version`, `tree`).
pub fn render_json(root: &Node, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        format: FORMAT_NAME,
        version: FORMAT_VERSION,
        tree: root,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;

    fn article() -> Trace {
        engine::trace_iteration(&Network::article(), &Options::default())
    }

    fn text(node: &Node, ascii: bool) -> String {
        let mut out = Vec::new();
        let options = ExplainOptions {
            ascii,
            precision: 9,
            ..ExplainOptions::default()
        };
        render_text(node, &options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dw1_goes_down_the_articles_chain() {
        let trace = article();
        let root = tree(&trace, "∂E_total/∂w1").unwrap();
        assert_eq!(root.symbol, "dE_total/dw1");
        let children: Vec<&str> = root.children.iter().map(|c| c.symbol.as_str()).collect();
        assert_eq!(
            children,
            ["dE_total/dout_h1", "dout_h1/dnet_h1", "dnet_h1/dw1"]
        );
        let shares: Vec<&str> = root.children[0]
            .children
            .iter()
            .map(|c| c.symbol.as_str())
            .collect();
        assert_eq!(shares, ["dE_o1/dout_h1", "dE_o2/dout_h1"]);
        let drawn = text(&root, false);
        assert!(drawn.starts_with(
            "∂E_total/∂w1 = ∂E_total/∂out_h1 * ∂out_h1/∂net_h1 * ∂net_h1/∂w1 = \
             0.036350306 * 0.241300709 * 0.05 = 0.000438568  [article 0.000438568 ✓]\n"
        ));
        assert!(drawn.contains("├─ ∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1"));
        assert!(
            drawn.contains("w1 = 0.150000000  (given: weights[0][0])"),
            "{drawn}"
        );
        assert!(
            drawn.contains("target_o1 = 0.010000000  (given: target[0])"),
            "{drawn}"
        );
        assert!(
            drawn.contains("(derived above)"),
            "out_h1 is used on several branches"
        );
    }

    #[test]
    fn a_repeated_operand_is_one_child_and_keeps_its_typography() {
        let trace = article();
        let root = tree(&trace, "dout_o1/dnet_o1").unwrap();
        assert_eq!(root.children.len(), 1);
        let drawn = text(&root, false);
        assert!(
            drawn.starts_with("∂out_o1/∂net_o1 = out_o1 * (1 - out_o1) = "),
            "{drawn}"
        );
    }

    #[test]
    fn updated_symbols_are_not_confused_with_old_ones() {
        let trace = article();
        let root = tree(&trace, "net_h1+").unwrap();
        let children: Vec<&str> = root.children.iter().map(|c| c.symbol.as_str()).collect();
        assert_eq!(children, ["w1+", "i1", "w2+", "i2", "b1"]);
        assert!(text(&root, true).starts_with("net_h1+ = w1+ * i1 + w2+ * i2 + b1 * 1 = "));
    }

    #[test]
    fn unknown_symbols_get_suggestions() {
        let trace = article();
        let e = tree(&trace, "dE_total/dw9").unwrap_err();
        assert!(e.closest.contains(&"dE_total/dw5".to_string()));
    }
}
