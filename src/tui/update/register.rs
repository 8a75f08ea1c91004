//! The register pane: triage keys on the highlighted issue, and what a write did.

use super::*;

pub(super) fn on_wrote(
    model: &mut Model,
    before: Option<Box<Issue>>,
    result: Result<Issue, String>,
    undo: bool,
) {
    match result {
        Ok(issue) => {
            let id = issue.id.clone();
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
        Err(error) => model.warn(error),
    }
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
