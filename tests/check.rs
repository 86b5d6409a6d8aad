//! `backprop check`: the gradient check passes on the article's network, on networks of
//! every activation and on random networks, and fails when a gradient is corrupted on
//! purpose (through the test-only hook) or taken with the sequential order. Above 2,000
//! parameters it checks a seeded sample, stratified by layer; `--all` and `--sample N`
//! choose otherwise; a large network's check takes moments.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use backprop_tracer::gradcheck::{self, Corruption, GradCheck, Plan, Verdict};
use backprop_tracer::network::{Activation, Network};
use backprop_tracer::trace::Options;
use predicates::prelude::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOOK: &str = "BACKPROP_TEST_CORRUPT_GRADIENT";

#[test]
fn the_article_passes() {
    cargo_bin_cmd!("backprop")
        .args(["check", "--ascii"])
        .env_remove(HOOK)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Gradient check of a 2-2-2 network (sigmoid), E_total = 0.298371109",
        ))
        .stdout(predicate::str::contains("Step h = cbrt(eps) * max(1, |w|) = 6.06e-6"))
        .stdout(predicate::str::contains(
            "below 1e-6, or, for gradients too small for a finite difference to resolve",
        ))
        .stdout(predicate::str::contains(
            "absolute floor 1e-8 * max(1, E_total) = 1.0e-8",
        ))
        // The central difference is good to about ε·E/h ≈ 1e-11 (rounding in E).
        .stdout(predicate::str::is_match(r"\| w5 +\| +0\.4 \| +0\.082167040564 \| +0\.0821670405\d\d \| 6\.06e-6 \| +\d\.\de-1\d \| ok").unwrap())
        .stdout(predicate::str::contains("Passed: all 8 gradients agree."));
}

#[test]
fn a_corrupted_gradient_fails_naming_it() {
    cargo_bin_cmd!("backprop")
        .args(["check", "--ascii"])
        .env(HOOK, "w6*1.0001")
        .assert()
        .code(1)
        .stderr(
            "warning: test hook BACKPROP_TEST_CORRUPT_GRADIENT=w6*1.0001 is active: the recorded \
             gradient of w6 is multiplied by 1.0001 before the check (for the test suite only; \
             unset it)\n",
        )
        .stdout(predicate::str::is_match(r"\| w6 .*\| FAIL +\|").unwrap())
        .stdout(predicate::str::contains(
            "FAILED: 1 of 8 gradients disagree with the central difference: w6.",
        ));
}

#[test]
fn a_bad_hook_is_an_error() {
    cargo_bin_cmd!("backprop")
        .arg("check")
        .env(HOOK, "w6")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "BACKPROP_TEST_CORRUPT_GRADIENT: expected SYMBOL*FACTOR, got w6",
        ));
}

#[test]
fn a_hook_that_corrupts_nothing_is_an_error() {
    cargo_bin_cmd!("backprop")
        .arg("check")
        .env(HOOK, "w9*2")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "test hook BACKPROP_TEST_CORRUPT_GRADIENT=w9*2 is active",
        ))
        .stderr(predicate::str::contains(
            "BACKPROP_TEST_CORRUPT_GRADIENT: this network has no gradient of w9 (its parameters: \
             w1 to w4, w5 to w8)",
        ));
}

#[test]
fn the_sequential_order_is_not_the_gradient() {
    cargo_bin_cmd!("backprop")
        .args(["check", "--update-order", "sequential"])
        .env_remove(HOOK)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("this check is expected to say so"))
        .stdout(predicate::str::contains(
            "FAILED: 4 of 8 gradients disagree with the central difference: w1, w2, w3, w4.",
        ));
}

#[test]
fn biases_are_checked_when_trained() {
    cargo_bin_cmd!("backprop")
        .args(["check", "--ascii", "--update-biases"])
        .env_remove(HOOK)
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"\| b1 +\| +0\.35 \|").unwrap())
        .stdout(predicate::str::contains("Passed: all 10 gradients agree."));
}

