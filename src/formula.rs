//! Reading the formulas a trace records, so that `verify` can recompute a value from its
//! formula without trusting the program that wrote it.
//!
//! A recorded formula (`w5*out_h1 + w6*out_h2 + b2*1`) cannot be tokenised on its own:
//! symbols such as `dE_total/dw5` contain the division sign. So a formula is read together
//! with its `from` list ([`TracedValue::pieces`] cuts it at the symbols), and only the text
//! between symbols is tokenised. A substituted formula (`0.4*0.593269992 + …`) has numbers
//! where the symbols were and is read on its own.
//!
//! The language is the one the engine writes: numbers (also `1.5e-7`), `+ - * / ^`,
//! parentheses, `e^(…)`, `tanh(…)`, `ln(…)`, `max(…, …)` and the ReLU derivative `1 if net_h1 > 0,
//! else 0`.

use crate::trace::{Piece, TracedValue};
use std::fmt;

/// A formula, parsed: evaluate it with [`Expr::eval`], giving the value of each operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number written in the formula.
    Num(f64),
    /// The `n`-th operand (the `n`-th entry of the value's `from` list).
    Operand(usize),
    /// −x.
    Neg(Box<Expr>),
    /// x + y.
    Add(Box<Expr>, Box<Expr>),
    /// x − y.
    Sub(Box<Expr>, Box<Expr>),
    /// x · y.
    Mul(Box<Expr>, Box<Expr>),
    /// x / y.
    Div(Box<Expr>, Box<Expr>),
    /// x ^ y.
    Pow(Box<Expr>, Box<Expr>),
    /// e ^ x, computed with `exp` for accuracy.
    Exp(Box<Expr>),
    /// tanh(x).
    Tanh(Box<Expr>),
    /// max(x, y, …).
    Max(Vec<Expr>),
    /// The natural logarithm ln(x).
    Ln(Box<Expr>),
    /// √x.
    Sqrt(Box<Expr>),
    /// `then if left > right, else otherwise`.
    IfGreater {
        then: Box<Expr>,
        left: Box<Expr>,
        right: Box<Expr>,
        otherwise: Box<Expr>,
    },
}

/// Why a formula could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    /// The formula does not contain its `from` symbols, in order.
    #[error("the formula does not contain the symbols of its \"from\" list, in that order")]
    SymbolsMissing,
    /// Something unexpected at a place in the text.
    #[error("cannot read {found} at character {at}: expected {expected}")]
    Unexpected {
        /// What was found ("the end", "\"*\"").
        found: String,
        /// 1-based character position in the formula.
        at: usize,
        /// What would have made sense.
        expected: &'static str,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Operand(usize),
    Op(char),
    Name(String),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Num(x) => write!(f, "the number {x}"),
            Token::Operand(n) => write!(f, "operand {}", n + 1),
            Token::Op(c) => write!(f, "\"{c}\""),
            Token::Name(s) => write!(f, "\"{s}\""),
        }
    }
}

/// Parses a recorded formula, its symbols located through its `from` list.
pub fn parse_formula(value: &TracedValue) -> Result<Expr, FormulaError> {
    let pieces = value.pieces().ok_or(FormulaError::SymbolsMissing)?;
    let mut tokens = Vec::new();
    let mut at = 0;
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                lex(text, at, &mut tokens)?;
                at += text.chars().count();
            }
            Piece::Symbol(n) => {
                tokens.push((Token::Operand(n), at + 1));
                at += value.from[n].chars().count();
            }
        }
    }
    Parser::new(tokens, at).parse()
}

/// Parses a formula holding only numbers, such as a substituted formula.
pub fn parse_numeric(text: &str) -> Result<Expr, FormulaError> {
    let mut tokens = Vec::new();
    lex(text, 0, &mut tokens)?;
    Parser::new(tokens, text.chars().count()).parse()
}

