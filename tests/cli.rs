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

/// Fails unless every byte of `text` is ASCII, naming the first other character, its line
/// and what printed it.
fn assert_ascii(what: &str, stream: &str, text: &str) {
    let first = text.lines().enumerate().find_map(|(n, line)| {
        line.chars()
            .find(|c| !c.is_ascii())
            .map(|c| format!("{c:?} (U+{:04X}) on line {}: {line}", c as u32, n + 1))
    });
    assert!(
        text.is_ascii(),
        "backprop {what} --ascii wrote a non-ASCII character to {stream}: {}",
        first.unwrap_or_default()
    );
    // A character without an ASCII spelling is escaped (\u{2192}): ASCII, but unreadable.
    let escaped = text.lines().find(|l| l.contains("\\u{"));
    assert!(
        escaped.is_none(),
        "backprop {what} --ascii escaped a character it has no spelling for, in {stream}: {}",
        escaped.unwrap_or_default()
    );
}

/// Runs `backprop ARGS --ascii` with `stdin`, checks both streams are pure ASCII and the exit
/// status one of `codes`, and returns standard output.
fn ascii_run(args: &[&str], stdin: &str, codes: &[i32]) -> String {
    let what = args.join(" ");
    let out = backprop()
        .args(args)
        .arg("--ascii")
        .env_remove("NO_COLOR")
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "backprop {what} --ascii: {:?}\n{stderr}",
        out.status
    );
    assert_ascii(&what, "stdout", &stdout);
    assert_ascii(&what, "stderr", &stderr);
    stdout
}

#[test]
fn ascii_mode_writes_only_ascii_for_every_command() {
    for network in [
        None,
        Some("traces/tanh-3-4-2.json"),
        Some("traces/deep-2-3-2-1.json"),
    ] {
        for order in ["simultaneous", "sequential"] {
            let with = |args: &[&str]| -> Vec<String> {
                let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
                all.extend(network.map(String::from));
                all.extend(["--update-order".to_string(), order.to_string()]);
                all
            };
            let run = |args: &[&str], stdin: &str, codes: &[i32]| {
                let all = with(args);
                let all: Vec<&str> = all.iter().map(String::as_str).collect();
                ascii_run(&all, stdin, codes)
            };
            let tables = run(&["show"], "", &[0]);
            assert!(tables.contains("| dE_total/dw1 "), "{tables}");
            assert!(tables.contains("eta"), "{tables}");
            for section in ["given", "forward", "error", "output", "hidden", "summary"] {
                run(&["show", "--section", section], "", &[0]);
            }
            run(
                &["show", "--only", "dE_total/dw1,w5+,E_total,eta"],
                "",
                &[0],
            );
            run(&["show", "--format", "json"], "", &[0]);
            for symbol in ["dE_total/dw1", "w5+", "E_total", "delta_o1"] {
                // Ask in the article's typography: the answer still comes in ASCII.
                let typed = backprop_tracer::notation::pretty(symbol);
                let tree = run(&["explain", &typed], "", &[0]);
                assert!(tree.starts_with(&format!("{symbol} = ")), "{tree}");
                run(&["explain", symbol, "--format", "json"], "", &[0]);
            }
            // The help, a line it does not know, then every step to the end.
            let input = format!("?\nbogus ∂\n{}", "\n".repeat(200));
            let steps = run(&["step", "--plain"], &input, &[0]);
            assert!(steps.contains("The end of the iteration."), "{steps}");
            assert!(steps.contains("Unknown command \"bogus d\"."), "{steps}");
            // The sequential order makes the hidden layers' gradients fail the check.
            run(&["check"], "", &[0, 1]);
            let trained = run(&["train", "-n", "200"], "", &[0]);
            assert!(trained.contains("after 200 iterations"), "{trained}");
            run(&["train", "-n", "200", "--quiet"], "", &[0]);
        }
    }
    // On the article's network the article column marks agreement and differences.
    let tables = ascii_run(&["show"], "", &[0]);
    assert!(tables.contains("0.593269992 ok"), "{tables}");
    assert!(tables.contains("0.75136079 != typo [1]"), "{tables}");
    let trained = ascii_run(&["train", "-n", "10"], "", &[0]);
    assert!(trained.contains("!= sequential order [1]"), "{trained}");
    assert!(trained.contains("\n[1] The article's figure"), "{trained}");
    // Several samples: each output after its input.
    let xor = ascii_run(&["train", "traces/xor.json", "-n", "100"], "", &[0]);
    assert!(xor.contains("[0, 1] -> ["), "{xor}");

    // verify: every homework fixture (each with a slip), and a trace with a wrong value.
    let mut fixtures: Vec<_> = std::fs::read_dir("tests/fixtures/homework")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 5);
    for f in &fixtures {
        let report = ascii_run(&["verify", f.to_str().unwrap()], "", &[0, 1]);
        assert!(report.contains("eta = 0.5"), "{report}");
    }
    let slip = ascii_run(
        &["verify", "tests/fixtures/homework/eta-left-out.json"],
        "",
        &[1],
    );
    assert!(
        slip.contains("eta left out of the update: w5+ = w - eta*dE_total/dw"),
        "{slip}"
    );
    let typed = "{\"∂E_total/∂w5\": 0.082167041, \"δ_o9\": 1, \"w5⁺\": 0.3}";
    let report = ascii_run(&["verify", "-"], typed, &[1]);
    assert!(report.contains("X delta_o9 = 1: not a value"), "{report}");
    let trace = stdout_of(&["--format", "json"]).replacen("0.593269992", "0.6", 1);
    ascii_run(&["verify", "-"], &trace, &[1]);

    // Errors too: a symbol typed in the article's typography comes back in ASCII.
    ascii_run(&["explain", "∂E_total/∂w9"], "", &[1]);
    ascii_run(&["show", "--only", "δ_o9"], "", &[1]);
}

