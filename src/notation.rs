//! The article's notation: the ASCII symbols a trace is keyed by (net_h1, dE_total/dw5, w5+)
//! and the typography they are shown in (∂E_total/∂w5, δ_o1, w5⁺). [`Typography`] is the one
//! place that decides how a renderer writes a symbol, a mark or a sentence: in the article's
//! typography, or (`--ascii`) in ASCII.
//!
//! Neurons: inputs i1, i2, …; outputs o1, o2, …; with one hidden layer h1, h2, …; with
//! several, h{layer}_{neuron} (h2_3 is neuron 3 of hidden layer 2). Weights are numbered
//! w1, w2, … across the whole network in the order of the file's `weights` lists. Biases:
//! b{layer} for a bias shared by a weight layer, b{layer}_{neuron} for one per neuron.

use crate::network::{Bias, Network};
use std::borrow::Cow;

/// The names of a network's neurons, weights and biases.
#[derive(Clone, Debug)]
pub struct Notation {
    /// Neuron names per layer, inputs first.
    neurons: Vec<Vec<String>>,
    /// The global number of the first weight of each weight layer, minus one.
    weight_offset: Vec<usize>,
    /// Whether each weight layer's bias is shared.
    shared_bias: Vec<bool>,
}

impl Notation {
    /// Names every neuron, weight and bias of `net`.
    pub fn new(net: &Network) -> Notation {
        let last = net.layers.len() - 1;
        let hidden_layers = last.saturating_sub(1);
        let neurons = net
            .layers
            .iter()
            .enumerate()
            .map(|(layer, &n)| {
                (1..=n)
                    .map(|j| {
                        if layer == 0 {
                            format!("i{j}")
                        } else if layer == last {
                            format!("o{j}")
                        } else if hidden_layers == 1 {
                            format!("h{j}")
                        } else {
                            format!("h{layer}_{j}")
                        }
                    })
                    .collect()
            })
            .collect();
        let mut weight_offset = Vec::with_capacity(net.weights.len());
        let mut total = 0;
        for w in &net.weights {
            weight_offset.push(total);
            total += w.len();
        }
        let shared_bias = net
            .biases
            .iter()
            .map(|b| matches!(b, Bias::Shared(_)))
            .collect();
        Notation {
            neurons,
            weight_offset,
            shared_bias,
        }
    }

    /// Neuron `j` (0-based) of layer `layer` (0 = inputs): "i1", "h2", "h1_3", "o1".
    pub fn neuron(&self, layer: usize, j: usize) -> &str {
        &self.neurons[layer][j]
    }

    /// How many neurons layer `layer` has (0 = inputs).
    pub fn layer_size(&self, layer: usize) -> usize {
        self.neurons[layer].len()
    }

    /// The number of weight layers (the output layer's index).
    pub fn depth(&self) -> usize {
        self.neurons.len() - 1
    }

    /// The weight at index `index` of weight layer `l` (0-based): "w5".
    pub fn weight(&self, l: usize, index: usize) -> String {
        format!("w{}", self.weight_offset[l] + index + 1)
    }

    /// The bias of weight layer `l` (0-based) as seen by neuron `j`: "b1" or "b1_2".
    pub fn bias(&self, l: usize, j: usize) -> String {
        if self.shared_bias[l] {
            format!("b{}", l + 1)
        } else {
            format!("b{}_{}", l + 1, j + 1)
        }
    }
}

/// A symbol in the article's typography: `dE_total/dw5` → `∂E_total/∂w5`,
/// `delta_o1` → `δ_o1`, `w5+` → `w5⁺`, `eta` → `η`.
pub fn pretty(symbol: &str) -> String {
    let (body, updated) = match symbol.strip_suffix('+') {
        Some(b) => (b, true),
        None => (symbol, false),
    };
    let mut out = if body == "eta" {
        "η".to_string()
    } else if let Some(rest) = body.strip_prefix("delta_") {
        format!("δ_{rest}")
    } else if let Some((top, bottom)) = body.split_once('/')
        && let (Some(t), Some(b)) = (top.strip_prefix('d'), bottom.strip_prefix('d'))
    {
        format!("∂{t}/∂{b}")
    } else {
        body.to_string()
    };
    if updated {
        out.push('⁺');
    }
    out
}

