//! Training speed, measured (the README's "Training runs" gives the figures and the
//! command): untraced iterations against a hand-written straight-line loop, the full trace
//! streamed as NDJSON, and one recorded iteration of a 784-128-10 network written as JSON
//! (streamed, as `show --format json` writes it, and from a trace held in memory, as the
//! tables need it). Peak heap use is measured by a counting allocator and printed before the
//! timings, with that of a 784-1024-784 network streamed as JSON (README: "Memory").

use backprop_tracer::engine::{self, NoRecorder, Workspace};
use backprop_tracer::network::{Bias, Network, Sample};
use backprop_tracer::optimizer::Optimizer;
use backprop_tracer::random::{Random, Stream};
use backprop_tracer::render::{json, stream};
use backprop_tracer::trace::{Options, UpdateOrder};
use backprop_tracer::train::{self, Export, RunOptions, SampleOrder};
use divan::{Bencher, counter::BytesCount};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && COUNTING.load(Relaxed) {
            let now = IN_USE.fetch_add(layout.size() as isize, Relaxed) + layout.size() as isize;
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        if COUNTING.load(Relaxed) {
            IN_USE.fetch_sub(layout.size() as isize, Relaxed);
        }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() && COUNTING.load(Relaxed) {
            IN_USE.fetch_sub(layout.size() as isize, Relaxed);
            let now = IN_USE.fetch_add(new_size as isize, Relaxed) + new_size as isize;
            PEAK.fetch_max(now, Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns the peak heap it used, in bytes (the timed benchmarks run with the
/// counting off). Memory freed in `f` that was allocated before it is not counted, so the
/// count only starts from a clean slate: `f` must own everything it uses.
fn peak_heap(f: impl FnOnce()) -> usize {
    IN_USE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    f();
    COUNTING.store(false, Relaxed);
    PEAK.load(Relaxed).max(0) as usize
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for n in [1_000, 10_000] {
        let path = dir.path().join("run.ndjson");
        let peak = peak_heap(|| {
            ndjson_run(n, &path);
        });
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "peak heap, {n} iterations streamed as NDJSON (full trace, {:.1} MB written): {:.2} MiB",
            size as f64 / 1e6,
            mib(peak)
        );
    }
    let path = dir.path().join("trace.json");
    for (how, write) in [
        ("streamed", stream_to_json as fn(&Network, &std::path::Path)),
        ("held, then written", trace_to_json),
    ] {
        let net = mnist_sized();
        let peak = peak_heap(|| write(&net, &path));
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "peak heap, one recorded iteration of 784-128-10 {how} as JSON ({:.0} MB): {:.1} MiB",
            size as f64 / 1e6,
            mib(peak)
        );
    }
    let wide = seeded(&[784, 1024, 784]);
    let peak = peak_heap(|| stream_to_json(&wide, &path));
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "peak heap, one recorded iteration of 784-1024-784 (1,605,632 weights) streamed as \
         JSON ({:.0} MB), beyond the network's own {:.1} MiB: {:.1} MiB",
        size as f64 / 1e6,
        mib(weights_bytes(&wide)),
        mib(peak)
    );
    divan::main();
}

const N: usize = 1_000_000;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The baseline: the article's 2-2-2 network trained by hand-written straight-line f64 code.
fn hand_written(n: usize, inputs: [f64; 2], targets: [f64; 2]) -> ([f64; 8], f64) {
    let [i1, i2] = inputs;
    let [t1, t2] = targets;
    let (b1, b2, eta) = (0.35, 0.60, 0.5);
    let mut w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55];
    let mut e_total = 0.0;
    for _ in 0..n {
        let h1 = sigmoid(w[0] * i1 + w[1] * i2 + b1);
        let h2 = sigmoid(w[2] * i1 + w[3] * i2 + b1);
        let o1 = sigmoid(w[4] * h1 + w[5] * h2 + b2);
        let o2 = sigmoid(w[6] * h1 + w[7] * h2 + b2);
        e_total = 0.5 * (t1 - o1) * (t1 - o1) + 0.5 * (t2 - o2) * (t2 - o2);
        let d_o1 = -(t1 - o1) * o1 * (1.0 - o1);
        let d_o2 = -(t2 - o2) * o2 * (1.0 - o2);
        let d_h1 = (d_o1 * w[4] + d_o2 * w[6]) * h1 * (1.0 - h1);
        let d_h2 = (d_o1 * w[5] + d_o2 * w[7]) * h2 * (1.0 - h2);
        w[4] -= eta * d_o1 * h1;
        w[5] -= eta * d_o1 * h2;
        w[6] -= eta * d_o2 * h1;
        w[7] -= eta * d_o2 * h2;
        w[0] -= eta * d_h1 * i1;
        w[1] -= eta * d_h1 * i2;
        w[2] -= eta * d_h2 * i1;
        w[3] -= eta * d_h2 * i2;
    }
    (w, e_total)
}

/// The baseline.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_hand_written() -> ([f64; 8], f64) {
    hand_written(N, black_box([0.05, 0.10]), black_box([0.01, 0.99]))
}

/// engine::step with recording off, the loop written around it by hand.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_engine_step() -> f64 {
    untraced(black_box(Network::article()), N)
}

/// `n` untraced iterations of `net` with its own optimizer, the loop written by hand.
fn untraced(mut net: Network, n: usize) -> f64 {
    let mut ws = Workspace::new(&net);
    let (input, target) = (net.input.clone(), net.target.clone());
    let mut e = 0.0;
    for _ in 0..n {
        e = engine::step(
            &mut net,
            &input,
            &target,
            UpdateOrder::Simultaneous,
            false,
            &mut ws,
            &mut NoRecorder,
        );
    }
    e
}

