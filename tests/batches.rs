//! Mini-batches (`"batch_size"`, `"reduction"`): one iteration over B samples, each sample's
//! forward and backward pass recorded with its index (`out_o1[s2]`), then the batch's E_total
//! and gradients (the mean or the sum of its samples') and one update.
//!
//! Checked against a reference written here from the maths (its own forward and backward
//! pass, reduction and gradient-descent step; no code shared with src/), against central
//! differences of the batch's loss, and end to end through `show`, `train`, `check` and
//! `verify`: the refusals, the batch of 1 that must be today's iteration bit for bit, the
//! `sample` field of the JSON formats.

// The reference is written with indices, as the formulas are written on paper.
#![allow(clippy::needless_range_loop)]

mod common;

use backprop_tracer::engine::{self, NoRecorder, Workspace};
use backprop_tracer::network::{Activation, Network, Reduction};
use backprop_tracer::trace::{Options, Stage, Trace};
use common::names::Names;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Relative tolerance of the reference: it adds in the engine's order, so what differs is how
/// exp and tanh (and the derivatives, written here from net) are evaluated, a few ulps.
const REL: f64 = 1e-12;
/// Absolute tolerance, for values that cancel to near zero.
const ABS: f64 = 1e-14;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL * a.abs().max(b.abs()) + ABS
}

// ---------------------------------------------------------------------------------------
// Random batch networks, written as network files.

/// The shape of a random batch network.
#[derive(Clone, Debug)]
struct Spec {
    layers: Vec<usize>,
    activations: Vec<Activation>,
    shared: Vec<bool>,
    samples: usize,
    batch_size: usize,
    sum: bool,
    eta: f64,
    seed: u64,
}

/// The network file of `spec`: weights and biases in [−1, 1], inputs in [−1, 1], targets in
/// [0, 1], drawn from its seed.
fn file_of(spec: &Spec) -> Value {
    let mut rng = common::SplitMix(spec.seed);
    let depth = spec.layers.len() - 1;
    let weights: Vec<Vec<f64>> = (0..depth)
        .map(|l| {
            (0..spec.layers[l] * spec.layers[l + 1])
                .map(|_| rng.uniform(-1.0, 1.0))
                .collect()
        })
        .collect();
    let biases: Vec<Value> = (0..depth)
        .map(|l| {
            if spec.shared[l] {
                json!(rng.uniform(-1.0, 1.0))
            } else {
                json!(
                    (0..spec.layers[l + 1])
                        .map(|_| rng.uniform(-1.0, 1.0))
                        .collect::<Vec<_>>()
                )
            }
        })
        .collect();
    let samples: Vec<Value> = (0..spec.samples)
        .map(|_| {
            let input: Vec<f64> = (0..spec.layers[0])
                .map(|_| rng.uniform(-1.0, 1.0))
                .collect();
            let target: Vec<f64> = (0..spec.layers[depth])
                .map(|_| rng.uniform(0.0, 1.0))
                .collect();
            json!({"input": input, "target": target})
        })
        .collect();
    let names: Vec<&str> = spec.activations.iter().map(|a| a.name()).collect();
    json!({
        "layers": spec.layers,
        "activation": names,
        "learning_rate": spec.eta,
        "weights": weights,
        "biases": biases,
        "samples": samples,
        "batch_size": spec.batch_size,
        "reduction": if spec.sum { "sum" } else { "mean" },
    })
}

fn network_of(spec: &Spec) -> Network {
    let net = Network::from_json_str(&file_of(spec).to_string())
        .expect("a generated batch network is valid")
        .0;
    assert_eq!(net.batch_size, spec.batch_size);
    let reduction = if spec.sum {
        Reduction::Sum
    } else {
        Reduction::Mean
    };
    assert_eq!(net.reduction, reduction);
    assert_eq!(net.samples.len(), spec.samples);
    net
}

/// Random batch networks: 1–2 hidden layers of 1–4 neurons, sigmoid or tanh per layer, each
/// layer's bias shared or per neuron, 3–5 samples, a batch of 2 to all of them.
fn spec() -> impl Strategy<Value = Spec> {
    let act = prop::sample::select(vec![Activation::Sigmoid, Activation::Tanh]);
    (1usize..=2)
        .prop_flat_map(move |hidden| {
            (
                prop::collection::vec(1usize..=4, hidden + 2),
                prop::collection::vec(act.clone(), hidden + 1),
                prop::collection::vec(any::<bool>(), hidden + 1),
                (3usize..=5).prop_flat_map(|n| (Just(n), 2usize..=n)),
                any::<bool>(),
                0.1f64..1.0,
                any::<u64>(),
            )
        })
        .prop_map(
            |(layers, activations, shared, (samples, batch_size), sum, eta, seed)| Spec {
                layers,
                activations,
                shared,
                samples,
                batch_size,
                sum,
                eta,
                seed,
            },
        )
}

/// A fixed random spec from `seed`, for the tests that are not property tests.
fn spec_from(seed: u64) -> Spec {
    let mut rng = common::SplitMix(seed ^ 0x5EED);
    let mut pick = |n: usize| (rng.next() * n as f64) as usize;
    let hidden = 1 + pick(2);
    let layers: Vec<usize> = (0..hidden + 2).map(|_| 1 + pick(4)).collect();
    let activations = (0..=hidden)
        .map(|_| [Activation::Sigmoid, Activation::Tanh][pick(2)])
        .collect();
    let shared = (0..=hidden).map(|_| pick(2) == 1).collect();
    let samples = 3 + pick(3);
    let batch_size = 2 + pick(samples - 1);
    Spec {
        layers,
        activations,
        shared,
        samples,
        batch_size,
        sum: pick(2) == 1,
        eta: 0.1 + 0.8 * (pick(1000) as f64 / 1000.0),
        seed,
    }
}

// ---------------------------------------------------------------------------------------
// The reference.

/// Weights (one flat list per weight layer, as in the file) and biases (one list per layer;
/// a shared bias is a list of one).
#[derive(Clone, Debug)]
struct Params {
    w: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
}

impl Params {
    fn of(net: &Network) -> Params {
        Params {
            w: net.weights.clone(),
            b: net.biases.iter().map(|b| b.values().to_vec()).collect(),
        }
    }

    fn zeros_like(&self) -> Params {
        Params {
            w: self.w.iter().map(|l| vec![0.0; l.len()]).collect(),
            b: self.b.iter().map(|l| vec![0.0; l.len()]).collect(),
        }
    }
}

