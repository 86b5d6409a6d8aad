//! `backprop step` end to end. The full-screen stepper runs in a pseudo-terminal (expectrl)
//! whose output is fed to a terminal emulator (vt100), so the tests read the screen a
//! student would see, after each script of keys. `--plain` is driven through stdin.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use common::frame_complete;
use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use predicates::prelude::*;
use std::io::{ErrorKind, Write};
use std::num::NonZeroU16;
use std::process::Command;
use std::time::{Duration, Instant};

const LEAVE_ALTERNATE_SCREEN: &str = "\x1b[?1049l";
const ENTER_ALTERNATE_SCREEN: &str = "\x1b[?1049h";
const SHOW_CURSOR: &str = "\x1b[?25h";

#[test]
fn a_frame_is_complete_once_its_last_row_is_cleared() {
    let frame = |text: &str| {
        (1..=3)
            .map(|row| format!("\x1b[{row};1H{text}{row}\x1b[K"))
            .collect::<String>()
    };
    let one = frame("a");
    let two = format!("{one}{}", frame("b"));
    assert!(frame_complete(one.as_bytes(), 3));
    assert!(frame_complete(two.as_bytes(), 3));
    // The second frame, begun and cut anywhere before its last row's clear, is not
    // complete, though its first rows (where the step number is) may already be there.
    for cut in one.len() + "\x1b[1;1H".len()..two.len() {
        assert!(!frame_complete(&two.as_bytes()[..cut], 3), "cut at {cut}");
    }
    assert!(!frame_complete(b"", 3));
}

/// The stepper in a pseudo-terminal of a fixed size, and what it has drawn so far.
struct Terminal {
    session: OsSession,
    screen: vt100::Parser,
    /// Every byte the program wrote, for checking the escape sequences themselves.
    raw: Vec<u8>,
    exit: Option<WaitStatus>,
}

impl Terminal {
    /// Runs `backprop step ARGS` in a `cols` × `rows` terminal. The pseudo-terminal library
    /// sets its default 80×24 from the parent after forking, which can land after anything
    /// the child does; so the parent sets the size once spawn has returned, and the child
    /// waits until it sees that size before starting the program.
    fn start(args: &str, cols: u16, rows: u16, env: &[(&str, &str)]) -> Terminal {
        let mut command = Command::new("sh");
        command.arg("-c").arg(format!(
            "while [ \"$(stty size)\" != '{rows} {cols}' ]; do sleep 0.01; done; exec '{}' step {args}",
            env!("CARGO_BIN_EXE_backprop")
        ));
        command.env("TERM", "xterm-256color").env_remove("NO_COLOR");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut session = Session::spawn(command).expect("spawn in a pseudo-terminal");
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("set the terminal size");
        Terminal {
            session,
            screen: vt100::Parser::new(
                NonZeroU16::new(rows).unwrap(),
                NonZeroU16::new(cols).unwrap(),
                0,
            ),
            raw: Vec::new(),
            exit: None,
        }
    }

