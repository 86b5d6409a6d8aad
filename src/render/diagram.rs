//! The article's figure for any network: the layers as columns from the inputs on the left
//! to the outputs on the right, each weight an arrow labelled w1, w2, … near the neuron it
//! leaves (as the article's figure labels them), each layer's bias a node below the layer it
//! feeds from. Laid out once ([`Diagram::new`]) and written as SVG (the drawing the HTML page
//! uses) or as Graphviz DOT. With an iteration's trace, the values are written on it: each
//! neuron's net and out, its δ, each weight before → after the update; they are found by
//! their roles, not by their symbols.
//!
//! A layer wider than [`MAX_DRAWN`] neurons is drawn with its first and last neurons and a
//! "⋮" between, so that a 784-input network still gives a readable figure.

use super::escape;
use crate::network::{Bias, Network};
use crate::notation::Notation;
use crate::number;
use crate::trace::{Parameter, Role, Trace, TracedValue};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Layers wider than this are drawn with their first [`HEAD`] and last [`TAIL`] neurons.
pub const MAX_DRAWN: usize = 12;
const HEAD: usize = 6;
const TAIL: usize = 2;

const COLUMN: f64 = 300.0;
const ROW: f64 = 110.0;
const RADIUS: f64 = 30.0;
/// Room left of the inputs for their values.
const MARGIN: f64 = 110.0;

/// What a node stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// Neuron `neuron` of layer `layer`.
    Neuron { layer: usize, neuron: usize },
    /// The bias (or biases) of weight layer `layer` (from 1), drawn below layer `layer - 1`.
    Bias { layer: usize },
    /// The neurons of a wide layer left out of the drawing.
    Gap { layer: usize, hidden: usize },
}

/// A node of the figure.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    pub x: f64,
    pub y: f64,
    /// With values: lines under the label (`net 0.3775`, `out 0.5933`, `δ 0.1385`).
    pub values: Vec<String>,
}

/// An arrow: a weight, or a bias into a neuron.
#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    /// With values: the weight before → after (`0.4 → 0.3589`).
    pub value: Option<String>,
}

/// The laid-out figure.
#[derive(Clone, Debug)]
pub struct Diagram {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
}

/// The neurons of a layer of `n` drawn: all, or the first and last with a gap between.
fn drawn(n: usize) -> Vec<Option<usize>> {
    if n <= MAX_DRAWN {
        (0..n).map(Some).collect()
    } else {
        (0..HEAD)
            .map(Some)
            .chain([None])
            .chain((n - TAIL..n).map(Some))
            .collect()
    }
}

/// Four significant digits, as a figure has room for.
fn short(x: f64) -> String {
    number::compact(x, 4)
}

