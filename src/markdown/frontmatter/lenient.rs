//! A line scanner for front matter that is not valid YAML: `name:`, and under `todos:`
//! items of `key: value` lines, `[a, b]` lists and `- a` lists, quotes stripped.

use super::super::lines::{indent, Line};
use super::FmTodo;

/// What the item under construction is collecting.
enum Collecting {
    Nothing,
    Needs,
    /// A block scalar (`content: >-`) at deeper indentation.
    Title,
}

/// Read `name` and `todos` from the front matter lines.
pub(super) fn read(lines: &[Line<'_>]) -> (Option<String>, Vec<FmTodo>) {
    let mut name = None;
    let mut todos: Vec<FmTodo> = Vec::new();
    let mut in_todos = false;
    let mut item_indent: Option<usize> = None;
    let mut collecting = Collecting::Nothing;
    for line in lines {
        let trimmed = line.text.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = indent(line.text);
        if depth == 0 && !trimmed.starts_with('-') {
            in_todos = false;
            match key_value(line) {
                Some(("todos", _, _)) => in_todos = true,
                Some(("name" | "title", v, _)) if name.is_none() && !v.is_empty() => {
                    name = Some(v.to_string())
                }
                _ => {}
            }
            continue;
        }
        if !in_todos {
            continue;
        }
        let item_start = trimmed == "-" || trimmed.starts_with("- ");
        if item_start && item_indent.is_none_or(|i| depth <= i) {
            item_indent = Some(depth);
            todos.push(FmTodo {
                line: line.no,
                ..FmTodo::default()
            });
            collecting = Collecting::Nothing;
            let dash = line.text.len() - line.text.trim_start().len();
            let after = Line {
                no: line.no,
                start: line.start + dash + 1,
                text: line.text.get(dash + 1..).unwrap_or(""),
            };
            if let Some(todo) = todos.last_mut() {
                collecting = apply(todo, &after, collecting);
            }
            continue;
        }
        if let Some(todo) = todos.last_mut() {
            collecting = apply(todo, line, collecting);
        }
    }
    (name, todos)
}

/// Apply one `key: value` (or list item, or block scalar) line to `todo`.
fn apply(todo: &mut FmTodo, line: &Line<'_>, collecting: Collecting) -> Collecting {
    let trimmed = line.text.trim();
    if let Some(item) = trimmed
        .strip_prefix("- ")
        .or((trimmed == "-").then_some(""))
    {
        if matches!(collecting, Collecting::Needs) && !item.contains(": ") {
            todo.needs.push(unquote(item).0.to_string());
            return Collecting::Needs;
        }
    }
    let Some((key, value, at)) = key_value(line) else {
        if matches!(collecting, Collecting::Title) {
            if !todo.title.is_empty() {
                todo.title.push(' ');
            }
            todo.title.push_str(trimmed);
            return Collecting::Title;
        }
        return collecting;
    };
    let (unq, offset) = unquote(value);
    match key {
        "id" | "key" => todo.id = Some(unq.to_string()).filter(|s| !s.is_empty()),
        "content" | "title" | "task" | "description" => {
            if value.starts_with(['>', '|']) {
                return Collecting::Title;
            }
            todo.title = unq.to_string();
        }
        "status" | "state" if !unq.is_empty() => {
            todo.status = Some(unq.to_string());
            todo.status_at = Some(at + offset..at + offset + unq.len());
        }
        "dependencies" | "depends_on" | "dependsOn" | "needs" | "deps" | "blocked_by"
        | "blockedBy" => {
            todo.needs = list(value);
            return if value.is_empty() {
                Collecting::Needs
            } else {
                Collecting::Nothing
            };
        }
        _ => {}
    }
    Collecting::Nothing
}

/// `key: value` of a line, with the value's absolute byte offset; comments after ` #`
/// are dropped from unquoted values.
fn key_value<'a>(line: &Line<'a>) -> Option<(&'a str, &'a str, usize)> {
    let text = line.text;
    let colon = text.find(':')?;
    let key = text.get(..colon)?.trim();
    if key.is_empty() || (key.contains(' ') && !key.starts_with(['"', '\''])) {
        return None;
    }
    let rest = text.get(colon + 1..)?;
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let lead = rest.len() - rest.trim_start().len();
    let mut value = rest.trim();
    if !value.starts_with(['"', '\'']) {
        if let Some(hash) = value.find(" #") {
            value = value.get(..hash).unwrap_or(value).trim_end();
        }
    }
    Some((
        key.trim_matches(['"', '\'']),
        value,
        line.start + colon + 1 + lead,
    ))
}

/// A value without surrounding quotes, and the byte offset of its first char.
fn unquote(value: &str) -> (&str, usize) {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return (value.get(1..value.len() - 1).unwrap_or(""), 1);
        }
    }
    (value, 0)
}

/// `[a, b]`, `a, b` or `a` as a list.
fn list(value: &str) -> Vec<String> {
    let inner = value.trim();
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    inner
        .split(',')
        .map(|p| unquote(p.trim()).0.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}
