//! `backprop step --quiz` end to end: with `--plain`, the answers come from standard input
//! and each judged outcome is read back from the output; on the full screen, a
//! pseudo-terminal (expectrl) fed to a terminal emulator (vt100) shows the marks a student
//! sees.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use common::frame_complete;
use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use std::io::{ErrorKind, Write};
use std::num::NonZeroU16;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every computed value of the article's iteration, in the stepper's order, right at
/// precisions from 4 to 9 decimals (net_h1, out_h1, net_h2, … E_total⁺).
const RIGHT: [&str; 66] = [
    "0.3775",
    "0.593269992",
    "0.392500",
    "0.59688438",
    "1.10591",
    "0.751365070",
    "1.2249214",
    "0.7729",
    "0.274811083",
    "0.023560",
    "0.29837111",
    "0.74137",
    "0.186815602",
    "0.1384986",
    "0.5933",
    "0.082167041",
    "0.358916",
    "0.59688438",
    "0.08267",
    "0.408666186",
    "-0.2170715",
    "0.1755",
    "-0.038098237",
    "0.593270",
    "-0.02260254",
    "0.51130",
    "0.596884378",
    "-0.0227402",
    "0.5614",
    "0.400000000",
    "0.055399",
    "0.50000000",
    "-0.01905",
    "0.036350306",
    "0.2413007",
    "0.0088",
    "0.050000000",
    "0.000439",
    "0.14978072",
    "0.10000",
    "0.000877135",
    "0.1995614",
    "0.4500",
    "0.062324353",
    "0.550000",
    "-0.02095403",
    "0.04137",
    "0.240613417",
    "0.0099543",
    "0.0500",
    "0.000497713",
    "0.249751",
    "0.10000000",
    "0.00100",
    "0.299502287",
    "0.3774452",
    "0.5933",
    "0.392437786",
    "0.596869",
    "1.05684997",
    "0.74209",
    "1.238397589",
    "0.7752850",
    "0.2680",
    "0.023051272",
    "0.291028",
];

/// The position of ∂E_total/∂out_o1 among the questions.
const DE_DOUT_O1: usize = 11;

