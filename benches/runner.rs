//! Runner throughput: a check printing 1,000,000 lines under `preflight check`, against
//! the same command with its output sent to /dev/null. Also preflight's peak RSS.
//!
//! Run: `cargo bench --bench runner` (add `-- 9` for nine rounds; default 5).
//! Targets (issue #2): wall-time ratio ≤ 1.2, peak RSS ≤ 64 MB.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LINES: u32 = 1_000_000;

fn flood_command() -> String {
    format!(
        "awk 'BEGIN {{ for (i = 0; i < {LINES}; i++) printf \"line %d: the quick brown fox jumps over the lazy dog\\n\", i }}'"
    )
}

/// The peak resident set of a running process, in KiB, from /proc.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The command alone, its output redirected as `redirect` says.
fn time_baseline(redirect: &str) -> Duration {
    let start = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{} {redirect}", flood_command()))
        .status()
        .expect("sh runs");
    assert!(status.success());
    start.elapsed()
}

/// Wall time of `preflight check` and its peak RSS in KiB (sampled every 5 ms).
fn time_preflight(bin: &str, repo: &Path, home: &Path) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(["--repo"])
        .arg(repo)
        .args(["check", "--trust"])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("preflight runs");
    let mut peak = 0;
    loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait works") {
            assert!(status.success(), "preflight check failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (start.elapsed(), peak)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let bin = env!("CARGO_BIN_EXE_preflight");
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("repo dir");
    git2::Repository::init(&repo).expect("git init");
    let config = format!(
        "[[check]]\nid = \"flood\"\nrun = {}\n",
        toml::Value::String(flood_command())
    );
    std::fs::write(repo.join("preflight.toml"), config).expect("config");

    // Warm up caches once, then alternate the two so drift hits both alike.
    time_baseline("> /dev/null");
    time_preflight(bin, &repo, dir.path());
    let mut base = Vec::new();
    let mut piped = Vec::new();
    let mut ours = Vec::new();
    let mut peak = 0;
    for _ in 0..rounds {
        base.push(time_baseline("> /dev/null"));
        piped.push(time_baseline("| cat > /dev/null"));
        let (t, kib) = time_preflight(bin, &repo, dir.path());
        ours.push(t);
        peak = peak.max(kib);
    }
    let (b, p, o) = (median(base), median(piped), median(ours));
    println!("runner benchmark: {LINES} lines (~55 MB) of output, {rounds} rounds, medians");
    println!(
        "  command > /dev/null      {:>8.1} ms",
        b.as_secs_f64() * 1e3
    );
    println!(
        "  command | cat > /dev/null {:>7.1} ms  (ratio {:.2}: the floor for any capture)",
        p.as_secs_f64() * 1e3,
        p.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "  preflight check          {:>8.1} ms",
        o.as_secs_f64() * 1e3
    );
    println!(
        "  ratio                    {:>8.2}   (target ≤ 1.20)",
        o.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "  preflight peak RSS       {:>8.1} MB (target ≤ 64 MB)",
        peak as f64 / 1024.0
    );
}
