//! `cargo audit --json`: `vulnerabilities.list` (advisory + affected package) and
//! `warnings` (unmaintained, unsound, yanked, notice), all located in `Cargo.lock`.
//!
//! Severity comes from the advisory's CVSS vector (a base score, scored with RustSec's
//! own `cvss` crate); a vulnerability without one takes the check's `severity`.
//! Warnings are milder by kind: unsound medium, unmaintained and yanked low, notice
//! info. cargo audit prints nothing on stdout when it cannot fetch its database; that
//! empty report is an error (with cargo audit's reason from its output).

use super::advisory::{
    cvss_severity, list, long_text, merge_same_advisory, parse_json, strings, text, Advisory,
};
use super::ParseContext;
use crate::domain::finding::{Ecosystem, Finding, Severity};
use serde_json::Value;

/// The lockfile cargo audit reads.
pub const LOCKFILE: &str = "Cargo.lock";

pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "cargo audit")?;
    let Some(vulnerabilities) = report.get("vulnerabilities") else {
        return Err(
            "cargo audit printed JSON without `vulnerabilities`: not an audit report".into(),
        );
    };
    let mut findings = Vec::new();
    for entry in list(vulnerabilities, "list") {
        if let Some(advisory) = entry_advisory(entry, None, ctx) {
            findings.push(advisory.into_finding());
        }
    }
    if let Some(warnings) = report.get("warnings").and_then(Value::as_object) {
        for (kind, entries) in warnings {
            let Some(entries) = entries.as_array() else {
                continue;
            };
            for entry in entries {
                if let Some(advisory) = entry_advisory(entry, Some(kind), ctx) {
                    findings.push(advisory.into_finding());
                }
            }
        }
    }
    Ok(merge_same_advisory(findings))
}

/// A warning kind's severity (the informational advisories have no CVSS).
fn warning_severity(kind: &str) -> Severity {
    match kind {
        "unsound" => Severity::Medium,
        "notice" => Severity::Info,
        _ => Severity::Low,
    }
}

/// One vulnerability (`warning` is `None`) or warning of the given kind.
fn entry_advisory(entry: &Value, warning: Option<&str>, ctx: &ParseContext) -> Option<Advisory> {
    let package = entry.get("package")?;
    let name = text(package, "name")?;
    let version = text(package, "version");
    let advisory = entry.get("advisory").filter(|a| a.is_object());
    let versions = entry.get("versions").unwrap_or(&Value::Null);
    let (id, title, severity) = match (advisory, warning) {
        (Some(a), _) => {
            let cvss = a
                .get("cvss")
                .and_then(Value::as_str)
                .and_then(cvss_severity);
            let severity = match warning {
                Some(kind) => cvss.unwrap_or_else(|| warning_severity(kind)),
                None => cvss.unwrap_or(ctx.default_severity),
            };
            let title = text(a, "title").unwrap_or_else(|| format!("advisory for {name}"));
            (text(a, "id")?, title, severity)
        }
        // A yanked crate has no advisory: the kind is the rule.
        (None, Some(kind)) => (
            kind.to_string(),
            format!("{name} {} was {kind}", version.as_deref().unwrap_or("?")),
            warning_severity(kind),
        ),
        (None, None) => return None,
    };
    let mut details = Vec::new();
    if let Some(kind) = warning.filter(|_| advisory.is_some()) {
        details.push(format!("warning: {kind}"));
    }
    if let Some(a) = advisory {
        details.extend(long_text(a, "description"));
        details.extend(text(a, "url"));
    }
    Some(Advisory {
        ecosystem: Ecosystem::Crates,
        id,
        aliases: advisory.map(|a| strings(a, "aliases")).unwrap_or_default(),
        package: name,
        version,
        fixed: strings(versions, "patched"),
        severity,
        title,
        details,
        path: Some(LOCKFILE.to_string()),
    })
}

#[cfg(test)]
mod tests;
