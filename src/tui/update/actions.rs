//! Named actions (from a key or the palette) → changes of the model and effects.

use super::{
    cancel_task, cycle_task, find_match, fix_offsets, move_by, on_triage, page, run_all,
    toggle_fold, Effect,
};
use crate::tui::action::Action;
use crate::tui::model::{Ask, Deferred, Model, Overlay, Pane, Runner, Watching};

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
    let page = page(model).try_into().unwrap_or(isize::MAX);
    let effects = match action {
        Action::Quit => {
            model.quit = true;
            vec![Effect::Quit]
        }
        Action::Help => open(model, Overlay::Help { scroll: 0 }),
        Action::Palette => open(
            model,
            Overlay::Palette {
                input: String::new(),
                selected: 0,
            },
        ),
        Action::NextPane => focus(model, model.focus.cycle(true)),
        Action::PrevPane => focus(model, model.focus.cycle(false)),
        Action::Down => moved(model, 1),
        Action::Up => moved(model, -1),
        Action::PageDown => moved(model, page),
        Action::PageUp => moved(model, -page),
        Action::Top => moved(model, isize::MIN / 2),
        Action::Bottom => moved(model, isize::MAX / 2),
        Action::Filter => filter(model),
        Action::Open => open_selected(model),
        Action::Rerun => rerun(model),
        Action::RerunAll => match refuse_run(model) {
            Some(refusal) => warned(model, refusal),
            None => vec![Effect::Rerun {
                checks: model
                    .checks
                    .iter()
                    .map(|c| (c.id.clone(), c.shown_seq))
                    .collect(),
                trigger: "R".into(),
            }],
        },
        Action::PauseWatch => pause_watch(model),
        Action::Trust => trust(model),
        Action::Follow => {
            model.output.follow = !model.output.follow;
            if model.output.follow {
                model.output.scroll = 0;
            }
            Vec::new()
        }
        Action::NextMatch => {
            find_match(model, true);
            Vec::new()
        }
        Action::PrevMatch => {
            find_match(model, false);
            Vec::new()
        }
        Action::Sort => {
            model.register.sort = model.register.sort.next();
            let name = model.register.sort.name();
            model.tell(format!("sorted by {name}"));
            Vec::new()
        }
        Action::CycleTask => cycle_task(model),
        Action::CancelTask => cancel_task(model),
        Action::Edit => match (refuse_triage(model), model.seen.clone()) {
            (Some(refusal), _) => warned(model, refusal),
            (None, Some((id, _))) => vec![Effect::Edit(id)],
            (None, None) => Vec::new(),
        },
        Action::Undo => undo(model),
        Action::NewIssue => match refuse_triage(model) {
            Some(refusal) => warned(model, refusal),
            None => open(
                model,
                Overlay::Input {
                    ask: Ask::NewTitle,
                    text: String::new(),
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
        | Action::Owner => on_triage(model, action),
    };
    fix_offsets(model);
    effects
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
    let (ask, text) = match model.focus {
        Pane::Output => (Ask::Search, model.output.search.clone().unwrap_or_default()),
        Pane::Plan | Pane::Checks | Pane::Register => {
            model.focus = Pane::Register;
            (Ask::Filter, model.register.filter_text.clone())
        }
    };
    open(model, Overlay::Input { ask, text })
}

/// `enter`: the issue's detail, a check's output, or a phase folded.
fn open_selected(model: &mut Model) -> Vec<Effect> {
    match model.focus {
        Pane::Register => model.detail = !model.detail,
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

fn undo(model: &mut Model) -> Vec<Effect> {
    if let Some(refusal) = refuse_triage(model) {
        return warned(model, refusal);
    }
    match model.undo.undo() {
        Some(write) => vec![Effect::Write(write)],
        None => {
            model.tell("nothing to undo");
            Vec::new()
        }
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
