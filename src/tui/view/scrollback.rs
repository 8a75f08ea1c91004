//! Which lines of a check's output are on screen, and how each becomes screen rows
//! (wrapped, or shifted sideways), with search matches marked. Shared by the output
//! view and by `update` (scrolling needs the same geometry as drawing).
//!
//! Lines are numbered from the start of the run (line 0 is the run's first line, kept
//! or not), so a view pinned to a line stays on that text while the ring takes new
//! lines and drops old ones. When the ring has dropped lines, a note stands in for
//! them just before the first kept line, at number `first_kept - 1`.

use super::super::ansi;
use super::super::theme::ColorDepth;
use crate::runner::Ring;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The output of one run as the pane sees it.
pub struct Content<'a> {
    pub ring: &'a Ring,
    /// The full log, named in the note on dropped lines.
    pub log: Option<&'a str>,
    /// Columns and rows inside the pane.
    pub width: usize,
    pub height: usize,
    pub wrap: bool,
}

/// What is shown: the first line (by number) and how many of its rows are above the
/// pane (a wrapped line cut at the top when the tail is shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub top: u64,
    pub skip: usize,
    /// The pane shows the last line at its bottom (or everything fits).
    pub tail: bool,
}

impl Content<'_> {
    /// Number of the first line kept in the ring.
    pub fn first_kept(&self) -> u64 {
        self.ring.total() - self.ring.len() as u64
    }

    /// Number of the first line that can be shown (the note when lines were dropped).
    pub fn start(&self) -> u64 {
        self.first_kept().saturating_sub(1)
    }

    /// One past the last line.
    pub fn end(&self) -> u64 {
        self.ring.total()
    }

    /// The note standing in for dropped lines.
    pub fn note(&self) -> String {
        let dropped = self.first_kept();
        let word = if dropped == 1 { "line" } else { "lines" };
        match self.log {
            Some(log) => format!("⋯ {dropped} earlier {word} dropped — full log: {log}"),
            None => format!("⋯ {dropped} earlier {word} dropped"),
        }
    }

    /// The raw text of line `n` (the note, or a kept line with its escapes).
    pub fn text(&self, n: u64) -> Option<String> {
        let first = self.first_kept();
        if n < first {
            return (n + 1 == first).then(|| self.note());
        }
        let at = usize::try_from(n - first).ok()?;
        self.ring.get(at).map(str::to_string)
    }

    /// Screen rows line `n` takes.
    fn rows_of(&self, text: &str) -> usize {
        if !self.wrap || self.width == 0 {
            return 1;
        }
        wrap_widths(&ansi::plain(text), self.width)
    }

    /// Rows of lines `from..end`, counting no further than `limit`.
    fn rows_from(&self, from: u64, limit: usize) -> usize {
        let first = self.first_kept();
        let mut used = 0;
        if from < first && from + 1 == first {
            used += self.rows_of(&self.note());
        }
        let mut at = usize::try_from(from.saturating_sub(first)).unwrap_or(usize::MAX);
        while used <= limit {
            let Some(line) = self.ring.get(at) else {
                break;
            };
            used += self.rows_of(line);
            at += 1;
        }
        used
    }

    /// The tail: the last line at the bottom of the pane, or everything from the start
    /// when it all fits.
    pub fn tail(&self) -> Window {
        let (start, end) = (self.start(), self.end());
        let first = self.first_kept();
        let mut used = 0;
        let mut n = end;
        let mut lines = self.ring.lines().rev();
        while n > start {
            let rows = if n - 1 < first {
                self.rows_of(&self.note())
            } else {
                lines.next().map_or(1, |l| self.rows_of(l))
            };
            if used + rows >= self.height {
                return Window {
                    top: n - 1,
                    skip: used + rows - self.height,
                    tail: true,
                };
            }
            used += rows;
            n -= 1;
        }
        Window {
            top: start,
            skip: 0,
            tail: true,
        }
    }

    /// Number of the last line (partly) shown in `window`.
    pub fn bottom(&self, window: Window) -> u64 {
        let mut used = 0;
        let mut n = window.top;
        while n + 1 < self.end() {
            let rows = self.text(n).map_or(1, |t| self.rows_of(&t));
            used += rows.saturating_sub(if n == window.top { window.skip } else { 0 });
            if used >= self.height {
                break;
            }
            n += 1;
        }
        n
    }

    /// Whether lines `from..end` fit in the pane.
    pub fn fits_from(&self, from: u64) -> bool {
        self.rows_from(from, self.height) <= self.height
    }

    /// The window for a view pinned at `pinned` (`None`: following the tail). A pin
    /// near the end shows the tail instead, so the pane is always full.
    pub fn window(&self, pinned: Option<u64>) -> Window {
        match pinned {
            None => self.tail(),
            Some(pin) => {
                let top = pin.clamp(self.start(), self.end().saturating_sub(1).max(self.start()));
                if self.fits_from(top) {
                    self.tail()
                } else {
                    Window {
                        top,
                        skip: 0,
                        tail: false,
                    }
                }
            }
        }
    }

    /// The lines of `window`, as screen rows: styled for `depth`, search matches of
    /// `needle` marked (more strongly on the line `found`), wrapped or shifted
    /// `column` cells. `note` styles the note on dropped lines.
    pub fn rows(&self, window: Window, look: &Look) -> Vec<Line<'static>> {
        let mut out: Vec<Line<'static>> = Vec::with_capacity(self.height);
        let mut skip = window.skip;
        let mut n = window.top;
        while out.len() < self.height && n < self.end() {
            let Some(text) = self.text(n) else {
                break;
            };
            let mut line = if n < self.first_kept() {
                Line::styled(text, look.note)
            } else {
                ansi::line(&text, look.depth)
            };
            if let Some(needle) = look.needle {
                let style = if look.found == Some(n) {
                    look.current
                } else {
                    look.matched
                };
                line = mark(line, needle, style);
            }
            let rows = if self.wrap {
                wrap(line, self.width)
            } else {
                vec![shift(line, look.column, self.width)]
            };
            out.extend(rows.into_iter().skip(skip));
            skip = 0;
            n += 1;
        }
        out.truncate(self.height);
        out
    }

    /// The widest of the lines in `window`, in columns (for sideways scrolling).
    pub fn widest(&self, window: Window) -> usize {
        (window.top..self.end())
            .take(self.height)
            .filter_map(|n| self.text(n))
            .map(|t| ansi::plain(&t).width())
            .max()
            .unwrap_or(0)
    }
}

