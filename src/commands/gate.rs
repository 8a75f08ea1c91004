//! `preflight gate`: run what the gates need, then say GO or NO-GO and why. The same
//! evaluation (`domain::gate::evaluate`) serves the cockpit's header.

use super::check::{remember, require_trust, run_all, select};
use crate::domain::baseline::Baseline;
use crate::domain::gate::{evaluate, CheckState, Decision, GateKind, Inputs, Verdict};
use crate::domain::issue::Issue;
use crate::exit;
use crate::git_burndown::Burndown;
use crate::history::History;
use crate::register;
use crate::repo::Head;
use crate::report::{self, github};
use crate::store::Store;
use crate::text::format::ago;
use crate::text::sanitize::Line;
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

/// How the verdict is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow commands (and the step summary), then the text.
    Github,
}

/// What `preflight gate` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Format,
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
    let needed = needed_checks(&ws);
    if args.run && !needed.is_empty() {
        require_trust(&ws, args.trust)?;
        let selected = select(&ws, &needed)?;
        let jobs = workspace::jobs(args.jobs, &ws.config);
        let runtime = workspace::runtime()?;
        let interrupted = Arc::new(AtomicBool::new(false));
        let outcomes = runtime.block_on(run_all(&ws, selected, jobs, interrupted.clone()))?;
        if interrupted.load(Ordering::SeqCst) {
            return Ok(ExitCode::from(exit::INTERRUPTED));
        }
        let head = ws.repo.head();
        remember(&ws, head.as_ref(), &outcomes);
        if args.register {
            let filed = register::file_outcomes(&ws.repo, &ws.config, head.as_ref(), &outcomes)?;
            for error in &filed.errors {
                errln!("preflight: warning: {}", Line(error));
            }
            if let Some(hint) = filed.flood_hint() {
                errln!("preflight: {hint}");
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
        errln!("preflight: warning: {}", Line(error));
    }
    let (baseline, warning) = register::baseline::load(&ws.repo);
    if let Some(warning) = warning {
        errln!("preflight: warning: {}", Line(&warning));
    }
    let head = ws.repo.head();
    let commit = head.as_ref().and_then(|h| h.commit.clone());
    let verdict = evaluate(&Inputs {
        gates: &ws.config.gates,
        issues: &loaded.issues,
        baseline: &baseline,
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
            errln!("preflight: {}", Line(&line));
        }
    }
    let branch = head.as_ref().and_then(|h| h.branch.clone());
    if args.format == Format::Github {
        let lines = github::commands(&ws.config.gates, &verdict, &loaded.issues, &baseline);
        for line in lines {
            outln!("{line}");
        }
        if let Err(e) = step_summary(&ws, &loaded.issues, &baseline, head.as_ref()) {
            errln!("preflight: warning: cannot append to $GITHUB_STEP_SUMMARY: {e:#}");
        }
    }
    if args.format == Format::Json {
        print_json(&verdict, &loaded.issues, branch, commit)?;
    } else {
        print_text(
            &verdict,
            &loaded.issues,
            branch.as_deref(),
            commit.as_deref(),
        );
    }
    if verdict.decision == Decision::NoVerdict && args.format != Format::Json {
        errln!(
            "preflight: nothing can say GO: add [[gate]] tables to {} (`preflight init` writes working ones: the checks pass, no open blocker, no open critical)",
            crate::config::FILE_NAME
        );
    }
    // Only GO passes: no verdict fails a CI job as NO-GO does, rather than letting a
    // repository without gates through.
    Ok(if verdict.is_go() {
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
        outln!(
            "{mark}  {:<width$}  {}{advisory} · {}",
            Line(&gate.id),
            Line(&gate.name),
            Line(&gate.reason)
        );
    }
    let blockers = blocker_issues(verdict, issues);
    if !blockers.is_empty() {
        outln!("release blockers:");
        for issue in &blockers {
            outln!(
                "  {}  {:<8}  {}  ({}, {})",
                issue.id,
                issue.severity,
                Line(&issue.title),
                issue.status,
                Line(issue.owner.as_deref().unwrap_or("no owner"))
            );
        }
    }
    let at = match (branch, commit) {
        (Some(b), Some(c)) => format!(" · {}@{}", Line(b), Line(c)),
        (None, Some(c)) => format!(" · {}", Line(c)),
        _ => String::new(),
    };
    if verdict.decision != Decision::NoGo {
        outln!("{}{at}", verdict.headline());
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
        outln!("NO-GO: {}{at}", why.join(", "));
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
        verdict: verdict.decision.code(),
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
    outln!(
        "{}",
        serde_json::to_string_pretty(&report).wrap_err("cannot encode the verdict")?
    );
    Ok(())
}

/// With `GITHUB_STEP_SUMMARY` set: append the report's verdict and gates to it.
fn step_summary(
    ws: &Workspace,
    issues: &[Issue],
    baseline: &Baseline,
    head: Option<&Head>,
) -> Result<()> {
    use std::io::Write;
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let runs = History::new(&ws.repo.state_dir).load();
    let checks: Vec<(String, String)> = ws
        .config
        .checks
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let built = report::build(&report::Inputs {
        project: &super::report::project_name(ws),
        now: SystemTime::now(),
        head,
        gates: &ws.config.gates,
        issues,
        baseline,
        plan: &ws.config.plan,
        checks: &checks,
        runs: &runs,
        burndown: &Burndown::NotGit,
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .wrap_err_with(|| format!("cannot open {}", std::path::Path::new(&path).display()))?;
    file.write_all(report::markdown::verdict_and_gates(&built).as_bytes())
        .wrap_err("cannot write the summary")?;
    Ok(())
}
