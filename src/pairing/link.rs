//! The link between one process and the others on its repository: a thread that
//! writes what this process announces (board entries, requests) and reports what the
//! others do ([`Seen`]), so the event loop never touches these files itself.
//!
//! It watches local state with notify (the board, the requests, the lock file) and
//! falls back to reading it every [`FALLBACK_POLL`] when the OS watcher is not there.
//! A follower's thread also follows the log of each run it shows ([`LogTail`]),
//! polled every [`TAIL_POLL`] while a run streams (a log changes too often for an
//! event per write to be cheaper), and reads a finished run's log to its end before
//! it reports the run done.

use super::board::{Board, Entry, Phase};
use super::lock::{self, Holder};
use super::request::{Request, Requests};
use crate::domain::check::{CheckSpec, Format};
use crate::domain::finding::Severity;
use crate::runner::tail::LogTail;
use crate::runner::Output;
use crate::sharing::Sharing;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// How often a streaming run's log is read.
pub const TAIL_POLL: Duration = Duration::from_millis(50);
/// How often the runner is looked for when no lock event said it changed (a runner
/// that died while starting, a file system without events).
const PROBE: Duration = Duration::from_secs(1);
/// How often local state is read again when the OS watcher is not available.
pub const FALLBACK_POLL: Duration = Duration::from_millis(250);
/// How long a process leaving waits for its link to write what it announced last.
const FLUSH_PATIENCE: Duration = Duration::from_secs(2);

/// What the others did, as the link saw it.
#[derive(Debug)]
pub enum Seen {
    /// A check's board entry changed. `output` is a fresh ring for a run not shown
    /// before: the run's log is followed into it.
    Entry {
        entry: Box<Entry>,
        output: Option<Output>,
    },
    /// Who runs the checks now (`None`: nobody).
    Runner(Option<Holder>),
    /// Re-run requests, for the runner.
    Requests(Vec<Request>),
}

/// What this process is to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Runs the checks: announces them and serves requests.
    Runner,
    /// Follows the runner; `tails`: follows the runs' logs too.
    Follower { tails: bool },
}

/// Where the link works.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub state_dir: PathBuf,
    pub root: PathBuf,
    pub sharing: Sharing,
    /// Lines kept of a followed run's output.
    pub capacity: usize,
    /// The checks, for reading their output as the runner does (stream parsers).
    pub checks: Vec<CheckSpec>,
}

enum In {
    Fs(notify::Result<notify::Event>),
    Publish(Box<Entry>),
    Request(Request),
    Mode(Mode),
    Checks(Vec<CheckSpec>),
    Stop,
}

/// The link's thread; dropping this stops it, once it wrote what was announced.
pub struct Link {
    tx: mpsc::Sender<In>,
    /// Disconnected when the thread ends.
    ended: mpsc::Receiver<()>,
}

/// A handle that announces runs through the link (for work done off the loop, such
/// as a finished run announced once it is filed).
#[derive(Clone)]
pub struct Publisher {
    tx: mpsc::Sender<In>,
}

impl Publisher {
    pub fn publish(&self, entry: Entry) {
        let _ = self.tx.send(In::Publish(Box::new(entry)));
    }
}

impl Link {
    pub fn spawn(options: LinkOptions, mode: Mode, out: UnboundedSender<Seen>) -> Link {
        let (tx, rx) = mpsc::channel();
        let (ending, ended) = mpsc::channel::<()>();
        let fs = tx.clone();
        std::thread::Builder::new()
            .name("pairing".into())
            .spawn(move || {
                let _ending = ending;
                run(options, mode, out, &fs, &rx);
            })
            .map(|_| ())
            .unwrap_or_else(|e| eprintln!("preflight: cannot start the pairing thread: {e}"));
        Link { tx, ended }
    }

    /// Announce a check's run on the board.
    pub fn publish(&self, entry: Entry) {
        let _ = self.tx.send(In::Publish(Box::new(entry)));
    }

    pub fn publisher(&self) -> Publisher {
        Publisher {
            tx: self.tx.clone(),
        }
    }

    /// Ask the runner to run a check again.
    pub fn request(&self, request: Request) {
        let _ = self.tx.send(In::Request(request));
    }

    pub fn set_mode(&self, mode: Mode) {
        let _ = self.tx.send(In::Mode(mode));
    }

    /// The configuration changed: these are the checks now.
    pub fn set_checks(&self, checks: Vec<CheckSpec>) {
        let _ = self.tx.send(In::Checks(checks));
    }
}

impl Drop for Link {
    /// The last announcements (a run done just before the process leaves) are on the
    /// board before this returns, and so before the runner lock is let go: else the
    /// process could exit with them still queued, and whoever takes over would run
    /// that run again as interrupted. Bounded: a hung file system costs at most
    /// [`FLUSH_PATIENCE`].
    fn drop(&mut self) {
        let _ = self.tx.send(In::Stop);
        let _ = self.ended.recv_timeout(FLUSH_PATIENCE);
    }
}

