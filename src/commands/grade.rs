//! `backprop grade KEY_DIR SUBMISSIONS_DIR`: the class graded (see
//! [`backprop_tracer::grade`]), the gradebook written to standard output or `-o FILE`, each
//! student's feedback page to a folder, and a one-line summary to standard error.

use crate::commands::UsageError;
use crate::output;
use anyhow::{Context, Result};
use backprop_tracer::grade::{self, Outcome, feedback, gradebook};
use backprop_tracer::notation::Typography;
use backprop_tracer::render::Lang;
use backprop_tracer::render::lang::fill;
use clap::Args;
use std::path::{Path, PathBuf};

/// How the gradebook is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GradeFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct GradeArgs {
    /// The keys: one NAME.json per student (the trace `backprop show NETWORK --format json`
    /// writes, or a network file; `exercise --class` writes them as keys/NAME.json). Other
    /// files are ignored.
    #[arg(value_name = "KEY_DIR")]
    pub keys: PathBuf,

    /// The submissions: one NAME.csv or NAME.json per student (as `verify` reads them),
    /// matched to the key of the same name (`Alice Martin.csv` to alice-martin.json).
    #[arg(value_name = "SUBMISSIONS_DIR")]
    pub submissions: PathBuf,

    /// Write the gradebook to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// csv: one line per student, for a spreadsheet (the default); json: the same rows as a
    /// document for a program.
    #[arg(long, value_enum, default_value_t = GradeFormat::Csv)]
    pub format: GradeFormat,

    /// The folder for the feedback pages (one STUDENT.md each); by default `feedback` beside
    /// the gradebook (beside FILE with -o, else in the current folder).
    #[arg(long, value_name = "DIR", conflicts_with = "no_feedback")]
    pub feedback: Option<PathBuf>,

    /// Write the gradebook only, no feedback pages.
    #[arg(long)]
    pub no_feedback: bool,

    /// The significant digits a computed value needs to count as right (0: any). A value
    /// agrees at the precision it is written with, so without this `0` would be right for
    /// ∂E_total/∂w1 = 0.000438568; a value written exactly counts whatever its digits.
    #[arg(long, value_name = "N", default_value_t = grade::MIN_DIGITS)]
    pub min_digits: usize,

    /// Language of the notes and the feedback (the gradebook's columns and statuses stay
    /// English: they are data).
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,

    /// Write only ASCII: symbols (dE_total/dw5 for ∂E_total/∂w5) and messages.
    #[arg(long)]
    pub ascii: bool,
}

/// Grades the class and writes the gradebook and the feedback.
pub fn run(args: &GradeArgs) -> Result<()> {
    if args.keys == args.submissions {
        return Err(UsageError(format!(
            "KEY_DIR and SUBMISSIONS_DIR are the same folder ({}): keep the keys apart from \
             the students' submissions",
            args.keys.display()
        ))
        .into());
    }
    if let Some(path) = &args.output {
        output::check_writable(path)?;
    }
    let typography = Typography::from_ascii(args.ascii);
    let class = grade::grade(&args.keys, &args.submissions, args.min_digits)?;
    for key in &class.keys {
        for w in &key.warnings {
            output::to_stderr(&format!("warning: key {}: {w}", key.file));
        }
    }
    let lines = gradebook::lines(&class, args.lang, typography);

    let feedback_dir = feedback_dir(args);
    if let Some(dir) = &feedback_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the feedback folder {}", dir.display()))?;
        for (row, name) in class.rows.iter().zip(feedback::file_names(&class)) {
            let page = feedback::page(row, args.lang, typography);
            output::write_to(Some(&dir.join(name)), |out| out.write_all(page.as_bytes()))?;
        }
    }
    output::write_to(args.output.as_deref(), |out| match args.format {
        GradeFormat::Csv => gradebook::write_csv(&lines, out),
        GradeFormat::Json => gradebook::write_json(&lines, out),
    })?;
    output::to_stderr(&summary(&class, feedback_dir.as_deref(), args.lang));
    Ok(())
}

/// Where the feedback pages go, unless `--no-feedback`.
fn feedback_dir(args: &GradeArgs) -> Option<PathBuf> {
    if args.no_feedback {
        return None;
    }
    if let Some(dir) = &args.feedback {
        return Some(dir.clone());
    }
    let beside = args
        .output
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(beside.join("feedback"))
}

/// What was graded, in a line (and where the feedback went).
fn summary(class: &grade::Class, feedback: Option<&Path>, lang: Lang) -> String {
    let count = |f: fn(&Outcome) -> bool| {
        class
            .rows
            .iter()
            .filter(|r| f(&r.outcome))
            .count()
            .to_string()
    };
    let files = class.rows.iter().filter(|r| r.file.is_some()).count();
    let line = fill(
        lang.grade().summary,
        &[
            ("graded", &count(|o| matches!(o, Outcome::Graded(_)))),
            ("files", &files.to_string()),
            (
                "unreadable",
                &count(|o| matches!(o, Outcome::Unreadable(_))),
            ),
            ("no_key", &count(|o| matches!(o, Outcome::NoKey { .. }))),
            (
                "wrong_student",
                &count(|o| matches!(o, Outcome::WrongStudent { .. })),
            ),
            ("missing", &count(|o| matches!(o, Outcome::Missing))),
        ],
    );
    match feedback {
        Some(dir) => format!("{line}; feedback: {}", dir.display()),
        None => line,
    }
}
