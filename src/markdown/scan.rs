//! First pass over the lines: which are headings, checkboxes, tables, code blocks
//! (whose contents are examples, never tasks) and plain text.

use super::checklist::{self, CheckLine};
use super::lines::{indent, Line};
use super::mojibake::repair_mojibake;
use super::table::is_delimiter_row;

/// A block of the document, by line index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// An ATX heading, or a setext heading (a paragraph over `===` or `---`) from line
    /// `idx` to its underline `last`; `text` is without the `#`s, mojibake repaired.
    Heading {
        idx: usize,
        last: usize,
        level: usize,
        text: String,
    },
    Check {
        idx: usize,
        check: CheckLine,
    },
    /// Header at `header`, delimiter row after it, body rows up to `last`.
    Table {
        header: usize,
        last: usize,
    },
    /// A fenced code block from the opening fence to the closing one (or the end).
    Code {
        open: usize,
        last: usize,
        info: String,
        indent: usize,
    },
    /// A line of an HTML comment (`<!-- … -->`): hidden, so never a task.
    Comment {
        idx: usize,
    },
    /// Any other line, blank lines included.
    Text {
        idx: usize,
    },
}

/// The blocks, and what was set aside while finding them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan<'a> {
    pub items: Vec<Item>,
    /// The lines as later steps read them: a blockquote line (`> - [ ] x`, `> > …`, a
    /// callout's `> [!NOTE]`) without its `>` markers, its offsets still pointing into
    /// the text, so a write-back leaves the markers alone. Lines before `from` and code
    /// lines of a fence opened outside any quote stay as written.
    pub lines: Vec<Line<'a>>,
    /// Blockquote depth of each line.
    pub quote: Vec<usize>,
    /// Checkbox lines inside code fences (examples, not tasks).
    pub fenced_checks: usize,
    /// Line number of a fence that is never closed.
    pub unclosed_fence: Option<usize>,
    /// Line numbers of list items with a box that is no checkbox (`[?]`, `[]`), which a
    /// reader may take for one: said in a note, never dropped silently.
    pub odd_boxes: Vec<usize>,
}

/// Split `lines[from..]` into blocks.
pub(crate) fn scan<'a>(raw: &[Line<'a>], from: usize) -> Scan<'a> {
    let mut out = Scan {
        lines: raw.to_vec(),
        quote: vec![0; raw.len()],
        ..Scan::default()
    };
    let mut in_comment = false;
    let mut i = from;
    while i < raw.len() {
        out.unquote(raw, i, usize::MAX);
        let Some(line) = out.lines.get(i).copied() else {
            break;
        };
        let text = line.text;
        if in_comment || text.trim_start().starts_with("<!--") {
            let opened_here = !in_comment;
            let after_open = if opened_here {
                text.find("<!--")
                    .map_or("", |p| text.get(p + 4..).unwrap_or(""))
            } else {
                text
            };
            in_comment = !after_open.contains("-->");
            out.items.push(Item::Comment { idx: i });
            i += 1;
            continue;
        }
        if let Some(fence) = fence_open(text) {
            i = code_block(raw, i, &fence, &mut out);
            continue;
        }
        if let Some((level, heading)) = atx_heading(text) {
            out.items.push(Item::Heading {
                idx: i,
                last: i,
                level,
                text: repair_mojibake(&heading).into_owned(),
            });
        } else if let Some(level) = setext_level(text).filter(|_| out.setext(i)) {
            out.setext_heading(i, level);
        } else if let Some(last) = out.table_end(raw, i) {
            out.items.push(Item::Table { header: i, last });
            i = last + 1;
            continue;
        } else if let Some(check) = checklist::parse(&line) {
            out.items.push(Item::Check { idx: i, check });
        } else {
            if checklist::odd_box(&line) {
                out.odd_boxes.push(line.no);
            }
            out.items.push(Item::Text { idx: i });
        }
        i += 1;
    }
    out
}

