//! `preflight plan`: the plan tree; `preflight plan set`: a task's status, written back
//! into the file the task came from and nothing else.

use super::Workspace;
use crate::config::{did_you_mean, FILE_NAME};
use crate::domain::plan::{Location, Plan, TaskStatus};
use crate::fsutil::write_atomic;
use crate::markdown;
use color_eyre::eyre::{bail, eyre, Result, WrapErr};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// Width of a phase's progress bar.
const BAR: usize = 10;

pub fn show(repo_arg: Option<&Path>, json: bool) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let plan = &ws.config.plan;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_plan(plan)).wrap_err("cannot encode the plan")?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if plan.phases.is_empty() {
        println!(
            "no plan: add [[phase]] tables to {FILE_NAME}, or markdown plans with [project] plans = [\"docs/plan/*.md\"]"
        );
        return Ok(ExitCode::SUCCESS);
    }
    for phase in &plan.phases {
        let progress = phase.progress();
        let filled = (progress * BAR as f64).round() as usize;
        let bar = if phase.tasks.is_empty() {
            "no tasks".to_string()
        } else {
            format!(
                "{:>3.0}% {}{}",
                progress * 100.0,
                "█".repeat(filled),
                "░".repeat(BAR - filled)
            )
        };
        println!(
            "{}  {}  {bar}  {}",
            phase.id,
            phase.title,
            place(phase.source.as_ref())
        );
        for task in &phase.tasks {
            let blockers = plan.blockers(task);
            let glyph = match (task.status, blockers.is_empty()) {
                (TaskStatus::Done, _) => "✔",
                (_, false) => "⊘",
                (TaskStatus::Doing, true) => "◐",
                (TaskStatus::Todo, true) => "·",
            };
            let waits = if blockers.is_empty() || task.status == TaskStatus::Done {
                String::new()
            } else {
                format!("  (waits for {})", blockers.join(", "))
            };
            println!(
                "  {glyph} {:<8} {}{waits}  {}",
                task.id,
                task.title,
                place(task.source.as_ref())
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn place(source: Option<&Location>) -> String {
    source.map(|l| l.to_string()).unwrap_or_default()
}

#[derive(Serialize)]
struct JsonPhase<'a> {
    id: &'a str,
    title: &'a str,
    progress: f64,
    source: Option<&'a Location>,
    tasks: Vec<JsonTask<'a>>,
}

#[derive(Serialize)]
struct JsonTask<'a> {
    id: &'a str,
    title: &'a str,
    status: TaskStatus,
    needs: &'a [String],
    /// Needs not done yet: empty when the task is not blocked.
    blocked_by: Vec<&'a str>,
    source: Option<&'a Location>,
}

fn json_plan(plan: &Plan) -> serde_json::Value {
    let phases: Vec<JsonPhase> = plan
        .phases
        .iter()
        .map(|p| JsonPhase {
            id: &p.id,
            title: &p.title,
            progress: (p.progress() * 1000.0).round() / 1000.0,
            source: p.source.as_ref(),
            tasks: p
                .tasks
                .iter()
                .map(|t| JsonTask {
                    id: &t.id,
                    title: &t.title,
                    status: t.status,
                    needs: &t.needs,
                    blocked_by: if t.status == TaskStatus::Done {
                        Vec::new()
                    } else {
                        plan.blockers(t)
                    },
                    source: t.source.as_ref(),
                })
                .collect(),
        })
        .collect();
    serde_json::json!({ "phases": phases })
}

/// Set a task's status in its source file.
pub fn set(repo_arg: Option<&Path>, task_id: &str, status: &str) -> Result<ExitCode> {
    let status: TaskStatus = status.parse().map_err(|e: String| eyre!(e))?;
    let ws = Workspace::open(repo_arg)?;
    let file = write_status(&ws, task_id, status)?;
    println!("{task_id} {status} ({file})");
    Ok(ExitCode::SUCCESS)
}

/// Write a task's status into the file it was read from (preflight.toml or a markdown
/// plan), changing nothing else; returns that file. Shared with the cockpit.
pub fn write_status(ws: &Workspace, task_id: &str, status: TaskStatus) -> Result<String> {
    let tasks: Vec<_> = ws.config.plan.tasks().filter(|t| t.id == task_id).collect();
    let task = match tasks.as_slice() {
        [one] => *one,
        [] => {
            let ids: Vec<&str> = ws.config.plan.tasks().map(|t| t.id.as_str()).collect();
            let hint = did_you_mean(task_id, ids.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            bail!("no task `{task_id}` in the plan{hint}");
        }
        many => bail!(
            "task `{task_id}` is defined {} times ({}): rename one",
            many.len(),
            many.iter()
                .map(|t| place(t.source.as_ref()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let Some(source) = task.source.clone() else {
        bail!("task `{task_id}` has no source file to write to");
    };
    let path = ws.repo.root.join(&source.file);
    // Read the file as it is now: it may have changed since the plan was loaded.
    let text = std::fs::read_to_string(&path)
        .wrap_err_with(|| format!("cannot read {}", path.display()))?;
    let updated = if source.file == FILE_NAME {
        set_in_toml(&text, task_id, status)?
    } else {
        markdown::set_status(&text, task_id, status).map_err(|e| eyre!("{}: {e}", source.file))?
    };
    if updated != text {
        write_atomic(&path, updated.as_bytes())?;
    }
    Ok(source.file.to_string())
}

/// Change one task's `status` in preflight.toml; formatting and comments are kept.
fn set_in_toml(text: &str, task_id: &str, status: TaskStatus) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().wrap_err("cannot edit preflight.toml")?;
    let phases = doc
        .get_mut("phase")
        .and_then(|p| p.as_array_of_tables_mut())
        .ok_or_else(|| eyre!("no [[phase]] in {FILE_NAME}"))?;
    let mut found = false;
    'phases: for phase in phases.iter_mut() {
        let Some(tasks) = phase
            .get_mut("task")
            .and_then(|t| t.as_array_of_tables_mut())
        else {
            continue;
        };
        for task in tasks.iter_mut() {
            if task.get("id").and_then(|v| v.as_str()) == Some(task_id) {
                found = true;
                match task.get_mut("status").and_then(|v| v.as_value_mut()) {
                    Some(value) => {
                        let decor = value.decor().clone();
                        *value = toml_edit::Value::from(status.as_str());
                        *value.decor_mut() = decor;
                    }
                    None => {
                        task.insert("status", toml_edit::value(status.as_str()));
                    }
                }
                break 'phases;
            }
        }
    }
    if !found {
        bail!("no task `{task_id}` in {FILE_NAME}");
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_status_value_changes_in_toml() {
        let text = "# the plan\n[[phase]]\nid = \"p1\"\n\n[[phase.task]]\nid = \"a\"  # first\nstatus = \"todo\"   # not yet\n\n[[phase.task]]\nid = \"b\"\n";
        let done = set_in_toml(text, "a", TaskStatus::Done).unwrap();
        assert_eq!(done, text.replace("status = \"todo\"", "status = \"done\""));
        let added = set_in_toml(text, "b", TaskStatus::Doing).unwrap();
        assert!(
            added.ends_with("id = \"b\"\nstatus = \"doing\"\n"),
            "{added}"
        );
        assert!(set_in_toml(text, "zz", TaskStatus::Done).is_err());
    }
}
