//! The committed trace of the article's iteration (traces/article-trace.json), regenerated
//! and compared byte for byte. After a deliberate change, regenerate it with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use backprop_tracer::trace::Trace;

const GOLDEN: &str = "traces/article-trace.json";

fn regenerate() -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(["show", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_article_trace_is_unchanged() {
    let fresh = regenerate();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(GOLDEN).unwrap();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "{GOLDEN} differs from a fresh `backprop show --format json` from line {}:\n  committed: {:?}\n  fresh:     {:?}\n(UPDATE_GOLDEN=1 cargo test --test golden rewrites it)",
            first + 1,
            committed.lines().nth(first),
            fresh.lines().nth(first)
        );
    }
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