#[test]
fn ascii_with_chinese_keeps_only_the_chinese_words() {
    // The Chinese words have no ASCII spelling; every other character is ASCII.
    let chinese = |c: char| matches!(c, '\u{3000}'..='\u{303F}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}');
    for args in [
        &["show", "--lang", "zh"][..],
        &["show", "--lang", "zh", "--update-order", "sequential"],
        &["explain", "w5+", "--lang", "zh"],
        &["step", "--plain", "--lang", "zh"],
    ] {
        let text = backprop()
            .args(args)
            .arg("--ascii")
            .write_stdin(format!("?\n{}", "\n".repeat(100)))
            .output()
            .unwrap();
        assert!(text.status.success());
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("原文"), "{text}");
        let other = text
            .lines()
            .find(|l| l.chars().any(|c| !c.is_ascii() && !chinese(c)));
        assert!(other.is_none(), "{args:?}: {}", other.unwrap_or_default());
    }
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
    let out = reader_stops_after_16_bytes(&["--precision", "12"]);
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// `backprop ARGS | head -c 16`: the reader takes 16 bytes and goes away.
fn reader_stops_after_16_bytes(args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("backprop"));
    command.args(args);
    common::reader_stops_after_16_bytes(command, None)
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
    // A key given twice is refused, naming it (serde_json alone keeps the last one).
    add(bad_network(
        "\"learning_rate\": 0.5",
        "\"learning_rate\": 0.5, \"learning_rate\": 0.1",
        &["net.json", "learning_rate: given twice"],
    ));
    add(bad_network(
        "\"input\": [0.05, 0.10]",
        "\"input\": [0.05, 0.10], \"input\": [0.05, 0.10]",
        &["input: given twice"],
    ));
    // A whole number written as a float is a whole number; the message says 2000, not 1000.0.
    add(bad_network(
        "[2, 2, 2]",
        "[2, 1e3, 2]",
        &["weights[0]: expected 2000 numbers for a 2→1000 layer, got 4"],
    ));
    // Sizes whose product overflows: the limit, not a saturated 18446744073709551615.
    add(
        write_network(r#"{"layers": [4294967296, 4294967296, 4294967296]}"#).into_bad(&[
            "layers: 4294967296-4294967296-4294967296 needs more than 10000000 weights; at most \
         10000000 are accepted",
        ]),
    );
    // A trace of a format version this build does not read.
    let trace = stdout_of(&["--format", "json"]).replacen("\"version\": 2", "\"version\": 7", 1);
    add(write_network(&trace).into_bad(&[
        "version: version 7 is not one this build reads (it reads trace versions 1, 2)",
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

/// `train`'s bad inputs: refused before the run, so that nothing is written, each with one
/// clear message and the right status (2 for a command-line mistake).
#[test]
fn bad_train_inputs_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let at = |name: &str| out.join(name).display().to_string();
    let (run_json, plot_svg) = (at("run.json"), at("loss.svg"));
    let folder_svg = dir.path().join("folder.svg");
    std::fs::create_dir(&folder_svg).unwrap();
    let folder_svg = folder_svg.display().to_string();
    // A first forward pass that overflows: ReLU passes 1e300 · 2 on, and 1e300 · 2e300 is inf.
    let (_keep, relu) = write_network(
        r#"{"layers": [2, 2, 2], "activation": "relu",
            "weights": [[1e300, 1e300, 1e300, 1e300], [1e300, 1e300, 1e300, 1e300]],
            "biases": [0, 0], "input": [1, 1], "target": [0, 0]}"#,
    );
    let relu = relu.display().to_string();
    let cases: Vec<(Vec<&str>, &[&str], i32)> = vec![
        (
            vec!["train", "--summary", "-o", &run_json],
            &["--summary", "--format ndjson"],
            2,
        ),
        (
            vec!["train", "--plot", "out.png"],
            &["out.png", "--plot", ".svg"],
            2,
        ),
        (
            vec!["train", "--plot", "out"],
            &["'out'", "--plot", ".svg"],
            2,
        ),
        (
            vec!["train", "-o", &plot_svg, "--plot", &plot_svg],
            &["--output", "--plot", "the same file", "loss.svg"],
            2,
        ),
        (
            vec!["train", "-n", "5", "--format", "json", "-o", &run_json],
            &[],
            0,
        ),
        (
            vec![
                "train",
                "-n",
                "5",
                "--format",
                "json",
                "-o",
                &run_json,
                "--plot",
                "/nonexistent/x.svg",
            ],
            &["cannot write /nonexistent/x.svg", "does not exist"],
            1,
        ),
        (
            vec!["train", "-n", "5", "-o", &run_json, "--plot", &folder_svg],
            &["cannot write", "folder.svg: it is a directory"],
            1,
        ),
        (
            vec![
                "train",
                "-n",
                "5",
                "--plot",
                &plot_svg,
                "-o",
                "/nonexistent/run.txt",
            ],
            &["cannot write /nonexistent/run.txt", "does not exist"],
            1,
        ),
        (
            vec!["train", &relu, "--format", "json", "-o", &run_json],
            &[
                "net.json",
                "net_o1 = inf",
                "1e300 * 2e300",
                "too large for f64",
            ],
            1,
        ),
        (
            vec!["train", &relu, "--plot", &plot_svg, "-q"],
            &["net.json", "net_o1 = inf"],
            1,
        ),
    ];
    for (args, words, code) in cases {
        let result = backprop().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(code), "{args:?}: {stderr}");
        if code == 0 {
            // The control case: the same run with writable paths writes its file.
            assert_eq!(files_in(&out), ["run.json"], "{args:?}");
            std::fs::remove_file(&run_json).unwrap();
            continue;
        }
        assert!(files_in(&out).is_empty(), "{args:?} left a file");
        assert!(result.stdout.is_empty(), "{args:?} printed to stdout");
        for word in words {
            assert!(stderr.contains(word), "{args:?}: {stderr:?} lacks {word:?}");
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("learning rate"), "{args:?}: {stderr}");
        if code == 1 {
            assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        }
    }
}
#[cfg(unix)]
#[test]
fn o_refuses_to_replace_a_read_only_file() {
    // `chmod a-w FILE` says "do not overwrite"; renaming over it would ignore that (and
    // root, who runs these tests, may write anything, so the mode bits are what is checked).
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keep.txt");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    backprop().arg("-o").arg(&file).assert().code(1).stderr(
        predicate::str::contains(format!("cannot write {}: it is read-only", file.display()))
            .and(predicate::str::contains("panicked").not()),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old");
    assert_eq!(
        files_in(dir.path()),
        vec!["keep.txt"],
        "no temporary file left"
    );
    // A file writable by its owner only is still replaced, keeping its mode.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    backprop().arg("-o").arg(&file).assert().success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout_of(&[]));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[cfg(unix)]
#[test]
fn o_writes_through_a_symlink_to_its_target() {
    let links = tempfile::tempdir().unwrap();
    let targets = tempfile::tempdir().unwrap();
    let target = targets.path().join("trace.json");
    std::fs::write(&target, "old").unwrap();
    let link = links.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    // A relative link, and a link to a link.
    let relative = targets.path().join("relative.json");
    std::os::unix::fs::symlink("trace.json", &relative).unwrap();
    let chained = links.path().join("chained.json");
    std::os::unix::fs::symlink(&relative, &chained).unwrap();
    let json = stdout_of(&["--format", "json"]);
    for written in [&link, &relative, &chained] {
        std::fs::write(&target, "old").unwrap();
        backprop()
            .args(["--format", "json", "-o"])
            .arg(written)
            .assert()
            .success();
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            json,
            "{written:?}"
        );
        for l in [&link, &relative, &chained] {
            let meta = std::fs::symlink_metadata(l).unwrap();
            assert!(meta.file_type().is_symlink(), "{l:?} is still a link");
        }
        // The temporary file was made beside the target, and is gone.
        assert_eq!(files_in(links.path()), vec!["chained.json", "link.json"]);
        assert_eq!(
            files_in(targets.path()),
            vec!["relative.json", "trace.json"]
        );
    }
    // A link to a file not yet there: the file is created where the link points.
    let dangling = links.path().join("new.json");
    std::os::unix::fs::symlink(targets.path().join("new-target.json"), &dangling).unwrap();
    backprop().arg("-o").arg(&dangling).assert().success();
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(targets.path().join("new-target.json")).unwrap(),
        stdout_of(&[])
    );
    // A link to a read-only file is refused like the file.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    backprop()
        .arg("-o")
        .arg(&link)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is read-only"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), json);
}

