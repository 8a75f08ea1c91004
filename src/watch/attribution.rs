//! Which changes are a check's own: a check never re-triggers itself.
//!
//! A change belongs to the runs that were going on at every one of its events in the
//! burst (see `runner::windows`), unless the user made it. The user is taken to have
//! made a change to a file git tracks (sources edited while a check runs: it must
//! re-run); a file git does not track that changes only while checks run is their
//! output (`make test`'s binaries, a coverage file). Outside git every such file is
//! taken for output. A change seen at a moment when no check runs is the user's.
//!
//! A run's own writes do not re-run its check; they still re-run the other checks
//! they affect (the loop guard, `watch::loops`, stops two checks triggering each other
//! forever). What this cannot tell: a new file, not yet added to git, that the user
//! edits while a check runs does not re-run that check until its next change outside
//! the check's runs (or once it is added to git).
//!
//! Pure but for [`tracked_in_git`]: the windows, the stamps and the tracked set come in.

use crate::runner::windows::{marker_seq, Window};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A change made while checks ran: which runs covered every event of it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    /// The checks whose runs were going on at each of its events.
    pub checks: BTreeSet<String>,
    /// When the latest of those runs started, and when the change's last event came:
    /// how far into the run the change was made.
    pub started: Instant,
    pub at: Instant,
}

/// What the watcher knows of the current burst, to attribute its changes.
#[derive(Debug, Default)]
pub struct Attribution {
    /// Runs whose end marker was seen (their later events are someone else's).
    closed: HashSet<u64>,
    /// Each path of the burst → the runs that covered every one of its events (`None`:
    /// one event came when none of them ran).
    owners: HashMap<PathBuf, Option<Covered>>,
}

impl Attribution {
    /// A file event in the marks folder: the end marker of a run (`true`: it was one).
    pub fn marker(&mut self, name: &str) -> bool {
        match marker_seq(name) {
            Some(seq) => {
                self.closed.insert(seq);
                true
            }
            None => false,
        }
    }

    /// Runs known to be over (their markers may never be seen).
    pub fn close(&mut self, seqs: impl IntoIterator<Item = u64>) {
        self.closed.extend(seqs);
    }

    /// The runs going on when the watcher saw an event stamped `at`.
    pub fn running_at<'w>(&self, windows: &'w [Window], at: Instant) -> Vec<&'w Window> {
        windows
            .iter()
            .filter(|w| w.covers(at, self.closed.contains(&w.seq)))
            .collect()
    }

    /// Note an event of `path` (absolute) stamped `at`.
    pub fn saw(&mut self, windows: &[Window], path: &Path, at: Instant) {
        let running = self.running_at(windows, at);
        let now = (!running.is_empty()).then(|| Covered {
            checks: running.iter().map(|w| w.check.clone()).collect(),
            started: running.iter().map(|w| w.started).max().unwrap_or(at),
            at,
        });
        match self.owners.get_mut(path) {
            None => {
                self.owners.insert(path.to_path_buf(), now);
            }
            Some(slot) => {
                *slot = match (slot.take(), now) {
                    (Some(before), Some(now)) => {
                        let checks: BTreeSet<String> =
                            before.checks.intersection(&now.checks).cloned().collect();
                        (!checks.is_empty()).then_some(Covered { checks, ..now })
                    }
                    _ => None,
                };
            }
        }
    }

    /// The paths of the burst that changed only while checks ran, with those runs.
    /// Resets the burst's bookkeeping.
    pub fn finish_burst(&mut self, windows: &[Window]) -> HashMap<PathBuf, Covered> {
        let live: HashSet<u64> = windows.iter().map(|w| w.seq).collect();
        self.closed.retain(|seq| live.contains(seq));
        std::mem::take(&mut self.owners)
            .into_iter()
            .filter_map(|(path, covered)| covered.map(|c| (path, c)))
            .collect()
    }
}

/// Which of `paths` (absolute) git tracks in the repository at `root`. Without a
/// readable index every path counts as tracked: a doubt re-runs a check rather than
/// losing an edit.
pub fn tracked_in_git<'a>(
    root: &Path,
    git_dir: Option<&Path>,
    paths: impl IntoIterator<Item = &'a PathBuf>,
) -> HashSet<PathBuf> {
    let paths: Vec<&PathBuf> = paths.into_iter().collect();
    if git_dir.is_none() || paths.is_empty() {
        return HashSet::new();
    }
    let index = git2::Repository::open(root).and_then(|repo| repo.index());
    let Ok(index) = index else {
        return paths.into_iter().cloned().collect();
    };
    paths
        .into_iter()
        .filter(|path| {
            path.strip_prefix(root)
                .map_or(true, |rel| index.get_path(rel, 0).is_some())
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn window(seq: u64, check: &str, started: Instant, ended: Option<Instant>) -> Window {
        Window {
            seq,
            check: check.into(),
            started,
            ended,
            marked: true,
        }
    }

    fn set(checks: &[&str]) -> BTreeSet<String> {
        checks.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_change_belongs_to_the_runs_that_covered_all_its_events() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let windows = [
            window(1, "test", t0 + ms(100), Some(t0 + ms(300))),
            window(2, "lint", t0 + ms(200), Some(t0 + ms(250))),
        ];
        let mut a = Attribution::default();
        let p = |name: &str| PathBuf::from(format!("/r/{name}"));
        a.saw(&windows, &p("before.c"), t0 + ms(50));
        a.saw(&windows, &p("build/t"), t0 + ms(150));
        a.saw(&windows, &p("both.o"), t0 + ms(220));
        assert!(a.marker("2.end"), "lint's run is over");
        a.saw(&windows, &p("both.c"), t0 + ms(150));
        a.saw(&windows, &p("both.c"), t0 + ms(50));
        // Read late, but before test's end marker: still its run's.
        a.saw(&windows, &p("late.o"), t0 + ms(900));
        assert!(a.marker("1.end"));
        assert!(!a.marker("notes.txt"));
        a.saw(&windows, &p("after.c"), t0 + ms(900));
        let owned = a.finish_burst(&windows);
        let mut got: Vec<(String, BTreeSet<String>, Instant)> = owned
            .iter()
            .map(|(p, c)| (p.display().to_string(), c.checks.clone(), c.started))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("/r/both.o".into(), set(&["lint", "test"]), t0 + ms(200)),
                ("/r/build/t".into(), set(&["test"]), t0 + ms(100)),
                ("/r/late.o".into(), set(&["test"]), t0 + ms(100)),
            ]
        );
        assert!(
            a.finish_burst(&windows).is_empty(),
            "the next burst starts clean"
        );
    }

    #[test]
    fn git_tells_tracked_files_and_outside_git_nothing_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let repo = git2::Repository::init(&root).unwrap();
        std::fs::write(root.join("main.c"), "int main;\n").unwrap();
        std::fs::write(root.join("a.out"), "").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("main.c")).unwrap();
        index.write().unwrap();
        let paths = [root.join("main.c"), root.join("a.out")];
        let tracked = tracked_in_git(&root, Some(&root.join(".git")), &paths);
        assert_eq!(tracked, [root.join("main.c")].into_iter().collect());
        assert!(tracked_in_git(&root, None, &paths).is_empty());
    }
}
