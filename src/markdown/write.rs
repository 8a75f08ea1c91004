//! Writing one task's status back into the text, changing only its status token: the
//! character between the brackets, the front-matter value, or the table cell's text.

use super::build::{parse, Parsed, Slot, TableCol};
use super::lines::slice;
use super::mojibake::repair_mojibake;
use super::status::{classify, default_token};
use super::MdTask;
use crate::domain::plan::TaskStatus;
use std::fmt;
use std::ops::Range;
use unicode_width::UnicodeWidthStr;

/// Why a status could not be written; the text is then left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    /// No task has this id; the closest id, if one is close.
    NotFound(String, Option<String>),
    /// More than one task has this id, at these lines.
    Ambiguous(String, Vec<usize>),
    /// The task's status cannot be written in this file (why, in a sentence).
    Unsupported(String),
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::NotFound(id, Some(near)) => {
                write!(f, "no task `{id}` in this file; did you mean `{near}`?")
            }
            SetError::NotFound(id, None) => write!(f, "no task `{id}` in this file"),
            SetError::Ambiguous(id, lines) => {
                let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "task id `{id}` is used more than once (lines {}); give each task its own id",
                    lines.join(", ")
                )
            }
            SetError::Unsupported(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for SetError {}

/// Return `text` with the status of task `task_id` set to `status`, every other byte
/// unchanged (line endings, BOM, trailing spaces, mojibake). Setting the status a task
/// already has returns the text as it is. Never panics.
pub fn set_status(text: &str, task_id: &str, status: TaskStatus) -> Result<String, SetError> {
    let parsed = parse(text, "");
    let (task, slot) = find(&parsed, task_id)?;
    if task.status == status {
        return Ok(text.to_string());
    }
    let (range, token) = match slot {
        Slot::Checkbox(at) => {
            checkbox_edit(text, *at, task, checkbox_token(&parsed, task, status)?)
        }
        Slot::FrontMatter(range) => (range.clone(), front_matter_token(&parsed, status)),
        Slot::Cell {
            raw,
            content,
            table,
        } => {
            let column = parsed
                .table_statuses
                .get(*table)
                .cloned()
                .unwrap_or_default();
            (
                raw.clone(),
                cell_token(text, task, raw, content, &column, status)?,
            )
        }
        Slot::Nowhere => {
            return Err(SetError::Unsupported(format!(
            "task `{}` (line {}) has no status to change: add a Status column or a `status:` field",
            task.id, task.line
        )))
        }
    };
    splice(text, range, &token)
}

/// The task `id` names: exactly, else ignoring case; with a did-you-mean when none.
fn find<'p>(parsed: &'p Parsed, id: &str) -> Result<(&'p MdTask, &'p Slot), SetError> {
    let all: Vec<(&MdTask, &Slot)> = parsed.doc.tasks().zip(parsed.slots.iter()).collect();
    let mut hits: Vec<_> = all.iter().filter(|(t, _)| t.id == id).copied().collect();
    if hits.is_empty() {
        hits = all
            .iter()
            .filter(|(t, _)| t.id.eq_ignore_ascii_case(id))
            .copied()
            .collect();
    }
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(SetError::NotFound(id.to_string(), nearest(&all, id))),
        many => Err(SetError::Ambiguous(
            id.to_string(),
            many.iter().map(|(t, _)| t.line).collect(),
        )),
    }
}

/// The id closest to `id`, if it is a plausible typo of it.
fn nearest(all: &[(&MdTask, &Slot)], id: &str) -> Option<String> {
    let wanted = id.to_lowercase();
    all.iter()
        .map(|(t, _)| {
            (
                strsim::damerau_levenshtein(&wanted, &t.id.to_lowercase()),
                &t.id,
            )
        })
        .filter(|(d, _)| *d <= 1 + wanted.chars().count() / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id.clone())
}

/// The character to put between the brackets.
/// The box's mark replaced by `token`. An open box read as cancelled has its title
/// struck through (`- [ ] 2.1 ~~Drop Redis~~`): the strike goes too unless the new mark
/// says cancelled, so the new status reads back.
fn checkbox_edit(text: &str, at: usize, task: &MdTask, token: String) -> (Range<usize>, String) {
    let open = text.get(at..=at) == Some(" ");
    let end = text
        .get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |n| at + n);
    let rest = text.get(at + 1..end).unwrap_or("");
    if open && task.status == TaskStatus::Cancelled && token != "-" {
        if let (Some(first), Some(last)) = (rest.find("~~"), rest.rfind("~~")) {
            if first < last {
                let unstruck = format!(
                    "{}{}{}",
                    &rest[..first],
                    &rest[first + 2..last],
                    &rest[last + 2..]
                );
                return (at..end, format!("{token}{unstruck}"));
            }
        }
    }
    (at..at + 1, token)
}

