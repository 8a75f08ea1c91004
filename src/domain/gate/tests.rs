use super::*;
use crate::domain::plan::{Phase, Task, TaskStatus};

const HEAD: &str = "3f2a1c9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
const OLD: &str = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn ago(secs: u64) -> SystemTime {
    now() - Duration::from_secs(secs)
}

fn issue(id: &str, severity: &str, status: &str, blocker: bool, created: &str) -> Issue {
    toml::from_str(&format!(
        r#"
id = "{id}"
title = "t {id}"
severity = "{severity}"
status = "{status}"
blocker = {blocker}
created = "{created}"
updated = "{created}"
"#
    ))
    .unwrap()
}

fn state(status: RunStatus, secs_ago: u64, commit: &str) -> CheckState {
    CheckState {
        status,
        finished_at: ago(secs_ago),
        commit: Some(commit.into()),
        dirty: false,
        metric: None,
        unit: None,
        metric_note: None,
        truncated: None,
    }
}

fn metric(value: f64, unit: &str) -> CheckState {
    CheckState {
        metric: Some(value),
        unit: (!unit.is_empty()).then(|| unit.to_string()),
        ..state(RunStatus::Passed, 30, HEAD)
    }
}

fn gate(id: &str, kind: GateKind) -> GateSpec {
    GateSpec {
        id: id.into(),
        name: format!("gate {id}"),
        advisory: false,
        kind,
    }
}

fn plan() -> Plan {
    let task = |id: &str, status| Task {
        id: id.into(),
        title: id.into(),
        status,
        needs: vec![],
        checks: vec![],
        source: None,
        section: None,
    };
    Plan {
        phases: vec![
            Phase {
                id: "p3".into(),
                title: "Three".into(),
                tasks: vec![
                    task("p3-1", TaskStatus::Done),
                    task("p3-2", TaskStatus::Done),
                ],
                source: None,
            },
            Phase {
                id: "p4".into(),
                title: "Four".into(),
                tasks: vec![
                    task("p4-1", TaskStatus::Done),
                    task("p4-2", TaskStatus::Done),
                    task("p4-3", TaskStatus::Doing),
                    task("p4-4", TaskStatus::Todo),
                    task("p4-5", TaskStatus::Done),
                ],
                source: None,
            },
            Phase {
                id: "p5".into(),
                title: "Five".into(),
                tasks: vec![],
                source: None,
            },
            Phase {
                id: "p6".into(),
                title: "Six".into(),
                tasks: vec![
                    task("p6-1", TaskStatus::Done),
                    task("p6-2", TaskStatus::Cancelled),
                ],
                source: None,
            },
            Phase {
                id: "p7".into(),
                title: "Seven".into(),
                tasks: vec![
                    task("p7-1", TaskStatus::Cancelled),
                    task("p7-2", TaskStatus::Todo),
                ],
                source: None,
            },
        ],
    }
}

/// Evaluate one gate against the given world; returns (passed, reason).
fn one(
    kind: GateKind,
    issues: &[Issue],
    checks: &[(&str, CheckState)],
    head: Option<&str>,
) -> (bool, String) {
    let gates = [gate("g", kind)];
    let checks: HashMap<String, CheckState> = checks
        .iter()
        .map(|(id, s)| (id.to_string(), s.clone()))
        .collect();
    let plan = plan();
    let verdict = evaluate(&Inputs {
        gates: &gates,
        issues,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        now: now(),
        head,
    });
    let outcome = &verdict.gates[0];
    assert_eq!(
        verdict.is_go(),
        outcome.passed,
        "one blocking gate decides GO"
    );
    assert_eq!(verdict.failing, usize::from(!outcome.passed));
    (outcome.passed, outcome.reason.clone())
}

fn checks(ids: &[&str]) -> GateKind {
    GateKind::Checks(ids.iter().map(|s| s.to_string()).collect())
}

// ---- human_age ------------------------------------------------------------------

