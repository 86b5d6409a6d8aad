//! The quiz of `backprop step --quiz`: the student types each computed value before it is
//! shown, and each answer is judged as `verify` judges a homework value. An answer agrees
//! when the correct value rounds to it at the precision it was typed with; a wrong one is
//! explained by [`crate::verify::homework::check`], run on the student's working so far
//! (their own numbers where they were right, the correct ones where they were shown), so
//! that a slip is named with the student's own earlier numbers, as `verify` would name it.
//!
//! This module is the quiz without a terminal: where it is ([`Quiz::current`]), what an
//! answer is ([`Quiz::answer`], [`Quiz::reveal`]), and the words of its messages and its
//! score. `backprop step` shows them, a line at a time (`--plain`) or on the full screen.

use crate::notation::Typography;
use crate::number;
use crate::render::lang::{Lang, fill};
use crate::render::symbols::Symbols;
use crate::trace::{Stage, Trace, TracedValue};
use crate::verify::homework::{self, Entry, Verdict};

/// A line that is not judged, and asked again: not a number, or one with too few digits.
#[derive(Clone, Debug, PartialEq)]
pub enum NotANumber {
    /// Not a number, as typed.
    Text(String),
    /// A number without a significant digit that agrees only for that (`0` or `0.00` for
    /// 0.000438568), as typed: it says nothing of the value, so the quiz asks for its digits.
    /// (The quiz judges at the precision typed, so `0.4` for 0.3775 is right; `grade`, which
    /// scores, asks for more: see [`crate::grade::MIN_DIGITS`].)
    TooFewDigits(String),
}

/// A wrong answer to a question, and what `verify` made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Try {
    /// The number as typed.
    pub typed: String,
    /// Never [`Verdict::Agrees`].
    pub verdict: Verdict,
}

/// What became of one question.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Answered right, after the wrong answers `wrong` (none: at the first try).
    Right {
        /// The right answer as typed.
        typed: String,
        /// The wrong answers before it, in order.
        wrong: Vec<Try>,
    },
    /// Shown at the student's request, or left with wrong answers when the quiz ended.
    Missed {
        /// The wrong answers typed, in order.
        wrong: Vec<Try>,
    },
}

/// The count of a quiz's outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    /// Questions in the quiz: every computed value of the iteration.
    pub total: usize,
    /// Right at the first try.
    pub first_try: usize,
    /// Right after one or more wrong answers.
    pub after_retry: usize,
    /// Shown, or left wrong when the quiz ended.
    pub missed: usize,
}

impl Score {
    /// The questions the quiz ended before.
    pub fn not_asked(&self) -> usize {
        self.total - self.first_try - self.after_retry - self.missed
    }
}

/// A quiz on the first iteration of a trace.
pub struct Quiz<'a> {
    trace: &'a Trace,
    lang: Lang,
    typography: Typography,
    symbols: Symbols<'a>,
    /// The index in the trace's values of each question: every value but the given ones,
    /// in the order they are computed (the stepper's steps).
    questions: Vec<usize>,
    /// What became of each question asked and left, in order.
    outcomes: Vec<Outcome>,
    /// The wrong answers to the current question so far.
    tries: Vec<Try>,
    /// The student's working: for each question left, their number where they were right,
    /// the correct value in full where it was shown.
    working: Vec<Entry>,
    /// The question the quiz ended at, counted from 1, once [`Quiz::end`] is called.
    ended_at: Option<usize>,
}

impl<'a> Quiz<'a> {
    /// A quiz at the first computed value of `trace`'s first iteration, with its messages
    /// in `lang` and `typography`.
    pub fn new(trace: &'a Trace, lang: Lang, typography: Typography) -> Quiz<'a> {
        let values = &trace.first().values;
        Quiz {
            trace,
            lang,
            typography,
            symbols: Symbols::new(trace, typography),
            questions: (0..values.len())
                .filter(|&i| values[i].stage != Stage::Given)
                .collect(),
            outcomes: Vec::new(),
            tries: Vec::new(),
            working: Vec::new(),
            ended_at: None,
        }
    }

    /// How many questions there are.
    pub fn len(&self) -> usize {
        self.questions.len()
    }

    /// Whether there is no question (an iteration always computes something).
    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// The current question, counted from 0 (== [`Quiz::len`] once every one is left).
    pub fn position(&self) -> usize {
        self.outcomes.len()
    }

    /// The value asked for now; `None` once every question is left.
    pub fn current(&self) -> Option<&'a TracedValue> {
        let values = &self.trace.first().values;
        self.questions.get(self.position()).map(|&i| &values[i])
    }