/// Splits `text` into tokens; positions are counted from `offset` (in characters).
fn lex(text: &str, offset: usize, out: &mut Vec<(Token, usize)>) -> Result<(), FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = offset + i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let (number, len) = lex_number(&chars[i..]);
            let value = number
                .parse::<f64>()
                .map_err(|_| FormulaError::Unexpected {
                    found: format!("\"{}\"", crate::quote::excerpt(&number)),
                    at,
                    expected: "a number",
                })?;
            out.push((Token::Num(value), at));
            i += len;
        } else if "+-*/^(),>".contains(c) {
            out.push((Token::Op(c), at));
            i += 1;
        } else if c.is_alphabetic() {
            let len = chars[i..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .count();
            let name: String = chars[i..i + len].iter().collect();
            if !["e", "tanh", "max", "ln", "sqrt", "if", "else"].contains(&name.as_str()) {
                return Err(FormulaError::Unexpected {
                    found: format!("\"{}\"", crate::quote::excerpt(&name)),
                    at,
                    expected: "a number, an operator, e, tanh, max, ln, sqrt or a symbol of \"from\"",
                });
            }
            out.push((Token::Name(name), at));
            i += len;
        } else {
            return Err(FormulaError::Unexpected {
                found: format!("\"{c}\""),
                at,
                expected: "a number, an operator or a parenthesis",
            });
        }
    }
    Ok(())
}

