//! The instrumented engine: one training iteration (forward pass, error, backward pass,
//! update) for any fully-connected network, recording every value it computes through a
//! [`Recorder`]. The same code runs with recording on (for `show`, a [`TraceRecorder`]) and
//! off ([`NoRecorder`]): a value's description is built in a closure that only a recording
//! recorder calls, so the untraced path formats and allocates nothing per value. Untraced,
//! small layers run copies of the same layer code with constant sizes, and a small
//! one-hidden-layer sigmoid network runs `small`, a constant-size copy of the iteration
//! that a test holds bit for bit to the recording path: training runs near the speed of a
//! hand-written loop.

mod small;

use crate::network::{Activation, Bias, Drawn, Network};
use crate::notation::Notation;
use crate::number;
use crate::optimizer::{self, Corrections, Optimizer, Update};
use crate::trace::tree::{self, Building, Formula};
use crate::trace::{
    Draw, FORMAT_NAME, FORMAT_VERSION, Iteration, Options, Parameter, Role, Stage, Trace,
    TracedValue, UpdateOrder,
};

/// Where the engine sends each value it computes.
pub trait Recorder {
    /// Whether this recorder keeps anything. When it does not, the engine runs copies of its
    /// loops specialised for small layers (see `small_sizes!`): the same code, with the
    /// sizes known to the compiler, so the untraced path runs at straight-line speed.
    const RECORDS: bool = true;

    /// Receives one value; `describe` fills in its symbol and formula when called.
    fn record(
        &mut self,
        stage: Stage,
        layer: Option<usize>,
        value: f64,
        describe: impl FnOnce(&mut Entry<'_>),
    );

    /// The sample the values recorded from now on belong to, in an iteration over a batch
    /// (`None`: the batch's own values, or a one-sample iteration).
    #[inline(always)]
    fn sample(&mut self, _sample: Option<usize>) {}

    /// Receives ∂E_total/∂w of a weight, or ∂E_total/∂b of a trained bias, as the backward
    /// pass computes it (the value `record` gets as `dE_total/dw5`), by position: for a
    /// recorder that wants the gradients alone (the gradient check), with no symbol built.
    #[inline(always)]
    fn gradient(&mut self, _param: Param, _value: f64) {}
}

/// A weight or a bias by position, as [`Recorder::gradient`] names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// Weight `index` of weight layer `layer` (0-based; the order of the file's `weights`).
    Weight { layer: usize, index: usize },
    /// Bias `index` of weight layer `layer` (0 for a bias the layer shares).
    Bias { layer: usize, index: usize },
}

/// Records nothing: training at full speed.
pub struct NoRecorder;

impl Recorder for NoRecorder {
    const RECORDS: bool = false;

    #[inline(always)]
    fn record(&mut self, _: Stage, _: Option<usize>, _: f64, _: impl FnOnce(&mut Entry<'_>)) {}
}

/// The description of one value, filled in by the engine: its role (from which its symbol
/// is printed) and its formula, built as a tree whose leaves are its operands' roles and
/// values (the formula and the substituted formula are printed from the tree).
pub struct Entry<'a> {
    /// The network's names, for printing symbols.
    pub names: &'a Notation,
    /// The sample the value belongs to, in a batch: a per-sample operand's symbol gets its
    /// suffix (`out_h1[s2]`).
    sample: Option<usize>,
    role: Option<Role>,
    /// For a given value, the network-file field it was read from.
    field: Option<String>,
    formula: Option<Building>,
    value: f64,
    /// The seed of a given value drawn because the file left it out.
    drawn: Option<u64>,
}

impl Entry<'_> {
    /// Sets what the value is.
    pub fn role(&mut self, role: Role) -> &mut Self {
        self.role = Some(role);
        self
    }

    /// An operand of the formula: the value `value` of `role` (of this value's sample, in a
    /// batch, if it is a per-sample value).
    pub fn op(&self, role: Role, value: f64) -> Building {
        self.op_in(role, self.sample, value)
    }

    /// An operand of the formula: the value `value` of `role` of `sample` (`None`: the
    /// batch's).
    pub fn op_in(&self, role: Role, sample: Option<usize>, value: f64) -> Building {
        tree::operand(symbol_in(role, sample, self.names), value)
    }

    /// Sets the value's formula.
    pub fn formula(&mut self, formula: Building) {
        self.formula = Some(formula);
    }

    /// A given value: read from the network-file field `field`.
    fn given(&mut self, role: Role, field: String) {
        self.role = Some(role);
        self.field = Some(field);
    }

    /// Marks a given value as drawn with `seed` (when there is one), not read from its field.
    fn drawn_with(&mut self, seed: Option<u64>) {
        self.drawn = seed;
    }
}

/// The symbol of `role` for `sample`: with the sample's suffix (`out_h1[s2]`) when the role
/// is a per-sample one.
fn symbol_in(role: Role, sample: Option<usize>, names: &Notation) -> String {
    let mut symbol = role.symbol(names);
    if let Some(s) = sample.filter(|_| role.per_sample()) {
        symbol.push_str(&crate::trace::sample_suffix(s));
    }
    symbol
}

/// Builds the description of recorded values: what every recorder that keeps values shares
/// (the in-memory [`TraceRecorder`], and the JSON writer that streams each value as it comes,
/// `render::stream`).
pub struct Describer {
    names: Notation,
    precision: usize,
    /// The sample the values now recorded belong to (see [`Recorder::sample`]).
    sample: Option<usize>,
}

impl Describer {
    /// A describer for `net`, writing substituted numbers with `precision` digits.
    pub fn new(net: &Network, precision: usize) -> Describer {
        Describer {
            names: Notation::new(net),
            precision,
            sample: None,
        }
    }

    /// The sample the values recorded from now on belong to.
    pub fn set_sample(&mut self, sample: Option<usize>) {
        self.sample = sample;
    }

    /// Fills `slot` with one recorded value, reusing the buffers of the value it held.
    pub fn fill(
        &self,
        slot: &mut TracedValue,
        stage: Stage,
        layer: Option<usize>,
        value: f64,
        describe: impl FnOnce(&mut Entry<'_>),
    ) {
        let mut entry = Entry {
            names: &self.names,
            sample: self.sample,
            role: None,
            field: None,
            formula: None,
            value,
            drawn: None,
        };
        describe(&mut entry);
        let role = entry.role.expect("every recorded value has a role");
        let mut formula = std::mem::take(&mut slot.formula);
        let mut substituted = std::mem::take(&mut slot.substituted);
        let mut from = std::mem::take(&mut slot.from);
        let tree = match (entry.formula, entry.field) {
            (Some(built), _) => {
                let printed = built.print(self.precision, formula, substituted, from);
                (formula, substituted, from) = (printed.formula, printed.substituted, printed.from);
                Some(printed.tree)
            }
            (None, field) => {
                formula.clear();
                formula.push_str(field.as_deref().unwrap_or_default());
                substituted.clear();
                number::push_compact(&mut substituted, entry.value, self.precision);
                from.clear();
                None
            }
        };
        let sample = self.sample.filter(|_| role.per_sample());
        *slot = TracedValue {
            symbol: symbol_in(role, sample, &self.names),
            role: Some(role),
            stage,
            layer,
            formula,
            expr: tree,
            substituted,
            value,
            from,
            drawn: entry.drawn.map(|seed| Draw { seed }),
            sample,
        };
    }
}

/// An empty value, to be filled by [`Describer::fill`].
pub fn blank_value() -> TracedValue {
    TracedValue {
        symbol: String::new(),
        role: None,
        expr: None,
        stage: Stage::Given,
        layer: None,
        formula: String::new(),
        substituted: String::new(),
        value: 0.0,
        from: Vec::new(),
        drawn: None,
        sample: None,
    }
}

/// Records every value into a list, in order. Cleared and refilled, it reuses the strings of
/// the values it held, so a run recording every iteration allocates little per value.
pub struct TraceRecorder {
    describer: Describer,
    /// The recorded values are `values[..len]`; those after are kept for their buffers.
    values: Vec<TracedValue>,
    len: usize,
}

impl TraceRecorder {
    /// A recorder for `net`, writing substituted numbers with `precision` digits.
    pub fn new(net: &Network, precision: usize) -> TraceRecorder {
        TraceRecorder {
            describer: Describer::new(net, precision),
            values: Vec::new(),
            len: 0,
        }
    }

