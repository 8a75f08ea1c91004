//! Checks as declared, and the outcome of one run of a check.

use crate::domain::finding::{Finding, Severity};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How to read what a check produced.
#[derive(Debug, Clone)]
pub enum Format {
    /// Exit code only: 0 passed, anything else failed. No findings.
    ExitCode,
    /// cargo's `--message-format=json` diagnostics on stdout.
    Cargo,
    /// A SARIF 2.1.0 log (from `report`, or stdout).
    Sarif,
    /// A JUnit XML report (from `report`, or stdout).
    Junit,
    /// A regex over each output line, with named groups `path`, `line`, `message`,
    /// and optionally `rule`, `severity`, `col`.
    Lines(Regex),
    /// `npm audit --json` (npm 7+).
    NpmAudit,
    /// `pip-audit -f json`.
    PipAudit,
    /// `safety check --json` (and `safety scan --output json`).
    Safety,
    /// `cargo audit --json`.
    CargoAudit,
    /// `bandit -f json`.
    Bandit,
    /// `pylint --output-format=json` or `json2`.
    Pylint,
    /// mypy's `file:line: error: message  [code]` lines, or `-O json` lines.
    Mypy,
    /// Any document format above, recognised from the report's content (a check with
    /// a `report` and no `format`, or `format = "auto"`).
    Auto,
}

impl Format {
    pub const NAMES: [&'static str; 13] = [
        "exit-code",
        "cargo",
        "sarif",
        "junit",
        "lines",
        "npm-audit",
        "pip-audit",
        "safety",
        "cargo-audit",
        "bandit",
        "pylint",
        "mypy",
        "auto",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Format::ExitCode => "exit-code",
            Format::Cargo => "cargo",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Lines(_) => "lines",
            Format::NpmAudit => "npm-audit",
            Format::PipAudit => "pip-audit",
            Format::Safety => "safety",
            Format::CargoAudit => "cargo-audit",
            Format::Bandit => "bandit",
            Format::Pylint => "pylint",
            Format::Mypy => "mypy",
            Format::Auto => "auto",
        }
    }

    /// The format of that name, for every format but `lines` (which needs its
    /// pattern); `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "exit-code" => Format::ExitCode,
            "cargo" => Format::Cargo,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "npm-audit" => Format::NpmAudit,
            "pip-audit" => Format::PipAudit,
            "safety" => Format::Safety,
            "cargo-audit" => Format::CargoAudit,
            "bandit" => Format::Bandit,
            "pylint" => Format::Pylint,
            "mypy" => Format::Mypy,
            "auto" => Format::Auto,
            _ => return None,
        })
    }

    /// Formats that read one whole document (a report file, or all of stdout) rather
    /// than a stream of lines.
    pub fn reads_document(&self) -> bool {
        !matches!(
            self,
            Format::ExitCode | Format::Cargo | Format::Lines(_) | Format::Mypy
        )
    }
}

/// Where a check's single number comes from (coverage, latency, size).
#[derive(Debug, Clone)]
pub enum MetricSource {
    Lcov { path: PathBuf },
    Cobertura { path: PathBuf },
    Regex { pattern: Regex },
}

#[derive(Debug, Clone)]
pub struct MetricSpec {
    pub source: MetricSource,
    pub unit: Option<String>,
}

/// One check as declared in `preflight.toml` (or the embedded default), validated.
#[derive(Debug, Clone)]
pub struct CheckSpec {
    pub id: String,
    pub name: String,
    /// A shell command line, run by `sh -c` in `cwd` (the repository root by default).
    pub run: String,
    /// Globs (relative to the repository root) whose changes make this check re-run;
    /// empty means any change.
    pub watch: Vec<String>,
    pub format: Format,
    /// A file the command writes, read instead of stdout (relative to the root).
    pub report: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub cwd: Option<PathBuf>,
    pub env: BTreeMap<String, String>,
    /// Severity of findings whose tool gives none.
    pub severity: Severity,
    /// Register severity per tool severity (`high`) or rule id (`B301`), overriding
    /// what the tool says; the rule wins over the level.
    pub severity_map: BTreeMap<String, Severity>,
    pub metric: Option<MetricSpec>,
}

/// The result of one run, as the headless command and the cockpit show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Passed,
    Failed,
    TimedOut,
    /// The check could not be judged: it could not start, was cancelled, or its tool
    /// crashed without a readable report. Never "passed with no findings".
    Error,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Passed => "passed",
            RunStatus::Failed => "failed",
            RunStatus::TimedOut => "timed-out",
            RunStatus::Error => "error",
        }
    }

    pub fn is_success(self) -> bool {
        self == RunStatus::Passed
    }

    /// The tool ran and reported (passed or failed): its findings are what it found.
    /// A crash, a timeout or a cancel tells nothing.
    pub fn is_judged(self) -> bool {
        matches!(self, RunStatus::Passed | RunStatus::Failed)
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Decide a run's status from how the process ended and what its report said.
///
/// `report` is `None` for `exit-code` checks, `Some(Err)` when the tool's report could
/// not be read. Any finding fails the check, whatever the exit code: clippy and many
/// scanners exit 0 while reporting problems.
pub fn judge(
    exit_code: Option<i32>,
    timed_out: bool,
    report: Option<&Result<Vec<Finding>, String>>,
) -> RunStatus {
    if timed_out {
        return RunStatus::TimedOut;
    }
    let Some(code) = exit_code else {
        return RunStatus::Error;
    };
    match report {
        None => {
            if code == 0 {
                RunStatus::Passed
            } else {
                RunStatus::Failed
            }
        }
        Some(Err(_)) => RunStatus::Error,
        Some(Ok(findings)) => {
            if code == 0 && findings.is_empty() {
                RunStatus::Passed
            } else {
                RunStatus::Failed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_covers_every_outcome() {
        let none: Result<Vec<Finding>, String> = Ok(vec![]);
        let some: Result<Vec<Finding>, String> = Ok(vec![Finding::new("r", Severity::Low, "m")]);
        let broken: Result<Vec<Finding>, String> = Err("no report".into());
        assert_eq!(judge(Some(0), false, None), RunStatus::Passed);
        assert_eq!(judge(Some(3), false, None), RunStatus::Failed);
        assert_eq!(judge(None, false, None), RunStatus::Error);
        assert_eq!(judge(None, true, None), RunStatus::TimedOut);
        assert_eq!(judge(Some(0), false, Some(&none)), RunStatus::Passed);
        assert_eq!(judge(Some(0), false, Some(&some)), RunStatus::Failed);
        assert_eq!(judge(Some(1), false, Some(&none)), RunStatus::Failed);
        assert_eq!(judge(Some(1), false, Some(&broken)), RunStatus::Error);
        assert_eq!(judge(Some(0), false, Some(&broken)), RunStatus::Error);
    }
}
