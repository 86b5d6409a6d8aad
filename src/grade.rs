//! Grading a class (`backprop grade KEY_DIR SUBMISSIONS_DIR`): every student's submission
//! matched to their own key by name ([`crate::exercise::slug`]), checked by `verify`'s
//! homework check ([`crate::verify::homework`]), and counted so that a mistake is counted
//! once: a value computed correctly from the student's own earlier wrong value is a
//! follow-on, not a second mistake.
//!
//! Nothing is skipped silently: every file of the submissions folder becomes a row (graded,
//! or with the reason it could not be), and every key without a submission a missing row.
//! A submission whose given values (inputs, targets, weights, biases, η) are another
//! student's is named as such rather than graded as a pile of wrong values.
//!
//! - [`gradebook`]: the rows as CSV or JSON.
//! - [`feedback`]: one Markdown page per student.

pub mod feedback;
pub mod gradebook;

use crate::budget;
use crate::engine;
use crate::exercise::slug;
use crate::network::{Network, NetworkFile};
use crate::number::agrees_at_printed_precision;
use crate::quote::excerpt;
use crate::render::Lang;
use crate::trace::{Options, Stage, Trace};
use crate::verify::homework::{self, Entry, HomeworkError, Report, Row, Verdict};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A problem with the folders that stops the grading before any submission is read.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    /// KEY_DIR or SUBMISSIONS_DIR is missing or not a folder.
    #[error("{what} {}: {why}", .path.display())]
    Folder {
        /// "the key folder" or "the submissions folder".
        what: &'static str,
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The key folder holds no `.json` key.
    #[error(
        "the key folder {} holds no key: expected one NAME.json per student (a trace, as \
         `backprop show NETWORK --format json` writes it, or a network file)",
        .0.display()
    )]
    NoKeys(PathBuf),
    /// A `.json` file of the key folder that is not a key.
    #[error("key {}: {why}", .path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why it is not a key.
        why: String,
    },
    /// Two keys for one student.
    #[error(
        "keys {} and {} are both for the student \"{student}\"; keep one",
        .first.display(),
        .second.display()
    )]
    SameStudent {
        /// The student's name as a file stem.
        student: String,
        /// One key.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
}

/// One student's key: the network their answers are checked against.
pub struct Key {
    /// The student, as a file stem ([`slug`]).
    pub student: String,
    /// The key file's name.
    pub file: String,
    /// The network.
    pub network: Network,
    /// The options the iteration is checked with: a trace's own (its update order and bias
    /// updates), else the defaults; always at the article's 9 decimals.
    pub options: Options,
    /// Problems with the key file that did not stop it from loading.
    pub warnings: Vec<String>,
    /// The key's iteration, for the given values a submission copied.
    trace: Trace,
}

/// Reads every `NAME.json` of `dir` as a key (other files are the worksheets and filled
/// derivations `exercise --class` writes beside them, and are ignored). Sorted by student.
pub fn load_keys(dir: &Path) -> Result<Vec<Key>, GradeError> {
    let mut keys: Vec<(Key, PathBuf)> = Vec::new();
    for path in folder_entries(dir, "the key folder")? {
        if !path.is_file() || !has_extension(&path, "json") {
            continue;
        }
        let key = load_key(&path)?;
        if let Some((_, first)) = keys.iter().find(|(k, _)| k.student == key.student) {
            return Err(GradeError::SameStudent {
                student: key.student,
                first: first.clone(),
                second: path,
            });
        }
        keys.push((key, path));
    }
    if keys.is_empty() {
        return Err(GradeError::NoKeys(dir.to_path_buf()));
    }
    let mut keys: Vec<Key> = keys.into_iter().map(|(k, _)| k).collect();
    keys.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(keys)
}

fn load_key(path: &Path) -> Result<Key, GradeError> {
    let bad = |why: String| GradeError::Key {
        path: path.to_path_buf(),
        why,
    };
    let file = file_name(path);
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let student = slug(&stem).ok_or_else(|| {
        bad("its name has no letter or digit, so it is no student's (name it NAME.json)".into())
    })?;
    let text = fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let loaded = NetworkFile::read(&text, None).map_err(|e| bad(e.to_string()))?;
    let network = loaded.network;
    // A key whose weights are drawn afresh on every run would grade each run differently.
    if network.drawn.any() && !names_a_seed(&text) {
        return Err(bad(
            "it leaves weights or biases out without a seed, so they would be drawn afresh on \
             every run: write them in, or add a \"seed\""
                .into(),
        ));
    }
    let options = match loaded.trace_options {
        Some(o) => Options {
            update_biases: o.update_biases || network.update_biases,
            precision: 9,
            ..o
        },
        None => Options {
            update_biases: network.update_biases,
            ..Options::default()
        },
    };
    // The check records the iteration twice (both update orders), as `verify` does.
    budget::check(&network, &options, 2).map_err(|e| bad(e.to_string()))?;
    let trace = engine::trace_iteration(&network, &options);
    if let Some(v) = trace.first().first_non_finite() {
        return Err(bad(format!(
            "the iteration produces a non-finite value ({} = {})",
            v.symbol, v.value
        )));
    }
    Ok(Key {
        student,
        file,
        network,
        options,
        warnings: loaded.warnings,
        trace,
    })
}