/// The longest number at the start of `chars`: digits, a decimal point, and an exponent
/// (`1.5e-7`) only when digits follow the `e`, so that `2*e^(…)` is not read as one.
fn lex_number(chars: &[char]) -> (String, usize) {
    let mut len = chars
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == '.')
        .count();
    if matches!(chars.get(len), Some('e' | 'E')) {
        let mut j = len + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(char::is_ascii_digit) {
            len = j + chars[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        }
    }
    (chars[..len].iter().collect(), len)
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn new(tokens: Vec<(Token, usize)>, length: usize) -> Parser {
        Parser {
            tokens,
            pos: 0,
            end: length + 1,
        }
    }

    fn parse(mut self) -> Result<Expr, FormulaError> {
        let expr = self.conditional()?;
        if self.pos < self.tokens.len() {
            return Err(self.unexpected("an operator or the end"));
        }
        Ok(expr)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_op(&self, c: char) -> bool {
        self.peek() == Some(&Token::Op(c))
    }

    fn peek_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n == name)
    }

    fn unexpected(&self, expected: &'static str) -> FormulaError {
        match self.tokens.get(self.pos) {
            Some((t, at)) => FormulaError::Unexpected {
                found: t.to_string(),
                at: *at,
                expected,
            },
            None => FormulaError::Unexpected {
                found: "the end".to_string(),
                at: self.end,
                expected,
            },
        }
    }

    fn expect_op(&mut self, c: char, expected: &'static str) -> Result<(), FormulaError> {
        if self.peek_op(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// `a if l > r, else b`, or just a sum.
    fn conditional(&mut self) -> Result<Expr, FormulaError> {
        let then = self.sum()?;
        if !self.peek_name("if") {
            return Ok(then);
        }
        self.pos += 1;
        let left = self.sum()?;
        self.expect_op('>', "\">\"")?;
        let right = self.sum()?;
        self.expect_op(',', "\",\"")?;
        if !self.peek_name("else") {
            return Err(self.unexpected("\"else\""));
        }
        self.pos += 1;
        let otherwise = self.sum()?;
        Ok(Expr::IfGreater {
            then: Box::new(then),
            left: Box::new(left),
            right: Box::new(right),
            otherwise: Box::new(otherwise),
        })
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.product()?;
        loop {
            if self.peek_op('+') {
                self.pos += 1;
                left = Expr::Add(Box::new(left), Box::new(self.product()?));
            } else if self.peek_op('-') {
                self.pos += 1;
                left = Expr::Sub(Box::new(left), Box::new(self.product()?));
            } else {
                return Ok(left);
            }
        }
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut left = self.unary()?;
        loop {
            if self.peek_op('*') {
                self.pos += 1;
                left = Expr::Mul(Box::new(left), Box::new(self.unary()?));
            } else if self.peek_op('/') {
                self.pos += 1;
                left = Expr::Div(Box::new(left), Box::new(self.unary()?));
            } else {
                return Ok(left);
            }
        }
    }

    /// Unary minus binds looser than `^`: −x^2 is −(x²).
    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if self.peek_op('-') {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr, FormulaError> {
        let is_e = self.peek_name("e");
        let base = self.atom()?;
        if !self.peek_op('^') {
            return Ok(base);
        }
        self.pos += 1;
        let exponent = self.unary()?;
        Ok(if is_e {
            Expr::Exp(Box::new(exponent))
        } else {
            Expr::Pow(Box::new(base), Box::new(exponent))
        })
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        const EXPECTED: &str = "a number, a symbol, \"(\", e, tanh, max, ln or sqrt";
        let Some((token, _)) = self.tokens.get(self.pos).cloned() else {
            return Err(self.unexpected(EXPECTED));
        };
        match token {
            Token::Num(x) => {
                self.pos += 1;
                Ok(Expr::Num(x))
            }
            Token::Operand(n) => {
                self.pos += 1;
                Ok(Expr::Operand(n))
            }
            Token::Op('(') => {
                self.pos += 1;
                let inner = self.conditional()?;
                self.expect_op(')', "\")\"")?;
                Ok(inner)
            }
            Token::Name(name) if name == "e" => {
                self.pos += 1;
                Ok(Expr::Num(std::f64::consts::E))
            }
            Token::Name(name) if name == "tanh" => {
                self.pos += 1;
                self.expect_op('(', "\"(\" after tanh")?;
                let inner = self.sum()?;
                self.expect_op(')', "\")\"")?;
                Ok(Expr::Tanh(Box::new(inner)))
            }
            Token::Name(name) if name == "max" => {
                self.pos += 1;
                self.expect_op('(', "\"(\" after max")?;
                // max(0, net) of the ReLU; max(net_o1, net_o2, …) of the softmax's shift.
                let mut items = vec![self.sum()?];
                self.expect_op(',', "\",\" between the arguments of max")?;
                items.push(self.sum()?);
                while self.peek_op(',') {
                    self.pos += 1;
                    items.push(self.sum()?);
                }
                self.expect_op(')', "\")\"")?;
                Ok(Expr::Max(items))
            }
            Token::Name(name) if name == "ln" => {
                self.pos += 1;
                self.expect_op('(', "\"(\" after ln")?;
                let inner = self.sum()?;
                self.expect_op(')', "\")\"")?;
                Ok(Expr::Ln(Box::new(inner)))
            }
            Token::Name(name) if name == "sqrt" => {
                self.pos += 1;
                self.expect_op('(', "\"(\" after sqrt")?;
                let inner = self.sum()?;
                self.expect_op(')', "\")\"")?;
                Ok(Expr::Sqrt(Box::new(inner)))
            }
            _ => Err(self.unexpected(EXPECTED)),
        }
    }
}

impl Expr {
    /// The value, with `operand(n)` giving the value of the `n`-th operand.
    pub fn eval(&self, operand: &dyn Fn(usize) -> f64) -> f64 {
        match self {
            Expr::Num(x) => *x,
            Expr::Operand(n) => operand(*n),
            Expr::Neg(x) => -x.eval(operand),
            Expr::Add(a, b) => a.eval(operand) + b.eval(operand),
            Expr::Sub(a, b) => a.eval(operand) - b.eval(operand),
            Expr::Mul(a, b) => a.eval(operand) * b.eval(operand),
            Expr::Div(a, b) => a.eval(operand) / b.eval(operand),
            Expr::Pow(a, b) => {
                let (base, exponent) = (a.eval(operand), b.eval(operand));
                // x^2 as x·x, as the engine computes it, so that the two agree to the bit.
                if exponent == 2.0 {
                    base * base
                } else {
                    base.powf(exponent)
                }
            }
            Expr::Exp(x) => x.eval(operand).exp(),
            Expr::Tanh(x) => x.eval(operand).tanh(),
            Expr::Max(items) => items
                .iter()
                .map(|x| x.eval(operand))
                .fold(f64::NEG_INFINITY, f64::max),
            Expr::Ln(x) => x.eval(operand).ln(),
            Expr::Sqrt(x) => x.eval(operand).sqrt(),
            Expr::IfGreater {
                then,
                left,
                right,
                otherwise,
            } => {
                if left.eval(operand) > right.eval(operand) {
                    then.eval(operand)
                } else {
                    otherwise.eval(operand)
                }
            }
        }
    }
}

/// One number read from a substituted formula where the formula has a symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct Substituted<'a> {
    /// The position of the symbol in `from`.
    pub operand: usize,
    /// The number as written (without the parentheses around a negative one).
    pub printed: &'a str,
}

/// Where a substituted formula stops following its formula.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the numbers do not follow the formula from character {at}: expected {expected}")]
pub struct Mismatch {
    /// 1-based character position in the substituted formula.
    pub at: usize,
    /// What the formula has there.
    pub expected: Expected,
}

/// What a substituted formula should have had where it stopped following its formula (typed,
/// so that a report can say it in either language).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The formula's own text between symbols.
    Text(String),
    /// A number standing for this operand.
    NumberFor(String),
    /// Nothing more: the formula ends there.
    End,
    /// The formula itself does not contain its operands' symbols.
    Symbols,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Text(text) => write!(f, "\"{text}\""),
            Expected::NumberFor(symbol) => write!(f, "the number for {symbol}"),
            Expected::End => write!(f, "the end of the formula"),
            Expected::Symbols => write!(f, "a formula that contains its \"from\" symbols"),
        }
    }
}