impl<'a> Scan<'a> {
    /// Read line `i` without up to `max` blockquote markers (from the text as written,
    /// so doing it again changes nothing).
    fn unquote(&mut self, raw: &[Line<'a>], i: usize, max: usize) {
        let (Some(line), Some(slot), Some(depth)) =
            (raw.get(i), self.lines.get_mut(i), self.quote.get_mut(i))
        else {
            return;
        };
        let (d, at) = quote_markers(line.text, max);
        *depth = d;
        slot.start = line.start + at;
        slot.text = line.text.get(at..).unwrap_or("");
    }

    /// Whether line `i` underlines the paragraph just before it: a run of plain text
    /// lines at the same quote depth that follows a blank line, a heading, a table,
    /// code or the start (not a list item's continuation).
    fn setext(&self, i: usize) -> bool {
        let depth = self.quote.get(i).copied().unwrap_or(0);
        let under = self.lines.get(i).map_or(0, |l| indent(l.text));
        let mut run = 0;
        for item in self.items.iter().rev() {
            match item {
                Item::Text { idx } if *idx + run + 1 == i => {
                    let Some(line) = self.lines.get(*idx) else {
                        return false;
                    };
                    if line.is_blank() {
                        return run > 0;
                    }
                    if indent(line.text) > under
                        || self.quote.get(*idx) != Some(&depth)
                        || starts_block(line.text)
                    {
                        return false;
                    }
                    run += 1;
                }
                Item::Check { .. } | Item::Comment { .. } => return false,
                _ => return run > 0,
            }
        }
        run > 0
    }

    /// Turn the paragraph over underline `i` into one heading.
    fn setext_heading(&mut self, i: usize, level: usize) {
        let mut first = i;
        while let Some(Item::Text { idx }) = self.items.last() {
            if *idx + 1 != first || self.lines.get(*idx).is_none_or(|l| l.is_blank()) {
                break;
            }
            first = *idx;
            self.items.pop();
        }
        let text: Vec<&str> = (first..i)
            .filter_map(|k| self.lines.get(k).map(|l| l.text.trim()))
            .collect();
        self.items.push(Item::Heading {
            idx: first,
            last: i,
            level,
            text: repair_mojibake(&text.join(" ")).into_owned(),
        });
    }

    /// If a table starts at `i` (a line with a pipe followed by a delimiter row, at one
    /// quote depth), the index of its last row.
    fn table_end(&mut self, raw: &[Line<'a>], i: usize) -> Option<usize> {
        let depth = *self.quote.get(i)?;
        if !self.lines.get(i)?.text.contains('|') {
            return None;
        }
        self.unquote(raw, i + 1, usize::MAX);
        if self.quote.get(i + 1) != Some(&depth) || !is_delimiter_row(self.lines.get(i + 1)?.text) {
            return None;
        }
        let mut last = i + 1;
        while last + 1 < raw.len() {
            self.unquote(raw, last + 1, usize::MAX);
            let row = self.lines.get(last + 1)?;
            if row.is_blank() || !row.text.contains('|') || self.quote.get(last + 1) != Some(&depth)
            {
                break;
            }
            last += 1;
        }
        Some(last)
    }
}

/// How many blockquote markers (`>`, each after at most three spaces and followed by an
/// optional space) start `text`, at most `max`, and the byte offset after them.
pub(crate) fn quote_markers(text: &str, max: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let (mut depth, mut at) = (0, 0);
    while depth < max {
        let spaces = bytes
            .get(at..)
            .map_or(0, |b| b.iter().take_while(|c| **c == b' ').count());
        if spaces > 3 || bytes.get(at + spaces) != Some(&b'>') {
            break;
        }
        at += spaces + 1;
        if bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        depth += 1;
    }
    (depth, at)
}

/// A setext underline: `=`s or (at least two) `-`s, at most three spaces in, nothing
/// else but trailing whitespace. Level 1 or 2.
fn setext_level(text: &str) -> Option<usize> {
    if indent(text) > 3 {
        return None;
    }
    let t = text.trim();
    let (ch, level, min) = match t.chars().next()? {
        '=' => ('=', 1, 1),
        '-' => ('-', 2, 2),
        _ => return None,
    };
    (t.len() >= min && t.chars().all(|c| c == ch)).then_some(level)
}

/// Whether a line starts a block of its own (a list item, a table row, HTML), so it
/// cannot be the text of a setext heading.
fn starts_block(text: &str) -> bool {
    let t = text.trim_start();
    if t.starts_with(['|', '<', '>']) || t.starts_with("- ") || t.starts_with("* ") {
        return true;
    }
    if t.starts_with("+ ") || t == "-" || t == "*" || t == "+" {
        return true;
    }
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
    digits > 0
        && t.get(digits..)
            .is_some_and(|r| r.starts_with(". ") || r.starts_with(") "))
}

/// An opening code fence: its character, length and info string.
struct Fence {
    ch: char,
    len: usize,
    info: String,
}

/// An opening fence: three or more backticks or tildes (a backtick fence's info string
/// may not contain a backtick).
fn fence_open(text: &str) -> Option<Fence> {
    let t = text.trim_start();
    let ch = t.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = t.len() - t.trim_start_matches(ch).len();
    if len < 3 {
        return None;
    }
    let info = t.get(len..).unwrap_or("").trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some(Fence {
        ch,
        len,
        info: info.to_string(),
    })
}

/// Whether `text` closes `fence`: the same character, at least as many, nothing else.
fn closes(text: &str, fence: &Fence) -> bool {
    let t = text.trim();
    let run = t.len() - t.trim_start_matches(fence.ch).len();
    run >= fence.len && run == t.len()
}

/// Record the code block opened at `open`, and return the index after it. A fence
/// inside a blockquote also ends where the quote does; its lines lose only the quote
/// markers of the fence's own depth (deeper `>` are code).
fn code_block<'a>(raw: &[Line<'a>], open: usize, fence: &Fence, out: &mut Scan<'a>) -> usize {
    let depth = out.quote.get(open).copied().unwrap_or(0);
    let mut last = open;
    let mut closed = false;
    for k in open + 1..raw.len() {
        out.unquote(raw, k, depth);
        if out.quote.get(k).is_some_and(|d| *d < depth) {
            closed = true;
            break;
        }
        last = k;
        let Some(line) = out.lines.get(k) else {
            break;
        };
        if closes(line.text, fence) {
            closed = true;
            break;
        }
        if checklist::parse(line).is_some() {
            out.fenced_checks += 1;
        }
    }
    if !closed {
        out.unclosed_fence = out.lines.get(open).map(|l| l.no);
    }
    out.items.push(Item::Code {
        open,
        last,
        info: fence.info.clone(),
        indent: out.lines.get(open).map_or(0, |l| indent(l.text)),
    });
    last + 1
}