/// The ASCII key for a symbol written in the article's typography or in a common spelling
/// (the inverse of [`pretty`]): `∂E_total/∂w5` → `dE_total/dw5`, `δ_o1` → `delta_o1`,
/// `w5⁺` → `w5+`, `η` → `eta`.
pub fn ascii(symbol: &str) -> String {
    let s = symbol.trim();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '∂' => out.push('d'),
            'δ' => out.push_str("delta_"),
            '⁺' => out.push('+'),
            'η' => out.push_str("eta"),
            _ => out.push(c),
        }
    }
    out.replace("delta__", "delta_")
}

/// How text is set: in the article's typography (∂E_total/∂w5, ✓, ≠, →, box lines), or in
/// ASCII (dE_total/dw5, ok, !=, ->, +-|) for terminals that draw those characters
/// double-width or not at all. Every renderer asks this instead of choosing for itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Typography {
    /// The article's symbols and marks.
    #[default]
    Article,
    /// ASCII only, but for the Chinese words of `--lang zh` (see [`Typography::text`]).
    Ascii,
}

impl Typography {
    /// `Ascii` when `ascii`, else `Article`: how a command's `--ascii` flag reads.
    pub fn from_ascii(ascii: bool) -> Typography {
        if ascii {
            Typography::Ascii
        } else {
            Typography::Article
        }
    }

    /// Whether this is ASCII.
    pub fn is_ascii(self) -> bool {
        self == Typography::Ascii
    }

    /// A trace symbol (an ASCII key): `dE_total/dw5` as it is, or as `∂E_total/∂w5`.
    pub fn symbol(self, symbol: &str) -> String {
        match self {
            Typography::Article => pretty(symbol),
            Typography::Ascii => symbol.to_string(),
        }
    }

    /// The mark of a value that agrees: `✓` or `ok`.
    pub fn agrees(self) -> &'static str {
        self.pick("✓", "ok")
    }

    /// The mark of a number that differs from another: `≠` or `!=`.
    pub fn differs(self) -> &'static str {
        self.pick("≠", "!=")
    }

    /// The mark of a wrong value: `✗` or `X`.
    pub fn wrong(self) -> &'static str {
        self.pick("✗", "X")
    }

    /// The mark of footnote `n`: `¹` (superscripts up to 9) or `[1]`.
    pub fn footnote(self, n: usize) -> String {
        const SUPERSCRIPTS: [char; 9] = ['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        match (self, n.checked_sub(1).and_then(|i| SUPERSCRIPTS.get(i))) {
            (Typography::Article, Some(&c)) => c.to_string(),
            _ => format!("[{n}]"),
        }
    }

    fn pick(self, article: &'static str, ascii: &'static str) -> &'static str {
        match self {
            Typography::Article => article,
            Typography::Ascii => ascii,
        }
    }

    /// A sentence, heading or label written in the article's typography, as this typography
    /// sets it. In ASCII each symbol is spelled as the trace's keys spell it (∂ d, δ delta,
    /// η eta, ⁺ +), each mark as the ASCII renderers write it (✓ ok, ≠ !=, → ->), and the
    /// " · " between the parts of a heading is " | ". The Chinese words of `--lang zh` have
    /// no ASCII spelling and stay. A character the table does not know is escaped
    /// (`\u{2603}`) rather than passed through, so the output stays ASCII.
    pub fn text(self, text: &str) -> Cow<'_, str> {
        if self == Typography::Article || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let text = text.replace(" · ", " | ");
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c.is_ascii() || is_chinese(c) {
                out.push(c);
            } else if let Some(&(_, spelled)) = ASCII_SPELLINGS.iter().find(|&&(u, _)| u == c) {
                out.push_str(spelled);
            } else {
                out.extend(c.escape_unicode());
            }
        }
        Cow::Owned(out)
    }
}

