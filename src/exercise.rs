//! Exercises for a class (`backprop exercise`, `backprop grade`): each student's own network,
//! drawn from their name with friendly numbers, so that no two students can copy one
//! another's answers (nor the article's), and every answer can still be graded by `verify`.
//!
//! - [`slug`] and [`seed_of`]: a student's name as a file name, and as the seed of their
//!   network, the same on every machine and in every version.
//! - [`draw`]: the network, drawn until it meets [`THE_RULE`].
//! - [`Blank`] and [`blanks`]: which values the worksheet leaves for the student, numbered.
//!
//! The worksheet and the key are the documents of `show --format markdown` with the blanks
//! boxed or filled ([`crate::render::document::Blanks`]).

use crate::engine;
use crate::loss::Loss;
use crate::network::{Activation, Network};
use crate::random::{Random, Stream};
use crate::render::Lang;
use crate::render::document::{Blanks, Block, DocumentOptions};
use crate::render::lang::fill;
use crate::trace::{Options, Role, Stage, Trace, TracedValue};
use serde_json::{Value, json};

/// The rule every drawn network meets, in words (the README and `exercise --help` quote it;
/// [`meets_rule`] is its code and the property test in tests/exercise.rs its check).
pub const THE_RULE: &str = "every neuron's net lies within ±2.5 (a sigmoid's out stays \
within 0.076…0.924, its derivative above 0.07: no neuron saturates); every ∂E_total/∂w is at \
least 0.0001 in size (six significant digits or more at the article's 9 decimals, and an update \
that shows); every output is at least 0.05 away from its target; and the iteration lowers \
E_total";

/// The largest |net| the rule allows.
pub const MAX_NET: f64 = 2.5;
/// The smallest |∂E_total/∂w| the rule allows.
pub const MIN_GRADIENT: f64 = 1e-4;
/// The smallest |target − out| the rule allows.
pub const MIN_ERROR: f64 = 0.05;
/// How many networks are drawn before giving up on the rule.
pub const MAX_DRAWS: usize = 10_000;
/// The most neurons in a layer, and the most layers: an exercise is done by hand.
pub const MAX_NEURONS: usize = 4;
pub const MAX_LAYERS: usize = 4;
/// The learning rate of every exercise: the article's.
pub const LEARNING_RATE: f64 = 0.5;

/// What kind of network to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Neurons per layer, inputs first (the article's `[2, 2, 2]`).
    pub layers: Vec<usize>,
    /// The activation of every layer (the output layer's is set by the loss for
    /// cross-entropy, softmax, and binary cross-entropy, sigmoid).
    pub activation: Activation,
    /// The loss.
    pub loss: Loss,
    /// Decimals of every given number (inputs, targets, weights, biases): 1 to 3.
    pub decimals: u8,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            layers: vec![2, 2, 2],
            activation: Activation::Sigmoid,
            loss: Loss::HalfSquaredError,
            decimals: 2,
        }
    }
}

/// Why no exercise can be drawn with some settings.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ExerciseError {
    /// A setting out of range: the option and what it accepts.
    #[error("{option}: {expected}")]
    Setting {
        option: &'static str,
        expected: String,
    },
    /// No draw met the rule.
    #[error(
        "no {shape} network with {decimals}-decimal numbers met the rule in {MAX_DRAWS} draws (the rule: {THE_RULE}); try other --layers, --activation or --decimals"
    )]
    NoneFound { shape: String, decimals: u8 },
}

/// A student's exercise: the network drawn and its iteration.
#[derive(Clone, Debug)]
pub struct Exercise {
    /// The seed it was drawn from.
    pub seed: u64,
    /// The network file handed to the student (every number with the settings' decimals).
    pub file: Value,
    /// The network.
    pub network: Network,
    /// The iteration, every value the student computes.
    pub trace: Trace,
    /// How many networks were drawn before one met the rule (1 when the first did).
    pub draws: usize,
}

/// Draws the exercise of `seed`: networks with `settings`' numbers, one after another from the
/// seed's own stream, until one meets [`THE_RULE`]. The same seed and settings give the same
/// exercise on every machine: the draws are ChaCha8's (portable by its crate's promise), each
/// number a whole count of 10^-decimals.
pub fn draw(seed: u64, settings: &Settings) -> Result<Exercise, ExerciseError> {
    check_settings(settings)?;
    let mut random = Random::new(seed, Stream::Exercise);
    for draws in 1..=MAX_DRAWS {
        let file = draw_file(&mut random, settings);
        let network = Network::from_value(&file, "", &mut Vec::new())
            .expect("a drawn network is a valid network file");
        let trace = engine::trace_iteration(&network, &Options::default());
        if meets_rule(&trace) {
            return Ok(Exercise {
                seed,
                file,
                network,
                trace,
                draws,
            });
        }
    }
    Err(ExerciseError::NoneFound {
        shape: shape(&settings.layers),
        decimals: settings.decimals,
    })
}

