//! The forward pass the central differences are taken with: the check's own, apart from the
//! engine's (its own sums, in its own order), so that the two sides of the comparison share
//! no code.
//!
//! It keeps every neuron's net and out at the network's own parameters, and with one
//! parameter moved recomputes only what that parameter reaches: the net of the one neuron
//! it feeds (every neuron of the layer, for a shared bias) moves by (w' − w)·a; when one
//! neuron's out moved, the next layer's nets move by w·Δout; the layers after that are
//! recomputed; and the error is returned as its change, Σ (E_o' − E_o) over the outputs
//! that moved. A central difference then costs nothing for a weight of the last layer and
//! a few layers' sums for the others, where two full passes each would make a 10-million-
//! weight network's check take hours; and (E(w + h) − E(w − h)) is the difference of two
//! small changes rather than of two large, nearly equal totals.

use crate::engine::Param;
use crate::loss::Loss;
use crate::network::{Activation, Bias, Network};

/// A forward pass at the network's own parameters, ready to be redone from any layer.
pub struct Forward<'a> {
    net: &'a Network,
    /// The target of the sample the pass is of.
    target: &'a [f64],
    /// net of every neuron, per weight layer.
    nets: Vec<Vec<f64>>,
    /// out of every neuron, per layer; `outs[0]` is the input.
    outs: Vec<Vec<f64>>,
    /// E_o of every output.
    errors: Vec<f64>,
    /// The outs of a pass with a parameter moved (layers it rewrites whole).
    moved: Vec<Vec<f64>>,
    /// The output layer's nets with a parameter moved, for a softmax output (whose every out
    /// moves with any one net).
    moved_nets: Vec<f64>,
}

