//! Running checks here, headless (`check`, `gate`, `baseline`, and the one-shot run
//! that joins a runner): job slots, live progress on stderr, and the signals that
//! stop the runs.

use super::join::Announcer;
use super::progress::Progress;
use crate::domain::check::CheckSpec;
use crate::exit;
use crate::runner::{run_check, Output, RunOutcome};
use crate::workspace::Workspace;
use color_eyre::eyre::{Result, WrapErr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Run `selected` here, `jobs` at a time; with `announce`, each run is announced on the
/// board as it starts and ends (this process holds the runner lock).
pub async fn run_all(
    ws: &Workspace,
    selected: Vec<&CheckSpec>,
    jobs: usize,
    interrupted: Arc<AtomicBool>,
    announce: Option<Announcer>,
) -> Result<Vec<RunOutcome>> {
    let ctx = ws.run_context();
    let cancel = CancellationToken::new();
    let signals = tokio::spawn(cancel_on_signal(cancel.clone(), interrupted));
    let width = selected
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0);
    let progress = Progress::for_stderr(width);
    let ticker = progress.ticker();
    let slots = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = Vec::new();
    for spec in selected {
        let spec = spec.clone();
        let ctx = ctx.clone();
        let cancel = cancel.clone();
        let slots = slots.clone();
        let progress = progress.clone();
        let capacity = ws.config.runner.output_lines;
        let announce = announce.clone();
        tasks.push(tokio::spawn(async move {
            // Interrupted while it waited for a job slot: it never starts.
            let _slot = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                slot = slots.acquire_owned() => slot.ok(),
            };
            if cancel.is_cancelled() {
                return RunOutcome::not_started(&spec, &ctx);
            }
            let output = Output::new(capacity);
            if let Some(announce) = &announce {
                // A fresh log first: a follower tails it from the announcement on.
                let _ = ctx.start_log(&spec.id);
                announce.running(&spec.id);
            }
            progress.started(&spec.id, &output);
            let outcome = run_check(&spec, &ctx, &output, &cancel).await;
            if let Some(announce) = &announce {
                announce.done(&outcome);
            }
            progress.finished(&outcome);
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.wrap_err("a check task crashed")?);
    }
    // The runs are over; the signal task stays: from now on a signal ends the process
    // (filing the findings may wait for the register lock, and must not outlive Ctrl-C).
    cancel.cancel();
    drop(signals);
    if let Some(ticker) = ticker {
        ticker.abort();
    }
    Ok(outcomes)
}

/// Ctrl-C, SIGTERM and SIGHUP cancel every running check (ending their groups). Once
/// `cancel` is cancelled (a first signal, or the runs are over), the next signal ends
/// the process at once with exit code 130: once tokio handles a signal its default
/// action is gone for good, so without this a later wait (the register lock) would
/// ignore every Ctrl-C. Nothing is lost: every write is atomic, the lock is released
/// by the kernel, and the check groups are ended by the runner's watchdog.
pub async fn cancel_on_signal(cancel: CancellationToken, interrupted: Arc<AtomicBool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    loop {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        interrupted.store(true, Ordering::SeqCst);
        if cancel.is_cancelled() {
            exit_interrupted();
        }
        cancel.cancel();
    }
}

/// End the process now, as interrupted.
fn exit_interrupted() -> ! {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "\npreflight: interrupted");
    std::process::exit(i32::from(exit::INTERRUPTED))
}
