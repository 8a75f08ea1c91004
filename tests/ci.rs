//! What CI reads: `gate --format github` (workflow commands, step summary) and
//! `report --format sarif` (validated against the vendored SARIF 2.1.0 schema), through
//! the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;

const CONFIG: &str = r#"
[[check]]
id = "lint"
run = "printf 'src/db,main.rs:4: W1 unused import: Pool\n'"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>\w+) (?P<message>.*)$'
severity = "high"

[[gate]]
id = "no-high"
name = "No open high"
max_open = { high = 0 }

[[gate]]
id = "blockers"
blockers = 0
"#;

fn sandbox() -> Sandbox {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/db,main.rs", "use std::io;\n\n\nuse pool::Pool;\n");
    sb.new_issue(&[
        "--title",
        "Cache: disk I/O fails, 100% of the time\u{1b}[2J",
        "--severity",
        "critical",
        "--blocker",
    ]);
    sb
}

#[test]
fn gate_speaks_github_actions() {
    let sb = sandbox();
    let summary = sb.home.join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let (code, _, _) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert_eq!(code, 1, "the lint finding fails the check");
    let (code, out, err) = output_of(
        sb.cmd(&["gate", "--format", "github", "--no-run"])
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(code, 1, "NO-GO: {out}{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("::error title=PF-")
            && lines[0].contains("critical · release blocker · gate blockers::")
            && lines[0].ends_with("::Cache: disk I/O fails, 100%25 of the time\\u{1b}[2J"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("::error file=src/db%2Cmain.rs,line=4,title=PF-")
            && lines[1].contains(" high · gate no-high::W1: unused import: Pool (lint/W1)"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("::notice title=Gate no-high failed::No open high: 1 open high"));
    assert!(lines[3].starts_with("::notice title=Gate blockers failed::blockers: 1 open blocker"));
    assert!(
        lines.iter().all(|l| !l.contains('\u{1b}')),
        "no raw control bytes in workflow commands"
    );
    assert!(
        out.contains("NO-GO: 2 gates failing, 1 blocker"),
        "the text follows: {out}"
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("# earlier step\n# Release readiness:"),
        "appended: {written}"
    );
    assert!(written.contains("**Verdict: NO-GO**"), "{written}");
    assert!(
        written.contains("| no-high | No open high | **FAIL** |"),
        "{written}"
    );
    assert!(!written.contains("## Register"), "verdict and gates only");

    // Without the variable nothing is written anywhere.
    let (_, out, _) = output_of(&mut sb.cmd(&["gate", "--format", "github", "--no-run"]));
    assert!(out.starts_with("::error"), "{out}");
    let (code, _, err) = output_of(&mut sb.cmd(&["gate", "--format", "yaml"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_register_as_sarif_is_valid_against_the_published_schema() {
    let sb = sandbox();
    let (_, _, err) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert!(!err.contains("panicked"), "{err}");
    let out_file = sb.home.join("preflight.sarif");
    let (code, _, err) = output_of(&mut sb.cmd(&[
        "report",
        "--format",
        "sarif",
        "-o",
        out_file.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("(SARIF 2.1.0)"), "{err}");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sarif-schema-2.1.0.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let lint = results.iter().find(|r| r["ruleId"] == "lint/W1").unwrap();
    assert_eq!(lint["level"], "error");
    assert_eq!(lint["baselineState"], "new");
    assert_eq!(
        lint["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/db,main.rs"
    );
    let fingerprint = lint["partialFingerprints"]["preflightFingerprint/v1"]
        .as_str()
        .unwrap();
    let issues = sb.issues();
    let filed = issues
        .iter()
        .find(|i| i["finding"]["check"] == "lint")
        .unwrap();
    assert_eq!(filed["finding"]["fingerprint"], fingerprint);
}