#[test]
fn ages_read_like_people_say_them() {
    let cases = [
        (0, "just now"),
        (59, "just now"),
        (60, "1 min ago"),
        (3 * 60 + 59, "3 min ago"),
        (3599, "59 min ago"),
        (2 * 3600, "2 h ago"),
        (86_399, "23 h ago"),
        (86_400, "1 day ago"),
        (4 * 86_400 + 7000, "4 days ago"),
    ];
    for (secs, text) in cases {
        assert_eq!(human_age(Duration::from_secs(secs)), text, "{secs}s");
    }
}

// ---- Checks ---------------------------------------------------------------------

#[test]
fn checks_pass_when_every_last_state_passed() {
    let (passed, reason) = one(
        checks(&["fmt", "clippy", "test"]),
        &[],
        &[
            ("fmt", state(RunStatus::Passed, 10, HEAD)),
            ("clippy", state(RunStatus::Passed, 200, HEAD)),
            ("test", state(RunStatus::Passed, 300, HEAD)),
        ],
        Some(HEAD),
    );
    assert!(passed);
    assert_eq!(reason, "all 3 passed");
}

#[test]
fn a_single_passing_check_says_when() {
    let (passed, reason) = one(
        checks(&["clippy"]),
        &[],
        &[("clippy", state(RunStatus::Passed, 200, HEAD))],
        Some(HEAD),
    );
    assert!(passed);
    assert_eq!(reason, "clippy passed 3 min ago");
}

#[test]
fn checks_fail_with_what_happened_and_when() {
    let (passed, reason) = one(
        checks(&["clippy", "test", "audit", "fmt"]),
        &[],
        &[
            ("clippy", state(RunStatus::Failed, 200, HEAD)),
            ("audit", state(RunStatus::TimedOut, 2 * 3600 + 5, HEAD)),
            ("fmt", state(RunStatus::Passed, 5, HEAD)),
        ],
        Some(HEAD),
    );
    assert!(!passed);
    assert_eq!(
        reason,
        "clippy failed 3 min ago at 3f2a1c9; test never ran; audit timed out 2 h ago at 3f2a1c9"
    );
}

#[test]
fn many_failures_stay_on_one_line() {
    let ids = ["a", "b", "c", "d", "e"];
    let (passed, reason) = one(checks(&ids), &[], &[], None);
    assert!(!passed);
    assert_eq!(reason, "a never ran; b never ran; c never ran; +2 more");
    assert!(!reason.contains('\n'));
}

#[test]
fn a_check_that_could_not_run_fails_the_gate() {
    let (passed, reason) = one(
        checks(&["build"]),
        &[],
        &[("build", state(RunStatus::Error, 4 * 86_400, HEAD))],
        Some("3f2a1c9"),
    );
    assert!(!passed);
    assert_eq!(reason, "build could not run 4 days ago at 3f2a1c9");
}

#[test]
fn stale_results_say_so() {
    // A failure at another commit.
    let (_, reason) = one(
        checks(&["clippy"]),
        &[],
        &[("clippy", state(RunStatus::Failed, 200, OLD))],
        Some(HEAD),
    );
    assert_eq!(
        reason,
        "clippy failed 3 min ago (at an older commit 9e8d7c6)"
    );
    // A pass at another commit still passes, but says it is not this tree's.
    let (passed, reason) = one(
        checks(&["clippy"]),
        &[],
        &[("clippy", state(RunStatus::Passed, 200, OLD))],
        Some(HEAD),
    );
    assert!(passed);
    assert_eq!(
        reason,
        "clippy passed 3 min ago (at an older commit 9e8d7c6)"
    );
    // A pass on a dirty tree.
    let dirty = CheckState {
        dirty: true,
        ..state(RunStatus::Passed, 30, HEAD)
    };
    let (passed, reason) = one(
        checks(&["fmt", "test"]),
        &[],
        &[("fmt", dirty), ("test", state(RunStatus::Passed, 30, HEAD))],
        Some(HEAD),
    );
    assert!(passed);
    assert_eq!(
        reason,
        "all 2 passed; fmt (on uncommitted changes at 3f2a1c9)"
    );
}

