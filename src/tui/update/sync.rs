//! Changes made elsewhere: another cockpit, a script, a run filing its findings. They
//! update the rows in place and never move this cockpit's list or selection; each is
//! announced (who did what) and kept in the session log.

use super::{
    describe_change, fix_offsets, held_steady, key_for, record, Action, Issue, Model, Placed,
};
use crate::tui::log::Who;

/// An issue file changed on disk.
pub(super) fn on_issue_changed(model: &mut Model, id: String, issue: Option<Issue>) {
    let known = model.issues.iter().find(|i| i.id == id);
    match (&issue, known) {
        // This cockpit's own write, seen again by the watcher, or an older read.
        (Some(new), Some(old)) if new.revision <= old.revision => return,
        (Some(new), _) if model.mine.get(&id) == Some(&new.revision) => return,
        _ => {}
    }
    let text = match (&issue, known) {
        (Some(new), Some(old)) => {
            format!("{} (by {})", describe_change(old, new), author(new))
        }
        (Some(new), None) => format!("{id} filed by {}: {}", author(new), new.title),
        (None, Some(_)) => format!("{id}: its file was removed"),
        (None, None) => return,
    };
    let who = issue
        .as_ref()
        .map_or_else(|| Who::Other("someone".into()), |i| Who::Other(author(i)));
    let selected_at = model.register.index(&model.issues);
    let was_selected = model.register.selected.as_deref() == Some(id.as_str());
    let was_empty = model.register.len(&model.issues) == 0;
    held_steady(model, |m| m.put_issue(&id, issue, Placed::Held));
    if was_empty && model.register.selected.is_none() {
        // The first issue of an empty register (a follower watching the runner file
        // them one by one) is highlighted, as a register read whole would be.
        model.register.to_top(&model.issues);
    }
    if was_selected && model.register.index(&model.issues).is_none() {
        // Its file is gone: the highlight stays at its place in the list.
        if let Some(at) = selected_at {
            model.register.select_row(&model.issues, at);
        }
    }
    record(model, who, &text, vec![id], false);
    model.refresh_verdict();
    fix_offsets(model);
    model.tell(text);
}

/// Who wrote an issue last: its newest history line's author.
fn author(issue: &Issue) -> String {
    issue
        .history
        .last()
        .map_or_else(|| "someone".to_string(), |h| h.by.clone())
}

/// A run filed its findings: one line for the burst, the issues in the log.
pub(super) fn on_filed(
    model: &mut Model,
    check: String,
    created: Vec<String>,
    verified: Vec<String>,
    reopened: Vec<String>,
) {
    let mut parts = Vec::new();
    for (ids, label) in [
        (&created, "new"),
        (&verified, "verified"),
        (&reopened, "reopened"),
    ] {
        if !ids.is_empty() {
            parts.push(format!("{} {label}", ids.len()));
        }
    }
    if parts.is_empty() {
        return;
    }
    let text = parts.join(", ");
    let ids: Vec<String> = created
        .into_iter()
        .chain(verified)
        .chain(reopened)
        .collect();
    let key = key_for(model, Action::Log).unwrap_or_else(|| ":log".into());
    model.tell(format!("{check}: {text} ({key} lists them)"));
    record(model, Who::Run(check), &text, ids, false);
}