fn shape(layers: &[usize]) -> String {
    layers
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("-")
}

fn check_settings(settings: &Settings) -> Result<(), ExerciseError> {
    let layers = &settings.layers;
    if !(2..=MAX_LAYERS).contains(&layers.len()) {
        return Err(ExerciseError::Setting {
            option: "--layers",
            expected: format!(
                "2 to {MAX_LAYERS} layers, inputs first (2,2,2 is the article's); got {}",
                layers.len()
            ),
        });
    }
    if let Some(&n) = layers.iter().find(|&&n| !(1..=MAX_NEURONS).contains(&n)) {
        return Err(ExerciseError::Setting {
            option: "--layers",
            expected: format!(
                "1 to {MAX_NEURONS} neurons per layer, a worksheet being done by hand; got {n}"
            ),
        });
    }
    if !(1..=3).contains(&settings.decimals) {
        return Err(ExerciseError::Setting {
            option: "--decimals",
            expected: format!("1, 2 or 3; got {}", settings.decimals),
        });
    }
    if settings.activation == Activation::Softmax {
        return Err(ExerciseError::Setting {
            option: "--activation",
            expected: "an element-wise activation (sigmoid, tanh, relu, linear): for a softmax \
                       output layer, give --loss cross_entropy"
                .to_string(),
        });
    }
    let outputs = layers[layers.len() - 1];
    if settings.loss == Loss::CrossEntropy && outputs < 2 {
        return Err(ExerciseError::Setting {
            option: "--loss",
            expected: "cross_entropy needs a softmax output layer of at least 2 neurons"
                .to_string(),
        });
    }
    Ok(())
}

/// The output layer's activation: the loss's own where it has one.
fn output_activation(settings: &Settings) -> Activation {
    match settings.loss {
        Loss::CrossEntropy => Activation::Softmax,
        Loss::BinaryCrossEntropy => Activation::Sigmoid,
        _ => settings.activation,
    }
}

/// One network file drawn from `random`: inputs and magnitudes within 0.05…0.95 (at one
/// decimal, 0.1…0.9), weights of either sign, biases positive as the article's, targets
/// where the output activation can reach them (a class for softmax).
fn draw_file(random: &mut Random, settings: &Settings) -> Value {
    let unit = 10u64.pow(u32::from(settings.decimals));
    // Whole counts of 1/unit within [0.05, 0.95].
    let low = (unit / 20).max(1);
    let high = unit - low;
    let magnitude = |random: &mut Random| {
        let k = low + random.below((high - low + 1) as usize) as u64;
        k as f64 / unit as f64
    };
    let layers = &settings.layers;
    let depth = layers.len() - 1;
    let output = output_activation(settings);
    let input: Vec<f64> = (0..layers[0]).map(|_| magnitude(random)).collect();
    let mut weights = Vec::with_capacity(depth);
    for l in 0..depth {
        let layer: Vec<f64> = (0..layers[l] * layers[l + 1])
            .map(|_| {
                let w = magnitude(random);
                if random.below(2) == 0 { w } else { -w }
            })
            .collect();
        weights.push(layer);
    }
    let biases: Vec<f64> = (0..depth).map(|_| magnitude(random)).collect();
    let outputs = layers[depth];
    let target: Vec<f64> = match output {
        Activation::Softmax => {
            let class = random.below(outputs);
            (0..outputs)
                .map(|j| if j == class { 1.0 } else { 0.0 })
                .collect()
        }
        Activation::Tanh => (0..outputs)
            .map(|_| {
                let t = magnitude(random);
                if random.below(2) == 0 { t } else { -t }
            })
            .collect(),
        _ => (0..outputs).map(|_| magnitude(random)).collect(),
    };
    let activations: Vec<&str> = (0..depth)
        .map(|l| {
            if l + 1 == depth {
                output.name()
            } else {
                settings.activation.name()
            }
        })
        .collect();
    json!({
        "layers": layers,
        "activation": activations,
        "loss": settings.loss.name(),
        "learning_rate": LEARNING_RATE,
        "weights": weights,
        "biases": biases,
        "update_biases": false,
        "input": input,
        "target": target,
    })
}