#[test]
fn abbreviated_head_matches_the_full_commit() {
    let (_, reason) = one(
        checks(&["clippy"]),
        &[],
        &[("clippy", state(RunStatus::Failed, 90, HEAD))],
        Some("3f2a1c9"),
    );
    assert_eq!(reason, "clippy failed 1 min ago at 3f2a1c9");
}

#[test]
fn a_finish_time_in_the_future_is_just_now() {
    let future = CheckState {
        finished_at: now() + Duration::from_secs(30),
        ..state(RunStatus::Failed, 0, HEAD)
    };
    let (_, reason) = one(checks(&["lint"]), &[], &[("lint", future)], Some(HEAD));
    assert_eq!(reason, "lint failed just now at 3f2a1c9");
}

// ---- MaxOpen --------------------------------------------------------------------

fn register() -> Vec<Issue> {
    vec![
        issue("PF-8QW1", "critical", "new", false, "2026-11-20T09:00:00Z"),
        issue("PF-3F9K", "critical", "open", true, "2026-11-19T09:00:00Z"),
        issue(
            "PF-0DMS",
            "critical",
            "dismissed",
            true,
            "2026-11-01T09:00:00Z",
        ),
        issue(
            "PF-1VER",
            "critical",
            "verified",
            false,
            "2026-11-02T09:00:00Z",
        ),
        issue(
            "PF-H1",
            "high",
            "in-progress",
            false,
            "2026-11-10T09:00:00Z",
        ),
        issue("PF-H2", "high", "fixed", true, "2026-11-11T09:00:00Z"),
        issue("PF-M1", "medium", "open", false, "2026-11-12T09:00:00Z"),
    ]
}

fn limits(pairs: &[(Severity, u32)]) -> GateKind {
    GateKind::MaxOpen(pairs.iter().copied().collect())
}

#[test]
fn max_open_fails_listing_oldest_first_in_severity_order() {
    let (passed, reason) = one(
        limits(&[(Severity::High, 1), (Severity::Critical, 0)]),
        &register(),
        &[],
        None,
    );
    assert!(!passed);
    assert_eq!(
        reason,
        "2 open critical: PF-3F9K, PF-8QW1; 2 open high (at most 1): PF-H1, PF-H2"
    );
}

#[test]
fn a_truncated_run_keeps_max_open_from_passing() {
    // Nothing open in the register, but the lint run could only report 10,000 of its
    // findings: the rest were never filed, so the gate cannot say the register is clean.
    let cut = CheckState {
        truncated: Some(10_000),
        ..state(RunStatus::Failed, 30, HEAD)
    };
    let (passed, reason) = one(
        limits(&[(Severity::Critical, 0)]),
        &[],
        &[("lint", cut), ("fmt", state(RunStatus::Passed, 30, HEAD))],
        Some(HEAD),
    );
    assert!(!passed);
    assert_eq!(
        reason,
        "findings of lint truncated at 10000: the register may miss open issues"
    );
}

#[test]
fn max_open_passes_within_limits_and_ignores_closed_issues() {
    let issues: Vec<Issue> = register()
        .into_iter()
        .filter(|i| i.severity != Severity::Critical || !i.status.is_open())
        .collect();
    let (passed, reason) = one(
        limits(&[(Severity::Critical, 0), (Severity::High, 2)]),
        &issues,
        &[],
        None,
    );
    assert!(passed);
    assert_eq!(reason, "within limits: 0/0 critical, 2/2 high");
}

#[test]
fn max_open_lists_at_most_five_ids() {
    let issues: Vec<Issue> = (1..=7)
        .map(|n| {
            issue(
                &format!("PF-L{n}"),
                "low",
                "open",
                false,
                &format!("2026-11-0{n}T00:00:00Z"),
            )
        })
        .collect();
    let (_, reason) = one(limits(&[(Severity::Low, 3)]), &issues, &[], None);
    assert_eq!(
        reason,
        "7 open low (at most 3): PF-L1, PF-L2, PF-L3, PF-L4, PF-L5, +2 more"
    );
}

// ---- Blockers -------------------------------------------------------------------

