//! One-shot runs (`preflight check`, `preflight gate`) beside a runner.
//!
//! A repository has one runner at a time. When a cockpit or `check --watch` runs its
//! checks, a one-shot run joins it rather than running them a second time beside it
//! (double the load, two writers of the same logs and reports): a check the runner is
//! running now is awaited, any other is asked of the runner (a re-run request); the
//! results are the runner's, read from its board, and it filed and recorded them. If
//! the runner goes meanwhile, this process takes over and runs what is left itself.
//! When nobody runs the checks, the one-shot run holds the runner lock while it runs
//! (so a cockpit opened meanwhile follows it) and announces its runs on the board.
//! Beside another one-shot run, it waits for that one to end, then runs.

use super::progress::Progress;
use super::running::{cancel_on_signal, run_all};
use crate::domain::check::CheckSpec;
use crate::history::RunRecord;
use crate::pairing::board::now_ms;
use crate::pairing::{
    Board, Entry, Holder, LinkOptions, Member, MemberOptions, Phase, Publisher, Role, RunResult,
    Seen,
};
use crate::repo::Head;
use crate::runner::{Output, RunOutcome};
use crate::text::sanitize::Line;
use crate::workspace::Workspace;
use color_eyre::eyre::Result;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What started a one-shot's runs, as followers see it.
const TRIGGER: &str = "preflight check";

/// The outcomes of a one-shot run: those run here (to record and file), and those
/// joined (the runner recorded and filed them).
pub struct Obtained {
    pub ran: Vec<RunOutcome>,
    pub joined: Vec<RunOutcome>,
    /// The runner lock, held until this is dropped (after the runs here are recorded
    /// and filed), when they ran here.
    _member: Option<Member>,
}

impl Obtained {
    /// Every outcome, in the configuration's order.
    pub fn in_order(&self, ws: &Workspace) -> Vec<RunOutcome> {
        let mut all: HashMap<&str, &RunOutcome> = HashMap::new();
        for outcome in self.joined.iter().chain(&self.ran) {
            all.insert(&outcome.check, outcome);
        }
        ws.config
            .checks
            .iter()
            .filter_map(|c| all.get(c.id.as_str()).map(|o| (*o).clone()))
            .collect()
    }
}

/// Announces a one-shot's runs on the board (it holds the runner lock), for the
/// cockpits that follow it.
#[derive(Clone)]
pub struct Announcer {
    publisher: Publisher,
    entries: Arc<HashMap<String, Entry>>,
    /// The tree the runs start at (one `git status` for all of them).
    head: Option<Head>,
}

impl Announcer {
    fn entry(&self, check: &str) -> Option<Entry> {
        self.entries.get(check).cloned()
    }

    pub fn running(&self, check: &str) {
        if let Some(entry) = self.entry(check) {
            self.publisher.publish(Entry {
                phase: Phase::Running,
                started_ms: Some(now_ms()),
                ..entry
            });
        }
    }

    pub fn done(&self, outcome: &RunOutcome) {
        let Some(entry) = self.entry(&outcome.check) else {
            return;
        };
        let record = RunRecord::from_outcome(
            outcome,
            self.head.as_ref().and_then(|h| h.commit.clone()),
            self.head.as_ref().is_some_and(|h| h.dirty > 0),
        );
        self.publisher.publish(Entry {
            phase: Phase::Done,
            started_ms: Some(now_ms().saturating_sub(outcome.duration.as_millis() as u64)),
            result: Some(RunResult::of(outcome, record)),
            ..entry
        });
    }
}

/// Run `selected`, or join the runner's runs of them.
pub async fn obtain(
    ws: &Workspace,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
) -> Result<Obtained> {
    let mut member = Member::open(MemberOptions {
        link: LinkOptions {
            state_dir: ws.repo.state_dir.clone(),
            root: ws.repo.root.clone(),
            sharing: ws.repo.sharing,
            capacity: ws.config.runner.output_lines,
            checks: ws.config.checks.clone(),
        },
        role: Role::Check,
        claim: true,
        tails: true,
    });
    if member.is_runner() {
        let ran = run_here(ws, &mut member, selected, jobs, interrupted).await?;
        return Ok(Obtained {
            ran,
            joined: Vec::new(),
            _member: Some(member),
        });
    }
    if let Some(why) = member.unavailable() {
        errln!(
            "preflight: warning: {}: running the checks beside the runner",
            Line(why)
        );
        let ran = run_all(ws, selected, jobs, interrupted, None).await?;
        return Ok(Obtained {
            ran,
            joined: Vec::new(),
            _member: None,
        });
    }
    join(ws, member, selected, jobs, interrupted).await
}