    /// The values recorded so far.
    pub fn values(&self) -> &[TracedValue] {
        &self.values[..self.len]
    }

    /// Forgets the values recorded so far (keeping their buffers for the next ones).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The values recorded so far.
    pub fn into_values(mut self) -> Vec<TracedValue> {
        self.values.truncate(self.len);
        self.values
    }
}

impl Recorder for TraceRecorder {
    fn sample(&mut self, sample: Option<usize>) {
        self.describer.set_sample(sample);
    }

    fn record(
        &mut self,
        stage: Stage,
        layer: Option<usize>,
        value: f64,
        describe: impl FnOnce(&mut Entry<'_>),
    ) {
        if self.len == self.values.len() {
            self.values.push(blank_value());
        }
        let slot = &mut self.values[self.len];
        self.describer.fill(slot, stage, layer, value, describe);
        self.len += 1;
    }
}

/// Buffers reused from one iteration to the next, so training allocates nothing per step.
pub struct Workspace {
    /// net of every neuron, per weight layer.
    net: Vec<Vec<f64>>,
    /// out of every neuron, per layer; `out[0]` is the input.
    out: Vec<Vec<f64>>,
    /// δ of every neuron, per weight layer.
    delta: Vec<Vec<f64>>,
    /// ∂E_total/∂out of every output (kept for a softmax layer, whose δs need them all).
    d_out: Vec<f64>,
    /// The updated weights, kept apart until the iteration ends (see [`UpdateOrder`]).
    new_weights: Vec<Vec<f64>>,
    /// The updated biases.
    new_biases: Vec<Bias>,
    /// The optimizer's updated state, kept apart as the weights are.
    new_state: optimizer::State,
    /// In an iteration over a batch: each sample's gradients, in the order the backward pass
    /// computes them (by layer from the output back, each neuron's weights and then its own
    /// bias, a shared bias after its layer's neurons); summed over the samples by the update.
    sample_gradients: Vec<Vec<f64>>,
    /// Each sample's E_total, in a batch.
    sample_errors: Vec<f64>,
}

impl Workspace {
    /// Buffers sized for `net`.
    pub fn new(net: &Network) -> Workspace {
        Workspace {
            net: net.layers[1..].iter().map(|&n| vec![0.0; n]).collect(),
            out: net.layers.iter().map(|&n| vec![0.0; n]).collect(),
            delta: net.layers[1..].iter().map(|&n| vec![0.0; n]).collect(),
            d_out: vec![0.0; net.layers[net.depth()]],
            new_weights: net.weights.clone(),
            new_biases: net.biases.clone(),
            new_state: net.optimizer_state.clone(),
            sample_gradients: Vec::new(),
            sample_errors: Vec::new(),
        }
    }

    /// The outputs of the last forward pass.
    #[inline]
    pub fn outputs(&self) -> &[f64] {
        self.out.last().expect("a network has an output layer")
    }
}

/// Calls `$f(args…, act, n_in, n_out)`. When `$records` is false and the layer is a small
/// sigmoid layer (the article's kind), each size has its own arm with the activation and the
/// sizes as constants: the compiler then unrolls the loops of the (inlined) layer function
/// and drops the activation's dispatch, so the untraced iteration of the article's network
/// runs close to straight-line code. Every arm runs the same source, so the arithmetic, and
/// so every value, is the same in all of them.
macro_rules! small_sizes {
    ($records:expr, $act:expr, $n_in:expr, $n_out:expr, $f:ident($($arg:expr),*)) => {
        match ($records, $act, $n_in, $n_out) {
            (false, Activation::Sigmoid, 1, 1) => $f($($arg,)* Activation::Sigmoid, 1, 1),
            (false, Activation::Sigmoid, 1, 2) => $f($($arg,)* Activation::Sigmoid, 1, 2),
            (false, Activation::Sigmoid, 1, 3) => $f($($arg,)* Activation::Sigmoid, 1, 3),
            (false, Activation::Sigmoid, 1, 4) => $f($($arg,)* Activation::Sigmoid, 1, 4),
            (false, Activation::Sigmoid, 2, 1) => $f($($arg,)* Activation::Sigmoid, 2, 1),
            (false, Activation::Sigmoid, 2, 2) => $f($($arg,)* Activation::Sigmoid, 2, 2),
            (false, Activation::Sigmoid, 2, 3) => $f($($arg,)* Activation::Sigmoid, 2, 3),
            (false, Activation::Sigmoid, 2, 4) => $f($($arg,)* Activation::Sigmoid, 2, 4),
            (false, Activation::Sigmoid, 3, 1) => $f($($arg,)* Activation::Sigmoid, 3, 1),
            (false, Activation::Sigmoid, 3, 2) => $f($($arg,)* Activation::Sigmoid, 3, 2),
            (false, Activation::Sigmoid, 3, 3) => $f($($arg,)* Activation::Sigmoid, 3, 3),
            (false, Activation::Sigmoid, 3, 4) => $f($($arg,)* Activation::Sigmoid, 3, 4),
            (false, Activation::Sigmoid, 4, 1) => $f($($arg,)* Activation::Sigmoid, 4, 1),
            (false, Activation::Sigmoid, 4, 2) => $f($($arg,)* Activation::Sigmoid, 4, 2),
            (false, Activation::Sigmoid, 4, 3) => $f($($arg,)* Activation::Sigmoid, 4, 3),
            (false, Activation::Sigmoid, 4, 4) => $f($($arg,)* Activation::Sigmoid, 4, 4),
            (_, act, n_in, n_out) => $f($($arg,)* act, n_in, n_out),
        }
    };
}

mod batch;
pub use batch::{batch_step, trace_batch_step};

/// Step 1, the forward pass. `after` names the values with a `+` (the pass with the
/// updated weights, in the summary); `biases_updated` says whether the biases got one too.
// Neuron indices name the neurons in the recorded symbols, so the loops count them.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn forward<R: Recorder>(
    net: &Network,
    input: &[f64],
    ws: &mut Workspace,
    rec: &mut R,
    stage: Stage,
    after: bool,
    biases_updated: bool,
) {
    copy_small(&mut ws.out[0], input);
    for l in 0..net.depth() {
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        small_sizes!(
            R::RECORDS,
            net.activations[l],
            n_in,
            n_out,
            forward_layer(net, l, ws, rec, stage, after, biases_updated)
        );
    }
}

/// `to.copy_from_slice(from)`, without a call to memmove for the few inputs of a small
/// network (a measurable share of an untraced 2-2-2 iteration).
#[inline(always)]
fn copy_small(to: &mut [f64], from: &[f64]) {
    match (to, from) {
        ([a], [x]) => *a = *x,
        ([a, b], [x, y]) => (*a, *b) = (*x, *y),
        ([a, b, c], [x, y, z]) => (*a, *b, *c) = (*x, *y, *z),
        (to, from) => to.copy_from_slice(from),
    }
}

/// One weight layer of the forward pass: net and out of each neuron of layer `l + 1`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_layer<R: Recorder>(
    net: &Network,
    l: usize,
    ws: &mut Workspace,
    rec: &mut R,
    stage: Stage,
    after: bool,
    biases_updated: bool,
    act: Activation,
    n_in: usize,
    n_out: usize,
) {
    {
        let (before, rest) = ws.out.split_at_mut(l + 1);
        let a = &before[l][..n_in];
        let out = &mut rest[0][..n_out];
        let weights = &net.weights[l][..n_in * n_out];
        let nets = &mut ws.net[l][..n_out];
        let biases = net.biases[l].values();
        let bias_stride = usize::from(biases.len() > 1);
        for j in 0..n_out {
            let row = &weights[j * n_in..(j + 1) * n_in];
            // A shared bias is one value for every j: index 0.
            let b = biases[j * bias_stride];
            // net_h1 = w1*i1 + w2*i2 + b1*1
            let sum = row.iter().zip(a).map(|(w, x)| w * x).sum::<f64>() + b;
            nets[j] = sum;
            // In the summary's pass, the weights (and trained biases) are the updated ones.
            let weight = |index| {
                let of = Parameter::Weight {
                    layer: l + 1,
                    index,
                };
                if after {
                    Role::Updated { of }
                } else {
                    of.given()
                }
            };
            let bias = Parameter::Bias {
                layer: l + 1,
                index: j * bias_stride,
            };
            let bias = if after && biases_updated {
                Role::Updated { of: bias }
            } else {
                bias.given()
            };
            rec.record(stage, Some(l + 1), sum, |e| {
                let terms = (0..n_in).map(|k| {
                    Formula::product([
                        e.op(weight(j * n_in + k), row[k]),
                        e.op(Role::output_of(l, k, after), a[k]),
                    ])
                });
                let bias_term = Formula::product([e.op(bias, b), Formula::One]);
                let formula = Formula::sum(terms.chain([bias_term]));
                e.role(Role::Net {
                    layer: l + 1,
                    neuron: j,
                    updated: after,
                })
                .formula(formula);
            });
            if act == Activation::Softmax {
                // The layer's outs need every net: they follow the loop.
                continue;
            }
            // out_h1 = f(net_h1)
            let o = act.apply(sum);
            out[j] = o;
            rec.record(stage, Some(l + 1), o, |e| {
                let net = e.op(
                    Role::Net {
                        layer: l + 1,
                        neuron: j,
                        updated: after,
                    },
                    sum,
                );
                let formula = match act {
                    Activation::Sigmoid => Formula::of(Formula::Sigmoid, net),
                    Activation::Tanh => Formula::of(Formula::Tanh, net),
                    Activation::Relu => Formula::of(Formula::Relu, net),
                    Activation::Linear => net,
                    Activation::Softmax => unreachable!("the softmax is applied to the layer"),
                };
                e.role(Role::output_of(l + 1, j, after)).formula(formula);
            });
        }
        if act == Activation::Softmax {
            softmax_layer(l + 1, nets, out, rec, stage, after);
        }
    }
}