#[test]
fn networks_of_every_activation_pass() {
    let dir = common::scratch();
    for (n, act) in common::ELEMENT_WISE.into_iter().enumerate() {
        let net = common::build(&[3, 4, 2], &[act, act], n % 2 == 0, 0.5, n as u64 + 7);
        let path = dir.path().join(format!("{act}.json"));
        std::fs::write(&path, net.to_json_pretty()).unwrap();
        cargo_bin_cmd!("backprop")
            .arg("check")
            .arg(&path)
            .arg("--update-biases")
            .env_remove(HOOK)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "Gradient check of a 3-4-2 network ({act})"
            )))
            // 12 + 8 weights, and 2 shared biases or 4 + 2 of their own.
            .stdout(predicate::str::contains(format!(
                "Passed: all {} gradients agree.",
                if n % 2 == 0 { 22 } else { 26 }
            )));
    }
}

#[test]
fn a_missing_network_is_an_error() {
    cargo_bin_cmd!("backprop")
        .args(["check", "/nonexistent/net.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: cannot read /nonexistent/net.json",
        ));
}

/// Every gradient of `net` checked.
fn check_all(net: &Network, options: &Options, corruption: Option<&Corruption>) -> GradCheck {
    gradcheck::check(net, options, Plan::All, corruption, &mut |_| {}).unwrap()
}

/// The largest gradient of a check, when it is large enough for a 1% error to stand out.
fn largest(result: &GradCheck) -> Option<&gradcheck::Parameter> {
    result
        .parameters
        .iter()
        .filter(|p| !matches!(p.verdict, Verdict::Kink { .. }))
        .max_by(|a, b| a.backprop.abs().total_cmp(&b.backprop.abs()))
        .filter(|p| p.backprop.abs() > 100.0 * result.floor)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random networks (1–3 hidden layers, widths 1–6, every activation): every gradient
    /// agrees with its central difference, and corrupting the largest by 1% is caught.
    #[test]
    fn random_networks_pass_and_corruption_fails(net in common::network(), biases: bool) {
        let options = Options { update_biases: biases, ..Options::default() };
        let result = check_all(&net, &options, None);
        prop_assert!(result.passed(), "{:#?}", result.failures());
        prop_assert_eq!(
            result.parameters.len(),
            net.weights.iter().map(Vec::len).sum::<usize>()
                + if biases { net.biases.iter().map(|b| b.values().len()).sum() } else { 0 }
        );
        if let Some(p) = largest(&result) {
            let symbol = result.symbol(p.param);
            let corruption = Corruption { symbol: symbol.clone(), factor: 1.01 };
            let corrupted = check_all(&net, &options, Some(&corruption));
            prop_assert_eq!(corrupted.failures(), vec![p.param]);
        }
    }
}

#[test]
fn every_activation_on_a_deep_network() {
    // One network mixing all four, so every derivative meets every other in the chain.
    let net: Network = common::build(
        &[2, 5, 4, 3, 2],
        &[
            Activation::Tanh,
            Activation::Relu,
            Activation::Linear,
            Activation::Sigmoid,
        ],
        false,
        0.3,
        42,
    );
    let options = Options {
        update_biases: true,
        ..Options::default()
    };
    let result = check_all(&net, &options, None);
    assert!(result.passed(), "{result:#?}");
    assert!(
        result
            .parameters
            .iter()
            .filter(|p| p.verdict == Verdict::Agrees)
            .count()
            > 40
    );
}

/// Writes `net` into `dir` as `name`.
fn write(dir: &Path, name: &str, net: &Network) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, net.to_json_pretty()).unwrap();
    path
}

/// A sigmoid network of `layers` with shared biases: `[45, 45]` has 2,025 weights, just
/// above the 2,000 that are checked whole.
fn sigmoid(layers: &[usize]) -> Network {
    let activations = vec![Activation::Sigmoid; layers.len() - 1];
    common::build(layers, &activations, true, 0.5, 11)
}

/// `backprop check ARGS --all-rows` on `path` (ASCII, no hook): exit status and standard
/// output, every parameter checked listed.
fn check_cli(path: &Path, args: &[&str]) -> (i32, String) {
    let mut all = args.to_vec();
    all.push("--all-rows");
    check_cli_as_shown(path, &all)
}

