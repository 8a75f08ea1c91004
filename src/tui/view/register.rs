//! The register: a sortable, filterable table of issues, with counts by severity.

use super::super::model::{Model, Pane};
use super::super::register::SortKey;
use super::super::theme::{Theme, Ui};
use super::{pane_block, safe, selected};
use crate::domain::baseline::Split;
use crate::domain::finding::Severity;
use crate::domain::issue::Issue;
use crate::text::format::age;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use std::time::SystemTime;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let rows = model.register.rows(&model.issues);
    let at = model.register.index(&model.issues);
    let block = pane_block(
        model,
        Pane::Register,
        heading(model, rows.len(), at, theme),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if rows.is_empty() {
        let text = if model.issues.is_empty() {
            "The register is empty: findings of checks land here; n files one by hand.".to_string()
        } else {
            format!(
                "No issue matches “{}” ({} in the register): / changes the filter.",
                safe(&model.register.filter_text),
                model.issues.len()
            )
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.ui(Ui::Dim))), inner);
        return;
    }
    let columns = columns(inner.width);
    let now = SystemTime::now();
    let focused = model.focus == Pane::Register;
    let range = model.register.range(&model.issues);
    let visible = usize::from(inner.height.saturating_sub(1));
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(model.register_offset)
        .take(visible)
        .map(|(i, issue)| {
            let marked = model.register.marks.contains(&issue.id)
                || range.is_some_and(|(a, b)| (a..=b).contains(&i));
            // A row held in place after a change elsewhere, no longer matching.
            let stale = !model.register.shows(issue);
            let row = issue_row(issue, now, &columns, marked, stale, theme);
            if Some(i) == at {
                row.style(selected(theme, focused))
            } else {
                row
            }
        })
        .collect();
    let widths: Vec<Constraint> = columns.iter().map(|c| c.constraint()).collect();
    // The sorted column says so, and which way.
    let arrow = if model.register.reverse { "↑" } else { "↓" };
    let sorted = match model.register.sort {
        SortKey::Id => Column::Id,
        SortKey::Severity => Column::Sev,
        SortKey::Status => Column::Status,
        SortKey::Owner => Column::Owner,
        SortKey::Age => Column::Age,
    };
    let header: Vec<String> = columns
        .iter()
        .map(|&c| {
            if c == sorted {
                format!("{}{arrow}", c.name())
            } else {
                c.name().to_string()
            }
        })
        .collect();
    let table = Table::new(body, widths)
        .header(Row::new(header).style(theme.ui(Ui::Dim)))
        .column_spacing(1);
    frame.render_widget(table, inner);
}

/// The register's columns, in the order shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// A mark (`▌`) on the rows the next triage key acts on.
    Mark,
    Id,
    Sev,
    Status,
    Blocker,
    Title,
    Owner,
    Age,
    Source,
}

impl Column {
    const SHOWN: [Column; 9] = [
        Column::Mark,
        Column::Id,
        Column::Sev,
        Column::Status,
        Column::Blocker,
        Column::Title,
        Column::Owner,
        Column::Age,
        Column::Source,
    ];
    /// Most important first: a narrow pane drops from the end of this list.
    const KEPT: [Column; 9] = [
        Column::Mark,
        Column::Sev,
        Column::Status,
        Column::Id,
        Column::Blocker,
        Column::Title,
        Column::Owner,
        Column::Age,
        Column::Source,
    ];

    /// Columns it takes (the title: at least this many).
    fn width(self) -> u16 {
        match self {
            Column::Mark => 1,
            Column::Id => 9,
            Column::Sev => 4,
            Column::Status => 11,
            Column::Blocker => 1,
            Column::Title => 24,
            Column::Owner => 8,
            Column::Age => 4,
            Column::Source => 12,
        }
    }

    fn constraint(self) -> Constraint {
        match self {
            Column::Title => Constraint::Fill(1),
            other => Constraint::Length(other.width()),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Column::Mark => "",
            Column::Id => "ID",
            Column::Sev => "SEV",
            Column::Status => "STATUS",
            Column::Blocker => "B",
            Column::Title => "TITLE",
            Column::Owner => "OWNER",
            Column::Age => "AGE",
            Column::Source => "SOURCE",
        }
    }
}

