//! Roles and formula trees as typeset math, in the article's own notation, in two syntaxes
//! from one printer: TeX for the documents (`net_{h1}`, `\frac{\partial E_{total}}{\partial
//! w_5}`, `\delta_{o1}`, `w_5^+`, `\eta`, `\frac{1}{1+e^{-net_{h1}}}`) and MathML for the web
//! page, which browsers typeset without a math library. Printed from the trace's typed roles
//! and trees, never from its symbol or formula strings, so a document shows the same formula
//! the engine computed. What differs between the two is only [`Syntax`]: how a subscript, a
//! fraction, an operator are written; which symbol a role has and where parentheses go is
//! decided once, here.

use super::escape;
use crate::notation::Notation;
use crate::trace::{Formula, Parameter, Role};

/// How math is written: each piece of notation the printer needs, in one syntax.
pub trait Syntax {
    /// An identifier: `net`, `w`, `E`; `δ` and `η` are given as those letters.
    fn ident(&self, name: &str) -> String;
    /// A number, as written (`0.15`, `(-0.0226)`).
    fn number(&self, text: &str) -> String;
    /// `base` with the subscript `sub` (a name like `h1`, or a number like `5`).
    fn sub(&self, base: String, sub: &str) -> String;
    /// `base` with a superscript `+` (an updated value).
    fn plus(&self, base: String) -> String;
    /// ∂top/∂bottom as a fraction.
    fn partial(&self, top: String, bottom: String) -> String;
    /// An infix operator, with its spacing: `+`, `-`, `*`, `=`.
    fn op(&self, op: char) -> String;
    /// `inner` in parentheses.
    fn parens(&self, inner: String) -> String;
    /// Pieces written one after another as one unit.
    fn row(&self, pieces: Vec<String>) -> String;
    /// ½.
    fn half(&self) -> String;
    /// `base`².
    fn square(&self, base: String) -> String;
    /// −`arg`, `arg` an atom.
    fn negate(&self, arg: String) -> String;
    /// 1/(1+e^(−`arg`)), `arg` an atom.
    fn sigmoid(&self, arg: String) -> String;
    /// A named function applied: `tanh(arg)`, `max(0, arg)`.
    fn apply(&self, name: &str, args: Vec<String>) -> String;
    /// 1 if `arg` > 0, else 0.
    fn step(&self, arg: String) -> String;
    /// `top` over `bottom`, a fraction.
    fn fraction(&self, top: String, bottom: String) -> String;
    /// e to the power `arg`.
    fn exp(&self, arg: String) -> String;
    /// `base` marked with a word above it: δ by the shortcut.
    fn tagged(&self, base: String, word: &str) -> String;
    /// `base` to the power `exponent`.
    fn power(&self, base: String, exponent: String) -> String;
    /// √`arg`.
    fn sqrt(&self, arg: String) -> String;
    /// The letter `name` with a hat: Adam's m̂ and v̂.
    fn hat(&self, name: &str) -> String;
}

/// TeX, as KaTeX, MathJax and LaTeX read it.
pub struct Tex;

/// Presentation MathML, as current browsers render it natively.
#[derive(Default)]
pub struct MathMl {
    /// When set, each subscript is written as `#` and its text kept here, in order: the
    /// symbol becomes a template that every symbol of its kind shares (`∂E_total/∂w_#`), which
    /// is how the web page holds 300,000 symbols in little room.
    subscripts: Option<std::cell::RefCell<Vec<String>>>,
}

impl MathMl {
    /// MathML whose subscripts are left as `#`, see [`MathMl::take_subscripts`].
    pub fn templating() -> MathMl {
        MathMl {
            subscripts: Some(Default::default()),
        }
    }

    /// The subscripts written as `#` since the last call, in order.
    pub fn take_subscripts(&self) -> Vec<String> {
        self.subscripts
            .as_ref()
            .map(|s| std::mem::take(&mut *s.borrow_mut()))
            .unwrap_or_default()
    }
}

