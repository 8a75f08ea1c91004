use super::*;
use crate::domain::finding::Severity;
use crate::domain::gate::GateOutcome;
use crate::domain::issue::{Actor, FindingLink, Status};

fn actor() -> Actor {
    Actor {
        by: "ana".into(),
        at: "2026-11-22T10:00:00Z".into(),
        today: "2026-11-22".into(),
    }
}

fn issue(id: &str, severity: Severity, title: &str) -> Issue {
    Issue::new(id.into(), title.into(), severity, Status::Open, &actor())
}

fn at(mut issue: Issue, path: &str, line: u32) -> Issue {
    issue.finding = Some(FindingLink {
        check: "clippy".into(),
        rule: "unwrap_used".into(),
        path: Some(path.into()),
        line: Some(line),
        fingerprint: format!("fp-{}", issue.id),
        first_seen: "abc1234".into(),
        last_seen: "abc1234".into(),
        ..Default::default()
    });
    issue
}

fn spec(id: &str, advisory: bool, kind: GateKind) -> GateSpec {
    GateSpec {
        id: id.into(),
        name: format!("gate {id}"),
        advisory,
        kind,
    }
}

fn outcome(spec: &GateSpec, passed: bool, reason: &str) -> GateOutcome {
    GateOutcome {
        id: spec.id.clone(),
        name: spec.name.clone(),
        passed,
        advisory: spec.advisory,
        reason: reason.into(),
    }
}

#[test]
fn workflow_command_values_are_escaped() {
    assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
    assert_eq!(escape_property("src/a:b,c.rs"), "src/a%3Ab%2Cc.rs");
    assert_eq!(escape_data("a::b"), "a::b", "a message may hold `::`");
    assert_eq!(escape_data("\u{1b}]52;c;x\u{7}"), "\\u{1b}]52;c;x\\u{7}");
    assert_eq!(escape_data("rev\u{202e}txt"), "rev\\u{202e}txt");
}

#[test]
fn blockers_and_counted_issues_are_annotated_gates_noticed() {
    let mut blocker = issue("PF-BLOCK1", Severity::Critical, "Cache: disk, I/O\nfails");
    blocker.blocker = true;
    let high = at(
        issue("PF-HIGH01", Severity::High, "unwrap on user input"),
        "src/a b.rs",
        12,
    );
    let low = at(issue("PF-LOW001", Severity::Low, "style"), "src/c.rs", 3);
    let mut closed = at(
        issue("PF-DONE01", Severity::High, "fixed one"),
        "src/d.rs",
        1,
    );
    closed.status = Status::Verified;
    let issues = vec![blocker, high, low, closed];
    let gates = vec![
        spec(
            "no-high",
            false,
            GateKind::MaxOpen([(Severity::High, 0)].into_iter().collect()),
        ),
        spec(
            "style",
            true,
            GateKind::MaxOpen([(Severity::Low, 0)].into_iter().collect()),
        ),
        spec("ok", false, GateKind::Blockers(5)),
    ];
    let verdict = Verdict {
        decision: crate::domain::gate::Decision::NoGo,
        gates: vec![
            outcome(&gates[0], false, "1 open high: PF-HIGH01"),
            outcome(&gates[1], false, "1 open low: PF-LOW001"),
            outcome(&gates[2], true, "1 open blocker, at most 5 allowed"),
        ],
        blockers: vec!["PF-BLOCK1".into()],
        failing: 1,
    };
    let lines = commands(&gates, &verdict, &issues, &Baseline::empty());
    assert_eq!(
        lines,
        [
            "::error title=PF-BLOCK1 critical · release blocker::Cache: disk, I/O%0Afails",
            "::error file=src/a b.rs,line=12,title=PF-HIGH01 high · gate no-high::unwrap on user input (clippy/unwrap_used)",
            "::warning file=src/c.rs,line=3,title=PF-LOW001 low · gate style::style (clippy/unwrap_used)",
            "::notice title=Gate no-high failed::gate no-high: 1 open high: PF-HIGH01",
            "::notice title=Gate style failed (advisory)::gate style: 1 open low: PF-LOW001",
        ]
    );
}

#[test]
fn max_new_counts_only_findings_outside_the_baseline() {
    let old = at(issue("PF-OLD001", Severity::High, "old"), "src/a.rs", 1);
    let new = at(issue("PF-NEW001", Severity::High, "new"), "src/b.rs", 2);
    let baseline = Baseline::from_entries(crate::domain::baseline::Entry::of(&old));
    let gates = vec![spec(
        "clean",
        false,
        GateKind::MaxNew([(Severity::High, 0)].into_iter().collect()),
    )];
    let verdict = Verdict {
        decision: crate::domain::gate::Decision::NoGo,
        gates: vec![outcome(&gates[0], false, "1 new high")],
        blockers: vec![],
        failing: 1,
    };
    let lines = commands(&gates, &verdict, &[old, new], &baseline);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].contains("PF-NEW001"), "{lines:#?}");
    assert!(lines[1].starts_with("::notice"));
}

#[test]
fn no_verdict_fails_the_job_with_a_reason() {
    let verdict = Verdict {
        decision: crate::domain::gate::Decision::NoVerdict,
        gates: vec![],
        blockers: vec![],
        failing: 0,
    };
    let lines = commands(&[], &verdict, &[], &Baseline::empty());
    assert_eq!(
        lines,
        ["::error title=preflight::no verdict: no gates: nothing can say GO; add [[gate]] tables to preflight.toml"]
    );
}
