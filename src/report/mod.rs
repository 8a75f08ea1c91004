//! The readiness report a lead sends around: one plain model built from the recorded
//! state of a workspace, rendered as markdown ([`markdown`]) or JSON (serde, the same
//! content). Building runs nothing and reads no clock: time, head, run history and the
//! register's git history come in, so the output is reproducible in tests.

pub mod github;
pub mod markdown;
pub mod sarif;

use crate::domain::baseline::{Baseline, Split};
use crate::domain::burndown::{DayCount, SeverityCounts};
use crate::domain::check::RunStatus;
use crate::domain::finding::Severity;
use crate::domain::gate::{self, CheckState, GateSpec};
use crate::domain::issue::{risk_expired, DismissReason, Effort, Issue, Status};
use crate::domain::plan::Plan;
use crate::git_burndown::{Burndown, WINDOW_DAYS};
use crate::history::{latest_of, RunRecord};
use crate::repo::Head;
use crate::text::format::ago;
use serde::Serialize;
use std::collections::HashMap;
use std::time::SystemTime;

/// Bumped when a key of the JSON changes meaning or disappears.
pub const VERSION: u32 = 1;
/// Most metric values shown in a trend.
pub const TREND: usize = 5;

/// Everything the report is built from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub project: &'a str,
    /// The report's time: ages and accepted-risk expiry are measured against it.
    pub now: SystemTime,
    /// `None` outside git.
    pub head: Option<&'a Head>,
    pub gates: &'a [GateSpec],
    pub issues: &'a [Issue],
    /// The findings recorded as pre-existing.
    pub baseline: &'a Baseline,
    pub plan: &'a Plan,
    /// The declared checks, in order, as (id, name).
    pub checks: &'a [(String, String)],
    /// The run history, oldest first.
    pub runs: &'a [RunRecord],
    pub burndown: &'a Burndown,
}

