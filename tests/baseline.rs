//! Adopting preflight on a repository with findings: the baseline through the real
//! binary (`check`, `baseline`, `gate` with `max_new`, `report`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};

const CONFIG: &str = r#"
[[check]]
id = "lint"
run = "cat findings.txt"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>\w+) (?P<message>.*)$'

[[gate]]
id = "clean"
name = "No new findings"
max_new = { medium = 0 }
"#;

fn findings(sb: &Sandbox, n: usize, extra: &[&str]) {
    let mut text: String = (1..=n)
        .map(|i| format!("src/a.rs:{i}: W{i} style nit number {i}\n"))
        .collect();
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    sb.write("findings.txt", &text);
}

#[test]
fn a_first_flood_is_recorded_as_the_baseline_and_only_new_findings_gate() {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/a.rs", &"let x = 1;\n".repeat(60));
    findings(&sb, 40, &[]);
    let (code, out, err) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("register: 40 new"), "{out}");
    assert!(err.contains("this first run filed 40 new issues"), "{err}");
    assert!(err.contains("preflight baseline --no-run"), "{err}");

    let (code, out, err) = output_of(&mut sb.cmd(&["baseline", "--no-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("baseline: 40 findings recorded in .preflight/baseline.toml for lint"),
        "{out}"
    );
    assert!(out.contains("register: 40 moved from new to open"), "{out}");
    let text = std::fs::read_to_string(sb.repo.join(".preflight/baseline.toml")).unwrap();
    assert_eq!(text.matches("[[finding]]").count(), 40);
    assert!(
        text.contains("title = \"W7: style nit number 7\""),
        "reviewable: {text}"
    );
    assert!(sb.issues().iter().all(|i| i["status"] == "open"));

    let (code, out, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("within limits: 0/0 new medium (40 open in the baseline)"),
        "{out}"
    );

    // One new finding: filed new, and the gate counts it alone.
    findings(&sb, 40, &["src/b.rs:3: E1 a real bug"]);
    let (_, out, err) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert!(out.contains("register: 1 new"), "{out}");
    assert!(!err.contains("first run"), "{err}");
    let (code, out, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 new medium: PF-"), "{out}");

    // A baseline finding fixed: verified like any other.
    findings(&sb, 39, &["src/b.rs:3: E1 a real bug"]);
    let (_, out, _) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert!(out.contains("register: 1 verified"), "{out}");

    let (code, report, _) = output_of(&mut sb.cmd(&["report"]));
    assert_eq!(code, 0);
    assert!(
        report.contains("Open findings: **1 new** since the baseline, 39 in the baseline (1 of its 40 entries verified gone since)."),
        "{report}"
    );
    let (_, json, _) = output_of(&mut sb.cmd(&["report", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["register"]["findings"]["new"], 1);
    assert_eq!(json["register"]["findings"]["baseline"], 39);
    assert_eq!(json["register"]["baseline_entries"], 40);
}

#[test]
fn baseline_runs_the_checks_and_files_them_open() {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/a.rs", &"let x = 1;\n".repeat(60));
    findings(&sb, 3, &[]);
    let (code, _, err) = output_of(&mut sb.cmd(&["baseline"]));
    assert_eq!(code, 2, "untrusted: {err}");
    assert!(err.contains("preflight trust"), "{err}");
    let (code, out, err) = output_of(&mut sb.cmd(&["baseline", "--trust"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("baseline: 3 findings recorded"), "{out}");
    assert!(out.contains("register: 3 filed into the baseline"), "{out}");
    let issues = sb.issues();
    assert_eq!(issues.len(), 3);
    assert!(issues.iter().all(|i| i["status"] == "open"));
    let (code, _, err) = output_of(&mut sb.cmd(&["baseline", "nope", "--no-run"]));
    assert_eq!(code, 2);
    assert!(err.contains("no check `nope`"), "{err}");
}
