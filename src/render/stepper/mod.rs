//! The stepper: one recorded computation at a time, in the order the article makes them,
//! with a drawing of the network. This module is the stepper without a terminal: where it
//! is ([`Stepper`], moved by [`Key`]s) and what a screen of a given size shows
//! ([`Stepper::screen`], as styled [`Line`]s). `backprop step` puts those lines on a
//! full-screen terminal, or (with `--plain`) prints [`Stepper::page`] one step at a time.

mod drawing;

pub use drawing::{Drawing, Edge};

use crate::article::{self, ErratumKind, Printed, Verdict};
use crate::notation::Typography;
use crate::number;
use crate::render::lang::{Labels, Lang};
use crate::render::symbols::Symbols;
use crate::render::table;
use crate::trace::{Stage, Trace, TracedValue};
use std::collections::HashMap;
use unicode_width::UnicodeWidthChar;

/// How a piece of text is shown. The terminal maps these to attributes; plain output
/// ignores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// Headings.
    Heading,
    /// What the current step uses, in the drawing.
    Highlight,
    /// The article's number, agreeing.
    Agrees,
    /// The article's number, differing for a known reason.
    Explained,
    /// The article's number, differing for no known reason.
    Differs,
    /// Hints: the keys.
    Dim,
}

/// A run of text in one style.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

/// One line of the screen.
pub type Line = Vec<Span>;

/// The text of a line, without its styles.
pub fn line_text(line: &Line) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}

fn span(text: impl Into<String>, style: Style) -> Span {
    Span {
        text: text.into(),
        style,
    }
}

/// The smallest terminal the stepper draws anything in but a request to enlarge it.
pub const MIN_WIDTH: usize = 40;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: usize = 10;

/// A move through the iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Next,
    Previous,
    NextSection,
    PreviousSection,
    First,
    Last,
    /// Show or hide the list of keys.
    Help,
    Quit,
}

/// How the stepper writes.
#[derive(Clone, Copy, Debug, Default)]
pub struct StepperOptions {
    pub lang: Lang,
    /// ASCII symbols and box lines.
    pub ascii: bool,
}

type Comparison = HashMap<&'static str, Vec<(&'static Printed, Verdict<'static>)>>;

/// Where the student is in the iteration.
pub struct Stepper<'a> {
    trace: &'a Trace,
    options: StepperOptions,
    typography: Typography,
    symbols: Symbols<'a>,
    labels: &'static Labels,
    /// The index in the trace's values of each step: every value but the given ones.
    steps: Vec<usize>,
    /// The first step of each section, and its heading.
    sections: Vec<(usize, String)>,
    comparison: Option<Comparison>,
    position: usize,
    help: bool,
    /// The quiz (`step --quiz`): the current step's value is not shown, neither in the
    /// panel (nor the article's number beside it) nor in the drawing.
    hidden: bool,
}

impl<'a> Stepper<'a> {
    /// A stepper at the first computed value of `trace`'s first iteration.
    pub fn new(trace: &'a Trace, options: StepperOptions) -> Stepper<'a> {
        let typography = Typography::from_ascii(options.ascii);
        let labels = options.lang.labels_in(typography);
        let values = &trace.first().values;
        let steps: Vec<usize> = (0..values.len())
            .filter(|&i| values[i].stage != Stage::Given)
            .collect();
        let mut sections: Vec<(usize, String)> = Vec::new();
        let mut last_key = None;
        for (step, &i) in steps.iter().enumerate() {
            let key = (table::group_key(&values[i]), values[i].sample);
            if last_key != Some(key) {
                let title = table::section_title(
                    trace,
                    labels,
                    typography,
                    values[i].stage,
                    values[i].layer,
                    values[i].sample,
                );
                sections.push((step, title));
                last_key = Some(key);
            }
        }
        Stepper {
            trace,
            options,
            typography,
            symbols: Symbols::new(trace, typography),
            labels,
            steps,
            sections,
            comparison: article::compare(trace),
            position: 0,
            help: false,
            hidden: false,
        }
    }

    /// The current step, counted from 0.
    pub fn position(&self) -> usize {
        self.position
    }

    /// How many steps there are.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is no step (an iteration always has some).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether the current step is the last.
    pub fn at_end(&self) -> bool {
        self.position + 1 >= self.steps.len()
    }

    /// The value the current step computes.
    pub fn current(&self) -> &'a TracedValue {
        &self.trace.first().values[self.steps[self.position]]
    }

