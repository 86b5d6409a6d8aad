//! The losses (network key `"loss"`) and the softmax output layer, checked against things
//! that do not share their code:
//!
//! - an independent reference written here from the maths (its own softmax, its own loss
//!   terms and derivatives, its own backward pass with the softmax's full derivative matrix),
//!   which must give the trace's set of symbols, stages and values, for every loss with every
//!   output activation it allows, 1 or 2 hidden layers, both update orders, biases trained or
//!   not; the reference is itself held to central differences of its own E_total;
//! - the gradient check (finite differences), through the library and through `backprop
//!   check`, on networks of every loss;
//! - the shipped example `traces/softmax-2-3-3.json`: the two routes to δ agree;
//! - the mean squared error's 1/n, the refusals of the loader, and the default loss (the
//!   article's, bit for bit).

// The reference is written with indices, as the formulas are written on paper.
#![allow(clippy::needless_range_loop)]

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use backprop_tracer::engine;
use backprop_tracer::gradcheck::{self, Corruption, Plan, Verdict};
use backprop_tracer::loss::Loss;
use backprop_tracer::network::{Activation, Bias, Network};
use backprop_tracer::trace::{Options, Role, Stage, Trace, UpdateOrder};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Every loss with every output activation it allows (relu too, for the squared errors,
/// though the brief's list stops at linear).
const COMBINATIONS: [(Loss, Activation); 12] = [
    (Loss::HalfSquaredError, Activation::Sigmoid),
    (Loss::HalfSquaredError, Activation::Tanh),
    (Loss::HalfSquaredError, Activation::Linear),
    (Loss::HalfSquaredError, Activation::Relu),
    (Loss::HalfSquaredError, Activation::Softmax),
    (Loss::MeanSquaredError, Activation::Sigmoid),
    (Loss::MeanSquaredError, Activation::Tanh),
    (Loss::MeanSquaredError, Activation::Linear),
    (Loss::MeanSquaredError, Activation::Relu),
    (Loss::MeanSquaredError, Activation::Softmax),
    (Loss::CrossEntropy, Activation::Softmax),
    (Loss::BinaryCrossEntropy, Activation::Sigmoid),
];

/// How many numbers a [`Spec`] carries: more than the largest network here needs (3·4 + 4·4
/// + 4·4 weights, 12 biases, 3 inputs, 4 targets).
const POOL: usize = 96;

// ---------------------------------------------------------------------------------------
// Networks, built through their file form.
// ---------------------------------------------------------------------------------------

/// A network before it is written as a file.
#[derive(Clone, Debug)]
struct Spec {
    layers: Vec<usize>,
    activations: Vec<Activation>,
    loss: Loss,
    /// Per weight layer: one bias shared by the layer, or one per neuron.
    shared: Vec<bool>,
    eta: f64,
    /// Numbers in [−1, 1], taken in turn for the weights (×2), biases, inputs and targets.
    numbers: Vec<f64>,
    /// For cross-entropy: a one-hot target at this output (modulo the outputs); otherwise
    /// random non-negative numbers normalised to sum to 1.
    one_hot: Option<usize>,
}

/// The targets of `spec` from the numbers `x` in [−1, 1]: what its loss accepts.
fn targets(spec: &Spec, x: &[f64]) -> Vec<f64> {
    let n = *spec.layers.last().unwrap();
    match spec.loss {
        Loss::CrossEntropy => match spec.one_hot {
            Some(c) => (0..n).map(|j| if j == c % n { 1.0 } else { 0.0 }).collect(),
            None => {
                // About half of them 0: an output the target does not ask for.
                let mut raw: Vec<f64> = x.iter().map(|&v| v.max(0.0)).collect();
                if raw.iter().all(|&v| v == 0.0) {
                    raw[0] = 1.0;
                }
                let sum: f64 = raw.iter().sum();
                raw.iter().map(|v| v / sum).collect()
            }
        },
        // Probabilities, exactly 0 or 1 now and then.
        Loss::BinaryCrossEntropy => x
            .iter()
            .map(|&v| {
                if v > 0.8 {
                    1.0
                } else if v < -0.8 {
                    0.0
                } else {
                    (v + 1.0) / 2.0
                }
            })
            .collect(),
        Loss::HalfSquaredError | Loss::MeanSquaredError => match spec.activations.last().unwrap() {
            Activation::Tanh | Activation::Linear => x.to_vec(),
            _ => x.iter().map(|v| (v + 1.0) / 2.0).collect(),
        },
    }
}

/// The network file of `spec`.
fn file(spec: &Spec) -> serde_json::Value {
    let mut next = spec.numbers.iter().copied().cycle();
    let mut take = |n: usize| -> Vec<f64> { (0..n).map(|_| next.next().unwrap()).collect() };
    let depth = spec.layers.len() - 1;
    let weights: Vec<Vec<f64>> = (0..depth)
        .map(|l| {
            take(spec.layers[l] * spec.layers[l + 1])
                .iter()
                .map(|w| 2.0 * w)
                .collect()
        })
        .collect();
    let biases: Vec<serde_json::Value> = (0..depth)
        .map(|l| {
            if spec.shared[l] {
                serde_json::json!(take(1)[0])
            } else {
                serde_json::json!(take(spec.layers[l + 1]))
            }
        })
        .collect();
    let input = take(spec.layers[0]);
    let target = targets(spec, &take(spec.layers[depth]));
    let names: Vec<&str> = spec.activations.iter().map(|a| a.name()).collect();
    serde_json::json!({
        "layers": spec.layers,
        "activation": names,
        "loss": spec.loss.name(),
        "learning_rate": spec.eta,
        "weights": weights,
        "biases": biases,
        "input": input,
        "target": target,
    })
}

/// The network of `spec`, as the loader reads its file.
fn build(spec: &Spec) -> Network {
    let text = file(spec).to_string();
    let net = Network::from_json_str(&text)
        .unwrap_or_else(|e| panic!("{spec:?} is refused: {e}"))
        .0;
    assert_eq!(net.loss, spec.loss);
    net
}

/// A fixed network of `loss` with `output`: `hidden` hidden layers (2 inputs, hidden layers
/// of 3 then 2, 3 outputs), hidden activations `hidden_activation`, numbers from `seed`.
fn fixed(
    loss: Loss,
    output: Activation,
    hidden: usize,
    hidden_activation: Activation,
    seed: u64,
) -> Spec {
    let mut layers = vec![2, 3, 2];
    layers.truncate(1 + hidden);
    layers.push(3);
    let mut rng = common::SplitMix(seed);
    let mut activations = vec![hidden_activation; hidden];
    activations.push(output);
    Spec {
        layers,
        activations,
        loss,
        shared: (0..=hidden)
            .map(|l| (l + seed as usize).is_multiple_of(2))
            .collect(),
        eta: 0.37,
        numbers: (0..POOL).map(|_| rng.signed()).collect(),
        one_hot: seed.is_multiple_of(3).then_some(seed as usize),
    }
}

// ---------------------------------------------------------------------------------------
// The reference: every value of one iteration, from the maths.
// ---------------------------------------------------------------------------------------

use common::names::{Names, Values};

/// The softmax, out_j = e^net_j / Σ_k e^net_k, each exponent lowered by the largest net (a
/// random network's update can send a net past e^x's range; any common shift cancels in the
/// quotient).
fn softmax(nets: &[f64]) -> Vec<f64> {
    let top = nets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = nets.iter().map(|x| (x - top).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// One output's term of E_total; `n` outputs.
fn loss_term(loss: Loss, t: f64, o: f64, n: usize) -> f64 {
    match loss {
        // ½(t − o)²
        Loss::HalfSquaredError => (t - o).powi(2) / 2.0,
        // (1/n)(t − o)²
        Loss::MeanSquaredError => (t - o).powi(2) / n as f64,
        // −t·ln o, taking 0·ln 0 as its limit, 0 (a softmax output can underflow to 0)
        Loss::CrossEntropy => -x_ln_y(t, o),
        // −[t·ln o + (1 − t)·ln(1 − o)]
        Loss::BinaryCrossEntropy => -(x_ln_y(t, o) + x_ln_y(1.0 - t, 1.0 - o)),
    }
}

/// x·ln y, 0 where x is 0.
fn x_ln_y(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

/// ∂E_total/∂out of one output.
fn loss_derivative(loss: Loss, t: f64, o: f64, n: usize) -> f64 {
    match loss {
        Loss::HalfSquaredError => o - t,
        Loss::MeanSquaredError => 2.0 * (o - t) / n as f64,
        // −t/o, and its limit 0 where t is 0 (o may have underflowed to 0)
        Loss::CrossEntropy if t == 0.0 => 0.0,
        Loss::CrossEntropy => -t / o,
        // −t/o + (1 − t)/(1 − o), each side 0 where its weight is 0
        Loss::BinaryCrossEntropy => {
            let side = |w: f64, x: f64| if w == 0.0 { 0.0 } else { w / x };
            -side(t, o) + side(1.0 - t, 1.0 - o)
        }
    }
}

/// Whether the loss, with its output activation, records δ = out − target beside δ.
fn has_shortcut(loss: Loss) -> bool {
    matches!(loss, Loss::CrossEntropy | Loss::BinaryCrossEntropy)
}

/// The biases of `net`, one list per layer (a shared bias is one value).
fn bias_lists(net: &Network) -> Vec<Vec<f64>> {
    net.biases
        .iter()
        .map(|b| match b {
            Bias::Shared(x) => vec![*x],
            Bias::PerNeuron(xs) => xs.clone(),
        })
        .collect()
}

/// The forward pass with `weights` and `biases`: every layer's nets and outs (`outs[0]` is
/// the input, `nets[0]` empty).
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
        for j in 0..n_out {
            // net_j = Σ_k w_jk · out_k + b_j
            let mut sum = 0.0;
            for k in 0..n_in {
                sum += weights[l][j * n_in + k] * outs[l][k];
            }
            z[j] = sum + biases[l][if biases[l].len() == 1 { 0 } else { j }];
        }
        let a = match net.activations[l] {
            Activation::Softmax => softmax(&z),
            act => z.iter().map(|&x| common::activation(act, x)).collect(),
        };
        nets.push(z);
        outs.push(a);
    }
    (nets, outs)
}

/// E_total with `weights` and `biases`.
fn total_error(net: &Network, weights: &[Vec<f64>], biases: &[Vec<f64>]) -> f64 {
    let (_, outs) = forward(net, weights, biases);
    let out = outs.last().unwrap();
    let n = out.len();
    (0..n)
        .map(|j| loss_term(net.loss, net.target[j], out[j], n))
        .sum()
}

/// Records a forward pass (with `+` after the update): net and out of every neuron, the
/// softmax layer's largest net and sum of shifted exponentials, E_o and E_total.
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
    if net.activations[depth - 1] == Activation::Softmax {
        let max = nets[depth].iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let sum: f64 = nets[depth].iter().map(|&x| (x - max).exp()).sum();
        v.put(format!("net_max{tag}"), pass, max);
        v.put(format!("sum_exp{tag}"), pass, sum);
    }
    let n = net.layers[depth];
    let mut total = 0.0;
    for j in 0..n {
        let e = loss_term(net.loss, net.target[j], outs[depth][j], n);
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
    let biases = bias_lists(net);
    let eta = net.learning_rate;
    let loss = net.loss;
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
        let act = net.activations[l];
        let stage = if here == depth {
            Stage::OutputLayer
        } else {
            Stage::HiddenLayer
        };
        delta[here] = vec![0.0; n_out];
        if here == depth {
            let o = &outs[here];
            // ∂E_total/∂out_j: only E_j depends on out_j.
            let g: Vec<f64> = (0..n_out)
                .map(|j| loss_derivative(loss, net.target[j], o[j], n_out))
                .collect();
            for j in 0..n_out {
                let n = names.neuron(here, j);
                v.put(format!("dE_total/dout_{n}"), stage, g[j]);
            }
            for k in 0..n_out {
                let nk = names.neuron(here, k);
                delta[here][k] = if act == Activation::Softmax {
                    // Every out depends on net_k: δ_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k, with
                    // ∂out_j/∂net_k = out_j(1 − out_k) when j = k, −out_j·out_k otherwise.
                    let mut sum = 0.0;
                    for j in 0..n_out {
                        let kronecker = if j == k { 1.0 } else { 0.0 };
                        let d = o[j] * (kronecker - o[k]);
                        v.put(
                            format!("dout_{}/dnet_{nk}", names.neuron(here, j)),
                            stage,
                            d,
                        );
                        sum += g[j] * d;
                    }
                    sum
                } else {
                    let d = common::activation_derivative(act, nets[here][k]);
                    v.put(format!("dout_{nk}/dnet_{nk}"), stage, d);
                    g[k] * d
                };
                v.put(format!("delta_{nk}"), stage, delta[here][k]);
                if has_shortcut(loss) {
                    v.put(format!("delta_{nk}~"), stage, o[k] - net.target[k]);
                }
            }
        } else {
            // ∂E_total/∂out_h = Σ_m δ_m · w_mh, through the weights the forward pass used
            // (or, sequentially, the already-updated ones).
            let w_above = match order {
                UpdateOrder::Simultaneous => &net.weights[here],
                UpdateOrder::Sequential => &new_weights[here],
            };
            for j in 0..n_out {
                let n = names.neuron(here, j);
                let mut sum = 0.0;
                for m in 0..net.layers[here + 1] {
                    let a = names.neuron(here + 1, m);
                    let w = w_above[m * n_out + j];
                    v.put(format!("dnet_{a}/dout_{n}"), stage, w);
                    let share = delta[here + 1][m] * w;
                    v.put(format!("dE_{a}/dout_{n}"), stage, share);
                    sum += share;
                }
                v.put(format!("dE_total/dout_{n}"), stage, sum);
                let d = common::activation_derivative(act, nets[here][j]);
                v.put(format!("dout_{n}/dnet_{n}"), stage, d);
                delta[here][j] = sum * d;
                v.put(format!("delta_{n}"), stage, delta[here][j]);
            }
        }
        // The weights and biases into this layer: ∂E_total/∂w_jk = δ_j · out_k.
        for j in 0..n_out {
            let n = names.neuron(here, j);
            for k in 0..n_in {
                let i = j * n_in + k;
                let w = names.weight(l, i);
                let x = outs[l][k];
                v.put(format!("dnet_{n}/d{w}"), stage, x);
                let g = delta[here][j] * x;
                v.put(format!("dE_total/d{w}"), stage, g);
                new_weights[l][i] = net.weights[l][i] - eta * g;
                v.put(format!("{w}+"), stage, new_weights[l][i]);
            }
        }
        if update_biases {
            if names.shared[l] {
                // A shared bias is in every net of its layer: ∂E_total/∂b = Σ_j δ_j
                let g: f64 = delta[here].iter().sum();
                let b = names.bias(l, 0);
                v.put(format!("dE_total/d{b}"), stage, g);
                new_biases[l][0] = biases[l][0] - eta * g;
                v.put(format!("{b}+"), stage, new_biases[l][0]);
            } else {
                for j in 0..n_out {
                    let b = names.bias(l, j);
                    v.put(format!("dE_total/d{b}"), stage, delta[here][j]);
                    new_biases[l][j] = biases[l][j] - eta * delta[here][j];
                    v.put(format!("{b}+"), stage, new_biases[l][j]);
                }
            }
        }
    }

    // The summary: the forward pass and the error again, with the updated values.
    let after = forward(net, &new_weights, &new_biases);
    record_pass(&mut v, net, &names, &after, true);
    v.0
}

/// Agreement to ~1e-12: |a − b| ≤ 1e-12 · max(1, |a|, |b|).
fn close(a: f64, b: f64) -> bool {
    // The same infinity (a saturated output's ln 0 after the update) is the same value.
    a == b || (a - b).abs() <= 1e-12 * 1f64.max(a.abs()).max(b.abs())
}

/// Compares a trace with the reference: the same symbols, each in the same stage, each value
/// close; and the output layer's derivatives with the roles they should have. Returns how
/// many values were compared.
fn compare(
    net: &Network,
    trace: &Trace,
    expected: &BTreeMap<String, (Stage, f64)>,
) -> Result<usize, String> {
    let values = &trace.first().values;
    let symbols: BTreeSet<&str> = values.iter().map(|v| v.symbol.as_str()).collect();
    if symbols.len() != values.len() {
        return Err("a symbol is recorded twice".into());
    }
    let reference: BTreeSet<&str> = expected.keys().map(String::as_str).collect();
    let missing: Vec<_> = reference.difference(&symbols).collect();
    let unchecked: Vec<_> = symbols.difference(&reference).collect();
    if !missing.is_empty() || !unchecked.is_empty() {
        return Err(format!(
            "not recorded: {missing:?}; recorded but not in the reference: {unchecked:?}"
        ));
    }
    for v in values {
        let (stage, want) = expected[&v.symbol];
        if v.stage != stage {
            return Err(format!(
                "{}: stage {:?}, expected {stage:?}",
                v.symbol, v.stage
            ));
        }
        if !close(v.value, want) {
            return Err(format!(
                "{}: the engine recorded {:e}, the reference gives {want:e}",
                v.symbol, v.value
            ));
        }
    }
    check_roles(net, trace)?;
    Ok(values.len())
}

/// A softmax output layer has no ∂out/∂net of its own per neuron, only the matrix's
/// entries (the diagonal one has the same symbol, with the role of an entry); the shortcut's
/// δ is a value of its own.
fn check_roles(net: &Network, trace: &Trace) -> Result<(), String> {
    let depth = net.layers.len() - 1;
    let softmax = net.activations[depth - 1] == Activation::Softmax;
    let names = Names::of(net);
    let iteration = trace.first();
    for v in &iteration.values {
        if let Some(Role::DOutDNet { layer, .. }) = v.role
            && layer == depth
            && softmax
        {
            return Err(format!("{}: a d_out_d_net in a softmax layer", v.symbol));
        }
    }
    for k in 0..net.layers[depth] {
        let nk = names.neuron(depth, k);
        for j in 0..net.layers[depth] {
            let symbol = format!("dout_{}/dnet_{nk}", names.neuron(depth, j));
            let want = if softmax {
                Some(Role::SoftmaxDerivative {
                    layer: depth,
                    neuron: j,
                    by: k,
                })
            } else if j == k {
                Some(Role::DOutDNet {
                    layer: depth,
                    neuron: k,
                })
            } else {
                None
            };
            let have = iteration.get(&symbol).map(|v| v.role);
            if have != want.map(Some) {
                return Err(format!("{symbol}: role {have:?}, expected {want:?}"));
            }
        }
        let shortcut = iteration.get(&format!("delta_{nk}~")).map(|v| v.role);
        let want = has_shortcut(net.loss).then_some(Some(Role::DeltaShortcut {
            layer: depth,
            neuron: k,
        }));
        if shortcut != want {
            return Err(format!("delta_{nk}~: role {shortcut:?}, expected {want:?}"));
        }
    }
    Ok(())
}

fn options(order: UpdateOrder, update_biases: bool) -> Options {
    Options {
        update_order: order,
        update_biases,
        ..Options::default()
    }
}

/// The engine's trace of `net` beside the reference's.
fn check(net: &Network, order: UpdateOrder, update_biases: bool) -> Result<usize, String> {
    let trace = engine::trace_iteration(net, &options(order, update_biases));
    compare(net, &trace, &reference(net, order, update_biases)).map_err(|e| {
        format!(
            "{e}\n({:?}, {:?}, {})",
            net.layers, net.activations, net.loss
        )
    })
}

#[test]
fn every_loss_and_output_activation_matches_the_reference() {
    let mut checked = BTreeSet::new();
    for (c, &(loss, output)) in COMBINATIONS.iter().enumerate() {
        for hidden in 1..=2 {
            for (a, &hidden_activation) in common::ELEMENT_WISE.iter().enumerate() {
                let seed = (100 * c + 10 * hidden + a) as u64;
                let net = build(&fixed(loss, output, hidden, hidden_activation, seed));
                for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
                    for update_biases in [false, true] {
                        let count = check(&net, order, update_biases).unwrap();
                        assert!(count > 50, "{count}");
                    }
                }
                checked.insert((loss.name(), output.name(), hidden));
            }
        }
    }
    assert_eq!(checked.len(), 24);
    // Every loss was met.
    let losses: BTreeSet<_> = checked.iter().map(|(l, _, _)| *l).collect();
    assert_eq!(losses.len(), Loss::ALL.len());
}

