//! The real binary on temporary repositories: exit codes, JSON, trust, init.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use assert_cmd::Command;
use common::process::gone;
use common::{output_of, stderr_of, Sandbox};

const TWO_CHECKS: &str = r#"
[[check]]
id = "ok"
run = "echo fine"

[[check]]
id = "bad"
run = "echo broken >&2; exit 4"
"#;

#[test]
fn untrusted_repository_runs_nothing_and_says_how() {
    let sb = Sandbox::with_config("[[check]]\nid = \"touch\"\nrun = \"touch ran\"\n");
    let (code, err) = stderr_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2);
    assert!(err.contains("preflight trust"), "{err}");
    assert!(err.contains("--trust"), "{err}");
    assert!(err.contains("PREFLIGHT_TRUST=1"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!sb.repo.join("ran").exists());
}

#[test]
fn trust_allows_runs_until_the_file_changes() {
    let sb = Sandbox::with_config("[[check]]\nid = \"ok\"\nrun = \"true\"\n");
    // No terminal to ask on: the commands are shown, nothing is trusted.
    let (code, out, err) = output_of(sb.cmd(&["trust"]).write_stdin(""));
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("  ok  true\n"), "{out}");
    assert!(err.contains("preflight trust --yes"), "{err}");
    sb.cmd(&["check"]).assert().code(2);
    // --yes (scripts): shown, then trusted.
    let (code, out, _) = output_of(&mut sb.cmd(&["trust", "--yes"]));
    assert_eq!(code, 0);
    assert!(out.contains("  ok  true\n"), "{out}");
    assert!(out.contains("trusted"), "{out}");
    sb.cmd(&["check"]).assert().success();
    sb.write(
        "preflight.toml",
        "[[check]]\nid = \"ok\"\nrun = \"true # edited\"\n",
    );
    let (code, err) = stderr_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2);
    assert!(err.contains("not trusted"), "{err}");
}

#[test]
fn dry_run_prints_the_commands_and_runs_nothing_without_trust() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"touch\"\nrun = \"touch ran\"\ncwd = \"sub\"\nenv = { MODE = \"ci\" }\n[[check]]\nid = \"other\"\nrun = \"touch other\"\n",
    );
    std::fs::create_dir(sb.repo.join("sub")).unwrap();
    let (code, out, err) = output_of(&mut sb.cmd(&["check", "--dry-run", "touch"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("  touch  touch ran\n"), "{out}");
    assert!(out.contains("/sub MODE=ci\n"), "{out}");
    assert!(!out.contains("other"), "only the checks named: {out}");
    assert!(!sb.repo.join("sub/ran").exists());
}

/// `preflight issue list | head`: the reader is gone before the first line. Every
/// command ends quietly, with the exit code it would have had.
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"ok\"\nrun = \"true\"\n[[gate]]\nid = \"g\"\nchecks = [\"ok\"]\n",
    );
    sb.trust();
    sb.cmd(&["issue", "new", "--title", "a", "--severity", "low"])
        .assert()
        .success();
    for (args, expected) in [
        (&["issue", "list"][..], 0),
        (&["issue", "list", "--json"], 0),
        (&["check"], 0),
        (&["check", "--json"], 0),
        (&["gate"], 0),
        (&["report"], 0),
        (&["plan"], 0),
        (&["trust", "--yes"], 0),
        (&["check", "--dry-run"], 0),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sb.std_cmd(args).stdout(writer).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn flag_and_environment_trust_for_ci() {
    let sb = Sandbox::with_config("[[check]]\nid = \"ok\"\nrun = \"true\"\n");
    sb.cmd(&["check", "--trust"]).assert().success();
    sb.cmd(&["check"])
        .env("PREFLIGHT_TRUST", "1")
        .assert()
        .success();
    sb.cmd(&["check"])
        .env("PREFLIGHT_TRUST", "0")
        .assert()
        .code(2);
}

#[test]
fn a_repository_cannot_trust_itself() {
    let sb = Sandbox::with_config("trusted = true\n[[check]]\nid = \"ok\"\nrun = \"true\"\n");
    sb.write(".preflight/trust", "yes\n");
    let (code, err) = stderr_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2);
    assert!(err.contains("preflight.toml: ignoring `trusted`"), "{err}");
    assert!(err.contains("ignoring .preflight/trust"), "{err}");
}

