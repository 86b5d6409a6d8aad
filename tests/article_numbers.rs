//! Every number the article prints, checked at the precision the article printed it, from
//! the one data file that lists them (traces/article-numbers.json); and each of the
//! article's discrepancies checked to be what the data file says it is.

use backprop_tracer::article::{self, Edition, ErratumKind, Printed, Verdict};
use backprop_tracer::engine::{self, NoRecorder, Workspace};
use backprop_tracer::network::Network;
use backprop_tracer::number::{agrees_at_printed_precision, decimals};
use backprop_tracer::trace::{Options, Trace, UpdateOrder};

fn trace(order: UpdateOrder) -> Trace {
    engine::trace_iteration(
        &Network::article(),
        &Options {
            update_order: order,
            ..Options::default()
        },
    )
}

fn value(trace: &Trace, symbol: &str) -> f64 {
    trace
        .first()
        .get(symbol)
        .unwrap_or_else(|| panic!("{symbol} is not recorded"))
        .value
}

fn first_iteration_numbers() -> impl Iterator<Item = &'static Printed> {
    article::numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 1)
}

#[test]
fn the_data_file_covers_every_part_of_the_iteration() {
    let symbols: Vec<&str> = first_iteration_numbers()
        .map(|p| p.symbol.as_str())
        .collect();
    for s in [
        "net_h1",
        "out_h1",
        "out_h2",
        "net_o1",
        "out_o1",
        "out_o2",
        "E_o1",
        "E_o2",
        "E_total",
        "dE_total/dout_o1",
        "dout_o1/dnet_o1",
        "dnet_o1/dw5",
        "dE_total/dw5",
        "w5+",
        "w6+",
        "w7+",
        "w8+",
        "delta_o1",
        "dnet_o1/dout_h1",
        "dE_o1/dout_h1",
        "dE_o2/dout_h1",
        "dE_total/dout_h1",
        "dout_h1/dnet_h1",
        "dnet_h1/dw1",
        "dE_total/dw1",
        "w1+",
        "w2+",
        "w3+",
        "w4+",
        "E_total+",
    ] {
        assert!(
            symbols.contains(&s),
            "the article prints {s}; the data file lacks it"
        );
    }
    assert_eq!(symbols.len(), 47);
}

#[test]
fn every_exact_number_agrees_at_the_articles_precision() {
    let simultaneous = trace(UpdateOrder::Simultaneous);
    let mut checked = 0;
    for p in first_iteration_numbers().filter(|p| p.erratum.is_none()) {
        assert_eq!(p.order, UpdateOrder::Simultaneous, "{}", p.symbol);
        let v = value(&simultaneous, &p.symbol);
        assert!(
            agrees_at_printed_precision(v, &p.printed),
            "{}: computed {v}, the article prints {} ({})",
            p.symbol,
            p.printed,
            p.location
        );
        checked += 1;
    }
    assert_eq!(checked, 44);
}

#[test]
fn the_output_list_typo_is_a_typo() {
    let t = trace(UpdateOrder::Simultaneous);
    let typo = first_iteration_numbers()
        .find(|p| {
            p.erratum
                .as_ref()
                .is_some_and(|e| e.kind == ErratumKind::Typo)
        })
        .unwrap();
    assert_eq!(
        (typo.symbol.as_str(), typo.printed.as_str()),
        ("out_o1", "0.75136079")
    );
    // The translation's own: Mazur's original has no such summary line.
    assert_eq!(typo.edition, Edition::Translation);
    let out_o1 = value(&t, "out_o1");
    assert!(!agrees_at_printed_precision(out_o1, &typo.printed));
    // The same digits, correctly: the article's own 0.75136507.
    assert!(agrees_at_printed_precision(out_o1, "0.75136507"));
}

