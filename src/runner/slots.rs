//! Re-running checks as their inputs change: one slot per check, for the headless
//! watch mode and the cockpit alike.
//!
//! A slot holds the check's current run. Starting a check again cancels that run (its
//! whole process group) and starts the new one once the old group is gone. Every run
//! carries a generation, so the late result of a cancelled run is recognised and
//! dropped instead of overwriting the newer state.

use super::windows::RunWindows;
use super::{run_check, Output, RunContext, RunOutcome};
use crate::domain::check::CheckSpec;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What the slots report on their channel.
#[derive(Debug)]
pub enum RunEvent {
    /// A run got a job slot and its process is starting.
    Started {
        check: String,
        generation: u64,
        trigger: String,
    },
    /// A run ended; it may be a cancelled one (see [`Slots::accept`]).
    Finished(Box<Finished>),
}

/// A run's end, with what it was for.
#[derive(Debug)]
pub struct Finished {
    pub check: String,
    pub generation: u64,
    pub trigger: String,
    pub outcome: RunOutcome,
}

struct Slot {
    generation: u64,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
}

/// Every check's slot, and the job limit they share.
pub struct Slots {
    ctx: RunContext,
    slots: HashMap<String, Slot>,
    jobs: Arc<Semaphore>,
    events: UnboundedSender<RunEvent>,
    /// Lines of output each run keeps in memory.
    capacity: usize,
    /// Where each run's window in time is recorded, for the watcher.
    windows: Option<RunWindows>,
}

impl Slots {
    pub fn new(
        ctx: RunContext,
        jobs: usize,
        capacity: usize,
        events: UnboundedSender<RunEvent>,
    ) -> Slots {
        Slots {
            ctx,
            slots: HashMap::new(),
            jobs: Arc::new(Semaphore::new(jobs.max(1))),
            events,
            capacity,
            windows: None,
        }
    }

    /// Record each run's window in `windows`, so the watcher can tell the runs' own
    /// writes from the user's edits.
    pub fn with_windows(mut self, windows: RunWindows) -> Slots {
        self.windows = Some(windows);
        self
    }

    /// Start `spec` (cancelling its current run, if any). Returns the output the new
    /// run fills, to show while it streams.
    pub fn start(&mut self, spec: &CheckSpec, trigger: &str) -> Output {
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
        let events = self.events.clone();
        let output = Output::new(self.capacity);
        let filling = output.clone();
        let trigger = trigger.to_string();
        let windows = self.windows.clone();
        slot.task = Some(tokio::spawn(async move {
            // The old run's group must be gone before the new one starts.
            if let Some(previous) = previous {
                let _ = previous.await;
            }
            let Ok(_job) = jobs.acquire_owned().await else {
                return;
            };
            if cancel.is_cancelled() {
                return;
            }
            let _ = events.send(RunEvent::Started {
                check: spec.id.clone(),
                generation,
                trigger: trigger.clone(),
            });
            let window = windows.as_ref().map(|w| (w, w.begin(&spec.id)));
            let outcome = run_check(&spec, &ctx, &filling, &cancel).await;
            // The group is gone: nothing of this run writes any more.
            if let Some((windows, seq)) = window {
                windows.end(seq);
            }
            let _ = events.send(RunEvent::Finished(Box::new(Finished {
                check: spec.id.clone(),
                generation,
                trigger,
                outcome,
            })));
        }));
        output
    }

    /// Whether `done` is the check's current run (and then mark the slot idle). A
    /// cancelled run's result is not current and must be dropped.
    pub fn accept(&mut self, done: &Finished) -> bool {
        match self.slots.get_mut(&done.check) {
            Some(slot) if slot.generation == done.generation => {
                slot.task = None;
                true
            }
            _ => false,
        }
    }

    /// Whether `generation` is the check's current run.
    pub fn is_current(&self, check: &str, generation: u64) -> bool {
        self.slots
            .get(check)
            .is_some_and(|s| s.generation == generation)
    }

    /// No run is queued or running.
    pub fn idle(&self) -> bool {
        self.slots.values().all(|s| s.task.is_none())
    }

    /// Cancel every run and wait until their process groups are gone.
    pub async fn stop_all(&mut self) {
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
