//! `preflight check --watch`: run once, then re-run what each change affects.
//!
//! Each check has a slot holding its current run. A change to its inputs cancels that
//! run (its whole process group) and starts a new one once the old group is gone;
//! every run carries a generation, so the late result of a cancelled run is dropped.
//!
//! One runner per repository: when a cockpit (or another `check --watch`) already runs
//! the checks, this one follows it (prints its runs as they start and end) and takes
//! over the moment it goes; when this one runs them, cockpits follow it, and their
//! re-run requests are served here.

use super::check::{print_summary, require_trust};
use super::progress::{clock, finished_line};
use crate::config::Config;
use crate::domain::check::CheckSpec;
use crate::exit;
use crate::pairing::{Entry, LinkOptions, Member, MemberOptions, Phase, Role, RunResult, Seen};
use crate::register;
use crate::runner::slots::{Finished, RunEvent, Slots};
use crate::runner::windows::RunWindows;
use crate::runner::RunOutcome;
use crate::text::sanitize::Line;
use crate::watch::affected::Triggers;
use crate::watch::engine::{self, WatchEvent};
use crate::watch::loops::{self, LoopGuard};
use crate::workspace::{self, Workspace};
use color_eyre::eyre::Result;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::mpsc::unbounded_channel;
use tokio_util::sync::CancellationToken;

/// What started a run.
const STARTUP: &str = "startup";

struct Session {
    ws: Workspace,
    /// Checks named on the command line (empty: all).
    only: Vec<String>,
    trust_flag: bool,
    register: bool,
    slots: Slots,
    latest: BTreeMap<String, RunOutcome>,
    triggers: Triggers,
    /// Pauses a check that keeps re-triggering itself.
    guard: LoopGuard,
    /// Running the checks for the others, or following the one that does.
    member: Member,
    /// While following: the runs of the runner not finished yet.
    pending: BTreeMap<String, u64>,
    /// When this began (RFC 3339): runs the runner finished before are not news.
    began: String,
}

pub fn run(
    ws: Workspace,
    only: Vec<String>,
    jobs: usize,
    trust_flag: bool,
    register: bool,
) -> Result<ExitCode> {
    let runtime = workspace::runtime()?;
    runtime.block_on(watch(ws, only, jobs, trust_flag, register))
}

async fn watch(
    ws: Workspace,
    only: Vec<String>,
    jobs: usize,
    trust_flag: bool,
    register: bool,
) -> Result<ExitCode> {
    let windows = RunWindows::new(Some(ws.marks_dir()));
    let mut options = ws.watch_options();
    options.runs = Some(windows.clone());
    let (_watching, mut events) = engine::spawn(options);
    let (done, mut runs) = unbounded_channel();
    let ctx = ws.run_context();
    let triggers = Triggers::new(&selected(&ws.config, &only));
    let capacity = ws.config.runner.output_lines;
    let member = Member::open(MemberOptions {
        link: LinkOptions {
            state_dir: ws.repo.state_dir.clone(),
            root: ws.repo.root.clone(),
            sharing: ws.repo.sharing,
            capacity,
            checks: ws.config.checks.clone(),
        },
        role: Role::Watch,
        claim: true,
        tails: false,
    });
    let mut session = Session {
        ws,
        only,
        trust_flag,
        register,
        slots: Slots::new(ctx, jobs, capacity, done).with_windows(windows),
        latest: BTreeMap::new(),
        triggers,
        guard: LoopGuard::default(),
        member,
        pending: BTreeMap::new(),
        began: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
    };
    if session.member.is_runner() {
        let specs = selected(&session.ws.config, &session.only);
        session.start(&specs, STARTUP);
    } else {
        session.say_following();
    }
    let stop = CancellationToken::new();
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(super::running::cancel_on_signal(stop.clone(), interrupted));
    let mut code = exit::INTERRUPTED;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            Some(event) = events.recv() => {
                if let WatchEvent::Gone(root) = &event {
                    errln!(
                        "preflight: the repository {} is gone (moved or deleted): watch mode stops",
                        Line(&root.display().to_string())
                    );
                    code = exit::ERROR;
                    break;
                }
                session.on_event(event);
            }
            Some(run) = runs.recv() => match run {
                RunEvent::Started { check, generation, trigger } => {
                    if session.slots.is_current(&check, generation) {
                        session.member.running(&check, &trigger);
                        outln!("{} ▶ {} ({})", clock(), Line(&check), Line(&trigger));
                    }
                }
                RunEvent::Finished(done) => session.on_finished(*done),
            },
            Some(seen) = session.member.seen.recv() => session.on_seen(seen),
            Some(lock) = session.member.took.recv() => session.take_over(lock),
        }
        if crate::console::stdout_closed() {
            break; // nobody reads us any more (`check --watch | head`)
        }
    }
    session.slots.stop_all().await;
    Ok(ExitCode::from(code))
}

