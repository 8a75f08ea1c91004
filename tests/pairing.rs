//! Pairing end to end: several cockpits (and `check --watch`, and one-shot `check`) on
//! one repository, the real binary in tmux. One of them runs the checks; the others
//! follow. Runs are counted by the check's own side effect (it appends a line to a
//! file beside the repository), never by what preflight says of itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tmux::Tmux;
use common::{line_count, output_of, wait_for_lines, Sandbox, PATIENCE, POLL};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A check that counts its runs in `../count`, prints the value file, and — when the
/// value says `slow` — waits for `../go` before it ends (so `running` can be seen).
const CONFIG: &str = r#"
[[check]]
id = "count"
run = "echo run >> ../count; cat src/value.txt; if grep -q slow src/value.txt; then while [ ! -e ../go ]; do sleep 0.05; done; fi; echo done-$(cat src/value.txt)"
watch = ["src/**"]
"#;

fn sandbox() -> Sandbox {
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/value.txt", "value one\n");
    sb.trust();
    sb
}

fn beside(sb: &Sandbox, name: &str) -> PathBuf {
    sb.repo.parent().unwrap().join(name)
}

/// How many times the check ran.
fn runs(sb: &Sandbox) -> usize {
    line_count(&beside(sb, "count"))
}

fn wait_runs(sb: &Sandbox, n: usize) {
    wait_for_lines(&beside(sb, "count"), n, "runs of the check");
    assert_eq!(runs(sb), n, "more runs than saves");
}

/// `user@host (pid)` of the runner, as its lock file says.
fn runner_label(sb: &Sandbox) -> String {
    let lock = sb.repo.join(".git/preflight/runner.lock");
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&lock).unwrap_or_default();
        let words: Vec<&str> = text.split_whitespace().collect();
        if let [who, pid, _role] = words[..] {
            return format!("{who} ({pid})");
        }
        assert!(
            start.elapsed() < PATIENCE,
            "no runner in {}",
            lock.display()
        );
        std::thread::sleep(POLL);
    }
}

fn kill(pid: u32) {
    signal(pid, "-KILL");
}

fn signal(pid: u32, which: &str) {
    Command::new("kill")
        .args([which, &pid.to_string()])
        .status()
        .unwrap();
}

/// Wait until the history records `n` runs (each by whoever ran it).
fn wait_history(sb: &Sandbox, n: usize) {
    wait_for_lines(
        &sb.repo.join(".git/preflight/runs.jsonl"),
        n,
        "runs recorded in the history",
    );
}

