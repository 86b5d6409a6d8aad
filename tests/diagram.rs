//! `backprop diagram`: the article's figure for any network. The SVG is read back as XML and
//! each weight's label checked to sit on the arrow between the neurons the article's figure
//! joins with it; the DOT output is laid out by Graphviz's `dot` (Debian's graphviz, which
//! .ci/run installs; without it the test says SKIPPED loudly, and under `CI=true` it fails).

mod common;

use std::process::Command;

/// `backprop diagram ARGS`.
fn diagram(args: &[&str]) -> String {
    let all: Vec<&str> = std::iter::once("diagram")
        .chain(args.iter().copied())
        .collect();
    common::stdout_of(&all)
}

/// The centre of the node whose label is `label`, and the line of the edge labelled `edge`
/// whose source and target are given, from the SVG.
struct Svg {
    text: String,
}

impl Svg {
    fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.text).expect("the SVG is well-formed XML")
    }

    /// The centre of the neuron or bias drawn with `label`.
    fn centre(&self, label: &str) -> (f64, f64) {
        let doc = self.doc();
        let group = doc
            .descendants()
            .find(|n| {
                matches!(n.attribute("class"), Some("neuron" | "bias"))
                    && n.children()
                        .any(|c| c.has_tag_name("text") && c.text() == Some(label))
            })
            .unwrap_or_else(|| panic!("no node {label}"));
        let shape = group.first_element_child().unwrap();
        let num = |a: &str| shape.attribute(a).unwrap().parse::<f64>().unwrap();
        if shape.has_tag_name("circle") {
            (num("cx"), num("cy"))
        } else {
            (
                num("x") + num("width") / 2.0,
                num("y") + num("height") / 2.0,
            )
        }
    }

    /// Each edge labelled `label`: its line's ends and its label's position.
    fn edges(&self, label: &str) -> Vec<Arrow> {
        let doc = self.doc();
        doc.descendants()
            .filter(|n| {
                n.attribute("class") == Some("edge") && n.attribute("data-label") == Some(label)
            })
            .map(|g| {
                let line = g.children().find(|c| c.has_tag_name("line")).unwrap();
                let text = g
                    .children()
                    .find(|c| c.attribute("class") == Some("weight"))
                    .unwrap();
                assert_eq!(text.text(), Some(label));
                let n = |node: roxmltree::Node, a: &str| {
                    node.attribute(a).unwrap().parse::<f64>().unwrap()
                };
                (
                    (n(line, "x1"), n(line, "y1")),
                    (n(line, "x2"), n(line, "y2")),
                    (n(text, "x"), n(text, "y")),
                )
            })
            .collect()
    }
}

/// A point of the drawing.
type Point = (f64, f64);
/// An arrow as drawn: where its line starts and ends, and where its label is.
type Arrow = (Point, Point, Point);

/// Whether the segment from `a` to `b` points from near `from` to near `to`.
fn joins(a: (f64, f64), b: (f64, f64), from: (f64, f64), to: (f64, f64)) -> bool {
    let near =
        |p: (f64, f64), q: (f64, f64)| ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt() < 40.0;
    near(a, from) && near(b, to)
}

/// How far `p` is from the line through `a` and `b`.
fn off_line(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / (dx * dx + dy * dy).sqrt()
}

#[test]
fn the_articles_figure_labels_w1_to_w8_and_the_biases_where_the_article_does() {
    let svg = Svg { text: diagram(&[]) };
    for (label, from, to) in [
        ("w1", "i1", "h1"),
        ("w2", "i2", "h1"),
        ("w3", "i1", "h2"),
        ("w4", "i2", "h2"),
        ("w5", "h1", "o1"),
        ("w6", "h2", "o1"),
        ("w7", "h1", "o2"),
        ("w8", "h2", "o2"),
    ] {
        let edges = svg.edges(label);
        assert_eq!(edges.len(), 1, "{label}");
        let (a, b, text) = edges[0];
        assert!(
            joins(a, b, svg.centre(from), svg.centre(to)),
            "{label}: not {from} → {to}"
        );
        // The label is on its arrow, nearer the neuron it leaves (as in the article).
        assert!(
            off_line((text.0, text.1 + 4.0), a, b) < 6.0,
            "{label} is off its arrow"
        );
        assert!(text.0 < (a.0 + b.0) / 2.0, "{label} is not near {from}");
    }
    // b1 feeds h1 and h2, b2 feeds o1 and o2: a bias node below each layer.
    for (bias, targets) in [("b1", ["h1", "h2"]), ("b2", ["o1", "o2"])] {
        let edges = svg.edges(bias);
        assert_eq!(edges.len(), 2, "{bias}");
        for (edge, to) in edges.iter().zip(targets) {
            assert!(
                joins(edge.0, edge.1, svg.centre(bias), svg.centre(to)),
                "{bias} → {to}"
            );
        }
    }
    let (i2, b1) = (svg.centre("i2"), svg.centre("b1"));
    assert!(
        b1.1 > i2.1 && (b1.0 - i2.0).abs() < 1.0,
        "b1 is below the inputs"
    );
}

#[test]
fn values_are_written_on_the_figure() {
    let svg = diagram(&["--values"]);
    for text in [
        "0.4 → 0.3589",
        "0.15 → 0.1498",
        "net 0.3775",
        "out 0.5933",
        "δ 0.1385",
        "out 0.7514",
    ] {
        assert!(svg.contains(&format!(">{text}<")), "no {text}");
    }
    // Without --values, none.
    assert!(!diagram(&[]).contains("0.3589"));
}

#[test]
fn wide_layers_are_drawn_with_a_gap_and_per_neuron_biases_each_their_arrow() {
    let dir = common::scratch();
    let path = common::network_file(dir.path(), &[784, 128, 10]);
    let svg = Svg {
        text: diagram(&[path.to_str().unwrap()]),
    };
    assert!(svg.text.contains(">⋮ 776<") && svg.text.contains(">⋮ 120<"));
    svg.doc();
    let deep = Svg {
        text: diagram(&["traces/tanh-3-4-2.json", "--values"]),
    };
    // tanh-3-4-2 has a bias per neuron: b1_1 … b1_4 each into its own neuron.
    for (j, to) in ["h1", "h2", "h3", "h4"].iter().enumerate() {
        let edges = deep.edges(&format!("b1_{}", j + 1));
        assert_eq!(edges.len(), 1);
        assert!(joins(
            edges[0].0,
            edges[0].1,
            deep.centre("b1"),
            deep.centre(to)
        ));
    }
}

#[test]
fn graphviz_lays_out_the_dot_output() {
    if !common::required(
        common::runs("dot", "-V"),
        "Graphviz's dot (Debian's graphviz)",
    ) {
        return;
    }
    let dir = common::scratch();
    let path = common::network_file(dir.path(), &[30, 20, 3]);
    for args in [
        &["--format", "dot"][..],
        &["--format", "dot", "--values"],
        &["--format", "dot", "traces/deep-2-3-2-1.json", "--values"],
        &["--format", "dot", "traces/tanh-3-4-2.json"],
        &["--format", "dot", path.to_str().unwrap()],
    ] {
        let text = diagram(args);
        assert!(text.starts_with("digraph network {"));
        let mut dot = Command::new("dot");
        dot.arg("-Tsvg");
        let out = common::piped(dot, text.as_bytes());
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Graphviz's SVG has every weight's label.
        let svg = String::from_utf8(out.stdout).unwrap();
        assert!(svg.contains(">w1<"), "{args:?}");
    }
}