/// The outs of a softmax layer from its nets: out_o1 = e^(net_o1 − net_max) / Σ_j e^(net_j −
/// net_max). The largest net is subtracted first so that no e^x overflows (the quotient is
/// the same as e^net_o1 / Σ e^net_j), and the trace records it, and the sum, as values of
/// their own.
fn softmax_layer<R: Recorder>(
    layer: usize,
    nets: &[f64],
    out: &mut [f64],
    rec: &mut R,
    stage: Stage,
    after: bool,
) {
    let (max, sum) = crate::network::softmax(nets, out);
    let net = |j: usize| Role::Net {
        layer,
        neuron: j,
        updated: after,
    };
    let (max_role, sum_role) = (
        Role::NetMax {
            layer,
            updated: after,
        },
        Role::ExpSum {
            layer,
            updated: after,
        },
    );
    rec.record(stage, Some(layer), max, |e| {
        let formula = Formula::Max(
            nets.iter()
                .enumerate()
                .map(|(j, &x)| e.op(net(j), x))
                .collect(),
        );
        e.role(max_role).formula(formula);
    });
    // e^(net_o1 − net_max), as an operand of the sum and of the out.
    let shifted = |e: &Entry<'_>, j: usize| {
        Formula::of(
            Formula::Exp,
            Formula::difference(e.op(net(j), nets[j]), e.op(max_role, max)),
        )
    };
    rec.record(stage, Some(layer), sum, |e| {
        let formula = Formula::sum((0..nets.len()).map(|j| shifted(e, j)));
        e.role(sum_role).formula(formula);
    });
    for (j, &o) in out.iter().enumerate() {
        rec.record(stage, Some(layer), o, |e| {
            let formula = Formula::quotient(shifted(e, j), e.op(sum_role, sum));
            e.role(Role::output_of(layer, j, after)).formula(formula);
        });
    }
}

/// The error: each output's term of the network's loss (the article's E_o1 = ½(target_o1 −
/// out_o1)²), and E_total, their sum.
#[inline(always)]
fn error<R: Recorder>(
    net: &Network,
    target: &[f64],
    ws: &Workspace,
    rec: &mut R,
    stage: Stage,
    after: bool,
) -> f64 {
    let last = net.depth();
    let outputs = ws.outputs();
    let (loss, n) = (net.loss, outputs.len());
    let mut total = 0.0;
    for (j, (&t, &o)) in target.iter().zip(outputs).enumerate() {
        let e_o = loss.term(t, o, n);
        total += e_o;
        rec.record(stage, None, e_o, |e| {
            let formula = loss.term_formula(
                e.op(Role::Target { neuron: j }, t),
                || e.op(Role::output_of(last, j, after), o),
                n,
            );
            e.role(Role::LossTerm {
                neuron: j,
                updated: after,
            })
            .formula(formula);
        });
    }
    rec.record(stage, None, total, |e| {
        let terms = target.iter().zip(outputs).enumerate().map(|(j, (&t, &o))| {
            let role = Role::LossTerm {
                neuron: j,
                updated: after,
            };
            e.op(role, loss.term(t, o, n))
        });
        let formula = Formula::sum(terms);
        e.role(Role::Loss { updated: after }).formula(formula);
    });
    total
}

/// Step 2, the backward pass and the update, from the output layer back to the first hidden
/// layer. The new weights go to `ws.new_weights` and replace the old ones at the end; with
/// [`UpdateOrder::Sequential`] each layer's deltas are taken through the already-updated
/// weights of the layer above it, as the article's code did.
///
/// Every weight of every layer gets its new value written, so the buffers need no copy of
/// the old ones first (the untraced path is meant to run a million times a second).
#[inline(always)]
fn backward<R: Recorder>(
    net: &mut Network,
    target: &[f64],
    order: UpdateOrder,
    update_biases: bool,
    ws: &mut Workspace,
    rec: &mut R,
) {
    let sequential = order == UpdateOrder::Sequential;
    let c = net.optimizer.corrections(net.optimizer_state.step);
    record_step(net, c, Stage::OutputLayer, rec);
    backward_layers(net, target, sequential, update_biases, c, None, ws, rec);
    finish_update(net, update_biases, ws);
}

/// Every weight layer's backward pass, from the output layer back (see [`backward_layer`]):
/// with its updates, or (`pass` is a sample's position in a batch) its gradients kept for the
/// batch's update.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn backward_layers<R: Recorder>(
    net: &Network,
    target: &[f64],
    sequential: bool,
    update_biases: bool,
    c: Corrections,
    pass: Option<usize>,
    ws: &mut Workspace,
    rec: &mut R,
) {
    for l in (0..net.depth()).rev() {
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        small_sizes!(
            R::RECORDS,
            net.activations[l],
            n_in,
            n_out,
            backward_layer(net, target, l, sequential, update_biases, c, pass, ws, rec)
        );
    }
}

