//! The command line: `backprop [show] [NETWORK] [options]`, `backprop train [NETWORK] [options]`.

use backprop_tracer::render::Lang;
use backprop_tracer::render::table::Section;
use backprop_tracer::trace::UpdateOrder;
use backprop_tracer::train::SampleOrder;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const ABOUT: &str = "Backpropagation, number by number: one training iteration of a neural \
network with every intermediate value (net, out, δ, ∂E/∂w, the updated weights), laid out like \
the worked example students learn from (Matt Mazur's \"A Step by Step Backpropagation \
Example\", translated as \"一文弄懂神经网络中的反向传播法\"), with the article's own numbers beside \
the computed ones.";

/// backprop-tracer
#[derive(Debug, Parser)]
#[command(name = "backprop", version, about = ABOUT, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no command, `backprop` runs `show`.
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show one training iteration as tables that mirror the article (or as a JSON trace).
    Show(ShowArgs),
    /// Step through the iteration one computation at a time, full screen, with a drawing of
    /// the network (--plain: one step per line of input).
    Step(crate::commands::step::StepArgs),
    /// Take one value apart: its derivation as a tree down to the inputs, targets and
    /// weights, each node with its formula, numbers and value.
    Explain(crate::commands::explain::ExplainArgs),
    /// Check your own numbers (JSON or CSV) against the engine, naming the likely slip; or
    /// check every value of a trace or a training run against its formula and the run's chain.
    Verify(crate::commands::verify::VerifyArgs),
    /// Grade a class: each submission (CSV/JSON) checked against its student's key, a
    /// gradebook (CSV or JSON), and a feedback page per student naming the first wrong step.
    Grade(crate::commands::grade::GradeArgs),
    /// Gradient check: every ∂E_total/∂w from backpropagation beside a central difference.
    Check(crate::commands::check::CheckArgs),
    /// Train for many iterations: checkpoints with the article's claims, the loss curve, and
    /// the run as data (NDJSON per iteration, a JSON summary, an SVG plot).
    Train(TrainArgs),
    /// The network's figure, as the article draws it: SVG, or Graphviz DOT (--values writes
    /// the iteration's values on it).
    Diagram(crate::commands::diagram::DiagramArgs),
    /// A student's own exercise: a network drawn from their name with friendly numbers, as a
    /// worksheet to fill in and an answer key (--key); with --class, one per name of a roster.
    Exercise(crate::commands::exercise::ExerciseArgs),
    /// Print the JSON Schema of a document the tool reads or writes (the network file, the
    /// trace, a training stream's line, a run's summary, your values, an explanation, the
    /// verdicts of verify and check).
    Schema(crate::commands::schema::SchemaArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    /// How many iterations (the article's: 10,000).
    #[arg(short = 'n', long, default_value_t = backprop_tracer::train::DEFAULT_ITERATIONS)]
    pub iterations: usize,

    /// A checkpoint every K iterations, instead of after 1, 10, 100, 1,000, …
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    pub every: Option<u64>,

    /// Which sample each iteration trains on (which samples each batch holds, with
    /// `batch_size`), for a network file with `samples`.
    #[arg(long, value_enum, default_value_t = SampleOrder::Cyclic)]
    pub order: SampleOrder,

    /// table: checkpoints, weights and loss curve; json: the run's summary; ndjson: one JSON
    /// line per iteration, written as the run goes (see traces/README.md).
    #[arg(long, value_enum, default_value_t = TrainFormat::Table)]
    pub format: TrainFormat,

    /// With --format ndjson: each line holds only the iteration's E_total, outputs, weights
    /// and biases, not every value.
    #[arg(long)]
    pub summary: bool,

    /// Write to FILE instead of standard output, atomically: into a temporary file beside
    /// FILE, renamed when the run ends (NDJSON streams as the run goes only to standard
    /// output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the loss curve as an SVG image to FILE.svg.
    #[arg(long, value_name = "FILE.svg", value_parser = svg_path)]
    pub plot: Option<PathBuf>,

    /// Print only the final result: no progress bar, no table, no curve.
    #[arg(short, long)]
    pub quiet: bool,

    /// Language of the report: English, or the article's Chinese terms.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,

    /// Write only ASCII: borders, marks (ok, !=), symbols (eta for η) and messages, for
    /// terminals that draw box lines double-width.
    #[arg(long)]
    pub ascii: bool,
}

/// A --plot file name: the image is SVG, and out.png would name it falsely.
fn svg_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
    {
        Ok(path)
    } else {
        Err("the plot is an SVG image: give a file name ending in .svg".to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainFormat {
    Table,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    #[command(flatten)]
    pub display: DisplayArgs,

    /// table: the article's layout; json: the trace (see traces/README.md); markdown: the
    /// article's derivation as a document, with TeX math; latex: the same as a .tex file;
    /// html: one self-contained web page that steps through the iteration (works offline).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Only these values, each in its section: symbols in ASCII or the article's
    /// typography, separated by commas (--only net_h1,out_h1 or --only ∂E_total/∂w5).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "SYMBOL",
        conflicts_with = "format"
    )]
    pub only: Vec<String>,

    /// Only one part of the iteration.
    #[arg(long, value_enum, value_name = "SECTION", conflicts_with = "format")]
    pub section: Option<Section>,

    /// Write to FILE instead of standard output (atomically: FILE is never half-written).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub width: WidthArgs,
}