    /// The section the current step is in, counted from 0.
    pub fn section(&self) -> usize {
        self.sections
            .iter()
            .rposition(|&(start, _)| start <= self.position)
            .unwrap_or(0)
    }

    /// The language of the labels.
    pub fn lang(&self) -> Lang {
        self.options.lang
    }

    /// Hides the current step's value (and the article's number for it) from the panel and
    /// the drawing, or shows it again: for a quiz, which asks for it first.
    pub fn hide_value(&mut self, hidden: bool) {
        self.hidden = hidden;
    }

    /// Whether the list of keys is shown.
    pub fn showing_help(&self) -> bool {
        self.help
    }

    /// Moves; `false` for [`Key::Quit`]. While the list of keys is shown, any key but Quit
    /// only hides it.
    pub fn apply(&mut self, key: Key) -> bool {
        if key == Key::Quit {
            return false;
        }
        if self.help {
            self.help = false;
            return true;
        }
        let last = self.steps.len().saturating_sub(1);
        let section = self.section();
        self.position = match key {
            Key::Next => (self.position + 1).min(last),
            Key::Previous => self.position.saturating_sub(1),
            Key::NextSection => self
                .sections
                .get(section + 1)
                .map_or(last, |&(start, _)| start),
            Key::PreviousSection => {
                // To the start of this section, or, at its start, of the one before.
                let start = self.sections[section].0;
                if self.position > start || section == 0 {
                    start
                } else {
                    self.sections[section - 1].0
                }
            }
            Key::First => 0,
            Key::Last => last,
            Key::Help => {
                self.help = true;
                self.position
            }
            Key::Quit => unreachable!("handled above"),
        };
        true
    }

    /// How the stepper sets its text: the labels are already in it; the command's own
    /// messages (`step --plain`) ask here.
    pub fn typography(&self) -> Typography {
        self.typography
    }

