//! A training run on screen: what was run, the checkpoint table (with the article's claims
//! and their verdicts on the article's network), the final weights beside the initial ones,
//! the loss curve, and the final result. Reads the [`Run`] and the judged claims; computes
//! nothing but layout.

use crate::article::{ErratumKind, Verdict};
use crate::network::Sample;
use crate::notation::{Notation, Typography};
use crate::number;
use crate::render::Lang;
use crate::render::lang::{TrainLabels, fill};
use crate::trace::UpdateOrder;
use crate::train::claims::Judged;
use crate::train::{self, Outputs, Run, SampleOrder, plot};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use std::io::{self, Write};

/// How the run is drawn.
#[derive(Clone, Debug)]
pub struct TrainTableOptions {
    /// Digits after the decimal point.
    pub precision: usize,
    /// ASCII borders and marks.
    pub ascii: bool,
    /// Fit the tables to the terminal's width.
    pub fit_terminal: bool,
    /// Width of the loss curve's plot area, in characters.
    pub curve_width: usize,
    /// The language of the words.
    pub lang: Lang,
}

impl Default for TrainTableOptions {
    fn default() -> Self {
        TrainTableOptions {
            precision: 9,
            ascii: false,
            fit_terminal: false,
            curve_width: 60,
            lang: Lang::En,
        }
    }
}

/// Weights and biases listed beside each other at most; a bigger network's are in the JSON.
const MAX_PARAMETER_ROWS: usize = 24;

/// E_total with `precision` decimals, or more when it is small, so that as many significant
/// digits show as for a value near 1, up to six (0.0000351019, not 0.000035102); below
/// 1e-9, in scientific notation.
pub fn error_text(e: f64, precision: usize) -> String {
    let zeros = if e > 0.0 && e.is_finite() {
        (-e.log10()).floor().clamp(0.0, 290.0) as usize
    } else {
        0
    };
    if zeros >= 9 {
        // Past 1e-9 the leading zeros hide the number: scientific notation.
        return format!("{:.*e}", precision.min(6).saturating_sub(1), e);
    }
    number::fixed(e, precision.max(zeros + precision.min(6)))
}

