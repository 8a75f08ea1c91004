use super::markdown::{cell, render, sparkline, trend};
use super::*;
use crate::domain::burndown::utc_day;
use crate::domain::gate::GateKind;
use crate::domain::plan::{Phase, Task, TaskStatus};
use std::collections::BTreeMap;
use std::time::Duration;

/// 2026-11-22T12:00:00Z.
const NOW: u64 = 1_795_348_800;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
}

fn issue(id: &str, severity: &str, status: &str, created: &str, extra: &str) -> Issue {
    let title = if extra.contains("title = ") {
        String::new()
    } else {
        format!("title = \"title of {id}\"\n")
    };
    toml::from_str(&format!(
        "id = \"{id}\"\n{title}severity = \"{severity}\"\nstatus = \"{status}\"\ncreated = \"{created}\"\nupdated = \"{created}\"\n{extra}"
    ))
    .unwrap()
}

fn issues() -> Vec<Issue> {
    vec![
        issue(
            "PF-3F9K2A",
            "critical",
            "open",
            "2026-11-19T09:00:00Z",
            "title = \"Cache disk I/O failure cascades\"\nblocker = true\nowner = \"sarah\"\neffort = \"L\"\n",
        ),
        issue(
            "PF-8QW1ZZ",
            "high",
            "new",
            "2026-11-22T10:00:00Z",
            "title = \"B301: pickle load of untrusted data\"\n[finding]\ncheck = \"bandit\"\nrule = \"B301\"\nfingerprint = \"9c1e\"\nfirst_seen = \"3f2a1c9\"\nlast_seen = \"3f2a1c9\"\n",
        ),
        issue(
            "PF-M4PIPE",
            "medium",
            "in-progress",
            "2026-11-01T00:00:00Z",
            "title = \"Parser splits on | and drops Vec<u8> *bytes*\"\nowner = \"sam\"\neffort = \"S\"\nregression = true\n",
        ),
        issue("PF-L0W001", "low", "fixed", "2026-11-21T00:00:00Z", ""),
        issue("PF-VER1FD", "high", "verified", "2026-11-10T00:00:00Z", ""),
        issue(
            "PF-RISK01",
            "high",
            "dismissed",
            "2026-10-01T00:00:00Z",
            "title = \"TLS 1.1 still accepted\"\n[dismissal]\nreason = \"accepted-risk\"\nnote = \"vendor fix in Q1\"\nexpires = \"2027-01-31\"\nby = \"Ana Lead\"\nat = \"2026-11-20T08:00:00Z\"\n",
        ),
        issue(
            "PF-RISK02",
            "medium",
            "dismissed",
            "2026-10-01T00:00:00Z",
            "[dismissal]\nreason = \"accepted-risk\"\nexpires = \"2026-11-01\"\nby = \"sam\"\nat = \"2026-10-02T08:00:00Z\"\n",
        ),
        issue(
            "PF-FALSE1",
            "low",
            "dismissed",
            "2026-11-02T00:00:00Z",
            "[dismissal]\nreason = \"false-positive\"\nnote = \"test fixture\"\nby = \"Ana Lead\"\nat = \"2026-11-21T16:30:00Z\"\n",
        ),
    ]
}

fn gate(id: &str, name: &str, advisory: bool, kind: GateKind) -> GateSpec {
    GateSpec {
        id: id.into(),
        name: name.into(),
        advisory,
        kind,
    }
}

fn gates() -> Vec<GateSpec> {
    vec![
        gate(
            "green",
            "Tests and lints pass",
            false,
            GateKind::Checks(vec!["test".into()]),
        ),
        gate(
            "no-crit",
            "No open criticals",
            false,
            GateKind::MaxOpen(BTreeMap::from([(Severity::Critical, 0)])),
        ),
        gate(
            "blockers",
            "No release blockers",
            false,
            GateKind::Blockers(0),
        ),
        gate(
            "coverage",
            "Coverage ≥ 80",
            false,
            GateKind::Metric {
                check: "cov".into(),
                min: Some(80.0),
                max: None,
            },
        ),
        gate(
            "latency",
            "p95 under 200 ms",
            true,
            GateKind::Metric {
                check: "bench".into(),
                min: None,
                max: Some(200.0),
            },
        ),
        gate(
            "plan",
            "Phase 3 done",
            false,
            GateKind::TasksDone("p3".into()),
        ),
    ]
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
    let phase = |id: &str, title: &str, tasks| Phase {
        id: id.into(),
        title: title.into(),
        tasks,
        source: None,
    };
    Plan {
        phases: vec![
            phase(
                "p3",
                "Harden",
                vec![
                    task("p3-1", TaskStatus::Done),
                    task("p3-2", TaskStatus::Done),
                ],
            ),
            phase(
                "p4",
                "Performance | load",
                vec![
                    task("p4-1", TaskStatus::Done),
                    task("p4-2", TaskStatus::Doing),
                    task("p4-3", TaskStatus::Todo),
                    task("p4-4", TaskStatus::Cancelled),
                ],
            ),
            phase("p5", "Launch", vec![]),
        ],
    }
}

