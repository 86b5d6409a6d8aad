//! The engine checked against things that do not share its code: an independent, written-out
//! computation of every symbol for networks of one hidden layer, and central finite
//! differences of E_total for networks of any depth.

// The reference is written with indices, as the formulas are written on paper.
#![allow(clippy::needless_range_loop)]

mod common;

use backprop_tracer::engine::{self, Workspace};
use backprop_tracer::network::{Activation, Bias, Network};
use backprop_tracer::trace::{Options, Trace, UpdateOrder};
use std::collections::HashMap;

/// Every symbol of one iteration of a one-hidden-layer network, written out plainly from the
/// article's formulas, sharing no code with the engine.
fn reference(net: &Network, order: UpdateOrder, update_biases: bool) -> HashMap<String, f64> {
    let (ni, nh, no) = (net.layers[0], net.layers[1], net.layers[2]);
    let (a1, a2) = (net.activations[0], net.activations[1]);
    let (w1, w2) = (&net.weights[0], &net.weights[1]);
    let b1 = |j: usize| net.biases[0].get(j);
    let b2 = |j: usize| net.biases[1].get(j);
    let eta = net.learning_rate;
    let mut v = HashMap::new();
    let h = |j: usize| format!("h{}", j + 1);
    let o = |j: usize| format!("o{}", j + 1);
    let w_hidden = |j: usize, k: usize| format!("w{}", j * ni + k + 1);
    let w_out = |m: usize, j: usize| format!("w{}", ni * nh + m * nh + j + 1);

    let forward =
        |w1: &[f64], w2: &[f64], b1v: &dyn Fn(usize) -> f64, b2v: &dyn Fn(usize) -> f64| {
            let net_h: Vec<f64> = (0..nh)
                .map(|j| (0..ni).map(|k| w1[j * ni + k] * net.input[k]).sum::<f64>() + b1v(j))
                .collect();
            let out_h: Vec<f64> = net_h.iter().map(|&x| common::activation(a1, x)).collect();
            let net_o: Vec<f64> = (0..no)
                .map(|m| (0..nh).map(|j| w2[m * nh + j] * out_h[j]).sum::<f64>() + b2v(m))
                .collect();
            let out_o: Vec<f64> = net_o.iter().map(|&x| common::activation(a2, x)).collect();
            (net_h, out_h, net_o, out_o)
        };
    let (net_h, out_h, net_o, out_o) = forward(w1, w2, &b1, &b2);
    for j in 0..nh {
        v.insert(format!("net_{}", h(j)), net_h[j]);
        v.insert(format!("out_{}", h(j)), out_h[j]);
    }
    let mut e_total = 0.0;
    for m in 0..no {
        v.insert(format!("net_{}", o(m)), net_o[m]);
        v.insert(format!("out_{}", o(m)), out_o[m]);
        let e = 0.5 * (net.target[m] - out_o[m]).powi(2);
        v.insert(format!("E_{}", o(m)), e);
        e_total += e;
    }
    v.insert("E_total".into(), e_total);

    let mut new_w2 = w2.clone();
    let mut delta_o = vec![0.0; no];
    for m in 0..no {
        let d_out = -(net.target[m] - out_o[m]);
        let d_net = common::activation_derivative(a2, net_o[m]);
        delta_o[m] = d_out * d_net;
        v.insert(format!("dE_total/dout_{}", o(m)), d_out);
        v.insert(format!("dout_{0}/dnet_{0}", o(m)), d_net);
        v.insert(format!("delta_{}", o(m)), delta_o[m]);
        for j in 0..nh {
            let w = w_out(m, j);
            let g = d_out * d_net * out_h[j];
            v.insert(format!("dnet_{}/d{w}", o(m)), out_h[j]);
            v.insert(format!("dE_total/d{w}"), g);
            new_w2[m * nh + j] = w2[m * nh + j] - eta * g;
            v.insert(format!("{w}+"), new_w2[m * nh + j]);
        }
    }
    let used_w2 = if order == UpdateOrder::Sequential {
        &new_w2
    } else {
        w2
    };
    let mut new_w1 = w1.clone();
    let mut delta_h = vec![0.0; nh];
    for j in 0..nh {
        let mut sum = 0.0;
        for m in 0..no {
            let share = delta_o[m] * used_w2[m * nh + j];
            v.insert(format!("dnet_{}/dout_{}", o(m), h(j)), used_w2[m * nh + j]);
            v.insert(format!("dE_{}/dout_{}", o(m), h(j)), share);
            sum += share;
        }
        let d_net = common::activation_derivative(a1, net_h[j]);
        delta_h[j] = sum * d_net;
        v.insert(format!("dE_total/dout_{}", h(j)), sum);
        v.insert(format!("dout_{0}/dnet_{0}", h(j)), d_net);
        v.insert(format!("delta_{}", h(j)), delta_h[j]);
        for k in 0..ni {
            let w = w_hidden(j, k);
            let g = sum * d_net * net.input[k];
            v.insert(format!("dnet_{}/d{w}", h(j)), net.input[k]);
            v.insert(format!("dE_total/d{w}"), g);
            new_w1[j * ni + k] = w1[j * ni + k] - eta * g;
            v.insert(format!("{w}+"), new_w1[j * ni + k]);
        }
    }

    // Biases: a shared bias's gradient sums its layer's deltas.
    let mut new_b: Vec<Vec<f64>> = net.biases.iter().map(|b| b.values().to_vec()).collect();
    if update_biases {
        for (l, deltas) in [(0usize, &delta_h), (1, &delta_o)] {
            match &net.biases[l] {
                Bias::Shared(b) => {
                    let g: f64 = deltas.iter().sum();
                    v.insert(format!("dE_total/db{}", l + 1), g);
                    v.insert(format!("b{}+", l + 1), b - eta * g);
                    new_b[l][0] = b - eta * g;
                }
                Bias::PerNeuron(bs) => {
                    for (j, (&b, &d)) in bs.iter().zip(deltas.iter()).enumerate() {
                        v.insert(format!("dE_total/db{}_{}", l + 1, j + 1), d);
                        v.insert(format!("b{}_{}+", l + 1, j + 1), b - eta * d);
                        new_b[l][j] = b - eta * d;
                    }
                }
            }
        }
    }
    let nb = |l: usize, j: usize| new_b[l][if new_b[l].len() == 1 { 0 } else { j }];
    let (_, _, _, out_after) = forward(&new_w1, &new_w2, &|j| nb(0, j), &|m| nb(1, m));
    let e_after: f64 = (0..no)
        .map(|m| 0.5 * (net.target[m] - out_after[m]).powi(2))
        .sum();
    for m in 0..no {
        v.insert(format!("out_{}+", o(m)), out_after[m]);
    }
    v.insert("E_total+".into(), e_after);
    v
}

