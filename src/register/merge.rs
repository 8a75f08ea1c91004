//! `preflight merge-file BASE OURS THEIRS`: git's merge driver for issue files.
//!
//! git calls it as `%O %A %B` (the common ancestor, our version, their version, each a
//! temporary file) and reads the result back from OURS; exit 0 means merged, anything
//! else a conflict. Both sides come from other clones, so they are read as hostile:
//! at most [`MAX_ISSUE_FILE`] bytes, UTF-8, a valid issue. Two valid issues are always
//! merged by [`crate::domain::merge`]; git's own textual merge (with conflict markers)
//! is the fallback only for a side that is not a valid issue file, or for two
//! different issues that happen to share an id.

use crate::domain::issue::{HistoryEntry, Issue, Note};
use crate::domain::merge::{merge, Clash};
use crate::store::{render, ISSUE_KEYS};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use toml_edit::DocumentMut;

/// Largest issue file read. A real one is a few KiB; one with a thousand notes about
/// 200 KiB.
pub const MAX_ISSUE_FILE: u64 = 8 * 1024 * 1024;

/// What the driver did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// OURS now holds the merged issue.
    Merged {
        id: String,
        /// Fields both sides changed differently (each logged in the issue's history).
        decided: usize,
    },
    /// OURS now holds the merged baseline (`.preflight/baseline.toml`).
    Baseline {
        entries: usize,
        /// Entries both sides changed differently (the more severe version kept).
        decided: usize,
    },
    /// git's textual merge ran; `conflicts` hunks are left for a person.
    Textual { reason: String, conflicts: u32 },
}

