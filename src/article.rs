//! The article's printed numbers and its errata, as data (traces/article-numbers.json), and
//! the comparison of a trace with them. The comparison is computed here once; the renderers
//! only show it.

use crate::network::Network;
use crate::number;
use crate::trace::{Trace, UpdateOrder};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The data file, built into the binary.
pub const NUMBERS_JSON: &str = include_str!("../traces/article-numbers.json");

/// Everything the article prints that the program checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleNumbers {
    /// The article, its author and its source.
    pub source: String,
    /// What the file holds.
    pub about: String,
    /// Every printed number, in the article's order.
    pub numbers: Vec<Printed>,
    /// Errata that are not about one printed value.
    pub notes: Vec<Note>,
}

/// One number as the article prints it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printed {
    /// The trace symbol it is the value of.
    pub symbol: String,
    /// The number exactly as printed; its decimals are the precision it is checked at.
    pub printed: String,
    /// Where the article prints it, quoted.
    #[serde(rename = "where")]
    pub location: String,
    /// The update order the figure was computed with (the hand calculation's is simultaneous).
    #[serde(default)]
    pub order: UpdateOrder,
    /// The iteration it belongs to (1, or 10000 for the article's training claims).
    #[serde(default = "first_iteration")]
    pub iteration: usize,
    /// Which edition prints it: both, or only the translation or the original.
    #[serde(default)]
    pub edition: Edition,
    /// Why it differs from the exact computation, if it does.
    pub erratum: Option<Erratum>,
}

fn first_iteration() -> usize {
    1
}

/// The article's editions: Mazur's English original (2015) and the Chinese translation
/// (2016) this program follows. They print the same numbers but for two: the translation's
/// forward-pass summary (a line the original does not have) and the error after 10,000
/// iterations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Printed by both.
    #[default]
    Both,
    /// Printed only by the Chinese translation (the edition the comparisons follow).
    Translation,
    /// Printed only by Mazur's English original; shown in the notes, not compared.
    Original,
}

impl Edition {
    /// Whether the translation prints it: the numbers the comparisons and claims use.
    pub fn in_translation(self) -> bool {
        self != Edition::Original
    }

    /// A tag for a number only one edition prints: `(translation)`, `(original)`; empty for
    /// both.
    pub fn tag(self) -> &'static str {
        match self {
            Edition::Both => "",
            Edition::Translation => " (translation)",
            Edition::Original => " (Mazur's original)",
        }
    }

    /// [`Edition::tag`] in Chinese.
    pub fn tag_zh(self) -> &'static str {
        match self {
            Edition::Both => "",
            Edition::Translation => "(译文)",
            Edition::Original => "(英文原文)",
        }
    }
}

/// Why a printed number is not the exact value.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// What kind of slip it is.
    pub kind: ErratumKind,
    /// The explanation in English.
    pub en: String,
    /// The explanation in Chinese.
    pub zh: String,
}

/// The kinds of discrepancy the article has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErratumKind {
    /// A mistyped digit.
    Typo,
    /// Rounded factors multiplied: off in the last digit.
    Rounding,
    /// Computed by a different version of the code (the sequential update order).
    Code,
}

/// An erratum about the article as a whole.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// What kind of slip it is.
    pub kind: ErratumKind,
    /// Where the article has it.
    #[serde(rename = "where")]
    pub location: String,
    /// The explanation in English.
    pub en: String,
    /// The explanation in Chinese.
    pub zh: String,
}

/// The article's numbers, parsed once.
pub fn numbers() -> &'static ArticleNumbers {
    static NUMBERS: OnceLock<ArticleNumbers> = OnceLock::new();
    NUMBERS.get_or_init(|| {
        serde_json::from_str(NUMBERS_JSON).expect("traces/article-numbers.json is valid")
    })
}

/// How a computed value stands against a number the article prints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict<'a> {
    /// They agree at the precision the article printed.
    Agrees,
    /// They differ, for a known reason.
    Explained(&'a Erratum),
    /// They differ because the article used the other update order.
    OtherOrder(UpdateOrder),
    /// They differ and nobody knows why (never, on the article's own network).
    Differs,
}

impl<'a> Verdict<'a> {
    /// Compares `value`, computed with `order`, with the printed number `p`.
    ///
    /// A number that differs keeps its own reason in both orders: a typo or a rounding slip
    /// is one whichever order computed `value` (no order gives it), and a figure of the other
    /// order's code is one too. Only a number without an erratum of its own that the data
    /// file gives to the other order (whose computation agrees with it at its printed
    /// precision, as tests/article_numbers.rs checks) differs for the order alone.
    pub fn of(p: &'a Printed, value: f64, order: UpdateOrder) -> Verdict<'a> {
        if number::agrees_at_printed_precision(value, &p.printed) {
            Verdict::Agrees
        } else if let Some(erratum) = &p.erratum {
            Verdict::Explained(erratum)
        } else if p.order != order {
            Verdict::OtherOrder(p.order)
        } else {
            Verdict::Differs
        }
    }
}

/// Whether `net`, trained with or without bias updates, is the article's own network with
/// its own settings and its one sample, so that the article's numbers apply to it.
pub fn is_article_network(net: &Network, update_biases: bool) -> bool {
    let article = Network::article();
    !update_biases
        && net.samples.is_empty()
        && net.layers == article.layers
        && net.activations == article.activations
        && net.loss == article.loss
        && net.optimizer == article.optimizer
        && net.learning_rate == article.learning_rate
        && net.weights == article.weights
        && net.biases == article.biases
        && net.input == article.input
        && net.target == article.target
}

/// Whether `trace` is an iteration of the article's network, so that the article's numbers
/// apply to it.
pub fn applies_to(trace: &Trace) -> bool {
    is_article_network(&trace.network, trace.options.update_biases)
}

/// The article's numbers for the first iteration of `trace`, each with its verdict, keyed by
/// symbol (a symbol the article prints twice has two). `None` when the trace is not of the
/// article's network.
pub fn compare(
    trace: &Trace,
) -> Option<HashMap<&'static str, Vec<(&'static Printed, Verdict<'static>)>>> {
    if !applies_to(trace) {
        return None;
    }
    let iteration = trace.first().index();
    let mut out: HashMap<&str, Vec<_>> = HashMap::new();
    let compared = numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 1 && p.edition.in_translation());
    for p in compared {
        if let Some(v) = iteration.get(p.symbol.as_str()) {
            let verdict = Verdict::of(p, v.value, trace.options.update_order);
            out.entry(p.symbol.as_str()).or_default().push((p, verdict));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses_and_names_known_symbols() {
        let n = numbers();
        assert!(n.numbers.len() >= 45);
        assert!(n.numbers.iter().all(|p| p.printed.parse::<f64>().is_ok()));
    }
}
