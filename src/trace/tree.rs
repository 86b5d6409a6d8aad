//! A recorded value's formula as a tree, built by the engine as it records the value. The
//! trace's `formula` and `substituted` strings are printed from it, so they cannot disagree
//! with it; a document prints the same tree as LaTeX or MathML. A renderer that needs a
//! formula's structure reads the tree, not the string (the parser in [`crate::formula`]
//! remains for traces edited by hand or written by other programs, which may have no tree).
//!
//! The nodes are the article's operations, not bare arithmetic: the sigmoid is one node
//! (printed `1/(1 + e^(-net_h1))`, typeset as a fraction), and so are ½ and the ReLU's step.

use crate::number;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A formula whose leaves are `L`: in a trace, the position of an operand in the value's
/// `from` list; while the engine builds it, the operand's symbol and value.
///
/// In JSON an operand is its position (`0`), a constant its name (`"one"`, `"half"`), and
/// every other node an object of one key, the node's name, holding its argument or the list
/// of its arguments: `{"sum": [{"product": [0, 1]}, {"product": [2, 3]}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Formula<L = usize> {
    /// An operand (in a trace: its position in `from`).
    Operand(L),
    /// The constant 1.
    One,
    /// The constant ½ (printed `1/2`).
    Half,
    /// a + b + …
    Sum(Vec<Formula<L>>),
    /// a · b · …
    Product(Vec<Formula<L>>),
    /// a − b.
    Difference(Box<Formula<L>>, Box<Formula<L>>),
    /// −(a).
    Negation(Box<Formula<L>>),
    /// a².
    Square(Box<Formula<L>>),
    /// The sigmoid 1/(1 + e^(−a)).
    Sigmoid(Box<Formula<L>>),
    /// tanh(a).
    Tanh(Box<Formula<L>>),
    /// The ReLU max(0, a).
    Relu(Box<Formula<L>>),
    /// The ReLU's derivative: 1 if a > 0, else 0.
    Step(Box<Formula<L>>),
    /// A whole number written as itself: the 2 of a squared error's derivative, the n of a
    /// mean over n outputs.
    Integer(u32),
    /// a / b.
    Quotient(Box<Formula<L>>, Box<Formula<L>>),
    /// e^(a).
    Exp(Box<Formula<L>>),
    /// The natural logarithm ln(a).
    Ln(Box<Formula<L>>),
    /// The largest of its arguments, max(a, b, …): the shift that keeps the softmax's
    /// exponentials from overflowing.
    Max(Vec<Formula<L>>),
    /// √a.
    Sqrt(Box<Formula<L>>),
    /// a^b: Adam's β1ᵗ.
    Power(Box<Formula<L>>, Box<Formula<L>>),
}

/// How tightly a node binds, for parentheses: a child binding more loosely than its place
/// asks is put in parentheses.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Binding {
    Sum,
    Product,
    Atom,
}

impl<L> Formula<L> {
    /// a + b + … of `terms`.
    pub fn sum(terms: impl IntoIterator<Item = Formula<L>>) -> Formula<L> {
        Formula::Sum(terms.into_iter().collect())
    }

    /// a · b · … of `factors`.
    pub fn product(factors: impl IntoIterator<Item = Formula<L>>) -> Formula<L> {
        Formula::Product(factors.into_iter().collect())
    }

    /// a − b.
    pub fn difference(a: Formula<L>, b: Formula<L>) -> Formula<L> {
        Formula::Difference(Box::new(a), Box::new(b))
    }

    /// a / b.
    pub fn quotient(a: Formula<L>, b: Formula<L>) -> Formula<L> {
        Formula::Quotient(Box::new(a), Box::new(b))
    }

    /// One argument's node (`Formula::Sigmoid`, …) around `a`.
    pub fn of(node: fn(Box<Formula<L>>) -> Formula<L>, a: Formula<L>) -> Formula<L> {
        node(Box::new(a))
    }

    fn binding(&self) -> Binding {
        match self {
            Formula::Sum(_) | Formula::Difference(..) => Binding::Sum,
            // ½ is written 1/2: inside a product it reads as a factor, and the article
            // writes it so; the ReLU's step is a phrase that reads only on its own.
            // a / b, like ½, is a factor; e^(a) reads as one power.
            Formula::Product(_) | Formula::Half | Formula::Step(_) | Formula::Quotient(..) => {
                Binding::Product
            }
            _ => Binding::Atom,
        }
    }

