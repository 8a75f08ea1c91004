//! The open register as SARIF 2.1.0, so code-scanning services (GitHub code scanning
//! and others) can show it: one run of the tool "preflight", one rule per check and
//! rule (`clippy/unused_imports`; `preflight/manual` for issues filed by hand), one
//! result per open issue with its level from the severity, its location,
//! `partialFingerprints` from the finding's fingerprint (so the service follows a
//! finding across commits as preflight does) and `baselineState` from the baseline.
//!
//! Every result has a location, as code-scanning services require: an issue filed by
//! hand points at its own issue file.

use crate::domain::baseline::Baseline;
use crate::domain::filter::triage_order;
use crate::domain::finding::Severity;
use crate::domain::issue::Issue;
use crate::store::REGISTER_DIR;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The schema the output declares (the OASIS standard with its errata).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of preflight's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "preflightFingerprint/v1";
/// The rule of issues filed by hand.
const MANUAL_RULE: &str = "preflight/manual";

/// What the log is made of.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub issues: &'a [Issue],
    pub baseline: &'a Baseline,
    /// preflight's version, for `tool.driver.version`.
    pub version: &'a str,
    /// The commit and branch the register was read at, when known.
    pub commit: Option<&'a str>,
    pub branch: Option<&'a str>,
}

/// SARIF's level for a register severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule_id(issue: &Issue) -> String {
    issue.finding.as_ref().map_or_else(
        || MANUAL_RULE.to_string(),
        |f| format!("{}/{}", f.check, f.rule),
    )
}

/// Characters a relative URI reference must not carry as they are.
const URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A repository path as a URI reference: relative stays relative (to `%SRCROOT%`),
/// absolute becomes `file://`.
fn uri(path: &str) -> (String, bool) {
    let encoded = utf8_percent_encode(path, URI).to_string();
    if path.starts_with('/') {
        (format!("file://{encoded}"), false)
    } else {
        (encoded.trim_start_matches("./").to_string(), true)
    }
}

fn location(issue: &Issue) -> Value {
    let (path, line) = match issue.finding.as_ref().and_then(|f| f.path.as_deref()) {
        Some(path) if !path.trim().is_empty() => (
            path.to_string(),
            issue.finding.as_ref().and_then(|f| f.line),
        ),
        _ => (format!("{REGISTER_DIR}/{}.toml", issue.id), Some(1)),
    };
    let (uri, relative) = uri(&path);
    let mut artifact = Map::new();
    artifact.insert("uri".into(), Value::from(uri));
    if relative {
        artifact.insert("uriBaseId".into(), Value::from("%SRCROOT%"));
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), Value::Object(artifact));
    if let Some(line) = line.filter(|l| *l >= 1) {
        physical.insert("region".into(), json!({ "startLine": line }));
    }
    json!({ "physicalLocation": physical })
}

fn result(issue: &Issue, rule_index: usize, baseline: &Baseline) -> Value {
    let fingerprint = issue
        .finding
        .as_ref()
        .map_or_else(|| issue.id.clone(), |f| f.fingerprint.clone());
    let text = if issue.title.trim().is_empty() {
        issue.id.clone()
    } else {
        issue.title.clone()
    };
    let mut properties = json!({
        "id": issue.id,
        "severity": issue.severity.as_str(),
        "status": issue.status.as_str(),
        "blocker": issue.blocker,
    });
    if let Some(owner) = &issue.owner {
        properties["owner"] = Value::from(owner.as_str());
    }
    json!({
        "ruleId": rule_id(issue),
        "ruleIndex": rule_index,
        "level": level(issue.severity),
        "message": { "text": text },
        "locations": [location(issue)],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        "baselineState": if baseline.holds(issue) { "unchanged" } else { "new" },
        "properties": properties,
    })
}

/// The log, as a JSON value.
pub fn build(inputs: &Inputs) -> Value {
    let mut open: Vec<&Issue> = inputs
        .issues
        .iter()
        .filter(|i| i.status.is_open())
        .collect();
    open.sort_by(|a, b| triage_order(a, b));
    // Rules in order of first use, each at its most severe result's level.
    let mut rules: BTreeMap<String, (usize, Severity)> = BTreeMap::new();
    for issue in &open {
        let next = rules.len();
        let entry = rules
            .entry(rule_id(issue))
            .or_insert((next, issue.severity));
        entry.1 = entry.1.min(issue.severity);
    }
    let mut ordered: Vec<(&String, &(usize, Severity))> = rules.iter().collect();
    ordered.sort_by_key(|(_, (index, _))| *index);
    let rule_values: Vec<Value> = ordered
        .iter()
        .map(|(id, (_, severity))| {
            json!({
                "id": id,
                "shortDescription": { "text": id },
                "defaultConfiguration": { "level": level(*severity) },
            })
        })
        .collect();
    let results: Vec<Value> = open
        .iter()
        .map(|issue| result(issue, rules[&rule_id(issue)].0, inputs.baseline))
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "preflight",
                "version": inputs.version,
                "rules": rule_values,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    let mut properties = Map::new();
    if let Some(commit) = inputs.commit {
        properties.insert("commit".into(), Value::from(commit));
    }
    if let Some(branch) = inputs.branch {
        properties.insert("branch".into(), Value::from(branch));
    }
    if !properties.is_empty() {
        run["properties"] = Value::Object(properties);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The log as pretty JSON, with a final newline.
pub fn render(inputs: &Inputs) -> String {
    let mut text = serde_json::to_string_pretty(&build(inputs)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
