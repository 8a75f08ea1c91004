//! The runner lock: `runner.lock` in local state, held (`flock`, exclusive) by the one
//! process that runs the checks of a repository, with who it is written inside.
//!
//! The kernel drops the lock when the holder's process ends, however it ends (quit,
//! crash, `kill -9`, a dropped SSH session), so taking over needs no stale-lock
//! heuristics: a follower waiting on the lock gets it the moment it is free. The file
//! is opened close-on-exec, so a check's processes never inherit (and keep) it.

use crate::fsutil::{self, Links};
use crate::sharing::Sharing;
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The lock file's name in local state.
pub const LOCK_FILE: &str = "runner.lock";
/// Most bytes read of the lock file (it holds one short line).
const MAX_LINE: u64 = 512;
/// Longest user or host name shown.
const MAX_NAME: usize = 64;

/// What kind of process runs the checks: a one-shot `check` or `gate` runs what it
/// was asked and serves no request; a cockpit and `check --watch` serve them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Cockpit,
    Watch,
    Check,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Cockpit => "cockpit",
            Role::Watch => "watch",
            Role::Check => "check",
        }
    }

    fn parse(text: &str) -> Option<Role> {
        match text {
            "cockpit" => Some(Role::Cockpit),
            "watch" => Some(Role::Watch),
            "check" => Some(Role::Check),
            _ => None,
        }
    }

    /// Whether this runner re-runs checks when asked.
    pub fn serves_requests(self) -> bool {
        self != Role::Check
    }
}

/// Who holds (or held) the runner lock, as it wrote itself into the file. Invariant:
/// `user` and `host` hold only `[A-Za-z0-9._-]` (anything else is `?`): the file is
/// written by another account and shown on screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub user: String,
    pub host: String,
    pub pid: u32,
    pub role: Role,
}

impl Holder {
    /// This process.
    pub fn me(role: Role) -> Holder {
        Holder {
            user: clean(&crate::user::login_name()),
            host: clean(&crate::user::host_name()),
            pid: std::process::id(),
            role,
        }
    }

    /// `ana@box 1234 cockpit`: the line in the lock file.
    pub fn line(&self) -> String {
        format!(
            "{}@{} {} {}",
            self.user,
            self.host,
            self.pid,
            self.role.name()
        )
    }

    pub fn parse(text: &str) -> Option<Holder> {
        let line = text.lines().next()?;
        let mut words = line.split_whitespace();
        let (user, host) = words.next()?.split_once('@')?;
        let pid = words.next()?.parse().ok()?;
        let role = Role::parse(words.next()?)?;
        Some(Holder {
            user: clean(user),
            host: clean(host),
            pid,
            role,
        })
    }

    /// `ana@box (1234)`, as the header shows it.
    pub fn label(&self) -> String {
        format!("{}@{} ({})", self.user, self.host, self.pid)
    }
}

fn clean(name: &str) -> String {
    let kept: String = name
        .chars()
        .take(MAX_NAME)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '?'
            }
        })
        .collect();
    if kept.is_empty() {
        "?".into()
    } else {
        kept
    }
}

/// The runner lock, held. Dropping it (or ending the process) lets a follower take
/// over.
pub struct RunnerLock {
    _lock: Flock<File>,
    holder: Holder,
}

impl std::fmt::Debug for RunnerLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RunnerLock({})", self.holder.line())
    }
}

impl RunnerLock {
    pub fn holder(&self) -> &Holder {
        &self.holder
    }
}

/// What trying to become the runner came to.
#[derive(Debug)]
pub enum Claim {
    /// This process runs the checks now.
    Taken(RunnerLock),
    /// Another process does (`None`: it did not say who, yet).
    Held(Option<Holder>),
    /// This account cannot hold the lock (no write access to local state): it can
    /// only follow. Carries the reason.
    Unavailable(String),
}

pub fn lock_path(state_dir: &Path) -> PathBuf {
    state_dir.join(LOCK_FILE)
}

/// Open (creating) the lock file for writing who holds it.
fn open(state_dir: &Path, sharing: Sharing) -> Result<File, String> {
    sharing
        .create_dir_all(state_dir)
        .map_err(|e| format!("cannot create {}: {e}", state_dir.display()))?;
    let path = lock_path(state_dir);
    // Never through a symlink, never waiting on a FIFO planted there; a regular file
    // only (written by whoever ran the checks before, maybe another account).
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK | nix::libc::O_CLOEXEC)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(format!("{} is not a regular file", path.display()));
    }
    sharing.apply(&path);
    Ok(file)
}

/// Write who holds the lock into its file (one line, replacing the last holder's).
/// Written over the old line, then cut to length: a reader sees the old holder's whole
/// line or the new one's (a longer old line leaves its tail after the new newline,
/// past the first line), never an empty file that names nobody.
fn stamp(lock: &Flock<File>, holder: &Holder) {
    let line = format!("{}\n", holder.line());
    let _ = lock.write_all_at(line.as_bytes(), 0);
    let _ = lock.set_len(line.len() as u64);
    let _ = (&**lock).flush();
}