/// `backprop ARGS` with standard error and standard output as given: its status, stdout and
/// stderr (each empty when not captured).
fn run_with(
    args: &[&str],
    stdout: std::process::Stdio,
    stderr: std::process::Stdio,
) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn dev_full() -> std::process::Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

/// A pipe whose reading end is already closed: every write into it fails (EPIPE).
fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_or_closed_standard_error_does_not_panic() {
    use std::process::Stdio;
    // An error that cannot be told still ends with status 1, not a panic's 101.
    for stderr in [dev_full, closed_pipe] {
        let (code, _, _) = run_with(&["show", "/nonexistent"], Stdio::null(), stderr());
        assert_eq!(code, Some(1));
    }
    // A warning that cannot be told does not stop the run.
    let (_dir, path) = article_with("\"learning_rate\"", "\"learnig_rate\"");
    let path = path.display().to_string();
    for stderr in [dev_full, closed_pipe] {
        let (code, stdout, _) = run_with(&[&path], Stdio::piped(), stderr());
        assert_eq!(code, Some(0));
        assert_eq!(stdout, stdout_of(&[&path]));
    }
    // train's note of its seed, likewise.
    let (code, _, _) = run_with(
        &["train", "-n", "3", "--format", "json", "traces/xor.json"],
        Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(code, Some(0));
}

/// Every format of `show`, and `diagram`, into a pipe whose reader stops after a few bytes
/// (`| head -c 16`): status 0 and nothing on standard error, as for the tables. The network
/// is large enough that each output is still being written when the reader goes (more than a
/// pipe's 64 KiB buffer).
#[cfg(target_os = "linux")]
#[test]
fn every_format_ends_quietly_when_the_reader_stops() {
    let dir = tempfile::tempdir().unwrap();
    let net = common::network_file(dir.path(), &[40, 30, 3]);
    let net = net.to_str().unwrap();
    for args in [
        &["show", net, "--format", "html"][..],
        &["show", net, "--format", "markdown"],
        &["show", net, "--format", "latex"],
        &["show", net, "--format", "json"],
        &["diagram", net, "--values"],
    ] {
        let out = reader_stops_after_16_bytes(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error_that_says_so() {
    use std::process::Stdio;
    for args in [
        &["--help"][..],
        &["--version"],
        &["show", "--help"],
        &["show"],
        &["show", "--format", "json"],
        &["train", "-n", "10"],
        &["train", "-n", "10", "--format", "ndjson"],
        &["check"],
        &["explain", "w5+"],
        &["step", "--plain"],
    ] {
        let (code, _, stderr) = run_with(args, dev_full(), Stdio::piped());
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: writing to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
}

/// `backprop ARGS` in `dir` with a file-size limit of one block (SIGXFSZ ignored, so a write
/// past it fails with EFBIG instead of killing the process).
#[cfg(target_os = "linux")]
fn with_file_size_limit(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_write_error_names_file_not_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["show", "--format", "json", "-o", "out.json"][..],
        &[
            "train", "-n", "2000", "--format", "ndjson", "-o", "out.json",
        ],
    ] {
        let out = with_file_size_limit(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot write out.json: File too large"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains(".tmp"), "{args:?}: {stderr}");
        assert!(files_in(dir.path()).is_empty(), "{args:?} left a file");
    }
    let out = with_file_size_limit(dir.path(), &["show", "--format", "json"]);
    // Standard output is a pipe here (no limit); into a file under the limit:
    assert!(out.status.success());
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" --format json > out.json")
        .arg(assert_cmd::cargo::cargo_bin!("backprop"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: writing to standard output: File too large"),
        "{stderr}"
    );
}

#[test]
fn long_input_is_quoted_short() {
    let long = "x".repeat(100_000);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let deep = file(
        "deep.json",
        &format!(
            r#"{{"w5": {}{}}}"#,
            "[".repeat(300_000),
            "]".repeat(300_000)
        ),
    );
    let line = file("line.csv", &format!("{long},abc\n"));
    let key = file("key.json", &format!(r#"{{"{long}": "abc"}}"#));
    let spelled = file(
        "twice.csv",
        &format!(
            "w5_new,0.35891648\nw5{}new,0.35891648\n",
            "_".repeat(100_000)
        ),
    );
    let trace = stdout_of(&["--format", "json"]);
    let bad_stage = file(
        "stage.json",
        &trace.replacen("\"stage\": \"given\"", &format!("\"stage\": \"{long}\""), 1),
    );
    let bad_field = file(
        "field.json",
        &trace.replacen("\"stage\": \"given\"", &format!("\"{long}\": 1"), 1),
    );
    let text = std::fs::read_to_string("traces/article.json").unwrap();
    let activation = file(
        "activation.json",
        &text.replacen("\"sigmoid\"", &format!("\"{long}\""), 1),
    );
    let string = file(
        "string.json",
        &text.replacen("0.45,", &format!("\"{long}\","), 1),
    );
    let unknown_key = file(
        "unknown.json",
        &text.replacen("\"input\"", &format!("\"{long}\": 1, \"input\""), 1),
    );
    let cases: Vec<Vec<&str>> = vec![
        vec!["explain", &long],
        vec!["show", "--only", &long],
        vec!["verify", &line],
        vec!["verify", &key],
        vec!["verify", &spelled],
        vec!["verify", &bad_stage],
        vec!["verify", &bad_field],
        vec!["show", &activation],
        vec!["show", &string],
        vec!["show", &unknown_key],
    ];
    for args in cases {
        let out = backprop().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shown: String = stderr.chars().take(300).collect();
        assert!(
            stderr.chars().count() < 1000,
            "{:?}: {} characters: {shown}",
            &args[0],
            stderr.chars().count()
        );
        assert!(stderr.contains("…"), "{:?}: {shown}", &args[0]);
        assert!(!stderr.contains("panicked"), "{:?}: {shown}", &args[0]);
    }
    // A list where a number belongs is named, however deep, not quoted.
    backprop().args(["verify", &deep]).assert().code(1).stderr(
        "error: deep.json: \"w5\": expected a number, got a list\n".replace("deep.json", &deep),
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
        path.display().to_string()
    };
    let network = file(
        "net.json",
        &std::fs::read_to_string("traces/article.json").unwrap(),
    );
    assert_eq!(stdout_of(&[&network]), stdout_of(&[]));
    let csv = file("values.csv", "symbol,value\nout_h1,0.593269992\n");
    let json = file("values.json", r#"{"out_h1": 0.593269992}"#);
    let trace = file("trace.json", &stdout_of(&["--format", "json"]));
    for args in [
        vec!["verify", &csv],
        vec!["verify", &json],
        vec!["verify", &json, "--network", &network],
        vec!["verify", &trace],
    ] {
        let out = backprop().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_key_given_twice_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let values = file(
        "values.json",
        r#"{"out_h1": 0.5933, "w5": 1, "out_h1": 0.6}"#,
    );
    backprop()
        .args(["verify", &values])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "values.json: \"out_h1\" is given twice",
        ));
    let samples = file(
        "samples.json",
        r#"{"layers": [1, 1], "samples": [{"input": [1], "target": [0]},
            {"input": [1], "target": [0], "target": [1]}], "seed": 1}"#,
    );
    backprop()
        .arg(&samples)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("samples[1].target: given twice"));
}

#[test]
fn a_trace_of_another_version_is_refused_naming_the_versions_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.json");
    let trace = stdout_of(&["--format", "json"]);
    std::fs::write(&path, trace.replacen("\"version\": 2", "\"version\": 3", 1)).unwrap();
    backprop()
        .arg("verify")
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "version 3 is not one this build reads (it reads trace versions 1, 2)",
        ));
    backprop()
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "version: version 3 is not one this build reads",
        ));
}