#[test]
fn blockers_gate_and_verdict_list_most_severe_first() {
    let mut issues = register();
    issues.push(issue(
        "PF-LOWB",
        "low",
        "open",
        true,
        "2026-10-01T00:00:00Z",
    ));
    issues.push(issue(
        "PF-CRB2",
        "critical",
        "new",
        true,
        "2026-11-21T00:00:00Z",
    ));
    let (passed, reason) = one(GateKind::Blockers(0), &issues, &[], None);
    assert!(!passed);
    assert_eq!(reason, "4 open blockers: PF-3F9K, PF-CRB2, PF-H2, PF-LOWB");
    let (passed, reason) = one(GateKind::Blockers(5), &issues, &[], None);
    assert!(passed);
    assert_eq!(reason, "4 open blockers, at most 5 allowed");
}

#[test]
fn one_open_blocker_reads_singular() {
    let issues = vec![
        issue("PF-7K3Q", "high", "open", true, "2026-11-20T00:00:00Z"),
        issue("PF-DONE", "high", "verified", true, "2026-11-20T00:00:00Z"),
    ];
    let (passed, reason) = one(GateKind::Blockers(0), &issues, &[], None);
    assert!(!passed);
    assert_eq!(reason, "1 open blocker: PF-7K3Q");
    let (passed, reason) = one(GateKind::Blockers(0), &issues[1..], &[], None);
    assert!(passed);
    assert_eq!(reason, "no open blockers");
}

#[test]
fn verdict_lists_blockers_even_without_a_blockers_gate() {
    let issues = register();
    let checks = HashMap::new();
    let plan = plan();
    let gates = [gate("phase", GateKind::TasksDone("p3".into()))];
    let verdict = evaluate(&Inputs {
        gates: &gates,
        issues: &issues,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        now: now(),
        head: None,
    });
    assert!(verdict.is_go(), "blockers alone do not gate");
    assert_eq!(verdict.blockers, vec!["PF-3F9K", "PF-H2"]);
}

#[test]
fn unparseable_creation_times_sort_after_real_ones() {
    let issues = vec![
        issue("PF-B", "high", "open", true, "yesterday"),
        issue("PF-A", "high", "open", true, "2026-11-20T00:00:00Z"),
        issue("PF-C", "high", "open", true, "2026-11-19T23:00:00.5Z"),
    ];
    let (_, reason) = one(GateKind::Blockers(0), &issues, &[], None);
    assert_eq!(reason, "3 open blockers: PF-C, PF-A, PF-B");
}

// ---- TasksDone ------------------------------------------------------------------

#[test]
fn tasks_done_passes_and_fails_with_the_missing_tasks() {
    assert_eq!(
        one(GateKind::TasksDone("p3".into()), &[], &[], None),
        (true, "all 2 tasks of p3 done".into())
    );
    assert_eq!(
        one(GateKind::TasksDone("p4".into()), &[], &[], None),
        (false, "2 of 5 tasks of p4 not done: p4-3, p4-4".into())
    );
    assert_eq!(
        one(GateKind::TasksDone("p5".into()), &[], &[], None),
        (true, "p5 has no tasks".into())
    );
    assert_eq!(
        one(GateKind::TasksDone("p9".into()), &[], &[], None),
        (false, "no phase p9".into())
    );
}

#[test]
fn cancelled_tasks_neither_pass_nor_fail_a_phase_gate() {
    assert_eq!(
        one(GateKind::TasksDone("p6".into()), &[], &[], None),
        (true, "all 1 tasks of p6 done (1 cancelled)".into())
    );
    assert_eq!(
        one(GateKind::TasksDone("p7".into()), &[], &[], None),
        (
            false,
            "1 of 1 tasks of p7 not done (1 cancelled): p7-2".into()
        )
    );
}

// ---- Metric ---------------------------------------------------------------------

fn metric_gate_kind(check: &str, min: Option<f64>, max: Option<f64>) -> GateKind {
    GateKind::Metric {
        check: check.into(),
        min,
        max,
    }
}

