//! `backprop train` end to end: the article's training claims in both update orders, the XOR
//! example, seeds, the NDJSON and JSON contracts, divergence, and the quiet/terminal rules.

mod common;

use assert_cmd::Command;
use serde::Deserialize;
use std::collections::HashMap;

fn backprop() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("backprop"))
}

use common::stdout_of;

// The JSON contracts, pinned: these structs refuse any field they do not name.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSummary {
    format: String,
    version: u32,
    options: RunOptions,
    iterations_completed: usize,
    checkpoints: Vec<Checkpoint>,
    initial_network: serde_json::Value,
    final_network: serde_json::Value,
    diverged: Option<Divergence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RunOptions {
    iterations: usize,
    update_order: String,
    update_biases: bool,
    sample_order: String,
    every: Option<usize>,
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Checkpoint {
    iteration: usize,
    #[serde(rename = "E_total")]
    e_total: f64,
    outputs: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Divergence {
    iteration: usize,
    symbol: String,
    value: String,
    formula: String,
    substituted: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TracedLine {
    iteration: usize,
    #[serde(default)]
    sample: Option<usize>,
    values: Vec<Value>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Value {
    symbol: String,
    /// As in a trace of version 2 (traces/README.md).
    role: serde_json::Value,
    stage: String,
    #[serde(default)]
    layer: Option<usize>,
    formula: String,
    #[serde(default)]
    expr: Option<serde_json::Value>,
    substituted: String,
    value: f64,
    from: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryLine {
    iteration: usize,
    #[serde(default)]
    sample: Option<usize>,
    #[serde(rename = "E_total")]
    e_total: f64,
    outputs: serde_json::Value,
    weights: Vec<Vec<f64>>,
    biases: Vec<serde_json::Value>,
}

fn summary(args: &[&str]) -> RunSummary {
    let mut all = vec!["train", "--format", "json"];
    all.extend_from_slice(args);
    let run: RunSummary = serde_json::from_str(&stdout_of(&all)).unwrap();
    assert_eq!(run.format, "backprop-tracer/training-run");
    assert_eq!(run.version, 1);
    run
}

fn at(run: &RunSummary, iteration: usize) -> &Checkpoint {
    run.checkpoints
        .iter()
        .find(|c| c.iteration == iteration)
        .unwrap_or_else(|| panic!("no checkpoint after iteration {iteration}"))
}

fn outputs(cp: &Checkpoint) -> Vec<String> {
    cp.outputs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{:.9}", o.as_f64().unwrap()))
        .collect()
}

/// The article's printed training figures, from the data file (not copied here).
fn article_claims() -> HashMap<(usize, String), String> {
    let data: serde_json::Value =
        serde_json::from_str(backprop_tracer::article::NUMBERS_JSON).unwrap();
    data["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n.get("iteration").is_some() || n["symbol"] == "E_total+")
        // The translation's claims; Mazur's original's own figure is not one of them.
        .filter(|n| n["edition"] != "original")
        .map(|n| {
            let iteration = n.get("iteration").and_then(|i| i.as_u64()).unwrap_or(1) as usize;
            let symbol = n["symbol"]
                .as_str()
                .unwrap()
                .trim_end_matches('+')
                .to_string();
            (
                (iteration, symbol),
                n["printed"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn sequential_order_reproduces_the_articles_three_claims() {
    let claims = article_claims();
    let run = summary(&["--update-order", "sequential", "--iterations", "10000"]);
    let after1 = at(&run, 1);
    let after10k = at(&run, 10_000);
    assert_eq!(
        format!("{:.9}", after1.e_total),
        claims[&(1, "E_total".into())]
    );
    assert_eq!(format!("{:.9}", after1.e_total), "0.291027924");
    assert_eq!(
        format!("{:.9}", after10k.e_total),
        claims[&(10_000, "E_total".into())]
    );
    assert_eq!(format!("{:.9}", after10k.e_total), "0.000035085");
    assert_eq!(
        outputs(after10k),
        [
            claims[&(10_000, "out_o1".into())].clone(),
            claims[&(10_000, "out_o2".into())].clone()
        ]
    );
    assert_eq!(outputs(after10k), ["0.015912196", "0.984065734"]);
}

#[test]
fn simultaneous_order_gives_the_hand_calculations_figures() {
    let run = summary(&[]);
    assert_eq!(format!("{:.9}", at(&run, 0).e_total), "0.298371109");
    assert_eq!(format!("{:.9}", at(&run, 1).e_total), "0.291027774");
    let last = at(&run, 10_000);
    assert_eq!(format!("{:.10}", last.e_total), "0.0000351019");
    assert_eq!(outputs(last), ["0.015913620", "0.984064274"]);
    assert_eq!(run.iterations_completed, 10_000);
    assert!(run.diverged.is_none());
    let checkpoints: Vec<usize> = run.checkpoints.iter().map(|c| c.iteration).collect();
    assert_eq!(checkpoints, [0, 1, 10, 100, 1000, 10_000]);
}

#[test]
fn the_table_gives_each_claim_its_verdict() {
    let table = stdout_of(&["train", "--update-order", "sequential"]);
    assert_eq!(
        table.matches("✓ agrees at 9 decimals").count(),
        5,
        "{table}"
    );
    assert!(!table.contains('≠'), "{table}");
    for printed in ["0.291027924", "0.000035085", "0.015912196", "0.984065734"] {
        assert!(table.contains(printed), "{printed} missing:\n{table}");
    }

    let table = stdout_of(&["train"]);
    // E_total after 0 agrees in both orders; the four training figures are the other order's.
    assert_eq!(table.matches("✓ agrees").count(), 1, "{table}");
    assert_eq!(table.matches("≠ sequential order ¹").count(), 4, "{table}");
    let footnote: Vec<&str> = table.lines().filter(|l| l.starts_with('¹')).collect();
    assert_eq!(footnote.len(), 1, "{table}");
    assert!(footnote[0].contains("--update-order sequential reproduces"));
    assert!(table.contains("0.0000351019"), "{table}");
    assert!(table.contains("[0.015913620, 0.984064274]"), "{table}");
    assert!(table.contains("E_total after each iteration (log scale)"));
    assert!(table.contains(
        "\"E_total after iteration k\" is the error with the weights iteration k produced"
    ));
}

#[test]
fn every_sets_a_fixed_step_and_keeps_the_claims() {
    let run = summary(&["--every", "4000"]);
    let checkpoints: Vec<usize> = run.checkpoints.iter().map(|c| c.iteration).collect();
    assert_eq!(checkpoints, [0, 1, 4000, 8000, 10_000]);
}

#[test]
fn xor_with_its_shipped_seed_learns_xor_in_either_order() {
    for order in ["random", "cyclic"] {
        let run = summary(&["traces/xor.json", "--order", order]);
        assert_eq!(run.options.seed, Some(1));
        let last = run.checkpoints.last().unwrap();
        assert_eq!(last.iteration, 10_000);
        let outs: Vec<f64> = last
            .outputs
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o[0].as_f64().unwrap())
            .collect();
        let wanted = [false, true, true, false];
        for (i, (o, want)) in outs.iter().zip(wanted).enumerate() {
            assert_eq!(*o > 0.5, want, "order {order}, sample {i}: output {o}");
        }
        // The drawn initial values are recorded, in [0, 1), with the seed.
        let initial = &run.initial_network;
        assert_eq!(initial["seed"], 1);
        assert_eq!(initial["samples"].as_array().unwrap().len(), 4);
        let weights: Vec<f64> = initial["weights"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|l| l.as_array().unwrap().iter().map(|w| w.as_f64().unwrap()))
            .collect();
        assert_eq!(weights.len(), 15);
        // Trained: the final network's weights moved; its untrained biases did not.
        assert_ne!(run.final_network["weights"], initial["weights"]);
        assert_eq!(run.final_network["biases"], initial["biases"]);
        assert!(weights.iter().all(|w| (0.0..1.0).contains(w)));
    }
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let args = [
        "train",
        "traces/xor.json",
        "--order",
        "random",
        "-n",
        "3000",
        "--format",
        "json",
    ];
    let first = stdout_of(&[&args[..], &["--seed", "9"]].concat());
    let again = stdout_of(&[&args[..], &["--seed", "9"]].concat());
    let other = stdout_of(&[&args[..], &["--seed", "10"]].concat());
    assert_eq!(first, again);
    assert_ne!(first, other);
    // Its recorded initial network, fed back in, repeats the run.
    let run: RunSummary = serde_json::from_str(&first).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("initial.json");
    std::fs::write(&path, run.initial_network.to_string()).unwrap();
    let replay = stdout_of(&[
        "train",
        path.to_str().unwrap(),
        "--order",
        "random",
        "-n",
        "3000",
        "--format",
        "json",
    ]);
    assert_eq!(first, replay);
}

#[test]
fn a_run_without_a_seed_prints_and_records_the_one_it_drew() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xor.json");
    let text = std::fs::read_to_string("traces/xor.json").unwrap();
    std::fs::write(&path, text.replace(",\n  \"seed\": 1", "")).unwrap();
    let out = backprop()
        .args([
            "train",
            path.to_str().unwrap(),
            "-n",
            "10",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let run: RunSummary = serde_json::from_slice(&out.stdout).unwrap();
    let seed = run.options.seed.expect("a seed was drawn");
    assert_eq!(run.initial_network["seed"], seed);
    assert!(
        stderr.contains(&format!("seed: {seed} (--seed {seed} repeats this run)")),
        "{stderr}"
    );
}

#[test]
fn ndjson_has_one_valid_line_per_iteration_with_the_full_trace() {
    let text = stdout_of(&["train", "-n", "25", "--format", "ndjson"]);
    let lines: Vec<TracedLine> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 25);
    for (k, line) in lines.iter().enumerate() {
        assert_eq!(line.iteration, k + 1);
        assert_eq!(line.sample, None);
        assert!(line.values.iter().any(|v| v.symbol == "E_total+"));
    }
    // Iteration 1 is exactly what `show` records.
    let show: serde_json::Value =
        serde_json::from_str(&stdout_of(&["show", "--format", "json"])).unwrap();
    let shown: Vec<Value> =
        serde_json::from_value(show["iterations"][0]["values"].clone()).unwrap();
    assert_eq!(lines[0].values, shown);
    // Iteration k+1 starts from the weights iteration k produced.
    let w5_after_1 = lines[0]
        .values
        .iter()
        .find(|v| v.symbol == "w5+")
        .unwrap()
        .value;
    let w5_given_2 = lines[1]
        .values
        .iter()
        .find(|v| v.symbol == "w5")
        .unwrap()
        .value;
    assert_eq!(w5_after_1, w5_given_2);
}

#[test]
fn ndjson_summary_lines_hold_e_total_after_each_iteration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.ndjson");
    backprop()
        .args([
            "train",
            "traces/xor.json",
            "-n",
            "40",
            "--format",
            "ndjson",
            "--summary",
            "-o",
        ])
        .arg(&path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<SummaryLine> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    for (k, line) in lines.iter().enumerate() {
        assert_eq!(line.iteration, k + 1);
        // Cyclic order: samples 0, 1, 2, 3, 0, …
        assert_eq!(line.sample, Some(k % 4));
        assert_eq!(line.outputs.as_array().unwrap().len(), 4);
        assert_eq!(line.weights.len(), 2);
        assert_eq!(line.biases.len(), 2);
    }
    // The last line agrees with the JSON summary's last checkpoint.
    let run = summary(&["traces/xor.json", "-n", "40"]);
    assert_eq!(lines[39].e_total, run.checkpoints.last().unwrap().e_total);
}

#[test]
fn summary_lines_and_traces_agree_on_e_total_after_an_iteration() {
    let full = stdout_of(&["train", "-n", "3", "--format", "ndjson"]);
    let brief = stdout_of(&["train", "-n", "3", "--format", "ndjson", "--summary"]);
    for (f, b) in full.lines().zip(brief.lines()) {
        let f: TracedLine = serde_json::from_str(f).unwrap();
        let b: SummaryLine = serde_json::from_str(b).unwrap();
        let after = f
            .values
            .iter()
            .find(|v| v.symbol == "E_total+")
            .unwrap()
            .value;
        assert_eq!(after, b.e_total);
    }
}

fn diverging_network(dir: &tempfile::TempDir, activation: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string("traces/article.json")
        .unwrap()
        .replace("\"sigmoid\"", &format!("\"{activation}\""))
        .replace("\"learning_rate\": 0.5", "\"learning_rate\": 1e6");
    let path = dir.path().join(format!("{activation}.json"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn divergence_names_the_iteration_and_the_symbol_and_keeps_complete_lines() {
    let dir = tempfile::tempdir().unwrap();
    let net = diverging_network(&dir, "linear");
    let out = dir.path().join("run.ndjson");
    let assert = backprop()
        .args(["train", net.to_str().unwrap(), "--format", "ndjson", "-o"])
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("diverged in iteration 4: net_o1+ = inf"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<TracedLine> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .flat_map(|l| &l.values)
            .all(|v| v.value.is_finite())
    );

    // The untraced path finds the same iteration and symbol, and the summary says so.
    let assert = backprop()
        .args(["train", net.to_str().unwrap(), "--format", "json"])
        .assert()
        .code(1);
    let run: RunSummary = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let d = run.diverged.unwrap();
    assert_eq!(
        (d.iteration, d.symbol.as_str(), d.value.as_str()),
        (4, "net_o1+", "inf")
    );
    assert_eq!(d.formula, "w5+ * out_h1+ + w6+ * out_h2+ + b2 * 1");
    assert!(d.substituted.contains("e194"));
    assert_eq!(run.iterations_completed, 3);
    assert_eq!(run.checkpoints.last().unwrap().iteration, 3);
    assert!(run.checkpoints.iter().all(|c| c.e_total.is_finite()));
}

#[test]
fn tanh_saturates_instead_of_diverging() {
    // With tanh, a learning rate of 1e6 drives every neuron into saturation, where
    // 1 − out² is exactly 0: the gradients vanish and the weights stop, finite.
    let dir = tempfile::tempdir().unwrap();
    let net = diverging_network(&dir, "tanh");
    let run = summary(&[net.to_str().unwrap(), "-n", "1000"]);
    assert!(run.diverged.is_none());
    let last = run.checkpoints.last().unwrap();
    assert_eq!(outputs(last), ["1.000000000", "-1.000000000"]);
    // The table says why nothing moves.
    let table = stdout_of(&["train", net.to_str().unwrap(), "-n", "1000"]);
    assert!(
        table.contains("have not changed since iteration 1: the gradients are 0"),
        "{table}"
    );
    assert!(!stdout_of(&["train"]).contains("have not changed"));
}

#[test]
fn quiet_prints_only_the_final_result() {
    let assert = backprop().args(["train", "--quiet"]).assert().success();
    let out = assert.get_output();
    assert_eq!(
        String::from_utf8(out.stdout.clone()).unwrap(),
        "after 10000 iterations: E_total 0.0000351019, outputs [0.015913620, 0.984064274]\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    // Long enough (in a debug build) for the bar to appear if stderr were a terminal.
    let assert = backprop()
        .args(["train", "-n", "300000", "--format", "json"])
        .assert()
        .success();
    assert!(assert.get_output().stderr.is_empty());
}

#[test]
fn plot_writes_an_svg_with_labelled_axes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loss.svg");
    backprop()
        .args(["train", "-q", "--plot"])
        .arg(&path)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains(">iteration</text>"));
    assert!(svg.contains("E_total after the iteration (log scale)"));
    assert!(svg.contains("<polyline"));
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn summary_without_ndjson_is_refused() {
    // A command-line mistake, like clap's own: status 2.
    let assert = backprop().args(["train", "--summary"]).assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("--format ndjson"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_the_stream_without_error() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin!("backprop"))
        .args(["train", "-n", "1000000", "--format", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"iteration\":1,"));
    // The reader is gone: the next write fails with a broken pipe, which is not an error.
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_bad_sample_is_named_by_its_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    let text = std::fs::read_to_string("traces/xor.json").unwrap().replace(
        "{\"input\": [1, 0], \"target\": [1]}",
        "{\"input\": [1, 0], \"target\": [1, 0]}",
    );
    std::fs::write(&path, text).unwrap();
    let assert = backprop().args(["train"]).arg(&path).assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("samples[2].target: expected 1 numbers, one per output neuron, got 2"),
        "{stderr}"
    );
}

#[test]
fn show_runs_the_first_sample_of_a_sample_set() {
    let shown: serde_json::Value =
        serde_json::from_str(&stdout_of(&["show", "traces/xor.json", "--format", "json"])).unwrap();
    let values = shown["iterations"][0]["values"].as_array().unwrap();
    let value_of = |s: &str| {
        values.iter().find(|v| v["symbol"] == s).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        (value_of("i1"), value_of("i2"), value_of("target_o1")),
        (0.0, 0.0, 0.0)
    );
    let i2 = values.iter().find(|v| v["symbol"] == "i2").unwrap();
    assert_eq!(i2["formula"], "samples[0].input[1]");
}

#[test]
fn the_article_runs_table_is_pinned() {
    // A change in the layout of the training report is a reviewed snapshot diff.
    insta::assert_snapshot!(
        "article_sequential",
        stdout_of(&["train", "--update-order", "sequential"])
    );
    insta::assert_snapshot!(
        "xor_random_every_2500",
        stdout_of(&[
            "train",
            "traces/xor.json",
            "--order",
            "random",
            "--every",
            "2500",
            "--ascii"
        ])
    );
}

/// The article's network, linear, with learning rate `eta`: it diverges in iteration 1 when
/// `eta` is 1e200, so a run of any length ends at once.
fn linear_network(dir: &tempfile::TempDir, eta: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string("traces/article.json")
        .unwrap()
        .replace("\"sigmoid\"", "\"linear\"")
        .replace(
            "\"learning_rate\": 0.5",
            &format!("\"learning_rate\": {eta}"),
        );
    let path = dir.path().join("linear.json");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `backprop` with `args` in at most 1 GiB of address space (so that a program that
/// builds something of the run's size fails instead of exhausting the machine), killed after
/// `seconds`. Returns its output, or `None` if it was still running.
#[cfg(unix)]
fn run_bounded(args: &[&str], seconds: u64) -> Option<std::process::Output> {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let bin = assert_cmd::cargo::cargo_bin!("backprop");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

#[cfg(unix)]
#[test]
fn the_checkpoint_schedule_is_not_built_before_the_run() {
    // Runs of 2^64 − 1 and 10^12 iterations with a checkpoint every 2^63 and every iteration:
    // the schedule once went past 2^64 (an overflow) or was listed in advance (8 bytes per
    // checkpoint, 8 GB). The network diverges in iteration 1, so a run that starts at once
    // also ends at once, with the divergence.
    let dir = tempfile::tempdir().unwrap();
    let net = linear_network(&dir, "1e200");
    let net = net.to_str().unwrap();
    for (n, every) in [
        ("18446744073709551615", "9223372036854775808"),
        ("18446744073709551615", "18446744073709551615"),
        ("1000000000000", "1"),
    ] {
        let args = ["train", net, "-n", n, "--every", every, "--quiet"];
        let out = run_bounded(&args, 30).unwrap_or_else(|| panic!("{args:?} did not end"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("the run diverged in iteration 1"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn at_most_1000_checkpoints_are_kept_and_the_table_says_so() {
    // --every 1 over 10,000 iterations asks for 10,001 checkpoints: the summary and the table
    // keep at most 1000, with 0, the article's claims and the last among them.
    let run = summary(&["--every", "1"]);
    let kept: Vec<usize> = run.checkpoints.iter().map(|c| c.iteration).collect();
    assert!(kept.len() <= 1000, "{} checkpoints", kept.len());
    assert!(kept.len() >= 100, "{} checkpoints", kept.len());
    for iteration in [0, 1, 10_000] {
        assert!(kept.contains(&iteration), "{iteration} not kept");
    }
    assert!(kept.windows(2).all(|w| w[0] < w[1]));
    // Evenly spaced between the claims: one step.
    let steps: std::collections::BTreeSet<usize> = kept[2..kept.len() - 1]
        .windows(2)
        .map(|w| w[1] - w[0])
        .collect();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let table = stdout_of(&["train", "--every", "1"]);
    assert!(
        table.contains(&format!(
            "showing {} of 10001 checkpoints; use --format ndjson for every iteration",
            kept.len()
        )),
        "{table}"
    );
    // A run whose checkpoints all fit says nothing of the kind.
    assert!(!stdout_of(&["train", "--every", "20"]).contains("showing"));
    let run = summary(&["--every", "20"]);
    assert_eq!(run.checkpoints.len(), 502);
}

#[test]
fn huge_learning_rates_are_written_in_scientific_notation() {
    let dir = tempfile::tempdir().unwrap();
    let net = linear_network(&dir, "1e200");
    let assert = backprop()
        .args(["train", net.to_str().unwrap(), "-q"])
        .assert()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("(η = 1e200)"), "{stderr}");
    let longest_digits = stderr
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap();
    assert!(longest_digits <= 16, "{stderr}");
}
