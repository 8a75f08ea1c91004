//! The watcher thread: notify events in, [`WatchEvent`]s out.
//!
//! Only folders that are not ignored are watched, each on its own (non-recursively):
//! `target/` or `node_modules/` are never walked, and a new folder is picked up when
//! it appears. `.git/` itself is watched only for `index.lock`, which tells that a git
//! operation is under way. A folder that cannot be watched (the inotify limit, no
//! permission) is polled instead, and the user is told once, with the fix.

use super::attribution::{tracked_in_git, Attribution, Covered};
use super::debounce::{is_editor_scratch, Debouncer};
use super::ignore::IgnoreRules;
use crate::runner::windows::RunWindows;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use notify::event::{EventKind, ModifyKind};
use notify::{Config, Event, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How often folders that could not be watched are polled.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The source changes of one burst. Paths are relative to the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Every path that changed.
    pub paths: Vec<PathBuf>,
    /// Paths that changed only while checks ran (see `watch::attribution`).
    pub during_runs: BTreeMap<PathBuf, RunChange>,
}

/// A change made while checks ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunChange {
    /// The checks whose runs went on at every event of it.
    pub checks: BTreeSet<String>,
    /// How far into the (latest of those) runs it was made.
    pub into_run: Duration,
    /// Their output, not the user's edit (git does not track the file): it re-runs any
    /// check but those.
    pub own: bool,
}

/// What the watcher reports, after debouncing. Paths are relative to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// Source changes: the paths that changed in one burst.
    Changed(Changes),
    /// `preflight.toml` changed.
    Config,
    /// Files of the register changed (another cockpit, a script, a git pull).
    Register(Vec<PathBuf>),
    /// Markdown plan files changed.
    Plans(Vec<PathBuf>),
    /// Something to tell the user once.
    Warning(String),
    /// Every folder is watched: changes from now on are seen. Carries the count.
    Ready(usize),
    /// The OS dropped events (its queue overflowed): anything may have changed.
    Overflow,
    /// The repository was moved or deleted: watching stops (the last event sent).
    Gone(PathBuf),
}

/// What to watch and what it means.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub root: PathBuf,
    pub git_dir: Option<PathBuf>,
    /// preflight's local state: its own writes trigger nothing.
    pub state_dir: PathBuf,
    /// `[watch] ignore` globs.
    pub ignore: Vec<String>,
    /// `[project] plans` globs.
    pub plans: Vec<String>,
    /// `[watch] debounce`; `None` for the adaptive window.
    pub debounce: Option<Duration>,
    /// The runner's run windows: what changes while a check runs may be its own doing
    /// (see `watch::attribution`). `None`: every change is the user's.
    pub runs: Option<RunWindows>,
}

/// Keeps the watcher thread alive; dropping it stops watching.
pub struct WatchHandle {
    _stop: mpsc::Sender<()>,
}

/// Start watching. Events arrive on the returned receiver.
pub fn spawn(options: WatchOptions) -> (WatchHandle, UnboundedReceiver<WatchEvent>) {
    let (out, events) = unbounded_channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    // Said through the channel like every other warning: the cockpit may own the
    // terminal, and nothing may print over it.
    let failed = out.clone();
    if let Err(e) = std::thread::Builder::new()
        .name("preflight-watch".into())
        .spawn(move || run(options, out, stop_rx))
    {
        let _ = failed.send(WatchEvent::Warning(format!(
            "cannot start the watcher thread: {e}"
        )));
    }
    (WatchHandle { _stop: stop_tx }, events)
}

/// A notify event, stamped when the OS handed it over (before it waits in a queue).
enum Raw {
    Event(notify::Result<Event>, Instant),
}

struct State {
    options: WatchOptions,
    rules: IgnoreRules,
    plans: GlobSet,
    watcher: Option<RecommendedWatcher>,
    poller: Option<PollWatcher>,
    raw_tx: mpsc::Sender<Raw>,
    out: UnboundedSender<WatchEvent>,
    watched: HashSet<PathBuf>,
    warned_limit: bool,
    /// Events were lost in the current burst.
    overflowed: bool,
    /// Which changes of the current burst the checks' runs made.
    attribution: Attribution,
    /// The root's device and inode when watching began: the same path naming another
    /// folder (or none) means the repository is gone.
    identity: Option<(u64, u64)>,
}

