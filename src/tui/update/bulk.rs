//! Triage keys on what the user saw: the highlighted issue, or every marked one as one
//! step (`space` marks, `v` a range, `*` all shown). One prompt for the lot; one
//! revision-checked write per issue; undo and redo a step at a time.

use super::{
    refuse_triage, triage, Action, Ask, Batch, BatchKind, Effect, Field, Issue, Model, Overlay,
    Prompt, Triage, Write,
};

/// The issues a triage key acts on, each at the revision the user saw: the marked ones
/// (and the range) when there are any, else the one highlighted in the last frame.
pub(super) fn targets(model: &Model) -> Vec<(String, u64)> {
    let marked = model.register.targets(&model.issues);
    if marked.is_empty() {
        return model.seen.clone().into_iter().collect();
    }
    let by_id = index(model);
    marked
        .into_iter()
        .filter_map(|id| {
            let issue = by_id.get(id.as_str())?;
            // The highlighted one at the revision of the last frame.
            let revision = match &model.seen {
                Some((seen, revision)) if *seen == id => *revision,
                _ => issue.revision,
            };
            Some((id, revision))
        })
        .collect()
}

/// The issues by id (a bulk key looks up every marked one).
pub(super) fn index(model: &Model) -> std::collections::HashMap<&str, &Issue> {
    model.issues.iter().map(|i| (i.id.as_str(), i)).collect()
}

/// Issues as the user saw them (a newer revision makes the store refuse the write).
fn seen_issues(model: &Model, targets: &[(String, u64)]) -> Vec<Issue> {
    let by_id = index(model);
    targets
        .iter()
        .filter_map(|(id, revision)| {
            let mut issue = (*by_id.get(id.as_str())?).clone();
            issue.revision = *revision;
            Some(issue)
        })
        .collect()
}

/// A triage key: writes for every target, or the prompt that asks for the rest.
pub(super) fn on_triage(model: &mut Model, action: Action) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let targets = targets(model);
    if targets.is_empty() {
        model.tell("no issue is highlighted");
        return Vec::new();
    }
    let seen = seen_issues(model, &targets);
    if seen.is_empty() {
        model.warn(format!("{} is gone from the register", targets[0].0));
        return Vec::new();
    }
    match triage(action, &seen) {
        Triage::Writes(writes) if writes.is_empty() => {
            let what = match &seen[..] {
                [one] => format!("{}: nothing to change ({})", one.id, one.status.as_str()),
                many => format!("nothing to change in the {} marked", many.len()),
            };
            model.tell(what);
            Vec::new()
        }
        Triage::Writes(writes) => {
            let label = label(action, &seen);
            write_batch(model, BatchKind::Do { label }, writes)
        }
        Triage::Ask(Prompt::Dismiss) => {
            model.overlay = Some(Overlay::Reasons {
                targets,
                selected: 0,
            });
            Vec::new()
        }
        Triage::Ask(Prompt::Owner) => {
            // One owner for all: the highlighted (or first) one's as the suggestion.
            let owner = seen[0].owner.clone().unwrap_or_default();
            model.overlay = Some(Overlay::Input {
                ask: Ask::Owner { targets },
                field: Field::prefilled(&owner),
                error: None,
            });
            Vec::new()
        }
        Triage::Ask(Prompt::Note) => {
            model.overlay = Some(Overlay::Input {
                ask: Ask::Note {
                    targets: targets.into_iter().map(|(id, _)| id).collect(),
                },
                field: Field::new(),
                error: None,
            });
            Vec::new()
        }
    }
}

/// What a one-key step did, for "25 issues: severity high".
fn label(action: Action, seen: &[Issue]) -> String {
    if let Some(severity) = crate::tui::triage::severity_of(action) {
        return format!("severity {}", severity.as_str());
    }
    match action {
        Action::Accept => "accepted".into(),
        Action::NextStatus => "status moved on".into(),
        Action::Fixed => "marked fixed".into(),
        Action::Blocker if seen.first().is_some_and(|i| i.blocker) => "not a blocker".into(),
        Action::Blocker => "release blocker".into(),
        other => other.name().into(),
    }
}

/// One batch of writes (one key), with the marks cleared once it is asked for.
pub(super) fn write_batch(model: &mut Model, kind: BatchKind, writes: Vec<Write>) -> Vec<Effect> {
    if writes.is_empty() {
        return Vec::new();
    }
    let marked = matches!(kind, BatchKind::Do { .. } | BatchKind::Note);
    let batch = model.batch(Batch::new(kind, writes.len()));
    if marked {
        model.register.marks.clear();
        model.register.anchor = None;
    }
    writes
        .into_iter()
        .map(|write| Effect::Write { batch, write })
        .collect()
}

/// `space`: mark or unmark the highlighted row, and move down (as in mutt and ranger).
pub(super) fn mark(model: &mut Model) -> Vec<Effect> {
    let Some(id) = model.register.selected.clone() else {
        return Vec::new();
    };
    if !model.register.marks.remove(&id) {
        model.register.marks.insert(id);
    }
    model.register.move_by(&model.issues, 1);
    say_marks(model);
    Vec::new()
}

/// `v`: start a range at the highlighted row; again: keep it as marks.
pub(super) fn range(model: &mut Model) -> Vec<Effect> {
    if model.register.anchor.is_some() {
        let ids = model.register.targets(&model.issues);
        model.register.marks.extend(ids);
        model.register.anchor = None;
    } else {
        model.register.anchor = model.register.selected.clone();
    }
    say_marks(model);
    Vec::new()
}

/// `*`: mark every row shown.
pub(super) fn mark_all(model: &mut Model) -> Vec<Effect> {
    let ids: Vec<String> = model
        .register
        .rows(&model.issues)
        .iter()
        .map(|i| i.id.clone())
        .collect();
    model.register.marks.extend(ids);
    model.register.anchor = None;
    say_marks(model);
    Vec::new()
}

pub(super) fn unmark(model: &mut Model) -> Vec<Effect> {
    model.register.marks.clear();
    model.register.anchor = None;
    model.tell("no marks");
    Vec::new()
}

fn say_marks(model: &mut Model) {
    let n = model.register.marked_count(&model.issues);
    let range = if model.register.anchor.is_some() {
        " (range: move to extend, v keeps it)"
    } else {
        ""
    };
    model.tell(format!(
        "{n} marked{range}: triage keys act on all of them · U clears"
    ));
}

/// `u` and `ctrl-r`: undo (or redo) the newest step, all its issues at once.
pub(super) fn undo(model: &mut Model, redo: bool) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let step = if redo {
        model.undo.take_redo()
    } else {
        model.undo.take_undo()
    };
    let Some(step) = step else {
        model.tell(if redo {
            "nothing to redo"
        } else {
            "nothing to undo"
        });
        return Vec::new();
    };
    let writes = step.writes(redo);
    write_batch(model, BatchKind::Undo { step, redo }, writes)
}
