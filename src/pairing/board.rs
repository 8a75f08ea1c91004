//! The board: where the runner says, check by check, what it is doing and how the
//! last run went (`runs/<check>.json` in local state), for every follower to show.
//!
//! One small file per check, replaced whole (written aside, then renamed), so a
//! reader sees the old entry or the new one, never a torn one. No fsync: local state
//! is never precious, and a runner killed mid-write leaves the last whole entry.
//! Each run has a sequence number (`seq`) that grows across runners, so a follower
//! tells a new run from an update of the one it shows, and a re-run request names
//! the run its asker saw.

use crate::domain::check::RunStatus;
use crate::domain::finding::{Finding, Findings};
use crate::fsutil::{self, Links};
use crate::history::RunRecord;
use crate::metrics::MetricValue;
use crate::runner::RunOutcome;
use crate::sharing::Sharing;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The board's folder in local state.
pub const BOARD_DIR: &str = "runs";
/// Largest entry read (a run with many findings); larger ones are ignored.
const MAX_ENTRY: u64 = 32 * 1024 * 1024;
/// Most files of the board (or of the requests) looked at in one reading: the folder
/// is shared with other accounts, and a flood of files must not stall a follower.
pub const MAX_LISTED: usize = 1_000;
/// Findings kept in an entry; the count of the rest is kept.
pub const MAX_FINDINGS: usize = 10_000;

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Waiting for a job slot (or for the run it replaces to end).
    Queued,
    Running,
    Done,
}

/// One check's current or last run, as its runner announced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub check: String,
    pub seq: u64,
    pub phase: Phase,
    /// What started the run (a path, `startup`, `r by ana@box`…).
    pub trigger: String,
    /// Who runs it: `ana@box (1234)`.
    pub runner: String,
    /// When the run was queued (milliseconds since the epoch).
    #[serde(default)]
    pub queued_ms: u64,
    /// When the run started (milliseconds since the epoch), once running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<u64>,
    /// How it went, once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<RunResult>,
}

/// A finished run, with enough of it for a one-shot `check` that joined the runner to
/// print what it would have printed after running it itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub record: RunRecord,
    pub findings: Vec<Finding>,
    /// Findings left out past [`MAX_FINDINGS`].
    #[serde(default)]
    pub more_findings: usize,
    pub error: Option<String>,
    pub log: PathBuf,
    pub lines: u64,
    pub metric_note: Option<String>,
    /// Why the runner's log of the run is incomplete.
    #[serde(default)]
    pub log_error: Option<String>,
}

impl RunResult {
    pub fn of(outcome: &RunOutcome, record: RunRecord) -> RunResult {
        let more_findings = outcome.findings.len().saturating_sub(MAX_FINDINGS);
        RunResult {
            record,
            findings: outcome
                .findings
                .iter()
                .take(MAX_FINDINGS)
                .cloned()
                .collect(),
            more_findings,
            error: outcome.error.clone(),
            log: outcome.log.clone(),
            lines: outcome.lines,
            metric_note: outcome.metric_note.clone(),
            log_error: outcome.log_error.clone(),
        }
    }

    /// The run as if this process had run it. The findings (written by the runner,
    /// maybe another account) go through the caps every reader's do.
    pub fn outcome(&self) -> RunOutcome {
        let findings: Findings = self.findings.iter().cloned().collect();
        let cut = self.more_findings > 0 || findings.dropped() > 0;
        RunOutcome {
            check: self.record.check.clone(),
            status: self.record.status,
            exit_code: self.record.exit_code,
            duration: Duration::from_millis(self.record.duration_ms),
            truncated: self.record.truncated.or(cut.then_some(findings.len())),
            findings: findings.into_vec(),
            error: self.error.clone(),
            cancelled: false,
            started: true,
            log: self.log.clone(),
            lines: self.lines,
            metric: self.record.metric.map(|value| MetricValue {
                value,
                unit: self.record.unit.clone(),
                note: self.metric_note.clone(),
            }),
            metric_note: self.metric_note.clone(),
            log_error: self.log_error.clone(),
        }
    }

    pub fn status(&self) -> RunStatus {
        self.record.status
    }
}

impl Entry {
    /// This entry with the texts shown as they stand cleaned (see [`Board::read`]).
    fn cleaned(mut self) -> Entry {
        self.trigger = short_line(&self.trigger);
        self.runner = short_line(&self.runner);
        self
    }
}

/// Longest trigger or runner name kept from an entry or a request.
pub const MAX_TEXT: usize = 200;

/// `text` on one line, without control characters, at most [`MAX_TEXT`] characters.
pub fn short_line(text: &str) -> String {
    let line = crate::text::sanitize::one_line(text);
    match line.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.into_owned(),
    }
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The board of a repository's local state.
#[derive(Debug, Clone)]
pub struct Board {
    dir: PathBuf,
    sharing: Sharing,
}

