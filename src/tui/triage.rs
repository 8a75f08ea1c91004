//! Triage keys → writes to the register, and their undo and redo.
//!
//! A key acts on the issues the user saw (the highlighted one at the revision shown,
//! or the marked ones): each write names that revision, so if another cockpit changed
//! an issue meanwhile the store refuses the write and the refusal is shown, never
//! applied over the other's change.
//!
//! Undo is a stack of *steps*; a step is everything one key did (one issue, or every
//! marked one), so a bulk dismissal is undone with one `u`. Undoing a step writes each
//! issue back as it was, based on the revision this cockpit's own write made; when it
//! lands, older steps on that issue are re-based onto the revision the undo made, so
//! `u` walks back every change of this cockpit, in order, on any issue. `ctrl-r` redoes.

use crate::domain::finding::Severity;
use crate::domain::issue::{DismissReason, Issue, Status};
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
    Dismiss {
        id: String,
        base: u64,
        reason: DismissReason,
        note: Option<String>,
        expires: Option<String>,
    },
    /// Add a note. Notes are append-only and never conflict, so a note is added to the
    /// issue as it is on disk, whatever its revision.
    Note { id: String, text: String },
    /// Put an issue back as it was (undo or redo), if it is still at `base`.
    Restore {
        base: u64,
        previous: Box<Issue>,
        redo: bool,
    },
}

impl Write {
    /// The issue it writes.
    pub fn id(&self) -> &str {
        match self {
            Write::Edit { id, .. } | Write::Dismiss { id, .. } | Write::Note { id, .. } => id,
            Write::Restore { previous, .. } => &previous.id,
        }
    }
}

/// What a key asks for when it needs more than the key itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The dismissal reason picker (then a note, and an expiry for accepted risk).
    Dismiss,
    Owner,
    Note,
}

/// The outcome of a triage key on the issues it targets.
#[derive(Debug, Clone, PartialEq)]
pub enum Triage {
    /// One write per issue that the key changes (possibly none).
    Writes(Vec<Write>),
    Ask(Prompt),
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

/// The edit a one-key triage action makes to `issue` (`None` also when it would change
/// nothing, e.g. accept on an open issue). `blocker` is what `b` sets: the opposite of
/// the highlighted issue's, for every marked issue alike.
pub fn edit_for(action: Action, issue: &Issue, blocker: bool) -> Option<Edit> {
    if let Some(severity) = severity_of(action) {
        return (issue.severity != severity).then_some(Edit::Severity(severity));
    }
    match action {
        Action::Accept => (issue.status == Status::New).then_some(Edit::Status(Status::Open)),
        Action::NextStatus => Some(Edit::Status(issue.status.next())),
        Action::Fixed => (issue.status != Status::Fixed).then_some(Edit::Status(Status::Fixed)),
        Action::Blocker => (issue.blocker != blocker).then_some(Edit::Blocker(blocker)),
        _ => None,
    }
}

/// What a triage key does to the issues the user saw (each at the revision shown).
/// The first is the highlighted one (or the first marked).
pub fn triage(action: Action, seen: &[Issue]) -> Triage {
    match action {
        Action::Dismiss => Triage::Ask(Prompt::Dismiss),
        Action::Owner => Triage::Ask(Prompt::Owner),
        Action::Note => Triage::Ask(Prompt::Note),
        _ => {
            let blocker = !seen.first().is_some_and(|i| i.blocker);
            Triage::Writes(
                seen.iter()
                    .filter_map(|issue| {
                        edit_for(action, issue, blocker).map(|edit| Write::Edit {
                            id: issue.id.clone(),
                            base: issue.revision,
                            edits: vec![edit],
                        })
                    })
                    .collect(),
            )
        }
    }
}

/// One issue of an undoable step: the issue before the write, and the revision the
/// write made (what an undo must find to put it back).
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub before: Issue,
    pub after: u64,
}

/// Everything one key did: undone and redone as one.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What it did, for notices ("dismissed 25 (false-positive)").
    pub label: String,
    pub parts: Vec<Part>,
}

impl Step {
    /// The writes that undo (or redo) this step.
    pub fn writes(&self, redo: bool) -> Vec<Write> {
        self.parts
            .iter()
            .map(|part| Write::Restore {
                base: part.after,
                previous: Box::new(part.before.clone()),
                redo,
            })
            .collect()
    }
}