/// Whether a key file names the seed of the values it leaves out (its own, or its network's
/// when it is a trace).
fn names_a_seed(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let network = value.get("network").unwrap_or(&value);
    [&value, network]
        .iter()
        .any(|v| v.get("seed").is_some_and(|s| !s.is_null()))
}

/// Why a submission could not be graded.
#[derive(Clone, Debug, PartialEq)]
pub enum Unreadable {
    /// A folder inside the submissions folder.
    Folder,
    /// Neither a file nor a folder (a device, a broken link).
    NotAFile,
    /// Not `.csv` or `.json`.
    Extension(String),
    /// More than [`MAX_SUBMISSION_BYTES`].
    TooLarge(u64),
    /// The file holds nothing (or only white space).
    Empty,
    /// Not UTF-8 text: the byte offset of the first byte that is not.
    NotUtf8(usize),
    /// The file could not be read.
    Io(String),
    /// Text that is not a homework (`verify`'s reading of it).
    Homework(HomeworkError),
    /// Values, but none with a symbol of the student's network.
    NoKnownSymbol {
        /// How many values it holds.
        values: usize,
        /// The first symbol written.
        first: String,
    },
}

/// The largest submission read: a homework is a few kilobytes.
pub const MAX_SUBMISSION_BYTES: u64 = 10 * 1024 * 1024;

/// What became of one row of the gradebook.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Checked against the student's key.
    Graded(Box<Graded>),
    /// Could not be read as a homework.
    Unreadable(Unreadable),
    /// No key has the submission's name.
    NoKey {
        /// The key whose student's name is nearest.
        nearest: Option<String>,
    },
    /// Its given values contradict the student's key and are another student's.
    WrongStudent {
        /// The students whose keys every given value written agrees with.
        whose: Vec<String>,
        /// The given values written that the student's own network has.
        given: usize,
        /// Those of them that disagree with the student's own key.
        disagree: usize,
    },
    /// A key without a submission.
    Missing,
}

/// One row of the gradebook: a student's submission, or a missing one.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The student: the key's name, or the file's name as a slug when no key has it.
    pub student: String,
    /// The submission's file name (none for a missing one).
    pub file: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
}

/// A submission checked, with its counts.
#[derive(Clone, Debug)]
pub struct Graded {
    /// `verify`'s report.
    pub report: Report,
    /// The counts.
    pub counts: Counts,
    /// The significant digits a value needs to count as right (see [`MIN_DIGITS`]).
    pub min_digits: usize,
}

/// The significant digits a computed value needs to count as right, by default: a value
/// agrees at the precision it is written with, so without a floor `0` would be right for
/// ∂E_total/∂w1 = 0.000438568, and a class could score by writing every value to no digits.
/// A value written exactly (`0.05` for ∂net_h1/∂w1 = i1) counts whatever its digits.
pub const MIN_DIGITS: usize = 3;

/// Whether `row` agrees only because it is written with too few digits: fewer significant
/// digits than `min_digits`, and not the value exactly.
pub fn too_few_digits(row: &Row, min_digits: usize) -> bool {
    row.agrees()
        && row.stage != Stage::Given
        && row.entry.value != row.correct
        && crate::number::significant_digits(&row.entry.printed) < min_digits
}

/// The counts of a graded submission. Given values (inputs, targets, weights, biases, η)
/// copied correctly from the worksheet are no work of the student's and are not counted;
/// one copied wrongly is a mistake (the values computed from it follow from it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Values counted: computed values written, and given values copied wrongly.
    pub answered: usize,
    /// Values that agree at the precision written.
    pub right: usize,
    /// Values computed correctly from the student's own earlier wrong values.
    pub follow_on: usize,
    /// New mistakes: wrong values that no earlier wrong value of the student's explains.
    pub mistakes: usize,
    /// Values that agree at the precision written but are written with too few significant
    /// digits to count ([`too_few_digits`]): neither right nor mistakes.
    pub too_few_digits: usize,
    /// Values whose symbol is not one of the network's (not counted in `answered`).
    pub unknown: usize,
}

