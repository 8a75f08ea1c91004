//! `preflight ingest` through the real binary, on the real report fixtures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
        .display()
        .to_string()
}

const CONFIG: &str = r#"
[[check]]
id = "test"
run = "pytest --junitxml=junit.xml"
format = "junit"
report = "junit.xml"

[[check]]
id = "semgrep"
run = "semgrep --sarif -o semgrep.sarif"
format = "sarif"
report = "semgrep.sarif"

[[gate]]
id = "green"
checks = ["test"]
"#;

#[test]
fn a_junit_artifact_files_its_failures_and_feeds_the_gate() {
    let sb = Sandbox::with_config(CONFIG);
    let (code, out, err) =
        output_of(&mut sb.cmd(&["ingest", &fixture("junit_pytest.xml"), "--check", "test"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("as a test run made 2024-05-14T09:31:07Z (by its own timestamp)"),
        "{out}"
    );
    assert!(out.contains("2 findings · register: 2 new"), "{out}");
    assert_eq!(sb.issues().len(), 2);
    // The ingested run is the check's last run: the gate judges it, running nothing.
    let (code, out, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL  green") && out.contains("test failed"),
        "{out}"
    );

    // Triaged, then a passing report from a later run verifies both.
    for issue in sb.issues() {
        sb.cmd(&["issue", "set", issue["id"].as_str().unwrap(), "status=open"])
            .assert()
            .success();
    }
    let (code, out, err) = output_of(&mut sb.cmd(&[
        "ingest",
        &fixture("junit_all_passing.xml"),
        "--check",
        "test",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("register: 2 verified"), "{out}");
    let (code, _, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 0);

    // The older report again: refused, one line, exit 2, nothing filed.
    let (code, out, err) =
        output_of(&mut sb.cmd(&["ingest", &fixture("junit_pytest.xml"), "--check", "test"]));
    assert_eq!(code, 2, "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("refused") && err.contains("--force"), "{err}");
    let verified = sb
        .issues()
        .iter()
        .filter(|i| i["status"] == "verified")
        .count();
    assert_eq!(verified, 2);
}

#[test]
fn sarif_from_the_fixtures_and_bad_reports() {
    let sb = Sandbox::with_config(CONFIG);
    let (code, out, err) = output_of(&mut sb.cmd(&[
        "ingest",
        &fixture("sarif_codeql.sarif"),
        "--check",
        "semgrep",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("by the file's modification time"), "{out}");
    let issues = sb.issues();
    assert!(!issues.is_empty());
    assert!(issues.iter().all(|i| i["finding"]["check"] == "semgrep"));
    for (file, check, expected) in [
        (fixture("not_sarif.json"), "semgrep", "not_sarif.json"),
        (
            fixture("junit_not_junit.xml"),
            "test",
            "junit_not_junit.xml",
        ),
        (fixture("missing.sarif"), "semgrep", "missing.sarif"),
        (fixture("sarif_ruff.sarif"), "nope", "no check `nope`"),
    ] {
        let (code, _, err) = output_of(&mut sb.cmd(&["ingest", &file, "--check", check]));
        assert_eq!(code, 2, "{file}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{err}");
    }
}
