use super::*;
use crate::domain::check::Format;
use crate::domain::finding::Severity;
use std::collections::BTreeMap;

fn spec(id: &str, run: &str) -> CheckSpec {
    CheckSpec {
        id: id.into(),
        name: id.into(),
        run: run.into(),
        watch: vec![],
        format: Format::ExitCode,
        report: None,
        timeout: None,
        cwd: None,
        env: BTreeMap::new(),
        severity: Severity::Medium,
        severity_map: BTreeMap::new(),
        metric: None,
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    ctx: RunContext,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ctx = RunContext {
        root: dir.path().to_path_buf(),
        logs_dir: dir.path().join(".state/logs"),
    };
    Fixture { dir, ctx }
}

async fn run(fx: &Fixture, spec: &CheckSpec, capacity: usize) -> (RunOutcome, Output) {
    let output = Output::new(capacity);
    let outcome = run_check(spec, &fx.ctx, &output, &CancellationToken::new()).await;
    (outcome, output)
}

/// Whether a process is gone (or a zombie waiting for its reaper).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

async fn wait_gone(pid: i32) -> bool {
    for _ in 0..200 {
        if process_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// The pid a check wrote to `path`, once it is there whole.
fn pid_in(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.strip_suffix('\n')?.trim().parse().ok()
}

fn read_pid(path: &Path) -> i32 {
    pid_in(path).unwrap_or_else(|| panic!("no pid in {}", path.display()))
}

#[tokio::test]
async fn stdout_and_stderr_keep_the_order_they_were_written() {
    let fx = fixture();
    let s = spec(
        "order",
        "for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf tail",
    );
    let (outcome, output) = run(&fx, &s, 100).await;
    assert_eq!(outcome.status, RunStatus::Passed);
    assert_eq!(outcome.exit_code, Some(0));
    let lines: Vec<String> = output.lock().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        ["out1", "err1", "out2", "err2", "out3", "err3", "tail"]
    );
    let log = std::fs::read_to_string(&outcome.log).unwrap();
    assert_eq!(log, "out1\nerr1\nout2\nerr2\nout3\nerr3\ntail");
}

#[tokio::test]
async fn a_failing_command_fails_with_its_exit_code() {
    let fx = fixture();
    let (outcome, _) = run(&fx, &spec("f", "echo nope; exit 3"), 10).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.exit_code, Some(3));
}

#[tokio::test]
async fn env_and_cwd_are_applied() {
    let fx = fixture();
    std::fs::create_dir(fx.dir.path().join("sub")).unwrap();
    let mut s = spec("e", "echo \"$GREETING from $(basename \"$PWD\")\"");
    s.env.insert("GREETING".into(), "hello".into());
    s.cwd = Some("sub".into());
    let (outcome, output) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Passed);
    assert_eq!(output.lock().last(), Some("hello from sub"));
}

#[tokio::test]
async fn a_missing_cwd_is_an_error_not_a_pass() {
    let fx = fixture();
    let mut s = spec("e", "true");
    s.cwd = Some("nowhere".into());
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert!(outcome.error.unwrap().contains("does not exist"));
}

#[tokio::test]
async fn timeout_kills_the_whole_group_including_grandchildren() {
    let fx = fixture();
    let pidfile = fx.dir.path().join("grandchild.pid");
    let mut s = spec(
        "t",
        &format!("sleep 60 & echo $! > {}; wait", pidfile.display()),
    );
    s.timeout = Some(Duration::from_millis(300));
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::TimedOut);
    assert_eq!(outcome.exit_code, None);
    assert!(
        outcome.duration < Duration::from_secs(2),
        "{:?}",
        outcome.duration
    );
    assert!(wait_gone(read_pid(&pidfile)).await, "grandchild survived");
}