/// The iteration's updates become the network's: the new weights (and trained biases), and
/// the optimizer's new state. Every weight's new value (and every trained bias's, and their
/// states) was written, so swapping the buffers is the whole update.
fn finish_update(net: &mut Network, update_biases: bool, ws: &mut Workspace) {
    std::mem::swap(&mut net.weights, &mut ws.new_weights);
    if update_biases {
        std::mem::swap(&mut net.biases, &mut ws.new_biases);
    }
    if net.optimizer.has_state() {
        // Adam counts its steps (momentum needs no count).
        let step = match net.optimizer {
            Optimizer::Adam { .. } => net.optimizer_state.step.saturating_add(1),
            _ => net.optimizer_state.step,
        };
        std::mem::swap(&mut net.optimizer_state, &mut ws.new_state);
        net.optimizer_state.step = step;
    }
}

/// Weight layer `l`'s optimizer state, of its weights and of its biases: as it was (`old`)
/// and where the updated one goes (`new`).
fn layer_states<'a>(
    old: &'a optimizer::State,
    new: &'a mut optimizer::State,
    l: usize,
) -> (LayerState<'a>, LayerState<'a>) {
    let optimizer::State {
        first,
        second,
        bias_first,
        bias_second,
        ..
    } = new;
    (
        LayerState {
            first: old.first.get(l).map_or(&[], |v| v),
            second: old.second.get(l).map_or(&[], |v| v),
            new_first: first.get_mut(l).map_or(&mut [], |v| v),
            new_second: second.get_mut(l).map_or(&mut [], |v| v),
        },
        LayerState {
            first: old.bias_first.get(l).map_or(&[], |v| v),
            second: old.bias_second.get(l).map_or(&[], |v| v),
            new_first: bias_first.get_mut(l).map_or(&mut [], |v| v),
            new_second: bias_second.get_mut(l).map_or(&mut [], |v| v),
        },
    )
}

/// One weight layer of the backward pass and its update (see [`backward`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn backward_layer<R: Recorder>(
    net: &Network,
    target: &[f64],
    l: usize,
    sequential: bool,
    update_biases: bool,
    c: Corrections,
    pass: Option<usize>,
    ws: &mut Workspace,
    rec: &mut R,
    act: Activation,
    n_in: usize,
    n_out: usize,
) {
    // In a batch (`pass` is the sample's position in it): the gradients are kept for the
    // batch's update, and nothing is updated here.
    let mut gradients = pass.map(|pos| &mut ws.sample_gradients[pos]);
    let depth = net.depth();
    let eta = net.learning_rate;
    let opt = net.optimizer;
    let (mut state, mut bias_state) = layer_states(&net.optimizer_state, &mut ws.new_state, l);
    let stage = if l + 1 == depth {
        Stage::OutputLayer
    } else {
        Stage::HiddenLayer
    };
    let layer = Some(l + 1);
    let out_prev = &ws.out[l][..n_in];
    let out_here = &ws.out[l + 1][..n_out];
    let net_here = &ws.net[l][..n_out];
    let old_weights = &net.weights[l][..n_in * n_out];
    let old_biases = &net.biases[l];
    let (new_here, new_above) = ws.new_weights.split_at_mut(l + 1);
    let new_weights = &mut new_here[l][..n_in * n_out];
    // The weights from this layer to the next, as the chain rule uses them.
    let w_above: &[f64] = match (new_above.first(), sequential) {
        (Some(updated), true) => updated,
        (Some(_), false) => &net.weights[l + 1],
        (None, _) => &[],
    };
    let new_bias = &mut ws.new_biases[l];
    let (delta_here, delta_above) = ws.delta.split_at_mut(l + 1);
    let delta_here = &mut delta_here[l][..n_out];
    let deltas_above: &[f64] = delta_above.first().map_or(&[], |d| d);
    let output = l + 1 == depth;
    let softmax = act == Activation::Softmax;
    let d_out = &mut ws.d_out[..];
    if softmax {
        // Each δ of a softmax layer needs every ∂E_total/∂out of it: they come first.
        for (j, (g, &o)) in d_out.iter_mut().zip(out_here).enumerate() {
            *g = record_d_out(net, target, j, o, stage, rec);
        }
    }
    let mut bias_gradient = 0.0;
    for j in 0..n_out {
        let out_j = out_here[j];
        let net_j = net_here[j];
        // δ, and the two factors of the article's chain (∂E_total/∂out · ∂out/∂net) where
        // it has them; a softmax layer's δ sums over its derivative matrix instead.
        let (delta, factors) = if softmax {
            (softmax_delta(l + 1, j, out_here, d_out, stage, rec), None)
        } else {
            let de_dout = if output {
                // ∂E_total/∂out_o1: for the article's loss, −(target_o1 − out_o1)
                record_d_out(net, target, j, out_j, stage, rec)
            } else {
                // ∂E_total/∂out_h1 = Σ_o δ_o·w_ho: each output's share, through the weights
                // the forward pass used (or, sequentially, the already-updated ones).
                let mut sum = 0.0;
                for (m, &d) in deltas_above.iter().enumerate() {
                    let wi = m * n_out + j;
                    let w = w_above[wi];
                    // The weight as the chain rule uses it: the original, or sequentially the
                    // updated one.
                    let of = Parameter::Weight {
                        layer: l + 2,
                        index: wi,
                    };
                    let weight = if sequential {
                        Role::Updated { of }
                    } else {
                        of.given()
                    };
                    let dnet_dout = Role::DNetDOut {
                        layer: l + 1,
                        neuron: j,
                        above: m,
                    };
                    rec.record(stage, layer, w, |e| {
                        let formula = e.op(weight, w);
                        e.role(dnet_dout).formula(formula);
                    });
                    let share = d * w;
                    rec.record(stage, layer, share, |e| {
                        let delta = Role::Delta {
                            layer: l + 2,
                            neuron: m,
                        };
                        let formula = Formula::product([e.op(delta, d), e.op(dnet_dout, w)]);
                        e.role(Role::Share {
                            layer: l + 1,
                            neuron: j,
                            above: m,
                        })
                        .formula(formula);
                    });
                    sum += share;
                }
                rec.record(stage, layer, sum, |e| {
                    let shares = deltas_above.iter().enumerate().map(|(m, &d)| {
                        let share = Role::Share {
                            layer: l + 1,
                            neuron: j,
                            above: m,
                        };
                        e.op(share, d * w_above[m * n_out + j])
                    });
                    let formula = Formula::sum(shares);
                    e.role(Role::DLossDOut {
                        layer: l + 1,
                        neuron: j,
                    })
                    .formula(formula);
                });
                sum
            };

            // ∂out/∂net: for the sigmoid, out(1 − out)
            let dout_dnet = act.derivative(net_j, out_j);
            rec.record(stage, layer, dout_dnet, |e| {
                let out = || e.op(Role::output_of(l + 1, j, false), out_j);
                let formula = match act {
                    Activation::Sigmoid => {
                        Formula::product([out(), Formula::difference(Formula::One, out())])
                    }
                    Activation::Tanh => {
                        Formula::difference(Formula::One, Formula::of(Formula::Square, out()))
                    }
                    Activation::Relu => {
                        let net = Role::Net {
                            layer: l + 1,
                            neuron: j,
                            updated: false,
                        };
                        Formula::of(Formula::Step, e.op(net, net_j))
                    }
                    Activation::Linear => Formula::One,
                    Activation::Softmax => unreachable!("a softmax layer's δ has its own route"),
                };
                e.role(Role::DOutDNet {
                    layer: l + 1,
                    neuron: j,
                })
                .formula(formula);
            });

            // δ = ∂E_total/∂out · ∂out/∂net = ∂E_total/∂net
            let delta = de_dout * dout_dnet;
            let (de_dout_role, dout_dnet_role) = (
                Role::DLossDOut {
                    layer: l + 1,
                    neuron: j,
                },
                Role::DOutDNet {
                    layer: l + 1,
                    neuron: j,
                },
            );
            rec.record(stage, layer, delta, |e| {
                let formula = Formula::product([
                    e.op(de_dout_role, de_dout),
                    e.op(dout_dnet_role, dout_dnet),
                ]);
                e.role(Role::Delta {
                    layer: l + 1,
                    neuron: j,
                })
                .formula(formula);
            });
            (delta, Some((de_dout, dout_dnet)))
        };
        delta_here[j] = delta;
        if output && net.loss.has_shortcut() {
            record_shortcut(l + 1, j, out_j, target[j], stage, rec);
        }

        let row = j * n_in..(j + 1) * n_in;
        let weights = old_weights[row.clone()].iter().zip(&mut new_weights[row]);
        for (k, ((&old, new_w), &a)) in weights.zip(out_prev).enumerate() {
            let wi = j * n_in + k;
            // ∂net_o1/∂w5 = out_h1
            let dnet_dw = Role::DNetDWeight {
                layer: l + 1,
                index: wi,
            };
            rec.record(stage, layer, a, |e| {
                let formula = e.op(Role::output_of(l, k, false), a);
                e.role(dnet_dw).formula(formula);
            });
            // ∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5
            let gradient = delta * a;
            rec.gradient(
                Param::Weight {
                    layer: l,
                    index: wi,
                },
                gradient,
            );
            let of = Parameter::Weight {
                layer: l + 1,
                index: wi,
            };
            rec.record(stage, layer, gradient, |e| {
                let formula = match factors {
                    Some((de_dout, dout_dnet)) => Formula::product([
                        e.op(
                            Role::DLossDOut {
                                layer: l + 1,
                                neuron: j,
                            },
                            de_dout,
                        ),
                        e.op(
                            Role::DOutDNet {
                                layer: l + 1,
                                neuron: j,
                            },
                            dout_dnet,
                        ),
                        e.op(dnet_dw, a),
                    ]),
                    // ∂E_total/∂w = δ_o1 · ∂net_o1/∂w
                    None => Formula::product([
                        e.op(
                            Role::Delta {
                                layer: l + 1,
                                neuron: j,
                            },
                            delta,
                        ),
                        e.op(dnet_dw, a),
                    ]),
                };
                e.role(Role::Gradient { of }).formula(formula);
            });
            if let Some(kept) = gradients.as_deref_mut() {
                kept.push(gradient);
                continue;
            }
            // w5⁺ = w5 − η·∂E_total/∂w5, or the optimizer's update
            let u = apply_update(
                rec,
                stage,
                layer,
                of,
                old,
                gradient,
                eta,
                opt,
                c,
                state.at(wi),
            );
            *new_w = u.new;
            state.set(wi, u);
        }

        if update_biases {
            match new_bias {
                // A bias of its own: ∂E_total/∂b = δ·1
                Bias::PerNeuron(new_b) => {
                    let old = old_biases.get(j);
                    record_bias_gradient(rec, stage, l, Some(j), delta, &[delta]);
                    if let Some(kept) = gradients.as_deref_mut() {
                        kept.push(delta);
                        continue;
                    }
                    let of = Parameter::Bias {
                        layer: l + 1,
                        index: j,
                    };
                    let at = bias_state.at(j);
                    let u = apply_update(rec, stage, layer, of, old, delta, eta, opt, c, at);
                    new_b[j] = u.new;
                    bias_state.set(j, u);
                }
                Bias::Shared(_) => bias_gradient += delta,
            }
        }
    }
    if update_biases && let Bias::Shared(new_b) = new_bias {
        // A shared bias enters every neuron's net: ∂E_total/∂b = Σ δ·1
        let old = old_biases.get(0);
        record_bias_gradient(rec, stage, l, None, bias_gradient, delta_here);
        if let Some(kept) = gradients {
            kept.push(bias_gradient);
            return;
        }
        let of = Parameter::Bias {
            layer: l + 1,
            index: 0,
        };
        let at = bias_state.at(0);
        let u = apply_update(rec, stage, layer, of, old, bias_gradient, eta, opt, c, at);
        *new_b = u.new;
        bias_state.set(0, u);
    }
}

