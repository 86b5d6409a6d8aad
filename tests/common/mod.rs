//! What the integration tests share: running `backprop` for its output, random networks (for
//! the property tests and the engine checks), and a scratch directory.

#![allow(dead_code)]

pub mod names;

use backprop_tracer::network::{Activation, Network};
use proptest::prelude::*;

/// The activations that act on each neuron alone (every one but the softmax, which is
/// allowed on the output layer only and is tested with the losses, tests/losses.rs).
pub const ELEMENT_WISE: [Activation; 4] = [
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::Linear,
];

/// A random network: 1–3 hidden layers, every layer 1–6 neurons wide, any activation per
/// layer, shared or per-neuron biases, weights and inputs in [−1, 1], targets in [0, 1].
pub fn network() -> impl Strategy<Value = Network> {
    (1usize..=3)
        .prop_flat_map(|hidden| {
            (
                prop::collection::vec(1usize..=6, hidden + 2),
                prop::collection::vec(prop::sample::select(ELEMENT_WISE.to_vec()), hidden + 1),
                any::<bool>(),
                0.1f64..1.0,
                any::<u64>(),
            )
        })
        .prop_map(|(layers, activations, shared, eta, seed)| {
            build(&layers, &activations, shared, eta, seed)
        })
}

/// Builds the network through its JSON file form, so that it is one the program accepts.
pub fn build(
    layers: &[usize],
    activations: &[Activation],
    shared_biases: bool,
    eta: f64,
    seed: u64,
) -> Network {
    let mut rng = SplitMix(seed);
    let mut uniform = |lo: f64, hi: f64| rng.uniform(lo, hi);
    let depth = layers.len() - 1;
    let weights: Vec<Vec<f64>> = (0..depth)
        .map(|l| {
            (0..layers[l] * layers[l + 1])
                .map(|_| uniform(-1.0, 1.0))
                .collect()
        })
        .collect();
    let biases: Vec<serde_json::Value> = (0..depth)
        .map(|l| {
            if shared_biases {
                serde_json::json!(uniform(-1.0, 1.0))
            } else {
                serde_json::json!(
                    (0..layers[l + 1])
                        .map(|_| uniform(-1.0, 1.0))
                        .collect::<Vec<_>>()
                )
            }
        })
        .collect();
    let input: Vec<f64> = (0..layers[0]).map(|_| uniform(-1.0, 1.0)).collect();
    let target: Vec<f64> = (0..layers[depth]).map(|_| uniform(0.0, 1.0)).collect();
    let names: Vec<&str> = activations.iter().map(|a| a.name()).collect();
    let file = serde_json::json!({
        "layers": layers,
        "activation": names,
        "learning_rate": eta,
        "weights": weights,
        "biases": biases,
        "input": input,
        "target": target,
    });
    Network::from_json_str(&file.to_string())
        .expect("a generated network is valid")
        .0
}

/// splitmix64: a few lines, portable, enough for test data.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// A number in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number in [−1, 1).
    pub fn signed(&mut self) -> f64 {
        2.0 * self.next() - 1.0
    }

    /// A number in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

/// A scratch directory, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// `backprop ARGS`, which must succeed (its stderr is shown if not): what it printed.
/// NO_COLOR is removed so a developer's environment cannot change the output.
pub fn stdout_of(args: &[&str]) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("backprop")
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("backprop runs");
    assert!(
        out.status.success(),
        "backprop {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// f(net), written plainly from the maths for the independent references of
/// tests/engine.rs and tests/reference.rs (no code shared with src/).
pub fn activation(act: Activation, x: f64) -> f64 {
    match act {
        Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Activation::Tanh => x.tanh(),
        Activation::Relu => {
            if x > 0.0 {
                x
            } else {
                0.0
            }
        }
        Activation::Linear => x,
        Activation::Softmax => panic!("the softmax acts on a whole layer: see tests/losses.rs"),
    }
}

/// f'(net), written from net (the engine writes sigmoid's and tanh's from out).
pub fn activation_derivative(act: Activation, x: f64) -> f64 {
    match act {
        Activation::Sigmoid => {
            let s = 1.0 / (1.0 + (-x).exp());
            s * (1.0 - s)
        }
        Activation::Tanh => {
            let c = x.cosh();
            1.0 / (c * c)
        }
        Activation::Relu => {
            if x > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Linear => 1.0,
        Activation::Softmax => panic!("the softmax's derivative is a matrix: see tests/losses.rs"),
    }
}

/// Runs `command` with `input` on its standard input and returns what it printed.
pub fn piped(mut command: std::process::Command, input: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input)
        .expect("the command reads its input");
    child.wait_with_output().expect("the command ends")
}

/// Whether a tool the tests need from outside Rust (Node's packages, Graphviz, pdflatex)
/// is `found`. When it is not: on CI (`CI=true`, where .ci/run installs it) a failure; on a
/// developer's machine a loud SKIPPED message, and `false`.
pub fn required(found: bool, what: &str) -> bool {
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI: {what} is needed"
        );
        eprintln!("\n*** SKIPPED: {what} is needed; .ci/run installs it ***\n");
    }
    found
}

