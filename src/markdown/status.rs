//! Status words and marks as people write them (`✅`, `Done`, `In Progress`, `WIP`,
//! `pending`, `cancelled`, `[x]`), and the token to write for a new status in the same
//! style as the file. Cancelled (`cancelled`, `skipped`, `won't do`, `[-]`) is a status
//! of its own, never read as done.

use super::mojibake::repair_mojibake;
use crate::domain::plan::TaskStatus;

/// How a status cell or value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub status: TaskStatus,
    /// The whole text is one recognised word or mark (so it may be replaced).
    pub simple: bool,
}

const DONE: &[&str] = &[
    "done",
    "complete",
    "completed",
    "finished",
    "closed",
    "resolved",
    "merged",
    "shipped",
    "fixed",
    "verified",
    "passed",
    "yes",
    "y",
    "x",
    "[x]",
    "✅",
    "✔",
    "✓",
    "☑",
    "🟢",
    "100%",
];
const DOING: &[&str] = &[
    "in progress",
    "in-progress",
    "in_progress",
    "inprogress",
    "wip",
    "doing",
    "started",
    "ongoing",
    "active",
    "working",
    "underway",
    "in review",
    "review",
    "testing",
    "partial",
    "[/]",
    "🔄",
    "⏳",
    "🚧",
    "🟡",
    "🟠",
    "🔶",
    "⌛",
];
const TODO: &[&str] = &[
    "",
    "-",
    "—",
    "–",
    "todo",
    "to do",
    "to-do",
    "pending",
    "open",
    "not started",
    "planned",
    "backlog",
    "blocked",
    "new",
    "tbd",
    "queued",
    "next",
    "no",
    "n",
    "not done",
    "incomplete",
    "[ ]",
    "⬜",
    "⬛",
    "☐",
    "🔲",
    "❌",
    "🔴",
    "⭕",
    "0%",
];
const CANCELLED: &[&str] = &[
    "cancelled",
    "canceled",
    "skipped",
    "skip",
    "won't do",
    "wont do",
    "won't fix",
    "wontfix",
    "dropped",
    "descoped",
    "obsolete",
    "n/a",
    "[-]",
    "❎",
    "🚫",
];

/// The status a word or mark names, if it is one we know.
fn lookup(word: &str) -> Option<TaskStatus> {
    if DONE.contains(&word) {
        Some(TaskStatus::Done)
    } else if DOING.contains(&word) {
        Some(TaskStatus::Doing)
    } else if TODO.contains(&word) {
        Some(TaskStatus::Todo)
    } else if CANCELLED.contains(&word) {
        Some(TaskStatus::Cancelled)
    } else {
        None
    }
}

/// Lowercase, mojibake repaired, emphasis and emoji variation selectors removed,
/// whitespace collapsed: the form the vocabulary is written in.
pub(crate) fn normalize(raw: &str) -> String {
    let repaired = repair_mojibake(raw);
    let cleaned: String = repaired.chars().filter(|c| *c != '\u{fe0f}').collect();
    let mut s = cleaned.trim();
    loop {
        let stripped = ["**", "__", "`", "*", "_", "~~"]
            .iter()
            .find_map(|w| s.strip_prefix(w).and_then(|x| x.strip_suffix(w)));
        match stripped {
            Some(inner) if !inner.is_empty() => s = inner.trim(),
            _ => break,
        }
    }
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Read a status cell or value. Unknown text reads as todo (and not simple); a known
/// mark or word at the start ("✅ Done (PR 12)") decides for the rest.
pub(crate) fn classify(raw: &str) -> Reading {
    let norm = normalize(raw);
    if let Some(status) = lookup(&norm) {
        return Reading {
            status,
            simple: true,
        };
    }
    let (head, tail) = split_head(&norm);
    if let Some(status) = lookup(head) {
        let simple = lookup(tail) == Some(status);
        return Reading { status, simple };
    }
    for (phrase, status) in [
        ("in progress", TaskStatus::Doing),
        ("not started", TaskStatus::Todo),
        ("won't do", TaskStatus::Cancelled),
    ] {
        if norm.starts_with(phrase) {
            return Reading {
                status,
                simple: false,
            };
        }
    }
    Reading {
        status: TaskStatus::Todo,
        simple: false,
    }
}

/// The first word (or leading emoji) and the rest.
fn split_head(norm: &str) -> (&str, &str) {
    if let Some(first) = norm.chars().next() {
        if !first.is_alphanumeric() && !"[-—–".contains(first) {
            let at = first.len_utf8();
            return (
                norm.get(..at).unwrap_or(""),
                norm.get(at..).unwrap_or("").trim(),
            );
        }
    }
    match norm.split_once(' ') {
        Some((head, tail)) => (head, tail.trim()),
        None => (norm, ""),
    }
}

/// The token to write for `target` in a cell that now reads `current`, in its style:
/// `[x]`/`[ ]` for brackets, `✅`/`🔄`/`⬜` for marks, `Done`/`In Progress`/`Todo` in the
/// case of the current word, or a mark and a word. `None` when the style cannot say it
/// (brackets cannot say doing).
pub(crate) fn default_token(current: &str, target: TaskStatus) -> Option<String> {
    let trimmed = current.trim();
    if trimmed.starts_with('[') && trimmed.ends_with(']') && trimmed.chars().count() <= 3 {
        return match target {
            TaskStatus::Done if trimmed.contains('X') => Some("[X]".into()),
            TaskStatus::Done => Some("[x]".into()),
            TaskStatus::Todo => Some("[ ]".into()),
            TaskStatus::Cancelled => Some("[-]".into()),
            TaskStatus::Doing => None,
        };
    }
    let repaired = repair_mojibake(trimmed);
    let (mark, word) = split_mark(&repaired);
    let mark_token = match target {
        TaskStatus::Done => "✅",
        TaskStatus::Doing => "🔄",
        TaskStatus::Todo => "⬜",
        TaskStatus::Cancelled => "🚫",
    };
    let word_token = case_like(word, target_word(target));
    Some(match (mark.is_empty(), word.is_empty()) {
        (false, true) => mark_token.to_string(),
        (false, false) => format!("{mark_token} {word_token}"),
        _ => word_token,
    })
}

/// A leading mark (any non-alphanumeric char, e.g. an emoji) and the word after it.
fn split_mark(s: &str) -> (&str, &str) {
    match s.chars().next() {
        Some(c) if !c.is_alphanumeric() && c != '-' => {
            let rest = s
                .get(c.len_utf8()..)
                .unwrap_or("")
                .trim_start_matches('\u{fe0f}');
            (s.get(..c.len_utf8()).unwrap_or(""), rest.trim())
        }
        _ => ("", s),
    }
}

/// The word written for a status in word-styled cells.
fn target_word(target: TaskStatus) -> &'static str {
    match target {
        TaskStatus::Done => "Done",
        TaskStatus::Doing => "In Progress",
        TaskStatus::Todo => "Todo",
        TaskStatus::Cancelled => "Cancelled",
    }
}