/// ∂E_total/∂out of output `j`, recorded with the loss's formula; returns it.
fn record_d_out<R: Recorder>(
    net: &Network,
    target: &[f64],
    j: usize,
    out_j: f64,
    stage: Stage,
    rec: &mut R,
) -> f64 {
    let (loss, last, n) = (net.loss, net.depth(), target.len());
    let g = loss.d_out(target[j], out_j, n);
    rec.record(stage, Some(last), g, |e| {
        let formula = loss.d_out_formula(
            e.op(Role::Target { neuron: j }, target[j]),
            || e.op(Role::output_of(last, j, false), out_j),
            n,
            (target[j], out_j),
        );
        e.role(Role::DLossDOut {
            layer: last,
            neuron: j,
        })
        .formula(formula);
    });
    g
}

/// δ of neuron `k` of a softmax layer: every out of the layer depends on net_k, so the chain
/// rule sums over all of them, δ_k = Σ_j ∂E_total/∂out_j · ∂out_j/∂net_k, with ∂out_j/∂net_k
/// = out_j(1 − out_k) when j = k and −out_j·out_k otherwise (the derivative is a matrix,
/// not the sigmoid's single out(1 − out)). Records each entry of the matrix's column k, then
/// δ_k; `d_out` holds ∂E_total/∂out of each output.
fn softmax_delta<R: Recorder>(
    layer: usize,
    k: usize,
    outs: &[f64],
    d_out: &[f64],
    stage: Stage,
    rec: &mut R,
) -> f64 {
    let out = |e: &Entry<'_>, j: usize| e.op(Role::output_of(layer, j, false), outs[j]);
    let entry = |j: usize| {
        if j == k {
            outs[j] * (1.0 - outs[k])
        } else {
            -(outs[j] * outs[k])
        }
    };
    let jacobian = |j: usize| Role::SoftmaxDerivative {
        layer,
        neuron: j,
        by: k,
    };
    let mut delta = 0.0;
    for (j, &g) in d_out.iter().enumerate() {
        let d = entry(j);
        rec.record(stage, Some(layer), d, |e| {
            let formula = if j == k {
                Formula::product([out(e, j), Formula::difference(Formula::One, out(e, k))])
            } else {
                Formula::of(Formula::Negation, Formula::product([out(e, j), out(e, k)]))
            };
            e.role(jacobian(j)).formula(formula);
        });
        delta += g * d;
    }
    rec.record(stage, Some(layer), delta, |e| {
        let terms = d_out.iter().enumerate().map(|(j, &g)| {
            let d_loss = Role::DLossDOut { layer, neuron: j };
            Formula::product([e.op(d_loss, g), e.op(jacobian(j), entry(j))])
        });
        let formula = Formula::sum(terms);
        e.role(Role::Delta { layer, neuron: k }).formula(formula);
    });
    delta
}

/// δ of an output by the shortcut its loss and activation allow together: out − target.
/// (Cross-entropy with softmax: Σ_j (−t_j/out_j)·out_j(δ_jk − out_k) = out_k·Σ_j t_j − t_k,
/// and the targets sum to 1. Binary cross-entropy with sigmoid: (out − t)/(out(1 − out)) ·
/// out(1 − out).) Recorded beside δ, so that a student sees the two routes agree.
fn record_shortcut<R: Recorder>(
    layer: usize,
    j: usize,
    out: f64,
    target: f64,
    stage: Stage,
    rec: &mut R,
) {
    rec.record(stage, Some(layer), out - target, |e| {
        let formula = Formula::difference(
            e.op(Role::output_of(layer, j, false), out),
            e.op(Role::Target { neuron: j }, target),
        );
        e.role(Role::DeltaShortcut { layer, neuron: j })
            .formula(formula);
    });
}

