//! The mouse (optional, off with `mouse = false` in the settings): a click focuses the
//! pane under it and selects the row; the wheel scrolls the pane under the pointer.

use super::{fix_offsets, move_by, source_for_detail, Effect, Model, MouseEvent, Pane};
use ratatui::crossterm::event::{MouseButton, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// Rows the wheel moves per notch.
const WHEEL: isize = 3;

pub(super) fn on_mouse(model: &mut Model, event: MouseEvent) -> Vec<Effect> {
    if model.overlay.is_some() {
        return Vec::new();
    }
    let at = Position::new(event.column, event.row);
    let areas = crate::tui::view::layout(model.size, model);
    let (table, detail) = crate::tui::view::register_split(areas.register, model.detail);
    let panes = [
        (Pane::Plan, areas.plan),
        (Pane::Checks, areas.checks),
        (Pane::Output, areas.output),
        (Pane::Register, table),
        (Pane::Register, detail),
    ];
    let Some((pane, area)) = panes.into_iter().find(|(_, r)| r.contains(at)) else {
        return Vec::new();
    };
    let selected_before = model.register.selected.clone();
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            model.notice = None;
            model.focus = pane;
            if area == table {
                click_row(model, area, at);
            } else if pane == Pane::Plan {
                let row = usize::from(at.y.saturating_sub(area.y + 1)) + model.plan_offset;
                model.plan_selected = row.min(model.plan_rows().len().saturating_sub(1));
            } else if pane == Pane::Checks {
                let row = usize::from(at.y.saturating_sub(area.y + 1));
                if row < model.checks.len() && row != model.check_selected {
                    model.check_selected = row;
                    model.output = model.output.fresh();
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if event.kind == MouseEventKind::ScrollDown {
                WHEEL
            } else {
                -WHEEL
            };
            let focus = model.focus;
            model.focus = pane;
            move_by(model, delta);
            model.focus = focus;
        }
        _ => return Vec::new(),
    }
    fix_offsets(model);
    if model.register.selected != selected_before {
        return source_for_detail(model);
    }
    Vec::new()
}

/// A click on the register table: the row under it (the border and header are not
/// rows).
fn click_row(model: &mut Model, table: Rect, at: Position) {
    let first = table.y + 2;
    if at.y < first || at.y + 1 >= table.y + table.height {
        return;
    }
    let row = usize::from(at.y - first) + model.register_offset;
    if row < model.register.len(&model.issues) {
        model.register.select_row(&model.issues, row);
    }
}
