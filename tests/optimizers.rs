//! The optimizers of the network file's `"optimizer"` key (momentum, Nesterov's momentum,
//! Adam) against things that do not share their code: an independent reference written here
//! from the formulas (forward pass, backward pass and each update rule), run for several
//! iterations beside the engine's untraced loop and its traced iteration; plain gradient
//! descent written out, which must change nothing; training resumed from a written network,
//! which must continue bit for bit; the state's round trip through the file; every refusal of
//! a bad `optimizer` or `optimizer_state`; `verify`'s check that each iteration of a stream
//! starts from the state the one before ended with; and Adam's first step, which moves every
//! parameter by about η.

// The reference is written with indices, as the formulas are written on paper.
#![allow(clippy::needless_range_loop)]

mod common;

use backprop_tracer::engine::{self, NoRecorder, Workspace};
use backprop_tracer::network::{Activation, Bias, Network, NetworkFile};
use backprop_tracer::optimizer::Optimizer;
use backprop_tracer::trace::{Iteration, Options, Trace, UpdateOrder};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// The independent reference
// ---------------------------------------------------------------------------------------------

/// An update rule, as the reference applies it (and as the network file names it).
#[derive(Clone, Copy, Debug)]
enum Rule {
    Momentum {
        beta: f64,
        nesterov: bool,
    },
    Adam {
        beta1: f64,
        beta2: f64,
        epsilon: f64,
    },
}

impl Rule {
    /// The `"optimizer"` field choosing this rule, every setting written out.
    fn json(self) -> Value {
        match self {
            Rule::Momentum { beta, nesterov } => {
                json!({"name": "momentum", "beta": beta, "nesterov": nesterov})
            }
            Rule::Adam {
                beta1,
                beta2,
                epsilon,
            } => json!({"name": "adam", "beta1": beta1, "beta2": beta2, "epsilon": epsilon}),
        }
    }

    fn adam(self) -> bool {
        matches!(self, Rule::Adam { .. })
    }
}

/// β^t by repeated multiplication (t is small here).
fn power(beta: f64, t: u64) -> f64 {
    (0..t).fold(1.0, |p, _| p * beta)
}

/// A network as the reference holds it: plain lists, and the optimizer's state per
/// parameter (`first` is momentum's velocity or Adam's m, `second` Adam's v).
#[derive(Clone, Debug)]
struct Model {
    layers: Vec<usize>,
    acts: Vec<Activation>,
    eta: f64,
    input: Vec<f64>,
    target: Vec<f64>,
    /// `w[l][j * layers[l] + k]`: from neuron k of layer l to neuron j of layer l + 1.
    w: Vec<Vec<f64>>,
    /// One value per layer for a shared bias, else one per neuron.
    b: Vec<Vec<f64>>,
    shared: bool,
    update_biases: bool,
    rule: Rule,
    t: u64,
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    bias_first: Vec<Vec<f64>>,
    bias_second: Vec<Vec<f64>>,
}

/// One parameter's update by `rule` from its gradient `g`, writing every value on the way
/// under the trace's symbols for the parameter `name`.
#[allow(clippy::too_many_arguments)]
fn apply(
    rule: Rule,
    eta: f64,
    (c1, c2): (f64, f64),
    name: &str,
    p: &mut f64,
    g: f64,
    first: &mut f64,
    second: &mut f64,
    out: &mut HashMap<String, f64>,
) {
    out.insert(name.to_string(), *p);
    out.insert(format!("dE_total/d{name}"), g);
    match rule {
        Rule::Momentum { beta, nesterov } => {
            out.insert(format!("v_{name}"), *first);
            let v = beta * *first + g;
            out.insert(format!("v_{name}+"), v);
            let step = if nesterov {
                let look_ahead = g + beta * v;
                out.insert(format!("g_{name}"), look_ahead);
                look_ahead
            } else {
                v
            };
            *first = v;
            *p -= eta * step;
        }
        Rule::Adam {
            beta1,
            beta2,
            epsilon,
        } => {
            out.insert(format!("m_{name}"), *first);
            out.insert(format!("v_{name}"), *second);
            let m = beta1 * *first + (1.0 - beta1) * g;
            let v = beta2 * *second + (1.0 - beta2) * g * g;
            let m_hat = m / c1;
            let v_hat = v / c2;
            out.insert(format!("m_{name}+"), m);
            out.insert(format!("v_{name}+"), v);
            out.insert(format!("m_hat_{name}"), m_hat);
            out.insert(format!("v_hat_{name}"), v_hat);
            *first = m;
            *second = v;
            *p -= eta * m_hat / (v_hat.sqrt() + epsilon);
        }
    }
    out.insert(format!("{name}+"), *p);
}

impl Model {
    /// The reference's copy of `net` (its weights, biases and sample), with a fresh state.
    fn new(net: &Network, rule: Rule, update_biases: bool) -> Model {
        let zeros = |x: &Vec<Vec<f64>>| x.iter().map(|l| vec![0.0; l.len()]).collect();
        let w = net.weights.clone();
        let b: Vec<Vec<f64>> = net.biases.iter().map(|b| b.values().to_vec()).collect();
        Model {
            layers: net.layers.clone(),
            acts: net.activations.clone(),
            eta: net.learning_rate,
            input: net.input.clone(),
            target: net.target.clone(),
            shared: matches!(net.biases[0], Bias::Shared(_)),
            update_biases,
            rule,
            t: 0,
            first: zeros(&w),
            second: if rule.adam() { zeros(&w) } else { Vec::new() },
            bias_first: zeros(&b),
            bias_second: if rule.adam() { zeros(&b) } else { Vec::new() },
            w,
            b,
        }
    }