impl Board {
    pub fn new(state_dir: &Path, sharing: Sharing) -> Board {
        Board {
            dir: state_dir.join(BOARD_DIR),
            sharing,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, check: &str) -> PathBuf {
        self.dir.join(format!("{check}.json"))
    }

    /// The check an entry file is for, from its path (`None` for anything else, such
    /// as a file being written).
    pub fn check_of(path: &Path) -> Option<String> {
        let name = path.file_name()?.to_str()?;
        let check = name.strip_suffix(".json")?;
        (!check.is_empty() && !check.starts_with('.')).then(|| check.to_string())
    }

    /// Replace the check's entry.
    pub fn write(&self, entry: &Entry) -> std::io::Result<()> {
        let text = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        write_replacing(&self.dir, &self.path_of(&entry.check), &text, self.sharing)
    }

    /// The check's entry, if it has a readable one. Another account writes these
    /// files: only a regular file (never through a symlink, a FIFO never waited on)
    /// of at most [`MAX_ENTRY`] bytes is read, and its short texts come out one line
    /// each, without control characters, at most [`MAX_TEXT`] characters.
    pub fn read(&self, check: &str) -> Option<Entry> {
        let text = fsutil::read_regular(&self.path_of(check), MAX_ENTRY, Links::Refuse).ok()?;
        serde_json::from_slice::<Entry>(&text)
            .ok()
            .filter(|e| e.check == check)
            .map(Entry::cleaned)
    }

    /// Every readable entry, by check.
    pub fn read_all(&self) -> HashMap<String, Entry> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return HashMap::new();
        };
        entries
            .flatten()
            .take(MAX_LISTED)
            .filter_map(|e| Board::check_of(&e.path()))
            .filter_map(|check| self.read(&check).map(|e| (check, e)))
            .collect()
    }
}

/// Write `bytes` beside `path` and rename it into place (no fsync), with the shared
/// mode. The folder is created when missing.
pub(super) fn write_replacing(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    sharing: Sharing,
) -> std::io::Result<()> {
    sharing.create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        std::io::Write::write_all(&mut file, bytes)?;
        sharing.apply(&tmp);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity;

    fn finished(check: &str, seq: u64) -> Entry {
        let record = RunRecord {
            check: check.into(),
            status: RunStatus::Failed,
            exit_code: Some(1),
            duration_ms: 1200,
            finished_at: "2026-11-30T10:00:00Z".into(),
            commit: Some("abc1234".into()),
            dirty: true,
            findings: 1,
            metric: Some(81.5),
            unit: Some("%".into()),
            metric_note: None,
            truncated: None,
        };
        Entry {
            check: check.into(),
            seq,
            phase: Phase::Done,
            trigger: "src/lib.rs".into(),
            runner: "ana@box (1)".into(),
            queued_ms: now_ms(),
            started_ms: Some(now_ms()),
            result: Some(RunResult {
                record,
                findings: vec![Finding {
                    rule: "unused".into(),
                    severity: Severity::Low,
                    message: "unused import".into(),
                    path: Some("src/lib.rs".into()),
                    line: Some(3),
                    fingerprint: "f00d".into(),
                    tool_fingerprint: None,
                    confidence: None,
                    dependency: None,
                }],
                more_findings: 0,
                error: None,
                log: "/x/lint.log".into(),
                lines: 12,
                metric_note: None,
                log_error: None,
            }),
        }
    }

    #[test]
    fn entries_round_trip_and_leave_nothing_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let board = Board::new(dir.path(), Sharing::Umask);
        assert!(board.read_all().is_empty());
        let entry = finished("lint", 7);
        board.write(&entry).unwrap();
        board.write(&finished("test", 2)).unwrap();
        assert_eq!(board.read("lint"), Some(entry.clone()));
        let all = board.read_all();
        assert_eq!(all.len(), 2);
        assert_eq!(all["test"].seq, 2);
        let outcome = entry.result.as_ref().unwrap().outcome();
        assert_eq!(outcome.status, RunStatus::Failed);
        assert_eq!(outcome.duration, Duration::from_millis(1200));
        assert_eq!(outcome.findings.len(), 1);
        assert_eq!(outcome.metric.unwrap().value, 81.5);
        let names: Vec<_> = std::fs::read_dir(board.dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn entries_another_account_planted_never_block_and_come_out_clean() {
        let dir = tempfile::tempdir().unwrap();
        let board = Board::new(dir.path(), Sharing::Umask);
        let mut hostile = finished("lint", 1);
        hostile.trigger = format!("src/a.rs\u{1b}]0;owned\u{7}\n{}", "x".repeat(5_000));
        hostile.runner = "ana\u{1b}[2J@box".into();
        board.write(&hostile).unwrap();
        let read = board.read("lint").unwrap();
        assert!(!read.trigger.contains('\u{1b}') && !read.trigger.contains('\n'));
        assert!(
            read.trigger.chars().count() <= MAX_TEXT + 1,
            "{}",
            read.trigger.len()
        );
        assert!(!read.runner.contains('\u{1b}'), "{}", read.runner);
        // A FIFO is not waited on (a blocking open would hang here), a symlink not
        // followed.
        nix::unistd::mkfifo(
            &board.dir().join("test.json"),
            nix::sys::stat::Mode::S_IRWXU,
        )
        .unwrap();
        let elsewhere = Board::new(&dir.path().join("elsewhere"), Sharing::Umask);
        elsewhere.write(&finished("fmt", 1)).unwrap();
        std::os::unix::fs::symlink(
            elsewhere.dir().join("fmt.json"),
            board.dir().join("fmt.json"),
        )
        .unwrap();
        assert_eq!(board.read("test"), None);
        assert_eq!(board.read("fmt"), None);
        assert_eq!(board.read_all().keys().collect::<Vec<_>>(), ["lint"]);
    }

    #[test]
    fn foreign_or_broken_entries_are_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        let board = Board::new(dir.path(), Sharing::Umask);
        board.write(&finished("lint", 1)).unwrap();
        // An entry whose check is not its file's name.
        std::fs::copy(board.dir().join("lint.json"), board.dir().join("test.json")).unwrap();
        std::fs::write(board.dir().join("fmt.json"), "{ torn").unwrap();
        let all = board.read_all();
        assert_eq!(all.keys().collect::<Vec<_>>(), ["lint"]);
        assert_eq!(Board::check_of(Path::new("runs/.lint.json.1.2.tmp")), None);
        assert_eq!(
            Board::check_of(Path::new("runs/lint.json")),
            Some("lint".into())
        );
    }
}
