//! The published JSON Schemas (schemas/, printed by `backprop schema NAME`) against what the
//! tool writes: every kind of JSON output the commands produce, on networks of every kind,
//! and every file in traces/, validated by Ajv (draft 2020-12, strict; run by Node.js from
//! tests/js, pinned by its lockfile); and deliberately wrong documents, each rejected. Without
//! Node or Ajv the test says SKIPPED loudly; under `CI=true`, where .ci/run installs them, it
//! fails.

mod common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Validates each (schema, file, NDJSON?) with tests/js/schema-check.mjs: for each, the
/// number of documents read and the failures. `None` without Node and Ajv (off CI).
fn validate(plan: &[(&str, PathBuf, bool)]) -> Option<Vec<Value>> {
    let installed = Path::new("tests/js/node_modules/ajv").exists();
    let what = "Node.js with tests/js/node_modules/ajv (`npm ci --prefix tests/js`)";
    if !common::required(common::runs("node", "--version") && installed, what) {
        return None;
    }
    let plan: Vec<Value> = plan
        .iter()
        .map(|(schema, file, lines)| json!({"schema": schema, "file": file, "lines": lines}))
        .collect();
    let mut node = Command::new("node");
    node.arg("tests/js/schema-check.mjs");
    let out = common::piped(node, Value::Array(plan).to_string().as_bytes());
    assert!(
        out.status.success(),
        "schema-check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("a JSON report"))
}

/// Writes what `backprop ARGS` prints to `dir/name`.
fn output(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(args)
        .output()
        .unwrap();
    // A diverging run exits 1 with its summary written.
    assert!(
        out.status.success() || args.contains(&"traces/linear-1e6.json"),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join(name);
    std::fs::write(&path, out.stdout).unwrap();
    path
}

#[test]
fn every_json_output_and_every_file_in_traces_validates() {
    let dir = common::scratch();
    let d = dir.path();
    let networks = [
        "traces/article.json",
        "traces/tanh-3-4-2.json",
        "traces/deep-2-3-2-1.json",
        "traces/xor.json",
        "traces/linear-1e6.json",
        "traces/softmax-2-3-3.json",
        "traces/article-adam.json",
        "traces/xor-batches.json",
    ];
    let mut plan: Vec<(&str, PathBuf, bool)> = Vec::new();
    for (n, net) in networks.iter().enumerate() {
        let name = |kind: &str| format!("{n}-{kind}");
        plan.push((
            "trace",
            output(d, &name("trace.json"), &["show", net, "--format", "json"]),
            false,
        ));
        // A batch refuses the sequential order: its biases are trained instead.
        let order = if net.contains("batches") {
            "simultaneous"
        } else {
            "sequential"
        };
        plan.push((
            "trace",
            output(
                d,
                &name("sequential.json"),
                &[
                    "show",
                    net,
                    "--format",
                    "json",
                    "--update-order",
                    order,
                    "--update-biases",
                ],
            ),
            false,
        ));
        let iterations = if net.contains("linear") { "3" } else { "4" };
        plan.push((
            "ndjson-line",
            output(
                d,
                &name("run.ndjson"),
                &["train", net, "-n", iterations, "--format", "ndjson"],
            ),
            true,
        ));
        plan.push((
            "ndjson-line",
            output(
                d,
                &name("summary.ndjson"),
                &[
                    "train",
                    net,
                    "-n",
                    iterations,
                    "--format",
                    "ndjson",
                    "--summary",
                ],
            ),
            true,
        ));
        plan.push((
            "training-run",
            output(
                d,
                &name("run.json"),
                &["train", net, "-n", "20", "--format", "json"],
            ),
            false,
        ));
        plan.push((
            "explain",
            output(
                d,
                &name("explain.json"),
                &["explain", "E_total+", net, "--format", "json"],
            ),
            false,
        ));
        plan.push(("network", PathBuf::from(net), false));
        plan.push((
            "gradient-check",
            output(d, &name("check.json"), &["check", net, "--format", "json"]),
            false,
        ));
    }
    // A sampled check of a larger network.
    let wide = common::network_file(d, &[60, 40, 3]);
    plan.push((
        "gradient-check",
        output(
            d,
            "sampled-check.json",
            &[
                "check",
                wide.to_str().unwrap(),
                "--sample",
                "30",
                "--format",
                "json",
            ],
        ),
        false,
    ));
    // A diverging run's summary (its `diverged` object), a run with every checkpoint option.
    plan.push((
        "training-run",
        output(
            d,
            "diverged.json",
            &["train", "traces/linear-1e6.json", "--format", "json"],
        ),
        false,
    ));
    plan.push((
        "training-run",
        output(
            d,
            "every.json",
            &[
                "train",
                "traces/xor.json",
                "-n",
                "30",
                "--every",
                "7",
                "--order",
                "random",
                "--format",
                "json",
            ],
        ),
        false,
    ));
    // verify's verdicts: on every homework fixture, on a trace and on every file of the
    // broken corpus that is read to its end (the others are refused before a verdict).
    let verdict = |d: &Path, name: &str, args: &[&str]| {
        let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
            .arg("verify")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let path = d.join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        (path, out.stdout.is_empty())
    };
    let mut verdicts = 0;
    for dir_name in ["tests/fixtures/homework", "tests/fixtures/broken"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir_name)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n != "index.json"))
            .collect();
        files.sort();
        for (i, file) in files.iter().enumerate() {
            let mut args = vec![file.to_str().unwrap()];
            if file.to_str().unwrap().contains("xor") {
                args.extend(["--network", "traces/xor.json"]);
            }
            let (path, empty) = verdict(d, &format!("verdict-{i}-{}.json", dir_name.len()), &args);
            if !empty {
                plan.push(("verdict", path, false));
                verdicts += 1;
            }
        }
    }
    assert!(verdicts >= 50, "{verdicts} verdicts");
    let trace = output(d, "for-verdict.json", &["show", "--format", "json"]);
    plan.push((
        "verdict",
        verdict(d, "verdict-trace.json", &[trace.to_str().unwrap()]).0,
        false,
    ));
    // The committed files, and the version-1 trace the tests keep.
    plan.push(("trace", PathBuf::from("traces/article-trace.json"), false));
    plan.push((
        "article-numbers",
        PathBuf::from("traces/article-numbers.json"),
        false,
    ));
    plan.push((
        "trace",
        PathBuf::from("tests/fixtures/article-trace-v1.json"),
        false,
    ));
    // Every JSON homework the tests keep, and the template verify writes.
    for entry in std::fs::read_dir("tests/fixtures/homework").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            plan.push(("homework", path, false));
        }
    }
    plan.push((
        "homework",
        output(
            d,
            "template.json",
            &["verify", "--template", "--format", "json"],
        ),
        false,
    ));
    // A worksheet for a program, for every --blank and a softmax network; its key (a trace).
    for (i, args) in [
        vec!["exercise", "--student", "alice", "--format", "json"],
        vec![
            "exercise", "--seed", "3", "--blank", "updates", "--format", "json",
        ],
        vec![
            "exercise",
            "--seed",
            "4",
            "--loss",
            "cross_entropy",
            "--layers",
            "2,3,3",
            "--format",
            "json",
        ],
    ]
    .iter()
    .enumerate()
    {
        plan.push((
            "exercise",
            output(d, &format!("exercise-{i}.json"), args),
            false,
        ));
    }
    plan.push((
        "trace",
        output(
            d,
            "exercise-key.json",
            &[
                "exercise",
                "--student",
                "alice",
                "--key",
                "--format",
                "json",
            ],
        ),
        false,
    ));
    // A gradebook: a class of two keys, one submission right, one with a slip, one that
    // cannot be read, one key without a submission.
    let keys = d.join("keys");
    let subs = d.join("subs");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::create_dir_all(&subs).unwrap();
    for student in ["ann", "ben", "cid"] {
        std::fs::copy("traces/article.json", keys.join(format!("{student}.json"))).unwrap();
    }
    std::fs::write(subs.join("ann.csv"), "net_h1,0.3775\nout_h1,0.5933\n").unwrap();
    std::fs::write(subs.join("ben.csv"), "dE_total/dout_o1,-0.7414\n").unwrap();
    std::fs::write(subs.join("zed.csv"), "not a homework\n").unwrap();
    plan.push((
        "gradebook",
        output(
            d,
            "gradebook.json",
            &[
                "grade",
                keys.to_str().unwrap(),
                subs.to_str().unwrap(),
                "--format",
                "json",
                "--no-feedback",
            ],
        ),
        false,
    ));
    // Every file in traces/ is in the plan.
    for entry in std::fs::read_dir("traces").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            assert!(
                plan.iter().any(|(_, p, _)| *p == path),
                "{} has no schema in this test",
                path.display()
            );
        }
    }
    let Some(results) = validate(&plan) else {
        return;
    };
    for r in &results {
        assert!(r["documents"].as_u64().unwrap() >= 1, "{r}");
        assert_eq!(r["failures"], json!([]), "{r}");
    }
}

