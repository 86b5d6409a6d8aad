//! `show --format html`: the web page, tested in a real browser. Each test writes a page with
//! the binary, opens it from `file://` in headless Chromium (Debian's /usr/bin/chromium,
//! driven by playwright-core from tests/js, pinned by its lockfile; see tests/js/browser.mjs),
//! presses the keys and clicks the buttons a student would, and checks what the page shows:
//! the step, the typeset formula and its numbers, the value, the article's number, what the
//! figure highlights and writes at its neurons and weights. Every test also fails on any
//! console error, any page error and any request the page makes (it must work offline).
//! Without Node, playwright-core or Chromium the tests say SKIPPED loudly; under `CI=true`,
//! where .ci/run installs them, they fail.

mod common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The report of tests/js/browser.mjs after following `plan` on the page at `page`.
fn browse(page: &Path, plan: Value) -> Option<Value> {
    common::browse("tests/js/browser.mjs", page, plan)
}

/// Writes the page of `backprop show ARGS --format html` into `dir`.
fn page(dir: &Path, args: &[&str]) -> PathBuf {
    let path = dir.join("page.html");
    let path_text = path.to_str().unwrap();
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "html", "-o", path_text]);
    common::stdout_of(&all);
    path
}

/// The step (counted from 1) at which the stepper shows `symbol`: its place among the
/// values that are not given, read from the JSON trace of the same run.
fn step_of(args: &[&str], symbol: &str) -> usize {
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let trace: Value = serde_json::from_str(&common::stdout_of(&all)).unwrap();
    let steps: Vec<&str> = trace["iterations"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["stage"] != "given")
        .map(|v| v["symbol"].as_str().unwrap())
        .collect();
    1 + steps
        .iter()
        .position(|s| *s == symbol)
        .expect("the symbol is a step")
}

/// Presses `key` `times` times.
fn presses(key: &str, times: usize) -> Vec<Value> {
    vec![json!({ "press": key }); times]
}

