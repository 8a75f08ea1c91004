//! Hostile repositories and hostile reports, end to end: the real binary on a
//! repository written by a stranger. Nothing in it may reach the terminal raw, lead a
//! read or a write out of the repository, hang preflight, or outlive it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::process::{group_alive, wait_for_pid};
use common::{output_of, Sandbox, PATIENCE};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bytes no terminal output of preflight may hold: ESC, BEL, C1 controls (UTF-8 encoded
/// or raw), and bidi overrides.
fn assert_terminal_safe(what: &str, text: &str) {
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "{what}: raw {c:?} at byte {i} in:\n{text}");
    }
}

/// An issue file with every text field hostile.
fn hostile_issue(id: &str) -> String {
    let evil = r"pwn\u001b]0;owned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b31m\u202eexe.txt\nall checks passed";
    format!(
        r#"id = "{id}"
title = "{evil}"
severity = "high"
status = "open"
owner = "{evil}"
evidence = "{evil}"
created = "2026-11-22T10:00:00Z"
updated = "2026-11-22T10:00:00Z"
revision = 1

[[notes]]
at = "2026-11-22T10:00:00Z"
by = "{evil}"
text = "{evil}"
"#
    )
}

#[test]
fn stored_text_never_reaches_the_terminal_raw() {
    let sb = Sandbox::with_config(
        "[project]\nname = \"evil\\u001b[2J\"\n\n[[phase]]\nid = \"p1\"\ntitle = \"Phase \\u001b]0;x\\u0007one\"\n\n[[phase.task]]\nid = \"t1\"\ntitle = \"Task\\u009b31m \\u202eevil\"\n",
    );
    sb.write(
        ".preflight/issues/PF-EV1L00.toml",
        &hostile_issue("PF-EV1L00"),
    );
    for args in [
        vec!["issue", "list"],
        vec!["issue", "show", "PF-EV1L00"],
        vec!["plan"],
        vec!["report"],
        vec!["gate", "--no-run"],
    ] {
        let (_, out, err) = output_of(&mut sb.cmd(&args));
        assert_terminal_safe(&format!("{args:?} stdout"), &out);
        assert_terminal_safe(&format!("{args:?} stderr"), &err);
        // Multi-line fields (evidence, notes) keep their breaks, indented under
        // their label: no line of theirs starts where preflight's own lines start.
        assert!(
            !out.lines().any(|l| l.starts_with("all checks passed")),
            "{args:?}: a newline forged a line:\n{out}"
        );
    }
    let (_, out, _) = output_of(&mut sb.cmd(&["issue", "show", "PF-EV1L00"]));
    assert!(out.contains("pwn\\e]0;owned"), "shown escaped:\n{out}");
    assert!(out.contains("\\u{202e}exe.txt⏎all checks passed"), "{out}");
    // JSON stays exact: escaped by JSON itself.
    let (_, json, _) = output_of(&mut sb.cmd(&["issue", "show", "PF-EV1L00", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["title"]
        .as_str()
        .unwrap()
        .contains("\u{1b}]0;owned\u{7}"));
}

#[test]
fn config_errors_echo_keys_and_ids_escaped() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"a\\u001b]52;c;ZXZpbA==\\u0007\"\nrun = \"true\"\n\"\\u001b[2J\" = 1\n",
    );
    let (code, out, err) = output_of(&mut sb.cmd(&["check", "--trust"]));
    assert_eq!(code, 2, "{out}{err}");
    assert_terminal_safe("config error", &err);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn check_summaries_show_findings_escaped() {
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "scan"
run = "cat report.sarif"
format = "sarif"
"#,
    );
    sb.write(
        "report.sarif",
        r#"{"runs": [{"results": [
            {"ruleId": "r\u001b[2J", "message": {"text": "bad\u001b]0;t\u0007 \u202eexe"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.rs\n4 checks: 4 passed"}, "region": {"startLine": 1}}}]}
        ]}]}"#,
    );
    sb.trust();
    let (code, out, err) = output_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 1, "{out}{err}");
    assert_terminal_safe("check stdout", &out);
    assert_terminal_safe("check stderr", &err);
    assert!(
        !out.lines().any(|l| l.starts_with("4 checks")),
        "a newline in a path forged a summary line:\n{out}"
    );
    assert!(out.contains("src/a.rs⏎4 checks: 4 passed"), "{out}");
}

