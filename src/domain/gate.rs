//! Release gates as declared, and their evaluation into a GO/NO-GO verdict.
//!
//! [`evaluate`] is pure: the register, the plan, the last state of every check, the
//! current commit and the time all come in as arguments, so the cockpit header and
//! `preflight gate` in CI compute the very same verdict with the very same reasons.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::domain::baseline::Baseline;
use crate::domain::check::RunStatus;
use crate::domain::finding::Severity;
use crate::domain::issue::Issue;
use crate::domain::plan::Plan;

/// What a gate requires.
#[derive(Debug, Clone, PartialEq)]
pub enum GateKind {
    /// These checks must pass at the current tree.
    Checks(Vec<String>),
    /// At most this many open issues per severity.
    MaxOpen(BTreeMap<Severity, u32>),
    /// At most this many open issues per severity among those filed by these checks
    /// ("the security scan passes with no critical or high issue"). Each check must
    /// also have run and reported: a scanner that could not run found nothing, which
    /// is not the same as finding nothing.
    MaxOpenOf {
        checks: Vec<String>,
        limits: BTreeMap<Severity, u32>,
    },
    /// At most this many open findings per severity that are not in the baseline
    /// ("clean as you code").
    MaxNew(BTreeMap<Severity, u32>),
    /// At most this many open release blockers.
    Blockers(u32),
    /// Every task of this phase is done.
    TasksDone(String),
    /// A check's metric stays within bounds.
    Metric {
        /// The check whose last metric value is compared.
        check: String,
        /// Lowest value that passes (inclusive), e.g. coverage ≥ 80.
        min: Option<f64>,
        /// Highest value that passes (inclusive), e.g. p95 ≤ 200.
        max: Option<f64>,
    },
}

/// One release criterion as declared in `preflight.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    /// Stable id, as referenced from reports and `--json` output.
    pub id: String,
    /// What people read in the cockpit and the report.
    pub name: String,
    /// Shown, never blocking.
    pub advisory: bool,
    /// What it requires.
    pub kind: GateKind,
}

/// The last run of one check, as far as gates care: how it ended, when, on what.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckState {
    /// How the run ended; only `Passed` passes a checks gate.
    pub status: RunStatus,
    /// When it ended, for "3 min ago" in reasons.
    pub finished_at: SystemTime,
    /// The commit the run saw; `None` outside git or before the first commit.
    pub commit: Option<String>,
    /// The work tree had uncommitted changes when it ran.
    pub dirty: bool,
    /// The number the run read, for metric checks.
    pub metric: Option<f64>,
    /// The metric's unit (`%`, `ms`), shown after numbers.
    pub unit: Option<String>,
    /// Why the run read no metric (wrong path, a report not rewritten by the run, a
    /// JUnit file where coverage was expected), or how it read it.
    pub metric_note: Option<String>,
    /// `Some(n)`: the run's findings were cut at `n`, so the register may be missing
    /// open issues; register gates do not pass on it.
    pub truncated: Option<usize>,
}

/// Everything a verdict depends on; time and commit come in so evaluation stays pure.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The gates to evaluate, in the order they are shown.
    pub gates: &'a [GateSpec],
    /// The whole register as loaded.
    pub issues: &'a [Issue],
    /// The findings recorded as pre-existing (`max_new` gates count the others).
    pub baseline: &'a Baseline,
    /// The plan, for phase gates.
    pub plan: &'a Plan,
    /// Last state per check id.
    pub checks: &'a HashMap<String, CheckState>,
    /// The time to measure ages against (passed in: evaluation reads no clock).
    pub now: SystemTime,
    /// The current commit; `None` outside git or before the first commit.
    pub head: Option<&'a str>,
}

/// One gate's result, with a one-line reason fit for the cockpit and CI logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateOutcome {
    /// The gate's id.
    pub id: String,
    /// The gate's name.
    pub name: String,
    /// Whether its criterion holds now.
    pub passed: bool,
    /// A failing advisory gate is shown but does not make the verdict NO-GO.
    pub advisory: bool,
    /// Why it passed or failed, in one line.
    pub reason: String,
}

/// What the gates decide. With no gate that can block, nothing decides: that is "no
/// verdict", never GO, in every view (a release is not ready by omission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Every gate that can block passes.
    #[serde(rename = "GO")]
    Go,
    /// A gate that can block fails.
    #[serde(rename = "NO-GO")]
    NoGo,
    /// No gate is declared, or every one is advisory.
    #[serde(rename = "NO-VERDICT")]
    NoVerdict,
}

impl Decision {
    /// As JSON says it: `GO`, `NO-GO`, `NO-VERDICT`.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
            Decision::NoVerdict => "NO-VERDICT",
        }
    }
}

