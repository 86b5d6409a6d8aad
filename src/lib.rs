//! backprop-tracer: backpropagation, number by number.
//!
//! An instrumented engine runs one training iteration of a fully-connected network and
//! records every intermediate value (net, out, δ, ∂E/∂w, the updated weights) with its
//! formula and the numbers substituted, in the notation of the worked example students
//! learn from ("A Step by Step Backpropagation Example", Matt Mazur, and its Chinese
//! translation "一文弄懂神经网络中的反向传播法"). Renderers read the recorded [`trace::Trace`].
//!
//! - [`network`]: the network file (load, validate, save).
//! - [`notation`]: the article's symbols and their typography.
//! - [`engine`]: the iteration, recording through a [`engine::Recorder`].
//! - [`exercise`]: a class's exercises: each student's network, worksheet and key.
//! - [`grade`]: a class's submissions graded against their keys: the gradebook and each
//!   student's feedback.
//! - [`trace`]: the recorded values, the type every renderer reads.
//! - [`article`]: the numbers the article prints, with its errata, as data.
//! - [`render`]: tables and JSON.
//! - [`number`]: how numbers are written.
//! - [`fuzzing`]: the paths the fuzz targets drive.
//! - [`formula`]: reading recorded formulas back, to recompute a value from them.
//! - [`verify`]: checking numbers against a recomputation: a student's own (naming the
//!   likely slip) or a whole trace.
//! - [`gradcheck`]: backpropagation's gradients beside central differences.
//! - [`train`]: training runs: many iterations, checkpoints, the article's training claims,
//!   export (NDJSON, JSON) and the loss curve (terminal, SVG).
//! - [`budget`]: the memory a held trace takes, estimated before recording it.
//! - [`random`]: the seeded, portable draws of a run (initial values, sample order).
//! - [`quiz`]: `step --quiz`: each value typed before it is shown, judged as `verify` judges.
//! - [`quote`]: input quoted in messages, cut to a readable length.
//! - [`schemas`]: the JSON Schemas of every JSON document the tool reads or writes.
//!
//! ```
//! use backprop_tracer::{engine, network::Network, trace::Options};
//!
//! let trace = engine::trace_iteration(&Network::article(), &Options::default());
//! let out_h1 = trace.first().get("out_h1").unwrap();
//! assert_eq!(out_h1.substituted, "1/(1 + e^(-0.3775))");
//! assert_eq!(format!("{:.9}", out_h1.value), "0.593269992");
//! ```

pub mod article;
pub mod budget;
pub mod engine;
pub mod exercise;
pub mod formula;
pub mod fuzzing;
pub mod gradcheck;
pub mod grade;
pub mod loss;
pub mod network;
pub mod notation;
pub mod number;
pub mod optimizer;
pub mod quiz;
pub mod quote;
pub mod random;
pub mod render;
pub mod schemas;
pub mod trace;
pub mod train;
pub mod verify;