/// How lines are drawn: colour depth, search, sideways scroll.
pub struct Look<'a> {
    pub depth: ColorDepth,
    /// The search text, lower case.
    pub needle: Option<&'a str>,
    pub found: Option<u64>,
    pub matched: Style,
    pub current: Style,
    pub note: Style,
    pub column: usize,
}

/// Rows `text` takes when wrapped at `width` columns (a wide character that does not
/// fit at the end of a row starts the next one).
fn wrap_widths(text: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            rows += 1;
            used = 0;
        }
        used += w;
    }
    rows
}

/// A styled line cut into rows of at most `width` columns.
pub fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 {
        return vec![line];
    }
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    if let Some(row) = rows.last_mut() {
                        row.push(Span::styled(std::mem::take(&mut piece), span.style));
                    }
                }
                rows.push(Vec::new());
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            if let Some(row) = rows.last_mut() {
                row.push(Span::styled(piece, span.style));
            }
        }
    }
    rows.into_iter().map(Line::from).collect()
}

/// A styled line without its first `column` columns, cut at `width`.
pub fn shift(line: Line<'static>, column: usize, width: usize) -> Line<'static> {
    let mut out = Vec::new();
    let mut at = 0; // columns of the line passed so far
    let end = column + width;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            // A wide character cut by the left edge is left out.
            if at >= column && at + w <= end {
                piece.push(c);
            }
            at += w;
        }
        if !piece.is_empty() {
            out.push(Span::styled(piece, span.style));
        }
        if at >= end {
            break;
        }
    }
    Line::from(out)
}