/// Device and inode of a folder, if it exists.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn run(options: WatchOptions, out: UnboundedSender<WatchEvent>, stop: mpsc::Receiver<()>) {
    let (raw_tx, raw_rx) = mpsc::channel::<Raw>();
    let tx = raw_tx.clone();
    let watcher = RecommendedWatcher::new(
        move |event| {
            let _ = tx.send(Raw::Event(event, Instant::now()));
        },
        Config::default(),
    );
    let mut state = State {
        rules: IgnoreRules::new(&options.root, options.git_dir.as_deref(), &options.ignore),
        plans: globs(&options.plans),
        watcher: None,
        poller: None,
        raw_tx,
        out,
        watched: HashSet::new(),
        warned_limit: false,
        overflowed: false,
        attribution: Attribution::default(),
        identity: identity(&options.root),
        options,
    };
    match watcher {
        Ok(w) => state.watcher = Some(w),
        Err(e) => state.warn(format!(
            "cannot use the OS file watcher ({e}); polling every {}s instead",
            POLL_INTERVAL.as_secs()
        )),
    }
    // The runs' end markers first: from here on each one is seen, in order.
    state.watch_marks();
    let root = state.options.root.clone();
    state.watch_tree(&root);
    if let Some(git_dir) = state.options.git_dir.clone() {
        state.watch_folder(&git_dir);
    }
    let _ = state.out.send(WatchEvent::Ready(state.watched.len()));
    let mut debouncer = Debouncer::new(state.options.debounce);
    loop {
        if stop.try_recv() != Err(mpsc::TryRecvError::Empty) {
            return;
        }
        let wait = debouncer
            .deadline()
            .map_or(Duration::from_millis(250), |d| {
                d.saturating_duration_since(Instant::now())
            });
        match raw_rx.recv_timeout(wait) {
            Ok(Raw::Event(Ok(event), at)) => state.take(event, at, &mut debouncer),
            Ok(Raw::Event(Err(e), _)) => state.warn(format!("watch error: {e}")),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        if let Some(paths) = debouncer.poll(Instant::now()) {
            if !state.flush(paths) {
                return;
            }
        }
    }
}