impl Syntax for Tex {
    fn ident(&self, name: &str) -> String {
        match name {
            "δ" => "\\delta".to_string(),
            "η" => "\\eta".to_string(),
            "Σ" => "\\Sigma".to_string(),
            "β" => "\\beta".to_string(),
            "ε" => "\\epsilon".to_string(),
            _ => name.to_string(),
        }
    }
    fn number(&self, text: &str) -> String {
        text.to_string()
    }
    fn sub(&self, base: String, sub: &str) -> String {
        // Braced unless one character, as the article writes them (`w_5`, `net_{h1}`).
        if sub.chars().count() == 1 {
            format!("{base}_{sub}")
        } else {
            format!("{base}_{{{sub}}}")
        }
    }
    fn plus(&self, base: String) -> String {
        format!("{base}^+")
    }
    fn partial(&self, top: String, bottom: String) -> String {
        format!("\\frac{{\\partial {top}}}{{\\partial {bottom}}}")
    }
    fn op(&self, op: char) -> String {
        format!(" {op} ")
    }
    fn parens(&self, inner: String) -> String {
        format!("({inner})")
    }
    fn row(&self, pieces: Vec<String>) -> String {
        pieces.concat()
    }
    fn half(&self) -> String {
        "\\frac{1}{2}".to_string()
    }
    fn square(&self, base: String) -> String {
        format!("{base}^2")
    }
    fn negate(&self, arg: String) -> String {
        format!("-{arg}")
    }
    fn sigmoid(&self, arg: String) -> String {
        format!("\\frac{{1}}{{1+e^{{-{arg}}}}}")
    }
    fn apply(&self, name: &str, args: Vec<String>) -> String {
        format!("\\{name}({})", args.join(", "))
    }
    fn step(&self, arg: String) -> String {
        format!(
            "\\begin{{cases}} 1 & \\text{{if }} {arg} > 0 \\\\ 0 & \\text{{otherwise}} \\end{{cases}}"
        )
    }
    fn fraction(&self, top: String, bottom: String) -> String {
        format!("\\frac{{{top}}}{{{bottom}}}")
    }
    fn exp(&self, arg: String) -> String {
        format!("e^{{{arg}}}")
    }
    fn tagged(&self, base: String, word: &str) -> String {
        format!("{base}^{{\\text{{{word}}}}}")
    }
    fn power(&self, base: String, exponent: String) -> String {
        format!("{{{base}}}^{{{exponent}}}")
    }
    fn sqrt(&self, arg: String) -> String {
        format!("\\sqrt{{{arg}}}")
    }
    fn hat(&self, name: &str) -> String {
        format!("\\hat{{{name}}}")
    }
}

