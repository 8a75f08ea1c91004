//! `pip-audit -f json`: `{"dependencies": [{name, version, vulns: [{id, fix_versions,
//! aliases, description}]}], "fixes": []}` (older releases print the bare list).
//!
//! pip-audit gives no severity: findings take the check's `severity`. It marks each
//! dependency it could not audit with a `skip_reason` and still says "No known
//! vulnerabilities found" and exits 0 — which is what happens when the vulnerability
//! service is out of reach. A report in which not one dependency was audited is
//! therefore an error naming the reason, never a pass.

use super::advisory::{list, long_text, merge_same_advisory, parse_json, strings, text, Advisory};
use super::ParseContext;
use crate::domain::finding::{Ecosystem, Finding};
use serde_json::Value;

pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "pip-audit")?;
    let dependencies = match &report {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) if report.get("dependencies").is_some_and(Value::is_array) => {
            list(&report, "dependencies")
        }
        _ => {
            return Err("pip-audit printed JSON without `dependencies`: not an audit report".into())
        }
    };
    let skipped: Vec<&Value> = dependencies
        .iter()
        .filter(|d| d.get("skip_reason").is_some_and(|r| !r.is_null()))
        .collect();
    if !skipped.is_empty() && skipped.len() == dependencies.len() {
        let first = text(skipped[0], "skip_reason").unwrap_or_else(|| "no reason given".into());
        return Err(format!(
            "pip-audit audited none of the {} dependencies, every one was skipped (first: {first}); the vulnerability service may be out of reach",
            dependencies.len()
        ));
    }
    let mut findings = Vec::new();
    for dependency in dependencies {
        let Some(package) = text(dependency, "name") else {
            continue;
        };
        let version = text(dependency, "version");
        for vuln in list(dependency, "vulns") {
            let Some(id) = text(vuln, "id") else { continue };
            let description = long_text(vuln, "description");
            let title = description
                .as_deref()
                .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
                .map_or_else(
                    || format!("known vulnerability in {package}"),
                    str::to_string,
                );
            let details = description
                .filter(|d| d.trim() != title)
                .into_iter()
                .collect();
            findings.push(
                Advisory {
                    ecosystem: Ecosystem::PyPI,
                    id,
                    aliases: strings(vuln, "aliases"),
                    package: package.clone(),
                    version: version.clone(),
                    fixed: strings(vuln, "fix_versions"),
                    severity: ctx.default_severity,
                    title,
                    details,
                    path: None,
                }
                .into_finding(),
            );
        }
    }
    Ok(merge_same_advisory(findings))
}

#[cfg(test)]
mod tests;
