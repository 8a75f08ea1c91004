//! Named actions (from a key or the palette) → changes of the model and effects.

use super::{
    cancel_task, close_one, copy, cycle_task, edit, find_match, fix_offsets, mark, mark_all,
    move_by, on_triage, open_code, page, range, run_all, sort_by, source_for_detail, toggle_detail,
    toggle_fold, undo, unmark, Effect,
};
use crate::tui::action::Action;
use crate::tui::field::Field;
use crate::tui::model::{Ask, Deferred, Model, Overlay, Pane, Watching};
use crate::tui::register::SortKey;

/// Run an action (from a key or the palette). Every action has its arm: a new one
/// does not compile until it does something.
pub fn act(model: &mut Model, action: Action) -> Vec<Effect> {
    if model.writing > 0 && action.waits_for_writes() && !model.read_only {
        model.deferred.push_back(Deferred {
            action,
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
        Action::RerunAll => match refuse_run(model) {
            Some(refusal) => warned(model, refusal),
            None => vec![run_all(model, "R")],
        },
        Action::PauseWatch => pause_watch(model),
        Action::Trust => trust(model),
        Action::Follow | Action::NextMatch | Action::PrevMatch => output_action(model, action),
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
fn output_action(model: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::Follow => {
            model.output.follow = !model.output.follow;
            if model.output.follow {
                model.output.scroll = 0;
            }
        }
        Action::NextMatch => find_match(model, true),
        _ => find_match(model, false),
    }
    Vec::new()
}

fn open(model: &mut Model, overlay: Overlay) -> Vec<Effect> {
    model.overlay = Some(overlay);
    Vec::new()
}

fn focus(model: &mut Model, pane: Pane) -> Vec<Effect> {
    model.focus = pane;
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
        .map(|check| Effect::Run {
            checks: vec![check.id.clone()],
            trigger: "r".into(),
        })
        .into_iter()
        .collect()
}

fn pause_watch(model: &mut Model) -> Vec<Effect> {
    match &model.watching {
        Watching::Paused { pending } => {
            let pending = *pending;
            model.watching = Watching::On { folders: 0 };
            if pending > 0 {
                model.tell(format!(
                    "watching again; {pending} changes while paused: re-running"
                ));
                vec![run_all(model, "resumed")]
            } else {
                model.tell("watching again");
                Vec::new()
            }
        }
        Watching::On { .. } | Watching::Starting => {
            model.watching = Watching::Paused { pending: 0 };
            model.tell("paused: changes are noted, nothing re-runs until p");
            Vec::new()
        }
        Watching::Off(why) => {
            let why = why.clone();
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
        open(model, Overlay::Trust)
    }
}

/// Why triage is refused now, if it is.
pub(super) fn refuse_triage(model: &Model) -> Option<String> {
    model
        .read_only
        .then(|| "read-only: this cockpit can look and follow, not triage".to_string())
}

/// Why checks cannot run now, if they cannot.
pub(super) fn refuse_run(model: &Model) -> Option<String> {
    if model.read_only {
        Some("read-only: this cockpit runs no checks".into())
    } else if !model.trusted {
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
