//! What the dependency audits (npm audit, pip-audit, safety, cargo audit) and the
//! Python analysers share: reading a JSON document, bounded text from hostile
//! fields, severity from a word or a CVSS vector, and one finding per advisory and
//! package.

use super::MAX_FINDINGS;
use crate::domain::finding::{Dependency, Ecosystem, Finding, Severity};
use serde_json::Value;
use std::str::FromStr;

/// Longest package name, version, id or rule kept from a report.
const MAX_FIELD: usize = 200;
/// Longest advisory text kept in a finding's message.
const MAX_TEXT: usize = 4000;
/// Most fixed-in versions or aliases kept per advisory.
const MAX_LIST: usize = 16;

/// Parse a whole report as JSON; `Err` names what is wrong, for the run's error.
pub(super) fn parse_json(bytes: &[u8], tool: &str) -> Result<Value, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("{tool} printed no report"));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("{tool} report is not valid JSON: {e}"))
}

/// A non-empty string field, trimmed and bounded; `null`, numbers and "" are missing.
pub(super) fn text(holder: &Value, key: &str) -> Option<String> {
    let raw = holder.get(key)?.as_str()?.trim();
    (!raw.is_empty()).then(|| bounded(raw, MAX_FIELD))
}

/// A longer text field (an advisory's description), bounded.
pub(super) fn long_text(holder: &Value, key: &str) -> Option<String> {
    let raw = holder.get(key)?.as_str()?.trim();
    (!raw.is_empty()).then(|| bounded(raw, MAX_TEXT))
}

/// An array field, or nothing.
pub(super) fn list<'a>(holder: &'a Value, key: &str) -> &'a [Value] {
    holder
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The strings of an array field, bounded in number and length, blanks dropped.
pub(super) fn strings(holder: &Value, key: &str) -> Vec<String> {
    list(holder, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .take(MAX_LIST)
        .map(|s| bounded(s, MAX_FIELD))
        .collect()
}

/// A positive line number field.
pub(super) fn line(holder: &Value, key: &str) -> Option<u32> {
    holder
        .get(key)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
}

/// At most `max` characters of `text`, cut with `…`.
pub(super) fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The severity words tools use: npm's `moderate`, bandit's `HIGH`, CVSS ratings.
pub(super) fn word_severity(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" => Some(Severity::High),
        "moderate" | "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "info" | "informational" | "none" => Some(Severity::Info),
        _ => None,
    }
}

/// The severity of a CVSS 3.x or 4.0 vector (`CVSS:3.1/AV:N/…`), from its base score.
pub(super) fn cvss_severity(vector: &str) -> Option<Severity> {
    let cvss = cvss::Cvss::from_str(vector.trim()).ok()?;
    super::sarif::score_severity(cvss.score())
}

/// A numeric CVSS score (`9.8`, or `"9.8"`) as a severity.
pub(super) fn score_value_severity(value: &Value) -> Option<Severity> {
    let score = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    super::sarif::score_severity(score)
}

/// One advisory on one installed package, as a reader found it.
pub(super) struct Advisory {
    pub ecosystem: Ecosystem,
    /// The advisory's own id (`GHSA-…`, `PYSEC-…`, `RUSTSEC-…`): the finding's rule.
    pub id: String,
    pub aliases: Vec<String>,
    pub package: String,
    pub version: Option<String>,
    pub fixed: Vec<String>,
    pub severity: Severity,
    /// One line: what the advisory is about.
    pub title: String,
    /// Longer text and a link, kept as evidence.
    pub details: Vec<String>,
    /// The manifest or lockfile, relative to the root, when the tool says.
    pub path: Option<String>,
}

impl Advisory {
    pub fn into_finding(self) -> Finding {
        let mut message = self.title;
        for detail in self.details.iter().filter(|d| !d.is_empty()) {
            message.push('\n');
            message.push_str(detail);
        }
        let mut finding = Finding::new(self.id.clone(), self.severity, message);
        finding.path = self.path;
        let mut aliases = self.aliases;
        aliases.retain(|a| *a != self.id);
        aliases.dedup();
        finding.dependency = Some(Dependency {
            ecosystem: self.ecosystem,
            package: self.package,
            version: self.version,
            fixed: self.fixed,
            aliases,
            nodes: Vec::new(),
        });
        finding
    }
}

