//! safety's JSON: `safety check --json` (report with `report_meta`, `vulnerabilities`
//! and `affected_packages`) and `safety scan --output json` (schema 3.0: projects →
//! files → dependencies → specifications → known vulnerabilities).
//!
//! `check` gives a CVE and CVSS scores (used for severity), the fixed versions and the
//! requirements file each package was found in. `scan` gives only the vulnerability
//! id, the vulnerable range and a recommended version: its findings take the check's
//! `severity`. Ignored vulnerabilities are left out in both.
//!
//! Safety's numeric ids are written `PYUP-<id>` (pyup.io, its database).

use super::advisory::{
    list, long_text, merge_same_advisory, parse_json, score_value_severity, strings, text,
    word_severity, Advisory,
};
use super::{relative_path, ParseContext};
use crate::domain::finding::{Ecosystem, Finding, Severity};
use serde_json::Value;

pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "safety")?;
    let findings = if report.get("scan_results").is_some() {
        scan(&report, ctx)
    } else if report.get("vulnerabilities").is_some_and(Value::is_array) {
        check(&report, ctx)
    } else {
        return Err(
            "safety printed JSON without `vulnerabilities` or `scan_results`: not a safety report"
                .into(),
        );
    };
    Ok(merge_same_advisory(findings))
}

fn safety_id(raw: &str) -> String {
    if raw.chars().all(|c| c.is_ascii_digit()) {
        format!("PYUP-{raw}")
    } else {
        raw.to_string()
    }
}

fn is_ignored(vuln: &Value) -> bool {
    match vuln.get("ignored") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Object(map)) => !map.is_empty(),
        Some(_) => true,
    }
}

/// `safety check --json`.
fn check(report: &Value, ctx: &ParseContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for vuln in list(report, "vulnerabilities")
        .iter()
        .filter(|v| !is_ignored(v))
    {
        let (Some(id), Some(package)) =
            (text(vuln, "vulnerability_id"), text(vuln, "package_name"))
        else {
            continue;
        };
        let found = report
            .get("affected_packages")
            .and_then(|a| a.get(&package))
            .and_then(|p| text(p, "found"));
        let advisory = long_text(vuln, "advisory").unwrap_or_default();
        let title = advisory
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map_or_else(
                || format!("known vulnerability in {package}"),
                str::to_string,
            );
        let aliases = text(vuln, "CVE")
            .map(|cves| {
                cves.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        findings.push(
            Advisory {
                ecosystem: Ecosystem::PyPI,
                id: safety_id(&id),
                aliases,
                version: text(vuln, "analyzed_version"),
                fixed: strings(vuln, "fixed_versions"),
                severity: check_severity(vuln).unwrap_or(ctx.default_severity),
                details: text(vuln, "more_info_url").into_iter().collect(),
                title,
                path: found
                    .map(|f| relative_path(&f, ctx.root))
                    .filter(|p| is_manifest(p)),
                package,
            }
            .into_finding(),
        );
    }
    findings
}

/// CVSS v3 rating, else its score, else the CVSS v2 score.
fn check_severity(vuln: &Value) -> Option<Severity> {
    let severity = vuln.get("severity")?;
    let v3 = severity.get("cvssv3").filter(|v| v.is_object());
    let v2 = severity.get("cvssv2").filter(|v| v.is_object());
    v3.and_then(|v| v.get("base_severity"))
        .and_then(Value::as_str)
        .and_then(word_severity)
        .or_else(|| {
            v3.and_then(|v| v.get("base_score"))
                .and_then(score_value_severity)
        })
        .or_else(|| {
            v2.and_then(|v| v.get("base_score"))
                .and_then(score_value_severity)
        })
}

/// A file in the repository, not an environment's site-packages folder.
fn is_manifest(path: &str) -> bool {
    !path.starts_with('/') && !path.contains("site-packages") && !path.contains("dist-packages")
}

/// `safety scan --output json`.
fn scan(report: &Value, ctx: &ParseContext) -> Vec<Finding> {
    let results = report.get("scan_results").unwrap_or(&Value::Null);
    let project_files = list(results, "projects")
        .iter()
        .flat_map(|p| list(p, "files"));
    let mut findings = Vec::new();
    for file in list(results, "files").iter().chain(project_files) {
        let path = text(file, "location").map(|l| relative_path(&l, ctx.root));
        let dependencies = file
            .get("results")
            .map_or(&[][..], |r| list(r, "dependencies"));
        for dependency in dependencies {
            let Some(package) = text(dependency, "name") else {
                continue;
            };
            for spec in list(dependency, "specifications") {
                scan_specification(&package, spec, path.as_deref(), ctx, &mut findings);
            }
        }
    }
    findings
}

fn scan_specification(
    package: &str,
    spec: &Value,
    path: Option<&str>,
    ctx: &ParseContext,
    findings: &mut Vec<Finding>,
) {
    let raw = text(spec, "raw").unwrap_or_default();
    let version = raw.split_once("==").map(|(_, v)| v.trim().to_string());
    let vulnerabilities = spec.get("vulnerabilities").unwrap_or(&Value::Null);
    let remediation = vulnerabilities.get("remediation").unwrap_or(&Value::Null);
    let mut fixed: Vec<String> = text(remediation, "recommended").into_iter().collect();
    fixed.extend(strings(remediation, "other_recommended"));
    for vuln in list(vulnerabilities, "known_vulnerabilities") {
        if is_ignored(vuln) {
            continue;
        }
        let Some(id) = text(vuln, "id") else { continue };
        let range = text(vuln, "vulnerable_spec").unwrap_or_else(|| "?".into());
        findings.push(
            Advisory {
                ecosystem: Ecosystem::PyPI,
                id: safety_id(&id),
                aliases: Vec::new(),
                package: package.to_string(),
                version: version.clone(),
                fixed: fixed.clone(),
                severity: ctx.default_severity,
                title: format!("{package} {range} has a known vulnerability"),
                details: Vec::new(),
                path: path.map(str::to_string),
            }
            .into_finding(),
        );
    }
}

#[cfg(test)]
mod tests;
