//! What this cockpit's writes did: each answer shown at once, its row moved, and when
//! a key's last write is answered, the step recorded for undo and the refusals said.

use super::{
    act, fix_offsets, key_now, record, Batch, BatchKind, Effect, Issue, Model, Overlay, Placed,
    Refusal,
};
use crate::tui::log::Who;
use crate::tui::model::Pending;
use crate::tui::triage::{Part, Step};

/// One write of a batch was answered.
pub(super) fn on_wrote(
    model: &mut Model,
    batch: u64,
    before: Option<Box<Issue>>,
    result: Result<Issue, Refusal>,
) {
    let kind = model.batches.get(&batch).map(|b| b.kind.clone());
    match result {
        Ok(issue) => {
            if let Some(old) = &before {
                // Keys pressed on the issue as it was before this write apply on top.
                for waiting in &mut model.deferred {
                    if let Some((seen_id, revision)) = &mut waiting.seen {
                        if *seen_id == issue.id && *revision == old.revision {
                            *revision = issue.revision;
                        }
                    }
                }
            }
            model.mine.insert(issue.id.clone(), issue.revision);
            let undoing = matches!(kind, Some(BatchKind::Undo { .. }));
            if let (Some(old), true) = (&before, undoing) {
                // The issue is back in the state it had at that step's `before`.
                if let Some(BatchKind::Undo { step, .. }) = &kind {
                    if let Some(part) = step.parts.iter().find(|p| p.before.id == old.id) {
                        model
                            .undo
                            .rebase(&issue.id, part.before.revision, issue.revision);
                    }
                }
            }
            place_own(model, &issue, before.is_none(), undoing);
            if let Some(b) = model.batches.get_mut(&batch) {
                let old = before.map_or_else(|| issue.clone(), |b| *b);
                b.done.push((old, issue));
            }
        }
        Err(refusal) => {
            let text = refusal_text(model, &refusal);
            if let Some(b) = model.batches.get_mut(&batch) {
                b.refused.push((refusal.id.clone(), text.clone()));
            } else {
                model.warn(text);
            }
        }
    }
    if model.batches.get(&batch).is_some_and(Batch::complete) {
        if let Some(done) = model.batches.remove(&batch) {
            finish(model, done);
        }
    }
    model.refresh_verdict();
    fix_offsets(model);
}

/// A refusal in one line, naming who changed the issue only when it was someone else.
pub fn refusal_text(model: &Model, refusal: &Refusal) -> String {
    match &refusal.stale {
        Some(stale) if model.mine.get(&refusal.id) == Some(&stale.current) => format!(
            "{}: changed by this cockpit meanwhile (revision {}); nothing written",
            refusal.id, stale.current
        ),
        Some(stale) => format!(
            "{}: changed by {} since you saw it (revision {}); nothing written",
            refusal.id, stale.by, stale.current
        ),
        None => refusal.text.clone(),
    }
}

/// Put an issue this cockpit wrote into the model. Its row moves where the sort puts
/// it (an undone one is selected and shown); when it was highlighted and moved, the
/// highlight stays at its place in the list: on the issue that came after it.
fn place_own(model: &mut Model, issue: &Issue, created: bool, undone: bool) {
    let id = issue.id.clone();
    let selected = model.register.selected.as_deref() == Some(id.as_str());
    let was_at = model.register.index_of(&model.issues, &id);
    let next = was_at.and_then(|at| {
        let rows = model.register.len(&model.issues);
        let neighbour = if at + 1 < rows {
            at + 1
        } else {
            at.checked_sub(1)?
        };
        model.register.id_at(&model.issues, neighbour)
    });
    let how = if undone { Placed::Shown } else { Placed::Moved };
    model.put_issue(&id, Some(issue.clone()), how);
    if created || undone {
        model.register.selected = Some(id);
        return;
    }
    if !selected {
        return;
    }
    let now_at = model.register.index_of(&model.issues, &id);
    if now_at != was_at || now_at.is_none() {
        let next_shown = next
            .as_deref()
            .is_some_and(|n| model.register.index_of(&model.issues, n).is_some());
        if next_shown {
            model.register.selected = next;
        } else if let Some(at) = was_at {
            model.register.select_row(&model.issues, at);
        }
    }
}

/// The last write of a batch was answered: record the step, say what happened.
fn finish(model: &mut Model, batch: Batch) {
    let Batch {
        kind,
        done,
        refused,
        expected,
    } = batch;
    let ids: Vec<String> = done.iter().map(|(_, after)| after.id.clone()).collect();
    let (text, who) = match kind {
        BatchKind::Do { label } => {
            let parts: Vec<Part> = done
                .iter()
                .filter(|(before, after)| before.revision != after.revision)
                .map(|(before, after)| Part {
                    before: before.clone(),
                    after: after.revision,
                })
                .collect();
            let text = match &done[..] {
                [(before, after)] if before.revision == after.revision => {
                    format!("{}: no change", after.id)
                }
                [(before, after)] => describe_change(before, after),
                _ => format!("{} issues: {label}", done.len()),
            };
            if !parts.is_empty() {
                model.undo.record(Step {
                    label: text.clone(),
                    parts,
                });
            }
            (text, Who::Me)
        }
        BatchKind::Undo { step, redo } => {
            (finish_undo(model, &step, redo, &done, &refused), Who::Me)
        }
        BatchKind::Note => (
            match &ids[..] {
                [one] => format!("{one}: note added"),
                _ => format!("note added to {} issues", ids.len()),
            },
            Who::Me,
        ),
        BatchKind::Create => (
            match &done[..] {
                [(_, issue)] => format!("filed {}: {}", issue.id, issue.title),
                _ => "nothing filed".to_string(),
            },
            Who::Me,
        ),
    };
    if !done.is_empty() {
        record(model, who, &text, ids, false);
    }
    for (id, why) in &refused {
        record(
            model,
            Who::Me,
            &format!("refused: {why}"),
            vec![id.clone()],
            true,
        );
    }
    say(model, &text, &done, &refused, expected);
    if !refused.is_empty() {
        // The keys that were to follow it would apply to what the user did not see.
        let dropped = std::mem::take(&mut model.deferred).len();
        if let (Some(notice), true) = (&mut model.notice, dropped > 0) {
            notice
                .text
                .push_str(&format!(" ({dropped} later keys not applied)"));
        }
    }
}