/// Highlight every (case-insensitive) occurrence of `needle` in `line`.
pub fn mark(line: Line<'static>, needle: &str, style: Style) -> Line<'static> {
    let plain: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let lower = plain.to_lowercase();
    // Lower-casing can change byte lengths; highlight only when it did not.
    if needle.is_empty() || lower.len() != plain.len() || !lower.contains(needle) {
        return line;
    }
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(needle) {
        ranges.push((from + at, from + at + needle.len()));
        from += at + needle.len();
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for span in line.spans {
        let text = span.content.as_ref();
        let end = offset + text.len();
        let mut cut = offset;
        for &(a, b) in &ranges {
            let (a, b) = (a.max(offset), b.min(end));
            if a >= b {
                continue;
            }
            if a > cut {
                out.push(Span::styled(plain[cut..a].to_string(), span.style));
            }
            out.push(Span::styled(
                plain[a..b].to_string(),
                span.style.patch(style),
            ));
            cut = b;
        }
        if cut < end {
            out.push(Span::styled(plain[cut..end].to_string(), span.style));
        }
        offset = end;
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Ring;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn ring(lines: u64, capacity: usize) -> Ring {
        let mut ring = Ring::new(capacity);
        for i in 0..lines {
            ring.push(&format!("line {i}"));
        }
        ring
    }

    fn content(ring: &Ring, height: usize, wrap: bool) -> Content<'_> {
        Content {
            ring,
            log: Some("/state/logs/test.log"),
            width: 10,
            height,
            wrap,
        }
    }

    #[test]
    fn the_tail_ends_at_the_last_line_and_a_pin_stays_on_its_line() {
        let ring = ring(100, 1000);
        let c = content(&ring, 5, false);
        assert_eq!(
            c.tail(),
            Window {
                top: 95,
                skip: 0,
                tail: true
            }
        );
        assert_eq!(c.window(Some(40)).top, 40);
        // A pin too near the end shows the tail: the pane stays full.
        assert_eq!(c.window(Some(98)).top, 95);
    }

    #[test]
    fn dropped_lines_become_one_note_before_the_first_kept_line() {
        let ring = ring(100, 10);
        let c = content(&ring, 5, false);
        assert_eq!((c.first_kept(), c.start(), c.end()), (90, 89, 100));
        assert_eq!(
            c.text(89).unwrap(),
            "⋯ 90 earlier lines dropped — full log: /state/logs/test.log"
        );
        assert_eq!(c.text(88), None);
        assert_eq!(c.text(90).unwrap(), "line 90");
        // A pin on a dropped line shows from the note.
        assert_eq!(c.window(Some(3)).top, 89);
    }

    #[test]
    fn wrapped_lines_take_rows_and_the_tail_may_cut_the_top_one() {
        let mut ring = Ring::new(100);
        ring.push("short");
        ring.push("twenty-five characters...");
        ring.push("end");
        let c = content(&ring, 3, true);
        // "twenty-five characters..." is 3 rows at 10 columns: 3 + 1 > 3.
        assert_eq!(
            c.tail(),
            Window {
                top: 1,
                skip: 1,
                tail: true
            }
        );
        let look = Look {
            depth: ColorDepth::None,
            needle: None,
            found: None,
            matched: Style::default(),
            current: Style::default(),
            note: Style::default(),
            column: 0,
        };
        let rows: Vec<String> = c.rows(c.tail(), &look).iter().map(text).collect();
        assert_eq!(rows, ["e characte", "rs...", "end"]);
    }

    #[test]
    fn wrap_and_shift_count_columns_not_bytes() {
        let rows = wrap(Line::raw("ab日本語cd"), 4);
        assert_eq!(
            rows.iter().map(text).collect::<Vec<_>>(),
            ["ab日", "本語", "cd"]
        );
        assert_eq!(text(&shift(Line::raw("0123456789"), 3, 4)), "3456");
        assert_eq!(text(&shift(Line::raw("日本語"), 1, 4)), "本");
        assert_eq!(wrap_widths("ab日本語cd", 4), 3);
    }

    #[test]
    fn marks_keep_the_spans_styles_around_matches() {
        let red = Style::new().fg(ratatui::style::Color::Red);
        let hl = Style::new().add_modifier(ratatui::style::Modifier::REVERSED);
        let line = Line::from(vec![Span::styled("Error: x", red), Span::raw(" error")]);
        let marked = mark(line, "error", hl);
        let pieces: Vec<(String, bool)> = marked
            .spans
            .iter()
            .map(|s| {
                (
                    s.content.to_string(),
                    s.style
                        .add_modifier
                        .contains(ratatui::style::Modifier::REVERSED),
                )
            })
            .collect();
        assert_eq!(
            pieces,
            [
                ("Error".into(), true),
                (": x".into(), false),
                (" ".into(), false),
                ("error".into(), true)
            ]
        );
    }
}
