//! What ends the checks' process groups when preflight itself dies without cleaning up
//! (`kill -9`, a crash, the OOM killer).
//!
//! `PR_SET_PDEATHSIG` does not do it: it reaches one process, not its group, and it
//! fires when the *thread* that spawned the child exits (a tokio worker may). Instead a
//! tiny watchdog process, started once per preflight process, reads a pipe whose write
//! end only preflight holds (close-on-exec, so no check inherits it). preflight tells
//! it each group it starts (`+ PGID`) and ends (`- PGID`). When the pipe reaches
//! end-of-file — preflight is gone, however it died — the watchdog sends SIGTERM to
//! every group still listed, waits up to [`super::KILL_GRACE`], then sends SIGKILL.
//!
//! The watchdog is `sh` (every check already needs it) in a process group of its own,
//! ignoring the terminal's SIGINT and SIGHUP, so Ctrl-C or a hang-up does not take it
//! down before preflight. The window between a check's spawn and its announcement is
//! a few microseconds; a group is forgotten only once it is gone.

use nix::unistd::Pid;
use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;

/// Reads `+ PGID` / `- PGID` lines; at end-of-file ends the groups still listed.
const SCRIPT: &str = r#"
trap '' INT HUP
groups=''
while read -r op group; do
  case "$op" in
    +) groups="$groups $group" ;;
    -) kept=''
       for g in $groups; do [ "$g" = "$group" ] || kept="$kept $g"; done
       groups=$kept ;;
  esac
done
[ -n "$groups" ] || exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
i=0
while [ $i -lt 20 ]; do
  alive=''
  for g in $groups; do kill -s 0 -- "-$g" 2>/dev/null && alive="$alive $g"; done
  [ -n "$alive" ] || exit 0
  groups=$alive
  sleep 0.1
  i=$((i + 1))
done
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
"#;

struct Watchdog {
    pipe: Option<ChildStdin>,
    groups: BTreeSet<i32>,
}

static WATCHDOG: Mutex<Watchdog> = Mutex::new(Watchdog {
    pipe: None,
    groups: BTreeSet::new(),
});

impl Watchdog {
    /// The pipe to a running watchdog, starting one (and telling it every group still
    /// listed) when there is none or the last one died.
    fn send(&mut self, line: &str) {
        if self.pipe.is_none() {
            self.pipe = spawn();
            let announce: String = self.groups.iter().map(|g| format!("+ {g}\n")).collect();
            if self.write(&announce) {
                return; // the current state includes `line`'s effect already
            }
        }
        self.write(line);
    }

    fn write(&mut self, text: &str) -> bool {
        let Some(pipe) = self.pipe.as_mut() else {
            return false;
        };
        if text.is_empty() {
            return true;
        }
        if pipe
            .write_all(text.as_bytes())
            .and_then(|()| pipe.flush())
            .is_err()
        {
            self.pipe = None; // it died: the next call starts another
            return false;
        }
        true
    }
}

fn spawn() -> Option<ChildStdin> {
    Command::new("sh")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()
        .and_then(|mut child| child.stdin.take())
}

/// A check's group started: end it if preflight dies.
pub fn watch(pgid: Pid) {
    if let Ok(mut dog) = WATCHDOG.lock() {
        dog.groups.insert(pgid.as_raw());
        dog.send(&format!("+ {}\n", pgid.as_raw()));
    }
}

/// A check's group is gone: forget it (its number may be reused).
pub fn forget(pgid: Pid) {
    if let Ok(mut dog) = WATCHDOG.lock() {
        if dog.groups.remove(&pgid.as_raw()) {
            dog.send(&format!("- {}\n", pgid.as_raw()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn group_gone(pgid: i32) -> bool {
        nix::sys::signal::killpg(Pid::from_raw(pgid), None).is_err()
    }

    /// The script itself: at end-of-file it ends a group that ignores SIGTERM (after
    /// sending SIGTERM first, which the group notes down).
    #[test]
    fn end_of_file_ends_the_listed_groups_even_stubborn_ones() {
        let dir = tempfile::tempdir().unwrap();
        let noted = dir.path().join("term");
        let mut stubborn = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "trap 'echo term >> {0}' TERM; echo ready > {0}.ready; while :; do sleep 1; done",
                noted.display()
            ))
            .process_group(0)
            .spawn()
            .unwrap();
        // Its trap must be in place before anything is sent.
        let ready = noted.with_extension("ready");
        let start = Instant::now();
        while !ready.exists() {
            assert!(start.elapsed() < Duration::from_secs(20), "never started");
            std::thread::sleep(Duration::from_millis(10));
        }
        let pgid = stubborn.id() as i32;
        let mut dog = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .stdin(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut pipe = dog.stdin.take().unwrap();
        writeln!(pipe, "+ {pgid}\n+ 999999\n- 999999").unwrap();
        drop(pipe); // as when preflight dies
        let start = Instant::now();
        let _ = stubborn.wait();
        while !group_gone(pgid) {
            assert!(start.elapsed() < Duration::from_secs(5), "group survived");
            std::thread::sleep(Duration::from_millis(20));
        }
        let noted = std::fs::read_to_string(&noted).unwrap_or_default();
        assert!(noted.contains("term"), "SIGTERM first");
        assert!(dog.wait().unwrap().success());
    }
}
