//! `update(model, msg) → effects`: every change of the cockpit's state, and nothing
//! else. No terminal, no files, no processes here: the app carries out the effects
//! and feeds their results back as messages, so all of this is tested without a
//! terminal.

mod actions;
mod bulk;
mod log;
mod mouse;
mod navigate;
mod output;
mod overlay;
mod pairing;
mod palette;
mod plan;
mod prompt;
mod register;
mod sync;
mod wrote;

use actions::refuse_triage;
pub use actions::{act, key_for};
use bulk::{index, mark, mark_all, on_triage, range, undo, unmark, write_batch};
use navigate::{move_by, page};
use output::{
    find_match, find_match_from_tail, scroll_sideways, toggle_follow, toggle_wrap, toggle_zoom,
};
use overlay::on_overlay_key;
use pairing::{on_board, on_runner, took_over};
use palette::on_palette_key;
pub use palette::{palette_matches, Entry};
use plan::{cancel_task, cycle_task, toggle_fold};
pub use prompt::expiry_day;
use prompt::{apply_filter, on_input_key, on_paste};
use register::{copy, edit, open_code, sort_by, source_for_detail, toggle_detail};
use sync::{on_filed, on_issue_changed};
pub use wrote::{describe_change, refusal_text};
use wrote::{on_edit_refused, on_wrote, replay_deferred};

use super::action::Action;
use super::field::Field;
use super::keymap::Key;
use super::model::{
    Ask, CheckPhase, Model, Notice, NoticeKind, Overlay, Pane, Placed, PlanRow, Runner, Source,
    Watching,
};
use super::triage::{triage, Batch, BatchKind, Prompt, Refusal, Triage, Write};
use crate::domain::filter::Filter;
use crate::domain::issue::{DismissReason, Issue};
use crate::domain::plan::TaskStatus;
use crate::history::RunRecord;
use crate::runner::Output;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use std::time::Instant;

/// Everything that can happen to the cockpit.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): text for a prompt, never keys.
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passed while something runs (spinner, streaming output).
    Tick,
    /// The watcher is ready (folders watched) or failed.
    WatchReady(usize),
    /// The repository's branch, commit and dirty files, read again (`None`: not a git
    /// repository, or unreadable).
    Head(Option<crate::repo::Head>),
    WatchFailed(String),
    /// Source files changed: the checks they affect, each with the path that did it.
    Affected(Vec<(String, String)>),
    /// The whole register was read again.
    Issues(Vec<Issue>),
    /// The baseline was read again.
    Baseline(crate::domain::baseline::Baseline),
    /// One issue changed on disk (`None`: its file is gone).
    IssueChanged(String, Option<Issue>),
    /// A run got its job slot.
    Started {
        check: String,
    },
    /// A run was queued; its output fills `output`.
    Queued {
        check: String,
        trigger: String,
        output: Output,
    },
    /// The current run of a check ended.
    Finished {
        check: String,
        record: RunRecord,
    },
    /// A run's findings were filed into the register (after `Issues` with them).
    Filed {
        check: String,
        created: Vec<String>,
        verified: Vec<String>,
        reopened: Vec<String>,
    },
    /// One write of a batch was done (or refused).
    Wrote {
        batch: u64,
        /// The issue before the write (`None` for a new issue).
        before: Option<Box<Issue>>,
        result: Result<Issue, Refusal>,
    },
    /// An `$EDITOR` save of an issue could not be taken (nothing was written).
    EditRefused {
        batch: u64,
        id: String,
        base: u64,
        error: String,
        /// The user's text is kept: offer to edit it again.
        again: bool,
    },
    /// Source lines around a finding, read for the detail.
    Source(Source),
    /// The configuration or the plan was read again.
    Config(Box<crate::config::Config>),
    /// Trust was granted (checks may run now).
    Trusted,
    /// The runner's board changed for a check (a follower shows the runner's runs
    /// from it; the runner itself takes only the run's number). `output` is a ring
    /// the run's log is followed into, for a run not shown before.
    Board {
        entry: Box<crate::pairing::Entry>,
        output: Option<Output>,
    },
    /// Another process runs the checks now (or nobody does).
    Runner(Runner),
    /// The runner went and this cockpit took over: it runs these checks (each with
    /// what started it), the ones the last runner left unfinished or never started.
    TookOver(Vec<(String, String)>),
    /// Something to tell the user, until the next key.
    Notice(NoticeKind, String),
}

