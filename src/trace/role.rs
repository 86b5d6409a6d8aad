//! What a recorded value is, as data: the typed role from which its symbol is printed in
//! each notation (`dE_total/dw5` in a trace, `∂E_total/∂w5` in a table,
//! `\frac{\partial E_{total}}{\partial w_{5}}` in a document). A renderer that needs to know
//! whether a value is a weight, and which, reads the role; none parses the symbol back.
//!
//! Layers are counted as the trace's `layer` field counts them: a neuron's layer from 0 (the
//! inputs), a weight's or bias's weight layer from 1 (the article's w5…w8 are in layer 2).
//! Indices count from 0: `h1` is neuron 0 of layer 1; `w5` is weight 0 of weight layer 2,
//! in the order of the network file's `weights`.

use crate::notation::Notation;
use serde::{Deserialize, Serialize};

/// A weight or a bias of the network: what a gradient is taken of and an update changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Parameter {
    /// Weight `index` of weight layer `layer`.
    Weight { layer: usize, index: usize },
    /// Bias `index` of weight layer `layer` (0 for a bias the layer's neurons share).
    Bias { layer: usize, index: usize },
}

/// What a recorded value is. `updated` marks the forward pass and error computed again with
/// the updated weights (the summary's `out_o1+`, `E_total+`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Role {
    /// Input `neuron` of the sample (`i1`).
    Input { neuron: usize },
    /// The target of output `neuron` (`target_o1`).
    Target { neuron: usize },
    /// A weight as the iteration starts (`w5`).
    Weight { layer: usize, index: usize },
    /// A bias as the iteration starts (`b2`).
    Bias { layer: usize, index: usize },
    /// The learning rate η (`eta`).
    LearningRate,
    /// The weighted sum into a neuron (`net_h1`).
    Net {
        layer: usize,
        neuron: usize,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// A neuron's activation (`out_h1`); layer 1 or above (an input is [`Role::Input`]).
    Out {
        layer: usize,
        neuron: usize,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// One output's error, ½(target − out)² (`E_o1`).
    LossTerm {
        neuron: usize,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// The total error (`E_total`).
    Loss {
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// ∂E_total/∂out of a neuron (`dE_total/dout_o1`).
    DLossDOut { layer: usize, neuron: usize },
    /// ∂net_above/∂out of a neuron: the weight from it to neuron `above` of the next layer
    /// (`dnet_o1/dout_h1`).
    DNetDOut {
        layer: usize,
        neuron: usize,
        above: usize,
    },
    /// The share of neuron `above` of the next layer in a neuron's ∂E_total/∂out
    /// (`dE_o1/dout_h1`).
    Share {
        layer: usize,
        neuron: usize,
        above: usize,
    },
    /// ∂out/∂net of a neuron, the activation's derivative (`dout_o1/dnet_o1`).
    DOutDNet { layer: usize, neuron: usize },
    /// δ of a neuron, ∂E_total/∂net (`delta_o1`).
    Delta { layer: usize, neuron: usize },
    /// ∂net/∂w of a weight: the output of the neuron it comes from (`dnet_o1/dw5`).
    DNetDWeight { layer: usize, index: usize },
    /// ∂E_total/∂ of a weight or bias (`dE_total/dw5`).
    Gradient { of: Parameter },
    /// A weight or bias after the update (`w5+`).
    Updated { of: Parameter },
    /// The largest net of a softmax layer, subtracted from every net before exponentiating
    /// so that no e^x can overflow (`net_max`).
    NetMax {
        layer: usize,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// Σ_j e^(net_j − net_max) of a softmax layer, the denominator of every out (`sum_exp`).
    ExpSum {
        layer: usize,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// ∂out_j/∂net_k of a softmax layer, one entry of its derivative, which is a matrix: each
    /// out depends on every net (`dout_o1/dnet_o2`; `neuron` is j, `by` is k).
    SoftmaxDerivative {
        layer: usize,
        neuron: usize,
        by: usize,
    },
    /// δ of an output by the shortcut the loss and the output activation allow together
    /// (cross-entropy with softmax, binary cross-entropy with sigmoid): out − target, where
    /// the two derivatives cancel (`delta_o1~`, read "δ_o1 by the shortcut").
    DeltaShortcut { layer: usize, neuron: usize },
    /// Momentum's β (`beta`).
    Beta,
    /// Adam's β1, the decay of the first moment (`beta1`).
    Beta1,
    /// Adam's β2, the decay of the second moment (`beta2`).
    Beta2,
    /// Adam's ε, which keeps the step finite where v̂ is 0 (`epsilon`).
    Epsilon,
    /// Adam's step count: the steps done before this iteration (`t`), and this iteration's
    /// (`t+`), the t of the bias correction.
    Step {
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// Adam's bias correction 1 − β1ᵗ (`moment` 1) or 1 − β2ᵗ (`moment` 2) (`bias_corr1`).
    BiasCorrection { moment: u8 },
    /// Momentum's velocity of a parameter (`v_w5`, `v_w5+`).
    Velocity {
        of: Parameter,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// Nesterov's step direction ∂E_total/∂w + β·v⁺ (`g_w5`).
    NesterovGradient { of: Parameter },
    /// Adam's first moment m of a parameter (`m_w5`, `m_w5+`).
    FirstMoment {
        of: Parameter,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// Adam's second moment v of a parameter (`v_w5`, `v_w5+`).
    SecondMoment {
        of: Parameter,
        #[serde(default, skip_serializing_if = "is_false")]
        updated: bool,
    },
    /// Adam's bias-corrected first moment m̂ (`m_hat_w5`).
    FirstMomentHat { of: Parameter },
    /// Adam's bias-corrected second moment v̂ (`v_hat_w5`).
    SecondMomentHat { of: Parameter },
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Parameter {
    /// The parameter's own name: `w5`, `b1`.
    pub fn name(self, names: &Notation) -> String {
        match self {
            Parameter::Weight { layer, index } => names.weight(layer - 1, index),
            Parameter::Bias { layer, index } => names.bias(layer - 1, index),
        }
    }

    /// The parameter as given when the iteration starts.
    pub fn given(self) -> Role {
        match self {
            Parameter::Weight { layer, index } => Role::Weight { layer, index },
            Parameter::Bias { layer, index } => Role::Bias { layer, index },
        }
    }
}

impl Role {
    /// The symbol in the trace's ASCII notation (`net_h1`, `dE_total/dw5`, `w5+`), with the
    /// network's own neuron names.
    pub fn symbol(self, names: &Notation) -> String {
        let plus = |updated: bool| if updated { "+" } else { "" };
        let neuron = |layer: usize, j: usize| names.neuron(layer, j);
        // The neuron a weight of weight layer `layer` leads to.
        let weight_target = |layer: usize, index: usize| {
            let n_in = names.layer_size(layer - 1);
            neuron(layer, index / n_in)
        };
        let last = names.depth();
        match self {
            Role::Input { neuron: k } => neuron(0, k).to_string(),
            Role::Target { neuron: j } => format!("target_{}", neuron(last, j)),
            Role::Weight { layer, index } => names.weight(layer - 1, index),
            Role::Bias { layer, index } => names.bias(layer - 1, index),
            Role::LearningRate => "eta".to_string(),
            Role::Net {
                layer,
                neuron: j,
                updated,
            } => format!("net_{}{}", neuron(layer, j), plus(updated)),
            Role::Out {
                layer,
                neuron: j,
                updated,
            } => format!("out_{}{}", neuron(layer, j), plus(updated)),
            Role::LossTerm { neuron: j, updated } => {
                format!("E_{}{}", neuron(last, j), plus(updated))
            }
            Role::Loss { updated } => format!("E_total{}", plus(updated)),
            Role::DLossDOut { layer, neuron: j } => {
                format!("dE_total/dout_{}", neuron(layer, j))
            }
            Role::DNetDOut {
                layer,
                neuron: j,
                above,
            } => format!(
                "dnet_{}/dout_{}",
                neuron(layer + 1, above),
                neuron(layer, j)
            ),
            Role::Share {
                layer,
                neuron: j,
                above,
            } => format!("dE_{}/dout_{}", neuron(layer + 1, above), neuron(layer, j)),
            Role::DOutDNet { layer, neuron: j } => {
                let n = neuron(layer, j);
                format!("dout_{n}/dnet_{n}")
            }
            Role::Delta { layer, neuron: j } => format!("delta_{}", neuron(layer, j)),
            Role::DNetDWeight { layer, index } => format!(
                "dnet_{}/d{}",
                weight_target(layer, index),
                names.weight(layer - 1, index)
            ),
            Role::Gradient { of } => format!("dE_total/d{}", of.name(names)),
            Role::Updated { of } => format!("{}+", of.name(names)),
            Role::NetMax { updated, .. } => format!("net_max{}", plus(updated)),
            Role::ExpSum { updated, .. } => format!("sum_exp{}", plus(updated)),
            Role::SoftmaxDerivative {
                layer,
                neuron: j,
                by,
            } => format!("dout_{}/dnet_{}", neuron(layer, j), neuron(layer, by)),
            Role::DeltaShortcut { layer, neuron: j } => format!("delta_{}~", neuron(layer, j)),
            Role::Beta => "beta".to_string(),
            Role::Beta1 => "beta1".to_string(),
            Role::Beta2 => "beta2".to_string(),
            Role::Epsilon => "epsilon".to_string(),
            Role::Step { updated } => format!("t{}", plus(updated)),
            Role::BiasCorrection { moment } => format!("bias_corr{moment}"),
            Role::Velocity { of, updated } | Role::SecondMoment { of, updated } => {
                format!("v_{}{}", of.name(names), plus(updated))
            }
            Role::NesterovGradient { of } => format!("g_{}", of.name(names)),
            Role::FirstMoment { of, updated } => format!("m_{}{}", of.name(names), plus(updated)),
            Role::FirstMomentHat { of } => format!("m_hat_{}", of.name(names)),
            Role::SecondMomentHat { of } => format!("v_hat_{}", of.name(names)),
        }
    }

    /// The symbol in the article's typography (`∂E_total/∂w5`, `δ_o1`, `w5⁺`, `η`), as the
    /// tables, the stepper and `explain` show it: printed from the role, as
    /// [`Role::symbol`] prints the ASCII key.
    pub fn pretty(self, names: &Notation) -> String {
        let plus = |s: String, updated: bool| if updated { format!("{s}⁺") } else { s };
        let neuron = |layer: usize, j: usize| names.neuron(layer, j);
        let last = names.depth();
        let partial = |top: String, bottom: String| format!("∂{top}/∂{bottom}");
        match self {
            Role::LearningRate => "η".to_string(),
            Role::Delta { layer, neuron: j } => format!("δ_{}", neuron(layer, j)),
            Role::Net {
                layer,
                neuron: j,
                updated,
            } => plus(format!("net_{}", neuron(layer, j)), updated),
            Role::Out {
                layer,
                neuron: j,
                updated,
            } => plus(format!("out_{}", neuron(layer, j)), updated),
            Role::LossTerm { neuron: j, updated } => {
                plus(format!("E_{}", neuron(last, j)), updated)
            }
            Role::Loss { updated } => plus("E_total".to_string(), updated),
            Role::DLossDOut { layer, neuron: j } => {
                partial("E_total".to_string(), format!("out_{}", neuron(layer, j)))
            }
            Role::DNetDOut {
                layer,
                neuron: j,
                above,
            } => partial(
                format!("net_{}", neuron(layer + 1, above)),
                format!("out_{}", neuron(layer, j)),
            ),
            Role::Share {
                layer,
                neuron: j,
                above,
            } => partial(
                format!("E_{}", neuron(layer + 1, above)),
                format!("out_{}", neuron(layer, j)),
            ),
            Role::DOutDNet { layer, neuron: j } => partial(
                format!("out_{}", neuron(layer, j)),
                format!("net_{}", neuron(layer, j)),
            ),
            Role::DNetDWeight { layer, index } => {
                let n_in = names.layer_size(layer - 1);
                partial(
                    format!("net_{}", neuron(layer, index / n_in)),
                    names.weight(layer - 1, index),
                )
            }
            Role::Gradient { of } => partial("E_total".to_string(), of.name(names)),
            Role::Updated { of } => format!("{}⁺", of.name(names)),
            Role::NetMax { updated, .. } => plus("net_max".to_string(), updated),
            Role::ExpSum { updated, .. } => plus("Σe^(net−net_max)".to_string(), updated),
            Role::SoftmaxDerivative {
                layer,
                neuron: j,
                by,
            } => partial(
                format!("out_{}", neuron(layer, j)),
                format!("net_{}", neuron(layer, by)),
            ),
            Role::DeltaShortcut { layer, neuron: j } => {
                format!("δ_{} (shortcut)", neuron(layer, j))
            }
            Role::Beta => "β".to_string(),
            Role::Beta1 => "β1".to_string(),
            Role::Beta2 => "β2".to_string(),
            Role::Epsilon => "ε".to_string(),
            Role::Step { updated } => plus("t".to_string(), updated),
            Role::BiasCorrection { moment } => format!("(1 − β{moment}ᵗ)"),
            Role::Velocity { of, updated } | Role::SecondMoment { of, updated } => {
                plus(format!("v_{}", of.name(names)), updated)
            }
            Role::NesterovGradient { of } => format!("g_{}", of.name(names)),
            Role::FirstMoment { of, updated } => plus(format!("m_{}", of.name(names)), updated),
            Role::FirstMomentHat { of } => format!("m̂_{}", of.name(names)),
            Role::SecondMomentHat { of } => format!("v̂_{}", of.name(names)),
            // The given values are written as their keys: i1, target_o1, w5, b2.
            Role::Input { .. } | Role::Target { .. } | Role::Weight { .. } | Role::Bias { .. } => {
                self.symbol(names)
            }
        }
    }

    /// Whether, in an iteration over a batch, the value belongs to one sample (its symbol
    /// then ends in `[s2]`): the sample's inputs and targets, its forward pass and error,
    /// and its backward pass up to its own gradients. The weights, biases, η, the optimizer's
    /// values and the updates belong to the batch.
    pub fn per_sample(self) -> bool {
        !matches!(
            self,
            Role::Weight { .. }
                | Role::Bias { .. }
                | Role::LearningRate
                | Role::Updated { .. }
                | Role::Beta
                | Role::Beta1
                | Role::Beta2
                | Role::Epsilon
                | Role::Step { .. }
                | Role::BiasCorrection { .. }
                | Role::Velocity { .. }
                | Role::NesterovGradient { .. }
                | Role::FirstMoment { .. }
                | Role::SecondMoment { .. }
                | Role::FirstMomentHat { .. }
                | Role::SecondMomentHat { .. }
        )
    }

    /// Whether the value is read from the network file (or drawn for it), not computed.
    pub fn is_given(self) -> bool {
        matches!(
            self,
            Role::Input { .. }
                | Role::Target { .. }
                | Role::Weight { .. }
                | Role::Bias { .. }
                | Role::LearningRate
                | Role::Beta
                | Role::Beta1
                | Role::Beta2
                | Role::Epsilon
                | Role::Step { updated: false }
                | Role::Velocity { updated: false, .. }
                | Role::FirstMoment { updated: false, .. }
                | Role::SecondMoment { updated: false, .. }
        )
    }

    /// The output of neuron `k` of `layer` as an operand: an input is its own value (`i1`),
    /// any other neuron's is its `out`.
    pub fn output_of(layer: usize, k: usize, updated: bool) -> Role {
        if layer == 0 {
            Role::Input { neuron: k }
        } else {
            Role::Out {
                layer,
                neuron: k,
                updated,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;

    #[test]
    fn roles_print_the_articles_symbols() {
        let names = Notation::new(&Network::article());
        let w5 = Parameter::Weight { layer: 2, index: 0 };
        let cases = [
            (Role::Input { neuron: 1 }, "i2"),
            (Role::Target { neuron: 0 }, "target_o1"),
            (Role::Weight { layer: 2, index: 3 }, "w8"),
            (Role::Bias { layer: 1, index: 0 }, "b1"),
            (Role::LearningRate, "eta"),
            (
                Role::Net {
                    layer: 1,
                    neuron: 0,
                    updated: false,
                },
                "net_h1",
            ),
            (
                Role::Out {
                    layer: 2,
                    neuron: 1,
                    updated: true,
                },
                "out_o2+",
            ),
            (
                Role::LossTerm {
                    neuron: 0,
                    updated: false,
                },
                "E_o1",
            ),
            (Role::Loss { updated: true }, "E_total+"),
            (
                Role::DLossDOut {
                    layer: 1,
                    neuron: 0,
                },
                "dE_total/dout_h1",
            ),
            (
                Role::DNetDOut {
                    layer: 1,
                    neuron: 0,
                    above: 1,
                },
                "dnet_o2/dout_h1",
            ),
            (
                Role::Share {
                    layer: 1,
                    neuron: 1,
                    above: 0,
                },
                "dE_o1/dout_h2",
            ),
            (
                Role::DOutDNet {
                    layer: 2,
                    neuron: 0,
                },
                "dout_o1/dnet_o1",
            ),
            (
                Role::Delta {
                    layer: 2,
                    neuron: 1,
                },
                "delta_o2",
            ),
            (Role::DNetDWeight { layer: 2, index: 1 }, "dnet_o1/dw6"),
            (Role::DNetDWeight { layer: 2, index: 2 }, "dnet_o2/dw7"),
            (Role::Gradient { of: w5 }, "dE_total/dw5"),
            (Role::Updated { of: w5 }, "w5+"),
            (
                Role::Updated {
                    of: Parameter::Bias { layer: 2, index: 0 },
                },
                "b2+",
            ),
        ];
        for (role, symbol) in cases {
            assert_eq!(role.symbol(&names), symbol, "{role:?}");
        }
    }

    #[test]
    fn roles_read_back_from_json() {
        let role = Role::Gradient {
            of: Parameter::Weight { layer: 2, index: 0 },
        };
        let json = serde_json::to_string(&role).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"gradient","of":{"kind":"weight","layer":2,"index":0}}"#
        );
        assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        let net = r#"{"kind":"net","layer":1,"neuron":0}"#;
        assert_eq!(
            serde_json::from_str::<Role>(net).unwrap(),
            Role::Net {
                layer: 1,
                neuron: 0,
                updated: false
            }
        );
        assert!(serde_json::from_str::<Role>(r#"{"kind":"net","layer":1}"#).is_err());
    }
}