impl Syntax for MathMl {
    fn ident(&self, name: &str) -> String {
        format!("<mi>{}</mi>", escape(name))
    }
    fn number(&self, text: &str) -> String {
        format!("<mn>{}</mn>", escape(text))
    }
    fn sub(&self, base: String, sub: &str) -> String {
        let element = if sub.chars().all(|c| c.is_ascii_digit()) {
            "mn"
        } else {
            "mi"
        };
        let text = match &self.subscripts {
            Some(kept) => {
                kept.borrow_mut().push(sub.to_string());
                "#".to_string()
            }
            None => escape(sub),
        };
        format!("<msub>{base}<{element}>{text}</{element}></msub>")
    }
    fn plus(&self, base: String) -> String {
        format!("<msup>{base}<mo>+</mo></msup>")
    }
    fn partial(&self, top: String, bottom: String) -> String {
        format!("<mfrac><mrow><mo>∂</mo>{top}</mrow><mrow><mo>∂</mo>{bottom}</mrow></mfrac>")
    }
    fn op(&self, op: char) -> String {
        let op = match op {
            '*' => "×".to_string(),
            '-' => "−".to_string(),
            c => escape(&c.to_string()),
        };
        format!("<mo>{op}</mo>")
    }
    fn parens(&self, inner: String) -> String {
        format!("<mrow><mo>(</mo>{inner}<mo>)</mo></mrow>")
    }
    fn row(&self, pieces: Vec<String>) -> String {
        format!("<mrow>{}</mrow>", pieces.concat())
    }
    fn half(&self) -> String {
        "<mfrac><mn>1</mn><mn>2</mn></mfrac>".to_string()
    }
    fn square(&self, base: String) -> String {
        format!("<msup><mrow>{base}</mrow><mn>2</mn></msup>")
    }
    fn negate(&self, arg: String) -> String {
        format!("<mrow><mo>−</mo>{arg}</mrow>")
    }
    fn sigmoid(&self, arg: String) -> String {
        format!(
            "<mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo>{arg}</mrow></msup></mrow></mfrac>"
        )
    }
    fn apply(&self, name: &str, args: Vec<String>) -> String {
        format!(
            "<mrow><mi>{name}</mi><mo>(</mo>{}<mo>)</mo></mrow>",
            args.join("<mo>,</mo>")
        )
    }
    fn step(&self, arg: String) -> String {
        format!(
            "<mrow><mo>{{</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mtext>if&#xA0;</mtext>{arg}<mo>&gt;</mo><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mtext>otherwise</mtext></mtd></mtr></mtable></mrow>"
        )
    }
    fn fraction(&self, top: String, bottom: String) -> String {
        format!("<mfrac><mrow>{top}</mrow><mrow>{bottom}</mrow></mfrac>")
    }
    fn exp(&self, arg: String) -> String {
        format!("<msup><mi>e</mi><mrow>{arg}</mrow></msup>")
    }
    fn tagged(&self, base: String, word: &str) -> String {
        format!("<msup>{base}<mtext>{}</mtext></msup>", escape(word))
    }
    fn power(&self, base: String, exponent: String) -> String {
        format!("<msup><mrow>{base}</mrow><mrow>{exponent}</mrow></msup>")
    }
    fn sqrt(&self, arg: String) -> String {
        format!("<msqrt>{arg}</msqrt>")
    }
    fn hat(&self, name: &str) -> String {
        format!(
            "<mover accent=\"true\"><mi>{}</mi><mo>^</mo></mover>",
            escape(name)
        )
    }
}

/// A neuron's name for a subscript: `h1`; a deep network's `h2_3` as `h2,3` (a subscript's
/// own underscore would be a second subscript).
fn neuron(names: &Notation, layer: usize, j: usize) -> String {
    names.neuron(layer, j).replace('_', ",")
}

/// A weight or bias: `w_5`, `b_1`, `b_{1,2}` (bias of neuron 2 in weight layer 1).
fn parameter<S: Syntax + ?Sized>(s: &S, names: &Notation, p: Parameter) -> String {
    match p {
        Parameter::Weight { layer, index } => {
            let name = names.weight(layer - 1, index);
            s.sub(s.ident("w"), &name[1..])
        }
        Parameter::Bias { layer, index } => {
            let name = names.bias(layer - 1, index);
            s.sub(s.ident("b"), &name[1..].replace('_', ","))
        }
    }
}

/// A parameter's name as a subscript: `w5`, `b1`, `b1,2`.
fn param_sub(names: &Notation, of: Parameter) -> String {
    of.name(names).replace('_', ",")
}

/// The symbol of `role` in TeX.
pub fn symbol(role: Role, names: &Notation) -> String {
    symbol_in(&Tex, role, names)
}

/// `tree` in TeX, each operand written by `leaf` (a symbol, or a number).
pub fn formula(tree: &Formula, leaf: &dyn Fn(usize) -> String) -> String {
    formula_in(&Tex, tree, leaf)
}

