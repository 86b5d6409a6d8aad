//! Checking numbers against a recomputation, for `backprop verify`.
//!
//! - [`homework`]: a student's own values (`{"out_h1": 0.5933, …}` or `symbol,value` lines),
//!   each compared with the engine's at the precision the student wrote it; for a wrong
//!   value, whether it follows from an earlier wrong one or is a new mistake, and which
//!   slip it probably is ([`slips`]).
//! - [`slip_values`]: what each slip gives at each value, worked out ahead for a judge that
//!   sees one answer at a time (the self-checking worksheet).
//! - [`template`]: the blank homework a student fills in, every symbol in computation order.
//! - [`trace_check`]: a whole trace, every value recomputed from its formula and the
//!   recorded values of its operands, and every substituted formula read against its formula.
//!
//! - [`errata`]: the article's own printed numbers (its typo, its rounding, its code's
//!   update order), recognised in a homework on the article's network.
//!
//! Both checks read recorded formulas back through [`crate::formula`]; only [`errata`]
//! knows the article's numbers, so the checks and the slips work on any network.

pub mod errata;
pub mod homework;
pub mod run_check;
pub mod slip_values;
pub mod slips;
pub mod template;
pub mod trace_check;
pub mod verdict;
