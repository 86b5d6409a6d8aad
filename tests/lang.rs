//! `--lang zh` on every command that prints words: the article's Chinese terms appear, and no
//! English phrase of any label set is left in the output (a label added in English without
//! its translation, or a sentence still written in the code, fails here).

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use backprop_tracer::render::Lang;

/// Runs `backprop ARGS` and returns its standard output, whatever the exit status (verify
/// exits 1 on a slip, as it should).
fn zh_output(args: &[&str], stdin: &str) -> String {
    let out = cargo_bin_cmd!("backprop")
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("backprop runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The English phrases of the English labels: every two neighbouring words of letters, as
/// they stand in the label (a single word, like a symbol's name, can be shared by both
/// languages; a phrase cannot).
fn english_phrases() -> Vec<String> {
    let mut phrases = Vec::new();
    for label in Lang::En.every_label() {
        let words: Vec<&str> = label.split_whitespace().collect();
        for pair in words.windows(2) {
            let second = pair[1].trim_end_matches(|c: char| c.is_ascii_punctuation());
            let is_word = |w: &str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic());
            if is_word(pair[0]) && is_word(second) {
                phrases.push(format!("{} {second}", pair[0]));
            }
        }
    }
    phrases.sort();
    phrases.dedup();
    phrases
}

/// Whether `output` has `phrase` as words: `order sequential` is in "update order
/// sequential", not in the option "--update-order sequential" a Chinese sentence may quote.
fn contains_phrase(output: &str, phrase: &str) -> bool {
    output.match_indices(phrase).any(|(at, _)| {
        let before = output[..at].chars().next_back();
        let after = output[at + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Asserts that `output` has each of `terms` and none of the English labels' phrases.
fn assert_chinese(command: &str, output: &str, terms: &[&str]) {
    for term in terms {
        assert!(output.contains(term), "{command}: no {term}:\n{output}");
    }
    let left: Vec<String> = english_phrases()
        .into_iter()
        .filter(|p| contains_phrase(output, p))
        .collect();
    assert!(
        left.is_empty(),
        "{command}: English left in the --lang zh output: {left:?}\n{output}"
    );
}

#[test]
fn the_phrase_list_is_the_english_labels() {
    let phrases = english_phrases();
    // One from each report, so that a label set dropped from the list is noticed.
    for phrase in [
        "Forward pass",
        "Total error",
        "drew the",
        "first wrong",
        "central difference",
        "biases trained",
        "contribution left",
        "formula cannot",
    ] {
        assert!(phrases.iter().any(|p| p == phrase), "{phrase}: {phrases:?}");
    }
    // And the check can fail: the English output has them.
    let english = zh_output(&["check"], "");
    assert!(
        english_phrases()
            .iter()
            .any(|p| contains_phrase(&english, p))
    );
}

#[test]
fn verify_a_homework_with_a_slip() {
    let out = zh_output(
        &[
            "verify",
            "--lang",
            "zh",
            "tests/fixtures/homework/eta-twice.csv",
        ],
        "",
    );
    assert_chinese(
        "verify",
        &out,
        &[
            "符号",
            "你的值",
            "正确值",
            "第一个错误值",
            "公式",
            "代入数值",
            "可能的错误",
        ],
    );
}

#[test]
fn verify_a_homework_that_agrees_and_names_an_unknown_symbol() {
    let out = zh_output(
        &["verify", "--lang", "zh", "-"],
        "out_h1,0.5933\nout_hh1,0.5\n",
    );
    assert_chinese(
        "verify",
        &out,
        &["都正确", "无法识别", "不是本次迭代中的值"],
    );
}

#[test]
fn verify_a_trace() {
    let trace = zh_output(&["show", "--format", "json"], "");
    let out = zh_output(&["verify", "--lang", "zh", "-"], &trace);
    assert_chinese("verify (trace)", &out, &["都与按公式重新计算的结果一致"]);
}

#[test]
fn check() {
    let out = zh_output(&["check", "--lang", "zh"], "");
    assert_chinese(
        "check",
        &out,
        &["梯度检验", "反向传播", "中心差分", "相对误差", "通过"],
    );
}

#[test]
fn check_a_sample_with_its_seed_note() {
    let out = zh_output(
        &["check", "--lang", "zh", "traces/xor.json", "--sample", "3"],
        "",
    );
    assert_chinese(
        "check --sample",
        &out,
        &["由种子", "第 1 层的权重", "可复现"],
    );
}

#[test]
fn train_table() {
    let out = zh_output(&["train", "--lang", "zh", "-n", "100"], "");
    assert_chinese(
        "train",
        &out,
        &[
            "学习速率",
            "迭代次数",
            "输出",
            "原文",
            "权重和偏置",
            "同时更新",
        ],
    );
}

#[test]
fn train_with_samples_and_a_seed() {
    let out = zh_output(
        &[
            "train",
            "--lang",
            "zh",
            "traces/xor.json",
            "--order",
            "random",
            "-n",
            "10",
        ],
        "",
    );
    assert_chinese("train xor", &out, &["个样本", "随机抽取", "由种子"]);
}

#[test]
fn train_quiet() {
    let out = zh_output(&["train", "--lang", "zh", "--quiet", "-n", "10"], "");
    assert_chinese("train --quiet", &out, &["10 次迭代后", "输出"]);
}

#[test]
fn explain() {
    let out = zh_output(&["explain", "--lang", "zh", "∂E_total/∂w5"], "");
    assert_chinese("explain", &out, &["初始值"]);
}

#[test]
fn step_plain() {
    let out = zh_output(&["step", "--plain", "--lang", "zh"], "\n\n\n");
    assert_chinese("step --plain", &out, &["前向传播", "第 1 步", "下一步"]);
}

#[test]
fn show() {
    let out = zh_output(&["show", "--lang", "zh"], "");
    assert_chinese(
        "show",
        &out,
        &[
            "输入层",
            "隐含层",
            "输出层",
            "前向传播",
            "反向传播",
            "总误差",
            "学习速率",
        ],
    );
}

#[test]
fn show_with_the_seed_note_and_a_traces_options() {
    let out = zh_output(&["show", "--lang", "zh", "traces/xor.json"], "");
    assert_chinese("show xor", &out, &["由种子", "权重"]);
    let trace = zh_output(
        &["show", "--format", "json", "--update-order", "sequential"],
        "",
    );
    let out = zh_output(&["show", "--lang", "zh", "-"], &trace);
    assert_chinese("show (trace)", &out, &["选项取自", "更新顺序 顺序更新"]);
}

/// The homework fixtures that each make one recognised slip (the `not-` ones make none).
fn slip_fixtures() -> Vec<std::path::PathBuf> {
    let mut fixtures: Vec<_> = std::fs::read_dir("tests/fixtures/homework")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            !path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("not-")
        })
        .collect();
    fixtures.sort();
    fixtures
}

#[test]
fn verify_names_and_explains_every_slip_in_chinese() {
    let fixtures = slip_fixtures();
    assert!(fixtures.len() >= 14, "{fixtures:?}");
    let names = [
        "符号弄反了",
        "按 net 而不是 out",
        "两位数字颠倒",
        "截断而非四舍五入",
        "漏掉了激活函数的导数",
        "用了更新后的权重",
        "漏掉了一个输出的贡献",
        "更新时加上而不是减去",
        "漏掉了 η",
        "η 乘了两次",
        "权重用混了",
        "过早四舍五入",
    ];
    let mut named = std::collections::BTreeSet::new();
    for fixture in &fixtures {
        let path = fixture.to_str().unwrap();
        let out = zh_output(&["verify", "--lang", "zh", path], "");
        assert_chinese(path, &out, &["可能的错误"]);
        let found: Vec<&str> = names
            .iter()
            .copied()
            .filter(|name| out.contains(name))
            .collect();
        assert!(
            !found.is_empty(),
            "{path}: no slip named in Chinese:\n{out}"
        );
        named.extend(found);
    }
    // Every slip of the list is named by some fixture.
    assert_eq!(named.len(), names.len(), "named: {named:?}");
}

#[test]
fn verify_recognises_the_articles_own_numbers_in_chinese() {
    let out = zh_output(
        &["verify", "--lang", "zh", "-"],
        "out_o1,0.75136079\nE_total+,0.291027924\n",
    );
    assert_chinese(
        "verify (the article's numbers)",
        &out,
        &[
            "原文的笔误",
            "这是原文印出的 0.75136079,是 0.75136507 的笔误",
            "原文按顺序更新算出的数",
            "按顺序更新算出(--update-order sequential 可复现)",
        ],
    );
}

#[test]
fn verify_describes_a_broken_trace_in_chinese() {
    let trace = zh_output(&["show", "--format", "json"], "");
    let mut trace: serde_json::Value = serde_json::from_str(&trace).unwrap();
    let values = trace["iterations"][0]["values"].as_array_mut().unwrap();
    let mut edit = |symbol: &str, field: &str, to: serde_json::Value| {
        let value = values
            .iter_mut()
            .find(|v| v["symbol"] == symbol)
            .unwrap_or_else(|| panic!("no {symbol}"));
        value[field] = to;
    };
    // A given value that is not the network's, a number put for the wrong operand, numbers
    // that do not follow their formula, an operand never recorded.
    edit("w1", "value", serde_json::json!(0.16));
    edit(
        "out_h1",
        "substituted",
        serde_json::json!("1/(1 + e^(-0.3785))"),
    );
    edit("net_o1", "substituted", serde_json::json!("0.4 *"));
    edit("out_o2", "from", serde_json::json!(["net_o3"]));
    edit(
        "out_o2",
        "formula",
        serde_json::json!("1/(1 + e^(-net_o3))"),
    );
    let out = zh_output(&["verify", "--lang", "zh", "-"], &trace.to_string());
    assert_chinese(
        "verify (a broken trace)",
        &out,
        &[
            "记录值为 0.16,但 trace 所带的网络文件中是 0.15",
            "代入数值时 net_h1 写成了 0.3785",
            "代入数值的式子从第",
            "用到了 net_o3",
        ],
    );
}

#[test]
fn train_tags_the_articles_edition_in_chinese() {
    let out = zh_output(&["train", "--lang", "zh", "-n", "10000"], "");
    assert_chinese("train -n 10000", &out, &["0.000035085(译文)"]);
    assert!(!out.contains("translation"), "{out}");
}

#[test]
fn a_progress_bar_shows_in_chinese() {
    use expectrl::{Expect, Session};
    // A million iterations: long enough in a debug build for the bar to appear.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_backprop"));
    command.args(["train", "--lang", "zh", "-n", "1000000"]);
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(std::time::Duration::from_secs(120)));
    session.expect("已迭代").unwrap();
    session.expect("1000000 次迭代后").unwrap();
}

#[test]
fn show_as_a_document() {
    let out = zh_output(&["show", "--lang", "zh", "--format", "markdown"], "");
    assert_chinese(
        "show --format markdown",
        &out,
        &["前向传播", "反向传播", "总误差", "原文此处印的是", "下降至"],
    );
}
