//! `preflight check --watch`: run once, then re-run what each change affects.
//!
//! Each check has a slot holding its current run. A change to its inputs cancels that
//! run (its whole process group) and starts a new one once the old group is gone;
//! every run carries a generation, so the late result of a cancelled run is dropped.

use super::check::{print_summary, require_trust};
use super::progress::{clock, finished_line};
use super::Workspace;
use crate::cli::EXIT_INTERRUPTED;
use crate::config::{self, Config, Source};
use crate::domain::check::CheckSpec;
use crate::register;
use crate::runner::{run_check, Output, RunContext, RunOutcome};
use crate::watch::affected::Triggers;
use crate::watch::engine::{self, WatchEvent, WatchOptions};
use color_eyre::eyre::Result;
use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What started a run.
const STARTUP: &str = "startup";

struct Slot {
    generation: u64,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
}

struct Finished {
    check: String,
    generation: u64,
    trigger: String,
    outcome: RunOutcome,
}

struct Session {
    ws: Workspace,
    /// Checks named on the command line (empty: all).
    only: Vec<String>,
    trust_flag: bool,
    register: bool,
    ctx: RunContext,
    slots: HashMap<String, Slot>,
    latest: BTreeMap<String, RunOutcome>,
    jobs: Arc<Semaphore>,
    done: UnboundedSender<Finished>,
    triggers: Triggers,
}

pub fn run(
    ws: Workspace,
    only: Vec<String>,
    jobs: usize,
    trust_flag: bool,
    register: bool,
) -> Result<ExitCode> {
    let runtime = super::runtime()?;
    runtime.block_on(watch(ws, only, jobs, trust_flag, register))
}

