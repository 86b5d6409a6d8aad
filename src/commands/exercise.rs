//! `backprop exercise`: a student's own network, as a worksheet to fill in and an answer key
//! (the filled derivation and the JSON trace `verify` and `grade` read); with `--class`, one
//! of each per name in a roster.

use crate::output;
use anyhow::{Context, Result, bail};
use backprop_tracer::exercise::{self, Blank, Exercise, Settings, Sheet, Who};
use backprop_tracer::loss::Loss;
use backprop_tracer::network::Activation;
use backprop_tracer::render::Lang;
use backprop_tracer::render::diagram::Diagram;
use backprop_tracer::render::document::markdown;
use backprop_tracer::render::json;
use backprop_tracer::render::worksheet_page;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Args)]
#[command(after_help = format!("Every network drawn meets this rule: {}.", exercise::THE_RULE))]
pub struct ExerciseArgs {
    /// The student's name: the same name gives the same network on every machine and in
    /// every version (its seed is printed).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["seed", "class"])]
    pub student: Option<String>,

    /// The exercise of this seed (the one a worksheet prints). Without --student, --seed or
    /// --class, a fresh seed is drawn and printed.
    #[arg(long, value_name = "S", conflicts_with = "class")]
    pub seed: Option<u64>,

    /// A roster: one student's name per line (blank lines and lines starting with # are
    /// skipped). With -o DIR: DIR/worksheets/NAME.md (with NAME.svg, the hand-in NAME.csv
    /// and NAME.html, the worksheet as a page that checks itself), DIR/keys/NAME.md and DIR/keys/NAME.json (the key `grade` reads), and
    /// DIR/class.csv (each name, its file name and its seed).
    #[arg(long, value_name = "ROSTER", requires = "output")]
    pub class: Option<PathBuf>,

    /// Neurons per layer, inputs first (at most 4 layers of at most 4 neurons: a worksheet
    /// is done by hand).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N,N,…",
        default_value = "2,2,2"
    )]
    pub layers: Vec<usize>,

    /// The activation of every layer (with --loss cross_entropy the output layer is softmax;
    /// with binary_cross_entropy, sigmoid).
    #[arg(long, default_value = "sigmoid",
          value_parser = PossibleValuesParser::new(["sigmoid", "tanh", "relu", "linear"])
              .map(|s| Activation::from_name(&s).unwrap_or(Activation::Sigmoid)))]
    pub activation: Activation,

    /// The loss.
    #[arg(long, default_value = "half_squared_error",
          value_parser = PossibleValuesParser::new(Loss::ALL.map(Loss::name))
              .map(|s| Loss::from_name(&s).unwrap_or_default()))]
    pub loss: Loss,

    /// Decimals of the inputs, targets, weights and biases (1 to 3).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub decimals: u8,

    /// Which values are left blank for the student.
    #[arg(long, value_enum, default_value_t = Blank::All)]
    pub blank: Blank,

    /// markdown: the worksheet as a document with TeX math; html: one self-contained page
    /// whose boxes check the answers typed in them (with --key: the filled page); json: the
    /// network, the blanks and the instructions, for a program (with --key: the trace).
    #[arg(long, value_enum, default_value_t = ExerciseFormat::Markdown)]
    pub format: ExerciseFormat,

    /// Write the answer key instead: the derivation with every blank filled in and
    /// numbered as on the worksheet (with -o FILE.md or FILE.html, the JSON trace `verify` and `grade`
    /// read is written beside it as FILE.json); with --format json, the trace.
    #[arg(long)]
    pub key: bool,

    /// Write to FILE (with --class, into the folder DIR) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Language of the worksheet: English, or the article's Chinese terms.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExerciseFormat {
    Markdown,
    Html,
    Json,
}

