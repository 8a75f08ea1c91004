//! Two people, two Unix accounts, one repository shared through a group
//! (`git init --shared=group`, setgid folders): the second account's cockpit follows
//! the first's runs, triages, and takes the checks over when the first one goes.
//! Needs root (to create the accounts and run as them); skips with a line on stderr
//! otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tmux::Tmux;
use common::{line_count, wait_for_file, wait_for_lines};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = r#"
[[check]]
id = "count"
run = "echo run >> ../count; cat src/value.txt; echo done-$(cat src/value.txt)"
watch = ["src/**"]
"#;

/// Two accounts in a group of their own, removed on drop.
struct Accounts {
    group: String,
    users: [String; 2],
}

impl Accounts {
    fn create() -> Option<Accounts> {
        if !nix_is_root() {
            common::skipped(
                "pairing_users",
                "creating two Unix users needs root (run the suite as root, as CI does)",
            );
            return None;
        }
        if Command::new("useradd").arg("--help").output().is_err() {
            common::skipped("pairing_users", "useradd is not installed");
            return None;
        }
        let tag = std::process::id() % 100_000;
        let accounts = Accounts {
            group: format!("pfshare{tag}"),
            users: [format!("pfana{tag}"), format!("pfsam{tag}")],
        };
        run_ok("groupadd", &[&accounts.group]);
        for user in &accounts.users {
            run_ok(
                "useradd",
                &["-M", "-N", "-g", &accounts.group, "-s", "/bin/sh", user],
            );
        }
        Some(accounts)
    }
}

impl Drop for Accounts {
    fn drop(&mut self) {
        for user in &self.users {
            let _ = Command::new("userdel").arg("-f").arg(user).output();
        }
        let _ = Command::new("groupdel").arg(&self.group).output();
    }
}

fn nix_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn run_ok(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The command line that runs `command` as `user` with their own home.
fn as_user(accounts: &Accounts, user: &str, home: &Path, command: &str) -> String {
    format!(
        "setpriv --reuid={user} --regid={group} --init-groups env -u PREFLIGHT_TRUST HOME={home} XDG_DATA_HOME={home}/data XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config TERM=xterm-256color USER={user} {command}",
        group = accounts.group,
        home = home.display(),
    )
}

fn sh(command: &str) -> (bool, String) {
    let out = Command::new("sh").arg("-c").arg(command).output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn wait_count(dir: &Path, n: usize) {
    wait_for_lines(&dir.join("count"), n, "runs of the check");
    assert_eq!(line_count(&dir.join("count")), n);
}

/// Write a repository file as root would, keeping it the group's.
fn write_shared(path: &Path, text: &str, group: &str) {
    std::fs::write(path, text).unwrap();
    run_ok("chgrp", &[group, &path.display().to_string()]);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o664)).unwrap();
}

fn group_writable(top: &Path) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut todo = vec![top.to_path_buf()];
    while let Some(path) = todo.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode();
        if mode & 0o060 != 0o060 || (meta.is_dir() && mode & 0o2000 == 0) {
            wrong.push(format!("{} {mode:o}", path.display()));
        }
        if meta.is_dir() {
            todo.extend(
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path()),
            );
        }
    }
    wrong
}

/// A repository shared by the accounts' group (`git init --shared=group`, setgid
/// folders), with a home each: the temporary folder, the repository, the homes.
fn shared_repo(accounts: &Accounts) -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let repo = dir.path().join("repo");
    run_ok(
        "git",
        &["init", "-q", "--shared=group", &repo.display().to_string()],
    );
    std::fs::create_dir_all(repo.join("src")).unwrap();
    run_ok(
        "chgrp",
        &["-R", &accounts.group, &repo.display().to_string()],
    );
    run_ok("chmod", &["-R", "g+rwX", &repo.display().to_string()]);
    run_ok(
        "chmod",
        &[
            "g+s",
            &repo.display().to_string(),
            &repo.join("src").display().to_string(),
        ],
    );
    write_shared(&repo.join("preflight.toml"), CONFIG, &accounts.group);
    write_shared(&repo.join("src/value.txt"), "value one\n", &accounts.group);
    write_shared(&dir.path().join("count"), "", &accounts.group);
    let homes: Vec<PathBuf> = accounts
        .users
        .iter()
        .map(|user| {
            let home = dir.path().join(format!("home-{user}"));
            std::fs::create_dir_all(&home).unwrap();
            // git trusts a repository another account owns only when told to.
            std::fs::write(
                home.join(".gitconfig"),
                format!("[safe]\n\tdirectory = *\n[user]\n\tname = {user}\n"),
            )
            .unwrap();
            run_ok(
                "chown",
                &[
                    "-R",
                    &format!("{user}:{}", accounts.group),
                    &home.display().to_string(),
                ],
            );
            home
        })
        .collect();
    (dir, repo, homes)
}

