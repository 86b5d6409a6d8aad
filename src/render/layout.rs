//! Fitting output to a width: prose wrapped at word boundaries, and a table that is either
//! drawn whole or, when it would be wider than the width, written as one block per row.
//!
//! Numbers and symbols must never be split across lines (`0.77│2928465` reads as two
//! numbers), so nothing here breaks inside a word: a line breaks at a space, or beside a
//! Chinese character (Chinese has no spaces). A table's width is measured before it is
//! printed: comfy-table, asked to fit a column that is too narrow, splits the words in it.

use comfy_table::{Cell, CellAlignment, Color, Table, presets};
use std::io::{self, Write};
use textwrap::core::Word;
use textwrap::{WordSeparator, WordSplitter};

/// The narrowest width `--width` accepts: below it a formula's symbols leave no room.
pub const MIN_WIDTH: usize = 60;

/// The number of terminal columns `text` takes (ANSI colour codes take none; a Chinese
/// character takes two).
pub fn columns(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// `text` wrapped to `width` columns: the first line after `first`, the others after
/// `rest`. Each line of `text` (split at `\n`) starts a new line. With no width, each line
/// is kept whole. A word wider than the width is kept whole too, on a line of its own.
pub fn wrap(text: &str, width: Option<usize>, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let lead = if i == 0 { first } else { rest };
        let Some(width) = width else {
            lines.push(format!("{lead}{line}"));
            continue;
        };
        // Leading spaces of the text would be taken as a word; the caller's indents say
        // where a line starts.
        let line = line.trim_start_matches(' ');
        if line.is_empty() {
            lines.push(lead.trim_end().to_string());
            continue;
        }
        let options = textwrap::Options::new(width)
            .initial_indent(lead)
            .subsequent_indent(rest)
            .word_separator(WordSeparator::Custom(words))
            .word_splitter(WordSplitter::NoHyphenation)
            .break_words(false);
        lines.extend(
            textwrap::wrap(line, options)
                .into_iter()
                .map(|l| l.into_owned()),
        );
    }
    lines
}

/// The words of a line: broken after spaces, and beside a wide (Chinese) character, except
/// before closing punctuation or after opening punctuation (a line does not start with
/// "，" or end with "（").
fn words(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let mut starts = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if let Some(p) = prev {
            let after_space = p == ' ' && c != ' ';
            let beside_wide = p != ' '
                && c != ' '
                && (is_wide(p) || is_wide(c))
                && !"，。：；、）」』！？,.:;)]".contains(c)
                && !"（「『([".contains(p);
            if after_space || beside_wide {
                starts.push(i);
            }
        }
        prev = Some(c);
    }
    starts.push(line.len());
    let mut from = 0;
    Box::new(starts.into_iter().map(move |to| {
        let word = Word::from(&line[from..to]);
        from = to;
        word
    }))
}

fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// One cell of a [`Grid`].
#[derive(Clone, Debug, Default)]
pub struct Field {
    /// The text; several lines for several article numbers.
    pub text: String,
    /// Right-aligned in a table (values).
    pub right: bool,
    /// Its colour, when colour is on.
    pub color: Option<Color>,
}

impl Field {
    pub fn new(text: impl Into<String>) -> Field {
        Field {
            text: text.into(),
            ..Field::default()
        }
    }
}

/// What the columns of a [`Grid`] hold, which decides how a row reads as a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// symbol, formula, numbers, value[, article]: a block reads
    /// `symbol = formula / = numbers / = value / article: …`, as `step --plain` prints a step.
    Derivation,
    /// A symbol and named fields: a block is the symbol, then `header: cell` per field.
    Fields,
}

/// A table before it is drawn: a header and rows of fields, symbol first.
pub struct Grid {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Field>>,
    pub shape: Shape,
    /// ASCII borders.
    pub ascii: bool,
    /// Colour the fields that have one.
    pub color: bool,
}

