//! Dependency audits and Python analysers end to end: the real binary runs a check
//! that prints a recorded report, files its findings, judges a scoped gate, and
//! follows an upgrade.

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
        .display()
        .to_string()
}

fn config(audit_report: &str) -> String {
    format!(
        r#"
[[check]]
id = "audit"
run = "cat '{}'; exit 1"
format = "cargo-audit"

[[gate]]
id = "security"
name = "Security scan: no critical or high issue"
checks = ["audit"]
max_open = {{ critical = 0, high = 0 }}
"#,
        fixture(audit_report),
    )
}

fn gate_json(sb: &Sandbox) -> (i32, Value) {
    let (code, out, err) = output_of(&mut sb.cmd(&["gate", "--json"]));
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json)
}

fn issues(sb: &Sandbox) -> Vec<Value> {
    let (code, out, err) = output_of(&mut sb.cmd(&["issue", "list", "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn by_package<'a>(issues: &'a [Value], package: &str) -> &'a Value {
    issues
        .iter()
        .find(|i| i["finding"]["package"] == package)
        .unwrap_or_else(|| panic!("no issue for {package}: {issues:?}"))
}

#[test]
fn an_audit_files_advisories_a_scoped_gate_blocks_and_an_upgrade_verifies() {
    let sb = Sandbox::with_config(&config("audit/cargo-audit-several.json"));
    sb.trust();
    let (code, json) = gate_json(&sb);
    assert_eq!(code, 1, "{json}");
    let security = &json["gates"][0];
    assert_eq!(security["passed"], false);
    let reason = security["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("1 open critical: PF-") && reason.ends_with("(from audit)"),
        "{reason}"
    );

    let filed = issues(&sb);
    assert_eq!(filed.len(), 4, "{filed:?}");
    let time = by_package(&filed, "time");
    assert_eq!(time["finding"]["version"], "0.1.43, 0.2.22");
    assert_eq!(time["finding"]["fixed"][0], ">=0.2.23");
    assert_eq!(time["finding"]["path"], "Cargo.lock");
    let rsa_id = by_package(&filed, "rsa")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let (code, out, _) = output_of(&mut sb.cmd(&["issue", "show", &rsa_id]));
    assert_eq!(code, 0);
    assert!(out.contains("   package: rsa 0.9.6 → no fix\n"), "{out}");
    assert!(
        out.contains("   aliases: CVE-2023-49092, GHSA-c38w-74pg-36hr"),
        "{out}"
    );

    // Left untriaged (`new`): an advisory that goes away verifies itself all the same.
    // The lockfile is upgraded: smallvec past its advisory, rsa still affected.
    sb.write("preflight.toml", &config("audit/cargo-audit-upgraded.json"));
    sb.trust();
    let (_, json) = gate_json(&sb);
    assert_eq!(json["gates"][0]["passed"], true, "{json}");
    let after = issues(&sb);
    assert_eq!(after.len(), 4, "an upgrade files nothing new");
    assert_eq!(by_package(&after, "smallvec")["status"], "verified");
    let rsa = by_package(&after, "rsa");
    assert_eq!(rsa["id"], rsa_id.as_str(), "the same issue");
    assert_eq!(rsa["finding"]["version"], "0.9.7");
    assert_eq!(by_package(&after, "time")["finding"]["version"], "0.1.43");
}

#[test]
fn an_audit_that_could_not_reach_its_advisories_blocks_the_gate_with_the_reason() {
    let sb = Sandbox::with_config(&format!(
        r#"
[[check]]
id = "audit"
run = "cat '{}'; echo 'No known vulnerabilities found' >&2"
format = "pip-audit"

[[gate]]
id = "security"
checks = ["audit"]
max_open = {{ critical = 0, high = 0 }}
"#,
        fixture("audit/pip-audit-offline.json")
    ));
    sb.trust();
    let (code, json) = gate_json(&sb);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["gates"][0]["reason"]
            .as_str()
            .map(|r| r.starts_with("audit could not run")),
        Some(true),
        "{json}"
    );
    let (code, out, _) = output_of(&mut sb.cmd(&["check", "--json"]));
    assert_eq!(code, 1);
    let run: Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(run["checks"][0]["status"], "error");
    assert!(run["checks"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .contains("pip-audit audited none of the 5 dependencies"));
    assert!(issues(&sb).is_empty());
}

#[test]
fn a_report_without_format_is_recognised_or_named() {
    let sb = Sandbox::with_config(&format!(
        r#"
[[check]]
id = "bandit"
run = "cp '{}' bandit.json"
report = "bandit.json"

[[check]]
id = "stranger"
run = "echo '{{\"name\": \"x\"}}' > out.json"
report = "out.json"
"#,
        fixture("python/bandit-several.json")
    ));
    sb.write("app.py", "import pickle\n");
    sb.trust();
    let (_, out, _) = output_of(&mut sb.cmd(&["check", "--json"]));
    let run: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let bandit = &run["checks"][0];
    assert_eq!(bandit["status"], "failed");
    assert_eq!(bandit["findings"].as_array().map(Vec::len), Some(9));
    assert_eq!(bandit["findings"][3]["rule"], "B602");
    assert_eq!(bandit["findings"][3]["confidence"], "high");
    let stranger = &run["checks"][1];
    assert_eq!(stranger["status"], "error");
    assert_eq!(
        stranger["error"],
        "out.json: not a report preflight reads (it looks like JSON with keys name); name its format with `format = \"…\"`: sarif, junit, npm-audit, pip-audit, safety, cargo-audit, bandit, pylint, mypy, cargo"
    );
}
