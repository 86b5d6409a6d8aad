//! The command line end to end: show, json, -o, errors and exit codes.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn backprop() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("backprop")
}

use common::stdout_of;

/// The article's network file with one substitution made, in a temporary directory.
fn article_with(from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let text = std::fs::read_to_string("traces/article.json").unwrap();
    assert!(text.contains(from), "{from}");
    write_network(&text.replacen(from, to, 1))
}

fn write_network(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.json");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn bare_backprop_shows_the_articles_iteration() {
    let text = stdout_of(&[]);
    assert_eq!(text, stdout_of(&["show"]));
    assert_eq!(text, stdout_of(&["show", "traces/article.json"]));
    for expected in [
        "Step 1 · Forward pass",
        "0.593269992 ✓",
        "0.75136079 ≠ typo [1]",
        "-0.019049119 ≠ rounding [2]",
        "0.291027924 ≠ other code [3]",
        "Which weights? The chain uses the original w5…w8",
        "0.291027774",
        "∂E_total/∂w1",
        "w5⁺",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    assert!(!text.contains('\u{1b}'), "no colour into a pipe");
}

#[test]
fn sequential_order_reproduces_the_articles_0_291027924() {
    let text = stdout_of(&["--update-order", "sequential", "--format", "json"]);
    let trace: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(trace["options"]["update_order"], "sequential");
    let e = trace["iterations"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["symbol"] == "E_total+")
        .unwrap()["value"]
        .as_f64()
        .unwrap();
    assert_eq!(format!("{e:.9}"), "0.291027924");
    let table = stdout_of(&["--update-order", "sequential"]);
    assert!(table.contains("0.291027924 ✓"));
    assert!(table.contains("already-updated w5⁺…w8⁺"));
}

#[test]
fn chinese_labels_use_the_articles_terms() {
    let text = stdout_of(&["--lang", "zh"]);
    for term in [
        "前向传播",
        "反向传播",
        "输入层",
        "隐含层",
        "输出层",
        "总误差",
        "学习速率",
        "原文",
    ] {
        assert!(text.contains(term), "missing {term}");
    }
}

#[test]
fn precision_changes_the_digits() {
    let text = stdout_of(&["--precision", "4"]);
    assert!(
        text.contains("┆ 0.5933 ┆ 0.593269992 ✓"),
        "value at 4 digits, the article's as printed"
    );
    backprop()
        .args(["--precision", "99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--precision"));
}

#[test]
fn color_is_meaning_and_follows_the_flag() {
    let always = stdout_of(&["--color", "always"]);
    assert!(always.contains('\u{1b}'));
    let never = stdout_of(&["--color", "never"]);
    assert!(!never.contains('\u{1b}'));
    // NO_COLOR turns `auto` off (here stdout is a pipe anyway) but not an explicit `always`.
    let out = backprop()
        .args(["--color", "always"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn ascii_mode_has_no_box_drawing_or_maths_symbols() {
    let text = stdout_of(&["--ascii"]);
    assert!(text.contains("dE_total/dw5"));
    assert!(!text.contains('∂') && !text.contains('│') && !text.contains('≠'));
}

#[test]
fn json_is_the_trace_and_o_writes_it_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.json");
    backprop()
        .args(["show", "--format", "json", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, stdout_of(&["--format", "json"]));
    assert_eq!(
        files_in(dir.path()),
        vec!["trace.json"],
        "no temporary file left"
    );
    // Tables go to a file the same way, without colour.
    let tables = dir.path().join("tables.txt");
    backprop()
        .args(["--color", "auto", "-o"])
        .arg(&tables)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&tables).unwrap(), stdout_of(&[]));
}

#[test]
fn other_networks_show_without_an_article_column() {
    let text = stdout_of(&["traces/tanh-3-4-2.json"]);
    assert!(text.contains("3-4-2 network (tanh, sigmoid)"));
    assert!(!text.contains("┆ article"));
    assert!(text.contains("∂E_total/∂b1_4"), "per-neuron bias gradients");
    assert!(text.contains("b2⁺"));
    let deep = stdout_of(&["traces/deep-2-3-2-1.json"]);
    assert!(deep.contains("hidden layer 1 → hidden layer 2"));
    assert!(deep.contains("∂E_h2_1/∂out_h1_1"));
}

#[test]
fn update_biases_turns_the_comparison_off_and_says_why() {
    let text = stdout_of(&["--update-biases"]);
    assert!(text.contains("does not update biases"));
    assert!(text.contains("∂E_total/∂b2"));
    assert!(!text.contains(" ✓"));
}

#[test]
fn a_network_can_come_from_standard_input() {
    let text = std::fs::read_to_string("traces/article.json").unwrap();
    backprop()
        .arg("-")
        .write_stdin(text)
        .assert()
        .success()
        .stdout(predicate::str::contains("0.298371109 ✓"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // `backprop show | head -1`: the reader goes away; we stop with status 0 and no panic.
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(["--precision", "12"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// One bad input: its arguments, the words its message must contain, and its exit status.
struct Bad {
    args: Vec<String>,
    words: &'static [&'static str],
    code: i32,
}

fn bad_network(from: &str, to: &str, words: &'static [&'static str]) -> (tempfile::TempDir, Bad) {
    let (dir, path) = article_with(from, to);
    let bad = Bad {
        args: vec![path.display().to_string()],
        words,
        code: 1,
    };
    (dir, bad)
}

#[test]
fn bad_inputs_get_one_clear_message_and_the_right_status() {
    let mut files: Vec<(tempfile::TempDir, Bad)> = Vec::new();
    let mut add = |case: (tempfile::TempDir, Bad)| files.push(case);
    add(bad_network(
        "[0.40, 0.45, 0.50, 0.55]",
        "[0.40, 0.45, 0.50]",
        &[
            "net.json",
            "weights[1]: expected 4 numbers for a 2→2 layer, got 3",
        ],
    ));
    add(bad_network(
        "[0.35, 0.60]",
        "[0.35]",
        &["net.json", "biases: expected 2 entries"],
    ));
    add(bad_network(
        "0.60]",
        "[0.6, 0.6, 0.6]]",
        &["biases[1]: expected 2 numbers"],
    ));
    add(bad_network(
        "0.45,",
        "\"0.45\",",
        &["weights[1][1]: expected a finite number, got a string \"0.45\""],
    ));
    add(bad_network(
        "0.45,",
        "null,",
        &["weights[1][1]: expected a finite number, got null"],
    ));
    add(bad_network(
        "0.45,",
        "1e999,",
        &["net.json", "line 5", "not valid JSON", "out of range"],
    ));
    add(bad_network(
        "\"sigmoid\"",
        "\"sigmod\"",
        &[
            "activation: unknown activation \"sigmod\"",
            "did you mean sigmoid?",
        ],
    ));
    add(bad_network(
        "\"sigmoid\"",
        "[\"sigmoid\"]",
        &["activation: expected 2 names"],
    ));
    add(bad_network(
        "\"learning_rate\": 0.5",
        "\"learning_rate\": 0",
        &["learning_rate: expected a number greater than 0, got 0"],
    ));
    add(bad_network(
        "\"learning_rate\": 0.5",
        "\"learning_rate\": -1",
        &["learning_rate: expected a number greater than 0"],
    ));
    add(bad_network(
        "[0.05, 0.10]",
        "[0.05]",
        &["input: expected 2 numbers, one per input neuron, got 1"],
    ));
    add(bad_network(
        "[0.01, 0.99]",
        "[0.01, 0.99, 0.5]",
        &["target: expected 2 numbers, one per output neuron, got 3"],
    ));
    add(bad_network(
        "[2, 2, 2]",
        "[2, 0, 2]",
        &["layers[1]: expected a whole number of neurons, at least 1, got 0"],
    ));
    add(bad_network(
        "[2, 2, 2]",
        "[2, 1.5, 2]",
        &["layers[1]: expected a whole number"],
    ));
    add(bad_network(
        "[2, 2, 2]",
        "[2]",
        &["layers: expected at least 2 layer sizes"],
    ));
    add(bad_network(
        "[2, 2, 2]",
        "[2, 100000, 200, 2]",
        &["needs 20200400 weights; at most 10000000"],
    ));
    add(bad_network(
        "\"update_biases\": false",
        "\"update_biases\": \"yes\"",
        &["update_biases: expected true or false"],
    ));
    add(bad_network(
        "  \"layers\": [2, 2, 2],\n",
        "",
        &["layers: missing"],
    ));
    add(bad_network(
        "\"input\"",
        "\"inputs\"",
        &["input: missing; expected 2 numbers"],
    ));
    add(bad_network(
        "[0.15, 0.20, 0.25, 0.30]",
        "0.15",
        &["weights[0]: expected a list of 4 numbers, got 0.15"],
    ));
    add(bad_network(
        "[0.05, 0.10]",
        "[0.05, 0.10",
        &["line 9", "not valid JSON"],
    ));
    add(write_network("").into_bad(&["line 1", "not valid JSON", "EOF"]));
    add(write_network("[1, 2]").into_bad(&["expected a JSON object"]));
    let deep = format!(r#"{{"layers": [{}]}}"#, vec!["1"; 102].join(", "));
    add(write_network(&deep).into_bad(&["at most 100 weight layers"]));
    // Values that overflow: a linear network whose net input is 1e310 overflows.
    let overflow = r#"{"layers": [1, 1], "activation": "linear", "weights": [[1e300]], "biases": [0],
        "input": [1e10], "target": [0]}"#;
    add(write_network(overflow).into_bad(&[
        "net.json: the iteration produced a non-finite value: net_o1 = inf",
        "1e300 * 10000000000",
        "too large",
    ]));
    let mut cases: Vec<(Option<tempfile::TempDir>, Bad)> =
        files.into_iter().map(|(d, b)| (Some(d), b)).collect();
    // Command-line mistakes: usage errors, status 2.
    let usage = |args: &[&str], words: &'static [&'static str]| Bad {
        args: args.iter().map(|s| s.to_string()).collect(),
        words,
        code: 2,
    };
    cases.push((
        None,
        usage(
            &["--update-order", "backwards"],
            &["invalid value 'backwards'", "simultaneous, sequential"],
        ),
    ));
    cases.push((None, usage(&["--format", "xml"], &["invalid value 'xml'"])));
    cases.push((None, usage(&["--lang", "fr"], &["invalid value 'fr'"])));
    cases.push((
        None,
        usage(&["--color", "sometimes"], &["invalid value 'sometimes'"]),
    ));
    cases.push((
        None,
        usage(&["--precision", "-1"], &["unexpected argument '-1'"]),
    ));
    cases.push((
        None,
        usage(&["--frobnicate"], &["unexpected argument '--frobnicate'"]),
    ));
    cases.push((
        None,
        usage(
            &["show", "a.json", "b.json"],
            &["unexpected argument 'b.json'"],
        ),
    ));
    cases.push((
        None,
        Bad {
            args: vec!["no/such/network.json".into()],
            words: &["cannot read no/such/network.json", "No such file"],
            code: 1,
        },
    ));
    cases.push((
        None,
        Bad {
            args: vec!["traces".into()],
            words: &["cannot read traces"],
            code: 1,
        },
    ));

    assert!(cases.len() >= 30, "{} cases", cases.len());
    let out_dir = tempfile::tempdir().unwrap();
    let out_file = out_dir.path().join("out.json");
    for (_dir, bad) in &cases {
        let out = backprop()
            .args(&bad.args)
            .arg("-o")
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(
            files_in(out_dir.path()).is_empty(),
            "{:?} left a file",
            bad.args
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(bad.code),
            "{:?}: {stderr}",
            bad.args
        );
        assert!(out.stdout.is_empty(), "{:?} printed to stdout", bad.args);
        for word in bad.words {
            assert!(
                stderr.contains(word),
                "{:?}: {stderr:?} lacks {word:?}",
                bad.args
            );
        }
        assert!(!stderr.contains("panicked"), "{:?}: {stderr}", bad.args);
        if bad.code == 1 {
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
            assert!(stderr.starts_with("error: "), "{stderr}");
        }
    }
}

trait IntoBad {
    fn into_bad(self, words: &'static [&'static str]) -> (tempfile::TempDir, Bad);
}

impl IntoBad for (tempfile::TempDir, std::path::PathBuf) {
    fn into_bad(self, words: &'static [&'static str]) -> (tempfile::TempDir, Bad) {
        let args = vec![self.1.display().to_string()];
        (
            self.0,
            Bad {
                args,
                words,
                code: 1,
            },
        )
    }
}

#[test]
fn a_failed_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_keep, bad) = article_with("[0.05, 0.10]", "[0.05]");
    let target = dir.path().join("out.json");
    backprop()
        .arg(&bad)
        .args(["--format", "json", "-o"])
        .arg(&target)
        .assert()
        .code(1);
    assert!(files_in(dir.path()).is_empty());
    // An existing file is left as it was.
    std::fs::write(&target, "old").unwrap();
    backprop().arg(&bad).arg("-o").arg(&target).assert().code(1);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
}

