//! mypy's output, read line by line while it runs: the text lines
//! (`path:line[:col]: error: message  [code]`, with `note:` lines that belong to the
//! error before them) and `-O json` lines (mypy 1.11+: one object per diagnostic).
//!
//! The rule is the error code (`arg-type`), `error` without one; errors are medium,
//! warnings low, notes are not findings. mypy's own failures (`mypy: error: …`, a bad
//! config, a file it cannot read, an internal error) make the run an error naming
//! mypy's line; so does output with no line of mypy's at all. An empty output is a
//! clean `-O json` run.

use super::advisory::{bounded, line as json_line, text};
use super::{relative_path, ParseContext, MAX_FINDINGS};
use crate::domain::finding::{Finding, Severity};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// `path:line[:col]: severity: message  [code]`, or `path: error: message` for a file
/// mypy could not read.
static DIAGNOSTIC: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<path>[^\s:][^:]*?):(?:(?P<line>\d+):(?:\d+:)?(?:\d+:\d+:)?)? (?P<severity>error|warning|note): (?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$",
    )
    .ok()
});

/// Turns mypy's lines into findings.
#[derive(Debug, Default)]
pub struct MypyParser {
    findings: Vec<Finding>,
    dropped: usize,
    /// A line that can only be mypy's (a diagnostic, its summary, a JSON diagnostic).
    saw_mypy: bool,
    /// Any non-blank line at all.
    saw_output: bool,
    /// mypy's own failure, first line.
    fatal: Option<String>,
    /// The last finding's message may go on (`pretty = true` wraps it over lines at
    /// column 0, its `[code]` at the end of the last one).
    open: bool,
}

impl MypyParser {
    /// Feed one line; mypy's lines are shown as they are, so this returns nothing.
    pub fn feed(&mut self, line: &str, ctx: &ParseContext) {
        let stripped;
        let line = if line.contains('\x1b') {
            stripped = strip_ansi_escapes::strip_str(line);
            stripped.trim_end()
        } else {
            line.trim_end()
        };
        if line.trim().is_empty() {
            return;
        }
        self.saw_output = true;
        if line.starts_with(char::is_whitespace) {
            // `pretty = true`: the source line and its caret under a diagnostic.
            self.open = false;
            return;
        }
        if let Some(rest) = line
            .strip_prefix("mypy: error: ")
            .or(line.strip_prefix("mypy: "))
        {
            self.fatal.get_or_insert_with(|| bounded(rest, 500));
            return;
        }
        if line.contains("INTERNAL ERROR") {
            self.fatal.get_or_insert_with(|| bounded(line, 500));
            return;
        }
        if line.starts_with("Success: no issues found") || is_summary(line) {
            self.saw_mypy = true;
            return;
        }
        let finding = if line.starts_with('{') {
            json_diagnostic(line, ctx)
        } else {
            text_diagnostic(line, ctx)
        };
        if finding.is_none() && self.open {
            self.continue_message(line);
            return;
        }
        self.open = false;
        match finding {
            // A file mypy could not read at all (`nope: error: Cannot read file`).
            Some(Some(f)) if f.line.is_none() => {
                let place = f.path.unwrap_or_default();
                self.fatal
                    .get_or_insert_with(|| format!("{place}: {}", f.message));
            }
            Some(Some(f)) => {
                self.saw_mypy = true;
                self.open = f.rule == "error" && !line.starts_with('{');
                self.keep(f);
            }
            Some(None) => self.saw_mypy = true,
            None => {}
        }
    }

    /// The findings; `Err` with mypy's reason when it failed, or when nothing it
    /// printed was mypy's.
    pub fn finish(self) -> Result<Vec<Finding>, String> {
        if let Some(fatal) = self.fatal {
            return Err(format!("mypy failed: {fatal}"));
        }
        if self.saw_output && !self.saw_mypy {
            return Err(
                "no mypy diagnostics or summary in the output (expected `file:line: error: message` lines, or -O json)"
                    .into(),
            );
        }
        Ok(self.findings)
    }

    /// Findings left out past [`MAX_FINDINGS`].
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// A wrapped line of the last finding's message; the last one ends in its code.
    fn continue_message(&mut self, line: &str) {
        let Some(last) = self.findings.last_mut() else {
            return;
        };
        let (more, code) = match line.rsplit_once("  [") {
            Some((more, code)) if code.ends_with(']') && is_code(&code[..code.len() - 1]) => {
                (more, Some(&code[..code.len() - 1]))
            }
            _ => (line, None),
        };
        let message = format!("{} {}", last.message, more.trim());
        last.message = bounded(&message, 2000);
        if let Some(code) = code {
            last.rule = code.to_string();
            self.open = false;
        }
    }

    fn keep(&mut self, finding: Finding) {
        if self.findings.len() >= MAX_FINDINGS {
            self.dropped += 1;
        } else {
            self.findings.push(finding);
        }
    }
}

/// Read a whole mypy output at once (a report file).
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Vec<Finding>, String> {
    let mut parser = MypyParser::default();
    for line in String::from_utf8_lossy(bytes).lines() {
        parser.feed(line, ctx);
    }
    parser.finish()
}

/// An error code: `arg-type`, `import-not-found`.
fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `Found 2 errors in 1 file (checked 3 source files)`.
fn is_summary(line: &str) -> bool {
    line.starts_with("Found ") && line.contains(" error") && line.contains(" in ")
}

fn severity_of(word: &str) -> Option<Severity> {
    match word {
        "error" => Some(Severity::Medium),
        "warning" => Some(Severity::Low),
        _ => None,
    }
}

/// `None`: not a mypy line. `Some(None)`: mypy's, but not a finding (a note).
fn text_diagnostic(line: &str, ctx: &ParseContext) -> Option<Option<Finding>> {
    let caps = DIAGNOSTIC.as_ref()?.captures(line)?;
    let Some(severity) = severity_of(&caps["severity"]) else {
        return Some(None);
    };
    let rule = caps.name("code").map_or("error", |c| c.as_str());
    let mut finding = Finding::new(rule, severity, bounded(caps["message"].trim(), 2000));
    finding.path = Some(relative_path(&caps["path"], ctx.root));
    finding.line = caps
        .name("line")
        .and_then(|l| l.as_str().parse().ok())
        .filter(|&n: &u32| n > 0);
    Some(Some(finding))
}

fn json_diagnostic(line: &str, ctx: &ParseContext) -> Option<Option<Finding>> {
    let value: Value = serde_json::from_str(line).ok()?;
    let file = text(&value, "file")?;
    let kind = text(&value, "severity")?;
    let message = text(&value, "message")?;
    let Some(severity) = severity_of(&kind) else {
        return Some(None);
    };
    let rule = text(&value, "code").unwrap_or_else(|| "error".into());
    let mut finding = Finding::new(rule, severity, bounded(&message, 2000));
    finding.path = Some(relative_path(&file, ctx.root));
    finding.line = json_line(&value, "line");
    Some(Some(finding))
}

#[cfg(test)]
mod tests;
