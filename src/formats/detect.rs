//! Telling a report's format from its content, for checks that do not name one
//! (a `report` without `format`, or `format = "auto"`), the way coverage reports are
//! recognised: by what the document holds, never by its file name.

use super::advisory::bounded;
use crate::domain::check::Format;
use crate::metrics::{self, Detected};
use serde_json::Value;

/// Strip a UTF-8 byte order mark and leading white space.
fn content(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The format a report is in, or what it looks like (for the error) when it is none
/// that preflight reads.
pub fn recognise(bytes: &[u8]) -> Result<Format, String> {
    let body = content(bytes);
    match body.first() {
        None => Err("an empty report".into()),
        Some(b'<') => xml(body),
        Some(b'{') | Some(b'[') => json(body),
        Some(_) => text(body),
    }
}

fn xml(body: &[u8]) -> Result<Format, String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    if head.contains("<testsuite") {
        return Ok(Format::Junit);
    }
    Err(match metrics::detect(body) {
        Detected::Unknown(_) if head.to_ascii_lowercase().contains("<html") => {
            "an HTML page".into()
        }
        Detected::Unknown(_) => "XML, but not a JUnit report".into(),
        coverage => format!("{} (a coverage metric, not findings)", coverage.describe()),
    })
}

fn json(body: &[u8]) -> Result<Format, String> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return json_lines(body).ok_or_else(|| format!("JSON that does not parse ({e})")),
    };
    if let Some(format) = json_format(&value) {
        return Ok(format);
    }
    Err(match metrics::detect(body) {
        Detected::Unknown(_) => describe_json(&value),
        coverage => format!("{} (a coverage metric, not findings)", coverage.describe()),
    })
}

fn has(value: &Value, key: &str) -> bool {
    value.get(key).is_some()
}

/// The reports told apart by their top-level keys.
fn json_format(value: &Value) -> Option<Format> {
    let format = match value {
        Value::Array(items) => return array_format(items),
        Value::Object(_) => value,
        _ => return None,
    };
    let npm_error = (format.get("error").is_some_and(Value::is_object) && !has(format, "results"))
        || (has(format, "statusCode") && has(format, "uri"));
    Some(if has(format, "runs") {
        Format::Sarif
    } else if has(format, "auditReportVersion")
        || npm_error
        || (has(format, "advisories") && has(format, "actions"))
    {
        Format::NpmAudit
    } else if has(format, "database") && has(format, "lockfile") {
        Format::CargoAudit
    } else if has(format, "report_meta") || has(format, "scan_results") {
        Format::Safety
    } else if format.get("dependencies").is_some_and(Value::is_array) {
        Format::PipAudit
    } else if has(format, "results") && (has(format, "errors") || has(format, "generated_at")) {
        Format::Bandit
    } else if has(format, "messages") && has(format, "statistics") {
        Format::Pylint
    } else if has(format, "vulnerabilities") && has(format, "metadata") {
        Format::NpmAudit
    } else {
        return None;
    })
}

fn array_format(items: &[Value]) -> Option<Format> {
    let Some(first) = items.first() else {
        // pylint's `[]`: nothing to report.
        return Some(Format::Pylint);
    };
    if has(first, "message-id") || has(first, "messageId") {
        Some(Format::Pylint)
    } else if has(first, "vulns") || has(first, "skip_reason") {
        Some(Format::PipAudit)
    } else {
        None
    }
}

/// JSON lines: mypy's `-O json` or cargo's `--message-format=json`.
fn json_lines(body: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(body);
    let first: Value = serde_json::from_str(text.lines().next()?.trim()).ok()?;
    if has(&first, "reason") {
        Some(Format::Cargo)
    } else if has(&first, "file") && has(&first, "severity") && has(&first, "message") {
        Some(Format::Mypy)
    } else {
        None
    }
}

fn text(body: &[u8]) -> Result<Format, String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    // cargo's JSON lines after its human `Compiling …` lines (stderr in the same file).
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("{\"reason\":"))
    {
        return Ok(Format::Cargo);
    }
    let mypy = text.lines().any(|line| {
        line.starts_with("Success: no issues found")
            || line.contains(": error: ") && line.ends_with(']')
            || line.starts_with("Found ") && line.contains(" error")
    });
    if mypy {
        return Ok(Format::Mypy);
    }
    if let coverage @ Detected::Lcov = metrics::detect(body) {
        return Err(format!(
            "{} (a coverage metric, not findings)",
            coverage.describe()
        ));
    }
    let first = text.lines().next().unwrap_or_default().trim();
    Err(format!("text starting `{}`", bounded(first, 60)))
}

/// A JSON document in a few words: its top-level keys.
fn describe_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(5).map(String::as_str).collect();
            let more = if map.len() > 5 { ", …" } else { "" };
            format!("JSON with keys {}{more}", keys.join(", "))
        }
        Value::Array(_) => "a JSON array of something else".into(),
        _ => "a bare JSON value".into(),
    }
}

#[cfg(test)]
mod tests;
