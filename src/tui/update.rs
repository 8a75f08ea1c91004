//! `update(model, msg) → effects`: every change of the cockpit's state, and nothing
//! else. No terminal, no files, no processes here: the app carries out the effects
//! and feeds their results back as messages, so all of this is tested without a
//! terminal.

use super::keymap::{Key, Scope, ACTIONS};
use super::model::{Ask, CheckPhase, Model, Overlay, Pane, PlanRow, Watching};
use super::triage::{triage, Prompt, Triage, Write};
use crate::domain::filter::Filter;
use crate::domain::issue::{DismissReason, Issue};
use crate::domain::plan::TaskStatus;
use crate::history::RunRecord;
use crate::runner::Output;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;

/// Everything that can happen to the cockpit.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Time passed while something runs (spinner, streaming output).
    Tick,
    /// The watcher is ready (folders watched) or failed.
    WatchReady(usize),
    WatchFailed(String),
    /// Source files changed: the checks they affect, each with the path that did it.
    Affected(Vec<(String, String)>),
    /// The whole register was read again.
    Issues(Vec<Issue>),
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
    /// A triage write was done (or refused: the error says why, in one line).
    Wrote {
        before: Option<Box<Issue>>,
        result: Result<Issue, String>,
        /// An undo's result is not itself undoable.
        undo: bool,
    },
    /// The configuration or the plan was read again.
    Config(Box<crate::config::Config>),
    /// Trust was granted (checks may run now).
    Trusted,
    /// Something to tell the user: (error?, text).
    Notice(bool, String),
}

/// What the app must do for the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    Write(Write),
    Dismiss {
        id: String,
        base: u64,
        reason: DismissReason,
        note: Option<String>,
        expires: Option<String>,
    },
    NewIssue {
        title: String,
    },
    /// Run these checks (started by `trigger`).
    Run {
        checks: Vec<String>,
        trigger: String,
    },
    Trust,
    /// Stop or resume acting on file changes (the register is always followed).
    Pause(bool),
    /// Open the issue's file in `$EDITOR`, with the terminal suspended.
    Edit(String),
    SetTask {
        task: String,
        status: TaskStatus,
    },
}

/// Apply one message; return what the app must do.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            model.notice = None;
            on_key(model, key)
        }
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
            if matches!(model.watching, Watching::Starting) {
                model.watching = Watching::On { folders };
            }
            Vec::new()
        }
        Msg::WatchFailed(why) => {
            model.watching = Watching::Off(why);
            Vec::new()
        }
        Msg::Affected(affected) => on_affected(model, affected),
        Msg::Issues(issues) => {
            model.set_issues(issues);
            fix_offsets(model);
            Vec::new()
        }
        Msg::IssueChanged(id, issue) => {
            model.put_issue(&id, issue);
            model.register.keep_selection(&model.issues);
            model.refresh_verdict();
            fix_offsets(model);
            Vec::new()
        }
        Msg::Queued {
            check,
            trigger,
            output,
        } => {
            if let Some(row) = model.check_mut(&check) {
                row.phase = CheckPhase::Queued;
                row.trigger = Some(trigger);
                row.output = Some(output);
            }
            if model.output.follow {
                model.output.scroll = 0;
            }
            Vec::new()
        }
        Msg::Started { check } => {
            if let Some(row) = model.check_mut(&check) {
                row.phase = CheckPhase::Running {
                    since: Instant::now(),
                };
            }
            Vec::new()
        }
        Msg::Finished { check, record } => {
            if let Some(row) = model.check_mut(&check) {
                row.phase = CheckPhase::Done;
                row.last = Some(record);
            }
            model.refresh_verdict();
            Vec::new()
        }
        Msg::Wrote {
            before,
            result,
            undo,
        } => {
            on_wrote(model, before, result, undo);
            Vec::new()
        }
        Msg::Config(config) => {
            model.set_config(*config);
            let rows = model.plan_rows().len();
            model.plan_selected = model.plan_selected.min(rows.saturating_sub(1));
            Vec::new()
        }
        Msg::Trusted => {
            model.trusted = true;
            model.watching = Watching::Starting;
            model.tell("trusted: running every check");
            vec![run_all(model, "trusted")]
        }
        Msg::Notice(error, text) => {
            if error {
                model.warn(text);
            } else {
                model.tell(text);
            }
            Vec::new()
        }
    }
}

fn run_all(model: &Model, trigger: &str) -> Effect {
    Effect::Run {
        checks: model.checks.iter().map(|c| c.id.clone()).collect(),
        trigger: trigger.to_string(),
    }
}