#[test]
fn metric_below_min_and_above_max() {
    assert_eq!(
        one(
            metric_gate_kind("coverage", Some(80.0), None),
            &[],
            &[("coverage", metric(76.4321, "%"))],
            Some(HEAD)
        ),
        (false, "coverage 76.4% < 80%".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("p95", None, Some(200.0)),
            &[],
            &[("p95", metric(212.0, "ms"))],
            Some(HEAD)
        ),
        (false, "p95 212ms > 200ms".into())
    );
}

#[test]
fn metric_passes_inclusively() {
    let cov = |v| [("coverage", metric(v, "%"))];
    assert_eq!(
        one(
            metric_gate_kind("coverage", Some(80.0), None),
            &[],
            &cov(80.0),
            None
        ),
        (true, "coverage 80% ≥ 80%".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("coverage", None, Some(95.0)),
            &[],
            &cov(95.0),
            None
        ),
        (true, "coverage 95% ≤ 95%".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("coverage", Some(80.0), Some(95.0)),
            &[],
            &cov(82.25),
            None
        ),
        (true, "coverage 82.3% within 80%–95%".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("coverage", None, None),
            &[],
            &cov(82.0),
            None
        ),
        (true, "coverage 82% (no bound set)".into())
    );
}

#[test]
fn metric_shows_more_decimals_only_when_needed() {
    assert_eq!(
        one(
            metric_gate_kind("cov", Some(80.0), None),
            &[],
            &[("cov", metric(79.96, "%"))],
            None
        ),
        (false, "cov 79.96% < 80%".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("cov", Some(99.95), None),
            &[],
            &[("cov", metric(99.94999, "%"))],
            None
        ),
        (false, "cov 99.94999% < 99.95%".into())
    );
    // Units longer than three characters get a space; no unit, none.
    assert_eq!(
        one(
            metric_gate_kind("rps", Some(1000.0), None),
            &[],
            &[("rps", metric(950.0, "req/s"))],
            None
        ),
        (false, "rps 950 req/s < 1000 req/s".into())
    );
    assert_eq!(
        one(
            metric_gate_kind("size", None, Some(0.5)),
            &[],
            &[("size", metric(0.75, ""))],
            None
        ),
        (false, "size 0.8 > 0.5".into())
    );
}

#[test]
fn metric_without_a_value_fails_and_says_why() {
    let gate = || metric_gate_kind("cov", Some(80.0), None);
    assert_eq!(
        one(gate(), &[], &[], None),
        (false, "cov has no value yet: it never ran".into())
    );
    let no_value = state(RunStatus::Passed, 10, HEAD);
    assert_eq!(
        one(gate(), &[], &[("cov", no_value.clone())], None),
        (
            false,
            "cov has no value: its last run read no metric".into()
        )
    );
    let stale = CheckState {
        metric_note: Some("the report lcov.info was not rewritten by this run".into()),
        ..no_value
    };
    assert_eq!(
        one(gate(), &[], &[("cov", stale)], None),
        (
            false,
            "cov has no value: the report lcov.info was not rewritten by this run".into()
        )
    );
    let nan = metric(f64::NAN, "%");
    assert_eq!(
        one(
            metric_gate_kind("cov", Some(80.0), None),
            &[],
            &[("cov", nan)],
            None
        ),
        (false, "cov has no usable value (NaN)".into())
    );
}

#[test]
fn metric_says_when_its_value_is_stale_or_from_a_failed_run() {
    let stale = CheckState {
        commit: Some(OLD.into()),
        status: RunStatus::Failed,
        ..metric(85.0, "%")
    };
    assert_eq!(
        one(
            metric_gate_kind("coverage", Some(80.0), None),
            &[],
            &[("coverage", stale)],
            Some(HEAD)
        ),
        (
            true,
            "coverage 85% ≥ 80% (from a failed run) (at an older commit 9e8d7c6)".into()
        )
    );
}

// ---- the verdict ----------------------------------------------------------------