#[test]
fn a_ten_megabyte_message_is_neither_a_ten_megabyte_issue_nor_ten_megabytes_on_screen() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"big\"\nrun = \"cat report.sarif\"\nformat = \"sarif\"\n",
    );
    let message = "A".repeat(10 * 1024 * 1024);
    sb.write(
        "report.sarif",
        &format!(r#"{{"runs": [{{"results": [{{"ruleId": "huge", "message": {{"text": "{message}"}}}}]}}]}}"#),
    );
    sb.trust();
    let (code, out, err) = output_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 1, "{err}");
    assert!(out.len() < 64 * 1024, "{} bytes on the terminal", out.len());
    let files = sb.issue_files();
    assert_eq!(files.len(), 1);
    let (_, text) = files.into_iter().next().unwrap();
    assert!(
        text.len() < 200 * 1024,
        "an issue file of {} bytes",
        text.len()
    );
    assert!(text.contains("more bytes]"), "the cut is marked");
}

#[test]
fn a_committed_register_symlink_cannot_make_preflight_write_outside() {
    let sb = Sandbox::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(sb.repo.join(".preflight")).unwrap();
    std::os::unix::fs::symlink(outside.path(), sb.repo.join(".preflight/issues")).unwrap();
    let (code, _, err) =
        output_of(&mut sb.cmd(&["issue", "new", "--title", "x", "--severity", "low"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("leads outside the repository"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn an_id_that_names_a_path_is_refused_before_any_file_is_opened() {
    let sb = Sandbox::new();
    let outside = sb.home.join("X.toml");
    std::fs::write(&outside, hostile_issue("PF-A/../../../X")).unwrap();
    for args in [
        vec!["issue", "show", "PF-A/../../../../home/X"],
        vec!["issue", "note", "../../../home/X", "hello"],
        vec!["issue", "set", "PF-A/../../X", "owner=me"],
    ] {
        let (code, out, err) = output_of(&mut sb.cmd(&args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("is not an issue id"), "{args:?}: {err}");
    }
    assert!(!std::fs::read_to_string(&outside).unwrap().contains("hello"));
}

/// The binary as a plain `Command` (to spawn, signal and kill), set up as
/// [`Sandbox::cmd`] sets it up.
fn command(sb: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_preflight"));
    cmd.env_remove("PREFLIGHT_TRUST")
        .env("HOME", &sb.home)
        .env("XDG_DATA_HOME", sb.home.join("data"))
        .env("XDG_STATE_HOME", sb.home.join("state"))
        .current_dir(&sb.repo)
        .arg("--repo")
        .arg(&sb.repo)
        .args(args);
    cmd
}

/// Run `cmd` with a deadline; `None` when it had to be killed.
fn run_bounded(mut cmd: Command) -> Option<(i32, String, String)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Some((
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_fifo_named_like_an_issue_hangs_nothing() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"ok\"\nrun = \"true\"\n\n[[gate]]\nid = \"g\"\nmax_open = { critical = 0 }\n",
    );
    sb.trust();
    let dir = sb.repo.join(".preflight/issues");
    std::fs::create_dir_all(&dir).unwrap();
    nix::unistd::mkfifo(&dir.join("PF-F1F000.toml"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    for args in [
        vec!["issue", "list"],
        vec!["report"],
        vec!["check"],
        vec!["gate", "--no-run"],
    ] {
        let (code, out, err) =
            run_bounded(command(&sb, &args)).unwrap_or_else(|| panic!("{args:?} hung on the FIFO"));
        assert!(code == 0 || code == 1, "{args:?}: {code} {out}{err}");
        assert!(
            err.contains("is a FIFO, not a regular file: skipped"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_signal_ends_check_even_while_it_waits_for_the_register_lock() {
    let sb = Sandbox::with_config("[[check]]\nid = \"ok\"\nrun = \"echo done > ran\"\n");
    sb.trust();
    // Another writer holds the register lock.
    let state = sb.repo.join(".git/preflight");
    std::fs::create_dir_all(&state).unwrap();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(state.join("register.lock"))
        .unwrap();
    let _held = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive).unwrap();
    let mut cmd = command(&sb, &["check"]);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !sb.repo.join("ran").exists() {
        assert!(start.elapsed() < PATIENCE, "the check never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Give it time to reach the lock, then SIGTERM.
    std::thread::sleep(Duration::from_millis(300));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(130));
            break;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("`check` ignored SIGTERM while waiting for the register lock");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn kill_9_of_check_leaves_no_process_of_the_running_checks_behind() {
    let sb = Sandbox::new();
    let polite = sb.home.join("polite");
    let stubborn = sb.home.join("stubborn");
    sb.write(
        "preflight.toml",
        &format!(
            "[[check]]\nid = \"polite\"\nrun = \"echo $$ > {}; sleep 300 & sleep 300\"\n\n\
             [[check]]\nid = \"stubborn\"\nrun = \"trap '' TERM; echo $$ > {}; while :; do sleep 1; done\"\n",
            polite.display(),
            stubborn.display()
        ),
    );
    sb.trust();
    let mut cmd = command(&sb, &["check", "--jobs", "2"]);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let groups = [wait_for_pid(&polite), wait_for_pid(&stubborn)];
    assert!(groups.iter().all(|g| group_alive(*g)));
    child.kill().unwrap(); // SIGKILL: no cleanup of its own
    child.wait().unwrap();
    let start = Instant::now();
    while groups.iter().any(|g| group_alive(*g)) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "a check's process group outlived preflight: {groups:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watch_mode_stops_when_its_repository_is_moved_and_recreates_nothing() {
    let sb =
        Sandbox::with_config("[[check]]\nid = \"ok\"\nrun = \"echo ran\"\nwatch = [\"src/**\"]\n");
    sb.write("src/a.txt", "one");
    sb.trust();
    let mut cmd = command(&sb, &["check", "--watch"]);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = sb.repo.join(".git/preflight/logs/ok.log");
    let start = Instant::now();
    while !logs.exists() {
        assert!(start.elapsed() < PATIENCE, "the first run never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let moved = sb.repo.with_file_name("moved");
    std::fs::rename(&sb.repo, &moved).unwrap();
    std::fs::write(moved.join("src/a.txt"), "two").unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("watch mode kept going in a moved repository");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("is gone (moved or deleted)"), "{err}");
    assert!(
        !sb.repo.exists(),
        "<old path>/.git/preflight was re-created"
    );
}

#[test]
fn preflights_own_edits_keep_trust_and_a_changed_command_says_what_changed() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"ok\"\nrun = \"true\"\n\n[[phase]]\nid = \"p1\"\ntitle = \"One\"\n\n[[phase.task]]\nid = \"t1\"\ntitle = \"Do it\"\n\n[[gate]]\nid = \"g\"\nmax_open = { critical = 0 }\n",
    );
    sb.trust();
    // preflight's own status edit, a comment and a gate threshold: trust stays.
    sb.cmd(&["plan", "set", "t1", "done"]).assert().success();
    let text = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    sb.write(
        "preflight.toml",
        &format!(
            "# reviewed\n{}",
            text.replace("critical = 0", "critical = 2")
        ),
    );
    sb.cmd(&["check"]).assert().success();
    // A change to what runs asks again, and says what changed.
    let text = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    sb.write(
        "preflight.toml",
        &text.replace("run = \"true\"", "run = \"true; touch pwned\""),
    );
    let (code, _, err) = output_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ok: run `true` → `true; touch pwned`"),
        "{err}"
    );
    assert!(!sb.repo.join("pwned").exists());
    let (code, out, _) = output_of(&mut sb.cmd(&["trust", "--yes"]));
    assert_eq!(code, 0);
    assert!(out.contains("changed since you last trusted it"), "{out}");
}

#[test]
fn a_fifo_or_device_as_an_ignore_file_hangs_no_walk() {
    let sb = Sandbox::with_config("[project]\nplans = [\"docs/*.md\"]\n");
    sb.write("docs/plan.md", "# Plan\n\n- [ ] first task\n");
    std::fs::create_dir_all(sb.repo.join("sub")).unwrap();
    nix::unistd::mkfifo(
        &sb.repo.join("sub/.gitignore"),
        nix::sys::stat::Mode::S_IRWXU,
    )
    .unwrap();
    std::fs::create_dir_all(sb.repo.join("zero")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", sb.repo.join("zero/.ignore")).unwrap();
    let (code, out, err) =
        run_bounded(command(&sb, &["plan"])).expect("`plan` hung walking the repository");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("first task"), "{out}");
}
