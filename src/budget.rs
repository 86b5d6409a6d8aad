//! How much memory holding a network's trace takes, estimated before recording it, so that a
//! command that needs the whole trace in memory (the tables of `show`, `step`, `explain`,
//! `check`, `verify`) refuses a network too large for it in one line instead of running the
//! machine out of memory. `show --format json` never holds it (see [`crate::render::stream`]).
//!
//! The estimate counts the values the iteration records and the operands of their formulas
//! exactly (both are fixed by the network's shape; a test holds the counts to real traces)
//! and prices each at a rate measured on the release binary (see [`BYTES_PER_VALUE`]).

use crate::loss::Loss;
use crate::network::{Activation, Bias, Network};
use crate::number;
use crate::optimizer::Optimizer;
use crate::trace::Options;

/// The most memory a command may set out to use for a trace: 2 GB.
pub const BUDGET_BYTES: u64 = 2_000_000_000;

/// Memory per recorded value, beyond its operands: the value itself (with its role), its
/// symbol, formula and substituted text, and its share of what the commands build from it
/// (the tables' rows, the stepper's lines, the index by symbol, the gradient check's rows).
///
/// Calibrated against the peak resident memory of the release binary (`/usr/bin/time -v`) on
/// 300-100-30-3, 100-300-100, 200-200-200 and 50-50-50-50-50 sigmoid networks (2026-11-30,
/// version-1 traces): `show`'s tables peaked at 0.58–0.69 of the estimate, `step --plain` at
/// 0.41–0.49, `explain` at 0.55–0.81, `verify` (two traces) at 0.69–0.73 of twice it, and
/// `check`, the largest, at 0.83 (300-100-30-3) and 0.73 (100-300-100). Measured again with
/// version-2 traces (each value's role and formula tree), on 300-100-30-3 and 100-300-100
/// with the operand rate below: `show` 0.81 and 0.74, `step --plain` 0.51 and 0.48,
/// `explain` 0.66 and 0.62, `verify` of a trace 0.45 and 0.44 of twice it. Nearly every value
/// and operand comes with a weight, in a ratio the shape hardly changes, so the two rates are
/// not separable by such measurements: the operand rate is the size of what an operand
/// adds, and the value rate covers the rest.
pub const BYTES_PER_VALUE: u64 = 1000;

/// Memory per operand of a recorded formula: its symbol in `from`, its symbol and number in
/// `formula` and `substituted`, and its leaf in the formula tree. A neuron's net, with one
/// operand per input, is one value but thousands of operands in a wide layer.
pub const BYTES_PER_OPERAND: u64 = 160;

/// How many values one recorded iteration holds, and how many operands their formulas use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Recorded values.
    pub values: u64,
    /// Operands of their formulas (the total length of their `from` lists).
    pub operands: u64,
}

impl Size {
    /// The memory it takes to hold them, estimated.
    pub fn bytes(self) -> u64 {
        self.values
            .saturating_mul(BYTES_PER_VALUE)
            .saturating_add(self.operands.saturating_mul(BYTES_PER_OPERAND))
    }
}