    /// A non-zero state to start from: moments in [−0.1, 0.1], second moments in [0, 0.01],
    /// three steps done.
    fn randomize_state(&mut self, seed: u64) {
        let mut rng = Rng(seed ^ 0x5eed);
        for l in 0..self.w.len() {
            for x in &mut self.first[l] {
                *x = rng.uniform(-0.1, 0.1);
            }
            for x in &mut self.bias_first[l] {
                *x = rng.uniform(-0.1, 0.1);
            }
            if self.rule.adam() {
                for x in &mut self.second[l] {
                    *x = rng.uniform(0.0, 0.01);
                }
                for x in &mut self.bias_second[l] {
                    *x = rng.uniform(0.0, 0.01);
                }
            }
        }
        self.t = 3;
    }

    /// The state in the file's form (`"optimizer_state"`).
    fn state_json(&self) -> Value {
        let moment = |w: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>| json!({"weights": w, "biases": b});
        match self.rule {
            Rule::Momentum { .. } => json!({"velocity": moment(&self.first, &self.bias_first)}),
            Rule::Adam { .. } => json!({
                "step": self.t,
                "m": moment(&self.first, &self.bias_first),
                "v": moment(&self.second, &self.bias_second),
            }),
        }
    }

    fn depth(&self) -> usize {
        self.layers.len() - 1
    }

    /// The trace's name of weight `i` of weight layer `l`: the weights are numbered on
    /// through the layers (w1…w4, then w5…w8 in the article).
    fn weight_name(&self, l: usize, i: usize) -> String {
        let before: usize = (0..l).map(|m| self.layers[m] * self.layers[m + 1]).sum();
        format!("w{}", before + i + 1)
    }

    fn bias_name(&self, l: usize, j: usize) -> String {
        if self.shared {
            format!("b{}", l + 1)
        } else {
            format!("b{}_{}", l + 1, j + 1)
        }
    }

    /// The forward pass: each layer's net inputs and outputs (outputs[0] is the input).
    fn forward(&self) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let mut nets = Vec::new();
        let mut outs = vec![self.input.clone()];
        for l in 0..self.depth() {
            let (n_in, n_out) = (self.layers[l], self.layers[l + 1]);
            let mut net_l = Vec::new();
            let mut out_l = Vec::new();
            for j in 0..n_out {
                let mut s = 0.0;
                for k in 0..n_in {
                    s += self.w[l][j * n_in + k] * outs[l][k];
                }
                s += self.b[l][if self.shared { 0 } else { j }];
                net_l.push(s);
                out_l.push(common::activation(self.acts[l], s));
            }
            nets.push(net_l);
            outs.push(out_l);
        }
        (nets, outs)
    }

    /// E_total (half the squared error) and the gradients of every weight and bias value.
    fn gradients(&self) -> (f64, Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let depth = self.depth();
        let (nets, outs) = self.forward();
        let e_total: f64 = (0..self.layers[depth])
            .map(|m| 0.5 * (self.target[m] - outs[depth][m]).powi(2))
            .sum();
        let mut deltas = vec![Vec::new(); depth];
        deltas[depth - 1] = (0..self.layers[depth])
            .map(|m| {
                -(self.target[m] - outs[depth][m])
                    * common::activation_derivative(self.acts[depth - 1], nets[depth - 1][m])
            })
            .collect();
        for l in (0..depth - 1).rev() {
            let (n_here, n_above) = (self.layers[l + 1], self.layers[l + 2]);
            deltas[l] = (0..n_here)
                .map(|j| {
                    let mut sum = 0.0;
                    for m in 0..n_above {
                        sum += deltas[l + 1][m] * self.w[l + 1][m * n_here + j];
                    }
                    sum * common::activation_derivative(self.acts[l], nets[l][j])
                })
                .collect();
        }
        let gw = (0..depth)
            .map(|l| {
                let n_in = self.layers[l];
                (0..self.w[l].len())
                    .map(|i| deltas[l][i / n_in] * outs[l][i % n_in])
                    .collect()
            })
            .collect();
        let gb = deltas
            .iter()
            .map(|d| {
                if self.shared {
                    vec![d.iter().sum()]
                } else {
                    d.clone()
                }
            })
            .collect();
        (e_total, gw, gb)
    }

    /// One iteration: every gradient from the weights before it, then every update. Returns
    /// the values the trace of the iteration records, under its symbols.
    fn iterate(&mut self) -> HashMap<String, f64> {
        let mut out = HashMap::new();
        let (e_total, gw, gb) = self.gradients();
        out.insert("E_total".to_string(), e_total);
        out.insert("eta".to_string(), self.eta);
        let t_new = self.t + 1;
        let mut c = (1.0, 1.0);
        match self.rule {
            Rule::Momentum { beta, .. } => {
                out.insert("beta".to_string(), beta);
            }
            Rule::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                c = (1.0 - power(beta1, t_new), 1.0 - power(beta2, t_new));
                out.insert("beta1".to_string(), beta1);
                out.insert("beta2".to_string(), beta2);
                out.insert("epsilon".to_string(), epsilon);
                out.insert("t".to_string(), self.t as f64);
                out.insert("t+".to_string(), t_new as f64);
                out.insert("bias_corr1".to_string(), c.0);
                out.insert("bias_corr2".to_string(), c.1);
            }
        }
        let (rule, eta) = (self.rule, self.eta);
        let mut unused = 0.0;
        for l in 0..self.depth() {
            for i in 0..self.w[l].len() {
                let name = self.weight_name(l, i);
                let second = self.second.get_mut(l).map_or(&mut unused, |s| &mut s[i]);
                let (p, first) = (&mut self.w[l][i], &mut self.first[l][i]);
                apply(rule, eta, c, &name, p, gw[l][i], first, second, &mut out);
            }
            if self.update_biases {
                for j in 0..self.b[l].len() {
                    let name = self.bias_name(l, j);
                    let second = self
                        .bias_second
                        .get_mut(l)
                        .map_or(&mut unused, |s| &mut s[j]);
                    let (p, first) = (&mut self.b[l][j], &mut self.bias_first[l][j]);
                    apply(rule, eta, c, &name, p, gb[l][j], first, second, &mut out);
                }
            }
        }
        self.t = t_new;
        out
    }
}

