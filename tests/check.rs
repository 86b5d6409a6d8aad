//! `backprop check`: the gradient check passes on the article's network, on networks of
//! every activation and on random networks, and fails when a gradient is corrupted on
//! purpose (through the test-only hook) or taken with the sequential order.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use backprop_tracer::engine;
use backprop_tracer::gradcheck::{self, Corruption, Verdict};
use backprop_tracer::network::{Activation, Network};
use backprop_tracer::trace::Options;
use predicates::prelude::*;
use proptest::prelude::*;

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
        .stdout(predicate::str::is_match(r"\| w5 +\| +0\.4 \| +0\.082167040564 \| +0\.08216704056\d \| 6\.06e-6 \| +\d\.\de-1\d \| ok").unwrap())
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
             w1, w2, w3, w4, w5, w6, w7, w8)",
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
    for (n, act) in Activation::ALL.into_iter().enumerate() {
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

/// The largest gradient of a check, when it is large enough for a 1% error to stand out.
fn largest(result: &gradcheck::GradCheck) -> Option<&gradcheck::Parameter> {
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
        let trace = engine::trace_iteration(&net, &options);
        let result = gradcheck::check(&trace, None);
        prop_assert!(result.passed(), "{:#?}", result.failures());
        prop_assert_eq!(
            result.parameters.len(),
            net.weights.iter().map(Vec::len).sum::<usize>()
                + if biases { net.biases.iter().map(|b| b.values().len()).sum() } else { 0 }
        );
        if let Some(p) = largest(&result) {
            let corruption = Corruption { symbol: p.symbol.clone(), factor: 1.01 };
            let corrupted = gradcheck::check(&trace, Some(&corruption));
            prop_assert_eq!(corrupted.failures(), vec![p.symbol.as_str()]);
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
    let trace = engine::trace_iteration(
        &net,
        &Options {
            update_biases: true,
            ..Options::default()
        },
    );
    let result = gradcheck::check(&trace, None);
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
