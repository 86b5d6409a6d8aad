//! The README's examples, run: every ```console block of README.md and traces/README.md is
//! executed and its output compared with what the block shows, so a claim that stops being
//! true fails `cargo test` instead of lingering in the documentation.
//!
//! How a block is read:
//! - `$ COMMAND` starts a command. It runs under `bash -c` with `set -o pipefail` (so a
//!   `backprop` that fails inside `| jq` still fails), from the repository root, with the
//!   freshly built `backprop` first on PATH, `NO_COLOR=1`, `COLUMNS=100`, no standard input,
//!   and a 120 s limit.
//! - The lines after it, up to the next `$ ` line or the end of the block, are its output:
//!   standard error and standard output interleaved as a terminal shows them (one pipe
//!   serves both). Trailing blank lines are ignored on both sides.
//! - Exit status: a command must exit 0 unless the line right after it is `? N` (exactly
//!   status N) or `? failed` (any status but 0), as trycmd writes it.
//! - What varies or is left out is matched with snapbox's wildcards: `...` alone on a line
//!   stands for any number of lines, `[..]` for any text within a line.
//! - A command that uses `jq` is skipped with a note when jq is missing, except under
//!   `CI=true`, where it fails: .ci/run installs jq, so a missing jq there is a broken setup.
//!
//! After a deliberate change of output, `README_UPDATE=1 cargo test --test readme` rewrites
//! every mismatched block's output (and status line) in place, keeping each wildcard whose
//! line still matches (a changed line is written out whole, its `[..]` lost), and then fails
//! anyway: a rewrite is to be reviewed (`git diff`), never passed.
//!
//! Blocks of other languages (```sh, ```text, ```json) are not run: a `$ ` prompt in one of
//! them is an error, so an example that shows output cannot hide from this test. `cargo
//! run` and `cargo bench` examples stay in ```sh blocks: their output is benchmark timings
//! or a full build, nothing to compare.

use snapbox::assert::Action;
use snapbox::report::Palette;
use snapbox::{Assert, Data};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One `$ ` command of a console block, with what the block says it prints.
struct Example {
    /// 1-based line of the `$ ` line in the Markdown file.
    line: usize,
    command: String,
    /// The `? …` line as written, if any.
    status: Option<String>,
    /// 0-based range of the file's lines holding the status line and the output, replaced
    /// as a whole when the block is rewritten.
    body: std::ops::Range<usize>,
    expected: String,
}

/// The console blocks' commands of a Markdown file, or an error naming a `$ ` prompt outside
/// a console block or an unclosed block.
fn examples(file: &str, lines: &[&str]) -> Result<Vec<Example>, String> {
    let mut found = Vec::new();
    let mut fence: Option<String> = None;
    let mut current: Option<Example> = None;
    let finish = |example: Option<Example>, end: usize, found: &mut Vec<Example>| {
        if let Some(mut e) = example {
            e.body.end = end;
            let first_output = e.body.start + usize::from(e.status.is_some());
            e.expected = lines[first_output..end].join("\n");
            found.push(e);
        }
    };
    for (i, line) in lines.iter().enumerate() {
        match &fence {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    fence = Some(info.trim().to_string());
                }
            }
            Some(info) if *line == "```" => {
                if info == "console" {
                    finish(current.take(), i, &mut found);
                }
                fence = None;
            }
            Some(info) if info == "console" => {
                if let Some(command) = line.strip_prefix("$ ") {
                    finish(current.take(), i, &mut found);
                    current = Some(Example {
                        line: i + 1,
                        command: command.to_string(),
                        status: None,
                        body: i + 1..i + 1,
                        expected: String::new(),
                    });
                } else if let Some(e) = current.as_mut() {
                    if line.starts_with("? ") && i == e.body.start {
                        e.status = Some(line.to_string());
                    }
                } else {
                    return Err(format!(
                        "{file}:{}: a console block must start with a `$ ` command line",
                        i + 1
                    ));
                }
            }
            Some(info) => {
                if line.starts_with("$ ") {
                    return Err(format!(
                        "{file}:{}: a `$ ` command in a ```{info} block is never run: make the \
                         block ```console so that its output is checked",
                        i + 1
                    ));
                }
            }
        }
    }
    if fence.is_some() {
        return Err(format!("{file}: a code block is not closed"));
    }
    Ok(found)
}

