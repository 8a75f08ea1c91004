//! `[[phase]]` and `[[phase.task]]` tables → the plan: ids, needs, linked checks, cycles.

use super::{
    check_unique_ids, find_cycle, line_column, suggestion, Errors, Location, Phase, Plan, RawFile,
    Task, TaskStatus, FILE_NAME,
};
use std::collections::{BTreeMap, HashSet};

pub(super) fn validate_plan(raw: &RawFile, check_ids: &HashSet<&str>, errors: &mut Errors) -> Plan {
    check_ids_of_phases(raw, errors);
    let all_tasks = raw.phase.iter().flat_map(|p| p.task.iter());
    check_unique_ids("task", all_tasks.clone().map(|t| &t.id), errors);
    let task_ids: Vec<&str> = all_tasks.clone().map(|t| t.id.get_ref().as_str()).collect();
    let task_set: HashSet<&str> = task_ids.iter().copied().collect();
    for task in all_tasks.clone() {
        for need in &task.needs {
            if !task_set.contains(need.get_ref().as_str()) {
                errors.at(
                    need.span(),
                    format!(
                        "task `{}` needs `{}`, which is no task{}",
                        task.id.get_ref(),
                        need.get_ref(),
                        suggestion(need.get_ref(), task_ids.iter().copied())
                    ),
                );
            }
        }
        for check in &task.checks {
            if !check_ids.contains(check.get_ref().as_str()) {
                errors.at(
                    check.span(),
                    format!(
                        "task `{}` links check `{}`, which is not defined{}",
                        task.id.get_ref(),
                        check.get_ref(),
                        suggestion(check.get_ref(), check_ids.iter().copied())
                    ),
                );
            }
        }
    }
    let needs: BTreeMap<String, Vec<String>> = all_tasks
        .clone()
        .map(|t| {
            (
                t.id.get_ref().clone(),
                t.needs.iter().map(|n| n.get_ref().clone()).collect(),
            )
        })
        .collect();
    if let Some(cycle) = find_cycle(&needs) {
        let first = &cycle[0];
        let span = all_tasks
            .clone()
            .find(|t| t.id.get_ref() == first)
            .map_or(0..0, |t| t.id.span());
        errors.at(span, format!("dependency cycle: {}", cycle.join(" → ")));
    }

    let phases = raw
        .phase
        .iter()
        .map(|p| Phase {
            id: p.id.get_ref().clone(),
            title: p.title.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            source: Some(Location {
                file: FILE_NAME.to_string(),
                line: line_column(errors.text, p.id.span().start).0,
            }),
            tasks: p
                .task
                .iter()
                .map(|t| Task {
                    id: t.id.get_ref().clone(),
                    title: t.title.clone().unwrap_or_else(|| t.id.get_ref().clone()),
                    status: match &t.status {
                        None => TaskStatus::Todo,
                        Some(s) => s.get_ref().parse().unwrap_or_else(|msg: String| {
                            errors.at(s.span(), msg);
                            TaskStatus::Todo
                        }),
                    },
                    needs: t.needs.iter().map(|n| n.get_ref().clone()).collect(),
                    checks: t.checks.iter().map(|c| c.get_ref().clone()).collect(),
                    source: Some(Location {
                        file: FILE_NAME.to_string(),
                        line: line_column(errors.text, t.id.span().start).0,
                    }),
                    section: None,
                })
                .collect(),
        })
        .collect();
    Plan { phases }
}

pub(super) fn check_ids_of_phases(raw: &RawFile, errors: &mut Errors) {
    check_unique_ids("phase", raw.phase.iter().map(|p| &p.id), errors);
}