/// `backprop check ARGS` on `path` (ASCII, no hook), the table as long as it is by default.
fn check_cli_as_shown(path: &Path, args: &[&str]) -> (i32, String) {
    let out = cargo_bin_cmd!("backprop")
        .arg("check")
        .arg(path)
        .arg("--ascii")
        .args(args)
        .env_remove(HOOK)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The parameters a report's table lists, in order.
fn listed(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .filter(|s| s != "parameter")
        .collect()
}

#[test]
fn above_the_threshold_a_seeded_sample_is_checked_and_repeats() {
    let dir = common::scratch();
    let path = write(dir.path(), "net.json", &sigmoid(&[45, 45]));
    let (code, first) = check_cli(&path, &["--seed", "7"]);
    assert_eq!(code, 0, "{first}");
    assert!(
        first.contains(
            "Checked 500 of 2,025 parameters, drawn with seed 7 (--seed 7 repeats it; --all \
             checks every one), evenly from each layer:\n  weights of layer 1 (w1 to w2025): \
             500 of 2,025\n"
        ),
        "{first}"
    );
    assert!(
        first.contains("Passed: all 500 sampled gradients agree."),
        "{first}"
    );
    let drawn = listed(&first);
    assert_eq!(drawn.len(), 500);
    let numbers: Vec<usize> = drawn.iter().map(|s| s[1..].parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|p| p[0] < p[1]), "{numbers:?}");
    // The same seed, the same report; another seed, other parameters.
    assert_eq!(check_cli(&path, &["--seed", "7"]).1, first);
    let (_, other) = check_cli(&path, &["--seed", "8"]);
    assert_ne!(listed(&other), drawn);
    // Without a seed, a fresh one is printed, and repeats the run.
    let (_, fresh) = check_cli(&path, &[]);
    let seed = fresh
        .split("drawn with seed ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the seed is printed");
    assert_eq!(check_cli(&path, &["--seed", seed]).1, fresh);
}

#[test]
fn the_threshold_is_2000_parameters() {
    let dir = common::scratch();
    // 40 · 50 = 2,000 weights: every one; with the shared bias trained, 2,001: a sample.
    let path = write(dir.path(), "net.json", &sigmoid(&[40, 50]));
    let (code, all) = check_cli(&path, &[]);
    assert_eq!(code, 0, "{all}");
    assert!(!all.contains("Checked"), "{all}");
    assert_eq!(listed(&all).len(), 2000);
    assert!(
        all.ends_with("Passed: all 2,000 gradients agree.\n"),
        "{all}"
    );
    let (code, sampled) = check_cli(&path, &["--update-biases", "--seed", "1"]);
    assert_eq!(code, 0, "{sampled}");
    assert!(
        sampled.contains(
            "Checked 500 of 2,001 parameters, drawn with seed 1 (--seed 1 repeats it; --all \
             checks every one), evenly from each layer:\n  weights of layer 1 (w1 to w2000): \
             499 of 2,000\n  biases of layer 1 (b1): 1 of 1\n"
        ),
        "{sampled}"
    );
    assert_eq!(listed(&sampled).len(), 500);
    assert_eq!(listed(&sampled).last().map(String::as_str), Some("b1"));
}

#[test]
fn all_checks_every_parameter_and_sample_checks_n() {
    let dir = common::scratch();
    let path = write(dir.path(), "net.json", &sigmoid(&[45, 45]));
    let (code, all) = check_cli_as_shown(&path, &["--all"]);
    assert_eq!(code, 0, "{all}");
    assert!(!all.contains("Checked"), "{all}");
    // Above 40 rows the table lists what failed or got no verdict (here nothing), and the 10
    // largest relative errors.
    assert!(
        all.contains("The table lists the 0 of the 2,025 checked that failed or got no verdict, and the 10 others"),
        "{all}"
    );
    assert_eq!(listed(&all).len(), 10);
    assert!(
        all.ends_with("Passed: all 2,025 gradients agree.\n"),
        "{all}"
    );

    let (code, some) = check_cli(&path, &["--sample", "37", "--seed", "3"]);
    assert_eq!(code, 0, "{some}");
    assert!(
        some.contains(
            "Checked 37 of 2,025 parameters, drawn with seed 3 (--sample 37 --seed 3 repeats it"
        ),
        "{some}"
    );
    assert_eq!(listed(&some).len(), 37);
    assert!(
        some.ends_with("Passed: all 37 sampled gradients agree.\n"),
        "{some}"
    );

    // A sample as large as the network is all of it.
    let (_, whole) = check_cli(&path, &["--sample", "5000"]);
    assert!(
        whole.ends_with("Passed: all 2,025 gradients agree.\n"),
        "{whole}"
    );
    // A sample of a small network.
    let (code, article) = check_cli(
        Path::new("traces/article.json"),
        &["--sample", "2", "--seed", "4"],
    );
    assert_eq!(code, 0, "{article}");
    assert_eq!(listed(&article).len(), 2);
}

