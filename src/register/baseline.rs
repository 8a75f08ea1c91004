//! The baseline on disk: `.preflight/baseline.toml`, committed with the code so the
//! decision "these findings were already here" is reviewed like any other change. One
//! `[[finding]]` per entry, sorted by check and fingerprint, so re-recording diffs
//! cleanly. A file that cannot be read counts as no baseline (every finding new: the
//! safe side for a `max_new` gate), with a one-line warning.

use crate::config::Config;
use crate::domain::baseline::{adopt, Baseline, Entry};
use crate::domain::issue::{reconcile, RunFacts};
use crate::fsutil::write_atomic;
use crate::repo::Repo;
use crate::runner::RunOutcome;
use crate::store::{self, Store, WriteError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The baseline file, relative to the repository root.
pub const FILE: &str = ".preflight/baseline.toml";
/// Largest baseline read (about 50,000 entries).
const MAX_FILE: u64 = 16 * 1024 * 1024;
/// A first run that would file more new issues than this is offered the baseline.
pub const FLOOD: usize = 30;

const HEADER: &str = "\
# preflight's baseline: the findings this repository already had when it adopted
# preflight (written by `preflight baseline`). Their issues are filed `open`, not `new`,
# and `max_new` gates count only findings that are not listed here. Review it like
# code: an entry removed here makes that finding count as new again.

";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    finding: Vec<Entry>,
}

pub fn path(repo: &Repo) -> PathBuf {
    repo.root.join(FILE)
}

/// The baseline, and a warning when the file exists but cannot be used.
pub fn load(repo: &Repo) -> (Baseline, Option<String>) {
    match read(&path(repo)) {
        Ok(baseline) => (baseline, None),
        Err(why) => (
            Baseline::empty(),
            Some(format!(
                "{why}: no baseline applies (every finding counts as new)"
            )),
        ),
    }
}

fn read(path: &Path) -> Result<Baseline, String> {
    let shown = path.display();
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Baseline::empty()),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return Err(format!(
            "{shown} is larger than {} MiB",
            MAX_FILE / 1024 / 1024
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE).read_to_string(&mut text))
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    parse(&text, &shown.to_string())
}

/// A baseline file's text; errors say `name:line:column`. An issue file is no
/// baseline (its keys are unknown here).
pub fn parse(text: &str, name: &str) -> Result<Baseline, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let (line, column) = crate::config::line_column(text, e.span().map_or(0, |s| s.start));
        format!(
            "{name}:{line}:{column}: {}",
            e.message().lines().next().unwrap_or("invalid baseline")
        )
    })?;
    Ok(Baseline::from_entries(file.finding))
}

/// Write the baseline (atomically).
pub fn save(repo: &Repo, baseline: &Baseline) -> Result<(), String> {
    let text = render(baseline)?;
    write_atomic(&path(repo), text.as_bytes()).map_err(|e| format!("{e:#}"))
}

/// The baseline file's text: the header, then the entries in order.
pub fn render(baseline: &Baseline) -> Result<String, String> {
    let file = File {
        finding: baseline.entries().cloned().collect(),
    };
    let body =
        toml::to_string_pretty(&file).map_err(|e| format!("cannot encode the baseline: {e}"))?;
    Ok(format!("{HEADER}{body}"))
}

/// The entries a set of runs would file: each judged run's findings, titled and rated
/// exactly as filing them would (the check's severity map applies). Runs that could not
/// be judged are left out: what they found is unknown.
pub fn entries_of(config: &Config, outcomes: &[RunOutcome]) -> (Vec<String>, Vec<Entry>) {
    let actor = store::actor_named("preflight".into());
    let mut checks = Vec::new();
    let mut entries = Vec::new();
    for outcome in outcomes.iter().filter(|o| o.status.is_judged()) {
        let Some(spec) = config.check(&outcome.check) else {
            continue;
        };
        let facts = RunFacts {
            check: &outcome.check,
            judged: false,
            commit: "",
            severity_map: &spec.severity_map,
        };
        let filed = reconcile(&[], &facts, &outcome.findings, &actor, &mut String::new);
        entries.extend(filed.created.iter().filter_map(Entry::of));
        checks.push(outcome.check.clone());
    }
    (checks, entries)
}

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Entries in the baseline now.
    pub entries: usize,
    /// Checks whose entries were (re)recorded.
    pub checks: Vec<String>,
    /// Issues moved from `new` to `open`.
    pub adopted: Vec<String>,
    /// Issue files that could not be written.
    pub errors: Vec<String>,
}

/// Record `entries` as the baseline of `checks` (other checks' entries stay), write
/// the file, and open the `new` issues it now holds.
pub fn apply(repo: &Repo, checks: &[String], entries: Vec<Entry>) -> Result<Applied, String> {
    let (mut baseline, warning) = load(repo);
    if let Some(why) = warning {
        return Err(format!("{why}; fix or remove it first"));
    }
    let unique: BTreeSet<String> = checks.iter().cloned().collect();
    let checks: Vec<String> = unique.into_iter().collect();
    baseline.record(&checks, entries);
    save(repo, &baseline)?;
    let adopted = adopt_held(repo, &baseline).map_err(|e| e.to_string())?;
    Ok(Applied {
        entries: baseline.len(),
        checks,
        adopted: adopted.0,
        errors: adopted.1,
    })
}

/// Open every `new` issue the baseline holds, under the register lock.
fn adopt_held(repo: &Repo, baseline: &Baseline) -> Result<(Vec<String>, Vec<String>), WriteError> {
    let store = Store::new(repo);
    let lock = store.lock()?;
    let loaded = store.load();
    let actor = store::actor(repo);
    let mut adopted = Vec::new();
    let mut errors = loaded.errors;
    for mut issue in loaded.issues {
        if !baseline.holds(&issue) {
            continue;
        }
        let base = issue.revision;
        if adopt(&mut issue, &actor) {
            issue.updated = actor.at.clone();
            match store.write(&lock, &mut issue, base) {
                Ok(()) => adopted.push(issue.id),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    adopted.sort();
    Ok((adopted, errors))
}

/// On a first run (no baseline, no finding filed yet), how many new issues `outcomes`
/// would file; `None` when this is not a first run.
pub fn first_run(repo: &Repo, outcomes: &[RunOutcome]) -> Option<usize> {
    if path(repo).exists() {
        return None;
    }
    let loaded = Store::new(repo).load();
    if loaded.issues.iter().any(|i| i.finding.is_some()) {
        return None;
    }
    let distinct: BTreeSet<(&str, &str)> = outcomes
        .iter()
        .filter(|o| o.status.is_judged())
        .flat_map(|o| {
            o.findings
                .iter()
                .map(move |f| (o.check.as_str(), f.fingerprint.as_str()))
        })
        .collect();
    Some(distinct.len())
}

#[cfg(test)]
mod tests;
