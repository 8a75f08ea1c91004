//! The plan's files: markdown plans as live sources (the files `[project] plans`
//! names, read where they are and merged into the plan next to the phases written in
//! `preflight.toml`), and a task's status written back into its file ([`write`]).
//! The plan itself is the pure `domain::plan`; the markdown reading is `markdown`.

mod write;

pub use write::write_status;

use crate::domain::plan::{Location, Phase, Plan, Task};
use crate::markdown::{self, Document};
use globset::{GlobBuilder, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// One markdown plan file as read.
#[derive(Debug, Clone)]
pub struct PlanFile {
    /// Relative to the repository root.
    pub path: PathBuf,
    pub doc: Document,
}

/// The repository files the globs match (ignored files excluded), sorted.
pub fn find(root: &Path, globs: &[String]) -> Vec<PathBuf> {
    if globs.is_empty() {
        return Vec::new();
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        if let Ok(g) = GlobBuilder::new(glob).literal_separator(true).build() {
            builder.add(g);
        }
    }
    let Ok(set) = builder.build() else {
        return Vec::new();
    };
    // The `ignore` crate reads each folder's ignore files with a blocking open: a
    // FIFO or a link to a device there would hang or flood the walk.
    if crate::fsutil::unsafe_ignore_file(root).is_some() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| {
            e.file_name() != ".git"
                && (!e.file_type().is_some_and(|t| t.is_dir())
                    || crate::fsutil::unsafe_ignore_file(e.path()).is_none())
        })
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|rel| set.is_match(rel))
        .collect();
    files.sort();
    files
}

/// Read one plan file; an unreadable file is an error naming it.
pub fn read(root: &Path, rel: &Path) -> Result<PlanFile, String> {
    let path = root.join(rel);
    let bytes = crate::fsutil::read_in_repo(root, &path, crate::fsutil::MAX_TEXT_FILE)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(PlanFile {
        path: rel.to_path_buf(),
        doc: markdown::read(&text, &stem),
    })
}

/// Every plan file the globs match, and one line per file that could not be read.
pub fn load(root: &Path, globs: &[String]) -> (Vec<PlanFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for rel in find(root, globs) {
        match read(root, &rel) {
            Ok(file) => files.push(file),
            Err(e) => errors.push(e),
        }
    }
    (files, errors)
}

/// The phases of one file as domain phases, each task located at file:line.
pub fn phases(file: &PlanFile) -> Vec<Phase> {
    let name = file.path.display().to_string();
    file.doc
        .phases
        .iter()
        .map(|p| Phase {
            id: p.id.clone(),
            title: p.title.clone(),
            source: Some(Location {
                file: name.clone(),
                line: p.line,
            }),
            tasks: p
                .tasks
                .iter()
                .map(|t| Task {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    status: t.status,
                    needs: t.needs.clone(),
                    checks: Vec::new(),
                    source: Some(Location {
                        file: name.clone(),
                        line: t.line,
                    }),
                    section: t.section.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Add phases to a plan; tasks of a phase id that exists already join that phase.
pub fn merge(plan: &mut Plan, phases: Vec<Phase>) {
    for phase in phases {
        match plan.phases.iter_mut().find(|p| p.id == phase.id) {
            Some(existing) => existing.tasks.extend(phase.tasks),
            None => plan.phases.push(phase),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_find_plan_files_and_their_tasks_merge_into_the_plan() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/plan")).unwrap();
        std::fs::write(
            root.join("docs/plan/phase-4.md"),
            "# Phase 4: Harden\n\n- [x] p4-1 Pin dependencies\n- [ ] p4-2 Load test\n",
        )
        .unwrap();
        std::fs::write(root.join("docs/plan/notes.txt"), "not a plan").unwrap();
        std::fs::write(root.join("README.md"), "- [ ] not in the globs\n").unwrap();
        let (files, errors) = load(root, &["docs/plan/*.md".to_string()]);
        assert!(errors.is_empty());
        assert_eq!(files.len(), 1);
        let mut plan = Plan::default();
        merge(&mut plan, phases(&files[0]));
        assert_eq!(plan.phases[0].id, "p4");
        let ids: Vec<&str> = plan.tasks().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["p4-1", "p4-2"]);
        assert_eq!(
            plan.phases[0].tasks[1].source.as_ref().unwrap().to_string(),
            "docs/plan/phase-4.md:4"
        );
    }
}
