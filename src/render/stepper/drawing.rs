//! The network drawn in text: a column of boxes per layer, each neuron with the values
//! computed for it so far (net, out, δ), the weights into it listed beside it, the targets
//! and errors to the right of the outputs. The neurons and weights the current step uses are
//! drawn with double lines (and highlighted). The drawing shrinks its numbers and its boxes
//! (each name on its box's top line) to fit the space it is given, never dropping a weight's
//! sending neuron, and says how much it needs when even that fails.
//!
//! Every value is shown as it stands after the current step (w5⁺ once its update is
//! computed), except what the current step reads: that is shown as the formula reads it. So
//! in the simultaneous order the hidden layer's chain shows the original w5 it multiplies
//! by, though w5⁺ is known, and in the sequential order and the summary it shows w5⁺.

use super::{Line, Span, Style};
use crate::network::Bias;
use crate::notation::{Notation, Typography};
use crate::number;
use crate::render::figure::{Element, element, stands_for};
use crate::render::symbols::Symbols;
use crate::trace::{Role, Trace};
use std::collections::{HashMap, HashSet};

/// How much detail: digits of the numbers, and whether each neuron's name is written on
/// its box's top line (one row fewer per neuron) rather than inside it. Every level keeps
/// the sending neuron in each weight's label (`i2─w2 0.2`): a weight drawn without it sits
/// on the row of another sender and reads as another connection.
#[derive(Clone, Copy)]
struct Detail {
    digits: usize,
    compact: bool,
}

/// Tried in turn until one fits.
const DETAILS: [Detail; 6] = [
    Detail {
        digits: 6,
        compact: false,
    },
    Detail {
        digits: 4,
        compact: false,
    },
    Detail {
        digits: 4,
        compact: true,
    },
    Detail {
        digits: 3,
        compact: true,
    },
    Detail {
        digits: 2,
        compact: true,
    },
    Detail {
        digits: 1,
        compact: true,
    },
];

/// A drawn network: its lines, and what each weight's edge shows, so that a test (or a
/// screen reader) can read the weights without reading them back out of the lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    /// The lines, as the screen shows them.
    pub lines: Vec<Line>,
    /// Every weight's edge, in the order drawn (by layer, receiving neuron, sending neuron).
    pub edges: Vec<Edge>,
}

/// The label on one weight's edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The weight, by its name (`w5`).
    pub weight: String,
    /// The recorded value the label shows, by its ASCII symbol: `w5`, or `w5+` once updated.
    pub shows: String,
    /// That value.
    pub value: f64,
    /// The text drawn, without the line and arrow around it (`h1─w5 0.4`, `w5⁺ 0.3589`).
    pub label: String,
    /// The line of [`Drawing::lines`] it is drawn on.
    pub row: usize,
    /// Whether it is drawn as used by the current step.
    pub highlighted: bool,
}

/// The drawing of `trace` with the values up to and including `values[upto]` (up to but
/// not including it when `hidden`: a quiz asks for it), highlighting what that value uses,
/// in at most `width` × `height` cells. `Err((w, h))` when even the most compact drawing
/// needs w × h.
pub fn draw(
    trace: &Trace,
    upto: usize,
    width: usize,
    height: usize,
    ascii: bool,
    hidden: bool,
) -> Result<Drawing, (usize, usize)> {
    let scene = Scene::new(trace, upto, ascii, hidden);
    // Sized for every value known, so that nothing moves from one step to the next.
    let everything = Scene::new(trace, trace.first().values.len() - 1, ascii, false);
    let mut smallest = (usize::MAX, usize::MAX);
    for detail in DETAILS {
        let (grid, edges) = scene.layout(&scene.texts(detail), &everything.texts(detail));
        if grid.width <= width && grid.height() <= height {
            return Ok(Drawing {
                lines: grid.into_lines(),
                edges,
            });
        }
        smallest = (grid.width, grid.height());
    }
    Err(smallest)
}

/// What the drawing shows: the network's names, the values known so far, what is in use.
struct Scene<'a> {
    trace: &'a Trace,
    names: Notation,
    known: HashMap<&'a str, f64>,
    used: HashSet<Element>,
    /// What the current step reads, by the symbol without its `+` (`w5`), as the recorded
    /// symbol it reads (`w5` or `w5+`): what it shows, though a newer value is known.
    reads: HashMap<String, &'a str>,
    symbols: Symbols<'a>,
    ascii: bool,
}