/// splitmix64, for the test's own draws.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        lo + (hi - lo) * ((z >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// Whether two values agree to a relative 1e-12.
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn assert_close(what: &str, have: f64, want: f64) {
    assert!(
        close(have, want),
        "{what}: engine {have:e}, reference {want:e} (relative difference {:e})",
        (have - want).abs() / want.abs().max(have.abs())
    );
}

fn assert_all_close(what: &str, have: &[Vec<f64>], want: &[Vec<f64>]) {
    assert_eq!(have.len(), want.len(), "{what}: layers");
    for (l, (h, w)) in have.iter().zip(want).enumerate() {
        assert_eq!(h.len(), w.len(), "{what}[{l}]: length");
        for (i, (&h, &w)) in h.iter().zip(w).enumerate() {
            assert_close(&format!("{what}[{l}][{i}]"), h, w);
        }
    }
}

/// A case of the reference comparison: a random network of `shape` with `rule`, as the
/// program reads it from its file (with a non-zero starting state when `start_state`).
struct Case {
    net: Network,
    model: Model,
}

#[allow(clippy::too_many_arguments)]
fn case(
    shape: &[usize],
    acts: &[Activation],
    shared: bool,
    update_biases: bool,
    rule: Rule,
    eta: f64,
    seed: u64,
    start_state: bool,
) -> Case {
    let base = common::build(shape, acts, shared, eta, seed);
    let mut model = Model::new(&base, rule, update_biases);
    let mut file: Value = serde_json::from_str(&base.to_json_pretty()).unwrap();
    file["optimizer"] = rule.json();
    file["update_biases"] = json!(update_biases);
    if start_state {
        model.randomize_state(seed);
        file["optimizer_state"] = model.state_json();
    }
    let net = Network::from_json_str(&file.to_string())
        .unwrap_or_else(|e| panic!("{e}: {file}"))
        .0;
    Case { net, model }
}

/// Runs `iterations` iterations of the case three ways: the reference, the engine's traced
/// iteration from the network as it stands, and the engine's untraced step that training
/// runs. Each iteration, every value the reference computes must be in the trace and agree
/// with it; after each, the untraced step's weights, biases and state must agree with the
/// reference, and be bit for bit the ones the trace recorded.
fn run_case(mut c: Case, iterations: usize, label: &str) {
    let update_biases = c.model.update_biases;
    let options = Options {
        update_biases,
        ..Options::default()
    };
    let (input, target) = (c.net.input.clone(), c.net.target.clone());
    let mut ws = Workspace::new(&c.net);
    for it in 1..=iterations {
        let at = |s: &str| format!("{label}, iteration {it}: {s}");
        let trace = engine::trace_iteration(&c.net, &options);
        let traced = trace.first().index();
        let want = c.model.iterate();
        for (symbol, &value) in &want {
            let have = traced
                .get(symbol.as_str())
                .unwrap_or_else(|| panic!("{}", at(&format!("{symbol} is not in the trace"))))
                .value;
            assert_close(&at(symbol), have, value);
        }
        let e_total = engine::step(
            &mut c.net,
            &input,
            &target,
            UpdateOrder::Simultaneous,
            update_biases,
            &mut ws,
            &mut NoRecorder,
        );
        assert_close(&at("E_total (step)"), e_total, want["E_total"]);
        let m = &c.model;
        let biases: Vec<Vec<f64>> = c.net.biases.iter().map(|b| b.values().to_vec()).collect();
        let state = &c.net.optimizer_state;
        assert_all_close(&at("weights"), &c.net.weights, &m.w);
        assert_all_close(&at("biases"), &biases, &m.b);
        assert_all_close(&at("state.first"), &state.first, &m.first);
        assert_all_close(&at("state.second"), &state.second, &m.second);
        assert_all_close(&at("state.bias_first"), &state.bias_first, &m.bias_first);
        assert_all_close(&at("state.bias_second"), &state.bias_second, &m.bias_second);
        if m.rule.adam() {
            assert_eq!(state.step, m.t, "{}", at("step"));
        }
        // The traced iteration and the untraced one are the same arithmetic.
        let first_symbol = if m.rule.adam() { "m" } else { "v" };
        for l in 0..m.depth() {
            for i in 0..m.w[l].len() {
                let name = m.weight_name(l, i);
                let bits = |s: &str| traced[s].value.to_bits();
                assert_eq!(
                    bits(&format!("{name}+")),
                    c.net.weights[l][i].to_bits(),
                    "{}",
                    at(&format!("{name}+ traced and untraced"))
                );
                assert_eq!(
                    bits(&format!("{first_symbol}_{name}+")),
                    state.first[l][i].to_bits(),
                    "{}",
                    at(&format!("{first_symbol}_{name}+ traced and untraced"))
                );
                if m.rule.adam() {
                    assert_eq!(
                        bits(&format!("v_{name}+")),
                        state.second[l][i].to_bits(),
                        "{}",
                        at(&format!("v_{name}+ traced and untraced"))
                    );
                }
            }
        }
    }
}