/// What [`crate::engine::trace_iteration`] records for `net` with `options`, counted
/// from the network's shape, without running it.
pub fn size(net: &Network, options: &Options) -> Size {
    let layers: Vec<u64> = net.layers.iter().map(|&n| n as u64).collect();
    let depth = layers.len() - 1;
    let n_out = layers[depth];
    let mut values = 0u64;
    let mut operands = 0u64;
    let mut add = |v: u64, o: u64| {
        values = values.saturating_add(v);
        operands = operands.saturating_add(o);
    };

    // Operands of one E_o, and of one ∂E_total/∂out_o (target, out; more for binary
    // cross-entropy, whose formulas name them more than once).
    let (loss_operands, d_out_operands) = match net.loss {
        Loss::BinaryCrossEntropy => (4, 4),
        _ => (2, 2),
    };

    // Given: inputs, targets, weights, biases, η.
    let weights: u64 = layers.windows(2).map(|p| p[0] * p[1]).sum();
    let biases: u64 = net.biases.iter().map(|b| b.values().len() as u64).sum();
    add(layers[0] + n_out + weights + biases + 1, 0);

    // The forward pass and the error, twice: before the update and in the summary. net has
    // two operands per input and the bias; out has one (the net).
    for _ in 0..2 {
        for l in 0..depth {
            let (n_in, n) = (layers[l], layers[l + 1]);
            add(2 * n, n * (2 * n_in + 1) + n);
            if net.activations[l] == Activation::Softmax {
                // net_max (every net), the sum (net and net_max per term), and two more
                // operands per out (net_max, the sum).
                add(2, n + 2 * n + 2 * n);
            }
        }
        // E_o per output (target, out; binary cross-entropy names each twice), and E_total
        // (every E_o).
        add(n_out + 1, loss_operands * n_out + n_out);
    }

    // The backward pass, layer by layer.
    for l in 0..depth {
        let (n_in, n) = (layers[l], layers[l + 1]);
        if l + 1 == depth {
            // ∂E_total/∂out (target, out).
            add(n, d_out_operands * n);
            if net.loss.has_shortcut() {
                // δ by the shortcut, out − target.
                add(n, 2 * n);
            }
        } else {
            // Per output above: ∂net/∂out (a weight) and its share (δ, ∂net/∂out); then the
            // sum of the shares.
            let above = layers[l + 2];
            add(n * (2 * above + 1), n * (3 * above + above));
        }
        // ∂out/∂net, with the activation's operands; δ (two). A softmax layer's derivative
        // is a matrix: n entries per neuron (two outs each), and δ sums n products.
        let derivative = match net.activations[l] {
            Activation::Sigmoid => 2,
            Activation::Tanh | Activation::Relu => 1,
            Activation::Linear => 0,
            Activation::Softmax => 0,
        };
        let softmax = net.activations[l] == Activation::Softmax;
        if softmax {
            add(n * (n + 1), n * 4 * n);
        } else {
            add(2 * n, n * (derivative + 2));
        }
        // Per weight: ∂net/∂w (1), the gradient (3; with a softmax δ · ∂net/∂w, 2), the
        // update (3).
        let gradient = if softmax { 2 } else { 3 };
        add(3 * n * n_in, (4 + gradient) * n * n_in);
        if options.update_biases {
            match net.biases[l] {
                // Per neuron: the gradient (δ) and the update (3).
                Bias::PerNeuron(_) => add(2 * n, 4 * n),
                // The gradient sums every δ of the layer.
                Bias::Shared(_) => add(2, n + 3),
            }
        }
    }
    // The optimizer: its settings and each updated parameter's state are given; Adam's
    // step and bias corrections once; and per update, the values beyond w⁺.
    let params = weights + if options.update_biases { biases } else { 0 };
    let (settings, moments, per_iteration, per_update) = match net.optimizer {
        Optimizer::Sgd => (0, 0, (0, 0), (0, 0)),
        // v⁺ (β, v, ∂E/∂w); Nesterov's direction (∂E/∂w, β, v⁺).
        Optimizer::Momentum { nesterov, .. } => {
            let n = 1 + u64::from(nesterov);
            (1, 1, (0, 0), (n, 3 * n))
        }
        // t⁺ (t), the two corrections (β, t⁺); m⁺ and v⁺ (4 each), m̂ and v̂ (2 each), and
        // w⁺ reads m̂, v̂ and ε besides w and η (2 more than w − η·∂E/∂w).
        Optimizer::Adam { .. } => (4, 2, (3, 5), (4, 14)),
    };
    let state = moments * weights
        + if options.update_biases && moments > 0 {
            moments * biases
        } else {
            0
        };
    add(settings + state, 0);
    add(per_iteration.0, per_iteration.1);
    add(
        params.saturating_mul(per_update.0),
        params.saturating_mul(per_update.1),
    );
    Size { values, operands }
}

/// The memory this process may use: [`BUDGET_BYTES`], or less when the address space is
/// limited (`ulimit -v`): three quarters of the limit, leaving the rest for the program
/// itself, the network and what the allocator keeps.
pub fn budget() -> u64 {
    address_space_limit().map_or(BUDGET_BYTES, |limit| BUDGET_BYTES.min(limit / 4 * 3))
}