/// GO or NO-GO (or no verdict), and why: every gate's outcome and the open release
/// blockers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// Decided by [`evaluate`] alone, so every view agrees.
    pub decision: Decision,
    /// Every gate's outcome, in declaration order.
    pub gates: Vec<GateOutcome>,
    /// Ids of open release blockers, most severe first (then oldest first), listed
    /// whether or not a gate counts them.
    pub blockers: Vec<String>,
    /// How many non-advisory gates fail.
    pub failing: usize,
}

impl Verdict {
    /// Whether the release may go: only a GO says so.
    pub fn is_go(&self) -> bool {
        self.decision == Decision::Go
    }

    /// The verdict in words, the same in the header, `gate` and the report: `GO`,
    /// `NO-GO`, `no verdict: no gates`.
    pub fn headline(&self) -> &'static str {
        match self.decision {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
            Decision::NoVerdict if self.gates.is_empty() => "no verdict: no gates",
            Decision::NoVerdict => "no verdict: every gate is advisory",
        }
    }
}

/// Evaluate every gate into the verdict. Advisory gates are evaluated and shown but
/// never make it NO-GO.
pub fn evaluate(inputs: &Inputs) -> Verdict {
    let gates: Vec<GateOutcome> = inputs
        .gates
        .iter()
        .map(|gate| {
            let (passed, reason) = match &gate.kind {
                GateKind::Checks(ids) => checks_gate(inputs, ids),
                GateKind::MaxOpen(limits) => match truncated_runs(inputs, None) {
                    Some(why) => (false, why),
                    None => max_open_gate(&inputs.issues.iter().collect::<Vec<_>>(), limits),
                },
                GateKind::MaxOpenOf { checks, limits } => {
                    match truncated_runs(inputs, Some(checks)) {
                        Some(why) => (false, why),
                        None => max_open_of_gate(inputs, checks, limits),
                    }
                }
                GateKind::MaxNew(limits) => match truncated_runs(inputs, None) {
                    Some(why) => (false, why),
                    None => max_new_gate(inputs.issues, inputs.baseline, limits),
                },
                GateKind::Blockers(max) => blockers_gate(inputs.issues, *max),
                GateKind::TasksDone(phase) => tasks_gate(inputs.plan, phase),
                GateKind::Metric { check, min, max } => metric_gate(inputs, check, *min, *max),
            };
            GateOutcome {
                id: gate.id.clone(),
                name: gate.name.clone(),
                passed,
                advisory: gate.advisory,
                reason,
            }
        })
        .collect();
    let failing = gates.iter().filter(|g| !g.passed && !g.advisory).count();
    let decision = if gates.iter().all(|g| g.advisory) {
        Decision::NoVerdict
    } else if failing == 0 {
        Decision::Go
    } else {
        Decision::NoGo
    };
    Verdict {
        decision,
        blockers: open_blockers(inputs.issues)
            .iter()
            .map(|i| i.id.clone())
            .collect(),
        gates,
        failing,
    }
}

/// How long ago, as people say it: "just now", "3 min ago", "2 h ago", "4 days ago".
pub fn human_age(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => match secs / 86_400 {
            1 => "1 day ago".into(),
            days => format!("{days} days ago"),
        },
    }
}

// ---- checks ------------------------------------------------------------------------

/// Most failing checks named in one reason; the rest are counted.
const SHOW_CHECKS: usize = 3;
/// Most issue or task ids listed in one reason.
const SHOW_IDS: usize = 5;

fn short_commit(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// Two spellings of one commit (full or abbreviated).
fn same_commit(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().as_bytes(), b.trim().as_bytes());
    let n = a.len().min(b.len());
    n >= 4 && a[..n].eq_ignore_ascii_case(&b[..n])
}

/// Where a run happened, relative to the current tree: `Ok("at 3f2a1c9")` when it is
/// the current commit and was clean, `Err("(at an older commit 3f2a1c9)")` when the
/// result may not hold for the tree as it is.
fn provenance(state: &CheckState, head: Option<&str>) -> Result<String, String> {
    match (state.commit.as_deref(), head) {
        (Some(commit), Some(head)) if !same_commit(commit, head) => {
            Err(format!("(at an older commit {})", short_commit(commit)))
        }
        (None, Some(_)) => Err("(at an unknown commit)".into()),
        (Some(commit), _) if state.dirty => Err(format!(
            "(on uncommitted changes at {})",
            short_commit(commit)
        )),
        (None, None) if state.dirty => Err("(on uncommitted changes)".into()),
        (Some(commit), _) => Ok(format!("at {}", short_commit(commit))),
        (None, None) => Ok(String::new()),
    }
}

fn age(inputs: &Inputs, state: &CheckState) -> String {
    human_age(
        inputs
            .now
            .duration_since(state.finished_at)
            .unwrap_or_default(),
    )
}

