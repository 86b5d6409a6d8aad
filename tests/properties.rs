//! Properties over random networks (1–3 hidden layers, widths 1–6, every activation, shared
//! and per-neuron biases): a trace survives being written and read back, so does a network
//! file, each value has a role of its own and a formula tree that computes what its formula
//! string says, a version-1 trace gets the same roles and trees back, and rendering never
//! panics, whatever the values.

use backprop_tracer::engine;
use backprop_tracer::formula;
use backprop_tracer::network::{Activation, Bias, Network};
use backprop_tracer::notation::{self, Notation};
use backprop_tracer::render::{Lang, json, table};
use backprop_tracer::trace::{Options, Stage, Trace, UpdateOrder};
use proptest::prelude::*;

fn activation() -> impl Strategy<Value = Activation> {
    // Element-wise ones: a softmax is allowed on the output layer only (tests/losses.rs).
    prop::sample::select(
        Activation::ALL
            .into_iter()
            .filter(|&a| a != Activation::Softmax)
            .collect::<Vec<_>>(),
    )
}

/// A finite value, mostly ordinary, sometimes huge or tiny (to reach overflow paths).
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -2.0..2.0f64,
        1 => -1e6..1e6f64,
        1 => prop::num::f64::NORMAL,
    ]
}

fn network() -> impl Strategy<Value = Network> {
    (
        prop::collection::vec(1usize..=6, 3..=5),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_flat_map(|(layers, update_biases, _)| {
            let depth = layers.len() - 1;
            let weights: Vec<_> = (0..depth)
                .map(|l| prop::collection::vec(number(), layers[l] * layers[l + 1]))
                .collect();
            let biases: Vec<_> = (0..depth)
                .map(|l| {
                    let n = layers[l + 1];
                    prop_oneof![
                        number().prop_map(Bias::Shared),
                        prop::collection::vec(number(), n).prop_map(Bias::PerNeuron),
                    ]
                })
                .collect();
            (
                Just(layers.clone()),
                prop::collection::vec(activation(), depth),
                prop_oneof![0.001..2.0f64, 1.0..1e6f64],
                weights,
                biases,
                Just(update_biases),
                prop::collection::vec(number(), layers[0]),
                prop::collection::vec(-1.0..2.0f64, layers[depth]),
            )
        })
        .prop_map(
            |(
                layers,
                activations,
                learning_rate,
                weights,
                biases,
                update_biases,
                input,
                target,
            )| {
                Network {
                    layers,
                    activations,
                    loss: Default::default(),
                    optimizer: Default::default(),
                    optimizer_state: Default::default(),
                    batch_size: 1,
                    reduction: Default::default(),
                    learning_rate,
                    weights,
                    biases,
                    update_biases,
                    input,
                    target,
                    samples: Vec::new(),
                    seed: None,
                    drawn: Default::default(),
                }
            },
        )
}

fn options() -> impl Strategy<Value = Options> {
    (any::<bool>(), any::<bool>(), 0usize..=17).prop_map(|(seq, biases, precision)| Options {
        update_order: if seq {
            UpdateOrder::Sequential
        } else {
            UpdateOrder::Simultaneous
        },
        update_biases: biases,
        precision,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_network_file_reads_back_identical(net in network()) {
        let (back, warnings) = Network::from_json_str(&net.to_json_pretty()).unwrap();
        prop_assert!(warnings.is_empty());
        prop_assert_eq!(back, net);
    }

    #[test]
    fn a_written_trace_reads_back_identical(net in network(), options in options()) {
        let trace = engine::trace_iteration(&net, &options);
        // Only finite traces are ever written (`show` refuses the others).
        prop_assume!(trace.first().first_non_finite().is_none());
        let back: Trace = serde_json::from_str(&trace.to_json_pretty()).unwrap();
        prop_assert_eq!(&back, &trace);
        // Bit for bit: JSON numbers round-trip f64 exactly.
        for (a, b) in back.first().values.iter().zip(&trace.first().values) {
            prop_assert_eq!(a.value.to_bits(), b.value.to_bits(), "{}", &a.symbol);
        }
        // And a trace fed back in as a network is the same network.
        let (again, _) = Network::from_json_str(&trace.to_json_pretty()).unwrap();
        prop_assert_eq!(again, trace.network);
    }

    #[test]
    fn each_value_has_its_own_role_and_a_tree_that_says_what_its_formula_says(
        net in network(),
        options in options(),
    ) {
        let mut trace = engine::trace_iteration(&net, &options);
        let names = Notation::new(&net);
        let values = &trace.first().values;
        let mut roles = std::collections::HashSet::new();
        for v in values {
            let role = v.role.expect("every value the engine records has a role");
            prop_assert!(roles.insert(role), "{} has the role of another value", &v.symbol);
            // Its symbol in both notations is printed from the role.
            prop_assert_eq!(role.symbol(&names), v.symbol.clone());
            prop_assert_eq!(role.pretty(&names), notation::pretty(&v.symbol), "{}", &v.symbol);
            prop_assert_eq!(role.is_given(), v.stage == Stage::Given, "{}", &v.symbol);
            match &v.expr {
                None => prop_assert!(role.is_given(), "{} has no tree", &v.symbol),
                Some(tree) => {
                    // The tree and the formula string, read by the parser, compute the same.
                    let operand = |n: usize| trace.first().get(&v.from[n]).unwrap().value;
                    let parsed = formula::parse_formula(v).unwrap().eval(&operand);
                    let from_tree = tree.eval(&operand);
                    let scale = parsed.abs().max(1e-300);
                    prop_assert!(
                        (parsed - from_tree).abs() <= 1e-13 * scale
                            || (parsed.is_nan() && from_tree.is_nan())
                            || parsed == from_tree,
                        "{}: tree {} against formula {}", &v.symbol, from_tree, parsed
                    );
                    prop_assert!(tree.max_operand().is_none_or(|n| n < v.from.len()));
                }
            }
        }
        // A version-1 trace (no roles, no trees) gets the same ones back when read.
        let recorded = trace.clone();
        for v in &mut trace.iterations[0].values {
            v.role = None;
            v.expr = None;
        }
        trace.version = 1;
        trace.upgrade();
        for (a, b) in trace.first().values.iter().zip(&recorded.first().values) {
            prop_assert_eq!(&a.role, &b.role);
            prop_assert_eq!(&a.expr, &b.expr);
        }
    }

    #[test]
    fn rendering_never_panics(net in network(), options in options(), zh in any::<bool>(), ascii in any::<bool>(), color in any::<bool>()) {
        let trace = engine::trace_iteration(&net, &options);
        let style = table::TableOptions {
            lang: if zh { Lang::Zh } else { Lang::En },
            color,
            ascii,
            width: None,
            ..table::TableOptions::default()
        };
        let mut out = Vec::new();
        table::render(&trace, &style, &mut out).unwrap();
        prop_assert!(!out.is_empty());
        let mut out = Vec::new();
        json::render(&trace, &mut out).unwrap();
    }
}