/// A run whose log is followed.
struct Followed {
    seq: u64,
    tail: LogTail,
    /// Running: its log is this run's (a queued run's log is still the last one's).
    started: bool,
}

struct State {
    options: LinkOptions,
    mode: Mode,
    board: Board,
    requests: Requests,
    out: UnboundedSender<Seen>,
    /// The last entry reported per check: (seq, phase).
    known: HashMap<String, (u64, Phase)>,
    tails: BTreeMap<String, Followed>,
    runner: Option<Holder>,
    checks: HashMap<String, CheckSpec>,
}

fn run(
    options: LinkOptions,
    mode: Mode,
    out: UnboundedSender<Seen>,
    fs: &mpsc::Sender<In>,
    rx: &mpsc::Receiver<In>,
) {
    let board = Board::new(&options.state_dir, options.sharing);
    let requests = Requests::new(&options.state_dir, options.sharing);
    // Followers without write access to local state still follow what exists.
    let _ = options.sharing.create_dir_all(board.dir());
    let _ = options.sharing.create_dir_all(requests.dir());
    let watcher = watch(&options.state_dir, &board, &requests, fs.clone());
    let mut state = State {
        checks: by_id(&options.checks),
        options,
        mode,
        board,
        requests,
        out,
        known: HashMap::new(),
        tails: BTreeMap::new(),
        runner: None,
    };
    state.start();
    let every = if watcher.is_some() {
        PROBE
    } else {
        FALLBACK_POLL
    };
    let mut next_look = Instant::now() + every;
    let mut next_tail = Instant::now() + TAIL_POLL;
    loop {
        let now = Instant::now();
        let deadline = if state.streaming() {
            next_look.min(next_tail)
        } else {
            next_look
        };
        match rx.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(In::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
            Ok(In::Fs(Ok(event))) => state.on_fs(&event),
            Ok(In::Fs(Err(_))) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Ok(In::Publish(entry)) => state.publish(&entry),
            Ok(In::Request(request)) => {
                let _ = state.requests.write(&request);
            }
            Ok(In::Mode(mode)) => state.switch(mode),
            Ok(In::Checks(checks)) => state.checks = by_id(&checks),
        }
        let now = Instant::now();
        if now >= next_tail {
            state.poll_tails();
            next_tail = now + TAIL_POLL;
        }
        if now >= next_look {
            state.look(watcher.is_none());
            next_look = now + every;
        }
        if state.out.is_closed() {
            return;
        }
    }
}

fn by_id(checks: &[CheckSpec]) -> HashMap<String, CheckSpec> {
    checks.iter().map(|c| (c.id.clone(), c.clone())).collect()
}

/// Watch local state (for the lock file), the board and the requests; `None` when
/// the OS watcher is not available (the link then reads them on a timer).
fn watch(
    state_dir: &Path,
    board: &Board,
    requests: &Requests,
    tx: mpsc::Sender<In>,
) -> Option<RecommendedWatcher> {
    let mut watcher = RecommendedWatcher::new(
        move |event| {
            let _ = tx.send(In::Fs(event));
        },
        notify::Config::default(),
    )
    .ok()?;
    for dir in [state_dir, board.dir(), requests.dir()] {
        watcher.watch(dir, RecursiveMode::NonRecursive).ok()?;
    }
    Some(watcher)
}

impl State {
    fn start(&mut self) {
        match self.mode {
            Mode::Runner => self.serve_requests(),
            Mode::Follower { .. } => {
                self.rescan();
                self.probe();
            }
        }
    }

    fn streaming(&self) -> bool {
        self.tails.values().any(|f| f.started)
    }

    fn on_fs(&mut self, event: &notify::Event) {
        // Opening a file (a probe, a reader) says nothing; a write closing does.
        if matches!(
            event.kind,
            EventKind::Access(AccessKind::Open(_) | AccessKind::Close(AccessMode::Read))
        ) {
            return;
        }
        let lock_file = lock::lock_path(&self.options.state_dir);
        for path in &event.paths {
            let folder = path.parent();
            if folder == Some(self.board.dir()) {
                if let (Mode::Follower { .. }, Some(check)) = (self.mode, Board::check_of(path)) {
                    if let Some(entry) = self.board.read(&check) {
                        self.take(entry);
                    }
                }
            } else if folder == Some(self.requests.dir()) {
                if self.mode == Mode::Runner {
                    self.serve_requests();
                }
            } else if *path == lock_file && self.mode != Mode::Runner {
                self.probe();
            }
        }
    }

    /// The periodic look: who runs, and (without OS events) what changed.
    fn look(&mut self, no_events: bool) {
        match self.mode {
            Mode::Runner if no_events => self.serve_requests(),
            Mode::Runner => {}
            Mode::Follower { .. } => {
                self.probe();
                if no_events {
                    self.rescan();
                }
            }
        }
    }

