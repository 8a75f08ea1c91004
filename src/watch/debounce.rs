//! Coalescing file events into bursts. Pure: time comes in as arguments.
//!
//! A burst ends after a quiet window with no event. The window is short for a single
//! save, so a re-run starts almost at once, and longer once a burst shows it is a storm
//! (a checkout, a formatter), so one storm makes one run. While a git operation holds
//! `.git/index.lock`, the burst is held open whatever the quiet.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Quiet window after a burst of a few events (an editor's save makes 1–4).
pub const QUIET_SAVE: Duration = Duration::from_millis(12);
/// Quiet window once a burst has shown itself a storm.
pub const QUIET_STORM: Duration = Duration::from_millis(60);
/// Events in one burst beyond which it counts as a storm.
pub const STORM_EVENTS: usize = 16;
/// A burst that never goes quiet (a log file written nonstop) still fires this often.
/// Long enough for real storms: creating 5,000 files takes 4.5 s on the CI machine's
/// disk, with events never more than a few ms apart.
pub const MAX_HOLD: Duration = Duration::from_secs(10);
/// While git holds `.git/index.lock` a burst waits for it, up to this (a checkout of a
/// large tree on a loaded machine takes a while; a lock left by a crashed git does not
/// hold the watcher for ever).
pub const MAX_GIT_HOLD: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct Debouncer {
    paths: BTreeSet<PathBuf>,
    events: usize,
    first: Option<Instant>,
    last: Option<Instant>,
    git_busy: bool,
    quiet: Option<Duration>,
}

impl Debouncer {
    /// A debouncer whose quiet window is fixed (from `[watch] debounce`), or adaptive.
    pub fn new(quiet: Option<Duration>) -> Debouncer {
        Debouncer {
            quiet,
            ..Debouncer::default()
        }
    }

    pub fn add(&mut self, now: Instant, paths: impl IntoIterator<Item = PathBuf>) {
        self.first.get_or_insert(now);
        self.last = Some(now);
        for path in paths {
            self.events += 1;
            self.paths.insert(path);
        }
    }

    /// Something happened (e.g. `.git/index.lock` appeared) that extends the burst
    /// without itself being a change to report.
    pub fn touch(&mut self, now: Instant) {
        if self.first.is_some() {
            self.last = Some(now);
        }
    }

    /// A git operation started or ended.
    pub fn set_git_busy(&mut self, busy: bool, now: Instant) {
        self.git_busy = busy;
        self.touch(now);
    }

    fn window(&self) -> Duration {
        self.quiet.unwrap_or(if self.events > STORM_EVENTS {
            QUIET_STORM
        } else {
            QUIET_SAVE
        })
    }

    /// When to look again, or `None` when nothing is pending.
    pub fn deadline(&self) -> Option<Instant> {
        let (first, last) = (self.first?, self.last?);
        if self.git_busy {
            return Some(first + MAX_GIT_HOLD);
        }
        let hold_end = first + MAX_HOLD;
        Some((last + self.window()).min(hold_end))
    }

    /// The burst's distinct paths once it is over, else `None`.
    pub fn poll(&mut self, now: Instant) -> Option<Vec<PathBuf>> {
        let deadline = self.deadline()?;
        if now < deadline {
            return None;
        }
        self.first = None;
        self.last = None;
        self.events = 0;
        Some(std::mem::take(&mut self.paths).into_iter().collect())
    }
}

/// Files editors write beside the real one while saving: swap, backup, lock and
/// temporary files. Their real file's own event is what counts.
pub fn is_editor_scratch(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".orig")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name.starts_with(".goutputstream-")
        || name.contains(".tmp.")
        || name == "4913"
        || name.ends_with(".crswap")
        || name == ".DS_Store"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_save_fires_after_the_short_window_with_its_paths_once() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(None);
        assert_eq!(d.deadline(), None);
        d.add(t0, [PathBuf::from("a.rs")]);
        d.add(t0 + ms(1), [PathBuf::from("a.rs"), PathBuf::from("a.rs")]);
        assert_eq!(d.poll(t0 + ms(5)), None);
        assert_eq!(d.deadline(), Some(t0 + ms(1) + QUIET_SAVE));
        assert_eq!(
            d.poll(t0 + ms(1) + QUIET_SAVE),
            Some(vec![PathBuf::from("a.rs")])
        );
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn a_storm_waits_for_the_long_window_and_fires_once() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(None);
        // 5,000 files over 500 ms, with a 30 ms pause in the middle (longer than a save's window).
        for i in 0..5000u64 {
            let at = t0 + Duration::from_micros(i * 100) + if i > 2500 { ms(30) } else { ms(0) };
            d.add(at, [PathBuf::from(format!("f{i}"))]);
            if i == 2500 {
                assert_eq!(
                    d.poll(at + ms(29)),
                    None,
                    "a pause inside a storm does not end it"
                );
            }
        }
        let end = t0 + Duration::from_micros(4999 * 100) + ms(30);
        assert_eq!(d.poll(end + QUIET_STORM - ms(1)), None);
        assert_eq!(d.poll(end + QUIET_STORM).map(|p| p.len()), Some(5000));
    }

    #[test]
    fn a_git_operation_holds_the_burst_open() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(None);
        d.set_git_busy(true, t0);
        d.add(t0, [PathBuf::from("a")]);
        assert_eq!(d.poll(t0 + ms(500)), None);
        d.set_git_busy(false, t0 + ms(600));
        assert_eq!(
            d.poll(t0 + ms(600) + QUIET_SAVE),
            Some(vec![PathBuf::from("a")])
        );
    }

    #[test]
    fn a_burst_that_never_goes_quiet_fires_at_the_hold_limit() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(None);
        let mut now = t0;
        while now < t0 + MAX_HOLD {
            d.add(now, [PathBuf::from("log")]);
            now += ms(5);
        }
        assert!(d.poll(t0 + MAX_HOLD).is_some());
    }

    #[test]
    fn a_git_operation_holds_the_burst_past_the_usual_limit_but_not_for_ever() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(None);
        d.set_git_busy(true, t0);
        d.add(t0, [PathBuf::from("a.py")]);
        // Slow writes, long pauses: still one burst while git works.
        assert_eq!(d.poll(t0 + MAX_HOLD + ms(1)), None);
        assert_eq!(d.poll(t0 + MAX_GIT_HOLD - ms(1)), None);
        assert!(d.poll(t0 + MAX_GIT_HOLD).is_some());
        // Once git is done, a burst held past the usual limit ends at once.
        d.set_git_busy(true, t0);
        d.add(t0, [PathBuf::from("b.py")]);
        assert_eq!(d.poll(t0 + ms(30_000)), None);
        d.set_git_busy(false, t0 + ms(30_000));
        assert_eq!(d.poll(t0 + ms(30_000)), Some(vec![PathBuf::from("b.py")]));
    }

    #[test]
    fn a_configured_window_is_used_as_is() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(Some(ms(200)));
        d.add(t0, [PathBuf::from("a")]);
        assert_eq!(d.poll(t0 + ms(199)), None);
        assert!(d.poll(t0 + ms(200)).is_some());
    }

    #[test]
    fn editor_scratch_files_are_recognised() {
        for name in [
            "a.rs~",
            ".a.rs.swp",
            "#a.rs#",
            ".#a.rs",
            "4913",
            "a.rs.tmp.1234",
            ".goutputstream-XYZ1",
        ] {
            assert!(is_editor_scratch(name), "{name}");
        }
        for name in ["a.rs", "tmp.rs", "backup.py", "Makefile"] {
            assert!(!is_editor_scratch(name), "{name}");
        }
    }
}