/// The symbol of `role` in `s`.
pub fn symbol_in<S: Syntax + ?Sized>(s: &S, role: Role, names: &Notation) -> String {
    let plus = |x: String, updated: bool| if updated { s.plus(x) } else { x };
    let at = |base: &str, layer: usize, j: usize| s.sub(s.ident(base), &neuron(names, layer, j));
    let last = names.depth();
    let e_total = || s.sub(s.ident("E"), "total");
    match role {
        Role::Input { neuron: k } => s.sub(s.ident("i"), &(k + 1).to_string()),
        Role::Target { neuron: j } => at("target", last, j),
        Role::Weight { layer, index } => parameter(s, names, Parameter::Weight { layer, index }),
        Role::Bias { layer, index } => parameter(s, names, Parameter::Bias { layer, index }),
        Role::LearningRate => s.ident("η"),
        Role::Net {
            layer,
            neuron: j,
            updated,
        } => plus(at("net", layer, j), updated),
        Role::Out {
            layer,
            neuron: j,
            updated,
        } => plus(at("out", layer, j), updated),
        Role::LossTerm { neuron: j, updated } => plus(at("E", last, j), updated),
        Role::Loss { updated } => plus(e_total(), updated),
        Role::DLossDOut { layer, neuron: j } => s.partial(e_total(), at("out", layer, j)),
        Role::DNetDOut {
            layer,
            neuron: j,
            above,
        } => s.partial(at("net", layer + 1, above), at("out", layer, j)),
        Role::Share {
            layer,
            neuron: j,
            above,
        } => s.partial(at("E", layer + 1, above), at("out", layer, j)),
        Role::DOutDNet { layer, neuron: j } => s.partial(at("out", layer, j), at("net", layer, j)),
        Role::Delta { layer, neuron: j } => at("δ", layer, j),
        Role::DNetDWeight { layer, index } => {
            let n_in = names.layer_size(layer - 1);
            s.partial(
                at("net", layer, index / n_in),
                parameter(s, names, Parameter::Weight { layer, index }),
            )
        }
        Role::Gradient { of } => s.partial(e_total(), parameter(s, names, of)),
        Role::Updated { of } => s.plus(parameter(s, names, of)),
        Role::NetMax { updated, .. } => plus(s.sub(s.ident("net"), "max"), updated),
        Role::ExpSum { updated, .. } => plus(s.sub(s.ident("Σ"), "exp"), updated),
        Role::SoftmaxDerivative {
            layer,
            neuron: j,
            by,
        } => s.partial(at("out", layer, j), at("net", layer, by)),
        Role::DeltaShortcut { layer, neuron: j } => s.tagged(at("δ", layer, j), "shortcut"),
        Role::Beta => s.ident("β"),
        Role::Beta1 => s.sub(s.ident("β"), "1"),
        Role::Beta2 => s.sub(s.ident("β"), "2"),
        Role::Epsilon => s.ident("ε"),
        Role::Step { updated } => plus(s.ident("t"), updated),
        Role::BiasCorrection { moment } => s.parens(s.row(vec![
            s.number("1"),
            s.op('-'),
            s.power(s.sub(s.ident("β"), &moment.to_string()), s.ident("t")),
        ])),
        Role::Velocity { of, updated } | Role::SecondMoment { of, updated } => {
            plus(s.sub(s.ident("v"), &param_sub(names, of)), updated)
        }
        Role::NesterovGradient { of } => s.sub(s.ident("g"), &param_sub(names, of)),
        Role::FirstMoment { of, updated } => {
            plus(s.sub(s.ident("m"), &param_sub(names, of)), updated)
        }
        Role::FirstMomentHat { of } => s.sub(s.hat("m"), &param_sub(names, of)),
        Role::SecondMomentHat { of } => s.sub(s.hat("v"), &param_sub(names, of)),
    }
}

/// How tightly a node binds, for parentheses (as in the plain printer).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Binding {
    Sum,
    Product,
    Atom,
}

fn binding(f: &Formula) -> Binding {
    match f {
        Formula::Sum(_) | Formula::Difference(..) => Binding::Sum,
        Formula::Product(_) | Formula::Negation(_) => Binding::Product,
        _ => Binding::Atom,
    }
}

