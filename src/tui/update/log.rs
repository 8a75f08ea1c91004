//! The session log (`L`): move through it; `enter` highlights the entry's issue in the
//! register (filtering to `changed:session` when the filter hides it).

use super::{
    apply_filter, fix_offsets, source_for_detail, Effect, KeyCode, KeyEvent, KeyModifiers, Model,
    Overlay, Pane,
};

pub(super) fn on_log_key(model: &mut Model, selected: usize, key: KeyEvent) -> Vec<Effect> {
    let last = model.log.len().saturating_sub(1);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let selected = match key.code {
        KeyCode::Char('j') | KeyCode::Down => (selected + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => selected.saturating_sub(1),
        KeyCode::Char('d') if ctrl => (selected + 10).min(last),
        KeyCode::Char('u') if ctrl => selected.saturating_sub(10),
        KeyCode::PageDown => (selected + 10).min(last),
        KeyCode::PageUp => selected.saturating_sub(10),
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => last,
        KeyCode::Enter => {
            jump(model, selected);
            return source_for_detail(model);
        }
        // q, Esc, L and anything else close the log.
        _ => return Vec::new(),
    };
    model.overlay = Some(Overlay::Log { selected });
    Vec::new()
}

/// Highlight the first issue of log entry `n` that still exists.
fn jump(model: &mut Model, n: usize) {
    let Some(entry) = model.log.get(n) else {
        return;
    };
    let ids = entry.ids.clone();
    let Some(id) = ids
        .iter()
        .find(|id| model.issues.iter().any(|i| i.id == **id))
    else {
        model.tell("that entry names no issue of the register");
        return;
    };
    model.focus = Pane::Register;
    if model.register.index_of(&model.issues, id).is_none() {
        apply_filter(model, "changed:session");
        model.tell(format!(
            "filter changed:session: {} changed in this session",
            model.register.len(&model.issues)
        ));
    }
    model.register.selected = Some(id.clone());
    fix_offsets(model);
}
