//! Memory: `show --format json` writes the trace while it is computed, byte for byte the trace
//! the in-memory path writes; the commands that must hold the trace refuse, in one line and
//! before recording anything, a network whose trace would not fit; and none of them ends in
//! an allocation failure under a limited address space.

mod common;

use assert_cmd::Command;
use backprop_tracer::engine;
use backprop_tracer::network::{Activation, Network};
use backprop_tracer::render::json;
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

/// 700-700: 490,000 weights, whose held trace would take some 2.6 GB (the refusals below
/// run in a debug build; drawing 10,000,000 weights there takes seconds per command).
const LARGE: [usize; 2] = [700, 700];

/// Every command that holds the trace refuses a network whose trace would take more than
/// 2 GB in one line, naming its size, the estimate and what to do instead, with status 1,
/// before recording.
#[test]
fn a_trace_too_large_to_hold_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = seeded_network(dir.path(), &LARGE);
    let homework = dir.path().join("mine.csv");
    std::fs::write(&homework, "out_o1,0.5\n").unwrap();
    let commands: [Vec<&std::ffi::OsStr>; 6] = [
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
            "700-700 network (490,000 weights) records 1,967,704 values",
            " GB, more than the 2.0 GB",
            "--format json -o FILE",
        ] {
            assert!(stderr.contains(words), "{args:?}: {words:?} in {stderr}");
        }
    }
}

/// Under a 2 GB address-space limit (`ulimit -v 2000000`), the 10,000,000-weight network's
/// tables are refused in one line, not ended by a failed allocation. Under a lower limit, the
/// budget shrinks with it: every command that holds the trace refuses a smaller network,
/// while `show --format json -o`, which streams, writes its trace in that limit. (Writing a
/// 10,000,000-weight trace takes too long in a debug build; the README gives its measured
/// peak: 239 MB.)
#[cfg(target_os = "linux")]
#[test]
fn under_a_memory_limit_every_command_completes_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("backprop");
    let limited = |limit_kb: u64, args: &str| {
        let script = format!("ulimit -v {limit_kb}; exec {} {args}", bin.display());
        std::process::Command::new("bash")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let refused = |limit_kb: u64, args: &str, words: &str| {
        let output = limited(limit_kb, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args}: {stderr}");
        assert!(output.stdout.is_empty(), "{args}");
        assert_eq!(stderr.lines().count(), 1, "{args}: {stderr}");
        assert!(stderr.contains(words), "{args}: {words:?} in {stderr}");
    };
    let big = seeded_network(dir.path(), &BIG);
    refused(
        2_000_000,
        &format!("show {}", big.display()),
        "9,998,244 weights",
    );

    // 100-100: 10,000 weights, 41,104 values; held, some 55 MB. Under a 60 MB limit the
    // budget is 46 MB.
    let small = seeded_network(dir.path(), &[100, 100]);
    let homework = dir.path().join("mine.csv");
    std::fs::write(&homework, "out_o1,0.5\n").unwrap();
    let (net, homework) = (small.display(), homework.display());
    for args in [
        format!("show {net}"),
        format!("show {net} --section forward"),
        format!("explain w1+ {net}"),
        format!("step --plain {net}"),
        format!("verify {homework} --network {net}"),
    ] {
        refused(60_000, &args, "more than the 46 MB this command may use");
    }
    // `check` holds no trace (its gradients come from an untraced iteration): it checks the
    // network within the same limit.
    let output = limited(60_000, &format!("check {net}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = dir.path().join("trace.json");
    let output = limited(
        60_000,
        &format!("show {net} --format json -o {}", out.display()),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The trace, whole: the kept one, byte for byte.
    assert!(std::fs::read(&out).unwrap() == kept_trace(&small, &[]));
}
