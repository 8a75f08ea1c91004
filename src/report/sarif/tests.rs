//! The schema, tests/fixtures/sarif-schema-2.1.0.json, is the published OASIS SARIF
//! 2.1.0 schema (errata 01), vendored from oasis-tcs/sarif-spec (sarif-2.1/schema/).

use super::*;
use crate::domain::baseline::Entry;
use crate::domain::issue::{Actor, FindingLink, Status};

fn actor() -> Actor {
    Actor {
        by: "ana".into(),
        at: "2026-11-22T10:00:00Z".into(),
        today: "2026-11-22".into(),
    }
}

fn finding(id: &str, severity: Severity, path: Option<&str>, line: Option<u32>, fp: &str) -> Issue {
    let mut issue = Issue::new(
        id.into(),
        format!("{id}: finding"),
        severity,
        Status::Open,
        &actor(),
    );
    issue.finding = Some(FindingLink {
        check: "semgrep".into(),
        rule: "python.django.debug".into(),
        path: path.map(str::to_owned),
        line,
        fingerprint: fp.into(),
        first_seen: "3f2a1c9".into(),
        last_seen: "3f2a1c9".into(),
        ..Default::default()
    });
    issue
}

fn register() -> Vec<Issue> {
    let mut manual = Issue::new(
        "PF-3F9K2A".into(),
        "Cache disk I/O | failure <cascades>".into(),
        Severity::Critical,
        Status::InProgress,
        &actor(),
    );
    manual.blocker = true;
    manual.owner = Some("sarah".into());
    let mut dismissed = finding("PF-DISMIS", Severity::High, Some("a.py"), Some(1), "ffff");
    dismissed.status = Status::Dismissed;
    vec![
        finding(
            "PF-AAAAAA",
            Severity::High,
            Some("app/settings.py"),
            Some(26),
            "9c1e0f7a52b3d846",
        ),
        finding(
            "PF-BBBBBB",
            Severity::Low,
            Some("scripts/deploy tools/run#1.sh"),
            None,
            "0a0b",
        ),
        finding("PF-CCCCCC", Severity::Medium, None, None, "0c0d"),
        manual,
        dismissed,
    ]
}

fn schema_errors(log: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_open_register_is_valid_sarif_2_1_0() {
    let issues = register();
    let baseline = Baseline::from_entries(Entry::of(&issues[0]));
    let log = build(&Inputs {
        issues: &issues,
        baseline: &baseline,
        version: "0.1.0",
        commit: Some("3f2a1c9"),
        branch: Some("main"),
    });
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "open issues only");
    let by_id = |id: &str| {
        results
            .iter()
            .find(|r| r["properties"]["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let high = by_id("PF-AAAAAA");
    assert_eq!(high["level"], "error");
    assert_eq!(high["ruleId"], "semgrep/python.django.debug");
    assert_eq!(
        high["partialFingerprints"][FINGERPRINT_KEY],
        "9c1e0f7a52b3d846"
    );
    assert_eq!(high["baselineState"], "unchanged");
    let place = &high["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "app/settings.py");
    assert_eq!(place["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(place["region"]["startLine"], 26);
    let low = by_id("PF-BBBBBB");
    assert_eq!(low["level"], "note");
    assert_eq!(low["baselineState"], "new");
    assert_eq!(
        low["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "scripts/deploy%20tools/run%231.sh"
    );
    assert!(low["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
    assert_eq!(by_id("PF-CCCCCC")["level"], "warning");
    let manual = by_id("PF-3F9K2A");
    assert_eq!(manual["ruleId"], MANUAL_RULE);
    assert_eq!(
        manual["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".preflight/issues/PF-3F9K2A.toml",
        "an issue filed by hand points at its file"
    );
    assert_eq!(manual["partialFingerprints"][FINGERPRINT_KEY], "PF-3F9K2A");
    // Every ruleIndex points at its rule.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    assert_eq!(rules.len(), 2);
    assert_eq!(
        rules
            .iter()
            .find(|r| r["id"] == "semgrep/python.django.debug")
            .unwrap()["defaultConfiguration"]["level"],
        "error",
        "the most severe of its results"
    );
}

#[test]
fn an_empty_register_and_hostile_text_stay_valid() {
    let empty = build(&Inputs {
        issues: &[],
        baseline: &Baseline::empty(),
        version: "0.1.0",
        commit: None,
        branch: None,
    });
    assert!(schema_errors(&empty).is_empty());
    let mut odd = finding(
        "PF-ODD000",
        Severity::Info,
        Some("/abs/x y.rs"),
        Some(0),
        "00",
    );
    odd.title = "\u{1b}[2J\n".into();
    let log = build(&Inputs {
        issues: &[odd],
        baseline: &Baseline::empty(),
        version: "0.1.0",
        commit: None,
        branch: None,
    });
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "{errors:#?}");
    let place = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "file:///abs/x%20y.rs");
    assert!(place.get("region").is_none(), "line 0 is no line");
    // The schema test itself can fail: a broken log is caught.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&broken).is_empty());
}