#[test]
fn advisory_gates_are_shown_but_never_block() {
    let mut perf = gate("perf", metric_gate_kind("p95", None, Some(200.0)));
    perf.advisory = true;
    let gates = [
        gate("phase", GateKind::TasksDone("p3".into())),
        perf,
        gate("blockers", GateKind::Blockers(0)),
    ];
    let checks: HashMap<String, CheckState> = [("p95".to_string(), metric(212.0, "ms"))]
        .into_iter()
        .collect();
    let plan = plan();
    let no_issues: Vec<Issue> = vec![];
    let inputs = Inputs {
        gates: &gates,
        issues: &no_issues,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        now: now(),
        head: Some(HEAD),
    };
    let verdict = evaluate(&inputs);
    assert!(verdict.is_go());
    assert_eq!(verdict.failing, 0);
    let perf = &verdict.gates[1];
    assert!(!perf.passed && perf.advisory);
    assert_eq!(perf.reason, "p95 212ms > 200ms");
    assert_eq!(perf.name, "gate perf");

    // The same world with one blocker open is NO-GO, counting only the real gate.
    let issues = register();
    let verdict = evaluate(&Inputs {
        issues: &issues,
        ..inputs
    });
    assert!(!verdict.is_go());
    assert_eq!(verdict.decision, Decision::NoGo);
    assert_eq!(verdict.headline(), "NO-GO");
    assert_eq!(verdict.failing, 1);
    assert_eq!(
        verdict
            .gates
            .iter()
            .map(|g| (g.id.as_str(), g.passed))
            .collect::<Vec<_>>(),
        vec![("phase", true), ("perf", false), ("blockers", false)]
    );
}

/// No gate that can block: no verdict, whatever the register holds — never GO.
#[test]
fn no_gates_is_no_verdict_never_go() {
    let plan = plan();
    let checks = HashMap::new();
    let issues = register();
    let verdict = evaluate(&Inputs {
        gates: &[],
        issues: &issues,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        now: now(),
        head: None,
    });
    assert_eq!(verdict.decision, Decision::NoVerdict);
    assert!(!verdict.is_go());
    assert_eq!(verdict.headline(), "no verdict: no gates");
    assert!(
        !verdict.blockers.is_empty(),
        "open blockers are still listed"
    );
    let mut advisory = gate("perf", GateKind::Blockers(0));
    advisory.advisory = true;
    let verdict = evaluate(&Inputs {
        gates: &[advisory],
        issues: &[],
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        now: now(),
        head: None,
    });
    assert_eq!(verdict.decision, Decision::NoVerdict);
    assert_eq!(verdict.headline(), "no verdict: every gate is advisory");
    assert_eq!(
        serde_json::to_value(verdict.decision).unwrap(),
        "NO-VERDICT"
    );
}

#[test]
fn verdict_serialises_for_json_output() {
    let (passed, _) = one(GateKind::Blockers(0), &[], &[], None);
    assert!(passed);
    let outcome = GateOutcome {
        id: "g".into(),
        name: "G".into(),
        passed: true,
        advisory: false,
        reason: "no open blockers".into(),
    };
    let json = serde_json::to_string(&outcome).unwrap();
    assert_eq!(
        json,
        r#"{"id":"g","name":"G","passed":true,"advisory":false,"reason":"no open blockers"}"#
    );
}

fn filed_by(mut issue: Issue, check: &str) -> Issue {
    issue.finding = Some(crate::domain::issue::FindingLink {
        check: check.into(),
        rule: "GHSA-1".into(),
        fingerprint: format!("fp-{}", issue.id),
        ..Default::default()
    });
    issue
}

// ---- MaxNew ---------------------------------------------------------------------

fn finding_issue(id: &str, severity: &str, status: &str, fingerprint: &str) -> Issue {
    let mut issue = issue(id, severity, status, false, "2026-11-01T00:00:00Z");
    issue.finding = Some(crate::domain::issue::FindingLink {
        check: "clippy".into(),
        rule: "R".into(),
        fingerprint: fingerprint.into(),
        first_seen: "abc1234".into(),
        last_seen: "abc1234".into(),
        ..Default::default()
    });
    issue
}

fn scoped(checks: &[&str], limits: &[(Severity, u32)]) -> GateKind {
    GateKind::MaxOpenOf {
        checks: checks.iter().map(|c| c.to_string()).collect(),
        limits: limits.iter().copied().collect(),
    }
}