/// Become the runner if nobody is; never waits.
pub fn try_take(state_dir: &Path, sharing: Sharing, role: Role) -> Claim {
    let file = match open(state_dir, sharing) {
        Ok(file) => file,
        Err(why) => return Claim::Unavailable(why),
    };
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(lock) => {
            let holder = Holder::me(role);
            stamp(&lock, &holder);
            Claim::Taken(RunnerLock {
                _lock: lock,
                holder,
            })
        }
        Err((_, Errno::EWOULDBLOCK)) => Claim::Held(read_holder(state_dir)),
        Err((_, e)) => Claim::Unavailable(format!(
            "cannot lock {}: {e}",
            lock_path(state_dir).display()
        )),
    }
}

/// Wait on a thread of its own for the lock, and hand it to `deliver` the moment the
/// runner lets go. When `deliver` gives it back (its receiver is gone), it is dropped.
pub fn wait(
    state_dir: &Path,
    sharing: Sharing,
    role: Role,
    deliver: impl FnOnce(RunnerLock) -> Result<(), RunnerLock> + Send + 'static,
) -> Result<(), String> {
    let file = open(state_dir, sharing)?;
    std::thread::Builder::new()
        .name("runner-lock".into())
        .spawn(move || {
            if let Ok(lock) = Flock::lock(file, FlockArg::LockExclusive) {
                let holder = Holder::me(role);
                stamp(&lock, &holder);
                let _ = deliver(RunnerLock {
                    _lock: lock,
                    holder,
                });
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start a thread: {e}"))
}

/// Whether some process holds the lock now. Probed with a shared lock taken and let
/// go at once, so a waiting follower is held up for no more than that instant.
pub fn is_held(state_dir: &Path) -> bool {
    let Ok((file, _)) = fsutil::open_regular(&lock_path(state_dir), Links::Refuse) else {
        return false;
    };
    match Flock::lock(file, FlockArg::LockSharedNonblock) {
        Ok(_probe) => false,
        Err((_, Errno::EWOULDBLOCK)) => true,
        Err(_) => false,
    }
}

/// Who the lock file says holds it (whether or not anyone does now).
pub fn read_holder(state_dir: &Path) -> Option<Holder> {
    let (file, _) = fsutil::open_regular(&lock_path(state_dir), Links::Refuse).ok()?;
    let mut text = Vec::new();
    file.take(MAX_LINE).read_to_end(&mut text).ok()?;
    Holder::parse(&String::from_utf8_lossy(&text))
}

/// The runner now, if there is one.
pub fn runner(state_dir: &Path) -> Option<Holder> {
    if is_held(state_dir) {
        // Between taking the lock and writing its name, a new runner is nameless.
        Some(read_holder(state_dir).unwrap_or(Holder {
            user: "?".into(),
            host: "?".into(),
            pid: 0,
            role: Role::Cockpit,
        }))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_new_runner_writes_its_name_over_a_longer_old_one_and_cuts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let old = format!("{}@old-host 4242424 cockpit\n", "a".repeat(60));
        std::fs::write(lock_path(dir.path()), &old).unwrap();
        let _lock = match try_take(dir.path(), Sharing::Umask, Role::Watch) {
            Claim::Taken(lock) => lock,
            other => panic!("{other:?}"),
        };
        let text = std::fs::read_to_string(lock_path(dir.path())).unwrap();
        assert_eq!(text, format!("{}\n", Holder::me(Role::Watch).line()));
    }

    #[test]
    fn one_runner_at_a_time_and_the_next_takes_over_when_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        assert!(runner(&state).is_none());
        let first = match try_take(&state, Sharing::Umask, Role::Cockpit) {
            Claim::Taken(lock) => lock,
            other => panic!("{other:?}"),
        };
        let me = Holder::me(Role::Cockpit);
        assert_eq!(runner(&state), Some(me.clone()));
        match try_take(&state, Sharing::Umask, Role::Watch) {
            Claim::Held(Some(holder)) => assert_eq!(holder, me),
            other => panic!("{other:?}"),
        }
        // A follower waits; it gets the lock as soon as the runner lets go.
        let (tx, rx) = std::sync::mpsc::channel();
        wait(&state, Sharing::Umask, Role::Watch, move |lock| {
            tx.send(lock).map_err(|e| e.0)
        })
        .unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        let start = Instant::now();
        drop(first);
        let second = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(second.holder().role, Role::Watch);
        assert_eq!(read_holder(&state).unwrap().role, Role::Watch);
        drop(second);
        assert!(runner(&state).is_none());
    }

    #[test]
    fn a_holder_line_from_another_account_is_parsed_and_cleaned() {
        let holder = Holder::parse("ana@box 1234 cockpit\n").unwrap();
        assert_eq!(holder.label(), "ana@box (1234)");
        assert!(holder.role.serves_requests());
        let hostile = Holder::parse("\u{1b}]0;x\u{7}@box 1 check").unwrap();
        assert!(!hostile.user.contains('\u{1b}'), "{}", hostile.user);
        assert!(!hostile.role.serves_requests());
        assert_eq!(Holder::parse("garbage"), None);
        assert_eq!(Holder::parse("a@b notapid cockpit"), None);
    }
}
