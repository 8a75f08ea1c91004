//! An issue edited by hand in `$EDITOR` (the cockpit's `e`), like `kubectl edit`: the
//! user edits a copy kept in local state; the save goes through the same revision
//! check as every write and gets an "edited" line in the history. A copy that does not
//! read as an issue is refused with `file:line:column` and kept, so the user can edit
//! it again without losing what they typed.

use super::{read_issue, render, Store, WriteError};
use crate::domain::issue::{Actor, Issue, Status};
use crate::fsutil::write_atomic;
use std::path::PathBuf;
use toml_edit::DocumentMut;

/// A copy larger than this is not read back.
const EDIT_MAX: u64 = 1024 * 1024;

/// Why an edit was not saved. Nothing was written in either case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The copy does not read as this issue (`file:line:column: what`); it is kept.
    Invalid(String),
    /// The write was refused (stale, locked…).
    Write(WriteError),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Invalid(why) => f.write_str(why),
            EditError::Write(e) => e.fmt(f),
        }
    }
}

impl From<WriteError> for EditError {
    fn from(e: WriteError) -> EditError {
        EditError::Write(e)
    }
}

impl Store {
    /// Where the copy of `id` being edited is kept (local state, never committed).
    pub fn edit_copy(&self, id: &str) -> PathBuf {
        let state = self
            .lock_path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        state.join("edits").join(format!("{id}.toml"))
    }

    /// Start editing `id`: a fresh copy of its file; returns the copy's path.
    pub fn begin_edit(&self, id: &str) -> Result<PathBuf, WriteError> {
        let (_, text) = read_issue(&self.path_of(id)).map_err(WriteError::Malformed)?;
        let copy = self.edit_copy(id);
        write_atomic(&copy, text.as_bytes()).map_err(|e| WriteError::Io(format!("{e:#}")))?;
        Ok(copy)
    }

    /// Save the edited copy of `id`, which was at revision `base` when the edit began.
    /// History and notes stay append-only; `id`, `created` and `revision` are the
    /// register's, whatever the copy says. On success the copy is removed.
    pub fn save_edit(&self, id: &str, base: u64, actor: &Actor) -> Result<Issue, EditError> {
        let copy = self.edit_copy(id);
        let text = crate::fsutil::read_tail(&copy, EDIT_MAX + 1)
            .map_err(|e| EditError::Invalid(format!("{}: {e}", copy.display())))?
            .0;
        if text.len() as u64 > EDIT_MAX {
            return Err(EditError::Invalid(format!(
                "{}: larger than 1 MiB",
                copy.display()
            )));
        }
        let edited: Issue = toml::from_str(&text).map_err(|e| {
            let (line, column) = crate::config::line_column(&text, e.span().map_or(0, |s| s.start));
            let what = e
                .message()
                .lines()
                .next()
                .unwrap_or("not an issue")
                .to_string();
            EditError::Invalid(format!("{}:{line}:{column}: {what}", copy.display()))
        })?;
        if edited.id != id {
            return Err(EditError::Invalid(format!(
                "{}: the id says `{}`: an issue's id cannot change (it is {id})",
                copy.display(),
                edited.id
            )));
        }
        if edited.status == Status::Dismissed && edited.dismissal.is_none() {
            return Err(EditError::Invalid(format!(
                "{}: status is dismissed but there is no [dismissal] with a reason",
                copy.display()
            )));
        }
        let lock = self.lock()?;
        let current = self.read(id)?;
        if current.revision != base {
            return Err(EditError::Write(WriteError::Stale {
                id: id.to_string(),
                base,
                current: current.revision,
            }));
        }
        let changed = changed_fields(&current, &edited);
        let new_notes: Vec<_> = edited
            .notes
            .iter()
            .filter(|n| !current.notes.contains(n))
            .cloned()
            .collect();
        if changed.is_empty() && new_notes.is_empty() {
            let _ = std::fs::remove_file(&copy);
            return Ok(current);
        }
        let mut saved = edited;
        saved.created = current.created.clone();
        saved.history = current.history.clone();
        saved.notes = current.notes.clone();
        saved.notes.extend(new_notes);
        saved.updated = actor.at.clone();
        saved.revision = base + 1;
        if !changed.is_empty() {
            saved.log(
                &actor.at,
                &actor.by,
                format!("edited: {}", changed.join(", ")),
            );
        }
        // The user's text is the base (their comments and layout stay); history and
        // notes are written from the register's, append-only.
        let mut doc: DocumentMut = text
            .parse()
            .map_err(|e| EditError::Invalid(format!("{}: {e}", copy.display())))?;
        doc.remove("history");
        doc.remove("notes");
        let rendered = render(Some(&doc.to_string()), &saved)?;
        write_atomic(&self.path_of(id), rendered.as_bytes())
            .map_err(|e| WriteError::Io(format!("{e:#}")))?;
        drop(lock);
        let _ = std::fs::remove_file(&copy);
        Ok(saved)
    }
}

