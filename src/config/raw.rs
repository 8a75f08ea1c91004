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
            let suggestion =
                crate::domain::suggest::did_you_mean(field, candidates.iter().copied());
            let hint = suggestion
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    if candidates.is_empty() {
                        String::new()
                    } else {
                        format!("; expected one of: {}", candidates.join(", "))
                    }
                });
            // `[[chekc]]` or `[[check.checks]]`: the unknown key is the header's own name.
            if let Some(header) = header_naming(text, offset, field) {
                return match (header.parent(text), suggestion) {
                    (None, Some(s)) => format!(
                        "unknown table `{}`; did you mean `{}`?",
                        header.text,
                        header.renamed(s)
                    ),
                    (None, None) => format!("unknown table `{}`{hint}", header.text),
                    (Some(parent), _) => format!("unknown key `{field}` in {parent}{hint}"),
                };
            }
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

/// The text up to the end of the line holding `offset`: a span may point into a
/// table header, which must be read whole.
fn through_line(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let end = text
        .as_bytes()
        .iter()
        .skip(offset)
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| offset + i);
    text.get(..end).unwrap_or(text)
}

/// A header line without its comment: `[[check]]  # x` → `[[check]]`.
fn header_text(line: &str) -> Option<&str> {
    let line = line.trim();
    line.starts_with('[')
        .then(|| line.split('#').next().unwrap_or(line).trim())
}

/// The last table header (`[project]`, `[[check]]`) at or before `offset`, whole.
fn table_at(text: &str, offset: usize) -> Option<String> {
    through_line(text, offset)
        .lines()
        .rev()
        .find_map(header_text)
        .map(str::to_string)
}

/// A table header as written: `[[check.checks]]`.
struct Header {
    text: String,
    /// `[[`…`]]` rather than `[`…`]`.
    array: bool,
    /// The dotted names inside the brackets.
    names: Vec<String>,
}

/// The header on the line of `offset`, when its last name is `key`: serde then means
/// the table itself is unknown.
fn header_naming(text: &str, offset: usize, key: &str) -> Option<Header> {
    let line = through_line(text, offset).lines().next_back()?;
    let header = header_text(line)?;
    let array = header.starts_with("[[");
    let inner = header.trim_start_matches('[').trim_end_matches(']').trim();
    let names: Vec<String> = inner
        .split('.')
        .map(|n| n.trim().trim_matches('"').to_string())
        .collect();
    (names.last().map(String::as_str) == Some(key)).then(|| Header {
        text: header.to_string(),
        array,
        names,
    })
}

impl Header {
    /// The enclosing table as its own header was written (`[[check]]`), or `None` at
    /// the top level.
    fn parent(&self, text: &str) -> Option<String> {
        let parent = self.names.get(..self.names.len().checked_sub(1)?)?;
        if parent.is_empty() {
            return None;
        }
        let dotted = parent.join(".");
        let written = text
            .lines()
            .filter_map(header_text)
            .find(|h| h.trim_start_matches('[').trim_end_matches(']').trim() == dotted);
        Some(written.map_or_else(|| format!("[{dotted}]"), str::to_string))
    }

    /// This header with its last name replaced: `[[chekc]]` → `[[check]]`.
    fn renamed(&self, name: &str) -> String {
        let mut names = self.names.clone();
        if let Some(last) = names.last_mut() {
            *last = name.to_string();
        }
        let (open, close) = if self.array { ("[[", "]]") } else { ("[", "]") };
        format!("{open}{}{close}", names.join("."))
    }
}