pub fn run(args: &ExerciseArgs) -> Result<()> {
    let settings = Settings {
        layers: args.layers.clone(),
        activation: args.activation,
        loss: args.loss,
        decimals: args.decimals,
    };
    if let Some(roster) = &args.class {
        let dir = args
            .output
            .as_deref()
            .expect("clap requires -o with --class");
        return class(args, &settings, roster, dir);
    }
    let (who, seed) = match (&args.student, args.seed) {
        (Some(name), _) => {
            let Some(seed) = exercise::seed_of(name) else {
                bail!(super::UsageError(format!(
                    "--student {}: a name needs at least one letter or digit",
                    backprop_tracer::quote::excerpt(name)
                )));
            };
            (Who::Student(name.trim().to_string()), seed)
        }
        (None, Some(seed)) => (Who::Seed, seed),
        (None, None) => (Who::Seed, backprop_tracer::random::fresh_seed()),
    };
    let exercise = exercise::draw(seed, &settings).map_err(usage)?;
    output::to_stderr(&backprop_tracer::render::lang::fill(
        args.lang.exercise().seed_note,
        &[
            ("seed", &seed.to_string()),
            ("command", &exercise::command(&who, seed, &settings)),
        ],
    ));
    let stem = args
        .output
        .as_deref()
        .and_then(Path::file_stem)
        .map(|s| s.to_string_lossy().into_owned());
    let hand_in = match (&who, &stem) {
        (Who::Student(name), _) => format!("{}.csv", exercise::slug(name).unwrap_or_default()),
        (Who::Seed, Some(stem)) => format!("{stem}.csv"),
        (Who::Seed, None) => format!("{seed}.csv"),
    };
    let files = Files {
        who: &who,
        settings: &settings,
        args,
        hand_in,
    };
    match &args.output {
        None => output::write_to(None, |out| files.main(&exercise, None, out)),
        Some(path) => files.write(&exercise, path),
    }
}

/// A setting that cannot be drawn is a usage error (exit 2), as clap's own.
fn usage(e: exercise::ExerciseError) -> anyhow::Error {
    match e {
        exercise::ExerciseError::Setting { .. } => super::UsageError(e.to_string()).into(),
        _ => anyhow::Error::new(e),
    }
}

/// The files of one exercise.
struct Files<'a> {
    who: &'a Who,
    settings: &'a Settings,
    args: &'a ExerciseArgs,
    /// The name of the file the worksheet asks the student to hand in.
    hand_in: String,
}

impl Files<'_> {
    fn sheet(&self, key: bool, figure: Option<String>) -> Sheet<'_> {
        Sheet {
            who: self.who,
            settings: self.settings,
            blank: self.args.blank,
            key,
            lang: self.args.lang,
            figure,
            hand_in_file: self.hand_in.clone(),
        }
    }

    /// What --key and --format ask for, into `out`; `figure` is the figure file's name beside
    /// it, when there is one.
    fn main(
        &self,
        exercise: &Exercise,
        figure: Option<String>,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        match (self.args.format, self.args.key) {
            (ExerciseFormat::Json, true) => json::render(&exercise.trace, out),
            (ExerciseFormat::Json, false) => {
                let doc = worksheet_json(exercise, self.who, self.settings, self.args.blank);
                serde_json::to_writer_pretty(&mut *out, &doc)?;
                writeln!(out)
            }
            (ExerciseFormat::Markdown, key) => {
                markdown::write(&exercise::document(exercise, &self.sheet(key, figure)), out)
            }
            (ExerciseFormat::Html, key) => {
                worksheet_page::write(exercise, &self.sheet(key, None), out)
            }
        }
    }

    /// The exercise into `path`, with what goes beside it: the figure beside a Markdown
    /// worksheet, the trace beside a Markdown key.
    fn write(&self, exercise: &Exercise, path: &Path) -> Result<()> {
        let markdown = self.args.format == ExerciseFormat::Markdown;
        let document = self.args.format != ExerciseFormat::Json;
        // A Markdown worksheet links its figure (a page has it inline); a key written as a
        // document has the trace that verify and grade read beside it.
        let figure = (markdown && !self.args.key).then(|| path.with_extension("svg"));
        let trace = (document && self.args.key).then(|| path.with_extension("json"));
        for beside in [&figure, &trace].into_iter().flatten() {
            if beside == path {
                bail!(super::UsageError(format!(
                    "-o {}: a document's name ends in .md or .html (the {} goes beside it, as {})",
                    path.display(),
                    if figure.is_some() {
                        "figure"
                    } else {
                        "key's trace"
                    },
                    beside.display()
                )));
            }
        }
        let figure_name = figure
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        output::write_to(Some(path), |out| self.main(exercise, figure_name, out))?;
        if let Some(svg) = &figure {
            let drawing = Diagram::new(&exercise.network, None).to_svg();
            output::write_to(Some(svg), |out| out.write_all(drawing.as_bytes()))?;
        }
        if let Some(trace_path) = &trace {
            output::write_to(Some(trace_path), |out| json::render(&exercise.trace, out))?;
        }
        Ok(())
    }
}