#[test]
fn an_unwritable_output_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    backprop()
        .arg("-o")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is a directory"));
    backprop()
        .args(["-o", "no/such/dir/out.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write no/such/dir/out.txt"));
    // A full disk: the message names the file.
    if Path::new("/dev/full").exists() {
        backprop()
            .args(["-o", "/dev/full"])
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("cannot write /dev/full")
                    .and(predicate::str::contains("No space left")),
            );
    }
    // A device is written into, not replaced.
    backprop().args(["-o", "/dev/null"]).assert().success();
    assert!(!Path::new("/dev/null").is_file());
}

#[test]
fn an_unknown_key_warns_with_a_suggestion_and_still_runs() {
    let (_dir, path) = article_with("\"learning_rate\"", "\"learnig_rate\"");
    backprop()
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "learnig_rate: unknown key; did you mean learning_rate?",
        ));
}

/// The other commands' bad inputs: each one clear message, the right status, no panic.
#[test]
fn bad_inputs_of_the_other_commands() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let bad_csv = file("bad.csv", "w5+,abc\n");
    let string_json = file("string.json", r#"{"w5+": "x"}"#);
    let empty = file("empty.csv", "\n");
    let broken = file("broken.json", "{");
    let (_keep, short_weights) = article_with("[0.40, 0.45, 0.50, 0.55]", "[0.40]");
    let short_weights = short_weights.display().to_string();
    let cases: Vec<(Vec<&str>, &[&str], i32)> = vec![
        (
            vec!["verify", "no/such.json"],
            &["cannot read no/such.json"],
            1,
        ),
        (
            vec!["verify", &bad_csv],
            &["bad.csv: line 1: expected symbol,value", "w5+,abc"],
            1,
        ),
        (
            vec!["verify", &string_json],
            &["string.json", "\"w5+\": expected a number"],
            1,
        ),
        (vec!["verify", &empty], &["empty.csv: no values found"], 1),
        (
            vec!["verify", &broken],
            &["broken.json: not a JSON object"],
            1,
        ),
        (
            vec!["verify", "traces/article.json"],
            &["this is a network file", "--network"],
            1,
        ),
        (
            vec!["verify", "--network", &short_weights, &bad_csv],
            &["line 1"],
            1,
        ),
        (vec!["verify"], &["required arguments"], 2),
        (
            vec!["check", "no/such.json"],
            &["cannot read no/such.json"],
            1,
        ),
        (
            vec!["check", &short_weights],
            &["weights[1]: expected 4 numbers for a 2→2 layer, got 1"],
            1,
        ),
        (
            vec!["explain", "dE_total/dw9"],
            &["no value is called \"dE_total/dw9\"", "dE_total/dw5"],
            1,
        ),
        (vec!["explain"], &["required arguments", "<SYMBOL>"], 2),
        (vec!["explain", "w5+", &short_weights], &["weights[1]"], 1),
        (vec!["step"], &["needs a terminal", "--plain"], 2),
        (vec!["step", "--plain", &short_weights], &["weights[1]"], 1),
        (
            vec!["show", "--only", "w99"],
            &["no value is called \"w99\"", "w1"],
            1,
        ),
        (
            vec!["show", "--section", "bogus"],
            &["invalid value 'bogus'"],
            2,
        ),
    ];
    for (args, words, code) in cases {
        let out = backprop().args(&args).write_stdin("").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        for word in words {
            assert!(stderr.contains(word), "{args:?}: {stderr:?} lacks {word:?}");
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_run_killed_mid_write_leaves_the_old_file() {
    // A long NDJSON export into FILE, killed while it writes: FILE is still the old one.
    // 100 million iterations take far longer than the test waits, so the run is always
    // killed mid-write; the wait ends as soon as 100 kB are written (a few hundred lines).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.ndjson");
    std::fs::write(&file, "old\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(["train", "-n", "100000000", "--format", "ndjson", "-q", "-o"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the temporary file beside FILE has data in it, then kill the run. The test
    // proves nothing unless it saw that file while the run was still going.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let seen = loop {
        let writing = std::fs::read_dir(dir.path()).unwrap().find_map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name.ends_with(".tmp") && e.metadata().unwrap().len() > 100_000).then_some(name)
        });
        if let Some(name) = writing {
            break Some(name);
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it was seen writing");
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    let seen = seen.unwrap_or_else(|| {
        panic!(
            "no temporary file of 100 kB appeared beside FILE in 30 s; files: {:?}",
            files_in(dir.path())
        )
    });
    assert!(still_running, "the run had ended before it was killed");
    assert!(seen.starts_with(".backprop-"), "{seen}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
}
