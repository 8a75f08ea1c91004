//! First pass over the lines: which are headings, checkboxes, tables, code blocks
//! (whose contents are examples, never tasks) and plain text.

use super::checklist::{self, CheckLine};
use super::lines::{indent, Line};
use super::mojibake::repair_mojibake;
use super::table::is_delimiter_row;

/// A block of the document, by line index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    /// An ATX heading; `text` is without the `#`s, mojibake repaired.
    Heading {
        idx: usize,
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
pub(crate) struct Scan {
    pub items: Vec<Item>,
    /// Checkbox lines inside code fences (examples, not tasks).
    pub fenced_checks: usize,
    /// Line number of a fence that is never closed.
    pub unclosed_fence: Option<usize>,
}

/// Split `lines[from..]` into blocks.
pub(crate) fn scan(lines: &[Line<'_>], from: usize) -> Scan {
    let mut out = Scan::default();
    let mut in_comment = false;
    let mut i = from;
    while let Some(line) = lines.get(i) {
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
            i = code_block(lines, i, &fence, &mut out);
            continue;
        }
        if let Some((level, heading)) = atx_heading(text) {
            out.items.push(Item::Heading {
                idx: i,
                level,
                text: repair_mojibake(&heading).into_owned(),
            });
        } else if let Some(last) = table_end(lines, i) {
            out.items.push(Item::Table { header: i, last });
            i = last + 1;
            continue;
        } else if let Some(check) = checklist::parse(line) {
            out.items.push(Item::Check { idx: i, check });
        } else {
            out.items.push(Item::Text { idx: i });
        }
        i += 1;
    }
    out
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

/// Record the code block opened at `open`, and return the index after it.
fn code_block(lines: &[Line<'_>], open: usize, fence: &Fence, out: &mut Scan) -> usize {
    let mut last = open;
    let mut closed = false;
    for (k, line) in lines.iter().enumerate().skip(open + 1) {
        last = k;
        if closes(line.text, fence) {
            closed = true;
            break;
        }
        if checklist::parse(line).is_some() {
            out.fenced_checks += 1;
        }
    }
    if !closed {
        out.unclosed_fence = lines.get(open).map(|l| l.no);
    }
    out.items.push(Item::Code {
        open,
        last,
        info: fence.info.clone(),
        indent: lines.get(open).map_or(0, |l| indent(l.text)),
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

/// If a table starts at `i` (a line with a pipe followed by a delimiter row), the index
/// of its last row.
fn table_end(lines: &[Line<'_>], i: usize) -> Option<usize> {
    let header = lines.get(i)?;
    if !header.text.contains('|') || !is_delimiter_row(lines.get(i + 1)?.text) {
        return None;
    }
    let mut last = i + 1;
    while lines
        .get(last + 1)
        .is_some_and(|l| !l.is_blank() && l.text.contains('|'))
    {
        last += 1;
    }
    Some(last)
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

    #[test]
    fn headings() {
        assert_eq!(atx_heading("## Phase 3 ##"), Some((2, "Phase 3".into())));
        assert_eq!(atx_heading("#hashtag"), None);
        assert_eq!(atx_heading("    # code"), None);
        assert_eq!(atx_heading("####### seven"), None);
        assert_eq!(atx_heading("# C#"), Some((1, "C#".into())));
    }
}
