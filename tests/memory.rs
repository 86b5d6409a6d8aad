//! Memory: `show --format json` writes the trace while it is computed, byte for byte the trace
//! the in-memory path writes; the commands that must hold the trace refuse, in one line and
//! before recording anything, a network whose trace would not fit; and none of them ends in
//! an allocation failure under a limited address space.

mod common;

use assert_cmd::Command;
use backprop_tracer::budget;
use backprop_tracer::engine;
use backprop_tracer::network::{Activation, Network};
use backprop_tracer::render::json;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn backprop() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("backprop")
}

/// The JSON trace of `path` as the in-memory path writes it (`engine::trace_iteration`, then
/// `render::json`), for the options `args` select.
fn kept_trace(path: &Path, args: &[&str]) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    let (network, _) = Network::from_json_str(&text).unwrap();
    let mut options = backprop_tracer::trace::Options {
        update_biases: network.update_biases,
        ..Default::default()
    };
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--update-biases" => options.update_biases = true,
            "--update-order" => {
                options.update_order = match *args.next().unwrap() {
                    "sequential" => backprop_tracer::trace::UpdateOrder::Sequential,
                    _ => backprop_tracer::trace::UpdateOrder::Simultaneous,
                }
            }
            "--precision" => options.precision = args.next().unwrap().parse().unwrap(),
            other => panic!("not an option of this test: {other}"),
        }
    }
    let mut out = Vec::new();
    json::render(&engine::trace_iteration(&network, &options), &mut out).unwrap();
    out
}

/// A network file with only layers and a seed (weights and biases drawn from it), with
/// inputs and targets of the right sizes.
fn seeded_network(dir: &Path, layers: &[usize]) -> PathBuf {
    let text = format!(
        r#"{{"layers": {layers:?}, "activation": "sigmoid", "learning_rate": 0.5, "input": {:?}, "target": {:?}, "seed": 1}}"#,
        vec![0.5; layers[0]],
        vec![0.25; layers[layers.len() - 1]],
    );
    let path = dir.join(format!(
        "{}.json",
        layers
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("-")
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// The streamed trace, to standard output and to a file, is the kept one byte for byte:
/// the shipped networks and random ones, with every option that changes the trace.
#[test]
fn the_streamed_trace_is_the_kept_trace_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut networks: Vec<PathBuf> = [
        "traces/article.json",
        "traces/tanh-3-4-2.json",
        "traces/deep-2-3-2-1.json",
        "traces/xor.json",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for (n, (layers, shared)) in [(&[3, 5, 4, 2][..], false), (&[4, 2, 3][..], true)]
        .into_iter()
        .enumerate()
    {
        let activations = [Activation::Relu, Activation::Tanh, Activation::Linear];
        let net = common::build(
            layers,
            &activations[..layers.len() - 1],
            shared,
            0.3,
            n as u64,
        );
        let path = dir.path().join(format!("random-{n}.json"));
        std::fs::write(&path, net.to_json_pretty()).unwrap();
        networks.push(path);
    }
    networks.push(seeded_network(dir.path(), &[6, 7, 3]));
    let variants: [&[&str]; 4] = [
        &[],
        &["--update-order", "sequential"],
        &["--update-biases", "--precision", "3"],
        &["--update-order", "sequential", "--update-biases"],
    ];
    for network in &networks {
        for args in variants {
            let expected = kept_trace(network, args);
            let streamed = backprop()
                .arg("show")
                .arg(network)
                .args(["--format", "json"])
                .args(args)
                .output()
                .unwrap();
            assert!(streamed.status.success(), "{network:?} {args:?}");
            assert!(
                streamed.stdout == expected,
                "{network:?} {args:?}: the streamed trace differs"
            );
            let file = dir.path().join("trace.json");
            backprop()
                .arg("show")
                .arg(network)
                .args(["--format", "json", "-o"])
                .arg(&file)
                .args(args)
                .assert()
                .success();
            assert!(
                std::fs::read(&file).unwrap() == expected,
                "{network:?} {args:?} -o"
            );
        }
    }
}

/// A NaN or an infinity is refused before anything is written: nothing on standard output,
/// no file, and the message the tables give.
#[test]
fn a_non_finite_trace_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("traces/linear-1e6.json")
        .unwrap()
        .replace("1e6", "1e306");
    let path = dir.path().join("huge.json");
    std::fs::write(&path, text).unwrap();
    let tables = backprop().arg(&path).output().unwrap();
    assert_eq!(tables.status.code(), Some(1));
    let message = String::from_utf8(tables.stderr).unwrap();
    assert!(
        message.contains("the iteration produced a non-finite value"),
        "{message}"
    );
    backprop()
        .arg(&path)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(message.clone());
    let out = dir.path().join("out.json");
    backprop()
        .arg(&path)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(message);
    assert!(!out.exists());
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["huge.json"]);
}

/// 3162-3162: 9,998,244 weights, as many as the loader accepts (10,000,000) within a row.
const BIG: [usize; 2] = [3162, 3162];

/// Every command that holds the trace refuses the 10,000,000-weight network in one line,
/// naming its size, the estimate and what to do instead, with status 1, before recording.
#[test]
fn a_trace_too_large_to_hold_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = seeded_network(dir.path(), &BIG);
    let homework = dir.path().join("mine.csv");
    std::fs::write(&homework, "out_o1,0.5\n").unwrap();
    let commands: [Vec<&std::ffi::OsStr>; 7] = [
        vec![big.as_os_str()],
        vec![
            "show".as_ref(),
            big.as_os_str(),
            "--section".as_ref(),
            "forward".as_ref(),
        ],
        vec![
            "show".as_ref(),
            big.as_os_str(),
            "--only".as_ref(),
            "w1".as_ref(),
        ],
        vec!["explain".as_ref(), "w1+".as_ref(), big.as_os_str()],
        vec!["step".as_ref(), "--plain".as_ref(), big.as_os_str()],
        vec!["check".as_ref(), big.as_os_str()],
        vec![
            "verify".as_ref(),
            homework.as_os_str(),
            "--network".as_ref(),
            big.as_os_str(),
        ],
    ];
    for args in commands {
        let output = backprop().args(&args).write_stdin("").output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        for words in [
            "3162-3162 network (9,998,244 weights)",
            " GB, more than the 2.0 GB",
            "--format json -o FILE",
        ] {
            assert!(stderr.contains(words), "{args:?}: {words:?} in {stderr}");
        }
    }
}

