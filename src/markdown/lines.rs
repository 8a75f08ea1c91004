//! Lines with their byte offsets, so every later step can point back into the text.

use std::ops::Range;

/// One line of the document: its content without the line ending, and where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub no: usize,
    /// Byte offset of the first content byte (after a BOM on line 1).
    pub start: usize,
    /// The content without `\n` or `\r\n`.
    pub text: &'a str,
}

impl Line<'_> {
    /// Whether the line holds nothing but whitespace.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// Split `text` into lines. A leading BOM is skipped (it stays in the text); `\r\n` and
/// `\n` both end a line; a lone `\r` does not.
pub(crate) fn split(text: &str) -> Vec<Line<'_>> {
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = text.get(skip..).unwrap_or("");
    let mut lines = Vec::new();
    let mut start = skip;
    for (i, piece) in rest.split_inclusive('\n').enumerate() {
        let content = piece.strip_suffix('\n').unwrap_or(piece);
        let content = content.strip_suffix('\r').unwrap_or(content);
        lines.push(Line {
            no: i + 1,
            start,
            text: content,
        });
        start += piece.len();
    }
    lines
}

/// Width of the leading whitespace, a tab counting to the next multiple of four, so
/// nesting can be compared whether a file indents with spaces or tabs.
pub(crate) fn indent(s: &str) -> usize {
    let mut width = 0;
    for c in s.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => break,
        }
    }
    width
}

/// The text of `range`, or "" when the range is not on char boundaries (never panics).
pub(crate) fn slice(text: &str, range: Range<usize>) -> &str {
    text.get(range).unwrap_or("")
}

/// Byte range of `s` trimmed of surrounding whitespace, relative to `base`.
pub(crate) fn trimmed_range(s: &str, base: usize) -> Range<usize> {
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    base + lead..base + lead + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_survive_bom_and_crlf() {
        let text = "\u{feff}a\r\nbc\n\nd";
        let lines = split(text);
        let got: Vec<(usize, usize, &str)> =
            lines.iter().map(|l| (l.no, l.start, l.text)).collect();
        assert_eq!(
            got,
            vec![(1, 3, "a"), (2, 6, "bc"), (3, 9, ""), (4, 10, "d")]
        );
        assert_eq!(
            &text[lines[1].start..lines[1].start + lines[1].text.len()],
            "bc"
        );
    }

    #[test]
    fn indent_counts_tabs_to_four() {
        assert_eq!(indent("  - x"), 2);
        assert_eq!(indent("\t- x"), 4);
        assert_eq!(indent(" \t- x"), 4);
    }
}