/// The process's address-space limit in bytes, when there is one (Linux: from
/// /proc/self/limits; elsewhere none is known).
fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_address_space_limit(&limits)
}

fn parse_address_space_limit(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    // "Max address space   <soft>   <hard>   bytes"; the soft limit is the one enforced.
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A network whose trace would not fit in the [`budget`].
#[derive(Debug, Clone, PartialEq)]
pub struct TooLarge {
    /// The layers, as 784-4096-784.
    pub shape: String,
    /// Its weights.
    pub weights: u64,
    /// What one iteration records.
    pub size: Size,
    /// How many times the command holds the iteration.
    pub copies: u64,
    /// The estimated memory, in bytes.
    pub estimate: u64,
    /// The budget, in bytes.
    pub budget: u64,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let copies = match self.copies {
            1 => String::new(),
            2 => " twice (in both update orders)".to_string(),
            n => format!(" {n} times"),
        };
        write!(
            f,
            "a {} network ({} weights) records {} values; holding them{copies} takes about {}, \
             more than the {} this command may use. `backprop show NETWORK --format json -o \
             FILE` writes the trace as it is computed, in little memory; --only and --section \
             do not help (they choose what to show after the whole iteration is recorded)",
            self.shape,
            number::thousands(self.weights),
            number::thousands(self.size.values),
            bytes(self.estimate),
            bytes(self.budget),
        )
    }
}

impl std::error::Error for TooLarge {}

/// Refuses, before anything is recorded, a network whose trace (held `copies` times: `verify`
/// records the iteration in both update orders) would not fit in the [`budget`].
pub fn check(net: &Network, options: &Options, copies: u64) -> Result<(), Box<TooLarge>> {
    let size = size(net, options);
    let estimate = size.bytes().saturating_mul(copies);
    let budget = budget();
    if estimate <= budget {
        return Ok(());
    }
    let shape: Vec<String> = net.layers.iter().map(|n| n.to_string()).collect();
    Err(Box::new(TooLarge {
        shape: shape.join("-"),
        weights: net.weights.iter().map(|w| w.len() as u64).sum(),
        size,
        copies,
        estimate,
        budget,
    }))
}