    fn probe(&mut self) {
        let now = lock::runner(&self.options.state_dir);
        // A runner not named yet (between taking the lock and writing its name) does
        // not replace the one known: its name follows at once.
        let nameless = now.as_ref().is_some_and(|h| h.pid == 0);
        if nameless && self.runner.is_some() {
            return;
        }
        if now != self.runner {
            self.runner = now.clone();
            let _ = self.out.send(Seen::Runner(now));
        }
    }

    fn rescan(&mut self) {
        let mut entries: Vec<Entry> = self.board.read_all().into_values().collect();
        entries.sort_by(|a, b| a.check.cmp(&b.check));
        for entry in entries {
            self.take(entry);
        }
    }

    fn serve_requests(&mut self) {
        let taken = self.requests.take();
        if !taken.is_empty() {
            let _ = self.out.send(Seen::Requests(taken));
        }
    }

    fn publish(&mut self, entry: &Entry) {
        self.known
            .insert(entry.check.clone(), (entry.seq, entry.phase));
        let _ = self.board.write(entry);
    }

    fn switch(&mut self, mode: Mode) {
        if mode == self.mode {
            return;
        }
        self.mode = mode;
        // Taking over: the runs followed are over (the last runner is gone); their
        // logs are read to their end into the rings the view shows.
        for followed in self.tails.values_mut() {
            followed.tail.finish();
        }
        self.tails.clear();
        self.known.clear();
        self.start();
    }

    /// Report an entry not seen in this state before; follow its run's log.
    fn take(&mut self, entry: Entry) {
        let check = entry.check.clone();
        let key = (entry.seq, entry.phase);
        let before = self.known.insert(check.clone(), key);
        if before == Some(key) {
            return;
        }
        let new_run = before.map(|(seq, _)| seq) != Some(entry.seq);
        // A run already done when this process starts is read from its log too: the
        // log read at start can be a flush behind the runner's screen (it is complete
        // once the run is announced done).
        let follows = matches!(self.mode, Mode::Follower { tails: true });
        let mut output = None;
        if follows && new_run {
            let ring = Output::new(self.options.capacity);
            let spec = self.spec(&check);
            let log = self
                .options
                .state_dir
                .join("logs")
                .join(format!("{check}.log"));
            let tail = LogTail::new(log, &spec, &self.options.root, ring.clone());
            self.tails.insert(
                check.clone(),
                Followed {
                    seq: entry.seq,
                    tail,
                    started: false,
                },
            );
            output = Some(ring);
        }
        if let Some(followed) = self.tails.get_mut(&check).filter(|f| f.seq == entry.seq) {
            match entry.phase {
                Phase::Queued => {}
                Phase::Running => {
                    followed.started = true;
                    followed.tail.poll();
                }
                Phase::Done => {
                    followed.tail.finish();
                    self.tails.remove(&check);
                }
            }
        }
        let _ = self.out.send(Seen::Entry {
            entry: Box::new(entry),
            output,
        });
    }

    fn poll_tails(&mut self) {
        for followed in self.tails.values_mut().filter(|f| f.started) {
            followed.tail.poll();
        }
        self.tails.retain(|_, f| !f.tail.ended());
    }

    /// The check's spec, or a plain one for a check this configuration does not
    /// know (the runner's may be newer).
    fn spec(&self, check: &str) -> CheckSpec {
        self.checks
            .get(check)
            .cloned()
            .unwrap_or_else(|| CheckSpec {
                id: check.to_string(),
                name: check.to_string(),
                run: String::new(),
                watch: Vec::new(),
                format: Format::ExitCode,
                report: None,
                timeout: None,
                cwd: None,
                env: Default::default(),
                severity: Severity::Medium,
                severity_map: Default::default(),
                metric: None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pairing::board::now_ms;

    #[test]
    fn what_was_announced_is_on_the_board_once_the_link_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let options = LinkOptions {
            state_dir: dir.path().to_path_buf(),
            root: dir.path().to_path_buf(),
            sharing: Sharing::Umask,
            capacity: 10,
            checks: Vec::new(),
        };
        let (out, _seen) = tokio::sync::mpsc::unbounded_channel();
        let link = Link::spawn(options, Mode::Runner, out);
        for n in 0..100 {
            link.publish(Entry {
                check: format!("check-{n}"),
                seq: 1,
                phase: Phase::Done,
                trigger: "save".into(),
                runner: "ana@box (1)".into(),
                queued_ms: now_ms(),
                started_ms: None,
                result: None,
            });
        }
        drop(link);
        let board = Board::new(dir.path(), Sharing::Umask).read_all();
        assert_eq!(board.len(), 100);
        assert!(board.values().all(|e| e.phase == Phase::Done));
    }
}