    /// The wrong answers to the current question so far.
    pub fn tries(&self) -> &[Try] {
        &self.tries
    }

    /// What became of each question left so far.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Judges `typed` as the current value: [`Verdict::Agrees`] moves on to the next
    /// question; any other verdict (the slip named, where `verify` recognises one) stays,
    /// for another answer or [`Quiz::reveal`]. `Err` for a line that is not a number, which
    /// does not count. Once every question is left, every answer is `Err`.
    pub fn answer(&mut self, typed: &str) -> Result<Verdict, NotANumber> {
        let printed =
            read_number(typed).ok_or_else(|| NotANumber::Text(typed.trim().to_string()))?;
        let Some(v) = self.current() else {
            return Err(NotANumber::Text(typed.trim().to_string()));
        };
        let entry = Entry {
            written: v.symbol.clone(),
            value: printed.parse().expect("read_number gives a number"),
            printed: printed.clone(),
        };
        // verify's own rule: the correct value rounds to the answer at its precision.
        let agrees = number::agrees_at_printed_precision(v.value, &printed);
        if agrees && entry.value != v.value && number::significant_digits(&printed) == 0 {
            return Err(NotANumber::TooFewDigits(printed));
        }
        if agrees {
            self.working.push(entry);
            self.outcomes.push(Outcome::Right {
                typed: printed,
                wrong: std::mem::take(&mut self.tries),
            });
            return Ok(Verdict::Agrees);
        }
        let verdict = self.diagnose(v, entry);
        self.tries.push(Try {
            typed: printed,
            verdict: verdict.clone(),
        });
        Ok(verdict)
    }

    /// What `verify` says of `entry` (wrong) on top of the student's working so far.
    fn diagnose(&self, v: &TracedValue, entry: Entry) -> Verdict {
        let mut entries = self.working.clone();
        entries.push(entry);
        homework::check(&self.trace.network, &self.trace.options, entries)
            .ok()
            .and_then(|report| report.rows.into_iter().find(|r| r.symbol == v.symbol))
            .map(|row| row.verdict)
            // The engine agrees with itself; were the check ever to disagree with the
            // rule above, the answer is still wrong, only without a slip named.
            .filter(|verdict| *verdict != Verdict::Agrees)
            .unwrap_or(Verdict::Unrecognised)
    }

