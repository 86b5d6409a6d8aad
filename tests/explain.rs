//! `backprop explain` end to end: the trees the issue names on the article's network, the
//! symbols in either typography, the error for an unknown symbol, and the JSON contract.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde::Deserialize;

fn explain(args: &[&str]) -> String {
    common::stdout_of(&[&["explain"], args].concat())
}

#[test]
fn dw1_is_the_articles_chain() {
    let tree = explain(&["dE_total/dw1"]);
    let lines: Vec<&str> = tree.lines().collect();
    assert_eq!(
        lines[0],
        "∂E_total/∂w1 = ∂E_total/∂out_h1 * ∂out_h1/∂net_h1 * ∂net_h1/∂w1 = \
         0.036350306 * 0.241300709 * 0.05 = 0.000438568  [article 0.000438568 ✓]"
    );
    // The three factors are the root's children, and the first is the sum of each
    // output's share, as the article builds it.
    let children: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("├─ ") || l.starts_with("└─ "))
        .copied()
        .collect();
    assert_eq!(
        children,
        [
            "├─ ∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1 = 0.055399425 + (-0.019049118) = 0.036350306  [article 0.036350306 ✓]",
            "├─ ∂out_h1/∂net_h1 = out_h1 * (1 - out_h1) = 0.593269992 * (1 - 0.593269992) = 0.241300709  [article 0.241300709 ✓]",
            "└─ ∂net_h1/∂w1 = i1 = 0.050000000  [article 0.05 ✓]",
        ]
    );
    assert!(
        lines[2].starts_with("│  ├─ ∂E_o1/∂out_h1 = δ_o1 * ∂net_o1/∂out_h1 = 0.138498562 * 0.4")
    );
    assert!(tree.contains("│  └─ ∂E_o2/∂out_h1 = δ_o2 * ∂net_o2/∂out_h1 = (-0.038098237) * 0.5 = -0.019049118  [article -0.019049119 ≠]"));
    // Down to the given values.
    for leaf in [
        "w1 = 0.150000000  (given: weights[0][0])",
        "i1 = 0.050000000  (given: input[0])",
        "target_o1 = 0.010000000  (given: target[0])",
        "w5 = 0.400000000  (given: weights[1][0])",
        "b2 = 0.600000000  (given: biases[1])",
    ] {
        assert!(tree.contains(leaf), "{leaf}:\n{tree}");
    }
    assert!(tree.contains("out_h1 = 0.593269992  (derived above)"));
    insta::assert_snapshot!("explain_dw1", tree);
}

#[test]
fn w5_plus_is_the_update_of_w5() {
    let tree = explain(&["w5+"]);
    let lines: Vec<&str> = tree.lines().collect();
    assert_eq!(
        lines[0],
        "w5⁺ = w5 - η * ∂E_total/∂w5 = 0.4 - 0.5 * 0.082167041 = 0.358916480  [article 0.35891648 ✓]"
    );
    assert_eq!(
        lines[1],
        "├─ w5 = 0.400000000  (given: weights[1][0])  [article 0.40 ✓]"
    );
    assert_eq!(
        lines[2],
        "├─ η = 0.500000000  (given: learning_rate)  [article 0.5 ✓]"
    );
    assert!(lines[3].starts_with(
        "└─ ∂E_total/∂w5 = ∂E_total/∂out_o1 * ∂out_o1/∂net_o1 * ∂net_o1/∂w5 = \
         0.74136507 * 0.186815602 * 0.593269992 = 0.082167041"
    ));
    insta::assert_snapshot!("explain_w5_plus", tree);
}

#[test]
fn both_typographies_name_the_same_value() {
    assert_eq!(explain(&["∂E_total/∂w1"]), explain(&["dE_total/dw1"]));
    assert_eq!(explain(&["δ_h1"]), explain(&["delta_h1"]));
    assert_eq!(explain(&["w5⁺"]), explain(&["w5+"]));
    let ascii = explain(&["w5⁺", "--ascii"]);
    assert!(
        ascii.starts_with("w5+ = w5 - eta * dE_total/dw5 = "),
        "{ascii}"
    );
    assert!(ascii.contains("`- dE_total/dw5"));
    assert_ascii(&ascii);
}

/// Fails unless every byte is ASCII, naming the first other character and its line.
fn assert_ascii(text: &str) {
    let first = text.lines().enumerate().find_map(|(n, line)| {
        line.chars()
            .find(|c| !c.is_ascii())
            .map(|c| format!("{c:?} on line {}: {line}", n + 1))
    });
    assert!(text.is_ascii(), "{}", first.unwrap_or_default());
}