async fn watch(
    ws: Workspace,
    only: Vec<String>,
    jobs: usize,
    trust_flag: bool,
    register: bool,
) -> Result<ExitCode> {
    let options = WatchOptions {
        root: ws.repo.root.clone(),
        git_dir: ws.repo.git_dir.clone(),
        state_dir: ws.repo.state_dir.clone(),
        ignore: ws.config.watch.ignore.clone(),
        plans: ws.config.project.plans.clone(),
        debounce: ws.config.watch.debounce,
    };
    let (_watching, mut events) = engine::spawn(options);
    let (done, mut finished) = unbounded_channel();
    let ctx = RunContext {
        root: ws.repo.root.clone(),
        logs_dir: ws.repo.state_dir.join("logs"),
    };
    let triggers = Triggers::new(&selected(&ws.config, &only));
    let mut session = Session {
        ws,
        only,
        trust_flag,
        register,
        ctx,
        slots: HashMap::new(),
        latest: BTreeMap::new(),
        jobs: Arc::new(Semaphore::new(jobs.max(1))),
        done,
        triggers,
    };
    for spec in selected(&session.ws.config, &session.only) {
        session.start(&spec, STARTUP);
    }
    let stop = CancellationToken::new();
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(super::check::cancel_on_signal(stop.clone(), interrupted));
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            Some(event) = events.recv() => session.on_event(event),
            Some(done) = finished.recv() => session.on_finished(done),
        }
    }
    session.stop_all().await;
    Ok(ExitCode::from(EXIT_INTERRUPTED))
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
    fn start(&mut self, spec: &CheckSpec, trigger: &str) {
        let slot = self.slots.entry(spec.id.clone()).or_insert_with(|| Slot {
            generation: 0,
            cancel: CancellationToken::new(),
            task: None,
        });
        slot.generation += 1;
        slot.cancel.cancel();
        slot.cancel = CancellationToken::new();
        let previous = slot.task.take();
        let cancel = slot.cancel.clone();
        let generation = slot.generation;
        let spec = spec.clone();
        let ctx = self.ctx.clone();
        let jobs = self.jobs.clone();
        let done = self.done.clone();
        let capacity = self.ws.config.runner.output_lines;
        let trigger = trigger.to_string();
        slot.task = Some(tokio::spawn(async move {
            // The old run's group must be gone before the new one starts.
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            let _slot = jobs.acquire_owned().await;
            if cancel.is_cancelled() {
                return;
            }
            println!("{} ▶ {} ({trigger})", clock(), spec.id);
            let outcome = run_check(&spec, &ctx, &Output::new(capacity), &cancel).await;
            let _ = done.send(Finished {
                check: spec.id.clone(),
                generation,
                trigger,
                outcome,
            });
        }));
    }

    fn on_finished(&mut self, done: Finished) {
        let current = self
            .slots
            .get(&done.check)
            .is_some_and(|s| s.generation == done.generation);
        if !current {
            println!("{} ↻ {} cancelled: its inputs changed", clock(), done.check);
            return;
        }
        if let Some(slot) = self.slots.get_mut(&done.check) {
            slot.task = None;
        }
        println!(
            "{} {} ({})",
            clock(),
            finished_line(&done.outcome),
            done.trigger
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
                        eprintln!("preflight: warning: {error}");
                    }
                    if let Some(line) = filed.summary() {
                        println!("{} {line}", clock());
                    }
                }
                Err(e) => eprintln!("preflight: warning: cannot file findings: {e}"),
            }
        }
        self.latest.insert(done.check.clone(), done.outcome);
        if self.slots.values().all(|s| s.task.is_none()) {
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
            WatchEvent::Changed(paths) => {
                let affected: Vec<(String, String)> = self
                    .triggers
                    .affected(&paths)
                    .into_iter()
                    .map(|(id, path)| (id, path.display().to_string()))
                    .collect();
                for (id, trigger) in affected {
                    if let Some(spec) = self.ws.config.check(&id).cloned() {
                        self.start(&spec, &trigger);
                    }
                }
            }
            WatchEvent::Config => self.reload(),
            WatchEvent::Overflow => {
                println!(
                    "{} too many changes at once to tell which: re-running every check",
                    clock()
                );
                for spec in selected(&self.ws.config, &self.only) {
                    self.start(&spec, "many changes");
                }
            }
            WatchEvent::Warning(message) => eprintln!("preflight: warning: {message}"),
            WatchEvent::Ready(folders) => println!(
                "{} watching {} ({folders} folders; Ctrl-C to stop)",
                clock(),
                self.ws.repo.root.display()
            ),
            WatchEvent::Register(_) | WatchEvent::Plans(_) => {}
        }
    }

    /// Re-read preflight.toml; an invalid or untrusted edit keeps the running config.
    fn reload(&mut self) {
        let path = self.ws.repo.root.join(config::FILE_NAME);
        let loaded = if path.is_file() {
            config::load_file(&path).map_err(|e| e.to_string())
        } else {
            let text = super::default_text(&self.ws.repo);
            config::load_str(
                &text,
                std::path::Path::new("<embedded default>"),
                Source::Default,
            )
            .map_err(|e| e.to_string())
        };
        let config = match loaded {
            Ok(config) => config,
            Err(error) => {
                println!(
                    "{} ✖ {error}; still running the previous configuration",
                    clock()
                );
                return;
            }
        };
        let candidate = Workspace {
            repo: self.ws.repo.clone(),
            config,
        };
        if let Err(e) = require_trust(&candidate, self.trust_flag) {
            println!(
                "{} ✖ {e}; still running the previous configuration",
                clock()
            );
            return;
        }
        self.ws = candidate;
        self.triggers = Triggers::new(&selected(&self.ws.config, &self.only));
        println!(
            "{} ↻ reloaded {} ({} checks)",
            clock(),
            self.ws.config_name(),
            selected(&self.ws.config, &self.only).len()
        );
    }

    async fn stop_all(&mut self) {
        for slot in self.slots.values() {
            slot.cancel.cancel();
        }
        for slot in self.slots.values_mut() {
            if let Some(task) = slot.task.take() {
                let _ = task.await;
            }
        }
    }
}
