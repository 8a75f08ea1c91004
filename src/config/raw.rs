//! The file as serde sees it. Values that validation may still reject keep their spans.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub project: Option<RawProject>,
    pub runner: Option<RawRunner>,
    pub watch: Option<RawWatch>,
    #[serde(default)]
    pub phase: Vec<RawPhase>,
    #[serde(default)]
    pub check: Vec<RawCheck>,
    #[serde(default)]
    pub gate: Vec<RawGate>,
    /// Read only to warn that it is ignored: a repository cannot trust itself.
    pub trusted: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProject {
    pub name: Option<String>,
    #[serde(default)]
    pub plans: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRunner {
    pub jobs: Option<Spanned<usize>>,
    pub output_lines: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWatch {
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    pub debounce: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPhase {
    pub id: Spanned<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub task: Vec<RawTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTask {
    pub id: Spanned<String>,
    pub title: Option<String>,
    pub status: Option<Spanned<String>>,
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    #[serde(default)]
    pub checks: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub run: Spanned<String>,
    #[serde(default)]
    pub watch: Vec<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub pattern: Option<Spanned<String>>,
    pub report: Option<String>,
    pub timeout: Option<Spanned<String>>,
    pub cwd: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub severity: Option<Spanned<String>>,
    #[serde(default)]
    pub severity_map: BTreeMap<String, Spanned<String>>,
    pub metric: Option<Spanned<RawMetric>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetric {
    pub from: Spanned<String>,
    pub path: Option<String>,
    pub pattern: Option<Spanned<String>>,
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub advisory: Option<bool>,
    pub checks: Option<Vec<Spanned<String>>>,
    pub max_open: Option<Spanned<BTreeMap<String, u32>>>,
    pub max_new: Option<Spanned<BTreeMap<String, u32>>>,
    pub blockers: Option<u32>,
    pub tasks_done: Option<Spanned<String>>,
    pub metric: Option<Spanned<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Turn serde's and toml's messages into ones that say where and what to write.
///
/// serde says "unknown field `nmae`, expected one of `id`, `name`"; we say which table
/// and suggest the nearest key.
pub fn explain_toml_error(message: &str, text: &str, offset: usize) -> String {
    let message = message.trim();
    let table = table_at(text, offset);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let hint = crate::domain::suggest::did_you_mean(field, candidates.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    if candidates.is_empty() {
                        String::new()
                    } else {
                        format!("; expected one of: {}", candidates.join(", "))
                    }
                });
            return format!("unknown key `{field}`{}{hint}", in_table(&table));
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((field, _)) = rest.split_once('`') {
            return format!("missing key `{field}`{}", in_table(&table));
        }
    }
    let first_line = message.lines().next().unwrap_or(message);
    format!("{first_line}{}", in_table(&table))
}

fn in_table(table: &Option<String>) -> String {
    table
        .as_ref()
        .map(|t| format!(" in {t}"))
        .unwrap_or_default()
}

/// The last table header (`[project]`, `[[check]]`) at or before `offset`.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let end = (offset + 1).min(text.len());
    let before = text.get(..end).unwrap_or(text);
    before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| {
            let header = l.split('#').next().unwrap_or(l).trim();
            header.to_string()
        })
}
