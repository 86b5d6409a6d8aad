//! One Markdown page per row of the gradebook, for the student: the score; the first wrong
//! step with its formula, the correct numbers substituted, the student's own and the slip
//! explained; the other new mistakes briefly; the values that follow from an earlier
//! mistake, named as such. A submission that could not be graded gets the reason.
//!
//! The pieces are `verify`'s: the report's rows carry the formula with the correct and the
//! student's numbers, [`crate::verify::slips::Diagnosis::describe`] explains the slip, and
//! [`Symbols`] writes every symbol in the chosen typography.

use super::gradebook;
use super::{Class, Graded, Outcome, Submission, quoted};
use crate::exercise::slug;
use crate::notation::Typography;
use crate::render::Lang;
use crate::render::lang::fill;
use crate::render::symbols::Symbols;
use crate::trace::Stage;
use crate::verify::homework::{Row, Verdict};
use std::collections::HashSet;

/// The file name of each row's page, in the order of `class.rows`: `STUDENT.md`, or, for a
/// student with several submissions, each named after its file (`alice-csv.md`); never two
/// alike.
pub fn file_names(class: &Class) -> Vec<String> {
    let mut count = std::collections::HashMap::new();
    for row in &class.rows {
        *count.entry(row.student.as_str()).or_insert(0) += 1;
    }
    let mut taken = HashSet::new();
    class
        .rows
        .iter()
        .map(|row| {
            let own = slug(&row.student).unwrap_or_else(|| "student".to_string());
            let base = match &row.file {
                Some(file) if count[row.student.as_str()] > 1 => slug(file).unwrap_or(own),
                _ => own,
            };
            let mut name = format!("{base}.md");
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{n}.md");
                n += 1;
            }
            name
        })
        .collect()
}

/// The page for `row`, in `lang` and `typography`.
pub fn page(row: &Submission, lang: Lang, typography: Typography) -> String {
    let g = lang.grade();
    let text = |s: &str| typography.text(s).into_owned();
    let file = row.file.as_deref().map(quoted).unwrap_or_default();
    let mut out = vec![fill(g.title, &[("student", &row.student)]), String::new()];
    if row.file.is_some() && !matches!(row.outcome, Outcome::Graded(_)) {
        let why = gradebook::note(row, lang);
        let template = match row.outcome {
            Outcome::NoKey { .. } => g.no_key_page,
            Outcome::WrongStudent { .. } => g.wrong_student_page,
            _ => g.unreadable_page,
        };
        out.push(text(&fill(template, &[("file", &file), ("why", &why)])));
    }
    match &row.outcome {
        Outcome::Graded(graded) => {
            out.push(fill(g.submission, &[("file", &file)]));
            out.push(String::new());
            graded_page(graded, lang, typography, &mut out);
        }
        Outcome::Missing => out.push(g.missing_page.to_string()),
        _ => {}
    }
    let mut page = out.join("\n");
    page.push('\n');
    page
}

