//! `backprop check [NETWORK]`: the gradient check, every ∂E_total/∂w from backpropagation
//! beside a central difference (a seeded sample of them above a few thousand parameters).
//! Exit status 1 when one disagrees, or when none could be judged.

use crate::cli::IterationArgs;
use crate::commands::Disagreed;
use crate::commands::progress::Progress;
use crate::output;
use anyhow::{Context, Result, bail};
use backprop_tracer::engine::Param;
use backprop_tracer::gradcheck::{
    self, Corruption, GradCheck, Group, Kind, Parameter, Plan, Verdict,
};
use backprop_tracer::network::Network;
use backprop_tracer::notation::{Notation, Typography};
use backprop_tracer::number;
use backprop_tracer::random;
use backprop_tracer::render::Lang;
use backprop_tracer::render::lang::{CheckLabels, fill};
use backprop_tracer::trace::UpdateOrder;
use clap::Args;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use std::io::{self, IsTerminal, Write};

/// The test-only hook of [`gradcheck`]: `SYMBOL*FACTOR` scales that recorded gradient.
const CORRUPT_VAR: &str = "BACKPROP_TEST_CORRUPT_GRADIENT";

/// The table lists every parameter checked up to this many; above it, only those that
/// failed or got no verdict (a million rows would bury them).
/// More rows than this are not all listed (without --all-rows): the failures and the rows
/// with no verdict are, then the [`WORST`] others with the largest relative errors.
const ROW_LIMIT: usize = 40;
/// See [`ROW_LIMIT`].
const WORST: usize = 10;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    /// Check every parameter, however many (by default a network of more than 2,000 has a
    /// sample of them checked: 500, or fewer where 500 would take more than about 20 s).
    #[arg(long, conflicts_with = "sample")]
    pub all: bool,

    /// Check a sample of N parameters, drawn evenly from every weight layer (and every
    /// layer's biases when they are trained).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample: Option<u64>,

    /// List every parameter checked in the table, however many (by default a table of more
    /// than 40 lists the failures, the ones with no verdict and the 10 with the largest
    /// relative errors).
    #[arg(long)]
    pub all_rows: bool,

    /// table: the report; json: every parameter checked, its gradients and verdict, as a
    /// document (see `backprop schema gradient-check`).
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,

    /// Write only ASCII: borders, symbols (dE_total/dw5 for ∂E_total/∂w5) and messages.
    #[arg(long)]
    pub ascii: bool,

    /// Language of the report: English, or the article's Chinese terms.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// How `check` writes its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    // No trace is recorded: the gradients come from an untraced iteration, so a network of
    // any size the loader accepts can be checked.
    let resolved = args.iteration.resolve()?;
    let heading = resolved.heading(args.lang);
    let super::Resolved {
        name,
        network,
        options,
        ..
    } = resolved;
    let corruption = match std::env::var(CORRUPT_VAR) {
        Ok(text) => {
            let c = Corruption::parse(&text)
                .with_context(|| format!("{CORRUPT_VAR}: expected SYMBOL*FACTOR, got {text}"))?;
            // The hook works in every build, so whoever set it by accident hears of it, each
            // time: the report below is not the network's own.
            output::to_stderr(&format!(
                "warning: test hook {CORRUPT_VAR}={text} is active: the recorded gradient of \
                 {} is multiplied by {} before the check (for the test suite only; unset it)",
                c.symbol, c.factor
            ));
            Some(c)
        }
        Err(_) => None,
    };
    let groups = gradcheck::sample::groups(&network, options.update_biases);
    let total = groups.iter().map(|g| g.size).sum();
    // One seed for every draw: the values the file leaves out and the sample.
    let seed = network.seed.unwrap_or_else(random::fresh_seed);
    let sample = args
        .sample
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let default = gradcheck::default_sample(&network, options.update_biases);
    let plan = Plan::choose(total, args.all, sample, seed, default);
    // The default sample, cut to what the check may cost on this network.
    let cut = sample.is_none()
        && matches!(plan, Plan::Sample { count, .. } if count < gradcheck::DEFAULT_SAMPLE);
    let target = corruption.as_ref().map(|c| {
        gradcheck::find(&network, options.update_biases, &c.symbol).ok_or_else(|| {
            // A hook that corrupts nothing would let a test of the failure path pass
            // vacuously.
            let names = Notation::new(&network);
            let ranges: Vec<String> = groups
                .iter()
                .map(|g| range(&names, g, Lang::En.check()))
                .collect();
            anyhow::anyhow!(
                "{CORRUPT_VAR}: this network has no gradient of {} (its parameters: {})",
                c.symbol,
                ranges.join(", ")
            )
        })
    });
    let target = target.transpose()?;

    let typography = Typography::from_ascii(args.ascii);
    let count = match plan {
        Plan::All => total,
        Plan::Sample { count, .. } => count,
    };
    let mut progress = Progress::new(
        count,
        args.lang.check().progress,
        io::stderr().is_terminal(),
        typography,
    );
    let result = gradcheck::check(&network, &options, plan, corruption.as_ref(), &mut |done| {
        progress.update(done)
    });
    progress.finish();
    let result = result.map_err(|bad| {
        anyhow::anyhow!("{name}: {bad}; the weights or inputs are too large for f64")
    })?;
    if let (Some(c), Some(param)) = (&corruption, target)
        && !result.parameters.iter().any(|p| p.param == param)
    {
        bail!(
            "{CORRUPT_VAR}: {} is not among the {} parameters drawn with seed {}, so nothing \
             would be corrupted (--all checks every one)",
            c.symbol,
            result.parameters.len(),
            result.seed.unwrap_or(seed)
        );
    }

    let shape: Vec<String> = network.layers.iter().map(|n| n.to_string()).collect();
    let mut activations: Vec<&str> = network.activations.iter().map(|a| a.name()).collect();
    activations.dedup();
    // The loss the differences are taken of, when it is not the article's.
    if network.loss != backprop_tracer::loss::Loss::default() {
        activations.push(network.loss.name());
    }
    let batch = format!(
        "batch of {}, {}",
        network.batch_size,
        network.reduction.name()
    );
    if network.batch_size > 1 {
        activations.push(&batch);
    }
    let mut title = fill(
        args.lang.check().title,
        &[
            ("shape", &shape.join("-")),
            ("activation", &activations.join(", ")),
            ("e", &number::fixed(result.e_total, options.precision)),
        ],
    );
    for line in &heading {
        title.push('\n');
        title.push_str(line);
    }
    if args.format == CheckFormat::Json {
        let document = json_verdict(&network, &result);
        output::write_to(None, |out| {
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)
        })?;
    } else {
        output::write_to(None, |out| {
            write_report(
                &title,
                &result,
                Rows {
                    cut,
                    all: args.all_rows,
                },
                args.ascii,
                args.lang.check(),
                output::stdout_is_terminal(),
                out,
            )
        })?;
    }
    if result.passed() && result.judged() > 0 {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// A group's parameters as a range, `w1 to w1000000` (`b1` for a group of one).
fn range(names: &Notation, group: &Group, labels: &CheckLabels) -> String {
    let first = gradcheck::symbol(names, group.param(0));
    if group.size == 1 {
        first
    } else {
        let last = gradcheck::symbol(names, group.param(group.size - 1));
        fill(labels.range, &[("first", &first), ("last", &last)])
    }
}

/// Whether the sample was cut to what the check may cost, and whether every row is listed.
struct Rows {
    cut: bool,
    all: bool,
}

/// The check as a document (schemas/gradient-check.schema.json): every parameter checked,
/// with both gradients, the step, the relative error and the verdict.
fn json_verdict(network: &Network, result: &GradCheck) -> serde_json::Value {
    use serde_json::json;
    let parameters: Vec<serde_json::Value> = result
        .parameters
        .iter()
        .map(|p| {
            let (status, neuron) = match p.verdict {
                Verdict::Agrees => ("agrees", None),
                Verdict::BelowFloor => ("below_floor", None),
                Verdict::Disagrees => ("disagrees", None),
                Verdict::Kink { layer, neuron } => {
                    ("kink", Some(result.names.neuron(layer, neuron).to_string()))
                }
            };
            let mut row = json!({
                "symbol": result.symbol(p.param),
                "value": p.value,
                "backprop": p.backprop,
                "difference": p.numeric,
                "step": p.step,
                "relative_error": p.relative_error,
                "status": status,
            });
            if let Some(neuron) = neuron {
                row["kink_at"] = json!(neuron);
            }
            row
        })
        .collect();
    let activations: Vec<&str> = network.activations.iter().map(|a| a.name()).collect();
    json!({
        "format": "backprop-tracer/gradient-check",
        "version": 1,
        "network": {
            "layers": network.layers,
            "activation": activations,
            "loss": network.loss.name(),
        },
        "update_order": result.order.name(),
        "E_total": result.e_total,
        "tolerance": {
            "relative": gradcheck::RELATIVE_THRESHOLD,
            "absolute": result.floor,
        },
        "sample": result.seed.map(|seed| json!({
            "seed": seed,
            "checked": result.parameters.len(),
            "total": result.total(),
        })),
        "parameters": parameters,
        "result": if !result.passed() {
            "failed"
        } else if result.judged() == 0 {
            "no_verdict"
        } else {
            "passed"
        },
    })
}

fn write_report(
    title: &str,
    result: &GradCheck,
    rows_shown: Rows,
    ascii: bool,
    labels: &CheckLabels,
    fit: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let typography = Typography::from_ascii(ascii);
    let symbol = |p: Param| typography.symbol(&result.symbol(p));
    writeln!(out, "{title}")?;
    let checked = result.parameters.len();
    if let Some(seed) = result.seed {
        write_sample(result, seed, rows_shown.cut, labels, out)?;
    }
    // The explanation is written in ASCII and typeset unless --ascii.
    let text = |s: String| if ascii { s } else { typeset(&s) };
    writeln!(
        out,
        "{}",
        text(fill(
            labels.each,
            &[("dw", &typography.symbol("dE_total/dw"))]
        ))
    )?;
    writeln!(
        out,
        "{}",
        text(fill(
            labels.step,
            &[
                ("cbrt", &format!("{:.2e}", f64::EPSILON.cbrt())),
                ("eps", &format!("{:.2e}", f64::EPSILON)),
            ]
        ))
    )?;
    writeln!(
        out,
        "{}",
        text(fill(
            labels.pass,
            &[
                ("threshold", &format!("{:e}", gradcheck::RELATIVE_THRESHOLD)),
                ("floor", &format!("{:e}", gradcheck::ABSOLUTE_FLOOR)),
                ("value", &format!("{:.1e}", result.floor)),
            ]
        ))
    )?;
    if result.order == UpdateOrder::Sequential {
        writeln!(out, "{}", labels.sequential)?;
    }
    let rows: Vec<&Parameter> = if checked <= ROW_LIMIT || rows_shown.all {
        result.parameters.iter().collect()
    } else {
        let notable: Vec<&Parameter> = result
            .parameters
            .iter()
            .filter(|p| !matches!(p.verdict, Verdict::Agrees | Verdict::BelowFloor))
            .collect();
        let first = if notable.len() > ROW_LIMIT {
            fill(
                labels.first_rows,
                &[("n", &number::thousands(ROW_LIMIT as u64))],
            )
        } else {
            String::new()
        };
        // And the others closest to failing: the largest relative errors.
        let mut others: Vec<&Parameter> = result
            .parameters
            .iter()
            .filter(|p| matches!(p.verdict, Verdict::Agrees | Verdict::BelowFloor))
            .collect();
        others.sort_by(|a, b| b.relative_error.total_cmp(&a.relative_error));
        others.truncate(WORST);
        writeln!(
            out,
            "{}",
            fill(
                labels.table_lists,
                &[
                    ("notable", &number::thousands(notable.len() as u64)),
                    ("checked", &number::thousands(checked as u64)),
                    ("first", &first),
                    ("worst", &others.len().to_string()),
                ]
            )
        )?;
        let mut rows: Vec<&Parameter> = notable.into_iter().take(ROW_LIMIT).collect();
        rows.extend(others);
        // In the network's order, as the full table lists them.
        let order: std::collections::HashMap<Param, usize> = result
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p.param, i))
            .collect();
        rows.sort_by_key(|p| order[&p.param]);
        rows
    };
    writeln!(out)?;
    if !rows.is_empty() {
        let mut table = Table::new();
        table.load_style(if ascii {
            presets::ASCII_FULL_CONDENSED
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        if fit {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
        table.set_header(labels.headers.to_vec());
        for p in rows {
            let verdict = match p.verdict {
                Verdict::Agrees => labels.ok.to_string(),
                Verdict::BelowFloor => labels.below_floor.to_string(),
                Verdict::Disagrees => labels.fail.to_string(),
                Verdict::Kink { layer, neuron } => fill(
                    labels.kink,
                    &[("neuron", result.names.neuron(layer, neuron))],
                ),
            };
            table.add_row(vec![
                Cell::new(symbol(p.param)),
                Cell::new(number::compact(p.value, 9)).set_alignment(CellAlignment::Right),
                Cell::new(number::fixed(p.backprop, 12)).set_alignment(CellAlignment::Right),
                Cell::new(number::fixed(p.numeric, 12)).set_alignment(CellAlignment::Right),
                Cell::new(format!("{:.2e}", p.step)).set_alignment(CellAlignment::Right),
                Cell::new(format!("{:.1e}", p.relative_error)).set_alignment(CellAlignment::Right),
                Cell::new(verdict),
            ]);
        }
        writeln!(out, "{table}")?;
    }

    let judged = result.judged();
    let sampled = if result.seed.is_some() {
        labels.sampled
    } else {
        ""
    };
    let failures = result.failures();
    if !failures.is_empty() {
        let mut names: Vec<String> = failures
            .iter()
            .take(ROW_LIMIT)
            .map(|&p| symbol(p))
            .collect();
        if failures.len() > ROW_LIMIT {
            names.push(fill(
                labels.and_more,
                &[("n", &number::thousands((failures.len() - ROW_LIMIT) as u64))],
            ));
        }
        writeln!(
            out,
            "{}",
            fill(
                labels.failed,
                &[
                    ("failed", &number::thousands(failures.len() as u64)),
                    ("checked", &number::thousands(checked as u64)),
                    ("sampled", sampled),
                    ("names", &names.join(", ")),
                ]
            )
        )?;
    } else if judged == 0 {
        // "Passed: all 0 gradients agree" would pass a network nothing was learned about.
        write!(
            out,
            "{}",
            fill(
                labels.not_passed,
                &[
                    ("checked", &number::thousands(checked as u64)),
                    ("sampled", sampled)
                ]
            )
        )?;
        if result.seed.is_some() {
            write!(out, "{}", labels.another_seed)?;
        }
        writeln!(out, "{}", labels.end)?;
    } else {
        write!(
            out,
            "{}",
            fill(
                labels.passed,
                &[
                    ("judged", &number::thousands(judged as u64)),
                    ("sampled", sampled)
                ]
            )
        )?;
        if checked > judged {
            write!(
                out,
                "{}",
                fill(
                    labels.not_judged,
                    &[("n", &number::thousands((checked - judged) as u64))]
                )
            )?;
        }
        writeln!(out, "{}", labels.end)?;
    }
    Ok(())
}

/// Which parameters a sample drew, and how to draw them again.
fn write_sample(
    result: &GradCheck,
    seed: u64,
    cut: bool,
    labels: &CheckLabels,
    out: &mut dyn Write,
) -> io::Result<()> {
    let checked = result.parameters.len();
    let again = if checked == gradcheck::DEFAULT_SAMPLE {
        format!("--seed {seed}")
    } else {
        format!("--sample {checked} --seed {seed}")
    };
    writeln!(
        out,
        "{}",
        fill(
            labels.sample,
            &[
                ("checked", &number::thousands(checked as u64)),
                ("total", &number::thousands(result.total() as u64)),
                ("seed", &seed.to_string()),
                ("again", &again),
            ]
        )
    )?;
    if cut {
        writeln!(
            out,
            "{}",
            fill(labels.cut, &[("n", &gradcheck::DEFAULT_SAMPLE.to_string())])
        )?;
    }
    for group in &result.groups {
        let layer = (group.layer + 1).to_string();
        let what = match group.kind {
            Kind::Weights => fill(labels.weights_of_layer, &[("n", &layer)]),
            Kind::Biases => fill(labels.biases_of_layer, &[("n", &layer)]),
        };
        writeln!(
            out,
            "{}",
            fill(
                labels.group,
                &[
                    ("what", &what),
                    ("range", &range(&result.names, group, labels)),
                    ("checked", &number::thousands(group.checked as u64)),
                    ("size", &number::thousands(group.size as u64)),
                ]
            )
        )?;
    }
    Ok(())
}

/// ASCII mathematics in the article's typography: ∛ε, ·, −, h², E‴.
fn typeset(text: &str) -> String {
    text.replace("cbrt(eps)", "∛ε")
        .replace("eps = ", "ε = ")
        .replace("eps * E", "ε * E")
        .replace(" * ", " · ")
        .replace(" - ", " − ")
        .replace("h^2", "h²")
        .replace("E'''", "E‴")
}