/// Every layer's net inputs and outputs (`outs[0]` is the input).
fn forward(net: &Network, p: &Params, input: &[f64]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut nets = vec![Vec::new()];
    let mut outs = vec![input.to_vec()];
    for l in 0..net.layers.len() - 1 {
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        let mut z = vec![0.0; n_out];
        let mut a = vec![0.0; n_out];
        for j in 0..n_out {
            // net_j = Σ_k w_jk · out_k + b_j
            let mut sum = 0.0;
            for k in 0..n_in {
                sum += p.w[l][j * n_in + k] * outs[l][k];
            }
            let b = if p.b[l].len() == 1 {
                p.b[l][0]
            } else {
                p.b[l][j]
            };
            z[j] = sum + b;
            a[j] = common::activation(net.activations[l], z[j]);
        }
        nets.push(z);
        outs.push(a);
    }
    (nets, outs)
}

/// E_total = Σ_o ½(target_o − out_o)² of one sample.
fn sample_loss(net: &Network, p: &Params, input: &[f64], target: &[f64]) -> f64 {
    let (_, outs) = forward(net, p, input);
    let last = outs.last().unwrap();
    let mut total = 0.0;
    for j in 0..target.len() {
        total += 0.5 * (target[j] - last[j]).powi(2);
    }
    total
}

/// The batch's loss: the mean or the sum of its samples' E_total.
fn batch_loss(net: &Network, p: &Params, batch: &[usize]) -> f64 {
    let mut sum = 0.0;
    for &s in batch {
        sum += sample_loss(net, p, &net.samples[s].input, &net.samples[s].target);
    }
    reduce(net, sum, batch.len())
}

fn reduce(net: &Network, sum: f64, b: usize) -> f64 {
    match net.reduction {
        Reduction::Mean => sum / b as f64,
        Reduction::Sum => sum,
    }
}

/// One sample's E_total and its gradients, by the chain rule: δ_o = −(t − o)·f'(net_o),
/// δ_h = (Σ_m δ_m · w_mh)·f'(net_h), ∂E/∂w_jk = δ_j · out_k, ∂E/∂b_j = δ_j (a shared bias:
/// the sum of its layer's δ).
fn sample_gradients(net: &Network, p: &Params, input: &[f64], target: &[f64]) -> (f64, Params) {
    let depth = net.layers.len() - 1;
    let (nets, outs) = forward(net, p, input);
    let mut e = 0.0;
    for j in 0..net.layers[depth] {
        e += 0.5 * (target[j] - outs[depth][j]).powi(2);
    }
    let mut g = p.zeros_like();
    let mut delta: Vec<Vec<f64>> = vec![Vec::new(); depth + 1];
    for l in (0..depth).rev() {
        let here = l + 1;
        let (n_in, n_out) = (net.layers[l], net.layers[here]);
        delta[here] = vec![0.0; n_out];
        for j in 0..n_out {
            let de_dout = if here == depth {
                -(target[j] - outs[here][j])
            } else {
                let above = net.layers[here + 1];
                let mut sum = 0.0;
                for m in 0..above {
                    sum += delta[here + 1][m] * p.w[here][m * n_out + j];
                }
                sum
            };
            let d = de_dout * common::activation_derivative(net.activations[l], nets[here][j]);
            delta[here][j] = d;
            for k in 0..n_in {
                g.w[l][j * n_in + k] = d * outs[l][k];
            }
            if p.b[l].len() == 1 {
                g.b[l][0] += d;
            } else {
                g.b[l][j] = d;
            }
        }
    }
    (e, g)
}

/// The reference's batch iteration.
struct Reference {
    /// Each sample's E_total and gradients, in the batch's order.
    errors: Vec<f64>,
    per_sample: Vec<Params>,
    /// The batch's E_total and gradients.
    e_total: f64,
    grad: Params,
    /// The parameters after the step (the biases only when they are trained).
    new: Params,
    /// Each sample's E_total with the new parameters, and the batch's.
    errors_after: Vec<f64>,
    e_total_after: f64,
}

fn reference(net: &Network, batch: &[usize], update_biases: bool) -> Reference {
    let p = Params::of(net);
    let mut errors = Vec::new();
    let mut per_sample = Vec::new();
    for &s in batch {
        let (e, g) = sample_gradients(net, &p, &net.samples[s].input, &net.samples[s].target);
        errors.push(e);
        per_sample.push(g);
    }
    let e_total = reduce(net, errors.iter().sum(), batch.len());
    let mut grad = p.zeros_like();
    let mut new = p.clone();
    let eta = net.learning_rate;
    for l in 0..p.w.len() {
        for i in 0..p.w[l].len() {
            let sum: f64 = per_sample.iter().map(|g| g.w[l][i]).sum();
            grad.w[l][i] = reduce(net, sum, batch.len());
            new.w[l][i] = p.w[l][i] - eta * grad.w[l][i];
        }
        for j in 0..p.b[l].len() {
            let sum: f64 = per_sample.iter().map(|g| g.b[l][j]).sum();
            grad.b[l][j] = reduce(net, sum, batch.len());
            if update_biases {
                new.b[l][j] = p.b[l][j] - eta * grad.b[l][j];
            }
        }
    }
    let errors_after: Vec<f64> = batch
        .iter()
        .map(|&s| sample_loss(net, &new, &net.samples[s].input, &net.samples[s].target))
        .collect();
    let e_total_after = reduce(net, errors_after.iter().sum(), batch.len());
    Reference {
        errors,
        per_sample,
        e_total,
        grad,
        new,
        errors_after,
        e_total_after,
    }
}

/// The reference's values by the trace's symbols, with the stage and the sample each must
/// carry: every sample's E_total (before and after) and gradients, the batch's E_total
/// (before and after), gradients and updates.
fn expected(
    net: &Network,
    batch: &[usize],
    update_biases: bool,
) -> BTreeMap<String, (Stage, Option<usize>, f64)> {
    let r = reference(net, batch, update_biases);
    let names = Names::of(net);
    let depth = net.layers.len() - 1;
    let mut v = BTreeMap::new();
    let mut put = |symbol: String, stage: Stage, sample: Option<usize>, value: f64| {
        assert!(
            v.insert(symbol.clone(), (stage, sample, value)).is_none(),
            "the reference names {symbol} twice"
        );
    };
    let stage_of = |l: usize| {
        if l + 1 == depth {
            Stage::OutputLayer
        } else {
            Stage::HiddenLayer
        }
    };
    for (pos, &s) in batch.iter().enumerate() {
        let tag = format!("[s{}]", s + 1);
        put(
            format!("E_total{tag}"),
            Stage::Error,
            Some(s),
            r.errors[pos],
        );
        put(
            format!("E_total+{tag}"),
            Stage::Summary,
            Some(s),
            r.errors_after[pos],
        );
        let g = &r.per_sample[pos];
        for l in 0..depth {
            for (i, &x) in g.w[l].iter().enumerate() {
                let w = names.weight(l, i);
                put(format!("dE_total/d{w}{tag}"), stage_of(l), Some(s), x);
            }
            if update_biases {
                for (j, &x) in g.b[l].iter().enumerate() {
                    let b = names.bias(l, j);
                    put(format!("dE_total/d{b}{tag}"), stage_of(l), Some(s), x);
                }
            }
        }
    }
    put("E_total".into(), Stage::Batch, None, r.e_total);
    put("E_total+".into(), Stage::Summary, None, r.e_total_after);
    for l in 0..depth {
        for i in 0..r.grad.w[l].len() {
            let w = names.weight(l, i);
            put(format!("dE_total/d{w}"), Stage::Batch, None, r.grad.w[l][i]);
            put(format!("{w}+"), Stage::Batch, None, r.new.w[l][i]);
        }
        if update_biases {
            for j in 0..r.grad.b[l].len() {
                let b = names.bias(l, j);
                put(format!("dE_total/d{b}"), Stage::Batch, None, r.grad.b[l][j]);
                put(format!("{b}+"), Stage::Batch, None, r.new.b[l][j]);
            }
        }
    }
    v
}

