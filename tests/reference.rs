//! Every recorded value of an iteration, on networks of any depth, against a reference written
//! plainly here from the maths: its own names, forward pass, loss, backward pass and update,
//! in both update orders, with shared and per-neuron biases, trained or not. It shares no
//! code with the engine (the library is used only to run the engine and to read the network's
//! numbers), so a slip in the engine cannot hide by being made in the check too.
//!
//! Two things are checked, on the article's network and on random deep ones:
//! - the set of symbols: the reference's equals the trace's, so a value the engine stops
//!   recording, or a new one nobody checks, fails;
//! - every value, within [`REL`] relative plus [`ABS`] absolute, and the stage it is in.

// The reference is written with indices, as the formulas are written on paper.
#![allow(clippy::needless_range_loop)]

mod common;

use backprop_tracer::engine;
use backprop_tracer::network::{Activation, Bias, Network};
use backprop_tracer::trace::{Options, Stage, Trace, UpdateOrder};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Relative tolerance. The reference adds in the engine's order, so most values agree to the
/// bit; what differs is how exp, tanh and the like are evaluated (a few ulps), carried on.
const REL: f64 = 1e-12;
/// Absolute tolerance, for values that cancel to near zero (a net input, a product of tiny
/// deltas), where a few ulps of their operands are a large relative difference.
const ABS: f64 = 1e-14;

use common::names::{Names, Values};

/// The forward pass with `weights` and `biases` (one list per layer; a shared bias is one
/// value): every layer's net inputs and outputs, `outs[0]` being the input.
fn forward(
    net: &Network,
    weights: &[Vec<f64>],
    biases: &[Vec<f64>],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut nets = vec![Vec::new()];
    let mut outs = vec![net.input.clone()];
    for l in 0..net.layers.len() - 1 {
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        let mut z = vec![0.0; n_out];
        let mut a = vec![0.0; n_out];
        for j in 0..n_out {
            // net_j = Σ_k w_jk · out_k + b_j
            let mut sum = 0.0;
            for k in 0..n_in {
                sum += weights[l][j * n_in + k] * outs[l][k];
            }
            let b = if biases[l].len() == 1 {
                biases[l][0]
            } else {
                biases[l][j]
            };
            z[j] = sum + b;
            a[j] = common::activation(net.activations[l], z[j]);
        }
        nets.push(z);
        outs.push(a);
    }
    (nets, outs)
}

/// Records net, out (with `tag`), E_o and E_total of a forward pass.
fn record_pass(
    v: &mut Values,
    net: &Network,
    names: &Names,
    (nets, outs): &(Vec<Vec<f64>>, Vec<Vec<f64>>),
    after: bool,
) {
    let tag = if after { "+" } else { "" };
    let depth = net.layers.len() - 1;
    let (pass, error) = if after {
        (Stage::Summary, Stage::Summary)
    } else {
        (Stage::Forward, Stage::Error)
    };
    for l in 1..=depth {
        for j in 0..net.layers[l] {
            let n = names.neuron(l, j);
            v.put(format!("net_{n}{tag}"), pass, nets[l][j]);
            v.put(format!("out_{n}{tag}"), pass, outs[l][j]);
        }
    }
    // E = Σ_o ½(target_o − out_o)²
    let mut total = 0.0;
    for j in 0..net.layers[depth] {
        let e = 0.5 * (net.target[j] - outs[depth][j]).powi(2);
        v.put(format!("E_{}{tag}", names.neuron(depth, j)), error, e);
        total += e;
    }
    v.put(format!("E_total{tag}"), error, total);
}

