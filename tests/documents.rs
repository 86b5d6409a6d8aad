//! `show --format markdown`: the article's derivation as a document. Every number the article
//! prints is in it (the computed value, and the article's own where it differs, with the
//! reason), and every TeX fragment of several documents renders in KaTeX (from the npm
//! registry, pinned by tests/js/package-lock.json, run with the machine's Node.js).
//!
//! Without Node.js or `npm ci --prefix tests/js` the KaTeX test says so loudly and passes,
//! except on CI (`CI=true`), where a missing renderer is a failure: .ci/run installs it.

mod common;

use backprop_tracer::article;
use backprop_tracer::engine;
use backprop_tracer::network::Network;
use backprop_tracer::number;
use backprop_tracer::trace::{Options, Stage};
use std::path::Path;
use std::process::Command;

/// `backprop show --format FORMAT ARGS`.
fn document(format: &str, args: &[&str]) -> String {
    let all: Vec<&str> = ["show", "--format", format]
        .iter()
        .chain(args)
        .copied()
        .collect();
    common::stdout_of(&all)
}

fn markdown(args: &[&str]) -> String {
    document("markdown", args)
}

fn latex(args: &[&str]) -> String {
    document("latex", args)
}

#[test]
fn the_article_document_has_every_number_the_article_prints() {
    let doc = markdown(&[]);
    let trace = engine::trace_iteration(&Network::article(), &Options::default());
    let printed: Vec<_> = article::numbers()
        .numbers
        .iter()
        .filter(|p| p.iteration == 1 && p.edition.in_translation())
        .collect();
    assert!(printed.len() >= 40, "{}", printed.len());
    for p in printed {
        let recorded = trace.first().get(&p.symbol).unwrap();
        let value = recorded.value;
        // The computed value, as the document writes values: a given one in the table of
        // given values, a computed one at the end of its formula.
        let shown = if recorded.stage == Stage::Given {
            format!("| {} |", number::compact(value, 9))
        } else {
            format!("= {}$$", number::fixed(value, 9))
        };
        assert!(doc.contains(&shown), "{}: no {shown}", p.symbol);
        // The article's own number where it is not the computed one, with why.
        let verdict = article::Verdict::of(p, value, trace.options.update_order);
        if verdict != article::Verdict::Agrees {
            assert!(
                doc.contains(&format!("> The article prints {} here: ", p.printed)),
                "{}: the article's {} is not noted",
                p.symbol,
                p.printed
            );
        }
    }
    // The article's formulas, as it writes them.
    for tex in [
        r"$$net_{h1} = w_1 * i_1 + w_2 * i_2 + b_1 * 1$$",
        r"$$out_{h1} = \frac{1}{1+e^{-net_{h1}}} = \frac{1}{1+e^{-0.3775}} = 0.593269992$$",
        r"$$E_{o1} = \frac{1}{2}(target_{o1} - out_{o1})^2 = \frac{1}{2}(0.01 - 0.75136507)^2 = 0.274811083$$",
        r"\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial out_{o1}} * \frac{\partial out_{o1}}{\partial net_{o1}} * \frac{\partial net_{o1}}{\partial w_5}",
        r"$$w_5^+ = w_5 - \eta * \frac{\partial E_{total}}{\partial w_5} = 0.4 - 0.5 * 0.082167041 = 0.358916480$$",
        r"$$\frac{\partial E_{o1}}{\partial out_{h1}} = \delta_{o1} * \frac{\partial net_{o1}}{\partial out_{h1}} = 0.138498562 * 0.4 = 0.055399425$$",
    ] {
        assert!(doc.contains(tex), "no {tex}");
    }
    // The sections, in the article's order.
    let at = |s: &str| doc.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(at("## Given") < at("## Step 1"));
    assert!(at("## Step 1") < at("## Total error"));
    assert!(at("## Total error") < at("## Step 2"));
    assert!(at("## Step 2") < at("## Summary"));
    assert!(doc.ends_with("the total error falls from 0.298371109 to 0.291027774.\n"));
}

#[test]
fn chinese_documents_use_the_articles_terms() {
    let doc = markdown(&["--lang", "zh"]);
    for term in [
        "前向传播",
        "反向传播",
        "总误差",
        "原文此处印的是 0.75136079",
        "下降至",
    ] {
        assert!(doc.contains(term), "no {term}");
    }
    assert!(!doc.contains("The article prints"));
}