#[test]
fn scoped_max_open_counts_only_the_findings_of_its_checks() {
    let issues = [
        filed_by(
            issue("PF-A", "high", "open", false, "2026-01-01T00:00:00Z"),
            "audit",
        ),
        filed_by(
            issue("PF-B", "critical", "new", false, "2026-01-02T00:00:00Z"),
            "lint",
        ),
        issue("PF-C", "critical", "open", false, "2026-01-03T00:00:00Z"),
        filed_by(
            issue("PF-D", "high", "dismissed", false, "2026-01-04T00:00:00Z"),
            "audit",
        ),
    ];
    let ran = [("audit", state(RunStatus::Failed, 60, HEAD))];
    let limits = [(Severity::Critical, 0), (Severity::High, 0)];
    assert_eq!(
        one(scoped(&["audit"], &limits), &issues, &ran, Some(HEAD)),
        (false, "1 open high: PF-A (from audit)".into())
    );
    assert_eq!(
        one(
            scoped(&["audit"], &[(Severity::Critical, 0)]),
            &issues,
            &ran,
            Some(HEAD)
        ),
        (true, "within limits: 0/0 critical (from audit)".into()),
        "PF-B and PF-C are critical but not the audit's"
    );
}

#[test]
fn scoped_max_open_fails_when_a_scanner_could_not_run() {
    let limits = [(Severity::Critical, 0), (Severity::High, 0)];
    assert_eq!(
        one(
            scoped(&["audit", "bandit"], &limits),
            &[],
            &[("audit", state(RunStatus::Error, 120, HEAD))],
            Some(HEAD)
        ),
        (
            false,
            "audit could not run 2 min ago; bandit never ran: its findings are unknown".into()
        )
    );
    assert_eq!(
        one(
            scoped(&["audit"], &limits),
            &[],
            &[("audit", state(RunStatus::Passed, 5, HEAD))],
            Some(HEAD)
        ),
        (
            true,
            "within limits: 0/0 critical, 0/0 high (from audit)".into()
        )
    );
}

fn max_new(issues: &[Issue], baseline: &Baseline, pairs: &[(Severity, u32)]) -> (bool, String) {
    let gates = [gate("g", GateKind::MaxNew(pairs.iter().copied().collect()))];
    let plan = plan();
    let verdict = evaluate(&Inputs {
        gates: &gates,
        issues,
        baseline,
        plan: &plan,
        checks: &HashMap::new(),
        now: now(),
        head: None,
    });
    (verdict.gates[0].passed, verdict.gates[0].reason.clone())
}

#[test]
fn max_new_counts_only_open_findings_not_in_the_baseline() {
    let old = finding_issue("PF-OLD001", "high", "open", "f1");
    let issues = vec![
        old.clone(),
        finding_issue("PF-NEW001", "high", "new", "f2"),
        finding_issue("PF-GONE01", "high", "verified", "f3"),
        issue("PF-HAND01", "high", "open", false, "2026-11-01T00:00:00Z"),
    ];
    let baseline = Baseline::from_entries(crate::domain::baseline::Entry::of(&old));
    let (passed, reason) = max_new(&issues, &baseline, &[(Severity::High, 0)]);
    assert!(!passed);
    assert_eq!(reason, "1 new high: PF-NEW001 (1 open in the baseline)");
    let (passed, reason) = max_new(
        &issues,
        &baseline,
        &[(Severity::High, 1), (Severity::Critical, 0)],
    );
    assert!(passed, "{reason}");
    assert_eq!(
        reason,
        "within limits: 0/0 new critical, 1/1 new high (1 open in the baseline)"
    );
    // With no baseline every finding is new; a hand-filed issue never is.
    let (passed, reason) = max_new(&issues, &Baseline::empty(), &[(Severity::High, 1)]);
    assert!(!passed);
    assert_eq!(
        reason,
        "2 new high (at most 1): PF-NEW001, PF-OLD001 (no baseline recorded)"
    );
}