fn run(
    check: &str,
    status: RunStatus,
    ms: u64,
    ago: u64,
    metric: Option<f64>,
    unit: &str,
) -> RunRecord {
    RunRecord {
        check: check.into(),
        status,
        exit_code: Some(i32::from(status != RunStatus::Passed)),
        duration_ms: ms,
        finished_at: humantime::format_rfc3339_seconds(now() - Duration::from_secs(ago))
            .to_string(),
        commit: Some("3f2a1c9".into()),
        dirty: false,
        findings: usize::from(status == RunStatus::Failed) * 3,
        metric,
        unit: (!unit.is_empty()).then(|| unit.to_string()),
        metric_note: None,
        truncated: None,
    }
}

fn runs() -> Vec<RunRecord> {
    vec![
        run(
            "cov",
            RunStatus::Passed,
            61_000,
            86_400 * 3,
            Some(76.4),
            "%",
        ),
        run(
            "cov",
            RunStatus::Passed,
            62_000,
            86_400 * 2,
            Some(78.0),
            "%",
        ),
        run(
            "cov",
            RunStatus::Passed,
            60_500,
            86_400 * 2 - 60,
            Some(78.0),
            "%",
        ),
        run("test", RunStatus::Passed, 12_400, 7_200, None, ""),
        run("bench", RunStatus::Passed, 4_000, 3_600, Some(212.0), "ms"),
        run("cov", RunStatus::Passed, 63_000, 3_000, Some(79.5), "%"),
        run("test", RunStatus::Failed, 12_900, 600, None, ""),
    ]
}

fn checks() -> Vec<(String, String)> {
    ["test", "cov", "bench", "audit"]
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect()
}

/// Sixteen days of history: the open total falls from 15 to 4.
fn history() -> Burndown {
    let first = NOW as i64 - 20 * 86_400;
    let days = (0..16)
        .map(|n| DayCount {
            day: utc_day(first + n * 86_400),
            open: SeverityCounts::from_array([
                usize::from(n < 15),
                (15 - n as usize) / 5,
                (15 - n as usize) / 2,
                3 + usize::from(n % 3 == 0),
                usize::from(n == 4),
            ]),
        })
        .collect();
    Burndown::Days { days, cut_at: None }
}

fn head() -> Head {
    Head {
        branch: Some("main".into()),
        commit: Some("3f2a1c9".into()),
        dirty: 2,
    }
}

fn fixture(burndown: &Burndown) -> Report {
    let (issues, gates, plan, runs, checks, head) =
        (issues(), gates(), plan(), runs(), checks(), head());
    build(&Inputs {
        project: "acme-api",
        now: now(),
        head: Some(&head),
        gates: &gates,
        issues: &issues,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        runs: &runs,
        burndown,
    })
}

#[test]
fn the_markdown_report_reads_well() {
    insta::assert_snapshot!(render(&fixture(&history())));
}