/// `## Title ##` gives (2, "Title"); at most three spaces before the `#`s.
pub(crate) fn atx_heading(text: &str) -> Option<(usize, String)> {
    if indent(text) > 3 {
        return None;
    }
    let t = text.trim_start();
    let level = t.len() - t.trim_start_matches('#').len();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = t.get(level..)?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut title = rest.trim();
    let without_closing = title.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        title = without_closing.trim_end();
    }
    Some((level, title.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::lines::split;

    #[test]
    fn blocks_of_a_small_document() {
        let text = "# T\n- [ ] a\n```md\n- [ ] ex\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<!-- - [ ] hidden\n-->\n~~~\n- [x] ex2\n";
        let lines = split(text);
        let s = scan(&lines, 0);
        let kinds: Vec<String> = s
            .items
            .iter()
            .map(|i| match i {
                Item::Heading { idx, .. } => format!("H{idx}"),
                Item::Check { idx, .. } => format!("C{idx}"),
                Item::Table { header, last } => format!("T{header}-{last}"),
                Item::Code { open, last, .. } => format!("K{open}-{last}"),
                Item::Text { idx } => format!("x{idx}"),
                Item::Comment { idx } => format!("c{idx}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec!["H0", "C1", "K2-4", "T5-7", "x8", "c9", "c10", "K11-12"]
        );
        assert_eq!(s.fenced_checks, 2);
        assert_eq!(s.unclosed_fence, Some(12));
    }

    fn kinds(text: &str) -> Vec<String> {
        let lines = split(text);
        scan(&lines, 0)
            .items
            .iter()
            .map(|i| match i {
                Item::Heading { idx, last, .. } => format!("H{idx}-{last}"),
                Item::Check { idx, .. } => format!("C{idx}"),
                Item::Table { header, last } => format!("T{header}-{last}"),
                Item::Code { open, last, .. } => format!("K{open}-{last}"),
                Item::Text { idx } => format!("x{idx}"),
                Item::Comment { idx } => format!("c{idx}"),
            })
            .collect()
    }

    #[test]
    fn quote_markers_are_counted_and_skipped() {
        assert_eq!(quote_markers("> - [ ] a", usize::MAX), (1, 2));
        assert_eq!(quote_markers("> > - [x] b", usize::MAX), (2, 4));
        assert_eq!(quote_markers(">>- [x] b", usize::MAX), (2, 2));
        assert_eq!(quote_markers("   > x", usize::MAX), (1, 5));
        assert_eq!(quote_markers("    > code", usize::MAX), (0, 0));
        assert_eq!(quote_markers("> > deep", 1), (1, 2));
        assert_eq!(quote_markers(">", usize::MAX), (1, 1));
        assert_eq!(quote_markers("no quote", usize::MAX), (0, 0));
    }

    #[test]
    fn quoted_lines_keep_offsets_into_the_text() {
        let text = "> - [ ] a\n> > | x | y |\n> > |---|---|\n> > | 1 | 2 |\n> | 3 |\n";
        let lines = split(text);
        let s = scan(&lines, 0);
        assert_eq!(s.quote, vec![1, 2, 2, 2, 1]);
        assert_eq!(s.lines[0].text, "- [ ] a");
        assert_eq!(&text[s.lines[0].start..s.lines[0].start + 7], "- [ ] a");
        let kinds: Vec<String> = s
            .items
            .iter()
            .map(|i| format!("{i:?}").chars().take(5).collect())
            .collect();
        assert_eq!(
            kinds,
            vec!["Check", "Table", "Text "],
            "a shallower row ends the table"
        );
    }

    #[test]
    fn a_quoted_fence_ends_with_its_quote_and_an_outer_fence_keeps_quotes_as_code() {
        assert_eq!(
            kinds("> ```\n> - [ ] ex\n- [ ] real\n"),
            vec!["K0-1", "C2"],
            "the quote ends, so does its fence"
        );
        let text = "```markdown\n> ```\n> - [ ] ex\n```\n- [ ] real\n";
        assert_eq!(
            kinds(text),
            vec!["K0-3", "C4"],
            "`> ```` is code inside a fence"
        );
        let lines = split(text);
        assert_eq!(
            scan(&lines, 0).fenced_checks,
            0,
            "a quoted line in code is no checkbox"
        );
        assert_eq!(
            kinds("> ```\n> > ```\n> ```\n- [ ] x\n"),
            vec!["K0-2", "C3"]
        );
    }

    #[test]
    fn setext_headings_and_what_is_not_one() {
        assert_eq!(kinds("Title\n=====\n- [ ] a\n"), vec!["H0-1", "C2"]);
        assert_eq!(kinds("Two\nlines\n---\n"), vec!["H0-2"]);
        assert_eq!(
            kinds("- [ ] a\n---\n"),
            vec!["C0", "x1"],
            "a rule under a list item"
        );
        assert_eq!(
            kinds("\n---\n"),
            vec!["x0", "x1"],
            "a rule after a blank line"
        );
        assert_eq!(
            kinds("- item\n---\n"),
            vec!["x0", "x1"],
            "a list item is no heading text"
        );
        assert_eq!(
            kinds("- [ ] a\n\n  body\n---\n"),
            vec!["C0", "x1", "x2", "x3"],
            "indented text belongs to the list item"
        );
        assert_eq!(kinds("> Quoted\n> ===\n"), vec!["H0-1"]);
        assert_eq!(kinds("Text\n> ===\n"), vec!["x0", "x1"], "not at one depth");
    }

    #[test]
    fn headings() {
        assert_eq!(atx_heading("## Phase 3 ##"), Some((2, "Phase 3".into())));
        assert_eq!(atx_heading("#hashtag"), None);
        assert_eq!(atx_heading("    # code"), None);
        assert_eq!(atx_heading("####### seven"), None);
        assert_eq!(atx_heading("# C#"), Some((1, "C#".into())));
    }
}
