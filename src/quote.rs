//! Input quoted in messages, cut short. A message that echoes a 100,000-character symbol or
//! a 600 KB line buries what it has to say (and floods a terminal), so every message that
//! quotes what the user wrote quotes at most [`MAX_QUOTED`] characters of it.

use std::borrow::Cow;

/// The most characters of any input a message quotes.
pub const MAX_QUOTED: usize = 80;

/// `text` as a message quotes it: whole when short, else its first [`MAX_QUOTED`]
/// characters and "…".
pub fn excerpt(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// A message written elsewhere (serde_json's "unknown variant `…`", "invalid type: string
/// \"…\"") with each span in it between a pair of quotes or backticks cut by [`excerpt`]; an
/// unpaired quote cuts the rest of the message.
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_QUOTED));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest[open..].chars().next().expect("found a quote");
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let close = inside.find(quote).unwrap_or(inside.len());
        out.push_str(&excerpt(&inside[..close]));
        match inside.get(close..close + 1) {
            Some(q) => out.push_str(q),
            None => return out,
        }
        rest = &inside[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(excerpt("w5+"), "w5+");
        let exact = "é".repeat(MAX_QUOTED);
        assert_eq!(excerpt(&exact), exact);
    }

    #[test]
    fn long_text_is_cut_at_a_character_with_an_ellipsis() {
        let long = "∂".repeat(MAX_QUOTED + 1);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), MAX_QUOTED + 1);
        assert!(cut.ends_with("∂…"));
    }

    #[test]
    fn quoted_spans_in_a_message_are_cut() {
        let long = "x".repeat(1000);
        let message = format!("unknown variant `{long}`, expected `given` or \"{long}\" at");
        let short = shorten_quoted(&message);
        let cut = excerpt(&long);
        assert_eq!(
            short,
            format!("unknown variant `{cut}`, expected `given` or \"{cut}\" at")
        );
        assert_eq!(
            shorten_quoted(&format!("open \"{long}")),
            format!("open \"{cut}")
        );
        assert_eq!(shorten_quoted("no quotes"), "no quotes");
    }
}