/// The worksheet for a program: the network handed out, the blanks in order, the words.
fn worksheet_json(
    exercise: &Exercise,
    who: &Who,
    settings: &Settings,
    blank: Blank,
) -> serde_json::Value {
    let blanks: Vec<_> = exercise
        .trace
        .first()
        .values
        .iter()
        .filter(|v| blank.hides(v))
        .enumerate()
        .map(|(i, v)| {
            json!({
                "number": i + 1,
                "symbol": v.symbol,
                "formula": v.formula,
                "stage": v.stage,
            })
        })
        .collect();
    json!({
        "format": "backprop-tracer/exercise",
        "version": 1,
        "student": match who {
            Who::Student(name) => Some(name.as_str()),
            Who::Seed => None,
        },
        "seed": exercise.seed,
        "command": exercise::command(who, exercise.seed, settings),
        "blank": blank.to_possible_value().map(|v| v.get_name().to_string()),
        "network": exercise.file,
        "blanks": blanks,
        "rule": exercise::THE_RULE,
    })
}

/// One worksheet and one key per name of `roster`, into `dir`.
fn class(args: &ExerciseArgs, settings: &Settings, roster: &Path, dir: &Path) -> Result<()> {
    let names = read_roster(roster)?;
    let worksheets = dir.join("worksheets");
    let keys = dir.join("keys");
    for folder in [&worksheets, &keys] {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create the folder {}", folder.display()))?;
    }
    // Markdown (the figure and the trace beside each), whatever --format and --key say.
    let worksheet_args = ExerciseArgs {
        format: ExerciseFormat::Markdown,
        key: false,
        ..args.clone()
    };
    let key_args = ExerciseArgs {
        key: true,
        ..worksheet_args.clone()
    };
    let mut index = String::from("student,file,seed\n");
    for (name, slug) in &names {
        let seed = exercise::seed_of(name).expect("a roster name has a slug");
        let who = Who::Student(name.clone());
        let exercise = exercise::draw(seed, settings).map_err(usage)?;
        let files = |args| Files {
            who: &who,
            settings,
            args,
            hand_in: format!("{slug}.csv"),
        };
        files(&worksheet_args).write(&exercise, &worksheets.join(format!("{slug}.md")))?;
        // The same worksheet as a page that checks itself.
        let page_args = ExerciseArgs {
            format: ExerciseFormat::Html,
            ..worksheet_args.clone()
        };
        files(&page_args).write(&exercise, &worksheets.join(format!("{slug}.html")))?;
        let hand_in = exercise::hand_in(&exercise.trace, args.blank);
        output::write_to(Some(&worksheets.join(format!("{slug}.csv"))), |out| {
            out.write_all(hand_in.as_bytes())
        })?;
        files(&key_args).write(&exercise, &keys.join(format!("{slug}.md")))?;
        index.push_str(&format!("{},{slug},{seed}\n", csv_field(name)));
    }
    output::write_to(Some(&dir.join("class.csv")), |out| {
        out.write_all(index.as_bytes())
    })?;
    output::to_stderr(&backprop_tracer::render::lang::fill(
        args.lang.exercise().class_done,
        &[
            ("count", &names.len().to_string()),
            ("worksheets", &worksheets.display().to_string()),
            ("keys", &keys.display().to_string()),
            ("list", &dir.join("class.csv").display().to_string()),
        ],
    ));
    Ok(())
}

/// A CSV field, quoted when it has to be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The roster's names with their file stems, in order; two names with one stem are refused
/// (their files would overwrite each other).
fn read_roster(roster: &Path) -> Result<Vec<(String, String)>> {
    let bytes = std::fs::read(roster)
        .with_context(|| format!("cannot read the roster {}", roster.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {} is not): the roster is one name per line",
            roster.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut names = Vec::new();
    let mut seen: HashMap<String, (usize, String)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let name = line.trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        let Some(slug) = exercise::slug(name) else {
            bail!(
                "{}, line {}: {} is not a name (no letter or digit)",
                roster.display(),
                i + 1,
                backprop_tracer::quote::excerpt(name)
            );
        };
        if let Some((first, other)) = seen.get(&slug) {
            bail!(
                "{}, line {}: {} has the same file name ({slug}) as {} on line {first}: \
                 tell them apart (a surname, an initial)",
                roster.display(),
                i + 1,
                backprop_tracer::quote::excerpt(name),
                backprop_tracer::quote::excerpt(other)
            );
        }
        seen.insert(slug.clone(), (i + 1, name.to_string()));
        names.push((name.to_string(), slug));
    }
    if names.is_empty() {
        bail!(
            "{}: no names (the roster is one student's name per line)",
            roster.display()
        );
    }
    Ok(names)
}
