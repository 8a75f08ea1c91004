//! When each check ran, so the watcher can tell a check's own writes from the user's.
//!
//! A `make test` that writes its binaries into the tree would otherwise re-run itself
//! forever: its writes look like edits. The runner records each run's window here (from
//! just before its process starts to just after its whole group is gone); the watcher
//! attributes a change it saw inside a window to the runs, unless the user made it
//! (see `watch::engine`).
//!
//! The end of a window is also written into the event stream itself: once the group
//! is gone, an empty marker file is created in [`RunWindows::marks_dir`], which the
//! watcher watches. The OS queues file events in order, so every event of the run comes
//! before its marker's, however late the watcher thread gets to them on a loaded
//! machine. A marker that never shows (it could not be written, the OS dropped events)
//! closes its window after [`MARK_GRACE`] anyway; without markers windows close
//! [`TIME_GRACE`] after the run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long an ended window whose marker was written stays open at most, should the
/// marker's event never arrive.
pub const MARK_GRACE: Duration = Duration::from_secs(2);
/// How long an ended window stays open when its marker could not be written: events
/// the watcher thread had not read yet when the run ended.
pub const TIME_GRACE: Duration = Duration::from_millis(150);
/// Ended windows older than this are forgotten (each check's latest is kept).
const KEEP: Duration = Duration::from_secs(30);

/// One run of one check, in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Unique per run, in start order; names the run's end marker.
    pub seq: u64,
    pub check: String,
    pub started: Instant,
    /// `None` while the run goes on.
    pub ended: Option<Instant>,
    /// The end marker was written: the watcher will see it in the event stream.
    pub marked: bool,
}

impl Window {
    /// Whether an event the watcher stamped at `at` may be this run's doing. `closed`:
    /// the end marker was seen, and the event came after it.
    pub fn covers(&self, at: Instant, closed: bool) -> bool {
        if at < self.started || closed {
            return false;
        }
        match self.ended {
            None => true,
            Some(end) => {
                let grace = if self.marked { MARK_GRACE } else { TIME_GRACE };
                at <= end + grace
            }
        }
    }
}

#[derive(Debug, Default)]
struct Table {
    next: u64,
    windows: Vec<Window>,
}

/// The run windows of one repository's runner, shared by the runner (which writes
/// them) and the watcher (which reads them). Cloning shares.
#[derive(Debug, Clone)]
pub struct RunWindows {
    table: Arc<Mutex<Table>>,
    marks: Option<PathBuf>,
}

impl RunWindows {
    /// Windows whose end markers go into `marks_dir` (created here; `None`, or a folder
    /// that cannot be created, leaves windows to close by time alone).
    pub fn new(marks_dir: Option<PathBuf>) -> RunWindows {
        let marks = marks_dir.filter(|dir| std::fs::create_dir_all(dir).is_ok());
        RunWindows {
            table: Arc::new(Mutex::new(Table::default())),
            marks,
        }
    }

