//! `backprop verify FILE`: a student's own numbers checked against the engine, each wrong one
//! explained; or a whole trace checked value by value. Exit status 1 when anything disagrees.

use crate::cli::{ColorChoice, DisplayArgs};
use crate::commands::{Disagreed, UsageError};
use crate::input;
use crate::output;
use anyhow::{Context, Result, bail};
use backprop_tracer::budget;
use backprop_tracer::notation::Typography;
use backprop_tracer::number;
use backprop_tracer::quote;
use backprop_tracer::render::Lang;
use backprop_tracer::render::lang::fill;
use backprop_tracer::render::symbols::Symbols;
use backprop_tracer::render::table::Section;
use backprop_tracer::trace::{self, Options, Stage, Trace, UpdateOrder};
use backprop_tracer::train::{self as train, Export, RunOptions, SampleOrder, export};
use backprop_tracer::verify::homework::{self, Report, Row, Verdict};
use backprop_tracer::verify::run_check;
use backprop_tracer::verify::template::{self, TemplateFormat};
use backprop_tracer::verify::trace_check::{self, TraceReport};
use backprop_tracer::verify::verdict;
use clap::Args;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};
use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;

/// How `verify` writes: a report or a verdict document; a template as CSV or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Your values: a JSON object {"out_h1": 0.5933, "∂E_total/∂w5": 0.0822, …} or CSV lines
    /// symbol,value. Or a trace (the JSON `show --format json` writes, or one edited or
    /// written elsewhere), to check every value against its formula; or a training run (train
    /// --format ndjson, checked line by line; train --format json, replayed). `-` reads
    /// standard input.
    /// With --template: the network to write the template for (as --network).
    #[arg(value_name = "FILE", required_unless_present = "template")]
    pub file: Option<PathBuf>,

    /// Write a blank homework instead of checking one: every symbol of the iteration in
    /// computation order, the given values filled in as the network file has them, the
    /// others empty (an empty value is not answered). For the network given as FILE or
    /// --network; without one, the article's.
    #[arg(long)]
    pub template: bool,

    /// With --template: only the symbols of one part of the iteration.
    #[arg(long, value_enum, value_name = "SECTION", requires = "template")]
    pub section: Option<Section>,

    /// table: the report (the default); json: the verdict as a document for a program (see
    /// `backprop schema verdict`). With --template: csv (symbol,value lines; the default) or
    /// json (an object, null to fill in).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<VerifyFormat>,

    /// The network your values are for (a network file or a trace); without one, the
    /// article's 2-2-2 network.
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<PathBuf>,

    /// The update order your values should follow.
    #[arg(long, value_enum, default_value_t = UpdateOrder::Simultaneous, value_name = "ORDER")]
    pub update_order: UpdateOrder,

    /// Your values include bias updates (the article keeps the biases fixed).
    #[arg(long)]
    pub update_biases: bool,

    /// Seed of the weights and biases the network file leaves out, in place of its "seed"
    /// (without either, a fresh seed is drawn and printed): the seed `show` printed gives
    /// the same values here.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// With a training stream: the sample order the run trained with (as train's --order). A
    /// --summary stream is replayed with it; a full stream's samples are checked against it
    /// (with --network, and --seed for a random order).
    #[arg(long, value_enum, default_value_t = SampleOrder::Cyclic)]
    pub order: SampleOrder,

    /// Language of the report: English, or the article's Chinese terms (the descriptions of
    /// slips and trace problems stay in English).
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,

    /// When to colour right and wrong values.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Write only ASCII: borders, symbols (dE_total/dw5 for ∂E_total/∂w5), marks (ok, X)
    /// and messages.
    #[arg(long)]
    pub ascii: bool,
}

