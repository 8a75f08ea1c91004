//! Driving real programs in tmux: a server of its own per test (`-L`, no user config),
//! killed on drop; one window per program, read off the screen with bounded polls
//! (never fixed sleeps), a wait that fails panicking with the screen. When the
//! program ends, its window shows `EXITED:<code>` (and stays open to be read).

use super::{Sandbox, PATIENCE, POLL};
use std::process::Command;
use std::time::Instant;

/// A tmux server of its own, with one session `pf` whose windows are named by the
/// test; the server is killed when this is dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server of its own, its socket named after `name` (unique in its test binary)
    /// and the process. Without tmux the test fails (`.ci/run` installs it), unless
    /// skipping is asked for with `PREFLIGHT_SKIP_TMUX=1`: then `None`, and the test
    /// passes having checked nothing, saying so on the real stderr.
    pub fn new(name: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("PREFLIGHT_SKIP_TMUX").is_some_and(|v| v == "1"),
                "tmux is not installed: install it (the end-to-end tests of the cockpit \
                 and of pairing drive the real binary in it), or set PREFLIGHT_SKIP_TMUX=1 \
                 to skip them"
            );
            super::skipped(name, "tmux is not installed (PREFLIGHT_SKIP_TMUX=1)");
            return None;
        }
        Some(Tmux {
            socket: format!("pf-{name}-{}", std::process::id()),
        })
    }

    /// Run a tmux command on this server; its stdout.
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

    /// The environment a program of the sandbox runs with: its private home and XDG
    /// directories, a colour terminal, and no `PREFLIGHT_TRUST` from the caller's.
    pub fn env(sb: &Sandbox) -> String {
        format!(
            "env -u PREFLIGHT_TRUST HOME={home} XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config TERM=xterm-256color",
            home = sb.home.display()
        )
    }

    /// Open the cockpit on the sandbox's repository in window `name`, with the
    /// arguments `extra` (`--read-only`, or a subcommand such as `check`).
    pub fn cockpit(&self, sb: &Sandbox, name: &str, extra: &str) {
        self.cockpit_with(sb, name, "", extra);
    }

    /// [`Tmux::cockpit`] with more environment (`EDITOR=…`).
    pub fn cockpit_with(&self, sb: &Sandbox, name: &str, env: &str, extra: &str) {
        let command = format!(
            "{sandbox} {env} {bin} --repo {repo} {extra}",
            sandbox = Tmux::env(sb),
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

    fn target(window: &str) -> String {
        format!("pf:{window}")
    }

    /// What window `window` shows now.
    pub fn screen(&self, window: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &Tmux::target(window)])
    }

    /// Send keys by tmux's names (`Enter`, `C-r`, `q`).
    pub fn keys(&self, window: &str, keys: &[&str]) {
        let target = Tmux::target(window);
        let mut args = vec!["send-keys", "-t", &target];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Type text literally (escape sequences included: they reach the program raw).
    pub fn type_text(&self, window: &str, text: &str) {
        self.tmux(&["send-keys", "-t", &Tmux::target(window), "-l", text]);
    }

    /// Paste `text` as a terminal paste (bracketed, when the program asked for it).
    pub fn paste(&self, window: &str, text: &str) {
        self.tmux(&["set-buffer", "-b", "pf-paste", text]);
        self.tmux(&[
            "paste-buffer",
            "-p",
            "-b",
            "pf-paste",
            "-t",
            &Tmux::target(window),
        ]);
    }

    /// A tmux format (`#{pane_title}`) expanded for window `window`.
    pub fn display(&self, window: &str, format: &str) -> String {
        self.tmux(&["display", "-p", "-t", &Tmux::target(window), format])
    }

    /// Close window `window`: its program's terminal hangs up (as when SSH drops).
    pub fn kill_window(&self, window: &str) {
        self.tmux(&["kill-window", "-t", &Tmux::target(window)]);
    }

    /// Wait until the screen shows `text`; panic with the screen when it does not.
    pub fn wait_for(&self, window: &str, text: &str) -> String {
        self.wait_until(window, &format!("`{text}` on screen"), |s| s.contains(text))
    }

    /// Wait until one capture of the screen shows every one of `texts` (a capture can
    /// land mid-frame).
    pub fn wait_for_all(&self, window: &str, texts: &[&str]) -> String {
        self.wait_until(window, &format!("{texts:?} together on screen"), |s| {
            texts.iter().all(|t| s.contains(t))
        })
    }

    /// Wait until the screen no longer shows `text`.
    pub fn wait_until_gone(&self, window: &str, text: &str) -> String {
        self.wait_until(window, &format!("`{text}` gone from the screen"), |s| {
            !s.contains(text)
        })
    }

    /// Wait until `test` holds of the screen; panic saying `what` with the screen.
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

    /// The pid of the shell that runs window `window`'s command.
    pub fn pane_pid(&self, window: &str) -> u32 {
        self.display(window, "#{pane_pid}").trim().parse().unwrap()
    }

    /// The pid of the preflight process in window `window` (waiting for it to start).
    pub fn cockpit_pid(&self, window: &str) -> u32 {
        super::process::descendant(self.pane_pid(window), env!("CARGO_BIN_EXE_preflight"))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