/// The softmax example and its values, counted: a change in what is recorded shows here.
#[test]
fn the_softmax_example_matches_the_reference_value_by_value() {
    let net = example();
    // 2 inputs, 3 targets, 15 weights, 2 biases, η (23); net and out of 6 neurons, twice,
    // with net_max and sum_exp (28); E_o and E_total, twice (8); the output layer's 3
    // ∂E/∂out, 9 matrix entries, 3 δ and 3 δ~, and ∂net/∂w, ∂E/∂w and w⁺ for 9 weights (45);
    // the hidden layer's ∂net/∂out and share for 9 connections, 3 ∂E/∂out, ∂out/∂net and δ,
    // and 3 × 6 for 6 weights (45).
    assert_eq!(
        check(&net, UpdateOrder::Simultaneous, false),
        Ok(23 + 28 + 8 + 45 + 45)
    );
    // Trained biases: ∂E_total/∂b and b⁺ of b1 and b2.
    assert_eq!(
        check(&net, UpdateOrder::Sequential, true),
        Ok(23 + 28 + 8 + 45 + 45 + 4)
    );
}

/// The comparison can fail: a value a little off, a missing or extra symbol, a wrong role.
#[test]
fn the_comparison_catches_a_slip() {
    let net = build(&fixed(
        Loss::CrossEntropy,
        Activation::Softmax,
        1,
        Activation::Tanh,
        4,
    ));
    let trace = engine::trace_iteration(&net, &Options::default());
    let expected = reference(&net, UpdateOrder::Simultaneous, false);
    assert!(compare(&net, &trace, &expected).is_ok());
    for symbol in [
        "delta_o2",
        "dE_total/dw9",
        "w3+",
        "E_total",
        "dout_o3/dnet_o1",
    ] {
        let mut off = expected.clone();
        off.get_mut(symbol).unwrap().1 *= 1.0 + 1e-10;
        off.get_mut(symbol).unwrap().1 += 1e-10;
        let error = compare(&net, &trace, &off).unwrap_err();
        assert!(error.starts_with(symbol), "{error}");
    }
    let mut missing = expected.clone();
    missing.remove("delta_o1~");
    assert!(compare(&net, &trace, &missing).is_err());
    let mut extra = expected.clone();
    extra.insert("dout_o1/dnet_o1 ".into(), (Stage::OutputLayer, 0.0));
    assert!(compare(&net, &trace, &extra).is_err());
    let mut wrong_role = trace.clone();
    let entry = wrong_role.iterations[0]
        .values
        .iter_mut()
        .find(|v| v.symbol == "dout_o1/dnet_o1")
        .unwrap();
    entry.role = Some(Role::DOutDNet {
        layer: 2,
        neuron: 0,
    });
    assert!(compare(&net, &wrong_role, &expected).is_err());
}