/// An undo's (or redo's) last write was answered: what was written moves to the other
/// stack, what was refused stays where it was (to be tried again).
fn finish_undo(
    model: &mut Model,
    step: &Step,
    redo: bool,
    done: &[(Issue, Issue)],
    refused: &[(String, String)],
) -> String {
    let verb = if redo { "redone" } else { "undone" };
    // The first undone issue is the one highlighted (each was shown).
    if let Some(first) = step
        .parts
        .iter()
        .find(|p| done.iter().any(|(_, after)| after.id == p.before.id))
    {
        model.register.selected = Some(first.before.id.clone());
    }
    let written: Vec<Part> = done
        .iter()
        .map(|(before, after)| Part {
            before: before.clone(),
            after: after.revision,
        })
        .collect();
    let kept: Vec<Part> = step
        .parts
        .iter()
        .filter(|p| refused.iter().any(|(id, _)| *id == p.before.id))
        .cloned()
        .collect();
    if !written.is_empty() {
        model.undo.done(
            Step {
                label: step.label.clone(),
                parts: written,
            },
            redo,
        );
    }
    if !kept.is_empty() {
        model.undo.refused(
            Step {
                label: step.label.clone(),
                parts: kept,
            },
            redo,
        );
    }
    format!("{verb}: {}", step.label)
}

/// The notice for a finished batch: what was done, then what was refused.
fn say(
    model: &mut Model,
    text: &str,
    done: &[(Issue, Issue)],
    refused: &[(String, String)],
    expected: usize,
) {
    let undo_hint = if model.undo.is_empty() || text.starts_with("undone") {
        ""
    } else {
        " (u undoes)"
    };
    match (done.is_empty(), refused) {
        (_, []) => model.tell(format!("{text}{undo_hint}")),
        (true, [(_, why)]) => model.warn(why.clone()),
        (true, _) => model.warn(format!(
            "all {} refused: {} (L lists them)",
            refused.len(),
            refused[0].1
        )),
        (false, _) => model.warn(format!(
            "{text}; {} of {expected} refused: {} (L lists them)",
            refused.len(),
            refused[0].1
        )),
    }
}

/// After the last write in flight is answered: the keys that waited for it, in order,
/// until one of them writes again (the rest wait for that one).
pub(super) fn replay_deferred(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    while model.writing == 0 {
        let Some(waiting) = model.deferred.pop_front() else {
            break;
        };
        model.seen = waiting.seen;
        let more = match waiting.input {
            Pending::Action(action) => act(model, action),
            Pending::Key(key) => key_now(model, key),
        };
        let writes = more.iter().any(Effect::writes_register);
        effects.extend(more);
        if writes {
            break;
        }
    }
    effects
}

/// "PF-7K3Q9X: severity high → critical" from the issue before and after.
pub fn describe_change(old: &Issue, new: &Issue) -> String {
    let mut parts = Vec::new();
    if old.severity != new.severity {
        parts.push(format!(
            "severity {} → {}",
            old.severity.as_str(),
            new.severity.as_str()
        ));
    }
    if old.status != new.status {
        parts.push(format!("{} → {}", old.status.as_str(), new.status.as_str()));
    }
    if old.blocker != new.blocker {
        parts.push(
            if new.blocker {
                "release blocker"
            } else {
                "not a blocker"
            }
            .to_string(),
        );
    }
    if old.owner != new.owner {
        parts.push(format!("owner {}", new.owner.as_deref().unwrap_or("-")));
    }
    if old.notes.len() < new.notes.len() {
        parts.push("note added".to_string());
    }
    if old.title != new.title {
        parts.push("title changed".to_string());
    }
    if parts.is_empty() {
        parts.push("updated".to_string());
    }
    format!("{}: {}", new.id, parts.join(", "))
}

/// An `$EDITOR` save that could not be taken: offered to edit again when the text did
/// not read, said when it could not be written.
pub(super) fn on_edit_refused(
    model: &mut Model,
    batch: u64,
    id: String,
    base: u64,
    error: String,
    again: bool,
) -> Vec<Effect> {
    model.writing = model.writing.saturating_sub(1);
    model.batches.remove(&batch);
    record(
        model,
        Who::Me,
        &format!("edit of {id} not saved: {error}"),
        vec![id.clone()],
        true,
    );
    if again {
        model.overlay = Some(Overlay::EditAgain { id, base, error });
    } else {
        model.warn(error);
    }
    replay_deferred(model)
}
