//! The header: project, branch@commit and dirtiness, watch state, who runs the checks,
//! and the verdict.

use super::super::model::{Model, Runner, Watching};
use super::super::theme::{CheckRole, Theme, Ui};
use super::safe;
use crate::domain::gate::Decision;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The rank of what goes first when the header is too narrow, even before the verdict
/// is shortened.
const LEAST: u8 = 5;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let dim = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    // (what, how much it matters: lower stays longer)
    let mut items: Vec<(Vec<Span>, u8)> = vec![
        (vec![Span::styled("preflight", theme.ui(Ui::Title))], 4),
        (
            vec![Span::styled(safe(&model.repo.project).into_owned(), text)],
            1,
        ),
    ];
    if let Some(branch) = &model.repo.branch {
        let at = model.repo.commit.as_deref().map_or(String::new(), |c| {
            format!("@{}", c.chars().take(7).collect::<String>())
        });
        let mut spans = vec![Span::styled(
            safe(&format!("{branch}{at}")).into_owned(),
            text,
        )];
        if model.repo.dirty > 0 {
            spans.push(Span::styled(format!(" +{}", model.repo.dirty), dim));
        }
        items.push((spans, 2));
    }
    let watching = match &model.watching {
        // Untrusted, nothing runs whatever the watcher does: never say "watching".
        _ if !model.trusted && !model.read_only => Span::styled("not trusted", theme.ui(Ui::Error)),
        Watching::Starting => Span::styled("starting", dim),
        Watching::On { .. } => Span::styled("watching", text),
        Watching::Paused { .. } => Span::styled(
            paused_label(&model.watching),
            theme.check(CheckRole::TimedOut),
        ),
        Watching::Off(why) => Span::styled(safe(why).into_owned(), theme.ui(Ui::Error)),
    };
    // Who runs the checks: another cockpit's name outranks the watch state; "me"
    // matters least (an untrusted cockpit runs nothing, whatever its model says).
    match &model.runner {
        Runner::Other(who) => items.push((
            vec![Span::styled(format!("runner: {}", safe(who)), text)],
            0,
        )),
        // Untrusted, this cockpit would not run them anyway: "not trusted" says it.
        Runner::Nobody if !model.trusted && !model.read_only => {}
        Runner::Nobody => items.push((
            vec![Span::styled(
                "runner: none",
                theme.check(CheckRole::TimedOut),
            )],
            0,
        )),
        Runner::Me => {}
    }
    items.push((vec![watching], 0));
    if model.runner == Runner::Me && model.trusted && !model.read_only {
        items.push((vec![Span::styled("runner: me", dim)], LEAST));
    }

    // Narrow screens drop what matters least first; the verdict always shows.
    let width = usize::from(area.width);
    let mut right = verdict(model, theme, true);
    let joined = |items: &[(Vec<Span<'static>>, u8)]| -> Vec<Span<'static>> {
        let mut out = vec![Span::raw(" ")];
        for (i, (spans, _)) in items.iter().enumerate() {
            if i > 0 {
                out.push(Span::styled(" · ", dim));
            }
            out.extend(spans.iter().cloned());
        }
        out
    };
    // At least two spaces between the two sides.
    let width = width.saturating_sub(2);
    if spans_width(&joined(&items)) + spans_width(&right) > width {
        // What matters least goes before the verdict is shortened.
        items.retain(|(_, rank)| *rank < LEAST);
    }
    if spans_width(&joined(&items)) + spans_width(&right) > width {
        right = verdict(model, theme, false);
    }
    while spans_width(&joined(&items)) + spans_width(&right) > width && items.len() > 1 {
        let least = items
            .iter()
            .enumerate()
            .max_by_key(|(_, (_, rank))| *rank)
            .map_or(0, |(i, _)| i);
        items.remove(least);
    }
    let left = joined(&items);
    let pad = (width + 2).saturating_sub(spans_width(&left) + spans_width(&right));
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// "paused", or "paused · 3 files changed".
fn paused_label(watching: &Watching) -> String {
    match watching {
        Watching::Paused { files, .. } if files.is_empty() => "paused".into(),
        Watching::Paused { files, .. } => {
            format!("paused · {} changed", plural(files.len(), "file"))
        }
        _ => String::new(),
    }
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
