//! `backprop check [NETWORK]`: the gradient check, every ∂E_total/∂w from backpropagation
//! beside a central difference. Exit status 1 when one disagrees.

use crate::cli::IterationArgs;
use crate::commands::Disagreed;
use crate::output;
use anyhow::{Context, Result};
use backprop_tracer::gradcheck::{self, Corruption, GradCheck, Verdict};
use backprop_tracer::notation::Typography;
use backprop_tracer::number;
use backprop_tracer::trace::UpdateOrder;
use clap::Args;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use std::io::{self, Write};

/// The test-only hook of [`gradcheck`]: `SYMBOL*FACTOR` scales that recorded gradient.
const CORRUPT_VAR: &str = "BACKPROP_TEST_CORRUPT_GRADIENT";

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    /// Write only ASCII: borders, symbols (dE_total/dw5 for ∂E_total/∂w5) and messages.
    #[arg(long)]
    pub ascii: bool,
}

pub fn run(args: &CheckArgs) -> Result<()> {
    let super::Recorded { trace, heading } = args.iteration.record()?;
    let corruption = match std::env::var(CORRUPT_VAR) {
        Ok(text) => {
            let c = Corruption::parse(&text)
                .with_context(|| format!("{CORRUPT_VAR}: expected SYMBOL*FACTOR, got {text}"))?;
            // The hook works in every build, so whoever set it by accident hears of it, each
            // time: the report below is not the network's own.
            eprintln!(
                "warning: test hook {CORRUPT_VAR}={text} is active: the recorded gradient of \
                 {} is multiplied by {} before the check (for the test suite only; unset it)",
                c.symbol, c.factor
            );
            Some(c)
        }
        Err(_) => None,
    };
    let result = gradcheck::check(&trace, corruption.as_ref());
    if let Some(c) = &corruption
        && !result.parameters.iter().any(|p| p.symbol == c.symbol)
    {
        // A hook that corrupts nothing would let a test of the failure path pass vacuously.
        let names: Vec<&str> = result
            .parameters
            .iter()
            .map(|p| p.symbol.as_str())
            .collect();
        anyhow::bail!(
            "{CORRUPT_VAR}: this network has no gradient of {} (its parameters: {})",
            c.symbol,
            names.join(", ")
        );
    }
    let shape: Vec<String> = trace.network.layers.iter().map(|n| n.to_string()).collect();
    let mut activations: Vec<&str> = trace.network.activations.iter().map(|a| a.name()).collect();
    activations.dedup();
    let mut title = format!(
        "Gradient check of a {} network ({}), E_total = {}",
        shape.join("-"),
        activations.join(", "),
        number::fixed(result.e_total, trace.options.precision)
    );
    for line in &heading {
        title.push('\n');
        title.push_str(line);
    }
    output::write_to(None, |out| {
        write_report(
            &title,
            &result,
            args.ascii,
            output::stdout_is_terminal(),
            out,
        )
    })?;
    if result.passed() {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

fn write_report(
    title: &str,
    result: &GradCheck,
    ascii: bool,
    fit: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let symbol = |s: &str| Typography::from_ascii(ascii).symbol(s);
    writeln!(out, "{title}")?;
    // The explanation is written in ASCII and typeset unless --ascii.
    let text = |s: String| if ascii { s } else { typeset(&s) };
    writeln!(
        out,
        "{}",
        text(format!(
            "Each {} from backpropagation beside the central difference (E(w + h) - E(w - h)) / 2h.",
            symbol("dE_total/dw")
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
    writeln!(out)?;

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
    for p in &result.parameters {
        let verdict = match &p.verdict {
            Verdict::Agrees => "ok".to_string(),
            Verdict::BelowFloor => "ok (below the floor)".to_string(),
            Verdict::Disagrees => "FAIL".to_string(),
            Verdict::Kink { neuron } => {
                format!("no verdict: relu kink at net_{neuron}")
            }
        };
        table.add_row(vec![
            Cell::new(symbol(&p.symbol)),
            Cell::new(number::compact(p.value, 9)).set_alignment(CellAlignment::Right),
            Cell::new(number::fixed(p.backprop, 12)).set_alignment(CellAlignment::Right),
            Cell::new(number::fixed(p.numeric, 12)).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.2e}", p.step)).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.1e}", p.relative_error)).set_alignment(CellAlignment::Right),
            Cell::new(verdict),
        ]);
    }
    writeln!(out, "{table}")?;

    let total = result.parameters.len();
    let kinks = result
        .parameters
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Kink { .. }))
        .count();
    let failures = result.failures();
    if failures.is_empty() {
        write!(out, "Passed: all {} gradients agree", total - kinks)?;
        if kinks > 0 {
            write!(
                out,
                "; {kinks} not judged (a ReLU's input is within h of 0, where E has no derivative)"
            )?;
        }
        writeln!(out, ".")?;
    } else {
        let names: Vec<String> = failures.iter().map(|s| symbol(s)).collect();
        writeln!(
            out,
            "FAILED: {} of {total} gradients disagree with the central difference: {}.",
            failures.len(),
            names.join(", ")
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