/// `backprop step --quiz --plain ARGS` with `input` on standard input: status and output.
fn quiz(args: &[&str], input: &str) -> (Option<i32>, String, String) {
    let out = cargo_bin_cmd!("backprop")
        .args(["step", "--quiz", "--plain"])
        .args(args)
        .env("NO_COLOR", "1")
        .write_stdin(input)
        .output()
        .expect("backprop runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Lines of input: `answers`, each followed by a newline.
fn lines(answers: &[&str]) -> String {
    answers.iter().map(|a| format!("{a}\n")).collect()
}

/// The output from its score line on.
fn summary(out: &str) -> &str {
    &out[out
        .find("Score: ")
        .unwrap_or_else(|| panic!("no score:\n{out}"))..]
}

#[test]
fn every_answer_right_scores_full() {
    let (code, out, err) = quiz(&[], &lines(&RIGHT));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    assert_eq!(out.matches("\n✓ ").count(), 66, "{out}");
    assert!(!out.contains('✗'), "{out}");
    assert_eq!(
        summary(&out),
        "Score: 66 of 66 right at the first try, 0 after a retry, 0 missed.\n\
         Every step right at the first try.\n"
    );
    // Each step's context, never its value, before the question; the value after it.
    let first = &out[..out.find("✓ net_h1").unwrap()];
    assert!(
        first.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1\n"),
        "{first}"
    );
    assert!(first.contains("       = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1\n"));
    assert!(first.ends_with("net_h1 = ? 0.3775\n"), "{first}");
    assert!(!first.contains("0.377500000") && !first.contains("article:"));
    assert!(out.contains("✓ net_h1 = 0.377500000\n"));
    assert!(out.contains("out_o1 = ? 0.751365070\n✓ out_o1 = 0.751365070\n"));
    assert!(out.contains("∂E_total/∂out_o1 = ? 0.74137\n✓ ∂E_total/∂out_o1 = 0.741365070\n"));
    assert!(out.contains("E_total⁺ = ? 0.291028\n✓ E_total⁺ = 0.291027774\n"));
}

#[test]
fn a_flipped_sign_is_wrong_and_named_then_a_retry_is_right() {
    let mut answers = RIGHT[..DE_DOUT_O1].to_vec();
    answers.extend(["-0.74136507", "0.74136507"]);
    let (code, out, _) = quiz(&[], &lines(&answers));
    assert_eq!(code, Some(0));
    assert!(
        out.contains(
            "∂E_total/∂out_o1 = ? -0.74136507\n\
             ✗ Not right. Likely slip: the sign of (target − out) flipped: ∂E_total/∂out_o1 = \
             −(target − out), positive when the output is above its target.\n\
             Type another answer, or an empty line to see it.\n\
             ∂E_total/∂out_o1 = ? 0.74136507\n\
             ✓ ∂E_total/∂out_o1 = 0.741365070\n"
        ),
        "{out}"
    );
    assert_eq!(
        summary(&out),
        "Score: 11 of 66 right at the first try, 1 after a retry, 0 missed.\n\
         54 not asked: the quiz ended at step 13 of 66.\n\
         Right after a retry:\n  \
         ✓ ∂E_total/∂out_o1 = 0.741365070 (you typed -0.74136507: sign of (target − out) \
         flipped)\n"
    );
}

#[test]
fn an_empty_line_shows_the_value_and_counts_it_missed() {
    // net_h1 shown at once; out_h1 wrong (0.59327 is 0.6 at one decimal: 0.5 is cut off,
    // not rounded), then shown.
    let (code, out, _) = quiz(&[], "\n0.5\n\n0.3925\n");
    assert_eq!(code, Some(0));
    assert!(
        out.contains("net_h1 = ? \n✗ net_h1 = 0.377500000 (shown: counted as missed)\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "out_h1 = ? 0.5\n✗ Not right. Likely slip: truncated instead of rounded: the digits \
             after your last one were cut off (0.5); rounded, the value is 0.6.\n\
             Type another answer, or an empty line to see it.\n\
             out_h1 = ? \n✗ out_h1 = 0.593269992 (shown: counted as missed)\n"
        ),
        "{out}"
    );
    assert!(out.contains("net_h2 = ? 0.3925\n✓ net_h2 = 0.392500000\n"));
    assert_eq!(
        summary(&out),
        "Score: 1 of 66 right at the first try, 0 after a retry, 2 missed.\n\
         63 not asked: the quiz ended at step 4 of 66.\n\
         Steps missed:\n  \
         ✗ net_h1 = 0.377500000 (not answered)\n  \
         ✗ out_h1 = 0.593269992 (you typed 0.5: truncated, not rounded)\n"
    );
}

#[test]
fn the_end_of_the_input_ends_the_quiz_with_the_score() {
    // The input ends after a wrong answer: that step is missed, with its slip.
    let mut answers = RIGHT[..DE_DOUT_O1].to_vec();
    answers.push("-0.741365");
    let (code, out, err) = quiz(&[], &lines(&answers));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(
            "Type another answer, or an empty line to see it.\n∂E_total/∂out_o1 = ? \n\nScore"
        ),
        "the open prompt is closed before the score:\n{out}"
    );
    assert_eq!(
        summary(&out),
        "Score: 11 of 66 right at the first try, 0 after a retry, 1 missed.\n\
         54 not asked: the quiz ended at step 12 of 66.\n\
         Steps missed:\n  \
         ✗ ∂E_total/∂out_o1 = 0.741365070 (you typed -0.741365: sign of (target − out) \
         flipped)\n"
    );
    // No input at all, and q: the score all the same.
    let (code, out, _) = quiz(&[], "");
    assert_eq!(code, Some(0));
    assert!(summary(&out).starts_with(
        "Score: 0 of 66 right at the first try, 0 after a retry, 0 missed.\n\
         66 not asked: the quiz ended at step 1 of 66.\n"
    ));
    let (code, out, _) = quiz(&[], "0.3775\nq\n0.5933\n");
    assert_eq!(code, Some(0));
    assert!(out.contains("out_h1 = ? q\n\nScore: 1 of 66"), "{out}");
    assert!(!out.contains("✓ out_h1"), "nothing is read after q:\n{out}");
}

#[test]
fn a_line_that_is_not_a_number_is_asked_again_and_not_counted() {
    let (code, out, _) = quiz(&[], "0.37 75\n0,3775\n");
    assert_eq!(code, Some(0));
    assert!(
        out.contains(
            "net_h1 = ? 0.37 75\n\"0.37 75\" is not a number: type the value (as 0.3775, -0.74 \
             or 1e-3), an empty line to see it, or q to end the quiz.\nnet_h1 = ? 0,3775\n\
             ✓ net_h1 = 0.377500000\n"
        ),
        "{out}"
    );
    assert!(summary(&out).starts_with("Score: 1 of 66 right at the first try, 0 after"));
    // Scientific notation is judged at its own precision: 3.8e-1 is 0.38.
    let (_, out, _) = quiz(&[], "3.8e-1\n3.775e-1\n");
    assert!(out.contains("net_h1 = ? 3.8e-1\n✓ net_h1"), "{out}");
}

#[test]
fn ascii_writes_only_ascii() {
    let mut answers = RIGHT[..DE_DOUT_O1].to_vec();
    answers.extend(["-0.74136507", "", "x", "0.1"]);
    let (code, out, _) = quiz(&["--ascii"], &lines(&answers));
    assert_eq!(code, Some(0));
    assert!(
        out.is_ascii(),
        "{}",
        out.chars().filter(|c| !c.is_ascii()).collect::<String>()
    );
    assert!(out.contains("ok net_h1 = 0.377500000\n"), "{out}");
    assert!(out.contains("dE_total/dout_o1 = ? -0.74136507\nX Not right. Likely slip: the sign of (target - out) flipped"), "{out}");
    assert!(out.contains("X dE_total/dout_o1 = 0.741365070 (shown: counted as missed)"));
    assert!(out.contains("Steps missed:\n  X dE_total/dout_o1 = 0.741365070 (you typed -0.74136507: sign of (target - out) flipped)\n  X dout_o1/dnet_o1"), "{out}");
}

#[test]
fn chinese_words_for_the_quiz() {
    let (code, out, _) = quiz(&["--lang", "zh"], "0.3775\n0.5\n\n");
    assert_eq!(code, Some(0));
    assert!(out.starts_with("测验:"), "{out}");
    assert!(
        out.contains(
            "✗ 不对。可能的错误:截断而非四舍五入:你写的最后一位之后的数字被直接舍去了(0.5);\
             四舍五入应为 0.6。\n再输入一个答案,或输入空行查看正确值。\n"
        ),
        "{out}"
    );
    assert!(summary_zh(&out).starts_with("得分:共 66 步,1 步一次答对,0 步重试后答对,1 步未答对。"));
}

fn summary_zh(out: &str) -> &str {
    &out[out
        .find("得分")
        .unwrap_or_else(|| panic!("no score:\n{out}"))..]
}

#[test]
fn the_network_cannot_come_from_standard_input_and_a_pipe_gets_no_full_screen() {
    let (code, _, err) = quiz(&["-"], "0.3775\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("`step --quiz --plain` reads the answers from standard input"),
        "{err}"
    );
    let out = cargo_bin_cmd!("backprop")
        .args(["step", "--quiz"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Use `backprop step --quiz --plain`"), "{err}");
}

/// A reader that goes away after a few bytes, and answers that stop in the middle: status
/// 0, no panic.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_pipe_ends_quietly() {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("backprop"));
    command.args(["step", "--quiz", "--plain"]);
    // Answers to every step, into a program whose output is gone.
    let answers = lines(&RIGHT);
    let out = common::reader_stops_after_16_bytes(command, Some(answers.as_bytes()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?} {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The quiz on the full screen: a right answer, a wrong one with its slip, a reveal, then q:
/// the final screen, and the score on the normal screen after it.
#[test]
fn the_full_screen_quiz_marks_answers() {
    let (cols, rows) = (100u16, 30u16);
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!(
        "while [ \"$(stty size)\" != '{rows} {cols}' ]; do sleep 0.01; done; exec '{}' step --quiz",
        env!("CARGO_BIN_EXE_backprop")
    ));
    command.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    let mut session = Session::spawn(command).expect("spawn in a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(cols, rows)
        .expect("set the terminal size");
    let mut screen = vt100::Parser::new(
        NonZeroU16::new(rows).unwrap(),
        NonZeroU16::new(cols).unwrap(),
        0,
    );
    let mut raw = Vec::new();
    let mut wait_for = |session: &mut expectrl::session::OsSession,
                        screen: &mut vt100::Parser,
                        needles: &[&str]|
     -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 8192];
        loop {
            loop {
                match session.try_read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        screen.process(&buf[..n]);
                        raw.extend_from_slice(&buf[..n]);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => break,
                }
            }
            let text = screen.screen().contents();
            if frame_complete(&raw, rows) && needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("waited for {needles:?}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let keys = |session: &mut expectrl::session::OsSession, keys: &str| {
        session.write_all(keys.as_bytes()).unwrap();
        session.flush().unwrap();
    };

    let text = wait_for(&mut session, &mut screen, &["step 1 of 66", "net_h1 = ? _"]);
    assert!(
        text.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1"),
        "{text}"
    );
    assert!(
        !text.contains("0.377500000") && !text.contains("net 0.3775"),
        "{text}"
    );

    keys(&mut session, "0.3775\r");
    let text = wait_for(&mut session, &mut screen, &["step 2 of 66", "out_h1 = ? _"]);
    assert!(text.contains("✓ net_h1 = 0.377500000"), "{text}");
    assert!(
        text.contains("net 0.3775"),
        "the answered value is drawn:\n{text}"
    );

    keys(&mut session, "0.5943\r");
    let text = wait_for(&mut session, &mut screen, &["✗ Not right."]);
    assert!(
        text.contains("step 2 of 66"),
        "a wrong answer stays:\n{text}"
    );
    assert!(text.contains("Type another answer, or press Enter with nothing typed"));

    keys(&mut session, "\r");
    let text = wait_for(&mut session, &mut screen, &["step 3 of 66", "net_h2 = ? _"]);
    assert!(
        text.contains("✗ out_h1 = 0.593269992 (shown: counted as missed)"),
        "{text}"
    );

    keys(&mut session, "q");
    let text = wait_for(&mut session, &mut screen, &["Score: 1 of 66"]);
    assert!(text.contains("Steps missed:"), "{text}");
    assert!(
        text.contains("✗ out_h1 = 0.593269992 (you typed 0.5943)"),
        "{text}"
    );
    keys(&mut session, "x");

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; 8192];
    let status = loop {
        while let Ok(n) = session.try_read(&mut buf) {
            if n == 0 {
                break;
            }
            screen.process(&buf[..n]);
        }
        let status = session.get_process().status().unwrap();
        if !matches!(status, WaitStatus::StillAlive) {
            while let Ok(n) = session.try_read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen.process(&buf[..n]);
            }
            break status;
        }
        assert!(Instant::now() < deadline, "the quiz did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
    assert!(!screen.screen().alternate_screen());
    let text = screen.screen().contents();
    assert!(
        text.contains("Score: 1 of 66 right at the first try, 0 after a retry, 1 missed."),
        "the score stays on the normal screen:\n{text}"
    );
}
