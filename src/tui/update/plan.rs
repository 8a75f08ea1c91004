//! The plan pane: folding phases, cycling a task's status, cancelling a task.

use super::{key_for, refuse_triage, Action, Effect, Model, PlanRow, TaskStatus};

pub(super) fn cycle_task(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    match model.plan_rows().get(model.plan_selected) {
        Some(PlanRow::Task(p, t)) => {
            let task = &model.config.plan.phases[*p].tasks[*t];
            let status = match task.status {
                TaskStatus::Todo => TaskStatus::Doing,
                TaskStatus::Doing => TaskStatus::Done,
                TaskStatus::Done => TaskStatus::Todo,
                TaskStatus::Cancelled => {
                    let hint = key_for(model, Action::CancelTask)
                        .map(|k| format!(": {k} reopens it"))
                        .unwrap_or_default();
                    let id = task.id.clone();
                    model.tell(format!("{id} is cancelled, left as it is{hint}"));
                    return Vec::new();
                }
            };
            vec![Effect::SetTask {
                task: task.id.clone(),
                status,
            }]
        }
        Some(PlanRow::Phase(_)) => {
            toggle_fold(model);
            Vec::new()
        }
        Some(PlanRow::Section(..)) | None => Vec::new(),
    }
}

/// Cancel the selected task, or reopen (as todo) a cancelled one: the one way the
/// cockpit changes a cancelled task.
pub(super) fn cancel_task(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let Some(PlanRow::Task(p, t)) = model.plan_rows().get(model.plan_selected).copied() else {
        return Vec::new();
    };
    let task = &model.config.plan.phases[p].tasks[t];
    let status = if task.status == TaskStatus::Cancelled {
        TaskStatus::Todo
    } else {
        TaskStatus::Cancelled
    };
    vec![Effect::SetTask {
        task: task.id.clone(),
        status,
    }]
}

pub(super) fn toggle_fold(model: &mut Model) {
    if let Some(PlanRow::Phase(p)) = model.plan_rows().get(model.plan_selected) {
        if !model.folded.remove(p) {
            model.folded.insert(*p);
        }
    }
}
