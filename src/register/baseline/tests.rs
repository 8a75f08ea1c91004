use super::*;
use crate::domain::finding::{Finding, Severity};
use crate::domain::issue::Status;

fn repo() -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    let repo = Repo::discover(dir.path()).unwrap();
    (dir, repo)
}

fn config() -> Config {
    crate::config::load_str(
        "[[check]]\nid = \"lint\"\nrun = \"true\"\nformat = \"cargo\"\nseverity_map = { R2 = \"critical\" }\n",
        Path::new("preflight.toml"),
        crate::config::Source::Default,
    )
    .unwrap()
}

fn outcome(check: &str, n: usize) -> RunOutcome {
    let findings = (0..n)
        .map(|i| {
            let mut f = Finding::new(format!("R{}", i % 3), Severity::Medium, format!("m{i}"))
                .at("src/a.rs", Some(i as u32 + 1));
            f.fingerprint = format!("{i:016x}");
            f
        })
        .collect();
    RunOutcome {
        check: check.into(),
        status: crate::domain::check::RunStatus::Failed,
        exit_code: Some(1),
        duration: std::time::Duration::ZERO,
        findings,
        error: None,
        log: PathBuf::from("lint.log"),
        lines: 0,
        metric: None,
        metric_note: None,
        truncated: None,
        log_error: None,
        cancelled: false,
        started: true,
    }
}

#[test]
fn entries_are_titled_and_rated_as_filing_would_and_round_trip() {
    let (_dir, repo) = repo();
    let (checks, entries) = entries_of(&config(), &[outcome("lint", 3), outcome("unknown", 2)]);
    assert_eq!(checks, ["lint"], "undeclared checks are not baselined");
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries[2].severity,
        Severity::Critical,
        "the severity map applies"
    );
    assert_eq!(entries[0].title, "R0: m0");
    let applied = apply(&repo, &checks, entries).unwrap();
    assert_eq!(applied.entries, 3);
    let text = std::fs::read_to_string(path(&repo)).unwrap();
    assert!(text.starts_with("# preflight's baseline"), "{text}");
    assert_eq!(text.matches("[[finding]]").count(), 3);
    let (loaded, warning) = load(&repo);
    assert_eq!(warning, None);
    assert_eq!(loaded.len(), 3);
    assert!(loaded.contains("lint", &format!("{:016x}", 2)));
}

#[test]
fn findings_in_the_baseline_are_filed_open_and_counted_apart() {
    let (_dir, repo) = repo();
    let config = config();
    assert_eq!(first_run(&repo, &[outcome("lint", 40)]), Some(40));
    let (checks, entries) = entries_of(&config, &[outcome("lint", 40)]);
    apply(&repo, &checks, entries).unwrap();
    assert_eq!(
        first_run(&repo, &[outcome("lint", 40)]),
        None,
        "a baseline exists"
    );
    // The same run, and two findings more, filed: 40 into the baseline, 2 new.
    let filed =
        crate::register::file_outcomes(&repo, &config, None, &[outcome("lint", 42)]).unwrap();
    assert_eq!(filed.baselined.len(), 40);
    assert_eq!(filed.created.len(), 2);
    assert_eq!(
        filed.summary().as_deref(),
        Some("register: 2 new, 40 filed into the baseline")
    );
    let issues = Store::new(&repo).load().issues;
    let (baseline, _) = load(&repo);
    let open_in_baseline = issues
        .iter()
        .filter(|i| baseline.holds(i) && i.status == Status::Open)
        .count();
    assert_eq!(open_in_baseline, 40);
    let new = issues.iter().filter(|i| i.status == Status::New).count();
    assert_eq!(new, 2);
    // A baseline finding that disappears is verified like any other (here one of the
    // baseline and the two new ones).
    let filed =
        crate::register::file_outcomes(&repo, &config, None, &[outcome("lint", 39)]).unwrap();
    assert_eq!(filed.verified.len(), 3, "{filed:?}");
}

#[test]
fn recording_after_a_flood_opens_what_was_filed_new() {
    let (_dir, repo) = repo();
    let config = config();
    let filed =
        crate::register::file_outcomes(&repo, &config, None, &[outcome("lint", 5)]).unwrap();
    assert_eq!(filed.created.len(), 5);
    let issues = Store::new(&repo).load().issues;
    let applied = apply(
        &repo,
        &["lint".into()],
        issues.iter().filter_map(Entry::of).collect(),
    )
    .unwrap();
    assert_eq!(applied.adopted.len(), 5);
    let issues = Store::new(&repo).load().issues;
    assert!(issues.iter().all(|i| i.status == Status::Open));
    assert!(issues
        .iter()
        .all(|i| i.history.last().unwrap().change == crate::domain::baseline::ADOPTED));
}

#[test]
fn a_broken_baseline_is_a_warning_and_no_baseline() {
    let (dir, repo) = repo();
    std::fs::create_dir_all(dir.path().join(".preflight")).unwrap();
    std::fs::write(
        path(&repo),
        "[[finding]]\ncheck = \"lint\"\nfingerprint = \"00\"\nrule = \"R\"\nseverity = \"low\"\ntitle = \"t\"\nbogus = 1\n",
    )
    .unwrap();
    let (baseline, warning) = load(&repo);
    assert!(baseline.is_empty());
    let warning = warning.unwrap();
    assert!(warning.contains("baseline.toml:7:1"), "{warning}");
    assert!(
        apply(&repo, &["lint".into()], Vec::new()).is_err(),
        "never overwrites it"
    );
    std::fs::remove_file(path(&repo)).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", path(&repo)).unwrap();
    assert!(load(&repo).1.unwrap().contains("not a regular file"));
}