/// Writes the report; fails with [`Disagreed`] (exit status 1) when anything disagrees.
pub fn run(args: &VerifyArgs) -> Result<()> {
    if args.template {
        return write_template(args);
    }
    if args.format == Some(VerifyFormat::Csv) {
        return Err(UsageError(
            "--format csv is for --template; a verdict is written as a table or json".to_string(),
        )
        .into());
    }
    let file = args
        .file
        .as_deref()
        .expect("clap requires FILE without --template");
    let name = if file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    };
    if file.as_os_str() == "-" && args.network.as_deref() == Some(std::path::Path::new("-")) {
        return Err(
            UsageError("FILE and --network cannot both be standard input (-)".to_string()).into(),
        );
    }
    let mut reader: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(io::BufReader::new(io::stdin()))
    } else {
        Box::new(io::BufReader::new(
            std::fs::File::open(file).with_context(|| format!("cannot read {name}"))?,
        ))
    };
    // The first line tells a training run's NDJSON stream, which is checked line by line as
    // it is read (a run of a million iterations is never held); anything else is read whole.
    let mut text = String::new();
    reader
        .read_line(&mut text)
        .with_context(|| format!("cannot read {name}"))?;
    let to_terminal = output::stdout_is_terminal();
    let display = DisplayArgs {
        color: args.color,
        lang: args.lang,
        ascii: args.ascii,
    };
    let style = Style {
        lang: args.lang,
        color: display.color(to_terminal),
        typography: Typography::from_ascii(args.ascii),
        fit: to_terminal,
    };
    colored::control::set_override(style.color);

    // An editor may start a UTF-8 file with a byte-order mark; it is not part of the text.
    let first = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match stream_kind(first) {
        Some(Stream::Full) => return verify_stream(args, &name, first, reader, &style),
        Some(Stream::Summary) => return verify_summary_stream(args, &name, first, reader, &style),
        None => {}
    }
    reader
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {name}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if let Some(refusal) = not_checkable(text) {
        bail!("{name} is {refusal}");
    }

    if is_run_summary(text) {
        return verify_run_summary(args, &name, text, &style);
    }
    if is_trace(text) {
        if args.network.is_some() {
            return Err(UsageError(format!(
                "{name} is a trace, which carries its own network: leave out --network to check it"
            ))
            .into());
        }
        // serde_json's message quotes the offending text whole, however long.
        let mut trace: Trace = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!(quote::shorten_quoted(&e.to_string())))
            .with_context(|| format!("{name}: not a readable trace (see traces/README.md)"))?;
        trace.upgrade();
        if trace.iterations.is_empty() {
            bail!("{name}: the trace has no iterations to check");
        }
        let report = trace_check::check(&trace);
        let all_agree = report.findings.is_empty();
        if args.format == Some(VerifyFormat::Json) {
            output::write_to(None, |out| {
                let mut writer = verdict::Writer::start(out, &verdict_head(&name, "trace"))?;
                for iteration in &trace.iterations {
                    for v in iteration_verdicts(iteration, &report.findings) {
                        writer.value(&v)?;
                    }
                }
                writer.finish(&[], all_agree)
            })?;
        } else {
            let symbols = Symbols::new(&trace, style.typography);
            let labels = style.lang.verify();
            let mut preface = vec![fill(
                labels.trace_kind,
                &[
                    ("name", &style.text(&name)),
                    ("iterations", &trace.iterations.len().to_string()),
                    ("version", &trace.version.to_string()),
                ],
            )];
            if trace.iterations.len() > 1 {
                preface.push(labels.run_chain.to_string());
            }
            output::write_to(None, |out| {
                write_trace_report(&name, &|s| symbols.of(s), &preface, &report, &style, out)
            })?;
        }
        return if all_agree {
            Ok(())
        } else {
            Err(Disagreed.into())
        };
    }

    let entries = homework::read(text).with_context(|| name.clone())?;
    let (network_name, network) = input::load_network_seeded(args.network.as_deref(), args.seed)?;
    let options = Options {
        update_order: args.update_order,
        update_biases: args.update_biases || network.update_biases,
        precision: 9,
    };
    // The iteration is recorded twice, in both update orders, to name a slip of order.
    budget::check(&network, &options, 2).with_context(|| network_name.clone())?;
    let labels = args.lang.verify();
    let about = match &args.network {
        Some(_) => fill(labels.about_file, &[("name", &network_name)]),
        None => labels.article_network.to_string(),
    };
    let report = homework::check(&network, &options, entries).with_context(|| name.clone())?;
    let all_agree = report.all_agree();
    let seed_note = super::seed_note(&network, args.lang);
    if args.format == Some(VerifyFormat::Json) {
        output::write_to(None, |out| write_homework_verdict(&name, &report, out))?;
    } else {
        output::write_to(None, |out| {
            write_homework_report(&about, seed_note.as_deref(), &report, &style, out)
        })?;
    }
    if all_agree {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// Writes the blank homework `--template` asks for to standard output.
fn write_template(args: &VerifyArgs) -> Result<()> {
    if args.file.is_some() && args.network.is_some() {
        return Err(UsageError(
            "with --template, give the network once: as NETWORK or as --network".to_string(),
        )
        .into());
    }
    let (_, network) =
        input::load_network_seeded(args.file.as_deref().or(args.network.as_deref()), args.seed)?;
    let options = Options {
        update_order: args.update_order,
        update_biases: args.update_biases || network.update_biases,
        precision: 9,
    };
    let trace = backprop_tracer::engine::trace_iteration(&network, &options);
    let text = template::template(
        &trace,
        |stage| args.section.is_none_or(|s| s == Section::of(stage)),
        match args.format {
            None | Some(VerifyFormat::Csv) => TemplateFormat::Csv,
            Some(VerifyFormat::Json) => TemplateFormat::Json,
            Some(VerifyFormat::Table) => {
                return Err(UsageError(
                    "--template writes --format csv or json, not a table".to_string(),
                )
                .into());
            }
        },
    );
    output::write_to(None, |out| out.write_all(text.as_bytes()))
}

/// The verdict document's head for `file`.
fn verdict_head<'a>(file: &'a str, kind: &'static str) -> verdict::Head<'a> {
    let recomputed = kind != "homework";
    verdict::Head {
        format: verdict::FORMAT_NAME,
        version: 1,
        file,
        kind,
        rule: if recomputed {
            "each value is recomputed from its formula with the recorded values of its \
             operands; given values are read against the network file; each iteration after \
             the first starts where the one before ended"
        } else {
            "each value is judged at the precision it is written with"
        },
        tolerance: recomputed.then_some(verdict::Tolerance {
            relative: trace_check::RELATIVE_TOLERANCE,
            absolute: trace_check::ABSOLUTE_TOLERANCE,
        }),
    }
}

/// The verdicts of one iteration's values, from the findings about it.
fn iteration_verdicts(
    iteration: &trace::Iteration,
    findings: &[trace_check::Finding],
) -> Vec<verdict::ValueVerdict> {
    let ascii = |s: &str| s.to_string();
    let mine: Vec<&trace_check::Finding> = findings
        .iter()
        .filter(|f| f.iteration == iteration.iteration)
        .collect();
    let mut verdicts = Vec::with_capacity(iteration.values.len() + 1);
    // The iteration's own number, or the sample it trained on, when out of order.
    let of_the_line = |f: &trace_check::Finding| {
        matches!(
            f.problem,
            trace_check::Problem::IterationNumber { .. } | trace_check::Problem::SampleOrder { .. }
        )
    };
    for f in &mine {
        if of_the_line(f) {
            verdicts.push(verdict::ValueVerdict {
                iteration: Some(iteration.iteration),
                symbol: f.value.symbol.clone(),
                written: None,
                value: f.value.value,
                expected: f.problem.expected(),
                status: "differs",
                follows_from: Vec::new(),
                problem: Some(f.problem.describe(f.value.value, Lang::En, &ascii)),
                slips: Vec::new(),
                article: None,
            });
        }
    }
    for (index, v) in iteration.values.iter().enumerate() {
        let about: Vec<&&trace_check::Finding> = mine
            .iter()
            .filter(|f| f.index == index && !of_the_line(f))
            .collect();
        let primary: Vec<&&&trace_check::Finding> =
            about.iter().filter(|f| f.because_of.is_none()).collect();
        let (status, problem, expected, follows_from) = if !primary.is_empty() {
            let problems: Vec<String> = primary
                .iter()
                .map(|f| f.problem.describe(v.value, Lang::En, &ascii))
                .collect();
            let expected = primary.iter().find_map(|f| f.problem.expected());
            ("differs", Some(problems.join("; ")), expected, Vec::new())
        } else if let Some(f) = about.first() {
            let from = f
                .because_of
                .as_deref()
                .unwrap_or_default()
                .split(", ")
                .map(str::to_string)
                .collect();
            ("follows", None, None, from)
        } else {
            ("agrees", None, None, Vec::new())
        };
        verdicts.push(verdict::ValueVerdict {
            iteration: Some(iteration.iteration),
            symbol: v.symbol.clone(),
            written: None,
            value: v.value,
            expected,
            status,
            follows_from,
            problem,
            slips: Vec::new(),
            article: None,
        });
    }
    verdicts
}

/// The homework report as a verdict document.
fn write_homework_verdict(name: &str, report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ascii = |s: &str| s.to_string();
    let mut writer = verdict::Writer::start(out, &verdict_head(name, "homework"))?;
    let slips = |diagnoses: &[backprop_tracer::verify::slips::Diagnosis]| {
        diagnoses
            .iter()
            .map(|d| verdict::SlipVerdict {
                id: d.slip.id(),
                description: d.describe(&ascii, Lang::En),
            })
            .collect::<Vec<_>>()
    };
    for row in &report.rows {
        let (status, follows_from, slips, article) = match &row.verdict {
            Verdict::Agrees => ("agrees", Vec::new(), Vec::new(), None),
            Verdict::FollowsFrom(names) => ("follows", names.clone(), Vec::new(), None),
            Verdict::Slip(diagnoses) => ("differs", Vec::new(), slips(diagnoses), None),
            Verdict::Unrecognised => ("differs", Vec::new(), Vec::new(), None),
            Verdict::Article(figure, diagnoses) => (
                "differs",
                Vec::new(),
                slips(diagnoses),
                Some(figure.printed.clone()),
            ),
        };
        writer.value(&verdict::ValueVerdict {
            iteration: None,
            symbol: row.symbol.clone(),
            written: Some(row.entry.printed.clone()),
            value: row.entry.value,
            expected: (status != "agrees").then_some(row.correct),
            status,
            follows_from,
            problem: None,
            slips,
            article,
        })?;
    }
    let unknown: Vec<verdict::UnknownVerdict> = report
        .unknown
        .iter()
        .map(|u| verdict::UnknownVerdict {
            written: u.entry.written.clone(),
            did_you_mean: u.suggestion.clone(),
        })
        .collect();
    writer.finish(&unknown, report.all_agree())
}

/// The two kinds of `train --format ndjson` line.
enum Stream {
    /// Every value of each iteration.
    Full,
    /// `--summary`: E_total, the outputs and the parameters only.
    Summary,
}

/// Which kind of training-run stream `first` (a file's first line) starts, if it is one: a
/// whole JSON object on one line with an `iteration` and its `values` (or its `E_total`).
fn stream_kind(first: &str) -> Option<Stream> {
    #[derive(serde::Deserialize)]
    struct Line {
        iteration: Option<serde::de::IgnoredAny>,
        values: Option<serde::de::IgnoredAny>,
        #[serde(rename = "E_total")]
        e_total: Option<serde::de::IgnoredAny>,
    }
    let line: Line = serde_json::from_str(first.trim()).ok()?;
    match (line.iteration, line.values, line.e_total) {
        (Some(_), Some(_), _) => Some(Stream::Full),
        (Some(_), None, Some(_)) => Some(Stream::Summary),
        _ => None,
    }
}

/// What `text` is when it is a JSON document of this program's that holds nothing to
/// recompute (a training run's summary), or of another program's: said in one line, with
/// what `verify` reads instead. `None` for a trace, a network file and anything else (which
/// the homework reader judges).
fn not_checkable(text: &str) -> Option<String> {
    let format = format_of(text)?;
    let reads = "verify reads a trace (show --format json), a training run's NDJSON stream \
                 (train --format ndjson) or summary (train --format json), or your own values \
                 (JSON or CSV)";
    match format.as_str() {
        trace::FORMAT_NAME | export::RUN_FORMAT_NAME => None,
        "" => Some(format!(
            "a JSON document whose \"format\" is not a name: {reads}"
        )),
        other => Some(format!(
            "a document of the format \"{}\", which verify does not read: {reads}",
            quote::excerpt(other)
        )),
    }
}

/// The precision a stream was written at, read from its first iteration: the least that
/// writes every substituted formula exactly as recorded (the engine writes each operand at
/// the run's precision, so a finer one would show more digits somewhere, a coarser one
/// fewer). A first iteration no precision reproduces (a number tampered with) is checked at
/// the tool's default, 9.
fn stream_precision(iteration: &trace::Iteration) -> usize {
    let index = iteration.index();
    let computed: Vec<&trace::TracedValue> = iteration
        .values
        .iter()
        .filter(|v| v.stage != Stage::Given && v.expr.is_some())
        .collect();
    (0..=17)
        .find(|&precision| {
            computed.iter().all(|v| {
                let written = v.substituted_with(|n| {
                    index
                        .get(v.from[n].as_str())
                        .map_or_else(String::new, |o| number::compact(o.value, precision))
                });
                written == v.substituted
            })
        })
        .unwrap_or(9)
}

/// One line of a `train --format ndjson` stream: an iteration, and the sample it trained on
/// (for a network with several).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamLine {
    iteration: usize,
    /// In batches, the epoch (the iterations are what is checked; the epoch follows them).
    #[serde(default, rename = "epoch")]
    _epoch: Option<usize>,
    #[serde(default)]
    sample: Option<usize>,
    values: Vec<trace::TracedValue>,
}

