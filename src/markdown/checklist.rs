//! Checkbox list items: `- [ ] title`, `* [x] title`, `+ [X] title`, `1. [ ] title`,
//! `- [ ]* optional title`, and the in-progress/cancelled marks `[/]` and `[-]`. A box
//! that is none of these (`[?]`, `[]`) is no task, but [`odd_box`] lets a note say so.

use super::ids::leading_id;
use super::lines::{indent, Line};

/// A checkbox line, with byte offsets into the whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckLine {
    /// Indentation width of the list marker.
    pub indent: usize,
    /// The character between the brackets: ' ', 'x', 'X', '/' or '-'.
    pub mark: char,
    /// Byte offset of that character.
    pub mark_at: usize,
    /// `]*` right after the box.
    pub starred: bool,
    /// An id the title starts with (`2.1`, `p3-4`, `T1:`).
    pub id: Option<String>,
    /// The title after the box and the id, untrimmed of markdown, not yet repaired.
    pub title: String,
}

/// Parse `line` as a checkbox item, or `None` when it is anything else (including an
/// empty box with no title, which is a template rather than a task).
pub(crate) fn parse(line: &Line<'_>) -> Option<CheckLine> {
    let text = line.text;
    let lead = text.len() - text.trim_start_matches([' ', '\t']).len();
    let after_marker = lead + list_marker_len(text.get(lead..)?)?;
    let rest = text.get(after_marker..)?;
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if spaces == 0 {
        return None;
    }
    let open = after_marker + spaces;
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'[') || bytes.get(open + 2) != Some(&b']') {
        return None;
    }
    let mark = char::from(*bytes.get(open + 1)?);
    if !matches!(mark, ' ' | 'x' | 'X' | '/' | '-') {
        return None;
    }
    let mut after_box = open + 3;
    let starred = bytes.get(after_box) == Some(&b'*');
    if starred {
        after_box += 1;
    }
    let tail = text.get(after_box..)?;
    if !tail.is_empty() && !tail.starts_with(char::is_whitespace) {
        return None;
    }
    let body = tail.trim();
    if body.is_empty() {
        return None;
    }
    let (id, title) = match leading_id(body) {
        Some((id, at)) => (Some(id), rewrap(body, body.get(at..).unwrap_or("").trim())),
        None => (None, body.to_string()),
    };
    Some(CheckLine {
        indent: indent(text),
        mark,
        mark_at: line.start + open + 1,
        starred,
        id,
        title,
    })
}

/// `**2. Title**` loses its id from inside the emphasis: give the title its opener
/// back, so it reads `**Title**` rather than `Title**`.
fn rewrap(body: &str, title: &str) -> String {
    for mark in ["**", "__", "`"] {
        if body.starts_with(mark) && !title.starts_with(mark) && title.ends_with(mark) {
            let inner = title.get(..title.len() - mark.len()).unwrap_or("");
            if !inner.contains(mark) {
                return format!("{mark}{title}");
            }
        }
    }
    title.to_string()
}

/// A list item whose text starts with a box a reader may take for a checkbox but that
/// is none (`- [?] …`, `- [] …`, `- [ x ] …`): not a task, worth a note.
pub(crate) fn odd_box(line: &Line<'_>) -> bool {
    if parse(line).is_some() {
        return false;
    }
    let text = line.text.trim_start_matches([' ', '\t']);
    let Some(marker) = list_marker_len(text) else {
        return false;
    };
    let rest = text.get(marker..).unwrap_or("");
    let rest_trimmed = rest.trim_start_matches([' ', '\t']);
    if rest_trimmed.len() == rest.len() || !rest_trimmed.starts_with('[') {
        return false;
    }
    let Some(close) = rest_trimmed.find(']') else {
        return false;
    };
    let inside = rest_trimmed.get(1..close).unwrap_or("");
    let after = rest_trimmed.get(close + 1..).unwrap_or("");
    let boxy = inside.chars().count() <= 1 || matches!(inside.trim(), "x" | "X" | "");
    boxy && inside.chars().count() <= 3
        && after.starts_with(char::is_whitespace)
        && !after.trim().is_empty()
}

/// Length of a list marker and nothing else: `-`, `*`, `+`, or `1.` / `1)`.
fn list_marker_len(s: &str) -> Option<usize> {
    let first = s.chars().next()?;
    if matches!(first, '-' | '*' | '+') {
        return Some(1);
    }
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits == 0 || digits > 9 {
        return None;
    }
    matches!(s.as_bytes().get(digits), Some(b'.' | b')')).then_some(digits + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Option<CheckLine> {
        parse(&Line {
            no: 1,
            start: 100,
            text,
        })
    }

    #[test]
    fn recognises_the_common_forms() {
        let c = check("- [ ] 2. Harden the upload path").unwrap();
        assert_eq!(
            (c.indent, c.mark, c.mark_at, c.starred),
            (0, ' ', 103, false)
        );
        assert_eq!(
            (c.id.as_deref(), c.title.as_str()),
            (Some("2"), "Harden the upload path")
        );
        let c = check("  * [X] Sub item").unwrap();
        assert_eq!((c.indent, c.mark, c.id), (2, 'X', None));
        let c = check("- [ ]* 4. Optional: load test").unwrap();
        assert!(c.starred);
        assert_eq!(c.id.as_deref(), Some("4"));
        let c = check("12. [x] Deploy to staging").unwrap();
        assert_eq!((c.mark, c.title.as_str()), ('x', "Deploy to staging"));
        assert_eq!(check("+ [/] p3-4 Half way").unwrap().mark, '/');
        assert_eq!(check("\t- [-] Dropped").unwrap().indent, 4);
        assert_eq!(
            check("- [ ]\u{a0}No-break space").unwrap().title,
            "No-break space"
        );
        let c = check("- [ ] **2. Bold item**").unwrap();
        assert_eq!(
            (c.id.as_deref(), c.title.as_str()),
            (Some("2"), "**Bold item**")
        );
        let c = check("- [ ] [2. Bottom up Mergesort](https://example.org)").unwrap();
        assert_eq!(c.id, None, "no id from inside link text");
    }

    #[test]
    fn odd_boxes_are_noticed() {
        let odd = |text| {
            odd_box(&Line {
                no: 1,
                start: 0,
                text,
            })
        };
        for text in [
            "- [?] Ask legal",
            "- [] Empty box",
            "* [ x ] Spaced",
            "1. [!] Urgent",
        ] {
            assert!(odd(text), "{text}");
        }
        for text in [
            "- [ ] Real",
            "- [link](x) text",
            "- [T-12] Ticket",
            "- [?]",
            "Plain",
        ] {
            assert!(!odd(text), "{text}");
        }
    }

    #[test]
    fn rejects_lookalikes() {
        for text in [
            "- [ ]",
            "- []  nothing",
            "-[ ] no space",
            "- [ ]no space",
            "- [?] odd",
            "[ ] bare",
            "- [x",
            "1234567890. [ ] too long a number",
            "- ✅ done",
            "- [ ] ",
        ] {
            assert_eq!(check(text), None, "{text}");
        }
    }
}