#[test]
fn all_and_sample_are_usage_errors_together() {
    // (--all with --seed is not: the seed also draws the values a file leaves out.)
    for args in [&["--all", "--sample", "5"][..], &["--sample", "0"]] {
        cargo_bin_cmd!("backprop")
            .arg("check")
            .args(args)
            .assert()
            .code(2);
    }
}

#[test]
fn a_large_network_is_checked_in_moments() {
    // A million weights (1000-1000, left out of the file and drawn from its seed), and a
    // deep one: each central difference recomputes only what its parameter reaches, and the
    // gradients come without a trace. (Checking every weight with full passes took hours.)
    let dir = common::scratch();
    let input: Vec<String> = (0..1000)
        .map(|i| format!("{}", (i % 7) as f64 / 7.0))
        .collect();
    let target: Vec<String> = (0..1000)
        .map(|i| format!("{}", (i % 3) as f64 / 3.0))
        .collect();
    for (name, layers) in [
        ("wide.json", "[1000, 1000]"),
        ("deep.json", "[1000, 300, 300, 300, 300, 1000]"),
    ] {
        let text = format!(
            r#"{{"layers": {layers}, "activation": "tanh", "seed": 5, "learning_rate": 0.1,
                "input": [{}], "target": [{}]}}"#,
            input.join(", "),
            target.join(", ")
        );
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, report) = check_cli(&path, &["--update-biases", "--seed", "2"]);
        assert_eq!(code, 0, "{report}");
        assert!(report.contains("Checked 500 of "), "{report}");
        assert!(
            report.ends_with("Passed: all 500 sampled gradients agree.\n"),
            "{report}"
        );
    }
}

#[test]
fn a_check_where_every_gradient_is_at_a_relu_kink_does_not_pass() {
    // net_o1 = w1 · 1 + 0 = 0: E has a kink at w1, the one parameter.
    let text = r#"{"layers": [1, 1], "activation": "relu", "weights": [[0]], "biases": [0],
        "input": [1], "target": [0.5]}"#;
    let dir = common::scratch();
    let path = dir.path().join("kink.json");
    std::fs::write(&path, text).unwrap();
    let (code, report) = check_cli(&path, &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("| no verdict: relu kink at net_o1 |"),
        "{report}"
    );
    assert!(
        report.ends_with(
            "Not passed: no gradient could be checked: each of the 1 is at a ReLU kink (a \
             ReLU's input is within h of 0, where E has no derivative).\n"
        ),
        "{report}"
    );
}

/// `backprop check` on `path` with the hook corrupting `symbol`.
fn corrupted(path: &Path, symbol: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("backprop")
        .arg("check")
        .arg(path)
        .arg("--ascii")
        .args(args)
        .env(HOOK, format!("{symbol}*2"))
        .assert()
}

#[test]
fn a_corrupted_gradient_is_caught_when_drawn_and_always_with_all() {
    let dir = common::scratch();
    let path = write(dir.path(), "net.json", &sigmoid(&[45, 45]));
    let (_, report) = check_cli(&path, &["--seed", "9"]);
    let drawn = listed(&report);
    let undrawn = (1..=2025)
        .map(|n| format!("w{n}"))
        .find(|s| !drawn.contains(s))
        .unwrap();
    // Doubling a gradient is caught wherever it is large enough for a central difference.
    let big = drawn
        .iter()
        .zip(report.lines().filter(|l| l.starts_with("| w")))
        .find(|(_, line)| {
            let backprop: f64 = line.split('|').nth(3).unwrap().trim().parse().unwrap();
            backprop.abs() > 1e-6
        })
        .map(|(s, _)| s.clone())
        .expect("a gradient large enough");
    corrupted(&path, &big, &["--seed", "9"])
        .code(1)
        .stdout(predicate::str::is_match(format!(r"\| {big} .*\| FAIL +\|")).unwrap())
        .stdout(predicate::str::contains(format!(
            "FAILED: 1 of 500 sampled gradients disagree with the central difference: {big}."
        )));
    // Not drawn, it would corrupt nothing: an error, rather than a vacuous pass.
    corrupted(&path, &undrawn, &["--seed", "9"])
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "error: BACKPROP_TEST_CORRUPT_GRADIENT: {undrawn} is not among the 500 parameters \
             drawn with seed 9, so nothing would be corrupted (--all checks every one)"
        )));
    // With --all it is checked, and caught; the table lists it alone.
    corrupted(&path, &big, &["--all"])
        .code(1)
        .stdout(predicate::str::contains(
            "The table lists the 1 of the 2,025 checked that failed or got no verdict, and the 10 \
             others with the largest relative errors; --all-rows lists all 2,025, --format json \
             holds them.",
        ))
        .stdout(predicate::str::contains(format!(
            "FAILED: 1 of 2,025 gradients disagree with the central difference: {big}."
        )));
}