impl Msg {
    /// A notice that something went wrong.
    pub fn warn(text: impl Into<String>) -> Msg {
        Msg::Notice(NoticeKind::Error, text.into())
    }

    /// A notice of something done.
    pub fn tell(text: impl Into<String>) -> Msg {
        Msg::Notice(NoticeKind::Info, text.into())
    }
}

/// What the app must do for the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// One write of a batch, answered by a `Msg::Wrote` with the batch.
    Write {
        batch: u64,
        write: Write,
    },
    NewIssue {
        batch: u64,
        title: String,
    },
    /// Run these checks (started by `trigger`).
    Run {
        checks: Vec<String>,
        trigger: String,
    },
    /// Run these checks again, each unless a run newer than the one shown (the
    /// number given) started since; a follower asks the runner to.
    Rerun {
        checks: Vec<(String, u64)>,
        trigger: String,
    },
    /// Become the runner if nobody is, else wait to take over (trust was granted).
    Claim,
    Trust,
    /// Edit a copy of the issue's file in `$EDITOR` (the terminal suspended), then
    /// save it through the revision check (based on `base`), answered by a
    /// `Msg::Wrote` or a `Msg::EditRefused`. `again`: edit the copy kept from the last
    /// try.
    Edit {
        batch: u64,
        id: String,
        base: u64,
        again: bool,
    },
    /// Open a file of the repository in `$EDITOR` at a line.
    OpenCode {
        path: String,
        line: Option<u32>,
    },
    /// Read the lines around `line` of a file of the repository (`Msg::Source`).
    ReadSource {
        path: String,
        line: u32,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Clear the terminal and draw everything again.
    Redraw,
    /// Give the terminal back and stop (ctrl-z); draw again when continued.
    Suspend,
    SetTask {
        task: String,
        status: TaskStatus,
    },
}

impl Effect {
    /// A write to the register, answered by a `Msg::Wrote` (or `Msg::EditRefused`).
    pub fn writes_register(&self) -> bool {
        matches!(
            self,
            Effect::Write { .. } | Effect::NewIssue { .. } | Effect::Edit { .. }
        )
    }
}

/// Apply one message; return what the app must do.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let effects = apply(model, msg);
    model.writing += effects.iter().filter(|e| e.writes_register()).count();
    effects
}

fn apply(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            model.notice = None;
            on_key(model, key)
        }
        Msg::Paste(text) => on_paste(model, &text),
        Msg::Mouse(event) => mouse::on_mouse(model, event),
        Msg::Resize(w, h) => {
            model.size = (w, h);
            fix_offsets(model);
            Vec::new()
        }
        Msg::Tick => {
            model.spin = model.spin.wrapping_add(1);
            Vec::new()
        }
        Msg::WatchReady(folders) => {
            model.watcher_ready = Some(folders);
            if matches!(model.watching, Watching::Starting) {
                model.watching = Watching::On { folders };
            }
            Vec::new()
        }
        Msg::Head(head) => {
            on_head(model, head);
            Vec::new()
        }
        Msg::WatchFailed(why) => {
            model.watching = Watching::Off(why);
            Vec::new()
        }
        Msg::Affected(affected) => on_affected(model, affected),
        Msg::Issues(issues) => {
            held_steady(model, |m| m.set_issues(issues));
            source_for_detail(model)
        }
        Msg::Baseline(baseline) => {
            model.set_baseline(baseline);
            Vec::new()
        }
        Msg::IssueChanged(id, issue) => {
            on_issue_changed(model, id, issue);
            source_for_detail(model)
        }
        Msg::Filed {
            check,
            created,
            verified,
            reopened,
        } => {
            on_filed(model, check, created, verified, reopened);
            Vec::new()
        }
        Msg::Queued {
            check,
            trigger,
            output,
        } => {
            on_queued(model, &check, trigger, output);
            Vec::new()
        }
        Msg::Started { check } => on_started(model, &check),
        Msg::Finished { check, record } => on_finished(model, &check, record),
        Msg::Wrote {
            batch,
            before,
            result,
        } => {
            model.writing = model.writing.saturating_sub(1);
            on_wrote(model, batch, before, result);
            let mut effects = replay_deferred(model);
            effects.extend(source_for_detail(model));
            effects
        }
        Msg::EditRefused {
            batch,
            id,
            base,
            error,
            again,
        } => on_edit_refused(model, batch, id, base, error, again),
        Msg::Source(source) => {
            model.source = Some(source);
            Vec::new()
        }
        Msg::Config(config) => {
            model.set_config(*config);
            let rows = model.plan_rows().len();
            model.plan_selected = model.plan_selected.min(rows.saturating_sub(1));
            Vec::new()
        }
        Msg::Trusted => on_trusted(model),
        Msg::Board { entry, output } => on_board(model, *entry, output),
        Msg::Runner(runner) => on_runner(model, runner),
        Msg::TookOver(runs) => took_over(model, runs),
        Msg::Notice(kind, text) => {
            model.notice = Some(Notice { kind, text });
            Vec::new()
        }
    }
}

