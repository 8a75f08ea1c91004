//! Plain-text tool output read with a regex per line (flake8, eslint's compact format,
//! go vet, shellcheck's gcc format…), for tools with no structured output.
//!
//! The regex names its groups: `path`, `line`, `message`, and optionally `rule`,
//! `severity` and `col` (`col` is accepted but not kept: a finding has no column).
//! Colour codes are stripped before matching, so `--color=always` output still matches.

use super::{relative_path, ParseContext};
use crate::domain::finding::{Finding, Findings, Severity};
use regex::{Captures, Regex};

/// Collects a finding for every output line the check's regex matches.
#[derive(Debug)]
pub struct LinesParser {
    regex: Regex,
    findings: Findings,
}

impl LinesParser {
    /// A reader for one run, matching each line against `regex`.
    pub fn new(regex: Regex) -> Self {
        LinesParser {
            regex,
            findings: Findings::new(),
        }
    }

    /// Match one output line; lines that do not match are not findings.
    pub fn feed(&mut self, line: &str, ctx: &ParseContext) {
        let clean = strip_ansi_escapes::strip_str(line);
        let clean = clean.trim_end_matches('\r');
        let Some(captures) = self.regex.captures(clean) else {
            return;
        };
        if self.findings.is_full() {
            self.findings.leave_out();
            return;
        }
        self.findings.push(captured_finding(&captures, ctx));
    }

    /// The findings of the run, in output order.
    pub fn finish(self) -> Findings {
        self.findings
    }

    /// Matching lines left out past the caps of [`Findings`].
    pub fn dropped(&self) -> usize {
        self.findings.dropped()
    }
}

fn captured_finding(captures: &Captures, ctx: &ParseContext) -> Finding {
    let whole = captures.get(0).map_or("", |m| m.as_str().trim());
    let severity = group(captures, "severity")
        .and_then(lenient_severity)
        .unwrap_or(ctx.default_severity);
    let mut finding = Finding::new(
        group(captures, "rule").unwrap_or("lines"),
        severity,
        group(captures, "message").unwrap_or(whole),
    );
    finding.path = group(captures, "path").map(|p| relative_path(p, ctx.root));
    finding.line = group(captures, "line")
        .and_then(|l| l.parse().ok())
        .filter(|&n| n > 0);
    finding
}

/// A named group's trimmed text; a missing or empty group is `None`.
fn group<'t>(captures: &Captures<'t>, name: &str) -> Option<&'t str> {
    captures
        .name(name)
        .map(|m| m.as_str().trim())
        .filter(|s| !s.is_empty())
}