#[test]
fn a_repository_reached_through_a_symlink_asks_again() {
    let sb = Sandbox::with_config("[[check]]\nid = \"ok\"\nrun = \"true\"\n");
    sb.trust();
    let link = sb.home.join("link");
    std::os::unix::fs::symlink(&sb.repo, &link).unwrap();
    sb.cmd_in(&link, &["check"]).assert().code(2);
    sb.cmd(&["check"]).assert().success();
}

#[test]
fn failures_exit_1_and_json_has_the_documented_shape() {
    let sb = Sandbox::with_config(TWO_CHECKS);
    sb.trust();
    let (code, json) = sb.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(json["passed"], false);
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0]["id"], "ok");
    assert_eq!(checks[0]["status"], "passed");
    assert_eq!(checks[0]["exit_code"], 0);
    assert!(checks[0]["duration_ms"].is_u64());
    assert_eq!(checks[1]["status"], "failed");
    assert_eq!(checks[1]["exit_code"], 4);
    assert!(checks[1]["findings"].as_array().unwrap().is_empty());
    let log = std::fs::read_to_string(checks[1]["log"].as_str().unwrap()).unwrap();
    assert_eq!(log, "broken\n");
}

#[test]
fn selected_ids_only_and_unknown_ids_are_usage_errors() {
    let sb = Sandbox::with_config(TWO_CHECKS);
    sb.trust();
    let (code, json) = sb.check_json(&["ok"]);
    assert_eq!(code, 0);
    assert_eq!(json["checks"].as_array().unwrap().len(), 1);
    let (code, err) = stderr_of(&mut sb.cmd(&["check", "bda"]));
    assert_eq!(code, 2);
    assert!(err.contains("no check `bda`"), "{err}");
    assert!(err.contains("did you mean `bad`?"), "{err}");
}

#[test]
fn a_timeout_is_reported_with_a_null_exit_code() {
    let sb =
        Sandbox::with_config("[[check]]\nid = \"slow\"\nrun = \"sleep 30\"\ntimeout = \"300ms\"\n");
    sb.trust();
    let (code, json) = sb.check_json(&[]);
    assert_eq!(code, 1);
    assert_eq!(json["checks"][0]["status"], "timed-out");
    assert!(json["checks"][0]["exit_code"].is_null());
}

