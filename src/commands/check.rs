//! `preflight check`: run checks once, headless, and report what they found.

use super::join::{obtain, Announcer};
use super::progress::{glyph, Progress, TICK_REFRESH};
use crate::config::Source;
use crate::domain::check::{CheckSpec, RunStatus};
use crate::domain::finding::Finding;
use crate::domain::suggest::did_you_mean;
use crate::exit;
use crate::history;
use crate::register::{self, Filed};
use crate::repo::Head;
use crate::runner::{run_check, Output, RunOutcome};
use crate::text::format::human_duration;
use crate::trust;
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{bail, eyre, Result, WrapErr};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Findings listed under the summary table; the rest are counted.
const FINDINGS_SHOWN: usize = 20;

/// What `preflight check` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Checks to run (empty: all).
    pub ids: Vec<String>,
    /// How many run at once (default: `[runner] jobs`, else one per core).
    pub jobs: Option<u16>,
    /// One JSON document on stdout instead of the summary table.
    pub json: bool,
    /// Run even if the repository is not trusted.
    pub trust: bool,
    /// File findings into the register.
    pub register: bool,
    /// Keep watching after the first run.
    pub watch: bool,
}

pub fn run(repo_arg: Option<&Path>, args: Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let selected = select(&ws, &args.ids)?;
    require_trust(&ws, args.trust)?;
    let jobs = workspace::jobs(args.jobs, &ws.config);
    if args.watch {
        let only = selected.iter().map(|c| c.id.clone()).collect();
        let only = if args.ids.is_empty() {
            Vec::new()
        } else {
            only
        };
        return super::watch::run(ws, only, jobs, args.trust, args.register);
    }

    let runtime = workspace::runtime()?;
    let interrupted = Arc::new(AtomicBool::new(false));
    let obtained = runtime.block_on(obtain(&ws, selected, jobs, interrupted.clone()))?;
    // One `git status` for everything that records where the runs happened.
    let head = ws.repo.head();
    // Runs joined were recorded and filed by the runner that ran them.
    remember(&ws, head.as_ref(), &obtained.ran);
    let filed = if args.register && !obtained.ran.is_empty() {
        let filed = register::file_outcomes(&ws.repo, &ws.config, head.as_ref(), &obtained.ran)?;
        for error in &filed.errors {
            eprintln!("preflight: warning: {error}");
        }
        Some(filed)
    } else {
        None
    };
    let outcomes = obtained.in_order(&ws);

    if args.json {
        let issues = match &filed {
            Some(filed) => filed.by_fingerprint.clone(),
            None => register::ids_by_fingerprint(&crate::store::Store::new(&ws.repo).load().issues),
        };
        print_json(&ws, head.as_ref(), &outcomes, filed.as_ref(), &issues)?;
    } else {
        print_summary(&ws, &outcomes);
        if let Some(line) = filed.as_ref().and_then(Filed::summary) {
            println!("{line}");
        }
    }
    Ok(if interrupted.load(Ordering::SeqCst) {
        ExitCode::from(exit::INTERRUPTED)
    } else if outcomes.iter().all(|o| o.status.is_success()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}

/// The checks named on the command line, in the order of the configuration.
pub fn select<'a>(ws: &'a Workspace, ids: &[String]) -> Result<Vec<&'a CheckSpec>> {
    let checks = &ws.config.checks;
    if checks.is_empty() {
        match ws.config.source {
            Source::File(_) => bail!(
                "nothing to run: {} declares no [[check]]",
                ws.repo.root.join(crate::config::FILE_NAME).display()
            ),
            Source::Default => bail!(
                "nothing to run: no preflight.toml and no checks detected (no Cargo.toml, package.json, pyproject.toml, go.mod or Makefile test/lint target); write one, starting from `preflight init`"
            ),
        }
    }
    for id in ids {
        if ws.config.check(id).is_none() {
            let known: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
            let hint = did_you_mean(id, known.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            bail!(
                "no check `{id}` in the {}; {hint}checks: {}",
                ws.config_name(),
                known.join(", ")
            );
        }
    }
    Ok(checks
        .iter()
        .filter(|c| ids.is_empty() || ids.contains(&c.id))
        .collect())
}

pub fn require_trust(ws: &Workspace, flag: bool) -> Result<()> {
    if ws.is_trusted(flag)? {
        return Ok(());
    }
    let what = match ws.config.source {
        Source::File(_) => format!(
            "{} is not trusted (new or changed since trusted)",
            ws.repo.root.join(crate::config::FILE_NAME).display()
        ),
        Source::Default => format!(
            "the detected checks of {} are not trusted yet",
            ws.repo.root.display()
        ),
    };
    Err(eyre!(
        "{what}: review its commands, then run `preflight trust` (or pass --trust, or set {}=1 in CI)",
        trust::TRUST_ENV
    ))
}

/// Keep finished runs in the history; a failure to write local state is a warning.
pub fn remember(ws: &Workspace, head: Option<&Head>, outcomes: &[RunOutcome]) {
    if let Err(e) = history::remember(&ws.repo, head, outcomes) {
        eprintln!("preflight: warning: {e}");
    }
}

/// Run `selected` here, `jobs` at a time; with `announce`, each run is announced on the
/// board as it starts and ends (this process holds the runner lock).
pub async fn run_all(
    ws: &Workspace,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
    announce: Option<Announcer>,
) -> Result<Vec<RunOutcome>> {
    let ctx = ws.run_context();
    let cancel = CancellationToken::new();
    let signals = tokio::spawn(cancel_on_signal(cancel.clone(), interrupted));
    let width = selected
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0);
    let progress = Progress::for_stderr(width);
    let ticker = progress.is_live().then(|| {
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(TICK_REFRESH).await;
                progress.refresh();
            }
        })
    });
    let slots = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = Vec::new();
    for spec in selected {
        let spec = spec.clone();
        let ctx = ctx.clone();
        let cancel = cancel.clone();
        let slots = slots.clone();
        let progress = progress.clone();
        let capacity = ws.config.runner.output_lines;
        let announce = announce.clone();
        tasks.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await;
            let output = Output::new(capacity);
            if let Some(announce) = &announce {
                // A fresh log first: a follower tails it from the announcement on.
                let _ = ctx.start_log(&spec.id);
                announce.running(&spec.id);
            }
            progress.started(&spec.id, &output);
            let outcome = run_check(&spec, &ctx, &output, &cancel).await;
            if let Some(announce) = &announce {
                announce.done(&outcome);
            }
            progress.finished(&outcome);
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.wrap_err("a check task crashed")?);
    }
    signals.abort();
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    Ok(outcomes)
}

