//! cargo's `--message-format=json` stream (`cargo build`, `clippy`, `test`, `check`).
//!
//! Read with small lenient serde structs of our own rather than `cargo_metadata`'s
//! `Message`: that enum has no catch-all, so a `reason` newer than the crate (cargo's
//! `--timings=json` writes `timing-info`) or a diagnostic level it does not list fails
//! the whole line. Here any JSON object with a string `reason` is cargo's, only
//! compiler messages are looked into, and every field they need has a default.

use super::{relative_path, ParseContext};
use crate::domain::finding::{Finding, Findings, Severity};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Turns cargo's JSON lines into findings, one distinct diagnostic at a time.
#[derive(Debug, Default)]
pub struct CargoParser {
    findings: Findings,
    /// Diagnostics already kept, by a hash of what makes two the same (code, place and
    /// text): cargo repeats a warning once per target (lib and lib test) that compiles
    /// the same file. A hash, not the text, so the set stays small.
    seen: HashSet<u64>,
    saw_cargo_json: bool,
}

/// Any cargo JSON line: only `reason` is required.
#[derive(Deserialize)]
struct Envelope {
    reason: String,
    #[serde(default)]
    message: Option<Value>,
}

/// rustc's JSON diagnostic, the fields we use.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Diagnostic {
    message: String,
    code: Option<Code>,
    level: String,
    spans: Vec<Span>,
    rendered: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Code {
    code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Span {
    file_name: String,
    line_start: u32,
    is_primary: bool,
    expansion: Option<Box<Expansion>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Expansion {
    span: Span,
}

impl CargoParser {
    /// Feed one output line. Returns:
    /// - `None` for a line that is not cargo JSON (cargo's and rustc's human output on
    ///   stderr, test output): show it as it is;
    /// - `Some(rendered)` for a compiler message: the diagnostic as rustc prints it
    ///   (several lines, trailing newline removed), to show instead of the JSON;
    /// - `Some("")` for other cargo JSON (artifacts, build scripts, build-finished):
    ///   nothing for a person, hide it.
    pub fn feed(&mut self, line: &str, ctx: &ParseContext) -> Option<String> {
        let envelope = parse_envelope(line)?;
        self.saw_cargo_json = true;
        if envelope.reason != "compiler-message" {
            return Some(String::new());
        }
        let diagnostic: Diagnostic = serde_json::from_value(envelope.message?).ok()?;
        if let Some(finding) = diagnostic_finding(&diagnostic, ctx) {
            self.keep(finding);
        }
        Some(display_text(&diagnostic))
    }

    /// The findings of the run; `Err` when not one line of cargo JSON was seen (the
    /// command was not run with `--message-format=json`, or cargo failed before
    /// building anything).
    pub fn finish(self) -> Result<Findings, String> {
        if !self.saw_cargo_json {
            return Err(
                "no cargo JSON messages in the output (was --message-format=json passed?)"
                    .to_string(),
            );
        }
        Ok(self.findings)
    }

    /// Findings left out past the caps of [`Findings`].
    pub fn dropped(&self) -> usize {
        self.findings.dropped()
    }

    fn keep(&mut self, finding: Finding) {
        let finding = finding.bounded();
        let mut hasher = DefaultHasher::new();
        (&finding.rule, &finding.path, finding.line, &finding.message).hash(&mut hasher);
        let key = hasher.finish();
        if self.seen.contains(&key) {
            return;
        }
        if self.findings.push(finding) {
            self.seen.insert(key);
        }
    }
}

fn parse_envelope(line: &str) -> Option<Envelope> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    serde_json::from_str(line).ok()
}

/// A finding for errors and warnings; `None` for notes, help, failure notes and
/// rustc's closing summaries ("2 warnings emitted", "aborting due to …").
fn diagnostic_finding(diagnostic: &Diagnostic, ctx: &ParseContext) -> Option<Finding> {
    let severity = level_severity(&diagnostic.level)?;
    let code = diagnostic
        .code
        .as_ref()
        .map(|c| c.code.trim())
        .filter(|c| !c.is_empty());
    if code.is_none() && diagnostic.spans.is_empty() && is_summary(&diagnostic.message) {
        return None;
    }
    let rule = code.unwrap_or(fallback_rule(&diagnostic.level));
    let mut finding = Finding::new(rule, severity, diagnostic.message.trim());
    if let Some(span) = primary_span(&diagnostic.spans) {
        let file = span.file_name.trim();
        finding.path = (!file.is_empty()).then(|| relative_path(file, ctx.root));
        finding.line = (span.line_start > 0).then_some(span.line_start);
    }
    Some(finding)
}

fn level_severity(level: &str) -> Option<Severity> {
    match level {
        "error" | "error: internal compiler error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        _ => None,
    }
}

/// The rule for a diagnostic without a code (a linker failure, a bare `compile_error!`).
fn fallback_rule(level: &str) -> &'static str {
    match level {
        "error: internal compiler error" => "internal-compiler-error",
        "warning" => "warning",
        _ => "error",
    }
}

