//! An iteration over a batch of samples: each sample's forward pass, error and backward pass
//! up to its own gradients (its values carry its index, `out_o1[s2]`), then the batch's
//! E_total and gradients from theirs (their mean or sum) and one update by the network's
//! optimizer. The per-sample passes are the engine's own layer code, with the update left to
//! the batch.

use super::{
    LayerState, Param, Recorder, TraceRecorder, Workspace, apply_update, backward_layers, error,
    finish_update, forward, layer_states, mark_updated, record_given_sample, record_given_shared,
    record_step,
};
use crate::network::{Bias, Network, Reduction};
use crate::trace::tree::{Building, Formula};
use crate::trace::{Options, Parameter, Role, Stage, TracedValue};

/// One training iteration over a batch, the samples `batch` (indices in `net.samples`):
/// each sample's forward pass, error and backward pass up to its own gradients (its values
/// carry its index, `out_o1[s2]`), then the batch's E_total and gradients (the mean or the sum
/// over its samples, as `net.reduction` says) and the update of every weight (and trained
/// bias) by the network's optimizer. Returns the batch's E_total before the update. The
/// update order is the simultaneous one: a batch updates once every sample's gradients are
/// known.
pub fn batch_step<R: Recorder>(
    net: &mut Network,
    batch: &[usize],
    update_biases: bool,
    ws: &mut Workspace,
    rec: &mut R,
) -> f64 {
    mark_updated(net, update_biases);
    ws.sample_gradients.resize_with(batch.len(), Vec::new);
    // The passes read the samples while the network is borrowed: held apart meanwhile (no
    // copy of each sample per iteration).
    let samples = std::mem::take(&mut net.samples);
    let mut errors = std::mem::take(&mut ws.sample_errors);
    errors.clear();
    let c = net.optimizer.corrections(net.optimizer_state.step);
    for (pos, &s) in batch.iter().enumerate() {
        ws.sample_gradients[pos].clear();
        let sample = &samples[s];
        rec.sample(Some(s));
        forward(net, &sample.input, ws, rec, Stage::Forward, false, false);
        errors.push(error(net, &sample.target, ws, rec, Stage::Error, false));
        backward_layers(
            net,
            &sample.target,
            false,
            update_biases,
            c,
            Some(pos),
            ws,
            rec,
        );
    }
    net.samples = samples;
    rec.sample(None);
    let e_total = record_batch_total(net, batch, &errors, false, rec);
    ws.sample_errors = errors;
    batch_update(net, batch, update_biases, ws, rec);
    e_total
}

/// The batch's E_total from its samples' (`errors`, in `batch`'s order): their mean or sum.
fn record_batch_total<R: Recorder>(
    net: &Network,
    batch: &[usize],
    errors: &[f64],
    updated: bool,
    rec: &mut R,
) -> f64 {
    let sum = errors.iter().sum::<f64>();
    let total = reduce(net, sum, batch.len());
    let stage = if updated {
        Stage::Summary
    } else {
        Stage::Batch
    };
    rec.record(stage, None, total, |e| {
        let terms = batch
            .iter()
            .zip(errors)
            .map(|(&s, &x)| e.op_in(Role::Loss { updated }, Some(s), x));
        let formula = reduced(net, Formula::sum(terms), batch.len());
        e.role(Role::Loss { updated }).formula(formula);
    });
    total
}

/// The batch's value from the sum of its samples': the mean or the sum.
#[inline(always)]
fn reduce(net: &Network, sum: f64, b: usize) -> f64 {
    match net.reduction {
        Reduction::Mean => sum / b as f64,
        Reduction::Sum => sum,
    }
}

/// The formula of [`reduce`] around the sum `sum`: (… + …) / B, or the sum itself.
fn reduced(net: &Network, sum: Building, b: usize) -> Building {
    match net.reduction {
        Reduction::Mean => Formula::quotient(sum, Formula::Integer(b as u32)),
        Reduction::Sum => sum,
    }
}