fn on_affected(model: &mut Model, affected: Vec<(String, String)>) -> Vec<Effect> {
    if !model.trusted || model.read_only {
        return Vec::new();
    }
    if let Watching::Paused { pending } = &mut model.watching {
        *pending += affected.len();
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

fn on_wrote(
    model: &mut Model,
    before: Option<Box<Issue>>,
    result: Result<Issue, String>,
    undo: bool,
) {
    match result {
        Ok(issue) => {
            let id = issue.id.clone();
            let was_at = model.register.index(&model.issues);
            let what = match &before {
                Some(old) => describe_change(old, &issue),
                None => format!("filed {id}: {}", issue.title),
            };
            if let (Some(old), false) = (&before, undo) {
                model.undo.record((**old).clone(), issue.revision);
            }
            let created = before.is_none();
            model.put_issue(&id, Some(issue));
            if created {
                model.register.selected = Some(id.clone());
            }
            if model.register.current(&model.issues).is_none() {
                // It left the filtered view: highlight its neighbour.
                let rows = model.register.rows(&model.issues);
                let at = was_at.unwrap_or(0).min(rows.len().saturating_sub(1));
                model.register.selected = rows.get(at).map(|i| i.id.clone());
            }
            model.refresh_verdict();
            fix_offsets(model);
            let hint = if undo || model.undo.is_empty() {
                ""
            } else {
                " (u undoes)"
            };
            model.tell(format!(
                "{}{what}{hint}",
                if undo { "undone: " } else { "" }
            ));
        }
        Err(error) => model.warn(error),
    }
}

/// "PF-7K3Q9X: severity high → critical" from the issue before and after.
fn describe_change(old: &Issue, new: &Issue) -> String {
    let mut parts = Vec::new();
    if old.severity != new.severity {
        parts.push(format!(
            "severity {} → {}",
            old.severity.as_str(),
            new.severity.as_str()
        ));
    }
    if old.status != new.status {
        parts.push(format!("{} → {}", old.status.as_str(), new.status.as_str()));
    }
    if old.blocker != new.blocker {
        parts.push(
            if new.blocker {
                "release blocker"
            } else {
                "not a blocker"
            }
            .to_string(),
        );
    }
    if old.owner != new.owner {
        parts.push(format!("owner {}", new.owner.as_deref().unwrap_or("-")));
    }
    if parts.is_empty() {
        parts.push("updated".to_string());
    }
    format!("{}: {}", new.id, parts.join(", "))
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if let Some(overlay) = model.overlay.take() {
        return on_overlay_key(model, overlay, key);
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

/// Run a named action (from a key or the palette).
pub fn act(model: &mut Model, action: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        "quit" => {
            model.quit = true;
            effects.push(Effect::Quit);
        }
        "help" => model.overlay = Some(Overlay::Help { scroll: 0 }),
        "palette" => {
            model.overlay = Some(Overlay::Palette {
                input: String::new(),
                selected: 0,
            })
        }
        "next-pane" => model.focus = model.focus.cycle(true),
        "prev-pane" => model.focus = model.focus.cycle(false),
        "down" => move_by(model, 1),
        "up" => move_by(model, -1),
        "page-down" => move_by(model, page(model) as isize),
        "page-up" => move_by(model, -(page(model) as isize)),
        "top" => move_by(model, isize::MIN / 2),
        "bottom" => move_by(model, isize::MAX / 2),
        "filter" => {
            let (ask, text) = match model.focus {
                Pane::Output => (Ask::Search, model.output.search.clone().unwrap_or_default()),
                _ => {
                    model.focus = Pane::Register;
                    (Ask::Filter, model.register.filter_text.clone())
                }
            };
            model.overlay = Some(Overlay::Input { ask, text });
        }
        "open" => match model.focus {
            Pane::Register => model.detail = !model.detail,
            Pane::Checks => model.focus = Pane::Output,
            Pane::Plan => toggle_fold(model),
            Pane::Output => {}
        },
        "rerun" => {
            if let Some(refusal) = refuse_run(model) {
                model.warn(refusal);
            } else if let Some(check) = model.selected_check() {
                effects.push(Effect::Run {
                    checks: vec![check.id.clone()],
                    trigger: "r".into(),
                });
            }
        }
        "rerun-all" => match refuse_run(model) {
            Some(refusal) => model.warn(refusal),
            None => effects.push(run_all(model, "R")),
        },
        "pause-watch" => match &model.watching {
            Watching::Paused { pending } => {
                let pending = *pending;
                model.watching = Watching::On { folders: 0 };
                effects.push(Effect::Pause(false));
                if pending > 0 {
                    model.tell(format!(
                        "watching again; {pending} changes while paused: re-running"
                    ));
                    effects.push(run_all(model, "resumed"));
                } else {
                    model.tell("watching again");
                }
            }
            Watching::On { .. } | Watching::Starting => {
                model.watching = Watching::Paused { pending: 0 };
                model.tell("paused: changes are noted, nothing re-runs until p");
                effects.push(Effect::Pause(true));
            }
            Watching::Off(why) => {
                let why = why.clone();
                model.warn(format!("not watching: {why}"));
            }
        },
        "trust" => {
            if model.trusted {
                model.tell("this repository is already trusted");
            } else if model.read_only {
                model.warn("read-only: trust it with `preflight trust`");
            } else {
                model.overlay = Some(Overlay::Trust);
            }
        }
        "follow" => {
            model.output.follow = !model.output.follow;
            if model.output.follow {
                model.output.scroll = 0;
            }
        }
        "next-match" | "prev-match" => find_match(model, action == "next-match"),
        "sort" => {
            model.register.sort = model.register.sort.next();
            let name = model.register.sort.name();
            model.tell(format!("sorted by {name}"));
            fix_offsets(model);
        }
        "cycle-task" => effects.extend(cycle_task(model)),
        "edit" => {
            if let Some(refusal) = refuse_triage(model) {
                model.warn(refusal);
            } else if let Some((id, _)) = model.seen.clone() {
                effects.push(Effect::Edit(id));
            }
        }
        "undo" => {
            if let Some(refusal) = refuse_triage(model) {
                model.warn(refusal);
            } else {
                match model.undo.undo() {
                    Some(write) => effects.push(Effect::Write(write)),
                    None => model.tell("nothing to undo"),
                }
            }
        }
        "new-issue" => match refuse_triage(model) {
            Some(refusal) => model.warn(refusal),
            None => {
                model.overlay = Some(Overlay::Input {
                    ask: Ask::NewTitle,
                    text: String::new(),
                })
            }
        },
        triage_action
            if is_triage_action(triage_action)
                && !matches!(triage_action, "new-issue" | "edit" | "undo" | "cycle-task") =>
        {
            effects.extend(on_triage(model, triage_action))
        }
        _ => {}
    }
    fix_offsets(model);
    effects
}

/// Actions that change the register or the plan (refused when read-only).
pub fn is_triage_action(action: &str) -> bool {
    action.starts_with("severity-")
        || matches!(
            action,
            "accept"
                | "next-status"
                | "fixed"
                | "dismiss"
                | "blocker"
                | "owner"
                | "new-issue"
                | "edit"
                | "undo"
                | "cycle-task"
        )
}

/// Why triage is refused now, if it is.
fn refuse_triage(model: &Model) -> Option<String> {
    model
        .read_only
        .then(|| "read-only: this cockpit can look and follow, not triage".to_string())
}

/// Why checks cannot run now, if they cannot.
fn refuse_run(model: &Model) -> Option<String> {
    if model.read_only {
        Some("read-only: this cockpit runs no checks".into())
    } else if !model.trusted {
        let key = key_for(model, "trust").unwrap_or_else(|| ":trust".into());
        Some(format!(
            "not trusted: nothing runs until you trust this repository ({key})"
        ))
    } else {
        None
    }
}

/// The first key bound to `action` (any scope), for hints.
pub fn key_for(model: &Model, action: &str) -> Option<String> {
    Scope::ALL.iter().find_map(|scope| {
        model
            .keys
            .help(*scope)
            .into_iter()
            .find(|(_, a)| ACTIONS.iter().any(|(n, d)| *n == action && d == a))
            .map(|(keys, _)| keys.split(' ').next().unwrap_or("").to_string())
    })
}

/// A triage key on the issue highlighted in the last frame, at the revision shown.
fn on_triage(model: &mut Model, action: &str) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    let Some((id, base)) = model.seen.clone() else {
        model.tell("no issue is highlighted");
        return Vec::new();
    };
    let Some(issue) = model.issues.iter().find(|i| i.id == id) else {
        model.warn(format!("{id} is gone from the register"));
        return Vec::new();
    };
    // The issue as the user saw it: a newer revision makes the store refuse the write.
    let mut seen = issue.clone();
    seen.revision = base;
    match triage(action, &seen) {
        Triage::Write(write) => vec![Effect::Write(write)],
        Triage::Ask(Prompt::Dismiss) => {
            model.overlay = Some(Overlay::Reasons {
                id,
                base,
                selected: 0,
            });
            Vec::new()
        }
        Triage::Ask(Prompt::Owner) => {
            model.overlay = Some(Overlay::Input {
                ask: Ask::Owner { id, base },
                text: seen.owner.clone().unwrap_or_default(),
            });
            Vec::new()
        }
        Triage::Ask(Prompt::NewIssue) => {
            model.overlay = Some(Overlay::Input {
                ask: Ask::NewTitle,
                text: String::new(),
            });
            Vec::new()
        }
        Triage::Nothing => {
            model.tell(format!(
                "{id}: nothing to change ({})",
                seen.status.as_str()
            ));
            Vec::new()
        }
    }
}

fn cycle_task(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        model.warn(refusal);
        return Vec::new();
    }
    match model.plan_rows().get(model.plan_selected) {
        Some(PlanRow::Task(p, t)) => {
            let task = &model.config.plan.phases[*p].tasks[*t];
            let status = match task.status {
                TaskStatus::Todo => TaskStatus::Doing,
                TaskStatus::Doing => TaskStatus::Done,
                TaskStatus::Done => TaskStatus::Todo,
            };
            vec![Effect::SetTask {
                task: task.id.clone(),
                status,
            }]
        }
        Some(PlanRow::Phase(_)) => {
            toggle_fold(model);
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn toggle_fold(model: &mut Model) {
    if let Some(PlanRow::Phase(p)) = model.plan_rows().get(model.plan_selected) {
        if !model.folded.remove(p) {
            model.folded.insert(*p);
        }
    }
}

/// Rows a page moves in the focused pane.
fn page(model: &Model) -> usize {
    let areas = super::view::layout(model.size, model);
    let rows = match model.focus {
        Pane::Plan => areas.plan.height,
        Pane::Checks => areas.checks.height,
        Pane::Output => areas.output.height,
        Pane::Register => areas.register.height.saturating_sub(1),
    };
    usize::from(rows.saturating_sub(2)).max(1)
}

fn move_by(model: &mut Model, delta: isize) {
    match model.focus {
        Pane::Register => {
            let issues = &model.issues;
            match delta {
                d if d <= isize::MIN / 4 => model.register.to_top(issues),
                d if d >= isize::MAX / 4 => model.register.to_bottom(issues),
                d => model.register.move_by(issues, d),
            }
        }
        Pane::Plan => {
            let n = model.plan_rows().len();
            model.plan_selected = clamp_add(model.plan_selected, delta, n);
        }
        Pane::Checks => {
            let n = model.checks.len();
            let before = model.check_selected;
            model.check_selected = clamp_add(model.check_selected, delta, n);
            if before != model.check_selected {
                model.output = super::model::OutputView {
                    follow: true,
                    ..Default::default()
                };
            }
        }
        Pane::Output => {
            let total = output_len(model);
            let up = -delta;
            let scroll = clamp_add(model.output.scroll, up, total.max(1));
            model.output.scroll = scroll;
            model.output.follow = scroll == 0;
        }
    }
}

fn clamp_add(at: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (at as isize)
        .saturating_add(delta)
        .clamp(0, len as isize - 1) as usize
}

/// Lines kept of the selected check's output.
fn output_len(model: &Model) -> usize {
    model
        .selected_check()
        .and_then(|c| c.output.as_ref())
        .map_or(0, |o| o.lock().len())
}

/// Move to the next (older: up) or previous (newer: down) line matching the search.
fn find_match(model: &mut Model, older: bool) {
    let Some(needle) = model.output.search.clone().filter(|s| !s.is_empty()) else {
        model.tell("no search: / searches the output");
        return;
    };
    let Some(output) = model.selected_check().and_then(|c| c.output.clone()) else {
        return;
    };
    let ring = output.lock();
    let lines: Vec<&str> = ring.lines().collect();
    let len = lines.len();
    let needle = needle.to_lowercase();
    let matches = |i: usize| {
        super::ansi::plain(lines[i])
            .to_lowercase()
            .contains(&needle)
    };
    // The line shown at the bottom of the pane is `len - 1 - scroll`.
    let current = len.saturating_sub(1 + model.output.scroll);
    let found = if older {
        (0..current).rev().find(|&i| matches(i))
    } else {
        (current + 1..len).find(|&i| matches(i))
    };
    drop(ring);
    match found {
        Some(i) => {
            model.output.scroll = len - 1 - i;
            model.output.follow = false;
        }
        None => model.tell(format!(
            "no {} match for “{needle}”",
            if older { "earlier" } else { "later" }
        )),
    }
}

/// Keep the selections of the register and plan within their windows.
pub fn fix_offsets(model: &mut Model) {
    let areas = super::view::layout(model.size, model);
    let visible = usize::from(areas.register.height.saturating_sub(3)).max(1);
    if let Some(at) = model.register.index(&model.issues) {
        model.register_offset = scroll_into_view(model.register_offset, at, visible);
    }
    let plan_visible = usize::from(areas.plan.height.saturating_sub(2)).max(1);
    model.plan_offset = scroll_into_view(model.plan_offset, model.plan_selected, plan_visible);
}

fn scroll_into_view(offset: usize, at: usize, visible: usize) -> usize {
    if at < offset {
        at
    } else if at >= offset + visible {
        at + 1 - visible
    } else {
        offset
    }
}

fn on_overlay_key(model: &mut Model, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let cancel = key.code == KeyCode::Esc || (ctrl && matches!(key.code, KeyCode::Char('c' | 'g')));
    match overlay {
        Overlay::Trust => {
            if key.code == KeyCode::Char('y') {
                vec![Effect::Trust]
            } else {
                model.tell("not trusted: nothing runs");
                Vec::new()
            }
        }
        Overlay::Help { scroll } => {
            let scroll = match key.code {
                KeyCode::Char('j') | KeyCode::Down => scroll + 1,
                KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll + 10,
                KeyCode::PageUp => scroll.saturating_sub(10),
                _ => return Vec::new(), // any other key closes help
            };
            model.overlay = Some(Overlay::Help { scroll });
            Vec::new()
        }
        Overlay::Palette {
            mut input,
            selected,
        } => {
            let matches = palette_matches(model, &input);
            match key.code {
                _ if cancel => Vec::new(),
                KeyCode::Enter => match matches.get(selected) {
                    Some((name, _, _)) => act(model, name),
                    None => Vec::new(),
                },
                KeyCode::Down | KeyCode::Tab => {
                    let selected = (selected + 1).min(matches.len().saturating_sub(1));
                    model.overlay = Some(Overlay::Palette { input, selected });
                    Vec::new()
                }
                KeyCode::Up | KeyCode::BackTab => {
                    let selected = selected.saturating_sub(1);
                    model.overlay = Some(Overlay::Palette { input, selected });
                    Vec::new()
                }
                code => {
                    edit_text(&mut input, code, ctrl);
                    model.overlay = Some(Overlay::Palette { input, selected: 0 });
                    Vec::new()
                }
            }
        }
        Overlay::Reasons { id, base, selected } => {
            let n = DismissReason::ALL.len();
            let pick = match key.code {
                _ if cancel => return Vec::new(),
                KeyCode::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
                KeyCode::Enter => Some(selected),
                KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                    model.overlay = Some(Overlay::Reasons {
                        id,
                        base,
                        selected: (selected + 1) % n,
                    });
                    return Vec::new();
                }
                KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                    model.overlay = Some(Overlay::Reasons {
                        id,
                        base,
                        selected: (selected + n - 1) % n,
                    });
                    return Vec::new();
                }
                _ => None,
            };
            match pick.and_then(|i| DismissReason::ALL.get(i)) {
                Some(reason) => {
                    model.overlay = Some(Overlay::Input {
                        ask: Ask::DismissNote {
                            id,
                            base,
                            reason: *reason,
                        },
                        text: String::new(),
                    });
                }
                None => model.overlay = Some(Overlay::Reasons { id, base, selected }),
            }
            Vec::new()
        }
        Overlay::Input { ask, mut text } => {
            if cancel {
                // The filter stays as typed (ctrl-u clears it); other prompts drop.
                return Vec::new();
            }
            if key.code == KeyCode::Enter {
                return submit(model, ask, text);
            }
            edit_text(&mut text, key.code, ctrl);
            match &ask {
                Ask::Filter => apply_filter(model, &text),
                Ask::Search => model.output.search = Some(text.clone()).filter(|t| !t.is_empty()),
                _ => {}
            }
            model.overlay = Some(Overlay::Input { ask, text });
            Vec::new()
        }
    }
}

fn edit_text(text: &mut String, code: KeyCode, ctrl: bool) {
    match code {
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char('w') if ctrl => {
            let trimmed = text.trim_end().len();
            let cut = text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
            text.truncate(cut);
        }
        KeyCode::Char(c) if !ctrl => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => {}
    }
}

fn apply_filter(model: &mut Model, text: &str) {
    match Filter::parse(text) {
        Ok(filter) => {
            model.register.filter = filter;
            model.register.filter_text = text.to_string();
            model.register.keep_selection(&model.issues);
            model.register_offset = 0;
            fix_offsets(model);
        }
        Err(e) => model.warn(format!("filter: {e}")),
    }
}

fn submit(model: &mut Model, ask: Ask, text: String) -> Vec<Effect> {
    let value = text.trim().to_string();
    match ask {
        Ask::Filter => {
            apply_filter(model, &text);
            Vec::new()
        }
        Ask::Search => {
            model.output.search = Some(value).filter(|t| !t.is_empty());
            if model.output.search.is_some() {
                find_match_from_tail(model);
            }
            Vec::new()
        }
        Ask::Owner { id, base } => vec![Effect::Write(Write::Edit {
            id,
            base,
            edits: vec![crate::domain::triage::Edit::Owner(
                Some(value).filter(|v| !v.is_empty() && v != "-"),
            )],
        })],
        Ask::DismissNote { id, base, reason } => {
            let note = Some(value).filter(|v| !v.is_empty());
            if reason == DismissReason::AcceptedRisk {
                model.overlay = Some(Overlay::Input {
                    ask: Ask::DismissExpiry { id, base, note },
                    text: "90d".into(),
                });
                return Vec::new();
            }
            vec![Effect::Dismiss {
                id,
                base,
                reason,
                note,
                expires: None,
            }]
        }
        Ask::DismissExpiry { id, base, note } => match expiry_day(&value) {
            Ok(expires) => vec![Effect::Dismiss {
                id,
                base,
                reason: DismissReason::AcceptedRisk,
                note,
                expires,
            }],
            Err(e) => {
                model.warn(e);
                model.overlay = Some(Overlay::Input {
                    ask: Ask::DismissExpiry { id, base, note },
                    text,
                });
                Vec::new()
            }
        },
        Ask::NewTitle => {
            if value.is_empty() {
                model.tell("no title: nothing filed");
                Vec::new()
            } else {
                vec![Effect::NewIssue { title: value }]
            }
        }
    }
}

/// The newest line matching the search, counting the bottom line itself.
fn find_match_from_tail(model: &mut Model) {
    model.output.scroll = 0;
    let Some(output) = model.selected_check().and_then(|c| c.output.clone()) else {
        return;
    };
    let needle = model
        .output
        .search
        .clone()
        .unwrap_or_default()
        .to_lowercase();
    let ring = output.lock();
    let found = ring
        .lines()
        .rev()
        .position(|l| super::ansi::plain(l).to_lowercase().contains(&needle));
    drop(ring);
    match found {
        Some(up) => {
            model.output.scroll = up;
            model.output.follow = false;
        }
        None => model.tell(format!("no match for “{needle}”")),
    }
}

/// An accepted risk's expiry: `YYYY-MM-DD`, a duration from today (`90d`, `12w`), or
/// empty for none.
pub fn expiry_day(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Ok(None);
    }
    if crate::domain::triage::valid_day(text) {
        return Ok(Some(text.to_string()));
    }
    let span = humantime::parse_duration(text).map_err(|_| {
        format!("expiry `{text}`: give a day (YYYY-MM-DD) or a duration (90d, 12w)")
    })?;
    let day = humantime::format_rfc3339_seconds(std::time::SystemTime::now() + span).to_string();
    Ok(Some(day[..10].to_string()))
}

/// Palette entries matching `input`: (action, key, description), best first: a name
/// equal to the input, then names starting with it, then any other match.
pub fn palette_matches(model: &Model, input: &str) -> Vec<(&'static str, String, &'static str)> {
    let query = input.trim().to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(u8, usize, &'static str, &'static str)> = ACTIONS
        .iter()
        .enumerate()
        .filter(|(_, (name, description))| {
            let hay = format!("{name} {description}").to_lowercase();
            words.iter().all(|w| hay.contains(w))
        })
        .map(|(order, (name, description))| {
            let rank = if *name == query {
                0
            } else if name.starts_with(&query) {
                1
            } else if name.contains(&query) {
                2
            } else {
                3
            };
            (rank, order, *name, *description)
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(_, _, name, description)| {
            (name, key_for(model, name).unwrap_or_default(), description)
        })
        .collect()
}
