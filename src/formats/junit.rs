//! JUnit XML reports: pytest, jest-junit, Maven Surefire, go-junit-report,
//! cargo-nextest, PHPUnit and the like.
//!
//! Read with `quick-xml` events rather than a JUnit crate: `quick-junit`'s reader
//! refuses timestamps without a UTC offset (pytest, jest, Surefire write those) and bare
//! `<testsuite>` roots and skips nested suites (PHPUnit), and `junit-parser` drops
//! entities (`&lt;`, `&apos;`) from failure bodies and breaks the line at each one.
//! Only what a finding needs is kept, so counts, timestamps and durations never matter.
//!
//! Severity: a `<failure>` (an assertion that did not hold) gets the check's default
//! severity; an `<error>` (the test crashed or could not run) gets `high`, or the
//! default when that is worse. Skipped, passing and flaky-then-passing cases are not
//! findings.

use super::{relative_path, ParseContext};
use crate::domain::finding::{Finding, Findings, Severity};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use std::borrow::Cow;

/// Read a JUnit report: one finding per `<failure>` or `<error>` of a test case.
pub fn parse(bytes: &[u8], ctx: &ParseContext) -> Result<Findings, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err("report is empty".to_string());
    }
    let mut reader = Reader::from_str(text);
    let mut walker = Walker::new(ctx);
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position();
            format!("report is not well-formed XML (byte {at}): {e}")
        })?;
        match event {
            Event::Start(element) => walker.open(&element, false)?,
            Event::Empty(element) => walker.open(&element, true)?,
            Event::End(element) => walker.close(element.local_name().as_ref()),
            Event::Text(text) => walker.text(&text.xml10_content()),
            Event::CData(data) => walker.text(&data.xml10_content()),
            Event::GeneralRef(reference) => walker.text(&resolve_reference(&reference)),
            Event::Eof => break,
            _ => {}
        }
    }
    walker.finish()
}

/// `&lt;` and `&#10;` inside text: quick-xml reports them apart from the text around.
fn resolve_reference(reference: &BytesRef) -> Cow<'static, str> {
    if let Ok(Some(ch)) = reference.resolve_char_ref() {
        return Cow::Owned(ch.to_string());
    }
    match resolve_predefined_entity(reference.as_ref()) {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(format!("&{};", reference.as_ref())),
    }
}

/// A `<testsuite>` being read: its name and file give context to its cases.
struct Suite {
    name: String,
    file: Option<String>,
}

/// The `<testcase>` being read.
struct Case {
    classname: String,
    name: String,
    file: Option<String>,
    line: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OutcomeKind {
    Failure,
    Error,
}

/// The `<failure>` or `<error>` being read, with the body text collected so far.
struct Outcome {
    kind: OutcomeKind,
    message: String,
    kind_attr: String,
    body: String,
    /// Elements open inside this one, whose text is not part of the body.
    nested: usize,
}

/// Walks the XML events, keeping only the context a finding needs.
struct Walker<'c> {
    ctx: &'c ParseContext<'c>,
    root_seen: bool,
    depth: usize,
    suites: Vec<Suite>,
    case: Option<Case>,
    outcome: Option<Outcome>,
    findings: Findings,
}

impl<'c> Walker<'c> {
    fn new(ctx: &'c ParseContext<'c>) -> Self {
        Walker {
            ctx,
            root_seen: false,
            depth: 0,
            suites: Vec::new(),
            case: None,
            outcome: None,
            findings: Findings::new(),
        }
    }

