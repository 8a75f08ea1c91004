//! The cockpit and its terminal, end to end: the real binary in tmux, sent signals,
//! hung up on, fed hostile output, pastes and mouse reports, scrolled while output
//! streams; the terminal must come back as it was. Each test has its own tmux server
//! (`-L`, tests/common/tmux.rs), so they run in parallel without meeting. Waits are
//! bounded polls, never fixed sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::cockpit::{sandbox, sarif_sandbox};
use common::process::{cpu_time, gone, group_alive, wait_for_pid};
use common::tmux::Tmux;
use common::{Sandbox, PATIENCE, POLL};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn hostile_check_output_reaches_the_screen_as_text_only() {
    let Some(tmux) = Tmux::new("hostile") else {
        return;
    };
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "evil"
run = '''printf 'start\033]0;pwned\007 \033]52;c;ZXZpbA==\007 \033P1$qm\033\\ \033[2J\033[?1049l\033[6n\302\233 31m end-of-evil\n' '''
"#,
    );
    sb.trust();
    tmux.cockpit(&sb, "a", "");
    // A capture can land mid-frame: wait for one that holds both the output and the
    // register below it. Were the screen cleared by the check, the register (drawn
    // once, then only diffed) would never come back and this would time out.
    let screen = tmux.wait_for_all("a", &["end-of-evil", "Register"]);
    let title = tmux.display("a", "#{pane_title}");
    assert!(!title.contains("pwned"), "the check set the title: {title}");
    // The screen was not cleared or switched: the cockpit's frame is intact.
    assert!(screen.contains("Register"), "{screen}");
    assert!(screen.contains("start"), "{screen}");
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn sigterm_and_hangup_restore_and_exit() {
    let Some(tmux) = Tmux::new("signals") else {
        return;
    };
    let sb = Sandbox::with_config("[[check]]\nid = \"slow\"\nrun = \"echo started; sleep 3141\"\n");
    sb.trust();
    // SIGTERM: the terminal comes back and the check's group is ended.
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "started");
    let pid = tmux.cockpit_pid("a");
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let screen = tmux.wait_for("a", "EXITED:");
    assert!(!screen.contains("Register"), "{screen}");
    assert!(!process_running("sleep 3141"), "the running check survived");

    // Hang-up (the window closes, as when SSH drops): gone within 2 s, no spinning.
    tmux.cockpit(&sb, "b", "");
    tmux.wait_for("b", "started");
    let pid = tmux.cockpit_pid("b");
    let start = Instant::now();
    tmux.kill_window("b");
    while !gone(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "still running {:?} after the hang-up",
            start.elapsed()
        );
        std::thread::sleep(POLL);
    }
}

/// Whether any process on the machine has `pattern` in its command line.
fn process_running(pattern: &str) -> bool {
    Command::new("pgrep")
        .args(["-f", pattern])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_hang_up_with_a_check_that_ignores_sigterm_spins_no_core() {
    let Some(tmux) = Tmux::new("stubborn") else {
        return;
    };
    let sb = Sandbox::new();
    let pgid_file = sb.home.join("pgid");
    sb.write(
        "preflight.toml",
        &format!(
            "[[check]]\nid = \"stubborn\"\nwatch = [\"src/**\"]\nrun = \"trap '' TERM; echo $$ > {}; echo started; while :; do sleep 1; done\"\n",
            pgid_file.display()
        ),
    );
    sb.trust();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "started");
    let pid = tmux.cockpit_pid("a");
    let pgid = wait_for_pid(&pgid_file);
    let before = cpu_time(pid).unwrap();
    let start = Instant::now();
    let mut last = before;
    tmux.kill_window("a");
    while let Some(now) = cpu_time(pid) {
        last = now;
        assert!(start.elapsed() < PATIENCE, "never exited");
        std::thread::sleep(Duration::from_millis(5));
    }
    let burnt = last.saturating_sub(before);
    assert!(
        burnt < Duration::from_millis(300),
        "{burnt:?} of CPU in {:?} after the hang-up",
        start.elapsed()
    );
    // The check's group, which ignores SIGTERM, is still ended (SIGKILL after the grace).
    while group_alive(pgid) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the check outlived the cockpit"
        );
        std::thread::sleep(POLL);
    }
}

/// The text rows of the pane whose title starts with `title`, and its title row.
fn pane(screen: &str, title: &str) -> (String, Vec<String>) {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = rows
        .iter()
        .enumerate()
        .find_map(|(y, row)| {
            let text: String = row.iter().collect();
            let at = text.find(&format!(" {title} "))?;
            // The border corner is the character before the title's leading space.
            Some((y, text[..at].chars().count() - 1))
        })
        .unwrap_or_else(|| panic!("no pane titled {title}:\n{screen}"));
    let border = |c: char| matches!(c, '│' | '┃');
    let body = rows[top + 1..]
        .iter()
        .take_while(|row| row.get(left).copied().is_some_and(border))
        .map(|row| {
            let inside: String = row[left + 1..]
                .iter()
                .take_while(|c| !border(**c))
                .collect();
            inside.trim_end().to_string()
        })
        .collect();
    (rows[top].iter().collect(), body)
}

