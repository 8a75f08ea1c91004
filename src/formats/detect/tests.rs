use super::*;
use std::path::Path;

fn fixture(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn name(bytes: &[u8]) -> Result<&'static str, String> {
    recognise(bytes).map(|f| f.name())
}

#[test]
fn every_tool_report_is_recognised_from_its_content() {
    let cases = [
        ("formats/audit/npm-audit-several.json", "npm-audit"),
        ("formats/audit/npm-audit-clean.json", "npm-audit"),
        ("formats/audit/npm-audit-offline-405.json", "npm-audit"),
        ("formats/audit/npm-audit-enolock.json", "npm-audit"),
        ("formats/audit/pip-audit-several.json", "pip-audit"),
        ("formats/audit/pip-audit-offline.json", "pip-audit"),
        ("formats/audit/safety-check-several.json", "safety"),
        ("formats/audit/safety-check-clean.json", "safety"),
        ("formats/audit/safety-scan-several.json", "safety"),
        ("formats/audit/cargo-audit-several.json", "cargo-audit"),
        ("formats/audit/cargo-audit-clean.json", "cargo-audit"),
        ("formats/python/bandit-several.json", "bandit"),
        ("formats/python/bandit-missing-path.json", "bandit"),
        ("formats/python/pylint-several.json", "pylint"),
        ("formats/python/pylint-clean.json", "pylint"),
        ("formats/python/pylint-json2-several.json", "pylint"),
        ("formats/python/mypy-several.txt", "mypy"),
        ("formats/python/mypy-clean.txt", "mypy"),
        ("formats/python/mypy-several.jsonl", "mypy"),
        ("formats/sarif_ruff.sarif", "sarif"),
        ("formats/junit_pytest.xml", "junit"),
        ("formats/cargo_clippy_warnings.jsonl", "cargo"),
    ];
    for (path, expected) in cases {
        assert_eq!(name(&fixture(path)), Ok(expected), "{path}");
    }
}

#[test]
fn strangers_are_described() {
    assert_eq!(name(b"  \n"), Err("an empty report".into()));
    assert_eq!(
        name(br#"{"name": "x", "version": "1.0.0"}"#),
        Err("JSON with keys name, version".into())
    );
    assert_eq!(
        name(b"{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6}"),
        Err("JSON with keys a, b, c, d, e, …".into())
    );
    assert_eq!(
        name(b"<!DOCTYPE html><html><body>502</body></html>"),
        Err("an HTML page".into())
    );
    assert_eq!(
        name(b"Traceback (most recent call last):\n  File \"x\", line 1\n"),
        Err("text starting `Traceback (most recent call last):`".into())
    );
    let lcov = fixture("metrics/lcov/c8.info");
    assert!(name(&lcov).unwrap_err().contains("coverage metric"));
    assert!(name(b"{\"a\": ")
        .unwrap_err()
        .starts_with("JSON that does not parse"));
}