impl<'a> Scene<'a> {
    fn new(trace: &'a Trace, upto: usize, ascii: bool, hidden: bool) -> Scene<'a> {
        let values = &trace.first().values;
        let index = trace.first().index();
        let names = Notation::new(&trace.network);
        let current = &values[upto.min(values.len() - 1)];
        let mut used = HashSet::new();
        for symbol in std::iter::once(&current.symbol).chain(&current.from) {
            // Every value the engine records has a role; a step reads only those.
            if let Some(role) = index.get(symbol.as_str()).and_then(|v| v.role) {
                used.insert(element(role, &names));
            }
        }
        let shown = upto.min(values.len() - 1) + usize::from(!hidden);
        let known = values[..shown]
            .iter()
            .map(|v| (v.symbol.as_str(), v.value))
            .collect();
        let reads = current
            .from
            .iter()
            .map(|symbol| {
                let read = stands_for(symbol, &index);
                // An updated weight is read in place of the weight it updates.
                let base = match read.role {
                    Some(Role::Updated { of }) => of.given().symbol(&names),
                    _ => read.symbol.clone(),
                };
                (base, read.symbol.as_str())
            })
            .collect();
        Scene {
            trace,
            names,
            known,
            used,
            reads,
            symbols: Symbols::new(trace, Typography::from_ascii(ascii)),
            ascii,
        }
    }

    /// The value of `symbol` to show: the one the current step reads, if it reads one;
    /// else the newest (its updated `+` value once that is known). Returns the (ASCII)
    /// symbol shown and the value.
    fn newest(&self, symbol: &str) -> Option<(String, f64)> {
        if let Some(&read) = self.reads.get(symbol)
            && let Some(&v) = self.known.get(read)
        {
            return Some((read.to_string(), v));
        }
        let updated = format!("{symbol}+");
        if let Some(&v) = self.known.get(updated.as_str()) {
            return Some((updated, v));
        }
        self.known.get(symbol).map(|&v| (symbol.to_string(), v))
    }

    fn pretty(&self, symbol: &str) -> String {
        self.symbols.of(symbol)
    }

    /// "net 0.3775", "net⁺ 0.3774", or "net" before it is computed.
    fn labelled(&self, label: &str, symbol: &str, digits: usize) -> String {
        match self.newest(symbol) {
            Some((shown, v)) => {
                let plus = shown.ends_with('+');
                let mark = if !plus {
                    ""
                } else if self.ascii {
                    "+"
                } else {
                    "⁺"
                };
                format!("{label}{mark} {}", number::compact(v, digits))
            }
            None => label.to_string(),
        }
    }

    /// Every text the drawing holds, at `detail`.
    fn texts(&self, detail: Detail) -> Texts {
        let net = &self.trace.network;
        let layers = &net.layers;
        let depth = net.depth();
        let d = detail.digits.min(self.trace.options.precision);
        let h = if self.ascii { '-' } else { '─' };

        // The text of every neuron box, per layer.
        let boxes: Vec<Vec<Vec<String>>> = (0..layers.len())
            .map(|l| {
                (0..layers[l])
                    .map(|j| {
                        let n = self.names.neuron(l, j);
                        if l == 0 {
                            return vec![n.to_string(), self.labelled("", n, d).trim().to_string()];
                        }
                        let delta = if self.ascii { "delta" } else { "δ" };
                        let mut lines = vec![
                            n.to_string(),
                            self.labelled("net", &format!("net_{n}"), d),
                            self.labelled("out", &format!("out_{n}"), d),
                            self.labelled(delta, &format!("delta_{n}"), d),
                        ];
                        if let Bias::PerNeuron(_) = net.biases[l - 1] {
                            lines.push(self.labelled("b", &self.names.bias(l - 1, j), d));
                        }
                        lines
                    })
                    .collect()
            })
            .collect();
        // The weights into every neuron, per layer from 1.
        let weights: Vec<Vec<Vec<WeightText>>> = (1..layers.len())
            .map(|l| {
                let n_in = layers[l - 1];
                (0..layers[l])
                    .map(|j| {
                        (0..n_in)
                            .map(|k| {
                                let w = self.names.weight(l - 1, j * n_in + k);
                                let (shows, value) = self.newest(&w).unwrap_or((w.clone(), 0.0));
                                let mut text = String::new();
                                text.push_str(self.names.neuron(l - 1, k));
                                text.push(h);
                                text.push_str(&format!(
                                    "{} {}",
                                    self.pretty(&shows),
                                    number::compact(value, d)
                                ));
                                WeightText {
                                    weight: w,
                                    shows,
                                    value,
                                    text,
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // Right of the outputs: each output's target and error.
        let errors: Vec<[(Element, String); 2]> = (0..layers[depth])
            .map(|j| {
                let n = self.names.neuron(depth, j);
                [
                    (
                        Element::Target(j),
                        self.labelled("target", &format!("target_{n}"), d),
                    ),
                    (
                        Element::Error(j),
                        self.labelled(&format!("E_{n}"), &format!("E_{n}"), d),
                    ),
                ]
            })
            .collect();

        let biases = (1..layers.len())
            .map(|l| match net.biases[l - 1] {
                Bias::Shared(_) => {
                    let b = self.names.bias(l - 1, 0);
                    Some((Element::Bias(b.clone()), self.labelled(&b, &b, d)))
                }
                Bias::PerNeuron(_) => None,
            })
            .collect();
        let eta_name = if self.ascii { "eta" } else { "η" };
        Texts {
            compact: detail.compact,
            boxes,
            weights,
            errors,
            biases,
            total: self.labelled("E_total", "E_total", d),
            eta: self.labelled(eta_name, "eta", d),
        }
    }

    /// The drawing of `texts`, its columns as wide as those of `sizes` need, and its edges.
    fn layout(&self, texts: &Texts, sizes: &Texts) -> (Grid, Vec<Edge>) {
        let layers = &self.trace.network.layers;
        let (h, v, arrow) = if self.ascii {
            ('-', '=', '>')
        } else {
            ('─', '═', '▶')
        };
        let Texts {
            boxes,
            weights,
            errors,
            ..
        } = sizes;
        // Sizes. A compact box writes its name (its first line) on its top line.
        let skip = usize::from(sizes.compact);
        // Compact boxes pad their text with one space, not two, and a weight's edge is one
        // line shorter: eight columns over a 2-2-2 network's width.
        let pad = 2 - skip;
        let inner_height = |l: usize| {
            let content = boxes[l]
                .first()
                .map_or(1, Vec::len)
                .saturating_sub(skip)
                .max(1);
            if l == 0 {
                content
            } else {
                content.max(layers[l - 1])
            }
        };
        let slot = (0..layers.len())
            .map(|l| inner_height(l) + 2)
            .max()
            .unwrap_or(3);
        let box_width = |l: usize| {
            boxes[l]
                .iter()
                // The name, on the top line or not, is as wide either way.
                .flatten()
                .map(|s| text_width(s))
                .max()
                .unwrap_or(1)
                + 2 * pad
        };
        let gap_width = |l: usize| {
            weights[l - 1]
                .iter()
                .flatten()
                .map(|w| text_width(&w.text))
                .max()
                .unwrap_or(0)
                + 4
                - skip
        };
        let error_width = errors
            .iter()
            .flatten()
            .map(|(_, t)| text_width(t))
            .max()
            .unwrap_or(0)
            + 2;
        let mut x = Vec::with_capacity(layers.len());
        let mut cursor = 0;
        for l in 0..layers.len() {
            if l > 0 {
                cursor += gap_width(l);
            }
            x.push(cursor);
            cursor += box_width(l);
        }
        let error_x = cursor;
        let tallest = layers.iter().copied().max().unwrap_or(1);
        let mut grid = Grid::new(error_x + error_width, 1 + tallest * slot + 1);
        let mut edges = Vec::new();

        let Texts {
            boxes,
            weights,
            errors,
            ..
        } = texts;
        // Header: the shared bias of each layer, over its column.
        for (bias, &column) in texts.biases.iter().zip(&x[1..]) {
            if let Some((element, text)) = bias {
                grid.put(column, 0, text, self.style(element));
            }
        }
        // Boxes, and the weights into them.
        for l in 0..layers.len() {
            let inner = inner_height(l);
            let bw = box_width(l);
            for (j, lines) in boxes[l].iter().enumerate() {
                let top = 1 + j * slot;
                let style = self.style(&Element::Neuron(l, j));
                grid.frame(
                    x[l],
                    top,
                    bw,
                    inner + 2,
                    style == Style::Highlight,
                    self.ascii,
                    style,
                );
                if skip == 1
                    && let Some(name) = lines.first()
                {
                    grid.put(x[l] + pad, top, name, style);
                }
                for (r, text) in lines.iter().skip(skip).enumerate() {
                    grid.put(x[l] + pad, top + 1 + r, text, style);
                }
                if l == 0 {
                    continue;
                }
                let gw = gap_width(l);
                for (k, w) in weights[l - 1][j].iter().enumerate() {
                    let style = self.style(&Element::Weight(w.weight.clone()));
                    let line = if style == Style::Highlight { v } else { h };
                    let mut entry = String::from(" ");
                    entry.push_str(&w.text);
                    while text_width(&entry) < gw - 1 {
                        entry.push(line);
                    }
                    entry.push(arrow);
                    grid.put(x[l] - gw, top + 1 + k, &entry, style);
                    edges.push(Edge {
                        weight: w.weight.clone(),
                        shows: w.shows.clone(),
                        value: w.value,
                        label: w.text.clone(),
                        row: top + 1 + k,
                        highlighted: style == Style::Highlight,
                    });
                }
            }
        }
        for (j, pair) in errors.iter().enumerate() {
            for (r, (element, text)) in pair.iter().enumerate() {
                grid.put(error_x + 2, 1 + j * slot + 1 + r, text, self.style(element));
            }
        }
        // Footer: E_total and η.
        let row = grid.height() - 1;
        grid.put(0, row, &texts.eta, self.style(&Element::Eta));
        let total_x = text_width(&sizes.eta) + 3;
        grid.put(total_x, row, &texts.total, self.style(&Element::Total));
        (grid, edges)
    }

    fn style(&self, element: &Element) -> Style {
        // A whole layer's value (the softmax's net_max and sum) marks each of its neurons.
        let layer_used =
            matches!(element, Element::Neuron(l, _) if self.used.contains(&Element::Layer(*l)));
        if self.used.contains(element) || layer_used {
            Style::Highlight
        } else {
            Style::Plain
        }
    }
}

/// The texts of a drawing, before they are placed.
struct Texts {
    /// Each neuron's name on its box's top line, not inside it.
    compact: bool,
    /// Per layer, per neuron, the lines in its box: its name first.
    boxes: Vec<Vec<Vec<String>>>,
    /// Per weight layer, per receiving neuron, its weights.
    weights: Vec<Vec<Vec<WeightText>>>,
    /// Per output, its target and its error.
    errors: Vec<[(Element, String); 2]>,
    /// Per weight layer, its shared bias.
    biases: Vec<Option<(Element, String)>>,
    total: String,
    eta: String,
}

/// The label of one weight, before it is placed.
struct WeightText {
    /// The weight's name (`w5`).
    weight: String,
    /// The recorded value shown (`w5` or `w5+`).
    shows: String,
    value: f64,
    /// `h1─w5 0.4`.
    text: String,
}

/// The width of `text` in terminal cells.
fn text_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// A rectangle of cells, each a character with a style.
struct Grid {
    width: usize,
    rows: Vec<Vec<(char, Style)>>,
}

impl Grid {
    fn new(width: usize, height: usize) -> Grid {
        Grid {
            width,
            rows: vec![vec![(' ', Style::Plain); width]; height],
        }
    }

    fn height(&self) -> usize {
        self.rows.len()
    }

    /// Writes `text` from column `x` of row `y`, clipped at the right edge.
    fn put(&mut self, x: usize, y: usize, text: &str, style: Style) {
        let Some(row) = self.rows.get_mut(y) else {
            return;
        };
        for (i, c) in text.chars().enumerate() {
            if let Some(cell) = row.get_mut(x + i) {
                *cell = (c, style);
            }
        }
    }

    /// A box, in double lines when `double`.
    #[allow(clippy::too_many_arguments)]
    fn frame(
        &mut self,
        x: usize,
        y: usize,
        w: usize,
        h: usize,
        double: bool,
        ascii: bool,
        style: Style,
    ) {
        let [tl, tr, bl, br, hz, vt] = match (ascii, double) {
            (true, false) => ['+', '+', '+', '+', '-', '|'],
            (true, true) => ['#', '#', '#', '#', '=', '#'],
            (false, false) => ['┌', '┐', '└', '┘', '─', '│'],
            (false, true) => ['╔', '╗', '╚', '╝', '═', '║'],
        };
        let mut top = String::from(tl);
        let mut bottom = String::from(bl);
        for _ in 2..w {
            top.push(hz);
            bottom.push(hz);
        }
        top.push(tr);
        bottom.push(br);
        self.put(x, y, &top, style);
        self.put(x, y + h - 1, &bottom, style);
        for r in y + 1..y + h - 1 {
            self.put(x, r, &vt.to_string(), style);
            self.put(x + w - 1, r, &vt.to_string(), style);
        }
    }

    /// Rows of spans, trailing blanks dropped.
    fn into_lines(self) -> Vec<Line> {
        self.rows
            .into_iter()
            .map(|row| {
                let end = row
                    .iter()
                    .rposition(|&(c, _)| c != ' ')
                    .map_or(0, |i| i + 1);
                let mut line: Line = Vec::new();
                for &(c, style) in &row[..end] {
                    match line.last_mut() {
                        Some(span) if span.style == style => span.text.push(c),
                        _ => line.push(Span {
                            text: c.to_string(),
                            style,
                        }),
                    }
                }
                line
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn article() -> Trace {
        engine::trace_iteration(&Network::article(), &Options::default())
    }

    #[test]
    fn first_step_shows_net_h1_and_highlights_what_it_uses() {
        let trace = article();
        let at = trace
            .first()
            .values
            .iter()
            .position(|v| v.symbol == "net_h1")
            .unwrap();
        let lines = draw(&trace, at, 120, 30, false, false).unwrap().lines;
        let drawn = text(&lines);
        assert!(drawn.contains("net 0.3775"), "{drawn}");
        assert!(
            !drawn.contains("out 0.59"),
            "out_h1 is not computed yet:\n{drawn}"
        );
        // h1 is drawn double; h2 is not.
        assert!(drawn.contains("╔"), "{drawn}");
        assert_eq!(drawn.matches('╔').count(), 3, "i1, i2 and h1:\n{drawn}");
        let highlighted: String = lines
            .iter()
            .flatten()
            .filter(|s| s.style == Style::Highlight)
            .map(|s| s.text.as_str())
            .collect();
        assert!(highlighted.contains("w1 0.15") && highlighted.contains("w2 0.2"));
        assert!(highlighted.contains("b1 0.35"));
        assert!(!highlighted.contains("w3"));
    }

    #[test]
    fn hidden_layer_chain_highlights_the_old_weight() {
        let trace = article();
        let values = &trace.first().values;
        let at = values
            .iter()
            .position(|v| v.symbol == "dnet_o1/dout_h1")
            .unwrap();
        let drawn = text(&draw(&trace, at, 120, 30, false, false).unwrap().lines);
        // w5 has been updated by now, but this step reads the original.
        assert!(drawn.contains("w5 0.4"), "{drawn}");
        assert!(drawn.contains("w6⁺ 0.408666"), "{drawn}");
    }

    #[test]
    fn shrinks_then_gives_up() {
        let trace = article();
        let wide = draw(&trace, 20, 200, 40, false, false).unwrap().lines;
        let narrow = draw(&trace, 20, 78, 40, false, false).unwrap().lines;
        assert!(text(&wide).contains("i1─w1 0.15"));
        // Narrower, the numbers shrink, but every weight still names its sender.
        assert!(text(&narrow).contains("i1─w1"));
        assert!(text(&narrow).contains("h2─w8"));
        assert!(
            narrow
                .iter()
                .all(|l| l.iter().map(|s| text_width(&s.text)).sum::<usize>() <= 78)
        );
        let (w, h) = draw(&trace, 20, 30, 10, false, false).unwrap_err();
        assert!(w > 30 && h > 10);
    }
}