impl Grid {
    /// The grid as a table, if that fits in `width` (always, with no width); otherwise as
    /// blocks. A table is all or nothing: one squeezed by comfy-table would split numbers.
    pub fn write(&self, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
        let table = self.table().to_string();
        let fits = width.is_none_or(|w| table.lines().all(|l| columns(l) <= w));
        if fits {
            writeln!(out, "{table}")
        } else {
            self.blocks(width, out)
        }
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_style(if self.ascii {
            presets::ASCII_FULL_CONDENSED
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        if self.color {
            table.enforce_styling();
        }
        table.set_header(self.header.iter().map(Cell::new).collect::<Vec<_>>());
        for row in &self.rows {
            table.add_row(row.iter().map(|f| self.cell(f)).collect::<Vec<_>>());
        }
        table
    }

    fn cell(&self, field: &Field) -> Cell {
        let mut cell = Cell::new(&field.text);
        if field.right {
            cell = cell.set_alignment(CellAlignment::Right);
        }
        match field.color {
            Some(color) if self.color => cell.fg(color),
            _ => cell,
        }
    }

    fn paint(&self, field: &Field, text: &str) -> String {
        use colored::Colorize;
        let color = match field.color {
            Some(c) if self.color => c,
            _ => return text.to_string(),
        };
        let color = match color {
            Color::Cyan => colored::Color::Cyan,
            Color::Green => colored::Color::Green,
            Color::Yellow => colored::Color::Yellow,
            Color::Red => colored::Color::Red,
            _ => return text.to_string(),
        };
        text.color(color).to_string()
    }

    fn blocks(&self, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
        for row in &self.rows {
            let Some((symbol, fields)) = row.split_first() else {
                continue;
            };
            let pad = " ".repeat(columns(&symbol.text) + 1);
            let mut lines = Vec::new();
            match self.shape {
                Shape::Derivation if fields.len() >= 3 => {
                    let (formula, numbers, value) = (&fields[0], &fields[1], &fields[2]);
                    let first = format!("{} = ", symbol.text);
                    let rest = format!("{pad}  ");
                    lines.extend(wrap(&formula.text, width, &first, &rest));
                    if numbers.text != formula.text {
                        lines.extend(wrap(&numbers.text, width, &format!("{pad}= "), &rest));
                    }
                    lines.push(format!("{pad}= {}", self.paint(value, value.text.trim())));
                    for field in &fields[3..] {
                        self.labelled(&self.header[4], field, &pad, width, &mut lines);
                    }
                }
                _ => {
                    lines.push(symbol.text.clone());
                    for (header, field) in self.header[1..].iter().zip(fields) {
                        self.labelled(header, field, "  ", width, &mut lines);
                    }
                }
            }
            for line in lines {
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    }

    /// `header: text`, one line per line of the field (an empty field is left out).
    fn labelled(
        &self,
        header: &str,
        field: &Field,
        pad: &str,
        width: Option<usize>,
        lines: &mut Vec<String>,
    ) {
        for text in field.text.lines().filter(|t| !t.trim().is_empty()) {
            let first = format!("{pad}{header}: ");
            let rest = format!("{pad}  ");
            for line in wrap(text.trim(), width, &first, &rest) {
                lines.push(if self.color && field.color.is_some() {
                    let (lead, body) = line.split_at(line.len() - line.trim_start().len());
                    format!("{lead}{}", self.paint(field, body))
                } else {
                    line
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_never_inside_a_number() {
        let text =
            "∂E_total/∂out_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507) = −0.0190491185";
        let lines = wrap(text, Some(20), "", "  ");
        assert!(lines.iter().all(|l| columns(l) <= 20), "{lines:?}");
        let words: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
        assert!(lines.iter().any(|l| l.trim() == "−0.0190491185"));
    }

    #[test]
    fn a_word_wider_than_the_width_stays_whole() {
        let lines = wrap("a 0.123456789012345678 b", Some(10), "", "");
        assert_eq!(lines, ["a", "0.123456789012345678", "b"]);
    }

    #[test]
    fn chinese_breaks_between_characters_but_not_before_punctuation() {
        let text = "这是文章的网络：文章印出的每个数都在“文章”一栏，与计算值一致处标 ✓。";
        let lines = wrap(text, Some(16), "", "");
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(columns(l) <= 16, "{l}");
            assert!(!l.starts_with(['，', '。', '：']), "{l}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn no_width_keeps_lines_whole() {
        assert_eq!(wrap("a b\nc", None, "> ", ". "), ["> a b", ". c"]);
    }
}