    /// The folder end markers are written to, for the watcher to watch.
    pub fn marks_dir(&self) -> Option<&Path> {
        self.marks.as_deref()
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A run of `check` is about to start its process. Returns its sequence number.
    pub fn begin(&self, check: &str) -> u64 {
        let now = Instant::now();
        let mut table = self.lock();
        table.next += 1;
        let seq = table.next;
        prune(&mut table.windows, now);
        table.windows.push(Window {
            seq,
            check: check.to_string(),
            started: now,
            ended: None,
            marked: false,
        });
        seq
    }

    /// The run `seq` is over and its process group gone: close its window and put its
    /// marker into the event stream.
    pub fn end(&self, seq: u64) {
        // Ended before the marker exists: a watcher that starts watching the marks in
        // between sees the end in the table (see `ended_before_watching`).
        let marking = self.marks.is_some();
        self.set_end(seq, Instant::now(), marking);
        let written = self
            .marks
            .as_ref()
            .is_some_and(|dir| std::fs::File::create(dir.join(marker_name(seq))).is_ok());
        if marking && !written {
            if let Some(window) = self.lock().windows.iter_mut().find(|w| w.seq == seq) {
                window.marked = false;
            }
        }
    }

    fn set_end(&self, seq: u64, at: Instant, marked: bool) {
        if let Some(window) = self.lock().windows.iter_mut().find(|w| w.seq == seq) {
            window.ended = Some(at);
            window.marked = marked;
        }
    }

    /// The runs that had ended when the watcher began watching the marks: their
    /// markers may have come before it watched, and their writes before it watched
    /// anything at all.
    pub fn ended_before_watching(&self) -> Vec<u64> {
        self.lock()
            .windows
            .iter()
            .filter(|w| w.ended.is_some())
            .map(|w| w.seq)
            .collect()
    }

    /// The windows known now (recent and running ones).
    pub fn snapshot(&self) -> Vec<Window> {
        self.lock().windows.clone()
    }
}

/// The marker file of run `seq`.
fn marker_name(seq: u64) -> String {
    format!("{seq}.end")
}

/// The run a marker file names, from its file name.
pub fn marker_seq(name: &str) -> Option<u64> {
    name.strip_suffix(".end")?.parse().ok()
}

/// Forget windows that ended long ago, keeping each check's latest.
fn prune(windows: &mut Vec<Window>, now: Instant) {
    let mut latest: Vec<(String, u64)> = Vec::new();
    for w in windows.iter() {
        match latest.iter_mut().find(|(check, _)| *check == w.check) {
            Some(entry) => entry.1 = entry.1.max(w.seq),
            None => latest.push((w.check.clone(), w.seq)),
        }
    }
    windows.retain(|w| {
        let recent = w.ended.is_none_or(|end| now.duration_since(end) < KEEP);
        recent || latest.iter().any(|(_, seq)| *seq == w.seq)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_covers_its_run_until_its_marker_or_its_grace() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut w = Window {
            seq: 1,
            check: "test".into(),
            started: t0,
            ended: None,
            marked: true,
        };
        assert!(!w.covers(t0 - ms(1), false), "before the run");
        assert!(w.covers(t0 + ms(500), false), "while it runs");
        w.ended = Some(t0 + ms(1000));
        assert!(w.covers(t0 + ms(1500), false), "its events may come late…");
        assert!(
            !w.covers(t0 + ms(1500), true),
            "…but never after its marker"
        );
        assert!(!w.covers(t0 + ms(1000) + MARK_GRACE + ms(1), false));
        w.marked = false;
        assert!(w.covers(t0 + ms(1000) + TIME_GRACE, false));
        assert!(!w.covers(t0 + ms(1000) + TIME_GRACE + ms(1), false));
    }

    #[test]
    fn runs_write_their_end_marker_and_old_windows_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let windows = RunWindows::new(Some(dir.path().join("marks")));
        let first = windows.begin("test");
        let second = windows.begin("lint");
        assert_ne!(first, second);
        windows.end(first);
        let marker = dir.path().join("marks").join(marker_name(first));
        assert!(marker.exists());
        assert_eq!(marker_seq(&marker_name(first)), Some(first));
        let snapshot = windows.snapshot();
        assert!(snapshot.iter().any(|w| w.seq == first && w.marked));
        assert!(snapshot
            .iter()
            .any(|w| w.seq == second && w.ended.is_none()));
        assert_eq!(windows.ended_before_watching(), vec![first]);

        let mut old = snapshot.clone();
        let later = Instant::now() + KEEP + Duration::from_secs(1);
        old.push(Window {
            seq: 9,
            check: "test".into(),
            started: later,
            ended: Some(later),
            marked: true,
        });
        prune(&mut old, later + Duration::from_secs(1));
        let kept: Vec<u64> = old.iter().map(|w| w.seq).collect();
        assert_eq!(kept, vec![second, 9], "the old ended run of test goes");
    }
}
