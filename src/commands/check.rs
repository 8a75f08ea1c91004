//! `preflight check`: run checks once, headless, and report what they found.

use super::progress::{glyph, Progress, TICK_REFRESH};
use crate::config::Source;
use crate::domain::check::{CheckSpec, RunStatus};
use crate::domain::finding::{Finding, Severity};
use crate::domain::issue::mapped_severity;
use crate::domain::suggest::did_you_mean;
use crate::exit;
use crate::history;
use crate::register::{self, baseline, Filed};
use crate::repo::Head;
use crate::runner::failure::{EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND};
use crate::runner::{run_check, Output, RunOutcome};
use crate::text::format::{clip, human_duration};
use crate::text::sanitize::Line;
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
    /// Print the commands that would run; run nothing.
    pub dry_run: bool,
}

pub fn run(repo_arg: Option<&Path>, args: Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    let selected = select(&ws, &args.ids)?;
    if args.dry_run {
        super::trust::print_commands(&ws, &selected);
        return Ok(ExitCode::SUCCESS);
    }
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
    let outcomes = runtime.block_on(run_all(&ws, selected, jobs, interrupted.clone()))?;
    // One `git status` for everything that records where the runs happened.
    let head = ws.repo.head();
    remember(&ws, head.as_ref(), &outcomes);
    let filed = if args.register {
        if !args.json {
            offer_baseline(&ws, &outcomes)?;
        }
        let filed = register::file_outcomes(&ws.repo, &ws.config, head.as_ref(), &outcomes)?;
        for error in &filed.errors {
            errln!("preflight: warning: {}", Line(error));
        }
        if let Some(hint) = filed.flood_hint() {
            errln!("preflight: {hint}");
        }
        Some(filed)
    } else {
        None
    };

    if args.json {
        print_json(&ws, head.as_ref(), &outcomes, filed.as_ref())?;
    } else {
        print_summary(&ws, &outcomes);
        if let Some(line) = filed.as_ref().and_then(Filed::summary) {
            outln!("{line}");
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

/// On a terminal, before a first run files a flood of new issues: offer to record
/// them as the baseline instead (elsewhere the filing says how to do it afterwards).
fn offer_baseline(ws: &Workspace, outcomes: &[RunOutcome]) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Read, Write};
    let Some(n) = baseline::first_run(&ws.repo, outcomes).filter(|n| *n > baseline::FLOOD) else {
        return Ok(());
    };
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "preflight: this first run found {n} findings. Record them as the baseline ({}: reviewable in git; their issues are filed open, not new, and `max_new` gates count only later findings)? [Y/n] ",
        baseline::FILE
    );
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut answer)
        .wrap_err("cannot read the answer")?;
    if !matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "" | "y" | "yes"
    ) {
        return Ok(());
    }
    let (checks, entries) = baseline::entries_of(&ws.config, outcomes);
    let applied = baseline::apply(&ws.repo, &checks, entries).map_err(|e| eyre!(e))?;
    let _ = writeln!(
        err,
        "preflight: recorded {} findings in {} (commit it)",
        applied.entries,
        baseline::FILE
    );
    Ok(())
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
    let changed = match trust::changes(&ws.repo, &ws.config)? {
        Some(lines) if !lines.is_empty() => format!(
            " (what runs changed since you trusted it: {})",
            lines.join("; ")
        ),
        _ => String::new(),
    };
    let what = match ws.config.source {
        Source::File(_) => format!(
            "{} is not trusted{changed}",
            ws.repo.root.join(crate::config::FILE_NAME).display()
        ),
        Source::Default => format!(
            "the detected checks of {} are not trusted{changed}",
            ws.repo.root.display()
        ),
    };
    Err(eyre!(
        "{what}: review its commands (`preflight check --dry-run` lists them), then run `preflight trust` (or pass --trust, or set {}=1 in CI)",
        trust::TRUST_ENV
    ))
}

/// Keep finished runs in the history; a failure to write local state is a warning.
pub fn remember(ws: &Workspace, head: Option<&Head>, outcomes: &[RunOutcome]) {
    if let Err(e) = history::remember(&ws.repo.state_dir, head, outcomes) {
        errln!("preflight: warning: {}", Line(&e));
    }
}

pub async fn run_all(
    ws: &Workspace,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
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
        tasks.push(tokio::spawn(async move {
            // Interrupted while it waited for a job slot: it never starts.
            let _slot = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                slot = slots.acquire_owned() => slot.ok(),
            };
            if cancel.is_cancelled() {
                return RunOutcome::not_started(&spec, &ctx);
            }
            let output = Output::new(capacity);
            progress.started(&spec.id, &output);
            let outcome = run_check(&spec, &ctx, &output, &cancel).await;
            progress.finished(&outcome);
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.wrap_err("a check task crashed")?);
    }
    // The runs are over; the signal task stays: from now on a signal ends the process
    // (filing the findings may wait for the register lock, and must not outlive Ctrl-C).
    cancel.cancel();
    drop(signals);
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    Ok(outcomes)
}