    /// Replaces each leaf by `f(leaf)`, in the order the formula is written.
    pub fn map<M>(self, f: &mut dyn FnMut(L) -> M) -> Formula<M> {
        let boxed = |a: Box<Formula<L>>, f: &mut dyn FnMut(L) -> M| Box::new(a.map(f));
        match self {
            Formula::Operand(l) => Formula::Operand(f(l)),
            Formula::One => Formula::One,
            Formula::Half => Formula::Half,
            Formula::Sum(terms) => Formula::Sum(terms.into_iter().map(|t| t.map(f)).collect()),
            Formula::Product(factors) => {
                Formula::Product(factors.into_iter().map(|t| t.map(f)).collect())
            }
            Formula::Difference(a, b) => {
                let a = boxed(a, f);
                Formula::Difference(a, boxed(b, f))
            }
            Formula::Negation(a) => Formula::Negation(boxed(a, f)),
            Formula::Square(a) => Formula::Square(boxed(a, f)),
            Formula::Sigmoid(a) => Formula::Sigmoid(boxed(a, f)),
            Formula::Tanh(a) => Formula::Tanh(boxed(a, f)),
            Formula::Relu(a) => Formula::Relu(boxed(a, f)),
            Formula::Step(a) => Formula::Step(boxed(a, f)),
            Formula::Integer(n) => Formula::Integer(n),
            Formula::Quotient(a, b) => {
                let a = boxed(a, f);
                Formula::Quotient(a, boxed(b, f))
            }
            Formula::Exp(a) => Formula::Exp(boxed(a, f)),
            Formula::Ln(a) => Formula::Ln(boxed(a, f)),
            Formula::Max(items) => Formula::Max(items.into_iter().map(|t| t.map(f)).collect()),
            Formula::Sqrt(a) => Formula::Sqrt(boxed(a, f)),
            Formula::Power(a, b) => {
                let a = boxed(a, f);
                Formula::Power(a, boxed(b, f))
            }
        }
    }

    /// Writes the formula in the trace's plain notation, each leaf by `leaf`: with symbols,
    /// the `formula` string (`w5 * out_h1 + w6 * out_h2 + b2 * 1`); with numbers, the
    /// `substituted` one.
    ///
    /// `compound(leaf)` says whether an operand's symbol is itself a quotient (`dE_total/dw5`):
    /// squared, it is put in parentheses, in both printings alike, so that the numbers still
    /// follow the formula.
    pub fn write_plain(
        &self,
        out: &mut String,
        leaf: &mut dyn FnMut(&mut String, &L),
        compound: &dyn Fn(&L) -> bool,
    ) {
        match self {
            Formula::Operand(l) => leaf(out, l),
            Formula::One => out.push('1'),
            Formula::Half => out.push_str("1/2"),
            Formula::Sum(terms) => self.join(terms, " + ", Binding::Sum, out, leaf, compound),
            Formula::Product(factors) => {
                self.join(factors, " * ", Binding::Product, out, leaf, compound);
            }
            Formula::Difference(a, b) => {
                a.write_at(Binding::Sum, out, leaf, compound);
                out.push_str(" - ");
                b.write_at(Binding::Product, out, leaf, compound);
            }
            Formula::Negation(a) => {
                out.push('-');
                a.write_at(Binding::Atom, out, leaf, compound);
            }
            Formula::Square(a) => {
                // A derivative squared is (dE_total/dw5)^2: dE_total/dw5^2 would read as a
                // derivative by w5².
                if matches!(&**a, Formula::Operand(l) if compound(l)) {
                    out.push('(');
                    a.write_plain(out, leaf, compound);
                    out.push(')');
                } else {
                    a.write_at(Binding::Atom, out, leaf, compound);
                }
                out.push_str("^2");
            }
            Formula::Sigmoid(a) => {
                out.push_str("1/(1 + e^(-");
                a.write_at(Binding::Atom, out, leaf, compound);
                out.push_str("))");
            }
            Formula::Tanh(a) => {
                out.push_str("tanh(");
                a.write_plain(out, leaf, compound);
                out.push(')');
            }
            Formula::Relu(a) => {
                out.push_str("max(0, ");
                a.write_plain(out, leaf, compound);
                out.push(')');
            }
            Formula::Step(a) => {
                out.push_str("1 if ");
                a.write_at(Binding::Atom, out, leaf, compound);
                out.push_str(" > 0, else 0");
            }
            Formula::Integer(n) => out.push_str(&n.to_string()),
            Formula::Quotient(a, b) => {
                a.write_at(Binding::Product, out, leaf, compound);
                out.push_str(" / ");
                // a / (b * c): the denominator is one factor.
                b.write_at(Binding::Atom, out, leaf, compound);
            }
            Formula::Exp(a) => {
                out.push_str("e^(");
                a.write_plain(out, leaf, compound);
                out.push(')');
            }
            Formula::Ln(a) => {
                out.push_str("ln(");
                a.write_plain(out, leaf, compound);
                out.push(')');
            }
            Formula::Max(items) => {
                out.push_str("max(");
                self.join(items, ", ", Binding::Sum, out, leaf, compound);
                out.push(')');
            }
            Formula::Sqrt(a) => {
                out.push_str("sqrt(");
                a.write_plain(out, leaf, compound);
                out.push(')');
            }
            Formula::Power(a, b) => {
                a.write_at(Binding::Atom, out, leaf, compound);
                out.push('^');
                b.write_at(Binding::Atom, out, leaf, compound);
            }
        }
    }