/// The columns that fit in `width`, most important first, shown in their order.
fn columns(width: u16) -> Vec<Column> {
    let mut used = 0;
    let mut kept = Vec::new();
    for column in Column::KEPT {
        let need = column.width() + u16::from(!kept.is_empty());
        if used + need > width {
            break;
        }
        used += need;
        kept.push(column);
    }
    Column::SHOWN
        .into_iter()
        .filter(|c| kept.contains(c))
        .collect()
}

/// "Register · 45/229 · 25 marked · 23 open: 2 critical · 5 high…", then the filter.
fn heading<'a>(model: &Model, shown: usize, at: Option<usize>, theme: &Theme) -> Line<'a> {
    let open: Vec<&Issue> = model.issues.iter().filter(|i| i.status.is_open()).collect();
    let mut spans = vec![Span::styled(" Register ", theme.ui(Ui::Title))];
    let dim = theme.ui(Ui::Dim);
    let position = at.map_or_else(|| format!("-/{shown}"), |at| format!("{}/{shown}", at + 1));
    spans.push(Span::styled(format!("· {position} "), dim));
    // What the next triage key acts on comes first: at 80 columns the end is cut.
    let marked = model.register.marked_count(&model.issues);
    if marked > 0 {
        spans.push(Span::styled(
            format!("· {marked} marked "),
            theme.ui(Ui::Key),
        ));
    }
    spans.push(Span::styled(format!("· {} open", open.len()), dim));
    let mut first = true;
    for severity in Severity::ALL {
        let n = open.iter().filter(|i| i.severity == severity).count();
        if n == 0 {
            continue;
        }
        spans.push(Span::styled(if first { ": " } else { " · " }, dim));
        first = false;
        spans.push(Span::styled(
            format!("{n} {}", severity.as_str()),
            theme.severity(severity),
        ));
    }
    if !model.baseline.is_empty() {
        let split = Split::of(&model.baseline, &model.issues);
        spans.push(Span::styled(
            format!(" · {} new, {} baseline", split.new, split.baseline),
            dim,
        ));
    }
    let filter = &model.register.filter_text;
    if !filter.is_empty() {
        spans.push(Span::styled(format!(" · /{}", safe(filter)), dim));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

fn issue_row<'a>(
    issue: &'a Issue,
    now: SystemTime,
    columns: &[Column],
    marked: bool,
    stale: bool,
    theme: &Theme,
) -> Row<'a> {
    let dim = theme.ui(Ui::Dim);
    let text = if stale { dim } else { theme.ui(Ui::Text) };
    let cell = |column: Column| -> Cell<'a> {
        match column {
            Column::Mark => Cell::from(Span::styled(
                if marked { "▌" } else { " " },
                theme.ui(Ui::Key),
            )),
            Column::Id => Cell::from(Span::styled(safe(&issue.id), text)),
            Column::Sev => Cell::from(Span::styled(
                match issue.severity {
                    Severity::Critical => "CRIT",
                    Severity::High => "HIGH",
                    Severity::Medium => "MED",
                    Severity::Low => "LOW",
                    Severity::Info => "INFO",
                },
                theme.severity(issue.severity),
            )),
            Column::Status => Cell::from(Span::styled(
                issue.status.as_str(),
                theme.status(issue.status),
            )),
            Column::Blocker => Cell::from(Span::styled(
                if issue.blocker { "●" } else { " " },
                theme.ui(Ui::NoGo),
            )),
            Column::Title => Cell::from(Span::styled(
                if issue.regression {
                    format!("↺ {}", safe(&issue.title))
                } else {
                    safe(&issue.title).into_owned()
                },
                text,
            )),
            Column::Owner => Cell::from(Span::styled(
                safe(issue.owner.as_deref().unwrap_or("-")),
                dim,
            )),
            Column::Age => Cell::from(Span::styled(age(&issue.created, now), dim)),
            Column::Source => Cell::from(Span::styled(
                safe(
                    issue
                        .finding
                        .as_ref()
                        .map_or("manual", |f| f.check.as_str()),
                ),
                dim,
            )),
        }
    };
    Row::new(columns.iter().map(|c| cell(*c)).collect::<Vec<_>>())
}