#[test]
fn ascii_trees_are_ascii_with_the_article_column_spelled_out() {
    for symbol in [
        "dE_total/dw1",
        "w5+",
        "E_total",
        "E_total+",
        "delta_h1",
        "out_o1",
    ] {
        let tree = explain(&[symbol, "--ascii"]);
        assert_ascii(&tree);
        assert!(tree.starts_with(&format!("{symbol} = ")), "{tree}");
        let json = explain(&[symbol, "--ascii", "--format", "json"]);
        assert_ascii(&json);
    }
    let tree = explain(&["E_total+", "--ascii"]);
    assert!(tree.contains("[article 0.291027924 !=]"), "{tree}");
    let tree = explain(&["w5+", "--ascii"]);
    assert!(tree.contains("[article 0.35891648 ok]"), "{tree}");
    assert!(
        tree.contains("eta = 0.500000000  (given: learning_rate)"),
        "{tree}"
    );
    // Other networks, both update orders.
    for network in ["traces/tanh-3-4-2.json", "traces/deep-2-3-2-1.json"] {
        for order in ["simultaneous", "sequential"] {
            assert_ascii(&explain(&[
                "dE_total/dw1",
                network,
                "--ascii",
                "--update-order",
                order,
            ]));
        }
    }
}

#[test]
fn an_unknown_symbol_lists_the_closest() {
    cargo_bin_cmd!("backprop")
        .args(["explain", "dE_total/dw9"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("no value is called \"dE_total/dw9\"")
                .and(predicate::str::contains("dE_total/dw5, dE_total/dw6")),
        );
    cargo_bin_cmd!("backprop")
        .args(["explain", "otu_h1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("closest symbols are: out_h1"));
}

#[test]
fn another_network_and_update_order() {
    // Sequential: the hidden layer's chain reads the updated w5.
    let tree = explain(&["dE_o1/dout_h1", "--update-order", "sequential"]);
    assert!(
        tree.contains("└─ ∂net_o1/∂out_h1 = w5⁺ = 0.358916480"),
        "{tree}"
    );
    assert!(tree.contains("w5⁺ = w5 - η * ∂E_total/∂w5"), "{tree}");
}

/// The JSON contract, read into structs that refuse unknown fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: String,
    version: u32,
    tree: Node,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Node {
    symbol: String,
    stage: String,
    formula: String,
    substituted: String,
    value: f64,
    #[serde(default)]
    article: Vec<Article>,
    #[serde(default)]
    derived_above: bool,
    children: Vec<Node>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Article {
    printed: String,
    agrees: bool,
}

fn walk<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    out.push(node);
    for c in &node.children {
        walk(c, out);
    }
}

#[test]
fn json_is_the_same_tree() {
    let text = explain(&["∂E_total/∂w1", "--format", "json"]);
    let doc: Document = serde_json::from_str(&text).unwrap();
    assert_eq!(doc.format, "backprop-tracer/explain");
    assert_eq!(doc.version, 1);
    let root = &doc.tree;
    assert_eq!(root.symbol, "dE_total/dw1");
    assert_eq!(root.stage, "hidden_layer");
    assert_eq!(
        root.formula,
        "dE_total/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1"
    );
    assert_eq!(root.substituted, "0.036350306 * 0.241300709 * 0.05");
    // The article's nine decimals: within half a unit of the last.
    approx::assert_abs_diff_eq!(root.value, 0.000438568, epsilon = 5e-10);
    assert_eq!(root.article[0].printed, "0.000438568");
    assert!(root.article[0].agrees);
    let factors: Vec<f64> = root.children.iter().map(|c| c.value).collect();
    approx::assert_abs_diff_eq!(factors[0], 0.036350306, epsilon = 5e-10);
    approx::assert_abs_diff_eq!(factors[1], 0.241300709, epsilon = 5e-10);
    approx::assert_relative_eq!(factors[2], 0.05);
    approx::assert_relative_eq!(
        factors.iter().product::<f64>(),
        root.value,
        max_relative = 1e-12
    );
    let mut all = Vec::new();
    walk(root, &mut all);
    // Every leaf is a given value or a value derived above; every other node has children.
    for n in &all {
        assert_eq!(
            n.children.is_empty(),
            n.stage == "given" || n.derived_above,
            "{}",
            n.symbol
        );
    }
    assert!(all.iter().any(|n| n.symbol == "w1" && n.stage == "given"));
    assert!(all.iter().any(|n| n.symbol == "out_h1" && n.derived_above));
}