/// The batch's gradients and the update, in the order the backward pass computed each
/// sample's gradients (`ws.sample_gradients`): by weight layer from the output back, each
/// neuron's weights, then its own bias, a shared bias after its layer's neurons.
fn batch_update<R: Recorder>(
    net: &mut Network,
    batch: &[usize],
    update_biases: bool,
    ws: &mut Workspace,
    rec: &mut R,
) {
    let (eta, opt) = (net.learning_rate, net.optimizer);
    let c = opt.corrections(net.optimizer_state.step);
    record_step(net, c, Stage::Batch, rec);
    let mut at = 0;
    let depth = net.depth();
    let stage = Stage::Batch;
    for l in (0..depth).rev() {
        let layer = Some(l + 1);
        let (n_in, n_out) = (net.layers[l], net.layers[l + 1]);
        let (mut state, mut bias_state) = layer_states(&net.optimizer_state, &mut ws.new_state, l);
        let grads = &ws.sample_gradients;
        // The batch's gradient of the parameter whose per-sample gradients are at `at`,
        // recorded, then its update.
        let mut one = |of: Parameter, old_value: f64, at: usize, state: &mut LayerState<'_>| {
            let sum = grads.iter().map(|g| g[at]).sum::<f64>();
            let g = reduce(net, sum, batch.len());
            match of {
                Parameter::Weight { layer, index } => rec.gradient(
                    Param::Weight {
                        layer: layer - 1,
                        index,
                    },
                    g,
                ),
                Parameter::Bias { layer, index } => rec.gradient(
                    Param::Bias {
                        layer: layer - 1,
                        index,
                    },
                    g,
                ),
            }
            rec.record(stage, layer, g, |e| {
                let terms = batch
                    .iter()
                    .zip(grads)
                    .map(|(&s, gs)| e.op_in(Role::Gradient { of }, Some(s), gs[at]));
                let formula = reduced(net, Formula::sum(terms), batch.len());
                e.role(Role::Gradient { of }).formula(formula);
            });
            let i = match of {
                Parameter::Weight { index, .. } | Parameter::Bias { index, .. } => index,
            };
            let u = apply_update(
                rec,
                stage,
                layer,
                of,
                old_value,
                g,
                eta,
                opt,
                c,
                state.at(i),
            );
            state.set(i, u);
            u.new
        };
        let per_neuron = matches!(net.biases[l], Bias::PerNeuron(_));
        for j in 0..n_out {
            for k in 0..n_in {
                let wi = j * n_in + k;
                let of = Parameter::Weight {
                    layer: l + 1,
                    index: wi,
                };
                ws.new_weights[l][wi] = one(of, net.weights[l][wi], at, &mut state);
                at += 1;
            }
            if update_biases && per_neuron {
                let of = Parameter::Bias {
                    layer: l + 1,
                    index: j,
                };
                let new = one(of, net.biases[l].get(j), at, &mut bias_state);
                ws.new_biases[l].values_mut()[j] = new;
                at += 1;
            }
        }
        if update_biases && !per_neuron {
            let of = Parameter::Bias {
                layer: l + 1,
                index: 0,
            };
            let new = one(of, net.biases[l].get(0), at, &mut bias_state);
            ws.new_biases[l].values_mut()[0] = new;
            at += 1;
        }
    }
    finish_update(net, update_biases, ws);
}

/// One recorded iteration over the batch `batch` (see [`batch_step`]): each sample's given
/// values, then the weights and the rest, the iteration, and each sample's forward pass and
/// error again with the updated weights, and the batch's E_total with them.
pub(super) fn record_batch_iteration<R: Recorder>(
    net: &mut Network,
    batch: &[usize],
    options: &Options,
    ws: &mut Workspace,
    rec: &mut R,
) {
    for &s in batch {
        rec.sample(Some(s));
        let sample = net.samples[s].clone();
        let field = |f: String| format!("samples[{s}].{f}");
        record_given_sample(net, &sample.input, &sample.target, &field, rec);
    }
    rec.sample(None);
    record_given_shared(net, rec);
    batch_step(net, batch, options.update_biases, ws, rec);
    let mut after = Vec::with_capacity(batch.len());
    for &s in batch {
        rec.sample(Some(s));
        let sample = net.samples[s].clone();
        forward(
            net,
            &sample.input,
            ws,
            rec,
            Stage::Summary,
            true,
            options.update_biases,
        );
        after.push(error(net, &sample.target, ws, rec, Stage::Summary, true));
    }
    rec.sample(None);
    let _ = record_batch_total(net, batch, &after, true, rec);
}

/// [`record_batch_iteration`] into a [`TraceRecorder`], emptied first: one iteration of a
/// run recording every value, over the batch `batch`.
pub fn trace_batch_step<'r>(
    net: &mut Network,
    batch: &[usize],
    options: &Options,
    ws: &mut Workspace,
    rec: &'r mut TraceRecorder,
) -> &'r [TracedValue] {
    rec.clear();
    record_batch_iteration(net, batch, options, ws, rec);
    rec.values()
}
