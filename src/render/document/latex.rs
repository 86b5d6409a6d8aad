//! The document as a standalone LaTeX file: the article class with amsmath (and, in
//! Chinese, ctex, compiled with xelatex). The math is the same TeX the Markdown has; the
//! text is escaped, and the few symbols the tool's sentences use (η, →, ·, …, ✓, ≠, ∂, δ)
//! are written as LaTeX commands, so that pdflatex needs no Unicode font for them.

use super::Block;
use crate::render::Lang;
use std::io::{self, Write};

/// Writes `blocks` as a LaTeX document in `lang`.
pub fn write(blocks: &[Block], lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    match lang {
        // ctex sets Chinese text (xelatex, or lualatex); its article class is ctexart.
        Lang::Zh => writeln!(out, "\\documentclass[UTF8]{{ctexart}}")?,
        Lang::En => writeln!(out, "\\documentclass{{article}}")?,
    }
    writeln!(out, "\\usepackage{{amsmath,amssymb}}")?;
    writeln!(out, "\\usepackage[margin=2cm]{{geometry}}")?;
    // Long equations (a wide layer's net) may break across lines.
    writeln!(out, "\\allowdisplaybreaks")?;
    for block in blocks {
        if let Block::Title(title) = block {
            writeln!(out, "\\title{{{}}}", text(title))?;
            writeln!(out, "\\date{{}}")?;
        }
    }
    writeln!(out, "\\begin{{document}}")?;
    writeln!(out, "\\maketitle")?;
    for block in blocks {
        match block {
            Block::Title(_) => {}
            Block::Heading(heading) => writeln!(out, "\n\\section*{{{}}}", text(heading))?,
            Block::Paragraph(p) => writeln!(out, "\n{}", text(p))?,
            Block::Given { header, rows } => {
                writeln!(out, "\n\\begin{{tabular}}{{lrl}}")?;
                writeln!(
                    out,
                    "{} & {} & {} \\\\ \\hline",
                    text(header[0]),
                    text(header[1]),
                    text(header[2])
                )?;
                for [symbol, value, origin] in rows {
                    writeln!(
                        out,
                        "${symbol}$ & {value} & \\texttt{{{}}} \\\\",
                        text(origin)
                    )?;
                }
                writeln!(out, "\\end{{tabular}}")?;
            }
            Block::Equations(lines) => {
                for line in lines {
                    writeln!(out, "\\[ {line} \\]")?;
                }
            }
            Block::Note(note) => writeln!(
                out,
                "\n\\begin{{quote}}\\small {}\\end{{quote}}",
                text(note)
            )?,
            Block::Values { header, rows } => {
                // One equation a line, which breaks across pages as a long table would not.
                writeln!(
                    out,
                    "\n\\noindent {}, {}:\\\\",
                    text(header[0]),
                    text(header[1])
                )?;
                for [symbol, value] in rows {
                    writeln!(out, "${symbol} = {value}$\\\\")?;
                }
            }
            Block::Code { text, .. } => {
                writeln!(out, "\n\\begin{{verbatim}}")?;
                write!(out, "{text}")?;
                if !text.ends_with('\n') {
                    writeln!(out)?;
                }
                writeln!(out, "\\end{{verbatim}}")?;
            }
            // pdflatex cannot include an SVG image: the figure is named, not drawn.
            Block::Figure { path, .. } => writeln!(out, "\n% The network's figure: {path}")?,
        }
    }
    writeln!(out, "\n\\end{{document}}")
}

/// Text with LaTeX's special characters escaped and the tool's few symbols as commands.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '%' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            // --update-order: two hyphens, not an en dash.
            '-' => out.push_str("-{}"),
            'η' => out.push_str("$\\eta$"),
            '→' => out.push_str("$\\to$"),
            '·' => out.push_str("$\\cdot$"),
            '…' => out.push_str("\\ldots{}"),
            '✓' => out.push_str("$\\checkmark$"),
            '≠' => out.push_str("$\\neq$"),
            '∂' => out.push_str("$\\partial$"),
            'δ' => out.push_str("$\\delta$"),
            'σ' => out.push_str("$\\sigma$"),
            'Σ' => out.push_str("$\\Sigma$"),
            '−' => out.push_str("$-$"),
            '≈' => out.push_str("$\\approx$"),
            '×' => out.push_str("$\\times$"),
            '←' => out.push_str("$\\leftarrow$"),
            '—' => out.push_str("---"),
            '“' => out.push_str("``"),
            '”' => out.push_str("''"),
            '½' => out.push_str("$\\frac{1}{2}$"),
            '²' => out.push_str("$^2$"),
            '⁺' => out.push_str("$^+$"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_symbols_become_commands() {
        assert_eq!(
            text("w5…w8, η = 0.5 → 50% of weights[1][0] & --update-order"),
            "w5\\ldots{}w8, $\\eta$ = 0.5 $\\to$ 50\\% of weights[1][0] \\& -{}-{}update-{}order"
        );
        // Every character outside ASCII that the tool's sentences and the article's errata
        // use, as a command (pdflatex has no glyph for them in text).
        assert_eq!(
            text("≈ × ← — “a” ½ ² ⁺ ∂ δ σ Σ − ✓ ≠ ·"),
            "$\\approx$ $\\times$ $\\leftarrow$ --- ``a'' $\\frac{1}{2}$ $^2$ $^+$ \
             $\\partial$ $\\delta$ $\\sigma$ $\\Sigma$ $-$ $\\checkmark$ $\\neq$ $\\cdot$"
        );
    }
}