fn options(update_biases: bool) -> Options {
    Options {
        update_biases,
        ..Options::default()
    }
}

/// Whether the reference speaks of `symbol`: the errors, the gradients of the parameters,
/// and everything in the batch stage.
fn checked(symbol: &str, stage: Stage) -> bool {
    symbol.starts_with("E_total")
        || symbol.starts_with("dE_total/dw")
        || symbol.starts_with("dE_total/db")
        || stage == Stage::Batch
}

/// Compares the trace's first iteration with the reference: the same set of checked symbols,
/// each in its stage, with its sample, and its value.
fn check_trace(trace: &Trace, want: &BTreeMap<String, (Stage, Option<usize>, f64)>) {
    let values = &trace.first().values;
    let symbols: BTreeSet<&str> = values.iter().map(|v| v.symbol.as_str()).collect();
    assert_eq!(symbols.len(), values.len(), "a symbol is recorded twice");
    let recorded: BTreeSet<&str> = values
        .iter()
        .filter(|v| checked(&v.symbol, v.stage))
        .map(|v| v.symbol.as_str())
        .collect();
    let reference: BTreeSet<&str> = want.keys().map(String::as_str).collect();
    let missing: Vec<_> = reference.difference(&recorded).collect();
    let unchecked: Vec<_> = recorded.difference(&reference).collect();
    assert!(
        missing.is_empty() && unchecked.is_empty(),
        "not recorded: {missing:?}; recorded but not in the reference: {unchecked:?}"
    );
    for v in values.iter().filter(|v| checked(&v.symbol, v.stage)) {
        let (stage, sample, value) = want[&v.symbol];
        assert_eq!(v.stage, stage, "{}: stage", v.symbol);
        assert_eq!(v.sample, sample, "{}: sample", v.symbol);
        assert!(
            close(v.value, value),
            "{}: the engine recorded {:e}, the reference gives {value:e}",
            v.symbol,
            v.value
        );
    }
}

