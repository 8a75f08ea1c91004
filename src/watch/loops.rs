//! Which checks a burst re-runs, so that no check triggers itself, and the loop guard
//! for what the watcher alone cannot tell.
//!
//! A run's own output (a file git does not track that changed only while the run went
//! on, see `watch::attribution`) never re-runs its check. What is left: a check that
//! rewrites a file git tracks on every run (a generated source with a timestamp, a
//! snapshot test updating its snapshots), or two checks whose outputs trigger each
//! other. Their signature: the same paths, changed while a run went on, at the same
//! moment into each run, time after time, and no change of the user's in between. The
//! guard pauses such a check for those paths after [`PAUSE_AFTER`] runs in a row and
//! says which paths and how to ignore them. A person saving while checks run does not
//! save the same files at the same moment of every run; a save when no check runs is
//! always the user's.
//!
//! Pure: the watcher's attribution comes in with the changes.

use super::affected::Triggers;
use super::engine::Changes;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

/// Runs in a row triggered by changes made during runs, after which a check is paused.
pub const PAUSE_AFTER: u32 = 3;
/// How far apart the moments into the runs may be and still read as "the same".
const SAME_MOMENT: Duration = Duration::from_millis(500);

/// What to do with a change that affects a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admit {
    /// Run it.
    Run,
    /// Every path is one it is paused for: do not.
    Paused,
    /// Pause it now for these paths: they re-triggered it [`PAUSE_AFTER`] times.
    PauseNow(Vec<PathBuf>),
}

/// A change made while checks ran: whose runs, and how far into them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct During {
    pub checks: BTreeSet<String>,
    pub into_run: Duration,
}

#[derive(Debug, Default)]
struct Streak {
    paths: BTreeSet<PathBuf>,
    checks: BTreeSet<String>,
    moments: Vec<Duration>,
}

/// Streaks and pauses of each check.
#[derive(Debug, Default)]
pub struct LoopGuard {
    streaks: HashMap<String, Streak>,
    paused: HashMap<String, BTreeSet<PathBuf>>,
}

impl LoopGuard {
    /// `changed` (relative paths, each made `during` runs or not: by the user) affect
    /// `check`.
    pub fn admit(&mut self, check: &str, changed: &[(PathBuf, Option<During>)]) -> Admit {
        let paused = self.paused.remove(check).unwrap_or_default();
        // Paused paths the user changed are no longer paused.
        let paused: BTreeSet<PathBuf> = paused
            .into_iter()
            .filter(|p| !changed.iter().any(|(q, d)| q == p && d.is_none()))
            .collect();
        if !paused.is_empty() {
            self.paused.insert(check.to_string(), paused.clone());
        }
        if changed.iter().any(|(_, during)| during.is_none()) {
            self.streaks.remove(check);
            return Admit::Run; // a change of the user's
        }
        // Made while checks ran: paths it is paused for trigger nothing.
        let live: Vec<&(PathBuf, Option<During>)> = changed
            .iter()
            .filter(|(p, _)| !paused.contains(p))
            .collect();
        let Some(latest) = live
            .iter()
            .filter_map(|(_, d)| d.as_ref())
            .max_by_key(|d| d.into_run)
        else {
            return Admit::Paused;
        };
        let paths: BTreeSet<PathBuf> = live.iter().map(|(p, _)| p.clone()).collect();
        let moment = latest.into_run;
        let checks = latest.checks.clone();
        let streak = self.streaks.entry(check.to_string()).or_default();
        let same = streak.paths == paths
            && streak.checks == checks
            && streak
                .moments
                .iter()
                .all(|m| m.abs_diff(moment) <= tolerance(*m));
        if !same {
            *streak = Streak {
                paths,
                checks,
                moments: Vec::new(),
            };
        }
        streak.moments.push(moment);
        if streak.moments.len() as u32 >= PAUSE_AFTER {
            let paths = std::mem::take(&mut streak.paths);
            self.streaks.remove(check);
            self.paused
                .entry(check.to_string())
                .or_default()
                .extend(paths.iter().cloned());
            return Admit::PauseNow(paths.into_iter().collect());
        }
        Admit::Run
    }