#[tokio::test]
async fn a_group_that_ignores_sigterm_is_killed_after_the_grace() {
    let fx = fixture();
    // The group is told to end only once the shell ignores SIGTERM (it says so by
    // writing a file after its `trap`): a SIGTERM before the trap would end it at
    // once and prove nothing.
    let ready = fx.dir.path().join("trapped");
    let s = spec(
        "t",
        &format!(
            "trap '' TERM; touch {}; sleep 60 & wait; wait",
            ready.display()
        ),
    );
    let output = Output::new(10);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let told = std::sync::Arc::new(std::sync::Mutex::new(None));
    let told_at = told.clone();
    tokio::spawn(async move {
        while !ready.exists() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        *told_at.lock().unwrap() = Some(Instant::now());
        trigger.cancel();
    });
    let outcome = run_check(&s, &fx.ctx, &output, &cancel).await;
    let ended = told.lock().unwrap().unwrap().elapsed();
    assert!(outcome.cancelled);
    assert!(ended >= KILL_GRACE, "ended {ended:?} after SIGTERM");
    assert!(ended < KILL_GRACE + Duration::from_secs(3), "{ended:?}");
}

#[tokio::test]
async fn cancel_ends_the_group() {
    let fx = fixture();
    let pidfile = fx.dir.path().join("child.pid");
    let s = spec(
        "c",
        // Written whole, then renamed: the watcher below must never read it half-written.
        &format!(
            "sleep 60 & echo $! > {0}.tmp; mv {0}.tmp {0}; wait",
            pidfile.display()
        ),
    );
    let output = Output::new(10);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let pf = pidfile.clone();
    tokio::spawn(async move {
        // The shell creates the file before it writes the pid: wait for the pid itself.
        while pid_in(&pf).is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        trigger.cancel();
    });
    let outcome = run_check(&s, &fx.ctx, &output, &cancel).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert_eq!(outcome.error.as_deref(), Some("cancelled"));
    assert!(outcome.cancelled);
    assert!(wait_gone(read_pid(&pidfile)).await);
}

#[tokio::test]
async fn processes_left_behind_by_a_finished_check_are_ended() {
    let fx = fixture();
    let pidfile = fx.dir.path().join("bg.pid");
    let s = spec(
        "bg",
        &format!("sleep 60 >/dev/null 2>&1 & echo $! > {}", pidfile.display()),
    );
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Passed);
    assert!(wait_gone(read_pid(&pidfile)).await);
}

#[tokio::test]
async fn memory_holds_only_the_tail_of_a_flood_and_the_log_has_it_all() {
    let fx = fixture();
    let s = spec(
        "flood",
        "i=0; yes 'a line of output' | head -n 200000; echo last",
    );
    let (outcome, output) = run(&fx, &s, 100).await;
    assert_eq!(outcome.status, RunStatus::Passed);
    let ring = output.lock();
    assert_eq!(ring.len(), 100);
    assert_eq!(ring.total(), 200_001);
    assert_eq!(ring.last(), Some("last"));
    assert_eq!(outcome.lines, 200_001);
    let log = std::fs::read_to_string(&outcome.log).unwrap();
    assert_eq!(log.lines().count(), 200_001);
}

#[tokio::test]
async fn an_endless_line_is_split_not_hoarded() {
    let fx = fixture();
    let s = spec("wide", "head -c 300000 /dev/zero | tr '\\0' x");
    let (_, output) = run(&fx, &s, 100).await;
    let ring = output.lock();
    assert!(ring.lines().all(|l| l.len() <= MAX_LINE));
    assert_eq!(ring.lines().map(str::len).sum::<usize>(), 300_000);
}

#[tokio::test]
async fn a_document_format_without_its_report_is_an_error() {
    let fx = fixture();
    let mut s = spec("sarif", "echo scanning; exit 1");
    s.format = Format::Sarif;
    s.report = Some("out.sarif".into());
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert!(outcome
        .error
        .unwrap()
        .contains("wrote no report at out.sarif"));
}

#[tokio::test]
async fn a_stale_report_from_an_earlier_run_does_not_count() {
    let fx = fixture();
    std::fs::write(
        fx.dir.path().join("old.sarif"),
        r#"{"version":"2.1.0","runs":[]}"#,
    )
    .unwrap();
    let mut s = spec("sarif", "true");
    s.format = Format::Sarif;
    s.report = Some("old.sarif".into());
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert!(outcome.error.unwrap().contains("not rewritten"));
}

