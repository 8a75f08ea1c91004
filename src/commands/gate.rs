//! `preflight gate`: run what the gates need, then say GO or NO-GO and why. The same
//! evaluation (`domain::gate::evaluate`) serves the cockpit's header.

use super::check::{remember, require_trust, select};
use super::join::obtain;
use crate::domain::gate::{evaluate, CheckState, GateKind, Inputs, Verdict};
use crate::domain::issue::Issue;
use crate::exit;
use crate::history::History;
use crate::register;
use crate::store::Store;
use crate::text::format::ago;
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{bail, Result, WrapErr};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

/// What `preflight gate` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// One JSON document on stdout.
    pub json: bool,
    /// Run the checks the gates need first (else judge the recorded results).
    pub run: bool,
    /// How many checks run at once.
    pub jobs: Option<u16>,
    /// Run even if the repository is not trusted.
    pub trust: bool,
    /// File what the checks find into the register.
    pub register: bool,
}

pub fn run(repo_arg: Option<&Path>, args: &Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    if ws.config.gates.is_empty() {
        bail!(
            "no release gates: add [[gate]] tables to {} (e.g. checks = [\"test\"], max_open = {{ critical = 0 }}, blockers = 0)",
            crate::config::FILE_NAME
        );
    }
    let needed = needed_checks(&ws);
    if args.run && !needed.is_empty() {
        require_trust(&ws, args.trust)?;
        let selected = select(&ws, &needed)?;
        let jobs = workspace::jobs(args.jobs, &ws.config);
        let runtime = workspace::runtime()?;
        let interrupted = Arc::new(AtomicBool::new(false));
        let obtained = runtime.block_on(obtain(&ws, selected, jobs, interrupted.clone()))?;
        if interrupted.load(Ordering::SeqCst) {
            return Ok(ExitCode::from(exit::INTERRUPTED));
        }
        // Runs joined were recorded and filed by the runner that ran them.
        let head = ws.repo.head();
        remember(&ws, head.as_ref(), &obtained.ran);
        if args.register && !obtained.ran.is_empty() {
            let filed =
                register::file_outcomes(&ws.repo, &ws.config, head.as_ref(), &obtained.ran)?;
            for error in &filed.errors {
                eprintln!("preflight: warning: {error}");
            }
        }
    }

    let latest = History::new(&ws.repo.state_dir).latest();
    let checks: HashMap<String, CheckState> = latest
        .iter()
        .map(|(id, r)| (id.clone(), r.state()))
        .collect();
    let loaded = Store::new(&ws.repo).load();
    for error in &loaded.errors {
        eprintln!("preflight: warning: {error}");
    }
    let head = ws.repo.head();
    let commit = head.as_ref().and_then(|h| h.commit.clone());
    let verdict = evaluate(&Inputs {
        gates: &ws.config.gates,
        issues: &loaded.issues,
        plan: &ws.config.plan,
        checks: &checks,
        now: SystemTime::now(),
        head: commit.as_deref(),
    });
    if !args.run {
        if let Some(line) = staleness(
            &needed,
            &checks,
            commit.as_deref(),
            head.as_ref().map_or(0, |h| h.dirty),
        ) {
            eprintln!("preflight: {line}");
        }
    }
    let branch = head.as_ref().and_then(|h| h.branch.clone());
    if args.json {
        print_json(&verdict, &loaded.issues, branch, commit)?;
    } else {
        print_text(
            &verdict,
            &loaded.issues,
            branch.as_deref(),
            commit.as_deref(),
        );
    }
    Ok(if verdict.go {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}

/// The checks whose results the gates read.
fn needed_checks(ws: &Workspace) -> Vec<String> {
    let mut ids = BTreeSet::new();
    for gate in &ws.config.gates {
        match &gate.kind {
            GateKind::Checks(list) | GateKind::MaxOpenOf { checks: list, .. } => {
                ids.extend(list.iter().cloned())
            }
            GateKind::Metric { check, .. } => {
                ids.insert(check.clone());
            }
            _ => {}
        }
    }
    ws.config
        .checks
        .iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| c.id.clone())
        .collect()
}

/// With `--no-run`: how old the results are and whether the tree moved since.
fn staleness(
    needed: &[String],
    checks: &HashMap<String, CheckState>,
    head: Option<&str>,
    dirty: usize,
) -> Option<String> {
    if needed.is_empty() {
        return None;
    }
    let states: Vec<&CheckState> = needed.iter().filter_map(|id| checks.get(id)).collect();
    let Some(oldest) = states.iter().map(|s| s.finished_at).min() else {
        return Some(format!(
            "no recorded results: the {} needed check(s) never ran; run `preflight gate` without --no-run",
            needed.len()
        ));
    };
    let age = ago(SystemTime::now().duration_since(oldest).unwrap_or_default());
    let moved = states.iter().any(|s| s.commit.as_deref() != head) || dirty > 0;
    let missing = needed.len() - states.len();
    let mut line = format!("judging from recorded results (oldest {age})");
    if moved {
        line.push_str(&format!(
            "; the tree changed since (now {}{})",
            head.unwrap_or("no commit"),
            if dirty > 0 {
                format!(" + {dirty} uncommitted")
            } else {
                String::new()
            }
        ));
    }
    if missing > 0 {
        line.push_str(&format!("; {missing} needed check(s) never ran"));
    }
    Some(line)
}

fn blocker_issues<'a>(verdict: &Verdict, issues: &'a [Issue]) -> Vec<&'a Issue> {
    verdict
        .blockers
        .iter()
        .filter_map(|id| issues.iter().find(|i| &i.id == id))
        .collect()
}

