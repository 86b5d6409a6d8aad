//! The committed trace of the article's iteration (traces/article-trace.json), regenerated
//! and compared byte for byte. After a deliberate change, regenerate it with
//! `UPDATE_GOLDEN=1 cargo test --test golden` (which then fails, so that a rewrite is never
//! counted as a pass), review the diff and run it again without UPDATE_GOLDEN.

use backprop_tracer::trace::Trace;
use std::path::Path;

const GOLDEN: &str = "traces/article-trace.json";
/// The fuzzer's seed copy of it.
const SEED: &str = "fuzz/seeds/article-trace.json";

fn regenerate() -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(["show", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Compares `fresh` with the committed file at `golden`. With `update`, writes `fresh` there
/// (and to every path of `copies`) instead, and still fails: a run that rewrote the file
/// compared it with nothing, so it must not be counted as a pass.
fn check(golden: &Path, copies: &[&Path], fresh: &str, update: bool) -> Result<(), String> {
    if update {
        for path in std::iter::once(&golden).chain(copies) {
            std::fs::write(path, fresh)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let also: Vec<String> = copies.iter().map(|p| p.display().to_string()).collect();
        let also = if also.is_empty() {
            String::new()
        } else {
            format!(" (and its copy {})", also.join(", "))
        };
        return Err(format!(
            "UPDATE_GOLDEN is set: rewrote {}{also}; review the diff and run again without \
             UPDATE_GOLDEN",
            golden.display()
        ));
    }
    let committed = std::fs::read_to_string(golden)
        .map_err(|e| format!("cannot read {}: {e}", golden.display()))?;
    if committed == fresh {
        return Ok(());
    }
    let first = committed
        .lines()
        .zip(fresh.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(committed.lines().count().min(fresh.lines().count()));
    Err(format!(
        "{} differs from a fresh `backprop show --format json` from line {}:\n  committed: {:?}\n  fresh:     {:?}\n(UPDATE_GOLDEN=1 cargo test --test golden rewrites it)",
        golden.display(),
        first + 1,
        committed.lines().nth(first),
        fresh.lines().nth(first)
    ))
}

#[test]
fn the_article_trace_is_unchanged() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    // The fuzzer starts from a copy of the golden trace (tests/fuzz_regressions.rs checks it
    // is current), so an update rewrites both.
    let seed = Path::new(SEED);
    if let Err(message) = check(Path::new(GOLDEN), &[seed], &regenerate(), update) {
        panic!("{message}");
    }
}

#[test]
fn updating_the_golden_file_writes_it_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let golden = dir.path().join("golden.json");
    let copy = dir.path().join("copy.json");
    std::fs::write(&golden, "old\n").unwrap();
    let message = check(&golden, &[&copy], "new\n", true).unwrap_err();
    assert!(message.contains("rewrote"), "{message}");
    assert!(
        message.contains("run again without UPDATE_GOLDEN"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&golden).unwrap(), "new\n");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "new\n");
    // Without UPDATE_GOLDEN: the same file passes, another fails naming the line.
    assert_eq!(check(&golden, &[], "new\n", false), Ok(()));
    let message = check(&golden, &[], "newer\n", false).unwrap_err();
    assert!(message.contains("from line 1"), "{message}");
}

#[test]
fn the_golden_trace_reads_back_and_feeds_back_in() {
    let text = std::fs::read_to_string(GOLDEN).unwrap();
    let trace: Trace = serde_json::from_str(&text).unwrap();
    assert_eq!(trace.first().values.len(), 81);
    assert_eq!(trace.first().get("w5+").unwrap().value, 0.35891647971788465);
    // A trace is accepted as a network: it gives the same trace again.
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(["show", "--format", "json", GOLDEN])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
}

/// The article's trace as version 1 wrote it (no roles, no formula trees), kept to show that
/// old traces are still read everywhere.
const VERSION_1: &str = "tests/fixtures/article-trace-v1.json";

#[test]
fn a_version_1_trace_is_still_read_everywhere() {
    let old = std::fs::read_to_string(VERSION_1).unwrap();
    let mut trace: Trace = serde_json::from_str(&old).unwrap();
    assert_eq!(trace.version, 1);
    assert!(trace.first().values.iter().all(|v| v.role.is_none()));
    // Read, it gets the roles and trees version 2 writes.
    trace.upgrade();
    let golden: Trace = serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap();
    assert_eq!(trace.first().values, golden.first().values);
    // verify checks it, and every command takes it as the network it carries.
    let backprop = || assert_cmd::cargo::cargo_bin_cmd!("backprop");
    let verified = backprop().args(["verify", VERSION_1]).output().unwrap();
    assert!(verified.status.success(), "{verified:?}");
    assert!(String::from_utf8_lossy(&verified.stdout).contains("values agree"));
    for (command, mark) in [
        (&["show"][..], "0.082167041"),
        (&["explain", "dE_total/dw5"], "0.082167041"),
        (&["check"], "0.08216704056"),
    ] {
        let from_v1 = backprop().args(command).arg(VERSION_1).output().unwrap();
        let article = backprop().args(command).output().unwrap();
        assert!(from_v1.status.success(), "{command:?}: {from_v1:?}");
        // The same iteration, but for the heading that names the file.
        let lines = |o: &std::process::Output| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter(|l| l.contains(mark))
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert!(!lines(&article).is_empty(), "{command:?}");
        assert_eq!(lines(&from_v1), lines(&article), "{command:?}");
    }
}