/// `tree` in `s`, each operand written by `leaf` (a symbol, or a number, in `s`).
pub fn formula_in<S: Syntax + ?Sized>(
    s: &S,
    tree: &Formula,
    leaf: &dyn Fn(usize) -> String,
) -> String {
    // `tree` where something binding at least as tightly as `place` is expected.
    let at = |tree: &Formula, place: Binding| {
        let inner = formula_in(s, tree, leaf);
        if binding(tree) < place {
            s.parens(inner)
        } else {
            inner
        }
    };
    match tree {
        Formula::Operand(n) => leaf(*n),
        Formula::One => s.number("1"),
        Formula::Half => s.half(),
        Formula::Sum(terms) => {
            let mut pieces = Vec::new();
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    pieces.push(s.op('+'));
                }
                pieces.push(at(t, Binding::Sum));
            }
            s.row(pieces)
        }
        Formula::Product(factors) => {
            let mut pieces = Vec::new();
            for (i, f) in factors.iter().enumerate() {
                // The article writes ½(…)² and out(1 − out) without a sign between.
                let juxtaposed = i > 0
                    && (matches!(factors[i - 1], Formula::Half) || binding(f) < Binding::Product);
                if i > 0 && !juxtaposed {
                    pieces.push(s.op('*'));
                }
                pieces.push(at(f, Binding::Product));
            }
            s.row(pieces)
        }
        Formula::Difference(a, b) => s.row(vec![
            at(a, Binding::Sum),
            s.op('-'),
            at(b, Binding::Product),
        ]),
        Formula::Negation(a) => s.negate(at(a, Binding::Atom)),
        Formula::Square(a) => s.square(at(a, Binding::Atom)),
        Formula::Sigmoid(a) => s.sigmoid(at(a, Binding::Atom)),
        Formula::Tanh(a) => s.apply("tanh", vec![formula_in(s, a, leaf)]),
        Formula::Relu(a) => s.apply("max", vec![s.number("0"), formula_in(s, a, leaf)]),
        Formula::Step(a) => s.step(at(a, Binding::Atom)),
        Formula::Integer(n) => s.number(&n.to_string()),
        Formula::Quotient(a, b) => s.fraction(formula_in(s, a, leaf), formula_in(s, b, leaf)),
        Formula::Exp(a) => s.exp(formula_in(s, a, leaf)),
        Formula::Ln(a) => s.apply("ln", vec![formula_in(s, a, leaf)]),
        Formula::Max(items) => s.apply(
            "max",
            items.iter().map(|t| formula_in(s, t, leaf)).collect(),
        ),
        Formula::Sqrt(a) => s.sqrt(formula_in(s, a, leaf)),
        Formula::Power(a, b) => s.power(at(a, Binding::Atom), formula_in(s, b, leaf)),
    }
}