#[test]
fn whole_numbers_written_as_floats_are_layer_sizes() {
    let (_dir, path) = article_with("[2, 2, 2]", "[2e0, 2.0, 2]");
    assert_eq!(stdout_of(&[&path.display().to_string()]), stdout_of(&[]));
    let (_dir, path) = write_network(r#"{"layers": [4294967296, 4294967296, 4294967296]}"#);
    backprop()
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("more than 10000000 weights"))
        .stderr(predicate::str::contains("18446744073709551615").not());
}

/// The recorded values of `network`'s iteration (`None`: the article's), symbol → value,
/// read from its JSON trace.
fn values_of(network: Option<&str>) -> Vec<(String, f64)> {
    let args: Vec<&str> = network.into_iter().chain(["--format", "json"]).collect();
    let trace: serde_json::Value = serde_json::from_str(&stdout_of(&args)).unwrap();
    trace["iterations"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let symbol = v["symbol"].as_str().unwrap().to_string();
            (symbol, v["value"].as_f64().unwrap())
        })
        .collect()
}

const DEEP: &str = "traces/deep-2-3-2-1.json";

/// Every spelling a student might write, with the trace symbol it means, on the article's
/// network (`None`) and on a deep one, whose neurons are h1_1, h2_1 ….
const SPELLINGS: &[(Option<&str>, &str, &str)] = &[
    (None, "dE_total/dw5", "dE_total/dw5"),
    (None, "∂E_total/∂w5", "dE_total/dw5"),
    (None, "dE/dw5", "dE_total/dw5"),
    (None, "∂E/∂w5", "dE_total/dw5"),
    (None, "dEtotal/dw5", "dE_total/dw5"),
    (None, "DE_TOTAL/DW5", "dE_total/dw5"),
    (None, "\\partial E_{total}/\\partial w_5", "dE_total/dw5"),
    (None, "w5+", "w5+"),
    (None, "w5⁺", "w5+"),
    (None, "w5_new", "w5+"),
    (None, "w5'", "w5+"),
    (None, "w5(new)", "w5+"),
    (None, "w5^{+}", "w5+"),
    (None, "netH1", "net_h1"),
    (None, "neth1", "net_h1"),
    (None, "out_{h1}", "out_h1"),
    (None, "δ_o1", "delta_o1"),
    (None, "δo1", "delta_o1"),
    (None, "η", "eta"),
    (None, "learning_rate", "eta"),
    (None, "Etotal", "E_total"),
    (None, "∂E_o1/∂out_h1", "dE_o1/dout_h1"),
    (None, "dEo1/douth1", "dE_o1/dout_h1"),
    (Some(DEEP), "dE_total/dw13", "dE_total/dw13"),
    (Some(DEEP), "dE/dw13", "dE_total/dw13"),
    (Some(DEEP), "∂E/∂w13", "dE_total/dw13"),
    (Some(DEEP), "dEtotal/dw7", "dE_total/dw7"),
    (Some(DEEP), "w13_new", "w13+"),
    (Some(DEEP), "w13'", "w13+"),
    (Some(DEEP), "w13⁺", "w13+"),
    (Some(DEEP), "netH1_1", "net_h1_1"),
    (Some(DEEP), "net_h11", "net_h1_1"),
    (Some(DEEP), "out_{h2_2}", "out_h2_2"),
    (Some(DEEP), "δ_h2_1", "delta_h2_1"),
    (Some(DEEP), "δh21", "delta_h2_1"),
    (Some(DEEP), "∂E_h2_1/∂out_h1_3", "dE_h2_1/dout_h1_3"),
    (Some(DEEP), "b2_1", "b2_1"),
    (Some(DEEP), "b21", "b2_1"),
    (Some(DEEP), "eta", "eta"),
];

