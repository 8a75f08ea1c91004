//! The register pane: triage keys on the highlighted issue, and what a write did.

use super::{act, fix_offsets, refuse_triage, Effect};
use crate::domain::issue::Issue;
use crate::tui::action::Action;
use crate::tui::model::{Ask, Model, Overlay};
use crate::tui::triage::{triage, Prompt, Triage};

pub(super) fn on_wrote(
    model: &mut Model,
    before: Option<Box<Issue>>,
    result: Result<Issue, String>,
    undo: bool,
) {
    match result {
        Ok(issue) => {
            let id = issue.id.clone();
            // Keys pressed on the issue as it was before this write apply on top of it.
            if let Some(old) = &before {
                for waiting in &mut model.deferred {
                    if let Some((seen_id, revision)) = &mut waiting.seen {
                        if *seen_id == id && *revision == old.revision {
                            *revision = issue.revision;
                        }
                    }
                }
            }
            let was_at = model.register.index(&model.issues);
            let what = match &before {
                Some(old) => describe_change(old, &issue),
                None => format!("filed {id}: {}", issue.title),
            };
            if let (Some(old), false) = (&before, undo) {
                model.undo.record((**old).clone(), issue.revision);
            }
            let created = before.is_none();
            model.put_issue(&id, Some(issue));
            if created {
                model.register.selected = Some(id.clone());
            }
            if model.register.current(&model.issues).is_none() {
                // It left the filtered view: highlight its neighbour.
                let rows = model.register.rows(&model.issues);
                let at = was_at.unwrap_or(0).min(rows.len().saturating_sub(1));
                model.register.selected = rows.get(at).map(|i| i.id.clone());
            }
            model.refresh_verdict();
            fix_offsets(model);
            let hint = if undo || model.undo.is_empty() {
                ""
            } else {
                " (u undoes)"
            };
            model.tell(format!(
                "{}{what}{hint}",
                if undo { "undone: " } else { "" }
            ));
        }
        Err(error) => {
            // The keys that were to follow it would apply to what the user did not see.
            let dropped = std::mem::take(&mut model.deferred).len();
            match dropped {
                0 => model.warn(error),
                n => model.warn(format!("{error} ({n} later keys not applied)")),
            }
        }
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
        let more = act(model, waiting.action);
        let writes = more.iter().any(Effect::writes_register);
        effects.extend(more);
        if writes {
            break;
        }
    }
    effects
}

/// "PF-7K3Q9X: severity high → critical" from the issue before and after.
pub(super) fn describe_change(old: &Issue, new: &Issue) -> String {
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
    if parts.is_empty() {
        parts.push("updated".to_string());
    }
    format!("{}: {}", new.id, parts.join(", "))
}

/// A triage key on the issue highlighted in the last frame, at the revision shown.
pub(super) fn on_triage(model: &mut Model, action: Action) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let Some((id, base)) = model.seen.clone() else {
        model.tell("no issue is highlighted");
        return Vec::new();
    };
    let Some(issue) = model.issues.iter().find(|i| i.id == id) else {
        model.warn(format!("{id} is gone from the register"));
        return Vec::new();
    };
    // The issue as the user saw it: a newer revision makes the store refuse the write.
    let mut seen = issue.clone();
    seen.revision = base;
    match triage(action, &seen) {
        Triage::Write(write) => vec![Effect::Write(write)],
        Triage::Ask(Prompt::Dismiss) => {
            model.overlay = Some(Overlay::Reasons {
                id,
                base,
                selected: 0,
            });
            Vec::new()
        }
        Triage::Ask(Prompt::Owner) => {
            model.overlay = Some(Overlay::Input {
                ask: Ask::Owner { id, base },
                text: seen.owner.clone().unwrap_or_default(),
            });
            Vec::new()
        }
        Triage::Ask(Prompt::NewIssue) => {
            model.overlay = Some(Overlay::Input {
                ask: Ask::NewTitle,
                text: String::new(),
            });
            Vec::new()
        }
        Triage::Nothing => {
            model.tell(format!(
                "{id}: nothing to change ({})",
                seen.status.as_str()
            ));
            Vec::new()
        }
    }
}