fn globs(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = GlobBuilder::new(p).literal_separator(true).build() {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Whether a watch error means the OS limit on watches is reached.
fn is_limit(error: &notify::Error) -> bool {
    matches!(error.kind, notify::ErrorKind::MaxFilesWatch)
        || error.to_string().contains("No space left on device")
}

impl State {
    fn warn(&self, message: String) {
        let _ = self.out.send(WatchEvent::Warning(message));
    }

    /// Watch `top` and every folder below it that is not ignored. The walk prunes
    /// ignored folders itself, so their contents are never read (`watch::tree`).
    fn watch_tree(&mut self, top: &Path) {
        if let Some(why) = crate::fsutil::unsafe_ignore_file(top) {
            self.warn(why);
            return;
        }
        let state = self.options.state_dir.clone();
        let root = self.options.root.clone();
        let extra = globs(&self.options.ignore);
        let (folders, errors) = super::tree::folders(top, &mut self.rules, |path| {
            path.starts_with(&state)
                || path
                    .strip_prefix(&root)
                    .is_ok_and(|rel| extra.is_match(rel))
        });
        for error in errors {
            self.warn(format!(
                "cannot read a folder, changes there are missed: {error}"
            ));
        }
        for folder in folders {
            self.watch_folder(&folder);
        }
    }

    /// A walk that honours the same ignore files as [`IgnoreRules`] and skips `.git`,
    /// preflight's state and `[watch] ignore` globs.
    fn walker(&self, top: &Path) -> ignore::Walk {
        let root = self.options.root.clone();
        let state = self.options.state_dir.clone();
        let extra = globs(&self.options.ignore);
        ignore::WalkBuilder::new(top)
            .hidden(false)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                let path = entry.path();
                entry.file_name() != ".git"
                    && !path.starts_with(&state)
                    && !path
                        .strip_prefix(&root)
                        .is_ok_and(|rel| extra.is_match(rel))
                    // The walk would read a FIFO or device named `.gitignore` in it and
                    // hang or flood: such a folder is not watched.
                    && (!entry.file_type().is_some_and(|t| t.is_dir())
                        || crate::fsutil::unsafe_ignore_file(path).is_none())
            })
            .build()
    }

    fn watch_folder(&mut self, folder: &Path) {
        if !self.watched.insert(folder.to_path_buf()) {
            return;
        }
        let result = match self.watcher.as_mut() {
            Some(w) => w.watch(folder, RecursiveMode::NonRecursive),
            None => Err(notify::Error::generic("no OS watcher")),
        };
        if let Err(error) = result {
            if is_limit(&error) && !self.warned_limit {
                self.warned_limit = true;
                self.warn(format!(
                    "the OS limit on watched folders is reached; polling the rest every {}s. Raise it with: sudo sysctl fs.inotify.max_user_watches=524288",
                    POLL_INTERVAL.as_secs()
                ));
            } else if !is_limit(&error) && self.watcher.is_some() {
                self.warn(format!(
                    "cannot watch {} ({error}); polling it every {}s",
                    folder.display(),
                    POLL_INTERVAL.as_secs()
                ));
            }
            self.poll_folder(folder);
        }
    }

    fn poll_folder(&mut self, folder: &Path) {
        if self.poller.is_none() {
            let tx = self.raw_tx.clone();
            let config = Config::default().with_poll_interval(POLL_INTERVAL);
            match PollWatcher::new(
                move |e| {
                    let _ = tx.send(Raw::Event(e, Instant::now()));
                },
                config,
            ) {
                Ok(p) => self.poller = Some(p),
                Err(e) => {
                    self.warn(format!(
                        "cannot poll {} either ({e}): changes there are missed",
                        folder.display()
                    ));
                    return;
                }
            }
        }
        if let Some(poller) = self.poller.as_mut() {
            let _ = poller.watch(folder, RecursiveMode::NonRecursive);
        }
    }

    /// Watch the folder of the runs' end markers (see `runner::windows`), emptied of
    /// markers left by an earlier session.
    fn watch_marks(&mut self) {
        let Some(dir) = self
            .options
            .runs
            .as_ref()
            .and_then(|r| r.marks_dir().map(Path::to_path_buf))
        else {
            return;
        };
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        if let Some(watcher) = self.watcher.as_mut() {
            // Without it, windows close by time (runner::windows::MARK_GRACE).
            let _ = watcher.watch(&dir, RecursiveMode::NonRecursive);
        }
        if let Some(runs) = &self.options.runs {
            self.attribution.close(runs.ended_before_watching());
        }
    }

    /// The run windows now, for attributing the events being read.
    fn windows(&self) -> Vec<crate::runner::windows::Window> {
        self.options
            .runs
            .as_ref()
            .map_or_else(Vec::new, RunWindows::snapshot)
    }

    /// An event of the marks folder: a run's end marker, read and removed.
    fn take_marker(&mut self, path: &Path) -> bool {
        let marks = self.options.runs.as_ref().and_then(|r| r.marks_dir());
        if marks.is_none() || path.parent() != marks {
            return false;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.exists() && self.attribution.marker(name) {
            let _ = std::fs::remove_file(path);
        }
        true
    }

    /// Sort one notify event, stamped `at`, into the burst.
    fn take(&mut self, event: Event, at: Instant, debouncer: &mut Debouncer) {
        if event.need_rescan() {
            let windows = self.windows();
            if !self.attribution.running_at(&windows, at).is_empty() {
                // A check flooding the tree while it runs (a build) must not re-run
                // every check, forever.
                self.warn("the OS dropped file events while a check ran (its own writes, most likely): no check re-runs for them; if you edited files meanwhile, re-run with R".into());
                return;
            }
            self.overflowed = true;
            debouncer.touch(Instant::now());
            debouncer.add(Instant::now(), [self.options.root.clone()]);
            return;
        }
        if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
            return;
        }
        let now = Instant::now();
        let windows = self.windows();
        for path in event.paths {
            if self.take_marker(&path) {
                continue;
            }
            if let Some(git_dir) = &self.options.git_dir {
                if path.starts_with(git_dir) {
                    if path == git_dir.join("index.lock") {
                        debouncer.set_git_busy(path.exists(), now);
                    }
                    continue;
                }
            }
            if path.starts_with(&self.options.state_dir) {
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if is_editor_scratch(&name) {
                continue;
            }
            let is_dir = path.is_dir();
            if self.rules.is_ignored(&path, is_dir) {
                continue;
            }
            if is_dir
                && matches!(
                    event.kind,
                    EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
                )
            {
                // A new folder: watch it, and count what was put in it before that.
                self.watch_tree(&path);
                let files: Vec<PathBuf> = self
                    .walker(&path)
                    .flatten()
                    .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                    .map(|e| e.into_path())
                    .collect();
                for file in &files {
                    self.attribution.saw(&windows, file, at);
                }
                debouncer.add(now, files);
                continue;
            }
            if name == ".gitignore" || name == ".ignore" {
                if let Some(folder) = path.parent() {
                    self.rules.reload_folder(folder);
                }
            }
            self.attribution.saw(&windows, &path, at);
            debouncer.add(now, [path]);
        }
    }

    /// The paths of a finished burst made while checks ran, and whether each is their
    /// output (a file git does not track) or the user's edit.
    fn during_runs(&mut self) -> HashMap<PathBuf, RunChange> {
        let covered: HashMap<PathBuf, Covered> = self.attribution.finish_burst(&self.windows());
        let tracked = tracked_in_git(
            &self.options.root,
            self.options.git_dir.as_deref(),
            covered.keys(),
        );
        covered
            .into_iter()
            .map(|(path, c)| {
                let change = RunChange {
                    checks: c.checks,
                    into_run: c.at.saturating_duration_since(c.started),
                    own: !tracked.contains(&path),
                };
                (path, change)
            })
            .collect()
    }

    /// Report a finished burst. Returns false when nobody listens any more, or the
    /// repository is gone (moved or deleted: nothing is left to watch, and running its
    /// checks would run them in a ghost folder).
    fn flush(&mut self, paths: Vec<PathBuf>) -> bool {
        let mut during = self.during_runs();
        let mut during_runs = BTreeMap::new();
        let root = self.options.root.clone();
        if identity(&root) != self.identity {
            let _ = self.out.send(WatchEvent::Gone(root));
            return false;
        }
        let register = root.join(crate::store::REGISTER_DIR);
        let config = root.join(crate::config::FILE_NAME);
        let (mut changed, mut issues, mut plans, mut config_changed) =
            (Vec::new(), Vec::new(), Vec::new(), false);
        for path in paths {
            let rel = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            if path == config {
                config_changed = true;
            } else if path.starts_with(&register) {
                issues.push(rel);
            } else if self.plans.is_match(&rel) {
                plans.push(rel);
            } else {
                if let Some(change) = during.remove(&path) {
                    during_runs.insert(rel.clone(), change);
                }
                changed.push(rel);
            }
        }
        let mut events = Vec::new();
        if std::mem::take(&mut self.overflowed) {
            changed.retain(|p| !p.as_os_str().is_empty());
            events.push(WatchEvent::Overflow);
        }
        if config_changed {
            events.push(WatchEvent::Config);
        }
        if !issues.is_empty() {
            events.push(WatchEvent::Register(issues));
        }
        if !plans.is_empty() {
            events.push(WatchEvent::Plans(plans));
        }
        if !changed.is_empty() {
            events.push(WatchEvent::Changed(Changes {
                paths: changed,
                during_runs,
            }));
        }
        events.into_iter().all(|e| self.out.send(e).is_ok())
    }
}
