//! Keys while an overlay is open: help, trust, the dismissal reasons, edit-again;
//! prompts, the palette and the log have their own modules. `Esc` and `q` close any
//! overlay that takes no text.

use super::{
    log, on_input_key, on_palette_key, Ask, Batch, BatchKind, DismissReason, Effect, Field,
    KeyCode, KeyEvent, KeyModifiers, Model, Overlay,
};

pub(super) fn on_overlay_key(model: &mut Model, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let cancel = key.code == KeyCode::Esc || (ctrl && matches!(key.code, KeyCode::Char('c' | 'g')));
    match overlay {
        Overlay::Trust { scroll } => on_trust_key(model, scroll, key),
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
        Overlay::Palette { input, selected } => on_palette_key(model, input, selected, key),
        Overlay::Reasons { targets, selected } => on_reason_key(model, targets, selected, key),
        Overlay::Input { ask, field, error } => on_input_key(model, ask, field, error, key),
        Overlay::Log { selected } => log::on_log_key(model, selected, key),
        Overlay::EditAgain { id, base, error } => {
            if key.code == KeyCode::Char('y') && !cancel {
                let batch = model.batch(Batch::new(
                    BatchKind::Do {
                        label: "edited".into(),
                    },
                    1,
                ));
                vec![Effect::Edit {
                    batch,
                    id,
                    base,
                    again: true,
                }]
            } else {
                model.tell(format!("{id}: the edit was dropped ({error})"));
                Vec::new()
            }
        }
    }
}

/// The trust dialog: scroll keys scroll, `y` trusts once the end was shown, any other
/// key cancels.
fn on_trust_key(model: &mut Model, scroll: usize, key: KeyEvent) -> Vec<Effect> {
    let end = crate::tui::view::trust::max_scroll(model);
    let page = usize::from(model.size.1 / 2).max(1);
    let scroll = match key.code {
        KeyCode::Char('y') if scroll >= end => return vec![Effect::Trust],
        KeyCode::Char('y') => {
            model.warn(format!(
                "read to the end first: {} more lines (j, space)",
                end - scroll
            ));
            scroll
        }
        KeyCode::Char('j') | KeyCode::Down => scroll + 1,
        KeyCode::Char('k') | KeyCode::Up => scroll.saturating_sub(1),
        KeyCode::Char(' ') | KeyCode::PageDown => scroll + page,
        KeyCode::PageUp => scroll.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => end,
        _ => {
            model.tell("not trusted: nothing runs");
            return Vec::new();
        }
    };
    model.overlay = Some(Overlay::Trust {
        scroll: scroll.min(end),
    });
    Vec::new()
}

fn on_reason_key(
    model: &mut Model,
    targets: Vec<(String, u64)>,
    selected: usize,
    key: KeyEvent,
) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let n = DismissReason::ALL.len();
    let pick = match key.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Char('c' | 'g') if ctrl => return Vec::new(),
        KeyCode::Char(c @ '1'..='9') => Some(c as usize - '1' as usize),
        KeyCode::Enter => Some(selected),
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
            model.overlay = Some(Overlay::Reasons {
                targets,
                selected: (selected + 1) % n,
            });
            return Vec::new();
        }
        KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
            model.overlay = Some(Overlay::Reasons {
                targets,
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
                    targets,
                    reason: *reason,
                },
                field: Field::new(),
                error: None,
            });
        }
        None => model.overlay = Some(Overlay::Reasons { targets, selected }),
    }
    Vec::new()
}
