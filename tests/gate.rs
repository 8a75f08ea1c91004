//! `preflight gate` end to end: exit codes and reasons are what CI needs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{output_of, Sandbox};
use serde_json::Value;

const GATES: &str = r#"
[[phase]]
id = "p4"
[[phase.task]]
id = "p4-1"
status = "done"

[[check]]
id = "test"
run = "test ! -f broken"

[[check]]
id = "cov"
run = "printf 'SF:a.rs\nLF:10\nLH:9\nend_of_record\n' > lcov.info"
metric = { from = "lcov", path = "lcov.info" }

[[check]]
id = "bench"
run = "echo p95=250ms"
metric = { from = "regex", pattern = 'p95=(?P<value>[0-9.]+)ms', unit = "ms" }

[[gate]]
id = "green"
checks = ["test"]

[[gate]]
id = "crit"
max_open = { critical = 0 }

[[gate]]
id = "blockers"
blockers = 0

[[gate]]
id = "plan"
tasks_done = "p4"

[[gate]]
id = "coverage"
metric = "cov"
min = 80

[[gate]]
id = "latency"
metric = "bench"
max = 200
advisory = true
"#;

fn gate_json(sb: &Sandbox, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["gate", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = output_of(&mut sb.cmd(&all));
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json, err)
}

fn gate<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap()
}