/// Whether the iteration of `trace` meets [`THE_RULE`].
pub fn meets_rule(trace: &Trace) -> bool {
    let values = &trace.first().values;
    let find = |role: Role| {
        values
            .iter()
            .find(|v| v.role == Some(role))
            .map(|v| v.value)
    };
    let nets_in_range = values.iter().all(|v| match v.role {
        Some(Role::Net { updated: false, .. }) => v.value.abs() <= MAX_NET,
        _ => true,
    });
    let gradients_visible = values.iter().all(|v| match v.role {
        Some(Role::Gradient {
            of: crate::trace::Parameter::Weight { .. },
        }) => v.value.abs() >= MIN_GRADIENT,
        _ => true,
    });
    let depth = trace.network.depth();
    let errors_visible = (0..trace.network.layers[depth]).all(|j| {
        let out = find(Role::Out {
            layer: depth,
            neuron: j,
            updated: false,
        });
        let target = find(Role::Target { neuron: j });
        matches!((out, target), (Some(o), Some(t)) if (t - o).abs() >= MIN_ERROR)
    });
    let lowered = matches!(
        (find(Role::Loss { updated: false }), find(Role::Loss { updated: true })),
        (Some(before), Some(after)) if after < before
    );
    nets_in_range && gradients_visible && errors_visible && lowered
}

/// Which values a worksheet leaves blank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Blank {
    /// Every value the student computes.
    #[default]
    All,
    /// Step 1: the forward pass and the error.
    Forward,
    /// Step 2: the backward pass, its gradients and the updated weights.
    Backward,
    /// Only the updated weights and biases, and the forward pass after the update.
    Updates,
}

impl Blank {
    /// Whether the value `v` is a blank.
    pub fn hides(self, v: &TracedValue) -> bool {
        let backward = matches!(
            v.stage,
            Stage::OutputLayer | Stage::HiddenLayer | Stage::Batch
        );
        match self {
            Blank::All => v.stage != Stage::Given,
            Blank::Forward => matches!(v.stage, Stage::Forward | Stage::Error),
            Blank::Backward => backward,
            Blank::Updates => {
                v.stage == Stage::Summary || matches!(v.role, Some(Role::Updated { .. }))
            }
        }
    }
}

/// The blanks of `trace`'s first iteration, numbered 1, 2, … in computation order (the
/// worksheet's boxes with `filled` false, the key's values with it true).
pub fn blanks(trace: &Trace, blank: Blank, filled: bool) -> Blanks {
    let numbers = trace
        .first()
        .values
        .iter()
        .filter(|v| blank.hides(v))
        .enumerate()
        .map(|(i, v)| (v.symbol.clone(), i + 1))
        .collect();
    Blanks { numbers, filled }
}

/// The file a student hands in: `symbol,value` lines that `verify` and `grade` read, the
/// given values filled in (so the grader can tell whose network they worked on), each blank
/// empty under a comment with its number.
pub fn hand_in(trace: &Trace, blank: Blank) -> String {
    let mut out = String::from(
        "# Your answers, for backprop verify and backprop grade: fill in each value at the\n\
         # precision you trust (it is checked at the precision you write it).\n\
         symbol,value\n",
    );
    let mut number = 0;
    for v in &trace.first().values {
        if v.stage == Stage::Given {
            out.push_str(&format!("{},{}\n", v.symbol, v.value));
        } else if blank.hides(v) {
            number += 1;
            out.push_str(&format!("# ({number})\n{},\n", v.symbol));
        }
    }
    out
}

/// Whose exercise it is, as the worksheet names it.
#[derive(Clone, Debug, PartialEq)]
pub enum Who {
    /// A student, by name (the seed is [`seed_of`] it).
    Student(String),
    /// No name: a seed given or drawn.
    Seed,
}

/// The command that draws `exercise` again, as the worksheet prints it: the student's name
/// (or the seed) and every setting that is not the default.
pub fn command(who: &Who, seed: u64, settings: &Settings) -> String {
    let mut words = vec!["backprop exercise".to_string()];
    match who {
        Who::Student(name) if name.chars().all(|c| c.is_alphanumeric() || c == '-') => {
            words.push(format!("--student {name}"));
        }
        Who::Student(name) => words.push(format!("--student \"{}\"", name.replace('"', "\\\""))),
        Who::Seed => words.push(format!("--seed {seed}")),
    }
    let default = Settings::default();
    if settings.layers != default.layers {
        words.push(format!(
            "--layers {}",
            shape(&settings.layers).replace('-', ",")
        ));
    }
    if settings.activation != default.activation {
        words.push(format!("--activation {}", settings.activation.name()));
    }
    if settings.loss != default.loss {
        words.push(format!("--loss {}", settings.loss.name()));
    }
    if settings.decimals != default.decimals {
        words.push(format!("--decimals {}", settings.decimals));
    }
    words.join(" ")
}

