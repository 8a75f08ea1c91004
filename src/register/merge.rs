//! `preflight merge-file BASE OURS THEIRS`: git's merge driver for issue files.
//!
//! git calls it as `%O %A %B` (the common ancestor, our version, their version, each a
//! temporary file) and reads the result back from OURS; exit 0 means merged, anything
//! else a conflict. Both sides come from other clones, so they are read as hostile:
//! at most [`MAX_ISSUE_FILE`] bytes, UTF-8, a valid issue. Two valid issues are always
//! merged by [`crate::domain::merge`]; git's own textual merge (with conflict markers)
//! is the fallback only for a side that is not a valid issue file, or for two
//! different issues that happen to share an id.

use crate::domain::issue::{HistoryEntry, Issue};
use crate::domain::merge::{merge, Clash};
use crate::fsutil::write_atomic;
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
    /// git's textual merge ran; `conflicts` hunks are left for a person.
    Textual { reason: String, conflicts: u32 },
}

/// Merge the issue files at `base`, `ours` and `theirs` into `ours`. `Err` is an I/O
/// failure (OURS cannot be read or written, git cannot be run).
pub fn merge_files(base: &Path, ours: &Path, theirs: &Path) -> Result<Outcome, String> {
    let base_text = read_bounded(base).ok().flatten().unwrap_or_default();
    let ours_text = read_side(ours, "ours")?;
    let theirs_text = read_side(theirs, "theirs")?;
    let merged = match (ours_text, theirs_text) {
        (Ok(o), Ok(t)) => merge_texts(&base_text, &o, &t),
        (Err(reason), _) | (_, Err(reason)) => Err(reason),
    };
    match merged {
        Ok((text, id, decided)) => {
            write_atomic(ours, text.as_bytes()).map_err(|e| format!("{e:#}"))?;
            Ok(Outcome::Merged { id, decided })
        }
        Err(reason) => {
            let conflicts = git_merge_file(base, ours, theirs)?;
            Ok(Outcome::Textual { reason, conflicts })
        }
    }
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

fn parse(text: &str, side: &str) -> Result<Issue, String> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
        format!(
            "{side} is not a valid issue file ({line}:{column}: {})",
            e.message().lines().next().unwrap_or("invalid")
        )
    })
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
        .then(|| toml::from_str::<Issue>(base).ok())
        .flatten();
    let merged = merge(o.as_ref(), &a, &b).map_err(|Clash(why)| why)?;
    let key = |h: &HistoryEntry| (h.at.clone(), h.by.clone(), h.change.clone());
    let known: HashSet<_> = a.history.iter().chain(&b.history).map(key).collect();
    let decided = merged
        .history
        .iter()
        .filter(|h| !known.contains(&key(h)))
        .count();
    let text = render_merged(base, ours, theirs, &merged)?;
    let back: Issue =
        toml::from_str(&text).map_err(|e| format!("merged text does not parse: {e}"))?;
    if back != merged {
        return Err("the merged text does not read back as the merged issue".into());
    }
    Ok((text, merged.id, decided))
}

/// The merged issue written over OURS' text: its layout and comments stay, notes and
/// history are written whole (merged entries may fall between ours), and keys people
/// added by hand are merged three ways.
fn render_merged(base: &str, ours: &str, theirs: &str, merged: &Issue) -> Result<String, String> {
    let doc = |text: &str| text.parse::<DocumentMut>().map_err(|e| e.to_string());
    let mut out = doc(ours)?;
    let theirs = doc(theirs)?;
    let base = doc(base).ok();
    out.remove("notes");
    out.remove("history");
    merge_people_keys(&mut out, base.as_ref(), &theirs);
    render(Some(&out.to_string()), merged).map_err(|e| e.to_string())
}

fn shown(item: &toml_edit::Item) -> String {
    item.to_string().trim().to_string()
}

/// Keys preflight does not own: added on one side → kept; removed on one side and
/// untouched on the other → removed; changed on both → ours.
fn merge_people_keys(out: &mut DocumentMut, base: Option<&DocumentMut>, theirs: &DocumentMut) {
    let in_base = |key: &str| base.and_then(|b| b.get(key)).map(shown);
    let people = |doc: &DocumentMut| -> Vec<String> {
        doc.iter()
            .map(|(k, _)| k.to_string())
            .filter(|k| !ISSUE_KEYS.contains(&k.as_str()))
            .collect()
    };
    for key in people(theirs) {
        let Some(item) = theirs.get(&key) else {
            continue;
        };
        let was = in_base(&key);
        match out.get(&key).map(shown) {
            None if was.as_deref() != Some(shown(item).as_str()) => {
                out.insert(&key, item.clone());
            }
            Some(mine) if was.as_deref() == Some(mine.as_str()) => {
                out.insert(&key, item.clone());
            }
            _ => {}
        }
    }
    for key in people(out) {
        let mine = out.get(&key).map(shown);
        if theirs.get(&key).is_none() && in_base(&key).is_some() && in_base(&key) == mine {
            out.remove(&key);
        }
    }
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
