//! The merge driver on big issues: two versions of one issue, each with 1,000 notes and
//! 1,000 history entries (500 shared with the base, 500 of their own), and fields
//! changed on both sides. Timed in process (`merge_texts`: parse, merge, render) and as
//! the whole `preflight merge-file` process git runs for each file.
//!
//! Run: `cargo bench --bench merge` (add `-- 21` for 21 rounds; default 11).
//! Target (issue #16): merge-file on two 1,000-note issues ≤ 50 ms.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use preflight::domain::finding::Severity;
use preflight::domain::issue::{Actor, Issue, Note, Status};
use preflight::register::merge::merge_texts;
use std::process::Command;
use std::time::{Duration, Instant};

const SHARED: usize = 500;
const OWN: usize = 500;

fn at(second: usize) -> String {
    format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}Z",
        1 + second / 86_400,
        second / 3600 % 24,
        second / 60 % 60,
        second % 60
    )
}

fn base() -> Issue {
    let actor = Actor {
        by: "ci".into(),
        at: at(0),
        today: "2026-11-01".into(),
    };
    let mut issue = Issue::new(
        "PF-7K3Q9X".into(),
        "Cache disk I/O failure cascades under load".into(),
        Severity::Medium,
        Status::Open,
        &actor,
    );
    issue.revision = 1;
    for n in 0..SHARED {
        add(&mut issue, "ci", 10 + n * 10);
    }
    issue
}

fn add(issue: &mut Issue, by: &str, second: usize) {
    issue.notes.push(Note {
        at: at(second),
        by: by.into(),
        text: format!("{by}: reproduced again on staging, run {second}; heap at 1.2 GiB"),
    });
    issue.log(&at(second), by, format!("owner: - → {by}"));
    issue.revision += 1;
    issue.updated = at(second);
}

fn side(by: &str, offset: usize, severity: Severity) -> Issue {
    let mut issue = base();
    for n in 0..OWN {
        add(&mut issue, by, 10 + SHARED * 10 + n * 10 + offset);
    }
    issue.severity = severity;
    issue.owner = Some(by.into());
    issue
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
    let text = |i: &Issue| toml::to_string_pretty(i).unwrap();
    let (o, a, b) = (
        text(&base()),
        text(&side("ana", 3, Severity::High)),
        text(&side("bo", 7, Severity::Critical)),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = ["base", "ours", "theirs"].map(|n| dir.path().join(n));

    let mut inside = Vec::new();
    let mut notes = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let (merged, _, decided) = merge_texts(&o, &a, &b).unwrap();
        inside.push(start.elapsed());
        let issue: Issue = toml::from_str(&merged).unwrap();
        notes = issue.notes.len();
        assert_eq!(notes, SHARED + 2 * OWN);
        assert_eq!(decided, 2, "severity and owner");
    }

    let bin = env!("CARGO_BIN_EXE_preflight");
    let mut process = Vec::new();
    for _ in 0..rounds {
        for (path, text) in paths.iter().zip([&o, &a, &b]) {
            std::fs::write(path, text).unwrap();
        }
        let start = Instant::now();
        let out = Command::new(bin)
            .arg("merge-file")
            .args(&paths)
            .output()
            .unwrap();
        process.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    println!(
        "merge benchmark: two sides of {} notes and {} history entries each ({} KiB), {rounds} rounds, medians",
        SHARED + OWN,
        SHARED + OWN,
        a.len() / 1024
    );
    println!(
        "  merge_texts (parse, merge, render)  {:>7.1} ms  → {notes} notes",
        ms(median(inside))
    );
    println!(
        "  `preflight merge-file` (process)    {:>7.1} ms (target ≤ 50 ms)",
        ms(median(process))
    );
}
