//! `preflight issue new|list|show|set|dismiss|note`: the register from scripts.

use crate::domain::filter::{triage_order, Filter};
use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use crate::domain::suggest::did_you_mean;
use crate::domain::triage::{self, Edit};
use crate::repo::Repo;
use crate::store::{self, Store, ID_PREFIX};
use crate::text::format::{age, fit};
use crate::text::sanitize::{multi_line, Line};
use color_eyre::eyre::{bail, eyre, Result, WrapErr};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

/// A hand-filed issue as asked for: text as typed, checked by [`new`].
#[derive(Debug, Clone, Default)]
pub struct NewIssue {
    pub title: String,
    /// critical, high, medium, low or info.
    pub severity: String,
    pub blocker: bool,
    pub owner: Option<String>,
    /// The plan task it belongs to.
    pub task: Option<String>,
    /// S, M, L or XL.
    pub effort: Option<String>,
    pub area: Option<String>,
    pub impact: Option<String>,
    pub evidence: Option<String>,
    pub repro: Option<String>,
    pub root_cause: Option<String>,
    pub fix: Option<String>,
}

/// Which issues `preflight issue list` shows, and how.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub owner: Option<String>,
    /// Only release blockers.
    pub blocker: bool,
    /// A JSON array instead of the table.
    pub json: bool,
}

/// The repository and its register.
fn open(repo_arg: Option<&Path>) -> Result<(Repo, Store)> {
    let start = match repo_arg {
        Some(dir) => dir.to_path_buf(),
        None => crate::repo::logical_cwd()?,
    };
    let repo = Repo::discover(&start)?;
    let store = Store::new(&repo);
    Ok((repo, store))
}

/// `preflight issue set ID key=value…`: every assignment is checked before anything
/// is written.
pub fn set(repo_arg: Option<&Path>, id: &str, assignments: &[String]) -> Result<ExitCode> {
    let (repo, store) = open(repo_arg)?;
    let edits = assignments
        .iter()
        .map(|a| triage::parse_assignment(a))
        .collect::<Result<Vec<Edit>, String>>()
        .map_err(|e| eyre!(e))?;
    validate_task(&repo, &edits)?;
    change(&repo, &store, id, |issue, actor| {
        for edit in &edits {
            triage::apply(issue, edit, actor);
        }
        Ok(())
    })
}

/// `preflight issue dismiss ID --reason R`.
pub fn dismiss(
    repo_arg: Option<&Path>,
    id: &str,
    reason: &str,
    note: Option<String>,
    expires: Option<String>,
) -> Result<ExitCode> {
    let (repo, store) = open(repo_arg)?;
    let reason = reason.parse().map_err(|e: String| eyre!(e))?;
    change(&repo, &store, id, |issue, actor| {
        triage::dismiss(issue, reason, note, expires, actor)
    })
}

/// `preflight issue note ID TEXT`.
pub fn note(repo_arg: Option<&Path>, id: &str, text: &str) -> Result<ExitCode> {
    let (repo, store) = open(repo_arg)?;
    change(&repo, &store, id, |issue, actor| {
        triage::add_note(issue, text, actor)
    })
}