fn checkbox_token(parsed: &Parsed, task: &MdTask, status: TaskStatus) -> Result<String, SetError> {
    Ok(match status {
        TaskStatus::Done if parsed.upper_x => "X".into(),
        TaskStatus::Done => "x".into(),
        TaskStatus::Todo => " ".into(),
        TaskStatus::Cancelled => "-".into(),
        TaskStatus::Doing if parsed.slash_doing => "/".into(),
        TaskStatus::Doing => {
            return Err(SetError::Unsupported(format!(
                "task `{}` (line {}) is a checkbox, which is only done or not done; \
                 set it to todo or done (files that mark work in progress with `[/]` can say doing)",
                task.id, task.line
            )))
        }
    })
}

/// The front-matter value: the file's own word for the status if it uses one, else
/// `pending` / `in_progress` / `completed` / `cancelled`.
fn front_matter_token(parsed: &Parsed, status: TaskStatus) -> String {
    parsed
        .fm_statuses
        .iter()
        .find(|s| {
            let r = classify(s);
            r.simple && r.status == status && !s.contains(char::is_whitespace)
        })
        .cloned()
        .unwrap_or_else(|| {
            match status {
                TaskStatus::Todo => "pending",
                TaskStatus::Doing => "in_progress",
                TaskStatus::Done => "completed",
                TaskStatus::Cancelled => "cancelled",
            }
            .to_string()
        })
}

/// The new cell between its pipes: the column's own word for the status (else one in
/// the style of the cell), padded back to the column width when the table is aligned.
fn cell_token(
    text: &str,
    task: &MdTask,
    raw: &Range<usize>,
    content: &Range<usize>,
    column: &TableCol,
    status: TaskStatus,
) -> Result<String, SetError> {
    let current = slice(text, content.clone());
    if !classify(current).simple {
        return Err(SetError::Unsupported(format!(
            "the status cell of task `{}` (line {}) says `{}`, more than a status word; edit it by hand",
            task.id,
            task.line,
            current.trim()
        )));
    }
    let word = column
        .values
        .iter()
        .find(|v| {
            let r = classify(v);
            r.simple && r.status == status
        })
        .map(|v| repair_mojibake(v.trim()).into_owned())
        .or_else(|| default_token(style_exemplar(current, &column.values), status))
        .ok_or_else(|| {
            SetError::Unsupported(format!(
                "the status column of task `{}` (line {}) uses boxes, which cannot say {status}",
                task.id, task.line
            ))
        })?;
    let raw_text = slice(text, raw.clone());
    let lead_len = content.start.saturating_sub(raw.start);
    let lead = if current.is_empty() {
        if raw_text.starts_with(' ') {
            " "
        } else {
            ""
        }
    } else {
        raw_text.get(..lead_len).unwrap_or("")
    };
    let trail = match column.aligned_width {
        Some(width) => {
            let used = lead.width() + word.width();
            " ".repeat(width.saturating_sub(used).max(1))
        }
        None if current.is_empty() => " ".into(),
        None => raw_text
            .get(content.end.saturating_sub(raw.start)..)
            .unwrap_or("")
            .to_string(),
    };
    Ok(format!("{lead}{word}{trail}"))
}

/// The cell whose style a new word should follow: the current one when it is a box,
/// else the most decorated status of the column (mark and word, then mark, then word),
/// so `Todo` written into a `✅ Done` / `🔄 In Progress` column comes back as `✅ Done`.
fn style_exemplar<'a>(current: &'a str, values: &'a [String]) -> &'a str {
    if current.trim().starts_with('[') {
        return current;
    }
    let rank = |v: &str| {
        let r = classify(v);
        let v = repair_mojibake(v.trim());
        let marked = v
            .chars()
            .next()
            .is_some_and(|c| !c.is_alphanumeric() && c != '[' && c != '-');
        let worded = v.chars().any(char::is_alphabetic);
        match (r.simple, marked, worded) {
            (false, _, _) => 0,
            (true, true, true) => 3,
            (true, true, false) => 2,
            (true, false, true) => 1,
            _ => 0,
        }
    };
    values
        .iter()
        .rev()
        .map(String::as_str)
        .filter(|v| rank(v) > 0)
        .max_by_key(|v| rank(v))
        .filter(|v| rank(v) >= rank(current))
        .unwrap_or(current)
}

/// `text` with `range` replaced by `token`.
fn splice(text: &str, range: Range<usize>, token: &str) -> Result<String, SetError> {
    match (text.get(..range.start), text.get(range.end..)) {
        (Some(before), Some(after)) => Ok(format!("{before}{token}{after}")),
        _ => Err(SetError::Unsupported(
            "the task's status is not where it was read; read the file again".to_string(),
        )),
    }
}
