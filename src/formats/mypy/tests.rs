use super::*;
use crate::domain::finding::Severity::Medium;
use std::path::Path;

fn read(text: &str) -> Result<Vec<Finding>, String> {
    let ctx = ParseContext {
        default_severity: Medium,
        root: Path::new("/tmp/sample"),
    };
    parse(text.as_bytes(), &ctx)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/python")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rows(findings: &[Finding]) -> Vec<(String, String, Option<u32>, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.path.clone().unwrap_or_default(),
                f.line,
                f.message.clone(),
            )
        })
        .collect()
}

fn expected() -> Vec<(String, String, Option<u32>, String)> {
    vec![
        (
            "arg-type".into(),
            "app.py".into(),
            Some(17),
            "Argument 1 to \"add\" has incompatible type \"str\"; expected \"int\"".into(),
        ),
        (
            "import-untyped".into(),
            "pkg/db.py".into(),
            Some(3),
            "Library stubs not installed for \"yaml\"".into(),
        ),
    ]
}

#[test]
fn text_and_json_output_read_the_same_without_notes() {
    assert_eq!(
        rows(&read(&fixture("mypy-several.txt")).unwrap_or_default()),
        expected()
    );
    assert_eq!(
        rows(&read(&fixture("mypy-several.jsonl")).unwrap_or_default()),
        expected()
    );
    let findings = read(&fixture("mypy-several.txt")).unwrap_or_default();
    assert!(findings.iter().all(|f| f.severity == Medium));
}

#[test]
fn pretty_output_with_columns_reads_the_diagnostic_lines() {
    let findings = read(&fixture("mypy-pretty.txt")).unwrap_or_default();
    let rules: Vec<(&str, Option<u32>)> =
        findings.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    // The wrapped message's first line has no code: the rule is `error`.
    assert_eq!(rules, [("error", Some(17)), ("import-untyped", Some(3))]);
}

#[test]
fn clean_runs_pass_in_both_forms() {
    assert_eq!(read(&fixture("mypy-clean.txt")), Ok(vec![]));
    assert_eq!(
        read(&fixture("mypy-clean.jsonl")),
        Ok(vec![]),
        "-O json prints nothing"
    );
}

#[test]
fn syntax_errors_are_findings() {
    let findings = read(&fixture("mypy-syntax.jsonl")).unwrap_or_default();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].rule, "syntax");
}

#[test]
fn mypy_failures_are_errors_with_its_reason() {
    assert_eq!(
        read(&fixture("mypy-missing-file.txt")),
        Err("mypy failed: nope: Cannot read file: No such file or directory".into())
    );
    assert_eq!(
        read(&fixture("mypy-bad-config.txt")),
        Err("mypy failed: Cannot find config file 'nope.ini'".into())
    );
    assert_eq!(
        read("Traceback (most recent call last):\n  File \"x\"\nKeyError: 1\n"),
        Err("no mypy diagnostics or summary in the output (expected `file:line: error: message` lines, or -O json)".into())
    );
}

#[test]
fn coloured_lines_are_read() {
    let line = "\x1b[1mapp.py:3: \x1b[31merror:\x1b[m Name \"x\" is not defined  \x1b[33m[name-defined]\x1b[m";
    let findings = read(line).unwrap_or_default();
    assert_eq!(
        rows(&findings),
        [(
            "name-defined".into(),
            "app.py".into(),
            Some(3),
            "Name \"x\" is not defined".into()
        )]
    );
}