/// Every value of one iteration of `net`, from the maths.
fn reference(
    net: &Network,
    order: UpdateOrder,
    update_biases: bool,
) -> BTreeMap<String, (Stage, f64)> {
    let depth = net.layers.len() - 1;
    let names = Names::of(net);
    let biases: Vec<Vec<f64>> = net
        .biases
        .iter()
        .map(|b| match b {
            Bias::Shared(x) => vec![*x],
            Bias::PerNeuron(xs) => xs.clone(),
        })
        .collect();
    let eta = net.learning_rate;
    let mut v = Values::default();

    // The given values.
    for k in 0..net.layers[0] {
        v.put(names.neuron(0, k), Stage::Given, net.input[k]);
    }
    for j in 0..net.layers[depth] {
        let o = names.neuron(depth, j);
        v.put(format!("target_{o}"), Stage::Given, net.target[j]);
    }
    for l in 0..depth {
        for (i, &w) in net.weights[l].iter().enumerate() {
            v.put(names.weight(l, i), Stage::Given, w);
        }
        for (j, &b) in biases[l].iter().enumerate() {
            v.put(names.bias(l, j), Stage::Given, b);
        }
    }
    v.put("eta".into(), Stage::Given, eta);

    let pass = forward(net, &net.weights, &biases);
    record_pass(&mut v, net, &names, &pass, false);
    let (nets, outs) = pass;

    // The backward pass, from the output layer back. δ_j = ∂E_total/∂net_j.
    let mut new_weights = net.weights.clone();
    let mut new_biases = biases.clone();
    let mut delta: Vec<Vec<f64>> = vec![Vec::new(); depth + 1];
    for l in (0..depth).rev() {
        let here = l + 1;
        let (n_in, n_out) = (net.layers[l], net.layers[here]);
        let stage = if here == depth {
            Stage::OutputLayer
        } else {
            Stage::HiddenLayer
        };
        // Sequentially, the layer above was already updated when this one's deltas are taken.
        let w_above = match order {
            UpdateOrder::Simultaneous => net.weights.get(here),
            UpdateOrder::Sequential => new_weights.get(here),
        }
        .cloned()
        .unwrap_or_default();
        delta[here] = vec![0.0; n_out];
        let mut shared_gradient = 0.0;
        for j in 0..n_out {
            let n = names.neuron(here, j);
            let de_dout = if here == depth {
                // ∂E_total/∂out_o = −(target_o − out_o): only E_o depends on out_o.
                let g = -(net.target[j] - outs[here][j]);
                v.put(format!("dE_total/dout_{n}"), stage, g);
                g
            } else {
                // ∂E_total/∂out_h = Σ_m ∂E_m/∂out_h = Σ_m δ_m · w_mh
                let above = net.layers[here + 1];
                let mut sum = 0.0;
                for m in 0..above {
                    let a = names.neuron(here + 1, m);
                    let w = w_above[m * n_out + j];
                    v.put(format!("dnet_{a}/dout_{n}"), stage, w);
                    let share = delta[here + 1][m] * w;
                    v.put(format!("dE_{a}/dout_{n}"), stage, share);
                    sum += share;
                }
                v.put(format!("dE_total/dout_{n}"), stage, sum);
                sum
            };
            let dout_dnet = common::activation_derivative(net.activations[l], nets[here][j]);
            v.put(format!("dout_{n}/dnet_{n}"), stage, dout_dnet);
            let d = de_dout * dout_dnet;
            v.put(format!("delta_{n}"), stage, d);
            delta[here][j] = d;
            for k in 0..n_in {
                let i = j * n_in + k;
                let w = names.weight(l, i);
                // ∂net_j/∂w_jk = out_k, and ∂E_total/∂w_jk = δ_j · out_k
                let x = outs[l][k];
                v.put(format!("dnet_{n}/d{w}"), stage, x);
                let g = d * x;
                v.put(format!("dE_total/d{w}"), stage, g);
                new_weights[l][i] = net.weights[l][i] - eta * g;
                v.put(format!("{w}+"), stage, new_weights[l][i]);
            }
            if update_biases {
                if names.shared[l] {
                    shared_gradient += d;
                } else {
                    // ∂E_total/∂b_j = δ_j · 1
                    let b = names.bias(l, j);
                    v.put(format!("dE_total/d{b}"), stage, d);
                    new_biases[l][j] = biases[l][j] - eta * d;
                    v.put(format!("{b}+"), stage, new_biases[l][j]);
                }
            }
        }
        if update_biases && names.shared[l] {
            // A shared bias is in every net of its layer: ∂E_total/∂b = Σ_j δ_j
            let b = names.bias(l, 0);
            v.put(format!("dE_total/d{b}"), stage, shared_gradient);
            new_biases[l][0] = biases[l][0] - eta * shared_gradient;
            v.put(format!("{b}+"), stage, new_biases[l][0]);
        }
    }

    // The summary: the forward pass and the error again, with the updated values.
    let after = forward(net, &new_weights, &new_biases);
    record_pass(&mut v, net, &names, &after, true);
    v.0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()) + ABS
}