/// Reads `value.substituted` against `value.formula`: the text between symbols must be the
/// same, and where the formula has a symbol the substituted formula must have a number
/// (in parentheses when negative). Returns those numbers, one per symbol.
pub fn read_substituted(value: &TracedValue) -> Result<Vec<Substituted<'_>>, Mismatch> {
    let pieces = value.pieces().ok_or(Mismatch {
        at: 1,
        expected: Expected::Symbols,
    })?;
    let s = value.substituted.as_str();
    let mut at = 0;
    let mut numbers = Vec::new();
    let position = |byte: usize| s[..byte].chars().count() + 1;
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                if !s[at..].starts_with(text) {
                    return Err(Mismatch {
                        at: position(at),
                        expected: Expected::Text(crate::quote::excerpt(text).to_string()),
                    });
                }
                at += text.len();
            }
            Piece::Symbol(n) => {
                let rest = &s[at..];
                let (printed, len) = if let Some(inner) = rest.strip_prefix("(-") {
                    let chars: Vec<char> = inner.chars().collect();
                    let (number, nlen) = lex_number(&chars);
                    if nlen == 0 || !inner[nlen..].starts_with(')') {
                        return Err(Mismatch {
                            at: position(at),
                            expected: Expected::NumberFor(value.from[n].clone()),
                        });
                    }
                    let _ = number;
                    (&rest[1..2 + nlen], nlen + 3)
                } else {
                    let chars: Vec<char> = rest.chars().collect();
                    let (_, nlen) = lex_number(&chars);
                    if nlen == 0 {
                        return Err(Mismatch {
                            at: position(at),
                            expected: Expected::NumberFor(value.from[n].clone()),
                        });
                    }
                    (&rest[..nlen], nlen)
                };
                numbers.push(Substituted {
                    operand: n,
                    printed,
                });
                at += len;
            }
        }
    }
    if at < s.len() {
        return Err(Mismatch {
            at: position(at),
            expected: Expected::End,
        });
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Stage;

    fn value(formula: &str, from: &[&str], substituted: &str) -> TracedValue {
        TracedValue {
            symbol: "x".into(),
            role: None,
            expr: None,
            stage: Stage::Forward,
            layer: None,
            formula: formula.into(),
            substituted: substituted.into(),
            value: 0.0,
            from: from.iter().map(|s| s.to_string()).collect(),
            drawn: None,
            sample: None,
        }
    }

    fn eval_with(formula: &str, from: &[&str], values: &[f64]) -> f64 {
        let expr = parse_formula(&value(formula, from, "")).unwrap();
        expr.eval(&|n| values[n])
    }

    #[test]
    fn the_engines_formulas_evaluate() {
        let net = eval_with(
            "w1*i1 + w2*i2 + b1*1",
            &["w1", "i1", "w2", "i2", "b1"],
            &[0.15, 0.05, 0.2, 0.1, 0.35],
        );
        assert!((net - 0.3775).abs() < 1e-15);
        let out = eval_with("1/(1 + e^(-net_h1))", &["net_h1"], &[0.3775]);
        assert_eq!(format!("{out:.9}"), "0.593269992");
        let g = eval_with(
            "dE_total/dout_o1*dout_o1/dnet_o1*dnet_o1/dw5",
            &["dE_total/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"],
            &[2.0, 3.0, 5.0],
        );
        assert_eq!(g, 30.0);
        assert_eq!(
            eval_with(
                "-(target_o1 - out_o1)",
                &["target_o1", "out_o1"],
                &[0.01, 0.75]
            ),
            0.74
        );
        assert_eq!(
            eval_with(
                "1/2*(target_o1 - out_o1)^2",
                &["target_o1", "out_o1"],
                &[1.0, 3.0]
            ),
            2.0
        );
        assert_eq!(eval_with("1 - out_h1^2", &["out_h1"], &[0.5]), 0.75);
        assert_eq!(eval_with("max(0, net_h1)", &["net_h1"], &[-2.0]), 0.0);
        assert_eq!(eval_with("tanh(net_h1)", &["net_h1"], &[0.0]), 0.0);
        assert_eq!(
            eval_with("1 if net_h1 > 0, else 0", &["net_h1"], &[0.3]),
            1.0
        );
        assert_eq!(
            eval_with("1 if net_h1 > 0, else 0", &["net_h1"], &[-0.3]),
            0.0
        );
        assert_eq!(eval_with("1", &[], &[]), 1.0);
        assert_eq!(
            eval_with(
                "w5+ - eta*dE_total/dw5",
                &["w5+", "eta", "dE_total/dw5"],
                &[1.0, 0.5, 2.0]
            ),
            0.0
        );
    }

    #[test]
    fn substituted_formulas_evaluate() {
        let x = parse_numeric("0.5 - 0.5*(-0.02260254)")
            .unwrap()
            .eval(&|_| 0.0);
        assert!((x - 0.51130127).abs() < 1e-15);
        let y = parse_numeric("1/(1 + e^(-0.3775))").unwrap().eval(&|_| 0.0);
        assert_eq!(format!("{y:.9}"), "0.593269992");
        assert_eq!(parse_numeric("-2^2").unwrap().eval(&|_| 0.0), -4.0);
        assert_eq!(parse_numeric("2*1.5e-1").unwrap().eval(&|_| 0.0), 0.3);
        assert_eq!(parse_numeric("2*e^(0)").unwrap().eval(&|_| 0.0), 2.0);
    }

    #[test]
    fn errors_say_where_and_what() {
        let err = parse_numeric("0.4 * * 2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read \"*\" at character 7: expected a number, a symbol, \"(\", e, tanh, max, ln or sqrt"
        );
        let err = parse_numeric("(1 + 2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read the end at character 7: expected \")\""
        );
        let err = parse_formula(&value("w1*x1", &["w1"], "")).unwrap_err();
        assert!(err.to_string().contains("\"x1\""), "{err}");
        assert_eq!(
            parse_formula(&value("w1*i1", &["i1", "w1"], "")).unwrap_err(),
            FormulaError::SymbolsMissing
        );
    }

    #[test]
    fn substituted_numbers_line_up_with_symbols() {
        let v = value(
            "w5 - eta*dE_total/dw5",
            &["w5", "eta", "dE_total/dw5"],
            "0.4 - 0.5*(-0.02260254)",
        );
        let numbers = read_substituted(&v).unwrap();
        let printed: Vec<&str> = numbers.iter().map(|n| n.printed).collect();
        assert_eq!(printed, vec!["0.4", "0.5", "-0.02260254"]);

        let changed = value(
            "w5 - eta*dE_total/dw5",
            &["w5", "eta", "dE_total/dw5"],
            "0.4 + 0.5*0.08",
        );
        assert_eq!(
            read_substituted(&changed).unwrap_err(),
            Mismatch {
                at: 4,
                expected: Expected::Text(" - ".to_string())
            }
        );
        let short = value("w5*out_h1", &["w5", "out_h1"], "0.4*");
        assert_eq!(read_substituted(&short).unwrap_err().at, 5);
    }
}
