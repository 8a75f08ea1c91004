//! The selected check's live output: colours kept, every other control sequence
//! dropped (`tui::ansi`), following the tail or pinned to a line, wrapped or scrolled
//! sideways, search matches highlighted. The title says what ran, why, how it ended
//! and where the view is.

use super::super::model::{CheckPhase, CheckRow, Model, Pane};
use super::super::theme::{Theme, Ui};
use super::scrollback::{Content, Look};
use super::{pane_block, safe, Areas};
use crate::domain::check::RunStatus;
use crate::text::format::clip;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The text area of the output pane (inside its border).
pub fn text_area(areas: Areas) -> Rect {
    areas.output.inner(ratatui::layout::Margin::new(1, 1))
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(check) = model.selected_check() else {
        let title = Line::styled(" Output ", theme.ui(Ui::Title));
        frame.render_widget(pane_block(model, Pane::Output, title, theme), area);
        return;
    };
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let Some(output) = &check.output else {
        let title = heading(model, check, None, usize::from(area.width), theme);
        frame.render_widget(pane_block(model, Pane::Output, title, theme), area);
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
    let log = model.log_of(&check.id);
    let content = Content {
        ring: &ring,
        log: log.as_deref(),
        width: usize::from(inner.width),
        height: usize::from(inner.height),
        wrap: model.output.wrap,
    };
    let window = content.window(model.output.pinned);
    let needle = model
        .output
        .search
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase);
    let look = Look {
        depth: theme.depth,
        needle: needle.as_deref(),
        found: model.output.found,
        matched: theme.ui(Ui::Selection).add_modifier(Modifier::REVERSED),
        current: theme.ui(Ui::Key).add_modifier(Modifier::REVERSED),
        note: theme.ui(Ui::Dim),
        column: model.output.column,
    };
    let mut rows = content.rows(window, &look);
    if content.end() == 0 {
        let text = match check.phase {
            CheckPhase::Queued => "Waiting for a free slot…",
            CheckPhase::Running { .. } => "No output yet…",
            CheckPhase::Idle | CheckPhase::Done => "The run printed nothing.",
        };
        rows = vec![Line::styled(text, theme.ui(Ui::Dim))];
    }
    let place = if window.tail && model.output.following() {
        Place::Following(content.end())
    } else {
        Place::At {
            line: window.top + 1,
            of: content.end(),
        }
    };
    drop(ring);
    let title = heading(model, check, Some(place), usize::from(area.width), theme);
    frame.render_widget(pane_block(model, Pane::Output, title, theme), area);
    frame.render_widget(Paragraph::new(rows).style(theme.ui(Ui::Text)), inner);
}

/// Where the view is, for the title.
enum Place {
    Following(u64),
    At { line: u64, of: u64 },
}

/// "lint · failed, exit 101 · src/db.rs · line 1,204/5,310 · f follows".
fn heading<'a>(
    model: &Model,
    check: &CheckRow,
    place: Option<Place>,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let (state, style) = state(check, theme);
    let dim = theme.ui(Ui::Dim);
    let mut spans = vec![
        Span::styled(format!(" {} ", safe(&check.id)), theme.ui(Ui::Title)),
        Span::styled(state, style),
    ];
    let mut tail: Vec<String> = Vec::new();
    match place {
        Some(Place::Following(1)) => tail.push("1 line".into()),
        Some(Place::Following(lines)) if lines > 0 => tail.push(format!("{} lines", count(lines))),
        Some(Place::At { line, of }) => {
            tail.push(format!("line {}/{}", count(line), count(of)));
        }
        _ => {}
    }
    if !model.output.wrap && model.output.column > 0 {
        tail.push(format!("→{}", model.output.column));
    }
    if model.output.zoom {
        tail.push("z back".into());
    }
    if check.trigger.is_none() && check.output.is_some() {
        tail.push("last run's log".into());
    }
    // The trigger takes what the rest leaves, cut from the left (the file name shows).
    let used: usize = spans.iter().map(|s| s.content.width()).sum::<usize>()
        + tail.iter().map(|t| t.width() + 3).sum::<usize>()
        + 5;
    if let Some(trigger) = &check.trigger {
        let room = width.saturating_sub(used + 3);
        if room >= 6 {
            spans.push(Span::styled(
                format!(" · {}", clip_left(&safe(trigger), room)),
                dim,
            ));
        }
    }
    for text in tail {
        spans.push(Span::styled(format!(" · {text}"), dim));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The run's state, with the exit code of a failure.
fn state(check: &CheckRow, theme: &Theme) -> (String, ratatui::style::Style) {
    match (&check.phase, &check.last) {
        (CheckPhase::Running { .. }, _) => (
            "running".into(),
            theme.check(super::super::theme::CheckRole::Running),
        ),
        (CheckPhase::Queued, _) => (
            "queued".into(),
            theme.check(super::super::theme::CheckRole::Running),
        ),
        (_, Some(last)) => {
            let label = super::super::model::run_label(last.status);
            let text = match (last.status, last.exit_code) {
                (status, Some(code)) if code != 0 && status != RunStatus::Passed => {
                    format!("{label}, exit {code}")
                }
                _ => label.to_string(),
            };
            (text, theme.run(last.status))
        }
        (_, None) => ("not run".into(), theme.ui(Ui::Dim)),
    }
}

/// 34,987.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// At most `width` columns of `text`, keeping its end: `…/src/db.rs`.
pub fn clip_left(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let reversed: String = text.chars().rev().collect();
    let kept: String = clip(&reversed, width).chars().rev().collect();
    // `clip` put its ellipsis at the end of the reversed text: now at the start.
    kept
}