    fn join(
        &self,
        items: &[Formula<L>],
        separator: &str,
        binding: Binding,
        out: &mut String,
        leaf: &mut dyn FnMut(&mut String, &L),
        compound: &dyn Fn(&L) -> bool,
    ) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            item.write_at(binding, out, leaf, compound);
        }
    }

    /// Writes the formula where its place binds as `place`: in parentheses if it binds
    /// more loosely.
    fn write_at(
        &self,
        place: Binding,
        out: &mut String,
        leaf: &mut dyn FnMut(&mut String, &L),
        compound: &dyn Fn(&L) -> bool,
    ) {
        if self.binding() < place {
            out.push('(');
            self.write_plain(out, leaf, compound);
            out.push(')');
        } else {
            self.write_plain(out, leaf, compound);
        }
    }
}

impl Formula<usize> {
    /// The formula's value, given the value of each operand (by its position in `from`).
    pub fn eval(&self, operand: &dyn Fn(usize) -> f64) -> f64 {
        match self {
            Formula::Operand(n) => operand(*n),
            Formula::One => 1.0,
            Formula::Half => 0.5,
            Formula::Sum(terms) => terms.iter().map(|t| t.eval(operand)).sum(),
            Formula::Product(factors) => factors.iter().map(|t| t.eval(operand)).product(),
            Formula::Difference(a, b) => a.eval(operand) - b.eval(operand),
            Formula::Negation(a) => -a.eval(operand),
            Formula::Square(a) => {
                let x = a.eval(operand);
                x * x
            }
            Formula::Sigmoid(a) => 1.0 / (1.0 + (-a.eval(operand)).exp()),
            Formula::Tanh(a) => a.eval(operand).tanh(),
            Formula::Relu(a) => a.eval(operand).max(0.0),
            Formula::Step(a) => {
                if a.eval(operand) > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Formula::Integer(n) => f64::from(*n),
            Formula::Quotient(a, b) => a.eval(operand) / b.eval(operand),
            Formula::Exp(a) => a.eval(operand).exp(),
            Formula::Ln(a) => a.eval(operand).ln(),
            Formula::Max(items) => items
                .iter()
                .map(|t| t.eval(operand))
                .fold(f64::NEG_INFINITY, f64::max),
            Formula::Sqrt(a) => a.eval(operand).sqrt(),
            Formula::Power(a, b) => a.eval(operand).powf(b.eval(operand)),
        }
    }
}

/// The JSON names of the nodes with arguments.
const NAMES: [&str; 16] = [
    "sum",
    "product",
    "difference",
    "negation",
    "square",
    "sigmoid",
    "tanh",
    "relu",
    "step",
    "integer",
    "quotient",
    "exp",
    "ln",
    "max",
    "sqrt",
    "power",
];

impl Serialize for Formula {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn node<S: Serializer>(s: S, name: &str, args: &impl Serialize) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(name, args)?;
            map.end()
        }
        match self {
            Formula::Operand(n) => s.serialize_u64(*n as u64),
            Formula::One => s.serialize_str("one"),
            Formula::Half => s.serialize_str("half"),
            Formula::Sum(terms) => node(s, "sum", terms),
            Formula::Product(factors) => node(s, "product", factors),
            Formula::Difference(a, b) => node(s, "difference", &[&**a, &**b]),
            Formula::Negation(a) => node(s, "negation", a),
            Formula::Square(a) => node(s, "square", a),
            Formula::Sigmoid(a) => node(s, "sigmoid", a),
            Formula::Tanh(a) => node(s, "tanh", a),
            Formula::Relu(a) => node(s, "relu", a),
            Formula::Step(a) => node(s, "step", a),
            Formula::Integer(n) => node(s, "integer", n),
            Formula::Quotient(a, b) => node(s, "quotient", &[&**a, &**b]),
            Formula::Exp(a) => node(s, "exp", a),
            Formula::Ln(a) => node(s, "ln", a),
            Formula::Max(items) => node(s, "max", items),
            Formula::Sqrt(a) => node(s, "sqrt", a),
            Formula::Power(a, b) => node(s, "power", &[&**a, &**b]),
        }
    }
}