/// Records ∂E_total/∂b for one bias: a neuron's own (`neuron` is `Some`) or a layer's
/// shared one, whose gradient sums the deltas of the layer.
fn record_bias_gradient<R: Recorder>(
    rec: &mut R,
    stage: Stage,
    l: usize,
    neuron: Option<usize>,
    gradient: f64,
    deltas: &[f64],
) {
    let layer = Some(l + 1);
    let j = neuron.unwrap_or(0);
    rec.gradient(Param::Bias { layer: l, index: j }, gradient);
    let of = Parameter::Bias {
        layer: l + 1,
        index: j,
    };
    rec.record(stage, layer, gradient, |e| {
        let terms = deltas.iter().enumerate().map(|(m, &d)| {
            let delta = Role::Delta {
                layer: l + 1,
                neuron: neuron.unwrap_or(m),
            };
            Formula::product([e.op(delta, d), Formula::One])
        });
        // One neuron's own bias: δ·1, a single term, not a sum of one.
        let mut terms: Vec<Building> = terms.collect();
        let formula = if terms.len() == 1 {
            terms.remove(0)
        } else {
            Formula::Sum(terms)
        };
        e.role(Role::Gradient { of }).formula(formula);
    });
}

/// One weight layer's optimizer state: what it was before the iteration, and where the
/// updated state goes (empty slices for plain gradient descent, which keeps none).
struct LayerState<'a> {
    first: &'a [f64],
    second: &'a [f64],
    new_first: &'a mut [f64],
    new_second: &'a mut [f64],
}

impl LayerState<'_> {
    /// The state of parameter `i` before the iteration (0 where there is none).
    #[inline(always)]
    fn at(&self, i: usize) -> (f64, f64) {
        (
            self.first.get(i).copied().unwrap_or(0.0),
            self.second.get(i).copied().unwrap_or(0.0),
        )
    }

    /// Keeps the state `u` leaves for parameter `i`.
    #[inline(always)]
    fn set(&mut self, i: usize, u: Update) {
        if let Some(x) = self.new_first.get_mut(i) {
            *x = u.first;
        }
        if let Some(x) = self.new_second.get_mut(i) {
            *x = u.second;
        }
    }
}

/// Updates one parameter `of` (at `old`, with `gradient`) with the network's optimizer and
/// records each value on the way: w⁺ for plain gradient descent; v⁺ (and Nesterov's
/// direction) and w⁺ for momentum; m⁺, v⁺, m̂, v̂ and w⁺ for Adam. `state` is the
/// parameter's optimizer state before the iteration.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn apply_update<R: Recorder>(
    rec: &mut R,
    stage: Stage,
    layer: Option<usize>,
    of: Parameter,
    old: f64,
    gradient: f64,
    eta: f64,
    opt: Optimizer,
    c: Corrections,
    state: (f64, f64),
) -> Update {
    let u = opt.step(old, gradient, eta, state.0, state.1, c);
    let grad = Role::Gradient { of };
    // w5⁺ = w5 − η·(the step's direction)
    let updated = |e: &mut Entry<'_>, direction: Building| {
        let formula = Formula::difference(
            e.op(of.given(), old),
            Formula::product([e.op(Role::LearningRate, eta), direction]),
        );
        e.role(Role::Updated { of }).formula(formula);
    };
    match opt {
        Optimizer::Sgd => rec.record(stage, layer, u.new, |e| {
            let direction = e.op(grad, gradient);
            updated(e, direction);
        }),
        Optimizer::Momentum { beta, nesterov } => {
            // v⁺ = β·v + ∂E_total/∂w
            let v_new = Role::Velocity { of, updated: true };
            rec.record(stage, layer, u.first, |e| {
                let formula = Formula::sum([
                    Formula::product([
                        e.op(Role::Beta, beta),
                        e.op(Role::Velocity { of, updated: false }, state.0),
                    ]),
                    e.op(grad, gradient),
                ]);
                e.role(v_new).formula(formula);
            });
            if nesterov {
                // Nesterov (PyTorch's form): the step looks ahead, ∂E_total/∂w + β·v⁺.
                let g = Role::NesterovGradient { of };
                rec.record(stage, layer, u.direction, |e| {
                    let formula = Formula::sum([
                        e.op(grad, gradient),
                        Formula::product([e.op(Role::Beta, beta), e.op(v_new, u.first)]),
                    ]);
                    e.role(g).formula(formula);
                });
                rec.record(stage, layer, u.new, |e| {
                    let direction = e.op(g, u.direction);
                    updated(e, direction);
                });
            } else {
                rec.record(stage, layer, u.new, |e| {
                    let direction = e.op(v_new, u.first);
                    updated(e, direction);
                });
            }
        }
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        } => {
            let (m_new, v_new) = (
                Role::FirstMoment { of, updated: true },
                Role::SecondMoment { of, updated: true },
            );
            // m⁺ = β1·m + (1 − β1)·∂E_total/∂w
            rec.record(stage, layer, u.first, |e| {
                let formula = Formula::sum([
                    Formula::product([
                        e.op(Role::Beta1, beta1),
                        e.op(Role::FirstMoment { of, updated: false }, state.0),
                    ]),
                    Formula::product([
                        Formula::difference(Formula::One, e.op(Role::Beta1, beta1)),
                        e.op(grad, gradient),
                    ]),
                ]);
                e.role(m_new).formula(formula);
            });
            // v⁺ = β2·v + (1 − β2)·(∂E_total/∂w)²
            rec.record(stage, layer, u.second, |e| {
                let formula = Formula::sum([
                    Formula::product([
                        e.op(Role::Beta2, beta2),
                        e.op(Role::SecondMoment { of, updated: false }, state.1),
                    ]),
                    Formula::product([
                        Formula::difference(Formula::One, e.op(Role::Beta2, beta2)),
                        Formula::of(Formula::Square, e.op(grad, gradient)),
                    ]),
                ]);
                e.role(v_new).formula(formula);
            });
            // m̂ = m⁺/(1 − β1ᵗ), v̂ = v⁺/(1 − β2ᵗ): the bias correction
            let (m_hat, v_hat) = (Role::FirstMomentHat { of }, Role::SecondMomentHat { of });
            rec.record(stage, layer, u.direction, |e| {
                let formula = Formula::quotient(
                    e.op(m_new, u.first),
                    e.op(Role::BiasCorrection { moment: 1 }, c.first),
                );
                e.role(m_hat).formula(formula);
            });
            rec.record(stage, layer, u.second_hat, |e| {
                let formula = Formula::quotient(
                    e.op(v_new, u.second),
                    e.op(Role::BiasCorrection { moment: 2 }, c.second),
                );
                e.role(v_hat).formula(formula);
            });
            // w⁺ = w − η·m̂/(√v̂ + ε)
            rec.record(stage, layer, u.new, |e| {
                let direction = Formula::quotient(
                    e.op(m_hat, u.direction),
                    Formula::sum([
                        Formula::of(Formula::Sqrt, e.op(v_hat, u.second_hat)),
                        e.op(Role::Epsilon, epsilon),
                    ]),
                );
                updated(e, direction);
            });
        }
    }
    u
}