/// A list of outputs: `[0.015913620, 0.984064274]`.
pub fn outputs_text(outputs: &[f64], precision: usize) -> String {
    let parts: Vec<String> = outputs
        .iter()
        .map(|&o| number::fixed(o, precision))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The outputs; with several samples, each after its sample's input: `[0, 1] → [0.937078662]`
/// (`->` in ASCII).
fn all_outputs_text(
    outputs: &Outputs,
    samples: &[Sample],
    precision: usize,
    sep: &str,
    typography: Typography,
) -> String {
    match outputs {
        Outputs::One(o) => outputs_text(o, precision),
        Outputs::PerSample(all) => all
            .iter()
            .zip(samples)
            .map(|(o, s)| {
                let input: Vec<String> = s.input.iter().map(|&x| number::compact(x, 9)).collect();
                let arrow = typography.text("→");
                format!(
                    "[{}] {arrow} {}",
                    input.join(", "),
                    outputs_text(o, precision)
                )
            })
            .collect::<Vec<_>>()
            .join(sep),
    }
}

/// The one line `--quiet` prints: the final E_total and outputs.
pub fn final_line(run: &Run, precision: usize, typography: Typography, lang: Lang) -> String {
    let labels = lang.train();
    let last = run.checkpoints.last().expect("a run has checkpoint 0");
    fill(
        labels.final_line,
        &[
            ("iterations", &iterations(last.iteration, labels)),
            ("e", &error_text(last.e_total, precision)),
            (
                "outputs",
                &all_outputs_text(
                    &last.outputs,
                    &run.initial.samples,
                    precision,
                    "; ",
                    typography,
                ),
            ),
        ],
    )
}

/// "1 iteration", "10 iterations".
fn iterations(n: impl ToString, labels: &TrainLabels) -> String {
    let n = n.to_string();
    let template = if n == "1" {
        labels.iterations_one
    } else {
        labels.iterations_many
    };
    fill(template, &[("n", &n)])
}

/// Writes the whole report.
pub fn render(
    run: &Run,
    judged: &[Judged],
    options: &TrainTableOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = options.precision;
    let t = Typography::from_ascii(options.ascii);
    let net = &run.initial;
    let shape: Vec<String> = net.layers.iter().map(|n| n.to_string()).collect();
    let mut activations: Vec<&str> = net.activations.iter().map(|a| a.name()).collect();
    activations.dedup();
    let o = &run.options;
    let set = net.training_set().len();
    let eta = t.symbol("eta");
    let labels = options.lang.train();
    let samples = if set == 1 {
        labels.one_sample.to_string()
    } else {
        let order = match o.sample_order {
            SampleOrder::Cyclic => labels.in_turn,
            SampleOrder::Random => labels.at_random,
        };
        if net.batch_size > 1 {
            let reduction = match (net.reduction, options.lang) {
                (crate::network::Reduction::Mean, crate::render::Lang::Zh) => "平均",
                (crate::network::Reduction::Sum, crate::render::Lang::Zh) => "和",
                (r, _) => r.name(),
            };
            fill(
                labels.batches,
                &[
                    ("n", &set.to_string()),
                    ("b", &net.batch_size.to_string()),
                    ("reduction", reduction),
                    ("epoch", &set.div_ceil(net.batch_size).to_string()),
                    ("order", order),
                ],
            )
        } else {
            fill(labels.samples, &[("n", &set.to_string()), ("order", order)])
        }
    };
    let order_name = |order: UpdateOrder| {
        let words = options.lang.labels();
        match order {
            UpdateOrder::Simultaneous => words.simultaneous,
            UpdateOrder::Sequential => words.sequential,
        }
    };
    let title = fill(
        labels.title,
        &[
            ("shape", &shape.join("-")),
            ("activation", &activations.join(", ")),
            ("eta", &eta),
            ("rate", &number::compact(net.learning_rate, 9)),
            ("order", order_name(o.update_order)),
            (
                "biases",
                if o.update_biases {
                    labels.biases_trained
                } else {
                    ""
                },
            ),
            ("iterations", &iterations(o.iterations, labels)),
            ("samples", &samples),
        ],
    );
    writeln!(out, "{title}")?;
    if let Some(seed) = o.seed {
        let samples = if o.sample_order == SampleOrder::Random {
            labels.seed_samples
        } else {
            ""
        };
        let note = fill(
            labels.seed,
            &[("seed", &seed.to_string()), ("samples", samples)],
        );
        writeln!(out, "{note}")?;
    }
    let summed = if set == 1 {
        String::new()
    } else {
        fill(labels.summed_over, &[("n", &set.to_string())])
    };
    writeln!(
        out,
        "{}",
        fill(labels.e_total_after, &[("summed", &summed)])
    )?;

    // The checkpoint table.
    let show_claims = !judged.is_empty();
    let mut header = vec![labels.header_after, "E_total", labels.header_outputs];
    if show_claims {
        header.extend([labels.header_article, labels.header_verdict]);
    }
    let mut table = new_table(options, header);
    let mut other_order = None;
    for cp in &run.checkpoints {
        let mut row = vec![
            Cell::new(match cp.epoch {
                // In batches: which epoch the iteration ended in.
                Some(e) => fill(
                    labels.in_epoch,
                    &[("k", &cp.iteration.to_string()), ("e", &e.to_string())],
                ),
                None => cp.iteration.to_string(),
            })
            .set_alignment(CellAlignment::Right),
            Cell::new(error_text(cp.e_total, p)),
            Cell::new(all_outputs_text(&cp.outputs, &net.samples, p, "\n", t)),
        ];
        if show_claims {
            let here: Vec<&Judged> = judged
                .iter()
                .filter(|j| j.claim.after == cp.iteration)
                .collect();
            let says: Vec<String> = here.iter().map(|j| j.claim.says(options.lang)).collect();
            let verdicts: Vec<String> = here
                .iter()
                .map(|j| {
                    let digits = number::decimals(&j.claim.printed.printed);
                    let other = |order: UpdateOrder| {
                        fill(
                            labels.other_order,
                            &[
                                ("mark", t.differs()),
                                ("order", order_name(order)),
                                ("footnote", &t.footnote(1)),
                            ],
                        )
                    };
                    match j.verdict {
                        Verdict::Agrees => fill(
                            labels.agrees_at,
                            &[("mark", t.agrees()), ("digits", &digits.to_string())],
                        ),
                        Verdict::OtherOrder(order) => {
                            other_order = Some(order);
                            other(order)
                        }
                        Verdict::Explained(e) if e.kind == ErratumKind::Code => {
                            other_order = Some(j.claim.printed.order);
                            other(j.claim.printed.order)
                        }
                        Verdict::Explained(e) => format!(
                            "{} {}",
                            t.differs(),
                            t.text(options.lang.pick(&e.en, &e.zh))
                        ),
                        Verdict::Differs => fill(labels.differs, &[("mark", t.differs())]),
                    }
                })
                .collect();
            row.push(Cell::new(says.join("\n")));
            row.push(Cell::new(verdicts.join("\n")));
        }
        table.add_row(row);
    }
    writeln!(out)?;
    writeln!(out, "{table}")?;
    if (run.checkpoints.len() as u128) < run.checkpoints_planned {
        let note = fill(
            labels.at_most,
            &[
                ("max", &train::MAX_CHECKPOINTS.to_string()),
                ("shown", &run.checkpoints.len().to_string()),
                ("planned", &run.checkpoints_planned.to_string()),
            ],
        );
        writeln!(out, "{note}")?;
    }
    if let Some(order) = other_order {
        let note = fill(
            labels.footnote_order,
            &[
                ("footnote", &t.footnote(1)),
                ("order", order_name(order)),
                ("used", order_name(o.update_order)),
                ("order_option", order.name()),
            ],
        );
        writeln!(out, "{}", t.text(&note))?;
    }
    // The other edition's figure for the same iterations, with what it is.
    let claims: Vec<_> = judged.iter().map(|j| j.claim).collect();
    for p in train::claims::original_only(&claims) {
        if let Some(e) = &p.erratum {
            writeln!(out, "{}", t.text(options.lang.pick(&e.en, &e.zh)))?;
        }
    }

    if let Some(since) = stalled_since(run) {
        let note = fill(labels.stalled, &[("since", &since.to_string())]);
        writeln!(out, "{}", t.text(&note))?;
    }
    if let Some(d) = &run.diverged {
        let note = fill(
            labels.diverged,
            &[
                ("iteration", &d.iteration.to_string()),
                ("symbol", &d.symbol.to_string()),
                ("value", &d.value.to_string()),
            ],
        );
        writeln!(out, "{note}")?;
    }

    // The weights and biases, before and after.
    writeln!(out)?;
    let names = Notation::new(net);
    let mut table = new_table(
        options,
        vec!["", labels.header_initial, labels.header_final],
    );
    let mut rows = 0;
    let mut total = 0;
    for (l, (w0, w1)) in net.weights.iter().zip(&run.last.weights).enumerate() {
        for (i, (a, b)) in w0.iter().zip(w1).enumerate() {
            total += 1;
            if rows < MAX_PARAMETER_ROWS {
                rows += 1;
                table.add_row(parameter_row(names.weight(l, i), *a, *b, p));
            }
        }
    }
    for (l, (b0, b1)) in net.biases.iter().zip(&run.last.biases).enumerate() {
        for (j, (a, b)) in b0.values().iter().zip(b1.values()).enumerate() {
            total += 1;
            if rows < MAX_PARAMETER_ROWS {
                rows += 1;
                table.add_row(parameter_row(names.bias(l, j), *a, *b, p));
            }
        }
    }
    let heading = fill(
        labels.parameters,
        &[
            ("n", &run.completed.to_string()),
            (
                "biases",
                if o.update_biases {
                    ""
                } else {
                    labels.biases_not_trained
                },
            ),
        ],
    );
    writeln!(out, "{heading}")?;
    writeln!(out, "{table}")?;
    if total > rows {
        let more = fill(
            labels.more_parameters,
            &[("n", &(total - rows).to_string())],
        );
        writeln!(out, "{}", t.text(&more))?;
    }

    writeln!(out)?;
    write!(
        out,
        "{}",
        plot::terminal(&run.curve, options.curve_width, 12, labels.curve_caption)
    )?;
    writeln!(out)?;
    writeln!(out, "{}", final_line(run, p, t, options.lang))?;
    Ok(())
}

/// The checkpoint from which E_total and the outputs stay exactly the same to the end of a
/// run of at least three more checkpoints, if there is one (the weights no longer move).
fn stalled_since(run: &Run) -> Option<usize> {
    let cps = &run.checkpoints;
    let last = cps.last()?;
    let first_same = cps
        .iter()
        .rposition(|cp| cp.e_total != last.e_total || cp.outputs != last.outputs)
        .map_or(0, |i| i + 1);
    (cps.len() - first_same >= 3 && first_same > 0).then(|| cps[first_same].iteration)
}

fn parameter_row(name: String, before: f64, after: f64, p: usize) -> Vec<Cell> {
    vec![
        Cell::new(name),
        Cell::new(number::fixed(before, p)).set_alignment(CellAlignment::Right),
        Cell::new(number::fixed(after, p)).set_alignment(CellAlignment::Right),
    ]
}

fn new_table(options: &TrainTableOptions, header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table.load_style(if options.ascii {
        presets::ASCII_FULL_CONDENSED
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    if options.fit_terminal {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header(header);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_errors_keep_six_significant_digits() {
        assert_eq!(error_text(0.0000351019, 9), "0.0000351019");
        assert_eq!(error_text(0.291027774, 9), "0.291027774");
        assert_eq!(error_text(0.5, 3), "0.500");
        assert_eq!(error_text(0.0000351019, 3), "0.0000351");
        assert_eq!(error_text(2.5, 9), "2.500000000");
        assert_eq!(error_text(3.76158192263132e-35, 9), "3.76158e-35");
    }
}