/// A sum of more than `most` terms shortened to its first terms, `⋯` and its last two
/// (`w_1 i_1 + … + ⋯ + w_784 i_784 + b_1`), for a page that shows the whole formula on
/// request: a 784-input neuron's net is 785 terms. `None` for any other formula.
pub fn formula_shortened_in<S: Syntax + ?Sized>(
    s: &S,
    tree: &Formula,
    leaf: &dyn Fn(usize) -> String,
    most: usize,
) -> Option<String> {
    const TAIL: usize = 2;
    let Formula::Sum(terms) = tree else {
        return None;
    };
    if terms.len() <= most {
        return None;
    }
    let head = most.saturating_sub(TAIL + 1).max(1);
    // A term of a sum never needs parentheses (nothing binds more loosely).
    let term = |t: &Formula| formula_in(s, t, leaf);
    let mut pieces = Vec::new();
    for t in &terms[..head] {
        pieces.push(term(t));
        pieces.push(s.op('+'));
    }
    pieces.push(s.ident("⋯"));
    for t in &terms[terms.len() - TAIL..] {
        pieces.push(s.op('+'));
        pieces.push(term(t));
    }
    Some(s.row(pieces))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::number;
    use crate::trace::Options;

    #[test]
    fn the_articles_values_are_written_as_the_article_writes_them() {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        let names = Notation::new(&trace.network);
        let it = trace.first();
        let tex = |symbol: &str| {
            let v = it.get(symbol).unwrap();
            let leaf = |n: usize| symbol_of(it, &v.from[n], &names);
            let numbers = |n: usize| number::operand(it.get(&v.from[n]).unwrap().value, 9);
            let tree = v.expr.as_ref().unwrap();
            (
                super::symbol(v.role.unwrap(), &names),
                formula(tree, &leaf),
                formula(tree, &numbers),
            )
        };
        assert_eq!(
            tex("net_h1"),
            (
                "net_{h1}".to_string(),
                "w_1 * i_1 + w_2 * i_2 + b_1 * 1".to_string(),
                "0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1".to_string()
            )
        );
        assert_eq!(tex("out_h1").1, "\\frac{1}{1+e^{-net_{h1}}}");
        assert_eq!(tex("out_h1").2, "\\frac{1}{1+e^{-0.3775}}");
        assert_eq!(tex("E_o1").1, "\\frac{1}{2}(target_{o1} - out_{o1})^2");
        assert_eq!(tex("dE_total/dout_o1").1, "-(target_{o1} - out_{o1})");
        assert_eq!(tex("dout_o1/dnet_o1").1, "out_{o1}(1 - out_{o1})");
        assert_eq!(
            tex("dE_total/dw5").0,
            "\\frac{\\partial E_{total}}{\\partial w_5}"
        );
        assert_eq!(
            tex("dE_total/dw5").1,
            "\\frac{\\partial E_{total}}{\\partial out_{o1}} * \\frac{\\partial out_{o1}}{\\partial net_{o1}} * \\frac{\\partial net_{o1}}{\\partial w_5}"
        );
        assert_eq!(tex("delta_o1").0, "\\delta_{o1}");
        assert_eq!(
            tex("w5+"),
            (
                "w_5^+".to_string(),
                "w_5 - \\eta * \\frac{\\partial E_{total}}{\\partial w_5}".to_string(),
                "0.4 - 0.5 * 0.082167041".to_string()
            )
        );
        assert_eq!(
            tex("dE_o1/dout_h1").1,
            "\\delta_{o1} * \\frac{\\partial net_{o1}}{\\partial out_{h1}}"
        );
        assert_eq!(tex("E_total+").1, "E_{o1}^+ + E_{o2}^+");
    }

    fn symbol_of(it: &crate::trace::Iteration, s: &str, names: &Notation) -> String {
        super::symbol(it.get(s).unwrap().role.unwrap(), names)
    }
}

#[cfg(test)]
mod mathml_tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;

    /// The same roles and trees as MathML: one printer, so the structure is the TeX's.
    #[test]
    fn the_articles_values_in_mathml() {
        let trace = engine::trace_iteration(&Network::article(), &Options::default());
        let names = Notation::new(&trace.network);
        let it = trace.first();
        let symbol =
            |s: &str| symbol_in(&MathMl::default(), it.get(s).unwrap().role.unwrap(), &names);
        assert_eq!(symbol("net_h1"), "<msub><mi>net</mi><mi>h1</mi></msub>");
        assert_eq!(
            symbol("dE_total/dw5"),
            "<mfrac><mrow><mo>∂</mo><msub><mi>E</mi><mi>total</mi></msub></mrow>\
             <mrow><mo>∂</mo><msub><mi>w</mi><mn>5</mn></msub></mrow></mfrac>"
        );
        assert_eq!(
            symbol("w5+"),
            "<msup><msub><mi>w</mi><mn>5</mn></msub><mo>+</mo></msup>"
        );
        assert_eq!(symbol("delta_o1"), "<msub><mi>δ</mi><mi>o1</mi></msub>");
        let v = it.get("E_o1").unwrap();
        let leaf = |n: usize| symbol(&v.from[n]);
        assert_eq!(
            formula_in(&MathMl::default(), v.expr.as_ref().unwrap(), &leaf),
            "<mrow><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mrow><mo>(</mo><mrow>\
             <msub><mi>target</mi><mi>o1</mi></msub><mo>−</mo><msub><mi>out</mi><mi>o1</mi>\
             </msub></mrow><mo>)</mo></mrow></mrow><mn>2</mn></msup></mrow>"
        );
    }
}
