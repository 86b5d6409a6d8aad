//! The corpus of broken traces and runs (tests/fixtures/broken/): each file is broken in one
//! deliberate way, described in index.json beside it with where `verify` must find the
//! break (the iteration, the symbol, and words of the problem it names; for a run's summary,
//! the path of the first field its replay differs at) or the words of the one-line refusal. Every one must make `verify` exit 1 for that reason, at that place.

use serde_json::Value;

#[test]
fn every_broken_file_fails_for_its_reason_at_its_place() {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/broken/index.json").unwrap())
            .unwrap();
    let entries = index.as_array().unwrap();
    assert!(entries.len() >= 40, "{} broken files", entries.len());
    let mut failures = Vec::new();
    for entry in entries {
        let file = entry["file"].as_str().unwrap();
        let what = entry["break"].as_str().unwrap();
        let expect = &entry["expect"];
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("backprop");
        cmd.args(["verify", "--ascii"])
            .arg(format!("tests/fixtures/broken/{file}"));
        if let Some(args) = entry["args"].as_array() {
            cmd.args(args.iter().map(|a| a.as_str().unwrap()));
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let found = if let Some(says) = expect["error"].as_str() {
            // A refusal: one line on standard error, nothing checked.
            code == Some(1) && stderr.lines().count() == 1 && stderr.contains(says)
        } else if let Some(line) = expect["summary_line"].as_u64() {
            // A --summary stream, replayed: the first line that differs.
            code == Some(1) && stdout.contains(&format!("line {line} differs"))
        } else if let Some(path) = expect["replay"].as_str() {
            // A run's summary, replayed: the first field that differs.
            code == Some(1) && stdout.contains(&format!("differs first at {path}:"))
        } else {
            let iteration = expect["iteration"].as_u64().unwrap();
            let symbol = expect["symbol"].as_str().unwrap();
            let says = expect["says"].as_str().unwrap();
            code == Some(1)
                && stdout.lines().any(|line| {
                    line.starts_with(&format!("| {iteration} "))
                        && line.contains(&format!("| {symbol} "))
                        && line.contains(says)
                })
        };
        if !found {
            failures.push(format!(
                "{file} ({what}): expected {expect}, got status {code:?}\n{stdout}{stderr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