/// The reference's own derivatives against central differences of its own E_total, for every
/// loss: the reference is right, and so agreement with it means something.
#[test]
fn the_reference_agrees_with_its_own_finite_differences() {
    for (c, &(loss, output)) in COMBINATIONS.iter().enumerate() {
        for hidden in 1..=2 {
            let hidden_activation = [Activation::Sigmoid, Activation::Tanh][(c + hidden) % 2];
            let net = build(&fixed(
                loss,
                output,
                hidden,
                hidden_activation,
                7 + c as u64,
            ));
            let values = reference(&net, UpdateOrder::Simultaneous, true);
            let names = Names::of(&net);
            let biases = bias_lists(&net);
            let h = 1e-6;
            let agree = |name: String, numeric: f64| {
                let analytic = values[&format!("dE_total/d{name}")].1;
                let diff = (analytic - numeric).abs();
                assert!(
                    diff <= 1e-6 * analytic.abs().max(numeric.abs()) || diff < 1e-8,
                    "{name}: reference {analytic}, finite difference {numeric} ({loss}, {output})"
                );
            };
            for l in 0..net.weights.len() {
                for i in 0..net.weights[l].len() {
                    let mut plus = net.weights.clone();
                    plus[l][i] += h;
                    let mut minus = net.weights.clone();
                    minus[l][i] -= h;
                    let numeric = (total_error(&net, &plus, &biases)
                        - total_error(&net, &minus, &biases))
                        / (2.0 * h);
                    agree(names.weight(l, i), numeric);
                }
                for j in 0..biases[l].len() {
                    let mut plus = biases.clone();
                    plus[l][j] += h;
                    let mut minus = biases.clone();
                    minus[l][j] -= h;
                    let numeric = (total_error(&net, &net.weights, &plus)
                        - total_error(&net, &net.weights, &minus))
                        / (2.0 * h);
                    agree(names.bias(l, j), numeric);
                }
            }
        }
    }
}