/// The number of lines the output title counts (`line 1,201/1,250` → 1250).
fn lines_seen(title: &str) -> u64 {
    let after = title.split('/').nth(1).unwrap_or("");
    after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[test]
fn scrolled_up_output_stays_put_while_lines_arrive() {
    let Some(tmux) = Tmux::new("stream") else {
        return;
    };
    // About a thousand lines a second, for minutes.
    let sb = Sandbox::with_config(
        r#"
[[check]]
id = "stream"
run = 'i=0; while [ $i -lt 300000 ]; do echo "line $i"; i=$((i+1)); case $i in *00) sleep 0.1;; esac; done'
"#,
    );
    sb.trust();
    tmux.cockpit(&sb, "a", "");
    // Wait for a few pages of output (the title counts them while following).
    let start = Instant::now();
    loop {
        let title = tmux.screen("a");
        let count = title
            .split(" lines ")
            .next()
            .and_then(|t| t.rsplit(' ').next())
            .map(|n| n.replace(',', ""))
            .and_then(|n| n.parse::<u64>().ok());
        if count.is_some_and(|n| n >= 500) {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "no stream:\n{title}");
        std::thread::sleep(POLL);
    }
    // Focus the output, scroll up a page: the view is pinned. (One key: once the
    // title shows the pin, no key is left to move it.)
    tmux.keys("a", &["BTab", "PgUp"]);
    let start = Instant::now();
    let (title, before) = loop {
        let (title, body) = pane(&tmux.screen("a"), "stream");
        if title.contains(" line ") && title.contains('/') {
            break (title, body);
        }
        assert!(start.elapsed() < PATIENCE, "never pinned: {title}");
        std::thread::sleep(POLL);
    };
    assert!(before.iter().any(|r| r.starts_with("line ")), "{before:#?}");
    let seen = lines_seen(&title);
    // For a second, while lines keep arriving, the text under the eyes stays the same.
    let watch = Instant::now();
    let mut last_title = title.clone();
    while watch.elapsed() < Duration::from_secs(1) {
        let (title, body) = pane(&tmux.screen("a"), "stream");
        assert_eq!(body, before, "the pinned text moved (title now {title})");
        last_title = title;
        std::thread::sleep(Duration::from_millis(100));
    }
    let start = Instant::now();
    while lines_seen(&last_title) <= seen {
        assert!(start.elapsed() < PATIENCE, "no line arrived: {last_title}");
        std::thread::sleep(Duration::from_millis(100));
        last_title = pane(&tmux.screen("a"), "stream").0;
    }
    assert_eq!(pane(&tmux.screen("a"), "stream").1, before);
    // G follows the tail again: the text moves on.
    tmux.keys("a", &["G"]);
    let start = Instant::now();
    while pane(&tmux.screen("a"), "stream").1 == before {
        assert!(start.elapsed() < PATIENCE, "G did not follow");
        std::thread::sleep(POLL);
    }
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
}

#[test]
fn a_paste_is_text_in_a_prompt_and_never_keys() {
    let Some(tmux) = Tmux::new("paste") else {
        return;
    };
    let (sb, _) = sandbox();
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "Pickle load");
    // Outside a prompt: nothing of it runs (no `d` opens the dismissal).
    tmux.paste("a", "d1");
    tmux.wait_for("a", "only taken in a prompt");
    // In the new-issue prompt: one title, the line break a space.
    tmux.keys("a", &["n"]);
    tmux.wait_for("a", "New issue");
    tmux.paste("a", "title\nd1");
    tmux.wait_for("a", "title d1");
    tmux.keys("a", &["Enter"]);
    sb.wait_for_issue_files("title = \"title d1\"", 1);
    let screen = tmux.wait_for("a", "filed");
    assert!(
        !screen.contains("because"),
        "no dismissal opened:\n{screen}"
    );
    assert_eq!(sb.issue_texts().len(), 2);
}

#[test]
fn the_mouse_selects_and_scrolls_and_y_copies_through_osc_52() {
    let Some(tmux) = Tmux::new("mouse") else {
        return;
    };
    let sb = sarif_sandbox();
    tmux.cockpit(&sb, "a", "");
    let screen = tmux.wait_for_all("a", &["6 new", "1/6"]);
    let modes = || tmux.display("a", "#{mouse_sgr_flag}#{mouse_any_flag}");
    assert_eq!(
        modes().trim(),
        "11",
        "the cockpit asked for SGR mouse reports"
    );
    tmux.tmux(&["set", "-g", "set-clipboard", "on"]);
    // The register's third row: two lines under its column header.
    let lines: Vec<&str> = screen.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.contains("ID ") && l.contains("SEV"))
        .unwrap_or_else(|| panic!("no register header:\n{screen}"));
    let third = header + 3;
    let id: String = lines[third]
        .split_whitespace()
        .find(|w| w.starts_with("PF-"))
        .unwrap_or_else(|| panic!("no id on line {third}:\n{screen}"))
        .to_string();
    // SGR mouse reports, 1-based: press and release of the left button.
    let at = format!("10;{}", third + 1);
    tmux.type_text("a", &format!("\x1b[<0;{at}M\x1b[<0;{at}m"));
    tmux.wait_for("a", "3/6");
    tmux.keys("a", &["y"]);
    tmux.wait_for("a", &format!("copied {id}"));
    let start = Instant::now();
    while tmux.tmux(&["show-buffer"]) != id {
        assert!(start.elapsed() < PATIENCE, "the clipboard never held {id}");
        std::thread::sleep(POLL);
    }
    // The wheel scrolls the pane under the pointer: three rows a notch.
    tmux.type_text("a", &format!("\x1b[<65;{at}M"));
    tmux.wait_for("a", "6/6");
    tmux.type_text("a", &format!("\x1b[<64;{at}M"));
    tmux.wait_for("a", "3/6");
    // Quitting gives the mouse back to the terminal.
    tmux.keys("a", &["q"]);
    tmux.wait_for("a", "EXITED:0");
    assert_eq!(modes().trim(), "00");
}
