//! Every input in fuzz/seeds/ (the corpus the fuzzer starts from) and fuzz/regressions/
//! (inputs that once broke a promise, or that sit on an edge worth keeping watch on)
//! replayed through the fuzz target's own code path: the folders themselves for
//! `load_and_render`, their `command_line/` subfolders for `command_line`. The fuzz commands
//! in the README write the inputs that crash them there, so a new one fails here until fixed.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The files of `dir`, sorted, without hidden ones (a `.keep`); fails when the folder
/// cannot be read or holds none, so that a moved or emptied folder does not pass as
/// "nothing panicked".
fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

/// Replays every input of `dir` through `target`, each on its own so that one panic does not
/// hide the next; fails naming every file that panicked. Returns the file names replayed,
/// each with what `target` returned.
fn replay<T>(dir: &str, target: impl Fn(&[u8]) -> T) -> Vec<(String, T)> {
    let mut replayed = Vec::new();
    let mut panicked = Vec::new();
    for path in inputs(dir) {
        let data =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target(&data)));
        match outcome {
            Ok(answer) => replayed.push((name, answer)),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panicked.push(format!("{dir}/{name}: {message}"));
            }
        }
    }
    assert!(
        panicked.is_empty(),
        "these inputs panicked:\n{}",
        panicked.join("\n")
    );
    replayed
}

#[test]
fn the_seed_corpus_renders() {
    let seeds = replay("fuzz/seeds", backprop_tracer::fuzzing::load_and_render);
    for name in [
        "article.json",
        "article-trace.json",
        "deep-2-3-2-1.json",
        "tanh-3-4-2.json",
        "xor.json",
        "softmax-2-3-3.json",
        "article-adam.json",
        "momentum-2-2-2.json",
    ] {
        assert!(
            seeds.iter().any(|(s, _)| s == name),
            "fuzz/seeds/ lacks {name}"
        );
    }
}

/// The seeds are copies of the committed networks and golden trace; a stale copy would start
/// the fuzzer from a file format the program no longer writes.
#[test]
fn the_seeds_are_the_current_traces_files() {
    for path in inputs("fuzz/seeds") {
        let name = path.file_name().unwrap();
        let original = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("traces")
            .join(name);
        if original.exists() {
            assert!(
                std::fs::read(&path).unwrap() == std::fs::read(&original).unwrap(),
                "fuzz/seeds/{0} differs from traces/{0}: copy it again",
                name.to_string_lossy()
            );
        }
    }
}

#[test]
fn inputs_that_once_failed_render() {
    let replayed = replay(
        "fuzz/regressions",
        backprop_tracer::fuzzing::load_and_render,
    );
    assert!(!replayed.is_empty());
}

/// The command-line seeds start the fuzzer at every command and option; one that clap or the
/// command refused would start it nowhere, so each must run to the end, but for the run that
/// diverges on purpose.
#[test]
fn the_command_line_seeds_run() {
    let seeds = replay(
        "fuzz/seeds/command_line",
        backprop_tracer::fuzzing::command_line,
    );
    for command in ["show", "explain", "verify", "check", "train"] {
        assert!(
            seeds.iter().any(|(name, _)| name.starts_with(command)),
            "no seed runs {command}"
        );
    }
    for (name, answer) in &seeds {
        match (name.as_str(), answer) {
            ("train-diverges", Err(e)) => assert!(e.contains("diverged"), "{name}: {e}"),
            ("train-diverges", Ok(())) => panic!("{name} ran to the end"),
            (_, Err(e)) => panic!("fuzz/seeds/command_line/{name} was refused: {e}"),
            (_, Ok(())) => {}
        }
    }
}

#[test]
fn command_lines_that_once_failed_run() {
    let replayed = replay(
        "fuzz/regressions/command_line",
        backprop_tracer::fuzzing::command_line,
    );
    assert!(!replayed.is_empty());
}
