//! The register at scale: 10,000 issue files. Time to load them, and to filter and
//! sort them as `issue list` and the cockpit do; plus the whole `preflight issue list`
//! command end to end.
//!
//! Run: `cargo bench --bench register` (add `-- 21` for 21 rounds; default 11).
//! Targets (issue #3): load ≤ 300 ms, filter ≤ 10 ms.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use preflight::domain::filter::{triage_order, Filter};
use preflight::domain::finding::Severity;
use preflight::domain::issue::{FindingLink, HistoryEntry, Issue, Status};
use preflight::store::Store;
use std::process::Command;
use std::time::{Duration, Instant};

const ISSUES: usize = 10_000;

fn issue(n: usize) -> Issue {
    let severity = Severity::ALL[n % 5];
    let status = Status::ALL[n % 6];
    Issue {
        id: format!("PF-{n:06}"),
        title: format!("B{:03}: finding number {n} in the service code", n % 500),
        severity,
        status,
        blocker: n.is_multiple_of(17),
        regression: false,
        owner: n
            .is_multiple_of(3)
            .then(|| ["ana", "sam", "kim"][n / 3 % 3].to_string()),
        effort: None,
        area: Some("api".into()),
        impact: None,
        evidence: Some(format!("pickle.loads(payload) at line {n}")),
        repro: None,
        root_cause: None,
        fix: None,
        task: None,
        created: format!("2026-{:02}-{:02}T10:00:00Z", 1 + n % 12, 1 + n % 28),
        updated: "2026-11-22T10:00:00Z".into(),
        revision: 3,
        finding: Some(FindingLink {
            check: "bandit".into(),
            rule: format!("B{:03}", n % 500),
            path: Some(format!("src/module_{}.py", n % 300)),
            line: Some((n % 900) as u32 + 1),
            fingerprint: format!("{n:016x}"),
            first_seen: "3f2a1c9".into(),
            last_seen: "3f2a1c9".into(),
            verified_at: None,
            ..FindingLink::default()
        }),
        dismissal: None,
        notes: vec![],
        history: vec![
            HistoryEntry {
                at: "2026-11-20T10:00:00Z".into(),
                by: "ana".into(),
                change: "filed by bandit at 3f2a1c9".into(),
            },
            HistoryEntry {
                at: "2026-11-21T10:00:00Z".into(),
                by: "sam".into(),
                change: "status: new → open".into(),
            },
        ],
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(11);
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    let issues_dir = repo.join(".preflight/issues");
    std::fs::create_dir_all(&issues_dir).unwrap();
    git2::Repository::init(&repo).unwrap();
    for n in 0..ISSUES {
        let i = issue(n);
        std::fs::write(
            issues_dir.join(format!("{}.toml", i.id)),
            toml::to_string_pretty(&i).unwrap(),
        )
        .unwrap();
    }
    let store = Store::at(issues_dir, dir.path().join("register.lock"));

    let mut loads = Vec::new();
    let mut filters = Vec::new();
    let mut kept = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let loaded = store.load();
        loads.push(start.elapsed());
        assert_eq!(loaded.issues.len(), ISSUES);
        assert!(loaded.errors.is_empty());

        let filter = Filter {
            statuses: vec![Status::Open],
            severities: vec![Severity::High],
            ..Filter::default()
        };
        let start = Instant::now();
        let mut matching: Vec<Issue> = loaded
            .issues
            .iter()
            .filter(|i| filter.matches(i))
            .cloned()
            .collect();
        matching.sort_by(triage_order);
        filters.push(start.elapsed());
        kept = matching.len();
    }

    let bin = env!("CARGO_BIN_EXE_preflight");
    let mut commands = Vec::new();
    for _ in 0..rounds.min(5) {
        let start = Instant::now();
        let out = Command::new(bin)
            .args(["--repo"])
            .arg(&repo)
            .args(["issue", "list", "--status", "open", "--severity", "high"])
            .output()
            .unwrap();
        commands.push(start.elapsed());
        assert!(out.status.success());
    }

    println!("register benchmark: {ISSUES} issue files, {rounds} rounds, medians");
    println!(
        "  load                         {:>7.1} ms (target ≤ 300 ms)",
        ms(median(loads))
    );
    println!(
        "  filter + sort ({kept} kept)     {:>7.2} ms (target ≤ 10 ms)",
        ms(median(filters))
    );
    println!(
        "  `preflight issue list …`     {:>7.1} ms (whole process, {} runs)",
        ms(median(commands)),
        rounds.min(5)
    );
}
