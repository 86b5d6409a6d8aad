//! `backprop check [NETWORK]`: the gradient check, every ∂E_total/∂w from backpropagation
//! beside a central difference (a seeded sample of them above a few thousand parameters).
//! Exit status 1 when one disagrees, or when none could be judged.

use crate::cli::IterationArgs;
use crate::commands::Disagreed;
use crate::output;
use anyhow::{Context, Result, bail};
use backprop_tracer::engine::Param;
use backprop_tracer::gradcheck::{
    self, Corruption, GradCheck, Group, Kind, Parameter, Plan, Verdict,
};
use backprop_tracer::notation::{Notation, Typography};
use backprop_tracer::number;
use backprop_tracer::random;
use backprop_tracer::trace::UpdateOrder;
use clap::Args;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// The test-only hook of [`gradcheck`]: `SYMBOL*FACTOR` scales that recorded gradient.
const CORRUPT_VAR: &str = "BACKPROP_TEST_CORRUPT_GRADIENT";

/// The table lists every parameter checked up to this many; above it, only those that
/// failed or got no verdict (a million rows would bury them).
const ROW_LIMIT: usize = gradcheck::SAMPLE_ABOVE;

/// A check shorter than this shows no progress bar at all.
const QUIET_FOR: Duration = Duration::from_millis(300);

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

    /// Write only ASCII: borders, symbols (dE_total/dw5 for ∂E_total/∂w5) and messages.
    #[arg(long)]
    pub ascii: bool,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    // No trace is recorded: the gradients come from an untraced iteration, so a network of
    // any size the loader accepts can be checked.
    let resolved = args.iteration.resolve()?;
    let heading = resolved.heading();
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
            let ranges: Vec<String> = groups.iter().map(|g| range(&names, g)).collect();
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
    let mut progress = Progress::new(count, io::stderr().is_terminal(), typography);
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
    let mut title = format!(
        "Gradient check of a {} network ({}), E_total = {}",
        shape.join("-"),
        activations.join(", "),
        number::fixed(result.e_total, options.precision)
    );
    for line in &heading {
        title.push('\n');
        title.push_str(line);
    }
    output::write_to(None, |out| {
        write_report(
            &title,
            &result,
            cut,
            args.ascii,
            output::stdout_is_terminal(),
            out,
        )
    })?;
    if result.passed() && result.judged() > 0 {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// A group's parameters as a range, `w1 to w1000000` (`b1` for a group of one).
fn range(names: &Notation, group: &Group) -> String {
    let first = gradcheck::symbol(names, group.param(0));
    if group.size == 1 {
        first
    } else {
        let last = gradcheck::symbol(names, group.param(group.size - 1));
        format!("{first} to {last}")
    }
}

fn write_report(
    title: &str,
    result: &GradCheck,
    cut: bool,
    ascii: bool,
    fit: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let typography = Typography::from_ascii(ascii);
    let symbol = |p: Param| typography.symbol(&result.symbol(p));
    writeln!(out, "{title}")?;
    let checked = result.parameters.len();
    if let Some(seed) = result.seed {
        write_sample(result, seed, cut, out)?;
    }
    // The explanation is written in ASCII and typeset unless --ascii.
    let text = |s: String| if ascii { s } else { typeset(&s) };
    writeln!(
        out,
        "{}",
        text(format!(
            "Each {} from backpropagation beside the central difference (E(w + h) - E(w - h)) / 2h.",
            typography.symbol("dE_total/dw")
        ))
    )?;
    writeln!(
        out,
        "{}",
        text(format!(
            "Step h = cbrt(eps) * max(1, |w|) = {:.2e} * max(1, |w|), eps = {:.2e} (machine epsilon): \
         the central difference errs by about h^2 * E'''/6 (truncation) plus eps * E / h \
         (rounding in E), and this h balances the two.",
            f64::EPSILON.cbrt(),
            f64::EPSILON
        ))
    )?;
    writeln!(
        out,
        "{}",
        text(format!(
            "Pass: relative error |backprop - difference| / max(|backprop|, |difference|) below \
         {:e}, or, for gradients too small for a finite difference to resolve, |backprop - \
         difference| below the absolute floor {:e} * max(1, E_total) = {:.1e}.",
            gradcheck::RELATIVE_THRESHOLD,
            gradcheck::ABSOLUTE_FLOOR,
            result.floor
        ))
    )?;
    if result.order == UpdateOrder::Sequential {
        writeln!(
            out,
            "Update order sequential: the hidden layers' recorded gradients are taken through \
             the already-updated weights above them, so they are not the gradient at this \
             point, and this check is expected to say so."
        )?;
    }
    let rows: Vec<&Parameter> = if checked <= ROW_LIMIT {
        result.parameters.iter().collect()
    } else {
        let notable: Vec<&Parameter> = result
            .parameters
            .iter()
            .filter(|p| !matches!(p.verdict, Verdict::Agrees | Verdict::BelowFloor))
            .collect();
        writeln!(
            out,
            "The table lists the {} of the {} checked that failed or got no verdict{}.",
            thousands(notable.len()),
            thousands(checked),
            if notable.len() > ROW_LIMIT {
                format!(", the first {}", thousands(ROW_LIMIT))
            } else {
                String::new()
            }
        )?;
        notable.into_iter().take(ROW_LIMIT).collect()
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
        table.set_header(vec![
            "parameter",
            "value",
            "backprop",
            "central difference",
            "h",
            "relative error",
            "verdict",
        ]);
        for p in rows {
            let verdict = match p.verdict {
                Verdict::Agrees => "ok".to_string(),
                Verdict::BelowFloor => "ok (below the floor)".to_string(),
                Verdict::Disagrees => "FAIL".to_string(),
                Verdict::Kink { layer, neuron } => format!(
                    "no verdict: relu kink at net_{}",
                    result.names.neuron(layer, neuron)
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
        " sampled"
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
            names.push(format!(
                "and {} more",
                thousands(failures.len() - ROW_LIMIT)
            ));
        }
        writeln!(
            out,
            "FAILED: {} of {}{sampled} gradients disagree with the central difference: {}.",
            thousands(failures.len()),
            thousands(checked),
            names.join(", ")
        )?;
    } else if judged == 0 {
        // "Passed: all 0 gradients agree" would pass a network nothing was learned about.
        write!(
            out,
            "Not passed: no gradient could be checked: each of the {}{sampled} is at a ReLU \
             kink (a ReLU's input is within h of 0, where E has no derivative)",
            thousands(checked)
        )?;
        if result.seed.is_some() {
            write!(out, "; another --seed, or --all, may find some that can be")?;
        }
        writeln!(out, ".")?;
    } else {
        write!(
            out,
            "Passed: all {}{sampled} gradients agree",
            thousands(judged)
        )?;
        if checked > judged {
            write!(
                out,
                "; {} not judged (a ReLU's input is within h of 0, where E has no derivative)",
                thousands(checked - judged)
            )?;
        }
        writeln!(out, ".")?;
    }
    Ok(())
}

/// Which parameters a sample drew, and how to draw them again.
fn write_sample(result: &GradCheck, seed: u64, cut: bool, out: &mut dyn Write) -> io::Result<()> {
    let checked = result.parameters.len();
    let again = if checked == gradcheck::DEFAULT_SAMPLE {
        format!("--seed {seed}")
    } else {
        format!("--sample {checked} --seed {seed}")
    };
    writeln!(
        out,
        "Checked {} of {} parameters, drawn with seed {seed} ({again} repeats it; --all checks \
         every one), evenly from each layer:",
        thousands(checked),
        thousands(result.total())
    )?;
    if cut {
        writeln!(
            out,
            "  (fewer than the {} of a default sample: here each central difference recomputes \
             whole layers of many neurons, and these are what fit in about 20 seconds)",
            gradcheck::DEFAULT_SAMPLE
        )?;
    }
    for group in &result.groups {
        let what = match group.kind {
            Kind::Weights => format!("weights of layer {}", group.layer + 1),
            Kind::Biases => format!("biases of layer {}", group.layer + 1),
        };
        writeln!(
            out,
            "  {what} ({}): {} of {}",
            range(&result.names, group),
            thousands(group.checked),
            thousands(group.size)
        )?;
    }
    Ok(())
}

/// A count with its thousands separated: 1,000,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The progress bar on standard error: only on a terminal, only once the check has taken
/// more than a moment, and cleared before the report is printed.
struct Progress {
    enabled: bool,
    total: u64,
    typography: Typography,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new(total: usize, enabled: bool, typography: Typography) -> Progress {
        Progress {
            enabled,
            total: total as u64,
            typography,
            started: Instant::now(),
            bar: None,
        }
    }

    fn update(&mut self, done: usize) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= QUIET_FOR {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:32} {human_pos}/{human_len} gradients checked, {eta} left",
            )
            .expect("the template is valid");
            // indicatif draws its bar in block characters (█░) unless told otherwise.
            bar.set_style(if self.typography.is_ascii() {
                style.progress_chars("#>-")
            } else {
                style
            });
            bar.set_position(done as u64);
            // Started late: the estimate counts from here.
            bar.reset_eta();
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
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