impl Counts {
    /// Counts `report`'s rows, a value right only with `min_digits` significant digits.
    pub fn of(report: &Report, min_digits: usize) -> Counts {
        let mut counts = Counts {
            unknown: report.unknown.len(),
            ..Counts::default()
        };
        for row in &report.rows {
            if row.stage == Stage::Given && row.agrees() {
                continue;
            }
            counts.answered += 1;
            match row.verdict {
                Verdict::Agrees if too_few_digits(row, min_digits) => counts.too_few_digits += 1,
                Verdict::Agrees => counts.right += 1,
                Verdict::FollowsFrom(_) => counts.follow_on += 1,
                _ => counts.mistakes += 1,
            }
        }
        counts
    }

    /// The score, in percent: values right or following from an earlier mistake, of those
    /// answered (a mistake costs once, wherever its consequences go). `None` when nothing
    /// was answered.
    pub fn score(&self) -> Option<f64> {
        (self.answered > 0)
            .then(|| 100.0 * (self.right + self.follow_on) as f64 / self.answered as f64)
    }
}

impl Graded {
    /// The first wrong value, in computation order.
    pub fn first_wrong(&self) -> Option<&Row> {
        self.report.first_wrong()
    }

    /// The new mistakes after the first, in computation order.
    pub fn other_mistakes(&self) -> impl Iterator<Item = &Row> {
        let first = self.first_wrong().map(|r| r.symbol.as_str());
        self.report.rows.iter().filter(move |r| {
            Some(r.symbol.as_str()) != first
                && !r.agrees()
                && !matches!(r.verdict, Verdict::FollowsFrom(_))
        })
    }

    /// The values that agree but are written with too few digits to count.
    pub fn too_few_digits(&self) -> impl Iterator<Item = &Row> {
        self.report
            .rows
            .iter()
            .filter(|r| too_few_digits(r, self.min_digits))
    }

    /// The values that follow from an earlier mistake.
    pub fn follow_ons(&self) -> impl Iterator<Item = &Row> {
        self.report
            .rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::FollowsFrom(_)))
    }
}

/// The whole class, graded.
pub struct Class {
    /// Every key, sorted by student.
    pub keys: Vec<Key>,
    /// One row per file of the submissions folder and per key without a submission, sorted
    /// by student, then file.
    pub rows: Vec<Submission>,
}

impl Class {
    /// The key of `student`.
    pub fn key(&self, student: &str) -> Option<&Key> {
        self.keys
            .binary_search_by(|k| k.student.as_str().cmp(student))
            .ok()
            .map(|i| &self.keys[i])
    }
}

/// Grades every file of `submissions` against the keys of `keys_dir`, a value right only
/// with `min_digits` significant digits ([`MIN_DIGITS`] by default).
pub fn grade(keys_dir: &Path, submissions: &Path, min_digits: usize) -> Result<Class, GradeError> {
    let keys = load_keys(keys_dir)?;
    let by_student: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.student.as_str(), i))
        .collect();
    let mut submitted = vec![false; keys.len()];
    let mut rows = Vec::new();
    for path in folder_entries(submissions, "the submissions folder")? {
        let file = file_name(&path);
        let stem = if path.is_dir() {
            file.clone()
        } else {
            path.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        };
        let student = slug(&stem);
        let key = student.as_deref().and_then(|s| by_student.get(s).copied());
        if let Some(k) = key {
            submitted[k] = true;
        }
        let outcome = match read_submission(&path) {
            Err(why) => Outcome::Unreadable(why),
            Ok(_) if key.is_none() => Outcome::NoKey {
                nearest: student.as_deref().and_then(|s| nearest(s, &keys)),
            },
            Ok(entries) => grade_one(&keys, key.expect("matched above"), entries, min_digits),
        };
        rows.push(Submission {
            student: student.unwrap_or(stem),
            file: Some(file),
            outcome,
        });
    }
    for (key, _) in keys.iter().zip(&submitted).filter(|(_, s)| !**s) {
        rows.push(Submission {
            student: key.student.clone(),
            file: None,
            outcome: Outcome::Missing,
        });
    }
    rows.sort_by(|a, b| (&a.student, &a.file).cmp(&(&b.student, &b.file)));
    Ok(Class { keys, rows })
}

