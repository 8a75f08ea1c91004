//! YAML front matter (`---` … `---` at the very top) and its `todos:` list: id,
//! content, status (pending / in_progress / completed / cancelled), dependencies.
//!
//! Values come from a real YAML parser (`saphyr`, which also reports where each node is,
//! so the `status:` value can be written back in place). Front matter that is not valid
//! YAML (an unquoted `: ` inside `content` is the usual culprit) is read by a lenient
//! line scanner instead, with a note saying so.

mod lenient;
mod yaml;

use super::lines::Line;
use std::ops::Range;

/// What the front matter says about the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    /// Index (into the lines) of the first line after the closing `---`.
    pub body_from: usize,
    /// The `name:` (or `title:`) value.
    pub name: Option<String>,
    pub todos: Vec<FmTodo>,
    pub notes: Vec<String>,
}

/// One item of `todos:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FmTodo {
    pub id: Option<String>,
    pub title: String,
    /// The status value as written (without quotes).
    pub status: Option<String>,
    /// Byte range of the status value without its quotes, when it can be rewritten.
    pub status_at: Option<Range<usize>>,
    pub needs: Vec<String>,
    /// 1-based line of the item.
    pub line: usize,
}

/// Front matter at the top of the text, if the first line is `---` and a later line
/// closes it (`---` or `...`).
pub(crate) fn parse(text: &str, lines: &[Line<'_>]) -> Option<FrontMatter> {
    if lines.first()?.text.trim_end() != "---" {
        return None;
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.text.trim_end(), "---" | "..."))?
        + 1;
    let inner = lines.get(1..close)?;
    let start = inner.first().map_or(0, |l| l.start);
    let end = lines.get(close).map_or(text.len(), |l| l.start);
    let source = text.get(start..end).unwrap_or("");
    let mut fm = FrontMatter {
        body_from: close + 1,
        ..FrontMatter::default()
    };
    let first_line = inner.first().map_or(2, |l| l.no);
    match yaml::read(source, start, first_line) {
        Ok((name, todos)) => {
            fm.name = name;
            fm.todos = todos;
        }
        Err(why) => {
            let (name, todos) = lenient::read(inner);
            fm.notes.push(format!(
                "front matter is not valid YAML ({why}); its todos were read line by line"
            ));
            fm.name = name;
            fm.todos = todos;
        }
    }
    Some(fm)
}

/// Byte range of a scalar without its quotes, when what is written there is exactly
/// `value` (so replacing those bytes changes exactly the value).
fn unquoted(source: &str, range: Range<usize>, value: &str) -> Option<Range<usize>> {
    let raw = source.get(range.clone())?;
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    let inner = if quoted {
        range.start + 1..range.end - 1
    } else {
        range
    };
    (source.get(inner.clone())? == value && !value.is_empty()).then_some(inner)
}

#[cfg(test)]
mod tests;
