//! The article's claims about training, read from traces/article-numbers.json (never copied
//! here), placed at the checkpoint they are about and given their verdicts. Computed once;
//! the table and the JSON only show them.
//!
//! Which checkpoint a printed number belongs to: `E_total` of iteration 1 is the error the
//! first forward pass computes, with the initial weights (after iteration 0); `E_total+` of
//! iteration 1 is the error with the weights iteration 1 produced (after iteration 1); a
//! number of a later iteration n (E_total, out_o1, out_o2) is what the article's code printed
//! after training n times (after iteration n).
//!
//! The claims are the translation's (the edition the program follows); a figure only Mazur's
//! English original prints (its 0.0000351085 after 10,000 iterations) is not judged but
//! stated beside them ([`original_only`]), and a figure only the translation prints says so.

use crate::article::{self, Edition, Printed, Verdict};
use crate::network::Network;
use crate::render::Lang;
use crate::trace::UpdateOrder;
use crate::train::{Checkpoint, Outputs};

/// One of the article's numbers about a run, placed at a checkpoint.
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    /// The number as the article prints it, with where and its erratum.
    pub printed: &'static Printed,
    /// After which iteration it holds.
    pub after: usize,
    /// What it is: E_total, or output `n` (0-based).
    pub quantity: Quantity,
}

/// What a claim measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// E_total.
    ETotal,
    /// The output of output neuron `n` (0-based).
    Output(usize),
}

impl Claim {
    /// The label the table gives it: `E_total`, `out_o1`.
    pub fn label(&self) -> String {
        match self.quantity {
            Quantity::ETotal => "E_total".to_string(),
            Quantity::Output(n) => format!("out_o{}", n + 1),
        }
    }

    /// What the article says, as the table shows it: `E_total 0.291027924`, with the edition
    /// in `lang` when only one prints it (`E_total 0.000035085 (translation)`).
    pub fn says(&self, lang: Lang) -> String {
        let edition = self.printed.edition;
        format!(
            "{} {}{}",
            self.label(),
            self.printed.printed,
            lang.pick(edition.tag(), edition.tag_zh())
        )
    }

    /// The computed value it is compared with, from the checkpoint after its iteration.
    pub fn computed(&self, checkpoint: &Checkpoint) -> Option<f64> {
        match (self.quantity, &checkpoint.outputs) {
            (Quantity::ETotal, _) => Some(checkpoint.e_total),
            (Quantity::Output(n), Outputs::One(o)) => o.get(n).copied(),
            (Quantity::Output(_), Outputs::PerSample(_)) => None,
        }
    }
}

/// The article's claims about a run of `net` (empty unless it is the article's own network,
/// trained without bias updates, on its one sample).
pub fn claims(net: &Network, update_biases: bool) -> Vec<Claim> {
    let applies = article::is_article_network(net, update_biases);
    if !applies {
        return Vec::new();
    }
    article::numbers()
        .numbers
        .iter()
        .filter(|p| p.edition.in_translation())
        .filter_map(|p| {
            let quantity = if p.symbol.trim_end_matches('+') == "E_total" {
                Quantity::ETotal
            } else if p.iteration > 1 {
                let n = p.symbol.strip_prefix("out_o")?.parse::<usize>().ok()?;
                Quantity::Output(n.checked_sub(1)?)
            } else {
                return None;
            };
            let after = match (p.iteration, p.symbol.ends_with('+')) {
                (1, false) => 0,
                (n, _) => n,
            };
            Some(Claim {
                printed: p,
                after,
                quantity,
            })
        })
        .collect()
}

/// The figures only Mazur's English original prints about the iterations `claims` are
/// about, each with its erratum saying what it is: shown beside the claims, not judged.
pub fn original_only(claims: &[Claim]) -> Vec<&'static Printed> {
    article::numbers()
        .numbers
        .iter()
        .filter(|p| p.edition == Edition::Original)
        .filter(|p| claims.iter().any(|c| c.printed.iteration == p.iteration))
        .collect()
}

/// A claim with its verdict against a run's checkpoint.
#[derive(Clone, Copy, Debug)]
pub struct Judged {
    /// The claim.
    pub claim: Claim,
    /// The value the run computed.
    pub computed: f64,
    /// How it stands against the article's number.
    pub verdict: Verdict<'static>,
}

/// The claims that a checkpoint of the run reaches, each with its verdict, in the article's
/// order.
pub fn judge(claims: &[Claim], checkpoints: &[Checkpoint], order: UpdateOrder) -> Vec<Judged> {
    claims
        .iter()
        .filter_map(|c| {
            let cp = checkpoints.iter().find(|cp| cp.iteration == c.after)?;
            let computed = c.computed(cp)?;
            Some(Judged {
                claim: *c,
                computed,
                verdict: Verdict::of(c.printed, computed, order),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_network_has_its_training_claims() {
        let claims = claims(&Network::article(), false);
        let at: Vec<(usize, String)> = claims.iter().map(|c| (c.after, c.label())).collect();
        assert!(at.contains(&(0, "E_total".to_string())));
        assert!(at.contains(&(1, "E_total".to_string())));
        assert!(at.contains(&(10_000, "E_total".to_string())));
        assert!(at.contains(&(10_000, "out_o1".to_string())));
        assert!(at.contains(&(10_000, "out_o2".to_string())));
        // The first iteration's outputs are not claims about training.
        assert!(!at.contains(&(0, "out_o1".to_string())));
        // The translation's claims: its own 10,000-iteration error says so; the original's
        // is stated beside them.
        let says: Vec<String> = claims.iter().map(|c| c.says(Lang::En)).collect();
        assert!(says.contains(&"E_total 0.000035085 (translation)".to_string()));
        assert!(says.contains(&"E_total 0.291027924".to_string()));
        assert!(!says.iter().any(|s| s.contains("0.0000351085")));
        let original: Vec<&str> = original_only(&claims)
            .iter()
            .map(|p| p.printed.as_str())
            .collect();
        assert_eq!(original, ["0.0000351085"]);
    }

    #[test]
    fn other_networks_and_bias_updates_have_none() {
        let mut net = Network::article();
        assert!(claims(&net, true).is_empty());
        net.learning_rate = 0.4;
        assert!(claims(&net, false).is_empty());
    }
}
