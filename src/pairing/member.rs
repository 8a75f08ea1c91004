//! One process's place among those on a repository (a cockpit, `check --watch`, a
//! one-shot `check`): whether it runs the checks or follows the runner, what it
//! announces on the board when it runs them, what it asks when it follows, and what
//! it runs when it takes over.

use super::board::now_ms;
use super::lock::{self, Claim};
use super::request::wanted;
use super::{
    Board, Entry, Holder, Link, LinkOptions, Mode, Phase, Publisher, Request, Role, RunnerLock,
    Seen,
};
use std::collections::HashMap;
use std::path::PathBuf;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How long before a save a run may have been queued and still include it: the
/// runner's watcher and this cockpit's report one save at slightly different times.
const SAVE_SLACK_MS: u64 = 1_000;

/// How a member joins.
#[derive(Debug, Clone)]
pub struct MemberOptions {
    pub link: LinkOptions,
    pub role: Role,
    /// Become the runner if nobody is, else wait to take over (a trusted process
    /// that may run the checks); else only follow.
    pub claim: bool,
    /// While following, follow the runs' logs too (to show their output).
    pub tails: bool,
}

/// This process's pairing state. Invariant: `lock` is held exactly when this process
/// runs the checks. Fields drop in order: the link (which writes the last announcements
/// first) before the lock.
pub struct Member {
    link: Link,
    role: Role,
    me: Holder,
    lock: Option<RunnerLock>,
    /// A thread waits for the lock (to take over when the runner goes).
    waiting: bool,
    /// Why this cockpit cannot become the runner, if it cannot.
    unavailable: Option<String>,
    state_dir: PathBuf,
    sharing: crate::sharing::Sharing,
    /// The runner's latest run number per check.
    seqs: HashMap<String, u64>,
    /// When the current run of each check started (ms), as announced.
    started: HashMap<String, u64>,
    /// The board as last seen, while following.
    board: HashMap<String, Entry>,
    /// Checks a save affected while following, not yet seen run: (trigger, when ms).
    missed: HashMap<String, (String, u64)>,
    /// What the link saw.
    pub seen: UnboundedReceiver<Seen>,
    /// The runner lock, once a waiting thread got it.
    pub took: UnboundedReceiver<RunnerLock>,
    took_tx: UnboundedSender<RunnerLock>,
    /// Who ran the checks when this process joined (`None`: itself, or nobody).
    first: Option<Holder>,
    /// Board entries read at take-over that this follower had not seen yet (the last
    /// runner's final announcements): for the view, see [`Member::caught_up`].
    caught_up: Vec<Entry>,
}

impl Member {
    /// Become the runner if `options.claim` and nobody is; else follow, and wait to
    /// take over when `options.claim`.
    pub fn open(options: MemberOptions) -> Member {
        let MemberOptions {
            link: link_options,
            role,
            claim,
            tails,
        } = options;
        let state_dir = link_options.state_dir.clone();
        let sharing = link_options.sharing;
        let (lock, first, unavailable) = if claim {
            match lock::try_take(&state_dir, sharing, role) {
                Claim::Taken(lock) => (Some(lock), None, None),
                Claim::Held(holder) => (None, holder, None),
                Claim::Unavailable(why) => (None, lock::runner(&state_dir), Some(why)),
            }
        } else {
            (None, lock::runner(&state_dir), None)
        };
        let mode = if lock.is_some() {
            Mode::Runner
        } else {
            Mode::Follower { tails }
        };
        let (seen_tx, seen) = unbounded_channel();
        let link = Link::spawn(link_options, mode, seen_tx);
        let (took_tx, took) = unbounded_channel();
        let mut pairing = Member {
            link,
            role,
            me: Holder::me(role),
            lock,
            waiting: false,
            unavailable,
            state_dir,
            sharing,
            seqs: HashMap::new(),
            started: HashMap::new(),
            board: HashMap::new(),
            missed: HashMap::new(),
            seen,
            took,
            took_tx,
            first,
            caught_up: Vec::new(),
        };
        if pairing.lock.is_some() {
            pairing.seed_seqs(Board::new(&pairing.state_dir, sharing).read_all());
        } else if claim && pairing.unavailable.is_none() {
            pairing.wait();
        }
        pairing
    }

    /// Who ran the checks when this process joined (`None`: this one, or nobody).
    pub fn first_runner(&self) -> Option<&Holder> {
        self.first.as_ref()
    }

    /// This process, as the others see it.
    pub fn me(&self) -> &Holder {
        &self.me
    }

    /// Whether `holder` is this process.
    pub fn is_me(&self, holder: &Holder) -> bool {
        holder.pid == self.me.pid && holder.host == self.me.host && holder.user == self.me.user
    }

    pub fn is_runner(&self) -> bool {
        self.lock.is_some()
    }

    /// Why this cockpit can never run the checks here, if so (said once).
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// Trust was granted: become the runner now if nobody is (true), else wait.
    pub fn claim(&mut self) -> bool {
        if self.lock.is_some() {
            return true;
        }
        match lock::try_take(&self.state_dir, self.sharing, self.role) {
            Claim::Taken(lock) => {
                self.become_runner(lock);
                true
            }
            Claim::Held(_) => {
                self.wait();
                false
            }
            Claim::Unavailable(why) => {
                self.unavailable = Some(why);
                false
            }
        }
    }

    fn wait(&mut self) {
        if self.waiting {
            return;
        }
        let took = self.took_tx.clone();
        self.waiting = lock::wait(&self.state_dir, self.sharing, self.role, move |lock| {
            took.send(lock).map_err(|e| e.0)
        })
        .is_ok();
    }