    /// Shows the current value (counted as missed) and moves on to the next question; the
    /// value, or `None` once every question is left.
    pub fn reveal(&mut self) -> Option<&'a TracedValue> {
        let v = self.current()?;
        // The value in full (the shortest decimal that reads back as it), so that what the
        // student computes from it next is judged against their own numbers only.
        self.working.push(Entry {
            written: v.symbol.clone(),
            printed: v.value.to_string(),
            value: v.value,
        });
        self.outcomes.push(Outcome::Missed {
            wrong: std::mem::take(&mut self.tries),
        });
        Some(v)
    }

    /// Ends the quiz: a question with wrong answers and no right one counts as missed.
    pub fn end(&mut self) {
        self.ended_at.get_or_insert(self.position() + 1);
        if !self.tries.is_empty() {
            self.outcomes.push(Outcome::Missed {
                wrong: std::mem::take(&mut self.tries),
            });
        }
    }

    /// The count so far.
    pub fn score(&self) -> Score {
        let mut score = Score {
            total: self.len(),
            first_try: 0,
            after_retry: 0,
            missed: 0,
        };
        for outcome in &self.outcomes {
            match outcome {
                Outcome::Right { wrong, .. } if wrong.is_empty() => score.first_try += 1,
                Outcome::Right { .. } => score.after_retry += 1,
                Outcome::Missed { .. } => score.missed += 1,
            }
        }
        score
    }

    /// `v`'s symbol in the quiz's typography.
    pub fn symbol(&self, v: &TracedValue) -> String {
        self.symbols.value(v)
    }

    /// `v`'s value in full, at the trace's precision (as the stepper shows it).
    pub fn value(&self, v: &TracedValue) -> String {
        number::fixed(v.value, self.trace.options.precision)
    }

    /// The prompt before an answer to `v`: `net_h1 = ? `.
    pub fn prompt(&self, v: &TracedValue) -> String {
        self.text(&fill(
            self.lang.quiz().prompt,
            &[("symbol", &self.symbol(v))],
        ))
    }

    /// After a right answer to `v`: the mark and the value in full.
    pub fn right(&self, v: &TracedValue) -> String {
        self.text(&fill(
            self.lang.quiz().right,
            &[
                ("mark", self.typography.agrees()),
                ("symbol", &self.symbol(v)),
                ("value", &self.value(v)),
            ],
        ))
    }

    /// After [`Quiz::reveal`] of `v`.
    pub fn revealed(&self, v: &TracedValue) -> String {
        self.text(&fill(
            self.lang.quiz().revealed,
            &[
                ("mark", self.typography.wrong()),
                ("symbol", &self.symbol(v)),
                ("value", &self.value(v)),
            ],
        ))
    }

    /// After a wrong answer: the mark and, where `verify` recognises it, the slip in a
    /// sentence.
    pub fn wrong(&self, verdict: &Verdict) -> String {
        let q = self.lang.quiz();
        let why = match verdict {
            Verdict::Slip(d) => Some(fill(
                q.likely_slip,
                &[("slip", &d[0].describe(&|s| self.symbols.of(s), self.lang))],
            )),
            Verdict::FollowsFrom(names) => {
                Some(fill(q.follows_from, &[("names", &self.names(names))]))
            }
            Verdict::Article(figure, _) => Some(fill(
                q.the_article,
                &[("what", &figure.describe(self.lang))],
            )),
            Verdict::Unrecognised | Verdict::Agrees => None,
        };
        let said = fill(
            q.wrong,
            &[
                ("mark", self.typography.wrong()),
                ("why", why.as_deref().unwrap_or("")),
            ],
        );
        self.text(said.trim_end())
    }

    /// A line that is not judged, answered.
    pub fn not_a_number(&self, e: &NotANumber) -> String {
        let q = self.lang.quiz();
        match e {
            NotANumber::Text(text) => {
                let line = format!("{:?}", crate::quote::excerpt(text));
                self.text(&fill(q.not_a_number, &[("line", &line)]))
            }
            NotANumber::TooFewDigits(printed) => {
                self.text(&fill(q.too_few_digits, &[("line", printed)]))
            }
        }
    }

    /// The score, then the steps missed and those right only after a retry, each with its
    /// correct value and the first answer typed (with the slip it was, where named).
    pub fn summary(&self) -> Vec<String> {
        let q = self.lang.quiz();
        let score = self.score();
        let mut lines = vec![fill(
            q.score,
            &[
                ("first", &score.first_try.to_string()),
                ("total", &score.total.to_string()),
                ("retry", &score.after_retry.to_string()),
                ("missed", &score.missed.to_string()),
            ],
        )];
        if score.not_asked() > 0 {
            lines.push(fill(
                q.not_asked,
                &[
                    ("n", &score.not_asked().to_string()),
                    (
                        "k",
                        &self.ended_at.unwrap_or(self.position() + 1).to_string(),
                    ),
                    ("total", &score.total.to_string()),
                ],
            ));
        } else if score.first_try == score.total {
            lines.push(q.all_right.to_string());
        }
        let values = &self.trace.first().values;
        for (heading, missed) in [(q.missed, true), (q.retried, false)] {
            let steps: Vec<String> = self
                .outcomes
                .iter()
                .zip(&self.questions)
                .filter_map(|(outcome, &i)| match outcome {
                    Outcome::Missed { wrong } if missed => Some((wrong, i)),
                    Outcome::Right { wrong, .. } if !missed && !wrong.is_empty() => {
                        Some((wrong, i))
                    }
                    _ => None,
                })
                .map(|(wrong, i)| {
                    let v = &values[i];
                    let mark = if missed {
                        self.typography.wrong()
                    } else {
                        self.typography.agrees()
                    };
                    let yours = match wrong.first() {
                        None => q.no_answer.to_string(),
                        Some(t) => match self.slip_name(&t.verdict) {
                            Some(slip) => {
                                fill(q.yours_slip, &[("typed", &t.typed), ("slip", &slip)])
                            }
                            None => fill(q.yours, &[("typed", &t.typed)]),
                        },
                    };
                    format!(
                        "  {}",
                        fill(
                            q.step_line,
                            &[
                                ("mark", mark),
                                ("symbol", &self.symbol(v)),
                                ("value", &self.value(v)),
                                ("yours", &yours),
                            ],
                        )
                    )
                })
                .collect();
            if !steps.is_empty() {
                lines.push(heading.to_string());
                lines.extend(steps);
            }
        }
        lines.iter().map(|l| self.text(l)).collect()
    }

    /// A few words naming what a wrong answer was, where `verify` says.
    fn slip_name(&self, verdict: &Verdict) -> Option<String> {
        match verdict {
            Verdict::Slip(d) => Some(d[0].slip.short(self.lang).to_string()),
            Verdict::FollowsFrom(names) => Some(fill(
                self.lang.verify().follows_from,
                &[("names", &self.names(names))],
            )),
            Verdict::Article(figure, _) => Some(figure.short(self.lang).to_string()),
            Verdict::Unrecognised | Verdict::Agrees => None,
        }
    }

    fn names(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|s| self.symbols.of(s))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn text(&self, text: &str) -> String {
        self.typography.text(text).into_owned()
    }
}

