//! Training speed, measured (see README, "Training runs").
use backprop_tracer::engine::{self, NoRecorder, Workspace};
use backprop_tracer::network::Network;
use backprop_tracer::trace::UpdateOrder;
use std::hint::black_box;

fn main() {
    divan::main();
}

const N: usize = 1_000_000;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The baseline: the article's 2-2-2 network trained by hand-written straight-line f64 code.
fn hand_written(n: usize, inputs: [f64; 2], targets: [f64; 2]) -> ([f64; 8], f64) {
    let [i1, i2] = inputs;
    let [t1, t2] = targets;
    let (b1, b2, eta) = (0.35, 0.60, 0.5);
    let mut w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55];
    let mut e_total = 0.0;
    for _ in 0..n {
        let h1 = sigmoid(w[0] * i1 + w[1] * i2 + b1);
        let h2 = sigmoid(w[2] * i1 + w[3] * i2 + b1);
        let o1 = sigmoid(w[4] * h1 + w[5] * h2 + b2);
        let o2 = sigmoid(w[6] * h1 + w[7] * h2 + b2);
        e_total = 0.5 * (t1 - o1) * (t1 - o1) + 0.5 * (t2 - o2) * (t2 - o2);
        let d_o1 = -(t1 - o1) * o1 * (1.0 - o1);
        let d_o2 = -(t2 - o2) * o2 * (1.0 - o2);
        let d_h1 = (d_o1 * w[4] + d_o2 * w[6]) * h1 * (1.0 - h1);
        let d_h2 = (d_o1 * w[5] + d_o2 * w[7]) * h2 * (1.0 - h2);
        w[4] -= eta * d_o1 * h1;
        w[5] -= eta * d_o1 * h2;
        w[6] -= eta * d_o2 * h1;
        w[7] -= eta * d_o2 * h2;
        w[0] -= eta * d_h1 * i1;
        w[1] -= eta * d_h1 * i2;
        w[2] -= eta * d_h2 * i1;
        w[3] -= eta * d_h2 * i2;
    }
    (w, e_total)
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_hand_written() -> ([f64; 8], f64) {
    hand_written(N, black_box([0.05, 0.10]), black_box([0.01, 0.99]))
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_engine_step() -> f64 {
    let mut net = black_box(Network::article());
    let mut ws = Workspace::new(&net);
    let (input, target) = (net.input.clone(), net.target.clone());
    let mut e = 0.0;
    for _ in 0..N {
        e = engine::step(
            &mut net,
            &input,
            &target,
            UpdateOrder::Simultaneous,
            false,
            &mut ws,
            &mut NoRecorder,
        );
    }
    e
}
