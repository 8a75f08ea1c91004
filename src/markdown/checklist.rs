//! Checkbox list items: `- [ ] title`, `* [x] title`, `+ [X] title`, `1. [ ] title`,
//! `- [ ]* optional title`, and the in-progress/cancelled marks `[/]` and `[-]`.

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
    if !tail.is_empty() && !tail.starts_with([' ', '\t']) {
        return None;
    }
    let body = tail.trim();
    if body.is_empty() {
        return None;
    }
    let (id, title) = match leading_id(body) {
        Some((id, at)) => (Some(id), body.get(at..).unwrap_or("").trim().to_string()),
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