/// Severity words as tools print them, in any case. Unknown words give `None`, and the
/// check's default applies.
fn lenient_severity(word: &str) -> Option<Severity> {
    match word.to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "error" => Some(Severity::High),
        "medium" | "warning" | "warn" => Some(Severity::Medium),
        "low" | "note" | "notice" => Some(Severity::Low),
        "info" | "style" | "hint" => Some(Severity::Info),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity::{Critical, High, Info, Low, Medium};
    use crate::domain::finding::MAX_FINDINGS;
    use std::path::Path;

    const FLAKE8: &str =
        r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z]+\d+) (?P<message>.+)$";
    const ESLINT_COMPACT: &str = r"^(?P<path>.+?): line (?P<line>\d+), col (?P<col>\d+), (?P<severity>\w+) - (?P<message>.+?)(?: \((?P<rule>[^()]+)\))?$";
    const GO_VET: &str =
        r"^(?:vet: )?(?P<path>[^\s:#][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$";

    fn run(pattern: &str, text: &str, root: &'static str) -> Vec<Finding> {
        let regex = match Regex::new(pattern) {
            Ok(regex) => regex,
            Err(e) => panic!("test regex should compile: {e}"),
        };
        let context = ParseContext {
            default_severity: Low,
            root: Path::new(root),
        };
        let mut parser = LinesParser::new(regex);
        for line in text.lines() {
            parser.feed(line, &context);
        }
        parser.finish().into_vec()
    }

    fn at(rule: &str, severity: Severity, message: &str, path: &str, line: u32) -> Finding {
        Finding::new(rule, severity, message).at(path, Some(line))
    }

    #[test]
    fn flake8_with_colour_codes() {
        let text = include_str!("../../tests/fixtures/formats/lines_flake8_color.txt");
        assert!(text.contains('\x1b'), "fixture must carry ANSI colour");
        let expected = vec![
            at(
                "E302",
                Low,
                "expected 2 blank lines, found 1",
                "app/models.py",
                12,
            ),
            at(
                "E501",
                Low,
                "line too long (97 > 79 characters)",
                "app/models.py",
                48,
            ),
            at("F401", Low, "'os' imported but unused", "app/views.py", 3),
            at(
                "F841",
                Low,
                "local variable 'resp' is assigned to but never used",
                "tests/test_api.py",
                27,
            ),
        ];
        assert_eq!(run(FLAKE8, text, "/home/dev/project"), expected);
    }

    #[test]
    fn eslint_compact_severities_and_optional_rule() {
        let text = include_str!("../../tests/fixtures/formats/lines_eslint_compact.txt");
        let expected = vec![
            at(
                "no-unused-vars",
                Medium,
                "'helper' is defined but never used.",
                "src/app.js",
                3,
            ),
            at(
                "no-console",
                High,
                "Unexpected console statement.",
                "src/app.js",
                17,
            ),
            at("no-eval", High, "eval can be harmful.", "src/legacy.js", 12),
            at(
                "lines",
                High,
                "Parsing error: Unexpected token )",
                "src/legacy.js",
                20,
            ),
        ];
        assert_eq!(run(ESLINT_COMPACT, text, "/home/dev/web"), expected);
    }

    #[test]
    fn go_vet_without_rule_or_severity_groups() {
        let text = include_str!("../../tests/fixtures/formats/lines_go_vet.txt");
        let expected = vec![
            at(
                "lines",
                Low,
                "fmt.Printf format %d has arg name of wrong type string",
                "cart/cart.go",
                41,
            ),
            at(
                "lines",
                Low,
                "undefined: applyCoupon",
                "cart/discount.go",
                17,
            ),
            at(
                "lines",
                Low,
                "handle passes lock by value: example.com/shop/api.Server contains sync.Mutex",
                "api/handler.go",
                23,
            ),
        ];
        assert_eq!(run(GO_VET, text, "/home/dev/shop"), expected);
    }

    #[test]
    fn severity_words_are_read_leniently() {
        let cases = [
            ("CRITICAL", Some(Critical)),
            ("high", Some(High)),
            ("Error", Some(High)),
            ("medium", Some(Medium)),
            ("warning", Some(Medium)),
            ("WARN", Some(Medium)),
            ("low", Some(Low)),
            ("note", Some(Low)),
            ("notice", Some(Low)),
            ("info", Some(Info)),
            ("style", Some(Info)),
            ("hint", Some(Info)),
            ("fatal", None),
        ];
        for (word, expected) in cases {
            assert_eq!(lenient_severity(word), expected, "{word}");
        }
        let findings = run(
            r"^(?P<severity>\w+) (?P<path>\S+):(?P<line>\d+) (?P<message>.+)$",
            "fatal a.sh:3 boom\r\n",
            "/",
        );
        assert_eq!(findings, vec![at("lines", Low, "boom", "a.sh", 3)]);
    }

    #[test]
    fn missing_groups_fall_back_to_the_whole_match() {
        let findings = run(r"^TODO\b.*$", "x\nTODO: remove the shim\n", "/");
        let mut expected = Finding::new("lines", Low, "TODO: remove the shim");
        expected.path = None;
        assert_eq!(findings, vec![expected]);
    }

    #[test]
    fn findings_are_capped() {
        let regex = match Regex::new(GO_VET) {
            Ok(regex) => regex,
            Err(e) => panic!("{e}"),
        };
        let context = ParseContext {
            default_severity: Low,
            root: Path::new("/"),
        };
        let mut parser = LinesParser::new(regex);
        for i in 0..MAX_FINDINGS + 7 {
            parser.feed(&format!("a.go:{i}:1: problem"), &context);
        }
        assert_eq!(parser.dropped(), 7);
        assert_eq!(parser.finish().len(), MAX_FINDINGS);
    }
}