impl<'a> Forward<'a> {
    /// The full forward pass of `net` on its input.
    pub fn new(net: &'a Network) -> Forward<'a> {
        Forward::of_sample(net, &net.input, &net.target)
    }

    /// The full forward pass of `net` on the sample (`input`, `target`).
    pub fn of_sample(net: &'a Network, input: &'a [f64], target: &'a [f64]) -> Forward<'a> {
        let mut outs = vec![input.to_vec()];
        let mut nets = Vec::with_capacity(net.depth());
        for l in 0..net.depth() {
            let (n_in, act) = (net.layers[l], net.activations[l]);
            let a: &Vec<f64> = &outs[l];
            // net_h1 = w1*i1 + w2*i2 + b1*1
            let n: Vec<f64> = (0..net.layers[l + 1])
                .map(|j| dot(&net.weights[l][j * n_in..(j + 1) * n_in], a) + net.biases[l].get(j))
                .collect();
            let mut o = vec![0.0; n.len()];
            outputs(act, &n, &mut o);
            outs.push(o);
            nets.push(n);
        }
        let n_out = net.layers[net.depth()];
        let errors = target
            .iter()
            .zip(&outs[net.depth()])
            .map(|(&t, &o)| error(net.loss, t, o, n_out))
            .collect();
        Forward {
            net,
            target,
            nets,
            moved: outs.clone(),
            outs,
            errors,
            moved_nets: vec![0.0; n_out],
        }
    }

    /// The change of E_total when the output layer's nets are `moved(j, net_j)` (the net it
    /// had, moved, and where it is); `kink` is the ReLU sign change found so far.
    fn output_change(
        &mut self,
        moved: impl Fn(usize, f64) -> (f64, (usize, usize)),
        mut kink: Option<(usize, usize)>,
    ) -> (f64, Option<(usize, usize)>) {
        let net = self.net;
        let last = net.depth() - 1;
        let act = net.activations[last];
        let n_out = net.layers[last + 1];
        let mut change = 0.0;
        if act == Activation::Softmax {
            // Every out moves with any net: the layer whole, then every error.
            for (i, (now, &before)) in self.moved_nets.iter_mut().zip(&self.nets[last]).enumerate()
            {
                *now = moved(i, before).0;
            }
            let outs = &mut self.moved[last + 1];
            softmax(&self.moved_nets, outs);
            for ((&t, &o), &e) in self.target.iter().zip(outs.iter()).zip(&self.errors) {
                change += error(net.loss, t, o, n_out) - e;
            }
            return (change, kink);
        }
        for (i, (&before, (&t, &e))) in self.nets[last]
            .iter()
            .zip(self.target.iter().zip(&self.errors))
            .enumerate()
        {
            let (now, at) = moved(i, before);
            note_kink(&mut kink, act, now, before, at);
            change += error(net.loss, t, act.apply(now), n_out) - e;
        }
        (change, kink)
    }

    /// E_total at the network's own parameters.
    #[cfg(test)]
    fn e_total(&self) -> f64 {
        self.errors.iter().sum()
    }

    /// How much E_total changes when `param` is set to `value` (E(w') − E(w)), and the first
    /// ReLU neuron (layer, index) whose net input is on the other side of 0 than at the
    /// network's own parameters.
    pub fn change_with(&mut self, param: Param, value: f64) -> (f64, Option<(usize, usize)>) {
        let net = self.net;
        let depth = net.depth();
        let mut kink = None;
        // The layer whose nets the parameter moves, each by `shift`: one neuron's (`Some`),
        // or, for a shared bias, every neuron's.
        let (l, one, shift) = match param {
            Param::Weight { layer, index } => {
                let n_in = net.layers[layer];
                let (j, k) = (index / n_in, index % n_in);
                let w = net.weights[layer][index];
                (layer, Some(j), (value - w) * self.outs[layer][k])
            }
            Param::Bias { layer, index } => {
                let b = net.biases[layer].get(index);
                let one = matches!(net.biases[layer], Bias::PerNeuron(_)).then_some(index);
                (layer, one, value - b)
            }
        };
        let act = net.activations[l];
        let Some(j) = one else {
            // Every net of layer l + 1 moves by the same shift.
            let shifted = |j: usize, before: f64| (before + shift, (l + 1, j));
            return self.onward_from(l, shifted, kink);
        };
        let before = self.nets[l][j];
        if l + 1 == depth {
            if act == Activation::Softmax {
                let moved = |i: usize, net_i: f64| {
                    let now = if i == j { net_i + shift } else { net_i };
                    (now, (depth, i))
                };
                return self.output_change(moved, kink);
            }
            note_kink(&mut kink, act, before + shift, before, (l + 1, j));
            let out = act.apply(before + shift);
            // An output: the others are as they were.
            let n_out = net.layers[depth];
            return (
                error(net.loss, self.target[j], out, n_out) - self.errors[j],
                kink,
            );
        }
        note_kink(&mut kink, act, before + shift, before, (l + 1, j));
        let out = act.apply(before + shift);
        // One out moved: each net of the next layer moves by its weight times that.
        let delta = out - self.outs[l + 1][j];
        let (m, n_in) = (l + 1, net.layers[l + 1]);
        let weights = &net.weights[m];
        let moved = |i: usize, before: f64| (before + weights[i * n_in + j] * delta, (m + 1, i));
        self.onward_from(m, moved, kink)
    }

    /// Layer `m + 1` with each neuron's net given by `moved(i, net_i)` (the net it had, moved,
    /// and where it is), then the layers after it recomputed whole, the last one straight
    /// into the change of E; `kink` is the ReLU sign change found so far.
    fn onward_from(
        &mut self,
        m: usize,
        moved: impl Fn(usize, f64) -> (f64, (usize, usize)),
        mut kink: Option<(usize, usize)>,
    ) -> (f64, Option<(usize, usize)>) {
        let net = self.net;
        let depth = net.depth();
        let act = net.activations[m];
        if m + 1 == depth {
            return self.output_change(moved, kink);
        }
        for (i, (&before, o)) in self.nets[m].iter().zip(&mut self.moved[m + 1]).enumerate() {
            let (now, at) = moved(i, before);
            note_kink(&mut kink, act, now, before, at);
            *o = act.apply(now);
        }
        for m in m + 1..depth - 1 {
            let (done, rest) = self.moved.split_at_mut(m + 1);
            let found = layer(net, m, &done[m], &self.nets[m], &mut rest[0]);
            kink = kink.or(found);
        }
        // The output layer, from the moved outs of the layer before it.
        let last = depth - 1;
        let n_in = net.layers[last];
        let a = std::mem::take(&mut self.moved[last]);
        let moved = |j: usize, _: f64| {
            let row = &net.weights[last][j * n_in..(j + 1) * n_in];
            (dot(row, &a) + net.biases[last].get(j), (depth, j))
        };
        let result = self.output_change(moved, kink);
        self.moved[last] = a;
        result
    }
}

/// One output's term of E_total, written from each loss's definition (apart from
/// `crate::loss`, which the engine uses).
fn error(loss: Loss, target: f64, out: f64, n_out: usize) -> f64 {
    // t·ln(o), taken as 0 where t is 0 (the limit of t·ln t).
    let t_ln = |t: f64, o: f64| if t == 0.0 { 0.0 } else { t * o.ln() };
    match loss {
        Loss::HalfSquaredError => 0.5 * (target - out) * (target - out),
        Loss::MeanSquaredError => (target - out).powi(2) / n_out as f64,
        Loss::CrossEntropy => -t_ln(target, out),
        Loss::BinaryCrossEntropy => -t_ln(target, out) - t_ln(1.0 - target, 1.0 - out),
    }
}

/// A layer's outs from its nets: the activation of each, or the softmax of them all.
fn outputs(act: Activation, nets: &[f64], outs: &mut [f64]) {
    if act == Activation::Softmax {
        softmax(nets, outs);
    } else {
        for (o, &x) in outs.iter_mut().zip(nets) {
            *o = act.apply(x);
        }
    }
}

/// e^(net_k) / Σ_j e^(net_j), each exponent lowered by the largest net so that none
/// overflows.
fn softmax(nets: &[f64], outs: &mut [f64]) {
    let top = nets.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let mut total = 0.0;
    for (o, &x) in outs.iter_mut().zip(nets) {
        *o = (x - top).exp();
        total += *o;
    }
    for o in outs.iter_mut() {
        *o /= total;
    }
}

/// Records `at` as the kink when it is the first ReLU neuron whose net input `now` is on the
/// other side of 0 than `before`.
fn note_kink(
    kink: &mut Option<(usize, usize)>,
    act: Activation,
    now: f64,
    before: f64,
    at: (usize, usize),
) {
    if act == Activation::Relu && kink.is_none() && (now > 0.0) != (before > 0.0) {
        *kink = Some(at);
    }
}

/// Weight layer `l` of a pass with a parameter moved, on the outs `a` of the layer before:
/// each neuron's out into `outs`; returns the first ReLU neuron whose net input is on the
/// other side of 0 than `before` (the nets at the network's own parameters).
fn layer(
    net: &Network,
    l: usize,
    a: &[f64],
    before: &[f64],
    outs: &mut [f64],
) -> Option<(usize, usize)> {
    let n_in = net.layers[l];
    let act = net.activations[l];
    let mut kink = None;
    for (j, o) in outs.iter_mut().enumerate() {
        let row = &net.weights[l][j * n_in..(j + 1) * n_in];
        let now = dot(row, a) + net.biases[l].get(j);
        note_kink(&mut kink, act, now, before[j], (l + 1, j));
        *o = act.apply(now);
    }
    kink
}

/// Σ w·x in four running sums, which the processor adds side by side (one running sum
/// waits for each addition before the next): the check's passes run a few times faster.
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (w4, x4) = (w.chunks_exact(4), x.chunks_exact(4));
    let tail: f64 = w4
        .remainder()
        .iter()
        .zip(x4.remainder())
        .map(|(w, x)| w * x)
        .sum();
    for (w, x) in w4.zip(x4) {
        for i in 0..4 {
            sums[i] += w[i] * x[i];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;

    /// A network of every activation, three hidden layers, shared and per-neuron biases.
    fn network(activations: [Activation; 4]) -> Network {
        let mut net = Network::article();
        net.layers = vec![5, 4, 6, 3, 2];
        net.activations = activations.to_vec();
        let mut x = 0.37f64;
        let mut next = || {
            x = (x * 7.13 + 0.29).fract();
            x * 2.0 - 1.0
        };
        net.weights = net
            .layers
            .windows(2)
            .map(|p| (0..p[0] * p[1]).map(|_| next()).collect())
            .collect();
        net.biases = vec![
            Bias::PerNeuron((0..4).map(|_| next()).collect()),
            Bias::Shared(next()),
            Bias::PerNeuron((0..3).map(|_| next()).collect()),
            Bias::Shared(next()),
        ];
        net.input = (0..5).map(|_| next()).collect();
        net
    }

    fn every_param(net: &Network) -> Vec<Param> {
        let mut params = Vec::new();
        for (layer, w) in net.weights.iter().enumerate() {
            params.extend((0..w.len()).map(|index| Param::Weight { layer, index }));
        }
        for (layer, b) in net.biases.iter().enumerate() {
            params.extend((0..b.values().len()).map(|index| Param::Bias { layer, index }));
        }
        params
    }

    /// The change a partial pass finds is the change between two full passes (the engine's)
    /// to within the rounding of E; and it is the same however many other parameters were
    /// moved and put back before it (the buffers are restored).
    #[test]
    fn a_partial_pass_is_a_full_pass() {
        use Activation::*;
        let net = network([Relu, Tanh, Sigmoid, Linear]);
        let mut ws = engine::Workspace::new(&net);
        let mut full = |n: &Network| engine::total_error(n, &n.input, &n.target, &mut ws);
        let e = full(&net);
        let mut forward = Forward::new(&net);
        assert!(
            (forward.e_total() - e).abs() < 1e-15,
            "{}",
            forward.e_total()
        );
        let mut changes = Vec::new();
        for param in every_param(&net) {
            let mut moved = net.clone();
            let value = match param {
                Param::Weight { layer, index } => {
                    moved.weights[layer][index] += 0.125;
                    moved.weights[layer][index]
                }
                Param::Bias { layer, index } => {
                    moved.biases[layer].values_mut()[index] -= 0.25;
                    moved.biases[layer].values()[index]
                }
            };
            let (change, _) = forward.change_with(param, value);
            let expected = full(&moved) - e;
            assert!(
                (change - expected).abs() < 1e-14,
                "{param:?}: {change} {expected}"
            );
            changes.push(change.to_bits());
        }
        let mut again = Forward::new(&net);
        for (param, bits) in every_param(&net)
            .into_iter()
            .rev()
            .zip(changes.into_iter().rev())
        {
            let value = match param {
                Param::Weight { layer, index } => net.weights[layer][index] + 0.125,
                Param::Bias { layer, index } => net.biases[layer].get(index) - 0.25,
            };
            assert_eq!(
                again.change_with(param, value).0.to_bits(),
                bits,
                "{param:?}"
            );
        }
    }

    #[test]
    fn a_relu_input_crossing_zero_is_found() {
        let net = network([Activation::Relu; 4]);
        let mut forward = Forward::new(&net);
        let net_h = forward.nets[0][1];
        // Moving b1_2 by just past −net_h1_2 takes that neuron's input across 0.
        let b = net.biases[0].get(1);
        let param = Param::Bias { layer: 0, index: 1 };
        let across = b - net_h - net_h.signum() * 1e-3;
        assert_eq!(forward.change_with(param, across).1, Some((1, 1)));
        let near = b - net_h * 1e-6;
        assert_eq!(forward.change_with(param, near).1, None);
    }

    #[test]
    fn dot_adds_every_product() {
        for n in 0..12 {
            let w: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
            let x: Vec<f64> = (0..n).map(|i| 2.0 * i as f64 - 3.0).collect();
            let plain: f64 = w.iter().zip(&x).map(|(w, x)| w * x).sum();
            assert_eq!(dot(&w, &x), plain, "{n}");
        }
    }
}