impl Diagram {
    /// The figure of `net`; with `trace` (an iteration of it), its values written on it.
    pub fn new(net: &Network, trace: Option<&Trace>) -> Diagram {
        let names = Notation::new(net);
        let by_role: HashMap<Role, &TracedValue> = trace
            .map(|t| {
                t.first()
                    .values
                    .iter()
                    .filter_map(|v| v.role.map(|r| (r, v)))
                    .collect()
            })
            .unwrap_or_default();
        let value = |role: Role| by_role.get(&role).map(|v| v.value);
        // A weight's or bias's label with values: before → after the update.
        let before_after = |of: Parameter| {
            value(of.given()).map(|b| match value(Role::Updated { of }) {
                Some(a) => format!("{} → {}", short(b), short(a)),
                None => short(b),
            })
        };
        let tallest = net
            .layers
            .iter()
            .map(|&n| drawn(n).len() + 1)
            .max()
            .unwrap_or(1);
        let height = 2.0 * MARGIN + (tallest as f64 - 1.0) * ROW;
        let width = 2.0 * MARGIN + (net.layers.len() as f64 - 1.0) * COLUMN;

        let mut nodes: Vec<Node> = Vec::new();
        // Where each drawn neuron is: (layer, neuron) → node index.
        let mut at: HashMap<(usize, usize), usize> = HashMap::new();
        let mut bias_node = Vec::new();
        for (layer, &n) in net.layers.iter().enumerate() {
            let x = MARGIN + layer as f64 * COLUMN;
            let shown = drawn(n);
            // Centred in the column, the bias (if the next layer has one) below.
            let rows = shown.len() + usize::from(layer < net.depth());
            let top = (height - (rows as f64 - 1.0) * ROW) / 2.0;
            for (row, neuron) in shown.iter().enumerate() {
                let y = top + row as f64 * ROW;
                let (kind, label, values) = match *neuron {
                    Some(j) => {
                        let mut values = Vec::new();
                        if layer == 0 {
                            if let Some(x) = value(Role::Input { neuron: j }) {
                                values.push(short(x));
                            }
                        } else {
                            let net_role = Role::Net {
                                layer,
                                neuron: j,
                                updated: false,
                            };
                            let out = Role::Out {
                                layer,
                                neuron: j,
                                updated: false,
                            };
                            let delta = Role::Delta { layer, neuron: j };
                            for (name, role) in [("net", net_role), ("out", out), ("δ", delta)] {
                                if let Some(x) = value(role) {
                                    values.push(format!("{name} {}", short(x)));
                                }
                            }
                        }
                        (
                            NodeKind::Neuron { layer, neuron: j },
                            names.neuron(layer, j).to_string(),
                            values,
                        )
                    }
                    None => (
                        NodeKind::Gap {
                            layer,
                            hidden: n - HEAD - TAIL,
                        },
                        format!("⋮ {}", n - HEAD - TAIL),
                        Vec::new(),
                    ),
                };
                if let Some(j) = *neuron {
                    at.insert((layer, j), nodes.len());
                }
                nodes.push(Node {
                    id: match *neuron {
                        Some(j) => format!("n{layer}_{j}"),
                        None => format!("gap{layer}"),
                    },
                    label,
                    kind,
                    x,
                    y,
                    values,
                });
            }
            if layer < net.depth() {
                let y = top + shown.len() as f64 * ROW;
                let l = layer + 1;
                let label = match &net.biases[layer] {
                    Bias::Shared(_) => names.bias(layer, 0),
                    Bias::PerNeuron(_) => format!("b{l}"),
                };
                bias_node.push(nodes.len());
                nodes.push(Node {
                    id: format!("b{l}"),
                    label,
                    kind: NodeKind::Bias { layer: l },
                    x,
                    y,
                    values: Vec::new(),
                });
            }
        }

        let mut edges = Vec::new();
        for l in 0..net.depth() {
            let n_in = net.layers[l];
            for j in drawn(net.layers[l + 1]).into_iter().flatten() {
                let to = at[&(l + 1, j)];
                for k in drawn(n_in).into_iter().flatten() {
                    let index = j * n_in + k;
                    let of = Parameter::Weight {
                        layer: l + 1,
                        index,
                    };
                    edges.push(Edge {
                        from: at[&(l, k)],
                        to,
                        label: names.weight(l, index),
                        value: before_after(of),
                    });
                }
                let bias_index = match &net.biases[l] {
                    Bias::Shared(_) => 0,
                    Bias::PerNeuron(_) => j,
                };
                let of = Parameter::Bias {
                    layer: l + 1,
                    index: bias_index,
                };
                edges.push(Edge {
                    from: bias_node[l],
                    to,
                    label: names.bias(l, j),
                    value: before_after(of),
                });
            }
        }
        Diagram {
            nodes,
            edges,
            width,
            height,
        }
    }

    /// Where an edge's label goes: a quarter of the way from the node it leaves, as the
    /// article's figure puts w1…w8 near their inputs, so that crossing arrows keep theirs
    /// apart.
    pub fn label_position(&self, edge: &Edge) -> (f64, f64) {
        let (a, b) = (&self.nodes[edge.from], &self.nodes[edge.to]);
        let t = 0.28;
        (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
    }

    /// The figure as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        self.svg(false)
    }