/// rustc's end-of-crate summaries: counts, not problems. Real span-less errors (a
/// failed link) are kept.
fn is_summary(message: &str) -> bool {
    let message = message.trim();
    message.starts_with("aborting due to")
        || message.ends_with("warning emitted")
        || message.ends_with("warnings emitted")
}

/// The primary span (the first if several), followed out of macro definitions that
/// have no file (`<::core::macros::panic macros>`) to the call site in the source.
fn primary_span(spans: &[Span]) -> Option<&Span> {
    let mut span = spans.iter().find(|s| s.is_primary).or(spans.first())?;
    while span.file_name.starts_with('<') {
        match &span.expansion {
            Some(expansion) => span = &expansion.span,
            None => break,
        }
    }
    Some(span)
}

fn display_text(diagnostic: &Diagnostic) -> String {
    match &diagnostic.rendered {
        Some(rendered) => rendered.trim_end_matches(['\n', '\r']).to_string(),
        None => format!("{}: {}", diagnostic.level, diagnostic.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity::{High, Info, Medium};
    use crate::domain::finding::MAX_FINDINGS;
    use std::path::Path;

    fn ctx(root: &'static str) -> ParseContext<'static> {
        ParseContext {
            default_severity: Info,
            root: Path::new(root),
        }
    }

    /// Feed every line; returns the parser and what each line displays as.
    fn feed_all(text: &str, root: &'static str) -> (CargoParser, Vec<Option<String>>) {
        let context = ctx(root);
        let mut parser = CargoParser::default();
        let shown = text.lines().map(|l| parser.feed(l, &context)).collect();
        (parser, shown)
    }

    fn at(rule: &str, severity: Severity, message: &str, path: &str, line: u32) -> Finding {
        Finding::new(rule, severity, message).at(path, Some(line))
    }

    fn finish(parser: CargoParser) -> Vec<Finding> {
        match parser.finish() {
            Ok(findings) => findings.into_vec(),
            Err(e) => panic!("stream should have cargo JSON: {e}"),
        }
    }

    #[test]
    fn clippy_warnings_deduplicated_without_summaries() {
        let text = include_str!("../../tests/fixtures/formats/cargo_clippy_warnings.jsonl");
        let (parser, _) = feed_all(text, "/home/dev/demo-app");
        let expected = vec![
            at(
                "dead_code",
                Medium,
                "function `unused_helper` is never used",
                "src/lib.rs",
                14,
            ),
            // The primary span (line 3), not the first span (line 2).
            at(
                "clippy::let_and_return",
                Medium,
                "returning the result of a `let` binding from a block",
                "src/lib.rs",
                3,
            ),
            at(
                "clippy::unwrap_used",
                Medium,
                "used `unwrap()` on a `Result` value",
                "src/lib.rs",
                2,
            ),
            at(
                "clippy::ptr_arg",
                Medium,
                "writing `&Vec` instead of `&[_]` involves a new object where a slice will do",
                "src/lib.rs",
                6,
            ),
            at(
                "clippy::needless_range_loop",
                Medium,
                "the loop variable `i` is only used to index `items`",
                "src/lib.rs",
                8,
            ),
        ];
        assert_eq!(parser.dropped(), 0);
        assert_eq!(finish(parser), expected);
    }

    #[test]
    fn display_is_rendered_diagnostic_hidden_json_or_raw_line() {
        let text = include_str!("../../tests/fixtures/formats/cargo_clippy_warnings.jsonl");
        let (_, shown) = feed_all(text, "/home/dev/demo-app");
        assert_eq!(shown.len(), 17);
        assert_eq!(shown[0], None, "`Checking …` is shown as it is");
        let first = shown[1].as_deref().unwrap_or_default();
        assert!(first.starts_with(
            "warning: function `unused_helper` is never used\n  --> src/lib.rs:14:4\n"
        ));
        assert!(
            first.ends_with("on by default"),
            "trailing newlines trimmed"
        );
        assert_eq!(shown[6].as_deref(), Some("warning: 5 warnings emitted"));
        assert_eq!(shown[7].as_deref(), Some(""), "artifact hidden");
        assert_eq!(shown[15], None, "`Finished …` is shown as it is");
        assert_eq!(shown[16].as_deref(), Some(""), "build-finished hidden");
    }

    #[test]
    fn compile_errors_without_aborting_summary_or_failure_note() {
        let text = include_str!("../../tests/fixtures/formats/cargo_build_error.jsonl");
        let (parser, shown) = feed_all(text, "/home/dev/demo-err");
        let expected = vec![
            at("E0308", High, "mismatched types", "src/main.rs", 4),
            at("E0308", High, "mismatched types", "src/main.rs", 8),
        ];
        assert_eq!(finish(parser), expected);
        assert_eq!(
            shown.last(),
            Some(&None),
            "cargo's `could not compile` line is shown as it is"
        );
    }

    #[test]
    fn clean_build_is_ok_and_empty() {
        let text = include_str!("../../tests/fixtures/formats/cargo_clean_build.jsonl");
        let (parser, shown) = feed_all(text, "/home/dev/demo-clean");
        assert_eq!(parser.finish(), Ok(Findings::new()));
        let hidden = shown.iter().filter(|s| s.as_deref() == Some("")).count();
        assert_eq!(
            hidden, 4,
            "artifacts, build script and build-finished are hidden"
        );
    }

    #[test]
    fn output_without_cargo_json_is_an_error() {
        let (parser, shown) = feed_all(
            "   Compiling demo v0.1.0\nerror: could not compile `demo`\n{\"type\":\"test\",\"event\":\"ok\"}\n",
            "/",
        );
        assert_eq!(shown, vec![None, None, None]);
        assert_eq!(
            parser.finish(),
            Err(
                "no cargo JSON messages in the output (was --message-format=json passed?)"
                    .to_string()
            )
        );
    }

    #[test]
    fn unknown_reasons_count_as_cargo_and_are_hidden() {
        let (parser, shown) = feed_all(
            r#"{"reason":"timing-info","package_id":"demo 0.1.0","duration":0.5}"#,
            "/",
        );
        assert_eq!(shown, vec![Some(String::new())]);
        assert_eq!(parser.finish(), Ok(Findings::new()));
    }

    #[test]
    fn span_less_errors_are_kept_and_macro_spans_followed_to_the_call_site() {
        let linker = r#"{"reason":"compiler-message","message":{"level":"error","message":"linking with `cc` failed: exit status: 1","code":null,"spans":[],"children":[],"rendered":"error: linking with `cc` failed: exit status: 1\n\n"}}"#;
        let in_macro = r#"{"reason":"compiler-message","message":{"level":"warning","message":"unreachable expression","code":{"code":"unreachable_code","explanation":null},"spans":[{"file_name":"<::core::macros::panic macros>","line_start":3,"is_primary":true,"expansion":{"span":{"file_name":"/home/dev/demo/src/main.rs","line_start":5,"is_primary":false,"expansion":null},"macro_decl_name":"panic!","def_site_span":null}}],"children":[],"rendered":null}}"#;
        let (parser, shown) = feed_all(&format!("{linker}\n{in_macro}"), "/home/dev/demo");
        assert_eq!(
            shown[1].as_deref(),
            Some("warning: unreachable expression"),
            "no rendered text: level and message"
        );
        let mut linker_finding =
            Finding::new("error", High, "linking with `cc` failed: exit status: 1");
        linker_finding.path = None;
        let expected = vec![
            linker_finding,
            at(
                "unreachable_code",
                Medium,
                "unreachable expression",
                "src/main.rs",
                5,
            ),
        ];
        assert_eq!(finish(parser), expected);
    }

    #[test]
    fn findings_are_capped() {
        let context = ctx("/");
        let mut parser = CargoParser::default();
        for i in 0..MAX_FINDINGS + 5 {
            let line = format!(
                r#"{{"reason":"compiler-message","message":{{"level":"warning","message":"w{i}","code":null,"spans":[{{"file_name":"src/a.rs","line_start":1,"is_primary":true}}]}}}}"#
            );
            parser.feed(&line, &context);
        }
        assert_eq!(parser.dropped(), 5);
        assert_eq!(finish(parser).len(), MAX_FINDINGS);
    }
}