    /// Whether the check is paused for some paths.
    pub fn is_paused(&self, check: &str) -> bool {
        self.paused.contains_key(check)
    }
}

fn tolerance(moment: Duration) -> Duration {
    SAME_MOMENT.max(moment / 4)
}

/// What a burst of changes does: the checks to re-run, each with the path that
/// triggers it, and a message for each check the guard pauses now.
#[derive(Debug, Default, PartialEq)]
pub struct Reruns {
    pub run: Vec<(String, String)>,
    pub paused: Vec<String>,
}

/// The checks a burst of `changes` re-runs. A run's own output (a file git does not
/// track, changed only while it ran) never re-runs a check that watches every path
/// (no `watch` globs): `make test` writing its binaries. A check with globs is re-run
/// by a file its globs name whoever wrote it (a file it is told to watch is taken
/// for a source); the loop guard stops one that keeps re-triggering itself.
pub fn reruns(triggers: &Triggers, guard: &mut LoopGuard, changes: &Changes) -> Reruns {
    let mut out = Reruns::default();
    for (check, paths) in triggers.affected_by(&changes.paths) {
        let catch_all = triggers.watches_everything(&check);
        let changed: Vec<(PathBuf, Option<During>)> = paths
            .iter()
            .filter_map(|p| {
                let run = changes.during_runs.get(*p);
                if catch_all && run.is_some_and(|c| c.own && c.checks.contains(&check)) {
                    return None; // its own run's output
                }
                let during = run.map(|c| During {
                    checks: c.checks.clone(),
                    into_run: c.into_run,
                });
                Some((p.to_path_buf(), during))
            })
            .collect();
        // The trigger shown: a change of the user's when there is one.
        let shown = changed
            .iter()
            .find(|(_, d)| d.is_none())
            .or(changed.first())
            .map(|(p, _)| p.display().to_string());
        let Some(shown) = shown else {
            continue; // only what its own run wrote
        };
        match guard.admit(&check, &changed) {
            Admit::Run => out.run.push((check, shown)),
            Admit::Paused => {}
            Admit::PauseNow(paths) => out.paused.push(pause_message(&check, &paths)),
        }
    }
    out
}

