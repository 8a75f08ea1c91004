use super::*;
use crate::domain::burndown::SeverityCounts;
use git2::{Signature, Time};

/// Midnight UTC of 2025-11-09, a fixed day for scripted histories.
const DAY0: i64 = 20_401 * 86_400;
const H: i64 = 3_600;
const D: i64 = 86_400;

fn issue(id: &str, severity: &str, status: &str) -> String {
    format!(
        "id = \"{id}\"\ntitle = \"issue {id}\"\nseverity = \"{severity}\"\nstatus = \"{status}\"\ncreated = \"2025-11-09T10:00:00Z\"\nupdated = \"2025-11-09T10:00:00Z\"\n"
    )
}

/// Write (`Some`) or delete (`None`) files, then commit everything at `at`.
fn commit(repo: &Repository, files: &[(&str, Option<String>)], at: i64) {
    let root = repo.workdir().unwrap().to_path_buf();
    let mut index = repo.index().unwrap();
    for (name, text) in files {
        let path = root.join(name);
        match text {
            Some(text) => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                index.add_path(Path::new(name)).unwrap();
            }
            None => {
                std::fs::remove_file(&path).unwrap();
                index.remove_path(Path::new(name)).unwrap();
            }
        }
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::new("Ana Lead", "ana@example.com", &Time::new(at, 0)).unwrap();
    let parent = repo.head().ok().map(|h| h.peel_to_commit().unwrap());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, "change", &tree, &parents)
        .unwrap();
}

fn file(id: &str) -> String {
    format!(".preflight/issues/{id}.toml")
}

/// A register edited over five days, with a day that touches only the README.
fn scripted() -> (tempfile::TempDir, Repository) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let a = file("PF-AAAAAA");
    let b = file("PF-BBBBBB");
    let c = file("PF-CCCCCC");
    let d = file("PF-DDDDDD");
    let e = file("PF-EEEEEE");
    commit(
        &repo,
        &[
            (&a, Some(issue("PF-AAAAAA", "critical", "open"))),
            (&b, Some(issue("PF-BBBBBB", "high", "new"))),
        ],
        DAY0 + 10 * H,
    );
    commit(
        &repo,
        &[
            (&a, Some(issue("PF-AAAAAA", "critical", "in-progress"))),
            (&c, Some(issue("PF-CCCCCC", "medium", "open"))),
        ],
        DAY0 + 15 * H,
    );
    commit(
        &repo,
        &[("README.md", Some("hello".into()))],
        D + DAY0 + 9 * H,
    );
    commit(
        &repo,
        &[
            (&b, Some(issue("PF-BBBBBB", "high", "verified"))),
            (&d, Some(issue("PF-DDDDDD", "low", "open"))),
            (".preflight/issues/PF-BROKEN.toml", Some("id = [[[".into())),
            (".preflight/issues/notes.txt", Some("not an issue".into())),
        ],
        2 * D + DAY0 + 11 * H,
    );
    commit(
        &repo,
        &[
            (&a, Some(issue("PF-AAAAAA", "critical", "fixed"))),
            (&c, Some(issue("PF-CCCCCC", "medium", "dismissed"))),
        ],
        2 * D + DAY0 + 18 * H,
    );
    commit(
        &repo,
        &[
            (&a, Some(issue("PF-AAAAAA", "critical", "verified"))),
            (&e, Some(issue("PF-EEEEEE", "info", "new"))),
        ],
        4 * D + DAY0 + 8 * H,
    );
    commit(
        &repo,
        &[("README.md", Some("bye".into()))],
        4 * D + DAY0 + 20 * H,
    );
    (dir, repo)
}

fn counts(burndown: &Burndown) -> Vec<(String, [usize; 5])> {
    burndown
        .days()
        .iter()
        .map(|d| {
            let mut row = [0; 5];
            for (n, severity) in crate::domain::finding::Severity::ALL.iter().enumerate() {
                row[n] = d.open.get(*severity);
            }
            (d.day.clone(), row)
        })
        .collect()
}

#[test]
fn counts_open_issues_per_severity_at_the_last_commit_of_each_day() {
    let (dir, _repo) = scripted();
    let burndown = read(dir.path(), DAY0 + 30 * D);
    assert_eq!(
        counts(&burndown),
        vec![
            ("2025-11-09".to_string(), [1, 1, 1, 0, 0]),
            ("2025-11-11".to_string(), [1, 0, 0, 1, 0]),
            ("2025-11-13".to_string(), [0, 0, 0, 1, 1]),
        ]
    );
    assert_eq!(burndown.note(), None);
    assert_eq!(
        burndown.days()[0].open,
        SeverityCounts::from_array([1, 1, 1, 0, 0])
    );
}

#[test]
fn a_deleted_register_counts_zero_and_the_bounds_hold() {
    let (dir, repo) = scripted();
    let all: Vec<(&str, Option<String>)> = vec![
        (".preflight/issues/PF-AAAAAA.toml", None),
        (".preflight/issues/PF-BBBBBB.toml", None),
        (".preflight/issues/PF-CCCCCC.toml", None),
        (".preflight/issues/PF-DDDDDD.toml", None),
        (".preflight/issues/PF-EEEEEE.toml", None),
        (".preflight/issues/PF-BROKEN.toml", None),
        (".preflight/issues/notes.txt", None),
    ];
    commit(&repo, &all, 5 * D + DAY0 + H);
    let full = read(dir.path(), DAY0 + 30 * D);
    assert_eq!(counts(&full).len(), 4);
    assert_eq!(counts(&full)[3], ("2025-11-14".to_string(), [0; 5]));

    // The window starts on day 2: the first day is out of it.
    let window = read_bounded(dir.path(), DAY0 + 2 * D, MAX_COMMITS);
    let days: Vec<String> = window.days().iter().map(|d| d.day.clone()).collect();
    assert_eq!(days, ["2025-11-11", "2025-11-13", "2025-11-14"]);

    // Two commits walked: the deletion and a README change.
    let cut = read_bounded(dir.path(), 0, 2);
    assert_eq!(counts(&cut), vec![("2025-11-14".to_string(), [0; 5])]);
    assert_eq!(
        cut.note().as_deref(),
        Some("history cut at the last 2 commits")
    );
}

#[test]
fn says_plainly_when_there_is_no_history() {
    let plain = tempfile::tempdir().unwrap();
    let burndown = read(plain.path(), DAY0);
    assert_eq!(burndown, Burndown::NotGit);
    assert_eq!(
        burndown.note().as_deref(),
        Some("no history: not a git repository")
    );

    let empty = tempfile::tempdir().unwrap();
    Repository::init(empty.path()).unwrap();
    let burndown = read(empty.path(), DAY0);
    assert_eq!(burndown, Burndown::NoCommits);
    assert_eq!(
        burndown.note().as_deref(),
        Some("no history: no commits yet")
    );

    let (dir, _repo) = scripted();
    let old = read(dir.path(), DAY0 + 200 * D);
    assert!(old.days().is_empty());
    assert!(old.note().unwrap().contains("did not change"), "{old:?}");
}