    /// The labels, in the stepper's language and typography.
    pub fn labels(&self) -> &'static Labels {
        self.labels
    }

    /// The heading: the section on the left, "step k of N" on the right.
    pub fn header(&self, width: usize) -> Line {
        let right = self
            .labels
            .step_of
            .replace("{k}", &(self.position + 1).to_string())
            .replace("{n}", &self.steps.len().to_string());
        let title = &self.sections[self.section()].1;
        let room = width.saturating_sub(text_width(&right) + 2);
        let title = self.cut(title, room);
        let pad = width.saturating_sub(text_width(&title) + text_width(&right));
        vec![
            span(title, Style::Heading),
            span(" ".repeat(pad.max(2)), Style::Plain),
            span(right, Style::Plain),
        ]
    }

    /// `text` in at most `width` cells, ending in "…" when cut (so a cut heading does not
    /// read as a whole one), after the last whole word that fits.
    fn cut(&self, text: &str, width: usize) -> String {
        if text_width(text) <= width {
            return text.to_string();
        }
        let ellipsis = self.typography.text("…").into_owned();
        let head = clip_text(text, width.saturating_sub(text_width(&ellipsis)));
        let head = match head.rfind(' ') {
            Some(i) if i > 0 => head[..i].trim_end(),
            _ => head.as_str(),
        };
        format!("{head}{ellipsis}")
    }

    /// The current step: the formula, then the numbers substituted, then the value, then
    /// (on the article's network) the article's number and whether it agrees; wrapped at
    /// `width`.
    pub fn panel(&self, width: usize) -> Vec<Line> {
        self.panel_with(width, true)
    }

    /// The panel, with or without the explanation of each difference from the article (the
    /// full screen drops them when they would leave no room for the drawing).
    fn panel_with(&self, width: usize, explanations: bool) -> Vec<Line> {
        let v = self.current();
        let name = self.symbols.value(v);
        let indent = " ".repeat(text_width(&name) + 1);
        let value = number::fixed(v.value, self.trace.options.precision);
        let mut lines = Vec::new();
        lines.extend(wrap(
            &format!("{name} = {}", self.symbols.formula(v)),
            &indent,
            width,
            Style::Plain,
        ));
        if v.substituted != v.formula {
            lines.extend(wrap(
                &format!("{indent}= {}", v.substituted),
                &indent,
                width,
                Style::Plain,
            ));
        }
        if !self.hidden {
            lines.extend(wrap(
                &format!("{indent}= {value}"),
                &indent,
                width,
                Style::Heading,
            ));
        }
        let article = if self.hidden {
            Vec::new()
        } else {
            self.article_lines(&v.symbol)
        };
        for (text, why, style) in article {
            match why {
                Some(why) if explanations => {
                    lines.extend(wrap(&format!("{text}: {why}"), "    ", width, style))
                }
                _ => lines.extend(wrap(&text, "    ", width, style)),
            }
        }
        // A section's first step says what the tables say above it about a loss or an
        // output activation that is not the article's (the softmax's derivative matrix…).
        let first_of_section = self
            .sections
            .iter()
            .any(|&(start, _)| start == self.position);
        if explanations && first_of_section {
            for note in table::loss_notes(self.trace, self.labels, v.stage, v.layer) {
                let note = self.typography.text(&note).into_owned();
                lines.extend(wrap(&note, "", width, Style::Plain));
            }
        }
        lines
    }

    /// The article's numbers for `symbol`, each with its verdict and, when it differs, why.
    fn article_lines(&self, symbol: &str) -> Vec<(String, Option<String>, Style)> {
        let Some(entries) = self.comparison.as_ref().and_then(|c| c.get(symbol)) else {
            return Vec::new();
        };
        entries
            .iter()
            .map(|(printed, verdict)| {
                article_line(printed, verdict, self.options.lang, self.typography)
            })
            .collect()
    }

    /// One step as text, for `--plain`: the heading and the panel.
    pub fn page(&self, width: usize) -> Vec<Line> {
        let step = self
            .labels
            .step_of
            .replace("{k}", &(self.position + 1).to_string())
            .replace("{n}", &self.steps.len().to_string());
        let heading = self
            .typography
            .text(&format!("{} · {step}", self.sections[self.section()].1))
            .into_owned();
        let mut lines = wrap(&heading, "", width, Style::Heading);
        lines.extend(self.panel(width));
        lines
    }

    /// The drawing of the network at the current step, in at most `width` × `height`
    /// cells; `Err((w, h))` when even its most compact form needs w × h.
    pub fn drawing(&self, width: usize, height: usize) -> Result<Drawing, (usize, usize)> {
        drawing::draw(
            self.trace,
            self.steps[self.position],
            width,
            height,
            self.options.ascii,
            self.hidden,
        )
    }

    /// The whole screen for a terminal of `width` × `height`: heading, panel, the drawing
    /// of the network (or the list of keys), and the keys at the bottom. Never more than
    /// `height` lines, none wider than `width`.
    pub fn screen(&self, width: usize, height: usize) -> Vec<Line> {
        self.screen_with(width, height, &[], None)
    }

    /// The screen with `below` (already wrapped: a quiz's input line and what it said of the
    /// last answer) between the panel and the drawing, and `footer` in place of the keys.
    pub fn screen_with(
        &self,
        width: usize,
        height: usize,
        below: &[Line],
        footer: Option<&str>,
    ) -> Vec<Line> {
        let l = self.labels;
        if width < MIN_WIDTH || height < MIN_HEIGHT {
            let text = l
                .terminal_too_small
                .replace("{cols}", &width.to_string())
                .replace("{rows}", &height.to_string())
                .replace("{w}", &MIN_WIDTH.to_string())
                .replace("{h}", &MIN_HEIGHT.to_string());
            let mut lines = wrap(&text, "", width.max(1), Style::Heading);
            lines.truncate(height);
            return lines;
        }
        let footer = match footer {
            Some(footer) => footer,
            None if self.at_end() => l.last_step,
            None => l.keys_hint,
        };
        let footer = wrap(footer, "", width, Style::Dim);
        // Tried in turn until the drawing fits below: the panel with blank lines around it,
        // then without them, then (a last resort) without the explanations of the
        // article's errata, which `show` has in full.
        let top = |explanations: bool, blanks: bool| {
            let mut lines = vec![self.header(width)];
            if blanks {
                lines.push(Vec::new());
            }
            lines.extend(self.panel_with(width, explanations));
            if blanks {
                lines.push(Vec::new());
            }
            if !below.is_empty() {
                lines.extend(below.iter().cloned());
                if blanks {
                    lines.push(Vec::new());
                }
            }
            lines
        };
        let draw = |lines: &Vec<Line>| {
            let room = height.saturating_sub(lines.len() + footer.len());
            self.drawing(width, room)
        };
        let mut lines = top(true, true);
        if self.help {
            lines.extend(
                l.help
                    .lines()
                    .flat_map(|t| wrap(t, "    ", width, Style::Plain)),
            );
        } else {
            let mut drawn = draw(&lines);
            for (explanations, blanks) in [(true, false), (false, false)] {
                if drawn.is_ok() {
                    break;
                }
                let shorter = top(explanations, blanks);
                if let Ok(d) = draw(&shorter) {
                    lines = shorter;
                    drawn = Ok(d);
                }
            }
            match drawn {
                Ok(drawing) => lines.extend(drawing.lines),
                Err((w, h)) => {
                    let text = l
                        .drawing_too_small
                        .replace("{w}", &w.to_string())
                        .replace("{h}", &(h + lines.len() + footer.len()).to_string())
                        .replace("{cols}", &width.to_string())
                        .replace("{rows}", &height.to_string());
                    lines.extend(wrap(&text, "", width, Style::Dim));
                }
            }
        }
        // The keys go on the last lines; what does not fit above them is cut.
        lines.truncate(height.saturating_sub(footer.len()));
        while lines.len() + footer.len() < height {
            lines.push(Vec::new());
        }
        lines.extend(footer);
        lines.truncate(height);
        lines.into_iter().map(|line| clip(line, width)).collect()
    }
}