#[test]
fn findings_from_a_lines_check_reach_the_json() {
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "todo"
run = "grep -n TODO src/app.py | sed 's|^|src/app.py:|'"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+):(?P<message>.*)$'
severity = "low"
"#,
    );
    sb.write("src/app.py", "x = 1\n# TODO: remove\n");
    sb.trust();
    let (code, json) = sb.check_json(&[]);
    assert_eq!(code, 1);
    let finding = &json["checks"][0]["findings"][0];
    assert_eq!(finding["path"], "src/app.py");
    assert_eq!(finding["line"], 2);
    assert_eq!(finding["severity"], "low");
    assert_eq!(finding["rule"], "lines");
    assert_eq!(finding["message"], "# TODO: remove");
    assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn summary_table_lists_each_check() {
    let sb = Sandbox::with_config(TWO_CHECKS);
    sb.trust();
    let out = sb.cmd(&["check"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("✔ ok "), "{stdout}");
    assert!(stdout.contains("✖ bad "), "{stdout}");
    assert!(stdout.contains("2 checks: 1 passed, 1 failed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("▶ ok started"),
        "plain progress when not a terminal: {stderr}"
    );
}

#[test]
fn config_errors_are_one_located_line_and_exit_2() {
    let sb = Sandbox::with_config("[[check]]\nid = \"a\"\nrun = \"true\"\nfromat = \"cargo\"\n");
    let (code, err) = stderr_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "preflight.toml:4:1: unknown key `fromat` in [[check]]; did you mean `format`?"
        ),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn init_writes_the_default_and_refuses_to_overwrite() {
    let sb = Sandbox::new();
    sb.write("Makefile", "test:\n\ttrue\n");
    sb.cmd(&["init"]).assert().success();
    let text = std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap();
    assert!(text.contains("run = \"make test\""), "{text}");
    let (code, err) = stderr_of(&mut sb.cmd(&["init"]));
    assert_eq!(code, 2);
    assert!(err.contains("already exists; pass --force"), "{err}");
    sb.cmd(&["init", "--force"]).assert().success();
}

#[test]
fn without_a_config_the_detected_default_runs_once_trusted() {
    let sb = Sandbox::new();
    sb.write("Makefile", "test:\n\t@echo tested > made\n");
    let (code, err) = stderr_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 2);
    assert!(err.contains("detected checks"), "{err}");
    sb.trust();
    let (code, json) = sb.check_json(&[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["checks"][0]["id"], "test");
    assert!(sb.repo.join("made").exists());
}

#[test]
fn help_lists_only_what_exists() {
    let out = Command::cargo_bin("preflight")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["check", "init", "trust"] {
        assert!(help.contains(&format!("  {cmd} ")), "{help}");
    }
    assert!(!help.contains("not implemented"));
}

#[test]
fn sigterm_to_preflight_ends_the_checks_groups_and_exits_130() {
    let sb = Sandbox::with_config(
        "[[check]]\nid = \"long\"\nrun = \"sleep 60 & echo $! > grandchild.pid; wait\"\n",
    );
    sb.trust();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("preflight"))
        .env("XDG_DATA_HOME", sb.home.join("data"))
        .env("XDG_STATE_HOME", sb.home.join("state"))
        .arg("--repo")
        .arg(&sb.repo)
        .arg("check")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let grandchild = wait_for_pid(&sb.repo.join("grandchild.pid"));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // Gone, or a zombie waiting for a reaper: either way no longer running.
    assert!(
        gone(u32::try_from(grandchild).unwrap()),
        "grandchild {grandchild} still running"
    );
}

/// The pid a check writes to `path`, once it is there whole (the shell creates the
/// file before it writes the number).
fn wait_for_pid(path: &std::path::Path) -> i32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if let Some(pid) = text.strip_suffix('\n').and_then(|t| t.trim().parse().ok()) {
            return pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no pid in {}",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A failure says why: a missing tool is named, a check that failed without findings
/// shows its last lines, and each metric shows its value or why it has none, in the
/// summary and in --json.
#[test]
fn the_summary_says_why_checks_failed_and_shows_metrics() {
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "lint"
run = "no-such-linter-for-preflight check --output-format=sarif ."
format = "sarif"

[[check]]
id = "test"
run = "echo collected 3 items; echo 'FAILED tests/test_a.py::test_x - assert 1 == 2'; exit 1"

[[check]]
id = "cov"
run = "printf 'SF:a.rs\nLF:10\nLH:7\nend_of_record\n' > lcov.info"
metric = { from = "lcov", path = "lcov.info" }

[[check]]
id = "stale"
run = "true"
metric = { from = "lcov", path = "old.info" }
"#,
    );
    sb.write("old.info", "SF:a.rs\nLF:10\nLH:9\nend_of_record\n");
    sb.trust();
    let (code, out, _) = output_of(&mut sb.cmd(&["check", "--no-register"]));
    assert_eq!(code, 1);
    assert!(
        out.contains("lint: no-such-linter-for-preflight: command not found (exit 127)"),
        "{out}"
    );
    assert!(!out.contains("is empty"), "{out}");
    assert!(out.contains("test: failed (exit 1); the last lines of its output:\n  │ collected 3 items\n  │ FAILED tests/test_a.py::test_x - assert 1 == 2\n"), "{out}");
    let row = |id: &str| {
        out.lines()
            .find(|l| l.contains(&format!(" {id} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("cov").ends_with("  70%"), "{out}");
    assert!(row("stale").ends_with("  no value"), "{out}");
    assert!(
        out.contains("stale: no metric: the report old.info was not rewritten by this run"),
        "{out}"
    );

    let (_, json) = sb.check_json(&["--no-register"]);
    let check = |id: &str| {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(check("cov")["metric"], 70.0);
    assert_eq!(check("cov")["unit"], "%");
    assert_eq!(check("stale")["metric"], serde_json::Value::Null);
    assert_eq!(
        check("stale")["metric_note"],
        "the report old.info was not rewritten by this run"
    );
    assert_eq!(check("lint")["status"], "error");

    // `gate` and `report` say why too.
    sb.write(
        "preflight.toml",
        &(std::fs::read_to_string(sb.repo.join("preflight.toml")).unwrap()
            + "\n[[gate]]\nid = \"coverage\"\nmetric = \"stale\"\nmin = 80\n"),
    );
    sb.trust();
    let (_, out, _) = output_of(&mut sb.cmd(&["gate", "--no-run"]));
    assert!(
        out.contains("stale has no value: the report old.info was not rewritten by this run"),
        "{out}"
    );
    let (_, out, _) = output_of(&mut sb.cmd(&["report"]));
    assert!(
        out.contains("no value: the report old.info was not rewritten by this run"),
        "{out}"
    );
}

/// Ctrl-C while checks wait for a job slot: those never started read `not started`.
/// With one job, either check may take the slot first (tokio runs spawned tasks in no
/// fixed order), so both sleep: whichever started is interrupted, the other never ran.
#[test]
fn an_interrupted_queued_check_reads_not_started() {
    let run = "sleep 60 & echo $! > started.pid; wait";
    let sb = Sandbox::with_config(&format!(
        "[[check]]\nid = \"one\"\nrun = \"{run}\"\n[[check]]\nid = \"two\"\nrun = \"{run}\"\n"
    ));
    sb.trust();
    let child = sb
        .std_cmd(&["check", "-j", "1", "--no-register"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_pid(&sb.repo.join("started.pid"));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("· ") && l.contains(" not started "))
        .collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(text.contains("1 not started"), "{text}");
    let waited = rows[0].split_whitespace().nth(1).unwrap_or_default();
    assert!(["one", "two"].contains(&waited), "{text}");
    assert!(
        !text.contains(&format!("{waited}: ")),
        "no error line for it: {text}"
    );
}

/// Errors are one line, and cheap: no backtrace is captured for them even when
/// `RUST_BACKTRACE` is set (panics have theirs); `RUST_LIB_BACKTRACE=1` asks for the
/// whole report. Their cost is measured in BENCHMARKS.md, not here.
#[test]
fn an_error_is_one_line_whatever_rust_backtrace_says() {
    let sb = Sandbox::with_config("[[check]]\nid = \"a\"\nrun = \"true\"\ntimout = \"5s\"\n");
    for backtrace in ["0", "1", "full"] {
        let (code, err) = stderr_of(
            sb.cmd(&["check"])
                .env("RUST_BACKTRACE", backtrace)
                .env_remove("RUST_LIB_BACKTRACE"),
        );
        assert_eq!(code, 2);
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "RUST_BACKTRACE={backtrace}: {err}"
        );
        assert!(err.contains("unknown key `timout`"), "{err}");
    }
    let (code, err) = stderr_of(sb.cmd(&["check"]).env("RUST_LIB_BACKTRACE", "1"));
    assert_eq!(code, 2);
    assert!(
        err.trim_end().lines().count() > 1,
        "the whole report: {err}"
    );
}
