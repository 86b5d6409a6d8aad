//! The JSON trace is a contract with everyone who pipes it into jq or reads it from their
//! own code: these structs are written from traces/README.md, independently of the library's
//! types, and refuse unknown fields, so an added, renamed or removed field fails here first.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TraceJson {
    format: String,
    version: u32,
    network: NetworkJson,
    options: OptionsJson,
    iterations: Vec<IterationJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct NetworkJson {
    layers: Vec<usize>,
    activation: serde_json::Value,
    learning_rate: f64,
    weights: Vec<Vec<f64>>,
    biases: Vec<serde_json::Value>,
    update_biases: bool,
    input: Vec<f64>,
    target: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsJson {
    update_order: String,
    update_biases: bool,
    precision: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IterationJson {
    iteration: usize,
    values: Vec<ValueJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueJson {
    symbol: String,
    stage: String,
    layer: Option<usize>,
    formula: String,
    substituted: String,
    value: f64,
    from: Vec<String>,
}

fn trace_of(args: &[&str]) -> TraceJson {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(["show", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the trace matches the documented format")
}

fn check(trace: &TraceJson) {
    assert_eq!(trace.format, "backprop-tracer/trace");
    assert_eq!(trace.version, 1);
    assert!(["simultaneous", "sequential"].contains(&trace.options.update_order.as_str()));
    assert_eq!(trace.iterations.len(), 1);
    assert_eq!(trace.iterations[0].iteration, 1);
    let mut seen = std::collections::HashSet::new();
    let stages = [
        "given",
        "forward",
        "error",
        "output_layer",
        "hidden_layer",
        "summary",
    ];
    let mut last_stage = 0;
    for v in &trace.iterations[0].values {
        let stage = stages
            .iter()
            .position(|s| *s == v.stage)
            .expect("a documented stage");
        assert!(
            stage >= last_stage,
            "{} comes after a later stage",
            v.symbol
        );
        last_stage = stage;
        assert!(v.symbol.is_ascii() && !v.symbol.is_empty());
        assert!(v.value.is_finite());
        assert!(!v.formula.is_empty() && !v.substituted.is_empty());
        for f in &v.from {
            assert!(
                seen.contains(f),
                "{} uses {f} before it is recorded",
                v.symbol
            );
            assert!(
                v.formula.contains(f.as_str()),
                "{}: {f} not in {}",
                v.symbol,
                v.formula
            );
        }
        if v.stage == "given" {
            assert!(v.from.is_empty());
        } else {
            assert!(
                v.layer.is_some()
                    || v.stage == "error"
                    || v.stage == "summary"
                    || v.symbol.starts_with("E_")
            );
        }
        assert!(seen.insert(v.symbol.clone()), "{} recorded twice", v.symbol);
    }
}

#[test]
fn the_article_trace_follows_the_documented_format() {
    let trace = trace_of(&[]);
    check(&trace);
    assert_eq!(trace.network.layers, vec![2, 2, 2]);
    assert_eq!(trace.options.precision, 9);
    assert!(!trace.options.update_biases);
    let symbols: Vec<&str> = trace.iterations[0]
        .values
        .iter()
        .map(|v| v.symbol.as_str())
        .collect();
    // The order of the article: forward, error, output layer, hidden layer, summary.
    let at = |s: &str| symbols.iter().position(|x| *x == s).unwrap();
    assert!(at("net_h1") < at("out_h1"));
    assert!(at("out_o2") < at("E_o1"));
    assert!(at("E_total") < at("dE_total/dout_o1"));
    assert!(at("w8+") < at("dnet_o1/dout_h1"));
    assert!(at("w4+") < at("E_total+"));
}

#[test]
fn other_networks_and_options_follow_it_too() {
    check(&trace_of(&["traces/tanh-3-4-2.json"]));
    check(&trace_of(&[
        "traces/deep-2-3-2-1.json",
        "--update-order",
        "sequential",
    ]));
    let biased = trace_of(&["--update-biases", "--precision", "3"]);
    check(&biased);
    assert!(biased.options.update_biases && biased.network.update_biases);
    assert_eq!(biased.options.precision, 3);
    assert!(
        biased.iterations[0]
            .values
            .iter()
            .any(|v| v.symbol == "b2+")
    );
}