#[tokio::test]
async fn sarif_on_stdout_is_read_and_fingerprinted() {
    let fx = fixture();
    std::fs::write(fx.dir.path().join("app.py"), "import os\nimport pickle\n").unwrap();
    let sarif = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"B301","level":"error","message":{"text":"pickle"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"app.py"},"region":{"startLine":2}}}]}]}]}"#;
    let mut s = spec(
        "scan",
        &format!("echo '{sarif}'; echo progress >&2; exit 1"),
    );
    s.format = Format::Sarif;
    let (outcome, output) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.findings.len(), 1);
    let f = &outcome.findings[0];
    assert_eq!(
        (f.rule.as_str(), f.path.as_deref(), f.line),
        ("B301", Some("app.py"), Some(2))
    );
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.fingerprint.len(), 16);
    assert_eq!(output.lock().last(), Some("progress"));
}

#[tokio::test]
async fn lines_format_finds_and_cwd_paths_are_anchored() {
    let fx = fixture();
    std::fs::create_dir(fx.dir.path().join("web")).unwrap();
    std::fs::write(fx.dir.path().join("web/a.js"), "x\nvar y\n").unwrap();
    let mut s = spec("lint", "echo 'a.js:2: no var'; exit 1");
    s.cwd = Some("web".into());
    s.format = Format::Lines(
        regex::Regex::new(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<message>.*)$").unwrap(),
    );
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Failed);
    assert_eq!(outcome.findings[0].path.as_deref(), Some("web/a.js"));
    assert_eq!(outcome.findings[0].message, "no var");
}

fn audit_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/audit")
        .join(name)
}

#[tokio::test]
async fn an_audit_that_could_not_reach_its_advisories_is_an_error_not_a_pass() {
    let fx = fixture();
    // pip-audit exits 0 and says "No known vulnerabilities found" on stderr.
    let mut s = spec(
        "audit",
        &format!(
            "cat '{}'; echo 'No known vulnerabilities found' >&2",
            audit_fixture("pip-audit-offline.json").display()
        ),
    );
    s.format = Format::PipAudit;
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.status, RunStatus::Error);
    assert!(outcome
        .error
        .unwrap_or_default()
        .contains("pip-audit audited none of the 5 dependencies"));
}

#[tokio::test]
async fn a_tool_that_printed_no_report_says_why_from_its_output() {
    let fx = fixture();
    let mut s = spec(
        "audit",
        &format!(
            "echo '    Fetching advisory database' >&2; cat '{}' >&2; exit 1",
            audit_fixture("cargo-audit-offline.stderr.txt").display()
        ),
    );
    s.format = Format::CargoAudit;
    let (outcome, _) = run(&fx, &s, 50).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert_eq!(
        outcome.error.as_deref(),
        Some("the check printed no report on stdout; its output says: error: couldn't fetch advisory database: git operation failed: An IO error occurred when talking to the server")
    );
}

#[tokio::test]
async fn audit_findings_get_versions_and_manifests_from_the_tree() {
    let fx = fixture();
    std::fs::create_dir_all(fx.dir.path().join("web")).unwrap();
    std::fs::copy(
        audit_fixture("npm-several-package-lock.json"),
        fx.dir.path().join("web/package-lock.json"),
    )
    .unwrap();
    let mut s = spec(
        "npm",
        &format!(
            "cat '{}'; exit 1",
            audit_fixture("npm-audit-several.json").display()
        ),
    );
    s.format = Format::Auto;
    s.cwd = Some("web".into());
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Failed, "{:?}", outcome.error);
    assert_eq!(outcome.findings.len(), 6);
    let lodash = &outcome.findings[1];
    assert_eq!(lodash.path.as_deref(), Some("web/package-lock.json"));
    assert_eq!(
        lodash.dependency.as_ref().map(|d| d.summary()).as_deref(),
        Some("lodash 4.17.20 → 4.17.21")
    );
}

