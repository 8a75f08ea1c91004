//! The cockpit end to end: the real binary in tmux, driven by keys, read off the
//! screen, with the issue files checked on disk: triage, runs on save, trust, the
//! editor, the detail view. (What the terminal does to it — signals, hang-ups, hostile
//! output, pastes, the mouse — is in tests/cockpit_terminal.rs.) Each test has its
//! own tmux server (`-L`, tests/common/tmux.rs), so they run in parallel without
//! meeting. Waits are bounded polls, never fixed sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cockpit::{issue_file, sandbox, sarif_sandbox};
use common::tmux::Tmux;
use common::{wait_for_file, Sandbox, PATIENCE, POLL};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn triage_keys_write_the_issue_files_at_once() {
    let Some(tmux) = Tmux::new("triage") else {
        return;
    };
    let (sb, id) = sandbox();
    let file = issue_file(&sb, &id);
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["1"]);
    wait_for_file(&file, "severity = \"critical\"");
    tmux.wait_for("a", "CRIT");
    tmux.keys("a", &["b"]);
    wait_for_file(&file, "blocker = true");
    // Dismiss: reason 2 (won't fix), a note, enter.
    tmux.keys("a", &["d", "2"]);
    tmux.type_text("a", "vendored code");
    tmux.keys("a", &["Enter"]);
    let text = wait_for_file(&file, "status = \"dismissed\"");
    assert!(text.contains("reason = \"wont-fix\""), "{text}");
    assert!(text.contains("note = \"vendored code\""), "{text}");
    // Undo brings it back.
    tmux.keys("a", &["u"]);
    wait_for_file(&file, "status = \"open\"");
    tmux.wait_for("a", "undone");
    // The owner prompt.
    tmux.keys("a", &["o"]);
    tmux.type_text("a", "sam");
    tmux.keys("a", &["Enter"]);
    wait_for_file(&file, "owner = \"sam\"");
    tmux.keys("a", &["q"]);
    let screen = tmux.wait_for("a", "EXITED:0");
    assert!(
        !screen.contains("Register"),
        "the alternate screen was left:\n{screen}"
    );
}

#[test]
fn a_saved_file_reruns_its_check_on_screen() {
    let Some(tmux) = Tmux::new("watch") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "value one");
    // Wait until watching, so the save is seen.
    tmux.wait_for("a", "watching");
    sb.write("src/value.txt", "value two\n");
    let screen = tmux.wait_for("a", "value two");
    assert!(
        screen.contains("src/value.txt"),
        "the trigger is shown:\n{screen}"
    );
}

/// `make test` writing its binary and output into the tree (nothing ignored) does not
/// re-run itself in the cockpit; a real save still re-runs it.
#[test]
fn a_check_writing_into_the_tree_does_not_loop_in_the_cockpit() {
    let Some(tmux) = Tmux::new("selfwrite") else {
        return;
    };
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("skipped: no C compiler");
        return;
    }
    let sb = Sandbox::new();
    let counter = sb.home.join("runs");
    sb.write(
        "Makefile",
        &format!(
            "test: t\n\t./t > test-output.txt\n\techo run >> {}\n\nt: t.c\n\tcc -o t t.c\n",
            counter.display()
        ),
    );
    sb.write("t.c", "int main(void) { return 0; }\n");
    sb.write("notes.txt", "1\n");
    sb.git(&["add", "-A"]);
    sb.git(&["commit", "-qm", "c project"]);
    sb.trust();
    let runs = || {
        std::fs::read_to_string(&counter)
            .unwrap_or_default()
            .lines()
            .count()
    };
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "watching");
    wait_for_file(&counter, "run");
    tmux.wait_for("a", "✔ test");
    // A real save: make rebuilds t and rewrites test-output.txt while it runs.
    sb.write("t.c", "int main(void) { return 1 - 1; }\n");
    wait_for_file(&counter, "run\nrun\n");
    // The positive control: a later save runs it once more, and only that.
    sb.write("notes.txt", "2\n");
    wait_for_file(&counter, "run\nrun\nrun\n");
    tmux.wait_for("a", "notes.txt");
    sb.write("notes.txt", "3\n");
    wait_for_file(&counter, "run\nrun\nrun\nrun\n");
    tmux.wait_for("a", "✔ test");
    assert_eq!(runs(), 4, "startup and three saves, no self-triggered run");
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn two_cockpits_see_each_others_triage() {
    let Some(tmux) = Tmux::new("pair") else {
        return;
    };
    let (sb, id) = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.cockpit(&sb, "b", "--read-only");
    tmux.wait_for("a", "HIGH");
    tmux.wait_for("b", "HIGH");
    tmux.wait_for("a", "watching");
    tmux.keys("a", &["1"]);
    wait_for_file(&issue_file(&sb, &id), "critical");
    let start = Instant::now();
    tmux.wait_for("b", "CRIT");
    // The brief's bar is a second; the poll itself adds up to 20 ms.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // The read-only one refuses triage.
    tmux.keys("b", &["2"]);
    tmux.wait_for("b", "read-only");
    assert!(std::fs::read_to_string(issue_file(&sb, &id))
        .unwrap()
        .contains("critical"));
}