impl<'de> Deserialize<'de> for Formula {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Formula, D::Error> {
        // Read directly, not through a serde_json::Value: a large trace holds hundreds of
        // thousands of trees, and the detour doubled the memory reading one took.
        d.deserialize_any(FormulaVisitor)
    }
}

struct FormulaVisitor;

impl<'de> Visitor<'de> for FormulaVisitor {
    type Value = Formula;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a formula tree: an operand's position in \"from\", \"one\", \"half\", or an \
             object of one key ({})",
            NAMES.join(", ")
        )
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Formula, E> {
        usize::try_from(n)
            .map(Formula::Operand)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(n), &self))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Formula, E> {
        match s {
            "one" => Ok(Formula::One),
            "half" => Ok(Formula::Half),
            _ => Err(E::invalid_value(de::Unexpected::Str(s), &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Formula, A::Error> {
        let Some(name) = map.next_key::<String>()? else {
            return Err(de::Error::invalid_length(0, &self));
        };
        let one = |map: &mut A| map.next_value::<Formula>().map(Box::new);
        let formula = match name.as_str() {
            "sum" => Formula::Sum(map.next_value()?),
            "product" => Formula::Product(map.next_value()?),
            "difference" => {
                let [a, b]: [Formula; 2] = map.next_value()?;
                Formula::difference(a, b)
            }
            "negation" => Formula::Negation(one(&mut map)?),
            "square" => Formula::Square(one(&mut map)?),
            "sigmoid" => Formula::Sigmoid(one(&mut map)?),
            "tanh" => Formula::Tanh(one(&mut map)?),
            "relu" => Formula::Relu(one(&mut map)?),
            "step" => Formula::Step(one(&mut map)?),
            "integer" => Formula::Integer(map.next_value()?),
            "quotient" => {
                let [a, b]: [Formula; 2] = map.next_value()?;
                Formula::quotient(a, b)
            }
            "exp" => Formula::Exp(one(&mut map)?),
            "ln" => Formula::Ln(one(&mut map)?),
            "max" => Formula::Max(map.next_value()?),
            "sqrt" => Formula::Sqrt(one(&mut map)?),
            "power" => {
                let [a, b]: [Formula; 2] = map.next_value()?;
                Formula::Power(Box::new(a), Box::new(b))
            }
            _ => return Err(de::Error::unknown_variant(&name, &NAMES)),
        };
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "a formula tree node has one key, its name",
            ));
        }
        Ok(formula)
    }
}

impl Formula {
    /// The largest operand position the tree uses, if it uses any.
    pub fn max_operand(&self) -> Option<usize> {
        let mut max = None;
        self.clone().map(&mut |n: usize| max = max.max(Some(n)));
        max
    }
}

/// A formula being built: each leaf an operand's symbol and value.
pub type Building = Formula<(String, f64)>;

/// The leaf of a formula being built: the operand `symbol` with its `value`.
pub fn operand(symbol: String, value: f64) -> Building {
    Formula::Operand((symbol, value))
}

/// What recording a built formula gives: the tree with operand positions, the `formula` and
/// `substituted` strings, and the `from` list.
pub struct Printed {
    pub tree: Formula,
    pub formula: String,
    pub substituted: String,
    pub from: Vec<String>,
}

