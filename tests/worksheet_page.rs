//! `exercise --format html`: the worksheet that checks itself, tested in a real browser. Each
//! test writes a student's page with the binary, opens it from `file://` in headless Chromium
//! (Debian's /usr/bin/chromium, driven by playwright-core from tests/js; see
//! tests/js/worksheet.mjs), types answers into its boxes as a student would, and checks the
//! marks, the slips named, the score, and that no value is in the page's text until "Show
//! answer". Every browser test also fails on any console error, page error or request (the
//! page works offline). Without Node, playwright-core or Chromium the browser tests say
//! SKIPPED loudly; under `CI=true` they fail. The right values and the slips' values are
//! worked out here from the key's trace, by hand, not by the page's code.

mod common;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The report of tests/js/worksheet.mjs after following `plan` on the page at `page`.
fn browse(page: &Path, plan: Value) -> Option<Value> {
    common::browse("tests/js/worksheet.mjs", page, plan)
}

/// A student's exercise: each blank's number by symbol, and every value by symbol (from the
/// key's trace).
struct Exercise {
    numbers: HashMap<String, usize>,
    values: HashMap<String, f64>,
}

impl Exercise {
    fn of(student: &str) -> Exercise {
        let sheet: Value = serde_json::from_str(&common::stdout_of(&[
            "exercise",
            "--student",
            student,
            "--format",
            "json",
        ]))
        .unwrap();
        let numbers = sheet["blanks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["symbol"].as_str().unwrap().to_string(),
                    b["number"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let key: Value = serde_json::from_str(&common::stdout_of(&[
            "exercise",
            "--student",
            student,
            "--key",
            "--format",
            "json",
        ]))
        .unwrap();
        let values = key["iterations"][0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["symbol"].as_str().unwrap().to_string(),
                    v["value"].as_f64().unwrap(),
                )
            })
            .collect();
        Exercise { numbers, values }
    }

    fn n(&self, symbol: &str) -> usize {
        self.numbers[symbol]
    }

    fn value(&self, symbol: &str) -> f64 {
        self.values[symbol]
    }
}

