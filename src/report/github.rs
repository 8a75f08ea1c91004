//! The verdict as GitHub Actions reads it: workflow commands on stdout. An `::error`
//! annotation per open release blocker and per issue a failing gate counts (with
//! `file=` and `line=` where the issue has a location, so it shows on the diff), a
//! `::notice` per failing gate with its reason.
//!
//! Issue titles, paths and owners come from other people's files: every value is
//! escaped as the runner expects (`%`, CR and LF in messages; also `:` and `,` in
//! properties), and other control characters are shown escaped, never passed through.

use crate::domain::baseline::Baseline;
use crate::domain::filter::triage_order;
use crate::domain::gate::{GateKind, GateSpec, Verdict};
use crate::domain::issue::Issue;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A message (the text after the second `::`).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || is_bidi(c) => {
                let _ = write!(out, "{}", c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// A property value (`file=…,title=…`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Characters that reorder the text around them when shown.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Why an issue is annotated: the gates that count it, and whether it is a blocker.
#[derive(Debug, Default)]
struct Flag {
    gates: Vec<String>,
    /// Counted by a gate that is not advisory, or an open blocker.
    blocking: bool,
}

/// The issues a failing gate counts against it.
fn counted<'a>(kind: &GateKind, issues: &'a [Issue], baseline: &Baseline) -> Vec<&'a Issue> {
    let open = issues.iter().filter(|i| i.status.is_open());
    let of = |i: &Issue, checks: &[String]| {
        i.finding
            .as_ref()
            .is_some_and(|f| checks.contains(&f.check))
    };
    match kind {
        GateKind::MaxOpen(limits)
        | GateKind::MaxNew(limits)
        | GateKind::MaxOpenOf { limits, .. } => {
            let new_only = matches!(kind, GateKind::MaxNew(_));
            let scope: Option<&[String]> = match kind {
                GateKind::MaxOpenOf { checks, .. } => Some(checks),
                _ => None,
            };
            limits
                .iter()
                .flat_map(|(severity, max)| {
                    let at: Vec<&Issue> = open
                        .clone()
                        .filter(|i| i.severity == *severity)
                        .filter(|i| !new_only || baseline.is_new_finding(i))
                        .filter(|i| scope.is_none_or(|checks| of(i, checks)))
                        .collect();
                    if at.len() > *max as usize {
                        at
                    } else {
                        Vec::new()
                    }
                })
                .collect()
        }
        GateKind::Blockers(_) => open.filter(|i| i.blocker).collect(),
        GateKind::Checks(ids) => open.filter(|i| of(i, ids)).collect(),
        GateKind::TasksDone(_) | GateKind::Metric { .. } => Vec::new(),
    }
}

/// The workflow commands for a verdict, one per line.
pub fn commands(
    gates: &[GateSpec],
    verdict: &Verdict,
    issues: &[Issue],
    baseline: &Baseline,
) -> Vec<String> {
    let mut flags: BTreeMap<&str, Flag> = BTreeMap::new();
    for outcome in verdict.gates.iter().filter(|g| !g.passed) {
        let Some(spec) = gates.iter().find(|g| g.id == outcome.id) else {
            continue;
        };
        for issue in counted(&spec.kind, issues, baseline) {
            let flag = flags.entry(issue.id.as_str()).or_default();
            flag.gates.push(outcome.id.clone());
            flag.blocking |= !outcome.advisory;
        }
    }
    for issue in issues.iter().filter(|i| i.blocker && i.status.is_open()) {
        flags.entry(issue.id.as_str()).or_default().blocking = true;
    }
    let mut flagged: Vec<&Issue> = issues
        .iter()
        .filter(|i| flags.contains_key(i.id.as_str()))
        .collect();
    flagged.sort_by(|a, b| triage_order(a, b));
    let mut lines: Vec<String> = flagged
        .iter()
        .filter_map(|issue| {
            let flag = flags.get(issue.id.as_str())?;
            Some(annotation(issue, flag))
        })
        .collect();
    for outcome in verdict.gates.iter().filter(|g| !g.passed) {
        let advisory = if outcome.advisory { " (advisory)" } else { "" };
        lines.push(format!(
            "::notice title={}::{}",
            escape_property(&format!("Gate {} failed{advisory}", outcome.id)),
            escape_data(&format!("{}: {}", outcome.name, outcome.reason))
        ));
    }
    if verdict.decision == crate::domain::gate::Decision::NoVerdict {
        // The job fails without a failing gate to point at: say why.
        lines.push(format!(
            "::error title=preflight::{}",
            escape_data(&format!(
                "{}: nothing can say GO; add [[gate]] tables to preflight.toml",
                verdict.headline()
            ))
        ));
    }
    lines
}

fn annotation(issue: &Issue, flag: &Flag) -> String {
    let command = if flag.blocking { "error" } else { "warning" };
    let mut properties = Vec::new();
    if let Some(link) = &issue.finding {
        if let Some(path) = link.path.as_deref().filter(|p| !p.trim().is_empty()) {
            properties.push(format!("file={}", escape_property(path)));
            if let Some(line) = link.line.filter(|l| *l >= 1) {
                properties.push(format!("line={line}"));
            }
        }
    }
    let mut why = Vec::new();
    if issue.blocker {
        why.push("release blocker".to_string());
    }
    if !flag.gates.is_empty() {
        why.push(format!("gate {}", flag.gates.join(", ")));
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!(
            "{} {} · {}",
            issue.id,
            issue.severity,
            why.join(" · ")
        ))
    ));
    let source = issue
        .finding
        .as_ref()
        .map(|f| format!(" ({}/{})", f.check, f.rule))
        .unwrap_or_default();
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&format!("{}{source}", issue.title))
    )
}

#[cfg(test)]
mod tests;