const RULES: [Rule; 6] = [
    Rule::Momentum {
        beta: 0.9,
        nesterov: false,
    },
    Rule::Momentum {
        beta: 0.5,
        nesterov: false,
    },
    Rule::Momentum {
        beta: 0.9,
        nesterov: true,
    },
    Rule::Momentum {
        beta: 0.5,
        nesterov: true,
    },
    Rule::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    },
    Rule::Adam {
        beta1: 0.8,
        beta2: 0.99,
        epsilon: 1e-6,
    },
];

#[test]
fn five_iterations_of_every_optimizer_match_an_independent_reference() {
    let shapes: [&[usize]; 4] = [&[2, 3, 2], &[3, 4, 2, 2], &[1, 2, 1], &[4, 3, 3, 1]];
    let mut n = 0u64;
    for (r, &rule) in RULES.iter().enumerate() {
        for (s, shape) in shapes.iter().enumerate() {
            n += 1;
            let acts: Vec<Activation> = (0..shape.len() - 1)
                .map(|l| {
                    if (r + s + l) % 2 == 0 {
                        Activation::Sigmoid
                    } else {
                        Activation::Tanh
                    }
                })
                .collect();
            let shared = (r + s) % 2 == 0;
            let update_biases = s % 2 == r % 2 || s == 3;
            let start_state = (r + s) % 3 != 0;
            let eta = if rule.adam() {
                0.02 + 0.01 * s as f64
            } else {
                0.1 + 0.1 * s as f64
            };
            let label = format!(
                "{rule:?}, layers {shape:?}, {acts:?}, shared biases {shared}, update_biases \
                 {update_biases}, starting state {start_state}"
            );
            let c = case(
                shape,
                &acts,
                shared,
                update_biases,
                rule,
                eta,
                100 + n,
                start_state,
            );
            run_case(c, 5, &label);
        }
    }
}

#[test]
fn the_reference_comparison_can_fail() {
    // A reference that updates with the wrong β must disagree with the engine: the
    // comparison above sees the hyperparameters.
    let rule = Rule::Adam {
        beta1: 0.8,
        beta2: 0.99,
        epsilon: 1e-6,
    };
    let mut c = case(
        &[2, 3, 2],
        &[Activation::Sigmoid; 2],
        false,
        true,
        rule,
        0.05,
        7,
        true,
    );
    c.model.rule = Rule::Adam {
        beta1: 0.9,
        beta2: 0.99,
        epsilon: 1e-6,
    };
    // (Its panic message is printed: that is the failure this test expects.)
    let caught = std::panic::catch_unwind(move || run_case(c, 2, "wrong β1")).is_err();
    assert!(caught, "a wrong β1 in the reference went unnoticed");
}

// ---------------------------------------------------------------------------------------------
// Plain gradient descent, written out
// ---------------------------------------------------------------------------------------------

fn article_file() -> Value {
    serde_json::from_str(&std::fs::read_to_string("traces/article.json").unwrap()).unwrap()
}

fn assert_same_bits(a: &Iteration, b: &Iteration, what: &str) {
    assert_eq!(a.values.len(), b.values.len(), "{what}: number of values");
    for (x, y) in a.values.iter().zip(&b.values) {
        assert_eq!(x.symbol, y.symbol, "{what}");
        assert_eq!(x.formula, y.formula, "{what}: {}", x.symbol);
        assert_eq!(x.substituted, y.substituted, "{what}: {}", x.symbol);
        assert_eq!(
            x.value.to_bits(),
            y.value.to_bits(),
            "{what}: {} = {} and {}",
            x.symbol,
            x.value,
            y.value
        );
    }
}