fn print_text(verdict: &Verdict, issues: &[Issue], branch: Option<&str>, commit: Option<&str>) {
    let width = verdict
        .gates
        .iter()
        .map(|g| g.id.chars().count())
        .max()
        .unwrap_or(4);
    for gate in &verdict.gates {
        let mark = match (gate.passed, gate.advisory) {
            (true, _) => "PASS",
            (false, false) => "FAIL",
            (false, true) => "WARN",
        };
        let advisory = if gate.advisory { " (advisory)" } else { "" };
        println!(
            "{mark}  {:<width$}  {}{advisory} · {}",
            gate.id, gate.name, gate.reason
        );
    }
    let blockers = blocker_issues(verdict, issues);
    if !blockers.is_empty() {
        println!("release blockers:");
        for issue in &blockers {
            println!(
                "  {}  {:<8}  {}  ({}, {})",
                issue.id,
                issue.severity,
                issue.title,
                issue.status,
                issue.owner.as_deref().unwrap_or("no owner")
            );
        }
    }
    let at = match (branch, commit) {
        (Some(b), Some(c)) => format!(" · {b}@{c}"),
        (None, Some(c)) => format!(" · {c}"),
        _ => String::new(),
    };
    if verdict.go {
        println!("GO{at}");
    } else {
        let gates = match verdict.failing {
            0 => String::new(),
            1 => "1 gate failing".to_string(),
            n => format!("{n} gates failing"),
        };
        let blockers = match blockers.len() {
            0 => String::new(),
            1 => "1 blocker".to_string(),
            n => format!("{n} blockers"),
        };
        let why: Vec<String> = [gates, blockers]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        println!("NO-GO: {}{at}", why.join(", "));
    }
}

#[derive(Serialize)]
struct JsonVerdict<'a> {
    verdict: &'static str,
    gates: &'a [crate::domain::gate::GateOutcome],
    blockers: Vec<JsonBlocker<'a>>,
    failing: usize,
    branch: Option<String>,
    commit: Option<String>,
}

#[derive(Serialize)]
struct JsonBlocker<'a> {
    id: &'a str,
    title: &'a str,
    severity: crate::domain::finding::Severity,
    status: crate::domain::issue::Status,
    owner: Option<&'a str>,
}

fn print_json(
    verdict: &Verdict,
    issues: &[Issue],
    branch: Option<String>,
    commit: Option<String>,
) -> Result<()> {
    let report = JsonVerdict {
        verdict: if verdict.go { "GO" } else { "NO-GO" },
        gates: &verdict.gates,
        blockers: blocker_issues(verdict, issues)
            .into_iter()
            .map(|i| JsonBlocker {
                id: &i.id,
                title: &i.title,
                severity: i.severity,
                status: i.status,
                owner: i.owner.as_deref(),
            })
            .collect(),
        failing: verdict.failing,
        branch,
        commit,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&report).wrap_err("cannot encode the verdict")?
    );
    Ok(())
}