impl Building {
    /// Prints the formula with symbols and with numbers (at `precision` digits), into the
    /// given buffers (cleared first, so that a recorder can reuse them).
    pub fn print(
        self,
        precision: usize,
        mut formula: String,
        mut substituted: String,
        mut from: Vec<String>,
    ) -> Printed {
        formula.clear();
        substituted.clear();
        from.clear();
        let compound = |(symbol, _): &(String, f64)| symbol.contains('/');
        self.write_plain(
            &mut formula,
            &mut |out, (symbol, _)| out.push_str(symbol),
            &compound,
        );
        self.write_plain(
            &mut substituted,
            &mut |out, (_, value)| number::push_operand(out, *value, precision),
            &compound,
        );
        let tree = self.map(&mut |(symbol, _)| {
            from.push(symbol);
            from.len() - 1
        });
        Printed {
            tree,
            formula,
            substituted,
            from,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(symbol: &str, value: f64) -> Building {
        operand(symbol.to_string(), value)
    }

    fn printed(f: Building) -> (String, String, Vec<String>) {
        let p = f.print(9, String::new(), String::new(), Vec::new());
        (p.formula, p.substituted, p.from)
    }

    #[test]
    fn the_articles_formulas_print_as_the_trace_writes_them() {
        let net = Formula::sum([
            Formula::product([op("w1", 0.15), op("i1", 0.05)]),
            Formula::product([op("w2", 0.2), op("i2", 0.1)]),
            Formula::product([op("b1", 0.35), Formula::One]),
        ]);
        assert_eq!(
            printed(net),
            (
                "w1 * i1 + w2 * i2 + b1 * 1".to_string(),
                "0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1".to_string(),
                vec!["w1", "i1", "w2", "i2", "b1"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )
        );
        let cases: Vec<(Building, &str)> = vec![
            (
                Formula::of(Formula::Sigmoid, op("net_h1", 0.3775)),
                "1/(1 + e^(-net_h1))",
            ),
            (
                Formula::product([
                    Formula::Half,
                    Formula::of(
                        Formula::Square,
                        Formula::difference(op("target_o1", 0.01), op("out_o1", 0.75)),
                    ),
                ]),
                "1/2 * (target_o1 - out_o1)^2",
            ),
            (
                Formula::of(
                    Formula::Negation,
                    Formula::difference(op("target_o1", 0.01), op("out_o1", 0.75)),
                ),
                "-(target_o1 - out_o1)",
            ),
            (
                Formula::product([
                    op("out_o1", 0.75),
                    Formula::difference(Formula::One, op("out_o1", 0.75)),
                ]),
                "out_o1 * (1 - out_o1)",
            ),
            (
                Formula::difference(
                    Formula::One,
                    Formula::of(Formula::Square, op("out_h1", 0.5)),
                ),
                "1 - out_h1^2",
            ),
            (
                Formula::of(Formula::Step, op("net_h1", 0.5)),
                "1 if net_h1 > 0, else 0",
            ),
            (
                Formula::of(Formula::Relu, op("net_h1", 0.5)),
                "max(0, net_h1)",
            ),
            (
                Formula::of(Formula::Tanh, op("net_h1", 0.5)),
                "tanh(net_h1)",
            ),
            (
                Formula::difference(
                    op("w5", 0.4),
                    Formula::product([op("eta", 0.5), op("dE_total/dw5", 0.08)]),
                ),
                "w5 - eta * dE_total/dw5",
            ),
        ];
        for (formula, text) in cases {
            assert_eq!(printed(formula).0, text);
        }
    }

    #[test]
    fn negative_numbers_are_put_in_parentheses_when_substituted() {
        let f = Formula::difference(
            op("w5", 0.4),
            Formula::product([op("eta", 0.5), op("dE_total/dw5", -0.08)]),
        );
        assert_eq!(printed(f).1, "0.4 - 0.5 * (-0.08)");
    }

    #[test]
    fn the_tree_evaluates_to_what_its_formula_says() {
        let f = Formula::product([
            Formula::Half,
            Formula::of(
                Formula::Square,
                Formula::difference(op("t", 0.01), op("o", 0.75)),
            ),
        ]);
        let p = f.print(9, String::new(), String::new(), Vec::new());
        let values = [0.01, 0.75];
        assert_eq!(
            p.tree.eval(&|n| values[n]),
            0.5 * (0.01 - 0.75) * (0.01 - 0.75)
        );
        let json = serde_json::to_string(&p.tree).unwrap();
        assert_eq!(
            json,
            r#"{"product":["half",{"square":{"difference":[0,1]}}]}"#
        );
        assert_eq!(serde_json::from_str::<Formula>(&json).unwrap(), p.tree);
        assert_eq!(p.tree.max_operand(), Some(1));
    }

    #[test]
    fn a_tree_that_is_not_one_is_refused_with_what_was_expected() {
        for (bad, says) in [
            (r#"{"sum": 0}"#, "expected a sequence"),
            (
                r#"{"difference": [0]}"#,
                "invalid length 1, expected an array of length 2",
            ),
            (
                r#"{"cube": 0}"#,
                "unknown variant `cube`, expected one of `sum`",
            ),
            (
                r#"{"sum": [0], "product": [1]}"#,
                "a formula tree node has one key",
            ),
            (r#"-1"#, "expected a formula tree"),
            (r#""two""#, "expected a formula tree"),
            (r#"{}"#, "expected a formula tree"),
        ] {
            let error = serde_json::from_str::<Formula>(bad)
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