/// The traced values of the updated parameters, by symbol, as bits.
fn traced_bits(trace: &Trace) -> BTreeMap<String, u64> {
    trace
        .first()
        .values
        .iter()
        .map(|v| (v.symbol.clone(), v.value.to_bits()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. The reference, on random batch networks.

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Every per-sample and batch gradient, update, E_total and E_total+ of the traced batch
    /// iteration agree with the reference; the untraced `batch_step` leaves the traced
    /// iteration's updated parameters bit for bit and returns its E_total.
    #[test]
    fn a_batch_iteration_agrees_with_the_reference(spec in spec(), update_biases: bool) {
        let net = network_of(&spec);
        let batch: Vec<usize> = (0..spec.batch_size).collect();
        let trace = engine::trace_iteration(&net, &options(update_biases));
        check_trace(&trace, &expected(&net, &batch, update_biases));

        let bits = traced_bits(&trace);
        let names = Names::of(&net);
        let mut fast = net.clone();
        let e = engine::batch_step(
            &mut fast,
            &batch,
            update_biases,
            &mut Workspace::new(&net),
            &mut NoRecorder,
        );
        prop_assert_eq!(e.to_bits(), bits["E_total"], "batch_step's E_total");
        for l in 0..net.depth() {
            for (i, w) in fast.weights[l].iter().enumerate() {
                let symbol = format!("{}+", names.weight(l, i));
                prop_assert_eq!(w.to_bits(), bits[&symbol], "{}", symbol);
            }
            for (j, b) in fast.biases[l].values().iter().enumerate() {
                if update_biases {
                    let symbol = format!("{}+", names.bias(l, j));
                    prop_assert_eq!(b.to_bits(), bits[&symbol], "{}", symbol);
                } else {
                    prop_assert_eq!(b.to_bits(), net.biases[l].values()[j].to_bits());
                }
            }
        }
    }

    /// `batch_step` on any batch (not only the first samples, as `train` picks them: in
    /// any order, wrapping) updates as the reference does.
    #[test]
    fn batch_step_on_any_batch_agrees_with_the_reference(
        spec in spec(),
        update_biases: bool,
        shuffle in any::<u64>(),
    ) {
        let net = network_of(&spec);
        // A batch of distinct samples from a shuffle of all of them.
        let mut order: Vec<usize> = (0..spec.samples).collect();
        let mut rng = common::SplitMix(shuffle);
        for i in (1..order.len()).rev() {
            let j = (rng.next() * (i + 1) as f64) as usize;
            order.swap(i, j);
        }
        let batch = &order[..spec.batch_size];
        let r = reference(&net, batch, update_biases);
        let mut fast = net.clone();
        let e = engine::batch_step(
            &mut fast,
            batch,
            update_biases,
            &mut Workspace::new(&net),
            &mut NoRecorder,
        );
        prop_assert!(close(e, r.e_total), "E_total {} vs {}", e, r.e_total);
        for l in 0..net.depth() {
            for (i, &w) in fast.weights[l].iter().enumerate() {
                prop_assert!(close(w, r.new.w[l][i]), "batch {:?}: w[{}][{}] {} vs {}", batch, l, i, w, r.new.w[l][i]);
            }
            for (j, &b) in fast.biases[l].values().iter().enumerate() {
                prop_assert!(close(b, r.new.b[l][j]), "batch {:?}: b[{}][{}] {} vs {}", batch, l, j, b, r.new.b[l][j]);
            }
        }
    }
}

/// The reference's own sanity: a batch of one sample's values with the sum are that sample's
/// single iteration as the engine traces it, so the reference is the one the other tests of
/// the crate use.
#[test]
fn the_reference_of_a_one_sample_batch_is_the_engines_single_iteration() {
    for seed in 0..8 {
        let spec = spec_from(seed);
        let mut file = file_of(&spec);
        file.as_object_mut().unwrap().remove("batch_size");
        let net = Network::from_json_str(&file.to_string()).unwrap().0;
        let r = reference(&net, &[0], true);
        let trace = engine::trace_iteration(&net, &options(true));
        let it = trace.first();
        let names = Names::of(&net);
        assert!(close(it.get("E_total").unwrap().value, r.e_total));
        assert!(close(it.get("E_total+").unwrap().value, r.e_total_after));
        for l in 0..net.depth() {
            for i in 0..net.weights[l].len() {
                let w = names.weight(l, i);
                let g = it.get(&format!("dE_total/d{w}")).unwrap().value;
                assert!(close(g, r.grad.w[l][i]), "seed {seed}: {w}");
                let new = it.get(&format!("{w}+")).unwrap().value;
                assert!(close(new, r.new.w[l][i]), "seed {seed}: {w}+");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 7. Finite differences: the batch's gradient is the gradient of the batch's loss.

#[test]
fn the_batch_gradient_is_the_gradient_of_the_batch_loss() {
    let h = 1e-6;
    let mut checked_parameters = 0;
    for seed in 0..24 {
        let spec = spec_from(seed);
        let net = network_of(&spec);
        let batch: Vec<usize> = (0..spec.batch_size).collect();
        let trace = engine::trace_iteration(&net, &options(true));
        let it = trace.first();
        let names = Names::of(&net);
        let p = Params::of(&net);
        let loss = batch_loss(&net, &p, &batch);
        assert!(
            close(it.get("E_total").unwrap().value, loss),
            "seed {seed}: E_total"
        );
        let floor = 1e-8 * loss.abs().max(1.0);
        let mut compare = |symbol: String, moved: &dyn Fn(f64) -> Params| {
            let fd = (batch_loss(&net, &moved(h), &batch) - batch_loss(&net, &moved(-h), &batch))
                / (2.0 * h);
            let g = it
                .get(&symbol)
                .unwrap_or_else(|| panic!("{symbol} is not traced"));
            assert_eq!(g.stage, Stage::Batch, "{symbol}");
            let err = (fd - g.value).abs();
            assert!(
                err <= 1e-6 * fd.abs().max(g.value.abs()) || err <= floor,
                "seed {seed} ({spec:?}): {symbol} is {:e}, the central difference {fd:e}",
                g.value
            );
            checked_parameters += 1;
        };
        for l in 0..net.depth() {
            for i in 0..p.w[l].len() {
                let moved = |d: f64| {
                    let mut q = p.clone();
                    q.w[l][i] += d;
                    q
                };
                compare(format!("dE_total/d{}", names.weight(l, i)), &moved);
            }
            for j in 0..p.b[l].len() {
                let moved = |d: f64| {
                    let mut q = p.clone();
                    q.b[l][j] += d;
                    q
                };
                compare(format!("dE_total/d{}", names.bias(l, j)), &moved);
            }
        }
    }
    assert!(checked_parameters > 200, "{checked_parameters} parameters");
}

/// The same, with the batch size and the reduction changed on one network: the sum is B
/// times the mean, and both are the gradients of their loss (a reduction that ignored the
/// key, or divided by the wrong count, fails here).
#[test]
fn the_sum_is_the_batch_size_times_the_mean() {
    let mut spec = spec_from(3);
    spec.samples = 5;
    for b in 2..=5 {
        spec.batch_size = b;
        spec.sum = false;
        let mean = engine::trace_iteration(&network_of(&spec), &options(true));
        spec.sum = true;
        let sum = engine::trace_iteration(&network_of(&spec), &options(true));
        let mut gradients = 0;
        for v in &mean.first().values {
            if v.stage == Stage::Batch && v.symbol.starts_with("dE_total/d") {
                let s = sum.first().get(&v.symbol).unwrap().value;
                assert!(close(s, b as f64 * v.value), "B = {b}: {}", v.symbol);
                gradients += 1;
            }
        }
        assert!(gradients > 0);
        let (m, s) = (
            mean.first().get("E_total").unwrap(),
            sum.first().get("E_total").unwrap(),
        );
        assert!(close(s.value, b as f64 * m.value));
        let terms: Vec<String> = (1..=b).map(|k| format!("E_total[s{k}]")).collect();
        assert_eq!(m.formula, format!("({}) / {b}", terms.join(" + ")));
        assert_eq!(s.formula, terms.join(" + "));
    }
}

// ---------------------------------------------------------------------------------------
// 2. A batch of 1 is today's iteration.

/// The whole trace, as JSON, with every value's bits beside it (the JSON writes them
/// exactly, but say so).
fn fingerprint(trace: &Trace) -> (String, Vec<u64>) {
    (
        serde_json::to_string(trace).unwrap(),
        trace
            .first()
            .values
            .iter()
            .map(|v| v.value.to_bits())
            .collect(),
    )
}

fn with_key(file: &Value, key: &str, value: Value) -> Value {
    let mut file = file.clone();
    file.as_object_mut().unwrap().insert(key.to_string(), value);
    file
}

fn without_key(file: &Value, key: &str) -> Value {
    let mut file = file.clone();
    file.as_object_mut().unwrap().remove(key);
    file
}

fn xor_file() -> Value {
    serde_json::from_str(&std::fs::read_to_string("traces/xor.json").unwrap()).unwrap()
}

#[test]
fn a_batch_of_one_is_the_iteration_without_the_key_bit_for_bit() {
    let mut files = vec![xor_file()];
    for seed in 0..4 {
        let spec = spec_from(seed);
        let file = without_key(&without_key(&file_of(&spec), "batch_size"), "reduction");
        files.push(file.clone());
        // A file of one input and target.
        let mut one = without_key(&file, "samples");
        let first = file["samples"][0].clone();
        one["input"] = first["input"].clone();
        one["target"] = first["target"].clone();
        files.push(one);
    }
    for file in &files {
        let plain = Network::from_json_str(&file.to_string()).unwrap().0;
        assert_eq!(plain.batch_size, 1);
        for (key, value) in [
            ("batch_size", json!(1)),
            ("reduction", json!("sum")),
            ("reduction", json!("mean")),
        ] {
            let keyed = Network::from_json_str(&with_key(file, key, value.clone()).to_string())
                .unwrap()
                .0;
            for update_biases in [false, true] {
                let a = engine::trace_iteration(&plain, &options(update_biases));
                let b = engine::trace_iteration(&keyed, &options(update_biases));
                // With "reduction" the network field says so; the values are the same.
                if key == "batch_size" {
                    assert_eq!(fingerprint(&a), fingerprint(&b), "{key}: {value} in {file}");
                }
                assert_eq!(
                    serde_json::to_string(&a.iterations).unwrap(),
                    serde_json::to_string(&b.iterations).unwrap(),
                    "{key}: {value}"
                );
                assert_eq!(fingerprint(&a).1, fingerprint(&b).1);
                assert!(
                    b.first()
                        .values
                        .iter()
                        .all(|v| v.sample.is_none() && v.stage != Stage::Batch),
                    "a batch of one has no per-sample values and no batch stage"
                );
            }
        }
    }
}

#[test]
fn a_batch_of_one_is_todays_output_through_the_command_line() {
    let dir = common::scratch();
    let keyed = dir.path().join("xor-1.json");
    std::fs::write(
        &keyed,
        with_key(&xor_file(), "batch_size", json!(1)).to_string(),
    )
    .unwrap();
    let keyed = keyed.to_str().unwrap();
    for args in [
        vec!["show", "--format", "json"],
        vec!["show", "--format", "json", "--update-biases"],
        vec!["show"],
        vec!["train", "-n", "6", "--format", "ndjson"],
        vec![
            "train", "-n", "6", "--format", "ndjson", "--order", "random",
        ],
        vec!["train", "-n", "20", "--format", "json"],
        vec!["check", "--format", "json"],
    ] {
        let run = |file: &str| {
            let mut a = args.clone();
            a.extend([file, "--seed", "1"]);
            common::stdout_of(&a)
        };
        let (today, keyed_output) = (run("traces/xor.json"), run(keyed));
        // The table names the file; nothing else may differ.
        let today = today.replace("traces/xor.json", "FILE");
        let keyed_output = keyed_output.replace(keyed, "FILE");
        assert_eq!(today, keyed_output, "{args:?}");
        assert!(!keyed_output.contains("[s1]"), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 3. What `show` prints of a batch of 2.

fn xor_batch(dir: &Path, batch_size: usize, reduction: &str) -> PathBuf {
    let path = dir.join(format!("xor-{batch_size}-{reduction}.json"));
    let file = with_key(
        &with_key(&xor_file(), "batch_size", json!(batch_size)),
        "reduction",
        json!(reduction),
    );
    std::fs::write(&path, file.to_string()).unwrap();
    path
}

/// The cells of every table row whose first cell is `symbol`, in the order printed.
fn rows(output: &str, symbol: &str) -> Vec<Vec<String>> {
    output
        .lines()
        .filter_map(|line| {
            let cells: Vec<String> = line
                .trim_matches(|c| c == '│' || c == ' ')
                .split(['┆', '│'])
                .map(|c| c.trim().to_string())
                .collect();
            (cells.len() > 1 && cells[0] == symbol).then_some(cells)
        })
        .collect()
}

/// The cells of the one table row whose first cell is `symbol`.
fn row(output: &str, symbol: &str) -> Vec<String> {
    let mut found = rows(output, symbol);
    assert_eq!(found.len(), 1, "one row of {symbol} in:\n{output}");
    found.remove(0)
}

#[test]
fn show_prints_both_samples_and_the_averaged_gradient() {
    let dir = common::scratch();
    let path = xor_batch(dir.path(), 2, "mean");
    let out = common::stdout_of(&["show", path.to_str().unwrap()]);
    let net = Network::from_json_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap()
        .0;
    let r = reference(&net, &[0, 1], false);
    let f9 = |x: f64| format!("{x:.9}");

    for symbol in ["out_o1[s1]", "out_o1[s2]", "E_total[s1]", "E_total[s2]"] {
        assert!(out.contains(symbol), "{symbol} in:\n{out}");
    }
    // The first batch is the first two samples, and only them.
    assert!(!out.contains("[s3]") && !out.contains("[s4]"), "{out}");
    for heading in [
        "Sample s1 (samples[0]) · Given: the network file",
        "Sample s2 (samples[1]) · Given: the network file",
        "Sample s2 (samples[1]) · Step 1 · Forward pass",
        "Sample s2 (samples[1]) · Total error",
        "Sample s2 (samples[1]) · Step 2 · Backward pass",
        "The batch · its E_total and gradients from its samples', and the weight updates",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(heading)),
            "a heading {heading:?} in:\n{out}"
        );
    }
    // Each sample's input, from its field of the file.
    assert_eq!(
        row(&out, "i2[s2]"),
        ["i2[s2]", "1.000000000", "samples[1].input[1]"]
    );
    // Each sample's own gradients, then the batch's: their mean, and the update from it.
    let w11 = row(&out, "∂E_total/∂w11[s2]");
    assert_eq!(w11[3], f9(r.per_sample[1].w[1][0]));
    let w11 = row(&out, "∂E_total/∂w11");
    assert_eq!(w11[1], "(∂E_total/∂w11[s1] + ∂E_total/∂w11[s2]) / 2");
    assert_eq!(w11[3], f9(r.grad.w[1][0]));
    assert_eq!(
        w11[2],
        format!(
            "({} + ({})) / 2",
            // The numbers as the substituted formulas write them (no trailing zeros).
            f9(r.per_sample[0].w[1][0]).trim_end_matches('0'),
            f9(r.per_sample[1].w[1][0]).trim_end_matches('0')
        )
    );
    let update = row(&out, "w11⁺");
    assert_eq!(update[1], "w11 - η * ∂E_total/∂w11");
    assert_eq!(update[3], f9(r.new.w[1][0]));
    // E_total: in the batch's table, then in the summary's (before, after).
    let e = rows(&out, "E_total");
    assert_eq!(e.len(), 2, "{out}");
    assert_eq!(e[0][1], "(E_total[s1] + E_total[s2]) / 2");
    assert_eq!(e[0][3], f9(r.e_total));
    assert_eq!(e[1][1..], [f9(r.e_total), f9(r.e_total_after)]);
    // Each sample's: in its error table, then in the summary.
    let e2 = rows(&out, "E_total[s2]");
    assert_eq!(e2.len(), 2, "{out}");
    assert_eq!(e2[0][3], f9(r.errors[1]));
    assert_eq!(e2[1][1..], [f9(r.errors[1]), f9(r.errors_after[1])]);
    // out_o1[s2]: in its forward pass, then in the summary, before and after.
    let p = Params::of(&net);
    let out_o1 = |q: &Params| forward(&net, q, &net.samples[1].input).1[2][0];
    let o = rows(&out, "out_o1[s2]");
    assert_eq!(o.len(), 2, "{out}");
    assert_eq!(o[0][3], f9(out_o1(&p)));
    assert_eq!(o[1][1..], [f9(out_o1(&p)), f9(out_o1(&r.new))]);
}

#[test]
fn show_writes_the_sum_without_a_division() {
    let dir = common::scratch();
    let path = xor_batch(dir.path(), 3, "sum");
    let out = common::stdout_of(&["show", path.to_str().unwrap()]);
    assert!(out.contains("Sample s3 (samples[2])"), "{out}");
    assert!(!out.contains("[s4]"), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("│ ∂E_total/∂w11 "))
        .expect("the batch's gradient of w11");
    assert!(
        line.contains("┆ ∂E_total/∂w11[s1] + ∂E_total/∂w11[s2] + ∂E_total/∂w11[s3] ┆"),
        "{line}"
    );
    assert!(!line.contains("/ 3"), "{line}");
}

#[test]
fn train_says_it_trains_in_batches() {
    let dir = common::scratch();
    let path = xor_batch(dir.path(), 2, "mean");
    let out = common::stdout_of(&["train", "-n", "3", "--seed", "1", path.to_str().unwrap()]);
    let heading = out.lines().next().unwrap();
    assert!(
        heading.contains("3 iterations on 4 samples in batches of 2"),
        "{heading}"
    );
}

// ---------------------------------------------------------------------------------------
// 4. and 5. Refusals.

/// `backprop ARGS`, which must fail with exit status 1 and no panic: its stderr.
fn refused(args: &[&str]) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("backprop runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "backprop {args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "backprop {args:?}: {stderr}");
    stderr
}

#[test]
fn the_sequential_order_is_refused_with_a_batch() {
    let dir = common::scratch();
    let path = xor_batch(dir.path(), 2, "mean");
    let path = path.to_str().unwrap();
    for args in [
        vec!["show", path],
        vec!["show", path, "--format", "json"],
        vec!["train", path, "-n", "3"],
        vec!["train", path, "-n", "3", "--format", "ndjson"],
        vec!["check", path],
    ] {
        let mut args = args.clone();
        args.extend(["--update-order", "sequential"]);
        let stderr = refused(&args);
        assert!(
            stderr.contains("--update-order sequential cannot be used with batch_size 2"),
            "{args:?}: {stderr}"
        );
    }
    // The refusal is the batch's: the same file with a batch of 1 takes the order.
    let one = dir.path().join("xor-1.json");
    std::fs::write(
        &one,
        with_key(&xor_file(), "batch_size", json!(1)).to_string(),
    )
    .unwrap();
    let one = one.to_str().unwrap();
    common::stdout_of(&["show", one, "--update-order", "sequential"]);
    common::stdout_of(&["check", one, "--update-order", "sequential"]);
    common::stdout_of(&["train", one, "-n", "3", "--update-order", "sequential"]);
}

#[test]
fn bad_batch_keys_are_refused_naming_the_field() {
    let dir = common::scratch();
    let xor = xor_file();
    let mut single = without_key(&xor, "samples");
    single["input"] = json!([0, 1]);
    single["target"] = json!([1]);
    let cases = [
        (
            with_key(&xor, "batch_size", json!(0)),
            "batch_size",
            "got 0",
        ),
        (
            with_key(&xor, "batch_size", json!(5)),
            "batch_size",
            "got 5",
        ),
        (
            with_key(&single, "batch_size", json!(2)),
            "batch_size",
            "got 2",
        ),
        (
            with_key(&xor, "batch_size", json!(1.5)),
            "batch_size",
            "got 1.5",
        ),
        (with_key(&xor, "batch_size", json!(-1)), "batch_size", "-1"),
        (with_key(&xor, "batch_size", json!("2")), "batch_size", "2"),
        (
            with_key(&xor, "batch_size", json!(null)),
            "batch_size",
            "null",
        ),
        (
            with_key(&xor, "reduction", json!("median")),
            "reduction",
            "median",
        ),
        (with_key(&xor, "reduction", json!(1)), "reduction", "1"),
    ];
    for (i, (file, field, got)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad-{i}.json"));
        std::fs::write(&path, file.to_string()).unwrap();
        let path = path.to_str().unwrap();
        for command in [
            vec!["show", path],
            vec!["train", path, "-n", "2"],
            vec!["check", path],
        ] {
            let stderr = refused(&command);
            assert!(
                stderr.contains(&format!("{field}: expected")) && stderr.contains(got),
                "{command:?} of {file}: {stderr}"
            );
        }
        // The library says the same, and names the field.
        let err = Network::from_json_str(&file.to_string())
            .err()
            .unwrap_or_else(|| panic!("{file} is accepted"));
        assert!(err.to_string().contains(field), "{err}");
    }
    // The limits themselves are accepted: 1 and all the samples.
    for b in [1, 4] {
        let file = with_key(&xor, "batch_size", json!(b));
        let net = Network::from_json_str(&file.to_string()).unwrap().0;
        assert_eq!(net.batch_size, b);
    }
}

// ---------------------------------------------------------------------------------------
// 6. train and verify.

fn backprop(args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("backprop runs")
}

/// Each NDJSON line's batch: the samples of its values in the order they first appear.
fn batches_of(ndjson: &str) -> Vec<Vec<usize>> {
    ndjson
        .lines()
        .map(|line| {
            let doc: Value = serde_json::from_str(line).unwrap();
            let mut batch = Vec::new();
            for v in doc["values"].as_array().unwrap() {
                if let Some(s) = v.get("sample") {
                    let s = s.as_u64().unwrap() as usize;
                    if !batch.contains(&s) {
                        batch.push(s);
                    }
                }
            }
            batch
        })
        .collect()
}

/// A training run: the network file, the extra options, the cyclic batches it must train on.
type Run<'a> = (&'a Path, &'a [&'a str], Option<Vec<Vec<usize>>>);

#[test]
fn train_runs_in_batches_and_verify_passes_them() {
    let dir = common::scratch();
    let d = dir.path();
    let xor2 = xor_batch(d, 2, "mean");
    let xor3 = xor_batch(d, 3, "sum");
    let runs: [Run; 4] = [
        (
            &xor2,
            &[],
            Some(vec![
                vec![0, 1],
                vec![2, 3],
                vec![0, 1],
                vec![2, 3],
                vec![0, 1],
                vec![2, 3],
                vec![0, 1],
            ]),
        ),
        (&xor2, &["--order", "random", "--seed", "3"], None),
        (
            &xor3,
            &[],
            // Epochs of the 4 samples in turn, cut into batches of 3: the last one smaller.
            Some(vec![
                vec![0, 1, 2],
                vec![3],
                vec![0, 1, 2],
                vec![3],
                vec![0, 1, 2],
                vec![3],
                vec![0, 1, 2],
            ]),
        ),
        (&xor3, &["--order", "random", "--seed", "3"], None),
    ];
    for (n, (file, extra, cyclic)) in runs.iter().enumerate() {
        let file = file.to_str().unwrap();
        let b = if file.contains("xor-3") { 3 } else { 2 };
        let ndjson = d.join(format!("run-{n}.ndjson"));
        let json = d.join(format!("run-{n}.json"));
        let (ndjson, json) = (ndjson.to_str().unwrap(), json.to_str().unwrap());
        let mut args = vec!["train", file, "-n", "7", "--format", "ndjson", "-o", ndjson];
        args.extend(extra.iter());
        common::stdout_of(&args);
        let mut args = vec!["train", file, "-n", "7", "--format", "json", "-o", json];
        args.extend(extra.iter());
        common::stdout_of(&args);

        let text = std::fs::read_to_string(ndjson).unwrap();
        let batches = batches_of(&text);
        assert_eq!(batches.len(), 7, "{extra:?}");
        match cyclic {
            Some(want) => assert_eq!(&batches, want, "cyclic batches of {b}"),
            None => {
                // Epochs shuffled with the seed: each epoch's batches hold every sample once
                // (batches of b, the last of an epoch smaller).
                let per_epoch = 4usize.div_ceil(b);
                for epoch in batches.chunks(per_epoch) {
                    let mut seen: Vec<usize> = epoch.iter().flatten().copied().collect();
                    if epoch.len() == per_epoch {
                        seen.sort();
                        assert_eq!(seen, vec![0, 1, 2, 3], "{batches:?}");
                    }
                    assert_eq!(epoch[0].len(), b, "{batches:?}");
                }
                assert!(
                    batches.iter().any(|x| x != &batches[0]),
                    "random batches differ: {batches:?}"
                );
            }
        }
        for path in [ndjson, json] {
            let out = backprop(&["verify", path]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "verify {path}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }

        // The summary's final network is the batches' training, by the reference.
        let summary: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        let fin = &summary["final_network"];
        assert_eq!(fin["batch_size"], json!(b), "{fin}");
        // From the run's initial network (--seed draws the weights the file leaves out).
        let mut net = Network::from_json_str(&summary["initial_network"].to_string())
            .unwrap()
            .0;
        assert_eq!(net.batch_size, b);
        for batch in &batches {
            let r = reference(&net, batch, false);
            net.weights = r.new.w;
        }
        let weights: Vec<Vec<f64>> = serde_json::from_value(fin["weights"].clone()).unwrap();
        for (l, layer) in weights.iter().enumerate() {
            for (i, &w) in layer.iter().enumerate() {
                let want = net.weights[l][i];
                assert!(
                    (w - want).abs() <= 1e-11 * want.abs().max(1.0),
                    "{extra:?}: final weights[{l}][{i}] {w} vs the reference's {want}"
                );
            }
        }

        // A per-sample gradient of iteration 2, changed: verify refuses the run.
        let mut lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let prefer = if file.contains("xor-3") && cyclic.is_some() {
            // Iteration 2 of the cyclic batches of 3 is the epoch's last, s4 alone.
            "dE_total/dw5[s4]"
        } else {
            "dE_total/dw5[s"
        };
        let values = lines[1]["values"].as_array_mut().unwrap();
        let v = values
            .iter_mut()
            .find(|v| v["symbol"].as_str().unwrap().starts_with(prefer))
            .expect("a per-sample gradient of w5 in iteration 2");
        let tampered = v["symbol"].as_str().unwrap().to_string();
        v["value"] = json!(v["value"].as_f64().unwrap() + 1e-3);
        let bad = d.join(format!("tampered-{n}.ndjson"));
        let body: Vec<String> = lines.iter().map(Value::to_string).collect();
        std::fs::write(&bad, body.join("\n") + "\n").unwrap();
        let out = backprop(&["verify", bad.to_str().unwrap()]);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(1), "{tampered}: {said}");
        assert!(!said.contains("panicked"), "{said}");
        let printed = tampered.replace("dE_total/dw", "∂E_total/∂w");
        assert!(
            said.contains(&tampered) || said.contains(&printed),
            "verify names {tampered}: {said}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 8. The `sample` field of the JSON formats.

/// The sample a symbol's suffix names: `[s2]` → 1.
fn suffix_sample(symbol: &str) -> Option<usize> {
    let open = symbol.rfind("[s")?;
    let digits = symbol[open + 2..].strip_suffix(']')?;
    Some(digits.parse::<usize>().ok()? - 1)
}

fn check_sample_fields(values: &[Value], batch: &[usize]) -> usize {
    let mut per_sample = 0;
    for v in values {
        let symbol = v["symbol"].as_str().unwrap();
        let sample = v
            .get("sample")
            .map(|s| s.as_u64().expect("an index") as usize);
        assert_eq!(sample, suffix_sample(symbol), "{v}");
        let stage = v["stage"].as_str().unwrap();
        match sample {
            Some(s) => {
                per_sample += 1;
                assert!(batch.contains(&s), "{v}");
                assert!(stage != "batch", "{v}");
            }
            None => {
                // Shared values: the weights, biases, η, the batch's values and E_total+.
                let shared = stage == "batch"
                    || symbol == "E_total+"
                    || (stage == "given"
                        && (symbol.starts_with('w') || symbol.starts_with('b') || symbol == "eta"));
                assert!(shared, "a value without a sample: {v}");
            }
        }
    }
    per_sample
}

#[test]
fn the_json_trace_of_a_batch_gives_each_per_sample_value_its_sample() {
    let dir = common::scratch();
    let d = dir.path();
    let xor2 = xor_batch(d, 2, "sum");
    let path = xor2.to_str().unwrap();
    let show = |extra: &[&str]| {
        let mut args = vec!["show", path, "--format", "json"];
        args.extend(extra);
        serde_json::from_str::<Value>(&common::stdout_of(&args)).unwrap()
    };
    let trace = show(&[]);
    let values = trace["iterations"][0]["values"].as_array().unwrap();
    let per_sample = check_sample_fields(values, &[0, 1]);
    assert!(
        per_sample > values.len() / 2,
        "{per_sample} of {}",
        values.len()
    );
    let trace_b = show(&["--update-biases"]);
    check_sample_fields(
        trace_b["iterations"][0]["values"].as_array().unwrap(),
        &[0, 1],
    );
    // The trace's network keeps the batch's keys, and reads back as the same network.
    assert_eq!(trace["network"]["batch_size"], json!(2));
    assert_eq!(trace["network"]["reduction"], json!("sum"));
    let parsed: Trace = serde_json::from_value(trace.clone()).expect("the trace reads back");
    assert_eq!(parsed.network.batch_size, 2);
    assert_eq!(parsed.network.reduction, Reduction::Sum);
    assert_eq!(
        parsed.first().get("out_o1[s2]").unwrap().sample,
        Some(1),
        "the sample is read back"
    );
    // A trace file verifies, and so does a run of it through train.
    let trace_path = d.join("trace.json");
    std::fs::write(&trace_path, trace.to_string()).unwrap();
    assert_eq!(
        backprop(&["verify", trace_path.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );

    // Every line of a run's NDJSON, too.
    let ndjson = common::stdout_of(&[
        "train", path, "-n", "4", "--format", "ndjson", "--order", "random", "--seed", "5",
    ]);
    for (line, batch) in ndjson.lines().zip(batches_of(&ndjson)) {
        let doc: Value = serde_json::from_str(line).unwrap();
        check_sample_fields(doc["values"].as_array().unwrap(), &batch);
    }

    // The published schemas accept these files, and refuse a sample that is not an index.
    let ndjson_path = d.join("run.ndjson");
    std::fs::write(&ndjson_path, &ndjson).unwrap();
    let mut wrong = trace.clone();
    wrong["iterations"][0]["values"][0]["sample"] = json!(-1);
    let wrong_path = d.join("wrong-1.json");
    std::fs::write(&wrong_path, wrong.to_string()).unwrap();
    let mut wrong = trace.clone();
    wrong["iterations"][0]["values"][0]["sample"] = json!("s1");
    let wrong_path2 = d.join("wrong-2.json");
    std::fs::write(&wrong_path2, wrong.to_string()).unwrap();
    let mut wrong_net =
        serde_json::from_str::<Value>(&std::fs::read_to_string(&xor2).unwrap()).unwrap();
    wrong_net["reduction"] = json!("median");
    let wrong_path3 = d.join("wrong-3.json");
    std::fs::write(&wrong_path3, wrong_net.to_string()).unwrap();
    let plan = [
        ("trace", trace_path.clone(), false, 0),
        ("ndjson-line", ndjson_path, true, 0),
        ("network", xor2.clone(), false, 0),
        ("trace", wrong_path, false, 1),
        ("trace", wrong_path2, false, 1),
        ("network", wrong_path3, false, 1),
    ];
    let installed = Path::new("tests/js/node_modules/ajv").exists();
    let what = "Node.js with tests/js/node_modules/ajv (`npm ci --prefix tests/js`)";
    if !common::required(common::runs("node", "--version") && installed, what) {
        return;
    }
    let request: Vec<Value> = plan
        .iter()
        .map(|(schema, file, lines, _)| json!({"schema": schema, "file": file, "lines": lines}))
        .collect();
    let mut node = std::process::Command::new("node");
    node.arg("tests/js/schema-check.mjs");
    let out = common::piped(node, Value::Array(request).to_string().as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    for (r, (schema, file, _, failures)) in results.iter().zip(&plan) {
        assert!(r["documents"].as_u64().unwrap() >= 1, "{r}");
        assert_eq!(
            r["failures"].as_array().unwrap().len(),
            *failures,
            "{schema} of {}: {r}",
            file.display()
        );
    }
}

/// verify's `--network` checks each iteration's sample against the sample order; a batch run
/// names no one sample per line (its values carry theirs), and the check does not know batches.
#[test]
fn verify_with_the_network_accepts_a_batch_run() {
    let dir = common::scratch();
    let d = dir.path();
    for (b, extra) in [
        (2, vec![]),
        (3, vec![]),
        (2, vec!["--order", "random", "--seed", "3"]),
    ] {
        let file = xor_batch(d, b, "mean");
        let file = file.to_str().unwrap();
        let ndjson = d.join(format!("run-{b}-{}.ndjson", extra.len()));
        let ndjson = ndjson.to_str().unwrap();
        let mut args = vec!["train", file, "-n", "7", "--format", "ndjson", "-o", ndjson];
        args.extend(extra.iter());
        common::stdout_of(&args);
        let mut args = vec!["verify", ndjson, "--network", file];
        args.extend(extra.iter());
        let out = backprop(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Training in batches counts epochs: each NDJSON line, full or summary, and each
/// checkpoint of the summary says the epoch its iteration belongs to, and so does the table.
#[test]
fn train_counts_epochs() {
    let dir = common::scratch();
    let d = dir.path();
    // 4 samples in batches of 3: an epoch is 2 iterations (3 samples, then 1).
    let file = xor_batch(d, 3, "mean");
    let file = file.to_str().unwrap();
    let epochs = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["train", file, "-n", "5", "--format", "ndjson"];
        all.extend_from_slice(args);
        common::stdout_of(&all)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["epoch"].clone())
            .collect()
    };
    let want: Vec<Value> = [1, 1, 2, 2, 3].into_iter().map(Value::from).collect();
    assert_eq!(epochs(&[]), want);
    assert_eq!(epochs(&["--summary"]), want);
    let summary: Value = serde_json::from_str(&common::stdout_of(&[
        "train", file, "-n", "5", "--format", "json",
    ]))
    .unwrap();
    let checkpoints = summary["checkpoints"].as_array().unwrap();
    assert_eq!(checkpoints[0].get("epoch"), None);
    let last = checkpoints.last().unwrap();
    assert_eq!(
        (last["iteration"].clone(), last["epoch"].clone()),
        (json!(5), json!(3))
    );
    let table = common::stdout_of(&["train", file, "-n", "5"]);
    assert!(table.contains("5 (epoch 3)"), "{table}");
    // One sample per iteration: no epochs are written.
    let line = common::stdout_of(&["train", "traces/xor.json", "-n", "1", "--format", "ndjson"]);
    assert!(!line.contains("\"epoch\""));
}

#[test]
fn a_batch_gradient_and_its_update_are_in_their_parameters_layer() {
    // Each of the batch's gradients and updates is of the layer its first sample's gradient
    // is (recorded by the backward pass, not by the batch's update): a deep network of
    // three weight layers, weights and biases.
    let file = json!({
        "layers": [2, 3, 2, 2],
        "activation": "sigmoid",
        "learning_rate": 0.5,
        "seed": 5,
        "batch_size": 2,
        "samples": [
            {"input": [0.1, 0.9], "target": [0.2, 0.8]},
            {"input": [0.7, 0.3], "target": [0.9, 0.1]}
        ]
    });
    let net = Network::from_json_str(&file.to_string()).unwrap().0;
    let trace = engine::trace_iteration(&net, &options(true));
    let values = &trace.first().values;
    let layer_of = |symbol: &str| {
        values
            .iter()
            .find(|v| v.symbol == symbol)
            .unwrap_or_else(|| panic!("no {symbol}"))
            .layer
    };
    let mut checked = 0;
    for v in values.iter().filter(|v| v.stage == Stage::Batch) {
        let Some(parameter) = v.symbol.strip_prefix("dE_total/d") else {
            continue;
        };
        let per_sample = layer_of(&format!("{}[s1]", v.symbol));
        assert!(per_sample.is_some(), "{}", v.symbol);
        assert_eq!(v.layer, per_sample, "{}", v.symbol);
        assert_eq!(
            layer_of(&format!("{parameter}+")),
            per_sample,
            "{parameter}+"
        );
        checked += 1;
    }
    // 2·3 + 3·2 + 2·2 weights and 3 biases.
    assert_eq!(checked, 19);
}
