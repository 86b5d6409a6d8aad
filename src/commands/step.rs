//! `backprop step`: the iteration one computation at a time. In a terminal, a full-screen
//! view (crossterm) moved by keys; with `--plain`, one step printed per line read from
//! standard input, so that a script, a test or a screen reader can drive it.

use crate::cli::{DisplayArgs, IterationArgs};
use crate::commands::UsageError;
use crate::output;
use crate::signals;
use anyhow::{Context, Result};
use backprop_tracer::render::stepper::{Key, Line, Stepper, StepperOptions, Style};
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
}

pub fn run(args: &StepArgs) -> Result<()> {
    let network_from_stdin = args.iteration.network.as_deref() == Some(Path::new("-"));
    if args.plain && network_from_stdin {
        return Err(UsageError(
            "`step --plain` reads its commands from standard input, so the network cannot \
             come from there too: give the network file's name instead of `-`"
                .into(),
        )
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
    if dumb {
        output::to_stderr(
            "note: TERM=dumb: no full screen on this terminal, so `backprop step --plain` \
             instead (Enter: the next step, b: back, q: quit)",
        );
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
        plain(&mut stepper, width, input, &mut out)
            .and_then(|()| Ok(out.flush()?))
            .map_err(output::name_standard_output)
    } else {
        // The full screen hides what is above it; this stays in the terminal's scrollback
        // and is there again when the stepper ends.
        super::heading_to_stderr(&heading);
        let color = args.display.color(true);
        full_screen(&mut stepper, color)
    }
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
        line.clear();
        if input
            .read_line(&mut line)
            .context("cannot read standard input")?
            == 0
        {
            return Ok(());
        }
        let command = line.trim();
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
