//! Triage keys → writes to the register, and their undo.
//!
//! A key acts on the issue the user saw (its id and the revision shown): the write it
//! asks for names that revision, so if another cockpit changed the issue meanwhile the
//! store refuses it and the refusal is shown, never applied over the other's change.
//! Undo writes back the issue as it was, based on the revision the undone write made.

use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use crate::domain::triage::Edit;
use crate::tui::action::Action;

/// A write the cockpit asks the store for.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Apply edits to the issue, which must still be at `base`.
    Edit {
        id: String,
        base: u64,
        edits: Vec<Edit>,
    },
    /// Put an issue back as it was (undo), if it is still at `base`.
    Restore { base: u64, previous: Box<Issue> },
}

/// What a key asks for when it needs more than the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The dismissal reason picker (then a note, and an expiry for accepted risk).
    Dismiss,
    Owner,
    NewIssue,
}

/// The outcome of a triage key on the selected issue.
#[derive(Debug, Clone, PartialEq)]
pub enum Triage {
    Write(Write),
    Ask(Prompt),
    /// The key changes nothing for this issue (e.g. accept on an open issue).
    Nothing,
}

/// The severity an action sets, if it is one of the five severity keys.
pub fn severity_of(action: Action) -> Option<Severity> {
    match action {
        Action::SeverityCritical => Some(Severity::Critical),
        Action::SeverityHigh => Some(Severity::High),
        Action::SeverityMedium => Some(Severity::Medium),
        Action::SeverityLow => Some(Severity::Low),
        Action::SeverityInfo => Some(Severity::Info),
        _ => None,
    }
}

/// The edit a triage action makes to `issue`, if it is a one-key edit (`None` also
/// when it would change nothing, e.g. accept on an open issue).
pub fn edit_for(action: Action, issue: &Issue) -> Option<Edit> {
    if let Some(severity) = severity_of(action) {
        return (issue.severity != severity).then_some(Edit::Severity(severity));
    }
    match action {
        Action::Accept => (issue.status == Status::New).then_some(Edit::Status(Status::Open)),
        Action::NextStatus => Some(Edit::Status(issue.status.next())),
        Action::Fixed => (issue.status != Status::Fixed).then_some(Edit::Status(Status::Fixed)),
        Action::Blocker => Some(Edit::Blocker(!issue.blocker)),
        _ => None,
    }
}

/// What a triage key does to the issue the user saw.
pub fn triage(action: Action, seen: &Issue) -> Triage {
    match action {
        Action::Dismiss => Triage::Ask(Prompt::Dismiss),
        Action::Owner => Triage::Ask(Prompt::Owner),
        Action::NewIssue => Triage::Ask(Prompt::NewIssue),
        _ => match edit_for(action, seen) {
            Some(edit) => Triage::Write(Write::Edit {
                id: seen.id.clone(),
                base: seen.revision,
                edits: vec![edit],
            }),
            None => Triage::Nothing,
        },
    }
}

/// Triage actions that can be undone, newest last.
#[derive(Debug, Clone, Default)]
pub struct UndoStack {
    entries: Vec<(Box<Issue>, u64)>,
}

/// Undo reaches back this many actions.
pub const UNDO_DEPTH: usize = 50;

impl UndoStack {
    /// Remember a write that succeeded: the issue before it, and the revision after.
    pub fn record(&mut self, before: Issue, revision_after: u64) {
        if self.entries.len() == UNDO_DEPTH {
            self.entries.remove(0);
        }
        self.entries.push((Box::new(before), revision_after));
    }

    /// The write that undoes the last action, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Option<Write> {
        let (previous, base) = self.entries.pop()?;
        Some(Write::Restore { base, previous })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::issue::Actor;

    fn seen() -> Issue {
        let actor = Actor {
            by: "ana".into(),
            at: "2026-11-22T10:00:00Z".into(),
            today: "2026-11-22".into(),
        };
        let mut issue = Issue::new(
            "PF-AAAAAA".into(),
            "t".into(),
            Severity::Medium,
            Status::New,
            &actor,
        );
        issue.revision = 7;
        issue
    }

    #[test]
    fn keys_become_edits_based_on_the_revision_seen() {
        let issue = seen();
        assert_eq!(
            triage(Action::SeverityCritical, &issue),
            Triage::Write(Write::Edit {
                id: "PF-AAAAAA".into(),
                base: 7,
                edits: vec![Edit::Severity(Severity::Critical)]
            })
        );
        assert_eq!(
            edit_for(Action::Accept, &issue),
            Some(Edit::Status(Status::Open))
        );
        assert_eq!(
            edit_for(Action::NextStatus, &issue),
            Some(Edit::Status(Status::Open))
        );
        assert_eq!(
            edit_for(Action::Fixed, &issue),
            Some(Edit::Status(Status::Fixed))
        );
        assert_eq!(edit_for(Action::Blocker, &issue), Some(Edit::Blocker(true)));
    }

    #[test]
    fn keys_that_change_nothing_write_nothing_and_prompts_ask() {
        let mut issue = seen();
        assert_eq!(triage(Action::SeverityMedium, &issue), Triage::Nothing);
        issue.status = Status::Open;
        assert_eq!(triage(Action::Accept, &issue), Triage::Nothing);
        assert_eq!(
            triage(Action::Dismiss, &issue),
            Triage::Ask(Prompt::Dismiss)
        );
        assert_eq!(triage(Action::Owner, &issue), Triage::Ask(Prompt::Owner));
        assert_eq!(triage(Action::Quit, &issue), Triage::Nothing);
    }

    #[test]
    fn undo_restores_the_issue_as_it_was_newest_first() {
        let mut undo = UndoStack::default();
        assert_eq!(undo.undo(), None);
        let first = seen();
        let mut second = seen();
        second.severity = Severity::High;
        second.revision = 8;
        undo.record(first.clone(), 8);
        undo.record(second.clone(), 9);
        assert_eq!(
            undo.undo(),
            Some(Write::Restore {
                base: 9,
                previous: Box::new(second)
            })
        );
        assert_eq!(
            undo.undo(),
            Some(Write::Restore {
                base: 8,
                previous: Box::new(first)
            })
        );
        assert!(undo.is_empty());
        for n in 0..(UNDO_DEPTH + 5) as u64 {
            undo.record(seen(), n);
        }
        assert_eq!(undo.entries.len(), UNDO_DEPTH);
    }
}
