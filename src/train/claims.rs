//! The article's claims about training, read from traces/article-numbers.json (never copied
//! here), placed at the checkpoint they are about and given their verdicts. Computed once;
//! the table and the JSON only show them.
//!
//! Which checkpoint a printed number belongs to: `E_total` of iteration 1 is the error the
//! first forward pass computes, with the initial weights (after iteration 0); `E_total+` of
//! iteration 1 is the error with the weights iteration 1 produced (after iteration 1); a
//! number of a later iteration n (E_total, out_o1, out_o2) is what the article's code printed
//! after training n times (after iteration n).

use crate::article::{self, Printed, Verdict};
use crate::network::Network;
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
    }

    #[test]
    fn other_networks_and_bias_updates_have_none() {
        let mut net = Network::article();
        assert!(claims(&net, true).is_empty());
        net.learning_rate = 0.4;
        assert!(claims(&net, false).is_empty());
    }
}