/// Run `selected` here, holding the runner lock, announcing each run.
async fn run_here(
    ws: &Workspace,
    member: &mut Member,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
) -> Result<Vec<RunOutcome>> {
    let entries: HashMap<String, Entry> = selected
        .iter()
        .map(|spec| (spec.id.clone(), member.queued(&spec.id, TRIGGER)))
        .collect();
    let announce = Announcer {
        publisher: member.publisher(),
        entries: Arc::new(entries),
        head: ws.repo.head(),
    };
    run_all(ws, selected, jobs, interrupted, Some(announce)).await
}

/// What a joined check waits for: a finished run numbered at least this.
type Awaited = BTreeMap<String, u64>;

/// Ask the runner for each check (or await the run it is running), and collect the
/// results; take over if the runner goes meanwhile.
async fn join(
    ws: &Workspace,
    mut member: Member,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
) -> Result<Obtained> {
    let runner = member
        .first_runner()
        .cloned()
        .or_else(|| crate::pairing::lock::read_holder(&ws.repo.state_dir));
    let serves = runner.as_ref().is_some_and(|h| h.role.serves_requests());
    let label = runner
        .as_ref()
        .map_or("another process".into(), Holder::label);
    let mut awaited: Awaited = selected.iter().map(|s| (s.id.clone(), 0)).collect();
    if serves {
        errln!(
            "preflight: {} runs the checks of this repository: joining its runs (it records and files them)",
            Line(&label)
        );
        let board = Board::new(&ws.repo.state_dir, ws.repo.sharing).read_all();
        let mut asks = Vec::new();
        for (check, min) in &mut awaited {
            match board.get(check) {
                Some(entry) if entry.phase != Phase::Done => *min = entry.seq,
                Some(entry) => {
                    asks.push((check.clone(), entry.seq));
                    *min = entry.seq + 1;
                }
                None => {
                    asks.push((check.clone(), 0));
                    *min = 1;
                }
            }
        }
        member.ask(&asks);
    } else {
        errln!(
            "preflight: {} is running checks here: waiting for it to end (one runner per repository)",
            Line(&label)
        );
    }
    let width = awaited.keys().map(|c| c.chars().count()).max().unwrap_or(0);
    let progress = Progress::for_stderr(width);
    let ticker = progress.ticker();
    let cancel = CancellationToken::new();
    let signals = tokio::spawn(cancel_on_signal(cancel.clone(), interrupted.clone()));
    let mut outputs: HashMap<String, Output> = HashMap::new();
    let mut joined = Vec::new();
    let mut took = None;
    while !awaited.is_empty() {
        tokio::select! {
            () = cancel.cancelled() => break,
            Some(seen) = member.seen.recv() => {
                if let Seen::Entry { entry, output } = seen {
                    joined.extend(follow(&mut awaited, &mut outputs, &progress, *entry, output));
                }
            }
            Some(lock) = member.took.recv() => {
                took = Some(lock);
                break;
            }
        }
    }
    signals.abort();
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    let mut ran = Vec::new();
    if let Some(lock) = took {
        member.take_over(lock);
        let left: Vec<&CheckSpec> = selected
            .into_iter()
            .filter(|s| awaited.contains_key(&s.id))
            .collect();
        if !left.is_empty() {
            errln!("preflight: the runner went: running the rest here");
            ran = run_here(ws, &mut member, left, jobs, interrupted).await?;
        }
    }
    Ok(Obtained {
        ran,
        joined,
        _member: Some(member),
    })
}

/// One board entry while joining: show the run, and collect it once done.
fn follow(
    awaited: &mut Awaited,
    outputs: &mut HashMap<String, Output>,
    progress: &Progress,
    entry: Entry,
    output: Option<Output>,
) -> Option<RunOutcome> {
    let min = *awaited.get(&entry.check)?;
    if entry.seq < min {
        return None;
    }
    if let Some(output) = output {
        outputs.insert(entry.check.clone(), output);
    }
    match entry.phase {
        Phase::Queued => None,
        Phase::Running => {
            let output = outputs
                .entry(entry.check.clone())
                .or_insert_with(|| Output::new(1));
            progress.started(&entry.check, output);
            None
        }
        Phase::Done => {
            let outcome = entry.result?.outcome();
            awaited.remove(&entry.check);
            progress.finished(&outcome);
            Some(outcome)
        }
    }
}