#[test]
fn sgd_written_out_is_the_article_bit_for_bit() {
    let plain = Network::from_json_str(&article_file().to_string())
        .unwrap()
        .0;
    let mut file = article_file();
    file["optimizer"] = json!({"name": "sgd"});
    let sgd = Network::from_json_str(&file.to_string()).unwrap().0;
    assert_eq!(sgd.optimizer, Optimizer::Sgd);
    assert_eq!(sgd.optimizer, plain.optimizer);
    assert_eq!(sgd.optimizer_state, plain.optimizer_state);
    for update_order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
        for update_biases in [false, true] {
            let options = Options {
                update_order,
                update_biases,
                ..Options::default()
            };
            let what = format!("{update_order:?}, update_biases {update_biases}");
            let a = engine::trace_iteration(&plain, &options);
            let b = engine::trace_iteration(&sgd, &options);
            assert_same_bits(a.first(), b.first(), &what);
            // No optimizer values appear in plain gradient descent's trace.
            assert!(a.first().get("beta").is_none() && a.first().get("t").is_none());
            // And the article's w5⁺ is there, as the article prints it.
            assert_eq!(
                format!("{:.9}", b.first().get("w5+").unwrap().value),
                "0.358916480"
            );
            // The untraced loop too, for a few iterations.
            let (mut p, mut s) = (plain.clone(), sgd.clone());
            let (mut wp, mut wsg) = (Workspace::new(&p), Workspace::new(&s));
            let (input, target) = (plain.input.clone(), plain.target.clone());
            for _ in 0..3 {
                let ep = engine::step(
                    &mut p,
                    &input,
                    &target,
                    update_order,
                    update_biases,
                    &mut wp,
                    &mut NoRecorder,
                );
                let es = engine::step(
                    &mut s,
                    &input,
                    &target,
                    update_order,
                    update_biases,
                    &mut wsg,
                    &mut NoRecorder,
                );
                assert_eq!(ep.to_bits(), es.to_bits(), "{what}: E_total");
            }
            assert_eq!(p, s, "{what}: networks after three steps");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Through the binary
// ---------------------------------------------------------------------------------------------

fn backprop(args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("backprop runs")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write_json(path: PathBuf, value: &Value) -> PathBuf {
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

/// `backprop train FILE -n N --format json`: the run's `final_network`.
fn train_final(dir: &Path, file: &Path, n: usize, name: &str) -> Value {
    let out = dir.join(name);
    common::stdout_of(&[
        "train",
        s(file),
        "-n",
        &n.to_string(),
        "--format",
        "json",
        "-q",
        "-o",
        s(&out),
    ]);
    let run: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(run["iterations_completed"], json!(n), "{name}");
    run["final_network"].clone()
}

#[test]
fn training_resumes_bit_for_bit_from_a_written_network() {
    let dir = common::scratch();
    let mut per_neuron = article_file();
    per_neuron["biases"] = json!([[0.35, 0.3], [0.6, 0.55]]);
    per_neuron["update_biases"] = json!(true);
    let cases = [
        ("adam", article_file(), json!({"name": "adam"})),
        ("momentum", article_file(), json!({"name": "momentum"})),
        (
            "nesterov-biases",
            per_neuron.clone(),
            json!({"name": "momentum", "beta": 0.5, "nesterov": true}),
        ),
        (
            "adam-biases",
            per_neuron,
            json!({"name": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}),
        ),
    ];
    for (name, mut file, optimizer) in cases {
        file["optimizer"] = optimizer.clone();
        file["learning_rate"] = json!(0.05);
        let start = write_json(dir.path().join(format!("{name}.json")), &file);
        let half = train_final(dir.path(), &start, 100, &format!("{name}-a.json"));
        let middle = write_json(dir.path().join(format!("{name}-middle.json")), &half);
        let resumed = train_final(dir.path(), &middle, 100, &format!("{name}-b.json"));
        let at_once = train_final(dir.path(), &start, 200, &format!("{name}-c.json"));
        assert_eq!(
            resumed, at_once,
            "{name}: resumed after 100 and trained 200 at once"
        );
        assert_ne!(half, at_once, "{name}: the second hundred changed nothing");
        assert_eq!(
            at_once["optimizer"]["name"], optimizer["name"],
            "{name}: the optimizer is written"
        );
        if name.starts_with("adam") {
            assert_eq!(half["optimizer_state"]["step"], json!(100), "{name}");
            assert_eq!(at_once["optimizer_state"]["step"], json!(200), "{name}");
            assert_eq!(resumed["optimizer_state"]["step"], json!(200), "{name}");
        } else {
            let v = &at_once["optimizer_state"]["velocity"]["weights"][1][0];
            assert!(v.as_f64().is_some_and(|v| v != 0.0), "{name}: velocity {v}");
        }
    }
}

/// A network after a few untraced steps (so that its state is not zero).
fn trained(rule: Rule, shared: bool, update_biases: bool, steps: usize) -> Network {
    let acts = [Activation::Tanh, Activation::Sigmoid, Activation::Sigmoid];
    let mut net = case(
        &[2, 3, 2, 2],
        &acts,
        shared,
        update_biases,
        rule,
        0.1,
        11,
        false,
    )
    .net;
    let (input, target) = (net.input.clone(), net.target.clone());
    let mut ws = Workspace::new(&net);
    for _ in 0..steps {
        engine::step(
            &mut net,
            &input,
            &target,
            UpdateOrder::Simultaneous,
            update_biases,
            &mut ws,
            &mut NoRecorder,
        );
    }
    net
}

#[test]
fn the_state_round_trips_through_the_network_file() {
    for rule in RULES {
        for (shared, update_biases) in [(true, true), (false, true), (false, false)] {
            let net = trained(rule, shared, update_biases, 3);
            let what = format!("{rule:?}, shared {shared}, update_biases {update_biases}");
            let state = &net.optimizer_state;
            assert!(
                state.first[1].iter().all(|&x| x != 0.0),
                "{what}: the state is not zero"
            );
            assert_eq!(update_biases, state.bias_first[0].iter().any(|&x| x != 0.0));
            let back = Network::from_json_str(&net.to_json_pretty()).unwrap().0;
            assert_eq!(back.optimizer, net.optimizer, "{what}");
            assert_eq!(back.optimizer_state.first, state.first, "{what}");
            assert_eq!(back.optimizer_state.second, state.second, "{what}");
            assert_eq!(back.optimizer_state.bias_first, state.bias_first, "{what}");
            assert_eq!(
                back.optimizer_state.bias_second, state.bias_second,
                "{what}"
            );
            assert_eq!(back.weights, net.weights, "{what}");
            if rule.adam() {
                assert_eq!(back.optimizer_state.step, 3, "{what}");
                assert_eq!(back.optimizer_state, net.optimizer_state, "{what}");
            }
            // A trace's network holds the state it started from.
            let trace = engine::trace_iteration(
                &net,
                &Options {
                    update_biases,
                    ..Options::default()
                },
            );
            let read = NetworkFile::read(&trace.to_json_pretty(), None).unwrap();
            assert_eq!(read.network.optimizer, net.optimizer, "{what}: trace");
            assert_eq!(
                read.network.optimizer_state.first, state.first,
                "{what}: trace"
            );
            assert_eq!(
                read.network.optimizer_state.second, state.second,
                "{what}: trace"
            );
            // And the round trip must be able to fail: a changed state is seen.
            let mut edited: Value = serde_json::from_str(&net.to_json_pretty()).unwrap();
            let key = if rule.adam() { "m" } else { "velocity" };
            edited["optimizer_state"][key]["weights"][0][0] = json!(0.125);
            let changed = Network::from_json_str(&edited.to_string()).unwrap().0;
            assert_ne!(changed.optimizer_state.first, state.first, "{what}");
        }
    }
}

#[test]
fn momentum_state_round_trips_whole() {
    let rule = Rule::Momentum {
        beta: 0.9,
        nesterov: false,
    };
    let net = trained(rule, false, true, 3);
    let back = Network::from_json_str(&net.to_json_pretty()).unwrap().0;
    assert_eq!(back.optimizer_state, net.optimizer_state);
    assert_eq!(back, net);
}

/// `backprop show FILE` for the article's network with `change` made to its file: must be
/// refused with exit status 1 and a message that names `field`, without a panic.
fn assert_refused(dir: &Path, n: usize, change: impl Fn(&mut Value), field: &str) {
    let mut file = article_file();
    change(&mut file);
    let path = write_json(dir.join(format!("refused-{n}.json")), &file);
    let out = backprop(&["show", s(&path)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{field}: {stderr}\n{file}");
    assert!(
        stderr.contains(field),
        "the message should name {field}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{field}: {stderr}");
}

/// An edit of the article's network file.
type Change = Box<dyn Fn(&mut Value)>;

#[test]
fn every_bad_optimizer_is_refused_naming_its_field() {
    let dir = common::scratch();
    let set = |key: &'static str, v: Value| move |f: &mut Value| f[key] = v.clone();
    let both = |o: Value, st: Value| {
        move |f: &mut Value| {
            f["optimizer"] = o.clone();
            f["optimizer_state"] = st.clone();
        }
    };
    let zeros = json!([[0, 0, 0, 0], [0, 0, 0, 0]]);
    let biases = json!([[0], [0]]);
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(set("optimizer", json!({"name": "rmsprop"}))),
            "optimizer.name",
        ),
        (
            Box::new(set("optimizer", json!({"beta": 0.9}))),
            "optimizer.name",
        ),
        (
            Box::new(set("optimizer", json!({"name": 3}))),
            "optimizer.name",
        ),
        (Box::new(set("optimizer", json!("adam"))), "optimizer"),
        (
            Box::new(set("optimizer", json!({"name": "momentum", "gamma": 0.5}))),
            "optimizer.gamma",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "beta": 0.9}))),
            "optimizer.beta",
        ),
        (
            Box::new(set("optimizer", json!({"name": "sgd", "beta": 0.9}))),
            "optimizer.beta",
        ),
        (
            Box::new(set("optimizer", json!({"name": "momentum", "beta": 1.0}))),
            "optimizer.beta",
        ),
        (
            Box::new(set("optimizer", json!({"name": "momentum", "beta": -0.1}))),
            "optimizer.beta",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "beta1": 1}))),
            "optimizer.beta1",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "beta1": -0.5}))),
            "optimizer.beta1",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "beta2": 1.5}))),
            "optimizer.beta2",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "beta2": "0.9"}))),
            "optimizer.beta2",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "epsilon": 0}))),
            "optimizer.epsilon",
        ),
        (
            Box::new(set("optimizer", json!({"name": "adam", "epsilon": -1e-8}))),
            "optimizer.epsilon",
        ),
        (
            Box::new(set(
                "optimizer",
                json!({"name": "momentum", "nesterov": "yes"}),
            )),
            "optimizer.nesterov",
        ),
        (
            Box::new(set("optimizer", json!({"name": "momentum", "nesterov": 1}))),
            "optimizer.nesterov",
        ),
        (
            Box::new(both(
                json!({"name": "sgd"}),
                json!({"velocity": {"weights": zeros}}),
            )),
            "optimizer_state",
        ),
        (
            // No optimizer at all is plain gradient descent, which keeps no state.
            Box::new(set(
                "optimizer_state",
                json!({"velocity": {"weights": zeros}}),
            )),
            "optimizer_state",
        ),
        (
            Box::new(both(
                json!({"name": "adam"}),
                json!({"m": {"weights": [[0, 0, 0, 0], [0, 0, 0]]}}),
            )),
            "optimizer_state.m.weights[1]",
        ),
        (
            Box::new(both(
                json!({"name": "adam"}),
                json!({"v": {"weights": [[0, 0, 0, 0]]}}),
            )),
            "optimizer_state.v.weights",
        ),
        (
            Box::new(both(
                json!({"name": "adam"}),
                json!({"v": {"weights": zeros, "biases": [[0], [0, 0]]}}),
            )),
            "optimizer_state.v.biases[1]",
        ),
        (
            Box::new(both(
                json!({"name": "momentum"}),
                json!({"velocity": {"weights": [[0, 0, 0, 0], [0, 0, "x", 0]], "biases": biases}}),
            )),
            "optimizer_state.velocity.weights[1][2]",
        ),
        (
            Box::new(both(
                json!({"name": "momentum"}),
                json!({"m": {"weights": zeros}}),
            )),
            "optimizer_state.m",
        ),
        (
            Box::new(both(json!({"name": "adam"}), json!({"step": 2.5}))),
            "optimizer_state.step",
        ),
        (
            Box::new(both(json!({"name": "adam"}), json!({"step": -1}))),
            "optimizer_state.step",
        ),
        (
            Box::new(both(json!({"name": "adam"}), json!({"step": "3"}))),
            "optimizer_state.step",
        ),
    ];
    for (n, (change, field)) in cases.iter().enumerate() {
        assert_refused(dir.path(), n, change, field);
    }
    // The same files without the fault are accepted: each refusal is the field's.
    for (n, file) in [
        json!({"name": "momentum", "beta": 0.0, "nesterov": true}),
        json!({"name": "adam", "beta1": 0.0, "beta2": 0.5, "epsilon": 1e-300}),
        json!({"name": "sgd"}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut f = article_file();
        f["optimizer"] = file;
        let path = write_json(dir.path().join(format!("accepted-{n}.json")), &f);
        common::stdout_of(&["show", s(&path)]);
    }
    let mut f = article_file();
    f["optimizer"] = json!({"name": "adam"});
    f["optimizer_state"] = json!({"step": 3, "m": {"weights": zeros, "biases": biases},
                                   "v": {"weights": zeros, "biases": biases}});
    let path = write_json(dir.path().join("accepted-state.json"), &f);
    common::stdout_of(&["show", s(&path)]);
}

