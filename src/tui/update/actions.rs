//! Named actions (from a key or the palette) → changes of the model and effects.

use super::*;

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