#[test]
fn every_spelling_names_the_same_value_in_explain_show_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    for network in [None, Some(DEEP)] {
        let values = values_of(network);
        for &(_, written, symbol) in SPELLINGS.iter().filter(|s| s.0 == network) {
            let value = values.iter().find(|(s, _)| s == symbol).unwrap().1;
            let on = |args: &[&str]| -> Vec<String> {
                args.iter()
                    .copied()
                    .chain(network)
                    .map(String::from)
                    .collect()
            };
            // explain: the tree's root is the value.
            let tree: serde_json::Value = serde_json::from_str(&stdout_of(
                &on(&["explain", written, "--format", "json"])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ))
            .unwrap();
            assert_eq!(
                tree["tree"]["symbol"], symbol,
                "explain {written} on {network:?}"
            );

            // show --only: the one row is the value's.
            let table = stdout_of(
                &on(&["--only", written, "--ascii"])
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            );
            let rows: Vec<&str> = table
                .lines()
                // A row's first line: a second article number continues it below.
                .filter(|l| l.starts_with("| ") && !l.starts_with("|  "))
                .filter(|l| !l.starts_with("| symbol "))
                .collect();
            assert_eq!(rows.len(), 1, "--only {written} on {network:?}:\n{table}");
            assert!(
                rows[0].starts_with(&format!("| {symbol} ")),
                "--only {written} on {network:?}: {}",
                rows[0]
            );

            // verify: the student's value, written with this spelling, is checked as the
            // value's and agrees.
            let file = dir.path().join("homework.csv");
            std::fs::write(&file, format!("{written},{value:.9}\n")).unwrap();
            let mut verify = backprop();
            verify.arg("verify").arg(&file).arg("--ascii");
            if let Some(net) = network {
                verify.args(["--network", net]);
            }
            let out = verify.output().unwrap();
            let report = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "verify {written}: {report}");
            assert!(
                report.contains(&format!("| {symbol} ")) && report.contains("The value agrees."),
                "verify {written} on {network:?}:\n{report}"
            );
        }
    }
}