/// What the status line demands of an exit code; None when the line cannot be read.
fn status_agrees(status: Option<&str>, code: Option<i32>) -> Option<bool> {
    match status {
        None => Some(code == Some(0)),
        Some("? failed") => Some(code != Some(0)),
        Some(s) => {
            let want: i32 = s.strip_prefix("? ")?.trim().parse().ok()?;
            Some(code == Some(want))
        }
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the `backprop` this test run built in front of whatever else is installed.
fn path_with_backprop() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_backprop"))
        .parent()
        .expect("the binary is in a directory");
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("PATH entries have no ':'")
}

/// Runs a command as the block shows it: output of both streams in order, and its status
/// (None when a signal ended it).
fn run(command: &str) -> (String, Option<i32>) {
    // timeout(1) kills the whole process group, the pipeline's other commands included.
    let output = Command::new("timeout")
        .args(["120", "bash", "-c"])
        .arg(format!("set -o pipefail\nexec 2>&1\n{command}"))
        .current_dir(repo_root())
        .env("PATH", path_with_backprop())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("LINES", "40")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .env_remove("BACKPROP_TEST_CORRUPT_GRADIENT")
        .env_remove("BACKPROP_TEST_PANIC")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `timeout 120 bash`: {e}"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (text, output.status.code())
}

fn uses_jq(command: &str) -> bool {
    command
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .any(|word| word == "jq")
}

fn jq_installed() -> bool {
    Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn trim_trailing_blank_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

/// Runs every example of one Markdown file; panics with every mismatch (file, line, command,
/// diff), or, in update mode, rewrites the mismatched outputs and panics saying so.
fn check_file(relative: &str) {
    let path = repo_root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let lines: Vec<&str> = text.lines().collect();
    let examples = examples(relative, &lines).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !examples.is_empty(),
        "{relative} has no ```console example: the parser or the file is wrong"
    );
    let update = std::env::var_os("README_UPDATE").is_some_and(|v| !v.is_empty() && v != "0");
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let jq = jq_installed();
    // No path normalisation (`\` read as `/`): the documents' TeX is full of backslashes,
    // and the examples run on Unix only.
    let assert = Assert::new()
        .action(Action::Verify)
        .palette(Palette::plain())
        .normalize_paths(false);

    let mut failures = Vec::new();
    // Replacements for update mode: the lines a body spans, and what goes there.
    let mut rewrites: Vec<(std::ops::Range<usize>, Vec<String>)> = Vec::new();
    for example in &examples {
        let heading = format!("{relative}:{}: $ {}", example.line, example.command);
        if uses_jq(&example.command) && !jq {
            if in_ci {
                failures.push(format!(
                    "{heading}\n  jq is not installed (.ci/run installs it with apt-get)"
                ));
            } else {
                eprintln!("skipped, jq is not installed: {heading}");
            }
            continue;
        }
        let (actual, code) = run(&example.command);
        let actual = trim_trailing_blank_lines(&actual);
        let expected = trim_trailing_blank_lines(&example.expected);
        let status_ok = status_agrees(example.status.as_deref(), code);
        let Some(status_ok) = status_ok else {
            failures.push(format!(
                "{heading}\n  cannot read the status line {:?}: write `? N` or `? failed`",
                example.status.as_deref().unwrap_or_default()
            ));
            continue;
        };
        let compared = assert.try_eq(
            Some(&"actual output"),
            Data::text(actual.clone()),
            Data::text(expected.clone()),
        );
        if status_ok && compared.is_ok() {
            continue;
        }
        let mut report = heading.clone();
        if !status_ok {
            let shown = example.status.as_deref().unwrap_or("none, so 0");
            let code = code.map_or("killed by a signal".to_string(), |c| c.to_string());
            report += &format!("\n  exit status {code}; the block's status line: {shown}");
        }
        if let Err(diff) = compared {
            report += &format!("\n{diff}");
        }
        failures.push(report);

        if update {
            // Keep the block's wildcards where they still match; the rest becomes the output.
            let (normalized, _) = assert.normalize(Data::text(actual), Data::text(expected));
            let mut body = Vec::new();
            match code {
                Some(0) => {}
                Some(_) if example.status.as_deref() == Some("? failed") => {
                    body.push("? failed".to_string());
                }
                Some(c) => body.push(format!("? {c}")),
                None => body.push("? failed".to_string()),
            }
            body.extend(
                normalized
                    .render()
                    .unwrap_or_default()
                    .lines()
                    .map(String::from),
            );
            rewrites.push((example.body.clone(), body));
        }
    }

    if update && !rewrites.is_empty() {
        let mut new_lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        // From the end, so that the earlier ranges stay where they were.
        for (range, body) in rewrites.iter().rev() {
            new_lines.splice(range.clone(), body.iter().cloned());
        }
        let mut new_text = new_lines.join("\n");
        new_text.push('\n');
        std::fs::write(&path, new_text).unwrap_or_else(|e| panic!("writing {relative}: {e}"));
        panic!(
            "rewrote {} example output(s) in {relative}: review the diff (git diff {relative}) \
             and run the test again\n\n{}",
            rewrites.len(),
            failures.join("\n\n")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of the {} examples in {relative} do not print what the file shows \
         (after a deliberate change: README_UPDATE=1 cargo test --test readme, then review \
         the diff):\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n\n")
    );
}

#[test]
fn readme_examples_print_what_they_show() {
    check_file("README.md");
}

#[test]
fn traces_readme_examples_print_what_they_show() {
    check_file("traces/README.md");
}

#[test]
fn a_console_block_is_read_as_commands_status_and_output() {
    let md = "text\n```console\n$ a | b\n? 1\nout 1\n...\n\n$ c\nout 2\n```\n```sh\nd\n```\n";
    let lines: Vec<&str> = md.lines().collect();
    let found = examples("x.md", &lines).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].line, found[0].command.as_str()), (3, "a | b"));
    assert_eq!(found[0].status.as_deref(), Some("? 1"));
    assert_eq!(found[0].expected, "out 1\n...\n");
    assert_eq!(found[0].body, 3..7);
    assert_eq!(
        (found[1].command.as_str(), found[1].status.as_deref()),
        ("c", None)
    );
    assert_eq!(found[1].expected, "out 2");
}

