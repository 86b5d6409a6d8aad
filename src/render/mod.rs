//! Renderers: the ways a recorded [`Trace`](crate::trace::Trace) is shown. Each reads the
//! trace (and the article comparison computed once in [`crate::article`]); none recomputes.
//! [`training`] shows a training run ([`crate::train::Run`]) the same way.

pub mod diagram;
pub mod document;
pub mod explain;
pub mod figure;
pub mod json;
pub mod lang;
pub mod layout;
pub mod math;
pub mod page;
pub mod stepper;
pub mod stream;
pub mod symbols;
pub mod table;
pub mod training;
pub mod worksheet_page;

pub use lang::Lang;

/// Text for HTML, SVG and MathML: `&`, `<`, `>` and quotes escaped.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
