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
use crate::network::{Activation, Bias, Network};

/// A forward pass at the network's own parameters, ready to be redone from any layer.
pub struct Forward<'a> {
    net: &'a Network,
    /// net of every neuron, per weight layer.
    nets: Vec<Vec<f64>>,
    /// out of every neuron, per layer; `outs[0]` is the input.
    outs: Vec<Vec<f64>>,
    /// E_o of every output.
    errors: Vec<f64>,
    /// The outs of a pass with a parameter moved (layers it rewrites whole).
    moved: Vec<Vec<f64>>,
}

impl<'a> Forward<'a> {
    /// The full forward pass of `net` on its input.
    pub fn new(net: &'a Network) -> Forward<'a> {
        let mut outs = vec![net.input.clone()];
        let mut nets = Vec::with_capacity(net.depth());
        for l in 0..net.depth() {
            let (n_in, act) = (net.layers[l], net.activations[l]);
            let a: &Vec<f64> = &outs[l];
            // net_h1 = w1*i1 + w2*i2 + b1*1
            let n: Vec<f64> = (0..net.layers[l + 1])
                .map(|j| dot(&net.weights[l][j * n_in..(j + 1) * n_in], a) + net.biases[l].get(j))
                .collect();
            outs.push(n.iter().map(|&x| act.apply(x)).collect());
            nets.push(n);
        }
        let errors = net
            .target
            .iter()
            .zip(&outs[net.depth()])
            .map(|(&t, &o)| error(t, o))
            .collect();
        Forward {
            net,
            nets,
            moved: outs.clone(),
            outs,
            errors,
        }
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
        note_kink(&mut kink, act, before + shift, before, (l + 1, j));
        let out = act.apply(before + shift);
        if l + 1 == depth {
            // An output: the others are as they were.
            return (error(net.target[j], out) - self.errors[j], kink);
        }
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
            let mut change = 0.0;
            for (i, (&before, (&t, &e))) in self.nets[m]
                .iter()
                .zip(net.target.iter().zip(&self.errors))
                .enumerate()
            {
                let (now, at) = moved(i, before);
                note_kink(&mut kink, act, now, before, at);
                change += error(t, act.apply(now)) - e;
            }
            return (change, kink);
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
        // The output layer, summed into the change of E as it goes.
        let last = depth - 1;
        let (n_in, act) = (net.layers[last], net.activations[last]);
        let a = &self.moved[last];
        let mut change = 0.0;
        for (j, (&before, (&t, &e))) in self.nets[last]
            .iter()
            .zip(net.target.iter().zip(&self.errors))
            .enumerate()
        {
            let row = &net.weights[last][j * n_in..(j + 1) * n_in];
            let now = dot(row, a) + net.biases[last].get(j);
            note_kink(&mut kink, act, now, before, (depth, j));
            change += error(t, act.apply(now)) - e;
        }
        (change, kink)
    }
}

/// E_o = ½(target_o − out_o)².
fn error(target: f64, out: f64) -> f64 {
    0.5 * (target - out) * (target - out)
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