#[test]
fn the_last_digit_of_de_o2_dout_h1_comes_from_rounded_factors() {
    let t = trace(UpdateOrder::Simultaneous);
    let p = first_iteration_numbers()
        .find(|p| {
            p.erratum
                .as_ref()
                .is_some_and(|e| e.kind == ErratumKind::Rounding)
        })
        .unwrap();
    assert_eq!(p.symbol, "dE_o2/dout_h1");
    let exact = value(&t, "dE_o2/dout_h1");
    assert_eq!(format!("{exact:.12}"), "-0.019049118258");
    assert!(!agrees_at_printed_precision(exact, &p.printed));
    // Off by one unit in the last printed digit, no more.
    let unit = 10f64.powi(-(decimals(&p.printed) as i32));
    let printed: f64 = p.printed.parse().unwrap();
    assert!((exact - printed).abs() < unit);
    // And that is what multiplying the rounded factors gives: δ_o2 to 9 digits times w7,
    // rounded half away from zero (−0.0190491185 → −0.019049119).
    let delta_o2: f64 = format!("{:.9}", value(&t, "delta_o2")).parse().unwrap();
    assert_eq!(delta_o2, -0.038098237);
    let product = delta_o2 * value(&t, "w7");
    let rounded = (product.abs() * 1e9 + 0.5 + 1e-6).floor() / 1e9 * product.signum();
    assert_eq!(format!("{rounded:.9}"), p.printed);
}

#[test]
fn e_total_after_one_iteration_comes_from_the_sequential_order() {
    let p = first_iteration_numbers()
        .find(|p| p.symbol == "E_total+")
        .unwrap();
    assert_eq!(p.printed, "0.291027924");
    assert_eq!(p.order, UpdateOrder::Sequential);
    let sequential = value(&trace(UpdateOrder::Sequential), "E_total+");
    let simultaneous = value(&trace(UpdateOrder::Simultaneous), "E_total+");
    assert!(agrees_at_printed_precision(sequential, "0.291027924"));
    assert!(agrees_at_printed_precision(simultaneous, "0.291027774"));
    assert!(!agrees_at_printed_precision(simultaneous, &p.printed));
}

/// Trains the article's network `n` times without recording; returns E_total and outputs.
fn train(order: UpdateOrder, target: [f64; 2], n: usize) -> (f64, Vec<f64>) {
    let mut net = Network::article();
    net.target = target.to_vec();
    let mut ws = Workspace::new(&net);
    let (input, target) = (net.input.clone(), net.target.clone());
    for _ in 0..n {
        engine::step(
            &mut net,
            &input,
            &target,
            order,
            false,
            &mut ws,
            &mut NoRecorder,
        );
    }
    let e = engine::total_error(&net, &input, &target, &mut ws);
    (e, ws.outputs().to_vec())
}

#[test]
fn the_10000_iteration_claims_come_from_the_sequential_order() {
    // The translation's claims (the original's own error is checked below).
    let claims: Vec<&Printed> = article::numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 10000 && p.edition.in_translation())
        .collect();
    assert_eq!(claims.len(), 3);
    let (e, out) = train(UpdateOrder::Sequential, [0.01, 0.99], 10000);
    let computed = |symbol: &str| match symbol {
        "E_total" => e,
        "out_o1" => out[0],
        "out_o2" => out[1],
        other => panic!("unexpected claim {other}"),
    };
    for p in &claims {
        assert_eq!(p.order, UpdateOrder::Sequential);
        assert!(
            agrees_at_printed_precision(computed(&p.symbol), &p.printed),
            "{}: {} vs {}",
            p.symbol,
            computed(&p.symbol),
            p.printed
        );
    }
    // The simultaneous order's figures, as the erratum states them.
    let (e, out) = train(UpdateOrder::Simultaneous, [0.01, 0.99], 10000);
    assert!(agrees_at_printed_precision(e, "0.0000351019"));
    assert!(agrees_at_printed_precision(out[0], "0.015913620"));
    assert!(agrees_at_printed_precision(out[1], "0.984064274"));
    let text = &claims[0].erratum.as_ref().unwrap().en;
    for figure in ["0.0000351019", "0.015913620", "0.984064274"] {
        assert!(text.contains(figure));
    }
}

