//! Writing a task's status back into the file it came from, byte for byte the rest.

use crate::config::FILE_NAME;
use crate::domain::plan::{Plan, TaskStatus};
use crate::domain::suggest::did_you_mean;
use crate::fsutil::write_atomic;
use crate::markdown;
use color_eyre::eyre::{bail, eyre, Result, WrapErr};
use std::path::Path;

/// Write a task's status into the file it was read from (preflight.toml or a markdown
/// plan under `root`), changing nothing else; returns that file. `plan` is the plan as
/// loaded: it says where each task was written. Shared by `preflight plan set` and the
/// cockpit.
pub fn write_status(root: &Path, plan: &Plan, task_id: &str, status: TaskStatus) -> Result<String> {
    let tasks: Vec<_> = plan.tasks().filter(|t| t.id == task_id).collect();
    let task = match tasks.as_slice() {
        [one] => *one,
        [] => {
            let ids: Vec<&str> = plan.tasks().map(|t| t.id.as_str()).collect();
            let hint = did_you_mean(task_id, ids.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            bail!("no task `{task_id}` in the plan{hint}");
        }
        many => bail!(
            "task `{task_id}` is defined {} times ({}): rename one",
            many.len(),
            many.iter()
                .map(|t| t
                    .source
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let Some(source) = task.source.clone() else {
        bail!("task `{task_id}` has no source file to write to");
    };
    let path = root.join(&source.file);
    // Read the file as it is now: it may have changed since the plan was loaded.
    // Only a regular file inside the repository, of a sane size.
    let text = crate::fsutil::read_in_repo_text(root, &path, crate::fsutil::MAX_TEXT_FILE)
        .wrap_err_with(|| format!("cannot read {}", path.display()))?;
    let updated = if source.file == FILE_NAME {
        set_in_toml(&text, task_id, status)?
    } else {
        markdown::set_status(&text, task_id, status).map_err(|e| eyre!("{}: {e}", source.file))?
    };
    if updated != text {
        write_atomic(&path, updated.as_bytes())?;
    }
    Ok(source.file.clone())
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