/// `net` with `optimizer` and a fresh state for it.
fn with_optimizer(mut net: Network, optimizer: Optimizer) -> Network {
    net.optimizer = optimizer;
    net.optimizer_state = optimizer.fresh_state(&net.weights, &net.biases);
    net
}

const MOMENTUM: Optimizer = Optimizer::Momentum {
    beta: 0.9,
    nesterov: false,
};
const ADAM: Optimizer = Optimizer::Adam {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
};

/// The article's network with momentum: the general layer code (the constant-size copy is
/// plain gradient descent's).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_engine_step_momentum() -> f64 {
    untraced(with_optimizer(black_box(Network::article()), MOMENTUM), N)
}

/// The article's network with Adam.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_engine_step_adam() -> f64 {
    untraced(with_optimizer(black_box(Network::article()), ADAM), N)
}

/// 1,000 iterations of a 784-30-10 sigmoid network (23,850 weights), plain gradient descent:
/// the baseline of Adam's cost where both run the same general layer code.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn thousand_784_30_10_sgd() -> f64 {
    untraced(black_box(seeded(&[784, 30, 10])), 1000)
}

/// The same with Adam (target: at most 2× plain gradient descent).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn thousand_784_30_10_adam() -> f64 {
    untraced(
        with_optimizer(black_box(seeded(&[784, 30, 10])), ADAM),
        1000,
    )
}

/// 1,000 iterations of a 784-30-10 sigmoid network over one batch of its 10 samples (the
/// mean of their gradients): the loop `benches/batch_numpy.py` writes in numpy.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn thousand_784_30_10_batch_10() -> f64 {
    let mut net = black_box(seeded(&[784, 30, 10]));
    let mut rng = Random::new(2, Stream::InitialValues);
    net.samples = (0..10)
        .map(|s| Sample {
            input: (0..784).map(|_| rng.unit()).collect(),
            target: (0..10).map(|o| if o == s { 1.0 } else { 0.0 }).collect(),
        })
        .collect();
    net.batch_size = 10;
    let batch: Vec<usize> = (0..10).collect();
    let mut ws = Workspace::new(&net);
    let mut e = 0.0;
    for _ in 0..1000 {
        e = engine::batch_step(&mut net, &batch, false, &mut ws, &mut NoRecorder);
    }
    e
}

fn article_options(iterations: usize) -> RunOptions {
    RunOptions {
        iterations,
        update_order: UpdateOrder::Simultaneous,
        update_biases: false,
        sample_order: SampleOrder::Cyclic,
        every: None,
        seed: None,
    }
}

/// What `backprop train -n 1000000 -q` runs: train::run with its checkpoints, loss curve
/// and divergence check.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn million_train_run() -> f64 {
    let net = black_box(Network::article());
    let run = train::run(&net, &article_options(N), &[], Export::None, &mut |_| {}).unwrap();
    run.checkpoints.last().unwrap().e_total
}

fn ndjson_run(n: usize, path: &std::path::Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut out = BufWriter::new(file);
    let net = Network::article();
    train::run(
        &net,
        &article_options(n),
        &[],
        Export::Full(&mut out, 9),
        &mut |_| {},
    )
    .unwrap();
    out.flush().unwrap();
}

/// `backprop train -n 10000 --format ndjson -o FILE`: every value of every iteration.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn ndjson_10k_full_trace_to_file(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.ndjson");
    ndjson_run(10_000, &path);
    let bytes = std::fs::metadata(&path).unwrap().len();
    bencher
        .counter(BytesCount::new(bytes))
        .bench_local(|| ndjson_run(10_000, &path));
}

/// A 784-128-10 sigmoid network (101,632 weights) with weights and an input drawn from a seed.
fn mnist_sized() -> Network {
    seeded(&[784, 128, 10])
}

/// The bytes of `net`'s weights.
fn weights_bytes(net: &Network) -> usize {
    net.weights.iter().map(|w| w.len() * 8).sum()
}

/// A sigmoid network of the given layers, with weights and an input drawn from a seed.
fn seeded(layers: &[usize]) -> Network {
    let mut rng = Random::new(1, Stream::InitialValues);
    let mut net = Network::article();
    net.layers = layers.to_vec();
    net.activations = vec![net.activations[0]; layers.len() - 1];
    net.weights = layers
        .windows(2)
        .map(|p| (0..p[0] * p[1]).map(|_| rng.unit() * 0.1 - 0.05).collect())
        .collect();
    net.biases = vec![Bias::Shared(0.1); layers.len() - 1];
    net.input = (0..layers[0]).map(|_| rng.unit()).collect();
    let outputs = layers[layers.len() - 1];
    net.target = (0..outputs)
        .map(|i| if i == 3 { 1.0 } else { 0.0 })
        .collect();
    net
}

fn trace_to_json(net: &Network, path: &std::path::Path) {
    let trace = engine::trace_iteration(net, &Options::default());
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    json::render(&trace, &mut out).unwrap();
    out.flush().unwrap();
}

/// What `backprop show NET --format json -o FILE` runs: the trace written as it is computed.
fn stream_to_json(net: &Network, path: &std::path::Path) {
    let mut file = std::fs::File::create(path).unwrap();
    stream::write_trace(net.clone(), &Options::default(), &mut file).unwrap();
}

/// `backprop show NET --format json -o FILE` on a 784-128-10 network.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn trace_784_128_10_to_json(bencher: Bencher) {
    let net = mnist_sized();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.json");
    bencher.bench_local(|| stream_to_json(&net, &path));
}

/// The same trace held in memory first, as the tables need it.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn trace_784_128_10_held_then_json(bencher: Bencher) {
    let net = mnist_sized();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.json");
    bencher.bench_local(|| trace_to_json(&net, &path));
}