/// Every figure the article prints about iteration 10,000, in its order, with the edition that
/// prints it and the one computation (update order, iterations trained) that agrees with it
/// at its printed precision. Written out by hand from both editions and the computations.
const LATER: [(&str, &str, Edition, UpdateOrder, usize); 4] = [
    // The translation: 迭代10000次后,总误差为0.000035085.
    (
        "E_total",
        "0.000035085",
        Edition::Translation,
        UpdateOrder::Sequential,
        10000,
    ),
    // Mazur's original: "the error plummets to 0.0000351085": no order after 10,000, the
    // simultaneous order after 9,999.
    (
        "E_total",
        "0.0000351085",
        Edition::Original,
        UpdateOrder::Simultaneous,
        9999,
    ),
    // Both: outputs [0.015912196, 0.984065734].
    (
        "out_o1",
        "0.015912196",
        Edition::Both,
        UpdateOrder::Sequential,
        10000,
    ),
    (
        "out_o2",
        "0.984065734",
        Edition::Both,
        UpdateOrder::Sequential,
        10000,
    ),
];

#[test]
fn each_later_figure_agrees_with_exactly_one_computation() {
    let listed: Vec<(&str, &str, Edition)> = article::numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 10000)
        .map(|p| (p.symbol.as_str(), p.printed.as_str(), p.edition))
        .collect();
    let written: Vec<(&str, &str, Edition)> = LATER.iter().map(|r| (r.0, r.1, r.2)).collect();
    assert_eq!(listed, written);
    let mut runs = Vec::new();
    for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
        for n in [9999, 10000] {
            runs.push((order, n, train(order, [0.01, 0.99], n)));
        }
    }
    for (symbol, printed, _, order, n) in LATER {
        let agreeing: Vec<(UpdateOrder, usize)> = runs
            .iter()
            .filter(|(_, _, (e, out))| {
                let v = match symbol {
                    "E_total" => *e,
                    "out_o1" => out[0],
                    _ => out[1],
                };
                agrees_at_printed_precision(v, printed)
            })
            .map(|(o, k, _)| (*o, *k))
            .collect();
        assert_eq!(agreeing, [(order, n)], "{symbol} = {printed}");
    }
}

#[test]
fn the_editions_differ_where_the_data_file_says() {
    let numbers = &article::numbers().numbers;
    let one_edition: Vec<(&str, Edition)> = numbers
        .iter()
        .filter(|p| p.edition != Edition::Both)
        .map(|p| (p.printed.as_str(), p.edition))
        .collect();
    assert_eq!(
        one_edition,
        [
            ("0.75136079", Edition::Translation),
            ("0.000035085", Edition::Translation),
            ("0.0000351085", Edition::Original),
        ]
    );
    // The translation's error is the original's without its digit 1.
    assert_eq!("0.0000351085".replacen("351", "35", 1), "0.000035085");
    // The original's own figure is compared with nothing: it is not one of the translation's
    // numbers, which the comparisons and the training claims follow.
    let original = numbers
        .iter()
        .find(|p| p.edition == Edition::Original)
        .unwrap();
    let erratum = original.erratum.as_ref().expect("it says what it is");
    for figure in ["0.0000351019", "0.0000350848", "9,999", "0.00003510855"] {
        assert!(erratum.en.contains(figure), "{figure}");
    }
    let (e, _) = train(UpdateOrder::Simultaneous, [0.01, 0.99], 9999);
    assert_eq!(format!("{e:.14}"), "0.00003510854812");
}

#[test]
fn the_codes_target_0_09_is_a_typo_for_0_99() {
    let note = &article::numbers().notes[0];
    assert!(note.en.contains("[0.01, 0.09]"));
    let (with_typo, _) = train(UpdateOrder::Sequential, [0.01, 0.09], 10000);
    assert!(!agrees_at_printed_precision(with_typo, "0.000035085"));
}