#[test]
fn untrusted_opens_runs_nothing_and_names_the_key() {
    let Some(tmux) = Tmux::new("untrusted") else {
        return;
    };
    let sb = Sandbox::with_config("[[check]]\nid = \"boom\"\nrun = \"touch ran\"\n");
    tmux.cockpit(&sb, "a", "");
    // A capture can land mid-frame: wait for one that holds the key it names (at the
    // bottom) and the check's row too.
    let screen = tmux.wait_for_all("a", &["not trusted", "(T)", "· boom"]);
    // Nothing was started: a startup run is queued before the first frame, and the
    // check would show as queued or running, not "never" (run). A re-run asked for by
    // hand is refused (the key was read: the positive control).
    let never = |screen: &str| {
        screen
            .lines()
            .any(|l| l.contains("· boom") && l.contains("never"))
    };
    assert!(never(&screen), "{screen}");
    tmux.keys("a", &["R"]);
    let screen = tmux.wait_for("a", "nothing runs until you trust this repository");
    assert!(never(&screen), "{screen}");
    assert!(!sb.repo.join("ran").exists());
    // T shows the commands, y trusts, and the check runs.
    tmux.keys("a", &["T"]);
    tmux.wait_for("a", "touch ran");
    tmux.keys("a", &["y"]);
    let start = Instant::now();
    while !sb.repo.join("ran").exists() {
        assert!(
            start.elapsed() < PATIENCE,
            "the check never ran after trust"
        );
        std::thread::sleep(POLL);
    }
}

/// `check` on a terminal, on a first run that would file a flood of new issues, asks
/// whether to take them as the baseline; answered yes, they are filed open.
#[test]
fn a_first_flood_on_a_terminal_is_offered_the_baseline() {
    let Some(tmux) = Tmux::new("flood") else {
        return;
    };
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "lint"
run = "cat findings.txt"
format = "lines"
pattern = '^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>\w+) (?P<message>.*)$'
"#,
    );
    let findings: String = (1..=40)
        .map(|i| format!("src/a.rs:{i}: W{i} style nit {i}\n"))
        .collect();
    sb.write("findings.txt", &findings);
    sb.write("src/a.rs", &"let x = 1;\n".repeat(50));
    sb.trust();
    tmux.cockpit(&sb, "check", "check");
    tmux.wait_for("check", "[Y/n]");
    tmux.keys("check", &["y", "Enter"]);
    tmux.wait_for("check", "EXITED:");
    // The whole output, scrollback included (the summary may push lines off screen).
    let screen = tmux.tmux(&["capture-pane", "-p", "-J", "-S", "-500", "-t", "pf:check"]);
    assert!(
        screen.contains("recorded 40 findings in .preflight/baseline.toml"),
        "{screen}"
    );
    assert!(
        screen.contains("register: 40 filed into the baseline"),
        "{screen}"
    );
    let issues = sb.issues();
    assert_eq!(issues.len(), 40);
    assert!(issues.iter().all(|i| i["status"] == "open"));
}

