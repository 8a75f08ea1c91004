//! `preflight baseline`: record the findings a repository already has as its baseline
//! (`.preflight/baseline.toml`), so they are filed `open` rather than `new` and
//! `max_new` gates count only what comes after.
//!
//! By default it runs the checks (trust applies, as for `check`) and records what each
//! judged run found; `--no-run` records the open findings already in the register
//! (after a first run filed them as new).

use super::check::{remember, require_trust, run_all, select};
use crate::domain::baseline::Entry;
use crate::exit;
use crate::register::{self, baseline};
use crate::store::Store;
use crate::workspace::{self, Workspace};
use color_eyre::eyre::{bail, eyre, Result};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What `preflight baseline` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Checks to record (empty: all).
    pub ids: Vec<String>,
    /// Record the register's open findings instead of running the checks.
    pub no_run: bool,
    pub jobs: Option<u16>,
    /// Run even if the repository is not trusted.
    pub trust: bool,
}

pub fn run(repo_arg: Option<&Path>, options: &Options) -> Result<ExitCode> {
    let ws = Workspace::open(repo_arg)?;
    if options.no_run {
        return from_register(&ws, &options.ids);
    }
    let selected = select(&ws, &options.ids)?;
    require_trust(&ws, options.trust)?;
    let jobs = workspace::jobs(options.jobs, &ws.config);
    let runtime = workspace::runtime()?;
    let interrupted = Arc::new(AtomicBool::new(false));
    let outcomes = runtime.block_on(run_all(&ws, selected, jobs, interrupted.clone()))?;
    if interrupted.load(Ordering::SeqCst) {
        return Ok(ExitCode::from(exit::INTERRUPTED));
    }
    let head = ws.repo.head();
    remember(&ws, head.as_ref(), &outcomes);
    for o in outcomes.iter().filter(|o| !o.status.is_judged()) {
        let why = o.error.as_deref().unwrap_or("it could not be judged");
        errln!(
            "preflight: warning: {}: not recorded ({}: {why})",
            o.check,
            o.status
        );
    }
    let (checks, entries) = baseline::entries_of(&ws.config, &outcomes);
    if checks.is_empty() {
        bail!("no check could be judged: nothing recorded (see the warnings above)");
    }
    let applied = baseline::apply(&ws.repo, &checks, entries).map_err(|e| eyre!(e))?;
    let filed = register::file_outcomes(&ws.repo, &ws.config, head.as_ref(), &outcomes)?;
    for error in applied.errors.iter().chain(&filed.errors) {
        errln!("preflight: warning: {error}");
    }
    say(&applied);
    if let Some(line) = filed.summary() {
        outln!("{line}");
    }
    let all_judged = outcomes.iter().all(|o| o.status.is_judged());
    Ok(if all_judged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::FAILED)
    })
}

/// `--no-run`: the register's open findings (of the named checks, or of every check)
/// become the baseline.
fn from_register(ws: &Workspace, ids: &[String]) -> Result<ExitCode> {
    for id in ids {
        if ws.config.check(id).is_none() {
            select(ws, std::slice::from_ref(id))?;
        }
    }
    let loaded = Store::new(&ws.repo).load();
    for error in &loaded.errors {
        errln!("preflight: warning: {error}");
    }
    let wanted = |check: &str| ids.is_empty() || ids.iter().any(|id| id == check);
    let entries: Vec<Entry> = loaded
        .issues
        .iter()
        .filter(|i| i.status.is_open())
        .filter_map(Entry::of)
        .filter(|e| wanted(&e.check))
        .collect();
    let checks: BTreeSet<String> = if ids.is_empty() {
        entries.iter().map(|e| e.check.clone()).collect()
    } else {
        ids.iter().cloned().collect()
    };
    if checks.is_empty() {
        bail!("no open finding in the register to record: run `preflight baseline` without --no-run to run the checks");
    }
    let checks: Vec<String> = checks.into_iter().collect();
    let applied = baseline::apply(&ws.repo, &checks, entries).map_err(|e| eyre!(e))?;
    for error in &applied.errors {
        errln!("preflight: warning: {error}");
    }
    say(&applied);
    Ok(ExitCode::SUCCESS)
}

fn say(applied: &baseline::Applied) {
    outln!(
        "baseline: {} finding{} recorded in {} for {} (commit it: reviewers see what was accepted as pre-existing)",
        applied.entries,
        if applied.entries == 1 { "" } else { "s" },
        baseline::FILE,
        applied.checks.join(", ")
    );
    if !applied.adopted.is_empty() {
        outln!(
            "register: {} moved from new to open (in the baseline)",
            applied.adopted.len()
        );
    }
}