/// Ctrl-C, SIGTERM and SIGHUP cancel every running check (ending their groups). Once
/// `cancel` is cancelled (a first signal, or the runs are over), the next signal ends
/// the process at once with exit code 130: once tokio handles a signal its default
/// action is gone for good, so without this a later wait (the register lock) would
/// ignore every Ctrl-C. Nothing is lost: every write is atomic, the lock is released
/// by the kernel, and the check groups are ended by the runner's watchdog.
pub async fn cancel_on_signal(cancel: CancellationToken, interrupted: Arc<AtomicBool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    loop {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        interrupted.store(true, Ordering::SeqCst);
        if cancel.is_cancelled() {
            exit_interrupted();
        }
        cancel.cancel();
    }
}

/// End the process now, as interrupted.
fn exit_interrupted() -> ! {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "\npreflight: interrupted");
    std::process::exit(i32::from(exit::INTERRUPTED))
}

/// The summary after a run: one row per check (its metric too, when one declares a
/// metric), then why each check that did not pass did not, the first findings, and
/// where the logs are.
pub fn print_summary(ws: &Workspace, outcomes: &[RunOutcome]) {
    print_table(ws, outcomes);
    print_reasons(ws, outcomes);
    print_totals(ws, outcomes);
}

/// One row per check: glyph, id, status, time, findings, and the metric when one of
/// them declares a metric.
fn print_table(ws: &Workspace, outcomes: &[RunOutcome]) {
    let width = outcomes
        .iter()
        .map(|o| o.check.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let metrics = outcomes.iter().any(|o| {
        ws.config
            .check(&o.check)
            .is_some_and(|c| c.metric.is_some())
    });
    let metric_head = if metrics { "  METRIC" } else { "" };
    outln!(
        "  {:<width$}  {:<11}  {:>8}  {:>8}{metric_head}",
        "CHECK",
        "STATUS",
        "TIME",
        "FINDINGS"
    );
    for o in outcomes {
        let metric = if metrics {
            format!("  {}", metric_cell(o))
        } else {
            String::new()
        };
        outln!(
            "{} {:<width$}  {:<11}  {:>8}  {:>8}{metric}",
            if o.never_started() {
                "·"
            } else {
                glyph(o.status)
            },
            Line(&o.check),
            o.status_label(),
            human_duration(o.duration),
            o.findings.len()
        );
    }
}

/// Why each check that did not pass did not: its error, its metric's note, the last
/// lines of its output when no finding says why, and the first findings.
fn print_reasons(ws: &Workspace, outcomes: &[RunOutcome]) {
    let mut shown = 0;
    let total: usize = outcomes.iter().map(|o| o.findings.len()).sum();
    for o in outcomes.iter().filter(|o| !o.never_started()) {
        let check = Line(&o.check);
        if let Some(error) = o.error.as_ref().filter(|_| o.status != RunStatus::Passed) {
            outln!(
                "{check}: {} (log: {})",
                Line(error),
                Line(&o.log.display().to_string())
            );
        }
        if let Some(cut) = &o.log_error {
            outln!("{check}: {}", Line(cut));
        }
        if o.metric.is_none() {
            if let Some(note) = &o.metric_note {
                outln!("{check}: no metric: {}", Line(note));
            }
        }
        // Findings say why a check failed; without them, its last words do (pytest,
        // npm test, make, a tool that crashed before writing its report).
        let unexplained = o.status != RunStatus::Passed
            && o.findings.is_empty()
            && !o.cancelled
            && !matches!(o.exit_code, Some(EXIT_NOT_FOUND | EXIT_NOT_EXECUTABLE));
        if unexplained {
            print_tail(o);
        }
        for f in o.findings.iter().take(FINDINGS_SHOWN.saturating_sub(shown)) {
            let severity = filed_severity(ws, &o.check, f);
            outln!("{check}: {}", describe(f, severity));
            shown += 1;
        }
    }
    if total > shown {
        outln!(
            "… and {} more findings (--json lists them all)",
            total - shown
        );
    }
}

/// `3 checks: 1 passed, 1 failed, 1 not started · logs in …`
fn print_totals(ws: &Workspace, outcomes: &[RunOutcome]) {
    let count = |s: RunStatus| {
        outcomes
            .iter()
            .filter(|o| o.status == s && !o.never_started())
            .count()
    };
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
    let not_started = outcomes.iter().filter(|o| o.never_started()).count();
    if not_started > 0 {
        parts.push(format!("{not_started} not started"));
    }
    outln!(
        "{} check{}: {} · logs in {}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        parts.join(", "),
        Line(&ws.repo.state_dir.join("logs").display().to_string())
    );
}

/// `76.4%`, or `no value` when the metric could not be read (its note says why).
fn metric_cell(o: &RunOutcome) -> String {
    match &o.metric {
        Some(m) => crate::domain::gate::with_unit(&metric_number(m.value), m.unit.as_deref()),
        None if o.metric_note.is_some() => "no value".into(),
        None => String::new(),
    }
}

/// One decimal, `84` rather than `84.0`.
fn metric_number(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

/// Lines of output shown under a check that failed without a finding to say why.
const TAIL_LINES: usize = 12;
/// Widest tail line shown; the log has the rest.
const TAIL_WIDTH: usize = 200;

/// The last lines of a check's output, when its findings cannot say why it failed
/// (pytest, npm test, make).
fn print_tail(o: &RunOutcome) {
    let lines = log_tail(&o.log, TAIL_LINES);
    if lines.is_empty() {
        return;
    }
    let code = o
        .exit_code
        .map_or_else(String::new, |c| format!(" (exit {c})"));
    outln!(
        "{}: {}{code}; the last lines of its output:",
        Line(&o.check),
        o.status_label()
    );
    for line in lines {
        outln!("  │ {line}");
    }
}

/// The last `n` non-empty lines of a log, colours stripped and the rest sanitised
/// (`text::sanitize`), each clipped to [`TAIL_WIDTH`]. Only the end of the file is read.
fn log_tail(path: &Path, n: usize) -> Vec<String> {
    const READ: u64 = 64 * 1024;
    let Ok((text, cut)) = crate::fsutil::read_tail(path, READ) else {
        return Vec::new();
    };
    let text = strip_ansi_escapes::strip_str(text);
    let lines: Vec<&str> = text
        .lines()
        .skip(usize::from(cut)) // a partial first line
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|line| clip(&Line(line).to_string(), TAIL_WIDTH))
        .collect()
}

/// Longest message shown per finding in the summary (the issue and `--json` keep it
/// all): one line of a terminal, not 64 KiB.
const MESSAGE_SHOWN: usize = 200;

/// `src/db.rs:4 [unused_imports] low: unused import`, every part sanitised (paths,
/// rules and messages come from the tool's report).
fn describe(f: &Finding, severity: Severity) -> String {
    let place = match (&f.path, f.line) {
        (Some(p), Some(l)) => format!("{}:{l} ", Line(p)),
        (Some(p), None) => format!("{} ", Line(p)),
        _ => String::new(),
    };
    // The first line, one terminal line long: the rest (an advisory's link and text)
    // stays in `--json` and the register.
    let first = f.message.lines().next().unwrap_or_default();
    let message = clip(&Line(first).to_string(), MESSAGE_SHOWN);
    let rule = clip(&Line(&f.rule).to_string(), MESSAGE_SHOWN);
    match &f.dependency {
        Some(dep) => format!(
            "{place}[{rule}] {severity}: {}: {message}",
            clip(&Line(&dep.summary()).to_string(), MESSAGE_SHOWN)
        ),
        None => format!("{place}[{rule}] {severity}: {message}"),
    }
}

/// The severity a finding is filed with: the check's `severity_map` applied, as the
/// register does, so the summary and the register say the same.
fn filed_severity(ws: &Workspace, check: &str, f: &Finding) -> Severity {
    ws.config
        .check(check)
        .map_or(f.severity, |spec| mapped_severity(f, &spec.severity_map))
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
    /// `n` when the findings were cut at `n` (the run then verifies nothing).
    truncated: Option<usize>,
    error: Option<&'a str>,
    /// The check's metric, when it declares one and the run read it.
    metric: Option<f64>,
    unit: Option<&'a str>,
    /// Why the metric could not be read, or how it was read.
    metric_note: Option<&'a str>,
    log: String,
    /// Why the log is incomplete (a full disk), else `null`.
    log_error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// The finding, with the severity it is filed with.
    #[serde(flatten)]
    finding: Finding,
    /// The register issue it is filed as.
    issue: Option<&'a str>,
}

fn print_json(
    ws: &Workspace,
    head: Option<&Head>,
    outcomes: &[RunOutcome],
    filed: Option<&Filed>,
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
                        finding: Finding {
                            severity: filed_severity(ws, &o.check, f),
                            ..f.clone()
                        },
                        issue: filed.and_then(|filed| {
                            filed
                                .by_fingerprint
                                .get(&(o.check.clone(), f.fingerprint.clone()))
                                .map(String::as_str)
                        }),
                    })
                    .collect(),
                truncated: o.truncated,
                error: o.error.as_deref(),
                metric: o.metric.as_ref().map(|m| m.value),
                unit: o.metric.as_ref().and_then(|m| m.unit.as_deref()),
                metric_note: o.metric_note.as_deref(),
                log: o.log.display().to_string(),
                log_error: o.log_error.as_deref(),
            })
            .collect(),
        register: filed,
    };
    let text = serde_json::to_string_pretty(&report).wrap_err("cannot encode the report")?;
    outln!("{text}");
    Ok(())
}