/// The symbols a message names: the closest list, and the examples (each once, or as
/// "ascii or typography").
fn symbols_named(stderr: &str) -> Vec<String> {
    let closest = stderr
        .split("the closest symbols are: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no closest list: {stderr}"));
    let examples = stderr
        .split("lists every symbol: ")
        .nth(1)
        .and_then(|rest| rest.split(" …)").next())
        .and_then(|rest| rest.split(" ...)").next())
        .unwrap_or_else(|| panic!("no examples: {stderr}"));
    closest
        .split(", ")
        .chain(examples.split(", ").flat_map(|e| e.split(" or ")))
        .map(String::from)
        .collect()
}

#[test]
fn suggestions_and_examples_are_the_networks_own_symbols() {
    for (network, typo, closest, examples) in [
        (
            None,
            "otu_h1",
            "out_h1",
            "net_h1, out_h1, dE_total/dw5 or ∂E_total/∂w5, delta_o1 or δ_o1, w5+ or w5⁺ …)",
        ),
        (
            Some(DEEP),
            "net_h1",
            "net_h1_1",
            "net_h1_1, out_h1_1, dE_total/dw13 or ∂E_total/∂w13, delta_o1 or δ_o1, w13+ or \
             w13⁺ …)",
        ),
    ] {
        let symbols: Vec<String> = values_of(network).into_iter().map(|(s, _)| s).collect();
        let pretty: Vec<String> = symbols
            .iter()
            .map(|s| backprop_tracer::notation::pretty(s))
            .collect();
        for command in [&["explain", typo][..], &["--only", typo]] {
            for ascii in [false, true] {
                let args: Vec<&str> = command
                    .iter()
                    .copied()
                    .chain(network)
                    .chain(ascii.then_some("--ascii"))
                    .collect();
                let out = backprop().args(&args).output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
                assert!(
                    stderr.contains(&format!("are: {closest}, ")),
                    "{args:?}: {stderr}"
                );
                for named in symbols_named(&stderr) {
                    assert!(
                        symbols.contains(&named) || pretty.contains(&named),
                        "{args:?} names {named:?}, not a symbol of this network: {stderr}"
                    );
                }
                if ascii {
                    // Each example once: "dE_total/dw5 or dE_total/dw5" said nothing.
                    assert!(stderr.is_ascii() && !stderr.contains(" or "), "{stderr}");
                    let examples = examples
                        .split(", ")
                        .map(|e| e.split(" or ").next().unwrap())
                        .collect::<Vec<_>>()
                        .join(", ");
                    assert!(stderr.contains(&examples), "{args:?}: {stderr}");
                } else {
                    assert!(stderr.contains(examples), "{args:?}: {stderr}");
                }
            }
        }
    }
}