/// A network file of 1000-1000 (a million weights, drawn from its seed).
fn million(dir: &Path) -> PathBuf {
    let ones = vec!["0.01"; 1000].join(", ");
    let text =
        format!(r#"{{"layers": [1000, 1000], "seed": 3, "input": [{ones}], "target": [{ones}]}}"#);
    let path = dir.join("million.json");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_progress_bar_shows_on_a_terminal_and_only_there() {
    use expectrl::{Expect, Session};
    let dir = common::scratch();
    let path = million(dir.path());
    // Every one of a million weights: long enough in a debug build for the bar to appear.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_backprop"));
    command.arg("check").arg(&path).args(["--all", "--ascii"]);
    command.env_remove(HOOK);
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(120)));
    session.expect("gradients checked").unwrap();
    session
        .expect("Passed: all 1,000,000 gradients agree.")
        .unwrap();

    let out = cargo_bin_cmd!("backprop")
        .arg("check")
        .arg(&path)
        .args(["--all", "--ascii"])
        .env_remove(HOOK)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Above a screenful (40 rows) the table lists the failures, the ones with no verdict and the
/// 10 with the largest relative errors, in the network's order, and says how to see all:
/// --all-rows lists every one, --format json holds them with both gradients and the verdict.
#[test]
fn a_long_table_lists_the_worst_rows_and_all_on_request() {
    let dir = common::scratch();
    let path = write(dir.path(), "net.json", &sigmoid(&[20, 10, 2]));
    let (code, report) = check_cli_as_shown(&path, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains(
            "The table lists the 0 of the 220 checked that failed or got no verdict, and the 10 \
             others with the largest relative errors; --all-rows lists all 220, --format json \
             holds them."
        ),
        "{report}"
    );
    let shown = listed(&report);
    assert_eq!(shown.len(), 10, "{report}");
    let (_, all) = check_cli(&path, &[]);
    let every = listed(&all);
    assert_eq!(every.len(), 220);
    // The ten are the largest relative errors of all 220, listed in the network's order.
    let (_, json) = check_cli_as_shown(&path, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let params = doc["parameters"].as_array().unwrap();
    assert_eq!(params.len(), 220);
    let mut by_error: Vec<(&str, f64)> = params
        .iter()
        .map(|p| {
            (
                p["symbol"].as_str().unwrap(),
                p["relative_error"].as_f64().unwrap(),
            )
        })
        .collect();
    by_error.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut worst: Vec<&str> = by_error[..10].iter().map(|(s, _)| *s).collect();
    worst.sort_by_key(|s| every.iter().position(|e| e == s).unwrap());
    assert_eq!(shown, worst);
    assert_eq!(doc["result"], "passed");
    assert_eq!(doc["sample"], serde_json::Value::Null);
    assert_eq!(doc["tolerance"]["relative"], 1e-6);
}

/// The JSON verdict of a failing check: the corrupted gradient disagrees, the result is
/// failed, and the exit status is the table's.
#[test]
fn the_json_verdict_of_a_failing_check() {
    let out = cargo_bin_cmd!("backprop")
        .args(["check", "--format", "json"])
        .env(HOOK, "w6*1.0001")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["result"], "failed");
    let w6 = doc["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["symbol"] == "w6")
        .unwrap();
    assert_eq!(w6["status"], "disagrees");
    assert_eq!(w6["value"], 0.45);
    let agreeing = doc["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "agrees")
        .count();
    assert_eq!(agreeing, 7);
}