#[tokio::test]
async fn a_missing_tool_says_so_rather_than_blaming_the_report() {
    let fx = fixture();
    let mut s = spec(
        "lint",
        "no-such-tool-for-preflight check --output-format=sarif .",
    );
    s.format = Format::Sarif;
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert_eq!(outcome.exit_code, Some(127));
    assert_eq!(
        outcome.error.as_deref(),
        Some("no-such-tool-for-preflight: command not found (exit 127)")
    );
    // An exit-code check alike: it could not run, it did not fail.
    let (outcome, _) = run(&fx, &spec("test", "true && no-such-tool-for-preflight"), 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert_eq!(
        outcome.error.as_deref(),
        Some("no-such-tool-for-preflight: command not found (exit 127)")
    );
}

// ---- hostile reports and paths ----------------------------------------------------

fn lines_spec(id: &str, run: &str) -> CheckSpec {
    let regex = regex::Regex::new(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<message>.+)$").unwrap();
    CheckSpec {
        format: Format::Lines(regex),
        ..spec(id, run)
    }
}

#[tokio::test]
async fn finding_paths_to_devices_fifos_and_outside_files_are_never_read() {
    let fx = fixture();
    let fifo = fx.dir.path().join("pipe.rs");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    std::fs::write(fx.dir.path().join("real.rs"), "let x = 1;\n").unwrap();
    // Each of these used to hang (FIFO, keyboard) or read without end (/dev/zero).
    let s = lines_spec(
        "paths",
        "echo '/dev/zero:1: zero'; echo 'pipe.rs:1: fifo'; echo '/dev/stdin:1: keyboard'; \
         echo '../../../../etc/passwd:1: outside'; echo 'real.rs:1: real'",
    );
    let (outcome, _) = tokio::time::timeout(Duration::from_secs(20), run(&fx, &s, 100))
        .await
        .expect("no read blocks");
    assert_eq!(outcome.findings.len(), 5);
    assert!(outcome.findings.iter().all(|f| f.fingerprint.len() == 16));
    // The real file anchors its fingerprint: moving the finding down a line keeps it.
    std::fs::write(fx.dir.path().join("real.rs"), "\nlet x = 1;\n").unwrap();
    let (moved, _) = run(&fx, &lines_spec("paths", "echo 'real.rs:2: real'"), 100).await;
    assert_eq!(
        moved.findings[0].fingerprint,
        outcome.findings[4].fingerprint
    );
}

#[tokio::test]
async fn a_run_past_the_findings_cap_says_it_was_truncated() {
    let fx = fixture();
    let s = lines_spec(
        "many",
        "i=0; while [ $i -lt 10005 ]; do echo \"a.rs:$i: problem $i\"; i=$((i+1)); done",
    );
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.findings.len(), crate::domain::finding::MAX_FINDINGS);
    assert_eq!(outcome.truncated, Some(10_000));
    assert_eq!(outcome.status, RunStatus::Failed);
    let error = outcome.error.unwrap_or_default();
    assert!(error.contains("findings truncated at 10000"), "{error}");
}

#[tokio::test]
async fn a_full_disk_cutting_the_log_is_said_in_the_result() {
    let fx = fixture();
    std::fs::create_dir_all(&fx.ctx.logs_dir).unwrap();
    // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
    std::os::unix::fs::symlink("/dev/full", fx.ctx.logs_dir.join("full.log")).unwrap();
    let s = spec("full", "seq 1 100000");
    let (outcome, output) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Passed);
    let said = outcome.log_error.unwrap_or_default();
    assert!(said.contains("the log is cut"), "{said}");
    assert!(said.contains("No space left on device"), "{said}");
    assert_eq!(output.lock().total(), 100_000, "the output is still read");
}

#[tokio::test]
async fn a_report_that_is_a_device_or_too_big_is_an_error_not_a_hang() {
    let fx = fixture();
    std::os::unix::fs::symlink("/dev/zero", fx.dir.path().join("zero.sarif")).unwrap();
    let s = CheckSpec {
        format: Format::Sarif,
        report: Some("zero.sarif".into()),
        ..spec("zero", "true")
    };
    let (outcome, _) = run(&fx, &s, 10).await;
    assert_eq!(outcome.status, RunStatus::Error);
    let error = outcome.error.unwrap_or_default();
    assert!(error.contains("character device"), "{error}");
}

#[tokio::test]
async fn nothing_runs_and_nothing_is_created_once_the_repository_is_gone() {
    let fx = fixture();
    let root = fx.dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    let ctx = RunContext {
        root: root.clone(),
        logs_dir: root.join(".git/preflight/logs"),
    };
    std::fs::rename(&root, fx.dir.path().join("moved")).unwrap();
    let output = Output::new(10);
    let s = spec("ghost", "touch ran");
    let outcome = run_check(&s, &ctx, &output, &CancellationToken::new()).await;
    assert_eq!(outcome.status, RunStatus::Error);
    assert!(outcome.error.unwrap_or_default().contains("is gone"));
    assert!(
        !root.exists(),
        "<old path>/.git/preflight is not re-created"
    );
}