#[test]
fn the_json_has_the_same_content() {
    let report = fixture(&history());
    let json: serde_json::Value = serde_json::from_str(&to_json(&report).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["project"], "acme-api");
    assert_eq!(json["generated_at"], "2026-11-22T12:00:00Z");
    assert_eq!(
        (json["branch"].as_str(), json["commit"].as_str()),
        (Some("main"), Some("3f2a1c9"))
    );
    assert_eq!(json["dirty"], 2);
    assert_eq!(json["verdict"], "NO-GO");
    // green (test failed), no-crit, blockers, coverage (79.5 < 80); latency is advisory.
    assert_eq!(json["failing"], 4);
    let results: Vec<(&str, &str)> = json["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        [
            ("green", "FAIL"),
            ("no-crit", "FAIL"),
            ("blockers", "FAIL"),
            ("coverage", "FAIL"),
            ("latency", "WARN"),
            ("plan", "PASS")
        ]
    );
    assert_eq!(json["gates"][3]["reason"], "cov 79.5% < 80%");
    assert_eq!(json["blockers"][0]["id"], "PF-3F9K2A");
    assert_eq!(json["blockers"][0]["owner"], "sarah");
    assert_eq!(json["blockers"][0]["age"], "3d");

    let register = &json["register"];
    assert_eq!(
        register["open"],
        serde_json::json!({"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 0, "total": 4})
    );
    assert_eq!(
        (
            register["verified"].as_u64(),
            register["dismissed"].as_u64()
        ),
        (Some(1), Some(3))
    );
    let groups = register["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 5);
    assert_eq!(groups[1]["severity"], "high");
    let high = &groups[1]["issues"][0];
    assert_eq!(high["id"], "PF-8QW1ZZ");
    assert_eq!(high["source"], "bandit");
    assert_eq!(high["status"], "new");
    assert_eq!(high["age"], "2h");
    assert_eq!(groups[2]["issues"][0]["effort"], "S");
    assert_eq!(groups[2]["issues"][0]["regression"], true);

    let burndown = &json["burndown"];
    assert_eq!(burndown["available"], true);
    assert_eq!(burndown["window_days"], 90);
    assert_eq!(burndown["days"].as_array().unwrap().len(), 16);
    assert_eq!(burndown["days"][15]["day"], "2026-11-17");
    assert_eq!(burndown["days"][15]["total"], 4);

    let accepted = &json["residual_risks"]["accepted"];
    assert_eq!(accepted[0]["id"], "PF-RISK02");
    assert_eq!(accepted[0]["expired"], true);
    assert_eq!(accepted[1]["expires"], "2027-01-31");
    assert_eq!(accepted[1]["accepted_by"], "Ana Lead");
    let residual: Vec<&str> = json["residual_risks"]["open_medium_low"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(residual, ["PF-M4PIPE", "PF-L0W001"]);

    assert_eq!(json["plan"][1]["done"], 1);
    assert_eq!(
        json["plan"][1]["total"], 3,
        "the cancelled task is not counted"
    );
    assert_eq!(json["plan"][1]["cancelled"], 1);
    assert_eq!(json["plan"][1]["progress"], 0.333);

    let cov = &json["checks"][1];
    assert_eq!(cov["id"], "cov");
    assert_eq!(cov["status"], "passed");
    assert_eq!(cov["duration_ms"], 63_000);
    assert_eq!(cov["age"], "50 min ago");
    assert_eq!(cov["trend"], serde_json::json!([76.4, 78.0, 79.5]));
    assert_eq!(json["checks"][0]["status"], "failed");
    assert_eq!(json["checks"][3]["status"], serde_json::Value::Null);

    let dismissals = json["dismissals"].as_array().unwrap();
    let ids: Vec<&str> = dismissals
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["PF-FALSE1", "PF-RISK01", "PF-RISK02"],
        "most recent first"
    );
    assert_eq!(dismissals[0]["by"], "Ana Lead");
    assert_eq!(dismissals[0]["reason"], "false-positive");
}

#[test]
fn without_history_the_report_says_why() {
    for (burndown, says) in [
        (Burndown::NotGit, "_no history: not a git repository._"),
        (Burndown::NoCommits, "_no history: no commits yet._"),
    ] {
        let report = fixture(&burndown);
        assert!(!report.burndown.available);
        assert!(render(&report).contains(says), "{says}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["burndown"]["note"], says.trim_matches(['_', '.']));
        assert_eq!(json["burndown"]["days"], serde_json::json!([]));
    }
}

#[test]
fn an_empty_workspace_still_reports() {
    let (plan, head) = (
        Plan::default(),
        Head {
            branch: Some("main".into()),
            commit: None,
            dirty: 0,
        },
    );
    let report = build(&Inputs {
        project: "empty",
        now: now(),
        head: Some(&head),
        gates: &[],
        issues: &[],
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &[],
        runs: &[],
        burndown: &Burndown::NoCommits,
    });
    assert_eq!(report.verdict, "NO-VERDICT", "no gates is never GO");
    assert_eq!(report.headline, "no verdict: no gates");
    let text = render(&report);
    for line in [
        "**No verdict** (no release gates declared: nothing can say GO)",
        "- **Commit:** no commits yet",
        "**0 open**",
        "No plan",
        "No checks declared.",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn cells_cannot_break_tables_or_become_html() {
    assert_eq!(cell("a | b"), "a \\| b");
    assert_eq!(cell("Vec<u8>"), "Vec\\<u8\\>");
    assert_eq!(cell("two\nlines"), "two lines");
    assert_eq!(
        cell("snake_case *x* `c` [l]"),
        "snake\\_case \\*x\\* \\`c\\` \\[l\\]"
    );
    assert_eq!(cell("back\\slash"), "back\\\\slash");
}

#[test]
fn sparklines_and_trends() {
    assert_eq!(sparkline(&[18, 9, 0]), "█▄▁");
    assert_eq!(sparkline(&[4, 4]), "▄▄");
    assert_eq!(sparkline(&[]), "");
    assert_eq!(
        trend(&[76.4, 78.0, 81.2], Some("%")),
        "76.4% → 78.0% → 81.2%"
    );
    assert_eq!(trend(&[212.0, 198.0], Some("ms")), "212ms → 198ms");
    assert_eq!(trend(&[0.25, 0.5], None), "0.250 → 0.500");
}

#[test]
fn dependency_advisories_are_grouped_under_dependencies() {
    let mut all = issues();
    all.push(issue(
        "PF-DEP001",
        "high",
        "new",
        "2026-11-22T09:00:00Z",
        "title = \"lodash GHSA-35jh-r3h4-6jhm: Command Injection in lodash\"\n[finding]\ncheck = \"npm-audit\"\nrule = \"GHSA-35jh-r3h4-6jhm\"\npath = \"package-lock.json\"\nfingerprint = \"d1\"\nfirst_seen = \"3f2a1c9\"\nlast_seen = \"3f2a1c9\"\npackage = \"lodash\"\nversion = \"4.17.20\"\nfixed = [\"4.17.21\"]\naliases = [\"CVE-2021-23337\"]\n",
    ));
    all.push(issue(
        "PF-DEP002",
        "medium",
        "open",
        "2026-11-20T09:00:00Z",
        "title = \"rsa RUSTSEC-2023-0071: Marvin Attack\"\nblocker = true\n[finding]\ncheck = \"cargo-audit\"\nrule = \"RUSTSEC-2023-0071\"\npath = \"Cargo.lock\"\nfingerprint = \"d2\"\nfirst_seen = \"3f2a1c9\"\nlast_seen = \"3f2a1c9\"\npackage = \"rsa\"\nversion = \"0.9.6\"\n",
    ));
    let (gates, plan, runs, checks, head) = (gates(), plan(), runs(), checks(), head());
    let burndown = history();
    let report = build(&Inputs {
        project: "acme-api",
        now: now(),
        head: Some(&head),
        gates: &gates,
        issues: &all,
        baseline: &Baseline::empty(),
        plan: &plan,
        checks: &checks,
        runs: &runs,
        burndown: &burndown,
    });
    let md = render(&report);
    let section = md
        .split("### Dependencies (2)\n\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no Dependencies section:\n{md}"));
    assert_eq!(
        section,
        "| ID | Severity | Package | Installed → fixed in | Advisory | Status | Source |\n\
         |---|---|---|---|---|---|---|\n\
         | PF-DEP001 | high | lodash | 4.17.20 → 4.17.21 | GHSA-35jh-r3h4-6jhm (CVE-2021-23337) | new | npm-audit |\n\
         | PF-DEP002 | medium | rsa | 0.9.6 → no fix | RUSTSEC-2023-0071 | open · blocker | cargo-audit |"
    );
    let high = md
        .split("### High")
        .nth(1)
        .and_then(|rest| rest.split("###").next())
        .unwrap_or_default();
    assert!(!high.contains("PF-DEP001"), "not also under High:\n{high}");
    assert!(
        md.contains("**6 open**"),
        "still counted in the totals:\n{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&to_json(&report).unwrap_or_default()).unwrap_or_default();
    let deps = &json["register"]["dependencies"];
    assert_eq!(deps[0]["package"], "lodash");
    assert_eq!(deps[0]["fixed"][0], "4.17.21");
    assert_eq!(deps[1]["fixed"].as_array().map(Vec::len), Some(0));
}