/// The fields an edit changed, by name.
fn changed_fields(old: &Issue, new: &Issue) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("title", old.title == new.title);
    check("severity", old.severity == new.severity);
    check("status", old.status == new.status);
    check("blocker", old.blocker == new.blocker);
    check("regression", old.regression == new.regression);
    check("owner", old.owner == new.owner);
    check("effort", old.effort == new.effort);
    check("area", old.area == new.area);
    check("impact", old.impact == new.impact);
    check("evidence", old.evidence == new.evidence);
    check("repro", old.repro == new.repro);
    check("root_cause", old.root_cause == new.root_cause);
    check("fix", old.fix == new.fix);
    check("task", old.task == new.task);
    check("finding", old.finding == new.finding);
    check("dismissal", old.dismissal == new.dismissal);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity;

    fn actor() -> Actor {
        crate::store::actor_named("ana".into())
    }

    fn store() -> (tempfile::TempDir, Store, Issue) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("issues"), dir.path().join("state/lock"));
        let mut issue = Issue::new(
            "PF-AAAAAA".into(),
            "Cache cascade".into(),
            Severity::High,
            Status::Open,
            &actor(),
        );
        issue.log("2026-11-22T10:00:00Z", "ana", "filed by hand");
        let lock = store.lock().unwrap();
        store.create(&lock, &mut issue).unwrap();
        (dir, store, issue)
    }

    #[test]
    fn a_good_save_is_revision_checked_logged_and_keeps_the_users_comments() {
        let (_dir, store, issue) = store();
        let copy = store.begin_edit(&issue.id).unwrap();
        let text = std::fs::read_to_string(&copy).unwrap();
        let text = text.replace(
            "severity = \"high\"",
            "# why: prod only\nseverity = \"low\"",
        );
        // Someone deleting history in the editor does not rewrite it.
        let text = text.replace("filed by hand", "forged");
        std::fs::write(&copy, text).unwrap();
        let saved = store.save_edit(&issue.id, 1, &actor()).unwrap();
        assert_eq!(saved.severity, Severity::Low);
        assert_eq!(saved.revision, 2);
        let on_disk = std::fs::read_to_string(store.path_of(&issue.id)).unwrap();
        assert!(on_disk.contains("# why: prod only"), "{on_disk}");
        assert!(on_disk.contains("filed by hand") && !on_disk.contains("forged"));
        assert_eq!(saved.history.last().unwrap().change, "edited: severity");
        assert!(!copy.exists(), "the copy is gone once saved");
        assert_eq!(store.read(&issue.id).unwrap(), saved);
    }

    #[test]
    fn a_bad_save_says_where_and_keeps_the_text() {
        let (_dir, store, issue) = store();
        let copy = store.begin_edit(&issue.id).unwrap();
        let text = std::fs::read_to_string(&copy).unwrap();
        let line = text
            .lines()
            .position(|l| l.starts_with("severity"))
            .unwrap()
            + 1;
        std::fs::write(&copy, text.replace("\"high\"", "\"urgent\"")).unwrap();
        let error = store.save_edit(&issue.id, 1, &actor()).unwrap_err();
        let EditError::Invalid(message) = &error else {
            panic!("{error:?}")
        };
        assert!(
            message.contains(&format!("PF-AAAAAA.toml:{line}:12")),
            "{message}"
        );
        assert!(std::fs::read_to_string(&copy).unwrap().contains("urgent"));
        assert_eq!(
            store.read(&issue.id).unwrap().revision,
            1,
            "nothing written"
        );
    }

    #[test]
    fn a_stale_save_is_refused_and_the_id_cannot_change() {
        let (_dir, store, issue) = store();
        let copy = store.begin_edit(&issue.id).unwrap();
        store
            .update(&issue.id, Some(1), &actor(), |i, _| {
                i.owner = Some("sam".into());
                Ok(())
            })
            .unwrap();
        let error = store.save_edit(&issue.id, 1, &actor()).unwrap_err();
        assert!(matches!(
            error,
            EditError::Write(WriteError::Stale { current: 2, .. })
        ));
        let text = std::fs::read_to_string(&copy).unwrap();
        std::fs::write(&copy, text.replace("PF-AAAAAA", "PF-BBBBBB")).unwrap();
        let error = store.save_edit(&issue.id, 2, &actor()).unwrap_err();
        assert!(error.to_string().contains("cannot change"), "{error}");
    }
}