fn graded_page(graded: &Graded, lang: Lang, typography: Typography, out: &mut Vec<String>) {
    let g = lang.grade();
    let text = |s: &str| typography.text(s).into_owned();
    let report = &graded.report;
    let symbols = Symbols::new(&report.trace, typography);
    let c = graded.counts;
    match c.score() {
        Some(score) => out.push(fill(
            g.score,
            &[
                ("score", &format!("{score:.1}")),
                ("answered", &c.answered.to_string()),
                ("right", &c.right.to_string()),
                ("follow_on", &c.follow_on.to_string()),
                ("mistakes", &c.mistakes.to_string()),
            ],
        )),
        None => out.push(g.score_none.to_string()),
    }
    if c.too_few_digits > 0 {
        out.push(fill(
            g.too_few_count,
            &[("count", &c.too_few_digits.to_string())],
        ));
    }
    if c.answered > 0 && c.answered == c.right {
        out.push(String::new());
        out.push(g.all_right.to_string());
    }
    if let Some(first) = graded.first_wrong() {
        out.push(String::new());
        out.push(fill(
            g.first_wrong,
            &[("symbol", &symbols.of(&first.symbol))],
        ));
        out.push(String::new());
        first_wrong(first, graded, &symbols, lang, typography, out);
    }
    let others: Vec<&Row> = graded.other_mistakes().collect();
    if !others.is_empty() {
        out.push(String::new());
        out.push(g.other_mistakes.to_string());
        out.push(String::new());
        for row in others {
            out.push(fill(
                g.other_mistake,
                &[
                    ("symbol", &symbols.of(&row.symbol)),
                    ("yours", &text(&row.entry.printed)),
                    ("correct", &row.show(row.correct)),
                    ("what", &text(&super::named(row, lang).1)),
                ],
            ));
        }
    }
    let imprecise: Vec<&Row> = graded.too_few_digits().collect();
    if !imprecise.is_empty() {
        out.push(String::new());
        out.push(fill(
            g.too_few_digits,
            &[("min", &graded.min_digits.to_string())],
        ));
        out.push(String::new());
        for row in imprecise {
            out.push(fill(
                g.too_few_digit,
                &[
                    ("symbol", &symbols.of(&row.symbol)),
                    ("yours", &text(&row.entry.printed)),
                    ("correct", &row.show(row.correct)),
                ],
            ));
        }
    }
    let follow: Vec<&Row> = graded.follow_ons().collect();
    if !follow.is_empty() {
        out.push(String::new());
        out.push(g.follow_ons.to_string());
        out.push(String::new());
        out.push(g.follow_ons_intro.to_string());
        out.push(String::new());
        for row in follow {
            let Verdict::FollowsFrom(names) = &row.verdict else {
                continue;
            };
            let names: Vec<String> = names.iter().map(|s| symbols.of(s)).collect();
            out.push(fill(
                g.follow_on,
                &[
                    ("symbol", &symbols.of(&row.symbol)),
                    ("yours", &text(&row.entry.printed)),
                    ("names", &names.join(", ")),
                ],
            ));
        }
    }
    if !report.unknown.is_empty() {
        out.push(String::new());
        out.push(g.unknown_title.to_string());
        out.push(String::new());
        for u in &report.unknown {
            let values = [
                ("written", text(&quoted(&u.entry.written))),
                ("printed", text(&quoted(&u.entry.printed))),
                (
                    "symbol",
                    u.suggestion
                        .as_deref()
                        .map(|s| symbols.of(s))
                        .unwrap_or_default(),
                ),
            ];
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let template = if u.suggestion.is_some() {
                g.unknown_near
            } else {
                g.unknown_none
            };
            out.push(fill(template, &values));
        }
    }
}

/// The first wrong value, step by step, as `verify`'s report explains it.
fn first_wrong(
    row: &Row,
    graded: &Graded,
    symbols: &Symbols,
    lang: Lang,
    typography: Typography,
    out: &mut Vec<String>,
) {
    let g = lang.grade();
    let text = |s: &str| typography.text(s).into_owned();
    let iteration = graded.report.trace.first();
    out.push(fill(g.yours, &[("value", &text(&row.entry.printed))]));
    out.push(fill(g.correct, &[("value", &row.show(row.correct))]));
    if row.stage == Stage::Given {
        out.push(fill(
            g.given,
            &[
                ("formula", &row.formula),
                ("value", &row.show_compact(row.correct)),
            ],
        ));
    } else {
        let formula = match iteration.get(&row.symbol) {
            Some(v) => symbols.formula(v),
            None => row.formula.clone(),
        };
        out.push(fill(
            g.formula,
            &[(
                "formula",
                &format!("{} = {formula}", symbols.of(&row.symbol)),
            )],
        ));
    }
    if !row.from.is_empty() {
        out.push(fill(
            g.with_numbers,
            &[(
                "text",
                &format!("{} = {}", text(&row.substituted), row.show(row.correct)),
            )],
        ));
    }
    if let Some((yours, value)) = &row.yours {
        out.push(fill(
            g.with_your_numbers,
            &[("text", &format!("{} = {}", text(yours), row.show(*value)))],
        ));
    }
    let diagnoses = match &row.verdict {
        Verdict::Article(figure, d) => {
            out.push(fill(
                g.the_article,
                &[("text", &text(&figure.describe(lang)))],
            ));
            d.as_slice()
        }
        Verdict::Slip(d) => d.as_slice(),
        _ => &[],
    };
    for (i, d) in diagnoses.iter().enumerate() {
        let label = if i == 0 { g.slip } else { g.or };
        let described = d.describe(&|s| symbols.of(s), lang);
        out.push(fill(label, &[("text", &text(&described))]));
        out.push(fill(g.which_gives, &[("value", &row.show(d.value))]));
    }
    if diagnoses.is_empty() && !matches!(row.verdict, Verdict::Article(..)) {
        let why = if row.stage == Stage::Given {
            g.slip_given
        } else {
            g.slip_unknown
        };
        out.push(fill(g.slip, &[("text", why)]));
    }
}
