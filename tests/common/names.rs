//! The article's names and a map of reference values, for the independent references of
//! tests/reference.rs and tests/losses.rs: written from the notation's rules, sharing no
//! code with src/.

use backprop_tracer::network::{Bias, Network};
use backprop_tracer::trace::Stage;
use std::collections::BTreeMap;

/// The article's names: inputs i1…, outputs o1…, hidden neurons h1… with one hidden layer
/// and h{layer}_{n} with several; weights w1… numbered across the network in the file's
/// order; biases b{layer} when shared, b{layer}_{n} when per neuron.
pub struct Names {
    pub layers: Vec<usize>,
    pub shared: Vec<bool>,
}

impl Names {
    /// The names of `net`'s neurons, weights and biases.
    pub fn of(net: &Network) -> Names {
        Names {
            layers: net.layers.clone(),
            shared: net
                .biases
                .iter()
                .map(|b| matches!(b, Bias::Shared(_)))
                .collect(),
        }
    }

    pub fn neuron(&self, layer: usize, j: usize) -> String {
        let last = self.layers.len() - 1;
        if layer == 0 {
            format!("i{}", j + 1)
        } else if layer == last {
            format!("o{}", j + 1)
        } else if last == 2 {
            format!("h{}", j + 1)
        } else {
            format!("h{layer}_{}", j + 1)
        }
    }

    /// Weight `i` of weight layer `l` (0-based): the weights of the layers before it come first.
    pub fn weight(&self, l: usize, i: usize) -> String {
        let before: usize = (0..l).map(|p| self.layers[p] * self.layers[p + 1]).sum();
        format!("w{}", before + i + 1)
    }

    pub fn bias(&self, l: usize, j: usize) -> String {
        if self.shared[l] {
            format!("b{}", l + 1)
        } else {
            format!("b{}_{}", l + 1, j + 1)
        }
    }
}

/// The reference's values: symbol → (stage, value). Recording a symbol twice is a bug of the
/// reference itself, so it panics.
#[derive(Default)]
pub struct Values(pub BTreeMap<String, (Stage, f64)>);

impl Values {
    pub fn put(&mut self, symbol: String, stage: Stage, value: f64) {
        assert!(
            self.0.insert(symbol.clone(), (stage, value)).is_none(),
            "the reference names {symbol} twice"
        );
    }
}
