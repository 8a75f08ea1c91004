//! Making text from a repository or a check safe to put on a terminal.
//!
//! Issue files, plans, `preflight.toml`, reports and check output are written by
//! strangers. Printed as they are, an `ESC ] 52` writes the user's clipboard, `ESC [2J`
//! clears the screen, a newline inside a path forges a line of our own output, and
//! U+202E reorders what the user reads. Everything from there goes through one of two
//! functions before it reaches a terminal, in the CLI and in the cockpit alike:
//!
//! - [`one_line`] for fields that are one line (titles, ids, owners, paths, error
//!   messages): line breaks show as `⏎`;
//! - [`multi_line`] for fields that may hold several lines (evidence, notes, commands):
//!   line breaks stay, so the caller must indent what follows if it matters.
//!
//! In both, C0 controls but tab, DEL and C1 controls are shown escaped (`\e`, `\r`,
//! `\u{7}`, `\u{9b}`), so a reader sees that something was there; bidi overrides,
//! embeddings, isolates and marks are shown escaped too (`\u{202e}`). Tab, and every
//! other printable character, is left alone. JSON output is not sanitised (JSON escapes
//! control characters itself and must stay exact); markdown reports escape on purpose
//! (`report::markdown`).

use std::borrow::Cow;
use std::fmt;

/// What one-line fields show for a line break.
pub const NEWLINE_MARK: char = '⏎';

/// Text for a one-line field: every control and bidi character escaped, line breaks
/// shown as `⏎`. Borrows when there is nothing to change (nearly always).
pub fn one_line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// Text for a multi-line field: like [`one_line`], but `\n` (and `\r\n`) stay breaks.
pub fn multi_line(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

/// `format!("{}", Line(&title))`: [`one_line`] as a `Display` that honours width and
/// alignment (`{:<48}`), for tables.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a>(pub &'a str);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&one_line(self.0))
    }
}

/// [`multi_line`] as a `Display`.
#[derive(Debug, Clone, Copy)]
pub struct Lines<'a>(pub &'a str);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&multi_line(self.0))
    }
}

/// Bidirectional formatting characters: they reorder the text around them (Trojan
/// Source, CVE-2021-42574), so they are shown, never applied.
fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` needs changing at all (the fast path looks only at this; a prompt
/// drops such characters from what is typed or pasted into it).
pub fn needs_care(c: char) -> bool {
    (c.is_control() && c != '\t') || is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let Some(first) = text.find(needs_care) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut chars = text[first..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {} // CRLF: the LF says it
            '\n' | '\u{2028}' | '\u{2029}' if keep_newlines => out.push('\n'),
            '\n' | '\u{2028}' | '\u{2029}' => out.push(NEWLINE_MARK),
            '\x1b' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if needs_care(c) => {
                use fmt::Write as _;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Whether `text` is safe as it is for a one-line field (tests and fuzzing assert it
/// of every output).
pub fn is_clean_line(text: &str) -> bool {
    !text.contains(|c: char| needs_care(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_untouched() {
        let text = "Vec<u8> | parser: 100% ✔ — naïve\tcafé";
        assert!(matches!(one_line(text), Cow::Borrowed(t) if t == text));
        assert!(matches!(multi_line(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn terminal_sequences_are_shown_not_run() {
        assert_eq!(
            one_line("a\x1b]52;c;ZXZpbA==\x07b\x1b[2Jc\u{9b}31md\x7f"),
            "a\\e]52;c;ZXZpbA==\\u{7}b\\e[2Jc\\u{9b}31md\\u{7f}"
        );
        assert_eq!(one_line("nul\0cr\rx"), "nul\\0cr\\rx");
    }

    #[test]
    fn a_newline_cannot_forge_a_line() {
        let forged = "src/a.rs\n4 checks: 4 passed";
        assert_eq!(one_line(forged), "src/a.rs⏎4 checks: 4 passed");
        assert_eq!(one_line("a\r\nb\u{2028}c"), "a⏎b⏎c");
        assert_eq!(multi_line("a\r\nb\nc\rd"), "a\nb\nc\\rd");
    }

    #[test]
    fn bidi_overrides_are_neutralised() {
        // "Trojan Source": the override would show `txt.exe` as `exe.txt`.
        assert_eq!(one_line("file\u{202e}txt.exe"), "file\\u{202e}txt.exe");
        assert_eq!(
            multi_line("\u{2066}x\u{2069}\u{200f}"),
            "\\u{2066}x\\u{2069}\\u{200f}"
        );
    }

    #[test]
    fn display_adapters_pad_the_clean_text() {
        assert_eq!(format!("[{:<6}]", Line("a\x1bb")), "[a\\eb  ]");
        assert_eq!(format!("{}", Lines("a\nb\x07")), "a\nb\\u{7}");
    }

    #[test]
    fn every_output_is_clean() {
        let mut all = String::new();
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            all.push(c);
        }
        assert!(is_clean_line(&one_line(&all)));
        let multi = multi_line(&all);
        assert!(multi.split('\n').all(is_clean_line));
    }
}