/// What to tell the user when `check` is paused for `paths`.
pub fn pause_message(check: &str, paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    let more = match paths.len().saturating_sub(3) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let globs: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| format!("{:?}", p.display().to_string()))
        .collect();
    format!(
        "{check} paused for {}{more}: changed while checks ran, they re-triggered it {PAUSE_AFTER} times in a row; other changes still re-run it, and editing them yourself lifts the pause. To stop watching them: [watch] ignore = [{}]",
        shown.join(", "),
        globs.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_str, Source};
    use crate::watch::engine::RunChange;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[expect(
        clippy::unnecessary_wraps,
        reason = "the shape `admit` takes, at every call"
    )]
    fn during(check: &str, into_run: u64) -> Option<During> {
        Some(During {
            checks: [check.to_string()].into_iter().collect(),
            into_run: ms(into_run),
        })
    }

    fn one(path: &std::path::Path, during: Option<During>) -> Vec<(PathBuf, Option<During>)> {
        vec![(path.to_path_buf(), during)]
    }

    #[test]
    fn a_check_rewriting_its_input_at_the_same_moment_is_paused() {
        let mut guard = LoopGuard::default();
        let gen = PathBuf::from("src/version.h");
        // Each run writes src/version.h about 300 ms in; that change restarts it.
        for n in 1..=PAUSE_AFTER {
            let admit = guard.admit("test", &one(&gen, during("test", 300 + u64::from(n) * 10)));
            if n < PAUSE_AFTER {
                assert_eq!(admit, Admit::Run, "run {n}");
            } else {
                assert_eq!(admit, Admit::PauseNow(vec![gen.clone()]));
            }
        }
        assert!(guard.is_paused("test"));
        assert_eq!(
            guard.admit("test", &one(&gen, during("test", 310))),
            Admit::Paused
        );
        // A real edit runs it, even in the same burst as its run's write…
        let other = PathBuf::from("src/main.c");
        let both = vec![(gen.clone(), during("test", 305)), (other.clone(), None)];
        assert_eq!(guard.admit("test", &both), Admit::Run);
        assert!(guard.is_paused("test"), "…and the write stays paused");
        assert_eq!(
            guard.admit("test", &one(&gen, during("test", 305))),
            Admit::Paused
        );
        // Editing the paused path oneself lifts the pause.
        assert_eq!(guard.admit("test", &one(&gen, None)), Admit::Run);
        assert!(!guard.is_paused("test"));
    }

    #[test]
    fn saves_during_runs_at_varying_moments_are_never_paused() {
        let mut guard = LoopGuard::default();
        let main = PathBuf::from("src/main.rs");
        for into_run in [20_000, 7_000, 31_000, 12_000, 45_000, 3_000] {
            assert_eq!(
                guard.admit("test", &one(&main, during("test", into_run))),
                Admit::Run
            );
        }
        // Saves of a file during one long run of another check: later and later.
        for n in 1..=6 {
            assert_eq!(
                guard.admit("lint", &one(&main, during("test", 30_000 * n))),
                Admit::Run
            );
        }
        // And any number of saves while no check runs.
        for _ in 0..10 {
            assert_eq!(guard.admit("lint", &one(&main, None)), Admit::Run);
        }
        assert!(!guard.is_paused("lint") && !guard.is_paused("test"));
    }

    fn changes(path: &str, by: &str, own: bool) -> Changes {
        Changes {
            paths: vec![PathBuf::from(path)],
            during_runs: [(
                PathBuf::from(path),
                RunChange {
                    checks: [by.to_string()].into_iter().collect(),
                    into_run: ms(40),
                    own,
                },
            )]
            .into_iter()
            .collect(),
        }
    }

    /// Two checks without globs: a run's output re-runs the other, never itself; two
    /// that keep triggering each other are paused.
    #[test]
    fn own_output_reruns_only_others_and_ping_pong_is_paused() {
        let config = load_str(
            "[[check]]\nid = \"test\"\nrun = \"x\"\n[[check]]\nid = \"lint\"\nrun = \"x\"\n",
            std::path::Path::new("p"),
            Source::Default,
        )
        .unwrap();
        let triggers = Triggers::new(&config.checks);
        let mut guard = LoopGuard::default();
        let first = reruns(&triggers, &mut guard, &changes("build/t", "test", true));
        assert_eq!(first.run, vec![("lint".to_string(), "build/t".to_string())]);
        let mut pauses = first.paused;
        for _ in 1..PAUSE_AFTER {
            let out = reruns(&triggers, &mut guard, &changes("build/t", "test", true));
            assert!(
                out.run.iter().all(|(c, _)| c != "test"),
                "never itself: {out:?}"
            );
            pauses.extend(out.paused);
        }
        assert_eq!(pauses.len(), 1, "{pauses:?}");
        assert!(
            pauses[0].starts_with("lint paused for build/t:"),
            "{pauses:?}"
        );
        // A tracked file the run changed is the user's edit as far as re-running goes.
        let mut guard = LoopGuard::default();
        let out = reruns(&triggers, &mut guard, &changes("src/a.c", "test", false));
        assert_eq!(out.run.len(), 2);
        // A check with globs is re-run by a file they name, whoever wrote it.
        let config = load_str(
            "[[check]]\nid = \"slow\"\nrun = \"x\"\nwatch = [\"*.txt\"]\n",
            std::path::Path::new("p"),
            Source::Default,
        )
        .unwrap();
        let triggers = Triggers::new(&config.checks);
        let out = reruns(&triggers, &mut guard, &changes("b.txt", "slow", true));
        assert_eq!(out.run, vec![("slow".to_string(), "b.txt".to_string())]);
    }

    #[test]
    fn the_message_names_the_paths_and_the_fix() {
        let text = pause_message("test", &[PathBuf::from("gen/v.h")]);
        assert!(text.contains("test paused for gen/v.h:"), "{text}");
        assert!(text.contains("[watch] ignore = [\"gen/v.h\"]"), "{text}");
    }
}