    fn open(&mut self, element: &BytesStart, empty: bool) -> Result<(), String> {
        let name = element.local_name();
        let name = name.as_ref();
        if !self.root_seen {
            check_root(name)?;
            self.root_seen = true;
        }
        if !empty {
            self.depth += 1;
        }
        if let Some(outcome) = &mut self.outcome {
            if !empty {
                outcome.nested += 1;
            }
            return Ok(());
        }
        match name {
            "testsuite" if !empty => self.suites.push(Suite {
                name: attr(element, "name").unwrap_or_default(),
                file: attr(element, "file"),
            }),
            "testcase" if !empty => self.case = Some(read_case(element)),
            "failure" | "error" if self.case.is_some() => {
                let outcome = read_outcome(element, name);
                if empty {
                    self.record(outcome);
                } else {
                    self.outcome = Some(outcome);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        if let Some(outcome) = &mut self.outcome {
            if outcome.nested > 0 {
                outcome.nested -= 1;
            } else if let Some(outcome) = self.outcome.take() {
                self.record(outcome);
            }
            return;
        }
        match name {
            "testsuite" => {
                self.suites.pop();
            }
            "testcase" => self.case = None,
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(outcome) = &mut self.outcome {
            // Only the body's first lines make the message: the rest need not be kept.
            if outcome.nested == 0 && outcome.body.len() < BODY_KEPT {
                outcome.body.push_str(text);
            }
        }
    }

    fn record(&mut self, outcome: Outcome) {
        let Some(case) = &self.case else { return };
        if self.findings.is_full() {
            self.findings.leave_out();
            return;
        }
        let suite = self.suites.last();
        let mut finding = Finding::new(
            case_rule(case),
            outcome_severity(outcome.kind, self.ctx.default_severity),
            outcome_message(&outcome, &case.name),
        );
        let file = case
            .file
            .as_deref()
            .or_else(|| self.suites.iter().rev().find_map(|s| s.file.as_deref()));
        finding.path = file.map(|f| relative_path(f, self.ctx.root));
        finding.line = case.line.map(|line| {
            if suite.is_some_and(|s| s.name == "pytest") {
                // pytest writes the 0-based line of the test function.
                line.saturating_add(1)
            } else {
                line
            }
        });
        finding.line = finding.line.filter(|&n| n > 0);
        self.findings.push(finding);
    }

    fn finish(self) -> Result<Findings, String> {
        if !self.root_seen {
            return Err("report is not JUnit XML: no root element".to_string());
        }
        if self.depth != 0 {
            return Err("report ends before its root element is closed (truncated?)".to_string());
        }
        Ok(self.findings)
    }
}

/// Most of a failure's body kept while reading (its first meaningful line becomes the
/// message, cut at the finding's own limit): a body of gigabytes costs no more.
const BODY_KEPT: usize = 2 * crate::domain::finding::MAX_MESSAGE;

fn check_root(name: &str) -> Result<(), String> {
    if name == "testsuites" || name == "testsuite" {
        Ok(())
    } else {
        Err(format!(
            "report is not JUnit XML: root element is <{name}>, expected <testsuites> or <testsuite>"
        ))
    }
}

fn read_case(element: &BytesStart) -> Case {
    Case {
        classname: attr(element, "classname").unwrap_or_default(),
        name: attr(element, "name").unwrap_or_default(),
        file: attr(element, "file").filter(|f| !f.is_empty()),
        line: attr(element, "line").and_then(|l| l.trim().parse().ok()),
    }
}

fn read_outcome(element: &BytesStart, name: &str) -> Outcome {
    Outcome {
        kind: if name == "error" {
            OutcomeKind::Error
        } else {
            OutcomeKind::Failure
        },
        message: attr(element, "message").unwrap_or_default(),
        kind_attr: attr(element, "type").unwrap_or_default(),
        body: String::new(),
        nested: 0,
    }
}

/// An attribute's value with entities resolved; malformed attributes are skipped.
fn attr(element: &BytesStart, key: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(Cow::into_owned)
}

/// `classname::name`; just the name when there is no class name or it repeats the
/// name (jest-junit's default templates write the same text in both).
fn case_rule(case: &Case) -> String {
    let classname = case.classname.trim();
    let name = case.name.trim();
    match (classname.is_empty(), name.is_empty()) {
        (true, true) => "junit".to_string(),
        (true, false) => name.to_string(),
        (false, true) => classname.to_string(),
        (false, false) if classname == name => name.to_string(),
        (false, false) => format!("{classname}::{name}"),
    }
}

fn outcome_severity(kind: OutcomeKind, default: Severity) -> Severity {
    match kind {
        OutcomeKind::Failure => default,
        // Severity orders worst first, so the smaller one is the worse.
        OutcomeKind::Error => default.min(Severity::High),
    }
}

/// Placeholder messages that say nothing the element name does not (go-junit-report
/// writes `message="Failed"` and puts the real text in the body).
const GENERIC_MESSAGES: [&str; 5] = ["failed", "failure", "error", "build error", "test failed"];

/// One line for the finding: the `message` attribute, unless it is missing or a
/// placeholder, then the first meaningful line of the body, then the `type` attribute.
fn outcome_message(outcome: &Outcome, case_name: &str) -> String {
    let attribute = first_line(&outcome.message);
    let generic = attribute
        .as_deref()
        .is_some_and(|m| GENERIC_MESSAGES.iter().any(|g| m.eq_ignore_ascii_case(g)));
    if let (Some(message), false) = (&attribute, generic) {
        return message.clone();
    }
    body_summary(&outcome.body, case_name)
        .or(attribute)
        .or_else(|| first_line(&outcome.kind_attr))
        .unwrap_or_else(|| match outcome.kind {
            OutcomeKind::Failure => "test failed".to_string(),
            OutcomeKind::Error => "test errored".to_string(),
        })
}

/// The first non-empty line of a body, skipping PHPUnit's leading
/// `Class\Name::testName …` header, which only repeats the test's identity.
fn body_summary(body: &str, case_name: &str) -> Option<String> {
    let clean = strip_ansi_escapes::strip_str(body);
    let mut lines = clean.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    let line = if is_test_header(first, case_name) {
        lines.next()?
    } else {
        first
    };
    Some(line.to_string())
}

fn is_test_header(line: &str, case_name: &str) -> bool {
    let name = case_name.trim();
    !name.is_empty()
        && line.split_once("::").is_some_and(|(class, rest)| {
            !class.contains(char::is_whitespace) && rest.starts_with(name)
        })
}

fn first_line(text: &str) -> Option<String> {
    let clean = strip_ansi_escapes::strip_str(text);
    clean
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::finding::Severity::{Critical, High, Low};
    use std::path::Path;

    fn ctx(root: &'static str) -> ParseContext<'static> {
        ParseContext {
            default_severity: Low,
            root: Path::new(root),
        }
    }

    fn read(text: &str, root: &'static str) -> Vec<Finding> {
        match parse(text.as_bytes(), &ctx(root)) {
            Ok(findings) => findings.into_vec(),
            Err(e) => panic!("fixture should parse: {e}"),
        }
    }

    fn at(rule: &str, severity: Severity, message: &str, path: &str, line: u32) -> Finding {
        Finding::new(rule, severity, message).at(path, Some(line))
    }

    #[test]
    fn pytest_failures_and_errors_with_one_based_lines() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_pytest.xml"),
            "/home/dev/project",
        );
        let expected = vec![
            // pytest's line="20" is 0-based: the test function is on line 21.
            at(
                "tests.test_api::test_create_user_rejects_duplicates",
                Low,
                "AssertionError: assert 201 == 409",
                "tests/test_api.py",
                21,
            ),
            at(
                "tests.test_db::test_migrations_apply",
                High,
                "failed on setup with \"psycopg.OperationalError: connection to server at \"localhost\" (127.0.0.1), port 5432 failed: Connection refused\"",
                "tests/test_db.py",
                4,
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn jest_bodies_keep_entities_and_rule_is_not_doubled() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_jest.xml"),
            "/home/dev/web",
        );
        let expected = vec![
            Finding::new(
                "Cart applies a discount code",
                Low,
                "Error: expect(received).toBe(expected) // Object.is equality",
            ),
            Finding::new(
                "Cart computes totals",
                Low,
                "TypeError: Cannot read properties of undefined (reading 'price')",
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn surefire_bare_testsuite_root_and_flaky_passes_ignored() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_surefire.xml"),
            "/home/dev/billing",
        );
        let expected = vec![
            Finding::new(
                "com.example.billing.InvoiceServiceTest::roundsHalfUp",
                Low,
                "expected: <10.05> but was: <10.04>",
            ),
            Finding::new(
                "com.example.billing.InvoiceServiceTest::loadsCustomer",
                High,
                "Cannot invoke \"com.example.billing.Customer.id()\" because \"customer\" is null",
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn go_junit_report_placeholder_messages_use_the_body() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_go.xml"),
            "/home/dev/shop",
        );
        let expected = vec![
            Finding::new("example.com/shop/cart::TestTotal", Low, "Failed"),
            Finding::new(
                "example.com/shop/cart::TestTotal/with_discount",
                Low,
                "cart_test.go:41: Total() = 90, want 81",
            ),
            Finding::new(
                "example.com/shop/api::[build failed]",
                High,
                "api/handler.go:17:2: undefined: writeJSON",
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn nextest_failure_message_and_error_type_fallback() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_nextest.xml"),
            "/home/dev/demo-app",
        );
        let expected = vec![
            Finding::new(
                "demo-app::tests::total_sums",
                Low,
                "thread 'tests::total_sums' panicked at src/lib.rs:31:9",
            ),
            Finding::new(
                "demo-app::integration::decodes_fixture",
                High,
                "test abort with signal 11 (SIGSEGV)",
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn phpunit_nested_suites_files_and_header_line_skipped() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_phpunit.xml"),
            "/home/dev/shop",
        );
        let expected = vec![
            at(
                "Tests.Unit.CalculatorTest::testDivide with data set #1",
                Low,
                "Failed asserting that 3 matches expected 3.5.",
                "tests/Unit/CalculatorTest.php",
                25,
            ),
            at(
                "Tests.Unit.MailerTest::testSendsWelcomeMail",
                High,
                "Error: Call to undefined method App\\Mailer::queue()",
                "tests/Unit/MailerTest.php",
                18,
            ),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn all_passing_suite_has_no_findings() {
        let findings = read(
            include_str!("../../tests/fixtures/formats/junit_all_passing.xml"),
            "/",
        );
        assert!(findings.is_empty());
    }

    #[test]
    fn truncated_xml_is_an_error() {
        let text = include_str!("../../tests/fixtures/formats/junit_broken.xml");
        let result = parse(text.as_bytes(), &ctx("/"));
        assert!(result.is_err(), "{result:?}");
        let cut_between_elements = "<testsuites><testsuite name=\"a\"><testcase name=\"t\"/>";
        assert_eq!(
            parse(cut_between_elements.as_bytes(), &ctx("/")),
            Err("report ends before its root element is closed (truncated?)".to_string())
        );
        let mismatched = "<testsuites><testsuite name=\"a\"></testsuites>";
        assert!(parse(mismatched.as_bytes(), &ctx("/")).is_err());
    }

    #[test]
    fn other_roots_and_empty_input_are_errors() {
        let coverage = include_str!("../../tests/fixtures/formats/junit_not_junit.xml");
        assert_eq!(
            parse(coverage.as_bytes(), &ctx("/")),
            Err(
                "report is not JUnit XML: root element is <coverage>, expected <testsuites> or <testsuite>"
                    .to_string()
            )
        );
        assert_eq!(parse(b"", &ctx("/")), Err("report is empty".to_string()));
        assert_eq!(
            parse(b"no xml here", &ctx("/")),
            Err("report is not JUnit XML: no root element".to_string())
        );
    }

    #[test]
    fn failure_and_teardown_error_in_one_case_are_two_findings() {
        let xml = r#"<testsuite name="pytest"><testcase classname="t" name="x" file="t.py" line="0">
            <failure message="assert False">body</failure>
            <error message="failed on teardown with &quot;boom&quot;">trace</error>
        </testcase></testsuite>"#;
        let findings = read(xml, "/");
        let expected = vec![
            at("t::x", Low, "assert False", "t.py", 1),
            at("t::x", High, "failed on teardown with \"boom\"", "t.py", 1),
        ];
        assert_eq!(findings, expected);
    }

    #[test]
    fn errors_keep_a_worse_default_severity() {
        let xml = r#"<testsuite name="s"><testcase name="x"><error/></testcase></testsuite>"#;
        let context = ParseContext {
            default_severity: Critical,
            root: Path::new("/"),
        };
        let findings = parse(xml.as_bytes(), &context).map(Findings::into_vec);
        assert_eq!(
            findings,
            Ok(vec![Finding::new("x", Critical, "test errored")])
        );
    }

    #[test]
    fn suite_file_is_used_when_the_case_has_none() {
        let xml = r#"<testsuites><testsuite name="s" file="spec/a_spec.rb"><testcase classname="A" name="b" line="9"><failure>expected true</failure></testcase></testsuite></testsuites>"#;
        assert_eq!(
            read(xml, "/"),
            vec![at("A::b", Low, "expected true", "spec/a_spec.rb", 9)]
        );
    }
}
