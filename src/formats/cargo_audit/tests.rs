use super::*;
use crate::domain::finding::assign_fingerprints;
use crate::domain::finding::Severity::{Critical, High, Low, Medium};
use std::path::Path;

fn read(text: &str) -> Result<Vec<Finding>, String> {
    let ctx = ParseContext {
        default_severity: High,
        root: Path::new("/home/dev/demo-svc"),
    };
    parse(text.as_bytes(), &ctx)
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/audit")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

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
fn vulnerabilities_and_warnings_with_cvss_severity() {
    let findings = read(&fixture("cargo-audit-several.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows(&findings),
        [
            (
                "RUSTSEC-2023-0071".into(),
                "rsa 0.9.6 → no fix".into(),
                Medium
            ),
            (
                "RUSTSEC-2021-0003".into(),
                "smallvec 1.6.0 → ^0.6.14 or >=1.6.1".into(),
                Critical
            ),
            (
                "RUSTSEC-2020-0071".into(),
                "time 0.1.43, 0.2.22 → >=0.2.23".into(),
                Medium
            ),
            (
                "RUSTSEC-2021-0139".into(),
                "ansi_term 0.12.1 → no fix".into(),
                Low
            ),
        ]
    );
    let rsa = &findings[0];
    assert_eq!(rsa.path.as_deref(), Some("Cargo.lock"));
    assert_eq!(
        rsa.dependency.as_ref().map(|d| d.aliases.clone()),
        Some(vec![
            "CVE-2023-49092".to_string(),
            "GHSA-c38w-74pg-36hr".to_string(),
            "GHSA-4grx-2x9w-596c".to_string()
        ])
    );
    assert!(rsa
        .message
        .starts_with("Marvin Attack: potential key recovery through timing sidechannels\n"));
    assert!(findings[3].message.contains("\nwarning: unmaintained\n"));
}

#[test]
fn across_an_upgrade_fixed_advisories_go_and_still_affected_ones_stay() {
    let mut before = read(&fixture("cargo-audit-several.json")).unwrap_or_default();
    let mut after = read(&fixture("cargo-audit-upgraded.json")).unwrap_or_default();
    assign_fingerprints("audit", &mut before, |_, _| None);
    assign_fingerprints("audit", &mut after, |_, _| None);
    let gone: Vec<&str> = before
        .iter()
        .filter(|b| after.iter().all(|a| a.fingerprint != b.fingerprint))
        .map(|b| b.rule.as_str())
        .collect();
    assert_eq!(gone, ["RUSTSEC-2021-0003"], "smallvec 1.6.1 is patched");
    let version = |fs: &[Finding], rule: &str| {
        fs.iter()
            .find(|f| f.rule == rule)
            .and_then(|f| f.dependency.as_ref())
            .and_then(|d| d.version.clone())
    };
    assert_eq!(
        version(&after, "RUSTSEC-2023-0071").as_deref(),
        Some("0.9.7")
    );
    assert_eq!(
        version(&after, "RUSTSEC-2020-0071").as_deref(),
        Some("0.1.43"),
        "time 0.2.27 is patched, 0.1.43 is still there"
    );
}

#[test]
fn a_clean_lockfile_has_no_findings() {
    assert_eq!(read(&fixture("cargo-audit-clean.json")), Ok(vec![]));
}

#[test]
fn yanked_and_unsound_warnings() {
    let text = r#"{"database":{"advisory-count":1},"lockfile":{"dependency-count":3},
      "vulnerabilities":{"found":false,"count":0,"list":[]},
      "warnings":{
        "yanked":[{"kind":"yanked","package":{"name":"futures-util","version":"0.3.29"},"advisory":null,"affected":null,"versions":null}],
        "unsound":[{"kind":"unsound","package":{"name":"atty","version":"0.2.14"},"advisory":{"id":"RUSTSEC-2021-0145","title":"Potential unaligned read","aliases":["GHSA-g98v-hv3f-hcfr"],"cvss":null,"informational":"unsound"},"versions":{"patched":[],"unaffected":[]}}]}}"#;
    assert_eq!(
        rows(&read(text).unwrap_or_default()),
        [
            (
                "RUSTSEC-2021-0145".into(),
                "atty 0.2.14 → no fix".into(),
                Medium
            ),
            ("yanked".into(), "futures-util 0.3.29 → no fix".into(), Low),
        ]
    );
}

#[test]
fn the_unreachable_database_leaves_no_report() {
    let offline = fixture("cargo-audit-offline.stderr.txt");
    assert!(offline.starts_with("error: couldn't fetch advisory database"));
    assert_eq!(read(""), Err("cargo audit printed no report".into()));
    assert_eq!(
        read("{\"database\":{}}"),
        Err("cargo audit printed JSON without `vulnerabilities`: not an audit report".into())
    );
}

#[test]
fn the_register_across_an_upgrade_verifies_the_fixed_and_follows_the_still_affected() {
    use crate::domain::issue::{reconcile, Actor, Issue, RunFacts, Status};
    use std::collections::BTreeMap;
    let actor = Actor {
        by: "ana".into(),
        at: "2026-11-30T10:00:00Z".into(),
        today: "2026-11-30".into(),
    };
    let map = BTreeMap::new();
    let facts = |commit| RunFacts {
        check: "audit",
        judged: true,
        commit,
        severity_map: &map,
    };
    let mut n = 0;
    let mut new_id = move || {
        n += 1;
        format!("PF-{n}")
    };
    let mut before = read(&fixture("cargo-audit-several.json")).unwrap_or_default();
    assign_fingerprints("audit", &mut before, |_, _| None);
    let mut register: Vec<Issue> =
        reconcile(&[], &facts("aaa1111"), &before, &actor, &mut new_id).created;
    for issue in &mut register {
        issue.status = Status::Open;
    }
    let rsa = register
        .iter()
        .find(|i| i.title.starts_with("rsa RUSTSEC-2023-0071: Marvin Attack"))
        .map(|i| i.id.clone())
        .unwrap_or_default();
    let link = register
        .iter()
        .find(|i| i.id == rsa)
        .and_then(|i| i.finding.clone())
        .unwrap_or_default();
    assert_eq!(
        link.dependency_summary().as_deref(),
        Some("rsa 0.9.6 → no fix")
    );
    assert_eq!(link.aliases.len(), 3);

    let mut after = read(&fixture("cargo-audit-upgraded.json")).unwrap_or_default();
    assign_fingerprints("audit", &mut after, |_, _| None);
    let out = reconcile(&register, &facts("bbb2222"), &after, &actor, &mut new_id);
    assert!(out.created.is_empty(), "an upgrade files nothing new");
    let changed = |title: &str| out.changed.iter().find(|i| i.title.starts_with(title));
    let smallvec = changed("smallvec RUSTSEC-2021-0003").map(|i| i.status);
    assert_eq!(smallvec, Some(Status::Verified));
    let rsa_now = changed("rsa RUSTSEC-2023-0071")
        .cloned()
        .unwrap_or_else(|| panic!("rsa changed"));
    assert_eq!(rsa_now.status, Status::Open);
    assert_eq!(
        rsa_now
            .finding
            .as_ref()
            .and_then(|f| f.dependency_summary())
            .as_deref(),
        Some("rsa 0.9.7 → no fix")
    );
    assert_eq!(
        rsa_now.history.last().map(|h| h.change.as_str()),
        Some("still affected: rsa went from 0.9.6 to 0.9.7")
    );
}