/// In GB, or in MB below one (a limited address space gives a budget of megabytes).
fn bytes(n: u64) -> String {
    if n >= 1_000_000_000 {
        format!("{:.1} GB", n as f64 / 1e9)
    } else {
        format!("{} MB", n / 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::trace::UpdateOrder;

    /// A network of the given shape, activations and bias kinds, every value drawn from the
    /// loader's seed.
    fn network(layers: &[usize], activation: &str, shared: bool) -> Network {
        let biases: Vec<String> = layers[1..]
            .iter()
            .map(|&n| match shared {
                true => "0.1".to_string(),
                false => format!("[{}]", vec!["0.1"; n].join(",")),
            })
            .collect();
        let biases = format!(r#""biases": [{}],"#, biases.join(","));
        let text = format!(
            r#"{{"layers": {layers:?}, "activation": "{activation}", "learning_rate": 0.5, {biases} "input": {:?}, "target": {:?}, "seed": 7}}"#,
            vec![0.5; layers[0]],
            vec![0.25; layers[layers.len() - 1]],
        );
        Network::from_json_str(&text).unwrap().0
    }

    /// The counts are those of real traces, for every activation, both bias kinds, with and
    /// without bias updates, one to three hidden layers.
    #[test]
    fn the_counts_are_those_of_the_trace() {
        for layers in [
            &[2, 2, 2][..],
            &[3, 4, 2],
            &[2, 3, 2, 1],
            &[1, 5, 1],
            &[4, 3, 5, 2, 3],
        ] {
            for activation in ["sigmoid", "tanh", "relu", "linear"] {
                for shared in [false, true] {
                    for update_biases in [false, true] {
                        let options = Options {
                            update_order: UpdateOrder::Sequential,
                            update_biases,
                            precision: 9,
                        };
                        // Each loss (with an output layer it allows) and each optimizer.
                        let variants = [
                            (Loss::HalfSquaredError, None, Optimizer::Sgd),
                            (Loss::MeanSquaredError, None, Optimizer::Sgd),
                            (
                                Loss::BinaryCrossEntropy,
                                Some(Activation::Sigmoid),
                                Optimizer::Sgd,
                            ),
                            (
                                Loss::CrossEntropy,
                                Some(Activation::Softmax),
                                Optimizer::Sgd,
                            ),
                            (
                                Loss::MeanSquaredError,
                                Some(Activation::Softmax),
                                Optimizer::Sgd,
                            ),
                            (
                                Loss::HalfSquaredError,
                                None,
                                Optimizer::Momentum {
                                    beta: 0.9,
                                    nesterov: false,
                                },
                            ),
                            (
                                Loss::HalfSquaredError,
                                None,
                                Optimizer::Momentum {
                                    beta: 0.9,
                                    nesterov: true,
                                },
                            ),
                            (
                                Loss::CrossEntropy,
                                Some(Activation::Softmax),
                                Optimizer::Adam {
                                    beta1: 0.9,
                                    beta2: 0.999,
                                    epsilon: 1e-8,
                                },
                            ),
                        ];
                        for (loss, output, optimizer) in variants {
                            let mut net = network(layers, activation, shared);
                            if output == Some(Activation::Softmax) && *layers.last().unwrap() < 2 {
                                continue;
                            }
                            if let Some(output) = output {
                                *net.activations.last_mut().unwrap() = output;
                            }
                            net.loss = loss;
                            net.optimizer = optimizer;
                            net.optimizer_state = optimizer.fresh_state(&net.weights, &net.biases);
                            let trace = engine::trace_iteration(&net, &options);
                            let values = &trace.first().values;
                            let expected = Size {
                                values: values.len() as u64,
                                operands: values.iter().map(|v| v.from.len() as u64).sum(),
                            };
                            assert_eq!(
                                size(&net, &options),
                                expected,
                                "{layers:?} {activation} shared {shared} updated {update_biases} \
                                 {loss} {output:?} {optimizer:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_large_network_is_refused_with_its_size_and_what_to_do() {
        let mut net = Network::article();
        net.layers = vec![3162, 3162];
        net.weights = vec![Vec::new()];
        net.weights[0].resize(3162 * 3162, 0.1);
        net.biases = vec![Bias::Shared(0.1)];
        net.activations = vec![Activation::Sigmoid];
        let error = check(&net, &Options::default(), 1).unwrap_err();
        assert_eq!(error.shape, "3162-3162");
        assert_eq!(error.weights, 9_998_244);
        assert_eq!(
            error.size,
            Size {
                values: 40_027_762,
                operands: 110_031_276
            }
        );
        let message = error.to_string();
        // 40,027,762 values and 110,031,276 operands: 40.03 GB + 17.60 GB.
        assert!(
            message.starts_with(
                "a 3162-3162 network (9,998,244 weights) records 40,027,762 values; holding \
                 them takes about 57.6 GB, more than the "
            ),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("--format json -o FILE"), "{message}");
        assert!(check(&Network::article(), &Options::default(), 2).is_ok());
    }

    #[test]
    fn the_address_space_limit_is_read_from_proc() {
        let unlimited = "Limit                     Soft Limit           Hard Limit           Units     \n\
                         Max address space         unlimited            unlimited            bytes     \n";
        assert_eq!(parse_address_space_limit(unlimited), None);
        let limited = "Max stack size            8388608              unlimited            bytes     \n\
                       Max address space         2048000000           2048000000           bytes     \n";
        assert_eq!(parse_address_space_limit(limited), Some(2_048_000_000));
    }

    #[test]
    fn numbers_are_written_for_people() {
        assert_eq!(number::thousands(0), "0");
        assert_eq!(number::thousands(999), "999");
        assert_eq!(number::thousands(1000), "1,000");
        assert_eq!(number::thousands(9_998_244), "9,998,244");
        assert_eq!(bytes(24_123_000_000), "24.1 GB");
        assert_eq!(bytes(2_000_000_000), "2.0 GB");
        assert_eq!(bytes(185_070_000), "185 MB");
    }
}