    /// Reads whatever the program has written.
    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    self.screen.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                // Linux reports the end of a pseudo-terminal whose program exited as EIO.
                Err(_) => return,
            }
        }
    }

    fn text(&self) -> String {
        self.screen.screen().contents()
    }

    fn frame_complete(&self) -> bool {
        frame_complete(&self.raw, self.screen.screen().size().0.get())
    }

    /// Waits until the screen shows every one of `needles` in a completely painted frame;
    /// fails with the screen if it does not within ten seconds.
    fn wait_for(&mut self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump();
            let text = self.text();
            if self.frame_complete() && needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("waited for {needles:?}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn keys(&mut self, keys: &str) {
        self.session.write_all(keys.as_bytes()).unwrap();
        self.session.flush().unwrap();
    }

    /// Waits for the program to exit, reading what it writes meanwhile.
    fn wait_exit(&mut self) -> WaitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.pump();
            let status = self.session.get_process().status().unwrap();
            if !matches!(status, WaitStatus::StillAlive) {
                self.pump();
                self.exit = Some(status);
                return status;
            }
            if Instant::now() > deadline {
                panic!(
                    "the stepper did not exit; the screen shows:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the terminal was left as found: off the alternate screen, cursor shown, and
    /// both done after the program last entered the alternate screen.
    fn assert_restored(&self) {
        let raw = String::from_utf8_lossy(&self.raw);
        let entered = raw
            .rfind(ENTER_ALTERNATE_SCREEN)
            .expect("entered the alternate screen");
        let left = raw
            .rfind(LEAVE_ALTERNATE_SCREEN)
            .expect("left the alternate screen");
        let shown = raw.rfind(SHOW_CURSOR).expect("showed the cursor");
        assert!(left > entered && shown > entered, "restored after entering");
        assert!(!self.screen.screen().alternate_screen());
        assert!(!self.screen.screen().hide_cursor());
    }

    /// Whether the first place `needle` is on the screen is all bold (the stepper's
    /// highlight, with or without colour).
    fn bold_text(&self, needle: &str) -> bool {
        let screen = self.screen.screen();
        let (rows, cols) = screen.size();
        for r in 0..rows.get() {
            let line: String = (0..cols.get())
                .map(|c| {
                    screen
                        .cell(r, c)
                        .map_or(" ", |cell| cell.contents())
                        .to_string()
                })
                .map(|s| if s.is_empty() { " ".to_string() } else { s })
                .collect();
            if let Some(at) = line.find(needle) {
                let col = line[..at].chars().count() as u16;
                return (col..col + needle.chars().count() as u16)
                    .all(|c| screen.cell(r, c).is_some_and(|cell| cell.bold()));
            }
        }
        panic!("{needle:?} is not on the screen:\n{}", self.text());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.exit.is_none() {
            let _ = self.session.get_process_mut().exit(true);
        }
    }
}

const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";
const BACKSPACE: &str = "\x7f";

#[test]
fn first_step_forward_and_back() {
    let mut t = Terminal::start("", 100, 30, &[]);
    let screen = t.wait_for(&["step 1 of 66"]);
    assert!(screen.contains("Step 1 · Forward pass · 1. input layer → hidden layer"));
    assert!(screen.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1"));
    assert!(screen.contains("       = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1"));
    assert!(screen.contains("       = 0.377500000"));
    assert!(screen.contains("article: 0.3775 ✓"));
    // The drawing: net_h1 at h1, nothing yet at h2; h1 and its weights highlighted.
    assert!(screen.contains("net 0.3775"), "{screen}");
    assert!(!screen.contains("out 0.59327"), "{screen}");
    assert!(screen.contains("║ h1"), "h1 is drawn double:\n{screen}");
    assert!(screen.contains("│ h2"), "h2 is not:\n{screen}");
    assert!(t.bold_text("w1 0.15"));
    assert!(!t.bold_text("w3 0.25"));

    t.keys("\r ");
    let screen = t.wait_for(&["step 3 of 66"]);
    assert!(screen.contains("net_h2 = w3 * i1 + w4 * i2 + b1 * 1"));
    assert!(
        screen.contains("out 0.59327"),
        "out_h1 is drawn once computed:\n{screen}"
    );

    t.keys(LEFT);
    let screen = t.wait_for(&["step 2 of 66"]);
    assert!(screen.contains("out_h1 = 1/(1 + e^(-net_h1))"));
    assert!(screen.contains("= 1/(1 + e^(-0.3775))"));
    assert!(screen.contains("= 0.593269992"));
    assert!(screen.contains("article: 0.593269992 ✓"));

    t.keys(BACKSPACE);
    let screen = t.wait_for(&["step 1 of 66"]);
    assert!(screen.contains("net_h1 = w1 * i1"));
    assert!(
        !screen.contains("out 0.59327"),
        "going back takes the value away:\n{screen}"
    );

    t.keys(RIGHT);
    t.wait_for(&["step 2 of 66"]);
    t.keys("q");
    assert!(matches!(t.wait_exit(), WaitStatus::Exited(_, 0)));
    t.assert_restored();
}

#[test]
fn sections_reach_the_hidden_layer_and_the_end() {
    let mut t = Terminal::start("", 100, 30, &[]);
    t.wait_for(&["step 1 of 66"]);
    // forward 1 → forward 2 → error → output layer → hidden layer
    t.keys("nnnn");
    let screen = t.wait_for(&["step 30 of 66"]);
    assert!(screen.contains("Backward pass: input layer → hidden layer, weight updates"));
    assert!(screen.contains("∂net_o1/∂out_h1 = w5"));
    // The hidden layer's chain reads the original w5, though w5 has been updated.
    assert!(screen.contains("w5 0.4═"), "{screen}");
    assert!(t.bold_text("w5 0.4"));
    assert!(screen.contains("w6⁺ 0.408666"), "{screen}");

    // On to δ_h1, then ∂E_total/∂w1: the article's 0.000438568.
    t.keys("\r\r\r\r\r\r\r\r");
    let screen = t.wait_for(&["step 38 of 66"]);
    assert!(screen.contains("∂E_total/∂w1 = ∂E_total/∂out_h1 * ∂out_h1/∂net_h1 * ∂net_h1/∂w1"));
    assert!(screen.contains("= 0.036350306 * 0.241300709 * 0.05"));
    assert!(screen.contains("= 0.000438568"));
    assert!(screen.contains("article: 0.000438568 ✓"));

    t.keys("p");
    t.wait_for(&["step 30 of 66"]);
    t.keys("G");
    let screen = t.wait_for(&["step 66 of 66"]);
    assert!(screen.contains("E_total⁺ = E_o1⁺ + E_o2⁺"));
    assert!(screen.contains("= 0.291027774"));
    assert!(
        screen.contains("article: 0.291027924 ≠ other code"),
        "{screen}"
    );
    assert!(screen.contains("The end of the iteration"));
    t.keys("g");
    t.wait_for(&["step 1 of 66", "net_h1 = "]);

    t.keys("?");
    let screen = t.wait_for(&["next / previous section"]);
    assert!(screen.contains("q, Esc, Ctrl-C"));
    t.keys("x");
    let screen = t.wait_for(&["net 0.3775"]);
    assert!(!screen.contains("next / previous section"), "{screen}");
    assert!(
        screen.contains("step 1 of 66"),
        "the key that hid the list did not move"
    );
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let mut t = Terminal::start("", 80, 24, &[]);
    t.wait_for(&["step 1 of 66"]);
    t.keys("\x03");
    assert!(matches!(t.wait_exit(), WaitStatus::Exited(_, 0)));
    t.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal_then_reports() {
    let mut t = Terminal::start("", 80, 24, &[("BACKPROP_TEST_PANIC", "1")]);
    assert!(matches!(t.wait_exit(), WaitStatus::Exited(_, 101)));
    t.assert_restored();
    // The message is printed on the normal screen, after leaving the alternate one.
    let raw = String::from_utf8_lossy(&t.raw);
    let message = raw
        .find("BACKPROP_TEST_PANIC is set")
        .expect("the panic message");
    assert!(message > raw.find(LEAVE_ALTERNATE_SCREEN).unwrap());
    assert!(t.text().contains("BACKPROP_TEST_PANIC is set"));
    // The hook works in every build, so it announces itself first, on the normal screen.
    let warning = raw
        .find("warning: test hook BACKPROP_TEST_PANIC is active")
        .expect("the hook's warning");
    assert!(warning < raw.find(ENTER_ALTERNATE_SCREEN).unwrap());
    assert!(
        t.text()
            .contains("warning: test hook BACKPROP_TEST_PANIC is active"),
        "{}",
        t.text()
    );
}

#[test]
fn a_small_terminal_is_told_so() {
    let mut t = Terminal::start("", 60, 16, &[]);
    let screen = t.wait_for(&["step 1 of 66"]);
    assert!(
        screen.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1"),
        "the step still shows"
    );
    assert!(screen.contains("The network drawing needs"), "{screen}");
    assert!(screen.contains("60×16"), "{screen}");
    t.keys("q");
    t.wait_exit();

    let mut t = Terminal::start("", 30, 8, &[]);
    let screen = t.wait_for(&["too small"]);
    assert!(screen.contains("30×8"), "{screen}");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}

#[test]
fn the_drawing_fits_an_80_by_24_terminal_and_in_chinese() {
    let mut t = Terminal::start("--lang zh", 80, 24, &[]);
    let screen = t.wait_for(&["第 1 步,共 66 步"]);
    assert!(screen.contains("Step 1 前向传播"));
    assert!(screen.contains("原文: 0.3775 ✓"));
    assert!(screen.contains("net 0.3775"), "{screen}");
    assert!(screen.contains("i2─w2 0.2"), "{screen}");
    t.keys("q");
    t.wait_exit();
}

#[test]
fn plain_prints_one_step_per_line_of_input() {
    let out = cargo_bin_cmd!("backprop")
        .args(["step", "--plain"])
        .write_stdin("\n\n\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let steps = ["net_h1 = ", "out_h1 = ", "net_h2 = ", "out_h2 = "];
    let mut at = 0;
    for (k, step) in steps.iter().enumerate() {
        let heading = format!("step {} of 66", k + 1);
        let h = out[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading}:\n{out}"))
            + at;
        let s = out[h..]
            .find(step)
            .unwrap_or_else(|| panic!("{step}:\n{out}"))
            + h;
        at = s;
    }
    assert!(!out.contains("step 5 of 66"), "no line, no step 5:\n{out}");
    assert!(out.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1\n       = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1\n       = 0.377500000\narticle: 0.3775 ✓\n"));
    assert!(!out.contains('\x1b'), "no escape sequences into a pipe");
}

#[test]
fn plain_commands_move_like_the_keys() {
    let out = cargo_bin_cmd!("backprop")
        .args(["step", "--plain"])
        .write_stdin("n\nn\nb\nwhat\nG\n\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let headings: Vec<&str> = out.lines().filter(|l| l.contains(" of 66")).collect();
    assert_eq!(
        headings,
        [
            "Step 1 · Forward pass · 1. input layer → hidden layer · step 1 of 66",
            "Step 1 · Forward pass · 2. hidden layer → output layer · step 5 of 66",
            "Total error · step 9 of 66",
            "Step 1 · Forward pass · 2. hidden layer → output layer · step 8 of 66",
            "Summary · forward pass and error again, with the updated weights · step 66 of 66",
        ]
    );
    assert!(out.contains("Unknown command \"what\"."));
    assert!(out.trim_end().ends_with("The end of the iteration."));
}

#[test]
fn without_a_terminal_step_says_what_to_do_and_exits_2() {
    cargo_bin_cmd!("backprop")
        .arg("step")
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("needs a terminal")
                .and(predicate::str::contains("backprop step --plain"))
                .and(predicate::str::contains("backprop show")),
        );
}

#[test]
fn plain_cannot_read_the_network_from_stdin() {
    cargo_bin_cmd!("backprop")
        .args(["step", "--plain", "-"])
        .write_stdin("{}")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot come from there too"));
}

#[test]
fn ascii_full_screen_writes_only_ascii() {
    let mut t = Terminal::start("--ascii", 100, 30, &[]);
    let screen = t.wait_for(&["step 1 of 66"]);
    assert!(screen.contains("Step 1 | Forward pass | 1. input layer -> hidden layer"));
    assert!(screen.contains("article: 0.3775 ok"), "{screen}");
    // Through every section to the end, and the list of keys.
    t.keys("nnnn");
    t.wait_for(&["step 30 of 66"]);
    t.keys("G");
    t.wait_for(&["step 66 of 66", "article: 0.291027924 != other code"]);
    t.keys("?");
    t.wait_for(&["next / previous section"]);
    t.keys("xq");
    t.wait_exit();
    let raw = String::from_utf8_lossy(&t.raw);
    let other = raw.chars().find(|c| !c.is_ascii());
    assert!(other.is_none(), "{other:?} on the screen:\n{}", t.text());
}

#[test]
fn the_drawing_shows_the_weight_each_formula_reads() {
    // Simultaneous (the article's order): δ_o1 · ∂net_o1/∂out_h1 multiplies by the original
    // w5, though w5⁺ is known by then; the summary reads w5⁺.
    let mut t = Terminal::start("", 100, 30, &[]);
    t.wait_for(&["step 1 of 66"]);
    t.keys("nnnn\r");
    let screen = t.wait_for(&["step 31 of 66", "= 0.138498562 * 0.4"]);
    assert!(screen.contains("w5 0.4═"), "{screen}");
    assert!(t.bold_text("w5 0.4"));
    assert!(
        !screen.contains("w5⁺"),
        "not in place of the w5 it reads:\n{screen}"
    );
    assert!(
        screen.contains("w7⁺ 0.511301"),
        "other edges show the update:\n{screen}"
    );
    t.keys("n\r\r\r\r");
    let screen = t.wait_for(&["step 60 of 66", "net_o1⁺ = w5⁺ * out_h1⁺"]);
    assert!(screen.contains("w5⁺ 0.358916═"), "{screen}");
    assert!(t.bold_text("w5⁺ 0.358916"));
    t.keys("q");
    t.wait_exit();

    // Sequential: the hidden layer's chain reads w5⁺.
    let mut t = Terminal::start("--update-order sequential", 100, 30, &[]);
    t.wait_for(&["step 1 of 66"]);
    t.keys("nnnn\r");
    let screen = t.wait_for(&["step 31 of 66", "= 0.138498562 * 0.35891648"]);
    assert!(screen.contains("w5⁺ 0.358916═"), "{screen}");
    assert!(t.bold_text("w5⁺ 0.358916"));
    assert!(!screen.contains("w5 0.4"), "{screen}");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}

/// In the sequential order each of the article's numbers keeps its own reason: the output
/// list's typo stays a typo and the rounded product stays rounding; only the hand
/// calculation's figures that the simultaneous order reproduces are "other order".
#[test]
fn plain_gives_each_article_number_its_own_reason_in_the_sequential_order() {
    // Every step: one line of input each.
    let all = cargo_bin_cmd!("backprop")
        .args(["step", "--plain", "--update-order", "sequential"])
        .write_stdin("\n".repeat(70))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let all = String::from_utf8(all).unwrap();
    for line in [
        "article: 0.75136079 ≠ typo: ",
        "article: -0.019049119 ≠ rounding: ",
        "article: 0.40 ≠ other order: ",
        "article: 0.000438568 ≠ other order: ",
        "article: 0.291027924 ✓",
    ] {
        assert!(all.contains(line), "{line:?} in:\n{all}");
    }
    assert!(!all.contains("0.75136079 ≠ other order"), "{all}");
    assert!(!all.contains("-0.019049119 ≠ other order"), "{all}");
}

#[test]
fn a_signal_restores_the_terminal_then_exits_128_plus_its_number() {
    for (signal, status) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let mut t = Terminal::start("", 80, 24, &[]);
        t.wait_for(&["step 1 of 66"]);
        let pid = t.session.get_process().pid().to_string();
        let sent = Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal}");
        match t.wait_exit() {
            WaitStatus::Exited(_, code) => assert_eq!(code, status, "SIG{signal}"),
            other => panic!("SIG{signal}: {other:?}"),
        }
        t.assert_restored();
    }
}

#[test]
fn term_dumb_steps_plainly_and_says_so() {
    let mut t = Terminal::start("", 80, 24, &[("TERM", "dumb")]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !t.text().contains("step 1 of 66") {
        assert!(Instant::now() < deadline, "no first step:\n{}", t.text());
        std::thread::sleep(Duration::from_millis(20));
        t.pump();
    }
    t.keys("\r");
    while !t.text().contains("step 2 of 66") {
        assert!(Instant::now() < deadline, "no second step:\n{}", t.text());
        std::thread::sleep(Duration::from_millis(20));
        t.pump();
    }
    t.keys("q\r");
    assert!(matches!(t.wait_exit(), WaitStatus::Exited(_, 0)));
    let raw = String::from_utf8_lossy(&t.raw);
    let notes: Vec<&str> = raw.lines().filter(|l| l.contains("TERM=dumb")).collect();
    assert_eq!(notes.len(), 1, "one line says why:\n{raw}");
    assert!(notes[0].contains("--plain"), "{}", notes[0]);
    assert!(raw.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1"), "{raw}");
    assert!(
        !raw.contains('\x1b'),
        "no escape sequences (no alternate screen, no colour):\n{raw:?}"
    );
}

/// In a default terminal the drawing of a 3-3-3 network shows (not the notice asking for a
/// larger one), each weight with its sender, and no line wider than the terminal.
#[test]
fn a_3_3_3_network_is_drawn_in_80_by_24() {
    let mut t = Terminal::start("tests/fixtures/net-3-3-3.json", 80, 24, &[]);
    let screen = t.wait_for(&["step 1 of"]);
    assert!(!screen.contains("drawing needs"), "{screen}");
    assert!(screen.contains("i3─w9 -0.55"), "{screen}");
    assert!(screen.contains("h3─w18 0.12"), "{screen}");
    t.keys("q");
    t.wait_exit();
    t.assert_restored();
}
