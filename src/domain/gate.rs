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

// ---- the register --------------------------------------------------------------------

/// Oldest first: by creation time when it parses, else by its text; then by id.
fn oldest_first(a: &Issue, b: &Issue) -> std::cmp::Ordering {
    let when = |i: &Issue| humantime::parse_rfc3339_weak(i.created.trim()).ok();
    let (wa, wb) = (when(a), when(b));
    let by_time = match (wa, wb) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.created.cmp(&b.created),
    };
    by_time.then_with(|| a.id.cmp(&b.id))
}

/// Open release blockers, most severe first, then oldest first.
fn open_blockers(issues: &[Issue]) -> Vec<&Issue> {
    let mut list: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.blocker && i.status.is_open())
        .collect();
    list.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| oldest_first(a, b)));
    list
}

fn id_list(issues: &[&Issue]) -> String {
    let ids: Vec<String> = issues.iter().map(|i| i.id.clone()).collect();
    capped(&ids, SHOW_IDS, ", ")
}

/// "findings of lint truncated at 10000: the register may miss open issues", when the
/// last run of a check (of `only`, when given) could not report all it found.
fn truncated_runs(inputs: &Inputs, only: Option<&[String]>) -> Option<String> {
    let mut cut: Vec<String> = inputs
        .checks
        .iter()
        .filter(|(id, _)| only.is_none_or(|ids| ids.contains(id)))
        .filter_map(|(id, state)| state.truncated.map(|n| format!("{id} truncated at {n}")))
        .collect();
    if cut.is_empty() {
        return None;
    }
    cut.sort();
    Some(format!(
        "findings of {}: the register may miss open issues",
        capped(&cut, SHOW_CHECKS, ", ")
    ))
}

fn max_open_gate(issues: &[&Issue], limits: &BTreeMap<Severity, u32>) -> (bool, String) {
    if limits.is_empty() {
        return (true, "no limits set".into());
    }
    let mut over: Vec<String> = Vec::new();
    let mut within: Vec<String> = Vec::new();
    // BTreeMap order is severity order: critical first.
    for (severity, max) in limits {
        let mut open: Vec<&Issue> = issues
            .iter()
            .copied()
            .filter(|i| i.severity == *severity && i.status.is_open())
            .collect();
        open.sort_by(|a, b| oldest_first(a, b));
        let n = open.len();
        if n > *max as usize {
            let limit = if *max == 0 {
                String::new()
            } else {
                format!(" (at most {max})")
            };
            over.push(format!("{n} open {severity}{limit}: {}", id_list(&open)));
        } else {
            within.push(format!("{n}/{max} {severity}"));
        }
    }
    if over.is_empty() {
        (true, format!("within limits: {}", within.join(", ")))
    } else {
        (false, over.join("; "))
    }
}

/// [`GateKind::MaxOpenOf`]: every check ran and reported, then the limits hold over
/// the issues they filed.
fn max_open_of_gate(
    inputs: &Inputs,
    checks: &[String],
    limits: &BTreeMap<Severity, u32>,
) -> (bool, String) {
    let mut unknown: Vec<String> = Vec::new();
    for id in checks {
        match inputs.checks.get(id) {
            None => unknown.push(format!("{id} never ran")),
            Some(state) => {
                let verb = match state.status {
                    RunStatus::Passed | RunStatus::Failed => continue,
                    RunStatus::TimedOut => "timed out",
                    RunStatus::Error => "could not run",
                };
                unknown.push(words(&[id, verb, &age(inputs, state)]));
            }
        }
    }
    if !unknown.is_empty() {
        return (
            false,
            format!(
                "{}: its findings are unknown",
                capped(&unknown, SHOW_CHECKS, "; ")
            ),
        );
    }
    let theirs: Vec<&Issue> = inputs
        .issues
        .iter()
        .filter(|i| {
            i.finding
                .as_ref()
                .is_some_and(|f| checks.contains(&f.check))
        })
        .collect();
    let (passed, reason) = max_open_gate(&theirs, limits);
    (passed, format!("{reason} (from {})", checks.join(", ")))
}

fn max_new_gate(
    issues: &[Issue],
    baseline: &Baseline,
    limits: &BTreeMap<Severity, u32>,
) -> (bool, String) {
    if limits.is_empty() {
        return (true, "no limits set".into());
    }
    let mut over: Vec<String> = Vec::new();
    let mut within: Vec<String> = Vec::new();
    for (severity, max) in limits {
        let mut new: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.severity == *severity && i.status.is_open())
            .filter(|i| baseline.is_new_finding(i))
            .collect();
        new.sort_by(|a, b| oldest_first(a, b));
        let n = new.len();
        if n > *max as usize {
            let limit = if *max == 0 {
                String::new()
            } else {
                format!(" (at most {max})")
            };
            over.push(format!("{n} new {severity}{limit}: {}", id_list(&new)));
        } else {
            within.push(format!("{n}/{max} new {severity}"));
        }
    }
    let held = issues
        .iter()
        .filter(|i| i.status.is_open() && baseline.holds(i))
        .count();
    let note = if baseline.is_empty() {
        " (no baseline recorded)".to_string()
    } else {
        format!(" ({held} open in the baseline)")
    };
    if over.is_empty() {
        (true, format!("within limits: {}{note}", within.join(", ")))
    } else {
        (false, format!("{}{note}", over.join("; ")))
    }
}

fn blockers_gate(issues: &[Issue], max: u32) -> (bool, String) {
    let open = open_blockers(issues);
    let n = open.len();
    let noun = if n == 1 { "blocker" } else { "blockers" };
    if n > max as usize {
        let limit = if max == 0 {
            String::new()
        } else {
            format!(" (at most {max})")
        };
        (false, format!("{n} open {noun}{limit}: {}", id_list(&open)))
    } else if n == 0 {
        (true, "no open blockers".into())
    } else {
        (true, format!("{n} open {noun}, at most {max} allowed"))
    }
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

pub use numbers::with_unit;
use numbers::{bound_text, value_text};

#[cfg(test)]
mod tests;