#[test]
fn two_unix_users_share_a_repository_through_a_group() {
    let Some(tmux) = Tmux::new("users") else {
        return;
    };
    let Some(accounts) = Accounts::create() else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_preflight");
    let [ana, sam] = accounts.users.clone();
    let (runs_as_other, why) = sh(&as_user(
        &accounts,
        &sam,
        Path::new("/tmp"),
        &format!("{bin} --version"),
    ));
    if !runs_as_other {
        common::skipped(
            "pairing_users",
            &format!("the test binary cannot be run by another user ({why}); build in a folder others can read"),
        );
        return;
    }
    let (dir, repo, homes) = shared_repo(&accounts);
    let preflight = |user: &str, home: &Path, args: &str| {
        as_user(
            &accounts,
            user,
            home,
            &format!("{bin} --repo {} {args}", repo.display()),
        )
    };
    for (user, home) in [(&ana, &homes[0]), (&sam, &homes[1])] {
        let (ok, out) = sh(&preflight(user, home, "trust --yes"));
        assert!(ok, "{user} trust: {out}");
    }
    let (ok, id) = sh(&preflight(
        &ana,
        &homes[0],
        "issue new --title 'Shared finding' --severity high",
    ));
    assert!(ok, "{id}");
    let issue = repo.join(format!(".preflight/issues/{}.toml", id.trim()));

    tmux.run("a", &preflight(&ana, &homes[0], ""));
    tmux.wait_for("a", "runner: me");
    tmux.wait_for("a", "done-value one");
    wait_count(dir.path(), 1);
    tmux.run("b", &preflight(&sam, &homes[1], ""));
    tmux.wait_for("b", &format!("runner: {ana}@"));
    tmux.wait_for("b", "Shared finding");
    tmux.wait_for("b", "watching");

    // A save: ana's cockpit runs it once, sam's follows it.
    write_shared(&repo.join("src/value.txt"), "value two\n", &accounts.group);
    tmux.wait_for("b", "done-value two");
    wait_count(dir.path(), 1 + 1);

    // Sam triages an issue ana filed: written as sam, still the group's, seen by ana.
    tmux.keys("b", &["1"]);
    wait_for_file(&issue, "critical");
    let meta = std::fs::metadata(&issue).unwrap();
    assert_eq!(
        meta.permissions().mode() & 0o060,
        0o060,
        "{:o}",
        meta.permissions().mode()
    );
    tmux.wait_for("a", "CRIT");

    // Ana's cockpit goes: sam's takes over and runs the next save as sam, writing
    // the logs and the history ana's created.
    let pid = tmux.cockpit_pid("a");
    run_ok("kill", &["-KILL", &pid.to_string()]);
    tmux.wait_for("b", "runner: me");
    write_shared(
        &repo.join("src/value.txt"),
        "value three\n",
        &accounts.group,
    );
    tmux.wait_for("b", "done-value three");
    wait_count(dir.path(), 3);
    let screen = tmux.screen("b");
    assert!(
        !screen.contains("cannot"),
        "an error on sam's screen:\n{screen}"
    );
    assert_sam_took_over_the_shared_state(&repo, &homes[1]);
}

/// The history ana started holds sam's run too, sam wrote the log, and everything in
/// local state and the register is the group's to read and write.
fn assert_sam_took_over_the_shared_state(repo: &Path, sam_home: &Path) {
    let history = repo.join(".git/preflight/runs.jsonl");
    wait_for_lines(&history, 3, "runs in the history (sam's last)");
    let log = repo.join(".git/preflight/logs/count.log");
    let sam_uid = std::fs::metadata(sam_home).unwrap().uid();
    assert_eq!(
        std::fs::metadata(&log).unwrap().uid(),
        sam_uid,
        "sam ran it"
    );
    let wrong: Vec<String> = [repo.join(".git/preflight"), repo.join(".preflight")]
        .iter()
        .flat_map(|top| group_writable(top))
        .collect();
    assert!(wrong.is_empty(), "not group read/write: {wrong:?}");
}