/// An answer as a number `verify` reads: its text (which sets the precision it is judged
/// at), trimmed, a lone decimal comma read as a point (0,3775); `None` for anything else,
/// an infinity or NaN included.
pub fn read_number(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let printed = if typed.matches(',').count() == 1 && !typed.contains('.') {
        typed.replace(',', ".")
    } else {
        typed.to_string()
    };
    let value: f64 = printed.parse().ok()?;
    (value.is_finite() && number::half_unit(&printed).is_some()).then_some(printed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;
    use crate::verify::slips::Slip;

    fn article() -> Trace {
        engine::trace_iteration(&Network::article(), &Options::default())
    }

    /// Answers every question before `symbol` with the value in full.
    fn up_to(quiz: &mut Quiz, symbol: &str) {
        while quiz.current().unwrap().symbol != symbol {
            let v = quiz.current().unwrap();
            assert_eq!(
                quiz.answer(&v.value.to_string()),
                Ok(Verdict::Agrees),
                "{}",
                v.symbol
            );
        }
    }

    #[test]
    fn an_answer_without_a_significant_digit_is_asked_again() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Article);
        // net_h1 = 0.3775: "0.4" is right at one decimal.
        assert_eq!(quiz.answer("0.4"), Ok(Verdict::Agrees));
        up_to(&mut quiz, "dE_total/dw1");
        // ∂E_total/∂w1 = 0.000438568: "0.000" agrees at three decimals, with no digit.
        assert_eq!(
            quiz.answer("0.000"),
            Err(NotANumber::TooFewDigits("0.000".into()))
        );
        assert!(quiz.tries().is_empty(), "not counted");
        assert!(
            quiz.not_a_number(&NotANumber::TooFewDigits("0".into()))
                .contains("no significant digit")
        );
        assert_eq!(quiz.answer("0.0004"), Ok(Verdict::Agrees));
    }

    #[test]
    fn numbers_are_read_as_verify_reads_them() {
        assert_eq!(read_number(" 0.3775 ").as_deref(), Some("0.3775"));
        assert_eq!(read_number("-0.74").as_deref(), Some("-0.74"));
        assert_eq!(read_number("1e-3").as_deref(), Some("1e-3"));
        assert_eq!(read_number("0,3775").as_deref(), Some("0.3775"));
        for bad in ["", "abc", "0.3.7", "1,2,3", "0,3.7", "inf", "NaN", "1e999"] {
            assert_eq!(read_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn judged_at_the_precision_typed() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Article);
        assert_eq!(quiz.len(), 66);
        assert_eq!(quiz.current().unwrap().symbol, "net_h1");
        // At 2 decimals (0.38): right; 0.376 is not 0.3775 rounded to 3.
        assert_eq!(quiz.answer("0.376"), Ok(Verdict::Unrecognised));
        assert_eq!(
            quiz.current().unwrap().symbol,
            "net_h1",
            "a wrong answer stays"
        );
        assert_eq!(quiz.answer("0.38"), Ok(Verdict::Agrees));
        assert_eq!(quiz.current().unwrap().symbol, "out_h1");
        assert_eq!(quiz.answer("0.5933"), Ok(Verdict::Agrees));
        assert_eq!(quiz.answer("0.5943"), Ok(Verdict::Unrecognised));
        assert_eq!(
            quiz.answer("x"),
            Err(NotANumber::Text("x".into())),
            "not a number, not counted"
        );
        assert_eq!(quiz.tries().len(), 1);
        assert_eq!(quiz.reveal().unwrap().symbol, "net_h2");
        let score = quiz.score();
        assert_eq!(
            (score.first_try, score.after_retry, score.missed),
            (1, 1, 1)
        );
        assert_eq!(score.not_asked(), 63);
    }

    #[test]
    fn a_flipped_sign_is_named() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Article);
        up_to(&mut quiz, "dE_total/dout_o1");
        let verdict = quiz.answer("-0.74136507").unwrap();
        match &verdict {
            Verdict::Slip(d) => assert_eq!(d[0].slip, Slip::SignFlipped),
            other => panic!("{other:?}"),
        }
        let said = quiz.wrong(&verdict);
        assert!(said.starts_with("✗ Not right. Likely slip: the sign of (target − out) flipped"));
        assert!(said.contains("∂E_total/∂out_o1"), "{said}");
        assert_eq!(quiz.answer("0.74136507"), Ok(Verdict::Agrees));
        quiz.end();
        let summary = quiz.summary().join("\n");
        assert!(
            summary.contains("Score: 11 of 66 right at the first try, 1 after a retry, 0 missed."),
            "{summary}"
        );
        assert!(
            summary.contains(
                "Right after a retry:\n  ✓ ∂E_total/∂out_o1 = 0.741365070 (you typed \
                 -0.74136507: sign of (target − out) flipped)"
            ),
            "{summary}"
        );
    }

    /// A value right at the precision typed but rounded early is the student's own number:
    /// the next value, computed from the exact one, is right; computed from theirs, it is
    /// named as rounding too early.
    #[test]
    fn the_students_own_rounding_is_named() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Article);
        assert_eq!(quiz.answer("0.3775"), Ok(Verdict::Agrees));
        assert_eq!(quiz.answer("0.59"), Ok(Verdict::Agrees));
        up_to(&mut quiz, "net_o1");
        // net_o1 = w5 out_h1 + w6 out_h2 + b2, with out_h1 = 0.59.
        let out_h2 = trace.first().get("out_h2").unwrap().value;
        let mine = 0.4 * 0.59 + 0.45 * out_h2 + 0.6;
        match quiz.answer(&format!("{mine:.9}")).unwrap() {
            Verdict::Slip(d) => {
                assert_eq!(d[0].slip, Slip::RoundedEarly { decimals: None });
                assert_eq!(d[0].names, ["out_h1"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_articles_typo_is_named() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Article);
        up_to(&mut quiz, "out_o1");
        let verdict = quiz.answer("0.75136079").unwrap();
        assert!(matches!(verdict, Verdict::Article(..)), "{verdict:?}");
        assert!(quiz.wrong(&verdict).contains("That is "));
    }

    #[test]
    fn ending_with_a_wrong_answer_misses_the_step_and_the_summary_lists_it() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::En, Typography::Ascii);
        assert_eq!(quiz.reveal().unwrap().symbol, "net_h1");
        assert_eq!(quiz.answer("0.6"), Ok(Verdict::Agrees));
        assert_eq!(quiz.answer("0.2"), Ok(Verdict::Unrecognised));
        quiz.end();
        assert_eq!(quiz.position(), 3);
        assert_eq!(
            quiz.summary(),
            [
                "Score: 1 of 66 right at the first try, 0 after a retry, 2 missed.",
                "63 not asked: the quiz ended at step 3 of 66.",
                "Steps missed:",
                "  X net_h1 = 0.377500000 (not answered)",
                "  X net_h2 = 0.392500000 (you typed 0.2)",
            ]
        );
    }

    #[test]
    fn every_step_right_says_so_and_no_more_is_asked() {
        let trace = article();
        let mut quiz = Quiz::new(&trace, Lang::Zh, Typography::Article);
        while let Some(v) = quiz.current() {
            assert_eq!(quiz.answer(&v.value.to_string()), Ok(Verdict::Agrees));
        }
        assert!(quiz.reveal().is_none());
        assert!(quiz.answer("1").is_err());
        quiz.end();
        assert_eq!(
            quiz.summary(),
            [
                "得分:共 66 步,66 步一次答对,0 步重试后答对,0 步未答对。",
                "每一步都一次答对。"
            ]
        );
    }
}