/// What a worksheet (or its key) is written with.
pub struct Sheet<'a> {
    pub who: &'a Who,
    pub settings: &'a Settings,
    pub blank: Blank,
    /// The answer key: every blank filled in.
    pub key: bool,
    pub lang: Lang,
    /// The figure's file, relative to the document, when one is written beside it.
    pub figure: Option<String>,
    /// The name of the hand-in file the worksheet asks for (`alice.csv`).
    pub hand_in_file: String,
}

/// The worksheet (or, with `sheet.key`, the answer key) of `exercise` as a document: the
/// derivation of `show --format markdown`, with the blanks boxed and numbered (or filled in
/// and numbered), the network's figure, and the hand-in file.
pub fn document(exercise: &Exercise, sheet: &Sheet) -> Vec<Block> {
    let e = sheet.lang.exercise();
    let student = match sheet.who {
        Who::Student(name) => name.clone(),
        Who::Seed => format!("#{}", exercise.seed),
    };
    let drawn = fill(
        e.drawn,
        &[
            ("shape", &shape(&exercise.network.layers)),
            ("student", &student),
            ("seed", &exercise.seed.to_string()),
            (
                "command",
                &command(sheet.who, exercise.seed, sheet.settings),
            ),
        ],
    );
    let heading = if sheet.key {
        vec![drawn, e.key_note.to_string()]
    } else {
        vec![drawn, e.instructions.to_string()]
    };
    let options = DocumentOptions {
        lang: sheet.lang,
        heading,
        blanks: Some(blanks(&exercise.trace, sheet.blank, sheet.key)),
    };
    let mut out = crate::render::document::blocks(&exercise.trace, &options);
    let title = if sheet.key {
        e.key_title
    } else {
        e.worksheet_title
    };
    out[0] = Block::Title(fill(title, &[("student", &student)]));
    // The figure under the lines that say what the network is.
    let figure = match &sheet.figure {
        Some(path) => Block::Figure {
            path: path.clone(),
            alt: e.figure_alt.to_string(),
        },
        None => Block::Paragraph(e.figure_elsewhere.to_string()),
    };
    out.insert(3, figure);
    if !sheet.key {
        out.push(Block::Heading(e.hand_in_heading.to_string()));
        out.push(Block::Paragraph(fill(
            e.hand_in,
            &[("file", &sheet.hand_in_file)],
        )));
        out.push(Block::Code {
            language: "csv",
            text: hand_in(&exercise.trace, sheet.blank),
        });
    }
    out
}

/// A student's name as the stem of their files (`Alice Martin` → `alice-martin`, `王小明`
/// stays `王小明`): lower case, every run of characters that are neither letters nor digits
/// one `-`, none at either end. `None` for a name with no letter or digit.
///
/// The worksheets and keys `exercise --class` writes, and the submissions `grade` matches to
/// them, are named by it: `alice-martin.json` in the keys folder is graded against
/// `alice-martin.csv` (or `Alice Martin.csv`) in the submissions folder.
pub fn slug(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The seed of a student's exercise: FNV-1a (64 bits) of their [`slug`]'s UTF-8 bytes, cut to
/// nine digits to be short enough to type (`--seed`), so `Alice`, `alice` and ` alice ` get
/// the same network. Written out here rather than taken from the standard library, whose
/// hasher may change between Rust versions: a student's exercise must not.
pub fn seed_of(name: &str) -> Option<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let slug = slug(name)?;
    let hash = slug
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    Some(hash % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Alice Martin").as_deref(), Some("alice-martin"));
        assert_eq!(
            slug("  J. O'Neil--Smith ").as_deref(),
            Some("j-o-neil-smith")
        );
        assert_eq!(slug("王小明").as_deref(), Some("王小明"));
        assert_eq!(slug("Zoë_2").as_deref(), Some("zoë-2"));
        assert_eq!(slug(" -- "), None);
    }

    #[test]
    fn seeds_are_pinned() {
        // If these change, every worksheet handed out gives another network than its key.
        assert_eq!(seed_of("alice"), seed_of(" Alice "));
        assert_ne!(seed_of("alice"), seed_of("bob"));
        assert_eq!(seed_of("alice"), Some(149_266_183));
        assert_eq!(seed_of(""), None);
    }
}