/// The checks to run: those named, or all.
fn selected(config: &Config, only: &[String]) -> Vec<CheckSpec> {
    config
        .checks
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.id))
        .cloned()
        .collect()
}

impl Session {
    /// Queue runs of `specs` and announce them to the followers.
    fn start(&mut self, specs: &[CheckSpec], trigger: &str) {
        for spec in specs {
            self.slots.start(spec, trigger);
            self.member.queued(&spec.id, trigger);
        }
    }

    fn is_selected(&self, check: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|c| c == check)
    }

    fn say_following(&self) {
        let who = self
            .member
            .first_runner()
            .map_or_else(|| "another process".to_string(), |h| h.label());
        outln!(
            "{} following the runner {}: it runs the checks, this shows its runs and takes over when it goes (Ctrl-C to stop)",
            clock(),
            Line(&who)
        );
    }

    fn on_seen(&mut self, seen: Seen) {
        match seen {
            Seen::Entry { entry, .. } if !self.member.is_runner() => {
                self.member.saw(&entry);
                self.on_entry(*entry);
            }
            Seen::Runner(holder) if !self.member.is_runner() => match holder {
                Some(holder) if self.member.is_me(&holder) => {}
                Some(holder) => outln!("{} runner: {}", clock(), Line(&holder.label())),
                None => outln!("{} the runner left", clock()),
            },
            Seen::Requests(requests) if self.member.is_runner() => {
                for request in requests {
                    let asked = [(request.check.clone(), request.after)];
                    if self.member.still_wanted(&asked).is_empty()
                        || !self.is_selected(&request.check)
                    {
                        continue;
                    }
                    if let Some(spec) = self.ws.config.check(&request.check).cloned() {
                        self.start(&[spec], &format!("r by {}", request.by));
                    }
                }
            }
            Seen::Entry { .. } | Seen::Runner(_) | Seen::Requests(_) => {}
        }
    }

    /// A run of the runner followed: its start and its end, then the summary once
    /// nothing runs.
    fn on_entry(&mut self, entry: Entry) {
        if !self.is_selected(&entry.check) {
            return;
        }
        match entry.phase {
            Phase::Queued => {
                self.pending.insert(entry.check.clone(), entry.seq);
            }
            Phase::Running => {
                self.pending.insert(entry.check.clone(), entry.seq);
                outln!(
                    "{} ▶ {} ({}) · runner {}",
                    clock(),
                    Line(&entry.check),
                    Line(&entry.trigger),
                    Line(&entry.runner)
                );
            }
            Phase::Done => {
                let Some(result) = entry.result.as_ref() else {
                    return;
                };
                let outcome = result.outcome();
                if result.record.finished_at < self.began {
                    self.latest.insert(entry.check.clone(), outcome);
                    return;
                }
                outln!(
                    "{} {} ({})",
                    clock(),
                    finished_line(&outcome),
                    Line(&entry.trigger)
                );
                self.latest.insert(entry.check.clone(), outcome);
                let was_pending = self.pending.remove(&entry.check).is_some();
                if was_pending && self.pending.is_empty() {
                    self.summary();
                }
            }
        }
    }

    /// The runner went: this one runs the checks now, starting with what it left.
    fn take_over(&mut self, lock: crate::pairing::RunnerLock) {
        let runs = self.member.take_over(lock);
        self.pending.clear();
        outln!("{} the runner left: this one runs the checks now", clock());
        for (check, trigger) in runs {
            if !self.is_selected(&check) {
                continue;
            }
            if let Some(spec) = self.ws.config.check(&check).cloned() {
                self.start(&[spec], &trigger);
            }
        }
    }

    fn summary(&self) {
        let outcomes: Vec<RunOutcome> = self
            .ws
            .config
            .checks
            .iter()
            .filter_map(|c| self.latest.get(&c.id).cloned())
            .collect();
        print_summary(&self.ws, &outcomes);
    }

    fn on_finished(&mut self, done: Finished) {
        if !self.slots.accept(&done) {
            outln!(
                "{} ↻ {} cancelled: its inputs changed",
                clock(),
                Line(&done.check)
            );
            return;
        }
        outln!(
            "{} {} ({})",
            clock(),
            finished_line(&done.outcome),
            Line(&done.trigger)
        );
        // One `git status` for the history and the register.
        let head = self.ws.repo.head();
        super::check::remember(&self.ws, head.as_ref(), std::slice::from_ref(&done.outcome));
        if self.register {
            match register::file_outcomes(
                &self.ws.repo,
                &self.ws.config,
                head.as_ref(),
                std::slice::from_ref(&done.outcome),
            ) {
                Ok(filed) => {
                    for error in &filed.errors {
                        errln!("preflight: warning: {}", Line(error));
                    }
                    if let Some(line) = filed.summary() {
                        outln!("{} {line}", clock());
                    }
                    if let Some(hint) = filed.flood_hint() {
                        errln!("preflight: {hint}");
                    }
                }
                Err(e) => errln!(
                    "preflight: warning: cannot file findings: {}",
                    Line(&e.to_string())
                ),
            }
        }
        // Announced once filed, so a follower that shows it finds the register done.
        let (publisher, entry) = self.member.finishing(&done.check, &done.trigger);
        let record = crate::history::RunRecord::from_outcome(
            &done.outcome,
            head.as_ref().and_then(|h| h.commit.clone()),
            head.as_ref().is_some_and(|h| h.dirty > 0),
        );
        publisher.publish(Entry {
            result: Some(RunResult::of(&done.outcome, record)),
            ..entry
        });
        self.latest.insert(done.check.clone(), done.outcome);
        if self.slots.idle() {
            self.summary();
        }
    }

    fn on_event(&mut self, event: WatchEvent) {
        match event {
            WatchEvent::Changed(changes) => {
                if !self.member.is_runner() {
                    // The runner runs them; remembered in case it goes before it does.
                    let affected: Vec<(String, String)> = self
                        .triggers
                        .affected(&changes.paths)
                        .into_iter()
                        .map(|(id, path)| (id, path.display().to_string()))
                        .collect();
                    self.member.missed(&affected);
                    return;
                }
                let reruns = loops::reruns(&self.triggers, &mut self.guard, &changes);
                for message in reruns.paused {
                    outln!("{} ⏸ {message}", clock());
                }
                for (id, trigger) in reruns.run {
                    if let Some(spec) = self.ws.config.check(&id).cloned() {
                        self.start(&[spec], &trigger);
                    }
                }
            }
            WatchEvent::Config => self.reload(),
            WatchEvent::Overflow if self.member.is_runner() => {
                outln!(
                    "{} too many changes at once to tell which: re-running every check",
                    clock()
                );
                let specs = selected(&self.ws.config, &self.only);
                self.start(&specs, "many changes");
            }
            WatchEvent::Overflow => {}
            WatchEvent::Warning(message) => {
                errln!("preflight: warning: {}", Line(&message))
            }
            WatchEvent::Ready(folders) => outln!(
                "{} watching {} ({folders} folders; Ctrl-C to stop)",
                clock(),
                Line(&self.ws.repo.root.display().to_string())
            ),
            WatchEvent::Register(_) | WatchEvent::Plans(_) | WatchEvent::Gone(_) => {}
        }
    }

    /// Re-read preflight.toml; an invalid or untrusted edit keeps the running config.
    fn reload(&mut self) {
        let candidate = match self.ws.reload() {
            Ok(candidate) => candidate,
            Err(error) => {
                outln!(
                    "{} ✖ {}; still running the previous configuration",
                    clock(),
                    Line(&error)
                );
                return;
            }
        };
        if let Err(e) = require_trust(&candidate, self.trust_flag) {
            outln!(
                "{} ✖ {}; still running the previous configuration",
                clock(),
                Line(&e.to_string())
            );
            return;
        }
        self.ws = candidate;
        self.triggers = Triggers::new(&selected(&self.ws.config, &self.only));
        self.member.set_checks(self.ws.config.checks.clone());
        outln!(
            "{} ↻ reloaded {} ({} checks)",
            clock(),
            self.ws.config_name(),
            selected(&self.ws.config, &self.only).len()
        );
    }
}