/// Compares a trace's symbols, stages and values with the reference's; returns how many
/// symbols were checked.
fn check(recorded: &[(String, Stage, f64)], expected: &BTreeMap<String, (Stage, f64)>) -> usize {
    let symbols: BTreeSet<&str> = recorded.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(symbols.len(), recorded.len(), "a symbol is recorded twice");
    let reference: BTreeSet<&str> = expected.keys().map(String::as_str).collect();
    let missing: Vec<_> = reference.difference(&symbols).collect();
    let unchecked: Vec<_> = symbols.difference(&reference).collect();
    assert!(
        missing.is_empty() && unchecked.is_empty(),
        "not recorded: {missing:?}; recorded but not in the reference: {unchecked:?}"
    );
    for (symbol, stage, value) in recorded {
        let (want_stage, want) = expected[symbol];
        assert_eq!(*stage, want_stage, "{symbol}: stage");
        assert!(
            close(*value, want),
            "{symbol}: the engine recorded {value:e}, the reference gives {want:e}"
        );
    }
    recorded.len()
}

fn options(order: UpdateOrder, update_biases: bool) -> Options {
    Options {
        update_order: order,
        update_biases,
        precision: 9,
    }
}

/// The engine's trace of `net`, as (symbol, stage, value).
fn traced(net: &Network, order: UpdateOrder, update_biases: bool) -> Vec<(String, Stage, f64)> {
    let trace: Trace = engine::trace_iteration(net, &options(order, update_biases));
    trace
        .first()
        .values
        .iter()
        .map(|v| (v.symbol.clone(), v.stage, v.value))
        .collect()
}

/// Checks `net` in every combination of order and bias updates; the count of each.
fn check_all(net: &Network) -> Vec<usize> {
    let mut counts = Vec::new();
    for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
        for update_biases in [false, true] {
            let expected = reference(net, order, update_biases);
            counts.push(check(&traced(net, order, update_biases), &expected));
        }
    }
    counts
}

/// A network of the given shape with `shared[l]` choosing each layer's kind of bias.
fn network(
    layers: &[usize],
    activations: &[Activation],
    shared: &[bool],
    eta: f64,
    seed: u64,
) -> Network {
    let mut net = common::build(layers, activations, false, eta, seed);
    for (bias, &shared) in net.biases.iter_mut().zip(shared) {
        if shared {
            *bias = Bias::Shared(bias.values()[0]);
        }
    }
    net
}

/// A deep network with every activation, both kinds of bias, and layers of different sizes.
fn deep() -> Network {
    network(
        &[3, 4, 2, 5, 3, 2],
        &[
            Activation::Tanh,
            Activation::Sigmoid,
            Activation::Relu,
            Activation::Linear,
            Activation::Sigmoid,
        ],
        &[false, true, false, true, false],
        0.37,
        11,
    )
}

#[test]
fn every_value_of_the_articles_iteration() {
    // 15 given + 8 forward + 3 error + 18 output layer + 26 hidden layer + 11 summary; with
    // the biases trained, ∂E_total/∂b and b⁺ for b1 and b2.
    assert_eq!(check_all(&Network::article()), vec![81, 85, 81, 85]);
}

