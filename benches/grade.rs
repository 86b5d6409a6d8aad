//! Grading a class, measured (the README's "Grading a class" gives the figure and the
//! command): 200 keys, half 2-2-2 and half 2-3-2 networks with weights of their own, and 200
//! full submissions (every value of the template), one in five with a slip (η left out of
//! w5⁺) and one in five with a value miscopied early so that the rest follow from it. The
//! library's `grade::grade` is timed, and the binary once, writing the gradebook and the 200
//! feedback pages. The target: under 5 seconds for the class.

use backprop_tracer::engine;
use backprop_tracer::grade;
use backprop_tracer::network::{Bias, Network};
use backprop_tracer::trace::Options;
use std::fs;
use std::path::Path;
use std::time::Instant;

const STUDENTS: usize = 200;

/// Student `n`'s network: 2-2-2 or 2-3-2, weights of their own.
fn network(n: usize) -> Network {
    let mut net = Network::article();
    let hidden = if n.is_multiple_of(2) { 2 } else { 3 };
    net.layers = vec![2, hidden, 2];
    let w = |i: usize| 0.05 + ((n * 7 + i * 13) % 60) as f64 / 100.0;
    net.weights = vec![
        (0..2 * hidden).map(w).collect(),
        (0..2 * hidden).map(|i| w(i + 20)).collect(),
    ];
    net.biases = vec![Bias::Shared(0.35), Bias::Shared(0.6)];
    net
}

/// Builds the class in `root`: `keys/` (network files) and `subs/`.
fn build(root: &Path) {
    let (keys, subs) = (root.join("keys"), root.join("subs"));
    fs::create_dir_all(&keys).unwrap();
    fs::create_dir_all(&subs).unwrap();
    for n in 0..STUDENTS {
        let net = network(n);
        fs::write(keys.join(format!("student-{n}.json")), net.to_json_pretty()).unwrap();
        let trace = engine::trace_iteration(&net, &Options::default());
        let mut csv = String::from("symbol,value\n");
        for v in &trace.first().values {
            let value = match (n % 5, v.symbol.as_str()) {
                // η left out: w5⁺ = w5 − ∂E_total/∂w5.
                (1, "w5+") => net.weights[1][0] - trace.first().get("dE_total/dw5").unwrap().value,
                // A value miscopied: everything after it follows from it (or does not).
                (2, "out_h1") => v.value + 0.001,
                _ => v.value,
            };
            csv.push_str(&format!("{},{value:.9}\n", v.symbol));
        }
        fs::write(subs.join(format!("Student {n}.csv")), csv).unwrap();
    }
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build(root);
    let started = Instant::now();
    let class = grade::grade(&root.join("keys"), &root.join("subs"), grade::MIN_DIGITS).unwrap();
    let library = started.elapsed();
    assert_eq!(class.rows.len(), STUDENTS);
    assert!(
        class
            .rows
            .iter()
            .all(|r| matches!(r.outcome, grade::Outcome::Graded(_)))
    );
    let started = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_backprop"))
        .current_dir(root)
        .args(["grade", "keys", "subs", "-o", "gradebook.csv"])
        .status()
        .unwrap();
    let binary = started.elapsed();
    assert!(status.success());
    println!(
        "grade, {STUDENTS} submissions: library {:.2} s, binary (gradebook and feedback) {:.2} s",
        library.as_secs_f64(),
        binary.as_secs_f64()
    );
    assert!(binary.as_secs_f64() < 5.0, "the target is under 5 s");
}