#[test]
fn a_wide_layer_is_written_once_in_full_then_as_a_table() {
    let dir = common::scratch();
    let path = common::network_file(dir.path(), &[30, 3]);
    let doc = markdown(&[path.to_str().unwrap()]);
    // The output layer's backward pass: 3 neurons × (3 + 30 × 3) values, more than 40.
    assert!(
        doc.contains(
            "This part has 279 values: the first 40 are written out, then the table lists them all."
        ),
        "{doc}"
    );
    assert!(doc.contains("| $w_{90}^+$ |"));
}

/// Node.js with the tests' npm package `package`, if installed (see [`common::required`]).
fn node_with(package: &str) -> Option<Command> {
    let installed = Path::new("tests/js/node_modules").join(package).exists();
    let what = format!("Node.js with tests/js/node_modules/{package} (`npm ci --prefix tests/js`)");
    common::required(common::runs("node", "--version") && installed, &what)
        .then(|| Command::new("node"))
}

/// Renders every TeX fragment of `doc` (Markdown, or with `latex` a .tex file) with KaTeX;
/// returns how many there were.
fn katex_in(doc: &str, latex: bool) -> usize {
    let Some(mut node) = node_with("katex") else {
        return usize::MAX;
    };
    node.arg("tests/js/katex-check.mjs");
    if latex {
        node.arg("--latex");
    }
    let out = common::piped(node, doc.as_bytes());
    assert!(
        out.status.success(),
        "KaTeX: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    summary["fragments"].as_u64().unwrap() as usize
}

#[test]
fn every_math_fragment_renders_in_katex() {
    for args in [
        &[][..],
        &["--lang", "zh"],
        &["--update-order", "sequential"],
        &["--update-biases", "--precision", "4"],
        &["traces/deep-2-3-2-1.json"],
        &[
            "traces/deep-2-3-2-1.json",
            "--lang",
            "zh",
            "--update-biases",
        ],
        &["traces/tanh-3-4-2.json"],
        &["tests/fixtures/deep-2-3-2-2.json"],
        &["traces/xor.json"],
    ] {
        let fragments = katex_in(&markdown(args), false);
        assert!(fragments >= 50, "{args:?}: only {fragments} fragments");
    }
}

#[test]
fn the_latex_file_is_a_whole_document_whose_math_renders() {
    let en = latex(&[]);
    assert!(en.starts_with("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"));
    assert!(en.trim_end().ends_with("\\end{document}"));
    assert!(en.contains(
        "\\[ w_5^+ = w_5 - \\eta * \\frac{\\partial E_{total}}{\\partial w_5} = 0.4 - 0.5 * 0.082167041 = 0.358916480 \\]"
    ));
    let zh = latex(&["--lang", "zh"]);
    assert!(zh.starts_with("\\documentclass[UTF8]{ctexart}"));
    assert!(zh.contains("\\section*{Step 1 前向传播"), "{zh}");
    for args in [
        &[][..],
        &["--lang", "zh"],
        &["traces/deep-2-3-2-1.json", "--update-biases"],
    ] {
        let fragments = katex_in(&latex(args), true);
        assert!(fragments >= 50, "{args:?}: only {fragments} fragments");
    }
}

#[test]
fn the_katex_check_fails_on_a_broken_fragment() {
    let Some(mut node) = node_with("katex") else {
        return;
    };
    node.arg("tests/js/katex-check.mjs");
    let out = common::piped(node, b"fine $w_5$, broken $$\\frac{1}{$$\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""errors":1"#));
}

#[test]
fn english_latex_files_compile_with_pdflatex() {
    let what = "pdflatex (Debian's texlive-latex-base and texlive-latex-recommended)";
    if !common::required(common::runs("pdflatex", "--version"), what) {
        return;
    }
    let dir = common::scratch();
    let wide = common::network_file(dir.path(), &[30, 3]);
    let wide = wide.to_str().unwrap();
    for args in [
        &[][..],
        &["--update-order", "sequential"],
        &["traces/deep-2-3-2-1.json", "--update-biases"],
        &["traces/tanh-3-4-2.json"],
        &[wide],
    ] {
        std::fs::write(dir.path().join("d.tex"), latex(args)).unwrap();
        let out = Command::new("pdflatex")
            .args(["-interaction=nonstopmode", "-halt-on-error", "d.tex"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success() && dir.path().join("d.pdf").exists(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        std::fs::remove_file(dir.path().join("d.pdf")).unwrap();
    }
}
