//! Pairing, measured side by side in one run: a runner cockpit and two followers (one
//! read-only) on one repository, each the real event loop (`tui::app::drive`) drawing
//! through crossterm into a byte counter, each frame timestamped with what it shows.
//! The check stamps its own start and every line it prints with the wall clock, so
//! latencies are measured from what the check did, not from what preflight says.
//!
//! - runs per save: the check's own start stamps, over SAVES saves;
//! - a follower sees a run start: first frame showing it running − the check's start;
//! - a streamed line: first frame showing it as the newest line − its stamp;
//! - bytes per second to each terminal while a check streams 50,000 lines;
//! - hand-over: the runner quits (its loop stopped, as on `q` or a hang-up) or is
//!   killed (`kill -9` of a real cockpit in tmux; skipped without tmux), a save right
//!   after: time until the check starts again, run by a follower.
//!
//! Run: `cargo bench --bench pairing` (about a minute). Targets (issue #15): exactly
//! one run per save; ≤ 100 ms to see a start; ≤ 250 ms for a line; ≤ 1 s to run the
//! next save after the runner is killed; a follower's bytes/s ≤ the runner's.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use preflight::runner::Output;
use preflight::tui::app::{drive, initial_model, Screen};
use preflight::tui::keymap::KeyMap;
use preflight::tui::model::{CheckPhase, Model, Runner, Watching};
use preflight::tui::term::Input;
use preflight::tui::theme::{ColorDepth, Theme};
use preflight::workspace::Workspace;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

const SAVES: usize = 10;
const HANDOVERS: usize = 3;
const SIZE: (u16, u16) = (100, 30);
const PATIENCE: Duration = Duration::from_secs(60);

const CONFIG: &str = r#"
[[check]]
id = "stream"
run = "sh ../check.sh"
watch = ["src/**"]
"#;

/// The check: stamps its start, then prints 20 stamped lines 50 ms apart, or (when
/// src/mode says flood) 50,000 lines in 500 bursts over a few seconds.
const CHECK: &str = r#"now() { date +%s%N; }
now >> ../starts
case $(cat src/mode) in
  flood*) i=0; while [ $i -lt 500 ]; do seq $((i*100+1)) $((i*100+100)) | sed 's/^/flood line /'; i=$((i+1)); sleep 0.01; done ;;
  *) i=0; while [ $i -lt 20 ]; do echo "line $i $(now)"; i=$((i+1)); sleep 0.05; done ;;
esac
echo "end $(now)"
"#;

