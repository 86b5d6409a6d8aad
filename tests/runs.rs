//! `verify` of whole runs: a trace of several iterations, and the NDJSON stream of `train
//! --format ndjson`. Each iteration is checked as a single one is, and each must start where
//! the one before ended (its weights, biases and η the updated values before, bit for bit;
//! its number the next). Streams are read line by line. A run's JSON summary is replayed from
//! its own network and options and compared field by field. Files `verify` cannot check (a
//! `--summary` stream, another program's JSON) are refused in one line.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn backprop() -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("backprop");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// `backprop verify ARGS`: exit status, standard output, standard error.
fn verify(args: &[&str]) -> (i32, String, String) {
    let out = backprop().arg("verify").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The rows of an ASCII report's table, without its header.
fn rows(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| iteration"))
        .collect()
}

/// The lines of `train ARGS --format ndjson`, parsed.
fn run_lines(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "ndjson"]);
    common::stdout_of(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_lines(dir: &Path, name: &str, lines: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n") + "\n").unwrap();
    path
}

/// The recorded value of `symbol` in an iteration's JSON.
fn value_of<'a>(iteration: &'a mut Value, symbol: &str) -> &'a mut Value {
    iteration["values"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|v| v["symbol"] == symbol)
        .unwrap_or_else(|| panic!("{symbol} is recorded"))
}

/// Sets `symbol`'s value (and, for a given value, its substituted number) in `iteration`.
fn set(iteration: &mut Value, symbol: &str, value: f64) {
    let v = value_of(iteration, symbol);
    v["value"] = value.into();
    if v["stage"] == "given" {
        v["substituted"] = value.to_string().into();
    }
}

/// A trace of the article's first two iterations: show's trace with train's two lines as
/// its iterations.
fn two_iterations() -> Value {
    let mut trace: Value = serde_json::from_str(&common::stdout_of(&["--format", "json"])).unwrap();
    let lines = run_lines(&["-n", "2"]);
    trace["iterations"] = Value::Array(lines);
    trace
}

