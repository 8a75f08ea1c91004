//! Named actions (from a key or the palette) → changes of the model and effects.

use super::{
    cancel_task, close_one, copy, cycle_task, edit, find_match, fix_offsets, mark, mark_all,
    move_by, on_triage, open_code, page, range, scroll_sideways, sort_by, source_for_detail,
    toggle_detail, toggle_fold, toggle_follow, toggle_wrap, toggle_zoom, undo, unmark, Effect,
};
use crate::tui::action::Action;
use crate::tui::field::Field;
use crate::tui::model::{Ask, Deferred, Model, Overlay, Pane, Pending, Runner, Watching};
use crate::tui::register::SortKey;

/// Run an action (from a key or the palette). Every action has its arm: a new one
/// does not compile until it does something.
pub fn act(model: &mut Model, action: Action) -> Vec<Effect> {
    if model.writing > 0 && action.waits_for_writes() && !model.read_only {
        model.deferred.push_back(Deferred {
            input: Pending::Action(action),
            seen: model.seen.clone(),
        });
        return Vec::new();
    }
    let selected_before = model.register.selected.clone();
    let mut effects = dispatch(model, action);
    fix_offsets(model);
    // The detail follows the highlight: the new issue's source lines.
    if model.register.selected != selected_before {
        effects.extend(source_for_detail(model));
    }
    effects
}

/// Each action's arm.
fn dispatch(model: &mut Model, action: Action) -> Vec<Effect> {
    let page: isize = page(model).try_into().unwrap_or(isize::MAX);
    match action {
        // `q` closes the detail first; it quits only from the main view.
        Action::Quit if model.detail => {
            close_one(model);
            Vec::new()
        }
        Action::Quit | Action::Exit => {
            model.quit = true;
            vec![Effect::Quit]
        }
        Action::Help => open(model, Overlay::Help { scroll: 0 }),
        Action::Log => open(model, Overlay::Log { selected: 0 }),
        Action::Palette => open(
            model,
            Overlay::Palette {
                input: Field::new(),
                selected: 0,
            },
        ),
        Action::NextPane => focus(model, model.focus.cycle(true)),
        Action::PrevPane => focus(model, model.focus.cycle(false)),
        Action::Zoom
        | Action::Wrap
        | Action::ScrollLeft
        | Action::ScrollRight
        | Action::Follow
        | Action::NextMatch
        | Action::PrevMatch => {
            on_output(model, action);
            Vec::new()
        }
        Action::Down => moved(model, 1),
        Action::Up => moved(model, -1),
        Action::PageDown => moved(model, page),
        Action::PageUp => moved(model, -page),
        Action::HalfPageDown => moved(model, (page / 2).max(1)),
        Action::HalfPageUp => moved(model, -(page / 2).max(1)),
        Action::Redraw => {
            model.register.relayout();
            vec![Effect::Redraw]
        }
        Action::Suspend => vec![Effect::Suspend],
        Action::Top => moved(model, isize::MIN / 2),
        Action::Bottom => moved(model, isize::MAX / 2),
        Action::Filter => filter(model),
        Action::Open => open_selected(model),
        Action::SortSeverity => sort_by(model, SortKey::Severity),
        Action::SortStatus => sort_by(model, SortKey::Status),
        Action::SortAge => sort_by(model, SortKey::Age),
        Action::SortOwner => sort_by(model, SortKey::Owner),
        Action::SortId => sort_by(model, SortKey::Id),
        Action::Mark => mark(model),
        Action::Range => range(model),
        Action::MarkAll => mark_all(model),
        Action::Unmark => unmark(model),
        Action::OpenCode => open_code(model),
        Action::CopyId => copy(model, false),
        Action::CopyPlace => copy(model, true),
        Action::Redo => undo(model, true),
        Action::Rerun => rerun(model),
        Action::RerunAll => rerun_all(model),
        Action::PauseWatch => pause_watch(model),
        Action::Trust => trust(model),
        Action::CycleTask => cycle_task(model),
        Action::CancelTask => cancel_task(model),
        Action::Edit => edit(model),
        Action::Undo => undo(model, false),
        Action::NewIssue => match refuse_triage(model) {
            Some(refusal) => warned(model, refusal),
            None => open(
                model,
                Overlay::Input {
                    ask: Ask::NewTitle,
                    field: Field::new(),
                    error: None,
                },
            ),
        },
        Action::SeverityCritical
        | Action::SeverityHigh
        | Action::SeverityMedium
        | Action::SeverityLow
        | Action::SeverityInfo
        | Action::Accept
        | Action::NextStatus
        | Action::Fixed
        | Action::Dismiss
        | Action::Blocker
        | Action::Owner
        | Action::Note => on_triage(model, action),
    }
}

/// The output pane's own actions: follow, and the search's next and previous match.
/// The output pane's own actions (the arms of [`act`] that send them here).
fn on_output(model: &mut Model, action: Action) {
    match action {
        Action::Zoom => toggle_zoom(model),
        Action::Wrap => toggle_wrap(model),
        Action::ScrollLeft => scroll_sideways(model, false),
        Action::ScrollRight => scroll_sideways(model, true),
        Action::Follow => toggle_follow(model),
        Action::NextMatch => find_match(model, true),
        Action::PrevMatch => find_match(model, false),
        _ => {}
    }
}