#[test]
fn verify_suggests_from_the_networks_own_symbols() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("homework.csv");
    std::fs::write(&file, "out_h1_1,0.5\nnetH1,0.1\nzzzzzzzz,1\n").unwrap();
    let out = backprop()
        .args(["verify", "--ascii", "--network", DEEP])
        .arg(&file)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("X netH1 = 0.1: not a value of this iteration; did you mean net_h1_1?"),
        "{report}"
    );
    assert!(
        report.contains(
            "X zzzzzzzz = 1: not a value of this iteration; symbols are written as in the \
             trace: net_h1_1, out_h1_1, dE_total/dw13, delta_o1, w13+"
        ),
        "{report}"
    );
}

#[test]
fn a_very_long_symbol_is_answered_at_once() {
    let long = "w".repeat(100_000);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("homework.csv");
    std::fs::write(&file, format!("{long},0.5\n")).unwrap();
    let started = std::time::Instant::now();
    backprop()
        .args(["explain", &long])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no value is called \"www"));
    backprop()
        .args(["--only", &long])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no value is called \"www"));
    backprop()
        .arg("verify")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not a value of this iteration"));
    // Reading verify's symbol took some 8 s when the edit distance ran over all 100,000
    // characters; three runs now take well under a second, even unoptimised.
    let took = started.elapsed().as_secs_f64();
    assert!(took < 5.0, "{took} s");
}