#[test]
fn a_negative_second_moment_is_refused() {
    let dir = common::scratch();
    assert_refused(
        dir.path(),
        0,
        |f| {
            f["optimizer"] = json!({"name": "adam"});
            f["optimizer_state"] =
                json!({"step": 1, "v": {"weights": [[0, 0, 0, 0], [-1, 0, 0, 0]]}});
        },
        "optimizer_state.v.weights[1][0]",
    );
}

#[test]
fn the_largest_step_count_does_not_panic() {
    let dir = common::scratch();
    let mut f = article_file();
    f["optimizer"] = json!({"name": "adam"});
    let text = serde_json::to_string(&f).unwrap();
    let text = format!(
        "{}, \"optimizer_state\": {{\"step\": 18446744073709551615}}}}",
        text.trim_end_matches('}')
    );
    let path = dir.path().join("big-step.json");
    std::fs::write(&path, text).unwrap();
    let out = backprop(&["show", s(&path)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Either refused, naming the field, or run with finite values.
    assert!(
        out.status.code() == Some(1) && stderr.contains("optimizer_state.step")
            || out.status.success(),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// verify's chain check on a training stream
// ---------------------------------------------------------------------------------------------

/// The stream with `symbol`'s value in iteration `iteration` replaced by `change(value)`.
fn tampered(lines: &[&str], iteration: u64, symbol: &str, change: impl Fn(f64) -> f64) -> String {
    let mut found = false;
    let out: Vec<String> = lines
        .iter()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if v["iteration"] != json!(iteration) {
                return line.to_string();
            }
            for x in v["values"].as_array_mut().unwrap() {
                if x["symbol"] == json!(symbol) {
                    let old = x["value"].as_f64().unwrap();
                    x["value"] = json!(change(old));
                    found = true;
                }
            }
            v.to_string()
        })
        .collect();
    assert!(found, "{symbol} is not in iteration {iteration}");
    out.join("\n") + "\n"
}

/// The next f64 above `x` (x positive): a change too small for the recomputation's 1e-9.
fn next_up(x: f64) -> f64 {
    assert!(x > 0.0);
    f64::from_bits(x.to_bits() + 1)
}

#[test]
fn verify_checks_that_each_iteration_starts_from_the_state_before() {
    let dir = common::scratch();
    let mut file = article_file();
    file["optimizer"] = json!({"name": "adam", "beta1": 0.8, "beta2": 0.99});
    file["learning_rate"] = json!(0.05);
    file["biases"] = json!([[0.35, 0.3], [0.6, 0.5]]);
    file["update_biases"] = json!(true);
    let net = write_json(dir.path().join("adam.json"), &file);
    let stream = dir.path().join("run.ndjson");
    common::stdout_of(&[
        "train",
        s(&net),
        "-n",
        "5",
        "--format",
        "ndjson",
        "-q",
        "-o",
        s(&stream),
    ]);
    let text = std::fs::read_to_string(&stream).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    let ok = backprop(&["verify", s(&stream)]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "the untouched stream: {}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    // The given state of iteration 3 is what iteration 2 ended with.
    let values = |n: usize| -> HashMap<String, f64> {
        let v: Value = serde_json::from_str(lines[n - 1]).unwrap();
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["symbol"].as_str().unwrap().to_string(),
                    x["value"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let (second, third) = (values(2), values(3));
    for s in ["m_w5", "v_w5", "m_b2_1", "v_b1_2", "t"] {
        assert_eq!(
            third[s].to_bits(),
            second[&format!("{s}+")].to_bits(),
            "{s}"
        );
    }
    assert_eq!(third["t"], 2.0);
    // One ulp off, in a given value of the state: only the chain can see it.
    for (symbol, iteration) in [("m_w5", 3), ("v_b1_2", 4), ("t", 3)] {
        let bad = tampered(&lines, iteration, symbol, next_up);
        let path = dir.path().join(format!("tampered-{symbol}.ndjson"));
        std::fs::write(&path, bad).unwrap();
        let out = backprop(&["verify", s(&path)]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{symbol} changed in iteration {iteration}: {stdout}{stderr}"
        );
        assert!(stdout.contains(symbol), "{symbol}: {stdout}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// Adam's first step
// ---------------------------------------------------------------------------------------------

#[test]
fn adams_first_step_moves_every_parameter_by_about_eta() {
    // m̂ = g and v̂ = g² at t = 1, so the step is η·g/(|g| + ε): η against the gradient's
    // sign, whatever the gradient's size (and nothing where it is 0).
    let epsilon = 1e-15;
    let rule = Rule::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon,
    };
    let mut article = article_file();
    article["input"] = json!([0.0, 0.1]); // w1 and w3 (from i1) get no gradient
    article["biases"] = json!([[0.35, 0.3], [0.6, 0.5]]);
    let article = Network::from_json_str(&article.to_string()).unwrap().0;
    let networks = [
        (article, 0.5),
        (
            common::build(
                &[3, 4, 2],
                &[Activation::Tanh, Activation::Sigmoid],
                true,
                0.01,
                5,
            ),
            0.01,
        ),
        (
            common::build(
                &[2, 3, 3, 2],
                &[Activation::Sigmoid, Activation::Tanh, Activation::Sigmoid],
                false,
                0.2,
                6,
            ),
            0.2,
        ),
    ];
    let (mut moved, mut still) = (0, 0);
    for (base, eta) in networks {
        let mut file: Value = serde_json::from_str(&base.to_json_pretty()).unwrap();
        file["optimizer"] = rule.json();
        let mut net = Network::from_json_str(&file.to_string()).unwrap().0;
        let model = Model::new(&net, rule, true);
        let (_, gw, gb) = model.gradients();
        let (before_w, before_b) = (model.w.clone(), model.b.clone());
        let (input, target) = (net.input.clone(), net.target.clone());
        let mut ws = Workspace::new(&net);
        engine::step(
            &mut net,
            &input,
            &target,
            UpdateOrder::Simultaneous,
            true,
            &mut ws,
            &mut NoRecorder,
        );
        let after_b: Vec<Vec<f64>> = net.biases.iter().map(|b| b.values().to_vec()).collect();
        let mut check = |name: String, before: f64, after: f64, g: f64| {
            let change = after - before;
            if g == 0.0 {
                assert_eq!(after, before, "{name}: no gradient, yet it moved");
                still += 1;
            } else {
                assert!(
                    g.abs() > 1e-7,
                    "{name}: gradient {g:e} too small for the check"
                );
                assert!(
                    (change.abs() - eta).abs() <= 1e-6 * eta,
                    "{name}: moved by {change:e}, η = {eta}"
                );
                assert!(change * g < 0.0, "{name}: moved with the gradient {g:e}");
                moved += 1;
            }
        };
        for l in 0..before_w.len() {
            for i in 0..before_w[l].len() {
                let name = model.weight_name(l, i);
                check(name, before_w[l][i], net.weights[l][i], gw[l][i]);
            }
            for j in 0..before_b[l].len() {
                let name = model.bias_name(l, j);
                check(name, before_b[l][j], after_b[l][j], gb[l][j]);
            }
        }
    }
    assert_eq!(still, 2, "the article's w1 and w3, whose input is 0");
    assert!(moved >= 50, "only {moved} parameters moved");
}

#[test]
fn a_traced_iteration_of_every_optimizer_verifies() {
    // `verify` on one traced iteration of each optimizer, from a non-zero state.
    let dir = common::scratch();
    for rule in RULES {
        let net = trained(rule, false, true, 2);
        let trace: Trace = engine::trace_iteration(
            &net,
            &Options {
                update_biases: true,
                ..Options::default()
            },
        );
        let path = dir.path().join("trace.json");
        std::fs::write(&path, trace.to_json_pretty()).unwrap();
        let out = backprop(&["verify", s(&path)]);
        assert!(
            out.status.success(),
            "{rule:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_value_of_the_state_is_a_given_value_of_the_trace() {
    // The state before the iteration is where each update starts from: a derivation of v⁺
    // ends at v, so each value must be in the trace, the biases' only when they are trained.
    for rule in RULES {
        for update_biases in [false, true] {
            let net = trained(rule, false, update_biases, 2);
            let trace = engine::trace_iteration(
                &net,
                &Options {
                    update_biases,
                    ..Options::default()
                },
            );
            let values = &trace.iterations[0].values;
            let states = || {
                values
                    .iter()
                    .filter(|v| v.formula.starts_with("optimizer_state."))
            };
            let state = &net.optimizer_state;
            let keys: &[&str] = if rule.adam() {
                &["m", "v"]
            } else {
                &["velocity"]
            };
            let mut want = HashMap::new();
            if rule.adam() {
                want.insert("optimizer_state.step".to_string(), state.step as f64);
            }
            for (n, key) in keys.iter().enumerate() {
                let (weights, biases) = if n == 0 {
                    (&state.first, &state.bias_first)
                } else {
                    (&state.second, &state.bias_second)
                };
                let kinds = [("weights", weights), ("biases", biases)];
                for (kind, lists) in &kinds[..1 + usize::from(update_biases)] {
                    for (l, values) in lists.iter().enumerate() {
                        for (i, &x) in values.iter().enumerate() {
                            want.insert(format!("optimizer_state.{key}.{kind}[{l}][{i}]"), x);
                        }
                    }
                }
            }
            let what = format!("{rule:?}, update_biases {update_biases}");
            assert!(want.len() > 10, "{what}: {want:?}");
            let have: HashMap<String, f64> =
                states().map(|v| (v.formula.clone(), v.value)).collect();
            assert_eq!(have, want, "{what}");
            // Each is in the layer of the weight or bias it is the state of (read from that
            // parameter's own given value: `optimizer_state.m.weights[0][3]` is in the layer of
            // `weights[0][3]`), so a table or a drawing groups them together.
            let layer_of = |formula: &str| {
                let v = values.iter().find(|v| v.formula == formula);
                v.unwrap_or_else(|| panic!("{what}: no {formula}")).layer
            };
            for state in states() {
                let parameter = &state.formula["optimizer_state.".len()..];
                // `m.weights[0][3]` → `weights[0][3]`; the step count belongs to no layer.
                match parameter.split_once('.') {
                    Some((_, field)) => {
                        assert_eq!(state.layer, layer_of(field), "{what}: {}", state.formula)
                    }
                    None => assert_eq!(state.layer, None, "{what}: {}", state.formula),
                }
            }
        }
    }
}
