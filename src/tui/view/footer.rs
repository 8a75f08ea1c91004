//! The footer: the last notice, or key hints for the focused pane, made from the key
//! map (so a rebound key shows its new binding).

use super::super::action::Action;
use super::super::model::{Ask, Model, Overlay, Pane};
use super::super::theme::{Theme, Ui};
use super::super::update::key_for;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The hints per pane: (action, short label). The severity keys show as one hint.
fn hints(pane: Pane) -> &'static [(Action, &'static str)] {
    match pane {
        // The keys people use most first: what fits at 80 columns is what a triage
        // pass needs.
        Pane::Register => &[
            (Action::Filter, "filter"),
            (Action::Open, "detail"),
            (Action::Undo, "undo"),
            (Action::Mark, "mark"),
            (Action::SeverityCritical, "severity"),
            (Action::Dismiss, "dismiss"),
            (Action::Accept, "accept"),
            (Action::Owner, "owner"),
            (Action::Blocker, "blocker"),
            (Action::Fixed, "fixed"),
            (Action::Note, "note"),
            (Action::OpenCode, "code"),
            (Action::NextStatus, "status"),
            (Action::Edit, "edit"),
            (Action::NewIssue, "new"),
            (Action::Log, "log"),
        ],
        Pane::Plan => &[
            (Action::CycleTask, "task status"),
            (Action::CancelTask, "cancel"),
            (Action::Open, "fold"),
            (Action::NextPane, "pane"),
        ],
        Pane::Checks => &[
            (Action::Rerun, "re-run"),
            (Action::RerunAll, "all"),
            (Action::Open, "output"),
            (Action::Zoom, "zoom"),
            (Action::PauseWatch, "pause"),
            (Action::NextPane, "pane"),
        ],
        Pane::Output => &[
            (Action::Follow, "follow"),
            (Action::Filter, "search"),
            (Action::NextMatch, "older"),
            (Action::PrevMatch, "newer"),
            (Action::Wrap, "wrap"),
            (Action::Zoom, "zoom"),
            (Action::Rerun, "re-run"),
            (Action::NextPane, "pane"),
        ],
    }
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    if let Some(notice) = &model.notice {
        let style = if notice.is_error() {
            theme.ui(Ui::Error)
        } else {
            theme.ui(Ui::Text)
        };
        let glyph = if notice.is_error() { "✖" } else { "›" };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" {glyph} {}", super::safe(&notice.text)),
                style,
            )),
            area,
        );
        return;
    }
    let key = theme.ui(Ui::Key);
    let dim = theme.ui(Ui::Dim);
    if let Some(Overlay::Input {
        ask: ask @ (Ask::Filter { .. } | Ask::Search),
        field,
        error,
    }) = &model.overlay
    {
        let (prompt, hint) = match ask {
            Ask::Filter { .. } => (
                "/",
                "  sev:high status:new owner:x rule:x path:x -term · ↑↓ history · enter keeps",
            ),
            _ => (
                "search ",
                "  enter jumps to the newest match · n older · N newer",
            ),
        };
        let mut spans = vec![Span::styled(format!(" {prompt}"), key)];
        spans.extend(super::overlay::field_spans(field, theme));
        match error {
            // The text stays as typed, the reason beside it.
            Some(error) => spans.push(Span::styled(
                format!("  ✖ {}", super::safe(error)),
                theme.ui(Ui::Error),
            )),
            None => spans.push(Span::styled(hint, dim)),
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let (pairs, tail) = hint_pairs(model, area.width >= 100);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let width = usize::from(area.width);
    let tail_width: usize = pairs[pairs.len() - tail..]
        .iter()
        .map(|(k, l)| k.width() + l.width() + 4)
        .sum();
    for (i, (k, label)) in pairs.iter().enumerate() {
        let w = k.width() + label.width() + 4;
        let reserved = if i < pairs.len() - tail {
            tail_width
        } else {
            0
        };
        // The last pair drops its " · ", so 3 columns less are needed than counted.
        if used + w + reserved > width + 3 {
            continue;
        }
        used += w;
        spans.push(Span::styled(k.clone(), key));
        spans.push(Span::styled(format!(" {label}"), dim));
        spans.push(Span::styled(" · ", dim));
    }
    spans.pop();
    if model.read_only {
        spans.push(Span::styled("   read-only", theme.ui(Ui::Error)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The key hints to show: (keys, label), for the focused pane or the open prompt, and
/// how many at the end are kept whatever the width (help and quit, and the palette
/// when `wide`).
fn hint_pairs(model: &Model, wide: bool) -> (Vec<(String, &'static str)>, usize) {
    let mut pairs: Vec<(String, &'static str)> = Vec::new();
    let mut tail = 0;
    if matches!(
        model.overlay,
        Some(Overlay::Input { .. } | Overlay::Palette { .. })
    ) {
        pairs.push(("enter".into(), "confirm"));
        pairs.push(("esc/ctrl-g".into(), "cancel"));
        tail = pairs.len();
    } else if let Some(Overlay::Log { .. } | Overlay::Help { .. }) = model.overlay {
        // Over the panes, their keys do nothing: say the overlay's own.
        pairs.push(("j/k".into(), "move"));
        if matches!(model.overlay, Some(Overlay::Log { .. })) {
            pairs.push(("enter".into(), "show the issue"));
        }
        pairs.push(("esc/q".into(), "close"));
        tail = pairs.len();
    } else {
        if !model.trusted && !model.read_only {
            if let Some(k) = key_for(model, Action::Trust) {
                pairs.push((k, "trust & run"));
            }
        }
        for (action, label) in hints(model.focus) {
            if model.read_only && action.is_triage() {
                continue;
            }
            let Some(k) = key_for(model, *action) else {
                continue;
            };
            let k = if *action == Action::SeverityCritical {
                severity_keys(model).unwrap_or(k)
            } else {
                k
            };
            pairs.push((k, label));
        }
        let quit = if model.detail { "close" } else { "quit" };
        for (action, label) in [
            (Action::Palette, "commands"),
            (Action::Help, "help"),
            (Action::Quit, quit),
        ] {
            if action == Action::Palette && !wide {
                continue;
            }
            if let Some(k) = key_for(model, action) {
                pairs.push((k, label));
                tail += 1;
            }
        }
    }
    (pairs, tail)
}

/// "1-5" when the five severity keys are 1…5 (as by default).
fn severity_keys(model: &Model) -> Option<String> {
    let keys: Vec<String> = [
        Action::SeverityCritical,
        Action::SeverityHigh,
        Action::SeverityMedium,
        Action::SeverityLow,
        Action::SeverityInfo,
    ]
    .into_iter()
    .map(|a| key_for(model, a))
    .collect::<Option<_>>()?;
    (keys.join("") == "12345").then(|| "1-5".to_string())
}