#[test]
fn three_cockpits_one_run_per_save_followers_stream_it_and_ask_once() {
    let Some(tmux) = Tmux::new("three") else {
        return;
    };
    let sb = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "runner: me");
    tmux.wait_for("a", "done-value one");
    wait_runs(&sb, 1);
    let runner = runner_label(&sb);
    tmux.cockpit(&sb, "b", "");
    tmux.cockpit(&sb, "c", "--read-only");
    for follower in ["b", "c"] {
        tmux.wait_for(follower, &format!("runner: {runner}"));
        tmux.wait_for(follower, "done-value one");
    }
    tmux.wait_for("b", "watching");

    // A save: the runner runs it once; both followers show it running, streaming.
    sb.write("src/value.txt", "slow two\n");
    for window in ["a", "b", "c"] {
        tmux.wait_until(window, "the run streaming", |s| {
            s.contains("count running") && s.contains("slow two")
        });
    }
    assert_eq!(runs(&sb), 2, "one run for one save, whoever watches");
    std::fs::write(beside(&sb, "go"), "").unwrap();
    for window in ["a", "b", "c"] {
        tmux.wait_until(window, "the result", |s| {
            s.contains("count passed") && s.contains("done-slow two")
        });
    }
    wait_history(&sb, 2);
    assert_eq!(runs(&sb), 2);

    // The follower asks for a re-run: the runner runs it, once.
    tmux.keys("b", &["r"]);
    tmux.wait_for("b", &format!("asked {runner} to re-run count"));
    wait_runs(&sb, 3);
    wait_history(&sb, 3);
    tmux.wait_for("b", "r by ");
    // Two asks naming one run: one run. The runner is stopped while they land, so no
    // new run can reach the asker's screen between its two keys (a cockpit shows a
    // new run within milliseconds, faster than tmux sends keys to two windows; an
    // ask made after seeing it rightly asks for another run). The second ask replaces
    // the first or finds its run already started: either way one run.
    let requests = sb.repo.join(".git/preflight/requests");
    let runner_pid = tmux.cockpit_pid("a");
    signal(runner_pid, "-STOP");
    tmux.keys("b", &["r", "r"]);
    let start = Instant::now();
    while std::fs::read_dir(&requests).map_or(0, Iterator::count) < 1 {
        assert!(start.elapsed() < PATIENCE, "the follower never asked");
        std::thread::sleep(POLL);
    }
    signal(runner_pid, "-CONT");
    wait_runs(&sb, 4);
    // Its end first: a save while it runs would cancel it (unrecorded) and run anew.
    wait_history(&sb, 4);
    let start = Instant::now();
    while std::fs::read_dir(&requests).unwrap().next().is_some() {
        assert!(start.elapsed() < PATIENCE, "the request was never taken");
        std::thread::sleep(POLL);
    }
    sb.write("src/value.txt", "value three\n");
    wait_history(&sb, 5);
    tmux.wait_for("b", "done-value three");
    assert_eq!(
        runs(&sb),
        5,
        "two askers of one re-run got two runs: {}",
        std::fs::read_to_string(sb.repo.join(".git/preflight/runs.jsonl")).unwrap_or_default()
    );
    // The read-only one asks for nothing.
    tmux.keys("c", &["r"]);
    tmux.wait_for("c", "read-only");
    assert_eq!(runs(&sb), 5);

    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn a_killed_runner_is_taken_over_and_only_its_unfinished_run_runs_again() {
    let Some(tmux) = Tmux::new("handover") else {
        return;
    };
    let sb = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "done-value one");
    wait_runs(&sb, 1);
    let runner = runner_label(&sb);
    tmux.cockpit(&sb, "b", "");
    tmux.wait_for("b", &format!("runner: {runner}"));
    tmux.wait_for("b", "watching");

    // Killed while idle: the follower takes over and runs nothing again.
    let a = tmux.cockpit_pid("a");
    let start = Instant::now();
    kill(a);
    tmux.wait_for("b", "runner: me");
    let took = start.elapsed();
    // It never names a runner caught between taking the lock and naming itself.
    let screen = tmux.wait_for("b", "left: this cockpit runs the checks now");
    assert!(!screen.contains("?@?"), "{screen}");
    assert_eq!(runs(&sb), 1, "what already ran is not run again");
    // The bar is a second; a loaded machine gets slack (the bench measures it).
    assert!(took < Duration::from_secs(5), "took over after {took:?}");
    sb.write("src/value.txt", "value two\n");
    tmux.wait_for("b", "done-value two");
    wait_runs(&sb, 2);

    // A third cockpit follows the new runner; killed mid-run, the run it left
    // unfinished runs again under the next runner, once.
    tmux.cockpit(&sb, "c", "");
    let second = runner_label(&sb);
    tmux.wait_for("c", &format!("runner: {second}"));
    tmux.wait_for("c", "watching");
    sb.write("src/value.txt", "slow three\n");
    tmux.wait_until("c", "the run streaming", |s| {
        s.contains("count running") && s.contains("slow three")
    });
    wait_runs(&sb, 3);
    kill(tmux.cockpit_pid("b"));
    tmux.wait_for("c", "runner: me");
    tmux.wait_for("c", "running count");
    wait_runs(&sb, 4);
    std::fs::write(beside(&sb, "go"), "").unwrap();
    tmux.wait_until("c", "the re-run's result", |s| {
        s.contains("count passed") && s.contains("done-slow three")
    });
    assert_eq!(runs(&sb), 4);
}

