//! A sandbox for driving the real binary: a temporary git repository and a private
//! home, so trust records never leak between tests or into the developer's own.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub mod cockpit;
pub mod process;
pub mod tmux;

/// Longest wait for something to show, on screen or on disk (a shared CI machine can
/// be slow). Every wait is a bounded poll of this length, never a fixed sleep.
pub const PATIENCE: Duration = Duration::from_secs(20);
/// How often screens, files and processes are looked at while waiting.
pub const POLL: Duration = Duration::from_millis(20);

/// Wait until the file at `path` holds `text` and return all it holds; panic with
/// what it held when it never does.
pub fn wait_for_file(path: &Path, text: &str) -> String {
    let start = Instant::now();
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return content;
        }
        if start.elapsed() > PATIENCE {
            panic!("{} never held `{text}`:\n{content}", path.display());
        }
        std::thread::sleep(POLL);
    }
}

/// How many lines the file at `path` holds (none while it does not exist): checks in
/// these tests count their runs by appending a line to a file.
pub fn line_count(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .count()
}

/// Wait until the file at `path` holds at least `n` lines; `what` names them when it
/// never does.
pub fn wait_for_lines(path: &Path, n: usize, what: &str) {
    let start = Instant::now();
    loop {
        let count = line_count(path);
        if count >= n {
            return;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{what}: {count}, never {n} ({})",
            path.display()
        );
        std::thread::sleep(POLL);
    }
}

/// Say on the real stderr that `test` checked nothing, and why: libtest captures
/// `eprintln!` of a passing test, and a skip must not pass unseen.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{test}: skipped: {why}");
}

/// A temporary repository plus a private home, so trust records never leak between
/// tests or into the developer's real data directory.
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub repo: PathBuf,
    pub home: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        git2::Repository::init(&repo).unwrap();
        Sandbox {
            _dir: dir,
            repo,
            home,
        }
    }

    pub fn with_config(text: &str) -> Sandbox {
        let sb = Sandbox::new();
        sb.write("preflight.toml", text);
        sb
    }

    pub fn write(&self, name: &str, text: &str) {
        let path = self.repo.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_in(&self.repo, args)
    }

    pub fn cmd_in(&self, repo: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("preflight").unwrap();
        cmd.env_remove("PREFLIGHT_TRUST")
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .current_dir(&self.repo)
            .arg("--repo")
            .arg(repo)
            .args(args);
        cmd
    }

    /// The same command as [`Sandbox::cmd`], as a plain `std::process::Command` (for
    /// tests that wire its stdio themselves).
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("preflight"));
        cmd.env_remove("PREFLIGHT_TRUST")
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .current_dir(&self.repo)
            .arg("--repo")
            .arg(&self.repo)
            .args(args);
        cmd
    }

    pub fn trust(&self) {
        self.cmd(&["trust", "--yes"]).assert().success();
    }

    pub fn check_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["check", "--json"];
        all.extend_from_slice(args);
        let out = self.cmd(&all).output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap(), json)
    }
}

pub fn stderr_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exit code, stdout and stderr of a command.
pub fn output_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

impl Sandbox {
    /// Every file of the register, by name, with its bytes.
    pub fn issue_files(&self) -> std::collections::BTreeMap<String, String> {
        let dir = self.repo.join(".preflight/issues");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Default::default();
        };
        entries
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect()
    }

    /// The texts of the register's issue files, sorted. Only `*.toml` files count (a
    /// write in progress leaves a temporary file beside them), and one that goes
    /// between listing and reading reads as empty: safe to poll while a cockpit writes.
    pub fn issue_texts(&self) -> Vec<String> {
        let dir = self.repo.join(".preflight/issues");
        let mut out: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
                    .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// Wait until exactly `count` issue files hold `text`.
    pub fn wait_for_issue_files(&self, text: &str, count: usize) {
        let start = Instant::now();
        loop {
            let n = self
                .issue_texts()
                .iter()
                .filter(|f| f.contains(text))
                .count();
            if n == count {
                return;
            }
            if start.elapsed() > PATIENCE {
                panic!("{n} issue files hold `{text}`, not {count}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Run git in the repository, as a named user.
    pub fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=Ana Lead",
                "-c",
                "user.email=ana@example.com",
            ])
            .args(args)
            .current_dir(&self.repo)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// `preflight issue list --json`, parsed.
    pub fn issues(&self) -> Vec<Value> {
        let (code, out, err) = output_of(&mut self.cmd(&["issue", "list", "--json"]));
        assert_eq!(code, 0, "{err}");
        assert!(err.is_empty(), "warnings while loading: {err}");
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// File an issue by hand and return its id.
    pub fn new_issue(&self, args: &[&str]) -> String {
        let mut all = vec!["issue", "new"];
        all.extend_from_slice(args);
        let (code, out, err) = output_of(&mut self.cmd(&all));
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    }
}