#[test]
fn only_a_value_outside_the_section_is_refused_naming_its_section() {
    for (network, section, only, message) in [
        (
            None,
            "hidden",
            "net_h1",
            "error: net_h1 is not in --section hidden: it is in --section forward\n",
        ),
        (
            None,
            "summary",
            "w5⁺",
            "error: w5⁺ is not in --section summary: it is in --section output\n",
        ),
        (
            Some(DEEP),
            "output",
            "dE/dw1",
            "error: ∂E_total/∂w1 is not in --section output: it is in --section hidden\n",
        ),
    ] {
        let args: Vec<&str> = network
            .into_iter()
            .chain(["--section", section, "--only", only])
            .collect();
        backprop()
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(message);
    }
    backprop()
        .args(["--section", "hidden", "--only", "net_h1", "--ascii"])
        .assert()
        .code(2)
        .stderr("error: net_h1 is not in --section hidden: it is in --section forward\n");
    // In its section, it is shown.
    let table = stdout_of(&["--section", "output", "--only", "dE/dw5,w5_new", "--ascii"]);
    assert!(
        table.contains("| dE_total/dw5 ") && table.contains("| w5+ "),
        "{table}"
    );
}

#[test]
fn a_mistyped_command_is_named_not_read_as_a_file() {
    for (args, command) in [
        (&["shwo"][..], "shwo'; did you mean show"),
        (&["shwo", "--ascii"], "shwo'; did you mean show"),
        (&["tarin", "-n", "5"], "tarin'; did you mean train"),
        (&["explian", "dE/dw5"], "explian'; did you mean explain"),
        (&["verfiy"], "verfiy'; did you mean verify"),
        (&["chekc"], "chekc'; did you mean check"),
    ] {
        backprop()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(format!("error: no command or file '{command}?\n"));
    }
    // Words far from every command, and names of files, are still files.
    for word in ["foo", "show.json", "no/shwo"] {
        backprop()
            .arg(word)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!("cannot read {word}")));
    }
    // A file that is there is read, whatever its name.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("traces/article.json", dir.path().join("shwo")).unwrap();
    backprop()
        .current_dir(dir.path())
        .arg("shwo")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "One training iteration of a 2-2-2",
        ));
}

/// Runs `backprop ARGS -o FILE` in a fresh folder where FILE holds "old", waits until the
/// run is writing its temporary file beside FILE, sends it `signal` (as `kill -s` names it)
/// and checks that it ends with `status`, removing the temporary file and leaving FILE old.
fn interrupt_an_o_run(args: &[&str], signal: &str, status: i32) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    std::fs::write(&file, "old\n").unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(args)
        .arg("-o")
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The temporary file with data in it: the run is writing (not only checking, as `train`
    // does first with an empty one).
    let writing = || {
        files_in(dir.path()).into_iter().any(|name| {
            name.starts_with(".backprop-")
                && name.ends_with(".tmp")
                && std::fs::metadata(dir.path().join(&name)).is_ok_and(|m| m.len() > 0)
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !writing() {
        if let Some(ended) = child.try_wait().unwrap() {
            panic!("{args:?}: the run ended ({ended}) before it was seen writing");
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{args:?}: no temporary file was written in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sent = std::process::Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -s {signal}");
    let ended = child.wait().unwrap();
    assert_eq!(ended.code(), Some(status), "{args:?}, SIG{signal}: {ended}");
    assert_eq!(files_in(dir.path()), ["out"], "{args:?}, SIG{signal}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
}

#[test]
fn an_interrupted_train_o_run_leaves_nothing_behind() {
    for (signal, status) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        interrupt_an_o_run(
            &["train", "-n", "100000000", "--format", "ndjson", "-q"],
            signal,
            status,
        );
    }
}

#[test]
fn an_interrupted_show_o_run_leaves_nothing_behind() {
    // A 100-100-100 network's trace is some 36 MB of JSON: seconds of writing in a debug
    // build, so the signal comes mid-write.
    let width = 100;
    let network = serde_json::json!({
        "layers": [width, width, width],
        "input": vec![0.5; width],
        "target": vec![0.5; width],
        "seed": 1,
    });
    let (_dir, path) = write_network(&network.to_string());
    let path = path.display().to_string();
    for (signal, status) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        interrupt_an_o_run(&["show", &path, "--format", "json"], signal, status);
    }
}