/// The ASCII spelling of every non-ASCII character the program writes outside its Chinese
/// words. Symbols follow the trace's keys: `∂E_total/∂w5` is `dE_total/dw5`, `δ_o1` is
/// `delta_o1`, `w5⁺` is `w5+`.
const ASCII_SPELLINGS: &[(char, &str)] = &[
    // The article's mathematics.
    ('∂', "d"),
    ('δ', "delta"),
    ('η', "eta"),
    ('ε', "eps"),
    ('σ', "sigma"),
    ('β', "beta"),
    ('Σ', "sum"),
    ('⁺', "+"),
    ('⁻', "^-"),
    ('¹', "^1"),
    ('²', "^2"),
    ('³', "^3"),
    ('ᵗ', "^t"),
    // m̂, v̂: the hat is a combining mark after the letter.
    ('\u{302}', "_hat"),
    ('½', "1/2"),
    ('∛', "cbrt"),
    ('‴', "'''"),
    ('×', "x"),
    ('·', "*"),
    ('−', "-"),
    ('±', "+/-"),
    ('≈', "~"),
    ('≤', "<="),
    ('≥', ">="),
    // Marks and punctuation.
    ('✓', "ok"),
    ('✗', "X"),
    ('≠', "!="),
    ('→', "->"),
    ('←', "<-"),
    ('▶', ">"),
    ('…', "..."),
    ('—', "--"),
    ('–', "-"),
    ('“', "\""),
    ('”', "\""),
    ('‘', "'"),
    ('’', "'"),
    // Box lines.
    ('─', "-"),
    ('═', "="),
    ('│', "|"),
    ('║', "|"),
    ('├', "|"),
    ('└', "`"),
    ('┌', "+"),
    ('┐', "+"),
    ('┘', "+"),
    ('╔', "#"),
    ('╗', "#"),
    ('╚', "#"),
    ('╝', "#"),
];

/// Whether `c` belongs to the Chinese words of `--lang zh` (CJK ideographs and punctuation,
/// full-width forms): characters every terminal draws two cells wide, so they never cause
/// the misdrawn lines `--ascii` is for.
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' // CJK symbols and punctuation: 。、
        | '\u{3400}'..='\u{4DBF}' // CJK ideographs, extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms: ,:()
    )
}

/// How far a suggestion is read into what was written: symbols are a few characters long,
/// the edit distance is quadratic in the length, and the first characters of a very long
/// name are as good a guess as all of them.
const SUGGESTION_CHARS: usize = crate::quote::MAX_QUOTED;

/// Most edits between a spelling and a symbol for the symbol to be offered as the one meant.
const NEAR: usize = 3;

/// The symbols of one iteration, and the one reader of a symbol as a user writes it: every
/// command that takes a symbol (`explain`, `show --only`, `verify`'s files) reads it here,
/// so a spelling one accepts, all accept, and suggestions come from this network's symbols.
///
/// A symbol is read as the trace spells it (`dE_total/dw5`, `delta_o1`, `w5+`), in the
/// article's typography (`∂E_total/∂w5`, `δ_o1`, `w5⁺`), or in a common spelling of
/// either: `dEtotal/dw5`, `dE/dw5`, `netH1`, `w5_new`, `w5'`, `learning_rate`, LaTeX's
/// `\partial E_{total}/\partial w_5` (see [`spelling_key`]).
#[derive(Clone, Debug)]
pub struct Vocabulary<'a> {
    /// Each symbol with its [`spelling_key`], in the trace's order.
    symbols: Vec<(&'a str, String)>,
}

