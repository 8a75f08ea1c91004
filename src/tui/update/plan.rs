//! The plan pane: folding phases, cycling a task's status.

use super::*;

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
        None => Vec::new(),
    }
}

pub(super) fn toggle_fold(model: &mut Model) {
    if let Some(PlanRow::Phase(p)) = model.plan_rows().get(model.plan_selected) {
        if !model.folded.remove(p) {
            model.folded.insert(*p);
        }
    }
}