/// Under a 2 GB address-space limit (`ulimit -v 2000000`), the commands that hold the trace
/// refuse the 10,000,000-weight network in one line: none aborts on a failed allocation.
/// And `show --format json -o`, which streams, writes the trace of a network whose kept trace
/// would take some 2.4 GB within a 400 MB limit. (The whole 10,000,000-weight trace takes too
/// long to write in a debug build; the README gives its measured peak.)
#[cfg(target_os = "linux")]
#[test]
fn under_a_memory_limit_every_command_completes_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let big = seeded_network(dir.path(), &BIG);
    let bin = assert_cmd::cargo::cargo_bin!("backprop");
    let limited = |limit_kb: u64, args: &str| {
        let script = format!("ulimit -v {limit_kb}; exec {} {args}", bin.display());
        std::process::Command::new("bash")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let homework = dir.path().join("mine.csv");
    std::fs::write(&homework, "out_o1,0.5\n").unwrap();
    let (big, homework) = (big.display(), homework.display());
    for args in [
        format!("show {big}"),
        format!("explain w1+ {big}"),
        format!("step --plain {big}"),
        format!("check {big}"),
        format!("verify {homework} --network {big}"),
    ] {
        let output = limited(2_000_000, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args}: {stderr}");
        assert!(stderr.contains("more than the"), "{args}: {stderr}");
    }

    // 1000-1000: a million weights, some four million values.
    let wide = seeded_network(dir.path(), &[1000, 1000]);
    let out = dir.path().join("wide-trace.json");
    let output = limited(
        400_000,
        &format!("show {} --format json -o {}", wide.display(), out.display()),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Whole, and every value in it (not parsed: as a serde_json::Value it would take
    // gigabytes).
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("{\n  \"format\": \"backprop-tracer/trace\""));
    assert!(
        text.ends_with("\"E_o1000+\"\n          ]\n        }\n      ]\n    }\n  ]\n}\n"),
        "{}",
        &text[text.len() - 300..]
    );
    let (network, _) = Network::from_json_str(&std::fs::read_to_string(&wide).unwrap()).unwrap();
    let size = budget::size(&network, &Default::default());
    assert_eq!(
        text.matches("\n          \"symbol\": ").count() as u64,
        size.values
    );
    // The tables of the same network are refused in that limit, and named.
    let output = limited(400_000, &format!("show {}", wide.display()));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        predicate::str::contains("1000-1000 network (1,000,000 weights)")
            .eval(&String::from_utf8_lossy(&output.stderr))
    );
}