/// The width of `text` in terminal cells.
fn text_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to `width` cells.
fn clip_text(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

/// `line` cut to `width` cells.
fn clip(line: Line, width: usize) -> Line {
    let mut out = Vec::new();
    let mut used = 0;
    for s in line {
        let w = text_width(&s.text);
        if used + w <= width {
            used += w;
            out.push(s);
        } else {
            out.push(span(clip_text(&s.text, width - used), s.style));
            break;
        }
    }
    out
}

/// `text` in lines of at most `width` cells, broken at spaces where it can be, each line
/// after the first starting with `indent`.
pub fn wrap(text: &str, indent: &str, width: usize, style: Style) -> Vec<Line> {
    let indent = if text_width(indent) * 2 > width {
        ""
    } else {
        indent
    };
    let mut lines = Vec::new();
    let mut rest = text.to_string();
    let mut first = true;
    loop {
        let prefix = if first { "" } else { indent };
        let room = width.saturating_sub(text_width(prefix)).max(1);
        if text_width(&rest) <= room {
            lines.push(vec![span(format!("{prefix}{rest}"), style)]);
            return lines;
        }
        let head = clip_text(&rest, room);
        // Break at the last space of what fits (not one of the leading ones), else anywhere.
        let cut = head
            .char_indices()
            .filter(|&(i, c)| c == ' ' && head[..i].chars().any(|c| c != ' '))
            .map(|(i, _)| i)
            .next_back()
            .filter(|&i| i > 0)
            .unwrap_or(
                head.len()
                    .max(rest.chars().next().map_or(1, char::len_utf8)),
            );
        let (now, later) = rest.split_at(cut);
        lines.push(vec![span(format!("{prefix}{now}"), style)]);
        rest = later.trim_start().to_string();
        first = false;
        if rest.is_empty() {
            return lines;
        }
    }
}

/// One of the article's numbers beside the value computed: the line (`Article: 0.75136079 ≠
/// typo`), the reason it differs (if it does, in `lang`), and the style that marks it. The
/// stepper and the web page show the article's numbers in these words.
pub fn article_line(
    printed: &Printed,
    verdict: &Verdict,
    lang: Lang,
    typography: Typography,
) -> (String, Option<String>, Style) {
    let l = lang.labels_in(typography);
    let differs = typography.differs();
    match *verdict {
        Verdict::Agrees => (
            format!("{}: {} {}", l.article, printed.printed, typography.agrees()),
            None,
            Style::Agrees,
        ),
        Verdict::Explained(e) => {
            let kind = match e.kind {
                ErratumKind::Typo => l.kind_typo,
                ErratumKind::Rounding => l.kind_rounding,
                ErratumKind::Code => l.kind_code,
            };
            (
                format!("{}: {} {differs} {kind}", l.article, printed.printed),
                Some(typography.text(lang.pick(&e.en, &e.zh)).into_owned()),
                Style::Explained,
            )
        }
        Verdict::OtherOrder(order) => (
            format!(
                "{}: {} {differs} {}",
                l.article, printed.printed, l.kind_order
            ),
            Some(l.other_order.replace("{order}", order.name())),
            Style::Explained,
        ),
        Verdict::Differs => (
            format!("{}: {} {differs} {}", l.article, printed.printed, l.differs),
            None,
            Style::Differs,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use crate::network::Network;
    use crate::trace::Options;

    fn article() -> Trace {
        engine::trace_iteration(&Network::article(), &Options::default())
    }

    fn text(lines: &[Line]) -> String {
        lines.iter().map(line_text).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn steps_start_at_net_h1_and_end_at_e_total_plus() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        assert_eq!(s.current().symbol, "net_h1");
        assert_eq!(s.len(), trace.first().values.len() - 15);
        s.apply(Key::Last);
        assert_eq!(s.current().symbol, "E_total+");
        assert!(s.at_end());
        s.apply(Key::Next);
        assert_eq!(s.current().symbol, "E_total+");
    }

    #[test]
    fn sections_move_by_heading() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        let mut seen = Vec::new();
        for _ in 0..7 {
            seen.push(s.current().symbol.clone());
            s.apply(Key::NextSection);
        }
        assert_eq!(
            seen,
            [
                "net_h1",
                "net_o1",
                "E_o1",
                "dE_total/dout_o1",
                "dnet_o1/dout_h1",
                "net_h1+",
                "E_total+"
            ]
        );
        s.apply(Key::PreviousSection);
        assert_eq!(s.current().symbol, "net_h1+");
        s.apply(Key::Next);
        s.apply(Key::PreviousSection);
        assert_eq!(
            s.current().symbol,
            "net_h1+",
            "to the start of this section first"
        );
        s.apply(Key::PreviousSection);
        assert_eq!(s.current().symbol, "dnet_o1/dout_h1");
    }

    #[test]
    fn help_is_hidden_by_the_next_key_and_quit_quits() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        assert!(s.apply(Key::Help));
        assert!(s.showing_help());
        assert!(text(&s.screen(80, 24)).contains("next / previous section"));
        s.apply(Key::Next);
        assert!(!s.showing_help());
        assert_eq!(s.position(), 0, "the key that hid the help did not move");
        assert!(!s.apply(Key::Quit));
    }

    #[test]
    fn screen_fits_its_size() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        for _ in 0..s.len() {
            for (w, h) in [(80, 24), (120, 40), (40, 10), (20, 5)] {
                let lines = s.screen(w, h);
                assert!(lines.len() <= h);
                for line in &lines {
                    assert!(text_width(&line_text(line)) <= w, "{w}x{h}: {line:?}");
                }
            }
            s.apply(Key::Next);
        }
    }

    #[test]
    fn first_screen() {
        let trace = article();
        let s = Stepper::new(&trace, StepperOptions::default());
        let screen = text(&s.screen(100, 30));
        assert!(screen.contains("Step 1 · Forward pass · 1. input layer → hidden layer"));
        assert!(screen.contains("step 1 of 66"));
        assert!(screen.contains("net_h1 = w1 * i1 + w2 * i2 + b1 * 1"));
        assert!(screen.contains("= 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1"));
        assert!(screen.contains("= 0.377500000"));
        assert!(screen.contains("article: 0.3775 ✓"));
        assert!(screen.contains("net 0.3775"), "{screen}");
    }

    /// For a quiz: the value asked for is nowhere on the screen (panel, article's number,
    /// drawing), while the ones before it are; what the quiz adds is between the panel and
    /// the drawing, and its keys at the bottom.
    #[test]
    fn a_hidden_value_is_not_shown() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        s.apply(Key::Next);
        s.hide_value(true);
        let below = vec![vec![span("out_h1 = ? 0.59_", Style::Plain)]];
        let lines = s.screen_with(100, 30, &below, Some("quiz keys"));
        let screen = text(&lines);
        assert!(screen.contains("out_h1 = 1/(1 + e^(-net_h1))"), "{screen}");
        assert!(screen.contains("= 1/(1 + e^(-0.3775))"), "{screen}");
        assert!(!screen.contains("0.593269992"), "{screen}");
        assert!(!screen.contains("article:"), "{screen}");
        assert!(!screen.contains("out 0.59327"), "{screen}");
        assert!(
            screen.contains("net 0.3775"),
            "the value before is drawn:\n{screen}"
        );
        let at = |needle: &str| lines.iter().position(|l| line_text(l).contains(needle));
        assert!(at("= 1/(1 +") < at("out_h1 = ? 0.59_"));
        assert!(at("out_h1 = ? 0.59_") < at("net 0.3775"));
        assert_eq!(at("quiz keys"), Some(29));
        assert!(!text(&s.page(100)).contains("0.593269992"));
        s.hide_value(false);
        assert!(text(&s.screen(100, 30)).contains("out 0.59327"));
    }

    #[test]
    fn a_known_erratum_is_explained() {
        let trace = article();
        let mut s = Stepper::new(&trace, StepperOptions::default());
        while s.current().symbol != "out_o1" {
            s.apply(Key::Next);
        }
        let panel = text(&s.panel(200));
        assert!(panel.contains("article: 0.75136507 ✓"), "{panel}");
        assert!(panel.contains("0.75136079 ≠ typo"), "{panel}");
    }

    #[test]
    fn too_small_says_so() {
        let trace = article();
        let s = Stepper::new(&trace, StepperOptions::default());
        let screen = text(&s.screen(60, 14));
        assert!(screen.contains("net_h1 = "), "the step is still shown");
        assert!(screen.contains("network drawing needs"), "{screen}");
        let tiny = text(&s.screen(30, 6));
        assert!(tiny.contains("too small"), "{tiny}");
    }

    #[test]
    fn ascii_screens_are_ascii_at_every_step_and_size() {
        let trace = article();
        for lang in [Lang::En, Lang::Zh] {
            let options = StepperOptions { lang, ascii: true };
            let mut s = Stepper::new(&trace, options);
            let mut screens = Vec::new();
            for _ in 0..s.len() {
                for (w, h) in [(120, 40), (80, 24), (60, 14), (30, 6)] {
                    screens.push(text(&s.screen(w, h)));
                }
                screens.push(text(&s.page(100)));
                s.apply(Key::Next);
            }
            s.apply(Key::Help);
            screens.push(text(&s.screen(100, 30)));
            for screen in screens {
                // --lang zh keeps its Chinese words, and only them.
                let other = screen
                    .chars()
                    .find(|&c| !(c.is_ascii() || lang == Lang::Zh && c.width() == Some(2)));
                assert!(other.is_none(), "{other:?} in\n{screen}");
            }
        }
        let s = Stepper::new(
            &trace,
            StepperOptions {
                lang: Lang::En,
                ascii: true,
            },
        );
        let screen = text(&s.screen(100, 30));
        assert!(screen.contains("Step 1 | Forward pass | 1. input layer -> hidden layer"));
        assert!(screen.contains("article: 0.3775 ok"), "{screen}");
        assert!(screen.contains("Enter/-> next | <- back"), "{screen}");
    }

    fn fixture(name: &str) -> Network {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        Network::from_json_str(&text).unwrap().0
    }

    /// Every step of the article's network, a 3-3-1 and a 3-3-3 one, in a default 80×24
    /// terminal: a drawing (not the notice), every weight labelled with its sender, no line
    /// over 80 columns, the article's errata explained in full, cut headings marked.
    #[test]
    fn every_step_fits_a_default_terminal() {
        let networks = [
            ("article", Network::article()),
            ("3-3-1", fixture("net-3-3-1.json")),
            ("3-3-3", fixture("net-3-3-3.json")),
        ];
        let mut explained = 0;
        let mut cut = 0;
        let languages = [(Lang::En, false), (Lang::Zh, false), (Lang::En, true)];
        for ((name, net), (lang, ascii)) in networks
            .iter()
            .flat_map(|n| languages.iter().map(move |&l| (n, l)))
        {
            let trace = engine::trace_iteration(net, &Options::default());
            let notation = crate::notation::Notation::new(&trace.network);
            let mut s = Stepper::new(&trace, StepperOptions { lang, ascii });
            let line = if ascii { "-" } else { "─" };
            let ellipsis = if ascii { "..." } else { "…" };
            for _ in 0..s.len() {
                let lines = s.screen(80, 24);
                let screen = text(&lines);
                let context = format!(
                    "{name} {lang:?} ascii {ascii}, step {}:\n{screen}",
                    s.position() + 1
                );
                assert_eq!(lines.len(), 24, "{context}");
                assert!(!screen.contains("drawing needs"), "{context}");
                // The panel is shown whole: no line of it cut at the edge (wrapping breaks at
                // spaces, so no number or symbol is split).
                let shown: Vec<String> = lines.iter().map(line_text).collect();
                for line in s.panel(80) {
                    let line = line_text(&line);
                    assert!(text_width(&line) <= 80, "{line}: {context}");
                    assert!(shown.contains(&line), "{line} is not whole: {context}");
                }
                // The drawing the screen shows is the one whose edges are checked.
                let drawing = (0..24)
                    .rev()
                    .find_map(|h| {
                        s.drawing(80, h)
                            .ok()
                            .filter(|d| screen.contains(&text(&d.lines)))
                    })
                    .unwrap_or_else(|| panic!("no drawing on the screen: {context}"));
                for line in &drawing.lines {
                    assert!(text_width(&line_text(line)) <= 80, "{context}");
                }
                for edge in &drawing.edges {
                    let (l, k) = sender(&trace.network, &edge.weight);
                    let from = notation.neuron(l, k);
                    let rest = edge
                        .label
                        .strip_prefix(&format!("{from}{line}{}", edge.weight));
                    assert!(
                        rest.is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_digit())),
                        "{} is drawn as {:?}: {context}",
                        edge.weight,
                        edge.label
                    );
                }
                // Every explanation, word for word, in the panel's wrapped lines.
                let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
                for (_, why, _) in s.article_lines(&s.current().symbol) {
                    if let Some(why) = why {
                        assert!(words(&screen).contains(&words(&why)), "{why}: {context}");
                        explained += 1;
                    }
                }
                let title = &s.sections[s.section()].1;
                let heading = line_text(&lines[0]);
                if !heading.contains(title.as_str()) {
                    let shown = heading.split("  ").next().unwrap();
                    assert!(shown.ends_with(ellipsis), "{context}");
                    let kept = shown.strip_suffix(ellipsis).unwrap();
                    assert!(title.starts_with(kept), "{context}");
                    cut += 1;
                }
                s.apply(Key::Next);
            }
        }
        assert!(explained >= 3, "the typo, the rounding and the other code");
        assert!(cut > 0, "some heading is cut at 80 columns");
    }

    /// The layer and index of the neuron weight `name` (`w5`), from the numbering
    /// `Notation` uses (across the network, in the order of the file's lists) comes from.
    fn sender(net: &Network, name: &str) -> (usize, usize) {
        let mut n: usize = name[1..].parse().unwrap();
        n -= 1;
        for l in 1..net.layers.len() {
            let count = net.layers[l] * net.layers[l - 1];
            if n < count {
                return (l - 1, n % net.layers[l - 1]);
            }
            n -= count;
        }
        panic!("no weight {name}");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_indents() {
        let lines = wrap("a = bbb + ccc + ddd", "    ", 10, Style::Plain);
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["a = bbb +", "    ccc +", "    ddd"]);
    }
}
