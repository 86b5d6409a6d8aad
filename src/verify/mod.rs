//! Checking numbers against a recomputation, for `backprop verify`.
//!
//! - [`homework`]: a student's own values (`{"out_h1": 0.5933, …}` or `symbol,value` lines),
//!   each compared with the engine's at the precision the student wrote it; for a wrong
//!   value, whether it follows from an earlier wrong one or is a new mistake, and which
//!   slip it probably is ([`slips`]).
//! - [`template`]: the blank homework a student fills in, every symbol in computation order.
//! - [`trace_check`]: a whole trace, every value recomputed from its formula and the
//!   recorded values of its operands, and every substituted formula read against its formula.
//!
//! Both read recorded formulas back through [`crate::formula`]; neither knows the article's
//! numbers, so they work on any network.

pub mod homework;
pub mod slips;
pub mod template;
pub mod trace_check;
