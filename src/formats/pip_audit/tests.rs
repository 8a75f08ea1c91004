use super::*;
use crate::domain::finding::{assign_fingerprints, Severity};
use std::path::Path;

fn read(text: &str) -> Result<Vec<Finding>, String> {
    let ctx = ParseContext {
        default_severity: Severity::High,
        root: Path::new("/home/dev/demo-service"),
    };
    parse(text.as_bytes(), &ctx)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/audit")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn summaries(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let dep = f
                .dependency
                .as_ref()
                .map(|d| d.summary())
                .unwrap_or_default();
            format!("{} {dep}", f.rule)
        })
        .collect()
}

#[test]
fn several_advisories_with_their_aliases_and_fixes() {
    let findings = read(&fixture("pip-audit-several.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        summaries(&findings),
        [
            "PYSEC-2018-28 requests 2.19.1 → 2.20.0",
            "PYSEC-2023-74 requests 2.19.1 → 2.31.0",
            "GHSA-v845-jxx5-vc9f urllib3 1.23 → 1.26.17 or 2.0.6",
            "GHSA-v845-jxx5-vc9f pip 23.2 → 23.3",
            "PYSEC-2022-42969 py 1.11.0 → no fix",
        ]
    );
    let first = &findings[0];
    assert_eq!(
        first.severity,
        Severity::High,
        "pip-audit gives none: the check's"
    );
    assert_eq!(first.path, None, "the runner finds the manifest");
    assert_eq!(
        first.dependency.as_ref().map(|d| d.aliases.clone()),
        Some(vec![
            "CVE-2018-18074".to_string(),
            "GHSA-x84v-xcm2-53pg".to_string()
        ])
    );
    assert!(first
        .message
        .starts_with("The Requests package before 2.20.0"));
}

#[test]
fn an_upgrade_still_affected_keeps_its_fingerprint_and_one_past_it_is_gone() {
    let mut before = read(&fixture("pip-audit-several.json")).unwrap_or_default();
    let mut after = read(&fixture("pip-audit-upgraded.json")).unwrap_or_default();
    assign_fingerprints("audit", &mut before, |_, _| None);
    assign_fingerprints("audit", &mut after, |_, _| None);
    let proxy_leak = |fs: &[Finding]| {
        fs.iter().find(|f| f.rule == "PYSEC-2023-74").map(|f| {
            (
                f.fingerprint.clone(),
                f.dependency.as_ref().and_then(|d| d.version.clone()),
            )
        })
    };
    let (was, was_version) = proxy_leak(&before).unwrap_or_default();
    let (now, now_version) = proxy_leak(&after).unwrap_or_default();
    assert_eq!(
        was, now,
        "requests 2.19.1 → 2.20.0 is still affected: same issue"
    );
    assert_eq!(
        (was_version.as_deref(), now_version.as_deref()),
        (Some("2.19.1"), Some("2.20.0"))
    );
    let gone: Vec<&str> = before
        .iter()
        .filter(|b| after.iter().all(|a| a.fingerprint != b.fingerprint))
        .map(|b| b.rule.as_str())
        .collect();
    assert_eq!(gone, ["PYSEC-2018-28", "GHSA-v845-jxx5-vc9f"]);
}

#[test]
fn a_clean_audit_has_no_findings() {
    assert_eq!(read(&fixture("pip-audit-clean.json")), Ok(vec![]));
    assert_eq!(read(r#"{"dependencies": [], "fixes": []}"#), Ok(vec![]));
}

#[test]
fn every_dependency_skipped_is_an_error_not_a_pass() {
    assert_eq!(
        read(&fixture("pip-audit-offline.json")),
        Err("pip-audit audited none of the 5 dependencies, every one was skipped (first: Dependency not found on PyPI and could not be audited: requests (2.19.1)); the vulnerability service may be out of reach".into())
    );
}

#[test]
fn the_old_bare_list_and_strangers() {
    let old = r#"[{"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"]}]}]"#;
    assert_eq!(
        summaries(&read(old).unwrap_or_default()),
        ["PYSEC-2019-217 jinja2 2.10 → 2.10.1"]
    );
    assert_eq!(
        read(r#"{"vulnerabilities": []}"#),
        Err("pip-audit printed JSON without `dependencies`: not an audit report".into())
    );
    assert_eq!(read(""), Err("pip-audit printed no report".into()));
}