fn on_started(model: &mut Model, check: &str) -> Vec<Effect> {
    if let Some(row) = model.check_mut(check) {
        row.phase = CheckPhase::Running {
            since: Instant::now(),
        };
    }
    Vec::new()
}

fn on_finished(model: &mut Model, check: &str, record: RunRecord) -> Vec<Effect> {
    let failed = record.status != crate::domain::check::RunStatus::Passed;
    if let Some(row) = model.check_mut(check) {
        row.phase = CheckPhase::Done;
        row.last = Some(record);
    }
    if failed {
        show_failure(model, check);
    }
    model.refresh_verdict();
    Vec::new()
}

/// The user trusted what runs: remember it (to mark what changes next time), say what
/// the watcher does (it may have been ready for long), and run every check.
fn on_trusted(model: &mut Model) -> Vec<Effect> {
    model.trusted = true;
    model.trusted_before = Some(crate::trust::commands_of(&model.config));
    model.watching = Watching::on(model.watcher_ready);
    model.tell("trusted: running every check");
    // The runner lock first: the first trusted cockpit runs, the others follow.
    vec![Effect::Claim]
}

/// The repository's facts read again (branch, commit, dirty files).
fn on_head(model: &mut Model, head: Option<crate::repo::Head>) {
    let (branch, commit, dirty) = head.map_or((None, None, 0), |h| (h.branch, h.commit, h.dirty));
    let moved = model.repo.commit != commit;
    model.repo.branch = branch;
    model.repo.commit = commit;
    model.repo.dirty = dirty;
    if moved {
        model.refresh_verdict();
    }
}

/// A run of `check` is queued: its new output replaces the last one.
fn on_queued(model: &mut Model, check: &str, trigger: String, output: Output) {
    let shown = model.selected_check().is_some_and(|c| c.id == check);
    if let Some(row) = model.check_mut(check) {
        row.phase = CheckPhase::Queued;
        row.trigger = Some(trigger);
        row.output = Some(output);
    }
    // A pin in the previous run's output means nothing in the new one.
    if shown {
        model.output = model.output.fresh();
    }
}

/// A check failed: show its output, unless the user is looking at the checks or the
/// output, or the output shown is itself running or failing.
fn show_failure(model: &mut Model, check: &str) {
    let busy = matches!(model.focus, Pane::Checks | Pane::Output);
    let shown_matters = model.selected_check().is_some_and(|c| {
        c.id != check
            && (matches!(c.phase, CheckPhase::Queued | CheckPhase::Running { .. })
                || c.last
                    .as_ref()
                    .is_some_and(|l| l.status != crate::domain::check::RunStatus::Passed))
    });
    if busy || shown_matters {
        return;
    }
    if let Some(at) = model.checks.iter().position(|c| c.id == check) {
        if at != model.check_selected {
            model.check_selected = at;
            model.output = model.output.fresh();
        }
    }
}

