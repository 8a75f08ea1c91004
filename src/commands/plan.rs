//! `preflight plan`: the plan tree; `preflight plan set`: a task's status, written back
//! into the file the task came from and nothing else.

use crate::config::FILE_NAME;
use crate::domain::plan::{Location, Plan, TaskCounts, TaskStatus};
use crate::plan_files;
use crate::text::sanitize::Line;
use crate::workspace::Workspace;
use color_eyre::eyre::{eyre, Result, WrapErr};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// Width of a phase's progress bar.
const BAR: usize = 10;

pub fn show(repo_arg: Option<&Path>, json: bool) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let plan = &ws.config.plan;
    let notes = reader_notes(&ws);
    if json {
        let mut value = json_plan(plan);
        value["notes"] = serde_json::to_value(&notes).wrap_err("cannot encode the notes")?;
        outln!(
            "{}",
            serde_json::to_string_pretty(&value).wrap_err("cannot encode the plan")?
        );
        return Ok(ExitCode::SUCCESS);
    }
    show_tree(plan);
    if !notes.is_empty() {
        outln!("\nnotes on the markdown plans:");
        for n in &notes {
            outln!("  {}: {}", Line(&n.file), Line(&n.note));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the markdown reader said about a plan file: what it left out and why.
#[derive(Serialize)]
struct ReaderNote {
    file: String,
    note: String,
}

/// The notes of every markdown plan file, so nothing the reader leaves out (a box
/// that is no checkbox, checklists kept as context) goes unsaid.
fn reader_notes(ws: &Workspace) -> Vec<ReaderNote> {
    let (files, _) = crate::plan_files::load(&ws.repo.root, &ws.config.project.plans);
    files
        .iter()
        .flat_map(|f| {
            f.doc.notes.iter().map(|n| ReaderNote {
                file: f.path.display().to_string(),
                note: n.clone(),
            })
        })
        .collect()
}

/// Phases with their progress, sections and tasks, as text.
fn show_tree(plan: &Plan) {
    if plan.phases.is_empty() {
        outln!(
            "no plan: add [[phase]] tables to {FILE_NAME}, or markdown plans with [project] plans = [\"docs/plan/*.md\"]"
        );
        return;
    }
    for phase in &plan.phases {
        let counts = phase.counts();
        let progress = counts.progress();
        let filled = ((progress * BAR as f64).round() as usize).min(BAR);
        let cancelled = if counts.cancelled == 0 {
            String::new()
        } else {
            format!(" ({} cancelled)", counts.cancelled)
        };
        let bar = if phase.tasks.is_empty() {
            "no tasks".to_string()
        } else {
            format!(
                "{:>3.0}% {}{} {}/{} done{cancelled}",
                progress * 100.0,
                "█".repeat(filled),
                "░".repeat(BAR - filled),
                counts.done,
                counts.counted(),
            )
        };
        outln!(
            "{}  {}  {bar}  {}",
            Line(&phase.id),
            Line(&phase.title),
            Line(&place(phase.source.as_ref()))
        );
        let mut section: Option<&str> = None;
        for task in &phase.tasks {
            if task.section.is_some() && task.section.as_deref() != section {
                section = task.section.as_deref();
                outln!("  § {}", Line(section.unwrap_or_default()));
            }
            let blockers = plan.blockers(task);
            let glyph = match (task.status, blockers.is_empty()) {
                (TaskStatus::Done, _) => "✔",
                (TaskStatus::Cancelled, _) => "✗",
                (_, false) => "⊘",
                (TaskStatus::Doing, true) => "◐",
                (TaskStatus::Todo, true) => "·",
            };
            let waits = if task.status == TaskStatus::Cancelled {
                "  (cancelled)".to_string()
            } else if blockers.is_empty() || task.status.is_closed() {
                String::new()
            } else {
                format!("  (waits for {})", Line(&blockers.join(", ")))
            };
            outln!(
                "  {glyph} {:<8} {}{waits}  {}",
                Line(&task.id),
                Line(&task.title),
                Line(&place(task.source.as_ref()))
            );
        }
    }
}

fn place(source: Option<&Location>) -> String {
    source.map(|l| l.to_string()).unwrap_or_default()
}

#[derive(Serialize)]
struct JsonPhase<'a> {
    id: &'a str,
    title: &'a str,
    /// Done over todo + doing + done: cancelled tasks are left out.
    progress: f64,
    counts: TaskCounts,
    source: Option<&'a Location>,
    tasks: Vec<JsonTask<'a>>,
}

#[derive(Serialize)]
struct JsonTask<'a> {
    id: &'a str,
    title: &'a str,
    status: TaskStatus,
    /// The heading the task sits under in its markdown file; `null` when none.
    section: Option<&'a str>,
    needs: &'a [String],
    /// Needs still open (neither done nor cancelled): empty when the task is not
    /// blocked or is itself closed.
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
            counts: p.counts(),
            source: p.source.as_ref(),
            tasks: p
                .tasks
                .iter()
                .map(|t| JsonTask {
                    id: &t.id,
                    title: &t.title,
                    status: t.status,
                    section: t.section.as_deref(),
                    needs: &t.needs,
                    blocked_by: if t.status.is_closed() {
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
    let file = plan_files::write_status(&ws.repo.root, &ws.config.plan, task_id, status)?;
    outln!("{} {status} ({})", Line(task_id), Line(&file));
    Ok(ExitCode::SUCCESS)
}