#[test]
fn undo_three_times_on_one_issue_walks_it_back() {
    let Some(tmux) = Tmux::new("undo") else {
        return;
    };
    let (sb, id) = sandbox();
    let file = issue_file(&sb, &id);
    let original = std::fs::read_to_string(&file).unwrap();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["b"]);
    wait_for_file(&file, "blocker = true");
    tmux.keys("a", &["o"]);
    tmux.wait_for("a", "Owner of");
    tmux.type_text("a", "sam");
    tmux.keys("a", &["Enter"]);
    wait_for_file(&file, "owner = \"sam\"");
    tmux.keys("a", &["1"]);
    wait_for_file(&file, "severity = \"critical\"");
    tmux.keys("a", &["u"]);
    wait_for_file(&file, "severity = \"high\"");
    tmux.keys("a", &["u"]);
    let text = wait_for_file(&file, "revision = 6");
    assert!(!text.contains("owner ="), "{text}");
    tmux.keys("a", &["u"]);
    let text = wait_for_file(&file, "revision = 7");
    assert!(text.contains("blocker = false"), "{text}");
    let screen = tmux.wait_for("a", "undone");
    assert!(!screen.contains("someone else"), "{screen}");
    assert!(original.contains("severity = \"high\""));
    // ctrl-r makes the blocker again.
    tmux.keys("a", &["C-r"]);
    wait_for_file(&file, "blocker = true");
}

#[test]
fn dismissing_every_finding_of_a_rule_takes_six_keys() {
    let Some(tmux) = Tmux::new("bulk") else {
        return;
    };
    let sb = sarif_sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "6 new");
    // / rule:B301 ⏎ * d 1 ⏎
    tmux.keys("a", &["/"]);
    tmux.type_text("a", "rule:B301");
    tmux.keys("a", &["Enter"]);
    tmux.wait_for("a", "1/5");
    tmux.keys("a", &["*"]);
    tmux.wait_for("a", "5 marked");
    tmux.keys("a", &["d"]);
    tmux.wait_for("a", "Dismiss 5 issues");
    tmux.keys("a", &["1", "Enter"]);
    sb.wait_for_issue_files("reason = \"false-positive\"", 5);
    tmux.wait_for("a", "5 issues: dismissed");
    let b105 = sb
        .issue_texts()
        .into_iter()
        .find(|f| f.contains("B105"))
        .unwrap();
    assert!(b105.contains("status = \"new\""), "{b105}");
    // One u brings all five back.
    tmux.keys("a", &["u"]);
    sb.wait_for_issue_files("status = \"new\"", 6);
}

#[test]
fn e_opens_the_editor_at_the_findings_line_and_comes_back() {
    let Some(tmux) = Tmux::new("editor") else {
        return;
    };
    let sb = sarif_sandbox();
    let bin = sb.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let args = sb.home.join("args");
    for name in ["vi", "code"] {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"{name} $*\" >> {}\n", args.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let real = sb.repo.canonicalize().unwrap().join("src/app.py");
    // The first cockpit runs the check and says what it filed: wait for that too, or it
    // can be said after the editor's "back from" and replace it. The second only looks.
    let windows = [
        ("a", "vi", "", "6 new"),
        ("b", "code", "--read-only", "B105"),
    ];
    for (window, editor, extra, ready) in windows {
        let env = format!("EDITOR={}", bin.join(editor).display());
        tmux.cockpit_with(&sb, window, &env, extra);
        tmux.wait_for(window, "B105");
        tmux.wait_for(window, ready);
        tmux.keys(window, &["/"]);
        tmux.type_text(window, "rule:B105");
        tmux.keys(window, &["Enter"]);
        tmux.wait_for(window, "1/1");
        tmux.keys(window, &["E"]);
        let line = if editor == "vi" {
            format!("vi +11 {}", real.display())
        } else {
            format!("code -g {}:11", real.display())
        };
        wait_for_file(&args, &line);
        let screen = tmux.wait_for(window, "back from");
        assert!(
            screen.contains("Register"),
            "the cockpit came back:\n{screen}"
        );
    }
}

#[test]
fn esc_and_q_close_the_detail_and_q_quits_only_from_the_main_view() {
    let Some(tmux) = Tmux::new("detail") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    tmux.keys("a", &["Enter"]);
    let screen = tmux.wait_for("a", "rev 1");
    assert!(
        screen.contains("Register"),
        "a split under the list:\n{screen}"
    );
    tmux.keys("a", &["Escape"]);
    tmux.wait_until_gone("a", "rev 1");
    tmux.keys("a", &["Enter"]);
    tmux.wait_for("a", "rev 1");
    tmux.keys("a", &["q"]);
    let screen = tmux.wait_until_gone("a", "rev 1");
    assert!(
        !screen.contains("EXITED"),
        "q in the detail quit:\n{screen}"
    );
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}