/// Whether `program ARG` runs and succeeds (`dot -V`, `pdflatex --version`).
pub fn runs(program: &str, arg: &str) -> bool {
    std::process::Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A network file of `layers` in `dir`: every input 0.5, targets alternating 0 and 1, the
/// weights and biases drawn from seed 1.
pub fn network_file(dir: &std::path::Path, layers: &[usize]) -> std::path::PathBuf {
    let list = |v: Vec<String>| v.join(", ");
    let input = list(vec!["0.5".to_string(); layers[0]]);
    let last = *layers.last().unwrap();
    let target = list((0..last).map(|j| (j % 2).to_string()).collect());
    let shape = list(layers.iter().map(|n| n.to_string()).collect());
    let name: Vec<String> = layers.iter().map(|n| n.to_string()).collect();
    let path = dir.join(format!("net-{}.json", name.join("-")));
    std::fs::write(
        &path,
        format!(r#"{{"layers": [{shape}], "seed": 1, "input": [{input}], "target": [{target}]}}"#),
    )
    .unwrap();
    path
}

/// The report of the browser script `script` (tests/js/browser.mjs for `show --format html`,
/// tests/js/worksheet.mjs for a worksheet) after following `plan` on the page at `page` in
/// headless Chromium, with its `errors` and `requests` checked to be empty (the pages work
/// offline); `None` when Node, playwright-core or Chromium is missing (off CI: on CI that
/// fails, see [`required`]).
pub fn browse(
    script: &str,
    page: &std::path::Path,
    mut plan: serde_json::Value,
) -> Option<serde_json::Value> {
    use serde_json::json;
    let installed = std::path::Path::new("tests/js/node_modules/playwright-core").exists();
    let what = "Node.js with tests/js/node_modules/playwright-core (`npm ci --prefix tests/js`) \
                and Debian's chromium (/usr/bin/chromium)";
    let found = runs("node", "--version")
        && installed
        && std::path::Path::new("/usr/bin/chromium").exists();
    if !required(found, what) {
        return None;
    }
    plan["page"] = json!(page.canonicalize().expect("the page was written"));
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(plan.to_string())
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the report is JSON");
    assert_eq!(report["errors"], json!([]), "errors in the page");
    assert_eq!(report["requests"], json!([]), "the page made requests");
    Some(report)
}

/// Whether the last frame that `raw` (all the program wrote) began is painted to its end. A
/// frame is written row by row, from the top (`ESC[1;1H`) to the last of `rows` rows
/// (`ESC[{rows};1H`), each row ending with clear-to-end-of-line (`ESC[K`), and may reach
/// the terminal in several reads: until the last row's clear has arrived, the rows below
/// the ones already drawn still show the previous frame.
pub fn frame_complete(raw: &[u8], rows: u16) -> bool {
    let raw = String::from_utf8_lossy(raw);
    let last_row = format!("\x1b[{rows};1H");
    match (raw.rfind("\x1b[1;1H"), raw.rfind(&last_row)) {
        (Some(top), Some(bottom)) => bottom > top && raw[bottom..].contains("\x1b[K"),
        _ => false,
    }
}

/// `COMMAND | head -c 16`: a reader that takes 16 bytes of standard output and goes away;
/// then `stdin` (when given) is written to the command, whose output is gone. What the
/// command did, to check that it ended quietly (status 0, no panic).
pub fn reader_stops_after_16_bytes(
    mut command: std::process::Command,
    stdin: Option<&[u8]>,
) -> std::process::Output {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // The command may have ended already: a write into its closed input is no failure.
        let _ = pipe.write_all(text);
    }
    child.wait_with_output().unwrap()
}
