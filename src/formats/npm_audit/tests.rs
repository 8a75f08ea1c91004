use super::*;
use crate::domain::finding::Severity::{self, Critical, High, Medium};
use std::path::Path;

const SEVERAL: &str = include_str!("../../../tests/fixtures/formats/audit/npm-audit-several.json");
const LOCK: &str =
    include_str!("../../../tests/fixtures/formats/audit/npm-several-package-lock.json");

fn ctx() -> ParseContext<'static> {
    ParseContext {
        default_severity: Severity::Low,
        root: Path::new("/home/dev/demo-web"),
    }
}

fn read(text: &str) -> Result<Vec<Finding>, String> {
    parse(text.as_bytes(), &ctx())
}

/// (rule, package, version summary, severity) of each finding.
fn rows(findings: &[Finding]) -> Vec<(String, String, Severity)> {
    findings
        .iter()
        .map(|f| {
            let dep = f
                .dependency
                .as_ref()
                .map(|d| d.summary())
                .unwrap_or_default();
            (f.rule.clone(), dep, f.severity)
        })
        .collect()
}

#[test]
fn several_advisories_become_one_finding_each_per_package() {
    let mut findings = read(SEVERAL).unwrap_or_else(|e| panic!("{e}"));
    fill_versions(&mut findings, LOCK.as_bytes());
    let expected = vec![
        (
            "GHSA-2p57-rm9w-gvfp".into(),
            "ip 2.0.1 → no fix".into(),
            High,
        ),
        (
            "GHSA-35jh-r3h4-6jhm".into(),
            "lodash 4.17.20 → 4.17.21".into(),
            High,
        ),
        (
            "GHSA-29mw-wpgm-hmr9".into(),
            "lodash 4.17.20 → 4.17.21".into(),
            Medium,
        ),
        (
            "GHSA-xvch-5gv4-984h".into(),
            "minimist 1.2.5, 0.0.8 → 0.2.4 or 1.2.6".into(),
            Critical,
        ),
        (
            "GHSA-7fh5-64p2-3v2j".into(),
            "postcss 8.4.20 → 8.4.31".into(),
            Medium,
        ),
        (
            "GHSA-7fh5-64p2-3v2j".into(),
            "postcss-safe 1.0.0 → 1.0.1".into(),
            Medium,
        ),
    ];
    assert_eq!(rows(&findings), expected);
    let lodash = &findings[1];
    assert_eq!(lodash.path.as_deref(), Some("package-lock.json"));
    assert_eq!(lodash.line, None);
    assert_eq!(
        lodash.message,
        "Command Injection in lodash\nhttps://github.com/advisories/GHSA-35jh-r3h4-6jhm"
    );
}

#[test]
fn a_package_vulnerable_only_through_another_is_not_a_finding() {
    let findings = read(SEVERAL).unwrap_or_default();
    assert!(findings.iter().all(
        |f| f.dependency.as_ref().map(|d| d.package.as_str()) != Some("lodash.template-helper")
    ));
}

#[test]
fn one_advisory_in_two_packages_has_two_fingerprints() {
    let mut findings = read(SEVERAL).unwrap_or_default();
    crate::domain::finding::assign_fingerprints("audit", &mut findings, |_, _| None);
    let postcss: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "GHSA-7fh5-64p2-3v2j")
        .collect();
    assert_eq!(postcss.len(), 2);
    assert_ne!(postcss[0].fingerprint, postcss[1].fingerprint);
}

#[test]
fn a_clean_report_has_no_findings() {
    let clean = include_str!("../../../tests/fixtures/formats/audit/npm-audit-clean.json");
    assert_eq!(read(clean), Ok(vec![]));
}

#[test]
fn the_unreachable_advisory_service_is_an_error_not_a_pass() {
    let offline = include_str!("../../../tests/fixtures/formats/audit/npm-audit-offline-405.json");
    assert_eq!(
        read(offline),
        Err("npm audit could not get advisories (HTTP 405): 405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk; the advisory service is out of reach, nothing was audited".into())
    );
}

#[test]
fn a_missing_lockfile_is_an_error_with_npm_reason() {
    let enolock = include_str!("../../../tests/fixtures/formats/audit/npm-audit-enolock.json");
    assert_eq!(
        read(enolock),
        Err("npm audit failed (ENOLOCK): This command requires an existing lockfile.: Try creating one first with: npm i --package-lock-only".into())
    );
}

#[test]
fn npm_6_reports_and_strangers_are_named() {
    let six = r#"{"actions":[],"advisories":{"1523":{"module_name":"lodash"}},"metadata":{}}"#;
    assert!(read(six).unwrap_err().contains("npm 6"));
    assert_eq!(
        read("{\"name\":\"x\"}"),
        Err("npm audit printed JSON without `vulnerabilities`: not an audit report".into())
    );
    assert_eq!(read("  \n"), Err("npm audit printed no report".into()));
    assert!(read("npm ERR! oops")
        .unwrap_err()
        .starts_with("npm audit report is not valid JSON"));
}

#[test]
fn fixed_versions_from_vulnerable_ranges() {
    assert_eq!(fixed_from_range("<4.17.21"), ["4.17.21"]);
    assert_eq!(
        fixed_from_range(">=2.0.0 <2.0.3 || >=3.0.0 <3.0.1"),
        ["2.0.3", "3.0.1"]
    );
    assert!(fixed_from_range("<=2.0.1").is_empty());
    assert!(fixed_from_range("*").is_empty());
    assert_eq!(fixed_from_range("<1.0.0 || >=2.0.0"), ["1.0.0"]);
}

#[test]
fn versions_from_a_version_1_lockfile() {
    let mut findings = read(SEVERAL).unwrap_or_default();
    let v1 = r#"{"lockfileVersion":1,"dependencies":{"minimist":{"version":"1.2.5"},"mkdirp":{"version":"0.5.1","dependencies":{"minimist":{"version":"0.0.8"}}}}}"#;
    fill_versions(&mut findings, v1.as_bytes());
    let minimist = findings.iter().find(|f| f.rule == "GHSA-xvch-5gv4-984h");
    assert_eq!(
        minimist
            .and_then(|f| f.dependency.as_ref())
            .and_then(|d| d.version.clone()),
        Some("1.2.5, 0.0.8".into())
    );
    let ip = findings.iter().find(|f| f.rule == "GHSA-2p57-rm9w-gvfp");
    assert_eq!(
        ip.and_then(|f| f.dependency.as_ref())
            .and_then(|d| d.version.clone()),
        None
    );
}