#[test]
fn wrong_documents_are_rejected() {
    let dir = common::scratch();
    let d = dir.path();
    let trace: Value = serde_json::from_str(&common::stdout_of(&["--format", "json"])).unwrap();
    let network: Value =
        serde_json::from_str(&std::fs::read_to_string("traces/article.json").unwrap()).unwrap();
    let mut wrong: Vec<(&str, Value)> = Vec::new();
    let mut edit = |schema: &'static str, base: &Value, change: &dyn Fn(&mut Value)| {
        let mut doc = base.clone();
        change(&mut doc);
        wrong.push((schema, doc));
    };
    let gradient = |t: &mut Value| -> usize {
        t["iterations"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .position(|v| v["role"]["kind"] == "gradient")
            .unwrap()
    };
    // The trace: a role without its fields, an unknown role, a formula node of two keys, a
    // value with a field the format does not have, a value as text, another version.
    edit("trace", &trace, &|t| {
        let i = gradient(t);
        t["iterations"][0]["values"][i]["role"] = json!({"kind": "gradient"});
    });
    edit("trace", &trace, &|t| {
        t["iterations"][0]["values"][0]["role"] = json!({"kind": "bias_gradient", "neuron": 0});
    });
    edit("trace", &trace, &|t| {
        let i = gradient(t);
        t["iterations"][0]["values"][i]["expr"] = json!({"sum": [0, 1], "product": [0, 1]});
    });
    edit("trace", &trace, &|t| {
        t["iterations"][0]["values"][0]["note"] = json!("extra");
    });
    edit("trace", &trace, &|t| {
        t["iterations"][0]["values"][0]["value"] = json!("0.05");
    });
    edit("trace", &trace, &|t| t["version"] = json!(3));
    // The network file: input and samples both, a negative learning rate, one layer, an
    // unknown activation.
    edit("network", &network, &|n| {
        n["samples"] = json!([{"input": [0, 0], "target": [0, 0]}]);
    });
    edit("network", &network, &|n| n["learning_rate"] = json!(-0.5));
    edit("network", &network, &|n| n["layers"] = json!([2]));
    edit("network", &network, &|n| {
        n["activation"] = json!("softsign")
    });
    // A homework with a list, and a network file given as homework.
    let exercise: Value = serde_json::from_str(&common::stdout_of(&[
        "exercise", "--seed", "1", "--format", "json",
    ]))
    .unwrap();
    edit("exercise", &exercise, &|e| {
        e["blanks"][0]["number"] = json!(0)
    });
    edit("exercise", &exercise, &|e| e["blanks"] = json!([]));
    edit("exercise", &exercise, &|e| {
        e["network"]["layers"] = json!("2-2-2")
    });
    edit("exercise", &exercise, &|e| e["blank"] = json!("some"));
    wrong.push((
        "gradebook",
        json!({"format": "backprop-tracer/gradebook", "version": 1, "rows": [{"student": "a"}]}),
    ));
    wrong.push(("homework", json!({"w5": [0.35]})));
    wrong.push(("homework", network.clone()));
    wrong.push(("homework", json!({"w5": "zero point four"})));
    // A stream line with its values as text.
    wrong.push(("ndjson-line", json!({"iteration": 1, "values": "none"})));
    wrong.push(("ndjson-line", json!({"iteration": 0, "E_total": 0.3, "outputs": [0.7], "weights": [[0.1]], "biases": [0.3]})));
    let files: Vec<(&str, PathBuf, bool)> = wrong
        .iter()
        .enumerate()
        .map(|(i, (schema, doc))| {
            let path = d.join(format!("wrong-{i}.json"));
            std::fs::write(&path, doc.to_string()).unwrap();
            (*schema, path, false)
        })
        .collect();
    let Some(results) = validate(&files) else {
        return;
    };
    for (r, (schema, doc)) in results.iter().zip(&wrong) {
        assert_eq!(
            r["failures"].as_array().unwrap().len(),
            1,
            "{schema} accepted a wrong document: {}",
            &doc.to_string()[..doc.to_string().len().min(300)]
        );
    }
}

/// `backprop schema NAME` prints the file in schemas/, byte for byte.
#[test]
fn the_schema_command_prints_the_published_files() {
    for name in [
        "network",
        "trace",
        "ndjson-line",
        "training-run",
        "homework",
        "explain",
        "article-numbers",
        "gradient-check",
        "verdict",
        "exercise",
        "gradebook",
    ] {
        let file = std::fs::read_to_string(format!("schemas/{name}.schema.json")).unwrap();
        assert_eq!(common::stdout_of(&["schema", name]), file, "{name}");
    }
}