#[test]
fn go_when_every_blocking_gate_passes_and_advisory_ones_do_not_block() {
    let sb = Sandbox::with_config(GATES);
    sb.trust();
    let (code, json, _) = gate_json(&sb, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["verdict"], "GO");
    assert_eq!(gate(&json, "coverage")["passed"], true);
    let latency = gate(&json, "latency");
    assert_eq!(
        (latency["passed"].as_bool(), latency["advisory"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(
        latency["reason"]
            .as_str()
            .unwrap()
            .starts_with("bench 250ms > 200ms"),
        "{latency}"
    );
    assert!(json["blockers"].as_array().unwrap().is_empty());
}

#[test]
fn no_go_names_every_failing_gate_and_the_blockers() {
    let sb = Sandbox::with_config(GATES);
    sb.trust();
    sb.write("broken", "");
    let id = sb.new_issue(&[
        "--title",
        "Cache I/O cascades",
        "--severity",
        "critical",
        "--blocker",
    ]);
    let (code, out, _) = output_of(&mut sb.cmd(&["gate"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  green"), "{out}");
    assert!(out.contains("test failed just now"), "{out}");
    assert!(out.contains(&format!("1 open critical: {id}")), "{out}");
    assert!(out.contains(&format!("1 open blocker: {id}")), "{out}");
    assert!(out.contains("release blockers:"), "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("NO-GO: 3 gates failing, 1 blocker"),
        "{out}"
    );

    let (_, json, _) = gate_json(&sb, &["--no-run"]);
    assert_eq!(json["verdict"], "NO-GO");
    assert_eq!(json["failing"], 3);
    assert_eq!(json["blockers"][0]["id"], id.as_str());
    assert_eq!(json["blockers"][0]["severity"], "critical");
}

#[test]
fn no_run_judges_recorded_results_and_says_how_old_they_are() {
    let sb = Sandbox::with_config(GATES);
    sb.trust();
    let (code, json, err) = gate_json(&sb, &["--no-run"]);
    assert_eq!(code, 1, "nothing ran yet: {json}");
    assert!(
        gate(&json, "green")["reason"]
            .as_str()
            .unwrap()
            .contains("never ran"),
        "{json}"
    );
    assert!(err.contains("never ran"), "{err}");

    sb.cmd(&["check"]).assert().success();
    sb.write("broken", "");
    // --no-run runs nothing: the recorded pass still counts, and the output says the
    // tree changed since.
    let (code, json, err) = gate_json(&sb, &["--no-run"]);
    assert_eq!(code, 0, "{json}");
    assert!(err.contains("judging from recorded results"), "{err}");
    assert!(err.contains("the tree changed since"), "{err}");
}

#[test]
fn a_failing_metric_and_an_unfinished_phase_fail_with_their_reasons() {
    let sb = Sandbox::with_config(&GATES.replace("LH:9", "LH:7").replace(
        "[[phase.task]]\nid = \"p4-1\"\nstatus = \"done\"",
        "[[phase.task]]\nid = \"p4-1\"\nstatus = \"doing\"",
    ));
    sb.trust();
    let (code, json, _) = gate_json(&sb, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        gate(&json, "coverage")["reason"]
            .as_str()
            .unwrap()
            .split(" (")
            .next(),
        Some("cov 70% < 80%")
    );
    assert_eq!(
        gate(&json, "plan")["reason"],
        "1 of 1 tasks of p4 not done: p4-1"
    );
}

/// What `gate` (text and JSON) and `report` (markdown and JSON) say of the verdict.
#[derive(Debug, PartialEq)]
struct Said {
    gate_code: i32,
    gate_json: String,
    gate_line: String,
    report_json: String,
    report_headline: String,
}

fn verdicts(sb: &Sandbox) -> Said {
    let (gate_code, json, _) = gate_json(sb, &["--no-run"]);
    let (_, text, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    let (code, report, err) = output_of(&mut sb.cmd(&["report", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&report).unwrap();
    Said {
        gate_code,
        gate_json: json["verdict"].as_str().unwrap().to_string(),
        gate_line: text.lines().last().unwrap_or("").to_string(),
        report_json: report["verdict"].as_str().unwrap().to_string(),
        report_headline: report["headline"].as_str().unwrap().to_string(),
    }
}

/// One verdict everywhere: with no gates it is "no verdict", never GO, beside an open
/// blocker and a failing check; `init`'s gates work, and `gate` and `report` agree in
/// every state (the cockpit's header shares the same function: tui tests).
#[test]
fn one_verdict_everywhere_and_init_writes_working_gates() {
    let sb = Sandbox::new();
    sb.write("Makefile", "test:\n\ttest ! -f broken\n");
    sb.write(
        "preflight.toml",
        "[[check]]\nid = \"test\"\nrun = \"test ! -f broken\"\n",
    );
    sb.write("broken", "");
    sb.trust();
    sb.cmd(&["check"]).assert().code(1);
    let blocker = sb.new_issue(&["--title", "b", "--severity", "high", "--blocker"]);
    let said = verdicts(&sb);
    assert_eq!(said.gate_code, 1, "no verdict fails CI as NO-GO does");
    assert_eq!(
        (said.gate_json.as_str(), said.report_json.as_str()),
        ("NO-VERDICT", "NO-VERDICT")
    );
    assert_eq!(said.gate_line, "no verdict: no gates");
    assert_eq!(said.report_headline, "no verdict: no gates");
    let (_, md, _) = output_of(&mut sb.cmd(&["report"]));
    assert!(
        md.contains("**No verdict** (no release gates declared"),
        "{md}"
    );
    assert!(!md.contains("Verdict: GO"), "{md}");

    // `init` writes working gates: the detected checks pass, no blocker, no critical.
    std::fs::remove_file(sb.repo.join("preflight.toml")).unwrap();
    sb.cmd(&["init"]).assert().success();
    sb.trust();
    let state = |expected: &str, code: i32, headline: &str| {
        let said = verdicts(&sb);
        assert_eq!(
            said,
            Said {
                gate_code: code,
                gate_json: expected.into(),
                gate_line: said.gate_line.clone(),
                report_json: expected.into(),
                report_headline: headline.into(),
            }
        );
        assert!(said.gate_line.starts_with(headline), "{}", said.gate_line);
    };
    // The check fails (it ran before init: its result stands) and a blocker is open.
    state("NO-GO", 1, "NO-GO");
    std::fs::remove_file(sb.repo.join("broken")).unwrap();
    sb.cmd(&["gate"]).assert().code(1); // runs the check: it passes; the blocker stays
    state("NO-GO", 1, "NO-GO");
    sb.cmd(&["issue", "set", &blocker, "blocker=false"])
        .assert()
        .success();
    state("GO", 0, "GO");
    sb.cmd(&["issue", "new", "--title", "c", "--severity", "critical"])
        .assert()
        .success();
    state("NO-GO", 1, "NO-GO");
}
