//! Watch mode against its peers, side by side in one run: preflight, bacon, watchexec.
//!
//! Every tool runs the same job, `date +%s%N >> MARKS` (outside the watched tree), so
//! each run start leaves a timestamp. Measured per tool:
//! - latency from a file write to the start of the re-run (p50, p95), for an in-place
//!   write and for a write-then-rename save, with the runs each save caused;
//! - runs caused by a 5,000-file burst (files written; a `git checkout` between two
//!   branches that differ in 5,000 files), and how long after the burst's end the last
//!   run started;
//! - CPU seconds used while idle;
//! - on two trees of 100,000 files, in 1,000 and in 5,000 folders: time to ready, the
//!   CPU seconds spent to get there, and peak RSS.
//!
//! Run: `benches/watch-peers.sh` (builds bacon and watchexec from crates.io into
//! target/peers, then runs this). Alone: `BACON=… WATCHEXEC=… cargo bench --bench watch
//! -- [saves] [idle-seconds]`; a tool not found is skipped.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BURST: usize = 5_000;
const BIG_TREE: usize = 100_000;
/// Folders the big tree's files are spread over, one tree each.
const BIG_TREE_FOLDERS: [usize; 2] = [1_000, 5_000];
/// No new run for this long means the tool is done reacting.
const QUIET: Duration = Duration::from_millis(600);

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn marks(path: &Path) -> Vec<u128> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Wait until no new mark has appeared for [`QUIET`] (at most `limit`).
fn settle(path: &Path, limit: Duration) -> usize {
    let start = Instant::now();
    let mut count = marks(path).len();
    let mut last_change = Instant::now();
    while start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
        let now = marks(path).len();
        if now != count {
            count = now;
            last_change = Instant::now();
        } else if last_change.elapsed() >= QUIET {
            break;
        }
    }
    count
}

/// Wait for a mark after `since`; its timestamp.
fn next_mark(path: &Path, since: u128, limit: Duration) -> Option<u128> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(t) = marks(path).into_iter().find(|t| *t > since) {
            return Some(t);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

struct Tool {
    name: &'static str,
    debounce: &'static str,
    binary: PathBuf,
}

impl Tool {
    fn spawn(&self, repo: &Path, marks: &Path, home: &Path) -> Child {
        let job = format!("date +%s%N >> {}", marks.display());
        let mut cmd = match self.name {
            "preflight" => {
                std::fs::write(
                    repo.join("preflight.toml"),
                    format!(
                        "[[check]]\nid = \"mark\"\nrun = {}\nwatch = [\"src/**\"]\n",
                        toml_string(&job)
                    ),
                )
                .unwrap();
                let mut c = Command::new(&self.binary);
                c.args(["check", "--watch", "--trust", "--no-register"])
                    .env("XDG_DATA_HOME", home.join("data"))
                    .env("XDG_STATE_HOME", home.join("state"));
                c
            }
            "bacon" => {
                std::fs::write(
                    repo.join("bacon.toml"),
                    format!(
                        "default_job = \"mark\"\n[jobs.mark]\ncommand = [\"sh\", \"-c\", {}]\nneed_stdout = false\nallow_warnings = true\nwatch = [\"src\"]\ndefault_watch = false\n",
                        toml_string(&job)
                    ),
                )
                .unwrap();
                let mut c = Command::new(&self.binary);
                c.args(["--headless", "--job", "mark"]);
                c
            }
            _ => {
                let mut c = Command::new(&self.binary);
                // watchexec runs its command through a shell: give it one string.
                c.args(["--watch", "src", "--debounce", "50ms", "--", &job]);
                c
            }
        };
        cmd.current_dir(repo)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        cmd.spawn().unwrap()
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn stop(child: &mut Child) {
    let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGINT);
    std::thread::sleep(Duration::from_millis(300));
    let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
    let _ = child.wait();
}

/// Time from spawn until a change is seen, and the tool's CPU seconds by then: all
/// three tools run their job once at startup, so wait for that run, then touch a probe
/// file every 100 ms until a run follows one.
fn ready(repo: &Path, marks_path: &Path, spawned: Instant, pid: u32) -> Option<(Duration, f64)> {
    next_mark(marks_path, 0, Duration::from_secs(30))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let t0 = now_ns();
        std::fs::write(repo.join("src/probe.txt"), t0.to_string()).unwrap();
        if next_mark(marks_path, t0, Duration::from_millis(100)).is_some() {
            return Some((spawned.elapsed(), cpu_seconds(pid)));
        }
    }
    None
}

fn proc_field(pid: u32, key: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn git(repo: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=bench", "-c", "user.email=bench@localhost"])
        .args(args)
        .current_dir(repo)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// A repository with `src/burst/` holding BURST files on branch `main`, and branch
/// `other` where every one of them differs. No Cargo.toml: bacon would run
/// `cargo metadata` on it.
fn burst_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("src/burst")).unwrap();
    std::fs::write(
        repo.join(".gitignore"),
        "preflight.toml\nbacon.toml\n.bacon-locations\n",
    )
    .unwrap();
    for n in 0..BURST {
        std::fs::write(repo.join(format!("src/burst/f{n}.txt")), "a").unwrap();
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "a"]);
    git(&repo, &["checkout", "-q", "-b", "other"]);
    for n in 0..BURST {
        std::fs::write(repo.join(format!("src/burst/f{n}.txt")), "b").unwrap();
    }
    git(&repo, &["commit", "-qam", "b"]);
    git(&repo, &["checkout", "-q", "main"]);
    repo
}

