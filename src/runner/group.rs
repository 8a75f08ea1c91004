//! A check's process group: whether it still runs, and how it is ended (SIGTERM, the
//! grace, SIGKILL), also when its run is abandoned midway.

use super::{watchdog, KILL_GRACE};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::time::Duration;
use std::time::Instant;

/// How soon to look first whether a terminated group is gone; the wait doubles up to
/// [`GROUP_POLL_MAX`] (each look scans `/proc`: a group that ignores SIGTERM must not
/// cost a core for the whole grace).
const GROUP_POLL: Duration = Duration::from_millis(10);
const GROUP_POLL_MAX: Duration = Duration::from_millis(200);

/// Ends the group if the run is abandoned midway (its future dropped, as when the
/// runtime shuts down): SIGTERM now, SIGKILL after [`KILL_GRACE`] from a thread of
/// its own, or from the watchdog if the process is gone by then.
pub(super) struct GroupGuard {
    pub(super) pgid: Pid,
    pub(super) armed: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            let pgid = self.pgid;
            if killpg(pgid, Signal::SIGTERM).is_ok() {
                let _ = std::thread::Builder::new()
                    .name("end-group".into())
                    .spawn(move || {
                        // Looked at often: once the group is gone its number may be
                        // reused, and a late SIGKILL would hit a stranger.
                        let deadline = Instant::now() + KILL_GRACE;
                        while Instant::now() < deadline {
                            if !group_alive(pgid) {
                                watchdog::forget(pgid);
                                return;
                            }
                            std::thread::sleep(GROUP_POLL_MAX / 4);
                        }
                        let _ = killpg(pgid, Signal::SIGKILL);
                        watchdog::forget(pgid);
                    });
            } else {
                watchdog::forget(pgid);
            }
        }
    }
}

/// Whether any process of the group still runs. Zombies do not count: a killed shell
/// waits for us to reap it, and orphans may wait for a reaper that never comes (PID 1
/// in a container), yet neither runs nor holds anything but its pid.
pub(super) fn group_alive(pgid: Pid) -> bool {
    if killpg(pgid, None).is_err() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true; // no procfs: trust the signal probe
    };
    let wanted = pgid.as_raw().to_string();
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or("")
            .split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        pgrp == Some(wanted.as_str()) && state != Some("Z") && state != Some("X")
    })
}

/// SIGTERM the group, give it [`KILL_GRACE`], then SIGKILL what is left. The direct
/// child is reaped along the way.
pub(super) async fn end_group(pgid: Pid, child: &mut tokio::process::Child) {
    if killpg(pgid, Signal::SIGTERM).is_err() {
        return; // nothing left
    }
    let deadline = Instant::now() + KILL_GRACE;
    let mut pause = GROUP_POLL;
    while Instant::now() < deadline {
        let _ = child.try_wait();
        if !group_alive(pgid) {
            return;
        }
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
        pause = (pause * 2).min(GROUP_POLL_MAX);
    }
    let _ = killpg(pgid, Signal::SIGKILL);
}