    fn become_runner(&mut self, lock: RunnerLock) {
        self.lock = Some(lock);
        self.waiting = false;
        self.link.set_mode(Mode::Runner);
        let board = std::mem::take(&mut self.board);
        self.seed_seqs(board);
    }

    fn seed_seqs(&mut self, board: HashMap<String, Entry>) {
        for (check, entry) in board {
            let seq = self.seqs.entry(check).or_insert(0);
            *seq = (*seq).max(entry.seq);
        }
    }

    /// The runner went and the lock is this cockpit's: what to run, (check, trigger).
    /// Runs the last runner left queued or running did not finish; saves it did not
    /// see (it was gone) were never run. Everything else already ran.
    pub fn take_over(&mut self, lock: RunnerLock) -> Vec<(String, String)> {
        // The board as the last runner left it, read now: its last entries (a run done
        // just before it exited) may not have reached this follower's copy yet, and a
        // run it finished must not run again.
        let mut board = self.board.clone();
        for (check, entry) in Board::new(&self.state_dir, self.sharing).read_all() {
            let newer = board.get(&check).is_none_or(|held| entry.seq >= held.seq);
            let unseen = board
                .get(&check)
                .is_none_or(|held| (held.seq, held.phase) != (entry.seq, entry.phase));
            if newer {
                if unseen {
                    self.caught_up.push(entry.clone());
                }
                board.insert(check, entry);
            }
        }
        self.board.clone_from(&board);
        let missed = std::mem::take(&mut self.missed);
        self.become_runner(lock);
        let mut runs: Vec<(String, String)> = board
            .values()
            .filter(|e| e.phase != Phase::Done)
            .map(|e| (e.check.clone(), "taken over: interrupted".to_string()))
            .collect();
        for (check, (trigger, at)) in missed {
            let covered = board
                .get(&check)
                .is_some_and(|e| e.queued_ms + SAVE_SLACK_MS >= at);
            if !covered && !runs.iter().any(|(c, _)| *c == check) {
                runs.push((check, trigger));
            }
        }
        runs.sort();
        runs
    }

    /// The last runner's entries this process saw only at take-over (a run it finished
    /// just before it went): what the view still shows as running is over.
    pub fn caught_up(&mut self) -> Vec<Entry> {
        std::mem::take(&mut self.caught_up)
    }

    /// Announce a run queued; returns the entry (its number for the model).
    pub fn queued(&mut self, check: &str, trigger: &str) -> Entry {
        let seq = self.seqs.entry(check.to_string()).or_insert(0);
        *seq += 1;
        let entry = Entry {
            check: check.to_string(),
            seq: *seq,
            phase: Phase::Queued,
            trigger: trigger.to_string(),
            runner: self.me.label(),
            queued_ms: now_ms(),
            started_ms: None,
            result: None,
        };
        self.started.remove(check);
        self.link.publish(entry.clone());
        entry
    }

    /// Announce the current run of `check` running.
    pub fn running(&mut self, check: &str, trigger: &str) {
        let at = now_ms();
        self.started.insert(check.to_string(), at);
        let entry = Entry {
            phase: Phase::Running,
            started_ms: Some(at),
            ..self.entry_of(check, trigger)
        };
        self.link.publish(entry);
    }

    /// What to announce once the current run of `check` is filed: the entry (its
    /// result still to fill in) and who announces it.
    pub fn finishing(&self, check: &str, trigger: &str) -> (Publisher, Entry) {
        let entry = Entry {
            phase: Phase::Done,
            started_ms: self.started.get(check).copied(),
            ..self.entry_of(check, trigger)
        };
        (self.link.publisher(), entry)
    }

    /// Who announces runs finished off this thread.
    pub fn publisher(&self) -> Publisher {
        self.link.publisher()
    }

    fn entry_of(&self, check: &str, trigger: &str) -> Entry {
        Entry {
            check: check.to_string(),
            seq: self.seqs.get(check).copied().unwrap_or(0),
            phase: Phase::Queued,
            trigger: trigger.to_string(),
            runner: self.me.label(),
            queued_ms: now_ms(),
            started_ms: None,
            result: None,
        }
    }

    /// Of `checks` (each with the run its asker saw), those still wanting a run: no
    /// run started since.
    pub fn still_wanted(&self, checks: &[(String, u64)]) -> Vec<String> {
        checks
            .iter()
            .filter(|(check, after)| {
                let current = self.seqs.get(check).copied().unwrap_or(0);
                wanted(
                    &Request {
                        check: check.clone(),
                        after: *after,
                        by: String::new(),
                    },
                    current,
                )
            })
            .map(|(check, _)| check.clone())
            .collect()
    }

    /// Ask the runner to run `checks` again.
    pub fn ask(&self, checks: &[(String, u64)]) {
        for (check, after) in checks {
            self.link.request(Request {
                check: check.clone(),
                after: *after,
                by: self.me.label(),
            });
        }
    }

    /// While following: a save affected these checks.
    pub fn missed(&mut self, affected: &[(String, String)]) {
        if self.lock.is_some() {
            return;
        }
        let at = now_ms();
        for (check, trigger) in affected {
            self.missed.insert(check.clone(), (trigger.clone(), at));
        }
    }

    /// While following: the board changed.
    pub fn saw(&mut self, entry: &Entry) {
        if let Some((_, at)) = self.missed.get(&entry.check) {
            if entry.queued_ms + SAVE_SLACK_MS >= *at {
                self.missed.remove(&entry.check);
            }
        }
        self.board.insert(entry.check.clone(), entry.clone());
    }

    /// The configuration changed.
    pub fn set_checks(&self, checks: Vec<crate::domain::check::CheckSpec>) {
        self.link.set_checks(checks);
    }
}
