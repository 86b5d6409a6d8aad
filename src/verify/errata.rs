//! The article's own printed numbers, recognised in a student's homework. A student who
//! copies the article's 0.75136079 (a typo) or its 0.291027924 (computed by code with the
//! sequential update order) has made no slip of their own: the report says which number of
//! the article it is and why the article has it. Only on the article's own network
//! ([`crate::article::is_article_network`]); elsewhere the article's numbers mean nothing.

use crate::article::{self, Erratum, ErratumKind};
use crate::number;
use crate::render::lang::{Lang, fill};
use crate::trace::UpdateOrder;

/// A student's wrong value that is a number the article prints, and why the article has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleFigure {
    /// The number as the article prints it.
    pub printed: String,
    /// Why the article's number is not the exact value: its erratum, or `None` for a figure
    /// of the other update order that has no erratum of its own.
    pub kind: Option<ErratumKind>,
    /// The update order the article's figure was computed with.
    pub order: UpdateOrder,
    /// The correct value at the article's precision.
    pub correct: String,
    /// The erratum, with its explanation in both languages, when it has one.
    pub erratum: Option<&'static Erratum>,
}

/// The article's number for `symbol` that the student's `printed` is (the article's value
/// rounds to it at the student's precision), when that number is not the correct value
/// `correct` of the iteration computed with `order`. Call it only for the article's network.
pub fn figure(
    symbol: &str,
    printed: &str,
    correct: f64,
    order: UpdateOrder,
) -> Option<ArticleFigure> {
    article::numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 1 && p.symbol == symbol)
        .find_map(|p| {
            let value: f64 = p.printed.parse().ok()?;
            if !number::agrees_at_printed_precision(value, printed) {
                return None;
            }
            let (kind, erratum) = match article::Verdict::of(p, correct, order) {
                article::Verdict::Explained(e) => (Some(e.kind), Some(e)),
                article::Verdict::OtherOrder(_) => (None, None),
                article::Verdict::Agrees | article::Verdict::Differs => return None,
            };
            Some(ArticleFigure {
                printed: p.printed.clone(),
                kind,
                order: p.order,
                correct: number::fixed(correct, number::decimals(&p.printed)),
                erratum,
            })
        })
}

impl ArticleFigure {
    /// A few words for a table cell, in `lang`.
    pub fn short(&self, lang: Lang) -> &'static str {
        let m = lang.mistakes();
        match self.kind {
            Some(ErratumKind::Typo) => m.article_typo,
            Some(ErratumKind::Rounding) => m.article_rounding,
            Some(ErratumKind::Code) | None => match self.order {
                UpdateOrder::Sequential => m.article_sequential,
                UpdateOrder::Simultaneous => m.article_simultaneous,
            },
        }
    }

    /// What the number is, in a sentence in `lang` (the article's typography; the erratum
    /// follows it).
    pub fn describe(&self, lang: Lang) -> String {
        let m = lang.mistakes();
        let order_name = match self.order {
            UpdateOrder::Simultaneous => lang.labels().simultaneous,
            UpdateOrder::Sequential => lang.labels().sequential,
        };
        let printed = self.printed.as_str();
        match self.kind {
            Some(ErratumKind::Typo) => fill(
                m.article_why_typo,
                &[("printed", printed), ("correct", &self.correct)],
            ),
            Some(ErratumKind::Rounding) => fill(
                m.article_why_rounding,
                &[("printed", printed), ("correct", &self.correct)],
            ),
            Some(ErratumKind::Code) | None => fill(
                m.article_why_order,
                &[
                    ("printed", printed),
                    ("order", order_name),
                    ("option", self.order.name()),
                ],
            ),
        }
    }

    /// Why the article has the number, in `lang`, when its erratum says.
    pub fn explanation(&self, lang: Lang) -> Option<&'static str> {
        self.erratum.map(|e| lang.pick(&e.en, &e.zh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_articles_typo_and_code_figure_are_found_and_right_values_are_not() {
        let typo = figure(
            "out_o1",
            "0.75136079",
            0.7513650695523157,
            UpdateOrder::Simultaneous,
        )
        .unwrap();
        assert_eq!(typo.kind, Some(ErratumKind::Typo));
        assert_eq!(typo.correct, "0.75136507");
        // At a coarser precision the typo is still the article's number.
        assert!(
            figure(
                "out_o1",
                "0.7513608",
                0.7513650695,
                UpdateOrder::Simultaneous
            )
            .is_some()
        );
        // The code figure is the other order's: right with the sequential order.
        let code = figure(
            "E_total+",
            "0.291027924",
            0.2910277737,
            UpdateOrder::Simultaneous,
        )
        .unwrap();
        assert_eq!(code.kind, Some(ErratumKind::Code));
        assert_eq!(code.order, UpdateOrder::Sequential);
        assert_eq!(
            figure(
                "E_total+",
                "0.291027924",
                0.2910279237,
                UpdateOrder::Sequential
            ),
            None
        );
        // Not the article's number, or another symbol's.
        assert_eq!(
            figure(
                "out_o1",
                "0.75136080",
                0.7513650695,
                UpdateOrder::Simultaneous
            ),
            None
        );
        assert_eq!(
            figure(
                "out_o2",
                "0.75136079",
                0.772928465,
                UpdateOrder::Simultaneous
            ),
            None
        );
    }
}
