//! Where each recorded value belongs in a figure of the network, and what a step reads: the
//! rules the terminal stepper's drawing and the web page's figure share, so that both
//! highlight the same neurons and weights and show the same value of each weight (the
//! original w5 where the hidden layer's chain reads it, though w5⁺ is known).

use crate::notation::Notation;
use crate::trace::{Formula, Parameter, Role, TracedValue};
use std::collections::HashMap;

/// A part of a figure of the network that a value belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    /// Neuron `j` of `layer` (0 = inputs).
    Neuron(usize, usize),
    /// A weight, by its name (`w5`).
    Weight(String),
    /// A bias, by its name (`b1`, `b1_2`).
    Bias(String),
    /// The target of output `j`.
    Target(usize),
    /// The error of output `j`.
    Error(usize),
    /// E_total.
    Total,
    /// η.
    Eta,
    /// A whole layer: what the softmax's net_max and sum read (every net of the layer).
    Layer(usize),
}

/// The value `symbol` stands for: itself, or, for a factor whose formula is nothing but
/// another value (∂net_o1/∂out_h1 = w5, the chain's stand-in for a weight), that value as
/// the factor read it (`w5` in the simultaneous order, `w5+` in the sequential one).
pub fn stands_for<'a>(symbol: &'a str, index: &HashMap<&str, &'a TracedValue>) -> &'a TracedValue {
    let value = index[symbol];
    match value.expr {
        Some(Formula::Operand(0)) => index[value.from[0].as_str()],
        _ => value,
    }
}

/// The element the value of `role` belongs to: a neuron for its net, out, δ and its
/// chain-rule factors; a weight for its gradient, its update and the ∂net/∂out that stands
/// for it in the hidden layer's chain. Read from the role, never from the symbol.
pub fn element(role: Role, names: &Notation) -> Element {
    let parameter = |p: Parameter| match p {
        Parameter::Weight { layer, index } => Element::Weight(names.weight(layer - 1, index)),
        Parameter::Bias { layer, index } => Element::Bias(names.bias(layer - 1, index)),
    };
    match role {
        Role::Input { neuron } => Element::Neuron(0, neuron),
        Role::Target { neuron } => Element::Target(neuron),
        Role::Weight { layer, index } => parameter(Parameter::Weight { layer, index }),
        Role::Bias { layer, index } => parameter(Parameter::Bias { layer, index }),
        Role::LearningRate => Element::Eta,
        Role::LossTerm { neuron, .. } => Element::Error(neuron),
        Role::Loss { .. } => Element::Total,
        Role::Net { layer, neuron, .. }
        | Role::Out { layer, neuron, .. }
        | Role::DLossDOut { layer, neuron }
        | Role::Share { layer, neuron, .. }
        | Role::DOutDNet { layer, neuron }
        | Role::Delta { layer, neuron } => Element::Neuron(layer, neuron),
        // ∂net_o1/∂out_h1 is the weight from h1 to o1, as the chain uses it.
        Role::DNetDOut {
            layer,
            neuron,
            above,
        } => parameter(Parameter::Weight {
            layer: layer + 1,
            index: above * names.layer_size(layer) + neuron,
        }),
        Role::DNetDWeight { layer, index } => parameter(Parameter::Weight { layer, index }),
        Role::Gradient { of } | Role::Updated { of } => parameter(of),
        Role::NetMax { layer, .. } | Role::ExpSum { layer, .. } => Element::Layer(layer),
        // ∂out_o2/∂net_o1 is a step of δ_o1.
        Role::SoftmaxDerivative { layer, by, .. } => Element::Neuron(layer, by),
        Role::DeltaShortcut { layer, neuron } => Element::Neuron(layer, neuron),
        // An optimizer's setting belongs to the update, as η does.
        Role::Beta | Role::Beta1 | Role::Beta2 | Role::Epsilon => Element::Eta,
        Role::Step { .. } | Role::BiasCorrection { .. } => Element::Eta,
        Role::Velocity { of, .. }
        | Role::NesterovGradient { of }
        | Role::FirstMoment { of, .. }
        | Role::SecondMoment { of, .. }
        | Role::FirstMomentHat { of }
        | Role::SecondMomentHat { of } => parameter(of),
    }
}
