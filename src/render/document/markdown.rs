//! The document as Markdown with TeX math: `$$…$$` for display math and `$…$` inline, as
//! the article (and GitHub, VS Code, Typora, Obsidian, pandoc) writes them.

use super::Block;
use std::io::{self, Write};

/// Writes `blocks` as Markdown.
pub fn write(blocks: &[Block], out: &mut dyn Write) -> io::Result<()> {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        match block {
            Block::Title(title) => writeln!(out, "# {}", text(title))?,
            Block::Heading(heading) => writeln!(out, "## {}", text(heading))?,
            Block::Paragraph(p) => writeln!(out, "{}", text(p))?,
            Block::Given { header, rows } => {
                writeln!(out, "| {} | {} | {} |", header[0], header[1], header[2])?;
                writeln!(out, "|---|---:|---|")?;
                for [symbol, value, origin] in rows {
                    writeln!(out, "| ${symbol}$ | {value} | `{origin}` |")?;
                }
            }
            Block::Equations(lines) => {
                for (j, line) in lines.iter().enumerate() {
                    if j > 0 {
                        writeln!(out)?;
                    }
                    writeln!(out, "$${line}$$")?;
                }
            }
            Block::Note(note) => writeln!(out, "> {}", text(note))?,
            Block::Values { header, rows } => {
                writeln!(out, "| {} | {} |", header[0], header[1])?;
                writeln!(out, "|---|---:|")?;
                for [symbol, value] in rows {
                    writeln!(out, "| ${symbol}$ | {value} |")?;
                }
            }
            Block::Code { language, text } => {
                writeln!(out, "```{language}")?;
                write!(out, "{text}")?;
                if !text.ends_with('\n') {
                    writeln!(out)?;
                }
                writeln!(out, "```")?;
            }
            Block::Figure { path, alt } => {
                // A path with spaces or parentheses is written in <…>, which CommonMark reads.
                writeln!(out, "![{}](<{path}>)", text(alt))?
            }
        }
    }
    Ok(())
}

/// Text as Markdown shows it literally: a `$` would start math, a `*` or `_` emphasis.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '*' | '_' | '`' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
