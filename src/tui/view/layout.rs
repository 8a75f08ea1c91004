//! Where each pane goes: space follows content and attention.
//!
//! ```text
//! ┌ header: project · branch@commit · dirty · watch state ·········· verdict ┐
//! │ plan (its titles' width) │ checks (their columns) │ output (the rest)     │  top row
//! ├ register (its rows, up to what the top row leaves) or an issue's detail ─┤
//! └ footer: key hints for the focused pane, or the last notice ──────────────┘
//! ```
//! - Rows: the top row takes what the plan and the checks need (at least
//!   [`TOP_MIN`]); the register takes the rest, but a short register takes only its
//!   rows and gives the remainder to the top row. When the shown output needs
//!   attention (its check runs, or its last run did not pass) or the checks or the
//!   output have the focus, the top row takes at least three fifths of the body.
//! - Columns: the plan and the checks each take their longest row (up to two fifths
//!   of the width each); the output takes the rest, at least a third of the width (a
//!   half when the eyes are on it, as above). When the three do not fit side
//!   by side, the plan goes above the checks in one column left of the output
//!   (lazygit's side panels); when the row is too low for that, the column shows one
//!   of the two — the focused one, else the checks.
//! - `z` gives the whole body to the output. Below [`SMALLEST`] nothing is laid out:
//!   the screen says how much room is needed.

use super::super::model::{CheckPhase, Model, Pane};
use crate::domain::check::RunStatus;
use ratatui::layout::Rect;

/// The smallest screen the cockpit draws on (columns, rows).
pub const SMALLEST: (u16, u16) = (60, 15);
/// Rows of the top row at least (borders included): four lines of plan and checks.
const TOP_MIN: u16 = 6;
/// Rows of the register at least: its border, header and one issue.
const REGISTER_MIN: u16 = 4;
/// Columns the plan and the checks keep at least before one of them is left out.
const PLAN_MIN: u16 = 22;
const CHECKS_MIN: u16 = 20;
/// Columns the plan-and-checks column may take on a narrow screen even when that is
/// more than two fifths of it.
const LEFT_MAX_NARROW: u16 = 40;
/// Columns of output at least.
const OUTPUT_MIN: u16 = 30;

/// Where each pane goes on a screen of a given size. Invariant: the areas do not
/// overlap and lie within the screen; a pane not shown has an empty area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub plan: Rect,
    pub checks: Rect,
    pub output: Rect,
    pub register: Rect,
    pub footer: Rect,
    /// The screen is smaller than [`SMALLEST`]: nothing but a note is drawn.
    pub too_small: bool,
}

/// What each pane would like, measured by the panes themselves.
#[derive(Debug, Clone, Copy)]
pub struct Wants {
    /// Columns of the plan's and the checks' longest rows (borders included).
    pub plan_width: u16,
    pub checks_width: u16,
    /// Rows of the plan and of the checks (borders included).
    pub plan_rows: u16,
    pub checks_rows: u16,
    /// Rows of the register: its issues, header and borders.
    pub register_rows: u16,
}

/// The layout for a terminal of `size` (columns, rows). Pure: `update` uses it for
/// page sizes and scrolling, `draw` to place the panes.
pub fn layout(size: (u16, u16), model: &Model) -> Areas {
    let (width, height) = size;
    if width < SMALLEST.0 || height < SMALLEST.1 {
        return Areas {
            too_small: true,
            ..Areas::default()
        };
    }
    let header = Rect::new(0, 0, width, 1);
    let footer = Rect::new(0, height - 1, width, 1);
    let body = Rect::new(0, 1, width, height - 2);
    if model.output.zoom {
        return Areas {
            header,
            footer,
            output: body,
            ..Areas::default()
        };
    }
    let wants = wants(model);
    // The eyes are on the output when it needs attention or the user reads it.
    let attention = needs_attention(model) || matches!(model.focus, Pane::Checks | Pane::Output);
    let top = top_rows(body.height, &wants, attention, model.detail);
    let top_row = Rect::new(0, body.y, width, top);
    let register = Rect::new(0, body.y + top, width, body.height - top);
    let (plan, checks, output) = top_panes(top_row, &wants, attention, model.focus);
    Areas {
        header,
        plan,
        checks,
        output,
        register,
        footer,
        too_small: false,
    }
}

