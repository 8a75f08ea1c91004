//! Moving the selection of the focused pane.

use super::output::scroll_output;
use super::{register_rows_visible, Model, Pane};

/// Rows a page moves in the focused pane.
pub(super) fn page(model: &Model) -> usize {
    if model.focus == Pane::Register {
        return register_rows_visible(model);
    }
    let areas = crate::tui::view::layout(model.size, model);
    let rows = match model.focus {
        Pane::Plan => areas.plan.height,
        Pane::Checks => areas.checks.height,
        Pane::Output => crate::tui::view::output::text_area(areas).height + 2,
        Pane::Register => areas.register.height.saturating_sub(1),
    };
    usize::from(rows.saturating_sub(2)).max(1)
}

pub(super) fn move_by(model: &mut Model, delta: isize) {
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
                model.output = model.output.fresh();
            }
        }
        Pane::Output => scroll_output(model, delta),
    }
}

pub(super) fn clamp_add(at: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (at as isize)
        .saturating_add(delta)
        .clamp(0, len as isize - 1) as usize
}
