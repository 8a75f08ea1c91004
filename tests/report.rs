//! `preflight report` end to end: it runs nothing, needs no trust, and writes the same
//! content as markdown or JSON, to stdout or atomically to a file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;

const CONFIG: &str = r#"
[project]
name = "acme-api"

[[phase]]
id = "p1"
title = "Harden"
[[phase.task]]
id = "p1-1"
title = "Fix the criticals"
status = "doing"

[[check]]
id = "test"
run = "touch ran-test"

[[gate]]
id = "green"
name = "Tests pass"
checks = ["test"]

[[gate]]
id = "no-crit"
name = "No open criticals"
max_open = { critical = 0 }
"#;

#[test]
fn reports_the_recorded_state_without_running_or_trust() {
    let sb = Sandbox::with_config(CONFIG);
    let (code, out, err) = output_of(&mut sb.cmd(&["report"]));
    assert_eq!(code, 0, "{err}");
    assert!(!sb.repo.join("ran-test").exists(), "report ran a check");
    for line in [
        "# Release readiness: acme-api",
        "**Verdict: NO-GO** (1 gate failing)",
        "| green | Tests pass | **FAIL** | test never ran |",
        "| test | never ran |",
        "_no history: no commits yet._",
        "| p1 | Harden | 0/1 |",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}

#[test]
fn json_to_a_file_holds_gates_register_history_and_checks() {
    let sb = Sandbox::with_config(CONFIG);
    sb.trust();
    sb.cmd(&["check"]).assert().success();
    let id = sb.new_issue(&[
        "--title",
        "Cache I/O | cascades",
        "--severity",
        "critical",
        "--blocker",
        "--owner",
        "sarah",
    ]);
    sb.git(&["add", "preflight.toml", ".preflight"]);
    sb.git(&["commit", "-q", "-m", "register"]);

    let (code, out, err) =
        output_of(&mut sb.cmd(&["report", "--format", "json", "-o", "out.json"]));
    assert_eq!(code, 0, "a NO-GO report still exits 0: {err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("wrote out.json (NO-GO)"), "{err}");
    let text = std::fs::read_to_string(sb.repo.join("out.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["verdict"], "NO-GO");
    assert_eq!(json["failing"], 1);
    assert_eq!(json["gates"][0]["result"], "PASS");
    assert_eq!(json["gates"][1]["result"], "FAIL");
    assert_eq!(json["blockers"][0]["id"], id.as_str());
    assert_eq!(json["register"]["open"]["critical"], 1);
    assert_eq!(json["register"]["groups"][0]["issues"][0]["owner"], "sarah");
    assert!(
        json["commit"].is_string() && json["branch"].is_string(),
        "{json}"
    );
    let days = json["burndown"]["days"].as_array().unwrap();
    assert_eq!(days.len(), 1, "{json}");
    assert_eq!(days[0]["critical"], 1);
    assert_eq!(days[0]["total"], 1);
    assert_eq!(json["checks"][0]["status"], "passed");
    assert_eq!(json["plan"][0]["total"], 1);

    // The markdown from the same state escapes the title's pipe and shows the history.
    let (code, md, _) = output_of(&mut sb.cmd(&["report", "--format", "md"]));
    assert_eq!(code, 0);
    assert!(md.contains("Cache I/O \\| cascades"), "{md}");
    assert!(
        md.contains("| Date | Critical | High | Medium | Low | Info | Total |"),
        "{md}"
    );
}

#[test]
fn outside_git_it_says_there_is_no_history_and_bad_usage_exits_2() {
    let sb = Sandbox::new();
    let plain = sb.home.join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("preflight.toml"), CONFIG).unwrap();
    let (code, out, err) = output_of(&mut sb.cmd_in(&plain, &["report"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("_no history: not a git repository._"), "{out}");
    assert!(out.contains("- **Commit:** not a git repository"), "{out}");

    let (code, _, err) = output_of(&mut sb.cmd(&["report", "--format", "xml"]));
    assert_eq!(code, 2, "{err}");
    sb.write("a-file", "");
    let (code, _, err) = output_of(&mut sb.cmd(&["report", "-o", "a-file/out.md"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("preflight: cannot create"), "{err}");
}