/// Checks one submission's `entries` against key `k`, after making sure its given values
/// are not another student's.
fn grade_one(keys: &[Key], k: usize, entries: Vec<Entry>, min_digits: usize) -> Outcome {
    let key = &keys[k];
    let own = givens_against(&entries, &key.trace);
    // One given value copied wrongly is a slip of copying, which the check names; two or
    // more, with every given value of another student's network agreeing with theirs (and
    // more agreeing with theirs than with the student's own), are that student's exercise.
    if own.disagree >= 2 {
        let whose: Vec<String> = keys
            .iter()
            .enumerate()
            .filter(|&(i, other)| {
                let theirs = givens_against(&entries, &other.trace);
                i != k && theirs.disagree == 0 && theirs.agree > own.agree
            })
            .map(|(_, other)| other.student.clone())
            .collect();
        if !whose.is_empty() {
            return Outcome::WrongStudent {
                whose,
                given: own.agree + own.disagree,
                disagree: own.disagree,
            };
        }
    }
    let entries_count = entries.len();
    let first = entries
        .first()
        .map(|e| e.written.clone())
        .unwrap_or_default();
    match homework::check(&key.network, &key.options, entries) {
        Err(e) => Outcome::Unreadable(Unreadable::Homework(e)),
        Ok(report) if report.rows.is_empty() => Outcome::Unreadable(Unreadable::NoKnownSymbol {
            values: entries_count,
            first,
        }),
        Ok(report) => {
            let counts = Counts::of(&report, min_digits);
            Outcome::Graded(Box::new(Graded {
                report,
                counts,
                min_digits,
            }))
        }
    }
}

/// How a submission's given values stand against one key's.
#[derive(Default)]
struct GivenAgreement {
    agree: usize,
    disagree: usize,
}

fn givens_against(entries: &[Entry], trace: &Trace) -> GivenAgreement {
    let iteration = trace.first();
    let vocabulary = iteration.vocabulary();
    let mut found = GivenAgreement::default();
    for e in entries {
        let Some(v) = vocabulary.read(&e.written).and_then(|s| iteration.get(s)) else {
            continue;
        };
        if v.stage != Stage::Given {
            continue;
        }
        if agrees_at_printed_precision(v.value, &e.printed) {
            found.agree += 1;
        } else {
            found.disagree += 1;
        }
    }
    found
}

/// Reads one submission into `verify`'s entries, or says why it cannot be.
fn read_submission(path: &Path) -> Result<Vec<Entry>, Unreadable> {
    if path.is_dir() {
        return Err(Unreadable::Folder);
    }
    let meta = fs::metadata(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    if !meta.is_file() {
        return Err(Unreadable::NotAFile);
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if extension != "csv" && extension != "json" {
        return Err(Unreadable::Extension(extension));
    }
    if meta.len() > MAX_SUBMISSION_BYTES {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let bytes = fs::read(path).map_err(|e| Unreadable::Io(e.to_string()))?;
    let text =
        String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8(e.utf8_error().valid_up_to()))?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(Unreadable::Empty);
    }
    homework::read(&text).map_err(Unreadable::Homework)
}

/// The key whose student's name is nearest `student` (by edit distance).
fn nearest(student: &str, keys: &[Key]) -> Option<String> {
    keys.iter()
        .min_by_key(|k| strsim::levenshtein(student, &k.student))
        .map(|k| k.student.clone())
}

/// The entries of a folder, sorted by name; an error naming the folder when it cannot be read.
fn folder_entries(dir: &Path, what: &'static str) -> Result<Vec<PathBuf>, GradeError> {
    let folder_error = |why: String| GradeError::Folder {
        what,
        path: dir.to_path_buf(),
        why,
    };
    if !dir.exists() {
        return Err(folder_error("no such folder".into()));
    }
    if !dir.is_dir() {
        return Err(folder_error("not a folder".into()));
    }
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| folder_error(e.to_string()))? {
        paths.push(entry.map_err(|e| folder_error(e.to_string()))?.path());
    }
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// A wrong value's mistake: the id of the slip recognised (as `verify --format json` names
/// it), and the mistake in a few words in `lang`.
pub fn named(row: &Row, lang: Lang) -> (Option<&'static str>, String) {
    let g = lang.grade();
    match &row.verdict {
        Verdict::Slip(d) | Verdict::Article(_, d) if !d.is_empty() => {
            (Some(d[0].slip.id()), d[0].slip.short(lang).to_string())
        }
        Verdict::Article(figure, _) => (Some("article_number"), figure.short(lang).to_string()),
        _ if row.stage == Stage::Given => (None, g.copied_wrongly.to_string()),
        _ => (None, g.not_recognised.to_string()),
    }
}

/// `text` quoted for a message: cut to a readable length, with its backquotes made plain so
/// that it cannot close a Markdown code span.
fn quoted(text: &str) -> String {
    excerpt(text).replace('`', "'")
}

#[cfg(test)]
mod tests;
