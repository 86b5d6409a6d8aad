//! `backprop step`: the iteration one computation at a time. In a terminal, a full-screen
//! view (crossterm) moved by keys; with `--plain`, one step printed per line read from
//! standard input, so that a script, a test or a screen reader can drive it. With `--quiz`,
//! each value is asked for before it is shown ([`backprop_tracer::quiz`] judges the answers).

use crate::cli::{DisplayArgs, IterationArgs};
use crate::commands::UsageError;
use crate::output;
use crate::signals;
use anyhow::{Context, Result};
use backprop_tracer::quiz::Quiz;
use backprop_tracer::render::stepper::{self, Key, Line, Span, Stepper, StepperOptions, Style};
use backprop_tracer::verify::homework::Verdict;
use clap::Args;
use colored::Colorize;
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Color, Print, SetAttribute, SetForegroundColor};
use crossterm::terminal::{self, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, queue};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;

#[derive(Debug, Clone, Args)]
pub struct StepArgs {
    #[command(flatten)]
    pub iteration: IterationArgs,

    #[command(flatten)]
    pub display: DisplayArgs,

    /// No full screen: print one step, then read a line from standard input before the
    /// next (an empty line goes on; b back, n/p next/previous section, g/G first/last,
    /// q quit). For scripts, tests, and terminals the full screen does not suit.
    #[arg(long)]
    pub plain: bool,

    /// Quiz yourself: type each computed value before it is shown. An answer is judged at
    /// the precision you type it (as `verify` judges); a wrong one names the slip where it
    /// can, and you may try again or see the value (an empty answer). The score and the
    /// steps missed are printed at the end. With --plain, answers are lines of standard
    /// input (q ends the quiz).
    #[arg(long)]
    pub quiz: bool,
}

pub fn run(args: &StepArgs) -> Result<()> {
    let network_from_stdin = args.iteration.network.as_deref() == Some(Path::new("-"));
    if args.plain && network_from_stdin {
        let what = if args.quiz {
            "`step --quiz --plain` reads the answers"
        } else {
            "`step --plain` reads its commands"
        };
        return Err(UsageError(format!(
            "{what} from standard input, so the network cannot come from there too: give \
             the network file's name instead of `-`"
        ))
        .into());
    }
    // Keys come from the terminal: standard input, or /dev/tty when the network is piped in.
    let keyboard = io::stdin().is_terminal() || network_from_stdin;
    let in_a_terminal = io::stdout().is_terminal() && keyboard;
    if !args.plain && !in_a_terminal {
        let which = if io::stdout().is_terminal() {
            "standard input is not one"
        } else {
            "standard output is not one"
        };
        if args.quiz {
            return Err(UsageError(format!(
                "`backprop step --quiz` asks on a full-screen view and needs a terminal, but \
                 {which}.\nUse `backprop step --quiz --plain` to answer from standard input, \
                 one value a line (an empty line shows the value, q ends the quiz)."
            ))
            .into());
        }
        return Err(UsageError(format!(
            "`backprop step` draws a full-screen view and needs a terminal, but {which}.\n\
             Use `backprop step --plain` to print one step at a time (each line read from \
             standard input moves on: an empty line to the next step, b back, q quit), or \
             `backprop show` for the whole iteration as tables."
        ))
        .into());
    }
    // A terminal that says it cannot move the cursor (`TERM=dumb`: Emacs's shell, some
    // consoles) would show the full screen's escape sequences as text.
    let dumb = !args.plain && std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    let super::Recorded { trace, heading } = args.iteration.record(args.display.lang)?;
    let options = StepperOptions {
        lang: args.display.lang,
        ascii: args.display.ascii,
    };
    let mut stepper = Stepper::new(&trace, options);
    let mut quiz = args.quiz.then(|| {
        stepper.hide_value(true);
        Quiz::new(&trace, options.lang, stepper.typography())
    });
    if dumb {
        output::to_stderr(if args.quiz {
            "note: TERM=dumb: no full screen on this terminal, so `backprop step --quiz \
             --plain` instead (type each value, then Enter; an empty line shows it; q quits)"
        } else {
            "note: TERM=dumb: no full screen on this terminal, so `backprop step --plain` \
             instead (Enter: the next step, b: back, q: quit)"
        });
    }
    if args.plain || dumb {
        let to_terminal = io::stdout().is_terminal();
        let color = args.display.color(to_terminal);
        colored::control::set_override(color);
        let width = if to_terminal {
            // A terminal whose size was never set says 0 columns: a step a letter a line.
            terminal::size()
                .ok()
                .filter(|&(w, _)| w > 0)
                .map_or(100, |(w, _)| w as usize)
        } else {
            // Piped: no wrapping, so a script sees each part of a step on one line.
            usize::MAX / 2
        };
        // Commands are lines from standard input, or from the terminal itself when the
        // network came through standard input (only for TERM=dumb: `--plain` refuses that).
        let input: Box<dyn BufRead> = if network_from_stdin {
            let tty = File::open("/dev/tty").context("cannot open the terminal (/dev/tty)")?;
            Box::new(BufReader::new(tty))
        } else {
            Box::new(io::stdin().lock())
        };
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        heading
            .iter()
            .try_for_each(|line| writeln!(out, "{line}"))
            .map_err(|e| output::name_standard_output(e.into()))?;
        let stepped = match quiz.as_mut() {
            // Piped answers are not echoed by a terminal: written after the prompt, they
            // make the output read as the session it was.
            Some(quiz) => {
                let echo = !network_from_stdin && !io::stdin().is_terminal();
                plain_quiz(&mut stepper, quiz, width, input, &mut out, echo)
            }
            None => plain(&mut stepper, width, input, &mut out),
        };
        stepped
            .and_then(|()| Ok(out.flush()?))
            .map_err(output::name_standard_output)
    } else {
        // The full screen hides what is above it; this stays in the terminal's scrollback
        // and is there again when the stepper ends.
        super::heading_to_stderr(&heading);
        let color = args.display.color(true);
        match quiz.as_mut() {
            Some(quiz) => full_screen_quiz(&mut stepper, quiz, color),
            None => full_screen(&mut stepper, color),
        }
    }
}

