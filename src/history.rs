//! Run history in local state (`.git/preflight/runs.jsonl`): one JSON line per finished
//! run, so gates and metric trends survive a restart. Bounded: past [`MAX_RUNS`] lines
//! the oldest are pruned. Never committed, never required: a missing or damaged file
//! is an empty history.

use crate::domain::check::RunStatus;
use crate::domain::gate::CheckState;
use crate::repo::Head;
use crate::runner::RunOutcome;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Runs kept; the file is rewritten down to this when it grows past [`PRUNE_AT`].
pub const MAX_RUNS: usize = 2_000;
const PRUNE_AT: usize = 2_500;

/// One finished run as remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub check: String,
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    /// RFC 3339.
    pub finished_at: String,
    pub commit: Option<String>,
    pub dirty: bool,
    pub findings: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Why the metric could not be read (or how it was read): shown wherever the
    /// value would be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_note: Option<String>,
    /// `Some(n)`: the findings were cut at `n`, so the register may miss some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<usize>,
}

impl RunRecord {
    pub fn from_outcome(outcome: &RunOutcome, commit: Option<String>, dirty: bool) -> RunRecord {
        RunRecord {
            check: outcome.check.clone(),
            status: outcome.status,
            exit_code: outcome.exit_code,
            duration_ms: outcome.duration.as_millis() as u64,
            finished_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            commit,
            dirty,
            findings: outcome.findings.len(),
            metric: outcome.metric.as_ref().map(|m| m.value),
            unit: outcome.metric.as_ref().and_then(|m| m.unit.clone()),
            metric_note: outcome.metric_note.clone(),
            truncated: outcome.truncated,
        }
    }

    /// What gates need to know of the run.
    pub fn state(&self) -> CheckState {
        CheckState {
            status: self.status,
            finished_at: humantime::parse_rfc3339_weak(&self.finished_at)
                .unwrap_or(SystemTime::UNIX_EPOCH),
            commit: self.commit.clone(),
            dirty: self.dirty,
            metric: self.metric,
            unit: self.unit.clone(),
            metric_note: self.metric_note.clone(),
            truncated: self.truncated,
        }
    }
}

/// The latest run of each check among `records` (oldest first): what gates judge, in
/// `gate` and in `report` alike.
pub fn latest_of(records: impl IntoIterator<Item = RunRecord>) -> HashMap<String, RunRecord> {
    let mut latest = HashMap::new();
    for record in records {
        latest.insert(record.check.clone(), record);
    }
    latest
}

/// Keep finished runs in the history of `state_dir` (gates and trends read it), as run
/// at `head`. Cancelled runs are not results. Local state is never required, so a
/// failure comes back as one line for the caller to show, where it shows things.
pub fn remember(
    state_dir: &Path,
    head: Option<&Head>,
    outcomes: &[RunOutcome],
) -> Result<(), String> {
    let commit = head.and_then(|h| h.commit.clone());
    let dirty = head.is_some_and(|h| h.dirty > 0);
    let records: Vec<RunRecord> = outcomes
        .iter()
        .filter(|o| !o.cancelled)
        .map(|o| RunRecord::from_outcome(o, commit.clone(), dirty))
        .collect();
    History::new(state_dir)
        .append(&records)
        .map_err(|e| format!("cannot record the run history: {e}"))
}

/// Largest history file read: [`PRUNE_AT`] runs take a few hundred KiB.
const MAX_FILE: u64 = 16 * 1024 * 1024;

fn read(path: &Path) -> std::io::Result<String> {
    crate::fsutil::read_regular_text(path, MAX_FILE, crate::fsutil::Links::Follow)
}

/// The history file of a repository's local state.
#[derive(Debug, Clone)]
pub struct History {
    path: PathBuf,
}

impl History {
    pub fn new(state_dir: &Path) -> History {
        History {
            path: state_dir.join("runs.jsonl"),
        }
    }

    /// Every remembered run, oldest first. Lines that do not parse are skipped; a file
    /// past [`MAX_FILE`] (or not a regular file) is not read.
    pub fn load(&self) -> Vec<RunRecord> {
        read(&self.path)
            .map(|text| {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The latest run of each check.
    pub fn latest(&self) -> HashMap<String, RunRecord> {
        latest_of(self.load())
    }

    /// Remember finished runs (cancelled ones are not results). Best effort: local
    /// state is never required, so a failure is returned for a warning, not fatal.
    pub fn append(&self, records: &[RunRecord]) -> std::io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let mut text = String::new();
        for record in records {
            if let Ok(line) = serde_json::to_string(record) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        file.write_all(text.as_bytes())?;
        drop(file);
        self.prune()
    }

    fn prune(&self) -> std::io::Result<()> {
        let text = read(&self.path)?;
        let count = text.lines().count();
        if count <= PRUNE_AT {
            return Ok(());
        }
        let kept: Vec<&str> = text.lines().skip(count - MAX_RUNS).collect();
        let mut body = kept.join("\n");
        body.push('\n');
        crate::fsutil::write_atomic(&self.path, body.as_bytes())
            .map_err(|e| std::io::Error::other(format!("{e:#}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(check: &str, n: usize) -> RunRecord {
        RunRecord {
            check: check.into(),
            status: RunStatus::Passed,
            exit_code: Some(0),
            duration_ms: n as u64,
            finished_at: "2026-11-22T10:00:00Z".into(),
            commit: Some("abc1234".into()),
            dirty: false,
            findings: 0,
            metric: Some(n as f64),
            unit: Some("%".into()),
            metric_note: None,
            truncated: None,
        }
    }

    #[test]
    fn latest_per_check_survives_reload_and_history_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path());
        assert!(history.latest().is_empty());
        for n in 0..PRUNE_AT + 10 {
            history
                .append(&[record(if n % 2 == 0 { "a" } else { "b" }, n)])
                .unwrap();
        }
        let all = history.load();
        assert!(
            all.len() <= PRUNE_AT && all.len() >= MAX_RUNS,
            "{}",
            all.len()
        );
        let latest = History::new(dir.path()).latest();
        assert_eq!(latest["a"].metric, Some((PRUNE_AT + 8) as f64));
        assert_eq!(latest["b"].metric, Some((PRUNE_AT + 9) as f64));
        std::fs::write(dir.path().join("runs.jsonl"), "garbage\n").unwrap();
        assert!(history.load().is_empty());
    }
}