/// Merge the issue files at `base`, `ours` and `theirs` into `ours`. `Err` is an I/O
/// failure (OURS cannot be read or written, git cannot be run).
pub fn merge_files(base: &Path, ours: &Path, theirs: &Path) -> Result<Outcome, String> {
    let base_text = read_bounded(base).ok().flatten().unwrap_or_default();
    let ours_text = read_side(ours, "ours")?;
    let theirs_text = read_side(theirs, "theirs")?;
    if let (Ok(o), Ok(t)) = (&ours_text, &theirs_text) {
        if let Some(merged) = merge_baselines(&base_text, o, t) {
            let (text, entries, decided) = merged?;
            std::fs::write(ours, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", ours.display()))?;
            return Ok(Outcome::Baseline { entries, decided });
        }
    }
    let merged = match (ours_text, theirs_text) {
        (Ok(o), Ok(t)) => merge_texts(&base_text, &o, &t),
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    };
    match merged {
        Ok((text, id, decided)) => {
            // A plain write: git reads the result back at once and makes it an object
            // itself; an fsync would only cost time (a crash mid-merge fails the merge).
            std::fs::write(ours, text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", ours.display()))?;
            Ok(Outcome::Merged { id, decided })
        }
        Err(reason) => {
            let conflicts = git_merge_file(base, ours, theirs)?;
            Ok(Outcome::Textual { reason, conflicts })
        }
    }
}

/// Both sides are baselines (the driver is routed `.preflight/baseline.toml` too): the
/// merged text, its entries and decisions. `None` when either side is no baseline.
/// A base that is no baseline counts as none (every entry an addition).
fn merge_baselines(
    base: &str,
    ours: &str,
    theirs: &str,
) -> Option<Result<(String, usize, usize), String>> {
    use crate::register::baseline::{parse, render};
    let a = parse(ours, "ours").ok()?;
    let b = parse(theirs, "theirs").ok()?;
    let o = parse(base, "base").unwrap_or_default();
    let (merged, decided) = crate::domain::baseline::merge(&o, &a, &b);
    Some(render(&merged).map(|text| (text, merged.len(), decided)))
}

/// A side's text, or (inner `Err`) why it is not a valid issue file. The outer `Err`
/// is an I/O failure.
fn read_side(path: &Path, side: &str) -> Result<Result<String, String>, String> {
    match read_bounded(path) {
        Ok(Some(text)) => Ok(Ok(text)),
        Ok(None) => Ok(Err(format!("{side} is empty"))),
        Err(Bounded::TooLarge) => Ok(Err(format!(
            "{side} is larger than {} MiB",
            MAX_ISSUE_FILE / 1024 / 1024
        ))),
        Err(Bounded::NotText) => Ok(Err(format!("{side} is not UTF-8 text"))),
        Err(Bounded::Io(e)) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

enum Bounded {
    TooLarge,
    NotText,
    Io(std::io::Error),
}

/// The file's text; `None` when it is absent or empty (git's BASE of an add/add).
fn read_bounded(path: &Path) -> Result<Option<String>, Bounded> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Bounded::Io(e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_ISSUE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(Bounded::Io)?;
    if bytes.len() as u64 > MAX_ISSUE_FILE {
        return Err(Bounded::TooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Bounded::NotText)
}

/// One side, parsed once: the issue, and the keys people added by hand (which the
/// issue does not hold).
struct Parsed {
    issue: Issue,
    people: toml::Table,
}

fn parse(text: &str, side: &str) -> Result<Parsed, String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
        format!(
            "{side} is not a valid issue file ({line}:{column}: {})",
            e.message().lines().next().unwrap_or("invalid")
        )
    })?;
    let people_keys: Vec<String> = table
        .keys()
        .filter(|k| !ISSUE_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    let mut people = toml::Table::new();
    for key in people_keys {
        if let Some(value) = table.remove(&key) {
            people.insert(key, value);
        }
    }
    let issue = toml::Value::Table(table).try_into::<Issue>().map_err(|e| {
        format!(
            "{side} is not a valid issue file ({})",
            first_line(&e.to_string())
        )
    })?;
    Ok(Parsed { issue, people })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("invalid")
}

/// Merge three texts; `Ok((merged text, id, decisions))`, or why git's textual merge
/// must do. An empty `base` is an add/add; a base that is not a valid issue counts as
/// none.
pub fn merge_texts(
    base: &str,
    ours: &str,
    theirs: &str,
) -> Result<(String, String, usize), String> {
    let a = parse(ours, "ours")?;
    let b = parse(theirs, "theirs")?;
    let o = (!base.trim().is_empty())
        .then(|| parse(base, "base").ok())
        .flatten();
    let merged =
        merge(o.as_ref().map(|o| &o.issue), &a.issue, &b.issue).map_err(|Clash(why)| why)?;
    let key = |h: &HistoryEntry| (h.at.clone(), h.by.clone(), h.change.clone());
    let known: HashSet<_> = a
        .issue
        .history
        .iter()
        .chain(&b.issue.history)
        .map(key)
        .collect();
    let decided = merged
        .history
        .iter()
        .filter(|h| !known.contains(&key(h)))
        .count();
    let people = merge_people_keys(o.as_ref().map(|o| &o.people), &a.people, &b.people);
    let text = render_merged(ours, &a.people, &people, &merged)?;
    let back: Issue = toml::from_str(&text)
        .map_err(|e| format!("merged text does not parse: {}", first_line(&e.to_string())))?;
    if back != merged {
        return Err("the merged text does not read back as the merged issue".into());
    }
    Ok((text, merged.id, decided))
}

/// Notes and history, written after everything else.
#[derive(serde::Serialize)]
struct Lists<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [Note],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    history: &'a [HistoryEntry],
}

/// The merged issue written over OURS' text: its layout and comments stay; notes and
/// history are written whole after the rest (merged entries may fall between ours);
/// keys people added by hand are as [`merge_people_keys`] decided.
fn render_merged(
    ours: &str,
    ours_people: &toml::Table,
    people: &toml::Table,
    merged: &Issue,
) -> Result<String, String> {
    let mut doc: DocumentMut = ours.parse().map_err(|e| format!("ours: {e}"))?;
    doc.remove("notes");
    doc.remove("history");
    for key in ours_people.keys() {
        if !people.contains_key(key) {
            doc.remove(key);
        }
    }
    for (key, value) in people {
        if ours_people.get(key) != Some(value) {
            let one: toml::Table = [(key.clone(), value.clone())].into_iter().collect();
            let text = toml::to_string(&one).map_err(|e| e.to_string())?;
            let parsed: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
            if let Some(item) = parsed.get(key) {
                doc.insert(key, item.clone());
            }
        }
    }
    let mut head = merged.clone();
    head.notes = Vec::new();
    head.history = Vec::new();
    let mut text = render(Some(&doc.to_string()), &head).map_err(|e| e.to_string())?;
    let lists = toml::to_string_pretty(&Lists {
        notes: &merged.notes,
        history: &merged.history,
    })
    .map_err(|e| e.to_string())?;
    if !lists.is_empty() {
        if !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(&lists);
    }
    Ok(text)
}

/// Keys preflight does not own, merged three ways: added or changed on one side →
/// that side; removed on one side and untouched on the other → removed; changed on
/// both → ours.
fn merge_people_keys(
    base: Option<&toml::Table>,
    ours: &toml::Table,
    theirs: &toml::Table,
) -> toml::Table {
    let was = |key: &str| base.and_then(|b| b.get(key));
    let mut out = toml::Table::new();
    for (key, mine) in ours {
        match theirs.get(key) {
            Some(other) if was(key) == Some(mine) => out.insert(key.clone(), other.clone()),
            Some(_) => out.insert(key.clone(), mine.clone()),
            None if was(key) == Some(mine) => None,
            None => out.insert(key.clone(), mine.clone()),
        };
    }
    for (key, other) in theirs {
        if !ours.contains_key(key) && was(key) != Some(other) {
            out.insert(key.clone(), other.clone());
        }
    }
    out
}

/// git's own line merge into `ours`; the number of conflict hunks left.
fn git_merge_file(base: &Path, ours: &Path, theirs: &Path) -> Result<u32, String> {
    let base = if base.is_file() {
        base
    } else {
        Path::new("/dev/null")
    };
    let status = Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(ours)
        .arg(base)
        .arg(theirs)
        .status()
        .map_err(|e| format!("cannot run git merge-file: {e}"))?;
    match status.code() {
        Some(n) if n >= 0 => Ok(n as u32),
        _ => Err(format!("git merge-file failed ({status})")),
    }
}

#[cfg(test)]
mod tests;