impl<'a> Vocabulary<'a> {
    /// The vocabulary of `symbols` (ASCII trace keys), in the trace's order.
    pub fn new(symbols: impl IntoIterator<Item = &'a str>) -> Vocabulary<'a> {
        Vocabulary {
            symbols: symbols.into_iter().map(|s| (s, spelling_key(s))).collect(),
        }
    }

    /// The trace symbol `written` names, if it names exactly one: the symbol itself (in
    /// ASCII or the article's typography), else the one symbol with its spelling key.
    pub fn read(&self, written: &str) -> Option<&'a str> {
        let key = ascii(written);
        if let Some(&(exact, _)) = self.symbols.iter().find(|(s, _)| *s == key) {
            return Some(exact);
        }
        let key = spelling_key(written);
        let mut same = self.symbols.iter().filter(|(_, k)| *k == key);
        match (same.next(), same.next()) {
            // Two symbols with one key (h1_11 and h11_1 are both h111) are not guessed at.
            (Some(&(one, _)), None) => Some(one),
            _ => None,
        }
    }

    /// The `n` symbols closest to `written`, best first: those whose spelling key is the
    /// same or contains it, then by edit distance (in the trace's order where equal). For
    /// "the closest symbols are" lists.
    pub fn closest(&self, written: &str, n: usize) -> Vec<&'a str> {
        let mut scored = self.scored(written);
        scored.sort_by_key(|&(score, _, _)| score);
        let mut out: Vec<&str> = Vec::with_capacity(n);
        for (_, _, s) in scored {
            if out.len() == n {
                break;
            }
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// The one symbol `written` is probably a typo of: the nearest, when it is at most
    /// [`NEAR`] edits away. For a single "did you mean".
    pub fn near(&self, written: &str) -> Option<&'a str> {
        self.scored(written)
            .into_iter()
            .map(|(_, distance, s)| (distance, s))
            .min_by_key(|&(distance, _)| distance)
            .filter(|&(distance, _)| distance <= NEAR)
            .map(|(_, s)| s)
    }

    /// Each symbol with its rank (a bonus for a key that equals or contains the written
    /// one, then the edit distance) and its edit distance, from the first
    /// [`SUGGESTION_CHARS`] characters of `written`.
    fn scored(&self, written: &str) -> Vec<(usize, usize, &'a str)> {
        let head = written
            .char_indices()
            .nth(SUGGESTION_CHARS)
            .map_or(written, |(end, _)| &written[..end]);
        let wanted = spelling_key(head);
        self.symbols
            .iter()
            .map(|(s, key)| {
                let distance = strsim::levenshtein(&wanted, key);
                let bonus = if *key == wanted {
                    0
                } else if key.contains(&wanted) {
                    1
                } else {
                    2
                };
                (bonus * 1000 + distance, distance, *s)
            })
            .collect()
    }

