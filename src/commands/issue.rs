//! `preflight issue new|list|show|set|dismiss|note`: the register from scripts.

use crate::cli::{IssueCommand, ListIssuesArgs, NewIssueArgs};
use crate::config::did_you_mean;
use crate::domain::filter::{triage_order, Filter};
use crate::domain::finding::Severity;
use crate::domain::issue::{Issue, Status};
use crate::domain::triage::{self, Edit};
use crate::repo::Repo;
use crate::store::{self, Store, ID_PREFIX};
use color_eyre::eyre::{bail, eyre, Result, WrapErr};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(repo_arg: Option<&Path>, cmd: IssueCommand) -> Result<ExitCode> {
    let start = match repo_arg {
        Some(dir) => dir.to_path_buf(),
        None => crate::repo::logical_cwd()?,
    };
    let repo = Repo::discover(&start)?;
    let store = Store::new(&repo);
    match cmd {
        IssueCommand::New(args) => new(&repo, &store, args),
        IssueCommand::List(args) => list(&store, &args),
        IssueCommand::Show { id, json } => show(&store, &id, json),
        IssueCommand::Set { id, assignments } => {
            let edits = assignments
                .iter()
                .map(|a| triage::parse_assignment(a))
                .collect::<Result<Vec<Edit>, String>>()
                .map_err(|e| eyre!(e))?;
            validate_task(&repo, &edits)?;
            change(&repo, &store, &id, |issue, actor| {
                for edit in &edits {
                    triage::apply(issue, edit, actor);
                }
                Ok(())
            })
        }
        IssueCommand::Dismiss {
            id,
            reason,
            note,
            expires,
        } => {
            let reason = reason.parse().map_err(|e: String| eyre!(e))?;
            change(&repo, &store, &id, |issue, actor| {
                triage::dismiss(issue, reason, note.clone(), expires.clone(), actor)
            })
        }
        IssueCommand::Note { id, text } => change(&repo, &store, &id, |issue, actor| {
            triage::add_note(issue, &text, actor)
        }),
    }
}

/// Turn what the user typed into a register id: case and the `PF-` prefix are optional.
fn resolve(store: &Store, typed: &str) -> Result<String> {
    let upper = typed.trim().to_ascii_uppercase();
    let id = if upper.starts_with(ID_PREFIX) {
        upper
    } else {
        format!("{ID_PREFIX}{upper}")
    };
    if store.path_of(&id).is_file() {
        return Ok(id);
    }
    let known: Vec<String> = store.load().issues.into_iter().map(|i| i.id).collect();
    let hint = did_you_mean(&id, known.iter().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    bail!("no issue `{typed}` in {}{hint}", store.dir().display())
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
    println!(
        "{} {} · {} · revision {}",
        issue.id, issue.status, issue.severity, issue.revision
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

fn new(repo: &Repo, store: &Store, args: NewIssueArgs) -> Result<ExitCode> {
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
        check_task(repo, task)?;
    }
    let actor = store::actor(repo);
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
    println!("{}", issue.id);
    Ok(ExitCode::SUCCESS)
}

fn list(store: &Store, args: &ListIssuesArgs) -> Result<ExitCode> {
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
        eprintln!("preflight: warning: {error}");
    }
    let mut issues: Vec<Issue> = loaded
        .issues
        .into_iter()
        .filter(|i| filter.matches(i))
        .collect();
    issues.sort_by(triage_order);
    if args.json {
        let text = serde_json::to_string_pretty(&issues).wrap_err("cannot encode the issues")?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if issues.is_empty() {
        println!("no issues match");
        return Ok(ExitCode::SUCCESS);
    }
    let now = SystemTime::now();
    println!(
        "{:<9}  {:<8}  {:<11}  {:<1}  {:<48}  {:<10}  {:>4}  SOURCE",
        "ID", "SEV", "STATUS", "B", "TITLE", "OWNER", "AGE"
    );
    for issue in &issues {
        println!(
            "{:<9}  {:<8}  {:<11}  {:<1}  {:<48}  {:<10}  {:>4}  {}",
            issue.id,
            issue.severity,
            issue.status,
            if issue.blocker { "●" } else { " " },
            clip(&issue.title, 48),
            clip(issue.owner.as_deref().unwrap_or("-"), 10),
            age(&issue.created, now),
            issue.source()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// At most `width` characters, with an ellipsis when cut.
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        text.chars()
            .take(width.saturating_sub(1))
            .collect::<String>()
            + "…"
    }
}

/// "5m", "3h", "12d", "4w" since an RFC 3339 time; "?" when it cannot be read.
pub fn age(since: &str, now: SystemTime) -> String {
    let Ok(then) = humantime::parse_rfc3339_weak(since) else {
        return "?".into();
    };
    let secs = now.duration_since(then).map_or(0, |d| d.as_secs());
    match secs {
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s if s < 86_400 * 14 => format!("{}d", s / 86_400),
        s => format!("{}w", s / (86_400 * 7)),
    }
}

fn show(store: &Store, typed: &str, json: bool) -> Result<ExitCode> {
    let id = resolve(store, typed)?;
    let issue = store.read(&id)?;
    if json {
        let text = serde_json::to_string_pretty(&issue).wrap_err("cannot encode the issue")?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}  {}", issue.id, issue.title);
    println!(
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
            println!("{label:>10}: {value}");
        }
    }
    if let Some(link) = &issue.finding {
        let place = match (&link.path, link.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.clone(),
            _ => "-".into(),
        };
        println!(
            "   finding: {} {} at {place} (first seen {}, last seen {})",
            link.check, link.rule, link.first_seen, link.last_seen
        );
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
        println!(" dismissed: {}{until} by {}{note}", d.reason, d.by);
    }
    for note in &issue.notes {
        println!("      note: {} ({}, {})", note.text, note.by, note.at);
    }
    if !issue.history.is_empty() {
        println!("history:");
        for h in &issue.history {
            println!("  {}  {:<10}  {}", h.at, h.by, h.change);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ages_read_naturally() {
        let then = "2026-11-01T00:00:00Z";
        let base = humantime::parse_rfc3339(then).unwrap();
        assert_eq!(age(then, base + Duration::from_secs(300)), "5m");
        assert_eq!(age(then, base + Duration::from_secs(3 * 3600)), "3h");
        assert_eq!(age(then, base + Duration::from_secs(3 * 86_400)), "3d");
        assert_eq!(age(then, base + Duration::from_secs(30 * 86_400)), "4w");
        assert_eq!(age("garbage", base), "?");
    }

    #[test]
    fn clip_keeps_short_text() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a long title here", 8), "a long …");
    }
}
