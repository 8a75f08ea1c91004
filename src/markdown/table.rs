//! Pipe tables: cells with their byte ranges, and what each column is for (id, title,
//! dependencies, status, severity, owner), which decides whether a table lists tasks,
//! findings, dependencies or risks.

use super::ids::is_id_like;
use super::lines::{trimmed_range, Line};
use super::status::normalize;
use std::ops::Range;

/// One cell: the bytes between its pipes, and the trimmed content within them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    pub raw: Range<usize>,
    pub content: Range<usize>,
}

/// Whether `text` is a delimiter row (`|---|:--:|`), which makes the line above a header.
pub(crate) fn is_delimiter_row(text: &str) -> bool {
    let t = text.trim();
    if !t.contains('-') {
        return false;
    }
    let inner = t.strip_prefix('|').unwrap_or(t);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let cells: Vec<&str> = inner.split('|').collect();
    (t.contains('|') || cells.len() == 1 && t.contains(":-"))
        && cells.iter().all(|c| {
            let c = c.trim();
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.chars().all(|ch| ch == '-')
        })
}

/// Split a row into cells at unescaped pipes. Offsets are absolute.
pub(crate) fn split_row(line: &Line<'_>) -> Vec<Cell> {
    let text = line.text;
    let mut bounds: Vec<usize> = Vec::new();
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            '\\' => escaped = !escaped,
            '|' if !escaped => bounds.push(i),
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    let mut edges: Vec<usize> = Vec::new();
    let first_non_ws = text.len() - text.trim_start().len();
    if bounds.first() != Some(&first_non_ws) {
        edges.push(first_non_ws);
    }
    for b in &bounds {
        edges.push(b + 1);
    }
    let last_non_ws = text.trim_end().len();
    let closes = bounds.last().is_some_and(|b| b + 1 == last_non_ws);
    let mut cells = Vec::new();
    for (k, start) in edges.iter().enumerate() {
        let end = match bounds.iter().find(|b| **b >= *start) {
            Some(b) => *b,
            None if closes => break,
            None => text.len(),
        };
        if k + 1 == edges.len() && closes {
            break;
        }
        let raw = text.get(*start..end).unwrap_or("");
        cells.push(Cell {
            raw: line.start + start..line.start + end,
            content: trimmed_range(raw, line.start + start),
        });
    }
    cells
}

/// What the columns of a table are for, by header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub id: Option<usize>,
    pub title: Option<usize>,
    pub deps: Option<usize>,
    pub status: Option<usize>,
    pub severity: Option<usize>,
    pub owner: Option<usize>,
    pub finding: Option<usize>,
    pub risk: Option<usize>,
}

/// What a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tasks,
    Findings,
    /// Ids and what they depend on, without titles: adds needs to known tasks.
    Dependencies,
    Risks,
    Other,
}

const ID: &[&str] = &[
    "id",
    "task id",
    "taskid",
    "task #",
    "#",
    "no",
    "no.",
    "nr",
    "ref",
    "key",
    "step",
    "item id",
    "issue id",
    "finding id",
    "ticket",
];
const TITLE: &[&str] = &[
    "task",
    "title",
    "name",
    "what",
    "summary",
    "item",
    "action",
    "work item",
    "deliverable",
    "activity",
    "todo",
    "subtask",
    "task description",
    "task name",
    "description",
    "details",
];
const DEPS: &[&str] = &[
    "depends on",
    "dependencies",
    "dependency",
    "depends",
    "needs",
    "blocked by",
    "prerequisites",
    "prereqs",
    "prereq",
    "requires",
    "after",
    "deps",
];
const STATUS: &[&str] = &[
    "status", "state", "done", "progress", "complete", "✓", "✔", "✅",
];
const SEVERITY: &[&str] = &["severity", "sev", "criticality", "risk level"];
const OWNER: &[&str] = &[
    "owner",
    "assignee",
    "assigned to",
    "assigned",
    "who",
    "responsible",
    "lead",
    "dri",
];
const FINDING: &[&str] = &[
    "finding",
    "title",
    "issue",
    "description",
    "summary",
    "problem",
    "vulnerability",
    "name",
];

