//! The stepper's drawing shows, at every step, the weights that step's formula uses. In the
//! simultaneous order the hidden layer's chain reads the original w5…w8 although their
//! updates are already computed; in the sequential order it reads the updated ones; the
//! summary pass reads every updated weight. A highlighted edge must show exactly the value
//! the formula reads, and every other edge the newest value known at that step.
//!
//! Every step of `backprop step` is walked, on the article's network and on a 2-3-2-2
//! network (tests/fixtures/deep-2-3-2-2.json), in both update orders, and each edge of the
//! drawing is checked: what it reports ([`Edge`]) and the text drawn on its line.

use backprop_tracer::engine;
use backprop_tracer::network::Network;
use backprop_tracer::notation::Typography;
use backprop_tracer::number;
use backprop_tracer::render::stepper::{Drawing, Edge, Key, Stepper, StepperOptions, Style};
use backprop_tracer::trace::{Iteration, Options, Trace, TracedValue, UpdateOrder};

/// Large enough for the most detailed drawing of either network (6 digits, each weight
/// naming the neuron it comes from), which the checks of the drawn text rely on.
const WIDTH: usize = 250;
const HEIGHT: usize = 80;
const DIGITS: usize = 6;

fn trace(net: &Network, order: UpdateOrder) -> Trace {
    engine::trace_iteration(
        net,
        &Options {
            update_order: order,
            ..Options::default()
        },
    )
}

fn deep() -> Network {
    let text = include_str!("fixtures/deep-2-3-2-2.json");
    Network::from_json_str(text).expect("the fixture loads").0
}

/// The recorded symbol of `weight` (`w5` or `w5+`) that `step`'s formula reads: named in
/// it, or read through a factor defined as that weight (∂net_o1/∂out_h1 = w5, the chain's
/// stand-in for the weight).
fn read<'t>(step: &'t TracedValue, iteration: &'t Iteration, weight: &str) -> Option<&'t str> {
    let is_weight = |s: &str| s == weight || s.strip_suffix('+') == Some(weight);
    for symbol in &step.from {
        if is_weight(symbol) {
            return Some(symbol);
        }
        if let Some(factor) = iteration.get(symbol)
            && let [only] = factor.from.as_slice()
            && factor.formula == *only
            && is_weight(only)
        {
            return Some(only);
        }
    }
    None
}

/// The newest recorded symbol of `weight` among `known`: its update once computed.
fn newest(known: &[TracedValue], weight: &str) -> String {
    let updated = format!("{weight}+");
    if known.iter().any(|v| v.symbol == updated) {
        updated
    } else {
        weight.to_string()
    }
}

/// The cells of a drawn line, each with its style.
fn cells(drawing: &Drawing, row: usize) -> Vec<(char, Style)> {
    drawing.lines[row]
        .iter()
        .flat_map(|span| span.text.chars().map(move |c| (c, span.style)))
        .collect()
}

/// Checks that `edge` is drawn on its line as it reports, highlighted as it reports.
fn check_drawn(drawing: &Drawing, edge: &Edge, context: &str) {
    let line = cells(drawing, edge.row);
    let text: String = line.iter().map(|&(c, _)| c).collect();
    let at = text
        .find(&edge.label)
        .unwrap_or_else(|| panic!("{context}: {:?} is not on line {}", edge.label, edge.row));
    let start = text[..at].chars().count();
    let styles: Vec<Style> = line[start..start + edge.label.chars().count()]
        .iter()
        .map(|&(_, s)| s)
        .collect();
    let expected = if edge.highlighted {
        Style::Highlight
    } else {
        Style::Plain
    };
    assert!(
        styles.iter().all(|&s| s == expected),
        "{context}: {:?} is drawn {styles:?}, reported highlighted: {}",
        edge.label,
        edge.highlighted
    );
}

/// How many weights the network has.
fn weights(trace: &Trace) -> usize {
    trace.network.weights.iter().map(Vec::len).sum()
}

/// What one walk saw, so that a walk that never met the interesting case fails.
#[derive(Default, Debug)]
struct Seen {
    /// Highlighted edges showing the original weight although its update is known.
    original_after_update: usize,
    /// Highlighted edges showing an updated weight.
    updated: usize,
    /// Edges checked.
    edges: usize,
}