fn trace_via_binary(net: &Network, order: UpdateOrder, update_biases: bool) -> Trace {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.json");
    std::fs::write(&path, net.to_json_pretty()).unwrap();
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("backprop");
    cmd.args(["show", "--format", "json", "--update-order", order.name()])
        .arg(&path);
    if update_biases {
        cmd.arg("--update-biases");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_matches_reference(net: &Network, order: UpdateOrder, update_biases: bool) {
    let trace = trace_via_binary(net, order, update_biases);
    let expected = reference(net, order, update_biases);
    let got = trace.first().index();
    for (symbol, want) in &expected {
        let have = got
            .get(symbol.as_str())
            .unwrap_or_else(|| panic!("{symbol} is not in the trace"))
            .value;
        let scale = want.abs().max(1e-300);
        assert!(
            (have - want).abs() <= 1e-12 * scale || (have - want).abs() < 1e-300,
            "{symbol}: trace {have}, reference {want} ({:?}, {:?})",
            net.layers,
            net.activations
        );
    }
    // The named symbols of the issue are all there for the article's shape.
    for s in [
        "net_h1",
        "out_h1",
        "net_o1",
        "out_o1",
        "E_o1",
        "E_total",
        "dE_total/dout_o1",
        "dout_o1/dnet_o1",
        "delta_o1",
        "dE_o1/dout_h1",
        "dE_total/dout_h1",
        "dout_h1/dnet_h1",
        "delta_h1",
        "dnet_h1/dw1",
        "dE_total/dw1",
        "w1+",
        "E_total+",
    ] {
        assert!(expected.contains_key(s) && got.contains_key(s), "{s}");
    }
}

#[test]
fn article_network_matches_an_independent_computation() {
    for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
        assert_matches_reference(&Network::article(), order, false);
        assert_matches_reference(&Network::article(), order, true);
    }
}

#[test]
fn one_hidden_layer_networks_match_an_independent_computation() {
    let shapes: [&[usize]; 4] = [&[3, 4, 2], &[1, 1, 1], &[4, 2, 3], &[2, 5, 1]];
    for (n, shape) in shapes.iter().enumerate() {
        for (a, &hidden) in common::ELEMENT_WISE.iter().enumerate() {
            let output = common::ELEMENT_WISE[(a + n) % 4];
            let seed = (7 + 4 * n + a) as u64;
            let eta = 0.1 + 0.2 * a as f64;
            let net = common::build(shape, &[hidden, output], n % 2 == 0, eta, seed);
            let order = if a % 2 == 0 {
                UpdateOrder::Simultaneous
            } else {
                UpdateOrder::Sequential
            };
            assert_matches_reference(&net, order, n >= 2);
        }
    }
}

/// E_total of `net` as a function of one of its parameters.
fn error_with(net: &Network, change: impl Fn(&mut Network)) -> f64 {
    let mut copy = net.clone();
    change(&mut copy);
    let mut ws = Workspace::new(&copy);
    engine::total_error(&copy, &net.input, &net.target, &mut ws)
}

/// Every weight's (and bias's) recorded gradient against (E(p + h) − E(p − h)) / 2h.
fn assert_gradients_match_finite_differences(net: &Network) {
    let options = Options {
        update_biases: true,
        ..Options::default()
    };
    let trace = engine::trace_iteration(net, &options);
    let values = trace.first().index();
    let h = 1e-6;
    let check = |name: String, numeric: f64| {
        let analytic = values[format!("dE_total/d{name}").as_str()].value;
        let diff = (analytic - numeric).abs();
        assert!(
            diff <= 1e-6 * analytic.abs().max(numeric.abs()) || diff < 1e-8,
            "{name}: backprop {analytic}, finite difference {numeric} ({:?} {:?})",
            net.layers,
            net.activations
        );
    };
    let mut number = 0;
    for l in 0..net.depth() {
        for i in 0..net.weights[l].len() {
            number += 1;
            let plus = error_with(net, |n| n.weights[l][i] += h);
            let minus = error_with(net, |n| n.weights[l][i] -= h);
            check(format!("w{number}"), (plus - minus) / (2.0 * h));
        }
        for j in 0..net.biases[l].values().len() {
            let plus = error_with(net, |n| n.biases[l].values_mut()[j] += h);
            let minus = error_with(net, |n| n.biases[l].values_mut()[j] -= h);
            let name = match net.biases[l] {
                Bias::Shared(_) => format!("b{}", l + 1),
                Bias::PerNeuron(_) => format!("b{}_{}", l + 1, j + 1),
            };
            check(name, (plus - minus) / (2.0 * h));
        }
    }
}

/// Whether every neuron's net input is far enough from relu's kink for a finite difference.
fn away_from_kinks(net: &Network) -> bool {
    let trace = engine::trace_iteration(net, &Options::default());
    trace
        .first()
        .values
        .iter()
        .filter(|v| v.symbol.starts_with("net_") && !v.symbol.ends_with('+'))
        .all(|v| v.value.abs() > 1e-3)
}

#[test]
fn article_gradients_match_finite_differences() {
    assert_gradients_match_finite_differences(&Network::article());
}

#[test]
fn shipped_example_networks_match_finite_differences() {
    for file in ["traces/tanh-3-4-2.json", "traces/deep-2-3-2-1.json"] {
        let text = std::fs::read_to_string(file).unwrap();
        let net = Network::from_json_str(&text).unwrap().0;
        assert!(away_from_kinks(&net), "{file}");
        assert_gradients_match_finite_differences(&net);
    }
}

#[test]
fn deep_networks_of_every_activation_match_finite_differences() {
    let shapes: [&[usize]; 5] = [
        &[2, 3, 2],
        &[3, 4, 2],
        &[2, 3, 2, 1],
        &[3, 2, 4, 3, 2],
        &[1, 6, 1],
    ];
    let mut checked = 0;
    for (n, shape) in shapes.iter().enumerate() {
        for a in 0..4 {
            let acts: Vec<Activation> = (0..shape.len() - 1)
                .map(|l| common::ELEMENT_WISE[(a + l + n) % 4])
                .collect();
            let seed = (42 + 4 * n + a) as u64;
            let eta = 0.1 + 0.2 * a as f64;
            let net = common::build(shape, &acts, (a + n) % 2 == 1, eta, seed);
            if away_from_kinks(&net) {
                assert_gradients_match_finite_differences(&net);
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 15,
        "only {checked} networks were away from relu's kink"
    );
}

#[test]
fn a_wrong_gradient_is_caught_by_the_finite_difference_check() {
    // The check above must be able to fail: perturb one recorded gradient and compare.
    let net = Network::article();
    let trace = engine::trace_iteration(&net, &Options::default());
    let analytic = trace.first().get("dE_total/dw5").unwrap().value * 1.001;
    let h = 1e-6;
    let numeric = (error_with(&net, |n| n.weights[1][0] += h)
        - error_with(&net, |n| n.weights[1][0] -= h))
        / (2.0 * h);
    assert!((analytic - numeric).abs() > 1e-6 * numeric.abs());
}
