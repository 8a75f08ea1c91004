//! Following the runner: its board's entries become this cockpit's check states, who
//! runs the checks shows in the header, and a cockpit that takes over runs what the
//! last runner left undone.

use super::{on_affected, Effect};
use crate::pairing::{Entry, Phase};
use crate::runner::Output;
use crate::tui::model::{CheckPhase, Model, Runner};
use std::time::{Duration, Instant};

/// A board entry: the runner's own only numbers its row; a follower shows the run.
pub(super) fn on_board(model: &mut Model, entry: Entry, output: Option<Output>) -> Vec<Effect> {
    let follows = !model.runs_checks();
    let Some(row) = model.check_mut(&entry.check) else {
        return Vec::new();
    };
    if entry.seq < row.seq {
        return Vec::new(); // an older run's late news
    }
    row.seq = entry.seq;
    if !follows {
        return Vec::new();
    }
    let fresh_output = output.is_some();
    if let Some(output) = output {
        row.output = Some(output);
    }
    row.trigger = Some(entry.trigger.clone());
    match entry.phase {
        Phase::Queued => row.phase = CheckPhase::Queued,
        Phase::Running => {
            let ran = entry
                .started_ms
                .map_or(0, |at| crate::pairing::board::now_ms().saturating_sub(at));
            row.phase = CheckPhase::Running {
                since: Instant::now()
                    .checked_sub(Duration::from_millis(ran))
                    .unwrap_or_else(Instant::now),
            };
        }
        Phase::Done => {
            row.phase = CheckPhase::Done;
            if let Some(result) = entry.result {
                row.last = Some(result.record);
            }
            model.refresh_verdict();
        }
    }
    // A pin in the previous run's output means nothing in the new one.
    if fresh_output && model.selected_check().is_some_and(|c| c.id == entry.check) {
        model.output = model.output.fresh();
    }
    Vec::new()
}

/// Another process runs the checks now, or nobody does: a run the last runner left
/// unfinished is not running any more.
pub(super) fn on_runner(model: &mut Model, runner: Runner) -> Vec<Effect> {
    if model.runs_checks() {
        return Vec::new();
    }
    if runner == Runner::Nobody {
        for row in &mut model.checks {
            if matches!(row.phase, CheckPhase::Queued | CheckPhase::Running { .. }) {
                row.phase = CheckPhase::Idle;
            }
        }
    }
    model.runner = runner;
    Vec::new()
}

/// This cockpit runs the checks from now on; it runs `runs` (check, trigger), which
/// the last runner left unfinished or did not start.
pub(super) fn took_over(model: &mut Model, runs: Vec<(String, String)>) -> Vec<Effect> {
    let was = std::mem::replace(&mut model.runner, Runner::Me);
    let who = match was {
        Runner::Other(label) => format!("{label} left"),
        Runner::Me | Runner::Nobody => "the runner left".to_string(),
    };
    if runs.is_empty() {
        model.tell(format!("{who}: this cockpit runs the checks now"));
    } else {
        let names: Vec<&str> = runs.iter().map(|(c, _)| c.as_str()).collect();
        model.tell(format!(
            "{who}: this cockpit runs the checks now; running {}",
            names.join(", ")
        ));
    }
    on_affected(model, runs)
}