/// Assign roles to columns from their headers; `column_values(col)` gives a column's
/// body cells, so a `Task` column holding ids can serve as the id column.
pub(crate) fn columns(headers: &[String], column_values: &dyn Fn(usize) -> Vec<String>) -> Columns {
    let norm: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    let find = |names: &[&str], skip: &[Option<usize>]| {
        names.iter().find_map(|name| {
            norm.iter()
                .enumerate()
                .find(|(i, h)| h.as_str() == *name && !skip.contains(&Some(*i)))
                .map(|(i, _)| i)
        })
    };
    let mut cols = Columns {
        id: find(ID, &[]),
        ..Columns::default()
    };
    if cols.id.is_none() {
        cols.id = norm.iter().position(|h| h == "task").filter(|&i| {
            let values = column_values(i);
            !values.is_empty() && values.iter().all(|v| is_id_like(&clean_id(v)))
        });
    }
    cols.deps = find(DEPS, &[cols.id]);
    cols.status = find(STATUS, &[cols.id, cols.deps]);
    cols.title = find(TITLE, &[cols.id, cols.deps, cols.status]);
    cols.severity = find(SEVERITY, &[cols.id]);
    cols.owner = find(OWNER, &[cols.id]);
    cols.finding = find(FINDING, &[cols.id, cols.severity]);
    cols.risk = norm.iter().position(|h| h == "risk" || h == "risks");
    cols
}

/// What the table holds, given its columns and whether any row has an id.
pub(crate) fn kind(cols: &Columns, has_ids: bool) -> Kind {
    match (cols.id, has_ids) {
        (Some(_), true) if cols.severity.is_some() && cols.finding.is_some() => Kind::Findings,
        (Some(_), true) if cols.title.is_some() => Kind::Tasks,
        (Some(_), true) if cols.deps.is_some() => Kind::Dependencies,
        _ if cols.risk.is_some() => Kind::Risks,
        _ => Kind::Other,
    }
}

/// An id cell without emphasis or code marks: `**p4-1**` and `` `p4-1` `` give `p4-1`.
pub(crate) fn clean_id(cell: &str) -> String {
    cell.trim()
        .trim_matches(|c| matches!(c, '*' | '`' | '_' | '~' | '[' | ']'))
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> Vec<String> {
        split_row(&Line {
            no: 1,
            start: 0,
            text,
        })
        .iter()
        .map(|c| format!("{}|{}", &text[c.raw.clone()], &text[c.content.clone()]))
        .collect()
    }

    #[test]
    fn splits_cells_with_and_without_outer_pipes() {
        assert_eq!(row("| a | b  |"), vec![" a |a", " b  |b"]);
        assert_eq!(row("a | b"), vec!["a |a", " b|b"]);
        assert_eq!(row("| a \\| b | |"), vec![" a \\| b |a \\| b", " |"]);
        assert_eq!(row("  |x|y"), vec!["x|x", "y|y"]);
    }

    #[test]
    fn delimiter_rows() {
        assert!(is_delimiter_row("|---|:--:|"));
        assert!(is_delimiter_row("--- | ---"));
        assert!(is_delimiter_row("| --- |"));
        assert!(!is_delimiter_row("---"));
        assert!(!is_delimiter_row("| a | b |"));
        assert!(!is_delimiter_row("|  |  |"));
    }

    #[test]
    fn column_roles() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let none = |_: usize| Vec::new();
        let c = columns(
            &h(&["Task ID", "Description", "Model", "Dependencies"]),
            &none,
        );
        assert_eq!(
            (c.id, c.title, c.deps, c.status),
            (Some(0), Some(1), Some(3), None)
        );
        assert_eq!(kind(&c, true), Kind::Tasks);
        let c = columns(&h(&["ID", "Severity", "Finding", "Owner", "Status"]), &none);
        assert_eq!(kind(&c, true), Kind::Findings);
        assert_eq!((c.owner, c.status, c.finding), (Some(3), Some(4), Some(2)));
        let c = columns(&h(&["Risk", "Severity", "Mitigation"]), &none);
        assert_eq!(kind(&c, false), Kind::Risks);
        let ids = |_: usize| vec!["T1".to_string(), "`T2`".to_string()];
        let c = columns(&h(&["Task", "Details", "Blocked by"]), &ids);
        assert_eq!((c.id, c.title, c.deps), (Some(0), Some(1), Some(2)));
        let c = columns(&h(&["**#**", "Task", "✅"]), &none);
        assert_eq!((c.id, c.title, c.status), (Some(0), Some(1), Some(2)));
    }
}