/// Steps that can be undone (newest last) and undone steps that can be redone.
/// Invariant: every part's `after` is the revision its issue has when nothing else
/// wrote it since (kept so by [`UndoStack::rebase`]).
#[derive(Debug, Clone, Default)]
pub struct UndoStack {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

/// Undo reaches back this many steps.
pub const UNDO_DEPTH: usize = 100;

impl UndoStack {
    /// Remember a new step (a key's writes that succeeded); the redo list is dropped,
    /// as in every editor.
    pub fn record(&mut self, step: Step) {
        self.redo.clear();
        self.push_undo(step);
    }

    fn push_undo(&mut self, step: Step) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push(step);
    }

    /// The newest step to undo, taken off the stack (put it back with
    /// [`UndoStack::refused`] if its writes are refused).
    pub fn take_undo(&mut self) -> Option<Step> {
        self.undo.pop()
    }

    pub fn take_redo(&mut self) -> Option<Step> {
        self.redo.pop()
    }

    /// Parts of an undo (or redo) that were refused: their step stays where it was.
    pub fn refused(&mut self, step: Step, redo: bool) {
        if redo {
            self.redo.push(step);
        } else {
            self.push_undo(step);
        }
    }

    /// Parts of an undo (or redo) that were written: the opposite list gets them.
    pub fn done(&mut self, step: Step, redo: bool) {
        if redo {
            self.push_undo(step);
        } else {
            self.redo.push(step);
        }
    }

