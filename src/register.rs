//! Filing what checks found into the register: the edge between runs and the store.
//!
//! The whole reconcile happens under the register lock, so another writer (a second
//! cockpit, a script) cannot slip a change in between reading and writing.

use crate::config::Config;
use crate::domain::baseline::adopt;
use crate::domain::issue::{expire_risks, reconcile, Issue, RunFacts, Status};
use crate::repo::{Head, Repo};
use crate::runner::RunOutcome;
use crate::store::{self, Store, WriteError};

pub mod baseline;
pub mod git_driver;
pub mod ingest;
pub mod merge;

use serde::Serialize;
use std::collections::HashMap;

/// What filing did, for the summary line and `--json`.
#[derive(Debug, Default, Serialize)]
pub struct Filed {
    /// Ids of new issues.
    pub created: Vec<String>,
    /// Ids of issues filed for findings in the baseline (pre-existing: filed `open`).
    pub baselined: Vec<String>,
    /// Ids that verified themselves (their finding is gone).
    pub verified: Vec<String>,
    /// Ids reopened: regressions and expired accepted risks.
    pub reopened: Vec<String>,
    /// Ids whose last-seen commit or location changed.
    pub updated: Vec<String>,
    /// Issue files that could not be read or written (left untouched).
    pub errors: Vec<String>,
    /// A first run (no baseline, no finding filed before) filed more than
    /// [`baseline::FLOOD`] new issues: worth offering the baseline.
    pub flood: bool,
    /// Issue id per finding fingerprint, per check.
    #[serde(skip)]
    pub by_fingerprint: HashMap<(String, String), String>,
}

impl Filed {
    /// After a first run that filed a flood of new issues: how to take them as the
    /// baseline instead.
    pub fn flood_hint(&self) -> Option<String> {
        self.flood.then(|| {
            format!(
                "this first run filed {} new issues: if they were already there before preflight, record them as the baseline (filed open, not new; `max_new` gates count only later findings): `preflight baseline --no-run`, then commit {}",
                self.created.len(),
                baseline::FILE
            )
        })
    }

    /// `register: 2 new, 1 verified`, or `None` when nothing happened.
    pub fn summary(&self) -> Option<String> {
        let parts: Vec<String> = [
            (self.created.len(), "new"),
            (self.baselined.len(), "filed into the baseline"),
            (self.verified.len(), "verified"),
            (self.reopened.len(), "reopened"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect();
        (!parts.is_empty()).then(|| format!("register: {}", parts.join(", ")))
    }
}

/// File the findings of `outcomes` into the register of `repo`; `head` is the tree
/// they ran at (read once by the caller, shared with the run history).
pub fn file_outcomes(
    repo: &Repo,
    config: &Config,
    head: Option<&Head>,
    outcomes: &[RunOutcome],
) -> Result<Filed, WriteError> {
    let store = Store::new(repo);
    let lock = store.lock()?;
    let loaded = store.load();
    let actor = store::actor(repo);
    let commit = head
        .and_then(|h| h.commit.clone())
        .unwrap_or_else(|| "uncommitted".to_string());
    let (held, warning) = baseline::load(repo);
    let mut filed = Filed {
        errors: loaded.errors.into_iter().chain(warning).collect(),
        ..Filed::default()
    };
    let base: HashMap<String, u64> = loaded
        .issues
        .iter()
        .map(|i| (i.id.clone(), i.revision))
        .collect();
    let first_run = held.is_empty() && !loaded.issues.iter().any(|i| i.finding.is_some());
    let mut issues = loaded.issues;
    let mut changed: HashMap<String, Issue> = HashMap::new();

    for issue in expire_risks(&issues, &actor) {
        filed.reopened.push(issue.id.clone());
        replace(&mut issues, &issue);
        changed.insert(issue.id.clone(), issue);
    }
    for outcome in outcomes {
        let Some(spec) = config.check(&outcome.check) else {
            continue;
        };
        let facts = RunFacts {
            check: &outcome.check,
            // A run whose findings were cut may have left out the very finding of an
            // open issue: it verifies nothing.
            judged: outcome.status.is_judged() && outcome.truncated.is_none(),
            commit: &commit,
            severity_map: &spec.severity_map,
        };
        // Ids of new issues are derived from their finding when they are created.
        let result = reconcile(&issues, &facts, &outcome.findings, &actor, &mut String::new);
        for mut issue in result.created {
            if let Some(link) = &issue.finding {
                issue.id = store.finding_id(&link.check, &link.fingerprint);
            }
            let pre_existing = held.holds(&issue) && adopt(&mut issue, &actor);
            match store.create(&lock, &mut issue) {
                Ok(()) => {
                    if pre_existing {
                        filed.baselined.push(issue.id.clone());
                    } else {
                        filed.created.push(issue.id.clone());
                    }
                    issues.push(issue);
                }
                Err(e) => filed.errors.push(e.to_string()),
            }
        }
        for issue in result.changed {
            let before = issues.iter().find(|i| i.id == issue.id).map(|i| i.status);
            match (before, issue.status) {
                (Some(b), Status::Verified) if b != Status::Verified => {
                    filed.verified.push(issue.id.clone())
                }
                (Some(Status::Verified), Status::Open) => filed.reopened.push(issue.id.clone()),
                _ => filed.updated.push(issue.id.clone()),
            }
            replace(&mut issues, &issue);
            changed.insert(issue.id.clone(), issue);
        }
    }
    let mut ids: Vec<&String> = changed.keys().collect();
    ids.sort();
    for id in ids {
        let (Some(issue), Some(revision)) = (changed.get(id), base.get(id)) else {
            continue;
        };
        let mut issue = issue.clone();
        issue.updated = actor.at.clone();
        if let Err(e) = store.write(&lock, &mut issue, *revision) {
            filed.errors.push(e.to_string());
        }
    }
    for issue in &issues {
        if let Some(link) = &issue.finding {
            filed.by_fingerprint.insert(
                (link.check.clone(), link.fingerprint.clone()),
                issue.id.clone(),
            );
        }
    }
    filed
        .updated
        .retain(|id| !filed.verified.contains(id) && !filed.reopened.contains(id));
    filed.flood = first_run && filed.created.len() > baseline::FLOOD;
    Ok(filed)
}

fn replace(issues: &mut [Issue], issue: &Issue) {
    if let Some(slot) = issues.iter_mut().find(|i| i.id == issue.id) {
        *slot = issue.clone();
    }
}
