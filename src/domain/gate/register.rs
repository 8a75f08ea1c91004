//! The gates over the register: open issues by severity (all, or those some checks
//! filed), new ones beside the baseline, release blockers.

use std::collections::BTreeMap;

use super::{age, capped, words, Inputs, SHOW_CHECKS, SHOW_IDS};
use crate::domain::baseline::Baseline;
use crate::domain::check::RunStatus;
use crate::domain::finding::Severity;
use crate::domain::issue::Issue;

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
pub(super) fn open_blockers(issues: &[Issue]) -> Vec<&Issue> {
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
pub(super) fn truncated_runs(inputs: &Inputs, only: Option<&[String]>) -> Option<String> {
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

pub(super) fn max_open_gate(issues: &[&Issue], limits: &BTreeMap<Severity, u32>) -> (bool, String) {
    if limits.is_empty() {
        return (true, "no limits set".into());
    }
    let (passed, reason) = per_severity(limits, "open", |severity| {
        issues
            .iter()
            .copied()
            .filter(|i| i.severity == severity && i.status.is_open())
            .collect()
    });
    let reason = if passed {
        format!("within limits: {reason}")
    } else {
        reason
    };
    (passed, reason)
}

/// Each severity's limit against the issues `of` it counts (`what`: "open", "new"):
/// whether every limit holds, and the counts within ("2/3 open high") or, when some
/// do not hold, the ones over with their ids ("4 open high (at most 3): PF-…").
fn per_severity<'a>(
    limits: &BTreeMap<Severity, u32>,
    what: &str,
    of: impl Fn(Severity) -> Vec<&'a Issue>,
) -> (bool, String) {
    let mut over: Vec<String> = Vec::new();
    let mut within: Vec<String> = Vec::new();
    // BTreeMap order is severity order: critical first.
    for (severity, max) in limits {
        let mut counted = of(*severity);
        counted.sort_by(|a, b| oldest_first(a, b));
        let n = counted.len();
        if n > *max as usize {
            let limit = if *max == 0 {
                String::new()
            } else {
                format!(" (at most {max})")
            };
            over.push(format!(
                "{n} {what} {severity}{limit}: {}",
                id_list(&counted)
            ));
        } else if what == "open" {
            within.push(format!("{n}/{max} {severity}"));
        } else {
            within.push(format!("{n}/{max} {what} {severity}"));
        }
    }
    if over.is_empty() {
        (true, within.join(", "))
    } else {
        (false, over.join("; "))
    }
}

/// [`GateKind::MaxOpenOf`]: every check ran and reported, then the limits hold over
/// the issues they filed.
pub(super) fn max_open_of_gate(
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

pub(super) fn max_new_gate(
    issues: &[Issue],
    baseline: &Baseline,
    limits: &BTreeMap<Severity, u32>,
) -> (bool, String) {
    if limits.is_empty() {
        return (true, "no limits set".into());
    }
    let (passed, reason) = per_severity(limits, "new", |severity| {
        issues
            .iter()
            .filter(|i| i.severity == severity && i.status.is_open())
            .filter(|i| baseline.is_new_finding(i))
            .collect()
    });
    let held = issues
        .iter()
        .filter(|i| i.status.is_open() && baseline.holds(i))
        .count();
    let note = if baseline.is_empty() {
        " (no baseline recorded)".to_string()
    } else {
        format!(" ({held} open in the baseline)")
    };
    if passed {
        (true, format!("within limits: {reason}{note}"))
    } else {
        (false, format!("{reason}{note}"))
    }
}

pub(super) fn blockers_gate(issues: &[Issue], max: u32) -> (bool, String) {
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
