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
    /// Version 2: what the value is (read into [`RoleJson`]).
    role: serde_json::Value,
    stage: String,
    layer: Option<usize>,
    formula: String,
    /// Version 2: the formula as a tree; absent for given values.
    #[serde(default)]
    expr: Option<serde_json::Value>,
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

/// The roles, as traces/README.md lists them.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RoleJson {
    Input {
        neuron: usize,
    },
    Target {
        neuron: usize,
    },
    Weight {
        layer: usize,
        index: usize,
    },
    Bias {
        layer: usize,
        index: usize,
    },
    LearningRate,
    Net {
        layer: usize,
        neuron: usize,
        #[serde(default)]
        updated: bool,
    },
    Out {
        layer: usize,
        neuron: usize,
        #[serde(default)]
        updated: bool,
    },
    LossTerm {
        neuron: usize,
        #[serde(default)]
        updated: bool,
    },
    Loss {
        #[serde(default)]
        updated: bool,
    },
    DLossDOut {
        layer: usize,
        neuron: usize,
    },
    DNetDOut {
        layer: usize,
        neuron: usize,
        above: usize,
    },
    Share {
        layer: usize,
        neuron: usize,
        above: usize,
    },
    DOutDNet {
        layer: usize,
        neuron: usize,
    },
    Delta {
        layer: usize,
        neuron: usize,
    },
    DNetDWeight {
        layer: usize,
        index: usize,
    },
    Gradient {
        of: ParameterJson,
    },
    Updated {
        of: ParameterJson,
    },
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum ParameterJson {
    Weight { layer: usize, index: usize },
    Bias { layer: usize, index: usize },
}

impl RoleJson {
    fn is_given(&self) -> bool {
        matches!(
            self,
            RoleJson::Input { .. }
                | RoleJson::Target { .. }
                | RoleJson::Weight { .. }
                | RoleJson::Bias { .. }
                | RoleJson::LearningRate
        )
    }

    /// Whether it is a value of the summary's pass with the updated weights.
    fn is_updated_pass(&self) -> bool {
        matches!(
            self,
            RoleJson::Net { updated: true, .. }
                | RoleJson::Out { updated: true, .. }
                | RoleJson::LossTerm { updated: true, .. }
                | RoleJson::Loss { updated: true }
        )
    }
}

/// Evaluates a formula tree as traces/README.md describes it: an operand is its position
/// in `from`, `"one"` and `"half"` are constants, every other node one key.
fn eval(tree: &serde_json::Value, operand: &dyn Fn(usize) -> f64) -> f64 {
    use serde_json::Value;
    match tree {
        Value::Number(n) => operand(n.as_u64().expect("an operand position") as usize),
        Value::String(s) if s == "one" => 1.0,
        Value::String(s) if s == "half" => 0.5,
        Value::Object(node) => {
            assert_eq!(node.len(), 1, "a node has one key: {tree}");
            let (name, args) = node.iter().next().unwrap();
            let all = || -> Vec<f64> {
                args.as_array()
                    .expect("a list of arguments")
                    .iter()
                    .map(|a| eval(a, operand))
                    .collect()
            };
            let x = || eval(args, operand);
            match name.as_str() {
                "sum" => all().iter().sum(),
                "product" => all().iter().product(),
                "difference" => match all().as_slice() {
                    [a, b] => a - b,
                    _ => panic!("a difference of two: {tree}"),
                },
                "negation" => -x(),
                "square" => x() * x(),
                "sigmoid" => 1.0 / (1.0 + (-x()).exp()),
                "tanh" => x().tanh(),
                "relu" => x().max(0.0),
                "step" => f64::from(u8::from(x() > 0.0)),
                other => panic!("an undocumented node {other}"),
            }
        }
        other => panic!("not a formula tree: {other}"),
    }
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
    assert_eq!(trace.version, 2);
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
    let mut roles = std::collections::HashSet::new();
    let mut values = std::collections::HashMap::new();
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

        // Version 2: a role of its own, given exactly for the given values, the updated
        // pass exactly in the summary; a tree for every computed value, which computes the
        // value from its operands.
        let role: RoleJson = serde_json::from_value(v.role.clone())
            .unwrap_or_else(|e| panic!("{}: {e}: {}", v.symbol, v.role));
        assert_eq!(role.is_given(), v.stage == "given", "{}", v.symbol);
        assert_eq!(role.is_updated_pass(), v.stage == "summary", "{}", v.symbol);
        assert!(
            roles.insert(v.role.to_string()),
            "{}: a role twice",
            v.symbol
        );
        match &v.expr {
            None => assert!(role.is_given(), "{} has no tree", v.symbol),
            Some(tree) => {
                let operand = |n: usize| values[&v.from[n]];
                let computed = eval(tree, &operand);
                assert!(
                    (computed - v.value).abs() <= 1e-12 * v.value.abs().max(1e-12),
                    "{}: the tree gives {computed}, the value is {}",
                    v.symbol,
                    v.value
                );
            }
        }
        values.insert(v.symbol.clone(), v.value);
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
    // Roles name the article's values by layer and index, counted as documented.
    let role = |s: &str| -> RoleJson {
        let v = &trace.iterations[0].values[at(s)];
        serde_json::from_value(v.role.clone()).unwrap()
    };
    let w5 = || ParameterJson::Weight { layer: 2, index: 0 };
    assert_eq!(role("w5"), RoleJson::Weight { layer: 2, index: 0 });
    assert_eq!(role("dE_total/dw5"), RoleJson::Gradient { of: w5() });
    assert_eq!(role("w5+"), RoleJson::Updated { of: w5() });
    assert_eq!(
        role("out_h2"),
        RoleJson::Out {
            layer: 1,
            neuron: 1,
            updated: false
        }
    );
    assert_eq!(
        role("dE_o2/dout_h1"),
        RoleJson::Share {
            layer: 1,
            neuron: 0,
            above: 1
        }
    );
    assert_eq!(
        role("dnet_o1/dw6"),
        RoleJson::DNetDWeight { layer: 2, index: 1 }
    );
    assert_eq!(role("E_total+"), RoleJson::Loss { updated: true });
    assert_eq!(role("target_o2"), RoleJson::Target { neuron: 1 });
    assert_eq!(role("eta"), RoleJson::LearningRate);
    // And the trees are written as documented.
    let expr = |s: &str| {
        trace.iterations[0].values[at(s)]
            .expr
            .clone()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        expr("net_o1"),
        r#"{"sum":[{"product":[0,1]},{"product":[2,3]},{"product":[4,"one"]}]}"#
    );
    assert_eq!(expr("out_o1"), r#"{"sigmoid":0}"#);
    assert_eq!(
        expr("E_o1"),
        r#"{"product":["half",{"square":{"difference":[0,1]}}]}"#
    );
    assert_eq!(
        expr("dE_total/dout_o1"),
        r#"{"negation":{"difference":[0,1]}}"#
    );
    assert_eq!(
        expr("dout_o1/dnet_o1"),
        r#"{"product":[0,{"difference":["one",1]}]}"#
    );
    assert_eq!(expr("w5+"), r#"{"difference":[0,{"product":[1,2]}]}"#);
}

#[test]
fn other_networks_and_options_follow_it_too() {
    check(&trace_of(&["traces/tanh-3-4-2.json"]));
    // relu, tanh and linear layers, per-neuron biases, bias updates.
    check(&trace_of(&["traces/deep-2-3-2-1.json", "--update-biases"]));
    check(&trace_of(&["tests/fixtures/deep-2-3-2-2.json"]));
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
