//! A follower over SSH: a real sshd on 127.0.0.1 (its own host key, port and
//! config), a runner cockpit here, a follower cockpit through `ssh`. A save runs the
//! check once and the follower shows it; killing the ssh client ends the remote
//! cockpit within 2 s, and the runner runs on. Skips with a line on stderr where
//! sshd cannot run (not installed, not root); `.ci/run` installs openssh-server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::process::{descendant, gone};
use common::tmux::Tmux;
use common::{line_count, wait_for_lines, Sandbox, PATIENCE, POLL};
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
[[check]]
id = "count"
run = "echo run >> ../count; cat src/value.txt; echo done-$(cat src/value.txt)"
watch = ["src/**"]
"#;

/// How long a dropped SSH connection may keep the remote cockpit alive.
const DROP_LIMIT: Duration = Duration::from_secs(2);

/// An sshd of the test's own, killed on drop.
struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

fn keygen(path: &Path) -> bool {
    Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Sshd {
    fn start() -> Option<Sshd> {
        let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(sshd) = sshd else {
            common::skipped(
                "pairing_ssh",
                "no sshd (install openssh-server; .ci/run does)",
            );
            return None;
        };
        if Command::new("ssh").arg("-V").output().is_err() {
            common::skipped("pairing_ssh", "no ssh client (install openssh-client)");
            return None;
        }
        if !is_root() {
            common::skipped(
                "pairing_ssh",
                "sshd needs root to log a user in (run the suite as root, as CI does)",
            );
            return None;
        }
        // Debian's sshd wants its privilege separation folder.
        let _ = std::fs::create_dir_all("/run/sshd");
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("host_key");
        let key = dir.path().join("client_key");
        if !keygen(&host) || !keygen(&key) {
            common::skipped("pairing_ssh", "ssh-keygen failed");
            return None;
        }
        std::fs::copy(
            key.with_extension("pub"),
            dir.path().join("authorized_keys"),
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {keys}\n\
                 PidFile none\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 PrintMotd no\nPrintLastLog no\nLogLevel ERROR\n",
                host = host.display(),
                keys = dir.path().join("authorized_keys").display(),
            ),
        )
        .unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let sshd = Sshd {
            child,
            port,
            key,
            _dir: dir,
        };
        // Ready once it greets.
        let start = Instant::now();
        loop {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut banner = [0u8; 4];
                if stream.read_exact(&mut banner).is_ok() && &banner == b"SSH-" {
                    return Some(sshd);
                }
            }
            if start.elapsed() > PATIENCE {
                common::skipped(
                    "pairing_ssh",
                    &format!("sshd did not come up on 127.0.0.1:{port}"),
                );
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// `ssh … user@127.0.0.1 'command'`, with a terminal at the far end.
    fn ssh(&self, command: &str) -> String {
        let user = String::from_utf8_lossy(&Command::new("id").arg("-un").output().unwrap().stdout)
            .trim()
            .to_string();
        format!(
            "ssh -tt -F /dev/null -i {key} -p {port} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes {user}@127.0.0.1 '{command}'",
            key = self.key.display(),
            port = self.port,
        )
    }
}

fn wait_count(sb: &Sandbox, n: usize) {
    let count = sb.repo.parent().unwrap().join("count");
    wait_for_lines(&count, n, "runs of the check");
    assert_eq!(line_count(&count), n, "one run per save");
}

/// The process whose command line starts with `prefix` (the remote cockpit is
/// sshd's, not a child of the tmux window, whose shell holds the same words).
fn process_with(prefix: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (cmdline.starts_with(prefix) && !gone(pid)).then_some(pid)
        })
}

#[test]
fn a_follower_over_ssh_shows_the_runs_and_a_dropped_connection_ends_it() {
    let Some(tmux) = Tmux::new("ssh") else {
        return;
    };
    let Some(sshd) = Sshd::start() else {
        return;
    };
    let sb = Sandbox::with_config(CONFIG);
    sb.write("src/value.txt", "value one\n");
    sb.trust();
    let bin = env!("CARGO_BIN_EXE_preflight");
    tmux.cockpit(&sb, "a", "");
    tmux.wait_for("a", "runner: me");
    tmux.wait_for("a", "done-value one");
    wait_count(&sb, 1);

    // The follower: the same binary on the same repository, through ssh. Its extra
    // `--theme dark` tells its process apart from the runner's.
    let remote = format!(
        "{env} {bin} --repo {repo} --theme dark",
        env = Tmux::env(&sb),
        repo = sb.repo.display()
    );
    tmux.run("b", &sshd.ssh(&remote));
    tmux.wait_for("b", "runner: ");
    tmux.wait_for("b", "done-value one");
    tmux.wait_for("b", "watching");
    let follower = process_with(&format!("{bin} --repo {} --theme dark", sb.repo.display()))
        .expect("the remote cockpit");

    // A save: run once, by the runner; the follower over ssh shows it.
    sb.write("src/value.txt", "value two\n");
    tmux.wait_for("b", "done-value two");
    wait_count(&sb, 2);

    // The connection drops (the client is killed): the remote cockpit ends soon.
    let client = descendant(tmux.pane_pid("b"), "ssh -tt");
    let start = Instant::now();
    Command::new("kill")
        .args(["-KILL", &client.to_string()])
        .status()
        .unwrap();
    while !gone(follower) {
        assert!(
            start.elapsed() < PATIENCE,
            "the remote cockpit outlived its connection by {:?}",
            start.elapsed()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    eprintln!("the remote cockpit ended {took:?} after its ssh client was killed");
    assert!(took < DROP_LIMIT, "{took:?}");

    // The runner runs on.
    let runner = tmux.cockpit_pid("a");
    assert!(!gone(runner));
    tmux.wait_for("a", "runner: me");
    sb.write("src/value.txt", "value three\n");
    tmux.wait_for("a", "done-value three");
    wait_count(&sb, 3);
}