/// Random networks: 1 or 2 hidden layers of 1–4 neurons with any element-wise activation,
/// 1–3 inputs, 1–4 outputs (2–4 for a softmax), any loss with any output activation it
/// allows, each layer's bias shared or per neuron.
fn random_spec() -> impl Strategy<Value = Spec> {
    (1usize..=2, 0..COMBINATIONS.len())
        .prop_flat_map(|(hidden, c)| {
            let (loss, output) = COMBINATIONS[c];
            let fewest = if output == Activation::Softmax { 2 } else { 1 };
            (
                (Just(loss), Just(output), 1usize..=3, fewest..=4usize),
                prop::collection::vec(1usize..=4, hidden),
                prop::collection::vec(prop::sample::select(common::ELEMENT_WISE.to_vec()), hidden),
                prop::collection::vec(any::<bool>(), hidden + 1),
                0.05f64..1.0,
                prop::collection::vec(-1.0f64..=1.0, POOL),
                prop::option::of(0usize..4),
            )
        })
        .prop_map(
            |((loss, output, inputs, outputs), widths, hidden, shared, eta, numbers, one_hot)| {
                let mut layers = vec![inputs];
                layers.extend(widths);
                layers.push(outputs);
                let mut activations = hidden;
                activations.push(output);
                Spec {
                    layers,
                    activations,
                    loss,
                    shared,
                    eta,
                    numbers,
                    one_hot,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn random_networks_of_every_loss_match_the_reference(
        spec in random_spec(),
        sequential: bool,
        update_biases: bool,
    ) {
        let net = build(&spec);
        let order = if sequential { UpdateOrder::Sequential } else { UpdateOrder::Simultaneous };
        let checked = check(&net, order, update_biases);
        prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
    }
}

// ---------------------------------------------------------------------------------------
// Finite differences: the gradient check.
// ---------------------------------------------------------------------------------------

/// Every gradient of `net` checked, biases trained.
fn gradient_check(net: &Network, corruption: Option<&Corruption>) -> gradcheck::GradCheck {
    let options = Options {
        update_biases: true,
        ..Options::default()
    };
    gradcheck::check(net, &options, Plan::All, corruption, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e} ({:?}, {})", net.activations, net.loss))
}

#[test]
fn networks_of_every_loss_pass_the_gradient_check() {
    let mut corrupted = 0;
    for (c, &(loss, output)) in COMBINATIONS.iter().enumerate() {
        for hidden in 1..=2 {
            let hidden_activation = [Activation::Sigmoid, Activation::Tanh][(c + hidden) % 2];
            let net = build(&fixed(
                loss,
                output,
                hidden,
                hidden_activation,
                31 + c as u64,
            ));
            let result = gradient_check(&net, None);
            assert!(
                result.passed(),
                "{loss} with {output}: {:?}",
                result.failures()
            );
            let parameters = net.weights.iter().map(Vec::len).sum::<usize>()
                + net.biases.iter().map(|b| b.values().len()).sum::<usize>();
            assert_eq!(result.parameters.len(), parameters);
            if output != Activation::Relu {
                assert_eq!(result.judged(), parameters, "{loss} with {output}");
                assert!(
                    result
                        .parameters
                        .iter()
                        .filter(|p| p.verdict == Verdict::Agrees)
                        .count()
                        > parameters / 2,
                    "{loss} with {output}: most gradients are resolved, not below the floor"
                );
            }
            // The check can fail: the largest gradient, 1% off, is caught.
            let largest = result
                .parameters
                .iter()
                .max_by(|a, b| a.backprop.abs().total_cmp(&b.backprop.abs()))
                .unwrap();
            if largest.backprop.abs() > 1e-3 {
                let corruption = Corruption {
                    symbol: result.symbol(largest.param),
                    factor: 1.01,
                };
                let wrong = gradient_check(&net, Some(&corruption));
                assert_eq!(
                    wrong.failures(),
                    vec![largest.param],
                    "{loss} with {output}"
                );
                corrupted += 1;
            }
        }
    }
    assert!(
        corrupted >= 20,
        "only {corrupted} networks had a gradient to corrupt"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_networks_of_every_loss_pass_the_gradient_check(spec in random_spec()) {
        let net = build(&spec);
        let result = gradient_check(&net, None);
        prop_assert!(result.passed(), "{:?} {:?}: {:#?}", net.activations, net.loss, result.failures());
    }
}

/// `backprop check FILE --update-biases`, through the binary, on a network of each loss.
#[test]
fn the_check_command_passes_on_every_loss() {
    let dir = common::scratch();
    for loss in Loss::ALL {
        let output = match loss {
            Loss::BinaryCrossEntropy => Activation::Sigmoid,
            _ => Activation::Softmax,
        };
        let spec = fixed(loss, output, 1, Activation::Sigmoid, 5);
        let path = dir.path().join(format!("{}.json", loss.name()));
        std::fs::write(&path, file(&spec).to_string()).unwrap();
        // 2·3 + 3·3 weights; the hidden layer's bias is per neuron (3), the output's shared.
        assert_eq!(spec.shared, vec![false, true]);
        let path = path.to_str().unwrap();
        let out = common::stdout_of(&["check", path, "--update-biases"]);
        assert!(
            out.contains("Passed: all 19 gradients agree."),
            "{loss}:\n{out}"
        );
        let json: serde_json::Value = serde_json::from_str(&common::stdout_of(&[
            "check",
            path,
            "--update-biases",
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(json["result"], "passed", "{loss}");
        assert_eq!(json["parameters"].as_array().unwrap().len(), 19);
    }
}

// ---------------------------------------------------------------------------------------
// The softmax example.
// ---------------------------------------------------------------------------------------

const EXAMPLE: &str = "traces/softmax-2-3-3.json";

fn example() -> Network {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let net = Network::from_json_str(&text).unwrap().0;
    assert_eq!(net.layers, vec![2, 3, 3]);
    assert_eq!(net.loss, Loss::CrossEntropy);
    assert_eq!(
        net.activations,
        vec![Activation::Sigmoid, Activation::Softmax]
    );
    net
}

#[test]
fn the_softmax_example_s_two_routes_to_delta_agree() {
    let trace = engine::trace_iteration(&example(), &Options::default());
    let iteration = trace.first();
    let value = |s: &str| {
        iteration
            .get(s)
            .unwrap_or_else(|| panic!("{s} is not in the trace"))
            .value
    };
    let mut sum = 0.0;
    for k in 1..=3 {
        let (chain, shortcut) = (
            value(&format!("delta_o{k}")),
            value(&format!("delta_o{k}~")),
        );
        assert!(
            (chain - shortcut).abs() <= 1e-15,
            "o{k}: {chain} and {shortcut}"
        );
        // The shortcut is out − target.
        let (out, target) = (value(&format!("out_o{k}")), value(&format!("target_o{k}")));
        assert_eq!(shortcut, out - target);
        // The chain is not the diagonal alone (the sigmoid's way): for an output the one-hot
        // target does not ask for, ∂E/∂out is 0, and its δ, out, comes from the other
        // outputs' entries of the matrix.
        let diagonal = value(&format!("dE_total/dout_o{k}")) * out * (1.0 - out);
        if target == 0.0 {
            assert_eq!(diagonal, 0.0);
            assert!(chain > 0.2, "o{k}: {chain}");
        }
        sum += out;
    }
    assert!((sum - 1.0).abs() <= 1e-15, "the outs sum to {sum}");
    // The diagonal entry carries the plain symbol, as an entry of the matrix.
    assert_eq!(
        iteration.get("dout_o1/dnet_o1").unwrap().role,
        Some(Role::SoftmaxDerivative {
            layer: 2,
            neuron: 0,
            by: 0
        })
    );
    assert!(iteration.get("net_max").is_some() && iteration.get("sum_exp").is_some());
}

#[test]
fn show_explains_the_softmax_and_the_two_routes() {
    let out = common::stdout_of(&["show", EXAMPLE]);
    for line in ["The softmax is a layer-wide activation", "Two routes to δ"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(line)),
            "no line \"{line}…\" in:\n{out}"
        );
    }
    // Not for a network without a softmax.
    let article = common::stdout_of(&["show", "traces/article.json"]);
    assert!(!article.contains("layer-wide") && !article.contains("Two routes"));
}

#[test]
fn the_check_command_passes_on_the_softmax_example() {
    let out = common::stdout_of(&["check", EXAMPLE]);
    assert!(out.contains("Passed: all 15 gradients agree."), "{out}");
}

// ---------------------------------------------------------------------------------------
// The mean squared error's 1/n.
// ---------------------------------------------------------------------------------------

#[test]
fn the_mean_squared_error_divides_by_the_number_of_outputs() {
    for n in [2usize, 3, 4] {
        let spec = Spec {
            layers: vec![2, 3, n],
            activations: vec![Activation::Sigmoid, Activation::Sigmoid],
            loss: Loss::MeanSquaredError,
            shared: vec![true, true],
            eta: 0.5,
            numbers: (0..POOL)
                .map(|i| ((i * 37 % 19) as f64 - 9.0) / 10.0)
                .collect(),
            one_hot: None,
        };
        let trace = engine::trace_iteration(&build(&spec), &Options::default());
        let iteration = trace.first();
        let get = |s: String| iteration.get(&s).unwrap();
        let mut total = 0.0;
        for j in 1..=n {
            let t = get(format!("target_o{j}")).value;
            let o = get(format!("out_o{j}")).value;
            let d = get(format!("dE_total/dout_o{j}"));
            let want = -2.0 * (t - o) / n as f64;
            assert!(
                (d.value - want).abs() <= 1e-15,
                "n = {n}: {} against {want}",
                d.value
            );
            assert!(
                d.formula.contains(&format!("/ {n}")),
                "n = {n}: {}",
                d.formula
            );
            // With 3 or more outputs it is not the half squared error's −(t − o).
            if n > 2 {
                assert!((d.value + (t - o)).abs() > 1e-6, "n = {n}");
            }
            let e = get(format!("E_o{j}"));
            assert!((e.value - (t - o).powi(2) / n as f64).abs() <= 1e-15);
            assert!(e.formula.contains(&format!("/ {n}")), "{}", e.formula);
            total += (t - o).powi(2);
        }
        let e_total = get("E_total".into()).value;
        assert!((e_total - total / n as f64).abs() <= 1e-15, "n = {n}");
    }
}

// ---------------------------------------------------------------------------------------
// What the loader refuses.
// ---------------------------------------------------------------------------------------

/// A 2-2-`outputs` network file with `extra` fields (activation, loss, target).
fn small_file(outputs: usize, extra: serde_json::Value) -> serde_json::Value {
    let mut file = serde_json::json!({
        "layers": [2, 2, outputs],
        "weights": [[0.15, 0.2, 0.25, 0.3], vec![0.4; 2 * outputs]],
        "biases": [0.35, 0.6],
        "input": [0.05, 0.1],
        "target": vec![0.5; outputs],
    });
    for (k, v) in extra.as_object().unwrap() {
        file[k] = v.clone();
    }
    file
}

/// `backprop show` and `backprop check` of `file` refuse it: exit status 1, no panic, the
/// message naming the file and `field`, and mentioning each of `mentions`.
fn assert_refused(name: &str, file: serde_json::Value, field: &str, mentions: &[&str]) {
    let dir = common::scratch();
    let path = dir.path().join(format!("{name}.json"));
    std::fs::write(&path, file.to_string()).unwrap();
    for command in ["show", "check"] {
        let out = cargo_bin_cmd!("backprop")
            .arg(command)
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}, {command}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}, {command}");
        assert!(!stderr.contains("panicked"), "{name}, {command}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}.json: {field}: ")),
            "{name}, {command}: the message should name {field}: {stderr}"
        );
        for m in mentions {
            assert!(
                stderr.contains(m),
                "{name}, {command}: no {m:?} in {stderr}"
            );
        }
    }
    // The library says the same.
    assert!(Network::from_json_str(&file.to_string()).is_err(), "{name}");
}

#[test]
fn cross_entropy_needs_a_softmax_output() {
    let file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "sigmoid"],
            "loss": "cross_entropy",
            "target": [0, 1],
        }),
    );
    assert_refused("ce-sigmoid", file, "loss", &["softmax", "cross_entropy"]);
}