#[test]
fn a_prompt_outside_a_console_block_is_refused() {
    let lines = ["```sh", "$ backprop", "output", "```"];
    let err = examples("x.md", &lines).err().unwrap();
    assert!(
        err.contains("x.md:2") && err.contains("```console"),
        "{err}"
    );
    let unclosed = ["```console", "$ backprop"];
    assert!(examples("x.md", &unclosed).is_err());
}

#[test]
fn status_lines_demand_what_they_say() {
    assert_eq!(status_agrees(None, Some(0)), Some(true));
    assert_eq!(status_agrees(None, Some(1)), Some(false));
    assert_eq!(status_agrees(Some("? failed"), Some(2)), Some(true));
    assert_eq!(status_agrees(Some("? failed"), Some(0)), Some(false));
    assert_eq!(status_agrees(Some("? 1"), Some(1)), Some(true));
    assert_eq!(status_agrees(Some("? 1"), Some(2)), Some(false));
    assert_eq!(status_agrees(Some("? one"), Some(1)), None);
}

#[test]
fn wildcards_match_what_varies_and_nothing_else() {
    let assert = Assert::new()
        .action(Action::Verify)
        .palette(Palette::plain());
    let eq = |actual: &str, expected: &str| {
        assert
            .try_eq(None, Data::text(actual), Data::text(expected))
            .is_ok()
    };
    assert!(eq("a\nb\nc\nd", "a\n...\nd"));
    assert!(eq("seed: 48213 (x)", "seed: [..] (x)"));
    assert!(!eq("a\nb\nc", "a\nc"));
    assert!(!eq("E_total 0.29", "E_total 0.30"));
}

/// The README's library example, word for word: `the_library_example_prints_what_it_shows`
/// checks that the README still holds this code and that it prints the line it shows.
const LIBRARY_EXAMPLE: &str = r#"use backprop_tracer::{engine, network::Network, trace::Options};

let trace = engine::trace_iteration(&Network::article(), &Options::default());
let w5 = trace.first().get("w5+").unwrap();
println!("{} = {} = {}", w5.formula, w5.substituted, w5.value);"#;

#[test]
fn the_library_example_prints_what_it_shows() {
    use backprop_tracer::{engine, network::Network, trace::Options};

    let text = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = text
        .find("```rust\n")
        .expect("README.md has a ```rust block")
        + 8;
    let block = &text[start..start + text[start..].find("```").unwrap()];
    let (code, shown) = block
        .trim_end()
        .rsplit_once("\n// ")
        .expect("the block ends with the printed line as a `// ` comment");
    assert_eq!(
        code, LIBRARY_EXAMPLE,
        "README.md's library example changed: update LIBRARY_EXAMPLE and the code below"
    );

    let trace = engine::trace_iteration(&Network::article(), &Options::default());
    let w5 = trace.first().get("w5+").unwrap();
    let printed = format!("{} = {} = {}", w5.formula, w5.substituted, w5.value);
    assert_eq!(
        shown, printed,
        "README.md's library example prints another line"
    );
}
