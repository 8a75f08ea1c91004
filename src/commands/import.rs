//! `preflight import FILE.md`: a markdown plan as `[[phase]]` tables (on stdout, or
//! merged into a preflight.toml), and with `--issues` its findings as register issues.

use crate::config::{self, Source};
use crate::domain::finding::Severity;
use crate::domain::issue::{FindingLink, Issue, Status};
use crate::fsutil::write_atomic;
use crate::markdown::{self, Document, MdFinding};
use crate::repo::Repo;
use crate::store::{self, Store};
use crate::text::sanitize::{Line, Lines};
use color_eyre::eyre::{eyre, Result, WrapErr};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// The check name issues imported from a plan's findings table are filed under.
pub const IMPORT_SOURCE: &str = "import";

pub fn run(
    repo_arg: Option<&Path>,
    file: &Path,
    output: Option<&Path>,
    issues: bool,
) -> Result<ExitCode> {
    let bytes = crate::fsutil::read_regular(
        file,
        crate::fsutil::MAX_TEXT_FILE,
        crate::fsutil::Links::Follow,
    )
    .wrap_err_with(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let doc = markdown::read(&text, &stem);
    let tasks = doc.tasks().count();
    if tasks == 0 && doc.findings.is_empty() {
        // The note that explains the absence, rather than, say, a repaired encoding.
        let why = doc
            .notes
            .iter()
            .find(|n| n.contains("no task") || n.contains("fence") || n.contains("context"))
            .or(doc.notes.first())
            .cloned()
            .unwrap_or_else(|| "no tasks or findings recognised".into());
        errln!(
            "preflight: nothing to import from {}: {}",
            Line(&file.display().to_string()),
            Line(&why)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let source = file.display().to_string();
    if tasks > 0 {
        match output {
            None => out!("{}", Lines(&render(&doc, &source, &[]))),
            Some(out) => merge_into(out, &doc, &source)?,
        }
    } else {
        errln!("preflight: {} has no tasks, only findings", Line(&source));
    }
    if issues {
        let start = match repo_arg {
            Some(dir) => dir.to_path_buf(),
            None => crate::repo::logical_cwd()?,
        };
        let repo = Repo::discover(&start)?;
        file_findings(&repo, &doc.findings, &source)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string()
}

/// The phases of `doc` as TOML, leaving out the task ids in `skip`.
fn render(doc: &Document, source: &str, skip: &[String]) -> String {
    let mut out = format!("# Imported from {source} by `preflight import`.\n");
    for phase in &doc.phases {
        let tasks: Vec<_> = phase
            .tasks
            .iter()
            .filter(|t| !skip.contains(&t.id))
            .collect();
        if tasks.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n[[phase]]\nid = {}\ntitle = {}\n",
            quoted(&phase.id),
            quoted(&phase.title)
        );
        for task in tasks {
            let _ = write!(
                out,
                "\n[[phase.task]]\nid = {}\ntitle = {}\nstatus = {}\n",
                quoted(&task.id),
                quoted(&task.title),
                quoted(task.status.as_str())
            );
            if !task.needs.is_empty() {
                let needs: Vec<String> = task.needs.iter().map(|n| quoted(n)).collect();
                let _ = writeln!(out, "needs = [{}]", needs.join(", "));
            }
        }
    }
    out
}

/// Append the plan's phases and tasks to `out`, skipping ids already there; the result
/// is validated before anything is written.
fn merge_into(out: &Path, doc: &Document, source: &str) -> Result<()> {
    let existing = match std::fs::read_to_string(out) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).wrap_err_with(|| format!("cannot read {}", out.display())),
    };
    let mut document: toml_edit::DocumentMut = existing
        .parse()
        .map_err(|e| eyre!("{}: {e}", out.display()))?;
    let present: Vec<String> = document
        .get("phase")
        .and_then(|p| p.as_array_of_tables())
        .into_iter()
        .flat_map(|phases| phases.iter())
        .flat_map(|phase| {
            phase
                .get("task")
                .and_then(|t| t.as_array_of_tables())
                .into_iter()
                .flat_map(|t| t.iter())
        })
        .filter_map(|task| task.get("id").and_then(|v| v.as_str()).map(str::to_owned))
        .collect();
    let addition: toml_edit::DocumentMut = render(doc, source, &present)
        .parse()
        .map_err(|e| eyre!("cannot render the imported plan: {e}"))?;
    let mut added_tasks = 0;
    if let Some(new_phases) = addition.get("phase").and_then(|p| p.as_array_of_tables()) {
        for new_phase in new_phases.iter() {
            let id = new_phase
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let new_tasks = new_phase
                .get("task")
                .and_then(|t| t.as_array_of_tables())
                .cloned()
                .unwrap_or_default();
            added_tasks += new_tasks.len();
            let phases = document
                .entry("phase")
                .or_insert(toml_edit::Item::ArrayOfTables(
                    toml_edit::ArrayOfTables::new(),
                ))
                .as_array_of_tables_mut()
                .ok_or_else(|| eyre!("{}: `phase` is not a list of tables", out.display()))?;
            let position = phases
                .iter()
                .position(|p| p.get("id").and_then(|v| v.as_str()) == Some(id.as_str()));
            match position.and_then(|i| phases.get_mut(i)) {
                Some(phase) => {
                    let list = phase
                        .entry("task")
                        .or_insert(toml_edit::Item::ArrayOfTables(
                            toml_edit::ArrayOfTables::new(),
                        ))
                        .as_array_of_tables_mut()
                        .ok_or_else(|| {
                            eyre!(
                                "{}: phase `{id}` has a `task` that is not a list of tables",
                                out.display()
                            )
                        })?;
                    for task in new_tasks.iter() {
                        list.push(task.clone());
                    }
                }
                None => phases.push(new_phase.clone()),
            }
        }
    }
    let merged = document.to_string();
    config::load_str(&merged, out, Source::File(out.to_path_buf()))
        .map_err(|e| eyre!("the merged file would be invalid, nothing written: {e}"))?;
    write_atomic(out, merged.as_bytes())?;
    let skipped = doc.tasks().count() - added_tasks;
    outln!(
        "imported {added_tasks} task{} from {} into {}{}",
        if added_tasks == 1 { "" } else { "s" },
        Line(source),
        Line(&out.display().to_string()),
        if skipped > 0 {
            format!(" ({skipped} already there)")
        } else {
            String::new()
        }
    );
    Ok(())
}

fn fingerprint(source: &str, id: &str) -> String {
    Sha256::digest(format!("{source}\0{id}").as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Severity as written, else from the id's letter (C1, H2, M3, L4), else medium.
fn severity(finding: &MdFinding) -> Severity {
    let written = finding
        .severity
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase());
    if let Some(sev) = written.as_deref().and_then(|s| {
        Severity::ALL
            .into_iter()
            .find(|v| s.starts_with(&v.as_str()[..4.min(v.as_str().len())]))
    }) {
        return sev;
    }
    match finding.id.chars().next().map(|c| c.to_ascii_uppercase()) {
        Some('C') => Severity::Critical,
        Some('H') => Severity::High,
        Some('L') => Severity::Low,
        _ => Severity::Medium,
    }
}

fn status(finding: &MdFinding) -> Status {
    let written = finding.status.as_deref().unwrap_or("").to_ascii_lowercase();
    if written.contains("progress") || written.contains("wip") {
        Status::InProgress
    } else if written.contains("fixed") || written.contains("resolved") || written.contains("done")
    {
        Status::Fixed
    } else if written.contains("closed") || written.contains("verified") {
        Status::Verified
    } else if written.contains("open") || written.contains("confirmed") {
        Status::Open
    } else {
        Status::New
    }
}

/// File each finding once: a second import of the same file finds them by fingerprint.
fn file_findings(repo: &Repo, findings: &[MdFinding], source: &str) -> Result<()> {
    if findings.is_empty() {
        errln!(
            "preflight: {} has no findings table to import",
            Line(source)
        );
        return Ok(());
    }
    let store = Store::new(repo);
    let lock = store.lock()?;
    let loaded = store.load();
    let actor = store::actor(repo);
    let mut filed = Vec::new();
    let mut known = 0;
    for finding in findings {
        let print = fingerprint(source, &finding.id);
        let exists = loaded.issues.iter().any(|i| {
            i.finding
                .as_ref()
                .is_some_and(|l| l.check == IMPORT_SOURCE && l.fingerprint == print)
        });
        if exists {
            known += 1;
            continue;
        }
        let mut issue = Issue::new(
            store.new_id(),
            format!("{}: {}", finding.id, finding.title),
            severity(finding),
            status(finding),
            &actor,
        );
        issue.owner = finding.owner.clone();
        issue.evidence = Some(format!("{source}:{}", finding.line));
        issue.finding = Some(FindingLink {
            check: IMPORT_SOURCE.into(),
            rule: finding.id.clone(),
            path: Some(source.to_string()),
            line: Some(finding.line as u32),
            fingerprint: print,
            first_seen: "import".into(),
            last_seen: "import".into(),
            verified_at: None,
            ..FindingLink::default()
        });
        issue.log(
            &actor.at,
            &actor.by,
            format!("imported from {source}:{}", finding.line),
        );
        store.create(&lock, &mut issue)?;
        filed.push(issue.id);
    }
    outln!(
        "filed {} issue{} from {}{}",
        filed.len(),
        if filed.len() == 1 { "" } else { "s" },
        Line(source),
        if known > 0 {
            format!(" ({known} already in the register)")
        } else {
            String::new()
        }
    );
    Ok(())
}