#[test]
fn binary_cross_entropy_needs_a_sigmoid_output() {
    let file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "softmax"],
            "loss": "binary_cross_entropy",
            "target": [0, 1],
        }),
    );
    assert_refused(
        "bce-softmax",
        file,
        "loss",
        &["sigmoid", "binary_cross_entropy"],
    );
}

#[test]
fn softmax_is_refused_on_a_hidden_layer() {
    let file = small_file(
        2,
        serde_json::json!({ "activation": ["softmax", "sigmoid"], "target": [0, 1] }),
    );
    assert_refused("hidden-softmax", file, "activation[0]", &["output layer"]);
    // The second of two hidden layers is named as such.
    let mut file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "softmax", "softmax"],
            "loss": "cross_entropy",
            "target": [0, 1],
        }),
    );
    file["layers"] = serde_json::json!([2, 2, 2, 2]);
    file["weights"] = serde_json::json!([
        [0.1, 0.2, 0.3, 0.4],
        [0.1, 0.2, 0.3, 0.4],
        [0.1, 0.2, 0.3, 0.4]
    ]);
    file["biases"] = serde_json::json!([0.1, 0.2, 0.3]);
    assert_refused("second-hidden-softmax", file, "activation[1]", &["softmax"]);
}

#[test]
fn cross_entropy_targets_must_sum_to_1() {
    let file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "softmax"],
            "loss": "cross_entropy",
            "target": [0.2, 1.0],
        }),
    );
    assert_refused("ce-sum", file, "target", &["sum to 1", "1.2"]);
    // Each is a probability too.
    let file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "softmax"],
            "loss": "cross_entropy",
            "target": [-0.5, 1.5],
        }),
    );
    assert_refused("ce-negative", file, "target[0]", &["-0.5"]);
}

