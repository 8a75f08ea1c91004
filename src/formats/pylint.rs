//! pylint's `--output-format=json` (a list of messages) and `json2` (pylint 3:
//! `{messages, statistics}`, with each message's confidence).
//!
//! The rule is the message's symbol (`missing-function-docstring`), which pylint's own
//! `disable=` comments use; severity by type: fatal and error high, warning medium,
//! refactor and convention low, info info. A report whose every message is fatal
//! (`F0001 No module named nope`) linted nothing: it is an error, not a finding list.

use super::advisory::{bounded, line, parse_json, text};
use super::{relative_path, ParseContext, MAX_FINDINGS};
use crate::domain::finding::{Finding, Severity};
use serde_json::Value;

pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let report = parse_json(bytes, "pylint")?;
    let messages = match &report {
        Value::Array(items) => items.as_slice(),
        Value::Object(map) => match map.get("messages").and_then(Value::as_array) {
            Some(items) => items.as_slice(),
            None => {
                return Err("pylint printed JSON without `messages`: not a pylint report".into())
            }
        },
        _ => return Err("pylint printed JSON that is not a list of messages".into()),
    };
    let fatal: Vec<&Value> = messages
        .iter()
        .filter(|m| text(m, "type").as_deref() == Some("fatal"))
        .collect();
    if !fatal.is_empty() && fatal.len() == messages.len() {
        let first = fatal[0];
        return Err(format!(
            "pylint linted nothing: {}: {}",
            text(first, "path").unwrap_or_else(|| "?".into()),
            text(first, "message").unwrap_or_else(|| "fatal error".into())
        ));
    }
    Ok(messages
        .iter()
        .filter_map(|m| message(m, ctx))
        .take(MAX_FINDINGS)
        .collect())
}

fn type_severity(kind: &str) -> Option<Severity> {
    match kind {
        "fatal" | "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "refactor" | "convention" => Some(Severity::Low),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

fn message(m: &Value, ctx: &ParseContext) -> Option<Finding> {
    let id = text(m, "message-id").or_else(|| text(m, "messageId"));
    let rule = text(m, "symbol").or_else(|| id.clone())?;
    let severity = text(m, "type")
        .and_then(|t| type_severity(&t))
        .unwrap_or(ctx.default_severity);
    let body = text(m, "message").map_or_else(|| rule.clone(), |t| bounded(&t, 2000));
    let message = match id {
        Some(id) if id != rule => format!("{body} ({id})"),
        _ => body,
    };
    let mut finding = Finding::new(rule, severity, message);
    finding.path = text(m, "path").map(|p| relative_path(&p, ctx.root));
    finding.line = line(m, "line");
    finding.confidence = text(m, "confidence")
        .filter(|c| c != "UNDEFINED")
        .map(|c| c.to_ascii_lowercase());
    Some(finding)
}

#[cfg(test)]
mod tests;