/// Whether the shown output is where the eyes should be: its check is queued or
/// running, or its last run did not pass.
pub fn needs_attention(model: &Model) -> bool {
    model.selected_check().is_some_and(|c| match c.phase {
        CheckPhase::Queued | CheckPhase::Running { .. } => true,
        CheckPhase::Idle | CheckPhase::Done => {
            c.output.is_some()
                && c.last
                    .as_ref()
                    .is_some_and(|l| l.status != RunStatus::Passed)
        }
    })
}

fn wants(model: &Model) -> Wants {
    let (plan_width, plan_rows) = super::plan::wants(model);
    let (checks_width, checks_rows) = super::checks::wants(model);
    let issues = model.register.count(&model.issues);
    Wants {
        plan_width,
        checks_width,
        plan_rows,
        checks_rows,
        register_rows: u16::try_from(issues).unwrap_or(u16::MAX).saturating_add(3),
    }
}

/// Rows of the top row, out of `body`.
fn top_rows(body: u16, wants: &Wants, attention: bool, detail: bool) -> u16 {
    let most = body.saturating_sub(REGISTER_MIN).max(TOP_MIN.min(body));
    let mut top = wants.plan_rows.max(wants.checks_rows).max(TOP_MIN);
    if attention {
        top = top.max(body * 3 / 5);
    } else {
        top = top.min(body / 2);
    }
    if detail {
        // The issue's detail is read: it keeps at least half.
        top = top.min(body - body / 2);
    } else {
        // A short register gives its spare rows to the top.
        let register = body.saturating_sub(top);
        if wants.register_rows < register {
            top = body - wants.register_rows.max(REGISTER_MIN);
        }
    }
    top.clamp(TOP_MIN.min(most), most)
}

/// The plan, the checks and the output in the top row: side by side when all three
/// get their width; else the plan above the checks, left of the output, when the row
/// is tall enough; else the focused one of the two (the checks by default) alone.
fn top_panes(row: Rect, wants: &Wants, attention: bool, focus: Pane) -> (Rect, Rect, Rect) {
    let width = row.width;
    let output = if attention { width / 2 } else { width / 3 }.max(OUTPUT_MIN);
    let cap = width * 2 / 5;
    let plan = wants.plan_width.clamp(PLAN_MIN, cap.max(PLAN_MIN));
    let checks = wants.checks_width.clamp(CHECKS_MIN, cap.max(CHECKS_MIN));
    if plan + checks + output <= width {
        let output_x = row.x + plan + checks;
        return (
            Rect::new(row.x, row.y, plan, row.height),
            Rect::new(row.x + plan, row.y, checks, row.height),
            Rect::new(output_x, row.y, width - plan - checks, row.height),
        );
    }
    let room = width.saturating_sub(output).min(cap.max(LEFT_MAX_NARROW));
    let left = wants
        .plan_width
        .max(wants.checks_width)
        .clamp(PLAN_MIN.max(CHECKS_MIN).min(room), room);
    let output = Rect::new(row.x + left, row.y, width - left, row.height);
    // Stacked: the focused one of the two, else the checks, gets the rows it wants;
    // the other keeps at least two rows of its own, or is left out.
    const OTHER_MIN: u16 = 4;
    let (first, second) = if focus == Pane::Plan {
        (wants.plan_rows, wants.checks_rows)
    } else {
        (wants.checks_rows, wants.plan_rows)
    };
    if row.height >= first.min(row.height) + OTHER_MIN && second > 0 {
        let first = first.min(row.height - OTHER_MIN);
        let (plan_h, checks_h) = if focus == Pane::Plan {
            (first, row.height - first)
        } else {
            (row.height - first, first)
        };
        return (
            Rect::new(row.x, row.y, left, plan_h),
            Rect::new(row.x, row.y + plan_h, left, checks_h),
            output,
        );
    }
    let alone = Rect::new(row.x, row.y, left, row.height);
    if focus == Pane::Plan {
        (alone, Rect::default(), output)
    } else {
        (Rect::default(), alone, output)
    }
}