/// One finding per advisory and package: a lockfile that holds two versions of one
/// package affected by the same advisory gives one finding listing both versions
/// (the fingerprint is advisory + package, so two findings would collide), the worst
/// severity, and every fix. Order of first appearance is kept; past
/// [`MAX_FINDINGS`] findings are dropped.
pub(super) fn merge_same_advisory(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for finding in findings {
        let twin = key(&finding).and_then(|k| out.iter().position(|f| key(f).as_ref() == Some(&k)));
        match twin {
            Some(index) => absorb(&mut out[index], finding),
            None if out.len() < MAX_FINDINGS => out.push(finding),
            None => {}
        }
    }
    out
}

/// What makes two findings one: the advisory and the package.
fn key(finding: &Finding) -> Option<(String, String)> {
    finding
        .dependency
        .as_ref()
        .map(|d| (finding.rule.clone(), d.package.clone()))
}

fn absorb(held: &mut Finding, other: Finding) {
    held.severity = held.severity.min(other.severity);
    let (Some(mine), Some(theirs)) = (held.dependency.as_mut(), other.dependency) else {
        return;
    };
    if let Some(version) = theirs.version {
        let known = mine
            .version
            .as_deref()
            .is_some_and(|v| v.split(", ").any(|x| x == version));
        if !known {
            mine.version = Some(match mine.version.take() {
                Some(v) => format!("{v}, {version}"),
                None => version,
            });
        }
    }
    for fix in theirs.fixed {
        if !mine.fixed.contains(&fix) && mine.fixed.len() < MAX_LIST {
            mine.fixed.push(fix);
        }
    }
    for alias in theirs.aliases {
        if !mine.aliases.contains(&alias) && mine.aliases.len() < MAX_LIST {
            mine.aliases.push(alias);
        }
    }
    for node in theirs.nodes {
        if !mine.nodes.contains(&node) && mine.nodes.len() < MAX_LIST {
            mine.nodes.push(node);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(id: &str, package: &str, version: &str, severity: Severity) -> Finding {
        Advisory {
            ecosystem: Ecosystem::Crates,
            id: id.into(),
            aliases: vec!["CVE-1".into(), id.into()],
            package: package.into(),
            version: Some(version.into()),
            fixed: vec![">=2".into()],
            severity,
            title: "t".into(),
            details: vec![String::new(), "https://example.invalid/a".into()],
            path: Some("Cargo.lock".into()),
        }
        .into_finding()
    }

    #[test]
    fn two_versions_of_one_package_become_one_finding() {
        let merged = merge_same_advisory(vec![
            advisory("A-1", "time", "0.1.43", Severity::Medium),
            advisory("A-2", "time", "0.1.43", Severity::Low),
            advisory("A-1", "time", "0.2.22", Severity::High),
            advisory("A-1", "time", "0.2.22", Severity::High),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].severity, Severity::High);
        let dep = merged[0].dependency.as_ref().map(|d| d.summary());
        assert_eq!(dep.as_deref(), Some("time 0.1.43, 0.2.22 → >=2"));
        assert_eq!(merged[0].message, "t\nhttps://example.invalid/a");
        assert_eq!(
            merged[0].dependency.as_ref().map(|d| d.aliases.clone()),
            Some(vec!["CVE-1".to_string()]),
            "the rule is not repeated among the aliases"
        );
    }

    #[test]
    fn severities_from_words_scores_and_vectors() {
        assert_eq!(word_severity("moderate"), Some(Severity::Medium));
        assert_eq!(word_severity("HIGH"), Some(Severity::High));
        assert_eq!(word_severity("severe"), None);
        assert_eq!(
            cvss_severity("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(Severity::Critical)
        );
        assert_eq!(
            cvss_severity("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"),
            Some(Severity::Medium),
            "5.9"
        );
        assert_eq!(cvss_severity("AV:N/AC:L/Au:N/C:P/I:N/A:N"), None, "CVSS 2");
        assert_eq!(cvss_severity("garbage"), None);
        assert_eq!(
            score_value_severity(&serde_json::json!("7.5")),
            Some(Severity::High)
        );
        assert_eq!(score_value_severity(&serde_json::json!(0.0)), None);
    }

    #[test]
    fn bounded_cuts_on_characters() {
        assert_eq!(bounded("ééééé", 3), "ééé…");
        assert_eq!(bounded("abc", 3), "abc");
    }
}
