//! How every renderer writes the symbols of a trace: printed from each value's role, in the
//! article's typography (`∂E_total/∂w5`, `δ_o1`, `w5⁺`, `η`) or in ASCII (the trace's own
//! keys), never by rewriting the key. A renderer holds symbols as keys (a value's `from`, the
//! article's printed numbers); [`Symbols::of`] finds the role behind a key.
//!
//! A key with no role behind it — a value of a trace edited by hand without its `role`, or a
//! name a student typed that the trace does not have — is written as the key, in the
//! typography's spelling ([`Typography::symbol`]): there is nothing else to print it from.

use crate::notation::{Notation, Typography};
use crate::trace::{Role, Trace, TracedValue};
use std::collections::HashMap;

/// The symbols of one trace's first iteration, in one typography.
pub struct Symbols<'a> {
    typography: Typography,
    names: Notation,
    /// Each key's role, and its sample in a batch.
    roles: HashMap<&'a str, (Role, Option<usize>)>,
}

impl<'a> Symbols<'a> {
    pub fn new(trace: &'a Trace, typography: Typography) -> Symbols<'a> {
        Symbols {
            typography,
            names: Notation::new(&trace.network),
            roles: trace
                .first()
                .values
                .iter()
                .filter_map(|v| Some((v.symbol.as_str(), (v.role?, v.sample))))
                .collect(),
        }
    }

    /// The symbol of the value whose key is `key`.
    pub fn of(&self, key: &str) -> String {
        match self.roles.get(key) {
            Some(&(role, sample)) => self.of_sample(role, sample),
            None => self.typography.symbol(key),
        }
    }

    /// The symbol of `v`.
    pub fn value(&self, v: &TracedValue) -> String {
        match v.role {
            Some(role) => self.of_sample(role, v.sample),
            None => self.typography.symbol(&v.symbol),
        }
    }

    /// The symbol of `role`, of `sample` in a batch (`out_o1[s2]`).
    fn of_sample(&self, role: Role, sample: Option<usize>) -> String {
        let mut symbol = self.role(role);
        if let Some(s) = sample {
            symbol.push_str(&crate::trace::sample_suffix(s));
        }
        symbol
    }

    /// The symbol of `role`.
    pub fn role(&self, role: Role) -> String {
        match self.typography {
            Typography::Article => role.pretty(&self.names),
            Typography::Ascii => role.symbol(&self.names),
        }
    }

    /// `v`'s formula with each operand's symbol (printed from the formula tree).
    pub fn formula(&self, v: &TracedValue) -> String {
        v.formula_with(|key| self.of(key))
    }
}
