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
    // The wrapped message is joined, its code read from its last line.
    assert_eq!(rules, [("arg-type", Some(17)), ("import-untyped", Some(3))]);
    assert!(
        findings[0].message.ends_with("expected \"int\""),
        "{}",
        findings[0].message
    );
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

#[test]
fn pretty_wrapped_messages_are_joined_and_keep_their_code() {
    // mypy with `pretty = true` on a narrow terminal (pallets' itsdangerous does this).
    let out = read(
        "docs/conf.py:1: error: Cannot find implementation or library stub for module\n\
         named \"pallets_sphinx_themes\"  [import-not-found]\n    \
         from pallets_sphinx_themes import get_version\n    ^\n\
         docs/conf.py:1: note: See https://mypy.readthedocs.io/en/stable/running_mypy.html#missing-imports\n\
         tests/t.py:14: error: Function is missing a type annotation  [no-untyped-def]\n    \
         def test_x(self):\n    ^\n\
         Found 2 errors in 2 files (checked 9 source files)\n",
    )
    .unwrap();
    assert_eq!(
        rows(&out),
        [
            (
                "import-not-found".to_string(),
                "docs/conf.py".to_string(),
                Some(1),
                "Cannot find implementation or library stub for module named \"pallets_sphinx_themes\""
                    .to_string()
            ),
            (
                "no-untyped-def".to_string(),
                "tests/t.py".to_string(),
                Some(14),
                "Function is missing a type annotation".to_string()
            ),
        ]
    );
}
