//! Processes as Linux's `/proc` shows them: finding one below another, telling
//! whether one (or a whole group) still runs, and its CPU time. A zombie counts as
//! gone everywhere: it runs nothing, it only waits for its reaper.

use super::{PATIENCE, POLL};
use std::path::Path;
use std::time::{Duration, Instant};

/// The fields of a `stat` file after the command name (which may hold spaces and
/// parentheses, hence the last `)`): state first, then ppid, pgrp, …
fn stat_fields(stat_file: &Path) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(stat_file).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn proc_stat(pid: u32) -> Option<Vec<String>> {
    stat_fields(Path::new(&format!("/proc/{pid}/stat")))
}

fn is_zombie(fields: &[String]) -> bool {
    fields.first().is_some_and(|state| state == "Z")
}

/// The pid of the first process below `parent` (at any depth) whose command line
/// contains `pattern`; panics when none shows within [`PATIENCE`].
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
    proc_stat(pid).is_none_or(|fields| is_zombie(&fields))
}

/// Whether any process of the group `pgid` still runs (zombies do not count).
pub fn group_alive(pgid: i32) -> bool {
    let pgid = pgid.to_string();
    std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .flatten()
        .filter_map(|entry| stat_fields(&entry.path().join("stat")))
        .any(|fields| fields.get(2) == Some(&pgid) && !is_zombie(&fields))
}

/// CPU time (user + system) of a process so far, or `None` once it is gone or a zombie.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let fields = proc_stat(pid)?;
    if is_zombie(&fields) {
        return None;
    }
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let hz = 100; // USER_HZ on Linux
    Some(Duration::from_millis(ticks * 1000 / hz))
}

/// The pid a check writes to `path` (`echo $$ > path`), once it is there whole: the
/// shell creates the file before it writes the number.
pub fn wait_for_pid(path: &Path) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.strip_suffix('\n').and_then(|t| t.trim().parse().ok()))
        {
            return pid;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "no pid in {} (the check never started)",
            path.display()
        );
        std::thread::sleep(POLL);
    }
}