    /// The figure for the web page: as [`Diagram::to_svg`], with an empty text in each place
    /// a value goes (`data-slot` net, out, delta on a neuron, value on an input and an
    /// arrow), which the page's script fills step by step.
    pub fn to_svg_with_slots(&self) -> String {
        self.svg(true)
    }

    fn svg(&self, slots: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="sans-serif" font-size="15" role="img" aria-label="network diagram">"#,
            w = self.width.round(),
            h = self.height.round()
        );
        s.push_str(
            "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerUnits=\"userSpaceOnUse\" markerWidth=\"11\" markerHeight=\"11\" \
             orient=\"auto-start-reverse\">\
             <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n",
        );
        for (i, e) in self.edges.iter().enumerate() {
            let (a, b) = (&self.nodes[e.from], &self.nodes[e.to]);
            // From circle edge to circle edge.
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            let _ = writeln!(
                s,
                r##"<g class="edge" id="e{i}" data-label="{label}"><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                a.x + ux * RADIUS,
                a.y + uy * RADIUS,
                b.x - ux * RADIUS,
                b.y - uy * RADIUS,
                label = escape(&e.label)
            );
            let (lx, ly) = self.label_position(e);
            let _ = write!(
                s,
                r#"<text class="weight" x="{lx:.1}" y="{:.1}" text-anchor="middle" paint-order="stroke" stroke="white" stroke-width="4">{}</text>"#,
                ly - 4.0,
                escape(&e.label)
            );
            if let Some(v) = e.value.as_deref().or(slots.then_some("")) {
                let _ = write!(
                    s,
                    r#"<text class="value" data-slot="value" x="{lx:.1}" y="{:.1}" text-anchor="middle" font-size="12" paint-order="stroke" stroke="white" stroke-width="4">{}</text>"#,
                    ly + 12.0,
                    escape(v)
                );
            }
            s.push_str("</g>\n");
        }
        for n in &self.nodes {
            let (class, shape) = match n.kind {
                NodeKind::Bias { .. } => (
                    "bias",
                    format!(
                        r##"<rect x="{:.1}" y="{:.1}" width="{d}" height="{d}" rx="6" fill="#fff7e0" stroke="#333"/>"##,
                        n.x - RADIUS,
                        n.y - RADIUS,
                        d = 2.0 * RADIUS
                    ),
                ),
                NodeKind::Gap { .. } => ("gap", String::new()),
                NodeKind::Neuron { .. } => (
                    "neuron",
                    format!(
                        r##"<circle cx="{:.1}" cy="{:.1}" r="{RADIUS}" fill="#eef4ff" stroke="#333"/>"##,
                        n.x, n.y
                    ),
                ),
            };
            let _ = write!(
                s,
                r#"<g class="{class}" id="{}">{shape}<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="bold">{}</text>"#,
                n.id,
                n.x,
                n.y + 5.0,
                escape(&n.label)
            );
            // Left of the node, where only the arrows into it arrive (their labels sit near
            // where they leave), on a white halo over those arrows.
            let lines: Vec<(&str, &str)> = match n.kind {
                NodeKind::Neuron { layer: 0, .. } if slots => vec![("value", "")],
                NodeKind::Neuron { .. } if slots => {
                    vec![("net", ""), ("out", ""), ("delta", "")]
                }
                _ => n.values.iter().map(|v| ("", v.as_str())).collect(),
            };
            let top = n.y + 4.0 - 7.0 * (lines.len() as f64 - 1.0);
            for (i, (slot, line)) in lines.iter().enumerate() {
                let slot = if slot.is_empty() {
                    String::new()
                } else {
                    format!(r#" data-slot="{slot}""#)
                };
                let _ = write!(
                    s,
                    r#"<text class="value"{slot} x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" paint-order="stroke" stroke="white" stroke-width="4">{}</text>"#,
                    n.x - RADIUS - 6.0,
                    top + 14.0 * i as f64,
                    escape(line)
                );
            }
            s.push_str("</g>\n");
        }
        s.push_str("</svg>\n");
        s
    }

