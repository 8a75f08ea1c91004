//! The checks: status glyph, duration, findings, metric against its target, what
//! triggered the run, and a spinner while one runs.

use super::super::model::{CheckPhase, CheckRow, Model, Pane};
use super::super::theme::{CheckRole, Theme, Ui};
use super::{pane_block, safe, selected, title, SPINNER};
use crate::domain::check::RunStatus;
use crate::text::format::human_duration;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let failing = model
        .checks
        .iter()
        .filter(|c| {
            c.last
                .as_ref()
                .is_some_and(|l| l.status != RunStatus::Passed)
        })
        .count();
    let details = match (model.checks.len(), failing) {
        (0, _) => String::new(),
        (n, 0) => format!("{n}"),
        (n, f) => format!("{n} · {f} failing"),
    };
    let block = pane_block(model, Pane::Checks, title("Checks", details, theme), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if model.checks.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("No checks configured.", theme.ui(Ui::Dim))),
            inner,
        );
        return;
    }
    let height = usize::from(inner.height);
    let offset = model
        .check_selected
        .saturating_sub(height.saturating_sub(1));
    let now = Instant::now();
    let id_width = model
        .checks
        .iter()
        .map(|c| safe(&c.id).width())
        .max()
        .unwrap_or(0)
        .min(14);
    let focused = model.focus == Pane::Checks;
    let lines: Vec<Line> = model
        .checks
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, row)| {
            let line = row_line(model, row, id_width, usize::from(inner.width), now, theme);
            if i == model.check_selected && (focused || model.focus == Pane::Output) {
                line.patch_style(selected(theme, focused))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn row_line<'a>(
    model: &Model,
    row: &CheckRow,
    id_width: usize,
    width: usize,
    now: Instant,
    theme: &Theme,
) -> Line<'a> {
    let dim = theme.ui(Ui::Dim);
    let (glyph, style, time): (String, Style, String) = match &row.phase {
        CheckPhase::Running { since } => (
            SPINNER[model.spin % SPINNER.len()].to_string(),
            theme.check(CheckRole::Running),
            format!(
                "{} …",
                human_duration(round(now.saturating_duration_since(*since)))
            ),
        ),
        CheckPhase::Queued => ("…".into(), theme.check(CheckRole::Running), "queued".into()),
        CheckPhase::Idle | CheckPhase::Done => match &row.last {
            Some(last) => (
                glyph(last.status).into(),
                theme.run(last.status),
                human_duration(Duration::from_millis(last.duration_ms)),
            ),
            None => (
                "·".into(),
                theme.check(CheckRole::Stale),
                "never run".into(),
            ),
        },
    };
    let mut spans = vec![
        Span::styled(format!("{glyph} "), style),
        Span::styled(
            crate::text::format::fit(&safe(&row.id), id_width),
            theme.ui(Ui::Text),
        ),
    ];
    let mut used = 2 + id_width;
    // What matters most comes first and stays when the pane is narrow.
    let mut extra = Vec::new();
    let settled = matches!(row.phase, CheckPhase::Idle | CheckPhase::Done);
    if let (Some(last), true) = (&row.last, settled) {
        if last.findings > 0 {
            let word = if last.findings == 1 {
                "finding"
            } else {
                "findings"
            };
            extra.push((format!("{} {word}", last.findings), theme.run(last.status)));
        }
        if let Some(metric) = last.metric {
            let unit = last.unit.as_deref().unwrap_or("");
            let target = row
                .target
                .as_deref()
                .map_or(String::new(), |t| format!(" ({t})"));
            extra.push((
                format!("{}{unit}{target}", number(metric)),
                theme.ui(Ui::Text),
            ));
        } else if let Some(note) = &last.metric_note {
            // A metric that could not be read says why, where its value would be.
            // Clipped to what is left beside the duration, so that still shows.
            let room = width.saturating_sub(2 + id_width + 1 + 7);
            extra.push((
                crate::text::format::clip(&format!("no metric: {note}"), room),
                theme.run(RunStatus::Error),
            ));
        }
    }
    extra.push((format!("{time:>5}"), dim));
    if let (Some(last), true) = (&row.last, settled) {
        if last.commit.is_some() && last.commit != model.repo.commit {
            extra.push(("stale".to_string(), theme.check(CheckRole::Stale)));
        }
    }
    if let Some(trigger) = &row.trigger {
        extra.push((safe(trigger).into_owned(), dim));
    }
    for (text, style) in extra {
        if used + 1 + text.width() > width {
            break;
        }
        used += 1 + text.width();
        spans.push(Span::raw(" "));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// 84 rather than 84.0; 83.7 stays.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn glyph(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Passed => "✔",
        RunStatus::Failed => "✖",
        RunStatus::TimedOut => "⧗",
        RunStatus::Error => "!",
    }
}

/// Whole seconds while running: the row changes once a second, not every tick.
fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}