/// Ctrl-C, SIGTERM and SIGHUP cancel every running check (ending their groups).
pub async fn cancel_on_signal(cancel: CancellationToken, interrupted: Arc<AtomicBool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
    }
    interrupted.store(true, Ordering::SeqCst);
    cancel.cancel();
}

pub fn print_summary(ws: &Workspace, outcomes: &[RunOutcome]) {
    let width = outcomes
        .iter()
        .map(|o| o.check.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "  {:<width$}  {:<9}  {:>8}  {:>8}",
        "CHECK", "STATUS", "TIME", "FINDINGS"
    );
    for o in outcomes {
        println!(
            "{} {:<width$}  {:<9}  {:>8}  {:>8}",
            glyph(o.status),
            o.check,
            o.status.as_str(),
            human_duration(o.duration),
            o.findings.len()
        );
    }
    let mut shown = 0;
    let total: usize = outcomes.iter().map(|o| o.findings.len()).sum();
    for o in outcomes {
        if let Some(error) = o.error.as_ref().filter(|_| o.status != RunStatus::Passed) {
            println!("{}: {error} (log: {})", o.check, o.log.display());
        }
        for f in o.findings.iter().take(FINDINGS_SHOWN.saturating_sub(shown)) {
            println!("{}: {}", o.check, describe(f));
            shown += 1;
        }
    }
    if total > shown {
        println!(
            "… and {} more findings (--json lists them all)",
            total - shown
        );
    }
    let count = |s: RunStatus| outcomes.iter().filter(|o| o.status == s).count();
    let mut parts = vec![format!("{} passed", count(RunStatus::Passed))];
    for (status, label) in [
        (RunStatus::Failed, "failed"),
        (RunStatus::TimedOut, "timed out"),
        (RunStatus::Error, "error"),
    ] {
        let n = count(status);
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    println!(
        "{} check{}: {} · logs in {}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        parts.join(", "),
        ws.repo.state_dir.join("logs").display()
    );
}

/// `src/db.rs:4 [unused_imports] medium: unused import`
fn describe(f: &Finding) -> String {
    let place = match (&f.path, f.line) {
        (Some(p), Some(l)) => format!("{p}:{l} "),
        (Some(p), None) => format!("{p} "),
        _ => String::new(),
    };
    // The first line: an advisory's link and text stay in `--json` and the register.
    let message = f.message.lines().next().unwrap_or_default();
    match &f.dependency {
        Some(dep) => format!(
            "{place}[{}] {}: {}: {message}",
            f.rule,
            f.severity,
            dep.summary()
        ),
        None => format!("{place}[{}] {}: {message}", f.rule, f.severity),
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    root: String,
    branch: Option<String>,
    commit: Option<String>,
    dirty: Option<usize>,
    passed: bool,
    checks: Vec<JsonCheck<'a>>,
    /// What was filed into the register; `null` with `--no-register`.
    register: Option<&'a Filed>,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    id: &'a str,
    name: &'a str,
    status: RunStatus,
    exit_code: Option<i32>,
    duration_ms: u128,
    findings: Vec<JsonFinding<'a>>,
    error: Option<&'a str>,
    log: String,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    /// The register issue it is filed as.
    issue: Option<&'a str>,
}

fn print_json(
    ws: &Workspace,
    head: Option<&Head>,
    outcomes: &[RunOutcome],
    filed: Option<&Filed>,
    issues: &std::collections::HashMap<(String, String), String>,
) -> Result<()> {
    let report = JsonReport {
        version: 1,
        root: ws.repo.root.display().to_string(),
        branch: head.and_then(|h| h.branch.clone()),
        commit: head.and_then(|h| h.commit.clone()),
        dirty: head.map(|h| h.dirty),
        passed: outcomes.iter().all(|o| o.status.is_success()),
        checks: outcomes
            .iter()
            .map(|o| JsonCheck {
                id: &o.check,
                name: ws.config.check(&o.check).map_or(&o.check, |c| &c.name),
                status: o.status,
                exit_code: o.exit_code,
                duration_ms: o.duration.as_millis(),
                findings: o
                    .findings
                    .iter()
                    .map(|f| JsonFinding {
                        finding: f,
                        issue: issues
                            .get(&(o.check.clone(), f.fingerprint.clone()))
                            .map(String::as_str),
                    })
                    .collect(),
                error: o.error.as_deref(),
                log: o.log.display().to_string(),
            })
            .collect(),
        register: filed,
    };
    let text = serde_json::to_string_pretty(&report).wrap_err("cannot encode the report")?;
    println!("{text}");
    Ok(())
}
