//! The rendered tables, as snapshots: a change in layout shows up as a reviewed diff
//! (`cargo insta review`, or INSTA_UPDATE=always and read `git diff`).

mod common;

fn show(args: &[&str]) -> String {
    common::stdout_of(args)
}

#[test]
fn article_english() {
    insta::assert_snapshot!(show(&[]));
}

#[test]
fn article_chinese() {
    insta::assert_snapshot!(show(&["--lang", "zh"]));
}

#[test]
fn article_sequential_ascii() {
    insta::assert_snapshot!(show(&["--update-order", "sequential", "--ascii"]));
}

#[test]
fn tanh_network_with_bias_updates() {
    insta::assert_snapshot!(show(&["traces/tanh-3-4-2.json", "--precision", "6"]));
}

#[test]
fn article_in_colour() {
    // Colour marks meaning: green agreement, yellow explained differences, cyan negatives.
    let text = show(&["--color", "always"]);
    assert!(
        text.contains("\u{1b}[38;5;10m")
            || text.contains("\u{1b}[32m")
            || text.contains("\u{1b}[38;5;2m"),
        "green"
    );
    insta::assert_snapshot!(text);
}