fn commit_all(repo: &Path) {
    let git = git2::Repository::open(repo).unwrap();
    let mut index = git.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = git.find_tree(index.write_tree().unwrap()).unwrap();
    let who = git2::Signature::now("bench", "bench@example.com").unwrap();
    git.commit(Some("HEAD"), &who, &who, "bench", &tree, &[])
        .unwrap();
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A terminal that counts what it is sent.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What one frame showed, and when.
#[derive(Debug, Clone)]
struct Shown {
    at: u128,
    running: bool,
    done: bool,
    last: Option<String>,
    me: bool,
    /// Its watcher is ready (a save from now on is seen).
    watching: bool,
    /// Bytes sent to this terminal so far, this frame included.
    bytes: usize,
}

/// A fixed-size screen drawing through crossterm into a counter.
struct Counted {
    terminal: Terminal<CrosstermBackend<Counter>>,
    counter: Counter,
    frames: Arc<Mutex<Vec<Shown>>>,
}

impl Screen for Counted {
    fn size(&self) -> io::Result<(u16, u16)> {
        Ok(SIZE)
    }

    fn draw(&mut self, model: &Model, theme: &Theme) -> io::Result<()> {
        self.terminal
            .draw(|frame| preflight::tui::view::draw(frame, model, theme))?;
        let row = model.check("stream");
        let last = row
            .and_then(|r| r.output.as_ref())
            .and_then(|o: &Output| o.lock().last().map(str::to_owned));
        let shown = Shown {
            at: now_ns(),
            running: row.is_some_and(|r| matches!(r.phase, CheckPhase::Running { .. })),
            done: row.is_some_and(|r| r.phase == CheckPhase::Done),
            last,
            me: model.runner == Runner::Me,
            watching: matches!(model.watching, Watching::On { .. }),
            bytes: self.counter.0.load(Ordering::Relaxed),
        };
        self.frames.lock().unwrap().push(shown);
        Ok(())
    }

    fn suspend(&mut self, run: &mut dyn FnMut()) -> io::Result<()> {
        run();
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.terminal.clear()
    }

    // The bench measures frames: nothing it drives copies or stops.
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }

    fn stop(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One cockpit, its loop on a thread of its own.
struct Seat {
    name: &'static str,
    frames: Arc<Mutex<Vec<Shown>>>,
    stop: UnboundedSender<()>,
    _keys: UnboundedSender<Input>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Seat {
    fn open(name: &'static str, repo: &Path, read_only: bool) -> Seat {
        let frames = Arc::new(Mutex::new(Vec::new()));
        let (stop, stop_rx) = unbounded_channel();
        let (keys, keys_rx) = unbounded_channel();
        let repo = repo.to_path_buf();
        let seen = frames.clone();
        let thread = std::thread::spawn(move || {
            let runtime = preflight::workspace::runtime().unwrap();
            let ws = Workspace::open_quietly(Some(&repo)).unwrap();
            let trusted = ws.is_trusted(false).unwrap();
            let model = initial_model(&ws, KeyMap::default_map().unwrap(), trusted, read_only);
            let theme = Theme::load("dark", ColorDepth::TrueColor).unwrap();
            let counter = Counter::default();
            let terminal = Terminal::with_options(
                CrosstermBackend::new(counter.clone()),
                TerminalOptions {
                    viewport: Viewport::Fixed(Rect::new(0, 0, SIZE.0, SIZE.1)),
                },
            )
            .unwrap();
            let mut screen = Counted {
                terminal,
                counter,
                frames: seen,
            };
            runtime
                .block_on(drive(ws, model, theme, &mut screen, keys_rx, stop_rx))
                .unwrap();
            runtime.shutdown_timeout(Duration::from_secs(1));
        });
        Seat {
            name,
            frames,
            stop,
            _keys: keys,
            thread: Some(thread),
        }
    }

    fn frames(&self) -> Vec<Shown> {
        self.frames.lock().unwrap().clone()
    }

    fn wait(&self, what: &str, test: impl Fn(&Shown) -> bool) -> Shown {
        let start = Instant::now();
        loop {
            if let Some(found) = self.frames().into_iter().find(|f| test(f)) {
                return found;
            }
            assert!(start.elapsed() < PATIENCE, "{}: never {what}", self.name);
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Stop the loop (as `q` or a hang-up does) and wait for it.
    fn quit(mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

struct Bench {
    repo: PathBuf,
    dir: PathBuf,
    saves: usize,
}

impl Bench {
    fn starts(&self) -> Vec<u128> {
        std::fs::read_to_string(self.dir.join("starts"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    /// Save src/mode; returns the start stamp of the run it caused.
    fn save(&mut self, mode: &str) -> u128 {
        let before = self.starts().len();
        self.saves += 1;
        std::fs::write(
            self.repo.join("src/mode"),
            format!("{mode} {}\n", self.saves),
        )
        .unwrap();
        self.next_start(before)
    }

    fn next_start(&self, before: usize) -> u128 {
        let start = Instant::now();
        loop {
            let starts = self.starts();
            if starts.len() > before {
                return starts[before];
            }
            assert!(start.elapsed() < PATIENCE, "the save never ran");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// The stamp at the end of a check line ("line 3 <ns>", "end <ns>").
fn stamp(line: &str) -> Option<u128> {
    line.rsplit(' ').next()?.parse().ok()
}

fn ended_after(frame: &Shown, t0: u128) -> bool {
    frame.done
        && frame
            .last
            .as_deref()
            .is_some_and(|l| l.starts_with("end ") && stamp(l).is_some_and(|s| s > t0))
}

fn ms(ns: u128) -> f64 {
    ns as f64 / 1e6
}

fn summary(name: &str, mut values: Vec<f64>) {
    if values.is_empty() {
        println!("{name:<44} (no samples)");
        return;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    println!(
        "{name:<44} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  ({n} samples)",
        values[n / 2],
        values[(n * 95 / 100).min(n - 1)],
        values[n - 1]
    );
}

#[expect(
    clippy::too_many_lines,
    reason = "a benchmark script: set up, measure, print, read top to bottom"
)]
fn main() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::env::set_var("HOME", &home);
    std::env::set_var("XDG_DATA_HOME", home.join("data"));
    std::env::set_var("XDG_STATE_HOME", home.join("state"));
    std::env::set_var("XDG_CONFIG_HOME", home.join("config"));
    std::env::remove_var("PREFLIGHT_TRUST");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    git2::Repository::init(&repo).unwrap();
    std::fs::write(repo.join("preflight.toml"), CONFIG).unwrap();
    std::fs::write(repo.join("src/mode"), "paced 0\n").unwrap();
    std::fs::write(dir.path().join("check.sh"), CHECK).unwrap();
    // Committed, as in a real repository: a save to a file git tracks is the user's
    // even when it lands just as a run ends (an untracked file changed while a check
    // runs is taken for the check's own output, see watch::attribution).
    commit_all(&repo);
    let ws = Workspace::open_quietly(Some(&repo)).unwrap();
    preflight::trust::grant(&ws.repo, &ws.config).unwrap();
    let mut bench = Bench {
        repo: repo.clone(),
        dir: dir.path().to_path_buf(),
        saves: 0,
    };

    let runner = Seat::open("runner", &repo, false);
    let first = bench.next_start(0);
    runner.wait("its startup run done", |f| {
        f.me && f.watching && ended_after(f, first)
    });
    let follower = Seat::open("follower", &repo, false);
    let viewer = Seat::open("read-only", &repo, true);
    follower.wait("following", |f| !f.me && f.watching);
    viewer.wait("following", |f| !f.me && f.last.is_some());
    let seats = [&runner, &follower, &viewer];

    // Paced saves: who sees a start, and each line, how soon.
    let mut start_seen: Vec<Vec<f64>> = vec![Vec::new(); 3];
    let mut line_seen: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for _ in 0..SAVES {
        let saved = now_ns();
        let t0 = bench.save("paced");
        let mut runner_saw = 0;
        for (i, seat) in seats.iter().enumerate() {
            let end = seat.wait("the run's end", |f| ended_after(f, t0));
            let frames: Vec<Shown> = seat
                .frames()
                .into_iter()
                .filter(|f| f.at >= saved && f.at <= end.at)
                .collect();
            // When the runner showed it running (it may be before the check's own
            // first instruction); followers are measured from that frame.
            if let Some(first) = frames.iter().find(|f| f.running) {
                if i == 0 {
                    runner_saw = first.at;
                    start_seen[i].push(first.at as f64 / 1e6 - t0 as f64 / 1e6);
                } else {
                    start_seen[i].push(first.at as f64 / 1e6 - runner_saw as f64 / 1e6);
                }
            }
            let mut last_seen = None;
            for frame in &frames {
                let Some(line) = frame.last.as_deref().filter(|l| l.starts_with("line ")) else {
                    continue;
                };
                if last_seen == Some(line) {
                    continue;
                }
                last_seen = Some(line);
                if let Some(written) = stamp(line) {
                    line_seen[i].push(ms(frame.at.saturating_sub(written)));
                }
            }
        }
    }
    let runs = bench.starts().len();

    // A flood: 50,000 lines in 500 bursts.
    let t0 = bench.save("flood");
    let mut rates = Vec::new();
    let mut streamed = 0u128;
    for seat in &seats {
        let end = seat.wait("the flood's end", |f| ended_after(f, t0));
        let written = stamp(end.last.as_deref().unwrap()).unwrap();
        streamed = written - t0;
        let frames = seat.frames();
        let before = frames
            .iter()
            .rev()
            .find(|f| f.at < t0)
            .map_or(0, |f| f.bytes);
        rates.push((end.bytes - before) as f64 / (streamed as f64 / 1e9));
    }

    println!(
        "pairing: a runner and two followers (one read-only), {}x{}, {SAVES} saves of a check printing 20 lines 50 ms apart",
        SIZE.0, SIZE.1
    );
    println!(
        "runs per save                                {:.2} ({} runs for {} saves after the startup run)",
        (runs - 1) as f64 / SAVES as f64,
        runs - 1,
        SAVES
    );
    summary(
        "runner: shows running (from the check's start)",
        start_seen[0].clone(),
    );
    for (i, seat) in seats.iter().enumerate().skip(1) {
        summary(
            &format!("{}: sees the run start after the runner", seat.name),
            start_seen[i].clone(),
        );
    }
    for (i, seat) in seats.iter().enumerate() {
        summary(
            &format!("{}: sees a streamed line", seat.name),
            line_seen[i].clone(),
        );
    }
    println!(
        "flood of 50,000 lines over {:.1} s: bytes/s to the terminal: runner {:.0}, follower {:.0}, read-only {:.0}",
        streamed as f64 / 1e9,
        rates[0],
        rates[1],
        rates[2]
    );

    // Hand-over after a quit: the runner's loop stops, a save at once.
    drop(viewer);
    let mut after_quit = Vec::new();
    let mut quitting = runner;
    let mut next = follower;
    for round in 0..HANDOVERS {
        let before = bench.starts().len();
        let stopped = now_ns();
        quitting.quit();
        std::fs::write(repo.join("src/mode"), format!("paced quit {round}\n")).unwrap();
        let started = bench.next_start(before);
        after_quit.push(ms(started - stopped));
        next.wait("runner", |f| f.me);
        let t0 = started;
        next.wait("the run's end", |f| ended_after(f, t0));
        quitting = next;
        next = Seat::open("follower", &repo, false);
        next.wait("following", |f| !f.me && f.watching);
    }
    summary("runner quit → the next save starts", after_quit);
    let recorded = std::fs::read_to_string(repo.join(".git/preflight/runs.jsonl"))
        .unwrap_or_default()
        .lines()
        .count();
    println!("runs recorded in the history: {recorded}");
    next.quit();
    quitting.quit();

    // Hand-over after kill -9 of a real cockpit (tmux).
    let mut after_kill = Vec::new();
    if Command::new("tmux").arg("-V").output().is_ok() {
        let socket = format!("pf-bench-{}", std::process::id());
        for round in 0..HANDOVERS {
            let command = format!(
                "TERM=xterm-256color {} --repo {}",
                env!("CARGO_BIN_EXE_preflight"),
                repo.display()
            );
            Command::new("tmux")
                .args([
                    "-L",
                    &socket,
                    "-f",
                    "/dev/null",
                    "new-session",
                    "-d",
                    "-x",
                    "100",
                    "-y",
                    "30",
                    &command,
                ])
                .status()
                .unwrap();
            let lock = repo.join(".git/preflight/runner.lock");
            let start = Instant::now();
            let pid: u32 = loop {
                let text = std::fs::read_to_string(&lock).unwrap_or_default();
                let pid = text.split_whitespace().nth(1).and_then(|p| p.parse().ok());
                if let Some(pid) = pid.filter(|p| *p != std::process::id()) {
                    if preflight::pairing::lock::is_held(&repo.join(".git/preflight")) {
                        break pid;
                    }
                }
                assert!(
                    start.elapsed() < PATIENCE,
                    "the tmux cockpit never ran the checks"
                );
                std::thread::sleep(Duration::from_millis(5));
            };
            let follower = Seat::open("follower", &repo, false);
            follower.wait("following", |f| !f.me && f.watching);
            let before = bench.starts().len();
            let killed = now_ns();
            Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            std::fs::write(repo.join("src/mode"), format!("paced kill {round}\n")).unwrap();
            let started = bench.next_start(before);
            after_kill.push(ms(started - killed));
            follower.wait("the run's end", |f| f.me && ended_after(f, started));
            follower.quit();
            let _ = Command::new("tmux")
                .args(["-L", &socket, "kill-server"])
                .stderr(std::process::Stdio::null())
                .status();
        }
        summary("runner killed (kill -9) → the next save starts", after_kill);
    } else {
        println!("runner killed: skipped (no tmux)");
    }
}