/// Turn what the user typed into a register id: case and the `PF-` prefix are optional.
/// Anything but a valid id is refused before a file is looked at.
fn resolve(store: &Store, typed: &str) -> Result<String> {
    let upper = typed.trim().to_ascii_uppercase();
    let id = if upper.starts_with(ID_PREFIX) {
        upper
    } else {
        format!("{ID_PREFIX}{upper}")
    };
    if !store::is_valid_id(&id) {
        bail!(
            "`{}` is not an issue id (PF- and up to 32 letters or digits, e.g. PF-7K3Q9X)",
            Line(typed)
        );
    }
    if std::fs::symlink_metadata(store.path_of(&id)).is_ok() {
        return Ok(id);
    }
    let known: Vec<String> = store.load().issues.into_iter().map(|i| i.id).collect();
    let hint = did_you_mean(&id, known.iter().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    bail!(
        "no issue `{}` in {}{hint}",
        Line(typed),
        store.dir().display()
    )
}

fn change(
    repo: &Repo,
    store: &Store,
    typed: &str,
    edit: impl FnOnce(&mut Issue, &crate::domain::issue::Actor) -> Result<(), String>,
) -> Result<ExitCode> {
    let id = resolve(store, typed)?;
    let actor = store::actor(repo);
    let issue = store.update(&id, None, &actor, edit)?;
    outln!(
        "{} {} · {} · revision {}",
        issue.id,
        issue.status,
        issue.severity,
        issue.revision
    );
    Ok(ExitCode::SUCCESS)
}

/// A task named on an issue must exist in the plan, when there is a plan to ask.
fn validate_task(repo: &Repo, edits: &[Edit]) -> Result<()> {
    for edit in edits {
        if let Edit::Task(Some(task)) = edit {
            check_task(repo, task)?;
        }
    }
    Ok(())
}

fn check_task(repo: &Repo, task: &str) -> Result<()> {
    let file = repo.root.join(crate::config::FILE_NAME);
    if !file.is_file() {
        return Ok(());
    }
    let config = crate::config::load_file(&file)?;
    let ids: Vec<&str> = config.plan.tasks().map(|t| t.id.as_str()).collect();
    if ids.is_empty() || ids.contains(&task) {
        return Ok(());
    }
    let hint = did_you_mean(task, ids.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    bail!("no task `{task}` in the plan{hint}")
}

/// `preflight issue new`: file an issue by hand and print its id.
pub fn new(repo_arg: Option<&Path>, args: NewIssue) -> Result<ExitCode> {
    let (repo, store) = open(repo_arg)?;
    let title = args.title.trim();
    if title.is_empty() {
        bail!("--title cannot be empty");
    }
    let severity: Severity = args.severity.parse().map_err(|e: String| eyre!(e))?;
    let effort = args
        .effort
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| eyre!(e))?;
    if let Some(task) = &args.task {
        check_task(&repo, task)?;
    }
    let actor = store::actor(&repo);
    let mut issue = Issue::new(
        store.new_id(),
        title.to_string(),
        severity,
        Status::Open,
        &actor,
    );
    issue.blocker = args.blocker;
    issue.owner = args.owner;
    issue.effort = effort;
    issue.area = args.area;
    issue.impact = args.impact;
    issue.evidence = args.evidence;
    issue.repro = args.repro;
    issue.root_cause = args.root_cause;
    issue.fix = args.fix;
    issue.task = args.task;
    issue.log(&actor.at, &actor.by, "filed by hand");
    let lock = store.lock()?;
    store.create(&lock, &mut issue)?;
    outln!("{}", issue.id);
    Ok(ExitCode::SUCCESS)
}

/// `preflight issue list`: most severe first, then oldest first.
pub fn list(repo_arg: Option<&Path>, args: &ListOptions) -> Result<ExitCode> {
    let (_, store) = open(repo_arg)?;
    let parse = |text: &Option<String>, term: &str| -> Result<Filter> {
        let words = text
            .as_deref()
            .map(|v| format!("{term}:{v}"))
            .unwrap_or_default();
        Filter::parse(&words).map_err(|e| eyre!(e))
    };
    let filter = Filter {
        statuses: parse(&args.status, "status")?.statuses,
        severities: parse(&args.severity, "sev")?.severities,
        owner: args.owner.as_deref().map(str::to_lowercase),
        blocker: args.blocker,
        ..Filter::default()
    };
    let loaded = store.load();
    for error in &loaded.errors {
        errln!("preflight: warning: {}", Line(error));
    }
    let mut issues: Vec<Issue> = loaded
        .issues
        .into_iter()
        .filter(|i| filter.matches(i))
        .collect();
    issues.sort_by(triage_order);
    if args.json {
        let text = serde_json::to_string_pretty(&issues).wrap_err("cannot encode the issues")?;
        outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if issues.is_empty() {
        outln!("no issues match");
        return Ok(ExitCode::SUCCESS);
    }
    let now = SystemTime::now();
    outln!(
        "{:<9}  {:<8}  {:<11}  {:<1}  {}  {}  {:>4}  SOURCE",
        "ID",
        "SEV",
        "STATUS",
        "B",
        fit("TITLE", 48),
        fit("OWNER", 10),
        "AGE"
    );
    for issue in &issues {
        outln!(
            "{:<9}  {:<8}  {:<11}  {:<1}  {}  {}  {:>4}  {}",
            issue.id,
            issue.severity,
            issue.status,
            if issue.blocker { "●" } else { " " },
            fit(&Line(&issue.title).to_string(), 48),
            fit(&Line(issue.owner.as_deref().unwrap_or("-")).to_string(), 10),
            age(&issue.created, now),
            Line(issue.source())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A multi-line field made safe, its later lines indented under the first (so no line
/// of it can pass for a line of preflight's own).
fn indented(text: &str) -> String {
    multi_line(text).replace('\n', "\n            ")
}

/// `preflight issue show ID`: one issue with its history.
pub fn show(repo_arg: Option<&Path>, typed: &str, json: bool) -> Result<ExitCode> {
    let (_, store) = open(repo_arg)?;
    let id = resolve(&store, typed)?;
    let issue = store.read(&id)?;
    if json {
        let text = serde_json::to_string_pretty(&issue).wrap_err("cannot encode the issue")?;
        outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{}  {}", issue.id, Line(&issue.title));
    outln!(
        "{} · {}{}{} · revision {}",
        issue.severity,
        issue.status,
        if issue.blocker {
            " · release blocker"
        } else {
            ""
        },
        if issue.regression {
            " · regression"
        } else {
            ""
        },
        issue.revision
    );
    let fields = [
        ("owner", issue.owner.clone()),
        ("effort", issue.effort.map(|e| e.to_string())),
        ("task", issue.task.clone()),
        ("area", issue.area.clone()),
        ("impact", issue.impact.clone()),
        ("evidence", issue.evidence.clone()),
        ("repro", issue.repro.clone()),
        ("root cause", issue.root_cause.clone()),
        ("fix", issue.fix.clone()),
    ];
    for (label, value) in fields {
        if let Some(value) = value {
            // Who, what size, where: one line. What and how: may take several.
            let shown = match label {
                "owner" | "effort" | "task" | "area" => Line(&value).to_string(),
                _ => indented(&value),
            };
            outln!("{label:>10}: {shown}");
        }
    }
    if let Some(link) = &issue.finding {
        print_finding(link);
    }
    if let Some(d) = &issue.dismissal {
        let until = d
            .expires
            .as_deref()
            .map(|e| format!(" until {e}"))
            .unwrap_or_default();
        let note = d
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        outln!(
            " dismissed: {}{} by {}{}",
            d.reason,
            Line(&until),
            Line(&d.by),
            indented(&note)
        );
    }
    for note in &issue.notes {
        outln!(
            "      note: {} ({}, {})",
            indented(&note.text),
            Line(&note.by),
            Line(&note.at)
        );
    }
    if !issue.history.is_empty() {
        outln!("history:");
        for h in &issue.history {
            outln!(
                "  {}  {:<10}  {}",
                Line(&h.at),
                Line(&h.by),
                Line(&h.change)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The finding behind an issue, each field sanitised (they come from a tool's report).
fn print_finding(link: &crate::domain::issue::FindingLink) {
    let place = match (&link.path, link.line) {
        (Some(p), Some(l)) => format!("{p}:{l}"),
        (Some(p), None) => p.clone(),
        _ => "-".into(),
    };
    outln!(
        "   finding: {} {} at {} (first seen {}, last seen {})",
        Line(&link.check),
        Line(&link.rule),
        Line(&place),
        Line(&link.first_seen),
        Line(&link.last_seen)
    );
    if let Some(summary) = link.dependency_summary() {
        outln!("   package: {}", Line(&summary));
    }
    if !link.aliases.is_empty() {
        outln!("   aliases: {}", Line(&link.aliases.join(", ")));
    }
    if let Some(confidence) = &link.confidence {
        outln!("confidence: {}", Line(confidence));
    }
}
