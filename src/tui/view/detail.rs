//! The selected issue in full: fields, finding, dismissal, notes and history.

use super::super::model::{Model, Pane};
use super::super::theme::{Theme, Ui};
use super::{pane_block, safe, safe_lines, title};
use crate::domain::issue::{FindingLink, Issue};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let issue = model.register.current(&model.issues);
    let heading = issue.map_or(String::new(), |i| format!("{} · rev {}", i.id, i.revision));
    let block = pane_block(model, Pane::Register, title("Issue", heading, theme), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match issue {
        Some(issue) => lines(issue, theme),
        None => vec![Line::styled("No issue selected.", theme.ui(Ui::Dim))],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Every text of the issue is hostile (a committed file, a tool's report): one-line
/// fields go through `safe` (in `field`), multi-line ones through `safe_lines`, each
/// line under its label.
fn lines<'a>(issue: &'a Issue, theme: &Theme) -> Vec<Line<'a>> {
    let label = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    let block = |name: &'static str, value: &str, style: Style| -> Vec<Line<'static>> {
        safe_lines(value)
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let head = if i == 0 { name } else { "" };
                Line::from(vec![
                    Span::styled(format!("{head:<10}"), label),
                    Span::styled(part, style),
                ])
            })
            .collect()
    };
    let mut out = vec![
        Line::styled(safe(&issue.title), theme.ui(Ui::Title)),
        Line::from(vec![
            Span::styled(format!("{:<10}", "severity"), label),
            Span::styled(issue.severity.as_str(), theme.severity(issue.severity)),
            Span::styled("   status ", label),
            Span::styled(issue.status.as_str(), theme.status(issue.status)),
            Span::styled("   blocker ", label),
            Span::styled(
                if issue.blocker { "yes" } else { "no" },
                if issue.blocker {
                    theme.ui(Ui::NoGo)
                } else {
                    text
                },
            ),
            Span::styled("   owner ", label),
            Span::styled(safe(issue.owner.as_deref().unwrap_or("-")), text),
        ]),
    ];
    if let Some(f) = &issue.finding {
        out.extend(finding_lines(f, theme));
    }
    for (name, value) in [
        ("area", &issue.area),
        ("impact", &issue.impact),
        ("evidence", &issue.evidence),
        ("repro", &issue.repro),
        ("cause", &issue.root_cause),
        ("fix", &issue.fix),
        ("task", &issue.task),
    ] {
        // A multi-line value (an advisory's text and link) keeps its lines.
        if let Some(value) = value {
            out.extend(block(name, value, text));
        }
    }
    if let Some(d) = &issue.dismissal {
        let expires = d
            .expires
            .as_deref()
            .map_or(String::new(), |e| format!(" until {e}"));
        let note = d
            .note
            .as_deref()
            .map_or(String::new(), |n| format!(": {n}"));
        out.extend(block(
            "dismissed",
            &format!("{}{expires} by {}{note}", d.reason.as_str(), safe(&d.by)),
            text,
        ));
    }
    for note in &issue.notes {
        out.extend(block(
            "note",
            &format!("{} ({}, {})", note.text, safe(&note.by), short(&note.at)),
            text,
        ));
    }
    if !issue.history.is_empty() {
        out.push(Line::styled("history", label));
        for h in issue.history.iter().rev() {
            out.push(Line::styled(
                safe(&format!("  {} {} {}", short(&h.at), h.by, h.change)).into_owned(),
                label,
            ));
        }
    }
    out
}

/// The finding behind an issue: where, which package (advisories), when seen.
fn finding_lines<'a>(f: &FindingLink, theme: &Theme) -> Vec<Line<'a>> {
    let label = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    let field = |name, value, style| field(name, value, label, style);
    let mut out = Vec::new();
    let place = match (&f.path, f.line) {
        (Some(p), Some(l)) => format!(" at {p}:{l}"),
        (Some(p), None) => format!(" at {p}"),
        _ => String::new(),
    };
    out.push(field(
        "finding",
        format!("{} {}{place}", f.check, f.rule),
        text,
    ));
    if let Some(summary) = f.dependency_summary() {
        out.push(field("package", summary, theme.ui(Ui::Title)));
    }
    if !f.aliases.is_empty() {
        out.push(field("aliases", f.aliases.join(", "), text));
    }
    if let Some(confidence) = &f.confidence {
        out.push(field("confidence", confidence.clone(), text));
    }
    out.push(field(
        "seen",
        format!(
            "first {} · last {}",
            short(&f.first_seen),
            short(&f.last_seen)
        ),
        label,
    ));
    out
}

/// One labelled line: `owner     sam`; the value is hostile, so sanitised.
fn field<'a>(name: &str, value: String, label: Style, style: Style) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{name:<10}"), label),
        Span::styled(safe(&value).into_owned(), style),
    ])
}

/// A commit or a time, shortened: `3f2a1c9`, `2026-11-22 10:04`.
fn short(text: &str) -> String {
    // `get`, not slicing: the text comes from a file anyone may have written, and a
    // character across byte 16 must not panic the cockpit.
    if text.len() == 40 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        text[..7].to_string()
    } else if let (Some(head), Some(b'T')) = (text.get(..16), text.as_bytes().get(10)) {
        head.replace('T', " ")
    } else {
        text.to_string()
    }
}