/// `--quiz --plain`: each step without its value, then a prompt and a line of input: the
/// answer (judged, and for a wrong one another line: another answer or an empty line to
/// see it), an empty line to see it, or q to end. Ends at the end of the input, at q, or
/// after the last step, always with the score.
fn plain_quiz(
    stepper: &mut Stepper<'_>,
    quiz: &mut Quiz<'_>,
    width: usize,
    mut input: impl BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<()> {
    let labels = quiz_labels(stepper);
    writeln!(out, "{}", labels.intro)?;
    let mut line = String::new();
    'steps: while let Some(v) = quiz.current() {
        writeln!(out)?;
        for l in stepper.page(width) {
            writeln!(out, "{}", colored_line(&l))?;
        }
        loop {
            write!(out, "{}", quiz.prompt(v))?;
            out.flush()?;
            let Some(answer) = next_line(&mut input, &mut line)? else {
                // The prompt is left open: the score starts on a line of its own.
                writeln!(out)?;
                break 'steps;
            };
            if echo {
                writeln!(out, "{answer}")?;
            }
            match answer {
                "q" | "quit" => break 'steps,
                "" => {
                    quiz.reveal();
                    writeln!(out, "{}", quiz.revealed(v).red())?;
                    break;
                }
                _ => match quiz.answer(answer) {
                    Err(e) => writeln!(out, "{}", quiz.not_a_number(&e))?,
                    Ok(Verdict::Agrees) => {
                        writeln!(out, "{}", quiz.right(v).green())?;
                        break;
                    }
                    Ok(verdict) => {
                        writeln!(out, "{}", quiz.wrong(&verdict).red())?;
                        writeln!(out, "{}", labels.retry_plain)?;
                    }
                },
            }
        }
        stepper.apply(Key::Next);
    }
    quiz.end();
    writeln!(out)?;
    for l in quiz.summary() {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// The quiz's words in the stepper's language and typography.
fn quiz_labels(stepper: &Stepper<'_>) -> QuizWords {
    let typography = stepper.typography();
    let q = stepper.lang().quiz();
    let text = |t: &str| typography.text(t).into_owned();
    QuizWords {
        intro: text(q.intro),
        retry_plain: text(q.retry_plain),
        retry_screen: text(q.retry_screen),
        keys: text(q.keys),
        leave: text(q.leave),
    }
}

/// See [`quiz_labels`].
struct QuizWords {
    intro: String,
    retry_plain: String,
    retry_screen: String,
    keys: String,
    leave: String,
}

/// What the full-screen quiz said of the last answer, shown above the input line.
enum Said {
    Nothing,
    /// Right, or shown: the previous step's value in full (green or red).
    Value(String, Style),
    /// Wrong: the slip, and how to go on.
    Wrong(String),
    /// Not a number.
    NotANumber(String),
}

/// Most characters an answer may have: more is no number anyone computes by hand.
const MAX_ANSWER: usize = 40;

/// `--quiz` on the full screen: each step without its value, an input line below it.
/// Enter judges what is typed (or, with nothing typed, shows the value); q or Esc ends the
/// quiz with a screen of the score, which is printed again on the normal screen after it,
/// to stay in the terminal's scrollback. Ctrl-C leaves at once (the score printed too).
fn full_screen_quiz(stepper: &mut Stepper<'_>, quiz: &mut Quiz<'_>, color: bool) -> Result<()> {
    let words = quiz_labels(stepper);
    let typography = stepper.typography();
    let screen = Screen::enter()?;
    let mut typed = String::new();
    let mut said = Said::Nothing;
    let mut final_screen = false;
    loop {
        let (width, height) = terminal::size().context("cannot read the terminal's size")?;
        let (width, height) = (width as usize, height as usize);
        let lines = if final_screen {
            let mut lines = Vec::new();
            for l in quiz.summary() {
                lines.extend(stepper::wrap(&l, "    ", width.max(1), Style::Plain));
            }
            lines.push(Vec::new());
            lines.extend(stepper::wrap(&words.leave, "", width.max(1), Style::Dim));
            lines.truncate(height);
            lines
        } else {
            let v = quiz.current().expect("the quiz is not over");
            let wrapped = |text: &str, style| stepper::wrap(text, "  ", width.max(1), style);
            let mut below = match &said {
                Said::Nothing => Vec::new(),
                Said::Value(text, style) => wrapped(text, *style),
                Said::Wrong(text) => {
                    let mut lines = wrapped(text, Style::Differs);
                    lines.extend(wrapped(&words.retry_screen, Style::Plain));
                    lines
                }
                Said::NotANumber(text) => wrapped(text, Style::Explained),
            };
            below.push(vec![
                Span {
                    text: quiz.prompt(v),
                    style: Style::Heading,
                },
                Span {
                    text: format!("{typed}_"),
                    style: Style::Highlight,
                },
            ]);
            stepper.screen_with(width, height, &below, Some(&words.keys))
        };
        paint(&lines, height, color)?;
        let Event::Key(k) = event::read().context("cannot read a key")? else {
            continue;
        };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if final_screen || ctrl && matches!(k.code, KeyCode::Char('c' | 'd')) {
            break;
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q' | 'Q') => final_screen = true,
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Enter if typed.trim().is_empty() => {
                if let Some(v) = quiz.reveal() {
                    said = Said::Value(quiz.revealed(v), Style::Differs);
                    stepper.apply(Key::Next);
                }
                typed.clear();
            }
            KeyCode::Enter => {
                let v = quiz.current().expect("the quiz is not over");
                said = match quiz.answer(&typed) {
                    Ok(Verdict::Agrees) => {
                        stepper.apply(Key::Next);
                        Said::Value(quiz.right(v), Style::Agrees)
                    }
                    Ok(verdict) => Said::Wrong(quiz.wrong(&verdict)),
                    Err(e) => Said::NotANumber(quiz.not_a_number(&e)),
                };
                typed.clear();
            }
            KeyCode::Char(c) if !ctrl && typed.chars().count() < MAX_ANSWER => {
                typed.extend(typography.text(&c.to_string()).chars())
            }
            _ => {}
        }
        if quiz.current().is_none() {
            final_screen = true;
        }
        if final_screen {
            // A step left with wrong answers counts as missed on the final screen too.
            quiz.end();
        }
    }
    drop(screen);
    quiz.end();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    quiz.summary()
        .iter()
        .try_for_each(|line| writeln!(out, "{line}"))
        .and_then(|()| out.flush())
        .map_err(|e| output::name_standard_output(e.into()))
}

/// `--plain`: a page per step, a line of input between them. Ends at the end of the input
/// or after the last step.
fn plain(
    stepper: &mut Stepper<'_>,
    width: usize,
    mut input: impl BufRead,
    out: &mut dyn Write,
) -> Result<()> {
    let labels = stepper.labels();
    let typography = stepper.typography();
    let mut line = String::new();
    let mut show_page = true;
    loop {
        if show_page {
            for l in stepper.page(width) {
                writeln!(out, "{}", colored_line(&l))?;
            }
        }
        writeln!(out, "{}", labels.plain_prompt.dimmed())?;
        out.flush()?;
        let Some(command) = next_line(&mut input, &mut line)? else {
            return Ok(());
        };
        let key = match command {
            "" | "next" => Key::Next,
            "b" | "back" => Key::Previous,
            "n" => Key::NextSection,
            "p" => Key::PreviousSection,
            "g" => Key::First,
            "G" => Key::Last,
            "q" | "quit" => Key::Quit,
            "?" | "h" | "help" => {
                writeln!(out, "{}", labels.help)?;
                show_page = false;
                continue;
            }
            _ => {
                writeln!(
                    out,
                    "{}",
                    labels.plain_unknown.replace(
                        "{line:?}",
                        &typography
                            .text(&format!("{:?}", backprop_tracer::quote::excerpt(command)))
                    )
                )?;
                show_page = false;
                continue;
            }
        };
        if key == Key::Next && stepper.at_end() {
            writeln!(out, "{}", labels.plain_end)?;
            return Ok(());
        }
        if !stepper.apply(key) {
            return Ok(());
        }
        writeln!(out)?;
        show_page = true;
    }
}

/// A line for `--plain`, coloured by `colored` (which is off unless colour was chosen).
fn colored_line(line: &Line) -> String {
    line.iter()
        .map(|s| match s.style {
            Style::Plain => s.text.normal(),
            Style::Heading => s.text.bold(),
            Style::Highlight => s.text.bold().yellow(),
            Style::Agrees => s.text.green(),
            Style::Explained => s.text.yellow(),
            Style::Differs => s.text.red(),
            Style::Dim => s.text.dimmed(),
        })
        .map(|s| s.to_string())
        .collect()
}

/// The test-only hook that makes the full screen panic (README, "Test hooks").
const PANIC_VAR: &str = "BACKPROP_TEST_PANIC";

/// The terminal in raw mode on the alternate screen with the cursor hidden, until dropped:
/// then as it was, whether the stepper quit, failed, panicked or was ended by a signal
/// (SIGTERM, SIGHUP, or SIGINT sent by `kill`: in raw mode Ctrl-C is a key).
struct Screen;

impl Screen {
    fn enter() -> Result<Screen> {
        // A panic prints its message on the normal screen, after the terminal is restored;
        // the guard's own drop restores it again, harmlessly.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        // A signal restores the terminal from another thread, holding the same lock: it
        // waits until the screen is entered, or is told there is nothing to restore.
        let mut on_signal = signals::terminal();
        *on_signal = Some(restore);
        let entered = terminal::enable_raw_mode()
            .context("cannot put the terminal in raw mode")
            .and_then(|()| {
                execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)
                    .context("cannot switch to the alternate screen")
            });
        if entered.is_err() {
            restore();
            *on_signal = None;
        }
        entered.map(|()| Screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let mut on_signal = signals::terminal();
        restore();
        *on_signal = None;
    }
}

/// Leaves the alternate screen, shows the cursor, ends raw mode. Errors are ignored: this
/// runs on the way out, when there is no one left to tell.
fn restore() {
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
}

fn full_screen(stepper: &mut Stepper<'_>, color: bool) -> Result<()> {
    // For the test that the terminal is restored after a panic. It works in every build, so
    // it says so each time, before the alternate screen hides the normal one.
    let test_panic = std::env::var_os(PANIC_VAR).is_some();
    if test_panic {
        output::to_stderr(&format!(
            "warning: test hook {PANIC_VAR} is active: the stepper panics on purpose once \
             the full screen is up (for the test suite only; unset it)"
        ));
    }
    let _screen = Screen::enter()?;
    if test_panic {
        panic!("{PANIC_VAR} is set");
    }
    loop {
        let (width, height) = terminal::size().context("cannot read the terminal's size")?;
        let lines = stepper.screen(width as usize, height as usize);
        paint(&lines, height as usize, color)?;
        let key = match event::read().context("cannot read a key")? {
            // Any key hides the list of keys, even one that means nothing else.
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                key_of(k).or_else(|| stepper.showing_help().then_some(Key::Help))
            }
            _ => None,
        };
        if let Some(key) = key
            && !stepper.apply(key)
        {
            return Ok(());
        }
    }
}

/// What a key press means.
fn key_of(k: KeyEvent) -> Option<Key> {
    if k.modifiers.contains(KeyModifiers::CONTROL) {
        // Raw mode turns Ctrl-C into a key press rather than a signal.
        return matches!(k.code, KeyCode::Char('c' | 'd')).then_some(Key::Quit);
    }
    Some(match k.code {
        KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Right | KeyCode::Down => Key::Next,
        KeyCode::Left | KeyCode::Backspace | KeyCode::Up => Key::Previous,
        KeyCode::Char('n') | KeyCode::PageDown => Key::NextSection,
        KeyCode::Char('p') | KeyCode::PageUp => Key::PreviousSection,
        KeyCode::Char('g') | KeyCode::Home => Key::First,
        KeyCode::Char('G') | KeyCode::End => Key::Last,
        KeyCode::Char('?') | KeyCode::Char('h') => Key::Help,
        KeyCode::Char('q') | KeyCode::Esc => Key::Quit,
        _ => return None,
    })
}

/// Puts `lines` on the screen, each row cleared to its end.
fn paint(lines: &[Line], height: usize, color: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for row in 0..height {
        queue!(out, cursor::MoveTo(0, row as u16))?;
        if let Some(line) = lines.get(row) {
            for s in line {
                let (attribute, fg) = match s.style {
                    Style::Plain => (None, None),
                    Style::Heading => (Some(Attribute::Bold), None),
                    Style::Highlight => (Some(Attribute::Bold), Some(Color::Yellow)),
                    Style::Agrees => (None, Some(Color::Green)),
                    Style::Explained => (None, Some(Color::Yellow)),
                    Style::Differs => (Some(Attribute::Bold), Some(Color::Red)),
                    Style::Dim => (Some(Attribute::Dim), None),
                };
                if let Some(a) = attribute {
                    queue!(out, SetAttribute(a))?;
                }
                if color && let Some(c) = fg {
                    queue!(out, SetForegroundColor(c))?;
                }
                queue!(out, Print(&s.text), SetAttribute(Attribute::Reset))?;
            }
        }
        queue!(out, Clear(ClearType::UntilNewLine))?;
    }
    out.flush()
}

/// The next line of standard input, trimmed, read into `line`; `None` at its end.
fn next_line<'l>(input: &mut impl BufRead, line: &'l mut String) -> Result<Option<&'l str>> {
    line.clear();
    let read = input
        .read_line(line)
        .context("cannot read standard input")?;
    Ok((read > 0).then(|| line.trim()))
}
