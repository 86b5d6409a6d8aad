//! `show --only` and `show --section`, and the note that replaces a table too long to read.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn show(args: &[&str]) -> String {
    common::stdout_of(&[&["show", "--color", "never"], args].concat())
}

/// The symbols in the first column of every table row.
fn rows(tables: &str) -> Vec<String> {
    tables
        .lines()
        .filter(|l| l.starts_with("│ "))
        .map(|l| {
            l.trim_start_matches("│ ")
                .split(" ┆")
                .next()
                .unwrap()
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty() && s != "symbol")
        .collect()
}

#[test]
fn only_prints_those_values_in_their_sections() {
    let out = show(&["--only", "net_h1,∂E_total/∂w1,w5⁺,E_total+"]);
    // In the order of the iteration, not of the list.
    assert_eq!(rows(&out), ["net_h1", "w5⁺", "∂E_total/∂w1", "E_total⁺"]);
    assert!(out.contains("Step 1 · Forward pass · 1. input layer → hidden layer"));
    assert!(out.contains("Backward pass: input layer → hidden layer, weight updates"));
    assert!(out.contains("0.000438568 ✓"));
    assert!(
        !out.contains("Total error"),
        "sections without those values are left out"
    );
    assert!(
        !out.contains("Which weights?"),
        "the note about rows not shown is left out"
    );
}

#[test]
fn section_prints_one_part() {
    let out = show(&["--section", "hidden"]);
    assert!(out.contains("Backward pass: input layer → hidden layer"));
    assert!(out.contains("Which weights?"));
    let hidden = rows(&out);
    assert_eq!(hidden.first().map(String::as_str), Some("∂net_o1/∂out_h1"));
    assert_eq!(hidden.last().map(String::as_str), Some("w4⁺"));
    assert!(!out.contains("Step 1 · Forward pass"));
    assert!(!out.contains("Summary"));

    let out = show(&["--section", "summary"]);
    assert!(out.contains("Summary"));
    assert!(!out.contains("Step 2"));
    assert!(out.contains("E_total"));

    let out = show(&["--section", "error", "--only", "E_total"]);
    assert_eq!(rows(&out), ["E_total"]);
}

#[test]
fn only_refuses_an_unknown_symbol() {
    cargo_bin_cmd!("backprop")
        .args(["show", "--only", "net_h1,net_h9"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"net_h9\"").and(predicate::str::contains("net_h1")));
    cargo_bin_cmd!("backprop")
        .args(["show", "--only", "net_h1", "--format", "json"])
        .assert()
        .code(2);
}

#[test]
fn a_large_section_becomes_a_note() {
    // 1 input, 250 hidden neurons, 1 output: 500 forward values in the first layer.
    let n = 250;
    let network = serde_json::json!({
        "layers": [1, n, 1],
        "weights": [vec![0.01; n], vec![0.01; n]],
        "biases": [0.1, 0.1],
        "input": [0.5],
        "target": [0.5],
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.json");
    std::fs::write(&path, network.to_string()).unwrap();
    let path = path.to_str().unwrap();

    let out = show(&[path]);
    assert!(
        out.contains("(500 rows, more than 200: not printed. Narrow it with --only SYMBOL[,SYMBOL…] (e.g. --only net_h1)"),
        "{}",
        &out[..out.len().min(3000)]
    );
    assert!(out.lines().count() < 200, "a note, not a flood");
    // The small sections are still printed.
    assert!(out.contains("Total error"));
    assert!(rows(&out).contains(&"E_total".to_string()));

    let out = show(&[path, "--only", "net_h7,out_h7"]);
    assert_eq!(rows(&out), ["net_h7", "out_h7"]);
}