/// The names of what the figure marks as used (neurons by id, `n1_0`; arrows by label, `w5`).
fn used(observation: &Value) -> Vec<String> {
    let mut names: Vec<String> = observation["used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn text<'a>(observation: &'a Value, field: &str) -> &'a str {
    observation[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {observation}"))
}

#[test]
fn the_articles_page_steps_through_the_iteration_offline() {
    let dir = common::scratch();
    let page = page(dir.path(), &[]);
    let hidden = step_of(&[], "dE_o1/dout_h1");
    let mut actions = vec![
        json!({"observe": "first"}),
        json!({"press": "ArrowRight"}),
        json!({"observe": "second"}),
        json!({"press": "Backspace"}),
        json!({"observe": "back"}),
        json!({"press": "End"}),
        json!({"observe": "last"}),
        json!({"press": "g"}),
    ];
    actions.extend(presses("ArrowRight", hidden - 1));
    actions.push(json!({"observe": "hidden"}));
    actions.push(json!({"screenshot": dir.path().join("page.png")}));
    let Some(report) = browse(&page, json!({ "actions": actions })) else {
        return;
    };
    let o = &report["observations"];

    let first = &o["first"];
    assert_eq!(text(first, "position"), "step 1 of 66");
    assert!(text(first, "section").starts_with("Step 1 · Forward pass"));
    assert_eq!(text(first, "formula"), "neth1=w1×i1+w2×i2+b1×1");
    assert_eq!(text(first, "substituted"), "=0.15×0.05+0.2×0.1+0.35×1");
    assert_eq!(text(first, "value"), "=0.377500000");
    assert_eq!(first["typeset"], true, "the formula is laid out as MathML");
    assert_eq!(
        first["article"],
        json!([{"class": "agrees", "text": "article: 0.3775 ✓"}])
    );
    // net_h1 uses i1, i2, w1, w2, b1 and is h1's: those are marked, nothing else.
    assert_eq!(used(first), ["b1", "n0_0", "n0_1", "n1_0", "w1", "w2"]);
    assert_eq!(first["slots"]["n1_0:net"], "net 0.3775");
    assert_eq!(first["slots"]["n0_0:value"], "0.05");
    assert_eq!(first["slots"]["w5:value"], "0.4");
    assert!(
        first["slots"].get("n1_0:out").is_none(),
        "out_h1 is not computed yet"
    );

    let second = &o["second"];
    assert_eq!(text(second, "position"), "step 2 of 66");
    assert_eq!(text(second, "formula"), "outh1=11+e−neth1");
    assert_eq!(text(second, "substituted"), "=11+e−0.3775");
    assert_eq!(text(second, "value"), "=0.593269992");
    assert_eq!(second["slots"]["n1_0:out"], "out 0.5933");
    assert_eq!(text(&o["back"], "position"), "step 1 of 66");

    let last = &o["last"];
    assert_eq!(text(last, "position"), "step 66 of 66");
    assert_eq!(text(last, "formula"), "Etotal+=Eo1++Eo2+");
    assert_eq!(text(last, "value"), "=0.291027774");
    let note = &last["article"][0];
    assert_eq!(note["class"], "explained");
    assert!(
        text(note, "text").starts_with("article: 0.291027924 ≠"),
        "{note}"
    );
    // Every weight is updated by now: the figure shows each before → after.
    assert_eq!(last["slots"]["w5:value"], "0.4 → 0.3589");
    assert_eq!(last["slots"]["w1:value"], "0.15 → 0.1498");

    // The hidden layer's chain multiplies by the original w5 (simultaneous order): the
    // figure marks w5 and shows the 0.4 the formula reads, though w5⁺ is known; w6, which
    // this step does not read, shows its update.
    let h = &o["hidden"];
    assert_eq!(text(h, "position"), format!("step {hidden} of 66"));
    assert_eq!(text(h, "formula"), "∂Eo1∂outh1=δo1×∂neto1∂outh1");
    assert_eq!(text(h, "substituted"), "=0.138498562×0.4");
    assert_eq!(text(h, "value"), "=0.055399425");
    assert!(used(h).contains(&"w5".to_string()), "{:?}", used(h));
    assert!(used(h).contains(&"n1_0".to_string()), "{:?}", used(h));
    assert_eq!(h["slots"]["w5:value"], "0.4");
    assert_eq!(h["slots"]["w6:value"], "0.45 → 0.4087");

    let png = std::fs::read(dir.path().join("page.png")).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a screenshot"
    );
}

#[test]
fn every_button_and_the_show_all_view_and_the_language_switch() {
    let dir = common::scratch();
    let page = page(dir.path(), &[]);
    let second_section = step_of(&[], "E_o1");
    let actions = json!([
        {"click": "#last"}, {"observe": "last"},
        {"click": "#previous"}, {"observe": "previous"},
        {"click": "#first"}, {"observe": "first"},
        {"click": "#next"}, {"observe": "next"},
        {"click": "#next-section"}, {"click": "#next-section"}, {"observe": "next-section"},
        {"click": "#previous-section"}, {"observe": "previous-section"},
        {"click": "#show-all"}, {"observe": "all"},
        {"click": "[data-lang=zh]"}, {"observe": "zh-all"},
        {"click": "#show-all"}, {"observe": "zh"},
        {"click": "[data-lang=en]"}, {"observe": "en"},
    ]);
    let Some(report) = browse(&page, json!({ "actions": actions })) else {
        return;
    };
    let o = &report["observations"];
    let step = |label: &str| text(&o[label], "step").parse::<usize>().unwrap();
    assert_eq!(step("last"), 66);
    assert_eq!(step("previous"), 65);
    assert_eq!(step("first"), 1);
    assert_eq!(step("next"), 2);
    // Two sections on from the hidden layer's: the output layer's, then the error (E_o1
    // first).
    assert_eq!(step("next-section"), second_section);
    assert_eq!(
        text(&o["next-section"], "formula"),
        "Eo1=12(targeto1−outo1)2"
    );
    assert!(step("previous-section") < second_section);

    let all = &o["all"];
    assert_eq!(all["allVisible"], true);
    assert_eq!(all["allEquations"], 66, "every computed value written out");
    assert_eq!(all["view"], "all");
    let all_text = text(all, "allText");
    assert!(all_text.contains("0.377500000"), "{all_text}");

    // The page switches language without a reload, in the view it is in.
    let zh_all = &o["zh-all"];
    assert_eq!(zh_all["lang"], "zh");
    assert_eq!(zh_all["allEquations"], 66);
    assert!(text(zh_all, "allText").contains("前向传播"), "{zh_all}");
    let zh = &o["zh"];
    assert_eq!(zh["view"], "step");
    assert_eq!(text(zh, "next"), "下一步");
    assert!(text(zh, "title").contains("网络"), "{zh}");
    assert!(text(zh, "position").contains("66"), "{zh}");
    assert!(!text(zh, "section").is_ascii(), "{zh}");
    let en = &o["en"];
    assert_eq!(text(en, "next"), "Next");
    assert_eq!(text(en, "lang"), "en");
}

/// Keyboard alone: the terminal stepper's keys, and Enter or Space on a focused button
/// press that button once (not the button and the key's own move).
#[test]
fn the_keyboard_alone_is_enough() {
    let dir = common::scratch();
    let page = page(dir.path(), &[]);
    let actions = json!([
        {"press": "ArrowDown"}, {"press": "ArrowDown"}, {"press": "ArrowUp"}, {"observe": "arrows"},
        {"press": "G"}, {"observe": "G"},
        {"press": "Home"}, {"press": "n"}, {"observe": "n"},
        {"press": "PageDown"}, {"press": "p"}, {"observe": "p"},
        {"press": "a"}, {"observe": "a"}, {"press": "a"},
        {"focus": "#next"}, {"press": "Enter"}, {"observe": "enter"},
        {"press": " "}, {"observe": "space"},
        {"focus": "#last"}, {"press": "Enter"}, {"observe": "last-button"},
    ]);
    let Some(report) = browse(&page, json!({ "actions": actions })) else {
        return;
    };
    let o = &report["observations"];
    let step = |label: &str| text(&o[label], "step").parse::<usize>().unwrap();
    assert_eq!(step("arrows"), 2);
    assert_eq!(step("G"), 66);
    let n = step("n");
    assert!(n > 1, "n moves to the next section");
    assert_eq!(
        step("p"),
        n,
        "PageDown then p: back to the start of that section"
    );
    assert_eq!(o["a"]["view"], "all");
    assert_eq!(step("enter"), n + 1);
    assert_eq!(text(&o["enter"], "focused"), "next");
    assert_eq!(step("space"), n + 2);
    assert_eq!(step("last-button"), 66);
}

/// In the sequential order the hidden layer's chain reads w5⁺: the figure shows the update
/// and the formula substitutes it, by the same rule as the terminal stepper.
#[test]
fn the_sequential_order_reads_the_updated_weight() {
    let dir = common::scratch();
    let args = ["--update-order", "sequential"];
    let page = page(dir.path(), &args);
    let hidden = step_of(&args, "dE_o1/dout_h1");
    let mut actions = presses("ArrowRight", hidden - 1);
    actions.push(json!({"observe": "hidden"}));
    let Some(report) = browse(&page, json!({ "actions": actions })) else {
        return;
    };
    let h = &report["observations"]["hidden"];
    assert_eq!(text(h, "substituted"), "=0.138498562×0.35891648");
    assert!(used(h).contains(&"w5".to_string()), "{:?}", used(h));
    assert_eq!(h["slots"]["w5:value"], "0.4 → 0.3589");
}

/// A deep network of every activation, opened in Chinese, stepped through to the end; and
/// at phone width nothing is wider than the screen.
#[test]
fn a_deep_network_in_chinese_at_phone_width() {
    let dir = common::scratch();
    let page = page(dir.path(), &["traces/deep-2-3-2-1.json", "--lang", "zh"]);
    let actions = json!([
        {"observe": "first"},
        {"press": "End"}, {"observe": "last"},
        {"press": "a"}, {"observe": "all"},
    ]);
    let Some(report) = browse(
        &page,
        json!({ "width": 390, "height": 844, "actions": actions }),
    ) else {
        return;
    };
    let o = &report["observations"];
    let first = &o["first"];
    assert_eq!(first["lang"], "zh");
    assert_eq!(text(first, "next"), "下一步");
    assert_eq!(first["typeset"], true);
    assert!(text(first, "formula").starts_with("neth1,1="), "{first}");
    let last = &o["last"];
    let steps = text(last, "step");
    assert!(text(last, "position").contains(steps), "{last}");
    assert!(text(last, "formula").starts_with("Etotal+="), "{last}");
    for label in ["first", "last", "all"] {
        let v = &o[label];
        assert!(
            v["scrollWidth"].as_u64() <= v["clientWidth"].as_u64(),
            "{label}: the page is wider than a phone: {v}"
        );
    }
    assert!(o["all"]["allEquations"].as_u64().unwrap() > 20);
}

/// A wide layer: a sum of many terms is shortened until asked for whole, a long section of
/// "show all" says how many values it leaves to the stepper, and `#all` opens that view, which
/// prints to PDF.
#[test]
fn a_wide_network_shortens_long_sums_and_prints() {
    let dir = common::scratch();
    let net = common::network_file(dir.path(), &[30, 20, 3]);
    let page = page(dir.path(), &[net.to_str().unwrap()]);
    let pdf = dir.path().join("page.pdf");
    let actions = json!([
        {"observe": "all"},
        {"pdf": pdf},
        {"press": "g"}, {"observe": "short"},
        {"click": "#terms"}, {"observe": "whole"},
    ]);
    let Some(report) = browse(&page, json!({ "hash": "#all", "actions": actions })) else {
        return;
    };
    let o = &report["observations"];
    let all = &o["all"];
    assert_eq!(all["view"], "all", "#all opens the whole derivation");
    let more = all["allMore"].as_array().unwrap();
    assert!(
        more.iter()
            .any(|m| m.as_str().unwrap().contains("more given values")),
        "{more:?}"
    );
    assert!(
        more.iter()
            .any(|m| m.as_str().unwrap().contains("more values in this section")),
        "{more:?}"
    );
    let short = &o["short"];
    assert_eq!(short["view"], "step");
    let formula = text(short, "formula");
    assert!(formula.contains('⋯'), "{formula}");
    assert!(formula.ends_with("w30×i30+b1×1"), "{formula}");
    let whole = text(&o["whole"], "formula");
    assert!(!whole.contains('⋯') && whole.contains("w15×i15"), "{whole}");
    let pdf = std::fs::read(pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 10_000, "a PDF");
}

/// Beyond the article: the softmax's δ as a sum over its derivative matrix, and Adam's
/// update with its square root and hatted moments, typeset by the browser from the same
/// printer as the documents; each marks the neuron or the weight it belongs to.
#[test]
fn the_softmax_and_adam_are_typeset() {
    let dir = common::scratch();
    let cases = [
        (
            "traces/softmax-2-3-3.json",
            "delta_o1",
            "=0×0.232090897+(-2.894718025)×(-0.126497676)+0×(-0.105593221)",
            "n2_0",
            "The softmax is a layer-wide activation",
        ),
        (
            "traces/article-adam.json",
            "w5+",
            "=0.4−0.05×0.0821670410.006751423+0.00000001",
            "w5",
            "",
        ),
    ];
    for (network, symbol, substituted, mark, note) in cases {
        let args = [network];
        let page = page(dir.path(), &args);
        let at = step_of(&args, symbol);
        // The first step of the output layer's backward pass, where its notes show.
        let output = step_of(&args, "dE_total/dout_o1");
        let mut actions = presses("ArrowRight", output - 1);
        actions.push(json!({"observe": "output"}));
        actions.extend(presses("ArrowRight", at - output));
        actions.push(json!({"observe": "there"}));
        let Some(report) = browse(&page, json!({ "actions": actions })) else {
            return;
        };
        let o = &report["observations"]["there"];
        assert_eq!(text(o, "substituted"), substituted, "{network}: {o}");
        assert_eq!(o["typeset"], true, "{network}");
        assert!(
            used(o).contains(&mark.to_string()),
            "{network}: {:?}",
            used(o)
        );
        // The section's notes show at its first step, and not at the others.
        // (Adam's network has the article's loss and output activation: no notes.)
        let notes = text(&report["observations"]["output"], "sectionNotes");
        if note.is_empty() {
            assert_eq!(notes, "", "{network}");
        } else {
            assert!(notes.contains(note), "{network}: {notes}");
        }
        assert_eq!(text(o, "sectionNotes"), "", "{network}");
    }
}

/// A batch: each sample's steps say whose they are, and the batch's gradient is typeset as
/// the mean of the samples' (their symbols end in [s₁], [s₂]).
#[test]
fn a_batch_names_each_sample() {
    let dir = common::scratch();
    let args = ["traces/xor-batches.json"];
    let page = page(dir.path(), &args);
    let second = step_of(&args, "out_o1[s2]");
    let batch = step_of(&args, "dE_total/dw11");
    let mut actions = presses("ArrowRight", second - 1);
    actions.push(json!({"observe": "second"}));
    actions.extend(presses("ArrowRight", batch - second));
    actions.push(json!({"observe": "batch"}));
    let Some(report) = browse(&page, json!({ "actions": actions })) else {
        return;
    };
    let second = &report["observations"]["second"];
    assert!(
        text(second, "section").starts_with("Sample s2 (samples[1])"),
        "{second}"
    );
    assert!(
        text(second, "formula").starts_with("outo1[s2]="),
        "{second}"
    );
    let batch = &report["observations"]["batch"];
    assert!(text(batch, "section").starts_with("The batch"), "{batch}");
    assert_eq!(
        text(batch, "formula"),
        "∂Etotal∂w11=∂Etotal∂w11[s1]+∂Etotal∂w11[s2]2"
    );
    assert_eq!(batch["typeset"], true);
    assert!(
        used(batch).contains(&"w11".to_string()),
        "{:?}",
        used(batch)
    );
}