/// Adam's values of the whole iteration, before its first update: the step t⁺ = t + 1 and
/// the bias corrections 1 − β1ᵗ and 1 − β2ᵗ at it.
fn record_step<R: Recorder>(net: &Network, c: Corrections, stage: Stage, rec: &mut R) {
    let Optimizer::Adam { beta1, beta2, .. } = net.optimizer else {
        return;
    };
    let layer = Some(net.depth());
    let t = net.optimizer_state.step as f64;
    let t_new = Role::Step { updated: true };
    rec.record(stage, layer, t + 1.0, |e| {
        let formula = Formula::sum([e.op(Role::Step { updated: false }, t), Formula::One]);
        e.role(t_new).formula(formula);
    });
    for (moment, beta, role, value) in [
        (1, beta1, Role::Beta1, c.first),
        (2, beta2, Role::Beta2, c.second),
    ] {
        rec.record(stage, layer, value, |e| {
            let formula = Formula::difference(
                Formula::One,
                Formula::Power(Box::new(e.op(role, beta)), Box::new(e.op(t_new, t + 1.0))),
            );
            e.role(Role::BiasCorrection { moment }).formula(formula);
        });
    }
}

/// One training iteration on `net` with the sample (`input`, `target`): forward pass, error,
/// backward pass, update. Returns E_total before the update. The weights (and, if
/// `update_biases`, the biases) of `net` are updated in place.
pub fn step<R: Recorder>(
    net: &mut Network,
    input: &[f64],
    target: &[f64],
    order: UpdateOrder,
    update_biases: bool,
    ws: &mut Workspace,
    rec: &mut R,
) -> f64 {
    mark_updated(net, update_biases);
    if !R::RECORDS
        && let Some(e_total) = small::step(net, input, target, order, update_biases, ws)
    {
        return e_total;
    }
    forward(net, input, ws, rec, Stage::Forward, false, false);
    let e_total = error(net, target, ws, rec, Stage::Error, false);
    backward(net, target, order, update_biases, ws, rec);
    e_total
}

/// An iteration replaces the weights (and the biases, when trained): from now on they are
/// its results, no longer the values drawn for what the file left out.
fn mark_updated(net: &mut Network, update_biases: bool) {
    net.drawn.weights = false;
    net.drawn.biases &= !update_biases;
}

/// E_total of `net` on one sample, without recording.
pub fn total_error(net: &Network, input: &[f64], target: &[f64], ws: &mut Workspace) -> f64 {
    forward(
        net,
        input,
        ws,
        &mut NoRecorder,
        Stage::Forward,
        false,
        false,
    );
    error(net, target, ws, &mut NoRecorder, Stage::Error, false)
}

/// Records the values read from the network file, so that every symbol a formula uses has
/// a recorded value (the leaves of every derivation).
/// `sample` is the index of the sample in the file's `samples`, when it came from there: the
/// given values then name their field `samples[1].input[0]`.
fn record_given<R: Recorder>(
    net: &Network,
    input: &[f64],
    target: &[f64],
    sample: Option<usize>,
    rec: &mut R,
) {
    let from_sample = |field: String| match sample {
        Some(s) => format!("samples[{s}].{field}"),
        None => field,
    };
    record_given_sample(net, input, target, &from_sample, rec);
    record_given_shared(net, rec);
}

/// The given values of one sample: its inputs and targets, each named by `field`.
fn record_given_sample<R: Recorder>(
    net: &Network,
    input: &[f64],
    target: &[f64],
    from_sample: &dyn Fn(String) -> String,
    rec: &mut R,
) {
    let depth = net.depth();
    for (k, &x) in input.iter().enumerate() {
        rec.record(Stage::Given, Some(0), x, |e| {
            e.given(
                Role::Input { neuron: k },
                from_sample(format!("input[{k}]")),
            )
        });
    }
    for (j, &t) in target.iter().enumerate() {
        rec.record(Stage::Given, Some(depth), t, |e| {
            e.given(
                Role::Target { neuron: j },
                from_sample(format!("target[{j}]")),
            )
        });
    }
}

/// The given values every sample shares: the weights, the biases, η and the optimizer's.
fn record_given_shared<R: Recorder>(net: &Network, rec: &mut R) {
    // Values the file left out were drawn from the seed; once an update has replaced them
    // (`net.drawn` is cleared then), they are the previous iteration's results.
    let weights_seed = net.seed.filter(|_| net.drawn.weights);
    let biases_seed = net.seed.filter(|_| net.drawn.biases);
    for (l, weights) in net.weights.iter().enumerate() {
        for (i, &w) in weights.iter().enumerate() {
            rec.record(Stage::Given, Some(l + 1), w, |e| {
                let role = Role::Weight {
                    layer: l + 1,
                    index: i,
                };
                e.given(role, format!("weights[{l}][{i}]"));
                e.drawn_with(weights_seed);
            });
        }
    }
    for (l, bias) in net.biases.iter().enumerate() {
        for (j, &b) in bias.values().iter().enumerate() {
            let field = match bias {
                Bias::Shared(_) => format!("biases[{l}]"),
                Bias::PerNeuron(_) => format!("biases[{l}][{j}]"),
            };
            rec.record(Stage::Given, Some(l + 1), b, |e| {
                let role = Role::Bias {
                    layer: l + 1,
                    index: j,
                };
                e.given(role, field);
                e.drawn_with(biases_seed);
            });
        }
    }
    let eta = net.learning_rate;
    rec.record(Stage::Given, None, eta, |e| {
        e.given(Role::LearningRate, "learning_rate".to_string())
    });
    record_optimizer_given(net, rec);
}

/// The optimizer's settings and its state before the iteration, as given values: β (or β1,
/// β2, ε and the step count t), and each parameter's velocity (or m and v). A bias's state
/// only when the biases are trained.
fn record_optimizer_given<R: Recorder>(net: &Network, rec: &mut R) {
    let (settings, moments): (Vec<(Role, &str, f64)>, &[&str]) = match net.optimizer {
        Optimizer::Sgd => return,
        Optimizer::Momentum { beta, .. } => (vec![(Role::Beta, "beta", beta)], &["velocity"]),
        Optimizer::Adam {
            beta1,
            beta2,
            epsilon,
        } => (
            vec![
                (Role::Beta1, "beta1", beta1),
                (Role::Beta2, "beta2", beta2),
                (Role::Epsilon, "epsilon", epsilon),
            ],
            &["m", "v"],
        ),
    };
    for (role, key, value) in settings {
        rec.record(Stage::Given, None, value, |e| {
            e.given(role, format!("optimizer.{key}"))
        });
    }
    let state = &net.optimizer_state;
    if matches!(net.optimizer, Optimizer::Adam { .. }) {
        rec.record(Stage::Given, None, state.step as f64, |e| {
            e.given(
                Role::Step { updated: false },
                "optimizer_state.step".to_string(),
            )
        });
    }
    for (n, &key) in moments.iter().enumerate() {
        let (weights, biases) = if n == 0 {
            (&state.first, &state.bias_first)
        } else {
            (&state.second, &state.bias_second)
        };
        let role = |of: Parameter| match (net.optimizer, n) {
            (Optimizer::Momentum { .. }, _) => Role::Velocity { of, updated: false },
            (_, 0) => Role::FirstMoment { of, updated: false },
            _ => Role::SecondMoment { of, updated: false },
        };
        // A bias's state only when the biases are trained.
        let parts = [("weights", weights, false), ("biases", biases, true)];
        for (kind, lists, bias) in parts.into_iter().take(1 + usize::from(net.update_biases)) {
            for (l, values) in lists.iter().enumerate() {
                for (index, &x) in values.iter().enumerate() {
                    rec.record(Stage::Given, Some(l + 1), x, |e| {
                        let layer = l + 1;
                        let of = if bias {
                            Parameter::Bias { layer, index }
                        } else {
                            Parameter::Weight { layer, index }
                        };
                        e.given(
                            role(of),
                            format!("optimizer_state.{key}.{kind}[{l}][{index}]"),
                        )
                    });
                }
            }
        }
    }
}

