//! `preflight check --watch`: run once, then re-run what each change affects.
//!
//! Each check has a slot holding its current run. A change to its inputs cancels that
//! run (its whole process group) and starts a new one once the old group is gone;
//! every run carries a generation, so the late result of a cancelled run is dropped.

use super::check::{print_summary, require_trust};
use super::progress::{clock, finished_line};
use crate::config::Config;
use crate::domain::check::CheckSpec;
use crate::exit;
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
    let mut session = Session {
        ws,
        only,
        trust_flag,
        register,
        slots: Slots::new(ctx, jobs, capacity, done).with_windows(windows),
        latest: BTreeMap::new(),
        triggers,
        guard: LoopGuard::default(),
    };
    for spec in selected(&session.ws.config, &session.only) {
        session.slots.start(&spec, STARTUP);
    }
    let stop = CancellationToken::new();
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(super::check::cancel_on_signal(stop.clone(), interrupted));
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
                        outln!("{} ▶ {} ({})", clock(), Line(&check), Line(&trigger));
                    }
                }
                RunEvent::Finished(done) => session.on_finished(*done),
            },
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
        self.latest.insert(done.check.clone(), done.outcome);
        if self.slots.idle() {
            let order: Vec<&RunOutcome> = self
                .ws
                .config
                .checks
                .iter()
                .filter_map(|c| self.latest.get(&c.id))
                .collect();
            let outcomes: Vec<RunOutcome> = order.into_iter().cloned().collect();
            print_summary(&self.ws, &outcomes);
        }
    }

    fn on_event(&mut self, event: WatchEvent) {
        match event {
            WatchEvent::Changed(changes) => {
                let reruns = loops::reruns(&self.triggers, &mut self.guard, &changes);
                for message in reruns.paused {
                    outln!("{} ⏸ {message}", clock());
                }
                for (id, trigger) in reruns.run {
                    if let Some(spec) = self.ws.config.check(&id).cloned() {
                        self.slots.start(&spec, &trigger);
                    }
                }
            }
            WatchEvent::Config => self.reload(),
            WatchEvent::Overflow => {
                outln!(
                    "{} too many changes at once to tell which: re-running every check",
                    clock()
                );
                for spec in selected(&self.ws.config, &self.only) {
                    self.slots.start(&spec, "many changes");
                }
            }
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
        outln!(
            "{} ↻ reloaded {} ({} checks)",
            clock(),
            self.ws.config_name(),
            selected(&self.ws.config, &self.only).len()
        );
    }
}