/// What the program must say about a printed number, in one update order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// It agrees at the printed precision.
    Agrees,
    /// A mistyped digit: no order gives it.
    Typo,
    /// Rounded factors multiplied: no order gives it.
    Rounding,
    /// Only the other update order gives it (the hand calculation's figures, seen from the
    /// sequential order).
    OtherOrder,
    /// Only the other version of the author's code gives it (the sequential order's figures,
    /// seen from the hand calculation's simultaneous order).
    OtherCode,
}

use Expect::{Agrees as A, OtherCode, OtherOrder, Rounding, Typo};

/// Every number the first iteration of the article prints, in its order, with what the
/// program must say about it in the simultaneous and in the sequential update order. Written
/// out by hand from the article and the two computations, so that neither the data file nor
/// the comparison code can change a verdict unnoticed.
const EXPECTED: [(&str, &str, Expect, Expect); 47] = [
    ("i1", "0.05", A, A),
    ("i2", "0.10", A, A),
    ("target_o1", "0.01", A, A),
    ("target_o2", "0.99", A, A),
    ("w1", "0.15", A, A),
    ("w2", "0.20", A, A),
    ("w3", "0.25", A, A),
    ("w4", "0.30", A, A),
    ("w5", "0.40", A, A),
    ("w6", "0.45", A, A),
    ("w7", "0.50", A, A),
    ("w8", "0.55", A, A),
    ("b1", "0.35", A, A),
    ("b2", "0.6", A, A),
    ("eta", "0.5", A, A),
    ("net_h1", "0.3775", A, A),
    ("out_h1", "0.593269992", A, A),
    ("out_h2", "0.596884378", A, A),
    ("net_o1", "1.105905967", A, A),
    ("out_o1", "0.75136507", A, A),
    ("out_o2", "0.772928465", A, A),
    // The output list [0.75136079, 0.772928465]: a typo in every order.
    ("out_o1", "0.75136079", Typo, Typo),
    ("E_o1", "0.274811083", A, A),
    ("E_o2", "0.023560026", A, A),
    ("E_total", "0.298371109", A, A),
    ("dE_total/dout_o1", "0.74136507", A, A),
    ("dout_o1/dnet_o1", "0.186815602", A, A),
    ("dnet_o1/dw5", "0.593269992", A, A),
    ("dE_total/dw5", "0.082167041", A, A),
    ("w5+", "0.35891648", A, A),
    ("w6+", "0.408666186", A, A),
    ("w7+", "0.511301270", A, A),
    ("w8+", "0.561370121", A, A),
    ("delta_o1", "0.138498562", A, A),
    // From here the sequential order's chain uses the updated w5…w8.
    ("dnet_o1/dout_h1", "0.40", A, OtherOrder),
    ("dE_o1/dout_h1", "0.055399425", A, OtherOrder),
    // Rounded factors: the simultaneous order gives …118, the sequential order −0.019479677.
    ("dE_o2/dout_h1", "-0.019049119", Rounding, Rounding),
    ("dE_total/dout_h1", "0.036350306", A, OtherOrder),
    ("out_h1", "0.59326999", A, A),
    ("dout_h1/dnet_h1", "0.241300709", A, A),
    ("dnet_h1/dw1", "0.05", A, A),
    ("dE_total/dw1", "0.000438568", A, OtherOrder),
    ("w1+", "0.149780716", A, OtherOrder),
    ("w2+", "0.19956143", A, OtherOrder),
    ("w3+", "0.24975114", A, OtherOrder),
    ("w4+", "0.29950229", A, OtherOrder),
    ("E_total+", "0.291027924", OtherCode, A),
];

fn expected(order: UpdateOrder, row: &(&str, &str, Expect, Expect)) -> Expect {
    match order {
        UpdateOrder::Simultaneous => row.2,
        UpdateOrder::Sequential => row.3,
    }
}