/// Writes `backprop exercise --student STUDENT ARGS --format html` into `dir`.
fn page(dir: &Path, student: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(format!("{student}.html"));
    let mut all = vec!["exercise", "--student", student, "--format", "html"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", path.to_str().unwrap()]);
    common::stdout_of(&all);
    path
}

fn answer(n: usize, text: &str) -> Value {
    json!({ "n": n, "answer": text })
}

const SIGN: &str = "sign of (target − out) flipped";
const DERIVATIVE: &str = "activation's derivative left out";
const ROUNDED: &str = "rounded too early";
const TRUNCATED: &str = "truncated, not rounded";

#[test]
fn the_worksheet_marks_answers_at_their_precision_and_names_slips() {
    let dir = common::scratch();
    let alice = Exercise::of("alice");
    let path = page(dir.path(), "alice", &[]);

    let net_h1 = alice.value("net_h1");
    let out_h1 = alice.value("out_h1");
    let d_out_o1 = alice.value("dE_total/dout_o1");
    let dw3 = alice.value("dE_total/dw3");
    // A δ and a ∂E_total/∂w without ∂out_o1/∂net_o1: δ_o1 = ∂E_total/∂out_o1, and
    // ∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂net_o1/∂w5 (= out_h1).
    let delta_left_out = d_out_o1;
    let dw5_left_out = d_out_o1 * out_h1;
    // net_h1 rounded to 2 decimals before out_h1 = σ(net_h1).
    let net_h1_rounded = (net_h1 * 100.0).round() / 100.0;
    assert_ne!(net_h1_rounded, net_h1, "alice's net_h1 shows a rounding");
    let out_h1_rounded = 1.0 / (1.0 + (-net_h1_rounded).exp());
    let at = |x: f64, d: usize| format!("{x:.d$}");
    // The rounded out_h1 is wrong at 5 decimals, by less than 50 units of the 5th.
    assert_ne!(at(out_h1_rounded, 5), at(out_h1, 5));
    assert!((out_h1_rounded - out_h1).abs() < 50e-5);

    let (n_net_h1, n_out_h1, n_out_h2) = (alice.n("net_h1"), alice.n("out_h1"), alice.n("out_h2"));
    let n_d_out_o1 = alice.n("dE_total/dout_o1");
    let (n_delta_o1, n_dw5, n_dw3) = (
        alice.n("delta_o1"),
        alice.n("dE_total/dw5"),
        alice.n("dE_total/dw3"),
    );
    let n_net_o1 = alice.n("net_o1");
    // The smallest other gradient of the hidden layer, as zeros to a precision at which it agrees with 0: a number
    // without a significant digit, which says nothing of the value.
    let (smallest, tiny) = ["dE_total/dw1", "dE_total/dw2", "dE_total/dw4"]
        .into_iter()
        .map(|s| (s, alice.value(s)))
        .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap();
    let zeros = (-(2.0 * tiny.abs()).log10()).floor() as usize;
    assert!(zeros >= 1, "{smallest} = {tiny}");
    let n_smallest = alice.n(smallest);
    let reveal = format!(".blank[data-blank=\"{n_out_h2}\"] button.reveal");
    let plan = json!({ "actions": [
        { "observe": "before" },
        answer(n_net_h1, &at(net_h1, 4)),
        // Right with a decimal comma, wrong by 0.0123.
        answer(n_out_h1, &at(out_h1, 4).replace('.', ",")),
        answer(n_net_o1, &at(alice.value("net_o1") + 0.0123, 4)),
        answer(n_d_out_o1, &at(-d_out_o1, 4)),
        answer(n_delta_o1, &at(delta_left_out, 4)),
        answer(n_dw5, &at(dw5_left_out, 5)),
        // In scientific notation, at its precision: 8.28e-4 is checked to ±5e-7.
        answer(n_dw3, &format!("{dw3:.2e}")),
        answer(n_smallest, &at(0.0, zeros)),
        { "observe": "typed" },
        // Rounded early; then cut off rather than rounded (out_h1 at 4 decimals, truncated).
        answer(n_out_h1, &at(out_h1_rounded, 5)),
        { "observe": "rounded" },
        { "n": n_out_h1, "answer": format!("{:.4}", (out_h1 * 1e4).trunc() / 1e4), "leave": true },
        { "observe": "truncated" },
        { "click": reveal },
        { "observe": "revealed" },
    ]});
    let Some(report) = browse(&path, plan) else {
        return;
    };
    let o = &report["observations"];
    let blank = |label: &str, n: usize| o[label]["blanks"][n.to_string()].clone();
    let names = |label: &str, n: usize| {
        blank(label, n)["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };

    // Before anything is typed: typeset math, one box per blank, no value in the page.
    let before = &o["before"];
    assert_eq!(before["typeset"], json!(true));
    assert_eq!(before["inputs"], json!(alice.numbers.len()));
    assert_eq!(before["lang"], "en");
    assert_eq!(
        before["score"],
        format!("0 right of 0 answered ({} boxes)", alice.numbers.len())
    );
    let text = |label: &str| {
        format!(
            "{}\n{}",
            o[label]["bodyText"].as_str().unwrap(),
            o[label]["domText"].as_str().unwrap()
        )
    };
    for symbol in alice.numbers.keys() {
        let shown = at(alice.value(symbol), 9);
        assert!(!text("before").contains(&shown), "{symbol} = {shown} shows");
    }

    // Right at 4 decimals; right with a comma and in scientific notation.
    let typed = |n| blank("typed", n);
    assert_eq!(typed(n_net_h1)["mark"], "✓ right");
    assert!(typed(n_net_h1)["class"].as_str().unwrap().contains("right"));
    assert_eq!(typed(n_net_h1)["invalid"], "false");
    assert_eq!(typed(n_out_h1)["mark"], "✓ right");
    assert_eq!(typed(n_dw3)["mark"], "✓ right", "{dw3:.2e}");
    // Wrong, and no slip gives it: nothing named.
    assert_eq!(typed(n_net_o1)["mark"], "✗ not right");
    assert!(typed(n_net_o1)["class"].as_str().unwrap().contains("wrong"));
    assert_eq!(names("typed", n_net_o1), Vec::<String>::new());
    // −(correct) at ∂E_total/∂out_o1: the sign slip, with its hint and no answer.
    assert_eq!(typed(n_d_out_o1)["mark"], "✗ not right");
    assert_eq!(names("typed", n_d_out_o1), vec![SIGN]);
    let hint = typed(n_d_out_o1)["slip"].as_str().unwrap().to_string();
    assert!(hint.contains("∂E_total/∂out_o1"), "{hint}");
    assert!(!hint.contains(&at(d_out_o1, 4)), "{hint}");
    // The derivative left out, in a δ and in a ∂E_total/∂w.
    assert!(names("typed", n_delta_o1).contains(&DERIVATIVE.to_string()));
    assert!(names("typed", n_dw5).contains(&DERIVATIVE.to_string()));
    // Zeros that agree only for having no digit: not marked right, and said why.
    assert!(
        typed(n_smallest)["mark"]
            .as_str()
            .unwrap()
            .starts_with("? no significant digit"),
        "{}",
        typed(n_smallest)
    );
    assert!(
        typed(n_smallest)["class"]
            .as_str()
            .unwrap()
            .contains("wrong")
    );
    assert_eq!(o["typed"]["score"], "3 right of 8 answered (66 boxes)");

    assert_eq!(blank("rounded", n_out_h1)["mark"], "✗ not right");
    assert_eq!(names("rounded", n_out_h1), vec![ROUNDED]);
    assert!(
        blank("rounded", n_out_h1)["slip"]
            .as_str()
            .unwrap()
            .contains("2 decimals")
    );
    // Checked on leaving the box, too.
    assert_eq!(names("truncated", n_out_h1), vec![TRUNCATED]);

    // "Show answer": the value is written in, and then only.
    let shown = at(alice.value("out_h2"), 9);
    assert!(!text("typed").contains(&shown));
    assert_eq!(
        blank("revealed", n_out_h2)["solution"],
        format!("answer: {shown}")
    );
    assert!(
        blank("revealed", n_out_h2)["class"]
            .as_str()
            .unwrap()
            .contains("revealed")
    );
    assert!(o["revealed"]["bodyText"].as_str().unwrap().contains(&shown));
    assert!(
        o["revealed"]["score"]
            .as_str()
            .unwrap()
            .ends_with("· 1 answers shown")
    );
}

#[test]
fn the_updated_weight_used_in_the_hidden_layer_is_named() {
    let dir = common::scratch();
    let bob = Exercise::of("bob");
    let path = page(dir.path(), "bob", &[]);
    // ∂E_o1/∂out_h1 = δ_o1 · w5; with the updated w5⁺ (the article's code's order) instead,
    // and ∂net_o1/∂out_h1 = w5 written as w5⁺.
    let w5_updated = bob.value("w5+");
    let share = bob.value("delta_o1") * w5_updated;
    assert_ne!(
        format!("{share:.6}"),
        format!("{:.6}", bob.value("dE_o1/dout_h1"))
    );
    let (n_share, n_weight) = (bob.n("dE_o1/dout_h1"), bob.n("dnet_o1/dout_h1"));
    let plan = json!({ "actions": [
        answer(n_weight, &format!("{w5_updated:.6}")),
        answer(n_share, &format!("{share:.6}")),
        { "observe": "typed" },
    ]});
    let Some(report) = browse(&path, plan) else {
        return;
    };
    for n in [n_weight, n_share] {
        let blank = &report["observations"]["typed"]["blanks"][n.to_string()];
        assert_eq!(blank["mark"], "✗ not right", "{blank}");
        assert!(
            blank["names"]
                .as_array()
                .unwrap()
                .contains(&json!("used the updated weights")),
            "({n}) {blank}"
        );
    }
}

#[test]
fn the_chinese_worksheet_checks_in_chinese() {
    let dir = common::scratch();
    let bob = Exercise::of("bob");
    let path = page(dir.path(), "bob", &["--lang", "zh"]);
    let n = bob.n("dE_total/dout_o2");
    let wrong = format!("{:.4}", -bob.value("dE_total/dout_o2"));
    let plan = json!({ "actions": [answer(n, &wrong), { "observe": "zh" }] });
    let Some(report) = browse(&path, plan) else {
        return;
    };
    let o = &report["observations"]["zh"];
    assert_eq!(o["lang"], "zh");
    assert!(o["title"].as_str().unwrap().starts_with("反向传播练习"));
    let box_ = &o["blanks"][n.to_string()];
    assert_eq!(box_["mark"], "✗ 不正确");
    assert_eq!(box_["names"], json!(["(target − out) 的符号弄反了"]));
    assert!(o["score"].as_str().unwrap().contains("正确 0 个"));
}

#[test]
fn without_javascript_the_page_says_so() {
    let dir = common::scratch();
    let path = page(dir.path(), "carol", &[]);
    let plan = json!({ "javascript": false, "ready": false, "actions": [{ "observe": "off" }] });
    let Some(report) = browse(&path, plan) else {
        return;
    };
    let text = report["observations"]["off"]["bodyText"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("checks answers with JavaScript"), "{text}");
}

/// The page's text outside its script: what a reader sees, and what the DOM holds as text.
fn outside_scripts(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</script>").expect("scripts close") + start;
        rest = &rest[end + "</script>".len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_page_holds_no_value_outside_its_script_and_the_key_every_one() {
    let dir = common::scratch();
    let alice = Exercise::of("alice");
    let sheet = std::fs::read_to_string(page(dir.path(), "alice", &[])).unwrap();
    let text = outside_scripts(&sheet);
    for symbol in alice.numbers.keys() {
        let v = alice.value(symbol);
        assert!(!text.contains(&format!("{v:.9}")), "{symbol} shows");
    }
    // One input box per blank, numbered as the Markdown's boxes.
    assert_eq!(text.matches("<input ").count(), alice.numbers.len());
    for n in 1..=alice.numbers.len() {
        assert!(text.contains(&format!("id=\"blank-{n}\"")), "box {n}");
        assert!(text.contains(&format!("<span class=\"tag\">({n})</span>")));
    }
    // Offline: nothing to fetch (the SVG's namespace is a name, not a request; its arrows'
    // `url(#arrow)` is in the page itself).
    for reference in ["src=", "href=", "@import", "<link"] {
        assert!(!sheet.contains(reference), "{reference}");
    }
    assert_eq!(
        sheet.matches("url(").count(),
        sheet.matches("url(#").count()
    );

    // The key: the filled page, every value numbered, no input and no script.
    let key_path = dir.path().join("alice-key.html");
    common::stdout_of(&[
        "exercise",
        "--student",
        "alice",
        "--key",
        "--format",
        "html",
        "-o",
        key_path.to_str().unwrap(),
    ]);
    let key = std::fs::read_to_string(key_path).unwrap();
    assert!(!key.contains("<input") && !key.contains("<script"));
    assert!(key.contains("<h1 id=\"title\">Answer key: alice</h1>"));
    for (symbol, n) in &alice.numbers {
        let v = alice.value(symbol);
        let shown = format!("<mn>{v:.9}</mn></mrow></math></span><span class=\"tag\">({n})</span>");
        assert!(key.contains(&shown), "{symbol}: {shown}");
    }
}

#[test]
fn a_class_gets_each_worksheet_as_a_page_too() {
    let dir = common::scratch();
    let roster = dir.path().join("roster.txt");
    std::fs::write(&roster, "Alice\nBob Martin\n").unwrap();
    let out = dir.path().join("class");
    common::stdout_of(&[
        "exercise",
        "--class",
        roster.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    for slug in ["alice", "bob-martin"] {
        let html = std::fs::read_to_string(out.join("worksheets").join(format!("{slug}.html")))
            .unwrap_or_else(|e| panic!("{slug}.html: {e}"));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<input "));
    }
    // The page goes to standard output too, whole.
    let page = common::stdout_of(&["exercise", "--seed", "7", "--format", "html"]);
    assert!(page.trim_end().ends_with("</html>"));
}