/// Runs one recorded iteration of `network` and returns its trace: the given values, the
/// forward pass, the error, the backward pass with every update, and the forward pass and
/// error again with the updated weights (`E_total+`).
///
/// ```
/// use backprop_tracer::{engine, network::Network, trace::Options};
///
/// let trace = engine::trace_iteration(&Network::article(), &Options::default());
/// let iteration = trace.first();
/// let gradient = iteration.get("dE_total/dw5").unwrap();
/// assert_eq!(gradient.formula, "dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5");
/// assert_eq!(format!("{:.9}", gradient.value), "0.082167041");
/// assert_eq!(format!("{:.9}", iteration.get("E_total+").unwrap().value), "0.291027774");
/// ```
pub fn trace_iteration(network: &Network, options: &Options) -> Trace {
    let start = trace_start(network.clone(), options);
    let mut net = start.clone();
    let mut rec = TraceRecorder::new(&start, options.precision);
    record_first_iteration(&mut net, options, &mut rec);
    let values = rec.into_values();
    Trace {
        format: FORMAT_NAME.to_string(),
        version: FORMAT_VERSION,
        // In the file form the trace writes, the drawn values are written out: each given
        // value's `drawn` says where it came from, and the trace reads back identical.
        network: Network {
            drawn: Drawn::default(),
            ..start
        },
        options: options.clone(),
        iterations: vec![Iteration {
            iteration: 1,
            values,
        }],
    }
}

/// The network a trace of `network` starts from (its `network` field): `network` with the
/// options' `update_biases`.
pub fn trace_start(mut network: Network, options: &Options) -> Network {
    network.update_biases = options.update_biases;
    network
}

/// What [`trace_iteration`] records, sent to `rec` instead of kept: the one iteration of
/// `net` (as [`trace_start`] makes it, updated in place) on its input, or on its first sample
/// when it has samples. A recorder that writes each value as it comes (`render::stream`)
/// traces a network of any size in constant memory.
pub fn record_first_iteration<R: Recorder>(net: &mut Network, options: &Options, rec: &mut R) {
    let mut ws = Workspace::new(net);
    if net.batch_size > 1 {
        // The first batch: the first `batch_size` samples.
        let batch: Vec<usize> = (0..net.batch_size).collect();
        batch::record_batch_iteration(net, &batch, options, &mut ws, rec);
        return;
    }
    let (input, target) = (net.input.clone(), net.target.clone());
    // A file with samples: its first.
    let sample = (!net.samples.is_empty()).then_some(0);
    record_iteration(net, &input, &target, sample, options, &mut ws, rec);
}

/// One recorded training iteration of `net` on the sample (`input`, `target`; `sample` is
/// its index in the network's `samples`, if it is one of them), updating
/// `net` in place: the given values (the weights as they are before it), the forward pass,
/// the error, the backward pass with every update, and the forward pass and error again with
/// the updated weights. `rec` is emptied and reused, so that a long run recording every
/// iteration names the network once and reuses the values' buffers.
pub fn trace_step<'r>(
    net: &mut Network,
    input: &[f64],
    target: &[f64],
    sample: Option<usize>,
    options: &Options,
    ws: &mut Workspace,
    rec: &'r mut TraceRecorder,
) -> &'r [TracedValue] {
    rec.clear();
    record_iteration(net, input, target, sample, options, ws, rec);
    rec.values()
}

/// The body of [`trace_step`], for any recorder.
fn record_iteration<R: Recorder>(
    net: &mut Network,
    input: &[f64],
    target: &[f64],
    sample: Option<usize>,
    options: &Options,
    ws: &mut Workspace,
    rec: &mut R,
) {
    record_given(net, input, target, sample, rec);
    step(
        net,
        input,
        target,
        options.update_order,
        options.update_biases,
        ws,
        rec,
    );
    forward(
        net,
        input,
        ws,
        rec,
        Stage::Summary,
        true,
        options.update_biases,
    );
    error(net, target, ws, rec, Stage::Summary, true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Random, Stream};

    /// A network of the given shape with weights, biases and a sample drawn from `seed`.
    fn network(layers: &[usize], activation: Activation, seed: u64) -> Network {
        let mut rng = Random::new(seed, Stream::InitialValues);
        let mut draw = |n: usize| (0..n).map(|_| rng.unit() * 2.0 - 1.0).collect::<Vec<_>>();
        let mut net = Network::article();
        net.layers = layers.to_vec();
        net.activations = vec![activation; layers.len() - 1];
        // Not a power of two, so that η·(δ·a) and (η·δ)·a differ.
        net.learning_rate = 0.37;
        net.weights = layers.windows(2).map(|p| draw(p[0] * p[1])).collect();
        net.biases = layers[1..]
            .iter()
            .enumerate()
            .map(|(l, &n)| {
                if l % 2 == 0 {
                    Bias::PerNeuron(draw(n))
                } else {
                    Bias::Shared(draw(1)[0])
                }
            })
            .collect();
        net.input = draw(layers[0]);
        net.target = draw(layers[layers.len() - 1]);
        net
    }

    /// The specialised untraced arms (small sigmoid layers) compute exactly what the
    /// recording path computes, bit for bit, for every small shape, both update orders, with
    /// and without bias updates.
    #[test]
    fn untraced_iterations_equal_recorded_ones_bit_for_bit() {
        let mut shapes = Vec::new();
        for i in 1..=5 {
            for h in 1..=5 {
                for o in 1..=5 {
                    shapes.push(vec![i, h, o]);
                }
            }
        }
        shapes.push(vec![2, 3, 4, 2]);
        shapes.push(vec![3, 2, 2, 2, 1]);
        for (n, layers) in shapes.iter().enumerate() {
            for activation in [Activation::Sigmoid, Activation::Tanh] {
                for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
                    for update_biases in [false, true] {
                        let start = network(layers, activation, n as u64);
                        let (mut fast, mut traced) = (start.clone(), start.clone());
                        let mut ws_fast = Workspace::new(&fast);
                        let mut ws_traced = Workspace::new(&traced);
                        let mut rec = TraceRecorder::new(&traced, 9);
                        for _ in 0..3 {
                            let e1 = step(
                                &mut fast,
                                &start.input,
                                &start.target,
                                order,
                                update_biases,
                                &mut ws_fast,
                                &mut NoRecorder,
                            );
                            let e2 = step(
                                &mut traced,
                                &start.input,
                                &start.target,
                                order,
                                update_biases,
                                &mut ws_traced,
                                &mut rec,
                            );
                            assert_eq!(e1.to_bits(), e2.to_bits(), "{layers:?}");
                        }
                        let bits = |n: &Network| {
                            let w: Vec<u64> =
                                n.weights.iter().flatten().map(|w| w.to_bits()).collect();
                            let b: Vec<u64> = n
                                .biases
                                .iter()
                                .flat_map(|b| b.values().iter().map(|v| v.to_bits()))
                                .collect();
                            (w, b)
                        };
                        assert_eq!(
                            bits(&fast),
                            bits(&traced),
                            "{layers:?} {order:?} {update_biases}"
                        );
                    }
                }
            }
        }
    }

    /// A trace reads back identical, drawn values included: its network holds them as given
    /// values (each saying it was drawn), so in the trace's network nothing is drawn.
    #[test]
    fn a_trace_of_drawn_values_reads_back_identical() {
        let text = r#"{"layers": [2, 2, 2], "input": [0.05, 0.1], "target": [0.01, 0.99]}"#;
        let net = crate::network::NetworkFile::read(text, Some(5))
            .unwrap()
            .network;
        assert!(net.drawn.weights && net.drawn.biases);
        let trace = trace_iteration(&net, &Options::default());
        assert!(trace.first().values.iter().any(|v| v.drawn.is_some()));
        let back: Trace = serde_json::from_str(&trace.to_json_pretty()).unwrap();
        assert_eq!(back, trace);
    }
}
