//! Values a network file leaves out are drawn from a seed: every command says so (never
//! naming a field the file does not have), prints the seed with the option that repeats it,
//! and gives the same numbers for the same file and seed. And a trace fed back in keeps the
//! options it was written with.

use assert_cmd::cargo::cargo_bin_cmd;
use std::path::{Path, PathBuf};

/// The article's 2-2-2 network with its weights and biases left out.
const LEFT_OUT: &str = r#"{"layers": [2, 2, 2], "input": [0.05, 0.1], "target": [0.01, 0.99]}"#;

/// Runs `backprop ARGS`; returns the exit status, standard output and standard error.
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = cargo_bin_cmd!("backprop")
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(stdin)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Standard output of a command that must succeed.
fn ok(args: &[&str]) -> String {
    let (status, out, err) = run(args, "");
    assert_eq!(status, 0, "{args:?}: {err}");
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The seed in "Seed 48213 drew …".
fn printed_seed(text: &str) -> u64 {
    let at = text.find("Seed ").expect("the seed is printed");
    text[at + 5..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a seed")
}

#[test]
fn every_command_says_a_value_was_drawn_and_repeats_it_with_the_printed_seed() {
    let dir = tempfile::tempdir().unwrap();
    let net = write(dir.path(), "left-out.json", LEFT_OUT);
    let net = net.to_str().unwrap();

    // Without a seed: a fresh one, printed with the option that repeats it.
    let fresh = ok(&["show", net, "--section", "given"]);
    let seed = printed_seed(&fresh);
    let s = seed.to_string();
    let repeat = format!("(--seed {seed} repeats this)");
    let drawn = format!("drawn, seed {seed}");
    assert!(fresh.contains(&repeat), "{fresh}");
    assert!(fresh.contains(&drawn), "{fresh}");
    // No drawn value claims a field of a file that has none.
    assert!(!fresh.contains("weights[0][0]"), "{fresh}");
    assert!(!fresh.contains("biases[0]"), "{fresh}");

    // The printed seed gives the same numbers, every time, in every command.
    let show = ok(&["show", net, "--section", "given", "--seed", &s]);
    assert_eq!(show, fresh);
    let trace: serde_json::Value =
        serde_json::from_str(&ok(&["show", net, "--format", "json", "--seed", &s])).unwrap();
    let values = trace["iterations"][0]["values"].as_array().unwrap();
    let w1 = values.iter().find(|v| v["symbol"] == "w1").unwrap();
    assert_eq!(w1["drawn"]["seed"], seed);
    assert_eq!(w1["formula"], "weights[0][0]");
    let w1 = w1["value"].as_f64().unwrap();
    let w1_text = format!("{w1:.9}");
    assert!(show.contains(&w1_text), "{show}");

    let commands: [Vec<&str>; 3] = [
        vec!["explain", "net_h1", net, "--seed", &s],
        vec!["check", net, "--seed", &s],
        vec!["step", net, "--plain", "--seed", &s],
    ];
    // Formulas and check's table write numbers without trailing zeros.
    let w1_short = w1_text.trim_end_matches('0');
    for args in &commands {
        let first = ok(args);
        assert_eq!(ok(args), first, "{args:?} twice");
        assert!(first.contains(&repeat), "{args:?}:\n{first}");
        assert!(first.contains(w1_short), "{args:?}:\n{first}");
    }
    let explain = ok(&commands[0]);
    assert!(
        explain.contains(&format!("w1 = {w1_text}  (drawn, seed {seed})")),
        "{explain}"
    );
    let explain_json: serde_json::Value = serde_json::from_str(&ok(&[
        "explain", "w1", net, "--seed", &s, "--format", "json",
    ]))
    .unwrap();
    assert_eq!(explain_json["tree"]["drawn"]["seed"], seed);

    // verify: the drawn w1, written to 9 decimals, is right against the same file and seed;
    // a wrong one is said to be drawn, not read from the file.
    let right = write(dir.path(), "right.json", &format!(r#"{{"w1": {w1_text}}}"#));
    let args = [
        "verify",
        right.to_str().unwrap(),
        "--network",
        net,
        "--seed",
        &s,
    ];
    let verified = ok(&args);
    assert_eq!(ok(&args), verified);
    assert!(verified.contains(&repeat), "{verified}");
    let wrong = write(dir.path(), "wrong.json", r#"{"w1": 1.5}"#);
    let (status, report, _) = run(
        &[
            "verify",
            wrong.to_str().unwrap(),
            "--network",
            net,
            "--seed",
            &s,
        ],
        "",
    );
    assert_eq!(status, 1);
    assert!(
        report.contains(&format!("w1 = {}, drawn with seed {seed}", w1_short)),
        "{report}"
    );
    assert!(!report.contains("in the network file"), "{report}");
}

#[test]
fn another_seed_draws_other_values_and_json_output_names_the_seed_on_stderr() {
    let (_, a, err) = run(&["show", "-", "--format", "json", "--seed", "1"], LEFT_OUT);
    assert!(
        err.contains("Seed 1 drew") && err.contains("(--seed 1 repeats this)"),
        "{err}"
    );
    let (_, b, _) = run(&["show", "-", "--format", "json", "--seed", "2"], LEFT_OUT);
    assert_ne!(a, b);
    // Given weights are not drawn: only the biases are, and only they say so.
    let weights = r#"{"layers": [2, 2, 2], "weights": [[0.15, 0.2, 0.25, 0.3], [0.4, 0.45, 0.5, 0.55]],
                      "input": [0.05, 0.1], "target": [0.01, 0.99], "seed": 7}"#;
    let (_, table, _) = run(&["show", "-", "--section", "given"], weights);
    assert!(
        table.contains("Seed 7 drew the biases the network file leaves out"),
        "{table}"
    );
    assert!(
        table.contains("weights[0][0]") && table.contains("drawn, seed 7"),
        "{table}"
    );
    // Nothing drawn, no seed line, even with --seed.
    let (_, article, _) = run(&["show", "--section", "given", "--seed", "3"], "");
    assert!(
        !article.contains("Seed") && !article.contains("drawn"),
        "{article}"
    );
}

#[test]
fn only_the_values_still_as_drawn_say_so_in_a_training_run() {
    let (status, lines, err) = run(
        &["train", "-", "-n", "2", "--format", "ndjson", "--seed", "5"],
        LEFT_OUT,
    );
    assert_eq!(status, 0, "{err}");
    let lines: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let drawn = |line: &serde_json::Value, symbol: &str| {
        let v = line["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["symbol"] == symbol)
            .unwrap();
        v["drawn"]["seed"].as_u64()
    };
    // Iteration 1 starts from the drawn weights; iteration 2 from the ones it produced. The
    // biases are not trained, so they stay as drawn.
    assert_eq!(drawn(&lines[0], "w1"), Some(5));
    assert_eq!(drawn(&lines[1], "w1"), None);
    assert_eq!(drawn(&lines[0], "b1"), Some(5));
    assert_eq!(drawn(&lines[1], "b1"), Some(5));
    let (_, trained, _) = run(
        &[
            "train",
            "-",
            "-n",
            "2",
            "--format",
            "ndjson",
            "--seed",
            "5",
            "--update-biases",
        ],
        LEFT_OUT,
    );
    let second: serde_json::Value = serde_json::from_str(trained.lines().nth(1).unwrap()).unwrap();
    assert_eq!(drawn(&second, "b1"), None);
}

#[test]
fn a_trace_fed_back_in_keeps_its_options_unless_the_command_line_changes_them() {
    let dir = tempfile::tempdir().unwrap();
    let saved = ok(&[
        "show",
        "--update-order",
        "sequential",
        "--precision",
        "4",
        "--update-biases",
        "--format",
        "json",
    ]);
    let path = write(dir.path(), "saved.json", &saved);
    let path = path.to_str().unwrap();

    // Written back, it is the same trace.
    assert_eq!(ok(&["show", path, "--format", "json"]), saved);

    let table = ok(&["show", path, "--section", "hidden"]);
    assert!(table.contains("update order: sequential"), "{table}");
    assert!(
        table.contains(&format!(
            "Options from {path}, as it was written: update order sequential, precision 4, \
             bias updates on"
        )),
        "{table}"
    );
    // Four decimals, as written: the chain's w5⁺ is 0.3589, not 0.358916480.
    assert!(table.contains(" 0.3589 "), "{table}");
    assert!(!table.contains("0.358916480"), "{table}");

    // The command line wins, and the heading lists only what came from the file.
    let overridden = ok(&[
        "show",
        path,
        "--update-order",
        "simultaneous",
        "--precision",
        "9",
        "--section",
        "hidden",
    ]);
    assert!(
        overridden.contains("update order: simultaneous"),
        "{overridden}"
    );
    assert!(
        overridden.contains("as it was written: bias updates on ("),
        "{overridden}"
    );
    // The original w5, at nine decimals.
    assert!(overridden.contains(" 0.400000000 "), "{overridden}");

    // The same for the other commands that read a network.
    let explained = ok(&["explain", "w1+", path]);
    assert!(explained.contains("Options from"), "{explained}");
    assert!(explained.contains("0.1498"), "{explained}");
    let trained = run(&["train", path, "-n", "1"], "");
    assert!(
        trained.1.contains("update order: sequential"),
        "{}",
        trained.1
    );
    assert!(trained.2.contains("Options from"), "{}", trained.2);

    // A trace with an impossible precision is refused, naming the field.
    let bad = saved.replace("\"precision\": 4", "\"precision\": 50");
    let (status, _, err) = run(&["show", "-"], &bad);
    assert_eq!(status, 1);
    assert!(err.contains("options.precision"), "{err}");
    // A trace written with the defaults says nothing about its options.
    let plain = write(dir.path(), "plain.json", &ok(&["show", "--format", "json"]));
    let shown = ok(&["show", plain.to_str().unwrap(), "--section", "given"]);
    assert!(!shown.contains("Options from"), "{shown}");
}