#[test]
fn binary_cross_entropy_targets_must_be_probabilities() {
    let file = small_file(
        3,
        serde_json::json!({
            "activation": ["sigmoid", "sigmoid"],
            "loss": "binary_cross_entropy",
            "target": [0, 0.5, 1.5],
        }),
    );
    assert_refused("bce-target", file, "target[2]", &["1.5", "from 0 to 1"]);
    // Targets that need not sum to 1: [1, 1] is accepted.
    let file = small_file(
        2,
        serde_json::json!({
            "activation": ["sigmoid", "sigmoid"],
            "loss": "binary_cross_entropy",
            "target": [1, 1],
        }),
    );
    assert!(Network::from_json_str(&file.to_string()).is_ok());
}

#[test]
fn an_unknown_loss_is_refused_with_the_names() {
    let file = small_file(
        2,
        serde_json::json!({ "activation": ["sigmoid", "softmax"], "loss": "cross_entrpy" }),
    );
    let mut mentions = vec!["cross_entrpy"];
    mentions.extend(Loss::ALL.iter().map(|l| l.name()));
    assert_refused("typo", file, "loss", &mentions);
    let file = small_file(2, serde_json::json!({ "loss": 2 }));
    assert_refused("number", file, "loss", &["half_squared_error"]);
}

