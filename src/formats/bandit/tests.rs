use super::*;
use crate::domain::finding::Severity::{self, High, Low, Medium};
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

type Row = (
    String,
    Severity,
    Option<String>,
    Option<u32>,
    Option<String>,
);

fn rows(findings: &[Finding]) -> Vec<Row> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.severity,
                f.path.clone(),
                f.line,
                f.confidence.clone(),
            )
        })
        .collect()
}

fn row(rule: &str, sev: Severity, path: &str, line: Option<u32>, conf: Option<&str>) -> Row {
    (
        rule.into(),
        sev,
        Some(path.into()),
        line,
        conf.map(str::to_string),
    )
}

#[test]
fn results_keep_rule_place_and_confidence_and_unscanned_files_are_findings() {
    let findings = read(&fixture("bandit-several.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows(&findings),
        [
            row("B403", Low, "app.py", Some(1), Some("high")),
            row("B404", Low, "app.py", Some(2), Some("high")),
            row("B301", Medium, "app.py", Some(6), Some("high")),
            row("B602", High, "app.py", Some(10), Some("high")),
            row("B105", Low, "app.py", Some(18), Some("medium")),
            row("B608", Medium, "pkg/db.py", Some(8), Some("medium")),
            row("B506", Medium, "pkg/db.py", Some(13), Some("high")),
            row("B101", Low, "pkg/db.py", Some(17), Some("high")),
            row("scan-error", Medium, "pkg/broken.py", None, None),
        ]
    );
    assert!(findings[3]
        .message
        .starts_with("subprocess call with shell=True identified, security issue.\nhttps://bandit.readthedocs.io/"));
    assert_eq!(
        findings[8].message,
        "bandit could not scan this file: syntax error while parsing AST from file"
    );
}

#[test]
fn a_clean_scan_has_no_findings() {
    assert_eq!(read(&fixture("bandit-clean.json")), Ok(vec![]));
}

#[test]
fn nothing_scanned_is_an_error_though_bandit_exits_0() {
    assert_eq!(
        read(&fixture("bandit-missing-path.json")),
        Err("bandit scanned no file: ./nope: No such file or directory".into())
    );
    assert_eq!(
        read(&fixture("bandit-syntax-error-only.json")),
        Err(
            "bandit scanned no file: ./pkg/broken.py: syntax error while parsing AST from file"
                .into()
        )
    );
    assert_eq!(
        read(r#"{"errors": [], "results": {}}"#),
        Err("bandit printed JSON without `results`: not a bandit report".into())
    );
}
