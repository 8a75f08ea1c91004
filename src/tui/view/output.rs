//! The selected check's live output: colours kept, every other control sequence
//! dropped (`tui::ansi`), follow-tail or scrollback, search matches highlighted.

use super::super::ansi;
use super::super::model::{CheckPhase, Model, Pane};
use super::super::theme::{Theme, Ui};
use super::{pane_block, title};
use crate::domain::check::RunStatus;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(check) = model.selected_check() else {
        let block = pane_block(
            model,
            Pane::Output,
            title("Output", String::new(), theme),
            theme,
        );
        frame.render_widget(block, area);
        return;
    };
    let state = match (&check.phase, &check.last) {
        (CheckPhase::Running { .. }, _) => "running".to_string(),
        (CheckPhase::Queued, _) => "queued".to_string(),
        (_, Some(last)) if last.status == RunStatus::Passed => "passed".to_string(),
        (_, Some(last)) => super::super::model::run_label(last.status).to_string(),
        (_, None) => "not run".to_string(),
    };
    let from_log = check.trigger.is_none() && check.output.is_some();
    let mut details = state;
    if let Some(trigger) = &check.trigger {
        details.push_str(&format!(" · {trigger}"));
    }
    let lines_info = check.output.as_ref().map(|o| {
        let ring = o.lock();
        (ring.len(), ring.total())
    });
    if from_log {
        details.push_str(" · last run's log");
    }
    if let Some((_, total)) = lines_info {
        if !model.output.follow {
            details.push_str(&format!(" · ↑{}", model.output.scroll));
        } else if total > 0 {
            details.push_str(" · following");
        }
    }
    let block = pane_block(model, Pane::Output, title(&check.id, details, theme), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(output) = &check.output else {
        let text = if model.trusted {
            "No output in this session yet: r runs the check."
        } else {
            "Not trusted: nothing runs until you trust this repository."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.ui(Ui::Dim)))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    };
    let ring = output.lock();
    let height = usize::from(inner.height);
    let len = ring.len();
    let bottom = len.saturating_sub(model.output.scroll.min(len));
    let top = bottom.saturating_sub(height);
    let needle = model
        .output
        .search
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let highlight = theme.ui(Ui::Selection).add_modifier(Modifier::REVERSED);
    let lines: Vec<Line> = ring
        .lines()
        .skip(top)
        .take(bottom - top)
        .map(|text| {
            let line = ansi::line(text, theme.depth);
            match &needle {
                Some(needle) => mark(line, needle, highlight),
                None => line,
            }
        })
        .collect();
    drop(ring);
    frame.render_widget(Paragraph::new(lines).style(theme.ui(Ui::Text)), inner);
}

/// Highlight every (case-insensitive) occurrence of `needle` in `line`.
fn mark(line: Line<'static>, needle: &str, style: Style) -> Line<'static> {
    let plain: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let lower = plain.to_lowercase();
    // Lower-casing can change byte lengths; highlight only when it did not.
    if lower.len() != plain.len() || !lower.contains(needle) {
        return line;
    }
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(needle) {
        ranges.push((from + at, from + at + needle.len()));
        from += at + needle.len().max(1);
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for span in line.spans {
        let text = span.content.as_ref();
        let end = offset + text.len();
        let mut cut = offset;
        for &(a, b) in &ranges {
            let (a, b) = (a.max(offset), b.min(end));
            if a >= b {
                continue;
            }
            if a > cut {
                out.push(Span::styled(plain[cut..a].to_string(), span.style));
            }
            out.push(Span::styled(
                plain[a..b].to_string(),
                span.style.patch(style),
            ));
            cut = b;
        }
        if cut < end {
            out.push(Span::styled(plain[cut..end].to_string(), span.style));
        }
        offset = end;
    }
    Line::from(out)
}
