use super::*;
use crate::domain::finding::Severity::{High, Low, Medium};
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

#[test]
fn json_and_json2_read_the_same_findings_json2_with_confidence() {
    let one = read(&fixture("pylint-several.json")).unwrap_or_else(|e| panic!("{e}"));
    let two = read(&fixture("pylint-json2-several.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one.len(), 11);
    assert_eq!(two.len(), 11);
    let strip = |fs: &[Finding]| -> Vec<Finding> {
        fs.iter()
            .cloned()
            .map(|mut f| {
                f.confidence = None;
                f
            })
            .collect()
    };
    assert_eq!(strip(&one), strip(&two));
    let syntax = &two[0];
    assert_eq!(
        (
            syntax.rule.as_str(),
            syntax.severity,
            syntax.path.as_deref(),
            syntax.line
        ),
        ("syntax-error", High, Some("pkg/broken.py"), Some(1))
    );
    assert_eq!(
        syntax.message,
        "Parsing failed: 'invalid syntax (pkg.broken, line 1)' (E0001)"
    );
    assert_eq!(syntax.confidence.as_deref(), Some("high"));
    assert_eq!(one[0].confidence, None, "json gives no confidence");
    let docstring = &one[1];
    assert_eq!(
        (
            docstring.rule.as_str(),
            docstring.severity,
            docstring.path.as_deref()
        ),
        ("missing-module-docstring", Low, Some("app.py"))
    );
}

#[test]
fn clean_reports_have_no_findings() {
    assert_eq!(read(&fixture("pylint-clean.json")), Ok(vec![]));
    assert_eq!(read(&fixture("pylint-json2-clean.json")), Ok(vec![]));
}

#[test]
fn only_fatal_messages_is_an_error() {
    let expected = Err("pylint linted nothing: nope: No module named nope".to_string());
    assert_eq!(read(&fixture("pylint-missing-module.json")), expected);
    assert_eq!(read(&fixture("pylint-json2-missing-module.json")), expected);
    assert_eq!(read(""), Err("pylint printed no report".into()));
    assert_eq!(
        read(r#"{"statistics": {}}"#),
        Err("pylint printed JSON without `messages`: not a pylint report".into())
    );
}

#[test]
fn a_warning_is_medium() {
    let text = r#"[{"type": "warning", "module": "m", "obj": "", "line": 3, "column": 0, "path": "m.py", "symbol": "unused-import", "message": "Unused import os", "message-id": "W0611"}]"#;
    let findings = read(text).unwrap_or_default();
    assert_eq!(findings[0].severity, Medium);
    assert_eq!(findings[0].message, "Unused import os (W0611)");
}