#[test]
fn softmax_needs_two_outputs() {
    let file = small_file(
        1,
        serde_json::json!({ "activation": ["sigmoid", "softmax"], "target": [1] }),
    );
    assert_refused("one-output", file, "activation", &["softmax", "2 outputs"]);
}

#[test]
fn softmax_works_with_the_squared_errors() {
    // Allowed, and traced (the reference tests check the values).
    for loss in [Loss::HalfSquaredError, Loss::MeanSquaredError] {
        let file = small_file(
            3,
            serde_json::json!({
                "activation": ["tanh", "softmax"],
                "loss": loss.name(),
                "target": [0.9, 0.3, -0.2],
            }),
        );
        let net = Network::from_json_str(&file.to_string()).unwrap().0;
        assert_eq!(net.loss, loss);
        assert_eq!(net.activations[1], Activation::Softmax);
    }
}

// ---------------------------------------------------------------------------------------
// The default loss.
// ---------------------------------------------------------------------------------------

/// The traces of two networks are the same, bit for bit: symbols, values, formulas.
fn assert_identical(a: &Trace, b: &Trace, what: &str) {
    let (a, b) = (&a.first().values, &b.first().values);
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.symbol, y.symbol, "{what}");
        assert_eq!(x.value.to_bits(), y.value.to_bits(), "{what}: {}", x.symbol);
        assert_eq!(x.formula, y.formula, "{what}: {}", x.symbol);
    }
}

#[test]
fn the_default_loss_is_the_article_s() {
    let article = Network::article();
    assert_eq!(article.loss, Loss::HalfSquaredError);
    let trace = engine::trace_iteration(&article, &Options::default());
    let e_total = trace.first().get("E_total").unwrap();
    assert_eq!(format!("{:.9}", e_total.value), "0.298371109");
    assert_eq!(
        trace.first().get("E_o1").unwrap().formula,
        "1/2 * (target_o1 - out_o1)^2"
    );

    // The file form leaves the default out; writing it in changes nothing, bit for bit.
    let mut file: serde_json::Value = serde_json::from_str(&article.to_json_pretty()).unwrap();
    assert!(file.get("loss").is_none(), "{file}");
    file["loss"] = serde_json::json!("half_squared_error");
    let explicit = Network::from_json_str(&file.to_string()).unwrap().0;
    assert_eq!(explicit.loss, Loss::HalfSquaredError);
    for update_biases in [false, true] {
        let options = options(UpdateOrder::Simultaneous, update_biases);
        assert_identical(
            &engine::trace_iteration(&article, &options),
            &engine::trace_iteration(&explicit, &options),
            "the article",
        );
    }
    // So does the shipped file of the article, which has no "loss".
    let shipped = std::fs::read_to_string("traces/article.json").unwrap();
    assert!(!shipped.contains("\"loss\""));
    let shipped = Network::from_json_str(&shipped).unwrap().0;
    assert_identical(
        &engine::trace_iteration(&shipped, &Options::default()),
        &trace,
        "traces/article.json",
    );
}