/// Walks every step of the stepper on `trace` and checks every edge of its drawing.
fn walk(trace: &Trace, name: &str) -> Seen {
    let iteration = trace.first();
    let values = &iteration.values;
    let typography = Typography::Article;
    let mut stepper = Stepper::new(trace, StepperOptions::default());
    let mut seen = Seen::default();
    for k in 0..stepper.len() {
        let step = stepper.current();
        let at = values
            .iter()
            .position(|v| std::ptr::eq(v, step))
            .expect("the step is a recorded value");
        let known = &values[..=at];
        let drawing = stepper
            .drawing(WIDTH, HEIGHT)
            .unwrap_or_else(|need| panic!("{name}: the drawing needs {need:?}"));
        let context = format!("{name}, step {} ({})", k + 1, step.symbol);
        for edge in &drawing.edges {
            let reads = read(step, iteration, &edge.weight);
            let expected = match reads {
                Some(symbol) if edge.highlighted => symbol.to_string(),
                Some(symbol) => panic!(
                    "{context}: the formula reads {symbol}, but edge {} is not highlighted",
                    edge.weight
                ),
                // Highlighted for what the step computes about it (its gradient), or not
                // used: the weight as it stands.
                None => newest(known, &edge.weight),
            };
            let value = iteration.get(&expected).expect("recorded").value;
            assert_eq!(
                (edge.shows.as_str(), edge.value),
                (expected.as_str(), value),
                "{context}: edge {} (highlighted: {}) shows {:?}",
                edge.weight,
                edge.highlighted,
                edge.label
            );
            // The text drawn: the neuron it comes from, then the symbol (⁺ when updated)
            // and the value at the drawing's digits.
            let drawn = format!(
                "─{} {}",
                typography.symbol(&expected),
                number::compact(value, DIGITS)
            );
            assert!(
                edge.label.ends_with(&drawn),
                "{context}: edge {} is labelled {:?}, expected …{drawn:?}",
                edge.weight,
                edge.label
            );
            check_drawn(&drawing, edge, &context);
            if edge.highlighted {
                if expected.ends_with('+') {
                    seen.updated += 1;
                } else if values[..at]
                    .iter()
                    .any(|v| v.symbol == format!("{expected}+"))
                {
                    seen.original_after_update += 1;
                }
            }
            seen.edges += 1;
        }
        // Every weight is drawn, so every weight the formula reads was checked above.
        assert_eq!(drawing.edges.len(), weights(trace), "{context}");
        stepper.apply(Key::Next);
    }
    seen
}

#[test]
fn article_simultaneous_shows_the_original_weights_in_the_hidden_layer() {
    let seen = walk(
        &trace(&Network::article(), UpdateOrder::Simultaneous),
        "article, simultaneous",
    );
    // ∂net_o1/∂out_h1 = w5 and δ_o1 · ∂net_o1/∂out_h1, for each of w5…w8.
    assert_eq!(seen.original_after_update, 8, "{seen:?}");
    // The summary's net_o1⁺, net_o2⁺ (w5⁺…w8⁺) and net_h1⁺, net_h2⁺ (w1⁺…w4⁺).
    assert_eq!(seen.updated, 8, "{seen:?}");
    assert_eq!(seen.edges, 66 * 8, "every step, every weight");
}

#[test]
fn article_sequential_shows_the_updated_weights_in_the_hidden_layer() {
    let seen = walk(
        &trace(&Network::article(), UpdateOrder::Sequential),
        "article, sequential",
    );
    assert_eq!(seen.original_after_update, 0, "{seen:?}");
    // The hidden layer's 8 steps that read w5⁺…w8⁺, and the summary's 8.
    assert_eq!(seen.updated, 16, "{seen:?}");
}

#[test]
fn two_hidden_layers_in_both_orders() {
    let net = deep();
    let simultaneous = walk(
        &trace(&net, UpdateOrder::Simultaneous),
        "2-3-2-2, simultaneous",
    );
    // The chain through w7…w16 (10 weights), each read twice (the factor, then its product).
    assert_eq!(simultaneous.original_after_update, 20, "{simultaneous:?}");
    assert_eq!(simultaneous.updated, 16, "{simultaneous:?}");
    let sequential = walk(&trace(&net, UpdateOrder::Sequential), "2-3-2-2, sequential");
    assert_eq!(sequential.original_after_update, 0, "{sequential:?}");
    assert_eq!(sequential.updated, 20 + 16, "{sequential:?}");
}