/// Line `number` of a training stream, read as an iteration, and the sample it names.
fn stream_line(name: &str, line: &str, number: usize) -> Result<(trace::Iteration, Option<usize>)> {
    serde_json::from_str::<StreamLine>(line)
        .map(|l| {
            (
                trace::Iteration {
                    iteration: l.iteration,
                    values: l.values,
                },
                l.sample,
            )
        })
        .map_err(|e| anyhow::anyhow!(quote::shorten_quoted(&e.to_string())))
        .with_context(|| {
            format!("{name}: line {number} is not an iteration of a train --format ndjson stream")
        })
}

/// Checks a training stream line by line: `first`, then every line `reader` has left, each
/// handed to `each` with the findings about it as soon as it is checked. The report, and
/// how many iterations the stream holds.
fn check_stream(
    name: &str,
    network: Option<&backprop_tracer::network::Network>,
    precision: usize,
    first: &(trace::Iteration, Option<usize>),
    mut picker: Option<train::Picker>,
    mut reader: Box<dyn BufRead>,
    each: &mut dyn FnMut(&trace::Iteration, &[trace_check::Finding]) -> io::Result<()>,
) -> Result<(TraceReport, usize)> {
    let mut checker = trace_check::Checker::new(network, precision);
    let batch_size = network.map_or(1, |n| n.batch_size);
    let mut batch = Vec::new();
    let mut step = |checker: &mut trace_check::Checker,
                    (iteration, sample): &(trace::Iteration, Option<usize>)| {
        let before = checker.findings().len();
        if let Some(picker) = picker.as_mut() {
            if batch_size > 1 {
                // A batch's line names no sample: its given values carry theirs, each
                // sample's inputs in the batch's order.
                picker.pick_batch(batch_size, &mut batch);
                let mut found: Vec<usize> = Vec::new();
                for v in &iteration.values {
                    if let Some(s) = v.sample.filter(|s| !found.contains(s)) {
                        found.push(s);
                    }
                }
                for (i, &expected) in batch.iter().enumerate() {
                    if found.get(i) != Some(&expected) {
                        checker.wrong_sample(iteration.iteration, expected, found.get(i).copied());
                        break;
                    }
                }
            } else {
                let expected = picker.pick();
                if *sample != Some(expected) {
                    checker.wrong_sample(iteration.iteration, expected, *sample);
                }
            }
        }
        checker.iteration(iteration);
        each(iteration, &checker.findings()[before..])
    };
    step(&mut checker, first)?;
    let mut iterations = 1;
    let mut line = String::new();
    let mut number = 1;
    loop {
        line.clear();
        number += 1;
        if reader
            .read_line(&mut line)
            .with_context(|| format!("cannot read {name}"))?
            == 0
        {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        step(&mut checker, &stream_line(name, &line, number)?)?;
        iterations += 1;
    }
    Ok((checker.finish(), iterations))
}

/// `verify` of a training run's NDJSON stream: each line read and checked as it comes, the
/// chain from one iteration to the next included; nothing but the findings is kept.
fn verify_stream(
    args: &VerifyArgs,
    name: &str,
    first: &str,
    reader: Box<dyn BufRead>,
    style: &Style,
) -> Result<()> {
    let network = match args.network.as_deref() {
        Some(path) => Some(input::load_network_seeded(Some(path), args.seed)?.1),
        None => None,
    };
    let first_line = stream_line(name, first, 1)?;
    let precision = stream_precision(&first_line.0);
    // With a training set and the network, the samples must come in the run's order: in
    // turn, or as the seed draws them (a random order without a seed cannot be checked).
    let seed = args.seed.or(network.as_ref().and_then(|n| n.seed));
    let picker = || {
        let network = network.as_ref()?;
        if network.samples.is_empty() || (args.order == SampleOrder::Random && seed.is_none()) {
            return None;
        }
        Some(train::Picker::new(network.samples.len(), args.order, seed))
    };
    let samples_checked = picker().is_some();
    if args.format == Some(VerifyFormat::Json) {
        // Written as the lines are checked. A line that cannot be read closes the document
        // with why (and the error says so on standard error).
        let unreadable = std::cell::RefCell::new(None);
        let mut agrees = false;
        let written = output::write_to(None, |out| {
            let mut writer = verdict::Writer::start(out, &verdict_head(name, "training_stream"))?;
            let checked = check_stream(
                name,
                network.as_ref(),
                precision,
                &first_line,
                picker(),
                reader,
                &mut |iteration, found| {
                    for v in iteration_verdicts(iteration, found) {
                        writer.value(&v)?;
                    }
                    Ok(())
                },
            );
            match checked {
                Ok((report, _)) => {
                    agrees = report.findings.is_empty();
                    writer.finish(&[], agrees)
                }
                // The document still closes, saying why it stops; the error is reported too.
                Err(e) => {
                    writer.unreadable(&format!("{e:#}"))?;
                    *unreadable.borrow_mut() = Some(e);
                    Ok(())
                }
            }
        });
        if let Some(e) = unreadable.into_inner() {
            return Err(e);
        }
        written?;
        return if agrees {
            Ok(())
        } else {
            Err(Disagreed.into())
        };
    }
    let (report, iterations) = check_stream(
        name,
        network.as_ref(),
        precision,
        &first_line,
        picker(),
        reader,
        &mut |_, _| Ok(()),
    )?;
    // The symbols are printed from the first iteration's roles when the network is known.
    let shell = network.as_ref().map(|network| Trace {
        format: trace::FORMAT_NAME.to_string(),
        version: trace::FORMAT_VERSION,
        network: network.clone(),
        options: Options {
            precision,
            ..Options::default()
        },
        iterations: vec![first_line.0],
    });
    let labels = style.lang.verify();
    let mut preface = vec![fill(
        labels.run_stream,
        &[
            ("name", &style.text(name)),
            ("iterations", &iterations.to_string()),
            ("precision", &precision.to_string()),
        ],
    )];
    if iterations > 1 {
        preface.push(labels.run_chain.to_string());
    }
    if network.is_none() {
        preface.push(labels.stream_no_network.to_string());
    }
    if samples_checked {
        preface.push(fill(labels.stream_samples, &[("order", args.order.name())]));
    }
    let symbols = shell.as_ref().map(|t| Symbols::new(t, style.typography));
    let symbol = |s: &str| match &symbols {
        Some(symbols) => symbols.of(s),
        None => style.typography.symbol(s),
    };
    let all_agree = report.findings.is_empty();
    output::write_to(None, |out| {
        write_trace_report(name, &symbol, &preface, &report, style, out)
    })?;
    if all_agree {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// `verify` of a training stream written with `--summary`: it holds no values to recompute
/// and does not record what it was trained from, so the run is replayed from the network
/// and options given on the command line, and each line it writes compared with the file's,
/// every number bit for bit, as both go (neither is ever held).
fn verify_summary_stream(
    args: &VerifyArgs,
    name: &str,
    first: &str,
    reader: Box<dyn BufRead>,
    style: &Style,
) -> Result<()> {
    let Some(path) = args.network.as_deref() else {
        bail!(
            "{name} is a training run's NDJSON stream written with --summary: its lines hold \
             only E_total, the outputs and the parameters, nothing to recompute, and not what \
             the run started from; give the network it was trained from (--network NET, with \
             the run's --update-order, --update-biases, --order and --seed) to replay it, or \
             verify the full stream (train --format ndjson without --summary)"
        );
    };
    let (network_name, network) = input::load_network_seeded(Some(path), args.seed)?;
    let mut options = RunOptions {
        iterations: usize::MAX,
        update_order: args.update_order,
        update_biases: args.update_biases,
        sample_order: args.order,
        every: None,
        seed: None,
    };
    let initial = train::prepare(&network, &mut options);
    let mut compare = LineByLine {
        pending: Some(first.to_string()),
        reader,
        line: 0,
        ended: false,
        differs: None,
    };
    // The run goes on until the file ends (the comparison stops it there) or a line differs.
    let replayed = train::run(
        &initial,
        &options,
        &[],
        Export::Summary(&mut compare),
        &mut |_| {},
    );
    if let Err(e) = &replayed
        && !compare.ended
        && compare.differs.is_none()
    {
        bail!("cannot read {name}: {e}");
    }
    let labels = style.lang.verify();
    let setup = format!(
        "{network_name}, update order {}, sample order {}{}{}",
        options.update_order.name(),
        options.sample_order.name(),
        if options.update_biases {
            ", biases trained"
        } else {
            ""
        },
        options
            .seed
            .map_or(String::new(), |s| format!(", seed {s}")),
    );
    let line = match &compare.differs {
        None if compare.ended => fill(
            labels.summary_replayed,
            &[
                ("name", &style.text(name)),
                ("lines", &compare.line.to_string()),
                ("setup", &setup),
            ],
        ),
        None => {
            // The replay stopped (it diverged) before the file did.
            let stopped = replayed
                .ok()
                .and_then(|run| run.diverged)
                .map(|d| d.iteration);
            fill(
                labels.summary_longer,
                &[
                    ("name", &style.text(name)),
                    ("setup", &setup),
                    (
                        "stopped",
                        &stopped.map_or("?".to_string(), |i| i.to_string()),
                    ),
                ],
            )
        }
        Some((line, replay, file)) => {
            // Where in the line: the first field that differs, when both are JSON.
            let field = match (
                serde_json::from_str::<serde_json::Value>(replay),
                serde_json::from_str::<serde_json::Value>(file),
            ) {
                (Ok(r), Ok(f)) => run_check::difference(&r, &f),
                _ => None,
            };
            let (replay, file) = match field {
                Some(d) => (
                    format!("{} = {}", d.path, d.replayed),
                    format!("{} = {}", d.path, quote::excerpt(&d.found)),
                ),
                None => (
                    quote::excerpt(replay.trim_end()).into_owned(),
                    quote::excerpt(file.trim_end()).into_owned(),
                ),
            };
            fill(
                labels.summary_differs,
                &[
                    ("name", &style.text(name)),
                    ("line", &line.to_string()),
                    ("setup", &setup),
                    ("replay", &replay),
                    ("file", &file),
                ],
            )
        }
    };
    output::write_to(None, |out| writeln!(out, "{line}"))?;
    if compare.ended && compare.differs.is_none() {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// A writer that compares each line a replayed run writes with the next line of a file (as
/// JSON: the same fields, every number bit for bit): it stops the run (with an error) at the
/// first line that differs, or when the file ends.
struct LineByLine {
    /// The file's first line, read before the replay started.
    pending: Option<String>,
    reader: Box<dyn BufRead>,
    /// The lines compared so far.
    line: usize,
    /// The file has no more lines.
    ended: bool,
    /// The first line that differs: its number, the replay's, the file's.
    differs: Option<(usize, String, String)>,
}

impl Write for LineByLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // The export writes each line whole, with one call.
        let replay = String::from_utf8_lossy(buf).into_owned();
        let file = match self.pending.take() {
            Some(line) => line,
            None => {
                let mut line = String::new();
                // Blank lines are not lines of the stream.
                loop {
                    line.clear();
                    if self.reader.read_line(&mut line)? == 0 {
                        self.ended = true;
                        return Err(io::Error::other("the file ends here"));
                    }
                    if !line.trim().is_empty() {
                        break;
                    }
                }
                line
            }
        };
        self.line += 1;
        // The same bytes, or (a stream reformatted, spaced out) the same JSON, every number
        // bit for bit.
        let same = file.trim_end() == replay.trim_end()
            || match (
                serde_json::from_str::<serde_json::Value>(&replay),
                serde_json::from_str::<serde_json::Value>(&file),
            ) {
                (Ok(r), Ok(f)) => run_check::difference(&r, &f).is_none(),
                _ => false,
            };
        if !same {
            self.differs = Some((self.line, replay, file));
            return Err(io::Error::other("the line differs"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether `text` is a training run's summary (`train --format json`).
fn is_run_summary(text: &str) -> bool {
    format_of(text).as_deref() == Some(export::RUN_FORMAT_NAME)
}

/// `verify` of a training run's summary: replayed from its own initial network and options
/// and compared field by field (see [`run_check`]).
fn verify_run_summary(args: &VerifyArgs, name: &str, text: &str, style: &Style) -> Result<()> {
    let report = run_check::check(text)
        .map_err(|e| anyhow::anyhow!(quote::shorten_quoted(&e)))
        .with_context(|| format!("{name}: not a readable training run summary"))?;
    let agrees = report.difference.is_none();
    let labels = style.lang.verify();
    if args.format == Some(VerifyFormat::Json) {
        output::write_to(None, |out| {
            let mut writer = verdict::Writer::start(out, &verdict_head(name, "training_run"))?;
            if let Some(d) = &report.difference {
                writer.value(&verdict::ValueVerdict {
                    iteration: None,
                    symbol: d.path.clone(),
                    written: Some(d.found.clone()),
                    value: d.found.parse().unwrap_or(f64::NAN),
                    expected: d.replayed.parse().ok(),
                    status: "differs",
                    follows_from: Vec::new(),
                    problem: Some(format!("the replayed run has {} here", d.replayed)),
                    slips: Vec::new(),
                    article: None,
                })?;
            }
            writer.finish(&[], agrees)
        })?;
    } else {
        let iterations = report.iterations.to_string();
        let compared = report.compared.to_string();
        let line = match &report.difference {
            None => fill(
                labels.run_replayed,
                &[
                    ("name", &style.text(name)),
                    ("iterations", &iterations),
                    ("compared", &compared),
                ],
            ),
            Some(d) => fill(
                labels.run_differs,
                &[
                    ("name", &style.text(name)),
                    ("iterations", &iterations),
                    ("path", &d.path),
                    ("replayed", &d.replayed),
                    ("found", &d.found),
                ],
            ),
        };
        output::write_to(None, |out| writeln!(out, "{line}"))?;
    }
    if agrees {
        Ok(())
    } else {
        Err(Disagreed.into())
    }
}

/// Whether `text` is a trace rather than a student's values.
fn is_trace(text: &str) -> bool {
    format_of(text).as_deref() == Some(trace::FORMAT_NAME)
}

/// The `format` field of the JSON document `text`, if it has one that is text (`Some("")`
/// for one that is not). Only that field is kept: the rest is skipped as it is read, which
/// matters for a trace of hundreds of megabytes (read whole into a serde_json::Value, one
/// took several times its size).
fn format_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        format: Option<serde_json::Value>,
    }
    let format = serde_json::from_str::<Head>(text).ok()?.format?;
    Some(format.as_str().unwrap_or_default().to_string())
}

struct Style {
    lang: Lang,
    color: bool,
    typography: Typography,
    fit: bool,
}

impl Style {
    /// A sentence in the chosen typography: the slips' descriptions are written in the
    /// article's.
    fn text(&self, s: &str) -> String {
        self.typography.text(s).into_owned()
    }

    fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table.load_style(if self.typography.is_ascii() {
            presets::ASCII_FULL_CONDENSED
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        table.set_content_arrangement(if self.fit {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        if self.color {
            table.enforce_styling();
        }
        table.set_header(header.to_vec());
        table
    }

    fn paint(&self, cell: Cell, color: Color) -> Cell {
        if self.color { cell.fg(color) } else { cell }
    }

    fn right(&self) -> &'static str {
        self.typography.agrees()
    }

    fn wrong(&self) -> &'static str {
        self.typography.wrong()
    }
}

fn write_homework_report(
    about: &str,
    seed_note: Option<&str>,
    report: &Report,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Symbols and formulas printed from the trace's roles and trees.
    let symbols = Symbols::new(&report.trace, style.typography);
    let index = report.trace.first().index();
    let net = &report.trace.network;
    let shape: Vec<String> = net.layers.iter().map(|n| n.to_string()).collect();
    let mut activations: Vec<&str> = net.activations.iter().map(|a| a.name()).collect();
    activations.dedup();
    let labels = style.lang.verify();
    let biases = if report.trace.options.update_biases {
        labels.biases_updated
    } else {
        ""
    };
    let intro = fill(
        labels.intro,
        &[
            ("about", &style.text(about)),
            ("shape", &shape.join("-")),
            ("activation", &activations.join(", ")),
            ("eta", &symbols.of("eta")),
            ("rate", &number::compact(net.learning_rate, 9)),
            (
                "order",
                super::order_name(report.trace.options.update_order, style.lang),
            ),
            ("biases", biases),
        ],
    );
    writeln!(out, "{intro}")?;
    if let Some(note) = seed_note {
        writeln!(out, "{}", style.text(note))?;
    }
    writeln!(out, "{}", labels.precision_note)?;
    writeln!(out)?;

    let first = report.first_wrong().map(|r| r.symbol.clone());
    let mut table = style.table(&[
        labels.header_symbol,
        labels.header_yours,
        labels.header_correct,
        labels.header_verdict,
    ]);
    // New mistakes get a numbered explanation; the same slip made again is only marked.
    let mut explained: Vec<&Row> = Vec::new();
    let mut seen_slips = Vec::new();
    for row in &report.rows {
        let verdict = match &row.verdict {
            Verdict::Agrees => style.paint(Cell::new(style.right()), Color::Green),
            Verdict::FollowsFrom(names) => style.paint(
                Cell::new(format!(
                    "{} {}",
                    style.wrong(),
                    fill(
                        labels.follows_from,
                        &[(
                            "names",
                            &names
                                .iter()
                                .map(|s| symbols.of(s))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )]
                    )
                )),
                Color::Yellow,
            ),
            Verdict::Slip(d) if seen_slips.contains(&d[0].slip) => style.paint(
                Cell::new(format!(
                    "{} {}",
                    style.wrong(),
                    fill(
                        labels.same_slip,
                        &[("what", &style.text(d[0].slip.short(style.lang)))]
                    )
                )),
                Color::Red,
            ),
            Verdict::Slip(_) | Verdict::Unrecognised | Verdict::Article(..) => {
                explained.push(row);
                let what = match &row.verdict {
                    Verdict::Slip(d) => {
                        seen_slips.push(d[0].slip);
                        style.text(d[0].slip.short(style.lang))
                    }
                    Verdict::Article(figure, _) => style.text(figure.short(style.lang)),
                    _ => labels.wrong.to_string(),
                };
                let lead = if first.as_deref() == Some(row.symbol.as_str()) {
                    labels.first_wrong_lead
                } else {
                    labels.new_mistake_lead
                };
                style.paint(
                    Cell::new(format!(
                        "{} {lead}: {what} [{}]",
                        style.wrong(),
                        explained.len()
                    )),
                    Color::Red,
                )
            }
        };
        table.add_row(vec![
            Cell::new(symbols.of(&row.symbol)),
            Cell::new(style.text(&row.entry.printed)).set_alignment(CellAlignment::Right),
            Cell::new(row.show(row.correct)).set_alignment(CellAlignment::Right),
            verdict,
        ]);
    }
    writeln!(out, "{table}")?;

    for (n, row) in explained.iter().enumerate() {
        writeln!(out)?;
        let title = if n == 0 {
            labels.first_wrong_title
        } else {
            labels.new_mistake_title
        };
        let detail = fill(
            labels.detail,
            &[
                ("n", &(n + 1).to_string()),
                ("title", title),
                ("symbol", &symbols.of(&row.symbol)),
                ("yours", &style.text(&row.entry.printed)),
                ("correct", &row.show(row.correct)),
            ],
        );
        writeln!(out, "{detail}")?;
        // A value the network file left out was drawn, not read from a field of it.
        let drawn = report.trace.first().get(&row.symbol).and_then(|v| v.drawn);
        match drawn {
            Some(d) if row.stage == Stage::Given => writeln!(
                out,
                "{}",
                fill(
                    labels.given_drawn,
                    &[
                        ("symbol", &symbols.of(&row.symbol)),
                        ("value", &row.show_compact(row.correct)),
                        ("seed", &d.seed.to_string()),
                    ]
                )
            )?,
            _ if row.stage == Stage::Given => writeln!(
                out,
                "{}",
                fill(
                    labels.given_file,
                    &[
                        ("formula", &row.formula),
                        ("value", &row.show_compact(row.correct)),
                    ]
                )
            )?,
            _ => {}
        }
        let formula = match index.get(row.symbol.as_str()) {
            Some(v) => symbols.formula(v),
            None => row.formula.clone(),
        };
        if row.stage != Stage::Given {
            writeln!(
                out,
                "{}{} = {formula}",
                labels.formula,
                symbols.of(&row.symbol)
            )?;
        }
        if !row.from.is_empty() {
            writeln!(
                out,
                "{}{} = {}",
                labels.with_numbers,
                row.substituted,
                row.show(row.correct)
            )?;
        }
        if let Some((text, value)) = &row.yours {
            writeln!(
                out,
                "{}{} = {}",
                labels.with_your_numbers,
                style.text(text),
                row.show(*value)
            )?;
        }
        if let Verdict::Article(figure, _) = &row.verdict {
            writeln!(
                out,
                "{}{}",
                labels.the_article,
                style.text(&figure.describe(style.lang))
            )?;
            if let Some(why) = figure.explanation(style.lang) {
                writeln!(out, "{}{}", labels.why, style.text(why))?;
            }
        }
        match &row.verdict {
            Verdict::Slip(diagnoses) | Verdict::Article(_, diagnoses) => {
                for (i, d) in diagnoses.iter().enumerate() {
                    let label = if i == 0 {
                        labels.likely_slip
                    } else {
                        labels.or
                    };
                    let slip = d.describe(&|s| symbols.of(s), style.lang);
                    writeln!(out, "{label}{}", style.text(&slip))?;
                    writeln!(out, "{}{}", labels.which_gives, row.show(d.value))?;
                }
            }
            _ if row.stage == Stage::Given && drawn.is_some() => {
                writeln!(out, "{}{}", labels.likely_slip, labels.slip_drawn)?
            }
            _ if row.stage == Stage::Given => {
                writeln!(out, "{}{}", labels.likely_slip, labels.slip_given)?
            }
            _ => writeln!(out, "{}{}", labels.likely_slip, labels.slip_unknown)?,
        }
    }

    if !report.unknown.is_empty() {
        writeln!(out)?;
        for u in &report.unknown {
            let hint = match &u.suggestion {
                Some(s) => fill(labels.did_you_mean, &[("symbol", &symbols.of(s))]),
                None => fill(
                    labels.symbols_hint,
                    &[(
                        "examples",
                        // This network's own symbols: a deep one has no net_h1.
                        &report
                            .trace
                            .first()
                            .vocabulary()
                            .examples()
                            .into_iter()
                            .map(|s| symbols.of(s))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )],
                ),
            };
            // What the student wrote is shown as written, but for the characters --ascii
            // spells in ASCII (their ∂E_total/∂w5 becomes dE_total/dw5).
            let line = fill(
                labels.not_a_value,
                &[
                    ("mark", style.wrong()),
                    ("written", &style.text(&quote::excerpt(&u.entry.written))),
                    ("printed", &style.text(&quote::excerpt(&u.entry.printed))),
                    ("hint", &hint),
                ],
            );
            writeln!(out, "{line}")?;
        }
    }

    writeln!(out)?;
    let wrong = report.rows.iter().filter(|r| !r.agrees()).count();
    let follows = report
        .rows
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::FollowsFrom(_)))
        .count();
    let total = report.rows.len();
    let total_text = total.to_string();
    let summary = if wrong == 0 && report.unknown.is_empty() {
        match total {
            1 => labels.one_agrees.to_string(),
            _ => fill(labels.all_agree, &[("total", &total_text)]),
        }
    } else if wrong == 0 {
        fill(
            labels.recognised_agree,
            &[
                ("total", &total_text),
                ("unknown", &report.unknown.len().to_string()),
            ],
        )
    } else {
        let again = match wrong - follows - explained.len() {
            0 => String::new(),
            n => fill(labels.same_slip_count, &[("n", &n.to_string())]),
        };
        fill(
            labels.disagree,
            &[
                ("wrong", &wrong.to_string()),
                ("total", &total_text),
                ("new", &(wrong - follows).to_string()),
                ("again", &again),
                ("follows", &follows.to_string()),
            ],
        )
    };
    writeln!(out, "{summary}")?;
    Ok(())
}

/// The report on a trace or a run's stream: `preface` (what the file is) first, each symbol
/// written by `symbol`.
fn write_trace_report(
    name: &str,
    symbol: &dyn Fn(&str) -> String,
    preface: &[String],
    report: &TraceReport,
    style: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    for line in preface {
        writeln!(out, "{line}")?;
    }
    let labels = style.lang.verify();
    let name = style.text(name);
    let checked = report.checked.to_string();
    if report.findings.is_empty() {
        let line = fill(
            labels.trace_all_agree,
            &[("name", &name), ("checked", &checked)],
        );
        writeln!(out, "{line}")?;
        return Ok(());
    }
    let line = fill(
        labels.trace_checked,
        &[
            ("name", &name),
            ("checked", &checked),
            (
                "tolerance",
                &format!("{:e}", trace_check::RELATIVE_TOLERANCE),
            ),
        ],
    );
    writeln!(out, "{line}")?;
    let mut table = style.table(&[
        labels.header_iteration,
        labels.header_symbol,
        labels.header_recorded,
        labels.header_problem,
    ]);
    let primary: Vec<_> = report.primary().collect();
    for f in &primary {
        table.add_row(vec![
            Cell::new(f.iteration),
            Cell::new(symbol(&f.value.symbol)),
            Cell::new(number::compact(f.value.value, 12)).set_alignment(CellAlignment::Right),
            style.paint(
                Cell::new(
                    style.text(
                        &f.problem
                            .describe(f.value.value, style.lang, &|s| symbol(s)),
                    ),
                ),
                Color::Red,
            ),
        ]);
    }
    writeln!(out, "{table}")?;
    let inherited: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.because_of.is_some())
        .collect();
    if !inherited.is_empty() {
        let mut names: Vec<String> = inherited
            .iter()
            .map(|f| {
                let from = f
                    .because_of
                    .as_deref()
                    .unwrap_or_default()
                    .split(", ")
                    .map(symbol)
                    .collect::<Vec<_>>()
                    .join(", ");
                fill(
                    labels.inherited_from,
                    &[("symbol", &symbol(&f.value.symbol)), ("from", &from)],
                )
            })
            .collect();
        names.dedup();
        // In a run of several iterations, each name with its iteration.
        let several = report
            .findings
            .iter()
            .any(|f| f.iteration != report.findings[0].iteration);
        if several {
            names = inherited
                .iter()
                .zip(&names)
                .map(|(f, name)| {
                    fill(
                        labels.in_iteration,
                        &[("n", &f.iteration.to_string()), ("name", name)],
                    )
                })
                .collect();
            names.dedup();
        }
        let line = fill(labels.inherited, &[("names", &names.join(", "))]);
        writeln!(out, "{line}")?;
    }
    let line = fill(labels.trace_disagree, &[("n", &primary.len().to_string())]);
    writeln!(out, "{line}")?;
    Ok(())
}
