//! The plan: phases (folding) with progress bars, the sections of a markdown plan,
//! tasks with their status (cancelled ones struck through), and what a blocked task
//! waits for.

use super::super::model::{Model, Pane, PlanRow};
use super::super::theme::{CheckRole, PlanRole, Theme, Ui};
use super::{pane_block, safe, selected, title};
use crate::domain::plan::{TaskCounts, TaskStatus};
use crate::text::format::{clip, fit};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let plan = &model.config.plan;
    let counts = TaskCounts::of(plan.tasks());
    let all = counts.counted() + counts.cancelled;
    let details = match (all, counts.cancelled) {
        (0, _) => String::new(),
        (_, 0) => format!("{}/{} done", counts.done, counts.counted()),
        (_, c) => format!("{}/{} done · {c} ✗", counts.done, counts.counted()),
    };
    let block = pane_block(model, Pane::Plan, title("Plan", details, theme), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if all == 0 && plan.phases.is_empty() {
        let hint = Line::styled(
            "No plan: add [[phase]] to preflight.toml or list markdown plans in [project] plans.",
            theme.ui(Ui::Dim),
        );
        frame.render_widget(
            Paragraph::new(hint).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let focused = model.focus == Pane::Plan;
    let width = usize::from(inner.width);
    let lines: Vec<Line> = model
        .plan_rows()
        .into_iter()
        .enumerate()
        .skip(model.plan_offset)
        .take(usize::from(inner.height))
        .map(|(i, row)| {
            let mut line = row_line(model, row, width, theme);
            if i == model.plan_selected && focused {
                line = line.patch_style(selected(theme, focused));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn row_line<'a>(model: &'a Model, row: PlanRow, width: usize, theme: &Theme) -> Line<'a> {
    let plan = &model.config.plan;
    let text = theme.ui(Ui::Text);
    let dim = theme.ui(Ui::Dim);
    match row {
        PlanRow::Phase(p) => {
            let phase = &plan.phases[p];
            let fold = if model.folded.contains(&p) {
                "▸"
            } else {
                "▾"
            };
            let progress = phase.progress();
            let bar_width = 6.min(width.saturating_sub(10) / 3);
            let filled = (progress * bar_width as f64).round() as usize;
            let percent = format!(" {:>3.0}% ", progress * 100.0);
            let name_width = width.saturating_sub(2 + percent.len() + bar_width);
            let name = fit(&safe(&phase.title), name_width);
            Line::from(vec![
                Span::styled(format!("{fold} "), dim),
                Span::styled(name, theme.ui(Ui::Title)),
                Span::styled(percent, dim),
                Span::styled("█".repeat(filled), theme.check(CheckRole::Passed)),
                Span::styled("░".repeat(bar_width - filled), dim),
            ])
        }
        PlanRow::Section(p, t) => {
            let section = plan.phases[p].tasks[t].section.as_deref().unwrap_or("");
            Line::from(vec![
                Span::styled("  § ", dim),
                Span::styled(clip(&safe(section), width.saturating_sub(4)), dim),
            ])
        }
        PlanRow::Task(p, t) => {
            let task = &plan.phases[p].tasks[t];
            let waits = if task.status.is_closed() {
                Vec::new()
            } else {
                plan.blockers(task)
            };
            let (glyph, style) = match task.status {
                TaskStatus::Done => ("✔", theme.plan(PlanRole::Done)),
                TaskStatus::Doing => ("◐", theme.plan(PlanRole::Doing)),
                TaskStatus::Cancelled => ("✗", theme.plan(PlanRole::Cancelled)),
                TaskStatus::Todo if !waits.is_empty() => ("⊘", theme.plan(PlanRole::Blocked)),
                TaskStatus::Todo => ("○", theme.plan(PlanRole::Todo)),
            };
            let title_style = if task.status == TaskStatus::Cancelled {
                style
            } else {
                text
            };
            let mut spans = vec![
                Span::styled(format!("  {glyph} "), style),
                Span::styled(format!("{} ", safe(&task.id)), dim),
                Span::styled(safe(&task.title).into_owned(), title_style),
            ];
            if !waits.is_empty() {
                spans.push(Span::styled(format!(" ({})", safe(&waits.join(", "))), dim));
            }
            Line::from(spans)
        }
    }
}