struct Saves {
    latencies: Vec<f64>,
    runs: usize,
}

fn measure_saves(repo: &Path, marks_path: &Path, saves: usize, rename: bool) -> Saves {
    let mut latencies = Vec::new();
    let mut runs = 0;
    for n in 0..saves {
        let before = settle(marks_path, Duration::from_secs(5));
        let target = repo.join("src/edit.txt");
        let t0 = now_ns();
        if rename {
            let tmp = repo.join("src/.edit.txt.tmp");
            std::fs::write(&tmp, n.to_string()).unwrap();
            std::fs::rename(&tmp, &target).unwrap();
        } else {
            std::fs::write(&target, n.to_string()).unwrap();
        }
        if let Some(t1) = next_mark(marks_path, t0, Duration::from_secs(5)) {
            latencies.push((t1 - t0) as f64 / 1e6);
        }
        runs += settle(marks_path, Duration::from_secs(5)) - before;
    }
    latencies.sort_by(f64::total_cmp);
    Saves { latencies, runs }
}

/// Runs a burst caused, and ms from its end to the last run start (negative: the last
/// run started before the burst was over).
fn measure_burst(marks_path: &Path, burst: impl FnOnce()) -> (usize, f64) {
    let before = settle(marks_path, Duration::from_secs(10));
    let start = now_ns();
    burst();
    let end = now_ns();
    let after = settle(marks_path, Duration::from_secs(30));
    let last = marks(marks_path).into_iter().filter(|t| *t > start).max();
    let delay = last.map_or(f64::NAN, |t| (t as f64 - end as f64) / 1e6);
    (after - before, delay)
}

