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
    /// Only when the file had one, or values were drawn.
    #[serde(default)]
    seed: Option<u64>,
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
    /// Only on a given value the network file left out.
    #[serde(default)]
    drawn: Option<DrawnJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawnJson {
    seed: u64,
}

fn trace_of(args: &[&str]) -> TraceJson {
    trace_of_input(args, "")
}

fn trace_of_input(args: &[&str], stdin: &str) -> TraceJson {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(["show", "--format", "json"])
        .args(args)
        .write_stdin(stdin)
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
            // A drawn value has the seed the trace's network records.
            if let Some(d) = &v.drawn {
                assert_eq!(trace.network.seed, Some(d.seed), "{}", v.symbol);
            }
        } else {
            assert!(v.drawn.is_none(), "{} is computed, not drawn", v.symbol);
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

#[test]
fn drawn_values_say_so() {
    // Weights left out, biases given: only the weights are drawn.
    let net = r#"{"layers": [2, 2, 2], "biases": [0.35, 0.6], "input": [0.05, 0.1],
                  "target": [0.01, 0.99]}"#;
    let trace = trace_of_input(&["-", "--seed", "48213"], net);
    check(&trace);
    assert_eq!(trace.network.seed, Some(48213));
    let given: Vec<(&str, Option<u64>, &str)> = trace.iterations[0]
        .values
        .iter()
        .filter(|v| v.stage == "given")
        .map(|v| {
            (
                v.symbol.as_str(),
                v.drawn.as_ref().map(|d| d.seed),
                v.formula.as_str(),
            )
        })
        .collect();
    for (symbol, drawn, formula) in &given {
        // The formula still names where the trace's network holds the value.
        let want = symbol.starts_with('w').then_some(48213);
        assert_eq!(*drawn, want, "{symbol} ({formula})");
    }
    assert!(given.iter().any(|g| g.0 == "w1" && g.2 == "weights[0][0]"));
    // The article's network draws nothing.
    let article = trace_of(&[]);
    assert!(
        article.iterations[0]
            .values
            .iter()
            .all(|v| v.drawn.is_none())
    );
    assert_eq!(article.network.seed, None);
}
