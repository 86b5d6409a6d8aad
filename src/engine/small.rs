//! The untraced iteration of a small sigmoid network with one hidden layer (each layer at
//! most 4 neurons, the article's 2-2-2 among them), with every value in local arrays of
//! constant size: what a hand-written loop does, so that training runs at its speed. It
//! performs exactly the operations of the recording engine, in the same order (the same
//! sums, from the same starting values), so every value is bit for bit the same: a test in
//! the engine checks it for every shape, both orders, with and without bias updates.

use super::Workspace;
use crate::loss::Loss;
use crate::network::{Activation, Bias, Network};
use crate::optimizer::Optimizer;
use crate::trace::UpdateOrder;

/// One untraced iteration, if `net` is small enough for a constant-size copy; `None` leaves
/// it to the general engine.
#[inline(always)]
pub(super) fn step(
    net: &mut Network,
    input: &[f64],
    target: &[f64],
    order: UpdateOrder,
    update_biases: bool,
    ws: &mut Workspace,
) -> Option<f64> {
    if net.layers.len() != 3
        || net.activations.iter().any(|&a| a != Activation::Sigmoid)
        || net.loss != Loss::HalfSquaredError
        || net.optimizer != Optimizer::Sgd
    {
        return None;
    }
    let sequential = order == UpdateOrder::Sequential;
    macro_rules! shapes {
        ($(($i:literal, $h:literal, $o:literal)),*) => {
            match (net.layers[0], net.layers[1], net.layers[2]) {
                $(($i, $h, $o) => Some(kernel::<$i, $h, $o>(
                    net, input, target, sequential, update_biases, ws,
                )),)*
                _ => None,
            }
        };
    }
    shapes!(
        (1, 1, 1),
        (1, 1, 2),
        (1, 1, 3),
        (1, 1, 4),
        (1, 2, 1),
        (1, 2, 2),
        (1, 2, 3),
        (1, 2, 4),
        (1, 3, 1),
        (1, 3, 2),
        (1, 3, 3),
        (1, 3, 4),
        (1, 4, 1),
        (1, 4, 2),
        (1, 4, 3),
        (1, 4, 4),
        (2, 1, 1),
        (2, 1, 2),
        (2, 1, 3),
        (2, 1, 4),
        (2, 2, 1),
        (2, 2, 2),
        (2, 2, 3),
        (2, 2, 4),
        (2, 3, 1),
        (2, 3, 2),
        (2, 3, 3),
        (2, 3, 4),
        (2, 4, 1),
        (2, 4, 2),
        (2, 4, 3),
        (2, 4, 4),
        (3, 1, 1),
        (3, 1, 2),
        (3, 1, 3),
        (3, 1, 4),
        (3, 2, 1),
        (3, 2, 2),
        (3, 2, 3),
        (3, 2, 4),
        (3, 3, 1),
        (3, 3, 2),
        (3, 3, 3),
        (3, 3, 4),
        (3, 4, 1),
        (3, 4, 2),
        (3, 4, 3),
        (3, 4, 4),
        (4, 1, 1),
        (4, 1, 2),
        (4, 1, 3),
        (4, 1, 4),
        (4, 2, 1),
        (4, 2, 2),
        (4, 2, 3),
        (4, 2, 4),
        (4, 3, 1),
        (4, 3, 2),
        (4, 3, 3),
        (4, 3, 4),
        (4, 4, 1),
        (4, 4, 2),
        (4, 4, 3),
        (4, 4, 4)
    )
}

/// A layer's biases as one value per neuron (a shared bias repeated).
#[inline(always)]
fn biases<const N: usize>(bias: &Bias) -> [f64; N] {
    let mut b = [0.0; N];
    for (j, b) in b.iter_mut().enumerate() {
        *b = bias.get(j);
    }
    b
}