/// `word` in the case of `like`: all lower, all upper, or as given.
fn case_like(like: &str, word: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if !letters.is_empty() && letters.iter().all(|c| c.is_lowercase()) {
        word.to_lowercase()
    } else if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskStatus::*;

    fn read(s: &str) -> (TaskStatus, bool) {
        let r = classify(s);
        (r.status, r.simple)
    }

    #[test]
    fn reads_words_and_marks() {
        assert_eq!(read("✅"), (Done, true));
        assert_eq!(read(" ✅ Done "), (Done, true));
        assert_eq!(read("✔️"), (Done, true));
        assert_eq!(read("âœ…"), (Done, true));
        assert_eq!(read("**Complete**"), (Done, true));
        assert_eq!(read("🔄 In Progress"), (Doing, true));
        assert_eq!(read("WIP"), (Doing, true));
        assert_eq!(read("in_progress"), (Doing, true));
        assert_eq!(read(""), (Todo, true));
        assert_eq!(read("Not started"), (Todo, true));
        assert_eq!(read("cancelled"), (Cancelled, true));
        assert_eq!(read("Skipped"), (Cancelled, true));
        assert_eq!(read("[-]"), (Cancelled, true));
        assert_eq!(read("won't do: out of scope"), (Cancelled, false));
        assert_eq!(read("[x]"), (Done, true));
        assert_eq!(read("✅ Done (PR #12)"), (Done, false));
        assert_eq!(read("In progress since May"), (Doing, false));
        assert_eq!(read("waiting on legal"), (Todo, false));
    }

    #[test]
    fn writes_in_the_style_of_the_cell() {
        assert_eq!(default_token("✅", Todo).as_deref(), Some("⬜"));
        assert_eq!(default_token("⬜", Doing).as_deref(), Some("🔄"));
        assert_eq!(
            default_token("✅ Done", Doing).as_deref(),
            Some("🔄 In Progress")
        );
        assert_eq!(default_token("done", Doing).as_deref(), Some("in progress"));
        assert_eq!(default_token("TODO", Done).as_deref(), Some("DONE"));
        assert_eq!(default_token("Pending", Done).as_deref(), Some("Done"));
        assert_eq!(default_token("", Done).as_deref(), Some("Done"));
        assert_eq!(default_token("[ ]", Done).as_deref(), Some("[x]"));
        assert_eq!(default_token("[ ]", Doing), None);
        assert_eq!(default_token("âœ…", Todo).as_deref(), Some("⬜"));
        assert_eq!(default_token("[ ]", Cancelled).as_deref(), Some("[-]"));
        assert_eq!(
            default_token("✅ Done", Cancelled).as_deref(),
            Some("🚫 Cancelled")
        );
        assert_eq!(
            default_token("done", Cancelled).as_deref(),
            Some("cancelled")
        );
    }
}
