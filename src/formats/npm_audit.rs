//! `npm audit --json`, npm 7 and later (`auditReportVersion: 2`).
//!
//! The report is a map of vulnerable packages; a package's `via` lists the advisories
//! that hit it (objects) and the packages it is vulnerable through (names). Only the
//! advisory objects become findings: a package that is vulnerable only because it
//! depends on another one is that other package's problem, fixed by the same upgrade.
//!
//! npm does not print installed versions; it gives the lockfile paths of the vulnerable
//! copies (`nodes`), which [`fill_versions`] looks up in `package-lock.json`. Nor does it
//! print fixed-in versions of the vulnerable package: they are read from the
//! advisory's vulnerable `range` (`<4.17.21` is fixed in 4.17.21).

use super::advisory::{
    bounded, list, merge_same_advisory, parse_json, score_value_severity, strings, text,
    word_severity, Advisory,
};
use super::ParseContext;
use crate::domain::finding::{Ecosystem, Finding};
use serde_json::Value;

/// The lockfile npm audits, where advisories are located.
pub const LOCKFILE: &str = "package-lock.json";

/// Read an `npm audit --json` report; npm's own error document (no lockfile, the
/// advisory service unreachable) is an `Err` naming npm's reason.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "npm audit")?;
    let Some(vulnerabilities) = report.get("vulnerabilities").and_then(Value::as_object) else {
        return Err(failure(&report));
    };
    let mut findings = Vec::new();
    let mut entries: Vec<(&String, &Value)> = vulnerabilities.iter().collect();
    entries.sort_by_key(|(key, _)| *key);
    for (key, entry) in entries {
        let nodes = strings(entry, "nodes");
        for via in list(entry, "via").iter().filter(|v| v.is_object()) {
            let mut finding = advisory(key, entry, via, ctx).into_finding();
            if let Some(dep) = finding.dependency.as_mut() {
                dep.nodes = nodes.clone();
            }
            findings.push(finding);
        }
    }
    Ok(merge_same_advisory(findings))
}

/// Why npm printed an error document instead of a report.
fn failure(report: &Value) -> String {
    if report.get("advisories").is_some() {
        return "this is npm 6's audit format; preflight reads npm 7 and later (`npm audit --json` with a newer npm)".into();
    }
    let error = report.get("error").unwrap_or(&Value::Null);
    let reason = text(report, "message")
        .or_else(|| text(error, "summary"))
        .or_else(|| text(error, "detail"))
        .or_else(|| text(error, "code"));
    let code = text(error, "code").map_or(String::new(), |c| format!(" ({c})"));
    let detail = text(error, "detail")
        .filter(|d| Some(d) != reason.as_ref())
        .map_or(String::new(), |d| {
            format!(": {}", d.lines().next().unwrap_or_default())
        });
    match (reason, report.get("statusCode").and_then(Value::as_u64)) {
        (Some(reason), Some(status)) => format!(
            "npm audit could not get advisories (HTTP {status}): {reason}; the advisory service is out of reach, nothing was audited"
        ),
        (Some(reason), None) => format!("npm audit failed{code}: {reason}{detail}"),
        (None, _) => "npm audit printed JSON without `vulnerabilities`: not an audit report".into(),
    }
}

fn advisory(key: &str, entry: &Value, via: &Value, ctx: &ParseContext) -> Advisory {
    let package = text(via, "name").unwrap_or_else(|| bounded(key, 200));
    let url = text(via, "url");
    let id = url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .filter(|tail| tail.starts_with("GHSA-"))
        .map(str::to_string)
        .or_else(|| via.get("source").map(|s| format!("npm-{s}")))
        .unwrap_or_else(|| "npm-advisory".into());
    let severity = via
        .get("severity")
        .and_then(Value::as_str)
        .and_then(word_severity)
        .or_else(|| via.pointer("/cvss/score").and_then(score_value_severity))
        .or_else(|| {
            entry
                .get("severity")
                .and_then(Value::as_str)
                .and_then(word_severity)
        })
        .unwrap_or(ctx.default_severity);
    Advisory {
        ecosystem: Ecosystem::Npm,
        id,
        aliases: Vec::new(),
        version: None,
        fixed: text(via, "range").map_or_else(Vec::new, |r| fixed_from_range(&r)),
        severity,
        title: text(via, "title").unwrap_or_else(|| format!("advisory in {package}")),
        details: url.into_iter().collect(),
        path: Some(LOCKFILE.to_string()),
        package,
    }
}

/// The versions that leave a vulnerable range: the `<X` bound of each `||` branch.
/// A branch with no upper bound (`>=2.0.0`, `*`) or an inclusive one (`<=1.2.5`) has
/// no known fix.
pub fn fixed_from_range(range: &str) -> Vec<String> {
    let mut fixed = Vec::new();
    for branch in range.split("||") {
        let upper = branch
            .split_whitespace()
            .filter_map(|part| part.strip_prefix('<'))
            .find(|rest| !rest.starts_with('='));
        if let Some(version) = upper {
            let version = version.trim().to_string();
            if !version.is_empty() && !fixed.contains(&version) {
                fixed.push(version);
            }
        }
    }
    fixed
}

/// Fill the installed versions of npm findings from the lockfile's text: lockfile
/// versions 2 and 3 (`packages["node_modules/x"].version`) and 1 (nested
/// `dependencies`). Findings whose nodes are not in it keep no version.
pub fn fill_versions(findings: &mut [Finding], lockfile: &[u8]) {
    let Ok(lock) = serde_json::from_slice::<Value>(lockfile) else {
        return;
    };
    for finding in findings {
        let Some(dep) = finding.dependency.as_mut() else {
            continue;
        };
        if dep.version.is_some() || dep.ecosystem != Ecosystem::Npm {
            continue;
        }
        let mut versions: Vec<String> = Vec::new();
        for node in &dep.nodes {
            if let Some(version) = node_version(&lock, node) {
                if !versions.contains(&version) {
                    versions.push(version);
                }
            }
        }
        if !versions.is_empty() {
            dep.version = Some(versions.join(", "));
        }
    }
}

fn node_version(lock: &Value, node: &str) -> Option<String> {
    let from_packages = lock
        .get("packages")
        .and_then(|p| p.get(node))
        .and_then(|entry| text(entry, "version"));
    from_packages.or_else(|| {
        // Lockfile v1: node_modules/a/node_modules/b is dependencies.a.dependencies.b.
        let mut at = lock;
        for name in node.split("node_modules/").map(|s| s.trim_matches('/')) {
            if name.is_empty() {
                continue;
            }
            at = at.get("dependencies")?.get(name)?;
        }
        text(at, "version")
    })
}

#[cfg(test)]
mod tests;