#[test]
fn without_a_loss_a_three_output_network_is_not_the_mean() {
    // With two outputs ½Σ and (1/2)Σ are the same numbers; with three they are not.
    let mut spec = fixed(
        Loss::HalfSquaredError,
        Activation::Sigmoid,
        1,
        Activation::Tanh,
        9,
    );
    let mut without = file(&spec);
    without.as_object_mut().unwrap().remove("loss");
    let default = Network::from_json_str(&without.to_string()).unwrap().0;
    assert_eq!(default.loss, Loss::HalfSquaredError);
    let options = Options::default();
    let trace = engine::trace_iteration(&default, &options);
    assert_identical(
        &trace,
        &engine::trace_iteration(&build(&spec), &options),
        "half_squared_error written out",
    );
    spec.loss = Loss::MeanSquaredError;
    let mean = engine::trace_iteration(&build(&spec), &options);
    let (a, b) = (
        trace.first().get("E_total").unwrap().value,
        mean.first().get("E_total").unwrap().value,
    );
    // ½Σ(t − o)² against (1/3)Σ(t − o)².
    assert!((a * 2.0 / 3.0 - b).abs() <= 1e-14 * b, "{a} and {b}");
    assert!((a - b).abs() > 1e-3 * a, "{a} and {b}");
}

// ---------------------------------------------------------------------------------------
// Saturated outputs (see the report: these fail).
// ---------------------------------------------------------------------------------------

/// Every value of the trace of `file` is finite, and each output's δ equals its shortcut.
fn assert_finite_and_routes_agree(file: serde_json::Value) {
    let net = Network::from_json_str(&file.to_string()).unwrap().0;
    let trace = engine::trace_iteration(&net, &Options::default());
    let iteration = trace.first();
    for v in &iteration.values {
        assert!(
            v.value.is_finite(),
            "{} = {} ({} = {})",
            v.symbol,
            v.value,
            v.formula,
            v.substituted
        );
    }
    for k in 1..=net.layers[net.depth()] {
        let chain = iteration.get(&format!("delta_o{k}")).unwrap().value;
        let shortcut = iteration.get(&format!("delta_o{k}~")).unwrap().value;
        assert!(
            (chain - shortcut).abs() <= 1e-15,
            "o{k}: {chain}, {shortcut}"
        );
    }
}

/// A sigmoid output that rounds to exactly 1 (net ≥ 37) with target 1: E_total is 0 and δ =
/// out − target = 0, but the general ∂E/∂out = (1 − 1)/(1·(1 − 1)) is 0/0 (the engine takes
/// the one-sided −1/out there).
#[test]
fn binary_cross_entropy_with_a_saturated_right_output() {
    let file = serde_json::json!({
        "layers": [1, 1, 1],
        "activation": ["sigmoid", "sigmoid"],
        "loss": "binary_cross_entropy",
        "weights": [[1], [60]],
        "biases": [0, 0],
        "input": [1],
        "target": [1],
    });
    let net = Network::from_json_str(&file.to_string()).unwrap().0;
    let trace = engine::trace_iteration(&net, &Options::default());
    assert_eq!(trace.first().get("out_o1").unwrap().value, 1.0);
    assert_eq!(trace.first().get("E_total").unwrap().value, 0.0);
    assert_finite_and_routes_agree(file);
}

/// A softmax output that underflows to exactly 0 (its net 800 below another) with target 0:
/// E_total is 0, but the general ∂E/∂out = −(0/0) (the engine takes its limit, 0).
#[test]
fn cross_entropy_with_an_underflowed_output_not_asked_for() {
    let file = serde_json::json!({
        "layers": [1, 1, 2],
        "activation": ["linear", "softmax"],
        "loss": "cross_entropy",
        "weights": [[1], [-400, 400]],
        "biases": [0, 0],
        "input": [1],
        "target": [0, 1],
    });
    let net = Network::from_json_str(&file.to_string()).unwrap().0;
    let trace = engine::trace_iteration(&net, &Options::default());
    assert_eq!(trace.first().get("out_o1").unwrap().value, 0.0);
    assert_eq!(trace.first().get("E_total").unwrap().value, 0.0);
    assert_finite_and_routes_agree(file);
}

/// Every loss and output layer, with every optimizer, in batches (the mean and the sum): the
/// batch's gradients agree with central differences of the batch's E_total. (The optimizer
/// changes the update, not the gradient; it is here so that the check runs the engine as the
/// file configures it.)
#[test]
fn every_loss_with_every_optimizer_in_batches_passes_the_gradient_check() {
    let optimizers = [
        serde_json::json!({"name": "sgd"}),
        serde_json::json!({"name": "momentum", "beta": 0.9, "nesterov": true}),
        serde_json::json!({"name": "adam"}),
    ];
    let mut checked = 0;
    for (c, &(loss, output)) in COMBINATIONS.iter().enumerate() {
        for (o, optimizer) in optimizers.iter().enumerate() {
            let spec = fixed(
                loss,
                output,
                1 + (c + o) % 2,
                Activation::Tanh,
                71 + c as u64,
            );
            let mut file = file(&spec);
            let input: Vec<f64> = serde_json::from_value(file["input"].take()).unwrap();
            let target: Vec<f64> = serde_json::from_value(file["target"].take()).unwrap();
            let object = file.as_object_mut().unwrap();
            object.remove("input");
            object.remove("target");
            // Three samples: the input scaled, the target turned (still valid for its loss).
            let samples: Vec<serde_json::Value> = (0..3)
                .map(|k| {
                    let mut t = target.clone();
                    t.rotate_left(k);
                    let x: Vec<f64> = input.iter().map(|x| x * (1.0 - 0.3 * k as f64)).collect();
                    serde_json::json!({"input": x, "target": t})
                })
                .collect();
            object.insert("samples".into(), samples.into());
            object.insert("batch_size".into(), (2 + (c + o) % 2).into());
            let reduction = if (c + o) % 3 == 0 { "sum" } else { "mean" };
            object.insert("reduction".into(), reduction.into());
            object.insert("optimizer".into(), optimizer.clone());
            let net = Network::from_json_str(&file.to_string())
                .unwrap_or_else(|e| panic!("{loss} {output} {optimizer}: {e}"))
                .0;
            let result = gradient_check(&net, None);
            assert!(
                result.passed(),
                "{loss} with {output}, {optimizer}, batch {} ({reduction}): {:?}",
                net.batch_size,
                result.failures()
            );
            checked += result.judged();
        }
    }
    assert!(checked > 500, "only {checked} gradients judged");
}