#[test]
fn a_trace_whose_second_iteration_does_not_start_where_the_first_ended_fails_there() {
    let dir = common::scratch();
    let trace = two_iterations();
    let whole = dir.path().join("two.json");
    std::fs::write(&whole, trace.to_string()).unwrap();
    let (code, out, _) = verify(&[whole.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");

    let mut broken = trace.clone();
    set(&mut broken["iterations"][1], "w5", 0.36);
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--ascii"]);
    assert_eq!(code, 1, "{out}");
    // One row: iteration 2, w5, recorded 0.36, and the value it should have started from.
    let row = out
        .lines()
        .find(|l| l.contains("| w5 "))
        .unwrap_or_else(|| panic!("a row for w5: {out}"));
    assert!(row.starts_with("| 2 "), "{row}");
    assert!(row.contains("0.36"), "{row}");
    assert!(row.contains("w5+ = 0.358916480"), "{row}");
    assert!(row.contains("0.35891647971788465"), "{row}");
    assert!(out.contains("1 value(s) disagree"), "{out}");
    // What w5 feeds in iteration 2 follows from it, not a mistake of its own.
    assert!(out.contains("net_o1 (from w5)"), "{out}");

    // An iteration numbered out of order.
    let mut renumbered = trace;
    renumbered["iterations"][1]["iteration"] = 3.into();
    std::fs::write(&path, renumbered.to_string()).unwrap();
    let (code, out, _) = verify(&[path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("this iteration is numbered 3, but it follows iteration 1: it should be 2"),
        "{out}"
    );
}

#[test]
fn an_untouched_training_stream_verifies_and_an_altered_line_fails_at_its_iteration() {
    let dir = common::scratch();
    let lines = run_lines(&["-n", "5"]);
    let path = write_lines(dir.path(), "run.ndjson", &lines);
    let (code, out, _) = verify(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(&format!(
            "{} is a training run's NDJSON stream (train --format ndjson) of 5 iteration(s), \
             written at precision 9.",
            path.display()
        )),
        "{out}"
    );
    assert!(out.contains("not checked against a network file"), "{out}");
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--network", "traces/article.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("not checked against a network file"), "{out}");

    // One computed value of line 3 altered: iteration 3 is named, and nothing else is a
    // mistake of its own.
    let mut altered = lines.clone();
    set(&mut altered[2], "out_h1", 0.6);
    let path = write_lines(dir.path(), "altered.ndjson", &altered);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--ascii"]);
    assert_eq!(code, 1, "{out}");
    let rows = rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    assert!(
        rows[0].starts_with("| 3 ") && rows[0].contains("out_h1"),
        "{out}"
    );

    // A chain break in the stream: iteration 4 starts from another w1.
    let mut chained = lines.clone();
    set(&mut chained[3], "w1", 0.15);
    let path = write_lines(dir.path(), "chain.ndjson", &chained);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--ascii"]);
    assert_eq!(code, 1, "{out}");
    let row = out.lines().find(|l| l.contains("| w1 ")).unwrap();
    assert!(row.starts_with("| 4 ") && row.contains("w1+ = "), "{row}");
}

#[test]
fn streams_of_every_precision_and_of_a_training_set_verify() {
    let dir = common::scratch();
    for precision in ["0", "4", "12"] {
        let lines = run_lines(&["-n", "3", "--precision", precision]);
        let path = write_lines(dir.path(), "p.ndjson", &lines);
        let (code, out, _) = verify(&[path.to_str().unwrap()]);
        assert_eq!(code, 0, "{precision}: {out}");
        assert!(
            out.contains(&format!("written at precision {precision}.")),
            "{out}"
        );
    }
    // XOR's four samples, one per iteration, and its weights drawn from the file's seed; a
    // trace of it too (its given values are `samples[k].input[i]`).
    let lines = run_lines(&["traces/xor.json", "-n", "6"]);
    let path = write_lines(dir.path(), "xor.ndjson", &lines);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--network", "traces/xor.json"]);
    assert_eq!(code, 0, "{out}");
    let trace = common::stdout_of(&["show", "traces/xor.json", "--format", "json"]);
    let path = dir.path().join("xor-trace.json");
    std::fs::write(&path, trace).unwrap();
    let (code, out, _) = verify(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // Deeper networks of other activations, in the sequential order.
    let lines = run_lines(&[
        "traces/deep-2-3-2-1.json",
        "-n",
        "3",
        "--update-order",
        "sequential",
    ]);
    let path = write_lines(dir.path(), "deep.ndjson", &lines);
    let (code, out, _) = verify(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn what_verify_cannot_check_is_refused_in_one_line() {
    let dir = common::scratch();
    // Writes `text` to `name`, runs verify on it with `args`: it must fail with one line on
    // standard error, which is returned with standard output.
    let refused = |name: &str, text: &str, args: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = verify(&[&[path.to_str().unwrap()], args].concat());
        assert_eq!(code, 1, "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
        (out, err)
    };
    // A truncated line (a run cut off while writing): the line is named.
    let lines = run_lines(&["-n", "2"]);
    let cut = format!("{}\n{}\n", lines[0], &lines[1].to_string()[..400]);
    let (_, err) = refused("cut.ndjson", &cut, &[]);
    assert!(
        err.contains("line 2 is not an iteration of a train --format ndjson stream"),
        "{err}"
    );
    // As JSON, the document still closes: the first iteration's verdicts, then why it stops.
    let (out, _) = refused("cut.ndjson", &cut, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("a whole JSON document");
    let why = doc["unreadable"].as_str().expect("why it stops");
    assert!(why.contains("line 2 is not an iteration"), "{why}");
    assert_eq!(doc["result"], "disagrees", "{out}");
    assert!(doc["checked"].as_u64().unwrap() > 10, "{out}");

    let summary = common::stdout_of(&["train", "-n", "3", "--format", "ndjson", "--summary"]);
    let (_, err) = refused("summary.ndjson", &summary, &[]);
    assert!(err.contains("written with --summary"), "{err}");

    let other = r#"{"format": "someone-else", "data": [1, 2, 3]}"#;
    let (_, err) = refused("other.json", other, &[]);
    assert!(err.contains(r#"the format "someone-else""#), "{err}");

    // Homework with a list or an object where a number belongs: named, not quoted.
    let (_, err) = refused("list.json", "{\"w5\": [\n 1,\n 2\n]}", &[]);
    assert!(
        err.contains(r#""w5": expected a number, got a list"#),
        "{err}"
    );
    let (_, err) = refused("object.json", "{\"w5\": {\n \"value\": 0.4\n}}", &[]);
    assert!(
        err.contains(r#""w5": expected a number, got an object"#),
        "{err}"
    );
}

/// `verify --format json`: every value checked with its status, the break with the value
/// expected, what follows from it named, the result; the exit status the report's.
#[test]
fn the_verdict_as_a_document() {
    let dir = common::scratch();
    let mut broken = two_iterations();
    set(&mut broken["iterations"][1], "w5", 0.36);
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["format"], "backprop-tracer/verdict");
    assert_eq!(doc["kind"], "trace");
    assert_eq!(doc["result"], "disagrees");
    assert_eq!(doc["checked"], 162);
    let values = doc["values"].as_array().unwrap();
    assert_eq!(values.len(), 162);
    let find = |iteration: u64, symbol: &str| {
        values
            .iter()
            .find(|v| v["iteration"] == iteration && v["symbol"] == symbol)
            .unwrap()
    };
    let w5 = find(2, "w5");
    assert_eq!(w5["status"], "differs");
    assert_eq!(w5["value"], 0.36);
    assert_eq!(w5["expected"], 0.35891647971788465);
    assert_eq!(find(2, "net_o1")["status"], "follows");
    assert_eq!(find(2, "net_o1")["follows_from"], serde_json::json!(["w5"]));
    assert_eq!(find(1, "w5+")["status"], "agrees");
    let differs = values.iter().filter(|v| v["status"] == "differs").count();
    assert_eq!(differs, 1);

    // A student's homework: each value as written, the slip by its id.
    let (code, out, _) = verify(&[
        "tests/fixtures/homework/derivative-left-out.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["kind"], "homework");
    let delta = doc["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["symbol"] == "delta_o1")
        .unwrap();
    assert_eq!(delta["status"], "differs");
    assert_eq!(delta["slips"][0]["id"], "derivative_left_out");
    assert!(delta["written"].is_string());

    // An untouched stream agrees, exit 0; --format csv is for --template only.
    let lines = run_lines(&["-n", "3"]);
    let path = write_lines(dir.path(), "run.ndjson", &lines);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["kind"], "training_stream");
    assert_eq!(doc["result"], "agrees");
    let (code, _, err) = verify(&[path.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(code, 2, "{err}");

    // An altered stream: the document names the value where it happens, line by line.
    let mut altered = lines.clone();
    set(&mut altered[1], "w5+", 0.36);
    let path = write_lines(dir.path(), "altered.ndjson", &altered);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["result"], "disagrees");
    let status = |iteration: u64, symbol: &str| {
        doc["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["iteration"] == iteration && v["symbol"] == symbol)
            .map(|v| v["status"].clone())
    };
    assert_eq!(status(2, "w5+"), Some(Value::from("differs")));
    assert_eq!(status(3, "w5"), Some(Value::from("differs")));
    assert_eq!(status(1, "w5+"), Some(Value::from("agrees")));
}

/// A run's summary (`train --format json`) is replayed from its own initial network and
/// options: untouched it agrees, bit for bit; a changed checkpoint or final weight, or a
/// seed that draws another sample order, is named by its path.
#[test]
fn a_run_summary_is_replayed_and_compared() {
    let dir = common::scratch();
    let text = common::stdout_of(&[
        "train",
        "traces/xor.json",
        "-n",
        "300",
        "--order",
        "random",
        "--every",
        "50",
        "--format",
        "json",
    ]);
    let path = dir.path().join("run.json");
    std::fs::write(&path, &text).unwrap();
    let (code, out, _) = verify(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("replayed from its own initial network and options, the run gives the same"),
        "{out}"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    let changed = |change: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        change(&mut d);
        std::fs::write(&path, d.to_string()).unwrap();
        verify(&[path.to_str().unwrap()])
    };
    let (code, out, _) = changed(&|d| d["checkpoints"][3]["E_total"] = 0.1.into());
    assert_eq!(code, 1);
    assert!(
        out.contains("differs first at checkpoints[3].E_total"),
        "{out}"
    );
    assert!(out.contains("the file has 0.1."), "{out}");
    let (code, out, _) = changed(&|d| d["final_network"]["biases"][0] = 0.5.into());
    assert_eq!(code, 1);
    assert!(out.contains("final_network.biases[0]"), "{out}");
    // Another seed draws another sample order: the run it replays is another one.
    let (code, out, _) = changed(&|d| {
        d["options"]["seed"] = 2.into();
        d["initial_network"]["seed"] = 2.into();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("differs first at"), "{out}");
}

/// A `--summary` stream is replayed from the network and options given on the command line,
/// line by line: untouched it agrees, byte for byte; an altered line is named with the field;
/// the wrong seed for a random sample order differs from line 1; without `--network` it is
/// refused, saying what to give.
#[test]
fn a_summary_stream_is_replayed_from_the_network_given() {
    let dir = common::scratch();
    let text = common::stdout_of(&["train", "-n", "300", "--format", "ndjson", "--summary"]);
    let path = dir.path().join("summary.ndjson");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = verify(&[p, "--network", "traces/article.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("its 300 line(s) are what replaying"), "{out}");

    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines[199]["weights"][1][0] = 0.3.into();
    let altered = write_lines(dir.path(), "altered.ndjson", &lines);
    let (code, out, _) = verify(&[
        altered.to_str().unwrap(),
        "--network",
        "traces/article.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 200 differs"), "{out}");
    assert!(out.contains("the file has weights[1][0] = 0.3."), "{out}");

    // Sequentially trained, checked as if simultaneous: line 1 already differs.
    let (code, out, _) = verify(&[
        p,
        "--network",
        "traces/article.json",
        "--update-order",
        "sequential",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 1 differs"), "{out}");

    let xor = common::stdout_of(&[
        "train",
        "traces/xor.json",
        "-n",
        "200",
        "--order",
        "random",
        "--seed",
        "5",
        "--format",
        "ndjson",
        "--summary",
    ]);
    let path = dir.path().join("xor.ndjson");
    std::fs::write(&path, xor).unwrap();
    let x = path.to_str().unwrap();
    let with = |seed: &str| {
        verify(&[
            x,
            "--network",
            "traces/xor.json",
            "--order",
            "random",
            "--seed",
            seed,
        ])
    };
    assert_eq!(with("5").0, 0);
    let (code, out, _) = with("6");
    assert_eq!(code, 1, "{out}");

    let (code, _, err) = verify(&[p]);
    assert_eq!(code, 1);
    assert!(
        err.contains("give the network it was trained from (--network NET"),
        "{err}"
    );
}

/// With the network of a training set, each line's sample must be the one the run's order
/// picks: in turn, or drawn from the seed for `--order random`.
#[test]
fn the_samples_come_in_the_runs_order() {
    let dir = common::scratch();
    let lines = run_lines(&[
        "traces/xor.json",
        "-n",
        "12",
        "--order",
        "random",
        "--seed",
        "4",
    ]);
    let path = write_lines(dir.path(), "random.ndjson", &lines);
    let p = path.to_str().unwrap();
    let net = [
        "--network",
        "traces/xor.json",
        "--order",
        "random",
        "--seed",
        "4",
    ];
    let (code, out, _) = verify(&[&[p][..], &net[..]].concat());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("checked against the random sample order"),
        "{out}"
    );
    // Two lines swapped, renumbered: each is consistent, but the samples are out of order.
    let mut swapped = lines.clone();
    let (a, b) = (swapped[4]["sample"].clone(), swapped[5]["sample"].clone());
    assert_ne!(a, b, "the seed draws two different samples there");
    let mut five = lines[4].clone();
    five["sample"] = b;
    swapped[4] = five;
    let path = write_lines(dir.path(), "swapped.ndjson", &swapped);
    let (code, out, _) = verify(&[&[path.to_str().unwrap(), "--ascii"][..], &net[..]].concat());
    assert_eq!(code, 1, "{out}");
    let row = out.lines().find(|l| l.contains("| sample ")).unwrap();
    assert!(row.starts_with("| 5 "), "{row}");
    assert!(row.contains(&format!("picks sample {a} here")), "{row}");
}

/// A run that went on from a broken chain: iteration 2 starts from w5 = 0.36 and the run
/// carries on consistently from there. The break is named once, where it is; iteration 3's
/// weights, which start where iteration 2 ended, are reported as following from it.
#[test]
fn what_a_chain_break_carries_into_later_iterations_follows_from_it() {
    let dir = common::scratch();
    let first = run_lines(&["-n", "1"]).remove(0);
    let summary: Value = serde_json::from_str(&common::stdout_of(&[
        "train", "-n", "1", "--format", "json",
    ]))
    .unwrap();
    let mut network = summary["final_network"].clone();
    network["weights"][1][0] = 0.36.into();
    let net = dir.path().join("net.json");
    std::fs::write(&net, network.to_string()).unwrap();
    let mut rest = run_lines(&[net.to_str().unwrap(), "-n", "2"]);
    for (i, line) in rest.iter_mut().enumerate() {
        line["iteration"] = (i + 2).into();
    }
    let mut lines = vec![first];
    lines.extend(rest);
    let path = write_lines(dir.path(), "carried.ndjson", &lines);
    let (code, out, _) = verify(&[path.to_str().unwrap(), "--ascii"]);
    assert_eq!(code, 1, "{out}");
    let rows = rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    assert!(
        rows[0].starts_with("| 2 ") && rows[0].contains("| w5 "),
        "{out}"
    );
    assert!(out.contains("w5 (from w5+) in iteration 3"), "{out}");
}