/// The report. Every field is plain data, already worded, so renderers only lay out.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub project: String,
    /// RFC 3339, UTC, seconds.
    pub generated_at: String,
    pub branch: Option<String>,
    pub commit: Option<String>,
    /// Uncommitted files; `None` outside git.
    pub dirty: Option<usize>,
    /// `GO`, `NO-GO` or `NO-VERDICT` (no gate can block), judged like `preflight gate
    /// --no-run`.
    pub verdict: &'static str,
    /// The verdict in words, as `gate` and the cockpit say it (`no verdict: no gates`).
    pub headline: &'static str,
    /// Non-advisory gates failing.
    pub failing: usize,
    pub gates: Vec<GateRow>,
    pub blockers: Vec<IssueRow>,
    pub register: Register,
    pub burndown: BurndownSection,
    pub residual_risks: ResidualRisks,
    pub plan: Vec<PhaseRow>,
    pub checks: Vec<CheckRow>,
    pub dismissals: Vec<DismissalRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateRow {
    pub id: String,
    pub name: String,
    /// `PASS`, `FAIL`, or `WARN` for a failing advisory gate.
    pub result: &'static str,
    pub passed: bool,
    pub advisory: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueRow {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub blocker: bool,
    pub regression: bool,
    pub owner: Option<String>,
    pub effort: Option<Effort>,
    pub created: String,
    /// Short age at the report's time: `5m`, `3h`, `12d`, `4w`.
    pub age: String,
    /// The check that filed it, or `manual`.
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Register {
    pub open: SeverityCounts,
    /// Open findings new since the baseline vs in it, and baseline findings verified.
    pub findings: Split,
    /// Entries the baseline records (0: no baseline).
    pub baseline_entries: usize,
    pub verified: usize,
    pub dismissed: usize,
    /// Open issues, one group per severity (all five, critical first), except the
    /// dependency advisories, which are in `dependencies`.
    pub groups: Vec<SeverityGroup>,
    /// Open dependency advisories (npm audit, pip-audit, safety, cargo audit), most
    /// severe first: what to upgrade, from what to what.
    pub dependencies: Vec<DependencyRow>,
}

/// One open advisory on one package.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyRow {
    pub id: String,
    /// The advisory's id (`GHSA-…`, `RUSTSEC-…`) and its other ids.
    pub advisory: String,
    pub aliases: Vec<String>,
    pub package: String,
    /// The installed version as last seen.
    pub version: Option<String>,
    /// Versions that fix it; empty when there is no known fix.
    pub fixed: Vec<String>,
    pub severity: Severity,
    pub status: Status,
    pub blocker: bool,
    pub regression: bool,
    pub title: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeverityGroup {
    pub severity: Severity,
    pub issues: Vec<IssueRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BurndownSection {
    pub available: bool,
    /// Why there is no history, or that it was cut.
    pub note: Option<String>,
    pub window_days: i64,
    /// One point per day the register changed, oldest first.
    pub days: Vec<DayCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResidualRisks {
    pub accepted: Vec<RiskRow>,
    /// Open medium and low issues: what ships if nothing more is done.
    pub open_medium_low: Vec<IssueRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskRow {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub expires: Option<String>,
    /// Past its expiry day: the next `check` reopens it.
    pub expired: bool,
    pub accepted_by: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseRow {
    pub id: String,
    pub title: String,
    pub done: usize,
    /// Tasks that count: all but the cancelled.
    pub total: usize,
    /// Closed without being done: neither in `done` nor in `total`.
    pub cancelled: usize,
    /// 0 to 1.
    pub progress: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckRow {
    pub id: String,
    pub name: String,
    /// `None` when it never ran.
    pub status: Option<RunStatus>,
    pub finished_at: Option<String>,
    /// "3 h ago" at the report's time.
    pub age: Option<String>,
    pub duration_ms: Option<u64>,
    pub commit: Option<String>,
    pub dirty: bool,
    pub findings: Option<usize>,
    pub metric: Option<f64>,
    pub unit: Option<String>,
    /// Why the last run read no metric, or how it read it.
    pub metric_note: Option<String>,
    /// The last metric values, oldest first, repeats in a row shown once.
    pub trend: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DismissalRow {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub reason: DismissReason,
    pub by: String,
    pub at: String,
    pub note: Option<String>,
    pub expires: Option<String>,
}

/// Build the report from its inputs.
pub fn build(inputs: &Inputs) -> Report {
    let generated_at = humantime::format_rfc3339_seconds(inputs.now).to_string();
    let today = generated_at.get(..10).unwrap_or(&generated_at).to_string();
    let latest = latest_of(inputs.runs.iter().cloned());
    let states: HashMap<String, CheckState> = latest
        .iter()
        .map(|(id, r)| (id.clone(), r.state()))
        .collect();
    let commit = inputs.head.and_then(|h| h.commit.clone());
    let verdict = gate::evaluate(&gate::Inputs {
        gates: inputs.gates,
        issues: inputs.issues,
        baseline: inputs.baseline,
        plan: inputs.plan,
        checks: &states,
        now: inputs.now,
        head: commit.as_deref(),
    });
    let mut issues: Vec<Issue> = inputs.issues.to_vec();
    issues.sort_by(crate::domain::filter::triage_order);
    let row = |i: &Issue| issue_row(i, inputs.now);
    let open: Vec<&Issue> = issues.iter().filter(|i| i.status.is_open()).collect();
    Report {
        version: VERSION,
        project: inputs.project.to_string(),
        generated_at,
        branch: inputs.head.and_then(|h| h.branch.clone()),
        commit,
        dirty: inputs.head.map(|h| h.dirty),
        verdict: verdict.decision.code(),
        headline: verdict.headline(),
        failing: verdict.failing,
        gates: verdict
            .gates
            .iter()
            .map(|g| GateRow {
                id: g.id.clone(),
                name: g.name.clone(),
                result: match (g.passed, g.advisory) {
                    (true, _) => "PASS",
                    (false, false) => "FAIL",
                    (false, true) => "WARN",
                },
                passed: g.passed,
                advisory: g.advisory,
                reason: g.reason.clone(),
            })
            .collect(),
        blockers: verdict
            .blockers
            .iter()
            .filter_map(|id| issues.iter().find(|i| &i.id == id))
            .map(row)
            .collect(),
        register: Register {
            open: SeverityCounts::of(open.iter().copied()),
            findings: Split::of(inputs.baseline, &issues),
            baseline_entries: inputs.baseline.len(),
            verified: count(&issues, Status::Verified),
            dismissed: count(&issues, Status::Dismissed),
            groups: Severity::ALL
                .into_iter()
                .map(|severity| SeverityGroup {
                    severity,
                    issues: open
                        .iter()
                        .filter(|i| i.severity == severity && dependency_row(i).is_none())
                        .map(|i| row(i))
                        .collect(),
                })
                .collect(),
            dependencies: open.iter().filter_map(|i| dependency_row(i)).collect(),
        },
        burndown: BurndownSection {
            available: matches!(inputs.burndown, Burndown::Days { days, .. } if !days.is_empty()),
            note: inputs.burndown.note(),
            window_days: WINDOW_DAYS,
            days: inputs.burndown.days().to_vec(),
        },
        residual_risks: ResidualRisks {
            accepted: accepted_risks(&issues, &today),
            open_medium_low: open
                .iter()
                .filter(|i| matches!(i.severity, Severity::Medium | Severity::Low))
                .map(|i| row(i))
                .collect(),
        },
        plan: inputs.plan.phases.iter().map(phase_row).collect(),
        checks: inputs
            .checks
            .iter()
            .map(|(id, name)| check_row(id, name, latest.get(id), inputs))
            .collect(),
        dismissals: dismissals(&issues),
    }
}

/// The report as pretty JSON, with a final newline.
pub fn to_json(report: &Report) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report).map(|mut text| {
        text.push('\n');
        text
    })
}

/// The advisory an issue was filed from, when it was a dependency audit's.
fn dependency_row(issue: &Issue) -> Option<DependencyRow> {
    let link = issue.finding.as_ref()?;
    Some(DependencyRow {
        id: issue.id.clone(),
        advisory: link.rule.clone(),
        aliases: link.aliases.clone(),
        package: link.package.clone()?,
        version: link.version.clone(),
        fixed: link.fixed.clone(),
        severity: issue.severity,
        status: issue.status,
        blocker: issue.blocker,
        regression: issue.regression,
        title: issue.title.clone(),
        source: link.check.clone(),
    })
}

fn count(issues: &[Issue], status: Status) -> usize {
    issues.iter().filter(|i| i.status == status).count()
}

fn issue_row(issue: &Issue, now: SystemTime) -> IssueRow {
    IssueRow {
        id: issue.id.clone(),
        title: issue.title.clone(),
        severity: issue.severity,
        status: issue.status,
        blocker: issue.blocker,
        regression: issue.regression,
        owner: issue.owner.clone(),
        effort: issue.effort,
        created: issue.created.clone(),
        age: crate::text::format::age(&issue.created, now),
        source: issue.source().to_string(),
    }
}

/// Accepted risks, the soonest to expire first (those without an expiry last).
fn accepted_risks(issues: &[Issue], today: &str) -> Vec<RiskRow> {
    let mut risks: Vec<RiskRow> = issues
        .iter()
        .filter(|i| i.status == Status::Dismissed)
        .filter_map(|i| {
            let d = i.dismissal.as_ref()?;
            (d.reason == DismissReason::AcceptedRisk).then(|| RiskRow {
                id: i.id.clone(),
                title: i.title.clone(),
                severity: i.severity,
                expires: d.expires.clone(),
                expired: risk_expired(i, today),
                accepted_by: d.by.clone(),
                note: d.note.clone(),
            })
        })
        .collect();
    risks.sort_by(|a, b| {
        (a.expires.is_none(), &a.expires, &a.id).cmp(&(b.expires.is_none(), &b.expires, &b.id))
    });
    risks
}

/// Every dismissal, the most recent first.
fn dismissals(issues: &[Issue]) -> Vec<DismissalRow> {
    let mut rows: Vec<DismissalRow> = issues
        .iter()
        .filter(|i| i.status == Status::Dismissed)
        .filter_map(|i| {
            let d = i.dismissal.as_ref()?;
            Some(DismissalRow {
                id: i.id.clone(),
                title: i.title.clone(),
                severity: i.severity,
                reason: d.reason,
                by: d.by.clone(),
                at: d.at.clone(),
                note: d.note.clone(),
                expires: d.expires.clone(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    rows
}

fn phase_row(phase: &crate::domain::plan::Phase) -> PhaseRow {
    let counts = phase.counts();
    PhaseRow {
        id: phase.id.clone(),
        title: phase.title.clone(),
        done: counts.done,
        total: counts.counted(),
        cancelled: counts.cancelled,
        progress: (counts.progress() * 1000.0).round() / 1000.0,
    }
}

fn check_row(id: &str, name: &str, last: Option<&RunRecord>, inputs: &Inputs) -> CheckRow {
    let mut trend: Vec<f64> = Vec::new();
    for value in inputs
        .runs
        .iter()
        .filter(|r| r.check == id)
        .filter_map(|r| r.metric)
    {
        if trend.last() != Some(&value) {
            trend.push(value);
        }
    }
    let trend = trend.split_off(trend.len().saturating_sub(TREND));
    CheckRow {
        id: id.to_string(),
        name: name.to_string(),
        status: last.map(|r| r.status),
        finished_at: last.map(|r| r.finished_at.clone()),
        age: last.map(|r| {
            let at = r.state().finished_at;
            ago(inputs.now.duration_since(at).unwrap_or_default())
        }),
        duration_ms: last.map(|r| r.duration_ms),
        commit: last.and_then(|r| r.commit.clone()),
        dirty: last.is_some_and(|r| r.dirty),
        findings: last.map(|r| r.findings),
        metric: last.and_then(|r| r.metric),
        unit: last.and_then(|r| r.unit.clone()),
        metric_note: last.and_then(|r| r.metric_note.clone()),
        trend,
    }
}

#[cfg(test)]
mod tests;