pub(super) fn on_affected(model: &mut Model, affected: Vec<(String, String)>) -> Vec<Effect> {
    // A follower's runner sees the same change and runs what it affects.
    if !model.trusted || model.read_only || !model.runs_checks() {
        return Vec::new();
    }
    if let Watching::Paused { files, checks } = &mut model.watching {
        for (check, path) in affected {
            checks.insert(check);
            files.insert(path);
        }
        return Vec::new();
    }
    // One effect per trigger path, so each run says what started it.
    let mut effects: Vec<Effect> = Vec::new();
    for (check, path) in affected {
        match effects
            .iter_mut()
            .find(|e| matches!(e, Effect::Run { trigger, .. } if *trigger == path))
        {
            Some(Effect::Run { checks, .. }) => checks.push(check),
            _ => effects.push(Effect::Run {
                checks: vec![check],
                trigger: path,
            }),
        }
    }
    effects
}

pub(super) fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    // Keys after one that waits for a write wait too, in order, unread: what they mean
    // depends on what the waiting one does (opens a picker, moves the highlight).
    if !model.deferred.is_empty() {
        model.deferred.push_back(crate::tui::model::Deferred {
            input: crate::tui::model::Pending::Key(key),
            seen: model.seen.clone(),
        });
        return Vec::new();
    }
    key_now(model, key)
}

/// A key read in the model as it is now.
pub(super) fn key_now(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if let Some(overlay) = model.overlay.take() {
        return on_overlay_key(model, overlay, key);
    }
    // Esc closes what is open; it is never needed (tmux delays it), `q` does the same.
    if key.code == KeyCode::Esc {
        close_one(model);
        return Vec::new();
    }
    let Some(k) = Key::from_event(&key) else {
        return Vec::new();
    };
    let scope = model.focus.scope();
    match model.keys.action(scope, &k) {
        Some(action) => act(model, action),
        None => Vec::new(),
    }
}

/// Close the innermost thing open on the main view: the detail, then a range, then
/// the marks. False when nothing was open (then `q` quits).
pub(super) fn close_one(model: &mut Model) -> bool {
    if model.detail {
        model.detail = false;
        fix_offsets(model);
    } else if model.register.anchor.is_some() {
        model.register.anchor = None;
        model.tell("range dropped");
    } else if !model.register.marks.is_empty() {
        let n = model.register.marks.len();
        model.register.marks.clear();
        model.tell(format!("{n} marks cleared"));
    } else {
        return false;
    }
    true
}

/// Keep the selections of the register and plan within their windows.
pub fn fix_offsets(model: &mut Model) {
    let visible = register_rows_visible(model);
    if let Some(at) = model.register.index(&model.issues) {
        model.register_offset = scroll_into_view(model.register_offset, at, visible);
    }
    let areas = crate::tui::view::layout(model.size, model);
    let plan_visible = usize::from(areas.plan.height.saturating_sub(2)).max(1);
    model.plan_offset = scroll_into_view(model.plan_offset, model.plan_selected, plan_visible);
}

/// How many issue rows the register table shows (less when the detail is open).
pub fn register_rows_visible(model: &Model) -> usize {
    let areas = crate::tui::view::layout(model.size, model);
    let table = crate::tui::view::register_split(areas.register, model.detail).0;
    usize::from(table.height.saturating_sub(3)).max(1)
}

/// Apply a change that comes from elsewhere without moving what the user looks at:
/// the highlighted issue keeps its screen row when rows are added above it.
pub(super) fn held_steady(model: &mut Model, change: impl FnOnce(&mut Model)) {
    let screen_row = model
        .register
        .index(&model.issues)
        .map(|at| at.saturating_sub(model.register_offset));
    change(model);
    if let (Some(row), Some(at)) = (screen_row, model.register.index(&model.issues)) {
        model.register_offset = at.saturating_sub(row);
    }
    fix_offsets(model);
}

/// Keep a line in the session log; what changed counts for `changed:session`.
pub(super) fn record(
    model: &mut Model,
    who: crate::tui::log::Who,
    text: &str,
    ids: Vec<String>,
    error: bool,
) {
    if !error {
        model.register.changed.extend(ids.iter().cloned());
    }
    model.log.push(who, text, ids, error);
}

pub(super) fn scroll_into_view(offset: usize, at: usize, visible: usize) -> usize {
    if at < offset {
        at
    } else if at >= offset + visible {
        at + 1 - visible
    } else {
        offset
    }
}