#[test]
fn every_value_of_a_deep_network_with_every_activation() {
    let counts = check_all(&deep());
    // Weights 12+8+10+15+6 = 51, each given, with ∂net/∂w, ∂E/∂w and w⁺ (204); 16 neurons
    // with net and out, twice (64); given i1…i3, target_o1, target_o2, 1+1 shared and 4+5+2
    // own biases, η (19);
    // E_o and E_total, twice (6); ∂E/∂out, ∂out/∂net, δ per neuron (48); ∂net/∂out and the
    // share per connection between hidden layers or to the output (8+10+15+6, twice: 78).
    assert_eq!(counts[0], 204 + 64 + 19 + 6 + 48 + 78);
    // Training the biases adds ∂E_total/∂b and b⁺ for each of the 13 biases.
    assert_eq!(counts, vec![419, 445, 419, 445]);
}

/// The orders differ where they should: in the hidden layers' chain, not at the output.
#[test]
fn the_orders_differ_in_the_hidden_layers_only() {
    let net = deep();
    let simultaneous = reference(&net, UpdateOrder::Simultaneous, false);
    let sequential = reference(&net, UpdateOrder::Sequential, false);
    let differ: BTreeSet<Stage> = simultaneous
        .iter()
        .filter(|(s, (_, x))| !close(*x, sequential[*s].1))
        .map(|(_, (stage, _))| *stage)
        .collect();
    assert_eq!(differ, BTreeSet::from([Stage::HiddenLayer, Stage::Summary]));
    // The article's code figure, from the sequential order.
    let article = reference(&Network::article(), UpdateOrder::Sequential, false);
    assert_eq!(format!("{:.9}", article["E_total+"].1), "0.291027924");
    let article = reference(&Network::article(), UpdateOrder::Simultaneous, false);
    assert_eq!(format!("{:.9}", article["E_total+"].1), "0.291027774");
}

/// The same, through the command line: `backprop show --format json` of a network file.
#[test]
fn the_json_trace_of_the_command_line_holds_the_same_values() {
    let dir = common::scratch();
    for (name, net) in [("article", Network::article()), ("deep", deep())] {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, net.to_json_pretty()).unwrap();
        let path = path.to_str().unwrap();
        for (order, update_biases) in [
            (UpdateOrder::Simultaneous, false),
            (UpdateOrder::Sequential, true),
        ] {
            let mut args = vec![
                "show",
                "--format",
                "json",
                path,
                "--update-order",
                order.name(),
            ];
            if update_biases {
                args.push("--update-biases");
            }
            let json: serde_json::Value =
                serde_json::from_str(&common::stdout_of(&args)).expect("show writes JSON");
            let recorded: Vec<(String, Stage, f64)> = json["iterations"][0]["values"]
                .as_array()
                .expect("a list of values")
                .iter()
                .map(|v| {
                    let stage: Stage = serde_json::from_value(v["stage"].clone()).unwrap();
                    let value = v["value"].as_f64().expect("a number");
                    (v["symbol"].as_str().unwrap().to_string(), stage, value)
                })
                .collect();
            check(&recorded, &reference(&net, order, update_biases));
        }
    }
}

/// Random networks: 0 to 4 hidden layers of 1 to 5 neurons, any activation per layer, each
/// layer's bias shared or per neuron.
fn random_network() -> impl Strategy<Value = Network> {
    (0usize..=4)
        .prop_flat_map(|hidden| {
            (
                prop::collection::vec(1usize..=5, hidden + 2),
                prop::collection::vec(
                    prop::sample::select(common::ELEMENT_WISE.to_vec()),
                    hidden + 1,
                ),
                prop::collection::vec(any::<bool>(), hidden + 1),
                0.1f64..1.0,
                any::<u64>(),
            )
        })
        .prop_map(|(layers, activations, shared, eta, seed)| {
            network(&layers, &activations, &shared, eta, seed)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_value_of_random_deep_networks(
        net in random_network(),
        sequential: bool,
        update_biases: bool,
    ) {
        let order = if sequential { UpdateOrder::Sequential } else { UpdateOrder::Simultaneous };
        check(&traced(&net, order, update_biases), &reference(&net, order, update_biases));
    }
}
