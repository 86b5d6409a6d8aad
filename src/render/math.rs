//! Roles and formula trees as TeX math, in the article's own notation: `net_{h1}`,
//! `\frac{\partial E_{total}}{\partial w_5}`, `\delta_{o1}`, `w_5^+`, `\eta`,
//! `\frac{1}{1+e^{-net_{h1}}}`. Printed from the trace's typed roles and trees, never from
//! its symbol or formula strings, so a document shows the same formula the engine computed.

use crate::notation::Notation;
use crate::trace::{Formula, Parameter, Role};

/// `base` with the subscript `sub`, braced unless it is one character, as the article
/// writes them (`w_5`, `net_{h1}`).
fn sub(base: &str, sub: &str) -> String {
    if sub.chars().count() == 1 {
        format!("{base}_{sub}")
    } else {
        format!("{base}_{{{sub}}}")
    }
}

/// A neuron's name for a subscript: `h1`; a deep network's `h2_3` as `h2,3` (a subscript's
/// own underscore would be a second subscript).
fn neuron(names: &Notation, layer: usize, j: usize) -> String {
    names.neuron(layer, j).replace('_', ",")
}

/// A weight or bias: `w_5`, `b_1`, `b_{1,2}` (bias of neuron 2 in weight layer 1).
fn parameter(names: &Notation, p: Parameter) -> String {
    match p {
        Parameter::Weight { layer, index } => {
            let name = names.weight(layer - 1, index);
            sub("w", &name[1..])
        }
        Parameter::Bias { layer, index } => {
            let name = names.bias(layer - 1, index);
            sub("b", &name[1..].replace('_', ","))
        }
    }
}

fn partial(top: &str, bottom: &str) -> String {
    format!("\\frac{{\\partial {top}}}{{\\partial {bottom}}}")
}

/// The symbol of `role` in TeX.
pub fn symbol(role: Role, names: &Notation) -> String {
    let plus = |s: String, updated: bool| if updated { format!("{s}^+") } else { s };
    let last = names.depth();
    let e_total = "E_{total}";
    match role {
        Role::Input { neuron: k } => sub("i", &(k + 1).to_string()),
        Role::Target { neuron: j } => sub("target", &neuron(names, last, j)),
        Role::Weight { layer, index } => parameter(names, Parameter::Weight { layer, index }),
        Role::Bias { layer, index } => parameter(names, Parameter::Bias { layer, index }),
        Role::LearningRate => "\\eta".to_string(),
        Role::Net {
            layer,
            neuron: j,
            updated,
        } => plus(sub("net", &neuron(names, layer, j)), updated),
        Role::Out {
            layer,
            neuron: j,
            updated,
        } => plus(sub("out", &neuron(names, layer, j)), updated),
        Role::LossTerm { neuron: j, updated } => plus(sub("E", &neuron(names, last, j)), updated),
        Role::Loss { updated } => plus(e_total.to_string(), updated),
        Role::DLossDOut { layer, neuron: j } => {
            partial(e_total, &sub("out", &neuron(names, layer, j)))
        }
        Role::DNetDOut {
            layer,
            neuron: j,
            above,
        } => partial(
            &sub("net", &neuron(names, layer + 1, above)),
            &sub("out", &neuron(names, layer, j)),
        ),
        Role::Share {
            layer,
            neuron: j,
            above,
        } => partial(
            &sub("E", &neuron(names, layer + 1, above)),
            &sub("out", &neuron(names, layer, j)),
        ),
        Role::DOutDNet { layer, neuron: j } => {
            let n = neuron(names, layer, j);
            partial(&sub("out", &n), &sub("net", &n))
        }
        Role::Delta { layer, neuron: j } => sub("\\delta", &neuron(names, layer, j)),
        Role::DNetDWeight { layer, index } => {
            let n_in = names.layer_size(layer - 1);
            partial(
                &sub("net", &neuron(names, layer, index / n_in)),
                &parameter(names, Parameter::Weight { layer, index }),
            )
        }
        Role::Gradient { of } => partial(e_total, &parameter(names, of)),
        Role::Updated { of } => format!("{}^+", parameter(names, of)),
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

/// `tree` in TeX, each operand written by `leaf` (a symbol, or a number).
pub fn formula(tree: &Formula, leaf: &dyn Fn(usize) -> String) -> String {
    let mut out = String::new();
    write(tree, leaf, &mut out);
    out
}

fn write_at(tree: &Formula, place: Binding, leaf: &dyn Fn(usize) -> String, out: &mut String) {
    if binding(tree) < place {
        out.push('(');
        write(tree, leaf, out);
        out.push(')');
    } else {
        write(tree, leaf, out);
    }
}

fn write(tree: &Formula, leaf: &dyn Fn(usize) -> String, out: &mut String) {
    match tree {
        Formula::Operand(n) => out.push_str(&leaf(*n)),
        Formula::One => out.push('1'),
        Formula::Half => out.push_str("\\frac{1}{2}"),
        Formula::Sum(terms) => {
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    out.push_str(" + ");
                }
                write_at(t, Binding::Sum, leaf, out);
            }
        }
        Formula::Product(factors) => {
            for (i, f) in factors.iter().enumerate() {
                // The article writes ½(…)² and out(1 − out) without a sign between.
                let juxtaposed = i > 0
                    && (matches!(factors[i - 1], Formula::Half) || binding(f) < Binding::Product);
                if i > 0 && !juxtaposed {
                    out.push_str(" * ");
                }
                write_at(f, Binding::Product, leaf, out);
            }
        }
        Formula::Difference(a, b) => {
            write_at(a, Binding::Sum, leaf, out);
            out.push_str(" - ");
            write_at(b, Binding::Product, leaf, out);
        }
        Formula::Negation(a) => {
            out.push('-');
            write_at(a, Binding::Atom, leaf, out);
        }
        Formula::Square(a) => {
            write_at(a, Binding::Atom, leaf, out);
            out.push_str("^2");
        }
        Formula::Sigmoid(a) => {
            out.push_str("\\frac{1}{1+e^{-");
            write_at(a, Binding::Atom, leaf, out);
            out.push_str("}}");
        }
        Formula::Tanh(a) => {
            out.push_str("\\tanh(");
            write(a, leaf, out);
            out.push(')');
        }
        Formula::Relu(a) => {
            out.push_str("\\max(0, ");
            write(a, leaf, out);
            out.push(')');
        }
        Formula::Step(a) => {
            out.push_str("\\begin{cases} 1 & \\text{if } ");
            write_at(a, Binding::Atom, leaf, out);
            out.push_str(" > 0 \\\\ 0 & \\text{otherwise} \\end{cases}");
        }
    }
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
