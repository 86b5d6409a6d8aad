//! The loss functions a network file can choose (key `"loss"`): what E_total is, what each
//! output's term of it is, and ∂E_total/∂out of each output. The engine calls these for
//! every value and records the formulas they build, so a new loss is a new arm here, not a
//! branch in the backward pass.

use crate::network::Activation;
use crate::trace::Role;
use crate::trace::tree::{Building, Formula};
use serde::{Deserialize, Serialize};

/// E_total as a function of the outputs and the targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// E = Σ ½(target − out)², the article's.
    #[default]
    HalfSquaredError,
    /// E = (1/n) Σ (target − out)² over the n outputs: the mean most libraries use.
    MeanSquaredError,
    /// E = −Σ target·ln(out), for a softmax output layer whose targets are a distribution.
    CrossEntropy,
    /// E = −Σ [target·ln(out) + (1 − target)·ln(1 − out)], for sigmoid outputs, each its
    /// own yes/no question.
    BinaryCrossEntropy,
}

impl Loss {
    /// Every loss, in the order the help text lists them.
    pub const ALL: [Loss; 4] = [
        Loss::HalfSquaredError,
        Loss::MeanSquaredError,
        Loss::CrossEntropy,
        Loss::BinaryCrossEntropy,
    ];

    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Loss::HalfSquaredError => "half_squared_error",
            Loss::MeanSquaredError => "mean_squared_error",
            Loss::CrossEntropy => "cross_entropy",
            Loss::BinaryCrossEntropy => "binary_cross_entropy",
        }
    }

    /// Looks up a name as written in a network file.
    pub fn from_name(name: &str) -> Option<Loss> {
        Loss::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The one formula of the whole loss, as the tables' loss section states it.
    pub fn statement(self) -> &'static str {
        match self {
            Loss::HalfSquaredError => "E_total = Σ ½(target − out)²",
            Loss::MeanSquaredError => "E_total = (1/n) Σ (target − out)², n the number of outputs",
            Loss::CrossEntropy => "E_total = −Σ target·ln(out)",
            Loss::BinaryCrossEntropy => "E_total = −Σ [target·ln(out) + (1 − target)·ln(1 − out)]",
        }
    }

    /// The output activation this loss needs, if it needs one: cross-entropy reads its
    /// outputs as one probability distribution (softmax), binary cross-entropy each output as
    /// a probability of its own (sigmoid).
    pub fn needs(self) -> Option<Activation> {
        match self {
            Loss::CrossEntropy => Some(Activation::Softmax),
            Loss::BinaryCrossEntropy => Some(Activation::Sigmoid),
            Loss::HalfSquaredError | Loss::MeanSquaredError => None,
        }
    }

    /// Whether the loss, with the output activation it needs, lets δ = out − target be
    /// written at once: the derivative of the loss and the activation's cancel.
    pub fn has_shortcut(self) -> bool {
        self.needs().is_some()
    }

    /// One output's term of E_total, E_o = …; `n` is the number of outputs.
    #[inline]
    pub fn term(self, target: f64, out: f64, n: usize) -> f64 {
        match self {
            Loss::HalfSquaredError => 0.5 * (target - out) * (target - out),
            Loss::MeanSquaredError => (target - out) * (target - out) / n as f64,
            // 0 · ln(out) is 0 even where out is 0 (the limit of t·ln t): an output the
            // target does not ask for adds nothing.
            Loss::CrossEntropy if target == 0.0 => 0.0,
            Loss::CrossEntropy => -(target * out.ln()),
            Loss::BinaryCrossEntropy => -(xlny(target, out) + xlny(1.0 - target, 1.0 - out)),
        }
    }

    /// ∂E_total/∂out of one output.
    #[inline]
    pub fn d_out(self, target: f64, out: f64, n: usize) -> f64 {
        match self {
            Loss::HalfSquaredError => -(target - out),
            Loss::MeanSquaredError => -(2.0 * (target - out)) / n as f64,
            // An output the target does not ask for that underflowed to 0: 0/0 by the
            // formula, 0 in the limit (its term is 0 whatever out is).
            Loss::CrossEntropy if target == 0.0 && out == 0.0 => 0.0,
            Loss::CrossEntropy => -(target / out),
            // A saturated output on the side its target is: the general form is 0/0; the
            // one-sided forms −1/out (target 1) and 1/(1 − out) (target 0) are finite.
            Loss::BinaryCrossEntropy if target == 1.0 && out == 1.0 => -(1.0 / out),
            Loss::BinaryCrossEntropy if target == 0.0 && out == 0.0 => 1.0 / (1.0 - out),
            Loss::BinaryCrossEntropy => (out - target) / (out * (1.0 - out)),
        }
    }

    /// The formula of [`Loss::term`], its operands the target and out of output `j`.
    pub fn term_formula(self, t: Building, o: impl Fn() -> Building, n: usize) -> Building {
        match self {
            Loss::HalfSquaredError => Formula::product([
                Formula::Half,
                Formula::of(Formula::Square, Formula::difference(t, o())),
            ]),
            Loss::MeanSquaredError => Formula::quotient(
                Formula::of(Formula::Square, Formula::difference(t, o())),
                integer(n),
            ),
            Loss::CrossEntropy => Formula::of(Formula::Negation, Formula::product([t, ln(o())])),
            Loss::BinaryCrossEntropy => Formula::of(
                Formula::Negation,
                Formula::sum([
                    Formula::product([t.clone(), ln(o())]),
                    Formula::product([
                        Formula::difference(Formula::One, t),
                        ln(Formula::difference(Formula::One, o())),
                    ]),
                ]),
            ),
        }
    }

    /// The formula of [`Loss::d_out`] at `target` and `out`, its operands the target `t`
    /// and out `o`.
    pub fn d_out_formula(
        self,
        t: Building,
        o: impl Fn() -> Building,
        n: usize,
        (target, out): (f64, f64),
    ) -> Building {
        match self {
            Loss::CrossEntropy if target == 0.0 && out == 0.0 => Formula::Integer(0),
            Loss::BinaryCrossEntropy if target == 1.0 && out == 1.0 => {
                Formula::of(Formula::Negation, Formula::quotient(Formula::One, o()))
            }
            Loss::BinaryCrossEntropy if target == 0.0 && out == 0.0 => {
                Formula::quotient(Formula::One, Formula::difference(Formula::One, o()))
            }
            Loss::HalfSquaredError => Formula::of(Formula::Negation, Formula::difference(t, o())),
            Loss::MeanSquaredError => Formula::quotient(
                Formula::of(
                    Formula::Negation,
                    Formula::product([Formula::Integer(2), Formula::difference(t, o())]),
                ),
                integer(n),
            ),
            Loss::CrossEntropy => Formula::of(Formula::Negation, Formula::quotient(t, o())),
            Loss::BinaryCrossEntropy => Formula::quotient(
                Formula::difference(o(), t),
                Formula::product([o(), Formula::difference(Formula::One, o())]),
            ),
        }
    }

    /// The role of the value a loss term is: E_o1.
    pub fn term_role(neuron: usize, updated: bool) -> Role {
        Role::LossTerm { neuron, updated }
    }
}

/// x·ln(y), 0 where x is 0 (so that a target of exactly 0 or 1 adds nothing for the side it
/// rules out, even where that side's output has reached 0).
#[inline]
fn xlny(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

fn ln(a: Building) -> Building {
    Formula::of(Formula::Ln, a)
}

fn integer(n: usize) -> Building {
    Formula::Integer(u32::try_from(n).unwrap_or(u32::MAX))
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
