//! Every file and folder of the repository that README.md and traces/README.md mention ships
//! with it: a reader told to open `traces/xor.json` or to run `tests/check.rs` finds it. A
//! path is any word starting with one of the repository's folders (`traces/`, `tests/`,
//! `src/`, `benches/`, `fuzz/`, `.ci/`); it must exist and, when git can say, be committed.

use std::path::Path;
use std::process::Command;

/// The folders whose paths the READMEs mention.
const ROOTS: [&str; 6] = ["traces/", "tests/", "src/", "benches/", "fuzz/", ".ci/"];

/// Paths the README names as made on the reader's machine, never committed: the fuzzer's own
/// corpus, cargo-fuzz's default artifact folder, and the crash files libFuzzer would write.
const MADE_LOCALLY: [&str; 3] = ["fuzz/corpus/", "fuzz/artifacts/", "fuzz/regressions/crash-"];

/// Every path-like word of `text` that starts with one of [`ROOTS`], as written (a folder
/// keeps its trailing `/`), without trailing punctuation. A word with a placeholder
/// (`crash-<hash>`) ends before it.
fn mentioned_paths(text: &str) -> Vec<String> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut found = Vec::new();
    for (start, _) in text.char_indices() {
        let before = text[..start].chars().next_back();
        // The start of a word: not the middle of a longer path (`fuzz/seeds/` in
        // `../fuzz/seeds/`) or of a name (`mytests/`).
        if before.is_some_and(is_path_char) {
            continue;
        }
        let rest = &text[start..];
        if !ROOTS.iter().any(|root| rest.starts_with(root)) {
            continue;
        }
        let end = rest.find(|c: char| !is_path_char(c)).unwrap_or(rest.len());
        // A sentence's full stop is not part of the name.
        let path = rest[..end].trim_end_matches('.');
        found.push(path.to_string());
    }
    found.sort();
    found.dedup();
    found
}

/// The files git tracks, or `None` when git cannot tell (no git, not a checkout).
fn tracked_files(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("git")
        .arg("ls-files")
        .current_dir(root)
        .output()
        .ok()?;
    if !out.status.success() || out.stdout.is_empty() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn every_path_the_readmes_mention_ships() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tracked = tracked_files(root);
    let mut checked = 0;
    let mut missing = Vec::new();
    for readme in ["README.md", "traces/README.md"] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        for path in mentioned_paths(&text) {
            if MADE_LOCALLY.iter().any(|local| path.starts_with(local)) {
                continue;
            }
            checked += 1;
            let exists = root.join(&path).exists();
            let committed = match &tracked {
                None => true,
                Some(files) if path.ends_with('/') => files.iter().any(|f| f.starts_with(&path)),
                Some(files) => files.contains(&path),
            };
            if !exists || !committed {
                missing.push(format!(
                    "{readme} mentions {path}, which {}",
                    if exists {
                        "is not committed"
                    } else {
                        "does not exist"
                    }
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The READMEs name the test files, the example networks and the fuzz setup: a parser
    // that found nothing would pass vacuously.
    assert!(checked >= 30, "only {checked} paths found");
}

#[test]
fn paths_are_read_as_written() {
    let text = "See `traces/xor.json`, tests/fixtures/homework/ and fuzz/regressions/crash-<hash>. \
                Not mytests/a.rs, nor ../fuzz/seeds/x, but src/fuzzing.rs.";
    assert_eq!(
        mentioned_paths(text),
        [
            "fuzz/regressions/crash-",
            "src/fuzzing.rs",
            "tests/fixtures/homework/",
            "traces/xor.json",
        ]
    );
}
