//! The checks: status glyph and id, then aligned columns — findings or metric against
//! its target, a failure's exit code, duration (a spinner and elapsed time while one
//! runs), `stale`, and what triggered the run. A narrow pane drops columns in the
//! opposite order of [`Column::ALL`] (the trigger first), never the glyph and id.

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

/// The longest check id shown whole.
const ID_MAX: usize = 16;
/// The widest note on why a metric could not be read.
const NOTE_MAX: usize = 28;
/// A trigger gets a column only with at least this many columns.
const TRIGGER_MIN: usize = 8;

/// The optional columns, most important first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    /// "3 findings" or "84% (≥80)".
    Result,
    /// "exit 101" for a failed run.
    Exit,
    Duration,
    Stale,
    Trigger,
}

impl Column {
    const ALL: [Column; 5] = [
        Column::Result,
        Column::Exit,
        Column::Duration,
        Column::Stale,
        Column::Trigger,
    ];
}

/// One row's cells: glyph, id, then one text per column (empty when it has none).
struct Cells {
    glyph: (String, Style),
    id: String,
    columns: [(String, Style); 5],
}

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
    let rows: Vec<Cells> = model
        .checks
        .iter()
        .map(|row| cells(model, row, now, theme))
        .collect();
    let widths = fit(&rows, usize::from(inner.width));
    let id_width = id_width(&rows);
    let focused = model.focus == Pane::Checks;
    let lines: Vec<Line> = rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, cells)| {
            let line = line(cells, id_width, &widths, theme);
            if i == model.check_selected && (focused || model.focus == Pane::Output) {
                line.patch_style(selected(theme, focused))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// (columns, rows) the pane would like, borders included: every column of every row.
pub fn wants(model: &Model) -> (u16, u16) {
    let now = Instant::now();
    let theme = Theme::plain();
    let rows: Vec<Cells> = model
        .checks
        .iter()
        .map(|row| cells(model, row, now, &theme))
        .collect();
    let widths = fit(&rows, usize::MAX / 2);
    let total = 2 + id_width(&rows) + widths.iter().map(|w| w.map_or(0, |w| w + 1)).sum::<usize>();
    let clamp = |n: usize| u16::try_from(n + 2).unwrap_or(u16::MAX);
    (clamp(total), clamp(model.checks.len().max(1)))
}

fn id_width(rows: &[Cells]) -> usize {
    rows.iter()
        .map(|c| c.id.width())
        .max()
        .unwrap_or(0)
        .min(ID_MAX)
}

/// The width of each optional column that fits in `width`, in order of importance
/// (`None`: left out). The trigger takes what is left, if that is enough.
fn fit(rows: &[Cells], width: usize) -> [Option<usize>; 5] {
    let mut used = 2 + id_width(rows);
    let mut out = [None; 5];
    for (i, column) in Column::ALL.iter().enumerate() {
        let widest = rows
            .iter()
            .map(|c| c.columns[i].0.width())
            .max()
            .unwrap_or(0);
        if widest == 0 {
            continue;
        }
        if *column == Column::Trigger {
            let room = width.saturating_sub(used + 1).min(widest);
            if room >= TRIGGER_MIN.min(widest) {
                out[i] = Some(room);
            }
            break;
        }
        if used + 1 + widest > width {
            break;
        }
        used += 1 + widest;
        out[i] = Some(widest);
    }
    out
}

fn line<'a>(cells: Cells, id_width: usize, widths: &[Option<usize>; 5], theme: &Theme) -> Line<'a> {
    let mut spans = vec![
        Span::styled(format!("{} ", cells.glyph.0), cells.glyph.1),
        Span::styled(
            crate::text::format::fit(&cells.id, id_width),
            theme.ui(Ui::Text),
        ),
    ];
    for (i, (text, style)) in cells.columns.into_iter().enumerate() {
        let Some(width) = widths[i] else {
            continue;
        };
        let text = match Column::ALL[i] {
            Column::Duration => format!("{text:>width$}"),
            Column::Trigger => super::output::clip_left(&text, width),
            _ => crate::text::format::fit(&text, width),
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

fn cells(model: &Model, row: &CheckRow, now: Instant, theme: &Theme) -> Cells {
    let dim = theme.ui(Ui::Dim);
    let (glyph, style, time): (String, Style, String) = match &row.phase {
        // The spinner says it is still going: the time is as of now.
        CheckPhase::Running { since } => (
            SPINNER[model.spin % SPINNER.len()].to_string(),
            theme.check(CheckRole::Running),
            human_duration(round(now.saturating_duration_since(*since))),
        ),
        CheckPhase::Queued => ("…".into(), theme.check(CheckRole::Running), "queued".into()),
        CheckPhase::Idle | CheckPhase::Done => match &row.last {
            Some(last) => (
                glyph(last.status).into(),
                theme.run(last.status),
                human_duration(Duration::from_millis(last.duration_ms)),
            ),
            None => ("·".into(), theme.check(CheckRole::Stale), "never".into()),
        },
    };
    let empty = || (String::new(), dim);
    let mut columns = [empty(), empty(), (time, dim), empty(), empty()];
    let settled = matches!(row.phase, CheckPhase::Idle | CheckPhase::Done);
    if let (Some(last), true) = (&row.last, settled) {
        if last.findings > 0 {
            let word = if last.findings == 1 {
                "finding"
            } else {
                "findings"
            };
            columns[0] = (format!("{} {word}", last.findings), theme.run(last.status));
        } else if let Some(metric) = last.metric {
            let unit = last.unit.as_deref().unwrap_or("");
            let target = row
                .target
                .as_deref()
                .map_or(String::new(), |t| format!(" ({t})"));
            columns[0] = (
                safe(&format!("{}{unit}{target}", number(metric))).into_owned(),
                theme.ui(Ui::Text),
            );
        } else if let Some(note) = &last.metric_note {
            // A metric that could not be read says why, where its value would be,
            // clipped so that it does not push the other columns out.
            columns[0] = (
                crate::text::format::clip(&format!("no metric: {}", safe(note)), NOTE_MAX),
                theme.run(RunStatus::Error),
            );
        }
        // A failure by findings exits 0: only a failing exit code says more.
        if let (false, Some(code)) = (last.status == RunStatus::Passed, last.exit_code) {
            if code != 0 {
                columns[1] = (format!("exit {code}"), theme.run(last.status));
            }
        }
        if last.commit.is_some() && last.commit != model.repo.commit {
            columns[3] = ("stale".into(), theme.check(CheckRole::Stale));
        }
    }
    if let Some(trigger) = &row.trigger {
        columns[4] = (safe(trigger).into_owned(), dim);
    }
    Cells {
        glyph: (glyph, style),
        id: safe(&row.id).into_owned(),
        columns,
    }
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
