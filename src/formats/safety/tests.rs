use super::*;
use crate::domain::finding::assign_fingerprints;
use crate::domain::finding::Severity::{Critical, High, Low, Medium};
use std::path::Path;

fn read(text: &str) -> Result<Vec<Finding>, String> {
    let ctx = ParseContext {
        default_severity: Low,
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

fn rows(findings: &[Finding]) -> Vec<(String, String, Severity, Option<String>)> {
    findings
        .iter()
        .map(|f| {
            let dep = f
                .dependency
                .as_ref()
                .map(|d| d.summary())
                .unwrap_or_default();
            (f.rule.clone(), dep, f.severity, f.path.clone())
        })
        .collect()
}

#[test]
fn check_report_with_cvss_severities_and_the_requirements_file() {
    let findings = read(&fixture("safety-check-several.json")).unwrap_or_else(|e| panic!("{e}"));
    let req = Some("requirements.txt".to_string());
    assert_eq!(
        rows(&findings),
        [
            (
                "PYUP-36546".into(),
                "requests 2.19.1 → 2.20.0".into(),
                Critical,
                req.clone()
            ),
            (
                "PYUP-58755".into(),
                "requests 2.19.1 → 2.31.0".into(),
                Medium,
                req.clone()
            ),
            (
                "PYUP-37055".into(),
                "urllib3 1.23 → 1.24.2".into(),
                High,
                req.clone()
            ),
            (
                "PYUP-61601".into(),
                "urllib3 1.23 → 1.26.17 or 2.0.6".into(),
                High,
                req.clone()
            ),
            (
                "PYUP-62044".into(),
                "pip 23.2 → 23.3".into(),
                High,
                req.clone()
            ),
            ("PYUP-51457".into(), "py 1.11.0 → no fix".into(), High, req),
        ]
    );
    assert_eq!(
        findings[0].dependency.as_ref().map(|d| d.aliases.clone()),
        Some(vec!["CVE-2018-18074".to_string()])
    );
    assert_eq!(
        findings[0].message,
        "The Requests package before 2.20.0 for Python sends an HTTP Authorization header to an http URI upon receiving a same-hostname https-to-http redirect.\nhttps://data.safetycli.com/v/36546/eda"
    );
}

#[test]
fn check_report_upgrade_keeps_still_affected_issues() {
    let mut before = read(&fixture("safety-check-several.json")).unwrap_or_default();
    let mut after = read(&fixture("safety-check-upgraded.json")).unwrap_or_default();
    assign_fingerprints("safety", &mut before, |_, _| None);
    assign_fingerprints("safety", &mut after, |_, _| None);
    let gone: Vec<&str> = before
        .iter()
        .filter(|b| after.iter().all(|a| a.fingerprint != b.fingerprint))
        .map(|b| b.rule.as_str())
        .collect();
    assert_eq!(gone, ["PYUP-36546"], "requests 2.20.0 fixes only 36546");
    let kept = after.iter().find(|a| a.rule == "PYUP-58755");
    assert_eq!(
        kept.and_then(|f| f.dependency.as_ref())
            .and_then(|d| d.version.as_deref()),
        Some("2.20.0")
    );
}

#[test]
fn clean_check_report_has_no_findings() {
    assert_eq!(read(&fixture("safety-check-clean.json")), Ok(vec![]));
}

#[test]
fn scan_report_reads_ids_versions_and_recommendations_and_skips_ignored() {
    let findings = read(&fixture("safety-scan-several.json")).unwrap_or_else(|e| panic!("{e}"));
    let req = Some("requirements.txt".to_string());
    assert_eq!(
        rows(&findings),
        [
            (
                "PYUP-36546".into(),
                "requests 2.19.1 → 2.32.3 or 2.31.0".into(),
                Low,
                req.clone()
            ),
            (
                "PYUP-58755".into(),
                "requests 2.19.1 → 2.32.3 or 2.31.0".into(),
                Low,
                req.clone()
            ),
            (
                "PYUP-61601".into(),
                "urllib3 1.23 → 1.26.19 or 2.2.2".into(),
                Low,
                req.clone()
            ),
            (
                "PYUP-62044".into(),
                "pip 23.2 → 24.0".into(),
                Low,
                req.clone()
            ),
            ("PYUP-51457".into(), "py 1.11.0 → no fix".into(), Low, req),
        ]
    );
    assert_eq!(findings[4].message, "py >0 has a known vulnerability");
}

#[test]
fn strangers_are_not_read_as_safety() {
    assert_eq!(
        read(r#"{"report_meta": {}}"#),
        Err(
            "safety printed JSON without `vulnerabilities` or `scan_results`: not a safety report"
                .into()
        )
    );
    assert_eq!(read("\n"), Err("safety printed no report".into()));
    let offline = fixture("safety-check-offline.stderr.txt");
    assert!(read(&offline)
        .unwrap_err()
        .starts_with("safety report is not valid JSON"));
}

#[test]
fn environment_scans_are_not_located_in_site_packages() {
    let env = r#"{"report_meta": {}, "affected_packages": {"jinja2": {"found": "/usr/lib/python3/site-packages"}},
      "vulnerabilities": [{"vulnerability_id": "70612", "package_name": "jinja2", "analyzed_version": "3.1.2",
      "advisory": "Jinja2 is vulnerable to Server Side Template Injection.", "fixed_versions": [], "CVE": "CVE-2019-8341, CVE-2016-10745", "severity": null, "ignored": {}}]}"#;
    let findings = read(env).unwrap_or_default();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].path, None);
    assert_eq!(findings[0].severity, Low, "no CVSS: the check's severity");
    assert_eq!(
        findings[0].dependency.as_ref().map(|d| d.aliases.clone()),
        Some(vec![
            "CVE-2019-8341".to_string(),
            "CVE-2016-10745".to_string()
        ])
    );
}