#[test]
fn check_watch_follows_the_runner_and_a_one_shot_check_joins_it() {
    let Some(tmux) = Tmux::new("headless") else {
        return;
    };
    let sb = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "done-value one");
    wait_runs(&sb, 1);
    let runner = runner_label(&sb);
    let watch = format!(
        "cd {repo} && {env} {bin} check --watch",
        repo = sb.repo.display(),
        env = Tmux::env(&sb),
        bin = env!("CARGO_BIN_EXE_preflight"),
    );
    tmux.run("w", &watch);
    tmux.wait_for("w", &format!("following the runner {runner}"));
    tmux.wait_for("w", "watching");
    sb.write("src/value.txt", "value two\n");
    tmux.wait_for("w", &format!("▶ count (src/value.txt) · runner {runner}"));
    tmux.wait_for("w", "✔ count passed");
    wait_runs(&sb, 2);
    wait_history(&sb, 2);

    // A one-shot check beside the runner: the runner runs it (once), check reports it.
    let (code, out, err) = output_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains(&format!("{runner} runs the checks")), "{err}");
    assert!(out.contains("count"), "{out}");
    assert!(out.contains("passed"), "{out}");
    assert_eq!(runs(&sb), 3, "joined: run by the runner, once");
    // --json works the same way.
    let (code, json) = sb.check_json(&[]);
    assert_eq!(code, 0);
    assert_eq!(json["checks"][0]["status"], "passed");
    assert!(json["checks"][0]["log"]
        .as_str()
        .unwrap()
        .ends_with(".git/preflight/logs/count.log"));
    assert_eq!(runs(&sb), 4);

    // The runner goes: check --watch takes over.
    kill(tmux.cockpit_pid("a"));
    tmux.wait_for("w", "this one runs the checks now");
    sb.write("src/value.txt", "value three\n");
    tmux.wait_for("w", "▶ count (src/value.txt)\n");
    wait_runs(&sb, 5);
}

#[test]
fn a_one_shot_check_holds_the_runner_lock_and_a_cockpit_follows_it() {
    let Some(tmux) = Tmux::new("oneshot") else {
        return;
    };
    let sb = sandbox();
    sb.write("src/value.txt", "slow one\n");
    let mut check = std::process::Command::new(env!("CARGO_BIN_EXE_preflight"));
    check
        .env("HOME", &sb.home)
        .env("XDG_DATA_HOME", sb.home.join("data"))
        .env("XDG_STATE_HOME", sb.home.join("state"))
        .env_remove("PREFLIGHT_TRUST")
        .args(["--repo"])
        .arg(&sb.repo)
        .arg("check")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = check.spawn().unwrap();
    wait_runs(&sb, 1);
    let runner = runner_label(&sb);
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", &format!("runner: {runner}"));
    tmux.wait_until("a", "the one-shot's run", |s| {
        s.contains("count running") && s.contains("slow one")
    });
    std::fs::write(beside(&sb, "go"), "").unwrap();
    assert!(child.wait().unwrap().success());
    // The check ended: the cockpit runs the checks now, and ran nothing again.
    tmux.wait_for("a", "runner: me");
    let screen = tmux.wait_for("a", "done-slow one");
    assert_eq!(
        runs(&sb),
        1,
        "ran again after the hand-over:\n{screen}\n{}",
        std::fs::read_to_string(sb.repo.join(".git/preflight/runs.jsonl")).unwrap_or_default()
    );
}

/// The folders and files of local state and the register keep group read/write in a
/// repository shared with a group.
fn assert_group_writable(top: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walk(top) {
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        let mode = meta.permissions().mode();
        assert_eq!(mode & 0o060, 0o060, "{} is {mode:o}", entry.display());
        if meta.is_dir() {
            assert_eq!(mode & 0o2000, 0o2000, "{} is {mode:o}", entry.display());
        }
    }
}

fn walk(top: &Path) -> Vec<PathBuf> {
    let mut all = vec![top.to_path_buf()];
    let mut at = 0;
    while at < all.len() {
        if all[at].is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&all[at])
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            all.append(&mut inside);
        }
        at += 1;
    }
    all
}

#[test]
fn a_shared_repository_keeps_everything_group_writable() {
    let sb = Sandbox::with_config(CONFIG);
    sb.git(&["config", "core.sharedRepository", "group"]);
    sb.write("src/value.txt", "value one\n");
    sb.trust();
    sb.new_issue(&["--title", "Shared", "--severity", "low"]);
    let (code, _, err) = output_of(&mut sb.cmd(&["check"]));
    assert_eq!(code, 0, "{err}");
    assert_group_writable(&sb.repo.join(".git/preflight"));
    assert_group_writable(&sb.repo.join(".preflight"));
}
