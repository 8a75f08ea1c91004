//! The selected issue in full, in a split under the table: fields (multi-line ones
//! keep their line breaks), the finding and the source lines around it, dismissal,
//! notes and history.

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
        Some(issue) => lines(issue, model, inner.height, theme),
        None => vec![Line::styled("No issue selected.", theme.ui(Ui::Dim))],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Label width of the detail's fields.
const LABEL: usize = 10;

/// `name  value`, a multi-line value's further lines indented under the first. Every
/// text of an issue is hostile (a committed file, a tool's report): the value goes
/// through `safe_lines`, each line under its label.
fn field<'a>(name: &str, value: &str, label: Style, style: Style) -> Vec<Line<'a>> {
    safe_lines(value)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let head = if i == 0 { name } else { "" };
            Line::from(vec![
                Span::styled(format!("{head:<LABEL$}"), label),
                Span::styled(text.replace('\t', "    "), style),
            ])
        })
        .collect()
}

/// The source lines around the finding, the finding's own line marked. The file is
/// the repository's: each line goes through `safe`.
fn source(out: &mut Vec<Line<'_>>, issue: &Issue, model: &Model, context: u32, theme: &Theme) {
    let Some(finding) = &issue.finding else {
        return;
    };
    let (Some(path), Some(line)) = (&finding.path, finding.line) else {
        return;
    };
    let label = theme.ui(Ui::Dim);
    let known = model
        .source
        .as_ref()
        .filter(|s| s.path == *path && s.line == line);
    match known.map(|s| &s.lines) {
        None => out.push(Line::styled("          reading…", label)),
        Some(Err(why)) => out.push(Line::styled(format!("          {}", safe(why)), label)),
        Some(Ok(lines)) => {
            for (n, text) in lines.iter().filter(|(n, _)| n.abs_diff(line) <= context) {
                let here = *n == line;
                let style = if here {
                    theme.ui(Ui::Key)
                } else {
                    theme.ui(Ui::Text)
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{:>8}{} ", n, if here { "▶" } else { " " }), label),
                    Span::styled(safe(text).replace('\t', "    "), style),
                ]));
            }
        }
    }
}

fn lines<'a>(issue: &'a Issue, model: &Model, height: u16, theme: &Theme) -> Vec<Line<'a>> {
    let label = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    let mut out = vec![
        Line::styled(safe(&issue.title).into_owned(), theme.ui(Ui::Title)),
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
        out.extend(finding_lines(f, issue, model, height, theme));
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
            out.extend(field(name, value, label, text));
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
        out.extend(field(
            "dismissed",
            &format!("{}{expires} by {}{note}", d.reason.as_str(), d.by),
            label,
            text,
        ));
    }
    for note in &issue.notes {
        out.extend(field(
            "note",
            &format!("{} ({}, {})", note.text, note.by, short(&note.at)),
            label,
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

/// The finding behind an issue: where (and the source lines there), which package
/// (advisories), when seen.
fn finding_lines<'a>(
    f: &FindingLink,
    issue: &Issue,
    model: &Model,
    height: u16,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let label = theme.ui(Ui::Dim);
    let text = theme.ui(Ui::Text);
    let mut out = Vec::new();
    let place = match (&f.path, f.line) {
        (Some(p), Some(l)) => format!(" at {p}:{l}"),
        (Some(p), None) => format!(" at {p}"),
        _ => String::new(),
    };
    out.extend(field(
        "finding",
        &format!("{} {}{place}", f.check, f.rule),
        label,
        text,
    ));
    // As many lines of context as fit around the finding's own (3 at most), so
    // that line is always in view.
    let context = (usize::from(height).saturating_sub(4) / 2).min(3) as u32;
    source(&mut out, issue, model, context, theme);
    if let Some(summary) = f.dependency_summary() {
        out.extend(field("package", &summary, label, theme.ui(Ui::Title)));
    }
    if !f.aliases.is_empty() {
        out.extend(field("aliases", &f.aliases.join(", "), label, text));
    }
    if let Some(confidence) = &f.confidence {
        out.extend(field("confidence", confidence, label, text));
    }
    out.extend(field(
        "seen",
        &format!(
            "first {} · last {}",
            short(&f.first_seen),
            short(&f.last_seen)
        ),
        label,
        label,
    ));
    out
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