    /// The figure as Graphviz DOT (left to right, one rank per layer), for `dot -Tsvg`.
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph network {\n  rankdir=LR;\n  nodesep=0.5;\n  ranksep=1.6;\n  \
             node [shape=circle, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", \
             fontsize=11];\n",
        );
        let mut layers: Vec<Vec<&Node>> = Vec::new();
        for n in &self.nodes {
            let layer = match n.kind {
                NodeKind::Neuron { layer, .. } | NodeKind::Gap { layer, .. } => layer,
                NodeKind::Bias { layer } => layer - 1,
            };
            if layers.len() <= layer {
                layers.resize(layer + 1, Vec::new());
            }
            layers[layer].push(n);
        }
        for layer in &layers {
            s.push_str("  { rank=same;");
            for n in layer {
                let _ = write!(s, " {};", n.id);
            }
            s.push_str(" }\n");
        }
        for n in &self.nodes {
            let mut label = n.label.clone();
            for line in &n.values {
                label.push_str("\\n");
                label.push_str(line);
            }
            let shape = match n.kind {
                NodeKind::Bias { .. } => ", shape=box",
                NodeKind::Gap { .. } => ", shape=plaintext",
                NodeKind::Neuron { .. } => "",
            };
            let _ = writeln!(s, "  {} [label=\"{}\"{shape}];", n.id, dot_escape(&label));
        }
        for e in &self.edges {
            let mut label = e.label.clone();
            if let Some(v) = &e.value {
                label.push_str("\\n");
                label.push_str(v);
            }
            let _ = writeln!(
                s,
                "  {} -> {} [label=\"{}\"];",
                self.nodes[e.from].id,
                self.nodes[e.to].id,
                dot_escape(&label)
            );
        }
        s.push_str("}\n");
        s
    }
}

/// A DOT string's contents: a quote escaped (the `\n` line breaks are meant).
fn dot_escape(s: &str) -> String {
    s.replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_layers_are_columns_with_the_biases_below() {
        let net = Network::article();
        let d = Diagram::new(&net, None);
        let node = |label: &str| d.nodes.iter().position(|n| n.label == label).unwrap();
        // (Which arrow each of w1…w8 labels is checked on the SVG, in tests/diagram.rs.)
        // Inputs left of the hidden layer, left of the outputs; i1 above i2; biases below.
        let (i1, i2, h1, o1, b1) = (
            &d.nodes[node("i1")],
            &d.nodes[node("i2")],
            &d.nodes[node("h1")],
            &d.nodes[node("o1")],
            &d.nodes[node("b1")],
        );
        assert!(i1.x < h1.x && h1.x < o1.x);
        assert!(i1.y < i2.y && i2.y < b1.y);
        assert_eq!(i1.x, b1.x);
    }

    #[test]
    fn a_wide_layer_is_drawn_with_a_gap() {
        let ones = vec!["0.5"; 100].join(", ");
        let text =
            format!(r#"{{"layers": [100, 2], "seed": 1, "input": [{ones}], "target": [0, 1]}}"#);
        let (net, _) = Network::from_json_str(&text).unwrap();
        let d = Diagram::new(&net, None);
        assert_eq!(
            d.nodes
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Neuron { layer: 0, .. }))
                .count(),
            HEAD + TAIL
        );
        assert!(d.nodes.iter().any(|n| n.label == "⋮ 92"));
        // Every drawn input to each output, and each output's bias.
        assert_eq!(d.edges.len(), 2 * (HEAD + TAIL + 1));
    }
}
