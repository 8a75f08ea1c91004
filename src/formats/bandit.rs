//! `bandit -f json`: `results` (test id, severity, confidence, file, line, text) and
//! `errors` (files bandit could not scan).
//!
//! A file bandit could not scan is unscanned code, not a pass: each becomes a
//! `scan-error` finding at the check's `severity`, and a report in which no file was
//! scanned at all (a wrong path, only files that do not parse) is an error — bandit
//! itself exits 0 on both.

use super::advisory::{bounded, line, list, parse_json, text, word_severity};
use super::{relative_path, ParseContext, MAX_FINDINGS};
use crate::domain::finding::Finding;
use serde_json::Value;
use std::collections::HashSet;

/// The rule of a file bandit could not scan.
pub const SCAN_ERROR: &str = "scan-error";

pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "bandit")?;
    if !report.get("results").is_some_and(Value::is_array) {
        return Err("bandit printed JSON without `results`: not a bandit report".into());
    }
    let results = list(&report, "results");
    let errors = list(&report, "errors");
    let errored: HashSet<String> = errors
        .iter()
        .filter_map(|e| text(e, "filename"))
        .map(|f| relative_path(&f, ctx.root))
        .collect();
    let scanned = report
        .get("metrics")
        .and_then(Value::as_object)
        .map_or(0, |metrics| {
            metrics
                .keys()
                .filter(|k| *k != "_totals" && !errored.contains(&relative_path(k, ctx.root)))
                .count()
        });
    if results.is_empty() && scanned == 0 && !errors.is_empty() {
        let first = &errors[0];
        return Err(format!(
            "bandit scanned no file: {}: {}",
            text(first, "filename").unwrap_or_else(|| "?".into()),
            text(first, "reason").unwrap_or_else(|| "no reason given".into())
        ));
    }
    let mut findings: Vec<Finding> = results
        .iter()
        .filter_map(|r| result(r, ctx))
        .take(MAX_FINDINGS)
        .collect();
    for error in errors
        .iter()
        .take(MAX_FINDINGS.saturating_sub(findings.len()))
    {
        let Some(file) = text(error, "filename") else {
            continue;
        };
        let reason = text(error, "reason").unwrap_or_else(|| "no reason given".into());
        findings.push(
            Finding::new(
                SCAN_ERROR,
                ctx.default_severity,
                format!("bandit could not scan this file: {reason}"),
            )
            .at(relative_path(&file, ctx.root), None),
        );
    }
    Ok(findings)
}

fn result(r: &Value, ctx: &ParseContext) -> Option<Finding> {
    let rule = text(r, "test_id").or_else(|| text(r, "test_name"))?;
    let severity = text(r, "issue_severity")
        .and_then(|s| word_severity(&s))
        .unwrap_or(ctx.default_severity);
    let mut message = text(r, "issue_text").map_or_else(|| rule.clone(), |t| bounded(&t, 2000));
    if let Some(link) = text(r, "more_info") {
        message.push('\n');
        message.push_str(&link);
    }
    let mut finding = Finding::new(rule, severity, message);
    finding.path = text(r, "filename").map(|f| relative_path(&f, ctx.root));
    finding.line = line(r, "line_number");
    finding.confidence = text(r, "issue_confidence").map(|c| c.to_ascii_lowercase());
    Some(finding)
}

#[cfg(test)]
mod tests;