fn words(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn checks_gate(inputs: &Inputs, ids: &[String]) -> (bool, String) {
    let mut unique: Vec<&str> = Vec::new();
    for id in ids {
        if !unique.contains(&id.as_str()) {
            unique.push(id);
        }
    }
    if unique.is_empty() {
        return (true, "no checks listed".into());
    }
    let mut failures: Vec<String> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let mut last_pass = String::new();
    for id in &unique {
        let Some(state) = inputs.checks.get(*id) else {
            failures.push(format!("{id} never ran"));
            continue;
        };
        let when = age(inputs, state);
        let at = provenance(state, inputs.head);
        let verb = match state.status {
            RunStatus::Passed => {
                last_pass = words(&[id, "passed", &when]);
                if let Err(at) = at {
                    stale.push(format!("{id} {at}"));
                    last_pass = words(&[&last_pass, &at]);
                }
                continue;
            }
            RunStatus::Failed => "failed",
            RunStatus::TimedOut => "timed out",
            RunStatus::Error => "could not run",
        };
        let at = at.unwrap_or_else(|stale| stale);
        failures.push(words(&[id, verb, &when, &at]));
    }
    if !failures.is_empty() {
        return (false, capped(&failures, SHOW_CHECKS, "; "));
    }
    let reason = match (unique.len(), stale.is_empty()) {
        (1, _) => last_pass,
        (n, true) => format!("all {n} passed"),
        (n, false) => format!("all {n} passed; {}", capped(&stale, 2, ", ")),
    };
    (true, reason)
}

/// The first `show` items joined, and how many more there are.
fn capped(items: &[String], show: usize, sep: &str) -> String {
    let mut text = items
        .iter()
        .take(show)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep);
    if items.len() > show {
        text.push_str(&format!("{sep}+{} more", items.len() - show));
    }
    text
}

// ---- the plan ------------------------------------------------------------------------

fn tasks_gate(plan: &Plan, phase: &str) -> (bool, String) {
    let Some(found) = plan.phases.iter().find(|p| p.id == phase) else {
        return (false, format!("no phase {phase}"));
    };
    // Cancelled tasks are closed without being done: they neither pass nor fail it.
    let counts = found.counts();
    let total = counts.counted();
    let cancelled = if counts.cancelled == 0 {
        String::new()
    } else {
        format!(" ({} cancelled)", counts.cancelled)
    };
    let open: Vec<String> = found
        .tasks
        .iter()
        .filter(|t| !t.status.is_closed())
        .map(|t| t.id.clone())
        .collect();
    match (total, open.len()) {
        (0, _) => (true, format!("{phase} has no tasks{cancelled}")),
        (_, 0) => (
            true,
            format!("all {total} tasks of {phase} done{cancelled}"),
        ),
        (_, n) => (
            false,
            format!(
                "{n} of {total} tasks of {phase} not done{cancelled}: {}",
                capped(&open, SHOW_IDS, ", ")
            ),
        ),
    }
}

// ---- metrics -------------------------------------------------------------------------

fn metric_gate(inputs: &Inputs, check: &str, min: Option<f64>, max: Option<f64>) -> (bool, String) {
    let Some(state) = inputs.checks.get(check) else {
        return (false, format!("{check} has no value yet: it never ran"));
    };
    let Some(value) = state.metric else {
        let why = state
            .metric_note
            .as_deref()
            .unwrap_or("its last run read no metric");
        return (false, format!("{check} has no value: {why}"));
    };
    if !value.is_finite() {
        return (false, format!("{check} has no usable value ({value})"));
    }
    let unit = state.unit.as_deref();
    let bounds: Vec<f64> = min.into_iter().chain(max).collect();
    let shown = with_unit(&value_text(value, &bounds), unit);
    let b = |bound: f64| with_unit(&bound_text(bound), unit);
    let (passed, mut reason) = match (min, max) {
        (Some(lo), _) if value < lo => (false, format!("{check} {shown} < {}", b(lo))),
        (_, Some(hi)) if value > hi => (false, format!("{check} {shown} > {}", b(hi))),
        (Some(lo), Some(hi)) => (true, format!("{check} {shown} within {}–{}", b(lo), b(hi))),
        (Some(lo), None) => (true, format!("{check} {shown} ≥ {}", b(lo))),
        (None, Some(hi)) => (true, format!("{check} {shown} ≤ {}", b(hi))),
        (None, None) => (true, format!("{check} {shown} (no bound set)")),
    };
    match state.status {
        RunStatus::Passed => {}
        RunStatus::Failed => reason.push_str(" (from a failed run)"),
        RunStatus::TimedOut => reason.push_str(" (from a timed-out run)"),
        RunStatus::Error => reason.push_str(" (from a run that could not finish)"),
    }
    if let Err(stale) = provenance(state, inputs.head) {
        reason.push(' ');
        reason.push_str(&stale);
    }
    (passed, reason)
}

mod numbers;
mod register;

pub use numbers::with_unit;
use numbers::{bound_text, value_text};
use register::{
    blockers_gate, max_new_gate, max_open_gate, max_open_of_gate, open_blockers, truncated_runs,
};

#[cfg(test)]
mod tests;