fn other(order: UpdateOrder) -> UpdateOrder {
    match order {
        UpdateOrder::Simultaneous => UpdateOrder::Sequential,
        UpdateOrder::Sequential => UpdateOrder::Simultaneous,
    }
}

/// What a verdict says, in the terms of `Expect`.
fn said(verdict: Verdict, order: UpdateOrder) -> Result<Expect, String> {
    match verdict {
        Verdict::Agrees => Ok(A),
        Verdict::Explained(e) => Ok(match e.kind {
            ErratumKind::Typo => Typo,
            ErratumKind::Rounding => Rounding,
            ErratumKind::Code => OtherCode,
        }),
        Verdict::OtherOrder(o) if o == other(order) => Ok(OtherOrder),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn the_written_out_table_lists_the_data_files_numbers() {
    let listed: Vec<(&str, &str)> = first_iteration_numbers()
        .map(|p| (p.symbol.as_str(), p.printed.as_str()))
        .collect();
    let written: Vec<(&str, &str)> = EXPECTED.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(listed, written);
}

#[test]
fn every_printed_number_has_its_own_verdict_in_both_orders() {
    for order in [UpdateOrder::Simultaneous, UpdateOrder::Sequential] {
        let t = trace(order);
        let comparison = article::compare(&t).expect("the article's network");
        let mut seen = 0;
        for row in &EXPECTED {
            let (symbol, printed) = (row.0, row.1);
            let verdicts = comparison
                .get(symbol)
                .unwrap_or_else(|| panic!("{symbol} has no comparison ({order:?})"));
            let (_, verdict) = verdicts
                .iter()
                .find(|(p, _)| p.printed == printed)
                .unwrap_or_else(|| panic!("{symbol} = {printed} is not compared ({order:?})"));
            assert_eq!(
                said(*verdict, order),
                Ok(expected(order, row)),
                "{symbol} = {printed}, {order:?} order"
            );
            seen += 1;
        }
        assert_eq!(seen, 47);
        assert_eq!(comparison.values().map(Vec::len).sum::<usize>(), 47);
    }
}

/// The written-out table checked against the engine, number by number, in both orders:
/// a number marked as agreeing agrees; one marked as the other order's (or the other code's)
/// differs here and agrees there; a typo or a rounding slip agrees in neither order.
#[test]
fn no_printed_number_is_left_unexplained_in_either_order() {
    let traces = [
        (UpdateOrder::Simultaneous, trace(UpdateOrder::Simultaneous)),
        (UpdateOrder::Sequential, trace(UpdateOrder::Sequential)),
    ];
    let value_in = |order: UpdateOrder, symbol: &str| {
        let (_, t) = traces.iter().find(|(o, _)| *o == order).unwrap();
        value(t, symbol)
    };
    for (order, _) in &traces {
        let order = *order;
        for row in &EXPECTED {
            let (symbol, printed) = (row.0, row.1);
            let here = agrees_at_printed_precision(value_in(order, symbol), printed);
            let there = agrees_at_printed_precision(value_in(other(order), symbol), printed);
            let (want_here, want_there) = match expected(order, row) {
                A => (true, None),
                OtherOrder | OtherCode => (false, Some(true)),
                Typo | Rounding => (false, Some(false)),
            };
            let context = format!("{symbol} = {printed}, {order:?} order");
            assert_eq!(here, want_here, "{context}: agrees here?");
            if let Some(want_there) = want_there {
                assert_eq!(there, want_there, "{context}: agrees in the other order?");
            }
        }
    }
}

#[test]
fn other_networks_get_no_comparison() {
    let mut net = Network::article();
    net.weights[0][0] = 0.16;
    assert!(article::compare(&engine::trace_iteration(&net, &Options::default())).is_none());
    let biased = Options {
        update_biases: true,
        ..Options::default()
    };
    assert!(article::compare(&engine::trace_iteration(&Network::article(), &biased)).is_none());
}
