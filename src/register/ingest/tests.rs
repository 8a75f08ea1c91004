use super::*;
use crate::config::{load_str, Source};
use crate::domain::issue::Status;
use crate::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

struct Place {
    _dir: tempfile::TempDir,
    repo: Repo,
    config: Config,
    reports: PathBuf,
}

fn place() -> Place {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("app")).unwrap();
    git2::Repository::init(&root).unwrap();
    std::fs::write(
        root.join("app/settings.py"),
        "\n".repeat(25) + "DEBUG = True\n",
    )
    .unwrap();
    let text = r#"
[[check]]
id = "semgrep"
run = "semgrep --sarif -o semgrep.sarif"
format = "sarif"
report = "semgrep.sarif"
severity_map = { "python.django.security.audit.django-debug-true" = "low" }

[[check]]
id = "test"
run = "pytest --junitxml=junit.xml"
format = "junit"
report = "junit.xml"
"#;
    let config = load_str(text, Path::new("preflight.toml"), Source::Default).unwrap();
    let repo = Repo::discover(&root).unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    Place {
        _dir: dir,
        repo,
        config,
        reports,
    }
}

/// The semgrep fixture as CI made it at `at`, with its first `keep` results.
fn semgrep_at(place: &Place, name: &str, at: &str, keep: usize) -> PathBuf {
    let text = std::fs::read_to_string(fixture("sarif_semgrep.sarif")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &mut doc["runs"][0];
    run["invocations"][0]["endTimeUtc"] = serde_json::Value::from(at);
    run["versionControlProvenance"] = serde_json::json!([{ "repositoryUri": "https://example.com/app", "revisionId": "3f2a1c9e5b7d" }]);
    run["results"].as_array_mut().unwrap().truncate(keep);
    let path = place.reports.join(name);
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

fn request<'a>(file: &'a Path, check: &'a str) -> Request<'a> {
    Request {
        file,
        check,
        format: None,
        force: false,
    }
}

#[test]
fn a_ci_report_goes_through_the_whole_lifecycle() {
    let place = place();
    let first = semgrep_at(&place, "nightly-1.sarif", "2026-11-20T02:00:00Z", 3);
    let one = ingest(&place.repo, &place.config, &request(&first, "semgrep")).unwrap();
    assert_eq!(one.findings, 3);
    assert_eq!(one.dated_by, DatedBy::Timestamp);
    assert_eq!(one.commit.as_deref(), Some("3f2a1c9e5b7d"));
    assert_eq!(one.filed.created.len(), 3);
    let store = Store::new(&place.repo);
    let issues = store.load().issues;
    let debug = issues.iter().find(|i| i.title.contains("DEBUG")).unwrap();
    assert_eq!(
        debug.severity,
        Severity::Low,
        "the check's severity map applies"
    );
    assert_eq!(debug.finding.as_ref().unwrap().first_seen, "3f2a1c9e5b7d");
    let curl = issues
        .iter()
        .find(|i| i.title.contains("curl"))
        .unwrap()
        .id
        .clone();
    store
        .update(
            &curl,
            None,
            &crate::store::actor_named("ana".into()),
            |i, _| {
                i.status = Status::InProgress;
                Ok(())
            },
        )
        .unwrap();

    // The next night's report no longer has the curl finding: verified.
    let second = semgrep_at(&place, "nightly-2.sarif", "2026-11-21T02:00:00Z", 2);
    let two = ingest(&place.repo, &place.config, &request(&second, "semgrep")).unwrap();
    assert_eq!(two.filed.verified, vec![curl.clone()]);
    assert!(two.filed.created.is_empty());
    assert_eq!(store.read(&curl).unwrap().status, Status::Verified);

    // An older report is refused, whatever it holds.
    let err = ingest(&place.repo, &place.config, &request(&first, "semgrep")).unwrap_err();
    assert!(
        err.contains("before the last report ingested for `semgrep`"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        store.read(&curl).unwrap().status,
        Status::Verified,
        "nothing filed"
    );

    // The third night it is back: a regression.
    let third = semgrep_at(&place, "nightly-3.sarif", "2026-11-22T02:00:00+01:00", 3);
    let three = ingest(&place.repo, &place.config, &request(&third, "semgrep")).unwrap();
    assert_eq!(three.filed.reopened, vec![curl.clone()]);
    assert!(store.read(&curl).unwrap().regression);

    // Forced, the old report is filed: what it lacks is verified again.
    let forced = Request {
        force: true,
        ..request(&second, "semgrep")
    };
    let four = ingest(&place.repo, &place.config, &forced).unwrap();
    assert_eq!(four.filed.verified, vec![curl]);

    let runs = History::new(&place.repo.state_dir).load();
    assert_eq!(runs.len(), 4, "each ingest is a run of the check");
    assert_eq!(runs[0].finished_at, "2026-11-20T02:00:00Z");
    assert_eq!(runs[1].status, RunStatus::Failed);
}

#[test]
fn junit_reports_are_dated_by_their_testsuites_and_files_by_mtime() {
    let place = place();
    let report = fixture("junit_pytest.xml");
    let done = ingest(&place.repo, &place.config, &request(&report, "test")).unwrap();
    assert_eq!(done.dated_by, DatedBy::Timestamp);
    assert_eq!(rfc3339(done.made_at), "2024-05-14T09:31:07Z");
    assert_eq!(done.findings, 2);

    let nextest = std::fs::read(fixture("junit_nextest.xml")).unwrap();
    assert_eq!(
        timestamp_of(&Format::Junit, &nextest)
            .map(rfc3339)
            .as_deref(),
        Some("2024-05-14T09:50:33Z"),
        "the latest testsuite"
    );
    let ruff = std::fs::read(fixture("sarif_ruff.sarif")).unwrap();
    assert_eq!(
        timestamp_of(&Format::Sarif, &ruff),
        None,
        "ruff writes no time"
    );
    let path = place.reports.join("ruff.sarif");
    std::fs::write(&path, &ruff).unwrap();
    let req = Request {
        format: Some("sarif"),
        ..request(&path, "ruff")
    };
    let done = ingest(&place.repo, &place.config, &req).unwrap();
    assert_eq!(done.dated_by, DatedBy::Mtime);
    assert!(done.undeclared);
    assert_eq!(done.findings, 3);
}

#[test]
fn bad_input_is_one_clear_line() {
    let place = place();
    let not_sarif = fixture("not_sarif.json");
    let err = ingest(&place.repo, &place.config, &request(&not_sarif, "semgrep")).unwrap_err();
    assert!(err.starts_with(&not_sarif.display().to_string()), "{err}");
    assert!(!err.contains('\n'));
    let err = ingest(&place.repo, &place.config, &request(&not_sarif, "lint")).unwrap_err();
    assert!(
        err.contains("no check `lint`") && err.contains("--format"),
        "{err}"
    );
    let req = Request {
        format: Some("xml"),
        ..request(&not_sarif, "semgrep")
    };
    let err = ingest(&place.repo, &place.config, &req).unwrap_err();
    assert!(err.contains("unknown format `xml`"), "{err}");
    let err = ingest(
        &place.repo,
        &place.config,
        &request(&place.reports, "semgrep"),
    )
    .unwrap_err();
    assert!(err.contains("not a regular file"), "{err}");
    let req = Request {
        format: Some("sarif"),
        ..request(&not_sarif, "../../etc")
    };
    assert!(ingest(&place.repo, &place.config, &req)
        .unwrap_err()
        .contains("cannot be a check id"));
}

#[test]
fn times_with_offsets_fractions_or_no_zone() {
    let at = |t: &str| parse_time(t).map(rfc3339);
    assert_eq!(
        at("2024-05-14T09:50:33.412+00:00").as_deref(),
        Some("2024-05-14T09:50:33Z")
    );
    assert_eq!(
        at("2024-05-14T11:50:33+02:00").as_deref(),
        Some("2024-05-14T09:50:33Z")
    );
    assert_eq!(
        at("2024-05-14T07:50:33-02:00").as_deref(),
        Some("2024-05-14T09:50:33Z")
    );
    assert_eq!(
        at("2024-05-14T09:50:33").as_deref(),
        Some("2024-05-14T09:50:33Z")
    );
    assert_eq!(
        at("2024-05-14T09:50:33Z").as_deref(),
        Some("2024-05-14T09:50:33Z")
    );
    assert_eq!(at("1715680000000"), None);
    assert_eq!(at("é"), None);
}

#[test]
fn paths_of_another_machine_are_matched_by_their_tail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/db")).unwrap();
    std::fs::write(dir.path().join("src/db/pool.rs"), "fn a() {}\n").unwrap();
    assert_eq!(
        local_tail(
            Path::new("/home/runner/work/app/app/src/db/pool.rs"),
            dir.path()
        )
        .as_deref(),
        Some("src/db/pool.rs")
    );
    assert_eq!(
        local_tail(Path::new("/elsewhere/nothing.rs"), dir.path()),
        None
    );
    assert_eq!(
        local_tail(Path::new("src/db/pool.rs"), dir.path()),
        None,
        "already relative"
    );
    let mut lines = SourceLines::new(dir.path());
    assert_eq!(
        lines.line("src/db/pool.rs", 1).as_deref(),
        Some("fn a() {}")
    );
    assert_eq!(
        lines.line("../outside.rs", 1),
        None,
        "never outside the repository"
    );
    assert_eq!(lines.line("/etc/passwd", 1), None);
}