#[expect(
    clippy::too_many_lines,
    reason = "a benchmark script: set up, measure, print, read top to bottom"
)]
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let saves = args.first().copied().unwrap_or(30);
    let idle_secs = args.get(1).copied().unwrap_or(60) as u64;
    let tools: Vec<Tool> = [
        (
            "preflight",
            "adaptive: 12 ms, 60 ms in a storm",
            Some(PathBuf::from(env!("CARGO_BIN_EXE_preflight"))),
        ),
        (
            "bacon",
            "defaults",
            std::env::var_os("BACON").map(PathBuf::from),
        ),
        (
            "watchexec",
            "--debounce 50ms (its default)",
            std::env::var_os("WATCHEXEC").map(PathBuf::from),
        ),
    ]
    .into_iter()
    .filter_map(|(name, debounce, bin)| match bin.filter(|b| b.exists()) {
        Some(binary) => Some(Tool {
            name,
            debounce,
            binary,
        }),
        None => {
            println!(
                "{name}: skipped (set {} to its binary)",
                name.to_uppercase()
            );
            None
        }
    })
    .collect();

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let repo = burst_repo(dir.path());
    println!("watch benchmark: {saves} saves each way, {BURST}-file bursts, {idle_secs} s idle, {BIG_TREE}-file tree");
    for tool in &tools {
        let marks_path = dir.path().join(format!("{}.marks", tool.name));
        let spawned = Instant::now();
        let mut child = tool.spawn(&repo, &marks_path, &home);
        let Some((ready_in, _)) = ready(&repo, &marks_path, spawned, child.id()) else {
            println!("{}: never became ready", tool.name);
            stop(&mut child);
            continue;
        };
        let inplace = measure_saves(&repo, &marks_path, saves, false);
        let renamed = measure_saves(&repo, &marks_path, saves, true);
        let (burst_runs, burst_delay) = measure_burst(&marks_path, || {
            for n in 0..BURST {
                std::fs::write(repo.join(format!("src/burst/f{n}.txt")), format!("c{n}")).unwrap();
            }
        });
        git(&repo, &["checkout", "-q", "--", "."]);
        settle(&marks_path, Duration::from_secs(30));
        let (checkout_runs, checkout_delay) =
            measure_burst(&marks_path, || git(&repo, &["checkout", "-q", "other"]));
        settle(&marks_path, Duration::from_secs(30));
        git(&repo, &["checkout", "-q", "main"]);
        settle(&marks_path, Duration::from_secs(30));
        let cpu_before = cpu_seconds(child.id());
        std::thread::sleep(Duration::from_secs(idle_secs));
        let idle_cpu = cpu_seconds(child.id()) - cpu_before;
        stop(&mut child);
        println!("\n{} (debounce: {})", tool.name, tool.debounce);
        println!(
            "  ready on the {BURST}-file repo      {:>8.0} ms",
            ready_in.as_secs_f64() * 1e3
        );
        for (label, s) in [("in-place write", &inplace), ("write + rename", &renamed)] {
            println!(
                "  {label:<16} p50 {:>6.1} ms  p95 {:>6.1} ms  runs {} for {} saves",
                percentile(&s.latencies, 0.5),
                percentile(&s.latencies, 0.95),
                s.runs,
                saves
            );
        }
        println!("  {BURST} files written       runs {burst_runs:>3}, last run started {burst_delay:>7.0} ms after the burst's end");
        println!("  git checkout ({BURST} files) runs {checkout_runs:>3}, last run started {checkout_delay:>7.0} ms after the burst's end");
        println!("  CPU while idle {idle_secs} s        {idle_cpu:>8.2} s");
    }

    // The large trees: time to ready, CPU to get there, and memory.
    for folders in BIG_TREE_FOLDERS {
        let big = dir.path().join(format!("big-{folders}"));
        let per_folder = BIG_TREE / folders;
        for d in 0..folders {
            let folder = big.join(format!("src/d{d}"));
            std::fs::create_dir_all(&folder).unwrap();
            for f in 0..per_folder {
                std::fs::write(folder.join(format!("f{f}.txt")), "x").unwrap();
            }
        }
        git(&big, &["init", "-q"]);
        println!();
        for tool in &tools {
            let marks_path = dir
                .path()
                .join(format!("{}.big-{folders}.marks", tool.name));
            let spawned = Instant::now();
            let mut child = tool.spawn(&big, &marks_path, &home);
            let ready_in = ready(&big, &marks_path, spawned, child.id());
            std::thread::sleep(Duration::from_secs(1));
            let rss = proc_field(child.id(), "VmHWM:").unwrap_or(0);
            stop(&mut child);
            match ready_in {
                Some((t, cpu)) => println!(
                    "{:<10} {BIG_TREE} files in {folders} folders: ready in {:>6.0} ms, CPU {:>5.2} s, peak RSS {:>6.1} MB",
                    tool.name,
                    t.as_secs_f64() * 1e3,
                    cpu,
                    rss as f64 / 1024.0
                ),
                None => println!(
                    "{:<10} {BIG_TREE} files in {folders} folders: never became ready",
                    tool.name
                ),
            }
        }
    }
}