    /// A few of the network's own symbols, one of each kind a user asks about (a hidden
    /// neuron's net and out, a gradient, a delta, an updated weight), for messages that
    /// show how symbols are written. Kinds the network lacks are left out.
    pub fn examples(&self) -> Vec<&'a str> {
        let first = |wanted: &dyn Fn(&str) -> bool| {
            self.symbols.iter().map(|(s, _)| *s).find(|s| wanted(s))
        };
        [
            first(&|s| s.starts_with("net_h") && !s.ends_with('+')),
            first(&|s| s.starts_with("out_h") && !s.ends_with('+')),
            first(&|s| s.starts_with("dE_total/dw")),
            first(&|s| s.starts_with("delta_")),
            first(&|s| s.starts_with('w') && s.ends_with('+')),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The key two spellings of one symbol share: `∂E_total/∂w5`, `dEtotal/dw5`, `dE/dw5`,
/// `DE_TOTAL/DW5` and `\partial E_{total}/\partial w_5` all give `detotal/dw5`; `w5_new`,
/// `w5'`, `w5⁺` give `w5+`; `netH1` gives `neth1`, as `net_h1` does.
pub fn spelling_key(symbol: &str) -> String {
    let mut s = ascii(symbol)
        .replace("\\partial", "d")
        .replace("\\delta", "delta")
        .replace("\\eta", "eta")
        .replace("^{+}", "+")
        .replace("^+", "+");
    s.retain(|c| !matches!(c, '{' | '}' | '\\' | '$' | ' ' | '_'));
    let mut s = s.to_lowercase();
    for suffix in ["(new)", "new", "'", "’", "plus", "+"] {
        if let Some(body) = s.strip_suffix(suffix)
            && !body.is_empty()
        {
            s = format!("{body}+");
            break;
        }
    }
    // The article writes E_total; ∂E/∂w5 is the same derivative with the subscript left out.
    if let Some(rest) = s.strip_prefix("de/") {
        s = format!("detotal/{rest}");
    }
    match s.as_str() {
        "lr" | "learningrate" => "eta".to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Network;

    #[test]
    fn article_names() {
        let n = Notation::new(&Network::article());
        assert_eq!(n.neuron(0, 1), "i2");
        assert_eq!(n.neuron(1, 0), "h1");
        assert_eq!(n.neuron(2, 1), "o2");
        assert_eq!(n.weight(0, 0), "w1");
        assert_eq!(n.weight(1, 0), "w5");
        assert_eq!(n.weight(1, 3), "w8");
        assert_eq!(n.bias(1, 1), "b2");
    }

    #[test]
    fn deep_networks_number_hidden_layers() {
        let mut net = Network::article();
        net.layers = vec![2, 3, 2, 1];
        let n = Notation::new(&net);
        assert_eq!(n.neuron(1, 2), "h1_3");
        assert_eq!(n.neuron(2, 0), "h2_1");
        assert_eq!(n.neuron(3, 0), "o1");
    }

    #[test]
    fn typography_round_trips() {
        for (a, p) in [
            ("dE_total/dw5", "∂E_total/∂w5"),
            ("delta_o1", "δ_o1"),
            ("w5+", "w5⁺"),
            ("E_total+", "E_total⁺"),
            ("eta", "η"),
            ("dE_o1/dout_h1", "∂E_o1/∂out_h1"),
            ("net_h1", "net_h1"),
        ] {
            assert_eq!(pretty(a), p);
            assert_eq!(ascii(p), a);
        }
    }

    #[test]
    fn ascii_text_spells_symbols_and_marks_as_the_trace_does() {
        let t = Typography::Ascii;
        assert_eq!(
            t.text("w − η·∂E_total/∂w ✓, δ_o1 ≠ 0.1 → w5⁺ …"),
            "w - eta*dE_total/dw ok, delta_o1 != 0.1 -> w5+ ..."
        );
        assert_eq!(
            t.text("Step 1 · Forward pass · 1. input layer → hidden layer"),
            "Step 1 | Forward pass | 1. input layer -> hidden layer"
        );
        assert_eq!(t.text("“原文”一栏,标 ✓。"), "\"原文\"一栏,标 ok。");
        assert_eq!(t.text("snow ☃"), "snow \\u{2603}");
        assert_eq!(Typography::Article.text("η ✓"), "η ✓");
        for &(_, spelled) in ASCII_SPELLINGS {
            assert!(spelled.is_ascii(), "{spelled}");
        }
    }

    #[test]
    fn marks_and_symbols_per_typography() {
        let (a, u) = (Typography::Ascii, Typography::Article);
        assert_eq!((a.agrees(), a.differs(), a.wrong()), ("ok", "!=", "X"));
        assert_eq!((u.agrees(), u.differs(), u.wrong()), ("✓", "≠", "✗"));
        assert_eq!(a.footnote(1), "[1]");
        assert_eq!(u.footnote(1), "¹");
        assert_eq!(u.footnote(12), "[12]");
        assert_eq!(a.symbol("dE_total/dw5"), "dE_total/dw5");
        assert_eq!(u.symbol("dE_total/dw5"), "∂E_total/∂w5");
        // A symbol in the article's typography, set in ASCII, is its trace key again.
        for key in ["dE_total/dw5", "delta_o1", "w5+", "eta", "dE_o1/dout_h1"] {
            assert_eq!(a.text(&pretty(key)), key);
        }
    }

    #[test]
    fn closest_prefers_the_same_key_then_containing_then_near() {
        let v = Vocabulary::new(["dE_total/dw1", "dE_total/dw5", "w1", "net_h1", "delta_h1"]);
        assert_eq!(
            v.closest("dE_total/dw9", 2),
            ["dE_total/dw1", "dE_total/dw5"]
        );
        assert_eq!(v.closest("NET_H1", 1), ["net_h1"]);
        assert_eq!(v.closest("h1", 2), ["net_h1", "delta_h1"]);
        assert_eq!(v.closest("w1", 9).len(), 5, "each symbol once");
    }

    const ARTICLE: [&str; 9] = [
        "dE_total/dw5",
        "delta_o1",
        "w5",
        "w5+",
        "E_total",
        "eta",
        "dE_o1/dout_h1",
        "out_h1",
        "net_h1",
    ];

    #[test]
    fn common_spellings_read_as_the_trace_symbol() {
        let v = Vocabulary::new(ARTICLE);
        for (written, symbol) in [
            ("dE_total/dw5", "dE_total/dw5"),
            ("∂E_total/∂w5", "dE_total/dw5"),
            ("dEtotal/dw5", "dE_total/dw5"),
            ("dE/dw5", "dE_total/dw5"),
            ("∂E/∂w5", "dE_total/dw5"),
            ("DE_TOTAL/DW5", "dE_total/dw5"),
            ("\\partial E_{total}/\\partial w_5", "dE_total/dw5"),
            ("δ_o1", "delta_o1"),
            ("δo1", "delta_o1"),
            ("delta_o1", "delta_o1"),
            ("w5_new", "w5+"),
            ("w5'", "w5+"),
            ("w5⁺", "w5+"),
            ("w5+", "w5+"),
            ("w5^{+}", "w5+"),
            ("w5", "w5"),
            (" w5 ", "w5"),
            ("Etotal", "E_total"),
            ("η", "eta"),
            ("learning_rate", "eta"),
            ("∂E_o1/∂out_h1", "dE_o1/dout_h1"),
            ("out_{h1}", "out_h1"),
            ("netH1", "net_h1"),
            ("neth1", "net_h1"),
        ] {
            assert_eq!(v.read(written), Some(symbol), "{written}");
        }
        assert_eq!(v.read("outh_1x"), None);
        assert_eq!(v.near("outh_1x"), Some("out_h1"));
        assert_eq!(v.near("zzzzzzzzzz"), None);
    }

    #[test]
    fn a_spelling_two_symbols_share_reads_as_neither() {
        // Neuron 11 of hidden layer 1 and neuron 1 of hidden layer 11: both "outh111".
        let v = Vocabulary::new(["out_h1_11", "out_h11_1"]);
        assert_eq!(v.read("out_h1_11"), Some("out_h1_11"));
        assert_eq!(v.read("outh111"), None);
        assert_eq!(v.closest("outh111", 2), ["out_h1_11", "out_h11_1"]);
    }

    #[test]
    fn examples_are_the_networks_own_symbols() {
        assert_eq!(
            Vocabulary::new([
                "i1",
                "w5",
                "net_h1",
                "out_h1",
                "delta_o1",
                "dE_total/dw5",
                "w5+"
            ])
            .examples(),
            ["net_h1", "out_h1", "dE_total/dw5", "delta_o1", "w5+"]
        );
        let deep = ["net_h1_1", "net_h1_1+", "out_h1_1", "dE_total/dw13", "w13+"];
        assert_eq!(
            Vocabulary::new(deep).examples(),
            ["net_h1_1", "out_h1_1", "dE_total/dw13", "w13+"]
        );
    }

    #[test]
    fn a_very_long_spelling_is_read_and_suggested_for_quickly() {
        let v = Vocabulary::new(ARTICLE);
        let long = "w".repeat(100_000);
        let started = std::time::Instant::now();
        assert_eq!(v.read(&long), None);
        assert_eq!(v.closest(&long, 5).len(), 5);
        assert_eq!(v.near(&long), None);
        // Seconds when every character took part in the edit distance; well under one now,
        // even unoptimised on a busy machine.
        assert!(
            started.elapsed().as_secs_f64() < 1.0,
            "{:?}",
            started.elapsed()
        );
    }
}
