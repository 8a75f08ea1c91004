//! Driving real programs in tmux: a server of its own per test (`-L`), killed on drop;
//! one window per program, read off the screen with bounded polls (never fixed
//! sleeps). When the program ends, its window shows `EXITED:<code>`.

use super::Sandbox;
use std::process::Command;
use std::time::{Duration, Instant};

/// Longest wait for something to show (a shared CI machine can be slow).
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How often screens and files are looked at while waiting.
pub const POLL: Duration = Duration::from_millis(20);

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server of its own. Without tmux the test fails (`.ci/run` installs it),
    /// unless skipping is asked for with `PREFLIGHT_SKIP_TMUX=1` (as in
    /// tests/cockpit.rs): then `None`, and the test passes having checked nothing.
    pub fn new(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("PREFLIGHT_SKIP_TMUX").is_some_and(|v| v == "1"),
                "tmux is not installed: install it (the pairing tests drive the real \
                 binary in it), or set PREFLIGHT_SKIP_TMUX=1 to skip them"
            );
            super::skipped(name, "tmux is not installed (PREFLIGHT_SKIP_TMUX=1)");
            return None;
        }
        Some(Tmux {
            socket: format!("pf-{name}-{}", std::process::id()),
        })
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run `command` (a shell command line) in a new window `name` (100x30).
    pub fn run(&self, name: &str, command: &str) {
        let command = format!("{command}; echo EXITED:$?; sleep 600");
        if self.has_session() {
            self.tmux(&[
                "new-window",
                "-d",
                "-t",
                "pf",
                "-n",
                name,
                "sh",
                "-c",
                &command,
            ]);
        } else {
            self.tmux(&[
                "new-session",
                "-d",
                "-s",
                "pf",
                "-x",
                "100",
                "-y",
                "30",
                "-n",
                name,
                "sh",
                "-c",
                &command,
            ]);
        }
    }

    /// The environment a program of the sandbox runs with (its private home).
    pub fn env(sb: &Sandbox) -> String {
        format!(
            "env -u PREFLIGHT_TRUST HOME={home} XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config TERM=xterm-256color",
            home = sb.home.display()
        )
    }

    /// Open the cockpit on the sandbox's repository in window `name`.
    pub fn cockpit(&self, sb: &Sandbox, name: &str, extra: &str) {
        let command = format!(
            "{env} {bin} --repo {repo} {extra}",
            env = Tmux::env(sb),
            bin = env!("CARGO_BIN_EXE_preflight"),
            repo = sb.repo.display(),
        );
        self.run(name, &command);
    }

    fn has_session(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "pf"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    pub fn screen(&self, window: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &format!("pf:{window}")])
    }

    pub fn keys(&self, window: &str, keys: &[&str]) {
        let target = format!("pf:{window}");
        let mut args = vec!["send-keys", "-t", &target];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Wait until the screen shows `text`; panic with the screen when it does not.
    pub fn wait_for(&self, window: &str, text: &str) -> String {
        self.wait_until(window, &format!("`{text}` on screen"), |s| s.contains(text))
    }

    /// Wait until `test` holds of the screen.
    pub fn wait_until(&self, window: &str, what: &str, test: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if test(&screen) {
                return screen;
            }
            if start.elapsed() > PATIENCE {
                panic!("{what}: never in window {window}:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    pub fn pane_pid(&self, window: &str) -> u32 {
        self.tmux(&[
            "display",
            "-p",
            "-t",
            &format!("pf:{window}"),
            "#{pane_pid}",
        ])
        .trim()
        .parse()
        .unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The pid of the first process below `parent` (at any depth) whose command line
/// contains `pattern`.
pub fn descendant(parent: u32, pattern: &str) -> u32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = find_descendant(parent, pattern) {
            return pid;
        }
        assert!(start.elapsed() < PATIENCE, "no `{pattern}` under {parent}");
        std::thread::sleep(POLL);
    }
}

fn find_descendant(parent: u32, pattern: &str) -> Option<u32> {
    let mut frontier = vec![parent];
    while let Some(pid) = frontier.pop() {
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline"))
                .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                .unwrap_or_default();
            if cmdline.contains(pattern) {
                return Some(child);
            }
            frontier.push(child);
        }
    }
    None
}

/// Whether a process is gone (or a zombie waiting for its reaper).
pub fn gone(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}