/// How wide the text may be.
#[derive(Debug, Clone, Args)]
pub struct WidthArgs {
    /// Fit the output to N columns (at least 60): prose is wrapped, and a table wider than N
    /// is written as one block per value. On a terminal, its width is used; in a pipe or a
    /// file, lines are as long as they need to be.
    #[arg(long, value_name = "N", value_parser = width)]
    pub width: Option<usize>,
}

impl WidthArgs {
    /// The width to fit: --width, else the terminal's when writing to one (a terminal that
    /// reports 0 columns has no known width).
    pub fn resolve(&self, to_terminal: bool) -> Option<usize> {
        self.width.or_else(|| {
            to_terminal
                .then(crossterm::terminal::size)
                .and_then(Result::ok)
                .map(|(columns, _)| usize::from(columns))
                .filter(|&columns| columns > 0)
        })
    }
}

fn width(text: &str) -> Result<usize, String> {
    let min = backprop_tracer::render::layout::MIN_WIDTH;
    match text.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        Ok(_) => Err(format!("the narrowest width is {min} columns")),
        Err(_) => Err(format!("a number of columns (at least {min})")),
    }
}

/// Which network, and how its iteration is computed: shared by every command that records
/// an iteration.
#[derive(Debug, Clone, Args)]
pub struct IterationArgs {
    /// Network file (JSON), or a trace written by --format json; `-` reads standard input.
    /// Without one, the article's 2-2-2 network.
    #[arg(value_name = "NETWORK")]
    pub network: Option<PathBuf>,

    /// When the weights are updated during the backward pass [default: simultaneous; for a
    /// trace, the order it was written with].
    #[arg(long, value_enum, value_name = "ORDER")]
    pub update_order: Option<UpdateOrder>,

    /// Train the biases too (the article keeps them fixed); same as "update_biases": true.
    #[arg(long)]
    pub update_biases: bool,

    /// Digits after the decimal point (the article prints 9) [default: 9; for a trace, its
    /// own].
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub precision: Option<u8>,

    /// Seed of every random draw (weights and biases the file leaves out; for train, the
    /// random sample order too; for check, the parameters it samples), in place of the
    /// file's "seed". Without either, a fresh seed
    /// is drawn and printed.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

/// How values are shown on screen.
#[derive(Debug, Clone, Args)]
pub struct DisplayArgs {
    /// When to colour negative values and disagreements with the article.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Language of the labels: English, or the article's Chinese terms.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,

    /// Write only ASCII: borders, symbols (dE_total/dw5 for ∂E_total/∂w5, w5+ for w5⁺),
    /// marks (ok for ✓, != for ≠, -> for →) and messages, for terminals that draw box lines
    /// and ∂ double-width. With --lang zh the Chinese words stay (they have no ASCII
    /// spelling, and every terminal draws them two cells wide); everything else is ASCII.
    #[arg(long)]
    pub ascii: bool,
}

impl Cli {
    /// Whether the command asked for ASCII output: its error messages follow it.
    pub fn ascii(&self) -> bool {
        match &self.command {
            None => self.show.display.ascii,
            Some(Command::Show(a)) => a.display.ascii,
            Some(Command::Step(a)) => a.display.ascii,
            Some(Command::Explain(a)) => a.display.ascii,
            Some(Command::Verify(a)) => a.ascii,
            Some(Command::Grade(a)) => a.ascii,
            Some(Command::Check(a)) => a.ascii,
            Some(Command::Train(a)) => a.ascii,
            // A figure is data, as a JSON trace is: its messages are the default ones.
            Some(Command::Diagram(_)) => false,
            Some(Command::Schema(_)) => false,
            // A worksheet is a document: its words are in --lang, its symbols in TeX.
            Some(Command::Exercise(_)) => false,
        }
    }
}

/// The command `word` is probably a typo of, when it is not a command, a file or an option:
/// `backprop shwo` reads "shwo" as the network file of the default `show`, and "cannot read
/// shwo" would not say what went wrong.
pub fn mistyped_command(word: &std::ffi::OsStr) -> Option<String> {
    let word = word.to_str()?;
    // A word that looks like a path names a file, however close it is to a command.
    if word.starts_with('-')
        || word.contains(['.', '/', '\\'])
        || std::path::Path::new(word).exists()
    {
        return None;
    }
    let command = <Cli as clap::CommandFactory>::command();
    let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
    if names.contains(&word) {
        return None;
    }
    names
        .into_iter()
        .map(|name| (strsim::damerau_levenshtein(word, name), name))
        .filter(|&(distance, name)| distance <= 2 && distance < name.len() / 2 + 1)
        .min()
        .map(|(_, name)| name.to_string())
}

impl DisplayArgs {
    /// Whether to colour, for output that goes to a terminal or not. NO_COLOR (non-empty)
    /// turns `auto` off; an explicit `always` wins over it.
    pub fn color(&self, to_terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    Latex,
    Html,
}
