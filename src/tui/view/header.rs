//! The header: project, branch@commit and dirtiness, watch state, and the verdict.

use super::super::model::{Model, Watching};
use super::super::theme::{CheckRole, Theme, Ui};
use super::safe;
use crate::domain::gate::Decision;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let dim = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    let mut left = vec![
        Span::styled(" preflight", theme.ui(Ui::Title)),
        Span::styled(" · ", dim),
        Span::styled(safe(&model.repo.project).into_owned(), text),
    ];
    if let Some(branch) = &model.repo.branch {
        let at = model.repo.commit.as_deref().map_or(String::new(), |c| {
            format!("@{}", c.chars().take(7).collect::<String>())
        });
        left.push(Span::styled(" · ", dim));
        left.push(Span::styled(
            safe(&format!("{branch}{at}")).into_owned(),
            text,
        ));
    }
    if model.repo.dirty > 0 {
        left.push(Span::styled(
            format!(" +{}", model.repo.dirty),
            theme.ui(Ui::Dim),
        ));
    }
    left.push(Span::styled(" · ", dim));
    left.push(match &model.watching {
        // Untrusted, nothing runs whatever the watcher does: never say "watching".
        _ if !model.trusted && !model.read_only => Span::styled("not trusted", theme.ui(Ui::Error)),
        Watching::Starting => Span::styled("starting", dim),
        Watching::On { .. } => Span::styled("watching", text),
        Watching::Paused { pending: 0 } => Span::styled("paused", theme.check(CheckRole::TimedOut)),
        Watching::Paused { pending } => Span::styled(
            format!("paused ({pending} changes)"),
            theme.check(CheckRole::TimedOut),
        ),
        Watching::Off(why) => Span::styled(safe(why).into_owned(), theme.ui(Ui::Error)),
    });

    // Narrow screens drop the least useful words first; the verdict always shows.
    let width = usize::from(area.width);
    let mut right = verdict(model, theme, true);
    if spans_width(&left) + spans_width(&right) > width {
        right = verdict(model, theme, false);
    }
    if spans_width(&left) + spans_width(&right) > width {
        left.drain(..2);
        left[0].content = format!(" {}", left[0].content).into();
    }
    while spans_width(&left) + spans_width(&right) > width && left.len() > 1 {
        left.pop();
    }
    let pad = width.saturating_sub(spans_width(&left) + spans_width(&right));
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

/// "NO-GO · 2 blockers · 1 of 3 gates failing" ("1/3 gates failing" when narrow), or
/// "GO · 3 gates".
fn verdict<'a>(model: &Model, theme: &Theme, long: bool) -> Vec<Span<'a>> {
    let dim = theme.ui(Ui::Dim);
    let gates = model.config.gates.len();
    if model.verdict.decision == Decision::NoVerdict {
        let blockers = model.verdict.blockers.len();
        let mut spans = vec![Span::styled(model.verdict.headline(), dim)];
        if blockers > 0 {
            spans.push(Span::styled(" · ", dim));
            spans.push(Span::styled(
                plural(blockers, "blocker"),
                theme.ui(Ui::NoGo),
            ));
        }
        spans.push(Span::raw(" "));
        return spans;
    }
    if model.verdict.is_go() {
        vec![
            Span::styled("GO", theme.ui(Ui::Go)),
            Span::styled(format!(" · {} ", plural(gates, "gate")), dim),
        ]
    } else {
        let mut spans = vec![Span::styled("NO-GO", theme.ui(Ui::NoGo))];
        let blockers = model.verdict.blockers.len();
        if blockers > 0 {
            spans.push(Span::styled(
                format!(" · {}", plural(blockers, "blocker")),
                dim,
            ));
        }
        let failing = model.verdict.failing;
        let of_all = if long {
            format!(" · {failing} of {} failing ", plural(gates, "gate"))
        } else {
            format!(" · {failing}/{} failing ", plural(gates, "gate"))
        };
        spans.push(Span::styled(of_all, dim));
        spans
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