    /// `id` was put back into the state it had at revision `from` by a write that
    /// made revision `to`: steps that expected `from` now expect `to`.
    pub fn rebase(&mut self, id: &str, from: u64, to: u64) {
        for step in self.undo.iter_mut().chain(self.redo.iter_mut()) {
            for part in &mut step.parts {
                if part.before.id == id && part.after == from {
                    part.after = to;
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// Why a write was not done. For a stale base, the revision found instead and who
/// wrote it (its last history line), so the cockpit can say whether that was itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub id: String,
    /// The store's one-line reason.
    pub text: String,
    pub stale: Option<Stale>,
}

/// An issue that moved on since the revision a write was based on.
#[derive(Debug, Clone, PartialEq)]
pub struct Stale {
    pub current: u64,
    pub by: String,
}

impl Refusal {
    pub fn new(id: &str, text: impl Into<String>) -> Refusal {
        Refusal {
            id: id.to_string(),
            text: text.into(),
            stale: None,
        }
    }
}

/// What a batch of writes was for.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchKind {
    /// A triage key (or an `$EDITOR` save): undoable as one step.
    Do { label: String },
    /// Undoing (or redoing) this step.
    Undo { step: Step, redo: bool },
    /// Notes (append-only: not undoable).
    Note,
    /// A new issue.
    Create,
}

/// The writes of one key, answered one by one (`Msg::Wrote`); when the last answer is
/// in, the step is recorded and the refusals said. Invariant: `done.len() +
/// refused.len() <= expected`.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub kind: BatchKind,
    pub expected: usize,
    /// Each issue before and after its write.
    pub done: Vec<(Issue, Issue)>,
    /// Each refused issue and why.
    pub refused: Vec<(String, String)>,
}

impl Batch {
    pub fn new(kind: BatchKind, expected: usize) -> Batch {
        Batch {
            kind,
            expected,
            done: Vec::new(),
            refused: Vec::new(),
        }
    }

    pub fn complete(&self) -> bool {
        self.done.len() + self.refused.len() >= self.expected
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
            triage(Action::SeverityCritical, std::slice::from_ref(&issue)),
            Triage::Writes(vec![Write::Edit {
                id: "PF-AAAAAA".into(),
                base: 7,
                edits: vec![Edit::Severity(Severity::Critical)]
            }])
        );
        assert_eq!(
            edit_for(Action::Accept, &issue, true),
            Some(Edit::Status(Status::Open))
        );
        assert_eq!(
            edit_for(Action::NextStatus, &issue, true),
            Some(Edit::Status(Status::Open))
        );
        assert_eq!(
            edit_for(Action::Fixed, &issue, true),
            Some(Edit::Status(Status::Fixed))
        );
        assert_eq!(
            edit_for(Action::Blocker, &issue, true),
            Some(Edit::Blocker(true))
        );
    }

    #[test]
    fn keys_that_change_nothing_write_nothing_and_prompts_ask() {
        let mut issue = seen();
        let one = |i: &Issue| vec![i.clone()];
        assert_eq!(
            triage(Action::SeverityMedium, &one(&issue)),
            Triage::Writes(vec![])
        );
        issue.status = Status::Open;
        assert_eq!(triage(Action::Accept, &one(&issue)), Triage::Writes(vec![]));
        assert_eq!(
            triage(Action::Dismiss, &one(&issue)),
            Triage::Ask(Prompt::Dismiss)
        );
        assert_eq!(
            triage(Action::Owner, &one(&issue)),
            Triage::Ask(Prompt::Owner)
        );
        assert_eq!(triage(Action::Quit, &one(&issue)), Triage::Writes(vec![]));
    }

    #[test]
    fn a_bulk_key_writes_each_issue_that_it_changes_and_blocker_follows_the_first() {
        let mut a = seen();
        a.id = "PF-A".into();
        let mut b = seen();
        b.id = "PF-B".into();
        b.severity = Severity::High;
        b.blocker = true;
        let writes = |action| match triage(action, &[a.clone(), b.clone()]) {
            Triage::Writes(w) => w.iter().map(|w| w.id().to_string()).collect::<Vec<_>>(),
            Triage::Ask(_) => panic!(),
        };
        assert_eq!(writes(Action::SeverityHigh), ["PF-A"]);
        // The first is not a blocker: `b` makes both blockers (b already is).
        assert_eq!(writes(Action::Blocker), ["PF-A"]);
    }

    fn step(id: &str, before_rev: u64, after: u64) -> Step {
        let mut before = seen();
        before.id = id.into();
        before.revision = before_rev;
        Step {
            label: String::new(),
            parts: vec![Part { before, after }],
        }
    }

    #[test]
    fn undo_walks_back_every_step_on_one_issue_by_rebasing_older_steps() {
        // `b` (rev 1 → 2), `o sam` (2 → 3).
        let mut undo = UndoStack::default();
        undo.record(step("PF-A", 1, 2));
        undo.record(step("PF-A", 2, 3));
        // `u`: restores the state of rev 2, based on 3; the store makes rev 4.
        let top = undo.take_undo().unwrap();
        assert!(matches!(
            &top.writes(false)[..],
            [Write::Restore { base: 3, .. }]
        ));
        undo.rebase("PF-A", 2, 4);
        undo.done(step("PF-A", 3, 4), false);
        // `u` again: based on 4, not on the stale 2.
        let next = undo.take_undo().unwrap();
        assert!(matches!(
            &next.writes(false)[..],
            [Write::Restore { base: 4, .. }]
        ));
        undo.rebase("PF-A", 1, 5);
        undo.done(step("PF-A", 4, 5), false);
        assert!(undo.is_empty());
        // Redo the first undo (state of rev 4, base 5 → 6); the other redo re-bases.
        let redo = undo.take_redo().unwrap();
        assert!(matches!(
            &redo.writes(true)[..],
            [Write::Restore { base: 5, .. }]
        ));
        undo.rebase("PF-A", 4, 6);
        let last = undo.take_redo().unwrap();
        assert!(matches!(
            &last.writes(true)[..],
            [Write::Restore { base: 6, .. }]
        ));
    }

    #[test]
    fn a_refused_step_stays_and_new_steps_drop_the_redo_list() {
        let mut undo = UndoStack::default();
        undo.record(step("PF-A", 1, 2));
        let top = undo.take_undo().unwrap();
        undo.refused(top.clone(), false);
        assert_eq!(undo.take_undo(), Some(top.clone()));
        undo.done(top, false);
        assert!(undo.can_redo());
        undo.record(step("PF-B", 1, 2));
        assert!(!undo.can_redo());
        for n in 0..(UNDO_DEPTH + 5) as u64 {
            undo.record(step("PF-C", n, n + 1));
        }
        assert_eq!(undo.undo.len(), UNDO_DEPTH);
    }
}