/// The iteration of an I-H-O sigmoid network; see the general engine for each formula.
#[inline(always)]
fn kernel<const I: usize, const H: usize, const O: usize>(
    net: &mut Network,
    input: &[f64],
    target: &[f64],
    sequential: bool,
    update_biases: bool,
    ws: &mut Workspace,
) -> f64 {
    let sigmoid = Activation::Sigmoid;
    let x: [f64; I] = input.try_into().expect("one value per input");
    let t: [f64; O] = target.try_into().expect("one value per output");
    let w1: [[f64; I]; H] = rows(&net.weights[0]);
    let w2: [[f64; H]; O] = rows(&net.weights[1]);
    let b1: [f64; H] = biases(&net.biases[0]);
    let b2: [f64; O] = biases(&net.biases[1]);
    let eta = net.learning_rate;

    // Step 1, the forward pass. (Plain loops over arrays: std::array::from_fn is not
    // always inlined, and a call per neuron costs what this function exists to save.)
    let (mut net_h, mut out_h) = ([0.0; H], [0.0; H]);
    for j in 0..H {
        net_h[j] = w1[j].iter().zip(&x).map(|(w, x)| w * x).sum::<f64>() + b1[j];
        out_h[j] = sigmoid.apply(net_h[j]);
    }
    let (mut net_o, mut out_o) = ([0.0; O], [0.0; O]);
    for j in 0..O {
        net_o[j] = w2[j].iter().zip(&out_h).map(|(w, x)| w * x).sum::<f64>() + b2[j];
        out_o[j] = sigmoid.apply(net_o[j]);
    }

    // The error.
    let mut e_total = 0.0;
    for j in 0..O {
        e_total += 0.5 * (t[j] - out_o[j]) * (t[j] - out_o[j]);
    }

    // Step 2, the output layer: δ_o = −(target − out)·out(1 − out), w⁺ = w − η·δ_o·out_h.
    let mut delta_o = [0.0; O];
    let mut new_w2 = [[0.0; H]; O];
    for j in 0..O {
        let de_dout = -(t[j] - out_o[j]);
        delta_o[j] = de_dout * sigmoid.derivative(net_o[j], out_o[j]);
        for k in 0..H {
            new_w2[j][k] = w2[j][k] - eta * (delta_o[j] * out_h[k]);
        }
    }

    // The hidden layer: ∂E_total/∂out_h = Σ_o δ_o·w_ho, through w2 or (sequential) new_w2.
    let w_above = if sequential { &new_w2 } else { &w2 };
    let mut delta_h = [0.0; H];
    let mut new_w1 = [[0.0; I]; H];
    for j in 0..H {
        let mut de_dout = 0.0;
        for m in 0..O {
            de_dout += delta_o[m] * w_above[m][j];
        }
        delta_h[j] = de_dout * sigmoid.derivative(net_h[j], out_h[j]);
        for k in 0..I {
            new_w1[j][k] = w1[j][k] - eta * (delta_h[j] * x[k]);
        }
    }

    write_rows(&mut net.weights[1], &new_w2);
    write_rows(&mut net.weights[0], &new_w1);
    if update_biases {
        update_bias(&mut net.biases[1], &delta_o, eta);
        update_bias(&mut net.biases[0], &delta_h, eta);
    }
    // The workspace holds this pass's values, as after the general engine.
    ws.out[0][..I].copy_from_slice(&x);
    ws.out[1][..H].copy_from_slice(&out_h);
    ws.out[2][..O].copy_from_slice(&out_o);
    ws.net[0][..H].copy_from_slice(&net_h);
    ws.net[1][..O].copy_from_slice(&net_o);
    ws.delta[0][..H].copy_from_slice(&delta_h);
    ws.delta[1][..O].copy_from_slice(&delta_o);
    e_total
}

#[inline(always)]
fn rows<const N: usize, const M: usize>(flat: &[f64]) -> [[f64; N]; M] {
    let mut rows = [[0.0; N]; M];
    for (j, row) in rows.iter_mut().enumerate() {
        row.copy_from_slice(&flat[j * N..(j + 1) * N]);
    }
    rows
}

#[inline(always)]
fn write_rows<const N: usize, const M: usize>(flat: &mut [f64], rows: &[[f64; N]; M]) {
    for (j, row) in rows.iter().enumerate() {
        flat[j * N..(j + 1) * N].copy_from_slice(row);
    }
}

/// b⁺ = b − η·∂E_total/∂b: δ for a neuron's own bias, Σ δ for a shared one.
#[inline(always)]
fn update_bias(bias: &mut Bias, deltas: &[f64], eta: f64) {
    match bias {
        Bias::PerNeuron(b) => {
            for (b, d) in b.iter_mut().zip(deltas) {
                *b -= eta * d;
            }
        }
        Bias::Shared(b) => {
            let mut gradient = 0.0;
            for d in deltas {
                gradient += d;
            }
            *b -= eta * gradient;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_network_takes_the_fast_path_and_others_the_general_engine() {
        // The fast path gives the general engine's numbers bit for bit (tested in the
        // engine), so only this says that it is taken: the article's training speed in
        // the README rests on it.
        let run = |net: &mut Network| {
            let (input, target) = (net.input.clone(), net.target.clone());
            let mut ws = Workspace::new(net);
            step(
                net,
                &input,
                &target,
                UpdateOrder::Simultaneous,
                false,
                &mut ws,
            )
        };
        let mut article = Network::article();
        let e_total = run(&mut article).expect("the article's network is small");
        assert_eq!(format!("{e_total:.9}"), "0.298371109");
        assert_eq!(format!("{:.8}", article.weights[1][0]), "0.35891648");
        let mut tanh = Network::article();
        tanh.activations = vec![Activation::Tanh; 2];
        assert_eq!(run(&mut tanh), None);
        assert_eq!(tanh.weights, Network::article().weights, "left untouched");
    }
}