/// `R`: ask for a run of every check, naming the run of each that was on screen (so
/// two people asking at once get one run).
fn rerun_all(model: &mut Model) -> Vec<Effect> {
    match refuse_run(model) {
        Some(refusal) => warned(model, refusal),
        None => vec![Effect::Rerun {
            checks: model
                .checks
                .iter()
                .map(|c| (c.id.clone(), c.shown_seq))
                .collect(),
            trigger: "rerun all".into(),
        }],
    }
}

fn open(model: &mut Model, overlay: Overlay) -> Vec<Effect> {
    model.overlay = Some(overlay);
    Vec::new()
}

fn focus(model: &mut Model, pane: Pane) -> Vec<Effect> {
    model.focus = pane;
    model.output.zoom = false;
    Vec::new()
}

fn moved(model: &mut Model, delta: isize) -> Vec<Effect> {
    move_by(model, delta);
    Vec::new()
}

fn warned(model: &mut Model, text: String) -> Vec<Effect> {
    model.warn(text);
    Vec::new()
}

/// `/`: search in the output pane, filter the register anywhere else.
fn filter(model: &mut Model) -> Vec<Effect> {
    let (ask, field) = match model.focus {
        // The last search is a suggestion: typing replaces it, enter repeats it.
        Pane::Output => (
            Ask::Search,
            Field::prefilled(model.output.search.as_deref().unwrap_or_default()),
        ),
        Pane::Plan | Pane::Checks | Pane::Register => {
            model.focus = Pane::Register;
            let before = model.register.filter_text.clone();
            // The filter is there to narrow: what is typed is a further term (ctrl-u
            // clears it), never glued onto the last one (`open` + `rule:x`).
            let text = if before.is_empty() || before.ends_with(' ') {
                before.clone()
            } else {
                format!("{before} ")
            };
            let ask = Ask::Filter {
                before,
                history: None,
            };
            (ask, Field::with(&text))
        }
    };
    open(
        model,
        Overlay::Input {
            ask,
            field,
            error: None,
        },
    )
}

/// `enter`: the issue's detail, a check's output, or a phase folded.
fn open_selected(model: &mut Model) -> Vec<Effect> {
    match model.focus {
        Pane::Register => return toggle_detail(model),
        Pane::Checks => model.focus = Pane::Output,
        Pane::Plan => toggle_fold(model),
        Pane::Output => {}
    }
    Vec::new()
}

fn rerun(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_run(model) {
        return warned(model, refusal);
    }
    model
        .selected_check()
        .map(|check| Effect::Rerun {
            checks: vec![(check.id.clone(), check.shown_seq)],
            trigger: "rerun".into(),
        })
        .into_iter()
        .collect()
}

fn pause_watch(model: &mut Model) -> Vec<Effect> {
    match std::mem::replace(&mut model.watching, Watching::Starting) {
        Watching::Paused { files, checks } => {
            model.watching = Watching::on(model.watcher_ready);
            // Only what the changes affect, in the checks' order.
            let checks: Vec<String> = model
                .checks
                .iter()
                .filter(|c| checks.contains(&c.id))
                .map(|c| c.id.clone())
                .collect();
            if checks.is_empty() {
                model.tell("watching again");
                return Vec::new();
            }
            let trigger = match files.len() {
                1 => files.into_iter().next().unwrap_or_default(),
                n => format!("{n} files changed while paused"),
            };
            model.tell(format!("watching again: re-running {}", checks.join(", ")));
            vec![Effect::Run { checks, trigger }]
        }
        Watching::On { .. } | Watching::Starting => {
            model.watching = Watching::Paused {
                files: Default::default(),
                checks: Default::default(),
            };
            model.tell("paused: changes are noted, nothing re-runs until p");
            Vec::new()
        }
        Watching::Off(why) => {
            model.watching = Watching::Off(why.clone());
            warned(model, format!("not watching: {why}"))
        }
    }
}

fn trust(model: &mut Model) -> Vec<Effect> {
    if model.trusted {
        model.tell("this repository is already trusted");
        Vec::new()
    } else if model.read_only {
        warned(model, "read-only: trust it with `preflight trust`".into())
    } else {
        open(model, Overlay::Trust { scroll: 0 })
    }
}

/// Why triage is refused now, if it is.
pub(super) fn refuse_triage(model: &Model) -> Option<String> {
    model
        .read_only
        .then(|| "read-only: this cockpit can look and follow, not triage".to_string())
}

/// Why checks cannot run now, if they cannot. A follower asks its runner, which
/// runs what its own user trusted.
pub(super) fn refuse_run(model: &Model) -> Option<String> {
    if model.read_only {
        Some("read-only: this cockpit follows the runs and asks for none".into())
    } else if !model.trusted && !matches!(model.runner, Runner::Other(_)) {
        let key = key_for(model, Action::Trust).unwrap_or_else(|| ":trust".into());
        Some(format!(
            "not trusted: nothing runs until you trust this repository ({key})"
        ))
    } else {
        None
    }
}

/// The first key bound to `action` (any scope), for hints.
pub fn key_for(model: &Model, action: Action) -> Option<String> {
    model.keys.key_for(action)
}
